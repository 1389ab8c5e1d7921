/* util/strtol (strtol, strtoul, strtoll in the stub) against the C library's, row by row:
 * the value, errno and where the number ends.
 * util/fmt (printf's formatting in the stub) against the C library's own printf: every row
 * formatted by both, the bytes and the counts equal; the directives it does not know end
 * the call with -1 and EINVAL; output longer than its buffer; %m; a failing stream.
 * util/sort: dd_sort against qsort, dd_memmem/dd_strstr against memmem/strstr. */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>

#include "t.h"

#include "util/fmt.h"
#include "util/sort.h"
#include "util/strtol.h"

static char ours[8192], theirs[8192];
static int n_ours, n_theirs;

static int dd_vfprintf_test(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = dd_vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

/* Both formatters on the same arguments. */
static void both(const char *fmt, ...)
{
	va_list ap, aq;
	FILE *f = fmemopen(ours, sizeof ours, "w");

	va_start(ap, fmt);
	va_copy(aq, ap);
	memset(ours, 0, sizeof ours);
	n_ours = dd_vfprintf(f, fmt, ap);
	fclose(f);
	n_theirs = vsnprintf(theirs, sizeof theirs, fmt, aq);
	va_end(aq);
	va_end(ap);
}

#define SAME(...)                                                                        \
	do {                                                                             \
		both(__VA_ARGS__);                                                       \
		CHECKF(n_ours == n_theirs && strcmp(ours, theirs) == 0,                   \
		       "%s: ours %d '%s', libc %d '%s'", #__VA_ARGS__, n_ours, ours, n_theirs, \
		       theirs);                                                          \
	} while (0)

TEST(integers)
{
	static const long long v[] = { 0, 1, -1, 7, 42, -42, 255, 4096, 65535, -65536,
				       2147483647LL, -2147483647LL - 1, LLONG_MAX, LLONG_MIN };
	static const char *const f[] = { "%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%.3d",
					 "%8.3d", "%-8.3d|", "%.0d", "%02d", "%04d", "%22d" };

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		for (size_t j = 0; j < sizeof f / sizeof f[0]; j++)
			SAME(f[j], (int)v[i]);
		SAME("%ld %li %lld %jd %zd %td", (long)v[i], (long)v[i], v[i], (intmax_t)v[i],
		     (ssize_t)v[i], (ptrdiff_t)v[i]);
		SAME("%hd %hhd", (short)v[i], (signed char)v[i]);
		SAME("%u %lu %llu %zu %x %X %lx %llx %o %#o %#x %#X %06x %02x", (unsigned)v[i],
		     (unsigned long)v[i], (unsigned long long)v[i], (size_t)v[i], (unsigned)v[i],
		     (unsigned)v[i], (unsigned long)v[i], (unsigned long long)v[i], (unsigned)v[i],
		     (unsigned)v[i], (unsigned)v[i], (unsigned)v[i], (unsigned)v[i], (unsigned)v[i]);
		SAME("%hu %hhu %hx %04o %12llu %-5u|", (unsigned short)v[i], (unsigned char)v[i],
		     (unsigned short)v[i], (unsigned)v[i], (unsigned long long)v[i], (unsigned)v[i]);
		SAME("%*d|%-*d|%.*d|%*.*d", 6, (int)v[i], 6, (int)v[i], 4, (int)v[i], 9, 4, (int)v[i]);
		SAME("%*d|%.*d|", -6, (int)v[i], -3, (int)v[i]);
	}
	/* the alternate forms with no digits (a precision of 0 and a 0): nothing read past them */
	SAME("[%#.0o] [%#.0x] [%#.0X] [%#5.0o] [%#5.0x] [%#.0o]", 0u, 0u, 0u, 0u, 0u, 8u);
	SAME("%p %p", (void *)0x1234, (void *)&ours);
}

TEST(strings_and_chars)
{
	static const char *const s[] = { "", "a", "dockdrop", "a longer string of text", NULL };
	static const char *const f[] = { "%s", "[%10s]", "[%-10s]", "[%.3s]", "[%.0s]", "[%8.2s]",
					 "[%-8.12s]", "%.40s", "[%*s]", "[%-*s]" };

	for (size_t i = 0; s[i]; i++) {
		for (size_t j = 0; j < 8; j++)
			SAME(f[j], s[i]);
		SAME(f[8], 12, s[i]);
		SAME(f[9], 12, s[i]);
		SAME("%.*s|%.*s", 2, s[i], -1, s[i]);
	}
	SAME("%c%c%c [%3c] [%-3c]", 'a', 0x7f, ' ', 'x', 'y');
	SAME("100%% %s%%", "done");
	SAME("no directives at all");
	SAME("");
	SAME("%s: %s (%s)", "install", "engine 20.10.24 verified", "exit 3");
}

TEST(long_output)
{
	static char big[3000];

	memset(big, 'x', sizeof big - 1);
	big[1000] = 'y';
	SAME("%s", big);
	SAME("[%s] %d [%2000s] %s", big, 7, "pad", big + 2000);
	SAME("%5000d|", 12);
}

TEST(errno_text)
{
	char want[256];
	FILE *f = fmemopen(ours, sizeof ours, "w");

	memset(ours, 0, sizeof ours);
	errno = ENOENT;
	snprintf(want, sizeof want, "open: %s.", strerror(ENOENT));
	CHECK(dd_vfprintf_test(f, "open: %m.") == (int)strlen(want));
	fclose(f);
	CHECK(strcmp(ours, want) == 0);
}

TEST(unknown_directives)
{
	static const char *const bad[] = { "%f", "x %.1f", "%e", "%g", "%a", "%n", "%1$s", "%q",
					   "%Lf", "%" };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		FILE *f = fmemopen(ours, sizeof ours, "w");

		errno = 0;
		CHECKF(dd_vfprintf_test(f, bad[i], 1.5) == -1 && errno == EINVAL, "%s", bad[i]);
		fclose(f);
	}
}

TEST(failing_stream)
{
	FILE *f = fopen("/dev/full", "w");

	CHECK(f != NULL);
	if (!f)
		return;
	setvbuf(f, NULL, _IONBF, 0);
	CHECK(dd_vfprintf_test(f, "%s", "something") == -1);
	fclose(f);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

TEST(sort)
{
	static int a[5000], b[5000];
	static const size_t n[] = { 0, 1, 2, 3, 10, 57, 58, 1000, 5000 };
	uint32_t x = 1;

	for (size_t k = 0; k < sizeof n / sizeof n[0]; k++) {
		for (size_t i = 0; i < n[k]; i++) {
			x = x * 1103515245u + 12345u;
			a[i] = b[i] = (int)(x >> 20) % (k & 1 ? 7 : 100000);	/* repeats too */
		}
		dd_sort(a, n[k], sizeof a[0], cmp_int);
		qsort(b, n[k], sizeof b[0], cmp_int);
		CHECKF(memcmp(a, b, n[k] * sizeof a[0]) == 0, "n %zu", n[k]);
	}
}

TEST(search)
{
	static const struct {
		const char *hay, *needle;
	} rows[] = {
		{ "", "" }, { "abc", "" }, { "", "a" }, { "abc", "abc" }, { "abc", "abcd" },
		{ "aaab", "aab" }, { "xx\r\n\r\nbody", "\r\n\r\n" }, { "-----BEGIN X", "-----BEGIN" },
		{ "abababc", "ababc" }, { "needle at the end!", "end!" }, { "no", "yes" },
		{ "a/../b", "/../" }, { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "aaaaaaab" },
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *h = rows[i].hay, *nd = rows[i].needle;

		CHECKF(dd_strstr(h, nd) == strstr(h, nd), "row %zu", i);
		CHECKF(dd_memmem(h, strlen(h), nd, strlen(nd)) == memmem(h, strlen(h), nd, strlen(nd)),
		       "row %zu", i);
	}
	/* Bytes past the length given are never looked at, NULs inside are bytes. */
	CHECK(dd_memmem("abcdef", 3, "cd", 2) == NULL);
	CHECK(dd_memmem("a\0b\0c", 5, "\0c", 2) != NULL);
}

/* errno after the C library's strtol family, as glibc leaves it: POSIX lets a libc set EINVAL
 * when nothing converts, and musl (the arm64 tests' libc) does; glibc and dd_strtol don't. */
static int libc_errno(const char *t, const char *end, int base)
{
	int e = errno;

	return e == EINVAL && end == t && (base == 0 || (base >= 2 && base <= 36)) ? 0 : e;
}

TEST(strtol_table)
{
	static const char *const texts[] = {
		"0", "42", "  \t\n+17x", "-17", "-0", "007", "0x1F", "0X1f", "0x", "0xg", "x1", "",
		" ", "-", "+", "+-1", "1e3", "zz", "Zz", "1_000", "\v\f\r9",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "18446744073709551615", "18446744073709551616",
		"-18446744073709551615", "-18446744073709551616", "99999999999999999999999999",
		"0x7fffffffffffffff", "0xffffffffffffffff", "0x10000000000000000", "0777", "0778",
		"1010", "-1", "4294967295", "4294967296",
	};
	static const int bases[] = { 0, 2, 8, 10, 16, 36, 1, 37, -1 };

	for (unsigned i = 0; i < sizeof texts / sizeof texts[0]; i++)
		for (unsigned b = 0; b < sizeof bases / sizeof bases[0]; b++) {
			const char *t = texts[i];
			int base = bases[b], e1, e2;
			char *end1 = (char *)"unset", *end2 = (char *)"unset";
			long l1, l2;
			unsigned long u1, u2;
			long long ll1, ll2;

			errno = 0, l1 = dd_strtol(t, &end1, base), e1 = errno;
			errno = 0, l2 = strtol(t, &end2, base), e2 = libc_errno(t, end2, base);
			CHECKF(l1 == l2 && e1 == e2 && (e1 == EINVAL || end1 == end2),
			       "strtol(\"%s\", %d): %ld errno %d end %td, libc %ld errno %d end %td", t, base,
			       l1, e1, end1 - t, l2, e2, end2 - t);
			errno = 0, u1 = dd_strtoul(t, &end1, base), e1 = errno;
			errno = 0, u2 = strtoul(t, &end2, base), e2 = libc_errno(t, end2, base);
			CHECKF(u1 == u2 && e1 == e2 && (e1 == EINVAL || end1 == end2),
			       "strtoul(\"%s\", %d): %lu errno %d, libc %lu errno %d", t, base, u1, e1, u2, e2);
			errno = 0, ll1 = dd_strtoll(t, &end1, base), e1 = errno;
			errno = 0, ll2 = strtoll(t, &end2, base), e2 = libc_errno(t, end2, base);
			CHECKF(ll1 == ll2 && e1 == e2 && (e1 == EINVAL || end1 == end2),
			       "strtoll(\"%s\", %d): %lld errno %d, libc %lld errno %d", t, base, ll1, e1, ll2, e2);
		}
	CHECK(dd_strtoul("12", NULL, 10) == 12);	/* end may be NULL */
}

int main(void)
{
	RUN(integers);
	RUN(strings_and_chars);
	RUN(long_output);
	RUN(errno_text);
	RUN(unknown_directives);
	RUN(failing_stream);
	RUN(sort);
	RUN(search);
	RUN(strtol_table);
	T_EXIT();
}
