#include <string.h>

#include "pki/der.h"
#include "util/utc.h"

void der_init(struct der *d, unsigned char *buf, size_t cap)
{
	d->buf = buf;
	d->cap = cap;
	d->len = 0;
	d->err = 0;
	d->depth = 0;
}

size_t der_len_encode(size_t n, unsigned char *out)
{
	size_t k = 0;

	if (n < 128) {
		out[0] = (unsigned char)n;
		return 1;
	}
	if (n > 0xffffffffu)
		return 0;	/* no certificate part is 4 GiB: the caller sets err */
	for (size_t v = n; v; v >>= 8)
		k++;
	out[0] = (unsigned char)(0x80 | k);
	for (size_t i = 0; i < k; i++)
		out[1 + i] = (unsigned char)(n >> (8 * (k - 1 - i)));
	return 1 + k;
}

static void put(struct der *d, const void *v, size_t n)
{
	if (d->err || n > d->cap - d->len) {
		d->err = 1;
		return;
	}
	if (n)
		memcpy(d->buf + d->len, v, n);
	d->len += n;
}

void der_raw(struct der *d, const void *v, size_t n)
{
	put(d, v, n);
}

void der_prim(struct der *d, unsigned tag, const void *v, size_t n)
{
	unsigned char h[6];
	size_t k;

	h[0] = (unsigned char)tag;
	k = der_len_encode(n, h + 1);
	if (k == 0) {
		d->err = 1;
		return;
	}
	put(d, h, 1 + k);
	put(d, v, n);
}

/* The tag and a one-byte length placeholder; der_end widens it if needed. */
void der_begin(struct der *d, unsigned tag)
{
	unsigned char h[2] = { (unsigned char)tag, 0 };

	if (d->depth == DER_DEPTH) {
		d->err = 1;
		return;
	}
	d->open[d->depth++] = d->len;
	put(d, h, 2);
}

void der_end(struct der *d)
{
	unsigned char l[6];
	size_t start, body, n, k;

	if (d->depth == 0) {
		d->err = 1;
		return;
	}
	start = d->open[--d->depth];
	if (d->err)
		return;
	body = start + 2;
	n = d->len - body;
	k = der_len_encode(n, l);
	if (k == 0) {
		d->err = 1;
		return;
	}
	if (k > 1) {
		if (k - 1 > d->cap - d->len) {
			d->err = 1;
			return;
		}
		memmove(d->buf + body + k - 1, d->buf + body, n);
		d->len += k - 1;
	}
	memcpy(d->buf + start + 1, l, k);
}

/* Written in place, not through a copy: the integers of a private key pass here, and
 * leave nothing on the stack. */
void der_uint(struct der *d, const unsigned char *be, size_t n)
{
	while (n > 1 && be[0] == 0) {
		be++;
		n--;
	}
	der_begin(d, DER_INTEGER);
	if (n == 0 || be[0] & 0x80)
		put(d, "", 1);	/* a 0x00: the value 0, or a top bit that is not a sign */
	put(d, be, n);
	der_end(d);
}

void der_small(struct der *d, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	der_uint(d, b, 4);
}

void der_bool(struct der *d, int v)
{
	unsigned char b = v ? 0xff : 0x00;

	der_prim(d, DER_BOOLEAN, &b, 1);
}

void der_null(struct der *d)
{
	der_prim(d, DER_NULL, NULL, 0);
}

void der_oid(struct der *d, const char *oid, size_t n)
{
	der_prim(d, DER_OID, oid, n);
}

void der_bits(struct der *d, const void *v, size_t n)
{
	unsigned char z = 0;

	der_begin(d, DER_BIT_STRING);
	put(d, &z, 1);
	put(d, v, n);
	der_end(d);
}

static void digits(char *out, unsigned v, int n)
{
	while (n--) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void der_time(struct der *d, time_t t)
{
	struct dd_utc u;
	char s[16];
	int y;

	if (dd_utc(t, &u) != 0 || u.year < 1950) {
		d->err = 1;
		return;
	}
	y = u.year < 2050 ? 2 : 4;
	digits(s, (unsigned)(y == 2 ? u.year % 100 : u.year), y);
	digits(s + y, (unsigned)u.mon, 2);
	digits(s + y + 2, (unsigned)u.day, 2);
	digits(s + y + 4, (unsigned)u.hour, 2);
	digits(s + y + 6, (unsigned)u.min, 2);
	digits(s + y + 8, (unsigned)u.sec, 2);
	s[y + 10] = 'Z';
	der_prim(d, y == 2 ? DER_UTCTIME : DER_GENTIME, s, (size_t)y + 11);
}
