#include "util/jsontext.h"
#include "util/hex.h"
#include "util/sort.h"

#include <stdlib.h>
#include <string.h>

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *dd_json_skip_ws(const char *text, size_t n)
{
	const char *end = text + n;

	while (text < end && is_ws(*text))
		text++;
	return text;
}

/* --- the checker ----------------------------------------------------------------------- */

struct parser {
	const char *s, *p, *end;
	unsigned maxdepth;
	struct dd_json_err *e;
};

/* A decoded key, for the repeated-key check. */
struct key {
	char *s;
	size_t n;
};

static int fail(struct parser *ps, const char *at, const char *why)
{
	if (ps->e && !ps->e->why) {
		ps->e->off = (size_t)(at - ps->s);
		ps->e->why = why;
	}
	return -1;
}

/* Four hex digits at p (end bounds them): the value, or -1. */
static long hex4(const char *p, const char *end)
{
	long v = 0;

	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = dd_hexval(p[i]);

		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/* Length of the UTF-8 sequence at p (1 to 4), or 0 when it is not valid UTF-8 (overlong
 * forms, encoded surrogates and code points above U+10FFFF are not). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static int check_string(struct parser *ps)
{
	const char *start = ps->p;

	ps->p++;
	while (ps->p < ps->end) {
		unsigned char c = (unsigned char)*ps->p;

		if (c == '"') {
			ps->p++;
			return 0;
		}
		if (c < 0x20)
			return fail(ps, ps->p, "control character in a string");
		if (c == '\\') {
			long u;

			if (ps->end - ps->p < 2)
				break;
			if (ps->p[1] && strchr("\"\\/bfnrt", ps->p[1])) {
				ps->p += 2;
				continue;
			}
			if (ps->p[1] != 'u')
				return fail(ps, ps->p, "invalid escape in a string");
			u = hex4(ps->p + 2, ps->end);
			if (u < 0)
				return fail(ps, ps->p, "invalid \\u escape in a string");
			if (u >= 0xdc00 && u <= 0xdfff)
				return fail(ps, ps->p, "lone surrogate in a string");
			if (u >= 0xd800 && u <= 0xdbff) {
				long lo = ps->end - ps->p >= 12 && ps->p[6] == '\\' && ps->p[7] == 'u' ?
						  hex4(ps->p + 8, ps->end) : -1;

				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(ps, ps->p, "lone surrogate in a string");
				ps->p += 6;
			}
			ps->p += 6;
			continue;
		}
		{
			size_t n = utf8_len((const unsigned char *)ps->p, (const unsigned char *)ps->end);

			if (!n)
				return fail(ps, ps->p, "invalid UTF-8 in a string");
			ps->p += n;
		}
	}
	return fail(ps, start, "unterminated string");
}

static int digits(struct parser *ps)
{
	const char *p = ps->p;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return ps->p > p ? 0 : fail(ps, ps->p, "invalid number");
}

static int check_number(struct parser *ps)
{
	if (*ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (digits(ps) < 0)
		return -1;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (digits(ps) < 0)
			return -1;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (digits(ps) < 0)
			return -1;
	}
	return 0;
}

static int check_literal(struct parser *ps)
{
	static const char *const words[] = { "true", "false", "null" };

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t n = strlen(words[i]);

		if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, words[i], n) == 0) {
			ps->p += n;
			return 0;
		}
	}
	return fail(ps, ps->p, "unexpected character");
}

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);

	return c ? c : (x->n > y->n) - (x->n < y->n);
}

static void free_keys(struct key *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(k[i].s);
	free(k);
}

/* Record the key lexeme [lex, lex + n) of the object being read. */
static int add_key(struct parser *ps, struct key **keys, size_t *nkeys, size_t *cap,
		   const char *lex, size_t n)
{
	long len;
	char *s;

	if (*nkeys == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		struct key *k = realloc(*keys, c * sizeof *k);

		if (!k)
			return fail(ps, lex, "out of memory");
		*keys = k;
		*cap = c;
	}
	s = malloc(n);
	if (!s)
		return fail(ps, lex, "out of memory");
	len = dd_json_unquote(lex, n, s, n);
	if (len < 0) {
		free(s);
		return fail(ps, lex, "invalid string");
	}
	(*keys)[*nkeys].s = s;
	(*keys)[(*nkeys)++].n = (size_t)len;
	return 0;
}

/* Any repeated key among keys: its index, or -1. Sorts keys. */
static long repeated_key(struct key *keys, size_t n)
{
	dd_sort(keys, n, sizeof *keys, key_cmp);
	for (size_t i = 1; i < n; i++)
		if (key_cmp(&keys[i - 1], &keys[i]) == 0)
			return (long)i;
	return -1;
}

static int check_value(struct parser *ps, unsigned depth);

static int check_container(struct parser *ps, unsigned depth)
{
	char close = *ps->p == '{' ? '}' : ']';
	const char *open = ps->p;
	struct key *keys = NULL;
	size_t nkeys = 0, cap = 0;
	int rc = -1;

	if (depth + 1 > ps->maxdepth)
		return fail(ps, ps->p, "nested too deep");
	ps->p = dd_json_skip_ws(ps->p + 1, (size_t)(ps->end - ps->p - 1));
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			const char *k = ps->p;

			if (ps->p >= ps->end || *ps->p != '"') {
				fail(ps, ps->p, "expected a key");
				goto out;
			}
			if (check_string(ps) < 0 ||
			    add_key(ps, &keys, &nkeys, &cap, k, (size_t)(ps->p - k)) < 0)
				goto out;
			ps->p = dd_json_skip_ws(ps->p, (size_t)(ps->end - ps->p));
			if (ps->p >= ps->end || *ps->p != ':') {
				fail(ps, ps->p, "expected ':'");
				goto out;
			}
			ps->p++;
		}
		if (check_value(ps, depth + 1) < 0)
			goto out;
		ps->p = dd_json_skip_ws(ps->p, (size_t)(ps->end - ps->p));
		if (ps->p < ps->end && *ps->p == close)
			break;
		if (ps->p >= ps->end || *ps->p != ',') {
			fail(ps, ps->p, ps->p >= ps->end ? "unterminated object or array" :
							   "expected ',' or the end of the object or array");
			goto out;
		}
		ps->p = dd_json_skip_ws(ps->p + 1, (size_t)(ps->end - ps->p - 1));
	}
	ps->p++;
	if (nkeys > 1 && repeated_key(keys, nkeys) >= 0) {
		fail(ps, open, "repeated key in an object");
		goto out;
	}
	rc = 0;
out:
	free_keys(keys, nkeys);
	return rc;
}

static int check_value(struct parser *ps, unsigned depth)
{
	ps->p = dd_json_skip_ws(ps->p, (size_t)(ps->end - ps->p));
	if (ps->p >= ps->end)
		return fail(ps, ps->p, "expected a value");
	switch (*ps->p) {
	case '{':
	case '[':
		return check_container(ps, depth);
	case '"':
		return check_string(ps);
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return check_number(ps);
	default:
		return check_literal(ps);
	}
}

int dd_json_check(const char *text, size_t n, unsigned maxdepth, struct dd_json_err *e)
{
	struct parser ps = { text, text, text + n, maxdepth, e };

	if (e) {
		e->off = 0;
		e->why = NULL;
	}
	if (check_value(&ps, 0) < 0)
		return -1;
	ps.p = dd_json_skip_ws(ps.p, (size_t)(ps.end - ps.p));
	if (ps.p != ps.end)
		return fail(&ps, ps.p, "text after the value");
	return 0;
}

/* --- walking checked text -------------------------------------------------------------- */

/* The end of the checked value starting at p. */
static const char *value_end(const char *p, const char *end)
{
	unsigned depth = 0;

	do {
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			p++;
		} else if (*p == '{' || *p == '[') {
			depth++;
			p++;
		} else if (*p == '}' || *p == ']') {
			depth--;
			p++;
		} else if (depth) {
			p++;
		} else {
			while (p < end && !is_ws(*p) && !strchr(",:]}", *p))
				p++;
		}
	} while (depth && p < end);
	return p;
}

static int start(struct dd_json_iter *it, const char *v, size_t n, char open)
{
	const char *p = dd_json_skip_ws(v, n);

	if (p >= v + n || *p != open)
		return -1;
	it->p = p + 1;
	it->end = v + n;
	it->first = 1;
	it->obj = open == '{';
	return 0;
}

int dd_json_object(struct dd_json_iter *it, const char *v, size_t n)
{
	return start(it, v, n, '{');
}

int dd_json_array(struct dd_json_iter *it, const char *v, size_t n)
{
	return start(it, v, n, '[');
}

int dd_json_next(struct dd_json_iter *it, const char **key, size_t *keylen, const char **val,
		 size_t *vallen)
{
	const char *p = dd_json_skip_ws(it->p, (size_t)(it->end - it->p));

	if (p >= it->end || *p == '}' || *p == ']')
		return 0;
	if (!it->first)
		p = dd_json_skip_ws(p + 1, (size_t)(it->end - p - 1));
	it->first = 0;
	*key = NULL;
	*keylen = 0;
	if (it->obj) {
		const char *k = p;

		p = value_end(p, it->end);
		*key = k;
		*keylen = (size_t)(p - k);
		p = dd_json_skip_ws(p, (size_t)(it->end - p));
		p = dd_json_skip_ws(p + 1, (size_t)(it->end - p - 1));
	}
	*val = p;
	p = value_end(p, it->end);
	*vallen = (size_t)(p - *val);
	it->p = p;
	return 1;
}

int dd_json_member(const char *v, size_t n, const char *key, const char **val, size_t *vallen)
{
	struct dd_json_iter it;
	const char *k;
	size_t kn;

	if (dd_json_object(&it, v, n) < 0)
		return 0;
	while (dd_json_next(&it, &k, &kn, val, vallen))
		if (dd_json_str_is(k, kn, key, strlen(key)))
			return 1;
	return 0;
}

int dd_json_member_str(const char *v, size_t n, const char *key, char *out, size_t cap)
{
	const char *s;
	size_t sn;

	if (dd_json_member(v, n, key, &s, &sn) && *s == '"' && dd_json_unquote(s, sn, out, cap) >= 0)
		return 0;
	if (cap)
		out[0] = 0;
	return -1;
}

/* --- strings ---------------------------------------------------------------------------- */

static size_t put_utf8(unsigned char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decode one character or escape of a checked string at *pp (before end, the closing
 * quote) into out: the number of bytes (1 to 4). */
static size_t decode_one(const char **pp, const char *end, unsigned char out[4])
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	const char *p = *pp;
	long cp, lo;

	if (*p != '\\' || end - p < 2) {
		*pp = p + 1;
		out[0] = (unsigned char)*p;
		return 1;
	}
	if (p[1] != 'u') {
		const char *e = strchr(esc, p[1]);

		*pp = p + 2;
		out[0] = e && (e - esc) % 2 == 0 ? (unsigned char)e[1] : (unsigned char)p[1];
		return 1;
	}
	cp = hex4(p + 2, end);
	*pp = p + 6;
	if (cp < 0)
		cp = 0xfffd;
	if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 12 && p[6] == '\\' && p[7] == 'u' &&
	    (lo = hex4(p + 8, end)) >= 0xdc00 && lo <= 0xdfff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		*pp = p + 12;
	} else if (cp >= 0xd800 && cp <= 0xdfff) {
		cp = 0xfffd;
	}
	return put_utf8(out, (unsigned long)cp);
}

int dd_json_str_is(const char *lex, size_t lexlen, const char *s, size_t n)
{
	const char *p = lex + 1, *end = lex + lexlen - 1;
	size_t got = 0;

	if (lexlen < 2)
		return 0;
	while (p < end) {
		unsigned char b[4];
		size_t k = decode_one(&p, end, b);

		if (k > n - got || memcmp(s + got, b, k) != 0)
			return 0;
		got += k;
	}
	return got == n;
}

long dd_json_unquote(const char *lex, size_t lexlen, char *out, size_t outsz)
{
	const char *p = lex + 1, *end = lex + lexlen - 1;
	size_t got = 0;

	if (lexlen < 2 || outsz == 0)
		return -1;
	while (p < end) {
		unsigned char b[4];
		size_t k = decode_one(&p, end, b);

		if (k >= outsz - got)
			return -1;
		memcpy(out + got, b, k);
		got += k;
	}
	out[got] = 0;
	return (long)got;
}

/* --- output ----------------------------------------------------------------------------- */

void dd_jbuf_put(struct dd_jbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap - b->len < n) {
			if (cap > ((size_t)-1) / 2) {
				b->oom = 1;
				return;
			}
			cap *= 2;
		}
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void dd_jbuf_puts(struct dd_jbuf *b, const char *s)
{
	dd_jbuf_put(b, s, strlen(s));
}

void dd_jbuf_indent(struct dd_jbuf *b, unsigned level)
{
	while (level--)
		dd_jbuf_put(b, "  ", 2);
}

void dd_json_escape(const char *s, size_t n, dd_json_put_fn put, void *ctx)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s, *end = u + n, *run = u;

	while (u < end) {
		size_t k = *u < 0x20 || *u == '"' || *u == '\\' ? 0 : utf8_len(u, end);
		char e[6] = { '\\', (char)*u };

		if (k) {	/* plain text: stays in the run */
			u += k;
			continue;
		}
		if (u > run)
			put(ctx, (const char *)run, (size_t)(u - run));
		if (*u >= 0x20 && *u < 0x80) {		/* '"' or '\\' */
			put(ctx, e, 2);
		} else if (*u < 0x20) {
			memcpy(e + 1, "u00", 3);
			e[4] = hex[*u >> 4];
			e[5] = hex[*u & 15];
			put(ctx, e, 6);
		} else {
			put(ctx, "\\ufffd", 6);
		}
		run = ++u;
	}
	if (u > run)
		put(ctx, (const char *)run, (size_t)(u - run));
}

static void jbuf_put(void *b, const char *p, size_t n)
{
	dd_jbuf_put(b, p, n);
}

void dd_json_put_string(struct dd_jbuf *b, const char *s, size_t n)
{
	dd_jbuf_put(b, "\"", 1);
	dd_json_escape(s, n, jbuf_put, b);
	dd_jbuf_put(b, "\"", 1);
}

void dd_json_pretty(struct dd_jbuf *b, const char *v, size_t n, unsigned level)
{
	const char *p = dd_json_skip_ws(v, n), *key, *val;
	size_t keylen, vallen;
	struct dd_json_iter it;
	int any = 0;

	if (p >= v + n)
		return;
	if (*p != '{' && *p != '[') {
		dd_jbuf_put(b, p, (size_t)(value_end(p, v + n) - p));
		return;
	}
	start(&it, p, (size_t)(v + n - p), *p);
	dd_jbuf_put(b, p, 1);
	while (dd_json_next(&it, &key, &keylen, &val, &vallen)) {
		dd_jbuf_puts(b, any ? ",\n" : "\n");
		dd_jbuf_indent(b, level + 1);
		if (key) {
			dd_jbuf_put(b, key, keylen);
			dd_jbuf_put(b, ": ", 2);
		}
		dd_json_pretty(b, val, vallen, level + 1);
		any = 1;
	}
	if (any) {
		dd_jbuf_put(b, "\n", 1);
		dd_jbuf_indent(b, level);
	}
	dd_jbuf_put(b, *p == '{' ? "}" : "]", 1);
}
