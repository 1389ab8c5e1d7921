/* Parallel one-pass unpack: the engine's segments (see archive/gzindex.h) are inflated and
 * extracted by two workers while a third thread hashes the compressed bytes. */
#ifndef DD_PUNPACK_H
#define DD_PUNPACK_H

#include <stddef.h>

#include "archive/gzindex.h"
#include "bundle/payload.h"

#define DD_PUNPACK_FALLBACK 100	/* the index does not fit the stream: unpack serially */

struct dd_extract;

/* Unpack blob b of p into the directory stagefd using index x, checking b's SHA-256. 0,
 * DD_PUNPACK_FALLBACK (the index does not fit: empty the staging directory and go serial),
 * or an exit code with err set. Counters are added to *total; its writeback and sums are
 * the workers'. */
int dd_punpack(const struct dd_payload *p, const struct dd_blob *b, const struct dd_gzi *x,
	       int stagefd, struct dd_extract *total, char *err, size_t errsz);

#endif
