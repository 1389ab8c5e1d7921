/* RSA key generation (pki/rsagen.c) and the private exponent a key file carries. */
#ifndef DD_PKI_RSAGEN_H
#define DD_PKI_RSAGEN_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

/* The largest prime, in bytes (RSA-4096). */
#define PKI_RSA_PMAX 256

/* A new key of bits 2048, 3072 or 4096 with e = 65537, meeting FIPS 186-5 B.3.1 (p and q of
 * bits / 2 bits, at least sqrt(2) 2^(bits/2 - 1), |p - q| > 2^(bits/2 - 100), d = e^-1 mod
 * lcm(p - 1, q - 1) above 2^(bits/2)). sk points into priv (p, q, dp, dq, iq: 5 * bits / 16
 * bytes), pk into pub (n, then e: bits / 8 + 3 bytes). The searches run on up to threads
 * threads, each with a DRBG seeded from rng; threads 1 makes the key a function of rng's
 * state. One call at a time: another one made meanwhile (from another thread) returns -1.
 * 0, or -1 if no key came (the search bound ran out; priv is wiped). */
int pki_rsa_generate(br_hmac_drbg_context *rng, unsigned threads, unsigned bits,
		     br_rsa_private_key *sk, unsigned char *priv, br_rsa_public_key *pk,
		     unsigned char *pub);

/* d = e^-1 mod (p - 1)(q - 1)/2 into d (2 * plen bytes, cap at least that): for a key from
 * pki_rsa_generate, whose (p - 1)/2 and (q - 1)/2 are coprime, that is lcm(p - 1, q - 1);
 * for another key a multiple of it, with which d still works. Its length, or 0 when e is
 * even or not invertible. Constant-time in p and q. */
size_t pki_rsa_privexp(unsigned char *d, size_t cap, const br_rsa_private_key *sk, uint32_t e);

/* a * b, big-endian bytes, into out (alen + blen bytes). Its loops depend on the lengths
 * only. */
void pki_bn_mul(unsigned char *out, const unsigned char *a, size_t alen, const unsigned char *b,
		size_t blen);

#endif
