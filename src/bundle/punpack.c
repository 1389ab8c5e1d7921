#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "archive/extract.h"
#include "archive/gunzip.h"
#include "archive/tar.h"
#include "bundle/punpack.h"
#include "util/clock.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/sha256.h"

#define NWORKERS 2
#define INBUF (64 * 1024)
#define OUTBUF (128 * 1024)
#define MISMATCH (-100)

struct seg {
	uint64_t start, end;		/* tar bytes [start, end) of the output */
	uint64_t cost;			/* compressed bytes */
	const struct dd_gzi_point *from;	/* NULL: the stream's start */
	const struct dd_gzi_point *check;	/* the next point, to verify on the way */
};

struct worker {
	pthread_t th;
	const struct dd_payload *p;
	const struct dd_blob *b;
	const struct dd_gzi *x;
	unsigned nseg;		/* segments it took, and their cost */
	uint64_t load;
	/* stream state of the current segment */
	const struct seg *s;
	uint64_t in_pos, out_pos;
	int checked, at_end, mismatch;
	unsigned idle;		/* inflate calls in a row without progress */
	struct dd_gunzip gz;		/* for its z_stream and arena */
	struct tar_reader tar;
	struct tar_entry e;
	struct dd_extract ex;
	int rc;
	long long ms;
	char err[512];
	unsigned char in[INBUF], out[OUTBUF], dict[DD_GZI_WINDOW];
};

static struct worker workers[NWORKERS];
/* The segments, biggest first; each worker takes the next one when it is free, so the two
 * end together whatever each segment's speed (a static split left one idle for up to 60 ms
 * of 350: the hasher takes its time from one of them, and not every file inflates as
 * fast per compressed byte). */
static struct seg segs[DD_GZI_POINTS + 1];
static unsigned nsegs, next_seg;

struct hasher {
	pthread_t th;
	int fd;
	uint64_t off, len;
	int rc;
	unsigned char digest[32];
	unsigned char buf[64 * 1024];
};

static struct hasher hs;

static void *hash_main(void *arg)
{
	struct hasher *h = arg;
	uint64_t pos = h->off, end = h->off + h->len;
	dd_sha256 c;

	dd_sha256_init(&c);
	h->rc = 0;
	while (pos < end) {
		size_t want = end - pos < sizeof h->buf ? (size_t)(end - pos) : sizeof h->buf;
		ssize_t r = dd_interrupted() ? -1 : pread(h->fd, h->buf, want, (off_t)pos);

		if (r < 0 && errno == EINTR && !dd_interrupted())
			continue;
		if (r <= 0) {
			h->rc = -1;
			return NULL;
		}
		dd_sha256_update(&c, h->buf, (size_t)r);
		pos += (uint64_t)r;
		dd_progress_bytes("unpacking engine", pos - h->off, h->len);
	}
	dd_sha256_out(&c, h->digest);
	return NULL;
}

static int feed(struct worker *w)
{
	z_stream *zs = &w->gz.zs;
	uint64_t end = w->b->off + w->b->len, pos = w->b->off + w->in_pos;
	size_t want = INBUF;
	ssize_t r;

	if (zs->avail_in)
		return 0;
	if (pos >= end || dd_interrupted())
		return -1;
	if (want > end - pos)
		want = (size_t)(end - pos);
	do
		r = pread(w->p->fd, w->in, want, (off_t)pos);
	while (r < 0 && errno == EINTR && !dd_interrupted());
	if (r <= 0)
		return -1;
	zs->next_in = w->in;
	zs->avail_in = (uInt)r;
	w->in_pos += (uint64_t)r;
	return 0;
}

/* The blob offset of the next input byte inflate will take. */
static uint64_t in_at(const struct worker *w)
{
	return w->in_pos - w->gz.zs.avail_in;
}

/* At the recorded point: a block boundary at the same bit, with the same window. */
static int verify_point(struct worker *w, const struct dd_gzi_point *pt)
{
	z_stream *zs = &w->gz.zs;
	uInt len = sizeof w->dict;

	if (!(zs->data_type & 128) && zs->avail_out == 0) {
		/* Output stopped exactly here: let inflate take the end-of-block code. */
		if (zs->avail_in == 0 && feed(w) != 0)
			return MISMATCH;
		inflate(zs, Z_BLOCK);
	}
	if (!(zs->data_type & 128) || (unsigned)(zs->data_type & 7) != pt->bits ||
	    in_at(w) != pt->in_off || inflateGetDictionary(zs, w->dict, &len) != Z_OK ||
	    len != pt->wlen || memcmp(w->dict, pt->window, len) != 0)
		return MISMATCH;
	w->checked = 1;
	return 0;
}

/* Inflate up to n bytes into buf, stopping at the point to check and verifying it. */
static ssize_t inflate_some(struct worker *w, unsigned char *buf, size_t n)
{
	z_stream *zs = &w->gz.zs;
	const struct dd_gzi_point *pt = w->s->check;
	int flush = Z_NO_FLUSH, rc;

	if (pt && !w->checked) {
		if (w->out_pos == pt->out_off)
			return verify_point(w, pt) ? MISMATCH : 0;
		if (n >= pt->out_off - w->out_pos) {
			n = (size_t)(pt->out_off - w->out_pos);
			flush = Z_BLOCK;
		}
	}
	if (w->at_end)
		return 0;
	if (zs->avail_in == 0 && feed(w) != 0)
		return MISMATCH;
	zs->next_out = buf;
	zs->avail_out = (uInt)n;
	uInt before = zs->avail_in;
	rc = inflate(zs, flush);
	if (rc == Z_STREAM_END)
		w->at_end = 1;
	else if (rc != Z_OK && rc != Z_BUF_ERROR)
		return MISMATCH;
	/* Every caller loops on this: calls that neither take input nor give output happen
	 * (at block boundaries) but never many in a row, so a stream that does is bad. */
	w->idle = zs->avail_in == before && zs->avail_out == n ? w->idle + 1 : 0;
	if (w->idle > 64)
		return MISMATCH;
	w->out_pos += n - zs->avail_out;
	return (ssize_t)(n - zs->avail_out);
}

/* tar_read_fn over the segment: output bytes [start, end) (the last: to the stream end). */
static ssize_t seg_read(void *ctx, void *buf, size_t n)
{
	struct worker *w = ctx;
	uint64_t end = w->s->end;
	ssize_t k;

	if (w->out_pos >= end)
		return 0;
	if (n > end - w->out_pos)
		n = (size_t)(end - w->out_pos);
	do
		k = inflate_some(w, buf, n);
	while (k == 0 && !w->at_end);
	if (k < 0) {
		w->mismatch = 1;
		errno = EBADMSG;
		return -1;
	}
	return k;
}

static int seg_start(struct worker *w, const struct seg *s)
{
	z_stream *zs = &w->gz.zs;
	const struct dd_gzi_point *pt = s->from;

	w->s = s;
	w->checked = w->at_end = 0;
	w->idle = 0;
	zs->avail_in = 0;
	if (!pt) {
		w->in_pos = w->out_pos = 0;
		/* No CRC-32 of the output (see seg_finish): 3% of the CPU time */
		return inflateReset2(zs, 16 + MAX_WBITS) == Z_OK && inflateValidate(zs, 0) == Z_OK
			       ? 0 : MISMATCH;
	}
	w->in_pos = pt->in_off - (pt->bits ? 1 : 0);
	w->out_pos = pt->out_off;
	if (inflateReset2(zs, -MAX_WBITS) != Z_OK || feed(w) != 0)
		return MISMATCH;
	if (pt->bits) {
		inflatePrime(zs, (int)pt->bits, zs->next_in[0] >> (8 - pt->bits));
		zs->next_in++;
		zs->avail_in--;
	}
	if (inflateSetDictionary(zs, pt->window, pt->wlen) != Z_OK)
		return MISMATCH;
	/* Inflate and drop [P, U): the segment's tar data starts at U. */
	while (w->out_pos < s->start) {
		size_t n = s->start - w->out_pos < OUTBUF ? (size_t)(s->start - w->out_pos) : OUTBUF;
		ssize_t k = inflate_some(w, w->out, n);

		if (k < 0 || (k == 0 && w->at_end))
			return MISMATCH;
	}
	return 0;
}

static int seg_tar(struct worker *w, const struct seg *s, int last)
{
	int rc;

	tar_reader_init(&w->tar, seg_read, w);
	for (;;) {
		uint64_t next = w->out_pos + w->tar.remain + w->tar.pad;

		if (!last && next >= s->end) {
			/* Consume the last member's padding, then the segment must end here. */
			while (w->out_pos < s->end && seg_read(w, w->out, s->end - w->out_pos) > 0)
				;
			/* A point exactly at the segment's end is not reached by reads. */
			if (!w->checked && w->out_pos == s->check->out_off && verify_point(w, s->check))
				return MISMATCH;
			return next == s->end && w->out_pos == s->end && w->checked ? 0 : MISMATCH;
		}
		rc = tar_next(&w->tar, &w->e);
		if (rc == 0)
			return last ? 0 : MISMATCH;
		/* Bad archive data seen from a segment is not a verdict: the index may have
		 * put the segment's edges wrong. Serial extraction gives the verdict. Only a
		 * system error (disk full) stands. */
		if (rc < 0 || (!last && w->out_pos + w->tar.remain + w->tar.pad > s->end))
			return MISMATCH;
		if (dd_extract_entry(&w->ex, &w->tar, &w->e, w->out, sizeof w->out) != 0)
			return w->ex.code == DD_EXIT_FAIL && !w->mismatch ? -1 : MISMATCH;
	}
}

/* The end of the last segment: the rest of the deflate data, then the 8-byte gzip
 * trailer whose ISIZE must match. (Its CRC-32 adds nothing: the SHA-256 of the
 * compressed bytes covers it, and decoding is deterministic.) */
static int seg_finish(struct worker *w)
{
	unsigned char t[8];
	uint64_t end = w->b->len;

	while (!w->at_end) {
		ssize_t k = inflate_some(w, w->out, OUTBUF);

		if (k < 0)
			return MISMATCH;
	}
	if (w->out_pos != w->x->out_len || in_at(w) + 8 != end ||
	    pread(w->p->fd, t, 8, (off_t)(w->b->off + end - 8)) != 8)
		return MISMATCH;
	return ((uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 |
		(uint32_t)t[7] << 24) == (uint32_t)w->x->out_len ? 0 : MISMATCH;
}

static void *work_main(void *arg)
{
	struct worker *w = arg;
	long long t0 = dd_now_ms();

	w->rc = 0;
	for (unsigned i; w->rc == 0 && (i = __atomic_fetch_add(&next_seg, 1, __ATOMIC_RELAXED)) < nsegs;) {
		const struct seg *s = &segs[i];
		int last = s->check == NULL;

		w->nseg++;
		w->load += s->cost;
		w->rc = seg_start(w, s);
		if (w->rc == 0)
			w->rc = seg_tar(w, s, last);
		if (w->rc == 0 && last)
			w->rc = seg_finish(w);
	}
	w->ms = dd_now_ms() - t0;
	return NULL;
}

/* The segments in segs, biggest first (insertion sort: 17 at most). */
static void plan(const struct dd_gzi *x)
{
	nsegs = x->n + 1;
	next_seg = 0;
	for (unsigned i = 0; i < nsegs; i++) {
		struct seg s = {
			i ? x->p[i - 1].tar_off : 0, i < x->n ? x->p[i].tar_off : x->out_len,
			/* Inflate time follows the compressed size more than the output size. */
			(i < x->n ? x->p[i].in_off : x->blob_len) - (i ? x->p[i - 1].in_off : 0),
			i ? &x->p[i - 1] : NULL, i < x->n ? &x->p[i] : NULL
		};
		unsigned j = i;

		for (; j > 0 && segs[j - 1].cost < s.cost; j--)
			segs[j] = segs[j - 1];
		segs[j] = s;
	}
}

static int init_workers(const struct dd_payload *p, const struct dd_blob *b,
			const struct dd_gzi *x, int stagefd, int writeback,
			struct dd_extract_sums *sums)
{
	for (int i = 0; i < NWORKERS; i++) {
		struct worker *w = &workers[i];

		w->p = p;
		w->b = b;
		w->x = x;
		w->nseg = 0;
		w->load = 0;
		w->mismatch = 0;
		w->err[0] = 0;
		if (dd_gunzip_init(&w->gz, NULL, NULL) != 0)
			return -1;
		dd_extract_init(&w->ex, stagefd);
		w->ex.writeback = writeback;
		w->ex.sums = sums;
	}
	plan(x);
	return 0;
}

static void add_counts(struct dd_extract *total, const struct dd_extract *x)
{
	total->files += x->files;
	total->dirs += x->dirs;
	total->links += x->links;
	total->bytes += x->bytes;
}

/* A wrong digest decides first (the data is damaged, whatever else went wrong); then an
 * index mismatch anywhere means "go serial"; then the first real failure. */
static int outcome(const struct dd_blob *b, struct dd_extract *total, char *err, size_t errsz)
{
	int rc = 0;

	if (hs.rc != 0)
		return snprintf(err, errsz, "read: %s", strerror(EIO)), DD_EXIT_FAIL;
	if (memcmp(hs.digest, b->sha256, 32) != 0)
		return snprintf(err, errsz, "engine %s %s: SHA-256 mismatch; the payload is damaged",
				b->name, b->version), DD_EXIT_VERIFY;
	for (int i = 0; i < NWORKERS; i++)
		if (workers[i].rc == MISMATCH)
			return DD_PUNPACK_FALLBACK;
	for (int i = 0; i < NWORKERS; i++) {
		struct worker *w = &workers[i];

		if (w->rc == 0 && dd_extract_finish(&w->ex) != 0)
			w->rc = -1;
		if (w->rc != 0 && rc == 0) {
			rc = w->ex.code ? w->ex.code : DD_EXIT_VERIFY;
			snprintf(err, errsz, "%s", w->ex.err[0] ? w->ex.err : tar_strerror(w->rc));
		}
		add_counts(total, &w->ex);
		dd_gunzip_end(&w->gz);
	}
	return rc;
}

int dd_punpack(const struct dd_payload *p, const struct dd_blob *b, const struct dd_gzi *x,
	       int stagefd, struct dd_extract *total, char *err, size_t errsz)
{
	int started = 0;

	dd_sha256_accelerated();	/* decided once, before any thread hashes */
	if (x->blob_len != b->len || init_workers(p, b, x, stagefd, total->writeback, total->sums) != 0)
		return DD_PUNPACK_FALLBACK;
	hs.fd = p->fd;
	hs.off = b->off;
	hs.len = b->len;
	if (pthread_create(&hs.th, NULL, hash_main, &hs) != 0)
		return DD_PUNPACK_FALLBACK;
	if (pthread_create(&workers[1].th, NULL, work_main, &workers[1]) == 0)
		started = 1;
	work_main(&workers[0]);
	if (started)
		pthread_join(workers[1].th, NULL);
	else
		workers[1].rc = MISMATCH;
	pthread_join(hs.th, NULL);
	for (int i = 0; i < NWORKERS; i++)
		dd_debug("extract: worker %d: %u segments, %llu bytes, %llu ms, status %d", i,
			 workers[i].nseg, (unsigned long long)workers[i].load,
			 (unsigned long long)workers[i].ms, workers[i].rc);
	return outcome(b, total, err, errsz);
}
