/* A tar writer for tests: archives are built byte by byte in memory (arc), so a test can
 * make exactly the malformed or hostile header it needs, then read back through feed_read
 * (at most k bytes per call, like a gzip stream) or a FILE through file_read. Shared by
 * test_tar.c and test_extract.c. */
#ifndef DD_TARW_H
#define DD_TARW_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

static struct {
	unsigned char b[1 << 20];
	size_t len;
} arc;

/* Up to n bytes of s: a full-width field has no NUL, as in real archives. */
static inline void put_field(unsigned char *f, size_t n, const char *s)
{
	size_t l = strlen(s);

	memcpy(f, s, l < n ? l : n);
}

static inline void put_octal(unsigned char *f, size_t n, uint64_t v)
{
	char tmp[32];

	snprintf(tmp, sizeof tmp, "%0*llo", (int)n - 1, (unsigned long long)v);
	memcpy(f, tmp, n - 1);
	f[n - 1] = 0;
}

/* The header checksum: the unsigned sum, or the historic signed one when sign. */
static inline void set_sum(unsigned char *b, int sign)
{
	long sum = 0;
	char tmp[16];
	int i;

	memset(b + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += sign ? (long)(signed char)b[i] : (long)b[i];
	snprintf(tmp, sizeof tmp, "%06lo", sum);
	memcpy(b + 148, tmp, 6);
	b[154] = 0;
}

static inline void arc_reset(void)
{
	memset(arc.b, 0, sizeof arc.b);
	arc.len = 0;
}

static inline void arc_data(const void *p, size_t n)
{
	memcpy(arc.b + arc.len, p, n);
	arc.len += (n + 511) / 512 * 512;
}

static inline void arc_end(void)
{
	arc.len += 1024; /* arc.b is zero-filled */
}

/* The archive in arc, at most k bytes per call. */
struct feed {
	size_t off, k, last_n;
	unsigned calls;
};

static inline ssize_t feed_read(void *ctx, void *buf, size_t n)
{
	struct feed *f = ctx;
	size_t m = n < f->k ? n : f->k;

	if (m > arc.len - f->off)
		m = arc.len - f->off;
	f->calls++;
	f->last_n = n;
	memcpy(buf, arc.b + f->off, m);
	f->off += m;
	return (ssize_t)m;
}

static inline void feed_init(struct feed *f, size_t k)
{
	memset(f, 0, sizeof *f);
	f->k = k;
}

static inline ssize_t file_read(void *ctx, void *buf, size_t n)
{
	size_t k = fread(buf, 1, n, ctx);

	return k == 0 && ferror((FILE *)ctx) ? -1 : (ssize_t)k;
}

#endif
