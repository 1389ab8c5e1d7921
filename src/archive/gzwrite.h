/* A gzip stream written like a file: bytes go in through dd_gzwrite, deflated output goes
 * out through a caller function in chunks. The gzip header zlib writes has no name and a
 * zero time, so the same input and level give the same bytes. zlib's memory comes from an
 * arena inside the struct: no allocation, a fixed footprint (keep the struct static). */
#ifndef DD_GZWRITE_H
#define DD_GZWRITE_H

#include <stddef.h>

#include <zlib.h>

#include "archive/zarena.h"

/* Deflate at windowBits 15, memLevel 8: state (~6 KB), window, hash chains and pending
 * buffer (64 KB each). */
#define DD_GZWRITE_ARENA (280 * 1024)
#define DD_GZWRITE_CHUNK 16384

/* Write all n bytes: 0, or -1 with errno set. */
typedef int (*dd_gzwrite_fn)(void *ctx, const void *buf, size_t n);

struct dd_gzwrite {
	z_stream zs;
	dd_gzwrite_fn write;
	void *ctx;
	int state;		/* see gzwrite.c */
	struct dd_zarena za;
	unsigned char out[DD_GZWRITE_CHUNK];
	unsigned char arena[DD_GZWRITE_ARENA] __attribute__((aligned(16)));
};

/* level: 1..9 (zlib's). 0, or -1 with errno (ENOMEM if the arena is short, EINVAL). */
int dd_gzwrite_init(struct dd_gzwrite *g, int level, dd_gzwrite_fn fn, void *ctx);
/* Compress n bytes of buf: 0, or -1 with errno (the write function's, or EIO). The
 * signature fits tarw_write_fn. */
int dd_gzwrite(void *g, const void *buf, size_t n);
/* Flush the rest and the gzip trailer: 0, or -1 with errno. */
int dd_gzwrite_finish(struct dd_gzwrite *g);
/* Release zlib's state (after finish, or to give up). */
void dd_gzwrite_end(struct dd_gzwrite *g);

#endif
