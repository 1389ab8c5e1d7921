/* libFuzzer harness for the gzip reader and the index builder: the input is a gzip stream,
 * handed over in odd-sized chunks, inflated through dd_gunzip (with the index builder on
 * its block hook, as `dockdrop bundle` does) into the tar reader, which walks every entry
 * and reads all data. Nothing is written to disk. No crash; reads never return more than
 * asked; errors are EBADMSG or EPIPE with a reason and stay errors; and when the whole
 * stream was a clean tar, the index the builder serializes must parse. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive/gunzip.h"
#include "archive/gzindex.h"
#include "archive/tar.h"

#define OUT_CAP (4u << 20)	/* stop a bomb: beyond this much output, give up quietly */

struct src {
	const uint8_t *p;
	size_t n, off;
	unsigned calls;
};

/* 1 to 13 bytes a chunk, or everything left every seventh call. */
static ssize_t chunk(void *ctx, const unsigned char **p)
{
	struct src *s = ctx;
	size_t k = s->calls % 7 == 6 ? s->n - s->off : 1 + (s->calls * 5) % 13;

	s->calls++;
	if (k > s->n - s->off)
		k = s->n - s->off;
	*p = s->p + s->off;
	s->off += k;
	return (ssize_t)k;
}

static struct dd_gunzip g;
static int failed, capped;

/* dd_gunzip_read, checked. */
static ssize_t gz_read(void *ctx, void *buf, size_t n)
{
	ssize_t r;

	if (g.zs.total_out > OUT_CAP) {
		capped = 1;
		errno = EFBIG;
		return -1;
	}
	r = dd_gunzip_read(ctx, buf, n);
	if (r > (ssize_t)n || r < -1)
		abort();
	if (r < 0) {
		if ((errno != EBADMSG && errno != EPIPE) || !g.err[0])
			abort();
		failed = 1;
	} else if (failed) {
		abort();	/* an error stays */
	}
	return r;
}

static struct tar_reader tr;
static struct tar_entry e;
static struct dd_gzi_builder gzb;
static struct dd_gzi gzi;
static unsigned char idx[DD_GZI_HEAD + DD_GZI_POINTS * (DD_GZI_REC + DD_GZI_WINDOW)];
static unsigned char buf[8192];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct src s = { data, size, 0, 0 };
	unsigned nth = 0;
	ssize_t r;
	size_t n;
	int rc;

	failed = capped = 0;
	if (dd_gunzip_init(&g, chunk, &s) != 0)
		abort();
	dd_gzi_builder_init(&gzb, 1);	/* every entry with data may start a segment */
	g.on_block = dd_gzi_on_block;
	g.block_ctx = &gzb;
	tar_reader_init(&tr, gz_read, &g);
	for (;;) {
		/* Read each entry out in varying amounts (as the bundler does), then mark. */
		while (tr.remain > 0 && (r = tar_read(&tr, buf, 1 + (nth * 97) % sizeof buf)) > 0)
			nth++;
		dd_gzi_mark(&gzb, g.zs.total_out + tr.remain + tr.pad);
		if ((rc = tar_next(&tr, &e)) != 1)
			break;
		if (!memchr(e.path, 0, sizeof e.path) || !memchr(e.link, 0, sizeof e.link))
			abort();
		dd_gzi_take(&gzb, e.size);
	}
	if (rc > 1 || (rc < 0 && tar_next(&tr, &e) != rc))
		abort();
	if (rc == 0 && !capped) {
		/* The rest of the gzip data, as the bundler drains it. */
		while ((r = gz_read(&g, buf, sizeof buf)) > 0)
			;
		if (r == 0 && !capped && !failed) {
			if (g.zs.total_in > size)
				abort();
			n = dd_gzi_serialize(&gzb, size, g.zs.total_out, idx, sizeof idx);
			if (n != dd_gzi_serialize(&gzb, size, g.zs.total_out, NULL, 0))
				abort();
			if (n && dd_gzi_parse(idx, n, &gzi) != 0)
				abort();
			if (n && (gzi.n != gzb.x.n || gzi.blob_len != size ||
				  gzi.out_len != g.zs.total_out))
				abort();
		}
	}
	dd_gunzip_end(&g);
	return 0;
}
