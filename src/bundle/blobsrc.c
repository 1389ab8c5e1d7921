#include <errno.h>
#include <unistd.h>

#include "bundle/blobsrc.h"
#include "util/interrupt.h"
#include "util/log.h"

void dd_blobsrc_init(struct dd_blobsrc *s, int fd, uint64_t off, uint64_t len)
{
	s->fd = fd;
	s->pos = s->start = off;
	s->end = off + len;
	s->progress = NULL;
	dd_sha256_init(&s->sha);
}

ssize_t dd_blobsrc_read(void *src, void *buf, size_t n)
{
	struct dd_blobsrc *s = src;
	ssize_t r;

	if (s->pos >= s->end || n == 0)
		return 0;
	if (dd_interrupted()) {
		errno = EINTR;
		return -1;
	}
	if (n > s->end - s->pos)
		n = (size_t)(s->end - s->pos);
	do
		r = pread(s->fd, buf, n, (off_t)s->pos);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if (r == 0) {
		errno = EPIPE;	/* the file is shorter than the range */
		return -1;
	}
	dd_sha256_update(&s->sha, buf, (size_t)r);
	s->pos += (uint64_t)r;
	if (s->progress)
		dd_progress_bytes(s->progress, s->pos - s->start, s->end - s->start);
	return r;
}

ssize_t dd_blobsrc_next(void *src, const unsigned char **p)
{
	struct dd_blobsrc *s = src;

	*p = s->buf;
	return dd_blobsrc_read(s, s->buf, sizeof s->buf);
}

int dd_blobsrc_finish(struct dd_blobsrc *s, unsigned char digest[32])
{
	const unsigned char *p;
	ssize_t r;

	while ((r = dd_blobsrc_next(s, &p)) > 0)
		;
	if (r < 0)
		return -1;
	dd_sha256_out(&s->sha, digest);
	return 0;
}
