#include <string.h>

#include "pki/x509.h"
#include "util/log.h"
#include "util/pem.h"

struct dr {
	const unsigned char *p, *end;
};

/* One TLV. 0, or -1 when it does not fit or uses a form DER forbids. */
static int next(struct dr *r, unsigned *tag, const unsigned char **v, size_t *len)
{
	size_t n, k;

	if (r->end - r->p < 2)
		return -1;
	*tag = *r->p++;
	if ((*tag & 0x1f) == 0x1f)
		return -1;	/* high tag numbers: not in certificates */
	n = *r->p++;
	if (n & 0x80) {
		k = n & 0x7f;
		if (k == 0 || k > 4 || (size_t)(r->end - r->p) < k || r->p[0] == 0)
			return -1;
		for (n = 0; k; k--)
			n = n << 8 | *r->p++;
		if (n < 128)
			return -1;
	}
	if ((size_t)(r->end - r->p) < n)
		return -1;
	*v = r->p;
	*len = n;
	r->p += n;
	return 0;
}

static int expect(struct dr *r, unsigned want, struct dr *inner)
{
	unsigned tag;
	const unsigned char *v;
	size_t n;

	if (next(r, &tag, &v, &n) || tag != want)
		return -1;
	inner->p = v;
	inner->end = v + n;
	return 0;
}

static int digits(const unsigned char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int days_from_civil(int y, int m, int d, long long *out)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	*out = era * 146097 + doe - 719468;
	return 0;
}

static int parse_time(unsigned tag, const unsigned char *s, size_t n, time_t *t)
{
	int y, k = tag == 0x17 ? 2 : 4, mo, d, h, mi, sec;
	long long days;

	if ((tag != 0x17 && tag != 0x18) || n != (size_t)k + 11 || s[n - 1] != 'Z')
		return -1;
	y = digits(s, k);
	if (k == 2 && y >= 0)
		y += y < 50 ? 2000 : 1900;
	mo = digits(s + k, 2);
	d = digits(s + k + 2, 2);
	h = digits(s + k + 4, 2);
	mi = digits(s + k + 6, 2);
	sec = digits(s + k + 8, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 60)
		return -1;
	days_from_civil(y, mo, d, &days);
	*t = (time_t)(days * 86400 + h * 3600 + mi * 60 + sec);
	return 0;
}

static void copy_str(char *out, size_t cap, const unsigned char *v, size_t n)
{
	char raw[128];

	if (n >= sizeof raw)
		n = sizeof raw - 1;
	memcpy(raw, v, n);
	raw[n] = 0;
	for (size_t i = 0; i < n; i++)
		if (raw[i] == 0)
			raw[i] = '?';
	dd_log_escape(out, cap, raw);
}

/* CN and O of a Name. */
static int parse_name(const unsigned char *v, size_t n, char *cn, size_t cnsz, char *org,
		      size_t orgsz)
{
	struct dr name = { v, v + n }, set, atv;

	cn[0] = 0;
	if (org)
		org[0] = 0;
	while (name.p < name.end) {
		if (expect(&name, 0x31, &set))
			return -1;
		while (set.p < set.end) {
			unsigned tag;
			const unsigned char *oid, *s;
			size_t on, sn;

			if (expect(&set, 0x30, &atv) || next(&atv, &tag, &oid, &on) || tag != 0x06 ||
			    next(&atv, &tag, &s, &sn))
				return -1;
			if (on == 3 && memcmp(oid, "\x55\x04\x03", 3) == 0)
				copy_str(cn, cnsz, s, sn);
			else if (org && on == 3 && memcmp(oid, "\x55\x04\x0a", 3) == 0)
				copy_str(org, orgsz, s, sn);
		}
	}
	return 0;
}

static int parse_sans(struct pki_cert *c, const unsigned char *v, size_t n)
{
	struct dr seq, r = { v, v + n };

	if (expect(&r, 0x30, &seq) || r.p != r.end)
		return -1;
	while (seq.p < seq.end) {
		unsigned tag;
		const unsigned char *s;
		size_t sn;
		struct pki_san san;

		if (next(&seq, &tag, &s, &sn))
			return -1;
		memset(&san, 0, sizeof san);
		if (tag == 0x82 && sn > 0 && sn < sizeof san.dns) {
			memcpy(san.dns, s, sn);
			if (memchr(san.dns, 0, sn))
				return -1;
		} else if (tag == 0x87 && (sn == 4 || sn == 16)) {
			san.ip = 1;
			san.alen = (unsigned)sn;
			memcpy(san.addr, s, sn);
		} else {
			continue;	/* other GeneralName forms: not ours to show */
		}
		if (pki_san_add(c->sans, &c->nsans, &san))
			return -1;
	}
	return 0;
}

static int parse_bc(struct pki_cert *c, const unsigned char *v, size_t n)
{
	struct dr seq, r = { v, v + n };
	unsigned tag;
	const unsigned char *b;
	size_t bn;

	if (expect(&r, 0x30, &seq))
		return -1;
	c->has_bc = 1;
	if (seq.p < seq.end && next(&seq, &tag, &b, &bn) == 0 && tag == 0x01 && bn == 1)
		c->is_ca = b[0] != 0;
	return 0;
}

static int parse_eku(struct pki_cert *c, const unsigned char *v, size_t n)
{
	struct dr seq, r = { v, v + n };

	if (expect(&r, 0x30, &seq))
		return -1;
	while (seq.p < seq.end) {
		unsigned tag;
		const unsigned char *o;
		size_t on;

		if (next(&seq, &tag, &o, &on) || tag != 0x06)
			return -1;
		if (on == 8 && memcmp(o, "\x2b\x06\x01\x05\x05\x07\x03", 7) == 0) {
			c->server_auth |= o[7] == 1;
			c->client_auth |= o[7] == 2;
		}
	}
	return 0;
}

static int parse_ext(struct pki_cert *c, const unsigned char *oid, size_t on,
		     const unsigned char *v, size_t n)
{
	struct dr r = { v, v + n }, inner;

	if (on != 3 || oid[0] != 0x55 || oid[1] != 0x1d)
		return 0;
	switch (oid[2]) {
	case 0x11: return parse_sans(c, v, n);
	case 0x13: return parse_bc(c, v, n);
	case 0x25: return parse_eku(c, v, n);
	case 0x0f: {
		unsigned tag;
		const unsigned char *b;
		size_t bn;

		if (next(&r, &tag, &b, &bn) || tag != 0x03 || bn < 2)
			return -1;
		c->ku = b[1] | (bn > 2 ? b[2] << 8 : 0);
		return 0;
	}
	case 0x0e:
		if (expect(&r, 0x04, &inner))
			return -1;
		c->skid = inner.end - inner.p == 20 ? inner.p : NULL;
		return 0;
	case 0x23:
		if (expect(&r, 0x30, &inner))
			return -1;
		if (inner.p < inner.end && inner.p[0] == 0x80 && inner.end - inner.p >= 22 &&
		    inner.p[1] == 20)
			c->akid = inner.p + 2;
		return 0;
	}
	return 0;
}

static int parse_exts(struct pki_cert *c, struct dr *tbs)
{
	struct dr wrap, seq, ext;
	unsigned seen = 0;

	if (tbs->p == tbs->end)
		return 0;
	if (expect(tbs, 0xa3, &wrap) || expect(&wrap, 0x30, &seq))
		return -1;
	while (seq.p < seq.end) {
		unsigned tag;
		const unsigned char *oid, *v;
		size_t on, n;

		if (expect(&seq, 0x30, &ext) || next(&ext, &tag, &oid, &on) || tag != 0x06 ||
		    next(&ext, &tag, &v, &n))
			return -1;
		if (tag == 0x01 && next(&ext, &tag, &v, &n))
			return -1;
		if (tag != 0x04)
			return -1;
		/* Duplicate extensions: Go refuses them, so do we. */
		if (on == 3 && oid[0] == 0x55 && oid[1] == 0x1d && oid[2] < 32) {
			if (seen & (1u << oid[2]))
				return -1;
			seen |= 1u << oid[2];
		}
		if (parse_ext(c, oid, on, v, n))
			return -1;
	}
	return 0;
}

static int parse_tbs(struct pki_cert *c, struct dr *tbs, const char **why)
{
	struct dr ver, alg, val, spki;
	unsigned tag;
	const unsigned char *v, *t;
	size_t n, tn;

	if (tbs->p < tbs->end && tbs->p[0] == 0xa0 && expect(tbs, 0xa0, &ver))
		return *why = "bad version", -1;
	if (next(tbs, &tag, &c->serial, &c->serial_len) || tag != 0x02)
		return *why = "bad serial number", -1;
	c->sigalg = tbs->p;
	if (expect(tbs, 0x30, &alg))
		return *why = "bad signature algorithm", -1;
	c->sigalg_len = (size_t)(tbs->p - c->sigalg);
	v = tbs->p;
	if (next(tbs, &tag, &t, &n) || tag != 0x30)
		return *why = "bad issuer", -1;
	c->issuer = v;	/* the whole Name, header included: a leaf's issuer is copied as is */
	c->issuer_len = (size_t)(tbs->p - v);
	if (expect(tbs, 0x30, &val) || next(&val, &tag, &t, &tn) ||
	    parse_time(tag, t, tn, &c->not_before) || next(&val, &tag, &t, &tn) ||
	    parse_time(tag, t, tn, &c->not_after))
		return *why = "bad validity", -1;
	v = tbs->p;
	if (next(tbs, &tag, &c->subject, &n) || tag != 0x30)
		return *why = "bad subject", -1;
	c->subject = v;
	c->subject_len = (size_t)(tbs->p - v);
	if (parse_name(c->subject + (c->subject_len - n), n, c->cn, sizeof c->cn, c->org,
		       sizeof c->org))
		return *why = "bad name", -1;
	v = tbs->p;
	if (expect(tbs, 0x30, &spki))
		return *why = "bad public key", -1;
	c->spki = v;
	c->spki_len = (size_t)(tbs->p - v);
	/* issuerUniqueID [1] and subjectUniqueID [2] are skipped if present. */
	while (tbs->p < tbs->end && (tbs->p[0] == 0x81 || tbs->p[0] == 0xa1 ||
				     tbs->p[0] == 0x82 || tbs->p[0] == 0xa2))
		if (next(tbs, &tag, &v, &n))
			return *why = "bad unique id", -1;
	if (parse_exts(c, tbs) || tbs->p != tbs->end)
		return *why = "bad extensions", -1;
	return 0;
}

/* The issuer's CN, for showing. */
static void issuer_cn(struct pki_cert *c)
{
	struct dr r = { c->issuer, c->issuer + c->issuer_len }, in;

	if (expect(&r, 0x30, &in) == 0)
		parse_name(in.p, (size_t)(in.end - in.p), c->issuer_cn, sizeof c->issuer_cn, NULL,
			   0);
}

/* A DER INTEGER's magnitude, its leading zero bytes dropped, into out (cap bytes). -1 when
 * it is empty, negative or too big. */
static int magnitude(struct dr *r, unsigned char *out, size_t cap, size_t *len)
{
	struct dr v;

	if (expect(r, 0x02, &v) || v.p == v.end || v.p[0] & 0x80)
		return -1;
	while (v.p < v.end && !v.p[0])
		v.p++;
	*len = (size_t)(v.end - v.p);
	if (*len > cap)
		return -1;
	memcpy(out, v.p, *len);
	return 0;
}

/* The SubjectPublicKeyInfo: an RSA key, or an EC key on a named curve BearSSL has, read as
 * BearSSL's x509_decoder reads it (its decoder, a second walk over the whole certificate,
 * was 3 KB of the stub). The key is copied into c->pkbuf. */
static int decode_key(struct pki_cert *c)
{
	static const unsigned char rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 },
				   ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
	static const struct {
		unsigned char len, oid[8];
		int curve, bits;
	} curves[] = {
		{ 8, { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 }, BR_EC_secp256r1, 256 },
		{ 5, { 0x2b, 0x81, 0x04, 0x00, 0x22 }, BR_EC_secp384r1, 384 },
		{ 5, { 0x2b, 0x81, 0x04, 0x00, 0x23 }, BR_EC_secp521r1, 0 },
	};
	struct dr whole = { c->spki, c->spki + c->spki_len }, spki, alg, bits, seq;
	const unsigned char *oid, *par;
	size_t on, pn, nl, el;
	unsigned tag;

	/* A BIT STRING of whole bytes, and nothing after it. */
	if (expect(&whole, 0x30, &spki) || expect(&spki, 0x30, &alg) || next(&alg, &tag, &oid, &on) || tag != 0x06 ||
	    expect(&spki, 0x03, &bits) || spki.p != spki.end || bits.p == bits.end || *bits.p++)
		return -1;
	if (on == sizeof rsa && !memcmp(oid, rsa, on)) {
		if (expect(&bits, 0x30, &seq) || bits.p != bits.end ||
		    magnitude(&seq, c->pkbuf, sizeof c->pkbuf, &nl) ||
		    magnitude(&seq, c->pkbuf + nl, sizeof c->pkbuf - nl, &el) || seq.p != seq.end)
			return -1;
		c->pkey.key_type = BR_KEYTYPE_RSA;
		c->pkey.key.rsa = (br_rsa_public_key){ c->pkbuf, nl, c->pkbuf + nl, el };
		c->key_bits = (int)nl * 8;
		for (unsigned char top = nl ? c->pkbuf[0] : 0; top && !(top & 0x80); top <<= 1)
			c->key_bits--;
		return 0;
	}
	if (on != sizeof ec || memcmp(oid, ec, on) || next(&alg, &tag, &par, &pn) || tag != 0x06 ||
	    alg.p != alg.end || (size_t)(bits.end - bits.p) > sizeof c->pkbuf)
		return -1;
	for (unsigned i = 0; i < sizeof curves / sizeof curves[0]; i++)
		if (pn == curves[i].len && !memcmp(par, curves[i].oid, pn)) {
			memcpy(c->pkbuf, bits.p, (size_t)(bits.end - bits.p));
			c->pkey.key_type = BR_KEYTYPE_EC;
			c->pkey.key.ec = (br_ec_public_key){ curves[i].curve, c->pkbuf,
							     (size_t)(bits.end - bits.p) };
			c->key_bits = curves[i].bits;
			return 0;
		}
	return -1;
}

int pki_x509_parse(const unsigned char *der, size_t n, struct pki_cert *c, const char **why)
{
	struct dr r = { der, der + n }, cert, tbs, alg, sig;
	unsigned tag;
	const unsigned char *t, *oid;
	size_t on;

	memset(c, 0, sizeof *c);
	c->ku = -1;
	c->der = der;
	if (expect(&r, 0x30, &cert) || r.p != r.end)
		return *why = "not a DER certificate", -1;
	c->der_len = (size_t)(r.p - der);
	t = cert.p;
	if (expect(&cert, 0x30, &tbs))
		return *why = "bad TBSCertificate", -1;
	c->tbs = t;
	c->tbs_len = (size_t)(cert.p - t);
	if (parse_tbs(c, &tbs, why))
		return -1;
	issuer_cn(c);
	oid = cert.p;
	if (expect(&cert, 0x30, &alg) || next(&alg, &tag, &t, &on) || tag != 0x06)
		return *why = "bad signature algorithm", -1;
	/* Go refuses a certificate whose outer algorithm is not the signed inner one. */
	if ((size_t)(cert.p - oid) != c->sigalg_len || memcmp(oid, c->sigalg, c->sigalg_len))
		return *why = "outer and inner signature algorithms differ", -1;
	if (expect(&cert, 0x03, &sig) || sig.p == sig.end || sig.p[0] != 0 || cert.p != cert.end)
		return *why = "bad signature", -1;
	c->sig = sig.p + 1;
	c->sig_len = (size_t)(sig.end - sig.p - 1);
	if (decode_key(c))
		return *why = "unsupported or bad public key", -1;
	return 0;
}

int pki_x509_load(const char *pem, size_t n, unsigned char *der, size_t cap,
		  struct pki_cert *c, const char **why)
{
	static const char *const labels[] = { "CERTIFICATE", NULL };
	size_t dn = dd_pem_decode(pem, n, labels, der, cap, NULL);

	if (dn == 0)
		return *why = "no PEM certificate", -1;
	return pki_x509_parse(der, dn, c, why);
}

/* The only signature algorithms we issue or accept, as whole DER AlgorithmIdentifiers. */
static const struct {
	const char *der;
	size_t len;
	int key_type, sha384;
} algs[] = {
	{ "\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02", 12, BR_KEYTYPE_EC, 0 },
	{ "\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x03", 12, BR_KEYTYPE_EC, 1 },
	{ "\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b\x05\x00", 15, BR_KEYTYPE_RSA, 0 },
};

int pki_x509_signed_by(const struct pki_cert *c, const struct pki_cert *issuer)
{
	unsigned char h[64];
	const br_x509_pkey *pk = &issuer->pkey;
	size_t hl, a;

	for (a = 0; a < sizeof algs / sizeof algs[0]; a++)
		if (c->sigalg_len == algs[a].len && !memcmp(c->sigalg, algs[a].der, algs[a].len))
			break;
	if (a == sizeof algs / sizeof algs[0] || algs[a].key_type != pk->key_type)
		return 0;
	if (algs[a].sha384) {
		br_sha384_context x;

		br_sha384_init(&x);
		br_sha384_update(&x, c->tbs, c->tbs_len);
		br_sha384_out(&x, h);
		hl = 48;
	} else {
		br_sha256_context x;

		br_sha256_init(&x);
		br_sha256_update(&x, c->tbs, c->tbs_len);
		br_sha256_out(&x, h);
		hl = 32;
	}
	if (pk->key_type == BR_KEYTYPE_EC)
		return br_ecdsa_i31_vrfy_asn1(&br_ec_prime_i31, h, hl, &pk->key.ec, c->sig, c->sig_len) == 1;
	unsigned char out[64];
	return hl == 32 &&
	       br_rsa_pkcs1_vrfy_get_default()(c->sig, c->sig_len, BR_HASH_OID_SHA256, 32,
					      &pk->key.rsa, out) == 1 &&
	       memcmp(out, h, 32) == 0;
}

const char *pki_x509_key_name(const struct pki_cert *c)
{
	if (c->pkey.key_type == BR_KEYTYPE_EC)
		return c->key_bits == 256 ? "ecdsa-p256" : c->key_bits == 384 ? "ecdsa-p384" : "ecdsa";
	switch (c->key_bits) {
	case 2048: return "rsa2048";
	case 3072: return "rsa3072";
	case 4096: return "rsa4096";
	default: return "rsa";
	}
}
