#include "util/hex.h"

void dd_hex(const unsigned char *b, size_t n, char *out)
{
	static const char dig[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = dig[b[i] >> 4];
		out[2 * i + 1] = dig[b[i] & 15];
	}
	out[2 * n] = 0;
}

int dd_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dd_unhex(const char *s, unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = dd_hexval(s[2 * i]), lo = hi < 0 ? -1 : dd_hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	return s[2 * n] == 0 ? 0 : -1;
}
