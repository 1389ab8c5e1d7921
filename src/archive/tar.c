#include "archive/tar.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

/* Header layout (POSIX ustar; GNU and v7 share everything before the magic). */
enum {
	H_NAME = 0,
	H_MODE = 100,
	H_SIZE = 124,
	H_MTIME = 136,
	H_CHKSUM = 148,
	H_TYPE = 156,
	H_LINK = 157,
	H_MAGIC = 257,
	H_PREFIX = 345
};

enum { FMT_V7, FMT_USTAR, FMT_GNU };

/* Fields already set by a pax or GNU header, which the real header must not overwrite. */
enum { KEEP_PATH = 1, KEEP_LINK = 2, KEEP_SIZE = 4, KEEP_MTIME = 8 };

#define NUM_MAX ((uint64_t)INT64_MAX)

/* GNU base-256: the high bit marks it, the next one the sign. No size, mode or time of
 * ours is negative, and nothing past 2^63-1 fits an off_t or a time_t. */
static int parse_base256(const unsigned char *f, size_t n, uint64_t *v)
{
	uint64_t x;
	size_t i;

	if (f[0] & 0x40)
		return TAR_EHEADER;
	x = f[0] & 0x3f;
	for (i = 1; i < n; i++) {
		if (x > NUM_MAX >> 8)
			return TAR_EHEADER;
		x = x << 8 | f[i];
	}
	*v = x;
	return 0;
}

/* Octal with leading spaces, ended by a NUL, a space or the field's end; only NULs and
 * spaces may follow, and a field without a digit is malformed, not zero. */
static int parse_octal(const unsigned char *f, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0, digits = 0;

	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
		if (x > NUM_MAX >> 3)
			return TAR_EHEADER;
		x = x << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != 0 && f[i] != ' ')
			return TAR_EHEADER;
	if (!digits)
		return TAR_EHEADER;
	*v = x;
	return 0;
}

static int parse_number(const unsigned char *f, size_t n, uint64_t *v)
{
	return (f[0] & 0x80) ? parse_base256(f, n, v) : parse_octal(f, n, v);
}

/* The checksum field counts as eight spaces; old tars summed signed chars, so either
 * sum is accepted, as GNU tar does. */
static int check_sum(const unsigned char *b)
{
	uint64_t want;
	unsigned long usum = 0;
	long ssum = 0;
	size_t i;

	if (parse_octal(b + H_CHKSUM, 8, &want) < 0)
		return TAR_ECHECKSUM;
	for (i = 0; i < TAR_BLOCK; i++) {
		unsigned char c = (i >= H_CHKSUM && i < H_CHKSUM + 8) ? ' ' : b[i];

		usum += c;
		ssum += (signed char)c;
	}
	if (want == usum || (ssum >= 0 && want == (unsigned long)ssum))
		return 0;
	return TAR_ECHECKSUM;
}

static int header_format(const unsigned char *b)
{
	static const unsigned char zero[8];

	if (memcmp(b + H_MAGIC, "ustar\0" "00", 8) == 0)
		return FMT_USTAR;
	if (memcmp(b + H_MAGIC, "ustar  \0", 8) == 0)
		return FMT_GNU;
	if (memcmp(b + H_MAGIC, zero, 8) == 0)
		return FMT_V7;
	return TAR_EHEADER;
}

static int is_zero(const unsigned char *b)
{
	size_t i;

	for (i = 0; i < TAR_BLOCK; i++)
		if (b[i])
			return 0;
	return 1;
}

/* A name field is NUL-terminated, or uses all n bytes. */
static size_t field_len(const unsigned char *f, size_t n)
{
	const unsigned char *z = memchr(f, 0, n);

	return z ? (size_t)(z - f) : n;
}

/* Both fit easily: 155 + 1 + 100 < TAR_NAME_MAX. */
static void header_path(const unsigned char *b, int fmt, char *out)
{
	size_t np = fmt == FMT_USTAR ? field_len(b + H_PREFIX, 155) : 0;
	size_t nn = field_len(b + H_NAME, 100);

	memcpy(out, b + H_PREFIX, np);
	if (np)
		out[np++] = '/';
	memcpy(out + np, b + H_NAME, nn);
	out[np + nn] = 0;
}

static enum tar_type type_of(char flag)
{
	switch (flag) {
	case '0':
	case '\0':
	case '7':
		return TAR_FILE;
	case '1':
		return TAR_HARDLINK;
	case '2':
		return TAR_SYMLINK;
	case '3':
		return TAR_CHAR;
	case '4':
		return TAR_BLOCKDEV;
	case '5':
		return TAR_DIR;
	case '6':
		return TAR_FIFO;
	default:
		return TAR_OTHER;
	}
}

/* POSIX: no data records follow links, directories and devices, whatever the size field
 * says. A "file" whose name ends in '/' is a directory (old tars; GNU tar agrees) but its
 * data, if any, is still there to skip. */
static void settle_type(struct tar_entry *e)
{
	size_t n = strlen(e->path);

	e->type = type_of(e->typeflag);
	if (e->type != TAR_FILE && e->type != TAR_OTHER)
		e->size = 0;
	if (e->type == TAR_FILE && n > 0 && e->path[n - 1] == '/')
		e->type = TAR_DIR;
}

static int parse_header(const unsigned char *b, struct tar_entry *e, unsigned keep)
{
	uint64_t mode, size, mtime;
	int fmt, rc;

	if (is_zero(b))
		return 0;
	if ((rc = check_sum(b)) < 0)
		return rc;
	if ((fmt = header_format(b)) < 0)
		return fmt;
	if ((rc = parse_number(b + H_MODE, 8, &mode)) < 0 ||
	    (rc = parse_number(b + H_SIZE, 12, &size)) < 0 ||
	    (rc = parse_number(b + H_MTIME, 12, &mtime)) < 0)
		return rc;
	e->typeflag = (char)b[H_TYPE];
	e->mode = (unsigned)(mode & 07777);
	if (!(keep & KEEP_SIZE))
		e->size = size;
	if (!(keep & KEEP_MTIME))
		e->mtime = (int64_t)mtime;
	if (!(keep & KEEP_PATH))
		header_path(b, fmt, e->path);
	if (!(keep & KEEP_LINK)) {
		size_t n = field_len(b + H_LINK, 100);

		memcpy(e->link, b + H_LINK, n);
		e->link[n] = 0;
	}
	settle_type(e);
	return 1;
}

int tar_header_parse(const unsigned char block[TAR_BLOCK], struct tar_entry *e)
{
	return parse_header(block, e, 0);
}

/* --- pax extended headers -------------------------------------------------------------- */

static int pax_decimal(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0)
		return TAR_EPAX;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return TAR_EPAX;
		if (x > (NUM_MAX - (uint64_t)(s[i] - '0')) / 10)
			return TAR_EPAX;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return 0;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* "[-]SECONDS[.FRACTION]": the fraction must be digits, then is dropped. */
static int pax_mtime(const char *s, size_t n, int64_t *v)
{
	const char *dot = memchr(s, '.', n);
	size_t neg = n > 0 && s[0] == '-';
	size_t end = dot ? (size_t)(dot - s) : n;
	uint64_t x;
	int rc;

	if (dot && !all_digits(dot + 1, n - end - 1))
		return TAR_EPAX;
	if ((rc = pax_decimal(s + neg, end - neg, &x)) < 0)
		return rc;
	*v = neg ? -(int64_t)x : (int64_t)x;
	return 0;
}

static int pax_string(char *dst, const char *s, size_t n)
{
	if (memchr(s, 0, n))
		return TAR_EPAX;
	if (n >= TAR_NAME_MAX)
		return TAR_ETOOLONG;
	memcpy(dst, s, n);
	dst[n] = 0;
	return 0;
}

static int key_is(const char *k, size_t kn, const char *want)
{
	return kn == strlen(want) && memcmp(k, want, kn) == 0;
}

/* One "key=value" (v of vn bytes). An empty value means "unset" in POSIX, which for us
 * is: leave the header's field as it is. */
static int pax_keyword(const char *k, size_t kn, const char *v, size_t vn,
		       struct tar_entry *e, unsigned *set)
{
	int rc = 0;

	if (vn == 0)
		return 0;
	if (key_is(k, kn, "path")) {
		rc = pax_string(e->path, v, vn);
		*set |= KEEP_PATH;
	} else if (key_is(k, kn, "linkpath")) {
		rc = pax_string(e->link, v, vn);
		*set |= KEEP_LINK;
	} else if (key_is(k, kn, "size")) {
		rc = pax_decimal(v, vn, &e->size);
		*set |= KEEP_SIZE;
	} else if (key_is(k, kn, "mtime")) {
		rc = pax_mtime(v, vn, &e->mtime);
		*set |= KEEP_MTIME;
	}
	return rc;
}

/* The length of the record at p ("LEN key=value\n", LEN counting the whole record). */
static int pax_record_len(const char *p, size_t avail, size_t *len)
{
	size_t i, x = 0;

	/* 19 digits are more than any record; the bound also keeps leading zeros finite. */
	for (i = 0; i < avail && p[i] >= '0' && p[i] <= '9'; i++) {
		if (i == 19 || x > (SIZE_MAX - 9) / 10)
			return TAR_EPAX;
		x = x * 10 + (size_t)(p[i] - '0');
	}
	/* The shortest record after the length is " k=\n". */
	if (i == 0 || i >= avail || p[i] != ' ' || x > avail || x < i + 4 || p[x - 1] != '\n')
		return TAR_EPAX;
	*len = x;
	return (int)i + 1;
}

static int pax_apply(const char *data, size_t n, struct tar_entry *e, unsigned *set)
{
	size_t off = 0, len;

	while (off < n) {
		const char *rec = data + off, *eq;
		int start = pax_record_len(rec, n - off, &len), rc;

		if (start < 0)
			return start;
		eq = memchr(rec + start, '=', len - (size_t)start - 1);
		if (!eq || eq == rec + start)
			return TAR_EPAX;
		rc = pax_keyword(rec + start, (size_t)(eq - rec - start), eq + 1,
				 (size_t)(rec + len - 1 - (eq + 1)), e, set);
		if (rc < 0)
			return rc;
		off += len;
	}
	return 0;
}

int tar_pax_apply(const char *data, size_t n, struct tar_entry *e)
{
	unsigned set = 0;

	return pax_apply(data, n, e, &set);
}

/* --- the pull reader ------------------------------------------------------------------- */

void tar_reader_init(struct tar_reader *r, tar_read_fn fn, void *ctx)
{
	r->read = fn;
	r->ctx = ctx;
	r->remain = 0;
	r->pad = 0;
	r->done = 0;
}

/* Exactly n bytes, however few the read function returns per call; TAR_ETRUNC when the
 * stream ends first. */
static int read_exact(struct tar_reader *r, void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t k = r->read(r->ctx, p + got, n - got);

		if (k < 0)
			return TAR_EIO;
		if (k == 0)
			return TAR_ETRUNC;
		if ((size_t)k > n - got) {
			errno = EIO;
			return TAR_EIO;
		}
		got += (size_t)k;
	}
	return 0;
}

/* The pax scratch is the largest buffer we own: skipping goes through it. */
static int skip(struct tar_reader *r, uint64_t n)
{
	while (n > 0) {
		size_t k = n < sizeof r->pax ? (size_t)n : sizeof r->pax;
		int rc = read_exact(r, r->pax, k);

		if (rc < 0)
			return rc;
		n -= k;
	}
	return 0;
}

static unsigned padding(uint64_t size)
{
	return (unsigned)((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK);
}

/* GNU 'L'/'K' data: a name ended by a NUL, or by the data's end. */
static int long_name(const char *data, size_t n, char *dst)
{
	size_t len = strnlen(data, n);

	if (len == 0)
		return TAR_EPAX;
	if (len >= TAR_NAME_MAX)
		return TAR_ETOOLONG;
	memcpy(dst, data, len);
	dst[len] = 0;
	return 0;
}

static int apply_meta(struct tar_reader *r, char flag, size_t n, struct tar_entry *e,
		      unsigned *set)
{
	if (flag == 'x')
		return pax_apply(r->pax, n, e, set);
	*set |= flag == 'L' ? KEEP_PATH : KEEP_LINK;
	return long_name(r->pax, n, flag == 'L' ? e->path : e->link);
}

/* If the header in r->block is a pax or GNU one, read its data and fold it into e:
 * 1 = consumed, 0 = a real entry, < 0 = error. */
static int meta_header(struct tar_reader *r, struct tar_entry *e, unsigned *set)
{
	char flag = (char)r->block[H_TYPE];
	uint64_t size;
	int rc;

	if (flag != 'x' && flag != 'g' && flag != 'L' && flag != 'K')
		return 0;
	if ((rc = parse_number(r->block + H_SIZE, 12, &size)) < 0)
		return rc;
	if (flag == 'g')
		return (rc = skip(r, size + padding(size))) < 0 ? rc : 1;
	if (size > TAR_PAX_MAX)
		return TAR_ETOOLONG;
	/* The padding goes through r->block: skip() would overwrite the data in r->pax. */
	if ((rc = read_exact(r, r->pax, (size_t)size)) < 0 ||
	    (rc = read_exact(r, r->block, padding(size))) < 0)
		return rc;
	if ((rc = apply_meta(r, flag, (size_t)size, e, set)) < 0)
		return rc;
	return 1;
}

static int next_entry(struct tar_reader *r, struct tar_entry *e)
{
	unsigned set = 0;
	int rc;

	if ((rc = skip(r, r->remain + r->pad)) < 0)
		return rc;
	r->remain = 0;
	r->pad = 0;
	for (;;) {
		/* Even at a block boundary, a stream without its zero block was cut short. */
		if ((rc = read_exact(r, r->block, TAR_BLOCK)) < 0)
			return rc;
		if ((rc = parse_header(r->block, e, set)) <= 0)
			return rc;
		if ((rc = meta_header(r, e, &set)) < 0)
			return rc;
		if (rc == 0)
			break;
	}
	r->remain = e->size;
	r->pad = padding(e->size);
	return 1;
}

/* Errors are sticky: after one, the stream position means nothing, and going on could
 * read member data as headers. */
int tar_next(struct tar_reader *r, struct tar_entry *e)
{
	int rc;

	if (r->done)
		return r->done > 0 ? 0 : r->done;
	rc = next_entry(r, e);
	if (rc <= 0)
		r->done = rc == 0 ? 1 : rc;
	return rc;
}

ssize_t tar_read(struct tar_reader *r, void *buf, size_t n)
{
	ssize_t k;

	if (r->done < 0)
		return r->done;
	if (r->remain == 0 || n == 0)
		return 0;
	if (n > r->remain)
		n = (size_t)r->remain;
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	k = r->read(r->ctx, buf, n);
	if (k <= 0 || (size_t)k > n) {
		if (k > 0)
			errno = EIO;
		r->done = k == 0 ? TAR_ETRUNC : TAR_EIO;
		return r->done;
	}
	r->remain -= (uint64_t)k;
	return k;
}

const char *tar_strerror(int code)
{
	switch (code) {
	case TAR_EIO:
		return "read error";
	case TAR_ETRUNC:
		return "truncated";
	case TAR_ECHECKSUM:
		return "header checksum mismatch";
	case TAR_EHEADER:
		return "malformed header";
	case TAR_EPAX:
		return "malformed extended header";
	case TAR_ETOOLONG:
		return "name or extended header too long";
	default:
		return "unknown error";
	}
}
