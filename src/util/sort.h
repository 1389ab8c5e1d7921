/* Sorting and searching small arrays and buffers, in place of musl's qsort (smoothsort) and
 * strstr/memmem (two-way): 4.5 KB of the stub for what are, in dockdrop, arrays of a few
 * hundred entries at most (JSON keys, gids, file names) and needles of a few bytes in
 * buffers of at most some hundred kilobytes. */
#ifndef DD_UTIL_SORT_H
#define DD_UTIL_SORT_H

#include <stddef.h>

/* qsort's contract (not stable): Shell sort with Ciura's gaps, O(n^1.3) or so. */
void dd_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* memmem's and strstr's contracts, by a plain scan: O(n * m). */
void *dd_memmem(const void *hay, size_t n, const void *needle, size_t m);
char *dd_strstr(const char *hay, const char *needle);

#endif
