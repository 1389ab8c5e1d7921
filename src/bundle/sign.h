/* Bundle signatures: ECDSA P-256 (raw r||s) over SHA-256(manifest). The key that release
 * builds trust is compiled in (make SIGN_PUB=key.pub). */
#ifndef DD_SIGN_H
#define DD_SIGN_H

#include <stddef.h>

#include <bearssl.h>

#include "pki/key.h"

#define DD_P256_POINT 65	/* uncompressed public point 04||X||Y */

/* Load the signing key: a P-256 private key in PEM (PKCS#8 or SEC1), read with the CA's
 * key loader. 0, or -1 with a reason in err. pki_key_wipe it after use. */
int dd_sign_key_load(const char *path, struct pki_key *k, char *err, size_t errsz);
/* 0 and 64 bytes in sig, or -1. */
int dd_sign(const struct pki_key *k, const unsigned char digest[32], unsigned char sig[64]);
/* 1 if sig is a valid signature of digest by pub. */
int dd_sign_verify(const unsigned char pub[DD_P256_POINT], const unsigned char digest[32],
		   const unsigned char sig[64]);
/* The compiled-in trusted key, or NULL when this build trusts none. */
const unsigned char *dd_sign_trusted_key(void);
/* SHA-256 of a public point, hex (65 bytes) for messages: which key signed. */
void dd_sign_key_id(const unsigned char pub[DD_P256_POINT], char out[65]);

#endif
