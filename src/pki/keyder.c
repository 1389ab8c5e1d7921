/* A private key's DER read as BearSSL's skey_decoder reads it, which pki_key_load used
 * before (2.4 KB of the stub; this is a few hundred bytes): the same structures (PKCS#8,
 * SEC1, PKCS#1), the same limits, the same leniency (lengths of up to 3 significant bytes
 * in any form, a SEC1 key's fields after the first optional one skipped unread, PKCS#8
 * attributes skipped), the same refusals. tests/unit/test_pki.c key_der_as_bearssl holds
 * the two side by side. */
#include <string.h>

#include "pki/key.h"

struct kd {
	const unsigned char *p, *end;
};

/* The skey_decoder's room for the integers it keeps: each of n, e, d alone, p, q, dp, dq
 * and iq together. It takes 3 * BR_X509_BUFSIZE_KEY bytes (1560) there, and copies them
 * into a buffer of 3 * BR_X509_BUFSIZE_SIG (1536): a key with more overran it by up to 24
 * bytes (the stack of pki_key_load). This takes the same keys and copies nothing. */
#define ROOM 1560
#define CONS 0x100	/* constructed */
#define CTX 0x20	/* context class: [0] is 0x20 */

/* A tag: its number, CTX for the context class, CONS when constructed; -1 for the classes
 * and tag numbers it does not take. */
static int tag(struct kd *r)
{
	unsigned b;

	if (r->p == r->end)
		return -1;
	b = *r->p++;
	if ((b & 0x40) || (b & 0x1f) == 0x1f)
		return -1;
	return (int)((b & 0x1f) | (b & 0x80) >> 2 | (b & 0x20) << 3);
}

/* The value of the next element when its tag is want; p is NULL when it is not one (or
 * its length does not fit). Lengths as BearSSL reads them: definite, up to 3 significant
 * bytes, in any form. */
static struct kd elt(struct kd *r, int want)
{
	struct kd in = { NULL, NULL };
	size_t n, k;

	if (tag(r) != want || r->p == r->end)
		return in;
	n = *r->p++;
	if (n & 0x80) {
		if (!(k = n & 0x7f))
			return in;	/* indefinite */
		for (n = 0; k--; n = n << 8 | *r->p++)
			if (r->p == r->end || n > 0x7fffff)
				return in;
	}
	if (n <= (size_t)(r->end - r->p)) {
		in.p = r->p;
		in.end = r->p + n;
		r->p += n;
	}
	return in;
}

/* An INTEGER's magnitude, leading zeros dropped, at most room bytes; not negative. */
static int uint(struct kd *r, const unsigned char **v, size_t *len, size_t room)
{
	struct kd x = elt(r, 0x02);

	if (!x.p || x.p == x.end || *x.p >= 0x80)
		return -1;
	while (x.p < x.end && !*x.p)
		x.p++;
	*v = x.p;
	*len = (size_t)(x.end - x.p);
	return *len > room ? -1 : 0;
}

/* A version: 0 or 1, -1 for anything else (BearSSL reads an INTEGER up to 2^32 there,
 * then refuses all but the values it wants). */
static int version(struct kd *r)
{
	const unsigned char *v;
	size_t n;

	if (uint(r, &v, &n, 1))
		return -1;
	return !n ? 0 : v[0] == 1 ? 1 : -1;
}

/* The integers of an RSAPrivateKey from n on (n and d are read and dropped; e is kept when
 * it fits 32 bits, else 0). */
static int rsa_ints(struct kd *r, br_rsa_private_key *sk, uint32_t *e)
{
	const unsigned char *n, *v[5];
	size_t nlen, len[5], used = 0, skip;
	uint32_t bits;

	if (uint(r, &n, &nlen, ROOM) || !nlen || uint(r, v, &skip, ROOM))
		return -1;
	*e = 0;
	for (size_t i = 0; skip <= 4 && i < skip; i++)
		*e = *e << 8 | v[0][i];
	if (uint(r, v, &skip, ROOM))
		return -1;
	for (int i = 0; i < 5; used += len[i++])
		if (uint(r, &v[i], &len[i], ROOM - used))
			return -1;
	bits = (uint32_t)(nlen - 1) * 8;
	for (unsigned t = n[0]; t; t >>= 1)
		bits++;
	/* BearSSL's key structs point to writable bytes; it only reads them. */
	*sk = (br_rsa_private_key){ bits, (unsigned char *)v[0], len[0], (unsigned char *)v[1], len[1],
				    (unsigned char *)v[2], len[2], (unsigned char *)v[3], len[3],
				    (unsigned char *)v[4], len[4] };
	return 0;
}

/* P-256, P-384, P-521 by the OID that is the whole of v; -1 for another. */
static int curve(struct kd v)
{
	static const struct {
		unsigned char len, oid[8];
		int id;
	} c[] = {
		{ 8, { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 }, BR_EC_secp256r1 },
		{ 5, { 0x2b, 0x81, 0x04, 0x00, 0x22 }, BR_EC_secp384r1 },
		{ 5, { 0x2b, 0x81, 0x04, 0x00, 0x23 }, BR_EC_secp521r1 },
	};
	const unsigned char *end = v.end;
	struct kd o = elt(&v, 0x06);

	for (unsigned i = 0; o.p && o.end == end && i < sizeof c / sizeof c[0]; i++)
		if ((size_t)(o.end - o.p) == c[i].len && !memcmp(o.p, c[i].oid, c[i].len))
			return c[i].id;
	return -1;
}

/* An ECPrivateKey from its privateKey on; id is the curve the PKCS#8 wrapper named (0:
 * none), which [0] must then repeat. What follows the first optional field is skipped. */
static int ec_rest(struct kd *r, int id, br_ec_private_key *sk)
{
	struct kd x = elt(r, 0x04), peek = *r;
	int c;

	if (!x.p || x.end - x.p > ROOM)
		return -1;
	if (r->p < r->end && tag(&peek) != (CONS | CTX | 1)) {	/* [1], the public key: not read */
		if ((c = curve(elt(r, CONS | CTX))) < 0 || (id && c != id))
			return -1;
		id = c;
	}
	r->p = r->end;
	if (!id)
		return -1;
	*sk = (br_ec_private_key){ id, (unsigned char *)x.p, (size_t)(x.end - x.p) };
	return 0;
}

/* PKCS#8 from its AlgorithmIdentifier on. */
static int pkcs8(struct kd *r, int *type, br_rsa_private_key *rsa, uint32_t *e, br_ec_private_key *ec)
{
	static const unsigned char oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 },
				   oid_ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
	struct kd alg = elt(r, CONS | 0x10), oid = alg.p ? elt(&alg, 0x06) : alg, wrap, seq;
	size_t on = (size_t)(oid.end - oid.p);
	int id = 0;

	if (!oid.p)
		return -1;
	if (on == sizeof oid_rsa && !memcmp(oid.p, oid_rsa, on)) {
		*type = BR_KEYTYPE_RSA;	/* its parameters are not read */
	} else if (on == sizeof oid_ec && !memcmp(oid.p, oid_ec, on)) {
		*type = BR_KEYTYPE_EC;
		if (alg.p < alg.end && (id = curve(alg)) < 0)
			return -1;
	} else {
		return -1;
	}
	wrap = elt(r, 0x04);
	seq = wrap.p ? elt(&wrap, CONS | 0x10) : wrap;
	if (!seq.p || wrap.p != wrap.end)
		return -1;
	if (*type == BR_KEYTYPE_RSA ? version(&seq) != 0 || rsa_ints(&seq, rsa, e) || seq.p != seq.end
				    : version(&seq) != 1 || ec_rest(&seq, id, ec))
		return -1;
	r->p = r->end;	/* attributes, a public key */
	return 0;
}

int pki_key_der(const unsigned char *der, size_t n, int *type, br_rsa_private_key *rsa,
		uint32_t *e, br_ec_private_key *ec)
{
	struct kd r = { der, der + n }, key = elt(&r, CONS | 0x10), peek;
	int t;

	if (!key.p || r.p != r.end || version(&key) < 0)
		return -1;
	peek = key;
	t = tag(&peek);
	if (t == 0x02) {
		*type = BR_KEYTYPE_RSA;
		if (rsa_ints(&key, rsa, e))
			return -1;
	} else if (t == 0x04) {
		*type = BR_KEYTYPE_EC;
		if (ec_rest(&key, 0, ec))
			return -1;
	} else if (t != (CONS | 0x10) || pkcs8(&key, type, rsa, e, ec)) {
		return -1;
	}
	return key.p == key.end ? 0 : -1;
}
