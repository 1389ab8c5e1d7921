#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "archive/gunzip.h"

enum { IN_MEMBER, BETWEEN, DONE, FAILED };

int dd_gunzip_init(struct dd_gunzip *g, dd_chunk_fn next, void *ctx)
{
	memset(&g->zs, 0, sizeof g->zs);
	dd_zarena_use(&g->zs, &g->za, g->arena, sizeof g->arena);
	g->next = next;
	g->ctx = ctx;
	g->state = IN_MEMBER;
	g->members = 0;
	g->on_block = NULL;
	g->block_ctx = NULL;
	g->err[0] = 0;
	return inflateInit2(&g->zs, 16 + MAX_WBITS) == Z_OK ? 0 : -1;
}

static ssize_t fail(struct dd_gunzip *g, int err, const char *why)
{
	g->state = FAILED;
	if (why != g->err)
		snprintf(g->err, sizeof g->err, "%s", why);
	errno = err;
	return -1;
}

/* Make sure there is input; 1 if there is, 0 at the end of it, -1 on error. */
static int refill(struct dd_gunzip *g)
{
	const unsigned char *p;
	ssize_t k;

	if (g->zs.avail_in)
		return 1;
	k = g->next(g->ctx, &p);
	if (k < 0)
		return -1;
	g->zs.next_in = (unsigned char *)p;
	g->zs.avail_in = (uInt)k;
	return k > 0;
}

ssize_t dd_gunzip_read(void *gz, void *buf, size_t n)
{
	struct dd_gunzip *g = gz;
	size_t want = n > (1u << 30) ? 1u << 30 : n;

	if (n == 0)
		return 0;
	g->zs.next_out = buf;
	g->zs.avail_out = (uInt)want;
	while (g->zs.avail_out == want) {
		int in, rc;

		if (g->state == DONE)
			return 0;
		if (g->state == FAILED)
			return fail(g, EBADMSG, g->err);
		in = refill(g);
		if (in < 0)
			return fail(g, errno, "cannot read the compressed data");
		if (in == 0)
			return g->state == BETWEEN ? (g->state = DONE, 0)
						   : fail(g, EPIPE, "compressed data ends too soon");
		if (g->state == BETWEEN) {
			if (inflateReset(&g->zs) != Z_OK)
				return fail(g, EBADMSG, "inflateReset failed");
			g->state = IN_MEMBER;
		}
		rc = inflate(&g->zs, g->on_block ? Z_BLOCK : Z_NO_FLUSH);
		if (g->on_block && rc == Z_OK)
			g->on_block(g->block_ctx, &g->zs, g->members);
		if (rc == Z_STREAM_END) {
			g->members++;
			g->state = BETWEEN;
		} else if (rc != Z_OK && !(rc == Z_BUF_ERROR && g->zs.avail_in == 0)) {
			return fail(g, EBADMSG, g->zs.msg ? g->zs.msg : "invalid compressed data");
		}
	}
	return (ssize_t)(want - g->zs.avail_out);
}

void dd_gunzip_end(struct dd_gunzip *g)
{
	inflateEnd(&g->zs);
}
