/* printf's formatting, in place of musl's vfprintf in the stub (the musl build defines
 * DD_OWN_VFPRINTF, and fmt.c then defines vfprintf itself). musl's carries a
 * floating-point formatter and its tables, 8.5 KB of a stub held under 400 KB, that
 * dockdrop never asks for: its formats are integers, characters and strings. musl's stdio
 * (printf, fprintf, snprintf, vsnprintf, dprintf) calls vfprintf with a FILE, a real
 * stream or snprintf's string sink, and this writes to it only through fwrite, so it needs
 * nothing of musl's internals.
 *
 * What it formats: flags - 0 + space #, a width and a precision (digits or *), the lengths
 * hh h l ll z j t, and the conversions d i u o x X c s p m %. Anything else (floating
 * point, %n, positional arguments) ends the call with -1 and errno EINVAL, as musl does
 * for a format it cannot read; tests/unit/test_fmt.c compares it with the C library's own
 * printf over a table, and tests/cli/test_static.sh checks that no format in src/ needs
 * what it does not have. */
#ifndef DD_UTIL_FMT_H
#define DD_UTIL_FMT_H

#include <stdarg.h>
#include <stdio.h>

/* vfprintf's contract: the number of bytes written, or -1 (a write error, or a format it
 * does not know: errno EINVAL). */
int dd_vfprintf(FILE *f, const char *fmt, va_list ap);

#endif
