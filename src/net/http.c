/* The response reader. One pass over caller memory with a cursor that never passes the end;
 * anything HTTP/1.1 (RFC 9112) does not allow, or that would make the length of the body
 * ambiguous (Content-Length together with Transfer-Encoding, two different lengths, a coding
 * other than chunked, bytes after the message), is refused rather than guessed at. */
#include "net/http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HEADERS_MAX 16384	/* status line and header fields; trailer fields likewise */
#define CHUNK_LINE_MAX 1024	/* chunk size and its extensions */

enum { NEED = 0, DONE = 1, BAD = -1 };
enum framing { BY_CLOSE, BY_LENGTH, CHUNKED, NO_BODY };

struct head {
	int status;
	int have_length, have_te;
	size_t length;
};

/* The line at p, ending in CRLF before end and within max bytes: its length without the
 * CRLF. NEED when its end is not there yet, BAD when it is too long or holds a NUL or a CR
 * that does not end it. */
static int line(const char *p, const char *end, size_t max, size_t *len)
{
	size_t avail = (size_t)(end - p), span = avail < max ? avail : max;
	const char *lf = memchr(p, '\n', span);

	if (!lf)
		return span < max ? NEED : BAD;
	if (lf == p || lf[-1] != '\r')
		return BAD;
	*len = (size_t)(lf - 1 - p);
	if (memchr(p, '\r', *len) || memchr(p, 0, *len))
		return BAD;
	return DONE;
}

/* Field-value and reason-phrase characters: HTAB, SP, visible ASCII, obs-text. */
static int text_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

static int is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static int name_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

/* "HTTP/1.x NNN[ reason]". */
static int status_line(const char *s, size_t n, struct head *h)
{
	if (n < 12 || (memcmp(s, "HTTP/1.0 ", 9) != 0 && memcmp(s, "HTTP/1.1 ", 9) != 0))
		return BAD;
	for (int i = 9; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return BAD;
	h->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	/* 1xx answers requests we never make (Expect, Upgrade). */
	if (h->status < 200 || h->status > 599)
		return BAD;
	if (n > 12 && (s[12] != ' ' || !text_ok(s + 13, n - 13)))
		return BAD;
	return DONE;
}

static int parse_length(const char *v, size_t n, size_t *out)
{
	size_t x = 0;

	if (n == 0)
		return BAD;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return BAD;
		x = x * 10 + (size_t)(v[i] - '0');
		if (x > DD_HTTP_BODY_MAX)
			return BAD;	/* too large, and no overflow below */
	}
	*out = x;
	return DONE;
}

/* "name: value". In the header section (h != NULL) Content-Length and Transfer-Encoding
 * are noted; in the trailer section they are refused. */
static int field_line(const char *s, size_t n, struct head *h)
{
	size_t i = 0, vn;
	const char *v;

	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i == n || s[i] != ':')
		return BAD;	/* also obs-fold: a line starting with white space */
	v = s + i + 1;
	vn = n - i - 1;
	while (vn && is_ows(*v))
		v++, vn--;
	while (vn && is_ows(v[vn - 1]))
		vn--;
	if (!text_ok(v, vn))
		return BAD;
	if (name_is(s, i, "content-length")) {
		size_t len;

		if (!h || parse_length(v, vn, &len) != DONE)
			return BAD;
		if (h->have_length && h->length != len)
			return BAD;
		h->have_length = 1;
		h->length = len;
	} else if (name_is(s, i, "transfer-encoding")) {
		if (!h || h->have_te || !name_is(v, vn, "chunked"))
			return BAD;
		h->have_te = 1;
	}
	return DONE;
}

/* Header fields (h) or trailer fields (NULL) up to and including the empty line. */
static int fields(const char **pp, const char *end, size_t budget, struct head *h)
{
	const char *p = *pp;

	for (;;) {
		size_t len;
		int rc = line(p, end, budget, &len);

		if (rc != DONE)
			return rc;
		budget -= len + 2;
		p += len + 2;
		if (len == 0)
			break;
		if (field_line(p - len - 2, len, h) != DONE)
			return BAD;
	}
	*pp = p;
	return DONE;
}

static void put(struct dd_http_resp *r, const char *s, size_t n)
{
	if (r) {
		memcpy(r->body + r->body_len, s, n);
		r->body_len += n;
	}
}

/* "HEX[ ext]": the size of the chunk. */
static int chunk_size(const char *s, size_t n, size_t *size)
{
	size_t i = 0, x = 0;

	for (; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			break;
		x = x * 16 + (size_t)d;
		if (x > DD_HTTP_BODY_MAX)
			return BAD;
	}
	if (i == 0)
		return BAD;
	while (i < n && is_ows(s[i]))
		i++;
	if (i < n && (s[i] != ';' || !text_ok(s + i, n - i)))
		return BAD;
	*size = x;
	return DONE;
}

static int chunked(const char *p, const char *end, struct dd_http_resp *r)
{
	size_t total = 0;
	int rc;

	for (;;) {
		size_t len, size;

		rc = line(p, end, CHUNK_LINE_MAX, &len);
		if (rc != DONE)
			return rc;
		if (chunk_size(p, len, &size) != DONE)
			return BAD;
		p += len + 2;
		if (size == 0)
			break;
		if (size > DD_HTTP_BODY_MAX - total)
			return BAD;
		if ((size_t)(end - p) < size + 2)
			return NEED;
		if (p[size] != '\r' || p[size + 1] != '\n')
			return BAD;
		put(r, p, size);
		total += size;
		p += size + 2;
	}
	rc = fields(&p, end, HEADERS_MAX, NULL);
	if (rc != DONE)
		return rc;
	return p == end ? DONE : BAD;
}

/* DONE, NEED (only when !eof) or BAD. r may be NULL: check only. */
static int parse(const char *buf, size_t n, int eof, struct dd_http_resp *r)
{
	const char *p = buf, *end = buf + n;
	struct head h = { 0 };
	enum framing f;
	size_t len, rest;
	int rc = line(p, end, HEADERS_MAX, &len);

	if (rc != DONE)
		return rc;
	if (status_line(p, len, &h) != DONE)
		return BAD;
	p += len + 2;
	rc = fields(&p, end, HEADERS_MAX - len - 2, &h);
	if (rc != DONE)
		return rc;
	if (h.have_length && h.have_te)
		return BAD;
	f = h.status == 204 || h.status == 304 ? NO_BODY : h.have_te ? CHUNKED :
	    h.have_length ? BY_LENGTH : BY_CLOSE;
	if (r) {
		r->status = h.status;
		r->body_len = 0;
	}
	rest = (size_t)(end - p);
	switch (f) {
	case NO_BODY:
		return rest == 0 ? DONE : BAD;
	case BY_LENGTH:
		if (rest < h.length)
			return NEED;
		if (rest > h.length)
			return BAD;
		put(r, p, rest);
		return DONE;
	case CHUNKED:
		return chunked(p, end, r);
	case BY_CLOSE:
		if (rest > DD_HTTP_BODY_MAX)
			return BAD;
		if (!eof)
			return NEED;
		put(r, p, rest);
		return DONE;
	}
	return BAD;
}

int dd_http_parse(const char *buf, size_t n, struct dd_http_resp *r)
{
	int rc = parse(buf, n, 1, r);

	if (rc != DONE) {
		r->status = 0;
		r->body_len = 0;
	}
	r->body[r->body_len] = 0;
	return rc == DONE ? 0 : -1;
}

int dd_http_complete(const char *buf, size_t n)
{
	return parse(buf, n, 0, NULL);
}

/* Printable ASCII without spaces (a method, a path, a host). */
static int token_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* Header lines: text, each ending in CRLF, none empty (it would end the head), no other
 * CR or LF. */
static int headers_ok(const char *s)
{
	for (const char *p = s; *p; p++)
		if ((*p == '\r') != (p[1] == '\n') || (*p == '\n' && (p == s || p[-1] != '\r')) ||
		    (*p == '\r' && (p == s || p[-1] == '\n')) ||
		    (!text_ok(p, 1) && *p != '\r' && *p != '\n'))
			return 0;
	return !*s || (s[strlen(s) - 1] == '\n');
}

size_t dd_http_head(char *out, size_t cap, const struct dd_http_req *q, const char *host)
{
	const char *h = q->headers ? q->headers : "";
	char len[40] = "";
	int n;

	if (q->path[0] != '/' || !token_ok(q->path) || !token_ok(host) || !*q->method ||
	    !token_ok(q->method) || !headers_ok(h))
		return 0;
	if (q->body)
		snprintf(len, sizeof len, "Content-Length: %llu\r\n", q->body_len);
	n = snprintf(out, cap,
		     "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: dockdrop\r\nAccept: */*\r\n"
		     "%s%sConnection: close\r\n\r\n",
		     q->method, q->path, host, h, len);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

size_t dd_http_request(char *out, size_t cap, const char *path, const char *host)
{
	const struct dd_http_req q = { "GET", path, NULL, 0, NULL, NULL };

	return dd_http_head(out, cap, &q, host);
}
