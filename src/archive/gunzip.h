/* A gzip stream read like a file: pulls compressed chunks from a caller function and
 * inflates into the caller's buffer, member after member (a gzip file may hold several;
 * zlib's inflate stops at the end of each, so it is reset and goes on). zlib's memory comes
 * from an arena inside the struct: no allocation, a fixed footprint. */
#ifndef DD_GUNZIP_H
#define DD_GUNZIP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <zlib.h>

#include "archive/zarena.h"

/* Next compressed chunk: its length with *p set, 0 at the end, -1 with errno on error. */
typedef ssize_t (*dd_chunk_fn)(void *ctx, const unsigned char **p);

#define DD_GUNZIP_ARENA (48 * 1024)	/* inflate state (~7 KB) + 32 KB window */

struct dd_gunzip {
	z_stream zs;
	dd_chunk_fn next;
	void *ctx;
	int state;		/* see gunzip.c */
	uint64_t members;
	/* Optional: called each time inflate stops at a deflate block boundary (inflate then
	 * runs with Z_BLOCK), with the number of members finished so far. */
	void (*on_block)(void *ctx, z_stream *zs, uint64_t members);
	void *block_ctx;
	char err[96];		/* why the last read failed */
	struct dd_zarena za;
	unsigned char arena[DD_GUNZIP_ARENA] __attribute__((aligned(16)));
};

int dd_gunzip_init(struct dd_gunzip *g, dd_chunk_fn next, void *ctx);
/* Up to n bytes into buf: bytes read, 0 at the clean end of the last member (and of the
 * input), -1 on error with errno set (EBADMSG for bad data, EPIPE for truncated input)
 * and g->err saying why. The signature fits tar_read_fn. */
ssize_t dd_gunzip_read(void *g, void *buf, size_t n);
void dd_gunzip_end(struct dd_gunzip *g);

#endif
