#include "archive/gzwrite.h"

#include <errno.h>
#include <string.h>

#include <zlib.h>

enum { OPEN, FINISHED, FAILED, ENDED };

static void le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int put(struct dd_gzwrite *g, const void *buf, size_t n)
{
	if (g->write(g->ctx, buf, n) != 0) {
		g->state = FAILED;
		return -1;
	}
	return 0;
}

int dd_gzwrite_init(struct dd_gzwrite *g, dd_gzwrite_fn fn, void *ctx)
{
	/* ID1 ID2, CM deflate, no flags, MTIME 0, XFL 0, OS Unix */
	static const unsigned char hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };

	g->write = fn;
	g->ctx = ctx;
	g->crc = (uint32_t)crc32_z(0, Z_NULL, 0);
	g->size = 0;
	g->have = 0;
	g->state = OPEN;
	return put(g, hdr, sizeof hdr);
}

/* The block in g->blk as a stored block (RFC 1951 3.2.4: BFINAL and BTYPE 00 in a byte of
 * its own, since every block starts byte-aligned here, then LEN and its complement). */
static int block(struct dd_gzwrite *g, int final)
{
	unsigned len = (unsigned)g->have;

	g->blk[0] = (unsigned char)final;
	g->blk[1] = (unsigned char)len;
	g->blk[2] = (unsigned char)(len >> 8);
	g->blk[3] = (unsigned char)~len;
	g->blk[4] = (unsigned char)(~len >> 8);
	g->have = 0;
	return put(g, g->blk, 5 + len);
}

int dd_gzwrite(void *gz, const void *buf, size_t n)
{
	struct dd_gzwrite *g = gz;
	const unsigned char *p = buf;

	if (g->state != OPEN) {
		errno = g->state == FAILED ? EIO : EINVAL;
		return -1;
	}
	g->crc = (uint32_t)crc32_z(g->crc, p, n);
	g->size += (uint32_t)n;
	while (n) {
		size_t k = DD_GZWRITE_BLOCK - g->have;

		if (k > n)
			k = n;
		memcpy(g->blk + 5 + g->have, p, k);
		g->have += k;
		p += k;
		n -= k;
		/* A full block waits for more input: the last one must carry BFINAL. */
		if (n && g->have == DD_GZWRITE_BLOCK && block(g, 0) != 0)
			return -1;
	}
	return 0;
}

int dd_gzwrite_finish(struct dd_gzwrite *g)
{
	unsigned char t[8];

	if (g->state != OPEN) {
		errno = g->state == FAILED ? EIO : EINVAL;
		return -1;
	}
	le32(t, g->crc);
	le32(t + 4, g->size);
	if (block(g, 1) != 0 || put(g, t, sizeof t) != 0)
		return -1;
	g->state = FINISHED;
	return 0;
}

void dd_gzwrite_end(struct dd_gzwrite *g)
{
	explicit_bzero(g->blk, sizeof g->blk);
	g->state = ENDED;
}
