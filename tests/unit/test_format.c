/* bundle/format: the sealed trailer (round trips, every single-bit flip, bad fields), the
 * manifest text (good texts that format back to the same bytes, bad texts each with the
 * reason it must give), and dd_hex/dd_unhex/dd_manifest_field_ok. Inputs are copied into
 * buffers of exactly their size so ASan sees any read past the end. */
#include "t.h"

#include <stdint.h>

#include "bundle/format.h"
#include "bundle/imgscan.h"
#include "util/sha256.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* 64 hex digits: three digests to tell apart. */
#define HA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HB "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define HZ "0000000000000000000000000000000000000000000000000000000000000000"
#define HEAD "dockdrop-manifest 1\n"
#define STUB10 "stub 10 " HA "\n"
#define F63 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789."
#define F255 F63 F63 F63 F63 "abc"	/* the longest tag */
#define F64 F63 "x"

/* A copy of n bytes in a buffer of exactly n bytes (at least 1 for malloc). */
static char *exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	if (p && n)
		memcpy(p, s, n);
	return p;
}

/* --- trailer --------------------------------------------------------------------------- */

/* Recompute the seal after editing bytes 0..95 by hand. */
static void reseal(unsigned char t[DD_TRAILER_SIZE])
{
	dd_sha256 c;

	dd_sha256_init(&c);
	dd_sha256_update(&c, t, 96);
	dd_sha256_out(&c, t + 96);
}

static const struct dd_trailer trailers[] = {
	{ 1, 0, 0, 0, 0, 0, 0, { 0 } },
	{ 1, 0, 1, 2, 3, 64, 4, { 1, 2, 3 } },
	{ 1, 0, 712704, 75000000, 1234, 64, 75001426, { 0xde, 0xad, 0xbe, 0xef } },
	{ 1, 0, UINT64_MAX, UINT64_MAX, UINT32_MAX, UINT32_MAX, UINT64_MAX,
	  { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff } },
	{ 1, 0, UINT64_MAX - 1, 1ull << 63, 1u << 31, 0, (1ull << 32) + 1, { [31] = 0x80 } },
	{ 1, 0, 0x0102030405060708ull, 0x1112131415161718ull, 0x21222324, 0x31323334,
	  0x4142434445464748ull, { 9 } },
};

static int trailer_eq(const struct dd_trailer *a, const struct dd_trailer *b)
{
	return a->version == b->version && a->flags == b->flags && a->stub_size == b->stub_size &&
	       a->manifest_off == b->manifest_off && a->manifest_len == b->manifest_len &&
	       a->sig_len == b->sig_len && a->total_size == b->total_size &&
	       memcmp(a->meta_sha256, b->meta_sha256, 32) == 0;
}

TEST(trailer_round_trip)
{
	for (unsigned i = 0; i < N(trailers); i++) {
		unsigned char b[DD_TRAILER_SIZE], again[DD_TRAILER_SIZE];
		struct dd_trailer t;

		memset(&t, 0x5a, sizeof t);
		dd_trailer_encode(&trailers[i], b);
		CHECKF(dd_trailer_decode(b, &t) == 0, "row %u", i);
		CHECKF(trailer_eq(&t, &trailers[i]), "row %u: fields differ", i);
		dd_trailer_encode(&t, again);
		CHECKF(memcmp(b, again, sizeof b) == 0, "row %u: re-encoding differs", i);
	}
}

/* The layout DESIGN.md gives, byte by byte, for one trailer. */
TEST(trailer_layout)
{
	static const unsigned char want[80] = {
		'D', 'O', 'C', 'K', 'D', 'R', 'O', 'P', 0, 0, 0, 1, 0, 0, 0, 0,
		1, 2, 3, 4, 5, 6, 7, 8, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		0x21, 0x22, 0x23, 0x24, 0x31, 0x32, 0x33, 0x34,
		0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 9,
	};
	unsigned char b[DD_TRAILER_SIZE], seal[32];
	dd_sha256 c;

	dd_trailer_encode(&trailers[5], b);
	CHECK(memcmp(b, want, sizeof want) == 0);
	for (int i = 80; i < 96; i++)
		CHECKF(b[i] == 0, "reserved byte %d", i);
	dd_sha256_init(&c);
	dd_sha256_update(&c, b, 96);
	dd_sha256_out(&c, seal);
	CHECK(memcmp(b + 96, seal, 32) == 0);
}

TEST(trailer_every_bit_flip_fails)
{
	unsigned char good[DD_TRAILER_SIZE];
	unsigned bad = 0;

	for (unsigned row = 0; row < N(trailers); row++) {
		dd_trailer_encode(&trailers[row], good);
		for (unsigned bit = 0; bit < DD_TRAILER_SIZE * 8; bit++) {
			unsigned char b[DD_TRAILER_SIZE];
			struct dd_trailer t;

			memcpy(b, good, sizeof b);
			b[bit / 8] ^= (unsigned char)(1u << (bit % 8));
			if (dd_trailer_decode(b, &t) == 0) {
				bad++;
				CHECKF(0, "row %u: bit %u flipped still decodes", row, bit);
			}
		}
	}
	CHECK(bad == 0);
}

/* Sealed properly, yet not acceptable. edit changes bytes 0..95 before resealing. */
static void ed_magic_case(unsigned char *b) { b[0] = 'd'; }
static void ed_magic_last(unsigned char *b) { b[7] = 'Q'; }
static void ed_magic_zero(unsigned char *b) { memset(b, 0, 8); }
static void ed_version0(unsigned char *b) { b[11] = 0; }
static void ed_version2(unsigned char *b) { b[11] = 2; }
static void ed_version_hi(unsigned char *b) { b[8] = 1; }
static void ed_flags1(unsigned char *b) { b[15] = 1; }
static void ed_flags_hi(unsigned char *b) { b[12] = 0x80; }
static void ed_reserved_first(unsigned char *b) { b[80] = 1; }
static void ed_reserved_last(unsigned char *b) { b[95] = 0x80; }
static void ed_reserved_all(unsigned char *b) { memset(b + 80, 0xff, 16); }
static void ed_seal_zero(unsigned char *b) { (void)b; }

TEST(trailer_bad_fields)
{
	static const struct {
		const char *name;
		void (*edit)(unsigned char *);
		int reseal;
	} cases[] = {
		{ "magic lowercase", ed_magic_case, 1 },
		{ "magic last byte", ed_magic_last, 1 },
		{ "magic zero", ed_magic_zero, 1 },
		{ "version 0", ed_version0, 1 },
		{ "version 2", ed_version2, 1 },
		{ "version 0x01000001", ed_version_hi, 1 },
		{ "flags 1", ed_flags1, 1 },
		{ "flags 0x80000000", ed_flags_hi, 1 },
		{ "reserved byte 80", ed_reserved_first, 1 },
		{ "reserved byte 95", ed_reserved_last, 1 },
		{ "reserved all 0xff", ed_reserved_all, 1 },
		{ "seal all zero", ed_seal_zero, 0 },
	};

	for (unsigned i = 0; i < N(cases); i++) {
		unsigned char b[DD_TRAILER_SIZE];
		struct dd_trailer t;

		dd_trailer_encode(&trailers[2], b);
		cases[i].edit(b);
		if (cases[i].reseal)
			reseal(b);
		else
			memset(b + 96, 0, 32);
		CHECKF(dd_trailer_decode(b, &t) == -1, "%s decodes", cases[i].name);
	}
	/* The same fields set through the struct, which encode seals faithfully. */
	{
		struct dd_trailer t = trailers[1], out;
		unsigned char b[DD_TRAILER_SIZE];

		t.version = 2;
		dd_trailer_encode(&t, b);
		CHECK(dd_trailer_decode(b, &out) == -1);
		t.version = 1;
		t.flags = 4;
		dd_trailer_encode(&t, b);
		CHECK(dd_trailer_decode(b, &out) == -1);
		/* All zero: no magic. */
		memset(b, 0, sizeof b);
		CHECK(dd_trailer_decode(b, &out) == -1);
	}
}

/* --- manifest: good ------------------------------------------------------------------- */

#define BLOB1_GOOD "blob engine docker 1.0 x86_64 10 5 " HA "\n"
static const struct {
	const char *text;
	unsigned nblobs;
	const char *canon;	/* what format gives back; NULL: the same bytes */
} good[] = {
	{ HEAD STUB10 "blob engine docker 1.0 x86_64 10 5 " HA "\n", 1, NULL },
	{ HEAD "stub 1 " HZ "\nblob a b c d 1 1 " HB "\n", 1, NULL },
	{ HEAD STUB10 "blob engine docker 20.10.24 x86_64 10 75000000 " HA "\n"
	  "blob index docker 20.10.24 x86_64 75000010 98432 " HB "\n"
	  "blob image library/alpine 3.19 - 75098442 3400000 " HZ "\n", 3, NULL },
	/* Every allowed field character, and 63-byte fields. */
	{ HEAD STUB10 "blob ._:@+/- AZaz09 v1.2-rc.3+git@x a/b:c " "10 1 " HA "\n", 1, NULL },
	{ HEAD STUB10 "blob " F63 " " F63 " " F63 " " F63 " 10 1 " HA "\n", 1, NULL },
	/* The biggest numbers: a blob ending exactly at 2^64-1. */
	{ HEAD "stub 18446744073709551614 " HA "\n"
	  "blob k n v a 18446744073709551614 1 " HB "\n", 1, NULL },
	{ HEAD "stub 1 " HA "\nblob k n v a 1 18446744073709551614 " HB "\n", 1, NULL },
	/* Uppercase hex is accepted; format writes it back in lowercase. */
	{ HEAD "stub 10 0123456789ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef\n"
	  "blob k n v a 10 1 FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\n", 1,
	  HEAD STUB10 "blob k n v a 10 1 " HB "\n" },
	/* 16 blobs, the most. */
	{ HEAD STUB10
	  "blob k n0 v a 10 1 " HA "\n" "blob k n1 v a 11 1 " HA "\n"
	  "blob k n2 v a 12 1 " HA "\n" "blob k n3 v a 13 1 " HA "\n"
	  "blob k n4 v a 14 1 " HA "\n" "blob k n5 v a 15 1 " HA "\n"
	  "blob k n6 v a 16 1 " HA "\n" "blob k n7 v a 17 1 " HA "\n"
	  "blob k n8 v a 18 1 " HA "\n" "blob k n9 v a 19 1 " HA "\n"
	  "blob k n10 v a 20 1 " HA "\n" "blob k n11 v a 21 1 " HA "\n"
	  "blob k n12 v a 22 1 " HA "\n" "blob k n13 v a 23 1 " HA "\n"
	  "blob k n14 v a 24 1 " HA "\n" "blob k n15 v a 25 100 " HA "\n", 16, NULL },
	/* Parts: what a blob is built from, after it (issue 12: the carried iptables). */
	{ HEAD STUB10 "blob engine docker 20.10.24 x86_64 10 75000000 " HA "\n"
	  "blob tools iptables 1.8.9 x86_64 75000010 900000 " HB "\n"
	  "part iptables 1.8.9 1.8.9-2 GPL-2.0-or-later " HA "\n"
	  "part libnftnl 1.2.4 1.2.4-2 GPL-2.0-or-later " HB "\n"
	  "part libmnl 1.0.4 1.0.4-3 LGPL-2.1-or-later " HZ "\n"
	  "blob image busybox latest - 75900010 10 " HZ "\n"
	  "part busybox 1.35.0 1:1.35.0-4 GPL-2.0-only " HA "\n", 3, NULL },
	/* A plugin stored gzip-compressed: the program's own length and digest (issue 13). */
	{ HEAD STUB10 "blob engine docker 20.10.24 x86_64 10 75000000 " HA "\n"
	  "blob plugin docker-compose 2.26.1-4 x86_64 75000010 19350792 " HB "\n"
	  "raw 64288304 " HZ "\n", 2, NULL },
	/* Refs: the images an image blob holds, one per tag ("-": untagged), after its parts. */
	{ HEAD STUB10 "blob engine docker 20.10.24 x86_64 10 5 " HA "\n"
	  "blob image busybox latest - 15 10 " HZ "\n"
	  "part busybox 1.35.0 1:1.35.0-4 GPL-2.0-only " HA "\n"
	  "ref " HB " busybox:latest\n" "ref " HB " reg.example:5000/team/busybox:1.35\n"
	  "blob image image2 - - 25 1 " HZ "\n" "ref " HA " -\n", 3, NULL },
	{ HEAD STUB10 "blob image x - - 10 1 " HZ "\n" "ref " HA " " F255 "\n", 1, NULL },
	/* The stub's parts: what it is built from, before the first blob (issue 15), and the
	 * engine's Debian sources ('~' in Debian versions). */
	{ HEAD STUB10 "part musl 1.2.3 1.2.3-1 MIT " HA "\n"
	  "part zlib 1.2.13 1:1.2.13.dfsg-1 Zlib " HB "\n"
	  "blob engine docker 20.10.24 x86_64 10 5 " HA "\n"
	  "part containerd 1.6.20 1.6.20~ds1-1+deb12u3 Apache-2.0 " HZ "\n"
	  "part docker.io:cli 20.10.24 20.10.24+dfsg1-1+deb12u1 Apache-2.0 " HA "\n", 1, NULL },
	{ HEAD STUB10 "part a 1 1 MIT " HA "\n" BLOB1_GOOD, 1, NULL },
};

static int manifest_eq(const struct dd_manifest *a, const struct dd_manifest *b)
{
	if (a->stub_size != b->stub_size || a->nblobs != b->nblobs || a->nparts != b->nparts ||
	    memcmp(a->stub_sha256, b->stub_sha256, 32))
		return 0;
	for (unsigned i = 0; i < a->nparts; i++) {
		const struct dd_part *x = &a->part[i], *y = &b->part[i];

		if (x->blob != y->blob || strcmp(x->name, y->name) || strcmp(x->version, y->version) ||
		    strcmp(x->debver, y->debver) || strcmp(x->license, y->license) ||
		    memcmp(x->sha256, y->sha256, 32))
			return 0;
	}
	if (a->nrefs != b->nrefs)
		return 0;
	for (unsigned i = 0; i < a->nrefs; i++)
		if (a->ref[i].blob != b->ref[i].blob || strcmp(a->ref[i].tag, b->ref[i].tag) ||
		    memcmp(a->ref[i].config, b->ref[i].config, 32))
			return 0;
	for (unsigned i = 0; i < a->nblobs; i++) {
		const struct dd_blob *x = &a->blob[i], *y = &b->blob[i];

		if (strcmp(x->kind, y->kind) || strcmp(x->name, y->name) ||
		    strcmp(x->version, y->version) || strcmp(x->arch, y->arch) || x->off != y->off ||
		    x->len != y->len || memcmp(x->sha256, y->sha256, 32) || x->raw_len != y->raw_len ||
		    memcmp(x->raw_sha256, y->raw_sha256, 32))
			return 0;
	}
	return 1;
}

static struct dd_manifest m1, m2;
static char out[DD_MANIFEST_MAX + 1];

TEST(manifest_good_round_trip)
{
	for (unsigned i = 0; i < N(good); i++) {
		const char *want = good[i].canon ? good[i].canon : good[i].text;
		size_t n = strlen(good[i].text), k;
		char *in = exact(good[i].text, n), err[200] = "";

		CHECKF(dd_manifest_parse(in, n, &m1, err, sizeof err) == 0, "row %u: %s", i, err);
		CHECKF(m1.nblobs == good[i].nblobs, "row %u: %u blobs", i, m1.nblobs);
		k = dd_manifest_format(&m1, out, sizeof out);
		CHECKF(k == strlen(want) && memcmp(out, want, k) == 0 && out[k] == 0,
		       "row %u: formats as\n%s", i, out);
		/* And the formatted text parses to the same struct. */
		CHECKF(dd_manifest_parse(out, k, &m2, err, sizeof err) == 0, "row %u again: %s", i, err);
		CHECKF(manifest_eq(&m1, &m2), "row %u: reparse differs", i);
		free(in);
	}
}

/* A few fields checked one by one (row 2: engine, index, image). */
TEST(manifest_fields)
{
	const char *t = good[2].text;
	char err[200] = "";
	unsigned char ha[32];

	CHECK(dd_unhex(HA, ha, 32) == 0);
	CHECK(dd_manifest_parse(t, strlen(t), &m1, err, sizeof err) == 0);
	CHECK(m1.stub_size == 10 && memcmp(m1.stub_sha256, ha, 32) == 0);
	CHECK(m1.nblobs == 3);
	CHECK(!strcmp(m1.blob[0].kind, "engine") && !strcmp(m1.blob[0].name, "docker"));
	CHECK(!strcmp(m1.blob[0].version, "20.10.24") && !strcmp(m1.blob[0].arch, "x86_64"));
	CHECK(m1.blob[0].off == 10 && m1.blob[0].len == 75000000);
	CHECK(!strcmp(m1.blob[1].kind, "index") && m1.blob[1].off == 75000010);
	CHECK(m1.blob[1].len == 98432 && m1.blob[1].sha256[0] == 0xff);
	CHECK(!strcmp(m1.blob[2].name, "library/alpine") && !strcmp(m1.blob[2].arch, "-"));
	CHECK(m1.blob[2].off + m1.blob[2].len == 78498442);
}

/* Every output size short of the text fails with 0 and writes only inside the buffer. */
TEST(manifest_format_short_buffer)
{
	const char *t = good[2].text;
	size_t n = strlen(t);
	char err[200];

	CHECK(dd_manifest_parse(t, n, &m1, err, sizeof err) == 0);
	for (size_t sz = 1; sz <= n + 1; sz++) {
		char *buf = malloc(sz);
		size_t k = dd_manifest_format(&m1, buf, sz);

		if (sz <= n)
			CHECKF(k == 0, "size %zu: %zu", sz, k);
		else
			CHECKF(k == n && memcmp(buf, t, n) == 0, "size %zu: %zu", sz, k);
		free(buf);
	}
}

/* --- manifest: bad -------------------------------------------------------------------- */

#define BLOB1 "blob engine docker 1.0 x86_64 10 5 " HA "\n"
#define NOTM "line 1: not a dockdrop manifest of version 1"

static const struct {
	const char *name;
	const char *text;
	size_t n;		/* 0: strlen(text) */
	const char *why;	/* a fragment of err */
} bad[] = {
	{ "empty text", "", 0, "line 0: no blobs" },
	{ "only header", HEAD, 0, "line 1: no blobs" },
	{ "header and stub", HEAD STUB10, 0, "line 2: no blobs" },
	{ "wrong header word", "dockdrop-manifesto 1\n" STUB10 BLOB1, 0, NOTM },
	{ "header without version", "dockdrop-manifest\n" STUB10 BLOB1, 0, NOTM },
	{ "version 2", "dockdrop-manifest 2\n" STUB10 BLOB1, 0, NOTM },
	{ "version 01", "dockdrop-manifest 01\n" STUB10 BLOB1, 0, NOTM },
	{ "header uppercase", "DOCKDROP-MANIFEST 1\n" STUB10 BLOB1, 0, NOTM },
	{ "header trailing space", "dockdrop-manifest 1 \n" STUB10 BLOB1, 0, NOTM },
	{ "header leading space", " dockdrop-manifest 1\n" STUB10 BLOB1, 0, NOTM },
	{ "missing final newline", HEAD STUB10 "blob engine docker 1.0 x86_64 10 5 " HA, 0,
	  "line 3: no final newline" },
	{ "header only, no newline", "dockdrop-manifest 1", 0, "line 1: no final newline" },
	{ "CRLF header", "dockdrop-manifest 1\r\n" STUB10 BLOB1, 0, NOTM },
	{ "CRLF stub", HEAD "stub 10 " HA "\r\n" BLOB1, 0, "line 2: bad stub record" },
	{ "CRLF blob", HEAD STUB10 "blob engine docker 1.0 x86_64 10 5 " HA "\r\n", 0,
	  "line 3: bad blob record" },
	{ "double space in blob", HEAD STUB10 "blob engine  docker 1.0 x86_64 10 5 " HA "\n", 0,
	  "line 3: bad record" },
	{ "double space in stub", HEAD "stub  10 " HA "\n" BLOB1, 0, "line 2: bad stub record" },
	{ "trailing space on blob", HEAD STUB10 "blob engine docker 1.0 x86_64 10 5 " HA " \n", 0,
	  "line 3: bad record" },
	{ "trailing space on stub", HEAD "stub 10 " HA " \n" BLOB1, 0, "line 2: bad stub record" },
	{ "leading space on blob", HEAD STUB10 " blob engine docker 1.0 x86_64 10 5 " HA "\n", 0,
	  "line 3: bad record" },
	{ "tab separator", HEAD STUB10 "blob\tengine docker 1.0 x86_64 10 5 " HA "\n", 0,
	  "line 3: bad record" },
	{ "tab in a field", HEAD STUB10 "blob engine dock\ter 1.0 x86_64 10 5 " HA "\n", 0,
	  "line 3: bad blob record" },
	{ "NUL byte in blob", HEAD STUB10 "blob engine dock\0r 1.0 x86_64 10 5 " HA "\n",
	  sizeof(HEAD STUB10 "blob engine dock\0r 1.0 x86_64 10 5 " HA "\n") - 1,
	  "line 3: too long or has a NUL byte" },
	{ "NUL byte in header", "dockdrop-manifest 1\0\n" STUB10 BLOB1,
	  sizeof("dockdrop-manifest 1\0\n" STUB10 BLOB1) - 1, "line 1: too long or has a NUL" },
	{ "leading zero stub", HEAD "stub 010 " HA "\n" BLOB1, 0, "line 2: bad stub record" },
	{ "leading zero offset", HEAD STUB10 "blob engine docker 1.0 x86_64 010 5 " HA "\n", 0,
	  "line 3: bad blob record" },
	{ "leading zero length", HEAD STUB10 "blob engine docker 1.0 x86_64 10 05 " HA "\n", 0,
	  "line 3: bad blob record" },
	{ "plus sign", HEAD STUB10 "blob engine docker 1.0 x86_64 +10 5 " HA "\n", 0,
	  "line 3: bad blob record" },
	{ "minus sign", HEAD STUB10 "blob engine docker 1.0 x86_64 10 -5 " HA "\n", 0,
	  "line 3: bad blob record" },
	{ "hex number", HEAD STUB10 "blob engine docker 1.0 x86_64 0xa 5 " HA "\n", 0,
	  "line 3: bad blob record" },
	{ "empty number", HEAD "stub  " HA "\n" BLOB1, 0, "line 2: bad stub record" },
	{ "stub size overflow", HEAD "stub 18446744073709551616 " HA "\n" BLOB1, 0,
	  "line 2: bad stub record" },
	{ "length overflow", HEAD STUB10 "blob k n v a 10 18446744073709551616 " HA "\n", 0,
	  "line 3: bad blob record" },
	{ "offset overflow, 21 digits", HEAD STUB10 "blob k n v a 100000000000000000000 1 " HA "\n",
	  0, "line 3: bad blob record" },
	{ "blob end past 2^64", HEAD "stub 18446744073709551615 " HA "\n"
	  "blob k n v a 18446744073709551615 1 " HA "\n", 0, "line 3: blob is not where" },
	{ "stub size 0", HEAD "stub 0 " HA "\n" "blob k n v a 0 5 " HA "\n", 0,
	  "line 2: bad stub record" },
	{ "length 0", HEAD STUB10 "blob engine docker 1.0 x86_64 10 0 " HA "\n", 0,
	  "line 3: bad blob record" },
	{ "first blob not at the stub end", HEAD STUB10 "blob k n v a 0 10 " HA "\n", 0,
	  "line 3: blob is not where the previous one ends" },
	{ "first blob after a gap", HEAD STUB10 "blob k n v a 11 10 " HA "\n", 0,
	  "line 3: blob is not where the previous one ends" },
	{ "non-contiguous blobs", HEAD STUB10 "blob k n v a 10 5 " HA "\n"
	  "blob k m v a 16 5 " HA "\n", 0, "line 4: blob is not where the previous one ends" },
	{ "overlapping blobs", HEAD STUB10 "blob k n v a 10 5 " HA "\n"
	  "blob k m v a 14 5 " HA "\n", 0, "line 4: blob is not where the previous one ends" },
	{ "stub hex 63 digits", HEAD "stub 10 " "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde" "\n" BLOB1,
	  0, "line 2: bad stub record" },
	{ "stub hex 65 digits", HEAD "stub 10 " HA "0\n" BLOB1, 0, "line 2: bad stub record" },
	{ "blob hex 63 digits", HEAD STUB10 "blob k n v a 10 5 " "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde" "\n",
	  0, "line 3: bad blob record" },
	{ "blob hex 65 digits", HEAD STUB10 "blob k n v a 10 5 " HA "f\n", 0,
	  "line 3: bad blob record" },
	{ "blob hex with g", HEAD STUB10 "blob k n v a 10 5 g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", 0,
	  "line 3: bad blob record" },
	{ "kind with space", HEAD STUB10 "blob en gine docker 1.0 x86_64 10 5 " HA "\n", 0,
	  "line 3: bad record" },
	{ "kind with quote", HEAD STUB10 "blob \"engine\" docker 1.0 x86_64 10 5 " HA "\n", 0,
	  "line 3: bad blob record" },
	{ "name with backslash", HEAD STUB10 "blob engine dock\\er 1.0 x86_64 10 5 " HA "\n", 0,
	  "line 3: bad blob record" },
	{ "version non-ASCII", HEAD STUB10 "blob engine docker 1.0\xc3\xa9 x86_64 10 5 " HA "\n", 0,
	  "line 3: bad blob record" },
	{ "arch with DEL", HEAD STUB10 "blob engine docker 1.0 x86\x7f 10 5 " HA "\n", 0,
	  "line 3: bad blob record" },
	{ "arch with comma", HEAD STUB10 "blob engine docker 1.0 x86,64 10 5 " HA "\n", 0,
	  "line 3: bad blob record" },
	{ "64-byte kind", HEAD STUB10 "blob " F64 " n v a 10 5 " HA "\n", 0, "line 3: bad blob record" },
	{ "64-byte arch", HEAD STUB10 "blob k n v " F64 " 10 5 " HA "\n", 0, "line 3: bad blob record" },
	{ "17 blobs", HEAD STUB10
	  "blob k n v a 10 1 " HA "\n" "blob k n v a 11 1 " HA "\n" "blob k n v a 12 1 " HA "\n"
	  "blob k n v a 13 1 " HA "\n" "blob k n v a 14 1 " HA "\n" "blob k n v a 15 1 " HA "\n"
	  "blob k n v a 16 1 " HA "\n" "blob k n v a 17 1 " HA "\n" "blob k n v a 18 1 " HA "\n"
	  "blob k n v a 19 1 " HA "\n" "blob k n v a 20 1 " HA "\n" "blob k n v a 21 1 " HA "\n"
	  "blob k n v a 22 1 " HA "\n" "blob k n v a 23 1 " HA "\n" "blob k n v a 24 1 " HA "\n"
	  "blob k n v a 25 1 " HA "\n" "blob k n v a 26 1 " HA "\n", 0,
	  "line 19: more than 16 blobs" },
	{ "blob before stub", HEAD BLOB1 STUB10, 0, "line 2: bad stub record" },
	{ "a stub part with a bad field", HEAD STUB10 "part a 1 1 MIT,BSD " HA "\n" BLOB1, 0,
	  "line 3: bad part record" },
	{ "raw after a stub part", HEAD STUB10 "part a 1 1 MIT " HA "\nraw 5 " HA "\n" BLOB1, 0,
	  "line 4: bad raw record" },
	{ "ref after a stub part", HEAD STUB10 "part a 1 1 MIT " HA "\nref " HA " x:1\n" BLOB1, 0,
	  "line 4: a ref not after an image blob" },
	{ "stub part before the stub", HEAD "part a 1 1 MIT " HA "\n" STUB10 BLOB1, 0,
	  "line 2: bad stub record" },
	{ "stub parts only", HEAD STUB10 "part a 1 1 MIT " HA "\n", 0, "line 3: no blobs" },
	{ "part with five fields", HEAD STUB10 BLOB1 "part a 1 1 " HA "\n", 0, "line 4: bad record" },
	{ "part with seven fields", HEAD STUB10 BLOB1 "part a 1 1 MIT x " HA "\n", 0,
	  "line 4: bad record" },
	{ "part hex short", HEAD STUB10 BLOB1 "part a 1 1 MIT 0123\n", 0, "line 4: bad part record" },
	{ "part licence with comma", HEAD STUB10 BLOB1 "part a 1 1 MIT,BSD " HA "\n", 0,
	  "line 4: bad part record" },
	{ "17 parts", HEAD STUB10 BLOB1
	  "part a 1 1 M " HA "\n" "part a 1 1 M " HA "\n" "part a 1 1 M " HA "\n" "part a 1 1 M " HA "\n"
	  "part a 1 1 M " HA "\n" "part a 1 1 M " HA "\n" "part a 1 1 M " HA "\n" "part a 1 1 M " HA "\n"
	  "part a 1 1 M " HA "\n" "part a 1 1 M " HA "\n" "part a 1 1 M " HA "\n" "part a 1 1 M " HA "\n"
	  "part a 1 1 M " HA "\n" "part a 1 1 M " HA "\n" "part a 1 1 M " HA "\n" "part a 1 1 M " HA "\n"
	  "part a 1 1 M " HA "\n", 0, "line 20: more than 16 parts" },
	{ "two stub records", HEAD STUB10 STUB10 BLOB1, 0, "line 3: bad record" },
	{ "unknown record", HEAD STUB10 BLOB1 "note hello\n", 0, "line 4: bad record" },
	{ "blank line at the end", HEAD STUB10 BLOB1 "\n", 0, "line 4: bad record" },
	{ "blank line first", "\n" HEAD STUB10 BLOB1, 0, NOTM },
	{ "seven blob fields", HEAD STUB10 "blob engine docker 1.0 10 5 " HA "\n", 0,
	  "line 3: bad record" },
	{ "nine blob fields", HEAD STUB10 "blob engine docker 1.0 x86_64 10 5 " HA " x\n", 0,
	  "line 3: bad record" },
	{ "line of 575 bytes", HEAD STUB10 "blob k n v a 10 5 " HA
	  "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	  "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
	  "\n", 0, "line 3: too long" },
	{ "raw before any blob", HEAD STUB10 "raw 5 " HA "\n" BLOB1, 0, "line 3: bad raw record" },
	{ "raw twice", HEAD STUB10 BLOB1 "raw 5 " HA "\nraw 5 " HA "\n", 0, "line 5: bad raw record" },
	{ "raw of length 0", HEAD STUB10 BLOB1 "raw 0 " HA "\n", 0, "line 4: bad raw record" },
	{ "raw with a short digest", HEAD STUB10 BLOB1 "raw 5 abc\n", 0, "line 4: bad raw record" },
	/* raw right after its blob, as written: anywhere else the text would not be the one
	 * format gives (fuzz_payload) */
	{ "raw after a part", HEAD STUB10 BLOB1 "part a 1 1 MIT " HA "\nraw 5 " HA "\n", 0, "line 5: bad raw record" },
	{ "raw after a ref", HEAD STUB10 "blob image x - - 10 1 " HZ "\n" "ref " HA " x:1\nraw 5 " HA "\n", 0,
	  "line 5: bad raw record" },
	{ "ref before any blob", HEAD STUB10 "ref " HA " x:1\n" BLOB1, 0, "line 3: a ref not after an image blob" },
	{ "ref after an engine", HEAD STUB10 BLOB1 "ref " HA " x:1\n", 0, "line 4: a ref not after an image blob" },
	{ "ref with a 256-byte tag", HEAD STUB10 "blob image x - - 10 1 " HZ "\n" "ref " HA " " F255 "x\n", 0,
	  "line 4: bad ref record" },
	{ "ref with a space in its tag", HEAD STUB10 "blob image x - - 10 1 " HZ "\n" "ref " HA " a b\n", 0,
	  "line 4: bad record" },
	{ "ref with a short digest", HEAD STUB10 "blob image x - - 10 1 " HZ "\n" "ref abc x:1\n", 0,
	  "line 4: bad ref record" },
	{ "ref without a tag", HEAD STUB10 "blob image x - - 10 1 " HZ "\n" "ref " HA "\n", 0,
	  "line 4: bad record" },
	{ "part after a ref", HEAD STUB10 "blob image x - - 10 1 " HZ "\n" "ref " HA " x:1\n"
	  "part busybox 1.35.0 1:1.35.0-4 GPL-2.0-only " HA "\n", 0, "line 5: a part after a ref" },
};

TEST(manifest_bad)
{
	for (unsigned i = 0; i < N(bad); i++) {
		size_t n = bad[i].n ? bad[i].n : strlen(bad[i].text);
		char *in = exact(bad[i].text, n), err[200] = "";

		memset(&m1, 0x5a, sizeof m1);
		CHECKF(dd_manifest_parse(in, n, &m1, err, sizeof err) == -1, "%s: accepted", bad[i].name);
		CHECKF(strstr(err, bad[i].why) != NULL, "%s: err \"%s\", want \"%s\"", bad[i].name, err,
		       bad[i].why);
		CHECKF(strncmp(err, "manifest line ", 14) == 0, "%s: err \"%s\"", bad[i].name, err);
		free(in);
	}
}

/* The 512-byte line above really is 512 bytes, and 511 is the most a line may have: the
 * same line one byte shorter fails for its content, not its length. */
TEST(manifest_line_length_edge)
{
	char line[600], text[800], err[200] = "";
	size_t n;

	memset(line, 'x', sizeof line);
	for (size_t len = 510; len <= 513; len++) {
		memcpy(line, "blob k n v a 10 5 ", 18);
		line[len] = 0;
		n = (size_t)snprintf(text, sizeof text, HEAD STUB10 "%s\n", line);
		CHECK(dd_manifest_parse(text, n, &m1, err, sizeof err) == -1);
		CHECKF(strstr(err, len <= 511 ? "bad blob record" : "too long") != NULL,
		       "line of %zu: %s", len, err);
		line[len] = 'x';
	}
}

TEST(manifest_over_max)
{
	static char big[DD_MANIFEST_MAX + 2];
	char err[200] = "";
	size_t n = strlen(good[0].text);

	/* The good text padded to DD_MANIFEST_MAX + 1 bytes: refused for its size alone. */
	memset(big, 'x', sizeof big);
	memcpy(big, good[0].text, n);
	CHECK(dd_manifest_parse(big, DD_MANIFEST_MAX + 1, &m1, err, sizeof err) == -1);
	CHECKF(strstr(err, "over 16384 bytes") != NULL, "%s", err);
}

/* A tiny or empty err buffer is never overrun; the message is cut, terminated. */
TEST(manifest_small_err)
{
	const char *t = bad[3].text;

	for (size_t sz = 1; sz < 64; sz++) {
		char *err = malloc(sz);

		CHECK(dd_manifest_parse(t, strlen(t), &m1, err, sz) == -1);
		CHECKF(strlen(err) == sz - 1 || strstr(err, "version 1"), "size %zu", sz);
		free(err);
	}
	CHECK(dd_manifest_parse(t, strlen(t), &m1, NULL, 0) == -1);
}

/* --- hex and fields -------------------------------------------------------------------- */

/* --- docker save's manifest.json (bundle/imgscan.h) ------------------------------------ */
#define CJ "\"Config\":\"" HA ".json\""
#define CB "\"Config\":\"blobs/sha256/" HB "\""

TEST(imgjson)
{
	static const struct {
		const char *json;
		int n;		/* refs, or -1: refused */
		const char *tags;	/* the tags, space-separated */
	} rows[] = {
		{ "[{" CJ ",\"RepoTags\":[\"busybox:latest\"],\"Layers\":[\"x/layer.tar\"]}]", 1, "busybox:latest" },
		{ "[{" CB ",\"RepoTags\":[\"a:1\",\"r.example:5000/b/c:2\"]}]", 2, "a:1 r.example:5000/b/c:2" },
		{ "[{" CJ ",\"RepoTags\":null},{" CB ",\"RepoTags\":[]},{" CJ "}]", 3, "- - -" },
		{ " [ {" CJ ", \"RepoTags\" : [ \"x:1\" ] } ]\n", 1, "x:1" },
		{ "[]", -1, NULL },
		{ "{" CJ "}", -1, NULL },
		{ "[{\"RepoTags\":[\"x:1\"]}]", -1, NULL },
		{ "[{\"Config\":\"c.json\"}]", -1, NULL },
		{ "[{\"Config\":\"" HA ".jsonx\"}]", -1, NULL },
		{ "[{\"Config\":\"blobs/sha512/" HA "\"}]", -1, NULL },
		{ "[{\"Config\":\"" HA "\"}]", -1, NULL },
		{ "[{\"Config\":\"" HA "0.json\"}]", -1, NULL },
		{ "[{\"Config\":7}]", -1, NULL },
		{ "[{" CJ ",\"RepoTags\":\"x:1\"}]", -1, NULL },
		{ "[{" CJ ",\"RepoTags\":[\"a b\"]}]", -1, NULL },
		{ "[{" CJ ",\"RepoTags\":[\"-\"]}]", -1, NULL },
		{ "[{" CJ ",\"RepoTags\":[\"\"]}]", -1, NULL },
		{ "[{" CJ ",\"RepoTags\":[\"a\\u0000b\"]}]", -1, NULL },
		{ "[{" CJ ",\"RepoTags\":[1]}]", -1, NULL },
		{ "[{" CJ "," CJ "}]", -1, NULL },
		{ "[{" CJ "}", -1, NULL },
		{ "[{" CJ "}] x", -1, NULL },
		{ "[7]", -1, NULL },
	};
	struct dd_ref r[4];

	for (unsigned i = 0; i < N(rows); i++) {
		unsigned n = 99;
		int rc = dd_imgjson_parse(rows[i].json, strlen(rows[i].json), r, 4, &n);
		char tags[600] = "";

		CHECKF(rows[i].n < 0 ? rc == -1 && n == 0 : rc == 0 && n == (unsigned)rows[i].n,
		       "row %u: rc %d, %u refs", i, rc, n);
		for (unsigned j = 0; rc == 0 && j < n; j++)
			snprintf(tags + strlen(tags), sizeof tags - strlen(tags), "%s%s", j ? " " : "", r[j].tag);
		if (rc == 0)
			CHECKF(!strcmp(tags, rows[i].tags), "row %u: %s", i, tags);
	}
	/* The config's digest from either name; more refs than the bound: refused. */
	CHECK(dd_imgjson_parse(rows[1].json, strlen(rows[1].json), r, 4, &(unsigned){ 0 }) == 0 &&
	      r[0].config[0] == 0xff && r[1].config[31] == 0xff);
	CHECK(dd_imgjson_parse(rows[0].json, strlen(rows[0].json), r, 4, &(unsigned){ 0 }) == 0 &&
	      r[0].config[0] == 0x01 && r[0].config[31] == 0xef);
	CHECK(dd_imgjson_parse(rows[2].json, strlen(rows[2].json), r, 2, &(unsigned){ 0 }) == -1);
}

TEST(hex_round_trip)
{
	static const struct {
		unsigned char b[8];
		size_t n;
		const char *hex;
	} cases[] = {
		{ { 0 }, 0, "" },
		{ { 0 }, 1, "00" },
		{ { 0xff }, 1, "ff" },
		{ { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef }, 8, "0123456789abcdef" },
		{ { 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 }, 8, "fedcba9876543210" },
		{ { 0x0a, 0xa0 }, 2, "0aa0" },
	};

	for (unsigned i = 0; i < N(cases); i++) {
		char hex[17];
		unsigned char back[8];
		char *in = exact(cases[i].hex, strlen(cases[i].hex) + 1);

		memset(hex, '?', sizeof hex);
		dd_hex(cases[i].b, cases[i].n, hex);
		CHECKF(strcmp(hex, cases[i].hex) == 0, "row %u: %s", i, hex);
		memset(back, 0x77, sizeof back);
		CHECKF(dd_unhex(in, back, cases[i].n) == 0, "row %u", i);
		CHECKF(memcmp(back, cases[i].b, cases[i].n) == 0, "row %u: bytes", i);
		free(in);
	}
	/* All 256 byte values both ways, upper and lower case. */
	{
		unsigned char all[256], back[256];
		char hex[513];

		for (int i = 0; i < 256; i++)
			all[i] = (unsigned char)i;
		dd_hex(all, 256, hex);
		CHECK(strlen(hex) == 512);
		CHECK(dd_unhex(hex, back, 256) == 0 && memcmp(all, back, 256) == 0);
		for (int i = 0; i < 512; i++)
			if (hex[i] >= 'a')
				hex[i] = (char)(hex[i] - 'a' + 'A');
		CHECK(dd_unhex(hex, back, 256) == 0 && memcmp(all, back, 256) == 0);
	}
}

TEST(unhex_rejects)
{
	static const struct {
		const char *s;
		size_t n;
	} cases[] = {
		{ "", 1 }, { "0", 1 }, { "000", 1 }, { "0g", 1 }, { "g0", 1 }, { " 00", 1 },
		{ "00 ", 1 }, { "0x", 1 }, { "-1", 1 }, { "0", 0 }, { "00", 0 }, { "00112", 2 },
		{ "001", 2 }, { "0011\n", 2 }, { "\xc3\xbf", 1 }, { "0:", 1 }, { "/0", 1 }, { "@0", 1 },
		{ "`0", 1 }, { "G0", 1 }, { "0123456789abcdeF0", 8 },
	};

	for (unsigned i = 0; i < N(cases); i++) {
		unsigned char b[8];
		char *in = exact(cases[i].s, strlen(cases[i].s) + 1);

		CHECKF(dd_unhex(in, b, cases[i].n) == -1, "\"%s\" n=%zu accepted", cases[i].s,
		       cases[i].n);
		free(in);
	}
}

TEST(field_ok)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
		{ "docker", 1 }, { "x86_64", 1 }, { "1.0", 1 }, { "-", 1 }, { "a/b:c@d+e", 1 },
		{ F63, 1 }, { "A", 1 }, { "0", 1 },
		{ "", 0 }, { F64, 0 }, { "a b", 0 }, { "a\tb", 0 }, { "a\"b", 0 }, { "a\\b", 0 },
		{ "caf\xc3\xa9", 0 }, { "a\nb", 0 }, { "a,b", 0 }, { "a=b", 0 }, { "~", 1 }, { "1.6.20~ds1-1+deb12u3", 1 },
		{ "a\x7f", 0 }, { "\x80", 0 }, { "a*", 0 }, { "$x", 0 }, { "a'b", 0 },
	};

	for (unsigned i = 0; i < N(cases); i++)
		CHECKF(dd_manifest_field_ok(cases[i].s) == cases[i].ok, "\"%s\"", cases[i].s);
}

/* dd_parts_parse: part records' fields a line (the carried iptables' COMPONENTS, bundle
 * --engine-parts, the stub's own), appended as parts of one blob; each bad text with the
 * reason it gives, and nothing appended past the line that failed. */
TEST(parts_parse)
{
	static const struct {
		const char *text;
		unsigned nparts;	/* appended */
		const char *why;	/* NULL: accepted */
	} rows[] = {
		{ "", 0, NULL },
		{ "musl 1.2.3 1.2.3-1 MIT " HA "\n", 1, NULL },
		{ "a 1 1 MIT " HA "\nb 2 2~x Zlib " HB "\n", 2, NULL },
		{ "a 1 1 MIT " HA, 0, "its last line has no newline" },
		{ "a 1 1 " HA "\n", 0, "not NAME VERSION DEBVERSION LICENSE SHA256" },
		{ "a 1 1 MIT x " HA "\n", 0, "not NAME VERSION DEBVERSION LICENSE SHA256" },
		{ "a 1 1 MIT 0123\n", 0, "not NAME VERSION DEBVERSION LICENSE SHA256" },
		{ "a 1 1 MIT,BSD " HA "\n", 0, "not NAME VERSION DEBVERSION LICENSE SHA256" },
		{ "a  1 1 MIT " HA "\n", 0, "not NAME VERSION DEBVERSION LICENSE SHA256" },
		{ "a 1 1 MIT " HA "\n\n", 1, "not NAME VERSION DEBVERSION LICENSE SHA256" },
		{ "a 1 1 MIT " HA " \n", 0, "not NAME VERSION DEBVERSION LICENSE SHA256" },
		{ F64 " 1 1 MIT " HA "\n", 0, "not NAME VERSION DEBVERSION LICENSE SHA256" },
	};
	static struct dd_manifest m;

	for (unsigned i = 0; i < N(rows); i++) {
		char *text = exact(rows[i].text, strlen(rows[i].text) + 1);
		const char *why;

		memset(&m, 0, sizeof m);
		m.nparts = 1;	/* one there already: appended after it */
		why = dd_parts_parse(text, &m, 7);
		CHECKF(rows[i].why ? why && strstr(why, rows[i].why) : !why, "row %u: %s", i,
		       why ? why : "accepted");
		CHECKF(m.nparts == 1 + rows[i].nparts, "row %u: %u parts", i, m.nparts);
		for (unsigned j = 1; j < m.nparts; j++)
			CHECKF(m.part[j].blob == 7, "row %u part %u: blob %u", i, j, m.part[j].blob);
		free(text);
	}
	/* DD_PARTS_MAX in all, then "too many lines" */
	memset(&m, 0, sizeof m);
	m.nparts = DD_PARTS_MAX - 1;
	{
		char text[] = "a 1 1 MIT " HA "\nb 1 1 MIT " HA "\n";
		const char *why = dd_parts_parse(text, &m, 0);

		CHECKF(why && strstr(why, "too many lines") && m.nparts == DD_PARTS_MAX, "%s, %u",
		       why ? why : "accepted", m.nparts);
	}
}

/* The stub's own components (release/components.sh from the locks): musl, BearSSL, zlib,
 * each with a Debian version, an SPDX licence and a source digest, as stub parts that a
 * manifest carries and parses back. */
TEST(own_parts)
{
	static const char *const names[] = { "musl", "bearssl", "zlib" };
	static struct dd_manifest m;
	static char text[DD_MANIFEST_MAX];
	const char *why;
	size_t n;

	memset(&m, 0, sizeof m);
	why = dd_manifest_own_parts(&m);
	CHECKF(!why, "%s", why);
	CHECKF(m.nparts == 3, "%u parts", m.nparts);
	for (unsigned i = 0; i < m.nparts && i < 3; i++) {
		static const unsigned char zero[32];

		CHECKF(!strcmp(m.part[i].name, names[i]), "part %u: %s", i, m.part[i].name);
		CHECKF(m.part[i].blob == DD_STUB_PARTS && m.part[i].version[0] &&
		       m.part[i].debver[0] && m.part[i].license[0] && memcmp(m.part[i].sha256, zero, 32),
		       "part %u", i);
	}
	/* in a manifest: after the stub record, and back */
	m.stub_size = 10;
	m.nblobs = 1;
	strcpy(m.blob[0].kind, "engine");
	strcpy(m.blob[0].name, "docker");
	strcpy(m.blob[0].version, "1");
	strcpy(m.blob[0].arch, "x86_64");
	m.blob[0].off = 10;
	m.blob[0].len = 1;
	n = dd_manifest_format(&m, text, sizeof text);
	CHECK(n > 0 && strstr(text, "\npart musl ") && strstr(text, "\npart zlib ") < strstr(text, "\nblob "));
	CHECK(dd_manifest_parse(text, n, &m2, text + n + 1, 100) == 0);
	CHECK(manifest_eq(&m, &m2));
}

int main(void)
{
	RUN(trailer_round_trip);
	RUN(trailer_layout);
	RUN(trailer_every_bit_flip_fails);
	RUN(trailer_bad_fields);
	RUN(manifest_good_round_trip);
	RUN(manifest_fields);
	RUN(manifest_format_short_buffer);
	RUN(manifest_bad);
	RUN(manifest_line_length_edge);
	RUN(manifest_over_max);
	RUN(manifest_small_err);
	RUN(imgjson);
	RUN(hex_round_trip);
	RUN(unhex_rejects);
	RUN(field_ok);
	RUN(parts_parse);
	RUN(own_parts);
	T_EXIT();
}
