/* Private keys: generation (HMAC-DRBG seeded from getrandom), PEM loading (PKCS#8, SEC1,
 * PKCS#1), PKCS#8 PEM output, the SubjectPublicKeyInfo and signature of a certificate.
 * A struct pki_key holds the secret: pki_key_wipe it after use. */
#ifndef DD_PKI_KEY_H
#define DD_PKI_KEY_H

#include <stddef.h>

#include <bearssl.h>

#include "pki/der.h"

enum pki_ktype { PKI_EC256, PKI_EC384, PKI_RSA2048, PKI_RSA3072, PKI_RSA4096, PKI_KTYPES };

struct pki_key {
	enum pki_ktype type;
	br_ec_private_key ec;
	br_ec_public_key ecpub;
	br_rsa_private_key rsa;
	br_rsa_public_key rsapub;
	unsigned char priv[BR_RSA_KBUF_PRIV_SIZE(4096) + 16];	/* + leading zeros kept by a decoder */
	unsigned char pub[BR_RSA_KBUF_PUB_SIZE(4096) + 8];
};

/* "ecdsa-p256" ... "rsa4096" <-> type; -1 for an unknown name. */
int pki_ktype_parse(const char *name);
const char *pki_ktype_name(enum pki_ktype t);

/* Random bytes from the DRBG (seeded on first use). 0 or -1. */
int pki_random(void *out, size_t n);
/* For tests: a fixed seed makes keys and serials reproducible. */
void pki_random_seed(const void *seed, size_t n);

int pki_key_generate(struct pki_key *k, enum pki_ktype t);
/* Keys made ahead: a thread starts making n (at most 3) keys of type t, while the caller
 * does other work (install's unpack); pki_key_generate of that type then takes them, in
 * turn, waiting for the thread if it is not done. pki_key_pool_end waits for it too, wipes
 * the keys not taken and says how many microseconds the thread took. Start: 0 or -1 (no
 * thread: pki_key_generate makes its keys itself). */
int pki_key_pool_start(enum pki_ktype t, unsigned n);
long long pki_key_pool_end(void);
/* Load the first private key of a PEM text. 0, or -1 with why set. */
int pki_key_load(struct pki_key *k, const char *pem, size_t n, const char **why);
/* A private key's DER (PKCS#8, SEC1 or PKCS#1) into BearSSL's form, pointing into der:
 * 0 with *type BR_KEYTYPE_RSA (rsa and the public exponent *e set: 0 when it takes more
 * than 32 bits) or BR_KEYTYPE_EC (ec set), or -1 when it is not one (pki/keyder.c). */
int pki_key_der(const unsigned char *der, size_t n, int *type, br_rsa_private_key *rsa,
		uint32_t *e, br_ec_private_key *ec);
/* PKCS#8 "PRIVATE KEY" PEM into out; its length (without NUL), 0 if it does not fit. */
size_t pki_key_pem(const struct pki_key *k, char *out, size_t cap);
void pki_key_wipe(struct pki_key *k);

/* SubjectPublicKeyInfo of the key. */
void pki_spki(struct der *d, const struct pki_key *k);
/* The subjectPublicKey bits (EC point, or the RSAPublicKey DER) into out; length or 0. */
size_t pki_pubkey_bits(const struct pki_key *k, unsigned char *out, size_t cap);
/* The signature AlgorithmIdentifier this key signs with (ECDSA with SHA-256 for P-256,
 * SHA-384 for P-384; sha256WithRSAEncryption for RSA). */
void pki_sigalg(struct der *d, const struct pki_key *k);
/* Sign data (hashed as the algorithm says). Signature length, 0 on failure. */
size_t pki_sign(const struct pki_key *k, const void *data, size_t n, unsigned char *sig,
		size_t cap);
/* An ECDSA signature in DER (a br_ecdsa_sign, for pki_sign and the TLS client key): the
 * raw one BearSSL makes, as SEQUENCE { INTEGER r, INTEGER s } written by pki/der, the bytes
 * br_ecdsa_i31_sign_asn1 gives (its raw-to-ASN.1 converter is 0.3 KB of the stub). sig
 * takes the raw signature plus 9 bytes. */
size_t pki_ecdsa_sign_asn1(const br_ec_impl *impl, const br_hash_class *hf, const void *hash,
			   const br_ec_private_key *sk, void *sig);
/* 1 if the key is the private half of this public key (from a certificate). */
int pki_key_matches(const struct pki_key *k, const br_x509_pkey *pk);

#endif
