/* libFuzzer harness for the --json writer (util/jsonout) and the string escaper it shares
 * with daemon.json (util/jsontext). The input, cut at 0x00 0x00 pairs, gives the strings
 * (any bytes) of a document: an array of those with an odd first byte, and an object of
 * them taken two by two as key and value. Nothing may crash, and: the writer
 * accepts the document, what it writes is strict JSON (dd_json_check), and every string
 * reads back as the input with each byte of an invalid UTF-8 sequence replaced by U+FFFD
 * (checked against a decoder written here, apart from jsontext's). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonout.h"
#include "util/jsontext.h"

#define MAXSTR 64

/* Reference: the length of a valid UTF-8 sequence at p, or 0 (RFC 3629 by code point). */
static size_t ref_utf8(const unsigned char *p, size_t n)
{
	unsigned long cp;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 0;
	if (!len || len > n || p[0] > 0xf7)
		return 0;
	cp = p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* What s[0..n) must read back as; its length. */
static size_t expect(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		size_t k = ref_utf8((const unsigned char *)s + i, n - i);

		if (k) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	return o;
}

struct str {
	const char *s;
	size_t n;
};

/* Check the string lexeme v[0..vn) against str. */
static void same(const char *v, size_t vn, const struct str *str)
{
	char want[3 * (MAXSTR + 8)], got[3 * (MAXSTR + 8) + 1];
	size_t wn = expect(str->s, str->n, want);
	long gn;

	if (*v != '"')
		abort();
	gn = dd_json_unquote(v, vn, got, sizeof got);
	if (gn < 0 || (size_t)gn != wn || memcmp(got, want, wn) != 0)
		abort();
}

static int odd(const struct str *s)
{
	return s->n && s->s[0] & 1;
}

/* "I:" and s up to its first NUL. */
static void key_of(const struct str *s, unsigned i, char *key)
{
	const char *nul = memchr(s->s, 0, s->n);

	snprintf(key, MAXSTR + 8, "%u:%.*s", i, (int)(nul ? (size_t)(nul - s->s) : s->n), s->s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str strs[32];
	unsigned nstr = 0;
	char *buf = NULL;
	size_t len = 0, at = 0;
	struct dd_jw w;
	struct dd_json_iter it;
	char keys[32][MAXSTR + 8];
	const char *v, *k, *x;
	size_t vn, kn, xn;
	FILE *f;

	/* The strings: cut at 00 00, each at most MAXSTR bytes. */
	while (at < size && nstr < 32) {
		size_t e = at;

		while (e < size && !(data[e] == 0 && e + 1 < size && data[e + 1] == 0))
			e++;
		strs[nstr].s = (const char *)data + at;
		strs[nstr].n = e - at > MAXSTR ? MAXSTR : e - at;
		nstr++;
		at = e + 2;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return 0;
	/* {"list": [strings with an odd first byte], "nested": {"I:string": string, ...}}; keys
	 * are C strings (cut at a NUL) made unique by their index. */
	dd_jw_init(&w, f);
	dd_jw_object(&w, NULL);
	dd_jw_array(&w, "list");
	for (unsigned i = 0; i < nstr; i++)
		if (odd(&strs[i]))
			dd_jw_strn(&w, NULL, strs[i].s, strs[i].n);
	dd_jw_close(&w);
	dd_jw_object(&w, "nested");
	for (unsigned i = 0; i + 1 < nstr; i += 2) {
		key_of(&strs[i], i, keys[i]);
		dd_jw_strn(&w, keys[i], strs[i + 1].s, strs[i + 1].n);
	}
	dd_jw_close(&w);
	dd_jw_close(&w);
	if (dd_jw_end(&w) != 0)
		abort();
	fclose(f);

	/* Strict JSON on one line, and every string as it should read back. */
	if (len == 0 || buf[len - 1] != '\n' || memchr(buf, '\n', len - 1) ||
	    dd_json_check(buf, len, 2, NULL) != 0)
		abort();
	if (!dd_json_member(buf, len, "list", &v, &vn) || dd_json_array(&it, v, vn) != 0)
		abort();
	for (unsigned i = 0;; i++) {
		while (i < nstr && !odd(&strs[i]))
			i++;
		if ((i < nstr) != dd_json_next(&it, &k, &kn, &x, &xn))
			abort();
		if (i == nstr)
			break;
		same(x, xn, &strs[i]);
	}
	if (!dd_json_member(buf, len, "nested", &v, &vn) || dd_json_object(&it, v, vn) != 0)
		abort();
	for (unsigned i = 0;; i += 2) {
		struct str ks = { keys[i % 32], 0 };

		if ((i + 1 < nstr) != dd_json_next(&it, &k, &kn, &x, &xn))
			abort();
		if (i + 1 >= nstr)
			break;
		ks.n = strlen(ks.s);
		same(k, kn, &ks);
		same(x, xn, &strs[i + 1]);
	}
	free(buf);
	return 0;
}
