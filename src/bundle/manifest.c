/* The manifest is text so a person can read it (`tail -c` of a bundle shows it), but it is
 * parsed like hostile input: fixed fields, single spaces, bounded lengths, no defaults. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bundle/format.h"
#include "components.h"

#define HEADER "dockdrop-manifest 1"

static int chars_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._:@+/~-", *s)))
			return 0;
	return 1;
}

int dd_manifest_field_ok(const char *s)
{
	return chars_ok(s, DD_FIELD_MAX);
}

int dd_manifest_tag_ok(const char *s)
{
	return chars_ok(s, DD_TAG_MAX);
}

/* A decimal without sign, leading zeros or overflow. */
static int parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

static int fail(char *err, size_t errsz, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errsz, "manifest line %u: ", line);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < errsz)
		vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Split line (NUL-terminated, writable) at single spaces into at most max fields. */
static int split(char *line, char **f, int max)
{
	int n = 0;

	for (char *p = line;; p++) {
		if (n == max)
			return -1;
		f[n++] = p;
		p = strchr(p, ' ');
		if (!p)
			return n;
		*p = 0;
	}
}

static int parse_blob(char **f, struct dd_blob *b)
{
	char *dst[4] = { b->kind, b->name, b->version, b->arch };

	for (int i = 0; i < 4; i++) {
		if (!dd_manifest_field_ok(f[1 + i]))
			return -1;
		strcpy(dst[i], f[1 + i]);
	}
	if (parse_u64(f[5], &b->off) || parse_u64(f[6], &b->len) || b->len == 0 ||
	    dd_unhex(f[7], b->sha256, 32))
		return -1;
	return 0;
}

static int parse_part(char **f, struct dd_part *t)
{
	char *dst[4] = { t->name, t->version, t->debver, t->license };

	for (int i = 0; i < 4; i++) {
		if (!dd_manifest_field_ok(f[1 + i]))
			return -1;
		strcpy(dst[i], f[1 + i]);
	}
	return dd_unhex(f[5], t->sha256, 32) ? -1 : 0;
}

static int parse_line(struct dd_manifest *m, char *line, unsigned no, uint64_t *next,
		      char *err, size_t errsz)
{
	char *f[9];
	int n = split(line, f, 9);

	if (no == 1)
		return n == 2 && strcmp(f[0], "dockdrop-manifest") == 0 && strcmp(f[1], "1") == 0
			       ? 0 : fail(err, errsz, no, "not a dockdrop manifest of version 1");
	if (no == 2) {
		if (n != 3 || strcmp(f[0], "stub") || parse_u64(f[1], &m->stub_size) ||
		    m->stub_size == 0 || dd_unhex(f[2], m->stub_sha256, 32))
			return fail(err, errsz, no, "bad stub record");
		*next = m->stub_size;
		return 0;
	}
	if (n == 6 && strcmp(f[0], "part") == 0) {
		/* before any blob: one of the stub's (blob DD_STUB_PARTS) */
		if (m->nrefs && m->ref[m->nrefs - 1].blob == m->nblobs - 1)
			return fail(err, errsz, no, "a part after a ref");
		if (m->nparts == DD_PARTS_MAX)
			return fail(err, errsz, no, "more than %d parts", DD_PARTS_MAX);
		if (parse_part(f, &m->part[m->nparts]))
			return fail(err, errsz, no, "bad part record");
		m->part[m->nparts++].blob = m->nblobs - 1;
		return 0;
	}
	if (n == 3 && strcmp(f[0], "raw") == 0) {
		struct dd_blob *r = &m->blob[m->nblobs ? m->nblobs - 1 : 0];

		/* right after its blob, as the text is written: no part or ref of it before */
		if (m->nblobs == 0 || r->raw_len || (m->nparts && m->part[m->nparts - 1].blob == m->nblobs - 1) ||
		    (m->nrefs && m->ref[m->nrefs - 1].blob == m->nblobs - 1) ||
		    parse_u64(f[1], &r->raw_len) || !r->raw_len ||
		    dd_unhex(f[2], r->raw_sha256, 32))
			return fail(err, errsz, no, "bad raw record");
		return 0;
	}
	if (n == 3 && strcmp(f[0], "ref") == 0) {
		struct dd_ref *r = &m->ref[m->nrefs];

		if (m->nblobs == 0 || strcmp(m->blob[m->nblobs - 1].kind, "image"))
			return fail(err, errsz, no, "a ref not after an image blob");
		if (m->nrefs == DD_REFS_MAX)
			return fail(err, errsz, no, "more than %d refs", DD_REFS_MAX);
		if (dd_unhex(f[1], r->config, 32) || !dd_manifest_tag_ok(f[2]))
			return fail(err, errsz, no, "bad ref record");
		strcpy(r->tag, f[2]);
		r->blob = m->nblobs - 1;
		m->nrefs++;
		return 0;
	}
	if (n != 8 || strcmp(f[0], "blob"))
		return fail(err, errsz, no, "bad record");
	if (m->nblobs == DD_BLOBS_MAX)
		return fail(err, errsz, no, "more than %d blobs", DD_BLOBS_MAX);
	struct dd_blob *b = &m->blob[m->nblobs];
	if (parse_blob(f, b))
		return fail(err, errsz, no, "bad blob record");
	if (b->off != *next || b->len > UINT64_MAX - b->off)
		return fail(err, errsz, no, "blob is not where the previous one ends");
	*next = b->off + b->len;
	m->nblobs++;
	return 0;
}

int dd_manifest_parse(const char *text, size_t n, struct dd_manifest *m, char *err,
		      size_t errsz)
{
	char line[512];
	unsigned no = 0;
	uint64_t next = 0;
	size_t i = 0;

	memset(m, 0, sizeof *m);
	if (n > DD_MANIFEST_MAX)
		return fail(err, errsz, 0, "over %d bytes", DD_MANIFEST_MAX);
	while (i < n) {
		const char *nl = memchr(text + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (text + i)) : n - i;

		no++;
		if (!nl)
			return fail(err, errsz, no, "no final newline");
		if (len >= sizeof line || memchr(text + i, 0, len))
			return fail(err, errsz, no, "too long or has a NUL byte");
		memcpy(line, text + i, len);
		line[len] = 0;
		if (parse_line(m, line, no, &next, err, errsz))
			return -1;
		i += len + 1;
	}
	if (m->nblobs == 0)	/* header and stub alone, or with the stub's parts */
		return fail(err, errsz, no, "no blobs");
	return 0;
}

/* vsnprintf at out + *len, advancing *len; -1 when it does not fit. */
static int put(char *out, size_t outsz, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(out + *len, outsz - *len, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= outsz - *len)
		return -1;
	*len += (size_t)k;
	return 0;
}

/* The part and ref records of blob bi (DD_STUB_PARTS: the stub's parts, before the first
 * blob). Nonzero when one does not fit. */
static int put_records(const struct dd_manifest *m, unsigned bi, char *out, size_t outsz,
		       size_t *len)
{
	char hex[65];
	int bad = 0;

	for (unsigned j = 0; j < m->nparts; j++) {
		const struct dd_part *t = &m->part[j];

		if (t->blob != bi)
			continue;
		dd_hex(t->sha256, 32, hex);
		bad |= put(out, outsz, len, "part %s %s %s %s %s\n", t->name, t->version,
			   t->debver, t->license, hex);
	}
	for (unsigned j = 0; j < m->nrefs; j++) {
		if (m->ref[j].blob != bi)
			continue;
		dd_hex(m->ref[j].config, 32, hex);
		bad |= put(out, outsz, len, "ref %s %s\n", hex, m->ref[j].tag);
	}
	return bad;
}

size_t dd_manifest_format(const struct dd_manifest *m, char *out, size_t outsz)
{
	char hex[65];
	size_t len = 0;
	int bad;

	dd_hex(m->stub_sha256, 32, hex);
	bad = put(out, outsz, &len, HEADER "\nstub %llu %s\n", (unsigned long long)m->stub_size,
		  hex);
	bad |= put_records(m, DD_STUB_PARTS, out, outsz, &len);
	for (unsigned i = 0; i < m->nblobs; i++) {
		const struct dd_blob *b = &m->blob[i];

		dd_hex(b->sha256, 32, hex);
		bad |= put(out, outsz, &len, "blob %s %s %s %s %llu %llu %s\n", b->kind, b->name,
			   b->version, b->arch, (unsigned long long)b->off,
			   (unsigned long long)b->len, hex);
		if (b->raw_len) {
			dd_hex(b->raw_sha256, 32, hex);
			bad |= put(out, outsz, &len, "raw %llu %s\n", (unsigned long long)b->raw_len,
				   hex);
		}
		bad |= put_records(m, i, out, outsz, &len);
	}
	return bad ? 0 : len;
}

const char *dd_parts_parse(char *text, struct dd_manifest *m, unsigned bi)
{
	for (char *line = text, *nl; *line; line = nl + 1) {
		char *f[6];

		if (!(nl = strchr(line, '\n')))
			return "its last line has no newline";
		*nl = 0;
		if (m->nparts == DD_PARTS_MAX)
			return "too many lines";
		/* a part record's fields: f[0], "part", is not looked at */
		if (split(line, f + 1, 5) != 5 || parse_part(f, &m->part[m->nparts]))
			return "a line is not NAME VERSION DEBVERSION LICENSE SHA256";
		m->part[m->nparts++].blob = bi;
	}
	return NULL;
}

const char *dd_manifest_own_parts(struct dd_manifest *m)
{
	char text[sizeof DD_COMPONENTS];

	memcpy(text, DD_COMPONENTS, sizeof text);
	return dd_parts_parse(text, m, DD_STUB_PARTS);
}
