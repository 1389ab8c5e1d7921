#include "archive/adler32.h"

#include <zlib.h>

#define BASE 65521	/* the largest prime below 2^16 */
#define NMAX 5552	/* the most bytes before b can pass 2^32 (zlib's adler32.c) */

unsigned long dd_adler32(unsigned long adler, const unsigned char *p, size_t n)
{
	unsigned long a = adler & 0xffff, b = adler >> 16 & 0xffff;

	if (!p)
		return 1;
	while (n) {
		size_t k = n < NMAX ? n : NMAX;

		for (n -= k; k; k--) {
			a += *p++;
			b += a;
		}
		a %= BASE;
		b %= BASE;
	}
	return b << 16 | a;
}

#ifdef DD_OWN_ADLER32
uLong adler32(uLong adler, const Bytef *buf, uInt len)
{
	return dd_adler32(adler, buf, len);
}
#endif
