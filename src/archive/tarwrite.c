#include "archive/tarwrite.h"

#include <string.h>

#define NAME_LEN 100
#define PREFIX_LEN 155
#define OCTAL11_MAX 077777777777ULL	/* what 11 octal digits hold (size, mtime) */

/* Not const: a const array of zeros is 1 KB of the stub's file, this one is .bss. Only
 * ever read. */
static unsigned char zeros[2 * TARW_BLOCK];

void tarw_init(struct tarw *w, tarw_write_fn fn, void *ctx, time_t mtime)
{
	w->write = fn;
	w->ctx = ctx;
	w->mtime = mtime;
	w->remain = 0;
	w->pad = 0;
	w->state = 0;
}

uint64_t tarw_file_bytes(uint64_t size)
{
	return TARW_BLOCK + (size + TARW_BLOCK - 1) / TARW_BLOCK * TARW_BLOCK;
}

const char *tarw_strerror(int code)
{
	switch (code) {
	case TARW_EIO: return "write failed";
	case TARW_ENAME: return "name not storable in a ustar header";
	case TARW_EARG: return "mode, size or time out of range";
	case TARW_ESTATE: return "entry data does not match its size";
	default: return "unknown tar writer error";
	}
}

/* Components: none empty, "." or "..", printable ASCII only. */
static int components_ok(const char *p)
{
	for (;;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		for (size_t i = 0; i < n; i++)
			if (p[i] < 0x20 || p[i] > 0x7e)
				return 0;
		if (!p[n])
			return 1;
		p += n + 1;
	}
}

/* The stored name (a directory's with its '/') into full (TARW_PATH_MAX + 1), its length,
 * and where it splits into prefix and name: 0 when it fits the name field whole, else the
 * index of the '/'. As GNU tar does, the longest prefix wins (a shorter one only makes the
 * name longer). 0 or TARW_ENAME. */
static int store_name(const char *path, int is_dir, char *full, size_t *len, size_t *at)
{
	size_t n = strlen(path);

	if (!*path || n + (is_dir ? 1 : 0) > TARW_PATH_MAX || !components_ok(path))
		return TARW_ENAME;
	memcpy(full, path, n);
	if (is_dir)
		full[n++] = '/';
	full[n] = 0;
	*len = n;
	*at = 0;
	if (n <= NAME_LEN)
		return 0;
	for (size_t i = n - 2 < PREFIX_LEN ? n - 2 : PREFIX_LEN; i > 0; i--)
		if (full[i] == '/') {
			*at = i;
			return n - i - 1 <= NAME_LEN ? 0 : TARW_ENAME;
		}
	return TARW_ENAME;
}

int tarw_name_check(const char *path, int is_dir)
{
	char full[TARW_PATH_MAX + 1];
	size_t len, at;

	return store_name(path, is_dir, full, &len, &at);
}

/* n - 1 octal digits, zero-padded, then NUL (v must fit). */
static void octal(unsigned char *f, size_t n, uint64_t v)
{
	f[n - 1] = 0;
	for (size_t i = n - 1; i-- > 0; v >>= 3)
		f[i] = (unsigned char)('0' + (v & 7));
}

static int emit(struct tarw *w, const void *buf, size_t n)
{
	if (n && w->write(w->ctx, buf, n) != 0) {
		w->state = TARW_EIO;
		return TARW_EIO;
	}
	return 0;
}

static int header(struct tarw *w, const char *path, int is_dir, unsigned mode, uint64_t size)
{
	unsigned char b[TARW_BLOCK];
	char full[TARW_PATH_MAX + 1];
	unsigned long sum = 0;
	size_t len, at;

	if (w->state < 0)
		return w->state;
	if (w->state || w->remain)
		return TARW_ESTATE;
	if (store_name(path, is_dir, full, &len, &at))
		return TARW_ENAME;
	if (mode > 0777 || size > OCTAL11_MAX || w->mtime < 0 ||
	    (uint64_t)w->mtime > OCTAL11_MAX)
		return TARW_EARG;
	memset(b, 0, sizeof b);
	if (at == 0) {
		memcpy(b, full, len);
	} else {
		memcpy(b + 345, full, at);
		memcpy(b, full + at + 1, len - at - 1);
	}
	octal(b + 100, 8, mode);
	octal(b + 108, 8, 0);
	octal(b + 116, 8, 0);
	octal(b + 124, 12, size);
	octal(b + 136, 12, (uint64_t)w->mtime);
	b[156] = is_dir ? '5' : '0';
	memcpy(b + 257, "ustar\0" "00", 8);
	memcpy(b + 265, "root", 4);
	memcpy(b + 297, "root", 4);
	octal(b + 329, 8, 0);
	octal(b + 337, 8, 0);
	/* The checksum is summed with its own field as spaces, stored as 6 digits, NUL, ' '. */
	memset(b + 148, ' ', 8);
	for (size_t i = 0; i < sizeof b; i++)
		sum += b[i];
	octal(b + 148, 7, sum);
	if (emit(w, b, sizeof b))
		return TARW_EIO;
	w->remain = size;
	w->pad = (unsigned)((TARW_BLOCK - size % TARW_BLOCK) % TARW_BLOCK);
	return 0;
}

int tarw_dir(struct tarw *w, const char *path, unsigned mode)
{
	return header(w, path, 1, mode, 0);
}

int tarw_file_begin(struct tarw *w, const char *path, unsigned mode, uint64_t size)
{
	return header(w, path, 0, mode, size);
}

int tarw_data(struct tarw *w, const void *buf, size_t n)
{
	if (w->state < 0)
		return w->state;
	if (n > w->remain)
		return TARW_ESTATE;
	if (emit(w, buf, n))
		return TARW_EIO;
	w->remain -= n;
	if (w->remain == 0 && w->pad) {
		if (emit(w, zeros, w->pad))
			return TARW_EIO;
		w->pad = 0;
	}
	return 0;
}

int tarw_file(struct tarw *w, const char *path, unsigned mode, const void *data, size_t n)
{
	int rc = tarw_file_begin(w, path, mode, n);

	return rc ? rc : tarw_data(w, data, n);
}

int tarw_finish(struct tarw *w)
{
	if (w->state < 0)
		return w->state;
	if (w->state || w->remain)
		return TARW_ESTATE;
	if (emit(w, zeros, sizeof zeros))
		return TARW_EIO;
	w->state = 1;
	return 0;
}
