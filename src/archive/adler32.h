/* zlib's adler32 in the stub (the musl build defines DD_OWN_ADLER32, and adler32.c then
 * defines adler32 itself). zlib reaches it only for zlib-wrapped streams, and dockdrop
 * inflates gzip members and raw deflate only (inflateInit2 16 + MAX_WBITS, inflateReset2
 * -MAX_WBITS): its unrolled version is 0.7 KB of the stub for code that never runs. This
 * one is short and still right (tests/unit/test_gunzip.c compares it with zlib's). */
#ifndef DD_ARCHIVE_ADLER32_H
#define DD_ARCHIVE_ADLER32_H

#include <stddef.h>

unsigned long dd_adler32(unsigned long adler, const unsigned char *p, size_t n);

#endif
