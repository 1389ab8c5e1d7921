#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>

#include "pki/key.h"
#include "pki/rsagen.h"
#include "util/clock.h"
#include "util/pem.h"
#include "util/sort.h"

static const char *const names[PKI_KTYPES] = { "ecdsa-p256", "ecdsa-p384", "rsa2048",
					       "rsa3072", "rsa4096" };
static const unsigned rsa_bits[PKI_KTYPES] = { 0, 0, 2048, 3072, 4096 };

#define OID_EC_PUBKEY "\x2a\x86\x48\xce\x3d\x02\x01"
#define OID_P256 "\x2a\x86\x48\xce\x3d\x03\x01\x07"
#define OID_P384 "\x2b\x81\x04\x00\x22"
#define OID_RSA "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"
#define OID_ECDSA_SHA256 "\x2a\x86\x48\xce\x3d\x04\x03\x02"
#define OID_ECDSA_SHA384 "\x2a\x86\x48\xce\x3d\x04\x03\x03"
#define OID_RSA_SHA256 "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"

static br_hmac_drbg_context drbg;
static int seeded, fixed;	/* fixed: a test's seed, and one thread to keep its keys */

int pki_ktype_parse(const char *name)
{
	for (int i = 0; i < PKI_KTYPES; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

const char *pki_ktype_name(enum pki_ktype t)
{
	return (unsigned)t < PKI_KTYPES ? names[t] : "unknown";
}

static int is_ec(enum pki_ktype t)
{
	return t == PKI_EC256 || t == PKI_EC384;
}

void pki_random_seed(const void *seed, size_t n)
{
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, seed, n);
	seeded = fixed = 1;
}

/* getrandom() blocks only until the kernel pool is initialised, once per boot. */
static int seed(void)
{
	unsigned char s[48];
	size_t got = 0;

	while (got < sizeof s) {
		ssize_t r = getrandom(s + got, sizeof s - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, s, sizeof s);
	seeded = 1;
	explicit_bzero(s, sizeof s);
	return 0;
}

int pki_random(void *out, size_t n)
{
	if (!seeded && seed() != 0)
		return -1;
	br_hmac_drbg_generate(&drbg, out, n);
	return 0;
}

/* Both curves by BearSSL's generic code: its P-256 one (br_ec_p256_m31) made keys and
 * signatures twice as fast, 0.3 ms against 0.8, for 7.8 KB of the stub (issue 16). */
static const br_ec_impl *const ec_impl = &br_ec_prime_i31;

static int generate(struct pki_key *k, enum pki_ktype t, br_hmac_drbg_context *rng)
{
	memset(k, 0, sizeof *k);
	k->type = t;
	if (is_ec(t)) {
		int curve = t == PKI_EC256 ? BR_EC_secp256r1 : BR_EC_secp384r1;

		if (!br_ec_keygen(&rng->vtable, ec_impl, &k->ec, k->priv, curve))
			return -1;
		return br_ec_compute_pub(ec_impl, &k->ecpub, k->pub, &k->ec) ? 0 : -1;
	}
	return pki_rsa_generate(rng, fixed ? 1 : 4, rsa_bits[t], &k->rsa, k->priv, &k->rsapub,
				k->pub);
}

/* Keys made ahead by a thread with a DRBG of its own, seeded from this one. */
static struct {
	pthread_t th;
	int running;		/* started, not joined yet */
	enum pki_ktype type;
	unsigned n, taken;
	int rc[3];
	long long us;
	br_hmac_drbg_context rng;
	struct pki_key key[3];
} pool;

static void *pool_main(void *arg)
{
	long long t0 = dd_now_us();

	(void)arg;
	for (unsigned i = 0; i < pool.n; i++)
		pool.rc[i] = generate(&pool.key[i], pool.type, &pool.rng);
	pool.us = dd_now_us() - t0;
	return NULL;
}

int pki_key_pool_start(enum pki_ktype t, unsigned n)
{
	unsigned char s[32];

	pki_key_pool_end();
	if (n == 0 || (!seeded && seed() != 0))
		return -1;
	br_hmac_drbg_generate(&drbg, s, sizeof s);
	br_hmac_drbg_init(&pool.rng, &br_sha256_vtable, s, sizeof s);
	explicit_bzero(s, sizeof s);
	pool.type = t;
	pool.n = n < 3 ? n : 3;
	pool.taken = 0;
	pool.us = 0;
	pool.running = pthread_create(&pool.th, NULL, pool_main, NULL) == 0;
	if (!pool.running)
		pool.n = 0;
	return pool.running ? 0 : -1;
}

static void pool_join(void)
{
	if (pool.running)
		pthread_join(pool.th, NULL);
	pool.running = 0;
}

long long pki_key_pool_end(void)
{
	long long us;

	pool_join();
	us = pool.us;
	explicit_bzero(&pool, sizeof pool);
	return us;
}

/* from, whose buffers its pointers point into, into to, rebased; from wiped */
static void key_move(struct pki_key *to, struct pki_key *from)
{
#define REBASE(f, buf) (to->f = from->f ? to->buf + (from->f - from->buf) : NULL)
	memcpy(to, from, sizeof *to);
	REBASE(ec.x, priv);
	REBASE(ecpub.q, pub);
	REBASE(rsa.p, priv);
	REBASE(rsa.q, priv);
	REBASE(rsa.dp, priv);
	REBASE(rsa.dq, priv);
	REBASE(rsa.iq, priv);
	REBASE(rsapub.n, pub);
	REBASE(rsapub.e, pub);
#undef REBASE
	pki_key_wipe(from);
}

int pki_key_generate(struct pki_key *k, enum pki_ktype t)
{
	if (pool.n) {
		pool_join();
		if (pool.type == t && pool.taken < pool.n && pool.rc[pool.taken] == 0) {
			key_move(k, &pool.key[pool.taken++]);
			return 0;
		}
	}
	if (!seeded && seed() != 0)
		return -1;
	return generate(k, t, &drbg);
}

/* e as the key file gives it, if the key works with it: a round trip through the key.
 * (BearSSL's br_rsa_compute_pubexp derives e only when both primes are 3 mod 4, its own
 * keys: most OpenSSL and Go keys are not.) */
static int rsa_pubexp_ok(const struct pki_key *k, size_t nlen, uint32_t e)
{
	unsigned char x[512], y[512], eb[4] = { (unsigned char)(e >> 24), (unsigned char)(e >> 16),
						(unsigned char)(e >> 8), (unsigned char)e };
	br_rsa_public_key pk = { (unsigned char *)k->pub, nlen, eb, 4 };

	for (size_t i = 0; i < nlen; i++)
		x[i] = (unsigned char)(i * 29 + 7);
	x[0] = 0;	/* below the modulus */
	memcpy(y, x, nlen);
	return e && br_rsa_public_get_default()(y, nlen, &pk) && br_rsa_private_get_default()(y, &k->rsa) &&
	       memcmp(x, y, nlen) == 0;
}

/* n = p * q into n (cap bytes) in the (n_bitlen + 7) / 8 bytes the key's bit length says,
 * as br_rsa_i15_compute_modulus writes it: its length, or 0 (BearSSL's i15 code, 0.9 KB, was
 * here only for this; its i31 one runs out of scratch space at exactly 4096 bits). The
 * leading zero bytes of p and q are skipped: a key's primes, full-length by FIPS 186-5, have
 * none, so the loops depend on the lengths alone. */
static size_t rsa_modulus(unsigned char *n, size_t cap, const br_rsa_private_key *sk)
{
	unsigned char t[1024];
	const unsigned char *p = sk->p, *q = sk->q;
	size_t pl = sk->plen, ql = sk->qlen, tl, nlen = (sk->n_bitlen + 7) >> 3;

	while (pl && !*p)
		p++, pl--;
	while (ql && !*q)
		q++, ql--;
	tl = pl + ql;
	if (!pl || !ql || tl > sizeof t || nlen == 0 || nlen > cap)
		return 0;
	pki_bn_mul(t, p, pl, q, ql);
	memset(n, 0, nlen > tl ? nlen - tl : 0);
	memcpy(n + (nlen > tl ? nlen - tl : 0), t + (tl > nlen ? tl - nlen : 0), nlen < tl ? nlen : tl);
	return nlen;	/* t is the public modulus: nothing to wipe */
}

static int from_rsa(struct pki_key *k, const br_rsa_private_key *sk, uint32_t e)
{
	size_t nlen, elen, off = 0;
	unsigned char *p = k->priv;
	const unsigned char *parts[5] = { sk->p, sk->q, sk->dp, sk->dq, sk->iq };
	size_t lens[5] = { sk->plen, sk->qlen, sk->dplen, sk->dqlen, sk->iqlen };
	unsigned char *dst[5];

	for (int i = 0; i < 5; i++) {
		if (lens[i] > sizeof k->priv - off)
			return -1;
		dst[i] = p + off;
		memcpy(dst[i], parts[i], lens[i]);
		off += lens[i];
	}
	k->rsa = (br_rsa_private_key){ sk->n_bitlen, dst[0], lens[0], dst[1], lens[1],
				       dst[2], lens[2], dst[3], lens[3], dst[4], lens[4] };
	if ((nlen = rsa_modulus(k->pub, sizeof k->pub - 4, &k->rsa)) == 0)
		return -1;
	if (!rsa_pubexp_ok(k, nlen, e))
		return -1;
	elen = 0;
	for (uint32_t v = e; v; v >>= 8)
		elen++;
	for (size_t i = 0; i < elen; i++)
		k->pub[nlen + i] = (unsigned char)(e >> (8 * (elen - 1 - i)));
	k->rsapub = (br_rsa_public_key){ k->pub, nlen, k->pub + nlen, elen };
	switch (sk->n_bitlen) {
	case 2048: k->type = PKI_RSA2048; return 0;
	case 3072: k->type = PKI_RSA3072; return 0;
	case 4096: k->type = PKI_RSA4096; return 0;
	default: return -1;
	}
}

static int from_ec(struct pki_key *k, const br_ec_private_key *sk)
{
	if (sk->curve != BR_EC_secp256r1 && sk->curve != BR_EC_secp384r1)
		return -1;
	if (sk->xlen > BR_EC_KBUF_PRIV_MAX_SIZE)
		return -1;
	memcpy(k->priv, sk->x, sk->xlen);
	k->ec = (br_ec_private_key){ sk->curve, k->priv, sk->xlen };
	k->type = sk->curve == BR_EC_secp256r1 ? PKI_EC256 : PKI_EC384;
	return br_ec_compute_pub(ec_impl, &k->ecpub, k->pub, &k->ec) ? 0 : -1;
}

int pki_key_load(struct pki_key *k, const char *pem, size_t n, const char **why)
{
	static const char *const labels[] = { "PRIVATE KEY", "EC PRIVATE KEY",
					      "RSA PRIVATE KEY", NULL };
	unsigned char der[4096];
	br_rsa_private_key rsa;
	br_ec_private_key ec;
	size_t dn;
	uint32_t e = 0;
	int rc = -1, type;

	memset(k, 0, sizeof *k);
	dn = dd_pem_decode(pem, n, labels, der, sizeof der, NULL);
	if (dn == 0) {
		*why = dd_memmem(pem, n, "ENCRYPTED", 9) ? "the key is encrypted" : "no PEM private key";
		return -1;
	}
	if (pki_key_der(der, dn, &type, &rsa, &e, &ec) != 0)
		*why = "not a valid private key";
	else if ((rc = type == BR_KEYTYPE_EC ? from_ec(k, &ec) : from_rsa(k, &rsa, e)) != 0)
		*why = "unsupported key (use P-256, P-384 or RSA 2048/3072/4096)";
	explicit_bzero(der, sizeof der);
	return rc;
}

/* The AlgorithmIdentifier of the key: its SubjectPublicKeyInfo's and its PKCS#8's. */
static void algid(struct der *d, const struct pki_key *k)
{
	der_begin(d, DER_SEQUENCE);
	if (is_ec(k->type)) {
		der_oid(d, DER_OID_LIT(OID_EC_PUBKEY));
		if (k->type == PKI_EC256)
			der_oid(d, DER_OID_LIT(OID_P256));
		else
			der_oid(d, DER_OID_LIT(OID_P384));
	} else {
		der_oid(d, DER_OID_LIT(OID_RSA));
		der_null(d);
	}
	der_end(d);
}

/* PKCS#8 as BearSSL's br_encode_{ec,rsa}_pkcs8_der write it (test_pki holds the two side by
 * side): version 0, the AlgorithmIdentifier, and an OCTET STRING around an ECPrivateKey
 * (version 1, the private value as it is, the public point in [1], no curve: the
 * AlgorithmIdentifier names it) or an RSAPrivateKey (version 0, n e d p q dp dq iq). */
static void pkcs8(struct der *w, const struct pki_key *k, const unsigned char *d, size_t dlen)
{
	const br_rsa_private_key *r = &k->rsa;

	der_begin(w, DER_SEQUENCE);
	der_small(w, 0);
	algid(w, k);
	der_begin(w, DER_OCTET_STRING);
	der_begin(w, DER_SEQUENCE);
	if (is_ec(k->type)) {
		der_small(w, 1);
		der_prim(w, DER_OCTET_STRING, k->ec.x, k->ec.xlen);
		der_begin(w, DER_CTX(1));
		der_bits(w, k->ecpub.q, k->ecpub.qlen);
		der_end(w);
	} else {
		der_small(w, 0);
		der_uint(w, k->rsapub.n, k->rsapub.nlen);
		der_uint(w, k->rsapub.e, k->rsapub.elen);
		der_uint(w, d, dlen);
		der_uint(w, r->p, r->plen);
		der_uint(w, r->q, r->qlen);
		der_uint(w, r->dp, r->dplen);
		der_uint(w, r->dq, r->dqlen);
		der_uint(w, r->iq, r->iqlen);
	}
	der_end(w);
	der_end(w);
	der_end(w);
}

size_t pki_key_pem(const struct pki_key *k, char *out, size_t cap)
{
	unsigned char der[3072], d[2 * PKI_RSA_PMAX];
	size_t dlen = 0, pn = 0;
	uint32_t e = 0;
	struct der w;

	/* d for the key's own e (a loaded key's may not be 65537) */
	for (size_t i = 0; !is_ec(k->type) && i < k->rsapub.elen; i++)
		e = e << 8 | k->rsapub.e[i];
	if (!is_ec(k->type) && (dlen = pki_rsa_privexp(d, sizeof d, &k->rsa, e)) == 0)
		return 0;
	der_init(&w, der, sizeof der);
	pkcs8(&w, k, d, dlen);
	if (!w.err)
		pn = dd_pem_encode(out, cap, der, w.len, "PRIVATE KEY");
	explicit_bzero(der, sizeof der);
	explicit_bzero(d, sizeof d);
	return pn;
}

void pki_key_wipe(struct pki_key *k)
{
	explicit_bzero(k, sizeof *k);
}

size_t pki_pubkey_bits(const struct pki_key *k, unsigned char *out, size_t cap)
{
	struct der d;

	if (is_ec(k->type)) {
		if (k->ecpub.qlen > cap)
			return 0;
		memcpy(out, k->ecpub.q, k->ecpub.qlen);
		return k->ecpub.qlen;
	}
	der_init(&d, out, cap);
	der_begin(&d, DER_SEQUENCE);
	der_uint(&d, k->rsapub.n, k->rsapub.nlen);
	der_uint(&d, k->rsapub.e, k->rsapub.elen);
	der_end(&d);
	return d.err ? 0 : d.len;
}

void pki_spki(struct der *d, const struct pki_key *k)
{
	unsigned char bits[1024];
	size_t n = pki_pubkey_bits(k, bits, sizeof bits);

	der_begin(d, DER_SEQUENCE);
	algid(d, k);
	if (n == 0)
		d->err = 1;
	der_bits(d, bits, n);
	der_end(d);
}

void pki_sigalg(struct der *d, const struct pki_key *k)
{
	der_begin(d, DER_SEQUENCE);
	if (k->type == PKI_EC256) {
		der_oid(d, DER_OID_LIT(OID_ECDSA_SHA256));
	} else if (k->type == PKI_EC384) {
		der_oid(d, DER_OID_LIT(OID_ECDSA_SHA384));
	} else {
		der_oid(d, DER_OID_LIT(OID_RSA_SHA256));
		der_null(d);
	}
	der_end(d);
}

size_t pki_sign(const struct pki_key *k, const void *data, size_t n, unsigned char *sig,
		size_t cap)
{
	unsigned char h[48];

	if (k->type == PKI_EC384) {
		br_sha384_context c;

		br_sha384_init(&c);
		br_sha384_update(&c, data, n);
		br_sha384_out(&c, h);
	} else {
		br_sha256_context c;

		br_sha256_init(&c);
		br_sha256_update(&c, data, n);
		br_sha256_out(&c, h);
	}
	if (is_ec(k->type)) {
		if (cap < 2 * 48 + 16)
			return 0;
		return pki_ecdsa_sign_asn1(ec_impl,
					      k->type == PKI_EC384 ? &br_sha384_vtable
								   : &br_sha256_vtable,
					      h, &k->ec, sig);
	}
	if (cap < (k->rsa.n_bitlen + 7) / 8)
		return 0;
	return br_rsa_pkcs1_sign_get_default()(BR_HASH_OID_SHA256, h, 32, &k->rsa, sig)
		       ? (k->rsa.n_bitlen + 7) / 8 : 0;
}

size_t pki_ecdsa_sign_asn1(const br_ec_impl *impl, const br_hash_class *hf, const void *hash,
			   const br_ec_private_key *sk, void *sig)
{
	unsigned char raw[2 * 66];	/* P-521's r and s at most */
	size_t n = br_ecdsa_i31_sign_raw(impl, hf, hash, sk, raw);
	struct der d;

	der_init(&d, sig, n + 9);
	der_begin(&d, DER_SEQUENCE);
	der_uint(&d, raw, n / 2);
	der_uint(&d, raw + n / 2, n / 2);
	der_end(&d);
	return n && !d.err ? d.len : 0;
}

static int same(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	while (an > 0 && *a == 0)
		a++, an--;
	while (bn > 0 && *b == 0)
		b++, bn--;
	return an == bn && memcmp(a, b, an) == 0;
}

int pki_key_matches(const struct pki_key *k, const br_x509_pkey *pk)
{
	if (is_ec(k->type))
		return pk->key_type == BR_KEYTYPE_EC && pk->key.ec.curve == k->ec.curve &&
		       same(pk->key.ec.q, pk->key.ec.qlen, k->ecpub.q, k->ecpub.qlen);
	return pk->key_type == BR_KEYTYPE_RSA &&
	       same(pk->key.rsa.n, pk->key.rsa.nlen, k->rsapub.n, k->rsapub.nlen) &&
	       same(pk->key.rsa.e, pk->key.rsa.elen, k->rsapub.e, k->rsapub.elen);
}
