/* Strict JSON text (RFC 8259, UTF-8, what Go's encoding/json reads), dockdrop's one JSON
 * stack: a checker with a depth bound that refuses repeated keys, walkers over an object's
 * members and an array's elements, the string escaper every JSON writer here uses
 * (daemon.json below, --json output in util/jsonout), and a re-indenter that keeps every
 * string and number byte for byte. A file we rewrite must read back exactly as its author
 * wrote it, so a general-purpose parser such as cJSON would not do: it takes any byte below
 * 0x21 as a space, "01" and "1." as numbers and raw control bytes in strings (Go's
 * encoding/json, so dockerd, refuses all three: we would rewrite a broken file into a
 * different one), and it keeps numbers as doubles (12345678901234567890 comes back as
 * 1.2345678901234567e+19). The daemon's /version answer and an image's manifest.json are
 * read with the same checker and walkers. */
#ifndef DD_JSONTEXT_H
#define DD_JSONTEXT_H

#include <stddef.h>

/* Why a text was refused, and where (byte offset). */
struct dd_json_err {
	size_t off;
	const char *why;
};

/* text[0..n) is exactly one JSON value, with optional whitespace around; objects and
 * arrays nest at most maxdepth deep (a top-level object is depth 1); no object repeats a
 * key (keys compared after unescaping); strings are valid UTF-8 without lone surrogates.
 * 0, or -1 with e set (e may be NULL). Memory: a list of keys for each open object. */
int dd_json_check(const char *text, size_t n, unsigned maxdepth, struct dd_json_err *e);

/* The walkers below run only on text dd_json_check accepted. */
struct dd_json_iter {
	const char *p, *end;
	int first, obj;
};

/* Skip whitespace: the first byte of the value in text[0..n), or text + n. */
const char *dd_json_skip_ws(const char *text, size_t n);
/* Start walking the object (or array) v[0..n): 0, or -1 when v is not one. */
int dd_json_object(struct dd_json_iter *it, const char *v, size_t n);
int dd_json_array(struct dd_json_iter *it, const char *v, size_t n);
/* The next member (key lexeme with its quotes, value lexeme) or element (key NULL):
 * 1, or 0 at the end. */
int dd_json_next(struct dd_json_iter *it, const char **key, size_t *keylen, const char **val,
		 size_t *vallen);

/* The value of the member named key in the checked object v[0..n) (its first, were keys
 * repeated): 1 with val/vallen set, or 0 when v is not an object or has no such member. */
int dd_json_member(const char *v, size_t n, const char *key, const char **val, size_t *vallen);
/* The member named key of the checked object v[0..n), a string, decoded into out: 0, or -1
 * (no such member, not a string, or longer than cap allows) with out "". */
int dd_json_member_str(const char *v, size_t n, const char *key, char *out, size_t cap);

/* Does the string lexeme (quotes included) decode to exactly the n bytes of s? */
int dd_json_str_is(const char *lex, size_t lexlen, const char *s, size_t n);
/* Decode the string lexeme into out (terminated; NUL bytes stay as they are, the length
 * tells): decoded length, or -1 when out is too small. */
long dd_json_unquote(const char *lex, size_t lexlen, char *out, size_t outsz);

/* A growing output buffer; an allocation failure sets oom and later appends do nothing. */
struct dd_jbuf {
	char *p;
	size_t len, cap;
	int oom;
};

void dd_jbuf_put(struct dd_jbuf *b, const char *s, size_t n);
void dd_jbuf_puts(struct dd_jbuf *b, const char *s);
/* Two spaces per level. */
void dd_jbuf_indent(struct dd_jbuf *b, unsigned level);
/* The one string escaper of every JSON text dockdrop writes (daemon.json here, --json output
 * in util/jsonout): s[0..n) as the inside of a JSON string, handed to put in pieces. '"' and
 * '\\' are escaped with a backslash, control bytes as \u00XX, valid UTF-8 is kept as it is,
 * and each byte of an invalid UTF-8 sequence becomes \ufffd (as Go's encoding/json writes
 * it), so the text is always valid UTF-8 whatever bytes a path or a daemon's answer holds. */
typedef void (*dd_json_put_fn)(void *ctx, const char *p, size_t n);
void dd_json_escape(const char *s, size_t n, dd_json_put_fn put, void *ctx);
/* s[0..n) as a JSON string (dd_json_escape, in quotes). */
void dd_json_put_string(struct dd_jbuf *b, const char *s, size_t n);
/* The checked value v[0..n) re-indented as encoding/json's MarshalIndent(v, "", "  ")
 * lays it out, its first line continuing the current one and nested lines at level + 1:
 * lexemes are copied, only whitespace changes. */
void dd_json_pretty(struct dd_jbuf *b, const char *v, size_t n, unsigned level);

#endif
