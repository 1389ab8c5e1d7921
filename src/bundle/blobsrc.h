/* Reads one blob (a byte range of the bundle file) in chunks, hashing every byte as it
 * passes, so whoever consumes the chunks (inflate) and the digest check share one pass. */
#ifndef DD_BLOBSRC_H
#define DD_BLOBSRC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/sha256.h"

#define DD_BLOBSRC_CHUNK (128 * 1024)

struct dd_blobsrc {
	int fd;
	uint64_t pos, end;
	dd_sha256 sha;
	const char *progress;	/* a label for dd_progress_bytes, or NULL (init) for none */
	uint64_t start;
	unsigned char buf[DD_BLOBSRC_CHUNK];
};

void dd_blobsrc_init(struct dd_blobsrc *s, int fd, uint64_t off, uint64_t len);
/* dd_chunk_fn: the next chunk (hashed), 0 at the end of the range, -1 with errno (EPIPE
 * when the file is shorter than the range). */
ssize_t dd_blobsrc_next(void *s, const unsigned char **p);
/* tar_read_fn: up to n bytes of the range straight into buf (hashed); 0 at its end. */
ssize_t dd_blobsrc_read(void *s, void *buf, size_t n);
/* Read and hash what the consumer left, then the digest of the whole range. 0 or -1. */
int dd_blobsrc_finish(struct dd_blobsrc *s, unsigned char digest[32]);

#endif
