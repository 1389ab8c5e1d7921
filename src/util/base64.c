#include "util/base64.h"

#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* x in 0..63 to its character with neither a table nor a branch (as BearSSL's pemenc.c):
 * a private key's or a password's bits choose no memory read and no jump. 'A' + x, moved on
 * at each range x reaches; (k - x) >> 8 is all ones when x > k. */
static char b64char(unsigned x)
{
	unsigned c = 'A' + x;

	c += (25 - x) >> 8 & 6;		/* 26..51: 'a'.. */
	c -= (51 - x) >> 8 & 75;	/* 52..61: '0'.. */
	c -= (61 - x) >> 8 & 15;	/* 62: '+' */
	c += (62 - x) >> 8 & 3;		/* 63: '/' */
	return (char)c;
}

size_t dd_base64(const void *in, size_t n, char *out, size_t cap)
{
	const unsigned char *s = in;
	size_t o = 0;

	if (n > (cap - 1) / 4 * 3 || cap == 0)
		return 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
			     (i + 2 < n ? s[i + 2] : 0);

		out[o++] = b64char(v >> 18);
		out[o++] = b64char(v >> 12 & 63);
		out[o++] = i + 1 < n ? b64char(v >> 6 & 63) : '=';
		out[o++] = i + 2 < n ? b64char(v & 63) : '=';
	}
	out[o] = 0;
	return o;
}

long dd_unbase64(const char *s, size_t n, unsigned char *out, size_t cap)
{
	size_t o = 0;

	if (n % 4)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		unsigned v = 0, pad = 0;

		for (size_t j = 0; j < 4; j++) {
			char ch = s[i + j];
			const char *p = ch ? strchr(b64, ch) : NULL;

			if (ch == '=') { /* padding: only at the very end, "x=" then "=" */
				if (i + 4 != n || j < 2 || (j == 2 && s[i + 3] != '='))
					return -1;
				pad++;
			} else if (!p || pad) {
				return -1;
			}
			v = v << 6 | (p ? (unsigned)(p - b64) : 0);
		}
		if (o + 3 - pad > cap)
			return -1;
		out[o++] = (unsigned char)(v >> 16);
		if (pad < 2)
			out[o++] = (unsigned char)(v >> 8);
		if (pad < 1)
			out[o++] = (unsigned char)v;
	}
	return (long)o;
}
