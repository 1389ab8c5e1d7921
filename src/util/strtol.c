#include "util/strtol.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#define NEG 1
#define OVER 2

static unsigned digit(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	c = (char)(c | 32);
	return c >= 'a' && c <= 'z' ? (unsigned)(c - 'a' + 10) : 99;
}

/* The magnitude of the number at s, at most pos (or neg after a '-'; beyond: the limit,
 * ERANGE and OVER in *st), NEG in *st for a '-'; *end after its last digit, or s when it
 * has none. */
static unsigned long long scan(const char *s, char **end, int base, unsigned long long pos,
			       unsigned long long neg, int *st)
{
	const char *p = s, *digits;
	unsigned long long v = 0, lim;

	*st = 0;
	if (end)
		*end = (char *)s;
	if (base < 0 || base == 1 || base > 36) {
		errno = EINVAL;
		return 0;
	}
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '-')
		*st = NEG;
	if (*p == '-' || *p == '+')
		p++;
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 32) == 'x' && digit(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	lim = *st ? neg : pos;
	for (digits = p; digit(*p) < (unsigned)base; p++) {
		unsigned d = digit(*p);

		if (v > (lim - d) / (unsigned)base)
			*st |= OVER;
		else
			v = v * (unsigned)base + d;
	}
	if (end && p != digits)
		*end = (char *)p;
	if (*st & OVER) {
		errno = ERANGE;
		return lim;
	}
	return v;
}

/* A magnitude up to -(LLONG_MIN) made negative without overflow. */
static long long negate(unsigned long long m)
{
	return m ? -(long long)(m - 1) - 1 : 0;
}

long dd_strtol(const char *s, char **end, int base)
{
	int st;
	unsigned long long m = scan(s, end, base, LONG_MAX, (unsigned long long)LONG_MAX + 1, &st);

	return st & NEG ? (long)negate(m) : (long)m;
}

long long dd_strtoll(const char *s, char **end, int base)
{
	int st;
	unsigned long long m = scan(s, end, base, LLONG_MAX, (unsigned long long)LLONG_MAX + 1, &st);

	return st & NEG ? negate(m) : (long long)m;
}

/* "-1" is ULONG_MAX, as the standard has it; "-" and a number beyond it is ULONG_MAX and
 * ERANGE. */
unsigned long dd_strtoul(const char *s, char **end, int base)
{
	int st;
	unsigned long m = (unsigned long)scan(s, end, base, ULONG_MAX, ULONG_MAX, &st);

	return st == NEG ? -m : m;
}

#ifdef DD_OWN_STRTOL
long strtol(const char *restrict s, char **restrict end, int base)
{
	return dd_strtol(s, end, base);
}

long long strtoll(const char *restrict s, char **restrict end, int base)
{
	return dd_strtoll(s, end, base);
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
	return dd_strtoul(s, end, base);
}
#endif
