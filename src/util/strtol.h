/* strtol, strtoul and strtoll in the stub (the musl build defines DD_OWN_STRTOL, and
 * strtol.c then defines them itself). musl's read numbers through its scanf number reader
 * (__intscan, and the FILE-shaped input it reads through), 2.7 KB of a stub held under
 * 400 KB; these are the C standard's functions, nothing more: leading white space, a sign,
 * bases 2 to 36 or 0 (by the prefix 0x or 0), ERANGE and the limit on overflow, EINVAL for
 * another base. tests/unit/test_fmt.c compares them with the C library's over a table. */
#ifndef DD_UTIL_STRTOL_H
#define DD_UTIL_STRTOL_H

long dd_strtol(const char *s, char **end, int base);
unsigned long dd_strtoul(const char *s, char **end, int base);
long long dd_strtoll(const char *s, char **end, int base);

#endif
