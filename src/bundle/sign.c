#include <stdio.h>
#include <string.h>

#include "bundle/format.h"
#include "bundle/sign.h"
#include "signkey.h"
#include "util/io.h"
#include "util/pem.h"
#include "util/sort.h"

int dd_sign_key_load(const char *path, struct pki_key *k, char *err, size_t errsz)
{
	char pem[8192];
	const char *why = NULL;
	long n = dd_read_small_file(path, pem, sizeof pem);
	int rc;

	if (n < 0) {
		snprintf(err, errsz, "cannot read: %m");
		return -1;
	}
	rc = pki_key_load(k, pem, (size_t)n, &why);
	explicit_bzero(pem, sizeof pem);
	if (rc == 0 && k->type != PKI_EC256) {
		pki_key_wipe(k);
		why = "not an ECDSA P-256 private key";
		rc = -1;
	}
	if (rc != 0)
		snprintf(err, errsz, "%s%s", why,
			 dd_strstr(why, "encrypted") ? "; give it unencrypted (openssl pkey -in KEY -out PLAIN.pem)" : "");
	return rc;
}

int dd_sign(const struct pki_key *k, const unsigned char digest[32], unsigned char sig[64])
{
	return br_ecdsa_i31_sign_raw(&br_ec_prime_i31, &br_sha256_vtable, digest, &k->ec, sig) ==
			       64
		       ? 0 : -1;
}

int dd_sign_verify(const unsigned char pub[DD_P256_POINT], const unsigned char digest[32],
		   const unsigned char sig[64])
{
	br_ec_public_key pk = { BR_EC_secp256r1, (unsigned char *)pub, DD_P256_POINT };

	return br_ecdsa_i31_vrfy_raw(&br_ec_prime_i31, digest, 32, &pk, sig, 64) == 1;
}

const unsigned char *dd_sign_trusted_key(void)
{
#ifdef DD_SIGN_PUB
	static const unsigned char pub[DD_P256_POINT] = { DD_SIGN_PUB };

	return pub;
#else
	return NULL;
#endif
}

void dd_sign_key_id(const unsigned char pub[DD_P256_POINT], char out[65])
{
	br_sha256_context c;
	unsigned char d[32];

	br_sha256_init(&c);
	br_sha256_update(&c, pub, DD_P256_POINT);
	br_sha256_out(&c, d);
	dd_hex(d, 32, out);
}
