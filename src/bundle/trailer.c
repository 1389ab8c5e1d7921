#include <string.h>

#include <bearssl.h>

#include "bundle/format.h"
#include "util/be.h"

#define SEALED 96

static void seal(const unsigned char *b, unsigned char out[32])
{
	br_sha256_context c;

	br_sha256_init(&c);
	br_sha256_update(&c, b, SEALED);
	br_sha256_out(&c, out);
}

void dd_trailer_encode(const struct dd_trailer *t, unsigned char out[DD_TRAILER_SIZE])
{
	memset(out, 0, DD_TRAILER_SIZE);
	memcpy(out, DD_TRAILER_MAGIC, 8);
	dd_put32be(out + 8, t->version);
	dd_put32be(out + 12, t->flags);
	dd_put64be(out + 16, t->stub_size);
	dd_put64be(out + 24, t->manifest_off);
	dd_put32be(out + 32, t->manifest_len);
	dd_put32be(out + 36, t->sig_len);
	dd_put64be(out + 40, t->total_size);
	memcpy(out + 48, t->meta_sha256, 32);
	seal(out, out + SEALED);
}

static int all_zero(const unsigned char *p, size_t n)
{
	unsigned char acc = 0;

	while (n--)
		acc |= *p++;
	return acc == 0;
}

int dd_trailer_decode(const unsigned char in[DD_TRAILER_SIZE], struct dd_trailer *t)
{
	unsigned char want[32];

	if (memcmp(in, DD_TRAILER_MAGIC, 8) != 0)
		return -1;
	seal(in, want);
	if (memcmp(want, in + SEALED, 32) != 0 || !all_zero(in + 80, 16))
		return -1;
	t->version = dd_get32be(in + 8);
	t->flags = dd_get32be(in + 12);
	t->stub_size = dd_get64be(in + 16);
	t->manifest_off = dd_get64be(in + 24);
	t->manifest_len = dd_get32be(in + 32);
	t->sig_len = dd_get32be(in + 36);
	t->total_size = dd_get64be(in + 40);
	memcpy(t->meta_sha256, in + 48, 32);
	if (t->version != DD_FORMAT_VERSION || t->flags != 0)
		return -1;
	return 0;
}
