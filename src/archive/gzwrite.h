/* A gzip stream written like a file, in deflate's stored blocks: bytes go in through
 * dd_gzwrite, and out through a caller function a block at a time. What dockdrop writes
 * as gzip is the client bundle, a few kilobytes of PEM and JSON; compressing it would save
 * those kilobytes at the cost of zlib's deflate in the stub (18 KB of code, a 280 KB
 * arena). Any gunzip reads the result. The header has no name and a zero time, and every
 * block but the last is full, so the same input gives the same bytes however it is cut. */
#ifndef DD_GZWRITE_H
#define DD_GZWRITE_H

#include <stddef.h>
#include <stdint.h>

#define DD_GZWRITE_BLOCK 65535	/* the largest stored block */

/* Write all n bytes: 0, or -1 with errno set. */
typedef int (*dd_gzwrite_fn)(void *ctx, const void *buf, size_t n);

struct dd_gzwrite {
	dd_gzwrite_fn write;
	void *ctx;
	int state;		/* see gzwrite.c */
	uint32_t crc, size;	/* of the input so far (ISIZE is modulo 2^32) */
	size_t have;		/* input bytes in blk after the block header */
	unsigned char blk[5 + DD_GZWRITE_BLOCK];
};

/* 0 after writing the gzip header, or -1 with errno (the write function's). */
int dd_gzwrite_init(struct dd_gzwrite *g, dd_gzwrite_fn fn, void *ctx);
/* Take n bytes of buf: 0, or -1 with errno (the write function's, or EIO after a failure).
 * The signature fits tarw_write_fn. */
int dd_gzwrite(void *g, const void *buf, size_t n);
/* The last block and the gzip trailer: 0, or -1 with errno. */
int dd_gzwrite_finish(struct dd_gzwrite *g);
/* Wipe the buffer (it may have held a key); after finish, or to give up. */
void dd_gzwrite_end(struct dd_gzwrite *g);

#endif
