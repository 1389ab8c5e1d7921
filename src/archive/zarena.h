/* zlib's allocator over a fixed buffer inside the caller's struct (STYLE.md point 1): each
 * allocation takes the next 16-byte-aligned piece, frees do nothing, and the memory goes
 * when its owner does. One footprint, known in advance, whatever the stream. */
#ifndef DD_ZARENA_H
#define DD_ZARENA_H

#include <stddef.h>

#include <zlib.h>

struct dd_zarena {
	unsigned char *buf;
	size_t cap, used;
};

/* Make zs allocate from buf (cap bytes, 16-byte aligned) through a. */
void dd_zarena_use(z_stream *zs, struct dd_zarena *a, void *buf, size_t cap);

#endif
