/* archive/gunzip: gzip streams made here with zlib (deflateInit2 with 16+15: the gzip
 * wrapper), single and multi-member, read back through chunk functions of several sizes
 * and read calls of several sizes; every cut point, trailing bytes, flipped bits, an empty
 * input, a failing chunk function, and the on_block hook. */
#include "t.h"

#include <stdint.h>
#include <zlib.h>

#include "archive/adler32.h"
#include "archive/gunzip.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* --- making gzip streams --------------------------------------------------------------- */

/* A gzip member of in[0..n) appended to out (cap bytes); the new length, or 0. */
static size_t gz_member(const void *in, size_t n, int level, unsigned char *out, size_t len,
			size_t cap)
{
	z_stream zs;
	int rc;

	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, level, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	zs.next_in = (unsigned char *)(uintptr_t)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out + len;
	zs.avail_out = (uInt)(cap - len);
	rc = deflate(&zs, Z_FINISH);
	len = cap - zs.avail_out;
	deflateEnd(&zs);
	return rc == Z_STREAM_END ? len : 0;
}

/* Deterministic data: compressible text-like runs mixed with noise. */
static void fill(unsigned char *p, size_t n, uint32_t seed)
{
	static const char words[] = "docker containerd runc dockerd tini overlay2 layer ";
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (x >> 28) < 12 ? (unsigned char)words[(i + seed) % (sizeof words - 1)]
				      : (unsigned char)(x >> 16);
	}
}

/* --- reading them back ----------------------------------------------------------------- */

struct src {
	const unsigned char *p;
	size_t n, off, k;	/* k bytes per chunk */
	int fail_at_end;	/* -1 with EIO instead of 0 at the end */
	unsigned calls;
};

static ssize_t chunk(void *ctx, const unsigned char **p)
{
	struct src *s = ctx;
	size_t k = s->k < s->n - s->off ? s->k : s->n - s->off;

	s->calls++;
	if (k == 0 && s->fail_at_end) {
		errno = EIO;
		return -1;
	}
	*p = s->p + s->off;
	s->off += k;
	return (ssize_t)k;
}

static struct dd_gunzip g;
static unsigned char plain[1 << 21], packed[1 << 21], out[1 << 21];

/* Read everything with reads of rsz bytes: total bytes, or -1 (errno kept). */
static ssize_t read_all(struct dd_gunzip *gz, unsigned char *dst, size_t cap, size_t rsz)
{
	size_t got = 0;

	for (;;) {
		size_t want = rsz < cap - got ? rsz : cap - got;
		ssize_t r;

		if (want == 0)
			return -2; /* more output than expected */
		r = dd_gunzip_read(gz, dst + got, want);
		if (r < 0)
			return -1;
		if (r == 0)
			return (ssize_t)got;
		if ((size_t)r > want)
			return -3;
		got += (size_t)r;
	}
}

/* Run one whole read; result as read_all, err copied. */
static ssize_t gunzip_buf(const unsigned char *p, size_t n, size_t k, size_t rsz, int *err)
{
	struct src s = { p, n, 0, k, 0, 0 };
	ssize_t r;

	if (dd_gunzip_init(&g, chunk, &s) != 0)
		return -9;
	errno = 0;
	r = read_all(&g, out, sizeof out, rsz);
	*err = errno;
	if (r >= 0) {
		/* The end stays the end. */
		unsigned char b[4];

		if (dd_gunzip_read(&g, b, sizeof b) != 0)
			r = -4;
	}
	dd_gunzip_end(&g);
	return r;
}

/* The members of the main stream: sizes and levels. */
static const struct {
	size_t n;
	int level;
} members[] = {
	{ 6, 6 }, { 200000, 6 }, { 0, 6 }, { 1, 9 }, { 70000, 0 }, { 300000, 1 }, { 5, 6 },
};

static size_t plain_len, packed_len, member_end[N(members)];

static int make_stream(void)
{
	plain_len = packed_len = 0;
	for (unsigned i = 0; i < N(members); i++) {
		fill(plain + plain_len, members[i].n, i + 1);
		packed_len = gz_member(plain + plain_len, members[i].n, members[i].level, packed,
				       packed_len, sizeof packed);
		if (packed_len == 0)
			return -1;
		member_end[i] = packed_len;
		plain_len += members[i].n;
	}
	return 0;
}

TEST(multi_member_every_chunk_and_read_size)
{
	static const size_t chunks[] = { 1, 7, 4096, 1 << 20 };
	static const size_t reads[] = { 1, 512, 65536, 1 << 21 };

	CHECK(make_stream() == 0);
	for (unsigned i = 0; i < N(chunks); i++) {
		for (unsigned j = 0; j < N(reads); j++) {
			int err = 0;
			ssize_t r;

			/* One byte at a time both ways is slow with ASan: a shorter stream. */
			size_t n = chunks[i] == 1 && reads[j] == 1 ? member_end[1] : packed_len;
			size_t want = chunks[i] == 1 && reads[j] == 1 ? members[0].n + members[1].n
								       : plain_len;

			memset(out, 0, want);
			r = gunzip_buf(packed, n, chunks[i], reads[j], &err);
			CHECKF(r == (ssize_t)want, "chunk %zu read %zu: %zd (errno %d, %s)", chunks[i],
			       reads[j], r, err, g.err);
			CHECKF(r >= 0 && memcmp(out, plain, want) == 0, "chunk %zu read %zu: data",
			       chunks[i], reads[j]);
			CHECKF(g.members == (n == packed_len ? N(members) : 2), "chunk %zu read %zu: %llu members",
			       chunks[i], reads[j], (unsigned long long)g.members);
		}
	}
}

/* A chunk function that sometimes returns empty chunks in the middle is not the end:
 * 0 means the end by contract, so that is not tested; a chunk of exactly one member is. */
TEST(chunks_on_member_boundaries)
{
	struct src s = { packed, 0, 0, 0, 0, 0 };
	size_t got = 0;
	ssize_t r;

	CHECK(make_stream() == 0);
	/* Chunks that end exactly where each member ends. */
	CHECK(dd_gunzip_init(&g, chunk, &s) == 0);
	s.n = packed_len;
	s.k = member_end[0];
	while ((r = dd_gunzip_read(&g, out + got, 4096)) > 0) {
		got += (size_t)r;
		for (unsigned i = 0; i + 1 < N(members); i++)
			if (s.off == member_end[i])
				s.k = member_end[i + 1] - member_end[i];
	}
	CHECKF(r == 0 && got == plain_len, "r %zd got %zu: %s", r, got, g.err);
	CHECK(memcmp(out, plain, plain_len) == 0);
	dd_gunzip_end(&g);
}

/* Every cut of a small two-member stream: an error (EPIPE or EBADMSG), except a cut
 * exactly between members, which is a valid shorter gzip file. */
TEST(every_truncation_fails)
{
	static const char a[] = "the first member, small\n", b[] = "and the second one.\n";
	unsigned char s[256];
	size_t m1 = gz_member(a, sizeof a - 1, 6, s, 0, sizeof s);
	size_t n = gz_member(b, sizeof b - 1, 6, s, m1, sizeof s);
	unsigned silent = 0;

	CHECK(m1 > 0 && n > m1);
	for (size_t cut = 0; cut < n; cut++) {
		for (size_t k = 1; k <= 64; k *= 8) {
			int err = 0;
			ssize_t r = gunzip_buf(s, cut, k, 13, &err);

			if (cut == m1) {
				CHECKF(r == (ssize_t)sizeof a - 1 && memcmp(out, a, sizeof a - 1) == 0,
				       "cut at the member boundary %zu: %zd", cut, r);
				continue;
			}
			if (r >= 0)
				silent++;
			CHECKF(r == -1 && (err == EPIPE || err == EBADMSG),
			       "cut at %zu of %zu, chunk %zu: r %zd errno %d", cut, n, k, r, err);
			CHECKF(g.err[0] != 0, "cut at %zu: no reason", cut);
		}
	}
	CHECK(silent == 0);
	/* Whole: fine. */
	{
		int err = 0;

		CHECK(gunzip_buf(s, n, 5, 100, &err) == (ssize_t)(sizeof a + sizeof b - 2));
	}
}

/* Bytes after a complete member. */
TEST(trailing_bytes)
{
	static const struct {
		const char *name;
		const char *tail;
		size_t n;
		int err;
	} cases[] = {
		{ "text", "garbage after the end\n", 22, EBADMSG },
		{ "zeros", "\0\0\0\0\0\0\0\0", 8, EBADMSG },
		{ "two zeros", "\0\0", 2, EBADMSG },
		{ "newline twice", "\n\n", 2, EBADMSG },
		/* One byte cannot be told from the start of a magic: zlib waits for the second,
		 * so it reads as cut short (still an error). */
		{ "one zero", "\0", 1, EPIPE },
		{ "one newline", "\n", 1, EPIPE },
		{ "bad method", "\037\213\007\0\0\0\0\0\0\3", 10, EBADMSG },
		{ "reserved flag bits", "\037\213\010\340\0\0\0\0\0\3", 10, EBADMSG },
		/* The start of a member that never comes: cut short. */
		{ "gzip magic only", "\037\213", 2, EPIPE },
		{ "half the magic", "\037", 1, EPIPE },
		{ "a gzip header only", "\037\213\010\0\0\0\0\0\0\3", 10, EPIPE },
	};
	static const char text[] = "a complete member\n";

	for (unsigned i = 0; i < N(cases); i++) {
		unsigned char s[256];
		size_t n = gz_member(text, sizeof text - 1, 6, s, 0, sizeof s);
		int err = 0;
		ssize_t r;

		memcpy(s + n, cases[i].tail, cases[i].n);
		for (size_t k = 1; k <= 4096; k *= 64) {
			r = gunzip_buf(s, n + cases[i].n, k, 4096, &err);
			CHECKF(r == -1 && err == cases[i].err, "%s, chunk %zu: r %zd errno %d (%s)",
			       cases[i].name, k, r, err, g.err);
		}
	}
}

/* Every single-bit flip of a small member: an error, or (only in the header fields gzip
 * readers ignore: FTEXT, MTIME, XFL, OS; and in the padding bits after the final
 * end-of-block code, in the last deflate byte) exactly the right data. Never wrong data. */
TEST(flipped_bits)
{
	static const char text[] = "Some text, long enough to be compressed with Huffman codes, "
				   "Huffman codes, Huffman codes; and then some more text.\n";
	unsigned char good[256];
	size_t n = gz_member(text, sizeof text - 1, 9, good, 0, sizeof good);
	unsigned failed = 0, same = 0;

	CHECK(n > 18);
	for (size_t bit = 0; bit < n * 8; bit++) {
		unsigned char s[256];
		size_t pos = bit / 8;
		int may_pass = (pos == 3 && bit % 8 == 0) || (pos >= 4 && pos <= 9) || pos == n - 9;
		int err = 0;
		ssize_t r;

		memcpy(s, good, n);
		s[pos] ^= (unsigned char)(1u << (bit % 8));
		r = gunzip_buf(s, n, 16, 4096, &err);
		if (r >= 0) {
			CHECKF(r == (ssize_t)sizeof text - 1 && memcmp(out, text, sizeof text - 1) == 0,
			       "bit %zu (byte %zu of %zu): wrong data accepted, r %zd", bit, pos, n, r);
			CHECKF(may_pass, "bit %zu (byte %zu of %zu): flip not noticed", bit, pos, n);
			same++;
			continue;
		}
		failed++;
		CHECKF(!(pos >= 4 && pos <= 9), "bit %zu: an ignored header field failed", bit);
		CHECKF(err == EBADMSG || err == EPIPE, "bit %zu (byte %zu of %zu): errno %d", bit, pos,
		       n, err);
	}
	CHECKF(same >= 6 * 8 + 1 && failed > (n - 10) * 8 - 8, "%u failed, %u gave the same data",
	       failed, same);
	/* A flip in the CRC or ISIZE says so. */
	{
		unsigned char s[256];
		int err = 0;

		memcpy(s, good, n);
		s[n - 8] ^= 1;
		CHECK(gunzip_buf(s, n, 4096, 4096, &err) == -1 && err == EBADMSG);
		CHECKF(strstr(g.err, "check") != NULL, "%s", g.err);
		memcpy(s, good, n);
		s[n - 1] ^= 0x80;
		CHECK(gunzip_buf(s, n, 4096, 4096, &err) == -1 && err == EBADMSG);
		CHECKF(strstr(g.err, "length") != NULL, "%s", g.err);
	}
}

/* No bytes at all is not a gzip stream: "ends too soon" (EPIPE), not a clean empty end. */
TEST(empty_input)
{
	int err = 0;
	ssize_t r = gunzip_buf(packed, 0, 4096, 4096, &err);

	CHECKF(r == -1 && err == EPIPE, "r %zd errno %d", r, err);
	CHECK(strstr(g.err, "too soon") != NULL);
	/* A member of no bytes is fine: 0 at once. */
	{
		unsigned char s[64];
		size_t n = gz_member("", 0, 6, s, 0, sizeof s);

		CHECK(gunzip_buf(s, n, 3, 10, &err) == 0);
		CHECK(g.members == 1);
	}
}

/* The chunk function failing: its errno comes back; then the reader stays failed. */
TEST(chunk_error)
{
	struct src s;
	unsigned char buf[4096];
	ssize_t r;

	CHECK(make_stream() == 0);
	s = (struct src){ packed, member_end[0] + 20, 0, 7, 1, 0 };
	CHECK(dd_gunzip_init(&g, chunk, &s) == 0);
	errno = 0;
	while ((r = dd_gunzip_read(&g, buf, sizeof buf)) > 0)
		;
	CHECKF(r == -1 && errno == EIO, "r %zd errno %d", r, errno);
	CHECK(strstr(g.err, "cannot read") != NULL);
	r = dd_gunzip_read(&g, buf, sizeof buf);
	CHECK(r == -1);
	CHECK(strstr(g.err, "cannot read") != NULL);	/* the first reason stays */
	dd_gunzip_end(&g);
}

/* A read of 0 bytes asks for nothing: it must return 0 and leave the stream as it was
 * (tar_read_fn callers may ask for 0). Done after `before` bytes were read in one call. */
TEST(zero_length_read)
{
	static const struct {
		const char *name;
		size_t before;
	} cases[] = {
		{ "before anything", 0 },
		{ "at the end of member 1", 6 },
		{ "inside member 2", 1000 },
	};

	CHECK(make_stream() == 0);
	for (unsigned i = 0; i < N(cases); i++) {
		struct src s = { packed, packed_len, 0, 4096, 0, 0 };
		unsigned char b[1];
		size_t got = 0;
		ssize_t r;

		CHECK(dd_gunzip_init(&g, chunk, &s) == 0);
		while (got < cases[i].before && (r = dd_gunzip_read(&g, out + got, cases[i].before - got)) > 0)
			got += (size_t)r;
		errno = 0;
		r = dd_gunzip_read(&g, b, 0);
		CHECKF(r == 0, "%s: read of 0 bytes gives %zd, errno %d (%s)", cases[i].name, r, errno,
		       g.err);
		while ((r = dd_gunzip_read(&g, out + got, 65536)) > 0)
			got += (size_t)r;
		CHECKF(r == 0 && got == plain_len && memcmp(out, plain, plain_len) == 0,
		       "%s: then r %zd, %zu of %zu bytes (%s)", cases[i].name, r, got, plain_len, g.err);
		dd_gunzip_end(&g);
	}
}

/* --- the on_block hook ----------------------------------------------------------------- */

struct blocks {
	unsigned calls, at_boundary, in_member[4];
	uint64_t last_out;
	int backwards;
};

static void on_block(void *ctx, z_stream *zs, uint64_t members_done)
{
	struct blocks *b = ctx;

	b->calls++;
	if (zs->data_type & 128)
		b->at_boundary++;
	if (members_done < 4)
		b->in_member[members_done]++;
	if (zs->total_out < b->last_out && members_done == 0)
		b->backwards = 1;
	b->last_out = zs->total_out;
}

TEST(on_block_hook)
{
	static const size_t reads[] = { 1000, 65536 };

	CHECK(make_stream() == 0);
	for (unsigned i = 0; i < N(reads); i++) {
		struct src s = { packed, packed_len, 0, 4096, 0, 0 };
		struct blocks b = { 0 };
		ssize_t r;

		CHECK(dd_gunzip_init(&g, chunk, &s) == 0);
		g.on_block = on_block;
		g.block_ctx = &b;
		r = read_all(&g, out, sizeof out, reads[i]);
		CHECKF(r == (ssize_t)plain_len && memcmp(out, plain, plain_len) == 0,
		       "read %zu: r %zd (%s)", reads[i], r, g.err);
		CHECKF(b.calls > 0 && b.at_boundary > 2, "read %zu: %u calls, %u at a boundary",
		       reads[i], b.calls, b.at_boundary);
		/* The 200000-byte member (the second) has several deflate blocks. */
		CHECKF(b.in_member[1] > 2, "read %zu: %u calls in member 2", reads[i], b.in_member[1]);
		CHECK(b.in_member[0] > 0);
		CHECK(!b.backwards);
		dd_gunzip_end(&g);
	}
}

/* The stub's adler32 (archive/adler32.h) against zlib's: lengths around its 5552-byte
 * chunks, all-0xff bytes (the largest sums), running values carried across calls, and a
 * NULL buffer (the initial value). */
TEST(adler32_as_zlib)
{
	static unsigned char b[3 * 5552 + 7];
	static const size_t lens[] = { 0, 1, 2, 15, 16, 5551, 5552, 5553, 2 * 5552 + 1, sizeof b };

	CHECK(dd_adler32(12345, NULL, 99) == adler32(0, Z_NULL, 0));
	for (int fill = 0; fill < 2; fill++) {
		for (size_t i = 0; i < sizeof b; i++)
			b[i] = fill ? 0xff : (unsigned char)(i * 131 + (i >> 7));
		for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
			unsigned long ours = dd_adler32(1, b, lens[i]), theirs = adler32(1, b, (uInt)lens[i]);

			CHECKF(ours == theirs, "fill %d, %zu bytes: %lx, zlib %lx", fill, lens[i], ours, theirs);
			CHECKF(dd_adler32(ours, b, 100) == adler32(theirs, b, 100), "fill %d, %zu + 100 bytes",
			       fill, lens[i]);
		}
	}
}

int main(void)
{
	RUN(multi_member_every_chunk_and_read_size);
	RUN(chunks_on_member_boundaries);
	RUN(every_truncation_fails);
	RUN(trailing_bytes);
	RUN(flipped_bits);
	RUN(empty_input);
	RUN(chunk_error);
	RUN(zero_length_read);
	RUN(on_block_hook);
	RUN(adler32_as_zlib);
	T_EXIT();
}
