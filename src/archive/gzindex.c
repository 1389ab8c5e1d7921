#include <string.h>

#include "archive/gzindex.h"
#include "util/be.h"

void dd_gzi_builder_init(struct dd_gzi_builder *b, uint64_t min_gap)
{
	b->usable = 1;
	b->min_gap = min_gap;
	b->b_in = b->b_out = 0;
	b->b_bits = b->b_wlen = 0;
	memset(&b->x, 0, sizeof b->x);
}

void dd_gzi_on_block(void *bp, z_stream *zs, uint64_t members)
{
	struct dd_gzi_builder *b = bp;
	uInt wlen = DD_GZI_WINDOW;

	if (members > 0) {
		b->usable = 0;	/* a second member: the offsets would need member state */
		return;
	}
	/* 128: just after an end-of-block code or a header; 64: inside the last block. */
	if (!(zs->data_type & 128) || (zs->data_type & 64))
		return;
	if (inflateGetDictionary(zs, b->b_window, &wlen) != Z_OK) {
		b->usable = 0;
		return;
	}
	b->b_in = zs->total_in;
	b->b_bits = (unsigned)zs->data_type & 7;
	b->b_out = zs->total_out;
	b->b_wlen = wlen;
}

void dd_gzi_mark(struct dd_gzi_builder *b, uint64_t tar_off)
{
	b->cand.in_off = b->b_in;
	b->cand.bits = b->b_bits;
	b->cand.out_off = b->b_out;
	b->cand.tar_off = tar_off;
	b->cand.wlen = b->b_wlen;
	memcpy(b->c_window, b->b_window, b->b_wlen);
}

void dd_gzi_take(struct dd_gzi_builder *b, uint64_t size)
{
	const struct dd_gzi_point *c = &b->cand, *last = b->x.n ? &b->x.p[b->x.n - 1] : NULL;

	/* None at 0 (the first segment starts with the gzip header), none for small entries,
	 * none without a boundary since the last point. */
	if (!b->usable || b->x.n == DD_GZI_POINTS || size < b->min_gap || c->out_off == 0 ||
	    c->out_off > c->tar_off || (last && c->out_off <= last->out_off))
		return;
	b->x.p[b->x.n] = *c;
	memcpy(b->win[b->x.n], b->c_window, c->wlen);
	b->x.p[b->x.n].window = b->win[b->x.n];
	b->x.n++;
}

size_t dd_gzi_serialize(struct dd_gzi_builder *b, uint64_t blob_len, uint64_t out_len,
			unsigned char *out, size_t outsz)
{
	size_t need = DD_GZI_HEAD;

	if (!b->usable || b->x.n == 0)
		return 0;
	for (unsigned i = 0; i < b->x.n; i++)
		need += DD_GZI_REC + b->x.p[i].wlen;
	if (!out)
		return need;
	if (need > outsz)
		return 0;
	memcpy(out, DD_GZI_MAGIC, 8);
	dd_put64be(out + 8, blob_len);
	dd_put64be(out + 16, out_len);
	dd_put32be(out + 24, b->x.n);
	dd_put32be(out + 28, 0);
	unsigned char *q = out + DD_GZI_HEAD;
	for (unsigned i = 0; i < b->x.n; i++) {
		const struct dd_gzi_point *p = &b->x.p[i];

		dd_put64be(q, p->in_off);
		dd_put32be(q + 8, p->bits);
		dd_put32be(q + 12, p->wlen);
		dd_put64be(q + 16, p->out_off);
		dd_put64be(q + 24, p->tar_off);
		memcpy(q + DD_GZI_REC, p->window, p->wlen);
		q += DD_GZI_REC + p->wlen;
	}
	return need;
}

/* Each point strictly after the previous one, inside the stream, with a full window
 * whenever 32 KB of output precede it. */
static int point_ok(const struct dd_gzi *x, unsigned i)
{
	const struct dd_gzi_point *p = &x->p[i], *prev = i ? &x->p[i - 1] : NULL;

	if (p->bits > 7 || p->in_off == 0 || p->in_off >= x->blob_len || p->out_off == 0 ||
	    p->tar_off < p->out_off || p->tar_off >= x->out_len || p->tar_off % 512 ||
	    p->wlen != (p->out_off < DD_GZI_WINDOW ? p->out_off : DD_GZI_WINDOW))
		return 0;
	return !prev || (p->in_off > prev->in_off && p->out_off > prev->out_off &&
			 p->tar_off > prev->tar_off);
}

int dd_gzi_parse(const unsigned char *buf, size_t n, struct dd_gzi *x)
{
	size_t off = DD_GZI_HEAD;

	if (n < DD_GZI_HEAD || memcmp(buf, DD_GZI_MAGIC, 8) != 0 || dd_get32be(buf + 28) != 0)
		return -1;
	x->blob_len = dd_get64be(buf + 8);
	x->out_len = dd_get64be(buf + 16);
	x->n = dd_get32be(buf + 24);
	if (x->n == 0 || x->n > DD_GZI_POINTS)
		return -1;
	for (unsigned i = 0; i < x->n; i++) {
		struct dd_gzi_point *p = &x->p[i];

		if (n - off < DD_GZI_REC)
			return -1;
		p->in_off = dd_get64be(buf + off);
		p->bits = dd_get32be(buf + off + 8);
		p->wlen = dd_get32be(buf + off + 12);
		p->out_off = dd_get64be(buf + off + 16);
		p->tar_off = dd_get64be(buf + off + 24);
		off += DD_GZI_REC;
		if (p->wlen > DD_GZI_WINDOW || n - off < p->wlen || !point_ok(x, i))
			return -1;
		p->window = buf + off;
		off += p->wlen;
	}
	return off == n ? 0 : -1;
}
