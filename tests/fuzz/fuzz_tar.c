/* libFuzzer harness for the tar reader: the input is parsed as one header block, as pax
 * records, and as a whole archive pulled through a read function that hands out odd-sized
 * chunks. Nothing is written to disk. The reader must never crash, and whatever it returns
 * must hold: names terminated, types known, no data for links, sizes that fit, errors that
 * stay, and the end of an archive on a block boundary. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive/tar.h"

struct src {
	const uint8_t *p;
	size_t n, off;
	unsigned calls;
};

/* 1 to 13 bytes a call, or all that was asked for every fifth call. */
static ssize_t src_read(void *ctx, void *buf, size_t n)
{
	struct src *s = ctx;
	size_t k = s->calls % 5 == 4 ? n : 1 + (s->calls * 7) % 13;

	s->calls++;
	if (k > n)
		k = n;
	if (k > s->n - s->off)
		k = s->n - s->off;
	memcpy(buf, s->p + s->off, k);
	s->off += k;
	return (ssize_t)k;
}

static void check_entry(const struct tar_entry *e)
{
	if (!memchr(e->path, 0, TAR_NAME_MAX) || !memchr(e->link, 0, TAR_NAME_MAX))
		abort();
	if (e->type < TAR_FILE || e->type > TAR_OTHER || e->mode > 07777)
		abort();
	if (e->size > (uint64_t)INT64_MAX)
		abort();
	if (e->size && e->type != TAR_FILE && e->type != TAR_OTHER && e->type != TAR_DIR)
		abort();
}

static int is_error(int rc)
{
	return rc >= TAR_ETOOLONG && rc <= TAR_EIO;
}

/* Read the entry's data in varying amounts (or leave it, every third entry). An error
 * from tar_read must stay: tar_next gives it back. 1 to go on, 0 to stop. */
static int drain(struct tar_reader *r, const struct tar_entry *e, unsigned nth)
{
	unsigned char buf[777];
	uint64_t got = 0;
	ssize_t k;

	if (nth % 3 == 2)
		return 1;
	while ((k = tar_read(r, buf, 1 + (size_t)(got % sizeof buf))) > 0) {
		got += (uint64_t)k;
		if (got > e->size)
			abort();
	}
	if (k == 0 && got != e->size)
		abort();
	if (k < 0) {
		struct tar_entry again;

		if (!is_error((int)k) || tar_next(r, &again) != (int)k)
			abort();
		return 0;
	}
	return 1;
}

static void run_stream(const uint8_t *data, size_t size)
{
	static struct tar_reader r;
	static struct tar_entry e;
	struct src s = { data, size, 0, 0 };
	unsigned nth = 0;
	int rc;

	tar_reader_init(&r, src_read, &s);
	while ((rc = tar_next(&r, &e)) == 1) {
		check_entry(&e);
		if (!drain(&r, &e, nth++))
			return;
	}
	if (rc != 0 && !is_error(rc))
		abort();
	/* The end is an all-zero header block; an error stays an error. */
	if (rc == 0 && s.off % TAR_BLOCK != 0)
		abort();
	if (tar_next(&r, &e) != rc)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tar_entry e;
	int rc;

	memset(&e, 0, sizeof e);
	if (size >= TAR_BLOCK) {
		rc = tar_header_parse(data, &e);
		if (rc == 1)
			check_entry(&e);
		else if (rc != 0 && !is_error(rc))
			abort();
	}
	rc = tar_pax_apply((const char *)data, size, &e);
	if (rc != 0 && rc != TAR_EPAX && rc != TAR_ETOOLONG)
		abort();
	if (!memchr(e.path, 0, TAR_NAME_MAX) || !memchr(e.link, 0, TAR_NAME_MAX))
		abort();
	run_stream(data, size);
	return 0;
}
