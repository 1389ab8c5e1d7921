/* Bundle signatures: ECDSA P-256 (raw r||s) over SHA-256(manifest). The key that release
 * builds trust is compiled in (make SIGN_PUB=key.pub). */
#ifndef DD_SIGN_H
#define DD_SIGN_H

#include <stddef.h>

#include <bearssl.h>

#define DD_P256_POINT 65	/* uncompressed public point 04||X||Y */

struct dd_sign_key {
	br_ec_private_key sk;
	unsigned char x[32];
	unsigned char pub[DD_P256_POINT];
};

/* Load a P-256 private key from a PEM file (PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE
 * KEY"). 0, or -1 with a reason in err. Intermediate copies of the secret are wiped;
 * dd_sign_key_wipe wipes the key itself. */
int dd_sign_key_load(const char *path, struct dd_sign_key *k, char *err, size_t errsz);
void dd_sign_key_wipe(struct dd_sign_key *k);
/* 0 and 64 bytes in sig, or -1. */
int dd_sign(const struct dd_sign_key *k, const unsigned char digest[32], unsigned char sig[64]);
/* 1 if sig is a valid signature of digest by pub. */
int dd_sign_verify(const unsigned char pub[DD_P256_POINT], const unsigned char digest[32],
		   const unsigned char sig[64]);
/* The compiled-in trusted key, or NULL when this build trusts none. */
const unsigned char *dd_sign_trusted_key(void);
/* SHA-256 of a public point, hex (65 bytes) for messages: which key signed. */
void dd_sign_key_id(const unsigned char pub[DD_P256_POINT], char out[65]);

#endif
