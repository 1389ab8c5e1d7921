#include <stdio.h>
#include <string.h>

#include "bundle/format.h"
#include "bundle/sign.h"
#include "signkey.h"
#include "util/pem.h"

static const char *const key_labels[] = { "PRIVATE KEY", "EC PRIVATE KEY", NULL };

static int decode_key(const unsigned char *der, size_t n, struct dd_sign_key *k)
{
	br_skey_decoder_context dc;
	const br_ec_private_key *ec;

	br_skey_decoder_init(&dc);
	br_skey_decoder_push(&dc, der, n);
	if (br_skey_decoder_last_error(&dc) != 0 || br_skey_decoder_key_type(&dc) != BR_KEYTYPE_EC)
		return -1;
	ec = br_skey_decoder_get_ec(&dc);
	if (ec->curve != BR_EC_secp256r1 || ec->xlen == 0 || ec->xlen > sizeof k->x)
		return -1;
	/* Left-pad the scalar to 32 bytes: BearSSL accepts either, the copy stays fixed-size. */
	memset(k->x, 0, sizeof k->x);
	memcpy(k->x + sizeof k->x - ec->xlen, ec->x, ec->xlen);
	k->sk.curve = BR_EC_secp256r1;
	k->sk.x = k->x;
	k->sk.xlen = sizeof k->x;
	explicit_bzero(&dc, sizeof dc);
	return br_ec_compute_pub(&br_ec_p256_m31, NULL, k->pub, &k->sk) == DD_P256_POINT ? 0 : -1;
}

int dd_sign_key_load(const char *path, struct dd_sign_key *k, char *err, size_t errsz)
{
	char pem[8192];
	unsigned char der[2048];
	long n = dd_read_small_file(path, pem, sizeof pem);
	size_t dn;
	int rc = -1;

	if (n < 0) {
		snprintf(err, errsz, "cannot read: %m");
		return -1;
	}
	dn = dd_pem_decode(pem, (size_t)n, key_labels, der, sizeof der, NULL);
	if (dn == 0 && strstr(pem, "ENCRYPTED"))
		snprintf(err, errsz, "the key is encrypted; give it unencrypted (openssl pkey -in KEY -out PLAIN.pem)");
	else if (dn == 0)
		snprintf(err, errsz, "no PEM private key in it");
	else if (decode_key(der, dn, k) != 0)
		snprintf(err, errsz, "not an ECDSA P-256 private key");
	else
		rc = 0;
	explicit_bzero(pem, sizeof pem);
	explicit_bzero(der, sizeof der);
	return rc;
}

void dd_sign_key_wipe(struct dd_sign_key *k)
{
	explicit_bzero(k, sizeof *k);
}

int dd_sign(const struct dd_sign_key *k, const unsigned char digest[32], unsigned char sig[64])
{
	return br_ecdsa_i31_sign_raw(&br_ec_p256_m31, &br_sha256_vtable, digest, &k->sk, sig) ==
			       64
		       ? 0 : -1;
}

int dd_sign_verify(const unsigned char pub[DD_P256_POINT], const unsigned char digest[32],
		   const unsigned char sig[64])
{
	br_ec_public_key pk = { BR_EC_secp256r1, (unsigned char *)pub, DD_P256_POINT };

	return br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, digest, 32, &pk, sig, 64) == 1;
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
