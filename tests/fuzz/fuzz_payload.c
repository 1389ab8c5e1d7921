/* libFuzzer harness for the payload metadata parsers: the input is read as a trailer (its
 * first 128 bytes), as manifest text (with its part and ref records, the stub's before
 * the first blob), as part records' fields (dd_parts_parse: COMPONENTS, --engine-parts),
 * and as a serialized gzip index. None may crash, and
 * what each accepts must hold: a trailer re-encodes to the same bytes; a manifest formats
 * back to the same text (hex digits in lowercase) and parses again to the same struct; an
 * index has increasing points, full windows inside the buffer, and no byte left over. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive/gzindex.h"
#include "bundle/format.h"

static void check_trailer(const uint8_t *data, size_t size)
{
	struct dd_trailer t;
	unsigned char again[DD_TRAILER_SIZE];

	if (size < DD_TRAILER_SIZE || dd_trailer_decode(data, &t) != 0)
		return;
	if (t.version != DD_FORMAT_VERSION || t.flags != 0)
		abort();
	dd_trailer_encode(&t, again);
	if (memcmp(again, data, DD_TRAILER_SIZE) != 0)
		abort();
}

static int blobs_equal(const struct dd_blob *a, const struct dd_blob *b)
{
	return !strcmp(a->kind, b->kind) && !strcmp(a->name, b->name) &&
	       !strcmp(a->version, b->version) && !strcmp(a->arch, b->arch) && a->off == b->off &&
	       a->len == b->len && !memcmp(a->sha256, b->sha256, 32);
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static void check_manifest(const uint8_t *data, size_t size)
{
	static struct dd_manifest m, m2;
	static char out[DD_MANIFEST_MAX + 1];
	char err[160];
	uint64_t next;
	size_t n;

	memset(err, 'x', sizeof err);
	if (dd_manifest_parse((const char *)data, size, &m, err, sizeof err) != 0) {
		if (!memchr(err, 0, sizeof err) || strncmp(err, "manifest line ", 14) != 0)
			abort();
		return;
	}
	if (m.nblobs == 0 || m.nblobs > DD_BLOBS_MAX || m.stub_size == 0)
		abort();
	next = m.stub_size;
	for (unsigned i = 0; i < m.nblobs; i++) {
		const struct dd_blob *b = &m.blob[i];

		if (b->off != next || b->len == 0 || b->len > UINT64_MAX - b->off ||
		    !dd_manifest_field_ok(b->kind) || !dd_manifest_field_ok(b->name) ||
		    !dd_manifest_field_ok(b->version) || !dd_manifest_field_ok(b->arch))
			abort();
		next = b->off + b->len;
	}
	n = dd_manifest_format(&m, out, sizeof out);
	/* The text is canonical but for the case of hex digits: same length, same bytes. */
	if (n == 0 || n != size)
		abort();
	for (size_t i = 0; i < n; i++)
		if (out[i] != data[i] && out[i] != lower(data[i]))
			abort();
	if (dd_manifest_parse(out, n, &m2, err, sizeof err) != 0)
		abort();
	if (m2.stub_size != m.stub_size || m2.nblobs != m.nblobs ||
	    memcmp(m2.stub_sha256, m.stub_sha256, 32) != 0)
		abort();
	for (unsigned i = 0; i < m.nblobs; i++)
		if (!blobs_equal(&m.blob[i], &m2.blob[i]))
			abort();
	/* Image records: each after an image blob, in blob order, a tag the manifest takes. */
	if (m2.nrefs != m.nrefs || m.nrefs > DD_REFS_MAX)
		abort();
	for (unsigned i = 0; i < m.nrefs; i++)
		if (m.ref[i].blob >= m.nblobs || strcmp(m.blob[m.ref[i].blob].kind, "image") ||
		    (i && m.ref[i].blob < m.ref[i - 1].blob) || !dd_manifest_tag_ok(m.ref[i].tag) ||
		    memcmp(&m.ref[i], &m2.ref[i], sizeof m.ref[i]))
			abort();
}

/* Part records' fields a line: what is appended has fields the manifest takes, of the blob
 * asked for, never more than DD_PARTS_MAX in all, and nothing when it fails at once. */
static void check_parts(const uint8_t *data, size_t size)
{
	static struct dd_manifest m, one;
	static char text[DD_MANIFEST_MAX + 1];
	const unsigned there = size % 3;	/* some there already */
	const uint8_t *nl;
	const char *why;

	if (size > DD_MANIFEST_MAX)
		return;
	memcpy(text, data, size);
	text[size] = 0;
	memset(&m, 0, sizeof m);
	m.nparts = there;
	why = dd_parts_parse(text, &m, 5);
	if (m.nparts > DD_PARTS_MAX || (why && !*why))
		abort();
	for (unsigned i = there; i < m.nparts; i++)
		if (m.part[i].blob != 5 || !dd_manifest_field_ok(m.part[i].name) ||
		    !dd_manifest_field_ok(m.part[i].version) || !dd_manifest_field_ok(m.part[i].debver) ||
		    !dd_manifest_field_ok(m.part[i].license))
			abort();
	/* It failed at once when its first line alone fails too: then nothing was appended. */
	if (!why)
		return;
	nl = memchr(data, '\n', size);
	size = nl ? (size_t)(nl - data) + 1 : size;
	memcpy(text, data, size);
	text[size] = 0;
	one.nparts = there;
	if (dd_parts_parse(text, &one, 5) && m.nparts != there)
		abort();
}

static void check_index(const uint8_t *data, size_t size)
{
	static struct dd_gzi x;
	const unsigned char *expect = data + DD_GZI_HEAD;

	if (dd_gzi_parse(data, size, &x) != 0)
		return;
	if (x.n == 0 || x.n > DD_GZI_POINTS)
		abort();
	for (unsigned i = 0; i < x.n; i++) {
		const struct dd_gzi_point *p = &x.p[i], *q = i ? &x.p[i - 1] : NULL;

		if (p->bits > 7 || p->in_off == 0 || p->in_off >= x.blob_len || p->out_off == 0 ||
		    p->tar_off < p->out_off || p->tar_off >= x.out_len || p->tar_off % 512 != 0)
			abort();
		if (p->wlen != (p->out_off < DD_GZI_WINDOW ? p->out_off : DD_GZI_WINDOW))
			abort();
		if (q && (p->in_off <= q->in_off || p->out_off <= q->out_off ||
			  p->tar_off <= q->tar_off))
			abort();
		/* Each window right after its record, inside the buffer, in order. */
		if (p->window != expect + DD_GZI_REC || p->window < data ||
		    p->window + p->wlen > data + size)
			abort();
		expect = p->window + p->wlen;
	}
	if (expect != data + size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_trailer(data, size);
	check_manifest(data, size);
	check_parts(data, size);
	check_index(data, size);
	return 0;
}
