#include "util/fmt.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Output goes through a buffer of this size: one fwrite per call for lines shorter than
 * that (stderr is unbuffered: one write(2) per line). */
#define OUT 512

struct out {
	FILE *f;
	size_t n;
	long long total;
	int failed;
	char buf[OUT];
};

static void flush(struct out *o)
{
	if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
		o->failed = 1;
	o->n = 0;
}

static void put(struct out *o, const char *s, size_t n)
{
	o->total += (long long)n;
	while (n) {
		size_t k = OUT - o->n < n ? OUT - o->n : n;

		memcpy(o->buf + o->n, s, k);
		o->n += k;
		s += k;
		n -= k;
		if (o->n == OUT)
			flush(o);
	}
}

static void pad(struct out *o, char c, long n)
{
	char p[16];

	memset(p, c, sizeof p);
	for (; n > 0; n -= (long)sizeof p)
		put(o, p, n < (long)sizeof p ? (size_t)n : sizeof p);
}

struct spec {
	int left, zero, plus, space, alt;
	long width, prec;	/* prec -1: none */
};

/* s (n bytes) in a field: the sign or prefix, then zeros up to the precision's digits
 * (or the width's with the 0 flag), then the digits. */
static void field(struct out *o, const struct spec *sp, const char *pre, const char *s, size_t n,
		  long zeros)
{
	size_t pl = strlen(pre);
	long len = (long)(pl + n) + zeros;

	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > len)
		zeros += sp->width - len, len = sp->width;
	if (!sp->left)
		pad(o, ' ', sp->width - len);
	put(o, pre, pl);
	pad(o, '0', zeros);
	put(o, s, n);
	if (sp->left)
		pad(o, ' ', sp->width - len);
}

static void integer(struct out *o, const struct spec *sp, uintmax_t v, int neg, int base,
		    int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char d[3 * sizeof v], *p = d + sizeof d;
	const char *pre = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";
	long zeros;

	for (; v; v /= (unsigned)base)
		*--p = digits[v % (unsigned)base];
	if (p == d + sizeof d && sp->prec != 0)
		*--p = '0';	/* 0, unless a precision of 0 asks for no digits */
	/* p may be the end (a precision of 0, no digits): not read there */
	if (sp->alt && base == 16 && p != d + sizeof d && *p != '0')
		pre = upper ? "0X" : "0x";
	if (sp->alt && base == 8 && (p == d + sizeof d || *p != '0'))
		*--p = '0';
	zeros = sp->prec - (long)(d + sizeof d - p);
	field(o, sp, pre, p, (size_t)(d + sizeof d - p), zeros > 0 ? zeros : 0);
}

/* A width or precision: digits, or * for an int argument; 0 when neither (no width; "."
 * alone is a precision of 0). */
static long number(const char **f, va_list *ap)
{
	long n = 0;

	if (**f == '*') {
		++*f;
		return va_arg(*ap, int);
	}
	while (**f >= '0' && **f <= '9' && n < INT_MAX / 10)
		n = n * 10 + (*(*f)++ - '0');
	return n;
}

enum { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE, L_MAX, L_PTRDIFF };

static int length(const char **f)
{
	switch (*(*f)++) {
	case 'h': return **f == 'h' ? (++*f, L_CHAR) : L_SHORT;
	case 'l': return **f == 'l' ? (++*f, L_LLONG) : L_LONG;
	case 'z': return L_SIZE;
	case 'j': return L_MAX;
	case 't': return L_PTRDIFF;
	}
	--*f;
	return L_INT;
}

static intmax_t signed_arg(int len, va_list *ap)
{
	switch (len) {
	case L_CHAR: return (signed char)va_arg(*ap, int);
	case L_SHORT: return (short)va_arg(*ap, int);
	case L_LONG: return va_arg(*ap, long);
	case L_LLONG: return va_arg(*ap, long long);
	case L_SIZE: return va_arg(*ap, ptrdiff_t);	/* the signed type of size_t's width */
	case L_MAX: return va_arg(*ap, intmax_t);
	case L_PTRDIFF: return va_arg(*ap, ptrdiff_t);
	}
	return va_arg(*ap, int);
}

static uintmax_t unsigned_arg(int len, va_list *ap)
{
	switch (len) {
	case L_CHAR: return (unsigned char)va_arg(*ap, unsigned);
	case L_SHORT: return (unsigned short)va_arg(*ap, unsigned);
	case L_LONG: return va_arg(*ap, unsigned long);
	case L_LLONG: return va_arg(*ap, unsigned long long);
	case L_SIZE: return va_arg(*ap, size_t);
	case L_MAX: return va_arg(*ap, uintmax_t);
	case L_PTRDIFF: return (uintmax_t)va_arg(*ap, ptrdiff_t);
	}
	return va_arg(*ap, unsigned);
}

/* One directive after its '%': 0, or -1 for one it does not know. */
static int directive(struct out *o, const char **f, va_list *ap, int err)
{
	struct spec sp = { 0 };
	const char *s;
	char c;
	int len;

	for (;; ++*f) {
		if (**f == '-') sp.left = 1;
		else if (**f == '0') sp.zero = 1;
		else if (**f == '+') sp.plus = 1;
		else if (**f == ' ') sp.space = 1;
		else if (**f == '#') sp.alt = 1;
		else break;
	}
	if ((sp.width = number(f, ap)) < 0)
		sp.left = 1, sp.width = -sp.width;	/* a negative * width: left-justified */
	sp.prec = -1;
	if (**f == '.') {
		++*f;
		sp.prec = number(f, ap);
		if (sp.prec < 0)
			sp.prec = -1;	/* a negative * precision: as if there were none */
	}
	len = length(f);
	if (!(c = **f))
		return -1;	/* the format ends inside the directive */
	++*f;
	switch (c) {
	case 'd':
	case 'i': {
		intmax_t v = signed_arg(len, ap);

		integer(o, &sp, v < 0 ? -(uintmax_t)v : (uintmax_t)v, v < 0, 10, 0);
		return 0;
	}
	case 'u': case 'o': case 'x': case 'X':
		sp.plus = sp.space = 0;
		integer(o, &sp, unsigned_arg(len, ap), 0, c == 'u' ? 10 : c == 'o' ? 8 : 16, c == 'X');
		return 0;
	case 'p':
		sp.plus = sp.space = 0;
		sp.alt = 1;
		integer(o, &sp, (uintptr_t)va_arg(*ap, void *), 0, 16, 0);
		return 0;
	case 'c':
		c = (char)va_arg(*ap, int);
		sp.prec = -1;
		sp.zero = 0;
		field(o, &sp, "", &c, 1, 0);
		return 0;
	case 's':
	case 'm':
		s = c == 'm' ? strerror(err) : va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		sp.zero = 0;
		field(o, &sp, "", s, sp.prec < 0 ? strlen(s) : strnlen(s, (size_t)sp.prec), 0);
		sp.prec = -1;
		return 0;
	case '%':
		put(o, "%", 1);
		return 0;
	}
	return -1;
}

int dd_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	struct out o = { .f = f };
	int err = errno;	/* %m's, before anything here can change it */
	va_list aq;
	int rc = 0;

	va_copy(aq, ap);
	flockfile(f);	/* the whole output together, as one call of musl's would be */
	while (rc == 0 && *fmt) {
		const char *pc = strchr(fmt, '%');
		size_t n = pc ? (size_t)(pc - fmt) : strlen(fmt);

		put(&o, fmt, n);
		fmt += n;
		if (*fmt == '%') {
			fmt++;
			rc = directive(&o, &fmt, &aq, err);
		}
	}
	flush(&o);
	funlockfile(f);
	va_end(aq);
	if (rc) {
		errno = EINVAL;
		return -1;
	}
	if (o.failed)
		return -1;
	return o.total > INT_MAX ? (errno = EOVERFLOW, -1) : (int)o.total;
}

#ifdef DD_OWN_VFPRINTF
int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	return dd_vfprintf(f, fmt, ap);
}
#endif
