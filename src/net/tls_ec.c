/* The NIST curves: P-256 by its own code, P-384 and P-521 by the generic one (both already
 * used by src/pki). BearSSL's br_ec_all_m31 would add X25519, which dockerd does not need:
 * it agrees on P-256 just as well. */
#include "net/tls_int.h"

static const br_ec_impl *nist(int curve)
{
	return curve == BR_EC_secp256r1 ? &br_ec_p256_m31 : &br_ec_prime_i31;
}

static const unsigned char *nist_generator(int curve, size_t *len)
{
	return nist(curve)->generator(curve, len);
}

static const unsigned char *nist_order(int curve, size_t *len)
{
	return nist(curve)->order(curve, len);
}

static size_t nist_xoff(int curve, size_t *len)
{
	return nist(curve)->xoff(curve, len);
}

static uint32_t nist_mul(unsigned char *g, size_t glen, const unsigned char *x, size_t xlen,
			 int curve)
{
	return nist(curve)->mul(g, glen, x, xlen, curve);
}

static size_t nist_mulgen(unsigned char *r, const unsigned char *x, size_t xlen, int curve)
{
	return nist(curve)->mulgen(r, x, xlen, curve);
}

static uint32_t nist_muladd(unsigned char *a, const unsigned char *b, size_t len,
			    const unsigned char *x, size_t xlen, const unsigned char *y, size_t ylen,
			    int curve)
{
	return nist(curve)->muladd(a, b, len, x, xlen, y, ylen, curve);
}

const br_ec_impl dd_tls_ec_nist = {
	(1u << BR_EC_secp256r1) | (1u << BR_EC_secp384r1) | (1u << BR_EC_secp521r1),
	nist_generator, nist_order, nist_xoff, nist_mul, nist_mulgen, nist_muladd,
};
