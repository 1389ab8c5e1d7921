#include "archive/gzwrite.h"

#include <errno.h>
#include <string.h>

enum { OPEN, FINISHED, FAILED, ENDED };

int dd_gzwrite_init(struct dd_gzwrite *g, int level, dd_gzwrite_fn fn, void *ctx)
{
	int rc;

	memset(&g->zs, 0, sizeof g->zs);
	dd_zarena_use(&g->zs, &g->za, g->arena, sizeof g->arena);
	g->write = fn;
	g->ctx = ctx;
	g->state = FAILED;
	if (level < 1 || level > 9) {
		errno = EINVAL;
		return -1;
	}
	rc = deflateInit2(&g->zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	if (rc != Z_OK) {
		errno = rc == Z_MEM_ERROR ? ENOMEM : EINVAL;
		return -1;
	}
	g->state = OPEN;
	return 0;
}

/* Run deflate over the pending input with flush, handing every full or final chunk to
 * the write function. */
static int pump(struct dd_gzwrite *g, int flush)
{
	for (;;) {
		int rc;
		size_t have;

		g->zs.next_out = g->out;
		g->zs.avail_out = sizeof g->out;
		rc = deflate(&g->zs, flush);
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			g->state = FAILED;
			errno = EIO;
			return -1;
		}
		have = sizeof g->out - g->zs.avail_out;
		if (have && g->write(g->ctx, g->out, have) != 0) {
			g->state = FAILED;
			return -1;
		}
		if (rc == Z_STREAM_END)
			return 0;
		/* All input taken and nothing left pending (room to spare, or no progress). */
		if (flush == Z_NO_FLUSH && g->zs.avail_in == 0 &&
		    (g->zs.avail_out != 0 || rc == Z_BUF_ERROR))
			return 0;
		if (rc == Z_BUF_ERROR && have == 0) {	/* no progress possible */
			g->state = FAILED;
			errno = EIO;
			return -1;
		}
	}
}

int dd_gzwrite(void *gz, const void *buf, size_t n)
{
	struct dd_gzwrite *g = gz;
	const unsigned char *p = buf;

	if (g->state != OPEN) {
		errno = g->state == FAILED ? EIO : EINVAL;
		return -1;
	}
	while (n) {
		uInt k = n > (1u << 30) ? 1u << 30 : (uInt)n;

		g->zs.next_in = (unsigned char *)p;
		g->zs.avail_in = k;
		if (pump(g, Z_NO_FLUSH) != 0)
			return -1;
		p += k;
		n -= k;
	}
	return 0;
}

int dd_gzwrite_finish(struct dd_gzwrite *g)
{
	if (g->state != OPEN) {
		errno = g->state == FAILED ? EIO : EINVAL;
		return -1;
	}
	g->zs.next_in = NULL;
	g->zs.avail_in = 0;
	if (pump(g, Z_FINISH) != 0)
		return -1;
	g->state = FINISHED;
	return 0;
}

void dd_gzwrite_end(struct dd_gzwrite *g)
{
	if (g->state != ENDED)
		deflateEnd(&g->zs);
	g->state = ENDED;
}
