/* azure/cms and azure/ber, the parts that are plain data: PKCS#1 v1.5 unpadding (where the
 * separator is, how much padding, the two leading bytes), PKCS#7 unpadding, BER length
 * octets and values (definite, indefinite, cut, refused forms, nesting bound), the OIDs
 * the walk knows and their dotted text, and the base64 reader. The whole path, from
 * real openssl blobs, is tests/cli/test_azure_crypto.sh; fuzzing is tests/fuzz/fuzz_cms.c. */
#include "t.h"

#include "azure/ber.h"
#include "azure/cms.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* EM of k bytes: b0 b1, non-zero filler, a zero at sep (none when 0), then a message with
 * zeros in it (only the first zero after the two leading bytes separates). */
static const struct {
	const char *name;
	size_t k;
	unsigned char b0, b1;
	size_t sep;
	uint32_t ok;
	size_t off;
} pkcs1[] = {
	{ "8 bytes of padding, the least", 64, 0, 2, 10, 1, 11 },
	{ "long padding, 24-byte key", 64, 0, 2, 39, 1, 40 },
	{ "256-byte modulus, 3DES key", 256, 0, 2, 231, 1, 232 },
	{ "separator last: empty message", 64, 0, 2, 63, 1, 64 },
	{ "7 bytes of padding", 64, 0, 2, 9, 0, 0 },
	{ "no padding at all", 64, 0, 2, 2, 0, 0 },
	{ "no separator", 64, 0, 2, 0, 0, 0 },
	{ "first byte not 0", 64, 1, 2, 20, 0, 0 },
	{ "block type 1 (signature)", 64, 0, 1, 20, 0, 0 },
	{ "block type 0", 64, 0, 0, 20, 0, 0 },
	{ "block type 0x82", 64, 0, 0x82, 20, 0, 0 },
	{ "k below 11", 10, 0, 2, 9, 0, 0 },
};

TEST(pkcs1_table)
{
	for (size_t i = 0; i < N(pkcs1); i++) {
		unsigned char em[512];
		size_t off = 12345;
		uint32_t ok;

		for (size_t j = 0; j < pkcs1[i].k; j++)
			em[j] = (unsigned char)(j * 37 % 255 + 1);
		em[0] = pkcs1[i].b0;
		em[1] = pkcs1[i].b1;
		if (pkcs1[i].sep) {
			em[pkcs1[i].sep] = 0;
			if (pkcs1[i].sep + 3 < pkcs1[i].k)
				em[pkcs1[i].sep + 2] = 0;	/* a zero inside the message */
		}
		ok = dd_cms_pkcs1_unpad(em, pkcs1[i].k, &off);
		CHECKF(ok == pkcs1[i].ok, "%s: ok %u", pkcs1[i].name, (unsigned)ok);
		if (pkcs1[i].ok)
			CHECKF(off == pkcs1[i].off, "%s: off %zu, want %zu", pkcs1[i].name, off,
			       pkcs1[i].off);
	}
}

static const struct {
	const char *name;
	const char *p;
	size_t len, bs;
	int ok;
	size_t n;
} pkcs7[] = {
	{ "one byte", "ABCDEFG\x01", 8, 8, 1, 7 },
	{ "two bytes", "ABCDEF\x02\x02", 8, 8, 1, 6 },
	{ "a whole block", "\x08\x08\x08\x08\x08\x08\x08\x08", 8, 8, 1, 0 },
	{ "a whole block after data", "ABCDEFGH\x08\x08\x08\x08\x08\x08\x08\x08", 16, 8, 1, 8 },
	{ "AES, 16", "\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10", 16, 16, 1, 0 },
	{ "AES, 3", "ABCDEFGHIJKLM\x03\x03\x03", 16, 16, 1, 13 },
	{ "pad 0", "ABCDEFG\x00", 8, 8, 0, 0 },
	{ "pad above the block", "ABCDEFG\x09", 8, 8, 0, 0 },
	{ "AES pad 17", "ABCDEFGHIJKLMNO\x11", 16, 16, 0, 0 },
	{ "pad bytes differ", "ABCDEF\x01\x02", 8, 8, 0, 0 },
	{ "one wrong far back", "ABCDEFGHIJK\x05\x04\x05\x05\x05", 16, 16, 0, 0 },
	{ "empty", "", 0, 8, 0, 0 },
	{ "not a multiple", "ABCDEF\x01", 7, 8, 0, 0 },
	{ "block size 0", "A\x01", 2, 0, 0, 0 },
};

TEST(pkcs7_table)
{
	for (size_t i = 0; i < N(pkcs7); i++) {
		size_t n = 999;
		int ok = dd_cms_pkcs7_unpad((const unsigned char *)pkcs7[i].p, pkcs7[i].len,
					    pkcs7[i].bs, &n);

		CHECKF(ok == pkcs7[i].ok, "%s: ok %d", pkcs7[i].name, ok);
		if (pkcs7[i].ok)
			CHECKF(n == pkcs7[i].n, "%s: n %zu, want %zu", pkcs7[i].name, n, pkcs7[i].n);
	}
}

static const struct {
	const char *p;
	size_t n;
	int ret;
	size_t len;
} lens[] = {
	{ "\x00", 1, 1, 0 },
	{ "\x7f", 1, 1, 127 },
	{ "\x80", 1, 1, DD_BER_INDEF },
	{ "\x81\x80", 2, 2, 128 },
	{ "\x81\x05", 2, 2, 5 },		/* not minimal: BER allows it */
	{ "\x82\x01\x00", 3, 3, 256 },
	{ "\x82\x00\x10", 3, 3, 16 },
	{ "\x83\x01\x00\x00", 4, 4, 65536 },
	{ "\x84\xff\xff\xff\xff", 5, 5, 0xffffffffu },
	{ "\x84\x00\x00\x00\x01\x99", 6, 5, 1 },	/* reads only its own bytes */
	{ "\x85\x00\x00\x00\x00\x01", 6, -1, 0 },
	{ "\xff", 1, -1, 0 },
	{ "\x82\x01", 2, 0, 0 },		/* cut */
	{ "\x84\x01\x02\x03", 4, 0, 0 },
	{ "", 0, 0, 0 },
};

TEST(ber_len_table)
{
	for (size_t i = 0; i < N(lens); i++) {
		size_t len = 4242;
		int ret = dd_ber_len((const unsigned char *)lens[i].p, lens[i].n, &len);

		CHECKF(ret == lens[i].ret, "row %zu: ret %d, want %d", i, ret, lens[i].ret);
		if (ret > 0)
			CHECKF(len == lens[i].len, "row %zu: len %zu, want %zu", i, len, lens[i].len);
	}
}

/* One value read from the start of p: rc, tag, contents length, and where the reader is
 * afterwards (or where it failed). */
static const struct {
	const char *name, *p;
	size_t n;
	int rc;
	unsigned tag;
	size_t len, at;
} values[] = {
	{ "definite", "\x30\x03\x02\x01\x05", 5, 0, 0x30, 3, 5 },
	{ "definite, more after", "\x04\x01\x41\x05\x00", 5, 0, 0x04, 1, 3 },
	{ "length past the end", "\x30\x04\x02\x01\x05", 5, DD_BER_CUT, 0, 0, 0 },
	{ "no length byte", "\x30", 1, DD_BER_CUT, 0, 0, 0 },
	{ "indefinite", "\x30\x80\x02\x01\x05\x00\x00", 7, 0, 0x30, 3, 7 },
	{ "indefinite, empty", "\xa0\x80\x00\x00", 4, 0, 0xa0, 0, 4 },
	{ "indefinite in indefinite", "\x30\x80\xa0\x80\x04\x01\x41\x00\x00\x00\x00", 11, 0, 0x30, 7, 11 },
	{ "indefinite without its end", "\x30\x80\x02\x01\x05", 5, DD_BER_CUT, 0, 0, 5 },
	{ "indefinite, half an end", "\x30\x80\x02\x01\x05\x00", 6, DD_BER_CUT, 0, 0, 5 },
	{ "indefinite, inner value cut", "\x30\x80\x04\x05\x41", 5, DD_BER_CUT, 0, 0, 2 },
	{ "indefinite primitive", "\x04\x80\x41\x00\x00", 5, DD_BER_BAD, 0, 0, 0 },
	{ "high tag number", "\x1f\x81\x01\x00", 4, DD_BER_BAD, 0, 0, 0 },
	{ "tag 0 as a value", "\x00\x00", 2, DD_BER_BAD, 0, 0, 0 },
	{ "tag 0 inside", "\x30\x80\x00\x01\x41\x00\x00", 7, DD_BER_BAD, 0, 0, 2 },
	{ "5 length bytes", "\x04\x85\x00\x00\x00\x00\x01\x41", 8, DD_BER_BAD, 0, 0, 0 },
	{ "empty input", "", 0, DD_BER_CUT, 0, 0, 0 },
};

TEST(ber_value_table)
{
	for (size_t i = 0; i < N(values); i++) {
		const unsigned char *p = (const unsigned char *)values[i].p;
		struct dd_ber r = { p, p + values[i].n }, in;
		unsigned tag = 0;
		int rc = dd_ber_next(&r, &tag, &in);

		CHECKF(rc == values[i].rc, "%s: rc %d", values[i].name, rc);
		CHECKF((size_t)(r.p - p) == values[i].at, "%s: at %zu", values[i].name,
		       (size_t)(r.p - p));
		if (rc == 0)
			CHECKF(tag == values[i].tag && (size_t)(in.end - in.p) == values[i].len &&
				       in.p >= p && in.end <= p + values[i].n,
			       "%s: tag %02x len %zu", values[i].name, tag, (size_t)(in.end - in.p));
	}
}

/* DD_BER_DEPTH indefinite values inside one another are read, one more is refused. */
TEST(ber_depth_bound)
{
	for (int d = DD_BER_DEPTH; d <= DD_BER_DEPTH + 1; d++) {
		unsigned char b[64];
		size_t n = 0;
		struct dd_ber r;
		unsigned tag;
		struct dd_ber in;

		for (int i = 0; i < d; i++)
			b[n++] = 0x30, b[n++] = 0x80;
		b[n++] = 0x05, b[n++] = 0x00;
		for (int i = 0; i < d; i++)
			b[n++] = 0, b[n++] = 0;
		r = (struct dd_ber){ b, b + n };
		CHECKF(dd_ber_next(&r, &tag, &in) == (d <= DD_BER_DEPTH ? 0 : DD_BER_DEEP),
		       "depth %d", d);
	}
}

static const struct {
	const char *der;
	size_t n;
	const char *text;
	int id;
} oids[] = {
	{ "\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03", 9, "1.2.840.113549.1.7.3", DD_OID_ENVELOPED },
	{ "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x17", 11, "1.2.840.113549.1.9.16.1.23", DD_OID_AUTHENV },
	{ "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", 9, "1.2.840.113549.1.1.1", DD_OID_RSA },
	{ "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x07", 9, "1.2.840.113549.1.1.7", DD_OID_OAEP },
	{ "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x08", 9, "1.2.840.113549.1.1.8", DD_OID_MGF1 },
	{ "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x09", 9, "1.2.840.113549.1.1.9", DD_OID_PSPEC },
	{ "\x2b\x0e\x03\x02\x1a", 5, "1.3.14.3.2.26", DD_OID_SHA1 },
	{ "\x60\x86\x48\x01\x65\x03\x04\x02\x01", 9, "2.16.840.1.101.3.4.2.1", DD_OID_SHA256 },
	{ "\x2a\x86\x48\x86\xf7\x0d\x03\x07", 8, "1.2.840.113549.3.7", DD_OID_DES3 },
	{ "\x60\x86\x48\x01\x65\x03\x04\x01\x02", 9, "2.16.840.1.101.3.4.1.2", DD_OID_AES128 },
	{ "\x60\x86\x48\x01\x65\x03\x04\x01\x16", 9, "2.16.840.1.101.3.4.1.22", DD_OID_AES192 },
	{ "\x60\x86\x48\x01\x65\x03\x04\x01\x2a", 9, "2.16.840.1.101.3.4.1.42", DD_OID_AES256 },
	/* known to be refused */
	{ "\x2b\x0e\x03\x02\x07", 5, "1.3.14.3.2.7", DD_OID_UNKNOWN },		/* DES-CBC */
	{ "\x2a\x86\x48\x86\xf7\x0d\x03\x02", 8, "1.2.840.113549.3.2", DD_OID_UNKNOWN },	/* RC2 */
	{ "\x60\x86\x48\x01\x65\x03\x04\x01\x2e", 9, "2.16.840.1.101.3.4.1.46", DD_OID_UNKNOWN },
	{ "\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01", 9, "1.2.840.113549.1.7.1", DD_OID_UNKNOWN },
	{ "\x2a\x86\x48\x86\xf7\x0d\x01\x07", 8, "1.2.840.113549.1.7", DD_OID_UNKNOWN },
	{ "\x60\x86\x48\x01\x65\x03\x04\x02\x03", 9, "2.16.840.1.101.3.4.2.3", DD_OID_UNKNOWN },
	/* first arcs and encodings */
	{ "\x00", 1, "0.0", DD_OID_UNKNOWN },
	{ "\x27", 1, "0.39", DD_OID_UNKNOWN },
	{ "\x28", 1, "1.0", DD_OID_UNKNOWN },
	{ "\x88\x37", 2, "2.999", DD_OID_UNKNOWN },
	{ "\x2a\x8f\xff\xff\xff\x7f", 6, "1.2.4294967295", DD_OID_UNKNOWN },
	{ "", 0, "(malformed)", DD_OID_UNKNOWN },
	{ "\x2a\x86", 2, "(malformed)", DD_OID_UNKNOWN },		/* ends inside a number */
	{ "\x2a\x80\x01", 3, "(malformed)", DD_OID_UNKNOWN },		/* not minimal */
	{ "\x2a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11, "(malformed)", DD_OID_UNKNOWN },
};

TEST(oid_table)
{
	for (size_t i = 0; i < N(oids); i++) {
		const unsigned char *o = (const unsigned char *)oids[i].der;
		char txt[64];

		dd_cms_oid_text(o, oids[i].n, txt, sizeof txt);
		CHECKF(strcmp(txt, oids[i].text) == 0, "row %zu: %s, want %s", i, txt, oids[i].text);
		CHECKF(dd_cms_oid(o, oids[i].n) == oids[i].id, "row %zu (%s): id %d", i,
		       oids[i].text, dd_cms_oid(o, oids[i].n));
	}
}

/* The text is cut to fit, always terminated, never written past cap. */
TEST(oid_text_cut)
{
	static const unsigned char o[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03 };
	char buf[32];

	for (size_t cap = 1; cap < 24; cap++) {
		memset(buf, 'Z', sizeof buf);
		dd_cms_oid_text(o, sizeof o, buf, cap);
		CHECKF(strlen(buf) < cap && strncmp(buf, "1.2.840.113549.1.7.3", strlen(buf)) == 0 &&
			       buf[cap] == 'Z',
		       "cap %zu: %s", cap, buf);
	}
}

static const struct {
	const char *in;
	long len;		/* -1: refused */
	const char *why;	/* the message, when refused */
} b64[] = {
	{ "MIIB", 3, NULL },
	{ "MI\nIB\r\n", 3, NULL },
	{ " \tMIIB \n", 3, NULL },
	{ "QQ==", 1, NULL },
	{ "QUI=\n", 2, NULL },
	{ "", 0, NULL },
	{ "MII-", -1, "not base64 at offset 3" },
	{ "MI\nI_", -1, "not base64 at offset 4" },
	{ "MIIB\"", -1, "not base64 at offset 4" },
	{ "MIIB\\n", -1, "not base64 at offset 4" },
	{ "MII", -1, "not base64 (bad length or padding)" },
	{ "Q=QQ", -1, "not base64 (bad length or padding)" },
	{ "QQ==QUI=", -1, "not base64 (bad length or padding)" },
};

TEST(unbase64_table)
{
	for (size_t i = 0; i < N(b64); i++) {
		unsigned char der[16];
		char err[128] = "";
		long n = dd_az_unbase64(b64[i].in, strlen(b64[i].in), der, sizeof der, err, sizeof err);

		CHECKF(n == b64[i].len, "row %zu: %ld", i, n);
		if (b64[i].why)
			CHECKF(strcmp(err, b64[i].why) == 0, "row %zu: %s", i, err);
	}
}

int main(void)
{
	RUN(pkcs1_table);
	RUN(pkcs7_table);
	RUN(ber_len_table);
	RUN(ber_value_table);
	RUN(ber_depth_bound);
	RUN(oid_table);
	RUN(oid_text_cut);
	RUN(unbase64_table);
	T_EXIT();
}
