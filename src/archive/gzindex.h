/* Access points into a single-member gzip tarball, so several threads can inflate it at
 * once (zlib's examples/zran.c idea): a point is a deflate block boundary (input byte and
 * bit, output offset, the 32 KB of output before it) followed shortly by the start of a tar
 * entry. Built at bundle time; carried as an "index" blob; at extraction each segment's
 * decoder checks, when it reaches the next point, that the bit position and the window are
 * exactly the recorded ones, so a wrong index can never change what gets written: it only
 * makes extraction fall back to one thread. */
#ifndef DD_GZINDEX_H
#define DD_GZINDEX_H

#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

#define DD_GZI_WINDOW 32768
#define DD_GZI_POINTS 16
#define DD_GZI_MAGIC "DDGZIDX1"
#define DD_GZI_HEAD 32		/* magic, blob length, output length, point count, 0 */
#define DD_GZI_REC 32		/* in_off, bits + window length, out_off, tar_off */

struct dd_gzi_point {
	uint64_t in_off;	/* first whole input byte of the block */
	unsigned bits;		/* 0..7 bits of byte in_off - 1 that belong to it */
	uint64_t out_off;	/* output offset of the block (P) */
	uint64_t tar_off;	/* output offset of the segment's first tar header (U >= P) */
	unsigned wlen;		/* min(out_off, 32768) */
	const unsigned char *window;
};

struct dd_gzi {
	uint64_t blob_len, out_len;
	unsigned n;
	struct dd_gzi_point p[DD_GZI_POINTS];
};

/* Parse a serialized index (n bytes at buf; windows point into buf). 0 or -1. */
int dd_gzi_parse(const unsigned char *buf, size_t n, struct dd_gzi *x);

/* Building, driven by a gunzip reader (see dd_gunzip.on_block) and the tar walker. */
struct dd_gzi_builder {
	int usable;		/* stays 1 while the stream is single-member and in bounds */
	uint64_t min_gap;	/* least output between two points */
	/* the last block boundary seen */
	uint64_t b_in, b_out;
	unsigned b_bits, b_wlen;
	unsigned char b_window[DD_GZI_WINDOW];
	/* the candidate: that boundary as it was where the next tar header starts */
	struct dd_gzi_point cand;
	unsigned char c_window[DD_GZI_WINDOW];
	/* the points so far; windows in win[] */
	struct dd_gzi x;
	unsigned char win[DD_GZI_POINTS][DD_GZI_WINDOW];
};

void dd_gzi_builder_init(struct dd_gzi_builder *b, uint64_t min_gap);
/* The gunzip hook: inflate stopped at a block boundary (members: members finished). */
void dd_gzi_on_block(void *b, z_stream *zs, uint64_t members);
/* The next tar header starts at output offset tar_off: remember the last boundary. */
void dd_gzi_mark(struct dd_gzi_builder *b, uint64_t tar_off);
/* That header's entry has size bytes: a big entry starts a segment of its own; small ones
 * stay with the segment before them. */
void dd_gzi_take(struct dd_gzi_builder *b, uint64_t size);
/* Serialize (after the whole stream was read: blob and output lengths known). Bytes
 * written to out (NULL: just the size), or 0 when no index is worth having. */
size_t dd_gzi_serialize(struct dd_gzi_builder *b, uint64_t blob_len, uint64_t out_len,
			unsigned char *out, size_t outsz);

#endif
