#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pki/cert.h"
#include "util/pem.h"

#define OID_CN "\x55\x04\x03"
#define OID_O "\x55\x04\x0a"
#define OID_BC "\x55\x1d\x13"
#define OID_KU "\x55\x1d\x0f"
#define OID_EKU "\x55\x1d\x25"
#define OID_SAN "\x55\x1d\x11"
#define OID_SKID "\x55\x1d\x0e"
#define OID_AKID "\x55\x1d\x23"
#define OID_SERVER_AUTH "\x2b\x06\x01\x05\x05\x07\x03\x01"
#define OID_CLIENT_AUTH "\x2b\x06\x01\x05\x05\x07\x03\x02"

static int label_ok(const char *p, size_t n)
{
	if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
			return 0;
	return 1;
}

static int dns_ok(const char *s)
{
	size_t n = strlen(s);
	const char *p = s;

	if (n == 0 || n > 253)
		return 0;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		if (!label_ok(p, len))
			return 0;
		if (!dot)	/* an all-digit last label is a mistyped address, not a name */
			return strspn(p, "0123456789") != len;
		p = dot + 1;
	}
}

int pki_san_parse(const char *text, struct pki_san *s)
{
	memset(s, 0, sizeof *s);
	if (inet_pton(AF_INET, text, s->addr) == 1) {
		s->ip = 1;
		s->alen = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, text, s->addr) == 1) {
		s->ip = 1;
		s->alen = 16;
		return 0;
	}
	if (!dns_ok(text))
		return -1;
	for (size_t i = 0; text[i]; i++)	/* names compare case-blind: keep one form */
		s->dns[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32 : text[i]);
	return 0;
}

/* The code point at *p (advanced past it), or -1 for anything but shortest-form UTF-8. */
static long utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	unsigned n = s[0] < 0x80 ? 0 : s[0] >= 0xc2 && s[0] <= 0xdf ? 1 : (s[0] & 0xf0) == 0xe0 ? 2 :
		     s[0] >= 0xf0 && s[0] <= 0xf4 ? 3 : 4;
	long c = n == 0 ? s[0] : s[0] & (0x3f >> n);

	if (n == 4)
		return -1;
	for (unsigned i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x800) || (n == 3 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*p = s + n + 1;
	return c;
}

int pki_name_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned chars = 0;

	while (*p) {
		long c = utf8_next(&p);

		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || ++chars > 64)
			return 0;
	}
	return chars > 0;
}

int pki_san_add(struct pki_san *list, unsigned *n, const struct pki_san *s)
{
	for (unsigned i = 0; i < *n; i++)
		if (list[i].ip == s->ip && list[i].alen == s->alen &&
		    memcmp(list[i].addr, s->addr, s->alen) == 0 && strcmp(list[i].dns, s->dns) == 0)
			return 0;
	if (*n == PKI_SAN_MAX)
		return -1;
	list[(*n)++] = *s;
	return 0;
}

void pki_san_format(const struct pki_san *s, char *out, size_t cap)
{
	if (!s->ip)
		snprintf(out, cap, "%s", s->dns);
	else if (!inet_ntop(s->alen == 4 ? AF_INET : AF_INET6, s->addr, out, (socklen_t)cap))
		snprintf(out, cap, "?");
}

size_t pki_sans_len(const struct pki_san *sans, unsigned n)
{
	size_t sum = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t len = sans[i].ip ? sans[i].alen : strlen(sans[i].dns);

		sum += 1 + (len < 128 ? 1 : 2) + len;
	}
	return sum;
}

int pki_key_id(const struct pki_key *k, unsigned char id[20])
{
	unsigned char bits[1024];
	size_t n = pki_pubkey_bits(k, bits, sizeof bits);
	br_sha1_context c;

	if (n == 0)
		return -1;
	br_sha1_init(&c);
	br_sha1_update(&c, bits, n);
	br_sha1_out(&c, id);
	return 0;
}

/* One RelativeDistinguishedName: SET { SEQUENCE { type, UTF8String value } }. */
static void rdn(struct der *d, const char *oid, size_t n, const char *value)
{
	der_begin(d, DER_SET);
	der_begin(d, DER_SEQUENCE);
	der_oid(d, oid, n);
	der_prim(d, DER_UTF8, value, strlen(value));
	der_end(d);
	der_end(d);
}

static void name(struct der *d, const char *cn, const char *org)
{
	der_begin(d, DER_SEQUENCE);
	if (org)
		rdn(d, DER_OID_LIT(OID_O), org);
	rdn(d, DER_OID_LIT(OID_CN), cn);
	der_end(d);
}

/* Extension: SEQUENCE { OID, [critical], OCTET STRING { value } }; the caller writes the
 * value between ext_begin and ext_end. */
static void ext_begin(struct der *d, const char *oid, size_t n, int critical)
{
	der_begin(d, DER_SEQUENCE);
	der_oid(d, oid, n);
	if (critical)
		der_bool(d, 1);
	der_begin(d, DER_OCTET_STRING);
}

static void ext_end(struct der *d)
{
	der_end(d);
	der_end(d);
}

static void ext_basic(struct der *d, int ca)
{
	ext_begin(d, DER_OID_LIT(OID_BC), 1);
	der_begin(d, DER_SEQUENCE);
	if (ca) {
		der_bool(d, 1);
		der_small(d, 0);	/* pathLenConstraint 0: it signs leaves only */
	}
	der_end(d);
	ext_end(d);
}

/* KeyUsage bits, numbered from the most significant bit of the first byte. */
static void ext_key_usage(struct der *d, enum pki_role role, int rsa)
{
	unsigned char v[2];

	if (role == PKI_CA) {
		v[0] = 1;	/* unused bits: keyCertSign (5) | cRLSign (6) */
		v[1] = 0x06;
	} else if (rsa) {
		v[0] = 5;	/* digitalSignature (0) | keyEncipherment (2) */
		v[1] = 0xa0;
	} else {
		v[0] = 7;	/* digitalSignature (0) */
		v[1] = 0x80;
	}
	ext_begin(d, DER_OID_LIT(OID_KU), 1);
	der_prim(d, DER_BIT_STRING, v, 2);
	ext_end(d);
}

static void ext_eku(struct der *d, enum pki_role role)
{
	ext_begin(d, DER_OID_LIT(OID_EKU), 0);
	der_begin(d, DER_SEQUENCE);
	if (role == PKI_SERVER)
		der_oid(d, DER_OID_LIT(OID_SERVER_AUTH));
	else
		der_oid(d, DER_OID_LIT(OID_CLIENT_AUTH));
	der_end(d);
	ext_end(d);
}

static void ext_san(struct der *d, const struct pki_san *sans, unsigned n)
{
	ext_begin(d, DER_OID_LIT(OID_SAN), 0);
	der_begin(d, DER_SEQUENCE);
	for (unsigned i = 0; i < n; i++) {
		if (sans[i].ip)
			der_prim(d, DER_CTX_PRIM(7), sans[i].addr, sans[i].alen);
		else
			der_prim(d, DER_CTX_PRIM(2), sans[i].dns, strlen(sans[i].dns));
	}
	der_end(d);
	ext_end(d);
}

static void ext_ids(struct der *d, const unsigned char *skid, const unsigned char *akid)
{
	ext_begin(d, DER_OID_LIT(OID_SKID), 0);
	der_prim(d, DER_OCTET_STRING, skid, 20);
	ext_end(d);
	if (!akid)
		return;
	ext_begin(d, DER_OID_LIT(OID_AKID), 0);
	der_begin(d, DER_SEQUENCE);
	der_prim(d, DER_CTX_PRIM(0), akid, 20);
	der_end(d);
	ext_end(d);
}

static int serial(unsigned char s[16])
{
	if (pki_random(s, 16) != 0)
		return -1;
	if (s[0] == 0)		/* keep 16 octets: never a shorter, never a zero serial */
		s[0] = 1;
	return 0;
}

static void tbs(struct der *d, const struct pki_cert_spec *s, const unsigned char *sn,
		const unsigned char *skid)
{
	int rsa = s->key->type >= PKI_RSA2048;

	der_begin(d, DER_SEQUENCE);
	der_begin(d, DER_CTX(0));
	der_small(d, 2);	/* v3 */
	der_end(d);
	der_uint(d, sn, 16);
	pki_sigalg(d, s->signer);
	if (s->issuer_dn)
		der_raw(d, s->issuer_dn, s->issuer_dn_len);
	else
		name(d, s->cn, s->org);
	der_begin(d, DER_SEQUENCE);
	der_time(d, s->not_before);
	der_time(d, s->not_after);
	der_end(d);
	name(d, s->cn, s->org);
	pki_spki(d, s->key);
	der_begin(d, DER_CTX(3));
	der_begin(d, DER_SEQUENCE);
	ext_basic(d, s->role == PKI_CA);
	ext_key_usage(d, s->role, rsa);
	if (s->role != PKI_CA)
		ext_eku(d, s->role);
	if (s->nsans)
		ext_san(d, s->sans, s->nsans);
	ext_ids(d, skid, s->issuer_skid);
	der_end(d);
	der_end(d);
	der_end(d);
}

size_t pki_cert_build(const struct pki_cert_spec *s, unsigned char *out, size_t cap,
		      const char **why)
{
	static unsigned char t[PKI_CERT_MAX];
	unsigned char sn[16], skid[20], sig[1024];
	struct der d;
	size_t siglen;

	if (s->role == PKI_SERVER && s->nsans == 0)
		return *why = "a server certificate needs at least one SAN", 0;
	if (serial(sn) != 0 || pki_key_id(s->key, skid) != 0)
		return *why = "no randomness or bad key", 0;
	der_init(&d, t, sizeof t);
	tbs(&d, s, sn, skid);
	if (d.err)
		return *why = "certificate too large or a time out of range", 0;
	siglen = pki_sign(s->signer, t, d.len, sig, sizeof sig);
	if (siglen == 0)
		return *why = "signing failed", 0;
	struct der c;
	der_init(&c, out, cap);
	der_begin(&c, DER_SEQUENCE);
	der_raw(&c, t, d.len);
	pki_sigalg(&c, s->signer);
	der_bits(&c, sig, siglen);
	der_end(&c);
	if (c.err)
		return *why = "certificate too large", 0;
	return c.len;
}

size_t pki_cert_pem(const unsigned char *der, size_t n, char *out, size_t cap)
{
	return dd_pem_encode(out, cap, der, n, "CERTIFICATE");
}
