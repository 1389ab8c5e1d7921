#include "util/sort.h"

#include <stdint.h>
#include <string.h>

static void swap(unsigned char *a, unsigned char *b, size_t size)
{
	while (size--) {
		unsigned char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

void dd_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	/* Ciura's gaps, then each next one 2.25 times the last, as far as n needs. */
	static const uint32_t gaps[] = {	/* 4 bytes each: the largest is 1035711 */ 1, 4, 10, 23, 57, 132, 301, 701, 1577, 3548, 7983, 17961,
				       40412, 90927, 204585, 460316, 1035711 };
	unsigned char *b = base;
	size_t g = sizeof gaps / sizeof gaps[0];

	while (g > 1 && gaps[g - 1] >= n)
		g--;
	while (g--) {
		size_t gap = gaps[g];

		for (size_t i = gap; i < n; i++)
			for (size_t j = i; j >= gap && cmp(b + (j - gap) * size, b + j * size) > 0; j -= gap)
				swap(b + (j - gap) * size, b + j * size, size);
	}
}

void *dd_memmem(const void *hay, size_t n, const void *needle, size_t m)
{
	const unsigned char *h = hay;

	if (!m)
		return (void *)h;
	for (; n >= m; h++, n--) {
		const unsigned char *p = memchr(h, *(const unsigned char *)needle, n - m + 1);

		if (!p)
			return NULL;
		n -= (size_t)(p - h);
		h = p;
		if (!memcmp(h, needle, m))
			return (void *)h;
	}
	return NULL;
}

char *dd_strstr(const char *hay, const char *needle)
{
	return dd_memmem(hay, strlen(hay), needle, strlen(needle));
}
