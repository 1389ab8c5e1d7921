#include "azure/cms.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <bearssl.h>

#include "azure/ber.h"
#include "util/log.h"
#include "workload/dockercfg.h"

static const struct {
	unsigned char id, len;
	char der[12];
} oids[] = {
	{ DD_OID_ENVELOPED, 9, "\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03" },
	{ DD_OID_AUTHENV, 11, "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x17" },
	{ DD_OID_RSA, 9, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01" },
	{ DD_OID_OAEP, 9, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x07" },
	{ DD_OID_MGF1, 9, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x08" },
	{ DD_OID_PSPEC, 9, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x09" },
	{ DD_OID_SHA1, 5, "\x2b\x0e\x03\x02\x1a" },
	{ DD_OID_SHA256, 9, "\x60\x86\x48\x01\x65\x03\x04\x02\x01" },
	{ DD_OID_DES3, 8, "\x2a\x86\x48\x86\xf7\x0d\x03\x07" },
	{ DD_OID_AES128, 9, "\x60\x86\x48\x01\x65\x03\x04\x01\x02" },
	{ DD_OID_AES192, 9, "\x60\x86\x48\x01\x65\x03\x04\x01\x16" },
	{ DD_OID_AES256, 9, "\x60\x86\x48\x01\x65\x03\x04\x01\x2a" },
};

int dd_cms_oid(const unsigned char *o, size_t n)
{
	for (size_t i = 0; i < sizeof oids / sizeof oids[0]; i++)
		if (n == oids[i].len && memcmp(o, oids[i].der, n) == 0)
			return oids[i].id;
	return DD_OID_UNKNOWN;
}

void dd_cms_oid_text(const unsigned char *o, size_t n, char *out, size_t cap)
{
	unsigned long v = 0;
	size_t len = 0;

	out[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (v > ULONG_MAX >> 7 || (v == 0 && o[i] == 0x80))
			break;	/* too big, or not minimal */
		v = v << 7 | (o[i] & 0x7f);
		if (o[i] & 0x80)
			continue;
		if (len == 0)
			len = (size_t)snprintf(out, cap, "%lu.%lu", v < 80 ? v / 40 : 2,
					       v < 80 ? v % 40 : v - 80);
		else
			len += (size_t)snprintf(out + len, cap - len, ".%lu", v);
		if (i + 1 == n || len >= cap)
			return;	/* done, or cut to fit */
		v = 0;
	}
	snprintf(out, cap, "(malformed)");
}

/* Where a walk reads from and reports to. */
struct walk {
	const unsigned char *base;
	char *err;
	size_t errsz;
};

static unsigned peek(const struct dd_ber *r)
{
	return r->p < r->end ? r->p[0] : 0;
}

/* The next value of r, which must have the tag want (0: any): its tag, or -1 with err. */
static int get(struct walk *w, struct dd_ber *r, unsigned want, struct dd_ber *in)
{
	const unsigned char *at = r->p;
	unsigned tag;
	int rc = dd_ber_next(r, &tag, in);

	if (rc == 0 && (tag == want || want == 0))
		return (int)tag;
	if (rc)
		at = r->p;
	return dd_say(w->err, w->errsz, -1, "%s CMS structure at byte %zu",
		      rc == DD_BER_CUT ? "truncated" : rc == DD_BER_DEEP ? "too deeply nested" : "malformed",
		      (size_t)(at - w->base));
}

/* The OID value next in r: its id, or -1 with err; its text in txt (64 bytes). */
static int get_oid(struct walk *w, struct dd_ber *r, char *txt)
{
	struct dd_ber o;

	if (get(w, r, 0x06, &o) < 0)
		return -1;
	dd_cms_oid_text(o.p, (size_t)(o.end - o.p), txt, 64);
	return dd_cms_oid(o.p, (size_t)(o.end - o.p));
}

static int same(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	return a && b && an == bn && memcmp(a, b, an) == 0;
}

/* One KeyTransRecipientInfo: its keyEncryptionAlgorithm contents and encryptedKey into alg
 * and ek; 1 if its rid names t's certificate, 0 if not, -1 with err. */
static int recipient(struct walk *w, struct dd_ber ri, const struct dd_az_tenant *t,
		     struct dd_ber *alg, struct dd_ber *ek)
{
	struct dd_ber v, rid, sn;
	const unsigned char *name;
	int tag, m = 0;

	if (get(w, &ri, 0x02, &v) < 0)
		return -1;
	tag = get(w, &ri, peek(&ri) == 0x80 ? 0x80 : 0x30, &rid);
	if (tag < 0 || get(w, &ri, 0x30, alg) < 0 || get(w, &ri, 0x04, ek) < 0)
		return -1;
	if (tag == 0x80)
		return same(rid.p, (size_t)(rid.end - rid.p), t->cert.skid, 20);
	name = rid.p;
	if (get(w, &rid, 0x30, &v) < 0)
		return -1;
	m = same(name, (size_t)(rid.p - name), t->cert.issuer, t->cert.issuer_len);
	if (get(w, &rid, 0x02, &sn) < 0)
		return -1;
	return m && same(sn.p, (size_t)(sn.end - sn.p), t->cert.serial, t->cert.serial_len);
}

/* What the walk finds, for the decryption. */
struct env {
	int cipher;			/* DD_OID_DES3 .. DD_OID_AES256 */
	size_t bs, len;			/* block size; ciphertext length */
	unsigned char *ct;		/* the ciphertext, gathered in place in the DER */
	unsigned char iv[16];
	struct dd_ber alg, ek;		/* the recipient's key transport */
	int guessed;			/* no recipient named t: the only one is tried */
};

/* encryptedContent, primitive or OCTET STRING segments, as one run of bytes in place: each
 * segment moves down over the headers before it (the DER is the caller's scratch). */
static int gather(struct walk *w, struct dd_ber ec, int tag, struct env *e)
{
	struct dd_ber seg = ec;

	e->ct = (unsigned char *)ec.p;
	while (ec.p < ec.end) {
		if (tag == 0x80)
			ec.p = ec.end;
		else if (get(w, &ec, 0x04, &seg) < 0)
			return -1;
		if ((size_t)(seg.end - seg.p) > DD_AZ_PROTECTED_MAX + e->bs - e->len)
			return dd_say(w->err, w->errsz, -1, "protected settings larger than %d bytes",
				      DD_AZ_PROTECTED_MAX);
		memmove(e->ct + e->len, seg.p, (size_t)(seg.end - seg.p));
		e->len += (size_t)(seg.end - seg.p);
	}
	return 0;
}

/* ContentInfo -> EnvelopedData -> our recipient and the encrypted content (AZURE.md 9.4). */
static int walk(struct walk *w, size_t n, const struct dd_az_tenant *t, struct env *e)
{
	struct dd_ber r = { w->base, w->base + n }, ci, x, ed, ris, eci, alg, iv, ec;
	char txt[64];
	int id, tag, nkt = 0, found = 0;

	if (get(w, &r, 0x30, &ci) < 0)
		return -1;
	if (r.p != r.end)
		return dd_say(w->err, w->errsz, -1, "trailing data after the CMS structure");
	id = get_oid(w, &ci, txt);
	if (id == DD_OID_AUTHENV)
		return dd_say(w->err, w->errsz, -1, "AuthEnvelopedData (AES-GCM) is not supported");
	if (id != DD_OID_ENVELOPED)
		return id < 0 ? -1 : dd_say(w->err, w->errsz, -1,
					    "not CMS EnvelopedData (content type OID %s)", txt);
	if (get(w, &ci, 0xa0, &x) < 0 || get(w, &x, 0x30, &ed) < 0 || get(w, &ed, 0x02, &x) < 0 ||
	    (peek(&ed) == 0xa0 && get(w, &ed, 0xa0, &x) < 0) || get(w, &ed, 0x31, &ris) < 0 ||
	    get(w, &ed, 0x30, &eci) < 0 || get(w, &eci, 0x06, &x) < 0 ||
	    get(w, &eci, 0x30, &alg) < 0 || (id = get_oid(w, &alg, txt)) < 0 ||
	    get(w, &alg, 0x04, &iv) < 0)
		return -1;
	if (id < DD_OID_DES3)
		return dd_say(w->err, w->errsz, -1,
			      "unsupported content encryption algorithm OID %s", txt);
	e->cipher = id;
	e->bs = id == DD_OID_DES3 ? 8 : 16;
	if ((size_t)(iv.end - iv.p) != e->bs)
		return dd_say(w->err, w->errsz, -1, "content IV of %zu bytes, not %zu",
			      (size_t)(iv.end - iv.p), e->bs);
	memcpy(e->iv, iv.p, e->bs);
	if (eci.p == eci.end)
		return dd_say(w->err, w->errsz, -1, "no encrypted content (detached CMS)");
	tag = get(w, &eci, peek(&eci) == 0x80 ? 0x80 : 0xa0, &ec);
	if (tag < 0 || gather(w, ec, tag, e))
		return -1;

	while (ris.p < ris.end) {
		struct dd_ber ri, a, k;
		int m;

		if ((tag = get(w, &ris, 0, &ri)) < 0)
			return -1;
		if (tag != 0x30)
			continue;	/* key agreement, KEK, password, other: not ours */
		if ((m = recipient(w, ri, t, &a, &k)) < 0)
			return -1;
		nkt++;
		if (!found) {
			e->alg = a;
			e->ek = k;
			found = m;
		}
	}
	if (!found && nkt != 1)
		return dd_say(w->err, w->errsz, -1, "no recipient matches certificate %s", t->thumb);
	e->guessed = !found;
	return 0;
}

/* RSAES-OAEP-params: the hash (MGF1 with the same one: all BearSSL does) and the label, or
 * NULL with err. Absent fields take their defaults: SHA-1, MGF1 with SHA-1, no label. */
static const br_hash_class *oaep(struct walk *w, struct dd_ber alg, struct dd_ber *label)
{
	struct dd_ber prm = { alg.p, alg.p }, x, a;
	int id[3] = { DD_OID_SHA1, DD_OID_MGF1, DD_OID_PSPEC }, mh = DD_OID_SHA1, tag;
	char txt[64];

	label->p = label->end = NULL;
	if (alg.p < alg.end && get(w, &alg, 0x30, &prm) < 0)
		return NULL;
	while (prm.p < prm.end) {	/* [0] hash, [1] MGF, [2] label source */
		unsigned i;

		if ((tag = get(w, &prm, 0, &x)) < 0)
			return NULL;
		i = (unsigned)tag - 0xa0;
		if (i > 2) {
			id[0] = DD_OID_UNKNOWN;
			break;
		}
		if (get(w, &x, 0x30, &a) < 0 || (id[i] = get_oid(w, &a, txt)) < 0 ||
		    (a.p < a.end && i == 1 && (get(w, &a, 0x30, &x) < 0 || (mh = get_oid(w, &x, txt)) < 0)) ||
		    (a.p < a.end && i == 2 && get(w, &a, 0x04, label) < 0))
			return NULL;
	}
	if ((id[0] == DD_OID_SHA1 || id[0] == DD_OID_SHA256) && id[1] == DD_OID_MGF1 &&
	    mh == id[0] && id[2] == DD_OID_PSPEC)
		return id[0] == DD_OID_SHA1 ? &br_sha1_vtable : &br_sha256_vtable;
	dd_say(w->err, w->errsz, -1,
	       "unsupported RSA-OAEP parameters (SHA-1 or SHA-256, and MGF1 with the same hash)");
	return NULL;
}

#define CT_EQ0(x) ((uint32_t)((uint32_t)(x) - 1) >> 31)	/* x a byte: 1 when 0 */

uint32_t dd_cms_pkcs1_unpad(const unsigned char *em, size_t k, size_t *off)
{
	uint32_t ok, seen = 0, pos = 0;

	if (k < 11 || k > 4096)
		return 0;
	ok = CT_EQ0(em[0]) & CT_EQ0(em[1] ^ 2);
	for (uint32_t i = 2; i < k; i++) {
		uint32_t zero = CT_EQ0(em[i]), first = zero & (seen ^ 1);

		pos |= i & (uint32_t)-first;
		seen |= zero;
	}
	/* a separator, after at least 8 bytes of padding */
	ok &= seen & (((pos - 10) >> 31) ^ 1);
	*off = pos + 1;
	return ok;
}

int dd_cms_pkcs7_unpad(const unsigned char *p, size_t len, size_t bs, size_t *n)
{
	unsigned pad, bad;

	if (len == 0 || bs == 0 || len % bs)
		return 0;
	pad = p[len - 1];
	bad = pad - 1 >= bs;
	for (size_t i = 0; i < bs; i++)
		bad |= (i < pad) & (p[len - 1 - i] != pad);
	*n = len - pad;
	return !bad;
}

/* The content key into key[0..*klen), from the recipient's RSA step. 1 or 0 (one answer
 * for every failure, found without an early exit), or -1 with err (the algorithm). */
static int unwrap(struct walk *w, const struct dd_az_tenant *t, const struct env *e,
		  unsigned char key[512], size_t *klen)
{
	struct dd_ber alg = e->alg, label;
	size_t k = (t->key.rsa.n_bitlen + 7) >> 3, len = (size_t)(e->ek.end - e->ek.p), off = 0;
	const br_hash_class *h = NULL;
	char txt[64];
	uint32_t ok;
	int id = get_oid(w, &alg, txt);

	if (id == DD_OID_OAEP && !(h = oaep(w, alg, &label)))
		return -1;
	if (id != DD_OID_RSA && id != DD_OID_OAEP)
		return id < 0 ? -1 : dd_say(w->err, w->errsz, -1,
					    "unsupported key transport algorithm OID %s", txt);
	ok = len <= k && k <= 512;
	if (!ok)
		return 0;
	memset(key, 0, k - len);
	memcpy(key + k - len, e->ek.p, len);
	*klen = k;
	if (h) {
		/* BearSSL's default RSA (i62 on 64-bit machines), as everywhere else: a second
		 * implementation would be another 1 KB of the stub */
		ok = br_rsa_oaep_decrypt_get_default()(h, label.p, (size_t)(label.end - label.p),
						       &t->key.rsa, key, klen);
	} else {
		ok = br_rsa_private_get_default()(key, &t->key.rsa);
		ok &= dd_cms_pkcs1_unpad(key, k, &off);
		*klen = k - off;
	}
	if (!ok)
		return 0;
	memmove(key, key + off, *klen);
	/* 3DES takes 24 bytes or 16 (two keys), AES-n n/8 */
	return e->cipher == DD_OID_DES3 ? *klen == 24 || *klen == 16
				       : *klen == 16 + 8 * (size_t)(e->cipher - DD_OID_AES128);
}

static void cbc_decrypt(const struct env *e, const unsigned char *key, size_t klen)
{
	union {
		br_des_ct_cbcdec_keys des;
		br_aes_ct64_cbcdec_keys aes;
	} c;
	unsigned char iv[16];

	memcpy(iv, e->iv, sizeof iv);
	if (e->cipher == DD_OID_DES3) {
		br_des_ct_cbcdec_init(&c.des, key, klen);
		br_des_ct_cbcdec_run(&c.des, iv, e->ct, e->len);
	} else {
		br_aes_ct64_cbcdec_init(&c.aes, key, klen);
		br_aes_ct64_cbcdec_run(&c.aes, iv, e->ct, e->len);
	}
	explicit_bzero(&c, sizeof c);
}

/* BearSSL's RSA, MGF1 and cipher code leave key-dependent values in their stack frames:
 * clear that stack once they have returned. */
__attribute__((noinline)) static void wipe_stack(void)
{
	unsigned char s[8192];

	explicit_bzero(s, sizeof s);
}

int dd_cms_decrypt(const struct dd_az_tenant *t, unsigned char *der, size_t n, char *out,
		   size_t cap, size_t *outlen, char *err, size_t errsz)
{
	struct walk w = { der, err, errsz };
	struct env e;
	unsigned char key[512];
	size_t klen = 0, plen = 0;
	int rc;

	*outlen = 0;
	memset(&e, 0, sizeof e);
	rc = walk(&w, n, t, &e) ? -1
	     : e.len == 0 || e.len & (e.bs - 1)	/* bs: 8 or 16 */
		     ? dd_say(err, errsz, -1, "content length %zu is not a multiple of the block size",
			      e.len)
		     : unwrap(&w, t, &e, key, &klen);
	if (rc == 1) {
		cbc_decrypt(&e, key, klen);
		rc = dd_cms_pkcs7_unpad(e.ct, e.len, e.bs, &plen) ? 2 : 3;
	}
	explicit_bzero(key, sizeof key);
	wipe_stack();
	if (rc == 2 && (plen > DD_AZ_PROTECTED_MAX || plen >= cap))
		rc = 4;
	if (rc == 2) {
		memcpy(out, e.ct, plen);
		out[plen] = 0;
		*outlen = plen;
	}
	if (e.ct)
		explicit_bzero(e.ct, e.len);	/* the plaintext, or what a wrong key made */
	return rc == 2 ? 0
	       : rc < 0 ? -1
	       : rc == 4 ? dd_say(err, errsz, -1, "protected settings larger than %d bytes",
				  DD_AZ_PROTECTED_MAX)
	       : rc == 3 ? dd_say(err, errsz, -1,
				  "content decryption failed: bad padding (damaged ciphertext or wrong key)")
	       : e.guessed ? dd_say(err, errsz, -1, "no recipient matches certificate %s", t->thumb)
			   : dd_say(err, errsz, -1,
				    "RSA key transport failed: wrong key or damaged encrypted key");
}

long dd_az_unbase64(const char *b64, size_t n, unsigned char *der, size_t cap, char *err,
		    size_t errsz)
{
	static char s[DD_CMS_DER_MAX / 3 * 4];
	size_t m = 0;
	long dn;

	for (size_t i = 0; i < n; i++) {
		char c = b64[i], l = (char)(c | 0x20);

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (!((l >= 'a' && l <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
		      c == '='))
			return dd_say(err, errsz, -1, "not base64 at offset %zu", i);
		if (m == sizeof s)
			return dd_say(err, errsz, -1, "protected settings larger than %d bytes",
				      DD_AZ_PROTECTED_MAX);
		s[m++] = c;
	}
	dn = dd_unbase64(s, m, der, cap);
	if (dn < 0)
		return dd_say(err, errsz, -1, "not base64 (bad length or padding)");
	return dn;
}

int dd_az_unprotect(const char *b64, size_t n, const char *thumb, const char *certdir,
		    char *out, size_t cap, size_t *outlen, char *err, size_t errsz)
{
	static unsigned char der[DD_CMS_DER_MAX];
	static struct dd_az_tenant t;
	long dn;
	int rc;

	*outlen = 0;
	if (cap)
		out[0] = 0;
	dn = dd_az_unbase64(b64, n, der, sizeof der, err, errsz);
	if (dn < 0 || dd_az_tenant_load(&t, thumb, certdir, err, errsz))
		return -1;
	rc = dd_cms_decrypt(&t, der, (size_t)dn, out, cap, outlen, err, errsz);
	dd_az_tenant_wipe(&t);
	return rc;
}
