/* PEM read as BearSSL's PEM decoder reads it (dd_pem_decode used it; it was 2 KB of the
 * stub): a line "-----BEGIN NAME" in any case (the name upper-cased, its trailing dashes
 * dropped, under 127 bytes); base64 lines, blanks and tabs allowed between the characters,
 * '=' padding only in the last group of the last line; then a line starting "-----END "
 * (any case; its name is not checked) that ends with a newline. Lines outside objects are
 * skipped. One difference, on purpose: a CR in the BEGIN line is left out of the name;
 * BearSSL left a stale byte in its place, so the name of a CRLF file never matched and no
 * object was found in it. tests/unit/test_pki.c pem_as_bearssl holds the two side by side. */
#include <stdio.h>
#include <string.h>

#include "util/pem.h"

#include "util/base64.h"

struct in {
	const unsigned char *p, *end;
};

struct out {
	unsigned char *der;
	size_t len, cap;
	int keep, over;
};

#define EOI (-1)	/* the text ended: no more objects, the one open is not complete */

/* What a line of base64 ended with. */
enum { GROUP, DASH, LAST, EOL, BAD };

static int get(struct in *r)
{
	return r->p < r->end ? *r->p++ : EOI;
}

static int upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 32 : c;
}

/* Blank, but not the newline. */
static int ws(int c)
{
	return c != '\n' && c >= 0 && c <= ' ';
}

/* The rest of the line: 1 when it was blank, 0 when not, EOI. */
static int rest_blank(struct in *r)
{
	int c, blank = 1;

	while ((c = get(r)) != '\n')
		if (c == EOI)
			return EOI;
		else if (!ws(c))
			blank = 0;
	return blank;
}

/* The next character that is not blank (a newline is not blank). */
static int nonblank(struct in *r)
{
	int c;

	while (ws(c = get(r)))
		;
	return c;
}

/* The line goes on with s (s upper case; the line's letters compared upper-cased): 1; 0
 * with the line read to its end when it does not; EOI. */
static int match(struct in *r, const char *s)
{
	for (int c; *s; s++) {
		if ((c = get(r)) == EOI)
			return EOI;
		if (c == '\n')
			return 0;
		if (upper(c) != *s)
			return rest_blank(r) == EOI ? EOI : 0;
	}
	return 1;
}

/* The next BEGIN line: 1 with its name in name (128 bytes), or EOI. A line whose name runs
 * to 127 bytes or more (trailing dashes and CRs counted) is not one. */
static int begin(struct in *r, char *name)
{
	for (;;) {
		int m = match(r, "-----BEGIN "), c, room = 127, len = 0;

		if (m == EOI)
			return EOI;
		while (m) {
			if (!room) {	/* too long: not a BEGIN line */
				len = rest_blank(r) == EOI ? EOI : 0;
				break;
			}
			if ((c = get(r)) == EOI || c == '\n') {
				len = c == EOI ? EOI : len;
				break;
			}
			room--;
			if (c != '\r')
				name[len++] = (char)upper(c);
		}
		if (len == EOI)
			return EOI;
		if (len > 0) {
			while (len && name[len - 1] == '-')
				len--;
			name[len] = 0;
			return 1;
		}
	}
}

static int b64(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
	     : c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
}

static void put(struct out *o, unsigned v)
{
	if (!o->keep)
		return;
	if (o->len < o->cap)
		o->der[o->len++] = (unsigned char)v;
	else
		o->over = 1;
}

/* One base64 character after the first of a group; -1 when it is no such character (the
 * line then read to its end), EOI, or EOL when the line ends. */
static int next6(struct in *r, int c)
{
	int v;

	if (c == EOI || c == '\n')
		return c == EOI ? EOI : -2;
	if ((v = b64(c)) < 0)
		return rest_blank(r) == EOI ? EOI : -1;
	return v;
}

/* One group of four characters: GROUP (three bytes out), DASH (a '-' first on the line),
 * LAST (padded: the object's data ends), EOL, BAD, or EOI. */
static int group(struct in *r, struct out *o, int first)
{
	int c = get(r), acc, v, i;

	if (c == '-' && first)
		return DASH;
	if (ws(c))
		c = nonblank(r);
	if (c == EOI || c == '\n')
		return c == EOI ? EOI : EOL;
	if ((acc = next6(r, c)) < 0)
		return acc == EOI ? EOI : BAD;
	for (i = 1; i < 4; i++) {
		c = nonblank(r);
		if (c == '=' && i >= 2) {
			/* "xx==" or "xxx=", then nothing but blanks on the line */
			if (i == 2 && (c = nonblank(r)) == EOI)
				return EOI;
			if (c == '\n' || (v = rest_blank(r)) == EOI)
				return c == '\n' ? BAD : EOI;
			if (!v || c != '=' || (acc & (i == 2 ? 0x0f : 0x03)))
				return BAD;
			if (i == 2) {
				put(o, (unsigned)acc >> 4);
			} else {
				put(o, (unsigned)acc >> 10);
				put(o, (unsigned)acc >> 2);
			}
			return LAST;
		}
		if ((v = next6(r, c)) < 0)
			return v == EOI ? EOI : BAD;
		acc = acc << 6 | v;
	}
	put(o, (unsigned)acc >> 16);
	put(o, (unsigned)acc >> 8);
	put(o, (unsigned)acc);
	return GROUP;
}

/* The END line (its first '-' read when dash): 1 when it is one (and ends with a newline),
 * 0 when the object is malformed, EOI. */
static int end_line(struct in *r, int dash)
{
	int c, m;

	if (!dash) {
		while ((c = get(r)) == '\n')
			;
		if (c == EOI)
			return EOI;
		if (c != '-')
			return rest_blank(r) == EOI ? EOI : 0;
	}
	if ((m = match(r, "----END ")) != 1)
		return m;
	return rest_blank(r) == EOI ? EOI : 1;
}

/* An object's lines after its BEGIN line: 1 at its END line, 0 when malformed, EOI. */
static int body(struct in *r, struct out *o)
{
	for (;;) {
		int g, first = 1;

		while ((g = group(r, o, first)) == GROUP)
			first = 0;
		switch (g) {
		case DASH:
			return end_line(r, 1);
		case LAST:
			return end_line(r, 0);
		case EOL:
			break;
		default:
			return g == EOI ? EOI : 0;
		}
	}
}

size_t dd_pem_decode(const char *text, size_t n, const char *const *labels, unsigned char *der,
		     size_t dersz, int *label_out)
{
	struct in r = { (const unsigned char *)text, (const unsigned char *)text + n };
	char name[128];

	while (begin(&r, name) == 1) {
		struct out o = { der, 0, dersz, 0, 0 };
		int i = 0;

		while (labels[i] && strcmp(name, labels[i]))
			i++;
		o.keep = labels[i] != NULL;
		if (body(&r, &o) != 1)
			return 0;
		if (o.keep && !o.over && o.len > 0) {
			if (label_out)
				*label_out = i;
			return o.len;
		}
	}
	return 0;
}

size_t dd_pem_encode(char *out, size_t cap, const void *der, size_t n, const char *label)
{
	const unsigned char *d = der;
	size_t o, ln = strlen(label);

	/* the two lines, 4 characters for each 3 bytes begun, a newline for each 48 begun */
	if (2 * ln + 32 + (n + 2) / 3 * 4 + (n + 47) / 48 >= cap)
		return 0;
	o = (size_t)snprintf(out, cap, "-----BEGIN %s-----\n", label);
	for (size_t i = 0; i < n; i += 48) {
		o += dd_base64(d + i, n - i < 48 ? n - i : 48, out + o, cap - o);
		out[o++] = '\n';
	}
	return o + (size_t)snprintf(out + o, cap - o, "-----END %s-----\n", label);
}
