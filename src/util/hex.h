/* Hex digits: the manifest, the state record and JSON escapes all read and write them. */
#ifndef DD_HEX_H
#define DD_HEX_H

#include <stddef.h>

void dd_hex(const unsigned char *b, size_t n, char *out);	/* out: 2n+1 bytes, lowercase */
int dd_unhex(const char *s, unsigned char *b, size_t n);	/* exactly 2n hex digits, then NUL */
int dd_hexval(char c);						/* 0..15, or -1 */

#endif
