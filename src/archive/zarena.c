#include "archive/zarena.h"

static voidpf zarena_alloc(voidpf opaque, uInt items, uInt size)
{
	struct dd_zarena *a = opaque;
	size_t n = ((size_t)items * size + 15) & ~(size_t)15;

	if (size && items > a->cap / size)
		return Z_NULL;
	if (n > a->cap - a->used)
		return Z_NULL;
	a->used += n;
	return a->buf + a->used - n;
}

static void zarena_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	(void)p;
}

void dd_zarena_use(z_stream *zs, struct dd_zarena *a, void *buf, size_t cap)
{
	a->buf = buf;
	a->cap = cap;
	a->used = 0;
	zs->zalloc = zarena_alloc;
	zs->zfree = zarena_free;
	zs->opaque = a;
}
