/* pki/der: known-answer tables, byte for byte. Length forms at every boundary both for a
 * primitive value and for constructed values nested three deep (der_end's memmove path),
 * der_len_encode, INTEGER minimal encoding, BOOLEAN, NULL, BIT STRING, the OIDs key.c and
 * cert.c use (against dotted forms encoded here), UTCTime/GeneralizedTime boundaries, and
 * the error rules: overflow, unbalanced der_end, depth. Output buffers sit in a bigger
 * guard buffer so a write past cap is caught even where ASan cannot see it. */
#include "t.h"

#include <stdint.h>
#include <sys/wait.h>

#include "pki/der.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A guard area after the cap a writer is given: it must stay 0xa5. */
#define GUARD 64
static unsigned char big[3 * 65536 + GUARD];

static int guard_ok(const unsigned char *buf, size_t cap)
{
	for (size_t i = cap; i < cap + GUARD; i++)
		if (buf[i] != 0xa5)
			return 0;
	return 1;
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + seed);
}

static int pattern_ok(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i * 7 + seed))
			return 0;
	return 1;
}

static void hexdump(const char *what, const unsigned char *p, size_t n)
{
	printf("# %s:", what);
	for (size_t i = 0; i < n && i < 48; i++)
		printf(" %02x", p[i]);
	printf("%s\n", n > 48 ? " ..." : "");
}

/* d's output equals want (n bytes), and nothing was written past it. */
static int same_bytes(const struct der *d, const void *want, size_t n)
{
	if (!d->err && d->len == n && memcmp(d->buf, want, n) == 0)
		return 1;
	printf("# err %d, len %zu (want %zu)\n", d->err, d->len, n);
	hexdump("got ", d->buf, d->err ? 0 : d->len);
	hexdump("want", want, n);
	return 0;
}

/* --- length forms ---------------------------------------------------------------------- */

static const struct {
	size_t n;
	unsigned char len[6];	/* the length octets */
	size_t k;
} lens[] = {
	{ 0, { 0x00 }, 1 },
	{ 1, { 0x01 }, 1 },
	{ 127, { 0x7f }, 1 },
	{ 128, { 0x81, 0x80 }, 2 },
	{ 255, { 0x81, 0xff }, 2 },
	{ 256, { 0x82, 0x01, 0x00 }, 3 },
	{ 65535, { 0x82, 0xff, 0xff }, 3 },
	{ 65536, { 0x83, 0x01, 0x00, 0x00 }, 4 },
	{ 0xffffff, { 0x83, 0xff, 0xff, 0xff }, 4 },
	{ 0x1000000, { 0x84, 0x01, 0x00, 0x00, 0x00 }, 5 },
	{ 0xffffffff, { 0x84, 0xff, 0xff, 0xff, 0xff }, 5 },
};

TEST(len_encode_table)
{
	for (unsigned i = 0; i < N(lens); i++) {
		unsigned char out[16];
		size_t k;

		memset(out, 0xa5, sizeof out);
		k = der_len_encode(lens[i].n, out);
		CHECKF(k == lens[i].k && memcmp(out, lens[i].len, k) == 0, "n %zu: %zu octets", lens[i].n, k);
		for (size_t j = k; j < sizeof out; j++)
			CHECKF(out[j] == 0xa5, "n %zu: wrote octet %zu", lens[i].n, j);
	}
}

/* der_prim: tag, the length octets of the table, then the contents unchanged. */
TEST(prim_length_forms)
{
	static unsigned char v[65536], want[8];

	fill(v, sizeof v, 3);
	for (unsigned i = 0; i < N(lens); i++) {
		size_t n = lens[i].n, total = 1 + lens[i].k + n;
		struct der d;

		if (n > sizeof v)
			continue;
		memset(big, 0xa5, sizeof big);
		der_init(&d, big, total);
		der_prim(&d, DER_OCTET_STRING, v, n);
		want[0] = DER_OCTET_STRING;
		memcpy(want + 1, lens[i].len, lens[i].k);
		CHECKF(!d.err && d.len == total, "n %zu: err %d len %zu", n, d.err, d.len);
		CHECKF(memcmp(big, want, 1 + lens[i].k) == 0, "n %zu: header", n);
		CHECKF(pattern_ok(big + 1 + lens[i].k, n, 3), "n %zu: contents", n);
		CHECKF(guard_ok(big, total), "n %zu: wrote past cap", n);
		/* One byte short: an error, and nothing written past cap. */
		memset(big, 0xa5, sizeof big);
		der_init(&d, big, total - 1);
		der_prim(&d, DER_OCTET_STRING, v, n);
		CHECKF(d.err, "n %zu: cap %zu fits", n, total - 1);
		CHECKF(guard_ok(big, total - 1), "n %zu: short cap: wrote past cap", n);
	}
}

/* Three constructed levels, SEQUENCE { SET { [0] { OCTET STRING(n) } } }: each der_end
 * finds its one-byte placeholder too small (or not) and moves the contents up. The header
 * of each level, outside in, is given. */
static const struct {
	size_t n;
	unsigned char h1[6], h2[6], h3[6], h4[6];	/* SEQUENCE, SET, [0], OCTET STRING */
} nests[] = {
	/* 121: every level just fits the short form; then each level grows in turn. */
	{ 0, { 0x30, 0x06 }, { 0x31, 0x04 }, { 0xa0, 0x02 }, { 0x04, 0x00 } },
	{ 1, { 0x30, 0x07 }, { 0x31, 0x05 }, { 0xa0, 0x03 }, { 0x04, 0x01 } },
	{ 121, { 0x30, 0x7f }, { 0x31, 0x7d }, { 0xa0, 0x7b }, { 0x04, 0x79 } },
	{ 122, { 0x30, 0x81, 0x80 }, { 0x31, 0x7e }, { 0xa0, 0x7c }, { 0x04, 0x7a } },
	{ 124, { 0x30, 0x81, 0x83 }, { 0x31, 0x81, 0x80 }, { 0xa0, 0x7e }, { 0x04, 0x7c } },
	{ 126, { 0x30, 0x81, 0x86 }, { 0x31, 0x81, 0x83 }, { 0xa0, 0x81, 0x80 }, { 0x04, 0x7e } },
	{ 127, { 0x30, 0x81, 0x87 }, { 0x31, 0x81, 0x84 }, { 0xa0, 0x81, 0x81 }, { 0x04, 0x7f } },
	{ 128, { 0x30, 0x81, 0x89 }, { 0x31, 0x81, 0x86 }, { 0xa0, 0x81, 0x83 }, { 0x04, 0x81, 0x80 } },
	/* 246: 0x81 everywhere; 249, 252, 255: 0x82 from the outside in. */
	{ 246, { 0x30, 0x81, 0xff }, { 0x31, 0x81, 0xfc }, { 0xa0, 0x81, 0xf9 }, { 0x04, 0x81, 0xf6 } },
	{ 249, { 0x30, 0x82, 0x01, 0x02 }, { 0x31, 0x81, 0xff }, { 0xa0, 0x81, 0xfc }, { 0x04, 0x81, 0xf9 } },
	{ 252, { 0x30, 0x82, 0x01, 0x06 }, { 0x31, 0x82, 0x01, 0x02 }, { 0xa0, 0x81, 0xff }, { 0x04, 0x81, 0xfc } },
	{ 255, { 0x30, 0x82, 0x01, 0x0a }, { 0x31, 0x82, 0x01, 0x06 }, { 0xa0, 0x82, 0x01, 0x02 }, { 0x04, 0x81, 0xff } },
	{ 256, { 0x30, 0x82, 0x01, 0x0c }, { 0x31, 0x82, 0x01, 0x08 }, { 0xa0, 0x82, 0x01, 0x04 }, { 0x04, 0x82, 0x01, 0x00 } },
	/* 65524, 65528, 65532: 0x83 from the outside in. */
	{ 65524, { 0x30, 0x83, 0x01, 0x00, 0x00 }, { 0x31, 0x82, 0xff, 0xfc }, { 0xa0, 0x82, 0xff, 0xf8 }, { 0x04, 0x82, 0xff, 0xf4 } },
	{ 65528, { 0x30, 0x83, 0x01, 0x00, 0x05 }, { 0x31, 0x83, 0x01, 0x00, 0x00 }, { 0xa0, 0x82, 0xff, 0xfc }, { 0x04, 0x82, 0xff, 0xf8 } },
	{ 65535, { 0x30, 0x83, 0x01, 0x00, 0x0d }, { 0x31, 0x83, 0x01, 0x00, 0x08 }, { 0xa0, 0x83, 0x01, 0x00, 0x03 }, { 0x04, 0x82, 0xff, 0xff } },
	{ 65536, { 0x30, 0x83, 0x01, 0x00, 0x0f }, { 0x31, 0x83, 0x01, 0x00, 0x0a }, { 0xa0, 0x83, 0x01, 0x00, 0x05 }, { 0x04, 0x83, 0x01, 0x00, 0x00 } },
};

static size_t hlen(const unsigned char *h)
{
	return h[1] < 0x80 ? 2 : 2 + (h[1] & 0x7f);
}

static void nest3(struct der *d, const unsigned char *v, size_t n)
{
	der_begin(d, DER_SEQUENCE);
	der_begin(d, DER_SET);
	der_begin(d, DER_CTX(0));
	der_prim(d, DER_OCTET_STRING, v, n);
	der_end(d);
	der_end(d);
	der_end(d);
}

TEST(nested_length_forms)
{
	static unsigned char v[65536];

	fill(v, sizeof v, 11);
	for (unsigned i = 0; i < N(nests); i++) {
		size_t n = nests[i].n, a = hlen(nests[i].h1), b = hlen(nests[i].h2),
		       c = hlen(nests[i].h3), e = hlen(nests[i].h4), total = a + b + c + e + n;
		struct der d;

		memset(big, 0xa5, sizeof big);
		der_init(&d, big, total);
		nest3(&d, v, n);
		CHECKF(!d.err && d.len == total && d.depth == 0, "n %zu: err %d len %zu (want %zu)", n,
		       d.err, d.len, total);
		CHECKF(memcmp(big, nests[i].h1, a) == 0, "n %zu: SEQUENCE header", n);
		CHECKF(memcmp(big + a, nests[i].h2, b) == 0, "n %zu: SET header", n);
		CHECKF(memcmp(big + a + b, nests[i].h3, c) == 0, "n %zu: [0] header", n);
		CHECKF(memcmp(big + a + b + c, nests[i].h4, e) == 0, "n %zu: OCTET STRING header", n);
		CHECKF(pattern_ok(big + a + b + c + e, n, 11), "n %zu: contents moved wrongly", n);
		CHECKF(guard_ok(big, total), "n %zu: wrote past cap", n);
		if (t_failed)
			hexdump("got", big, total);
	}
}

/* Siblings before and after a value that grows: der_end moves only its own contents. */
TEST(nested_siblings_survive_growth)
{
	static unsigned char v[300], want[400];
	static const unsigned char head[] = { 0x30, 0x82, 0x01, 0x3f, 0x02, 0x01, 0x05,
					      0x31, 0x82, 0x01, 0x35, 0x05, 0x00,
					      0x04, 0x82, 0x01, 0x2c };
	static const unsigned char tail[] = { 0x01, 0x01, 0xff, 0x01, 0x01, 0x00 };
	struct der d;
	unsigned char buf[400];

	fill(v, sizeof v, 1);
	memcpy(want, head, sizeof head);
	memcpy(want + sizeof head, v, 300);
	memcpy(want + sizeof head + 300, tail, sizeof tail);
	der_init(&d, buf, sizeof buf);
	der_begin(&d, DER_SEQUENCE);
	der_small(&d, 5);
	der_begin(&d, DER_SET);
	der_null(&d);
	der_prim(&d, DER_OCTET_STRING, v, 300);
	der_bool(&d, 1);
	der_end(&d);
	der_bool(&d, 0);
	der_end(&d);
	CHECK(same_bytes(&d, want, sizeof head + 300 + sizeof tail));
}

/* --- INTEGER --------------------------------------------------------------------------- */

static const struct {
	const char *name;
	unsigned char in[20];
	size_t n;
	unsigned char out[24];
	size_t outn;
} uints[] = {
	{ "empty", { 0 }, 0, { 0x02, 0x01, 0x00 }, 3 },
	{ "0", { 0x00 }, 1, { 0x02, 0x01, 0x00 }, 3 },
	{ "00 00 00", { 0, 0, 0 }, 3, { 0x02, 0x01, 0x00 }, 3 },
	{ "1", { 0x01 }, 1, { 0x02, 0x01, 0x01 }, 3 },
	{ "0x7f", { 0x7f }, 1, { 0x02, 0x01, 0x7f }, 3 },
	{ "0x80", { 0x80 }, 1, { 0x02, 0x02, 0x00, 0x80 }, 4 },
	{ "0xff", { 0xff }, 1, { 0x02, 0x02, 0x00, 0xff }, 4 },
	{ "00 7f", { 0x00, 0x7f }, 2, { 0x02, 0x01, 0x7f }, 3 },
	{ "00 80", { 0x00, 0x80 }, 2, { 0x02, 0x02, 0x00, 0x80 }, 4 },
	{ "00 00 80", { 0x00, 0x00, 0x80 }, 3, { 0x02, 0x02, 0x00, 0x80 }, 4 },
	{ "00 00 01 00", { 0, 0, 1, 0 }, 4, { 0x02, 0x02, 0x01, 0x00 }, 4 },
	{ "01 00 00", { 1, 0, 0 }, 3, { 0x02, 0x03, 0x01, 0x00, 0x00 }, 5 },
	{ "65537", { 0x01, 0x00, 0x01 }, 3, { 0x02, 0x03, 0x01, 0x00, 0x01 }, 5 },
	{ "16 bytes, top bit clear", { 0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, 16,
	  { 0x02, 0x10, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, 18 },
	{ "16 bytes, top bit set: 17 content octets",
	  { 0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xff }, 16,
	  { 0x02, 0x11, 0x00, 0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xff }, 19 },
	{ "16 bytes all 0xff", { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				 0xff, 0xff, 0xff, 0xff, 0xff }, 16,
	  { 0x02, 0x11, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff }, 19 },
	{ "16 bytes with a zero first byte: 15 octets",
	  { 0x00, 0x81, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, 16,
	  { 0x02, 0x10, 0x00, 0x81, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, 18 },
	{ "16 bytes 00 00 01 ...", { 0x00, 0x00, 0x01, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	  16, { 0x02, 0x0e, 0x01, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, 16 },
};

TEST(uint_table)
{
	for (unsigned i = 0; i < N(uints); i++) {
		unsigned char buf[64];
		struct der d;

		der_init(&d, buf, sizeof buf);
		der_uint(&d, uints[i].in, uints[i].n);
		CHECKF(same_bytes(&d, uints[i].out, uints[i].outn), "%s", uints[i].name);
	}
}

/* RSA moduli: 256 and 512 bytes with the top bit set get a 0x00 and a two-octet length. */
TEST(uint_big)
{
	static unsigned char in[1025], buf[1100];
	struct der d;

	memset(in, 0xc3, sizeof in);
	der_init(&d, buf, sizeof buf);
	der_uint(&d, in, 512);
	CHECK(!d.err && d.len == 4 + 513);
	CHECK(buf[0] == 0x02 && buf[1] == 0x82 && buf[2] == 0x02 && buf[3] == 0x01 && buf[4] == 0);
	CHECK(buf[5] == 0xc3 && buf[4 + 512] == 0xc3);
	/* Written in place: the buffer's room is the only limit, and one byte short of it
	 * is an error, not an overrun. */
	der_init(&d, buf, sizeof buf);
	der_uint(&d, in, 1024);
	CHECK(!d.err && d.len == 4 + 1025);
	der_init(&d, buf, 4 + 1024);
	der_uint(&d, in, 1024);
	CHECK(d.err);
	/* Leading zeros are dropped first. */
	in[0] = 0;
	der_init(&d, buf, sizeof buf);
	der_uint(&d, in, 1025);
	CHECK(!d.err && d.len == 4 + 1025);
}

static const struct {
	uint32_t v;
	unsigned char out[8];
	size_t n;
} smalls[] = {
	{ 0, { 0x02, 0x01, 0x00 }, 3 },
	{ 1, { 0x02, 0x01, 0x01 }, 3 },
	{ 2, { 0x02, 0x01, 0x02 }, 3 },
	{ 127, { 0x02, 0x01, 0x7f }, 3 },
	{ 128, { 0x02, 0x02, 0x00, 0x80 }, 4 },
	{ 255, { 0x02, 0x02, 0x00, 0xff }, 4 },
	{ 256, { 0x02, 0x02, 0x01, 0x00 }, 4 },
	{ 0x7fff, { 0x02, 0x02, 0x7f, 0xff }, 4 },
	{ 0x8000, { 0x02, 0x03, 0x00, 0x80, 0x00 }, 5 },
	{ 65537, { 0x02, 0x03, 0x01, 0x00, 0x01 }, 5 },
	{ 0x7fffffff, { 0x02, 0x04, 0x7f, 0xff, 0xff, 0xff }, 6 },
	{ 0x80000000, { 0x02, 0x05, 0x00, 0x80, 0x00, 0x00, 0x00 }, 7 },
	{ 0xffffffff, { 0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff }, 7 },
};

TEST(small_table)
{
	for (unsigned i = 0; i < N(smalls); i++) {
		unsigned char buf[16];
		struct der d;

		der_init(&d, buf, sizeof buf);
		der_small(&d, smalls[i].v);
		CHECKF(same_bytes(&d, smalls[i].out, smalls[i].n), "der_small(%u)", smalls[i].v);
	}
}

/* --- BOOLEAN, NULL, BIT STRING, raw ---------------------------------------------------- */

static void w_true(struct der *d) { der_bool(d, 1); }
static void w_false(struct der *d) { der_bool(d, 0); }
static void w_bool2(struct der *d) { der_bool(d, 2); }
static void w_boolneg(struct der *d) { der_bool(d, -1); }
static void w_null(struct der *d) { der_null(d); }
static void w_bits0(struct der *d) { der_bits(d, "", 0); }
static void w_bits2(struct der *d) { der_bits(d, "\xab\xcd", 2); }
static void w_bits_ff(struct der *d) { der_bits(d, "\xff", 1); }
static void w_raw(struct der *d) { der_raw(d, "\x30\x03\x02\x01\x07", 5); }
static void w_raw0(struct der *d) { der_raw(d, NULL, 0); }
static void w_ia5(struct der *d) { der_prim(d, DER_IA5, "a.b", 3); }
static void w_utf8(struct der *d) { der_prim(d, DER_UTF8, "\xc3\xa9", 2); }
static void w_ctxp(struct der *d) { der_prim(d, DER_CTX_PRIM(7), "\x7f\0\0\1", 4); }
static void w_ctx3(struct der *d) { der_begin(d, DER_CTX(3)); der_null(d); der_end(d); }
static void w_empty_seq(struct der *d) { der_begin(d, DER_SEQUENCE); der_end(d); }
/* The keyUsage BIT STRING cert.c writes for a CA: unused bits 1, keyCertSign|cRLSign. */
static void w_ku(struct der *d) { der_prim(d, DER_BIT_STRING, "\x01\x06", 2); }

static const struct {
	const char *name;
	void (*write)(struct der *);
	const char *want;
	size_t n;
} simple[] = {
	{ "BOOLEAN TRUE", w_true, "\x01\x01\xff", 3 },
	{ "BOOLEAN FALSE", w_false, "\x01\x01\x00", 3 },
	{ "BOOLEAN from 2", w_bool2, "\x01\x01\xff", 3 },
	{ "BOOLEAN from -1", w_boolneg, "\x01\x01\xff", 3 },
	{ "NULL", w_null, "\x05\x00", 2 },
	{ "BIT STRING empty", w_bits0, "\x03\x01\x00", 3 },
	{ "BIT STRING ab cd", w_bits2, "\x03\x03\x00\xab\xcd", 5 },
	{ "BIT STRING ff", w_bits_ff, "\x03\x02\x00\xff", 4 },
	{ "raw bytes", w_raw, "\x30\x03\x02\x01\x07", 5 },
	{ "raw nothing", w_raw0, "", 0 },
	{ "IA5String", w_ia5, "\x16\x03" "a.b", 5 },
	{ "UTF8String", w_utf8, "\x0c\x02\xc3\xa9", 4 },
	{ "[7] IMPLICIT (an IP SAN)", w_ctxp, "\x87\x04\x7f\x00\x00\x01", 6 },
	{ "[3] EXPLICIT", w_ctx3, "\xa3\x02\x05\x00", 4 },
	{ "empty SEQUENCE", w_empty_seq, "\x30\x00", 2 },
	{ "keyUsage bits", w_ku, "\x03\x02\x01\x06", 4 },
};

TEST(simple_table)
{
	for (unsigned i = 0; i < N(simple); i++) {
		unsigned char buf[32 + GUARD];
		struct der d;

		memset(buf, 0xa5, sizeof buf);
		der_init(&d, buf, 32);
		simple[i].write(&d);
		CHECKF(same_bytes(&d, simple[i].want, simple[i].n), "%s", simple[i].name);
		CHECKF(d.depth == 0, "%s: depth %u", simple[i].name, d.depth);
	}
}

/* A BIT STRING long enough for a two-octet length: 0x00 unused-bits octet counted. */
TEST(bits_long)
{
	unsigned char v[200], buf[256];
	struct der d;

	fill(v, sizeof v, 5);
	der_init(&d, buf, sizeof buf);
	der_bits(&d, v, sizeof v);
	CHECK(!d.err && d.len == 3 + 1 + 200);
	CHECK(buf[0] == 0x03 && buf[1] == 0x81 && buf[2] == 201 && buf[3] == 0);
	CHECK(pattern_ok(buf + 4, 200, 5));
}

/* --- OIDs ------------------------------------------------------------------------------ */

/* Dotted text to OID content bytes, as X.690 8.19 says: 40 * first + second, then base 128
 * with the high bit on all but the last octet of each arc. */
static size_t oid_encode(const char *dotted, unsigned char *out, size_t cap)
{
	unsigned long arcs[32];
	size_t na = 0, n = 0;
	const char *p = dotted;

	while (*p && na < N(arcs)) {
		char *end;

		arcs[na++] = strtoul(p, &end, 10);
		p = *end == '.' ? end + 1 : end;
	}
	if (na < 2)
		return 0;
	arcs[1] += 40 * arcs[0];
	for (size_t i = 1; i < na; i++) {
		unsigned char tmp[10];
		size_t k = 0;
		unsigned long v = arcs[i];

		do {
			tmp[k++] = (unsigned char)(v & 0x7f);
			v >>= 7;
		} while (v);
		while (k--) {
			if (n == cap)
				return 0;
			out[n++] = (unsigned char)(tmp[k] | (k ? 0x80 : 0));
		}
	}
	return n;
}

/* Every OID_* literal in src/pki/key.c and src/pki/cert.c, with its dotted form. */
#define O(name, dotted, bytes) { name, dotted, bytes, sizeof(bytes) - 1 }
static const struct {
	const char *name, *dotted, *bytes;
	size_t n;	/* bytes may hold 0x00 (P-384) */
} oids[] = {
	O("OID_EC_PUBKEY", "1.2.840.10045.2.1", "\x2a\x86\x48\xce\x3d\x02\x01"),
	O("OID_P256", "1.2.840.10045.3.1.7", "\x2a\x86\x48\xce\x3d\x03\x01\x07"),
	O("OID_P384", "1.3.132.0.34", "\x2b\x81\x04\x00\x22"),
	O("OID_RSA", "1.2.840.113549.1.1.1", "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"),
	O("OID_ECDSA_SHA256", "1.2.840.10045.4.3.2", "\x2a\x86\x48\xce\x3d\x04\x03\x02"),
	O("OID_ECDSA_SHA384", "1.2.840.10045.4.3.3", "\x2a\x86\x48\xce\x3d\x04\x03\x03"),
	O("OID_RSA_SHA256", "1.2.840.113549.1.1.11", "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"),
	O("OID_CN", "2.5.4.3", "\x55\x04\x03"),
	O("OID_O", "2.5.4.10", "\x55\x04\x0a"),
	O("OID_BC", "2.5.29.19", "\x55\x1d\x13"),
	O("OID_KU", "2.5.29.15", "\x55\x1d\x0f"),
	O("OID_EKU", "2.5.29.37", "\x55\x1d\x25"),
	O("OID_SAN", "2.5.29.17", "\x55\x1d\x11"),
	O("OID_SKID", "2.5.29.14", "\x55\x1d\x0e"),
	O("OID_AKID", "2.5.29.35", "\x55\x1d\x23"),
	O("OID_SERVER_AUTH", "1.3.6.1.5.5.7.3.1", "\x2b\x06\x01\x05\x05\x07\x03\x01"),
	O("OID_CLIENT_AUTH", "1.3.6.1.5.5.7.3.2", "\x2b\x06\x01\x05\x05\x07\x03\x02"),
};

/* The encoder itself, on the examples of X.690 and RFC 5280. */
TEST(oid_encoder_self_check)
{
	unsigned char b[32];

	CHECK(oid_encode("2.999.3", b, sizeof b) == 3 && memcmp(b, "\x88\x37\x03", 3) == 0);
	CHECK(oid_encode("1.2.840.113549", b, sizeof b) == 6 &&
	      memcmp(b, "\x2a\x86\x48\x86\xf7\x0d", 6) == 0);
	CHECK(oid_encode("0.0", b, sizeof b) == 1 && b[0] == 0);
	CHECK(oid_encode("2.5.29.4294967295", b, sizeof b) == 7 &&
	      memcmp(b, "\x55\x1d\x8f\xff\xff\xff\x7f", 7) == 0);
}

TEST(oid_table)
{
	for (unsigned i = 0; i < N(oids); i++) {
		unsigned char enc[32], buf[40];
		size_t n = oid_encode(oids[i].dotted, enc, sizeof enc), bn = oids[i].n;
		struct der d;

		CHECKF(n == bn && memcmp(enc, oids[i].bytes, n) == 0, "%s is not %s", oids[i].name,
		       oids[i].dotted);
		der_init(&d, buf, sizeof buf);
		der_oid(&d, oids[i].bytes, bn);
		CHECKF(!d.err && d.len == 2 + bn && buf[0] == 0x06 && buf[1] == bn &&
		       memcmp(buf + 2, enc, n) == 0, "%s: der_oid", oids[i].name);
	}
}

/* The table above is the sources' literals: each "#define OID_x" line of key.c and cert.c
 * must be in it with the same bytes (run from the top of the tree, as tests/run.sh does). */
static int unescape(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;

	while (*s && *s != '"') {
		unsigned v;

		if (s[0] != '\\' || s[1] != 'x' || sscanf(s + 2, "%2x", &v) != 1 || n == cap)
			return -1;
		out[n++] = (unsigned char)v;
		s += 4;
	}
	return (int)n;
}

TEST(oid_table_matches_sources)
{
	static const char *const files[] = { "src/pki/key.c", "src/pki/cert.c" };
	unsigned seen = 0;

	for (unsigned f = 0; f < N(files); f++) {
		FILE *fp = fopen(files[f], "r");
		char line[256], name[64];

		if (!fp) {
			CHECKF(0, "cannot open %s (run from the top of the tree)", files[f]);
			continue;
		}
		while (fgets(line, sizeof line, fp)) {
			unsigned char b[32];
			char *q;
			int n, found = 0;

			if (sscanf(line, "#define %63s", name) != 1 || strncmp(name, "OID_", 4) != 0 ||
			    !(q = strchr(line, '"')))
				continue;
			n = unescape(q + 1, b, sizeof b);
			for (unsigned i = 0; i < N(oids); i++) {
				if (strcmp(oids[i].name, name) != 0)
					continue;
				found = 1;
				CHECKF(n == (int)oids[i].n && !memcmp(b, oids[i].bytes, oids[i].n),
				       "%s: %s differs from the table (%s)", files[f], name, oids[i].dotted);
			}
			CHECKF(found, "%s: %s is not in the table", files[f], name);
			seen++;
		}
		fclose(fp);
	}
	CHECKF(seen == N(oids), "%u OID defines in the sources, %zu in the table", seen, N(oids));
}

/* --- time ------------------------------------------------------------------------------ */

static const struct {
	const char *name;
	long long t;
	const char *want;	/* the contents; NULL: an error */
} times[] = {
	{ "2049-12-31T23:59:59Z: last UTCTime", 2524607999LL, "491231235959Z" },
	{ "2050-01-01T00:00:00Z: first GeneralizedTime", 2524608000LL, "20500101000000Z" },
	{ "1970-01-01T00:00:00Z", 0, "700101000000Z" },
	{ "1970-01-01T00:00:01Z", 1, "700101000001Z" },
	{ "1950-01-01T00:00:00Z: first UTCTime", -631152000LL, "500101000000Z" },
	{ "1949-12-31T23:59:59Z: before UTCTime", -631152001LL, NULL },
	{ "1900-01-01", -2208988800LL, NULL },
	{ "2000-02-29T12:34:56Z: leap day", 951827696LL, "000229123456Z" },
	{ "1999-12-31T23:59:59Z", 946684799LL, "991231235959Z" },
	{ "2000-01-01T00:00:00Z", 946684800LL, "000101000000Z" },
	{ "2038-01-19T03:14:08Z: past 32 bits", 2147483648LL, "380119031408Z" },
	{ "2100-02-28T23:59:59Z", 4107542399LL, "21000228235959Z" },
	{ "2100-03-01: 2100 is no leap year", 4107542400LL, "21000301000000Z" },
	{ "9999-12-31T23:59:59Z: last GeneralizedTime", 253402300799LL, "99991231235959Z" },
	{ "10000-01-01T00:00:00Z", 253402300800LL, NULL },
};

TEST(time_table)
{
	for (unsigned i = 0; i < N(times); i++) {
		unsigned char buf[32], want[32];
		const char *w = times[i].want;
		struct der d;

		der_init(&d, buf, sizeof buf);
		der_time(&d, (time_t)times[i].t);
		if (!w) {
			CHECKF(d.err, "%s: no error", times[i].name);
			continue;
		}
		want[0] = strlen(w) == 13 ? DER_UTCTIME : DER_GENTIME;
		want[1] = (unsigned char)strlen(w);
		memcpy(want + 2, w, strlen(w));
		CHECKF(same_bytes(&d, want, 2 + strlen(w)), "%s", times[i].name);
	}
}

/* --- errors ---------------------------------------------------------------------------- */

/* A certificate-shaped value: growth at two levels, every kind of write. 302 bytes. */
static void sample(struct der *d)
{
	static unsigned char v[250];

	fill(v, sizeof v, 9);
	der_begin(d, DER_SEQUENCE);
	der_begin(d, DER_CTX(0));
	der_small(d, 2);
	der_end(d);
	der_uint(d, (const unsigned char *)"\x80\x01", 2);
	der_begin(d, DER_SEQUENCE);
	der_oid(d, DER_OID_LIT("\x2a\x86\x48\xce\x3d\x04\x03\x02"));
	der_null(d);
	der_end(d);
	der_time(d, 0);
	der_bits(d, v, sizeof v);
	der_bool(d, 1);
	der_raw(d, "\x05\x00", 2);
	der_end(d);
}

/* Every cap short of the whole: err is set, d->len never passes cap, nothing is written
 * past cap; the full cap gives the same bytes as a roomy buffer. */
TEST(overflow_every_cap)
{
	unsigned char ref[512], buf[512 + GUARD];
	struct der d;
	size_t total;

	der_init(&d, ref, sizeof ref);
	sample(&d);
	CHECK(!d.err && d.depth == 0);
	total = d.len;
	CHECKF(total == 302, "sample is %zu bytes", total);
	for (size_t cap = 0; cap <= total; cap++) {
		memset(buf, 0xa5, sizeof buf);
		der_init(&d, buf, cap);
		sample(&d);
		if (cap < total) {
			CHECKF(d.err, "cap %zu: no error", cap);
		} else {
			CHECKF(!d.err && d.len == total && memcmp(buf, ref, total) == 0,
			       "cap %zu: differs", cap);
		}
		CHECKF(d.len <= cap, "cap %zu: len %zu", cap, d.len);
		CHECKF(guard_ok(buf, cap), "cap %zu: wrote past cap", cap);
	}
}

/* Once set, err stays set: later writes that would fit change nothing. */
TEST(overflow_err_sticks)
{
	unsigned char buf[16];
	struct der d;
	size_t len;

	der_init(&d, buf, 4);
	der_prim(&d, DER_OCTET_STRING, "abc", 3);	/* 5 bytes into 4 */
	CHECK(d.err);
	len = d.len;
	der_null(&d);
	der_small(&d, 0);
	der_raw(&d, "", 0);
	der_begin(&d, DER_SEQUENCE);
	der_end(&d);
	CHECK(d.err && d.len == len);
	/* der_init clears it. */
	der_init(&d, buf, 4);
	der_null(&d);
	CHECK(!d.err && d.len == 2);
}

/* der_end growing the length past cap: the contents fit a short-form placeholder but not
 * the long form. */
TEST(overflow_in_der_end)
{
	static unsigned char v[200];
	unsigned char buf[300 + GUARD];
	struct der d;

	/* SEQUENCE { OCTET STRING(200) }: 2 + 3 + 200 while open, 3 + 3 + 200 when closed. */
	for (size_t cap = 205; cap <= 206; cap++) {
		memset(buf, 0xa5, sizeof buf);
		der_init(&d, buf, cap);
		der_begin(&d, DER_SEQUENCE);
		der_prim(&d, DER_OCTET_STRING, v, sizeof v);
		CHECKF(!d.err, "cap %zu: before der_end", cap);
		der_end(&d);
		CHECKF(cap == 205 ? d.err : !d.err && d.len == 206, "cap %zu: err %d len %zu", cap,
		       d.err, d.len);
		CHECKF(guard_ok(buf, cap), "cap %zu: wrote past cap", cap);
	}
}

static void ub_end_first(struct der *d) { der_end(d); }
static void ub_end_twice(struct der *d) { der_begin(d, DER_SEQUENCE); der_end(d); der_end(d); }
static void ub_end_after_prim(struct der *d) { der_null(d); der_end(d); }
static void ub_nested(struct der *d)
{
	der_begin(d, DER_SEQUENCE);
	der_begin(d, DER_SET);
	der_end(d);
	der_end(d);
	der_end(d);
}

TEST(unbalanced_end)
{
	static const struct {
		const char *name;
		void (*write)(struct der *);
	} cases[] = {
		{ "der_end with nothing open", ub_end_first },
		{ "der_end twice", ub_end_twice },
		{ "der_end after a primitive", ub_end_after_prim },
		{ "three der_end for two der_begin", ub_nested },
	};

	for (unsigned i = 0; i < N(cases); i++) {
		unsigned char buf[32];
		struct der d;

		der_init(&d, buf, sizeof buf);
		cases[i].write(&d);
		CHECKF(d.err, "%s: no error", cases[i].name);
		CHECKF(d.depth == 0, "%s: depth %u", cases[i].name, d.depth);
	}
}

/* DER_DEPTH levels are fine (16 SEQUENCEs: 30 1e 30 1c ... 30 00); one more is an error,
 * and closing everything after that does not underflow. */
TEST(depth)
{
	unsigned char buf[64], want[2 * DER_DEPTH];
	struct der d;

	for (unsigned i = 0; i < DER_DEPTH; i++) {
		want[2 * i] = 0x30;
		want[2 * i + 1] = (unsigned char)(2 * (DER_DEPTH - 1 - i));
	}
	der_init(&d, buf, sizeof buf);
	for (unsigned i = 0; i < DER_DEPTH; i++)
		der_begin(&d, DER_SEQUENCE);
	CHECK(!d.err && d.depth == DER_DEPTH);
	for (unsigned i = 0; i < DER_DEPTH; i++)
		der_end(&d);
	CHECK(same_bytes(&d, want, sizeof want));

	der_init(&d, buf, sizeof buf);
	for (unsigned i = 0; i < DER_DEPTH + 1; i++)
		der_begin(&d, DER_SEQUENCE);
	CHECK(d.err);
	CHECK(d.depth <= DER_DEPTH);
	for (unsigned i = 0; i < DER_DEPTH + 1; i++)
		der_end(&d);
	CHECK(d.err && d.depth == 0);
}

/* der_len_encode promises "at most 5" length octets and der_prim keeps the tag and them in
 * a 6-byte array; from 2^32 on it writes 6 (0x85 and five more). A 4 GiB value cannot fit
 * any buffer: it must be an error (err set), not a stack overrun. Each case runs in a child
 * so an ASan report does not end the other tests. */
static int child(int which)
{
	unsigned char out[16], buf[16];
	struct der d;

	close(2);	/* the child's ASan report is noise here: the exit code tells */
	if (which == 0)
		return der_len_encode((size_t)1 << 32, out) <= 5 ? 0 : 3;
	der_init(&d, buf, sizeof buf);
	der_prim(&d, DER_OCTET_STRING, buf, (size_t)1 << 32);
	return d.err ? 0 : 4;
}

TEST(len_encode_huge)
{
	static const char *const what[] = { "der_len_encode(1 << 32) gives at most 5 octets",
					    "der_prim of 4 GiB sets err without overrunning" };

	if (sizeof(size_t) < 8)
		return;
	for (int i = 0; i < 2; i++) {
		pid_t pid;
		int st = 0;

		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(child(i));
		CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
		CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: %s %d", what[i],
		       WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	}
}

int main(void)
{
	RUN(len_encode_table);
	RUN(prim_length_forms);
	RUN(nested_length_forms);
	RUN(nested_siblings_survive_growth);
	RUN(uint_table);
	RUN(uint_big);
	RUN(small_table);
	RUN(simple_table);
	RUN(bits_long);
	RUN(oid_encoder_self_check);
	RUN(oid_table);
	RUN(oid_table_matches_sources);
	RUN(time_table);
	RUN(overflow_every_cap);
	RUN(overflow_err_sticks);
	RUN(overflow_in_der_end);
	RUN(unbalanced_end);
	RUN(depth);
	RUN(len_encode_huge);
	T_EXIT();
}
