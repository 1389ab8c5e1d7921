/* archive/tar: header fields, pax records and the pull reader, as known answers, then the
 * same reader on archives that GNU tar wrote. */
#include "t.h"
#include "tarw.h"

#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>

#include "archive/tar.h"

/* --- an in-test tar writer ------------------------------------------------------------- */

enum { F_USTAR, F_GNU, F_V7 };

static void put_b256(unsigned char *f, size_t n, uint64_t v)
{
	size_t i;

	memset(f, 0, n);
	for (i = n; i-- > 1 && v; v >>= 8)
		f[i] = (unsigned char)v;
	f[0] = 0x80;
}

static void make_header(unsigned char *b, int fmt, const char *name, char type, unsigned mode,
			uint64_t size, int64_t mtime, const char *link)
{
	memset(b, 0, 512);
	put_field(b, 100, name);
	put_octal(b + 100, 8, mode);
	put_octal(b + 108, 8, 0);
	put_octal(b + 116, 8, 0);
	put_octal(b + 124, 12, size);
	put_octal(b + 136, 12, (uint64_t)mtime);
	b[156] = (unsigned char)type;
	put_field(b + 157, 100, link);
	if (fmt == F_USTAR)
		memcpy(b + 257, "ustar\0" "00", 8);
	else if (fmt == F_GNU)
		memcpy(b + 257, "ustar  \0", 8);
	set_sum(b, 0);
}

static void arc_entry(const char *name, char type, unsigned mode, uint64_t size, const char *link)
{
	make_header(arc.b + arc.len, F_USTAR, name, type, mode, size, 1700000000, link);
	arc.len += 512;
}

static unsigned char pattern_at(size_t i)
{
	return (unsigned char)(i * 7 + 3);
}

static void arc_raw_pattern(size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		arc.b[arc.len + i] = pattern_at(i);
	arc.len += (n + 511) / 512 * 512;
}

static int check_pattern(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != pattern_at(i))
			return 0;
	return 1;
}

static void arc_file(const char *name, const char *content, unsigned mode)
{
	arc_entry(name, '0', mode, strlen(content), "");
	arc_data(content, strlen(content));
}

static void arc_pattern(const char *name, size_t n)
{
	arc_entry(name, '0', 0644, n, "");
	arc_raw_pattern(n);
}

static void arc_meta(const char *name, char type, const void *data, size_t n)
{
	arc_entry(name, type, 0644, n, "");
	arc_data(data, n);
}

static void arc_pax(const char *name, const char *records)
{
	arc_meta(name, 'x', records, strlen(records));
}

/* "LEN key=vvv\n" with a value of vlen copies of c; the record's length. */
static size_t pax_record(char *out, size_t outsz, const char *key, size_t vlen, char c)
{
	size_t body = strlen(key) + vlen + 3, len = body + 1, k;

	while (snprintf(NULL, 0, "%zu", len) + body != len)
		len++;
	k = (size_t)snprintf(out, outsz, "%zu %s=", len, key);
	memset(out + k, c, vlen);
	out[k + vlen] = '\n';
	return len;
}

static ssize_t fail_read(void *ctx, void *buf, size_t n)
{
	(void)ctx;
	(void)buf;
	(void)n;
	errno = EBADMSG;
	return -1;
}

/* --- reading an archive into a one-line summary ----------------------------------------- */

static void appendf(char *out, size_t outsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void appendf(char *out, size_t outsz, const char *fmt, ...)
{
	size_t n = strlen(out);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out + n, outsz - n, fmt, ap);
	va_end(ap);
}

static char type_char(enum tar_type t)
{
	return "?fhlcbdpo"[t <= TAR_OTHER ? t : 0];
}

/* The entry's data through tar_read in rd-byte reads: " [text]", " [N pattern]", or
 * ";ERR(n)" and -1. */
static int read_data(struct tar_reader *r, size_t rd, char *out, size_t outsz)
{
	static unsigned char data[1 << 16];
	size_t got = 0;
	ssize_t n;

	while ((n = tar_read(r, data + (got < sizeof data - rd ? got : 0), rd)) > 0)
		got += (size_t)n;
	if (n < 0) {
		appendf(out, outsz, ";ERR(%d)", (int)n);
		return -1;
	}
	if (got <= 20)
		appendf(out, outsz, " [%.*s]", (int)got, (const char *)data);
	else
		appendf(out, outsz, " [%zu %s]", got,
			check_pattern(data, got) ? "pattern" : "other");
	return 0;
}

/* rd = 0: leave the data for tar_next to skip. */
static void scan(size_t k, size_t rd, char *out, size_t outsz)
{
	static struct tar_reader r;
	struct tar_entry e;
	struct feed f;
	int rc;

	out[0] = 0;
	feed_init(&f, k);
	tar_reader_init(&r, feed_read, &f);
	while ((rc = tar_next(&r, &e)) == 1) {
		appendf(out, outsz, "%c %s", type_char(e.type), e.path);
		if (e.link[0])
			appendf(out, outsz, " -> %s", e.link);
		appendf(out, outsz, " %llu", (unsigned long long)e.size);
		if (rd && (e.type == TAR_FILE || e.size) && read_data(&r, rd, out, outsz) < 0)
			return;
		appendf(out, outsz, ";");
	}
	appendf(out, outsz, rc == 0 ? "END" : "ERR(%d)", rc);
}

/* The summary without its " [data]" parts. */
static void strip_data(char *out, size_t outsz, const char *s)
{
	size_t o = 0;

	for (; *s && o + 1 < outsz; s++) {
		if (s[0] == ' ' && s[1] == '[') {
			s = strchr(s, ']');
			continue;
		}
		out[o++] = *s;
	}
	out[o] = 0;
}

/* --- tar_header_parse -------------------------------------------------------------------- */

static void tw_prefix(unsigned char *b)
{
	put_field(b + 345, 155, "usr/share/doc/some-package");
}

static void tw_spaces(unsigned char *b)
{
	memcpy(b + 100, "  644 \0\0", 8);
	memcpy(b + 124, "     12 \0\0\0\0", 12);
	memcpy(b + 136, " 1234567  \0\0", 12);
}

static void tw_full_width(unsigned char *b)
{
	memcpy(b + 124, "000000000017", 12); /* 12 digits, no terminator */
}

static void tw_b256_size(unsigned char *b)
{
	put_b256(b + 124, 12, 8589934592ULL); /* 8 GiB does not fit 11 octal digits */
}

static void tw_b256_max(unsigned char *b)
{
	put_b256(b + 124, 12, (uint64_t)INT64_MAX);
}

static void tw_b256_over(unsigned char *b)
{
	put_b256(b + 124, 12, (uint64_t)INT64_MAX);
	b[127] = 0x01; /* 2^64 and more */
}

static void tw_b256_negative(unsigned char *b)
{
	memset(b + 136, 0xff, 12); /* -1 in GNU's two's complement */
}

static void tw_bad_digit(unsigned char *b)
{
	memcpy(b + 100, "0000684\0", 8);
}

static void tw_empty_size(unsigned char *b)
{
	memset(b + 124, 0, 12);
}

static void tw_junk_after(unsigned char *b)
{
	memcpy(b + 124, "00000000012 ", 12);
	b[135] = 'x';
}

static void tw_mode_type_bits(unsigned char *b)
{
	memcpy(b + 100, "0104755\0", 8);
}

static void tw_bad_magic(unsigned char *b)
{
	memcpy(b + 257, "tarus\0" "00", 8);
}

static void tw_high_byte(unsigned char *b)
{
	put_field(b, 100, "caf\xe9\xe9\xe9\xe9");
}

/* An error row: the fields after rc are not looked at. */
#define HERR(rc) rc, NULL, NULL, 0, 0, 0, 0

enum { SUM_OK, SUM_SIGNED, SUM_BAD, SUM_TEXT, SUM_EMPTY, ZERO_BLOCK };

static const char name100[] = "0123456789012345678901234567890123456789"
			      "0123456789012345678901234567890123456789"
			      "01234567890123456789";

static const struct {
	const char *label;
	int fmt;
	const char *name, *link;
	char type;
	void (*tweak)(unsigned char *b);
	int sum;
	int rc;
	const char *path, *elink;
	enum tar_type etype;
	unsigned mode;
	uint64_t size;
	int64_t mtime;
} hcases[] = {
	{ "ustar file", F_USTAR, "a/b.txt", "", '0', NULL, SUM_OK,
	  1, "a/b.txt", "", TAR_FILE, 0644, 12, 1700000000 },
	{ "gnu file", F_GNU, "b.txt", "", '0', NULL, SUM_OK,
	  1, "b.txt", "", TAR_FILE, 0644, 12, 1700000000 },
	{ "v7 file", F_V7, "v7", "", '\0', NULL, SUM_OK,
	  1, "v7", "", TAR_FILE, 0644, 12, 1700000000 },
	{ "v7 dir by slash", F_V7, "dir/", "", '\0', NULL, SUM_OK,
	  1, "dir/", "", TAR_DIR, 0644, 12, 1700000000 },
	{ "ustar prefix join", F_USTAR, "README", "", '0', tw_prefix, SUM_OK,
	  1, "usr/share/doc/some-package/README", "", TAR_FILE, 0644, 12, 1700000000 },
	{ "gnu has no prefix", F_GNU, "README", "", '0', tw_prefix, SUM_OK,
	  1, "README", "", TAR_FILE, 0644, 12, 1700000000 },
	{ "name of 100 bytes", F_USTAR, name100, "", '0', NULL, SUM_OK,
	  1, name100, "", TAR_FILE, 0644, 12, 1700000000 },
	{ "link of 100 bytes", F_USTAR, "l", name100, '2', NULL, SUM_OK,
	  1, "l", name100, TAR_SYMLINK, 0644, 0, 1700000000 },
	{ "octal with spaces", F_USTAR, "s", "", '0', tw_spaces, SUM_OK,
	  1, "s", "", TAR_FILE, 0644, 10, 342391 },
	{ "octal full width", F_USTAR, "w", "", '0', tw_full_width, SUM_OK,
	  1, "w", "", TAR_FILE, 0644, 15, 1700000000 },
	{ "base-256 size", F_GNU, "big", "", '0', tw_b256_size, SUM_OK,
	  1, "big", "", TAR_FILE, 0644, 8589934592ULL, 1700000000 },
	{ "base-256 2^63-1", F_GNU, "max", "", '0', tw_b256_max, SUM_OK,
	  1, "max", "", TAR_FILE, 0644, (uint64_t)INT64_MAX, 1700000000 },
	{ "base-256 over 2^63", F_GNU, "over", "", '0', tw_b256_over, SUM_OK, HERR(TAR_EHEADER) },
	{ "base-256 negative", F_GNU, "neg", "", '0', tw_b256_negative, SUM_OK, HERR(TAR_EHEADER) },
	{ "bad octal digit", F_USTAR, "bad", "", '0', tw_bad_digit, SUM_OK, HERR(TAR_EHEADER) },
	{ "empty size field", F_USTAR, "empty", "", '0', tw_empty_size, SUM_OK, HERR(TAR_EHEADER) },
	{ "junk after number", F_USTAR, "junk", "", '0', tw_junk_after, SUM_OK, HERR(TAR_EHEADER) },
	{ "bad magic", F_USTAR, "m", "", '0', tw_bad_magic, SUM_OK, HERR(TAR_EHEADER) },
	{ "mode type bits", F_USTAR, "suid", "", '0', tw_mode_type_bits, SUM_OK,
	  1, "suid", "", TAR_FILE, 04755, 12, 1700000000 },
	{ "bad checksum", F_USTAR, "x", "", '0', NULL, SUM_BAD, HERR(TAR_ECHECKSUM) },
	{ "checksum not a number", F_USTAR, "x", "", '0', NULL, SUM_TEXT, HERR(TAR_ECHECKSUM) },
	{ "checksum empty", F_USTAR, "x", "", '0', NULL, SUM_EMPTY, HERR(TAR_ECHECKSUM) },
	{ "signed checksum", F_USTAR, "x", "", '0', tw_high_byte, SUM_SIGNED,
	  1, "caf\xe9\xe9\xe9\xe9", "", TAR_FILE, 0644, 12, 1700000000 },
	{ "all-zero block", F_USTAR, "", "", 0, NULL, ZERO_BLOCK, HERR(0) },
	{ "type 7 is a file", F_USTAR, "c", "", '7', NULL, SUM_OK,
	  1, "c", "", TAR_FILE, 0644, 12, 1700000000 },
	{ "hard link has no data", F_USTAR, "h", "t", '1', NULL, SUM_OK,
	  1, "h", "t", TAR_HARDLINK, 0644, 0, 1700000000 },
	{ "dir has no data", F_USTAR, "d", "", '5', NULL, SUM_OK,
	  1, "d", "", TAR_DIR, 0644, 0, 1700000000 },
	{ "char device", F_USTAR, "tty", "", '3', NULL, SUM_OK,
	  1, "tty", "", TAR_CHAR, 0644, 0, 1700000000 },
	{ "block device", F_USTAR, "sda", "", '4', NULL, SUM_OK,
	  1, "sda", "", TAR_BLOCKDEV, 0644, 0, 1700000000 },
	{ "fifo", F_USTAR, "p", "", '6', NULL, SUM_OK, 1, "p", "", TAR_FIFO, 0644, 0, 1700000000 },
	{ "sparse keeps its data", F_GNU, "s", "", 'S', NULL, SUM_OK,
	  1, "s", "", TAR_OTHER, 0644, 12, 1700000000 },
};

static void build_case(unsigned i, unsigned char *b)
{
	make_header(b, hcases[i].fmt, hcases[i].name, hcases[i].type, 0644, 12, 1700000000,
		    hcases[i].link);
	if (hcases[i].tweak)
		hcases[i].tweak(b);
	set_sum(b, hcases[i].sum == SUM_SIGNED);
	if (hcases[i].sum == SUM_BAD)
		b[153]++;
	if (hcases[i].sum == SUM_TEXT)
		memcpy(b + 148, "sum?  \0 ", 8);
	if (hcases[i].sum == SUM_EMPTY)
		memset(b + 148, ' ', 8);
	if (hcases[i].sum == ZERO_BLOCK)
		memset(b, 0, TAR_BLOCK);
}

TEST(header_table)
{
	unsigned i;

	for (i = 0; i < sizeof hcases / sizeof hcases[0]; i++) {
		unsigned char b[TAR_BLOCK];
		struct tar_entry e;
		int rc;

		build_case(i, b);
		memset(&e, 0x5a, sizeof e);
		rc = tar_header_parse(b, &e);
		CHECKF(rc == hcases[i].rc, "%s: rc %d", hcases[i].label, rc);
		if (rc != 1 || hcases[i].rc != 1)
			continue;
		CHECKF(strcmp(e.path, hcases[i].path) == 0, "%s: path '%s'", hcases[i].label,
		       e.path);
		CHECKF(strcmp(e.link, hcases[i].elink) == 0, "%s: link '%s'", hcases[i].label,
		       e.link);
		CHECKF(e.type == hcases[i].etype, "%s: type %d", hcases[i].label, e.type);
		CHECKF(e.typeflag == hcases[i].type, "%s: flag %d", hcases[i].label, e.typeflag);
		CHECKF(e.mode == hcases[i].mode, "%s: mode %o", hcases[i].label, e.mode);
		CHECKF(e.size == hcases[i].size, "%s: size %llu", hcases[i].label,
		       (unsigned long long)e.size);
		CHECKF(e.mtime == hcases[i].mtime, "%s: mtime %lld", hcases[i].label,
		       (long long)e.mtime);
	}
}

/* Any single flipped byte outside the name fields breaks the checksum. */
TEST(header_checksum_covers_block)
{
	unsigned char b[TAR_BLOCK];
	struct tar_entry e;
	unsigned i;

	for (i = 0; i < TAR_BLOCK; i++) {
		make_header(b, F_USTAR, "f", '0', 0644, 12, 1700000000, "");
		set_sum(b, 0);
		if (i >= 148 && i < 156)
			continue;
		b[i] ^= 0x01;
		CHECKF(tar_header_parse(b, &e) == TAR_ECHECKSUM, "byte %u", i);
	}
}

/* --- tar_pax_apply -------------------------------------------------------------------- */

#define PERR(rc) rc, NULL, NULL, 0, 0

static const struct {
	const char *label, *data;
	size_t n; /* 0: strlen(data) */
	int rc;
	const char *path, *link;
	uint64_t size;
	int64_t mtime;
} pcases[] = {
	{ "path", "12 path=new\n", 0, 0, "new", "", 5, 7 },
	{ "linkpath", "16 linkpath=tgt\n", 0, 0, "orig", "tgt", 5, 7 },
	{ "size", "12 size=100\n", 0, 0, "orig", "", 100, 7 },
	{ "mtime", "20 mtime=1700000000\n", 0, 0, "orig", "", 5, 1700000000 },
	{ "mtime fraction", "30 mtime=1700000000.123456789\n", 0, 0, "orig", "", 5, 1700000000 },
	{ "mtime negative", "13 mtime=-42\n", 0, 0, "orig", "", 5, -42 },
	{ "mtime negative fraction", "15 mtime=-42.5\n", 0, 0, "orig", "", 5, -42 },
	{ "several", "12 path=new\n16 linkpath=tgt\n12 size=100\n", 0, 0, "new", "tgt", 100, 7 },
	{ "last record wins", "12 path=one\n12 path=two\n", 0, 0, "two", "", 5, 7 },
	{ "unknown keys ignored", "24 SCHILY.xattr.foo=bar\n20 atime=1700000000\n", 0, 0,
	  "orig", "", 5, 7 },
	{ "value with space and =", "14 path=a b=c\n", 0, 0, "a b=c", "", 5, 7 },
	{ "value with newline", "14 path=a\nb=c\n", 0, 0, "a\nb=c", "", 5, 7 },
	{ "empty value keeps field", "8 path=\n", 0, 0, "orig", "", 5, 7 },
	{ "size 2^63-1", "28 size=9223372036854775807\n", 0, 0,
	  "orig", "", (uint64_t)INT64_MAX, 7 },
	{ "no records", "", 0, 0, "orig", "", 5, 7 },
	{ "LEN over the data", "13 path=new\n", 0, PERR(TAR_EPAX) },
	{ "LEN short of the record", "11 path=new\n", 0, PERR(TAR_EPAX) },
	{ "LEN huge", "99999999999999999999999 path=x\n", 0, PERR(TAR_EPAX) },
	{ "LEN missing", "path=x\n", 0, PERR(TAR_EPAX) },
	{ "LEN without space", "12path=new\n", 0, PERR(TAR_EPAX) },
	{ "LEN too small for a record", "3 \n", 0, PERR(TAR_EPAX) },
	{ "missing =", "11 pathnew\n", 0, PERR(TAR_EPAX) },
	{ "empty key", "9 =value\n", 0, PERR(TAR_EPAX) },
	{ "missing newline", "12 path=new ", 0, PERR(TAR_EPAX) },
	{ "trailing junk", "12 path=new\nxx", 0, PERR(TAR_EPAX) },
	{ "NUL in path", "12 path=a\0bc\n", 12, PERR(TAR_EPAX) },
	{ "size over 2^63-1", "28 size=9223372036854775808\n", 0, PERR(TAR_EPAX) },
	{ "size huge", "40 size=999999999999999999999999999999\n", 0, PERR(TAR_EPAX) },
	{ "size negative", "12 size=-10\n", 0, PERR(TAR_EPAX) },
	{ "size not decimal", "12 size=1x0\n", 0, PERR(TAR_EPAX) },
	{ "mtime not decimal", "14 mtime=12a4\n", 0, PERR(TAR_EPAX) },
	{ "mtime bare dot", "13 mtime=12.\n", 0, PERR(TAR_EPAX) },
	{ "mtime bad fraction", "14 mtime=1.2x\n", 0, PERR(TAR_EPAX) },
	{ "mtime bare minus", "10 mtime=-\n", 0, PERR(TAR_EPAX) },
};

static void entry_orig(struct tar_entry *e)
{
	memset(e, 0, sizeof *e);
	strcpy(e->path, "orig");
	e->type = TAR_FILE;
	e->size = 5;
	e->mtime = 7;
}

TEST(pax_table)
{
	unsigned i;

	for (i = 0; i < sizeof pcases / sizeof pcases[0]; i++) {
		size_t n = pcases[i].n ? pcases[i].n : strlen(pcases[i].data);
		struct tar_entry e;
		int rc;

		entry_orig(&e);
		rc = tar_pax_apply(pcases[i].data, n, &e);
		CHECKF(rc == pcases[i].rc, "%s: rc %d", pcases[i].label, rc);
		if (rc != 0 || pcases[i].rc != 0)
			continue;
		CHECKF(strcmp(e.path, pcases[i].path) == 0, "%s: path '%s'", pcases[i].label,
		       e.path);
		CHECKF(strcmp(e.link, pcases[i].link) == 0, "%s: link '%s'", pcases[i].label,
		       e.link);
		CHECKF(e.size == pcases[i].size, "%s: size %llu", pcases[i].label,
		       (unsigned long long)e.size);
		CHECKF(e.mtime == pcases[i].mtime, "%s: mtime %lld", pcases[i].label,
		       (long long)e.mtime);
	}
}

/* A path of TAR_NAME_MAX - 1 bytes fits, one more does not. */
TEST(pax_path_limit)
{
	static char rec[TAR_NAME_MAX + 32];
	struct tar_entry e;
	size_t n;

	n = pax_record(rec, sizeof rec, "path", TAR_NAME_MAX - 1, 'p');
	entry_orig(&e);
	CHECK(tar_pax_apply(rec, n, &e) == 0);
	CHECK(strlen(e.path) == TAR_NAME_MAX - 1);
	n = pax_record(rec, sizeof rec, "path", TAR_NAME_MAX, 'p');
	entry_orig(&e);
	CHECK(tar_pax_apply(rec, n, &e) == TAR_ETOOLONG);
	n = pax_record(rec, sizeof rec, "linkpath", TAR_NAME_MAX, 'q');
	entry_orig(&e);
	CHECK(tar_pax_apply(rec, n, &e) == TAR_ETOOLONG);
}

/* --- the reader over in-memory archives ------------------------------------------------ */

static void b_basic(void)
{
	arc_file("a.txt", "hello", 0644);
	arc_entry("d/", '5', 0755, 0, "");
	arc_entry("d/l", '2', 0777, 0, "../a.txt");
	arc_entry("h", '1', 0644, 0, "a.txt");
	arc_file("e", "", 0600);
	arc_end();
}

static void b_multiblock(void)
{
	arc_pattern("big", 3000);
	arc_pattern("exact", 1024);
	arc_file("after", "tail", 0644);
	arc_end();
}

static void b_pax_path(void)
{
	arc_pax("PaxHeaders/short", "41 path=a/very/long/path/from/pax/header\n");
	arc_file("short", "data", 0644);
	arc_file("b", "next", 0644);
	arc_end();
}

static void b_pax_link_size(void)
{
	arc_pax("x", "30 linkpath=target/from/pax/1\n");
	arc_entry("sym", '2', 0777, 0, "ignored");
	arc_pax("x", "12 size=600\n");
	arc_entry("sized", '0', 0644, 0, "");
	arc_raw_pattern(600);
	arc_file("z", "z", 0644);
	arc_end();
}

static void b_pax_twice(void)
{
	arc_pax("x", "12 path=one\n20 mtime=1700000001\n");
	arc_pax("x", "12 path=two\n");
	arc_file("f", "x", 0644);
	arc_end();
}

static void b_pax_then_end(void)
{
	arc_file("f", "x", 0644);
	arc_pax("x", "12 path=bad\n");
	arc_end();
}

static void b_global(void)
{
	arc_meta("pax_global_header", 'g', "15 path=global\n", 15);
	arc_file("f", "x", 0644);
	arc_end();
}

static void b_trunc_header(void)
{
	arc_file("a", "hello", 0644);
	arc_file("b", "world", 0644);
	arc.len = 512 + 512 + 100;
}

static void b_trunc_data(void)
{
	arc_pattern("a", 1000);
	arc.len = 512 + 700;
}

static void b_trunc_padding(void)
{
	arc_pattern("a", 1000);
	arc.len = 512 + 1000 + 10;
}

static void b_no_zero_block(void)
{
	arc_file("a", "hello", 0644);
}

static void b_empty(void)
{
}

static void b_one_zero_block(void)
{
	arc_file("a", "hello", 0644);
	arc.len += 512; /* arc is zero-filled */
}

static void b_huge_octal(void)
{
	arc_entry("huge", '0', 0644, 077777777777ULL, "");
	arc_raw_pattern(100);
	arc_end();
}

static void b_bad_sum_later(void)
{
	arc_file("a", "hello", 0644);
	arc_file("b", "world", 0644);
	arc.b[512 * 2 + 148]++;
	arc_end();
}

static void b_pax_too_long(void)
{
	arc_entry("x", 'x', 0644, TAR_PAX_MAX + 1, "");
	arc_end();
}

static void b_pax_bad(void)
{
	arc_pax("x", "12 path=new ");
	arc_file("a", "x", 0644);
	arc_end();
}

static void b_long_empty(void)
{
	arc_meta("././@LongLink", 'L', "\0\0", 2);
	arc_file("a", "x", 0644);
	arc_end();
}

static void b_long_too_long(void)
{
	static char name[TAR_NAME_MAX + 10];

	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = 0;
	arc_meta("././@LongLink", 'L', name, sizeof name);
	arc_file("a", "x", 0644);
	arc_end();
}

static void b_meta_bad_size(void)
{
	arc_file("a", "x", 0644);
	arc_entry("x", 'x', 0644, 0, "");
	memcpy(arc.b + arc.len - 512 + 124, "0000000001x\0", 12);
	set_sum(arc.b + arc.len - 512, 0);
	arc_end();
}

static const struct {
	const char *label;
	void (*build)(void);
	const char *want;
} scases[] = {
	{ "basic", b_basic,
	  "f a.txt 5 [hello];d d/ 0;l d/l -> ../a.txt 0;h h -> a.txt 0;f e 0 [];END" },
	{ "multi-block data", b_multiblock,
	  "f big 3000 [3000 pattern];f exact 1024 [1024 pattern];f after 4 [tail];END" },
	{ "pax path", b_pax_path,
	  "f a/very/long/path/from/pax/header 4 [data];f b 4 [next];END" },
	{ "pax linkpath and size", b_pax_link_size,
	  "l sym -> target/from/pax/1 0;f sized 600 [600 pattern];f z 1 [z];END" },
	{ "pax twice", b_pax_twice, "f two 1 [x];END" },
	{ "pax then end", b_pax_then_end, "f f 1 [x];END" },
	{ "global header skipped", b_global, "f f 1 [x];END" },
	{ "truncated in header", b_trunc_header, "f a 5 [hello];ERR(-2)" },
	{ "truncated in data", b_trunc_data, "f a 1000;ERR(-2)" },
	{ "truncated in padding", b_trunc_padding, "f a 1000 [1000 pattern];ERR(-2)" },
	{ "no zero block", b_no_zero_block, "f a 5 [hello];ERR(-2)" },
	{ "empty stream", b_empty, "ERR(-2)" },
	{ "one zero block is the end", b_one_zero_block, "f a 5 [hello];END" },
	{ "huge size, short stream", b_huge_octal, "f huge 8589934591;ERR(-2)" },
	{ "bad checksum later", b_bad_sum_later, "f a 5 [hello];ERR(-3)" },
	{ "pax over the limit", b_pax_too_long, "ERR(-6)" },
	{ "pax malformed", b_pax_bad, "ERR(-5)" },
	{ "gnu long name empty", b_long_empty, "ERR(-5)" },
	{ "gnu long name too long", b_long_too_long, "ERR(-6)" },
	{ "meta header bad size", b_meta_bad_size, "f a 1 [x];ERR(-4)" },
};

static const size_t chunks[] = { 1, 7, 512, 4096 };

TEST(reader_table)
{
	unsigned i, j;

	for (i = 0; i < sizeof scases / sizeof scases[0]; i++) {
		arc_reset();
		scases[i].build();
		for (j = 0; j < sizeof chunks / sizeof chunks[0]; j++) {
			char got[4096], want[4096];

			scan(chunks[j], 5, got, sizeof got);
			CHECKF(strcmp(got, scases[i].want) == 0, "%s, k=%zu read: got '%s'",
			       scases[i].label, chunks[j], got);
			scan(chunks[j], 4096, got, sizeof got);
			CHECKF(strcmp(got, scases[i].want) == 0, "%s, k=%zu read 4096: got '%s'",
			       scases[i].label, chunks[j], got);
			scan(chunks[j], 0, got, sizeof got);
			strip_data(want, sizeof want, scases[i].want);
			CHECKF(strcmp(got, want) == 0, "%s, k=%zu skip: got '%s'", scases[i].label,
			       chunks[j], got);
		}
	}
}

/* tar_read asks the read function for min(n, remain) straight into the caller's buffer,
 * and takes what comes; 0 once the data is done, even if asked again. */
TEST(read_is_direct)
{
	static unsigned char buf[20000];
	struct feed f = { 0 };
	struct tar_reader r;
	struct tar_entry e;

	arc_reset();
	arc_pattern("big", 10000);
	arc_end();
	feed_init(&f, 1 << 20);
	tar_reader_init(&r, feed_read, &f);
	CHECK(tar_next(&r, &e) == 1);
	f.calls = 0;
	CHECK(tar_read(&r, buf, sizeof buf) == 10000);
	CHECK(f.calls == 1 && f.last_n == 10000);
	CHECK(check_pattern(buf, 10000));
	CHECK(tar_read(&r, buf, sizeof buf) == 0);
	CHECK(tar_read(&r, buf, sizeof buf) == 0);
	CHECK(f.calls == 1);
	CHECK(tar_next(&r, &e) == 0);
	CHECK(tar_next(&r, &e) == 0); /* the end stays the end */
	/* A short read function: tar_read returns what it got, no loop. */
	feed_init(&f, 300);
	tar_reader_init(&r, feed_read, &f);
	CHECK(tar_next(&r, &e) == 1);
	f.calls = 0;
	CHECK(tar_read(&r, buf, sizeof buf) == 300);
	CHECK(f.calls == 1);
}

/* After an error the reader stays failed, whatever follows in the stream. */
TEST(errors_are_sticky)
{
	unsigned char buf[16];
	struct feed f;
	struct tar_reader r;
	struct tar_entry e;

	arc_reset();
	arc_file("a", "hello", 0644);
	arc_file("b", "world", 0644);
	arc.b[148]++;
	arc_end();
	feed_init(&f, 4096);
	tar_reader_init(&r, feed_read, &f);
	CHECK(tar_next(&r, &e) == TAR_ECHECKSUM);
	CHECK(tar_next(&r, &e) == TAR_ECHECKSUM);
	CHECK(tar_read(&r, buf, sizeof buf) == TAR_ECHECKSUM);
}

TEST(read_error_is_eio)
{
	struct tar_reader r;
	struct tar_entry e;

	tar_reader_init(&r, fail_read, NULL);
	errno = 0;
	CHECK(tar_next(&r, &e) == TAR_EIO);
	CHECK(errno == EBADMSG);
	CHECK(strcmp(tar_strerror(TAR_ECHECKSUM), "header checksum mismatch") == 0);
	CHECK(strcmp(tar_strerror(TAR_ETRUNC), "truncated") == 0);
	CHECK(strcmp(tar_strerror(12345), "unknown error") == 0);
}

/* GNU 'L' and 'K': names past 100 bytes, one exactly its data size without a NUL. */
TEST(gnu_long_names)
{
	char name[300], target[200];
	unsigned j;

	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = 0;
	memcpy(name, "dir/", 4);
	memset(target, 't', sizeof target - 1);
	target[sizeof target - 1] = 0;
	arc_reset();
	arc_meta("././@LongLink", 'L', name, strlen(name) + 1);
	arc_file("cut-name", "long", 0644);
	arc_meta("././@LongLink", 'K', target, strlen(target) + 1);
	arc_entry("ln", '2', 0777, 0, "short");
	arc_meta("././@LongLink", 'L', "exact-no-nul", 12);
	arc_file("x", "", 0644);
	arc_file("plain", "", 0644); /* the long names applied to one entry each */
	arc_end();
	for (j = 0; j < sizeof chunks / sizeof chunks[0]; j++) {
		char got[2048], want[2048];

		snprintf(want, sizeof want, "f %s 4 [long];l ln -> %s 0;f exact-no-nul 0 [];"
			 "f plain 0 [];END", name, target);
		scan(chunks[j], 5, got, sizeof got);
		CHECKF(strcmp(got, want) == 0, "k=%zu: got '%s'", chunks[j], got);
	}
}

/* --- GNU tar's own archives ------------------------------------------------------------ */

static int write_file(const char *path, const char *content, mode_t mode, time_t mtime, long ns)
{
	struct timespec ts[2] = { { mtime, ns }, { mtime, ns } };
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	int rc;

	if (fd < 0)
		return -1;
	rc = write(fd, content, strlen(content)) == (ssize_t)strlen(content) ? 0 : -1;
	if (fchmod(fd, mode) < 0 || futimens(fd, ts) < 0)
		rc = -1;
	close(fd);
	return rc;
}

static int set_time(const char *path, time_t mtime)
{
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };

	return utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static int file_has_at(const char *path, long off, const char *s)
{
	char buf[64] = "";
	FILE *f = fopen(path, "rb");
	int ok = f && fseek(f, off, SEEK_SET) == 0 && fread(buf, 1, strlen(s), f) == strlen(s);

	if (f)
		fclose(f);
	return ok && memcmp(buf, s, strlen(s)) == 0;
}

struct want {
	char path[400], link[200];
	char type;
	unsigned mode;
	int64_t mtime;
	const char *data;
};

/* Every entry of top/name as tar_next sees it, against want[0..n). */
static void check_archive(const char *top, const char *name, const struct want *w, unsigned n)
{
	static struct tar_reader r;
	struct tar_entry e;
	char path[512];
	unsigned i = 0;
	FILE *f;
	int rc;

	snprintf(path, sizeof path, "%s/%s", top, name);
	f = fopen(path, "rb");
	CHECKF(f != NULL, "%s: %s", name, strerror(errno));
	if (!f)
		return;
	tar_reader_init(&r, file_read, f);
	while ((rc = tar_next(&r, &e)) == 1 && i < n) {
		char data[64] = "";
		ssize_t k = tar_read(&r, data, sizeof data - 1);

		CHECKF(strcmp(e.path, w[i].path) == 0, "%s #%u: path '%s'", name, i, e.path);
		CHECKF(strcmp(e.link, w[i].link) == 0, "%s #%u: link '%s'", name, i, e.link);
		CHECKF(type_char(e.type) == w[i].type, "%s #%u: type %d", name, i, e.type);
		CHECKF(e.mode == w[i].mode, "%s #%u: mode %o", name, i, e.mode);
		CHECKF(e.mtime == w[i].mtime, "%s #%u: mtime %lld", name, i, (long long)e.mtime);
		CHECKF(k >= 0 && e.size == (uint64_t)strlen(w[i].data), "%s #%u: size %llu", name,
		       i, (unsigned long long)e.size);
		CHECKF(k >= 0 && strcmp(data, w[i].data) == 0, "%s #%u: data '%s'", name, i, data);
		i++;
	}
	CHECKF(rc == 0 && i == n, "%s: rc %d after %u entries", name, rc, i);
	fclose(f);
}

/* A tree that needs long names: a 120-byte directory, a 110-byte file name below it, a
 * 150-byte symlink target, a hard link; sub-second mtimes (pax writes fractions). */
static void make_long_tree(const char *top, struct want *w)
{
	char d[121], fn[111], tgt[151], p[1024];

	memset(d, 'd', 120);
	d[120] = 0;
	memset(fn, 'f', 110);
	fn[110] = 0;
	memset(tgt, 't', 150);
	tgt[150] = 0;
	snprintf(p, sizeof p, "%s/src", top);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof p, "%s/src/%s", top, d);
	CHECK(mkdir(p, 0750) == 0);
	snprintf(p, sizeof p, "%s/src/%s/%s", top, d, fn);
	CHECK(write_file(p, "long\n", 0640, 1600000000, 0) == 0);
	snprintf(p, sizeof p, "%s/src/short.txt", top);
	CHECK(write_file(p, "short\n", 0604, 1600000001, 500000000) == 0);
	snprintf(w[3].path, sizeof w[3].path, "%s/src/hard", top); /* scratch */
	CHECK(link(p, w[3].path) == 0);
	snprintf(p, sizeof p, "%s/src/lnk", top);
	CHECK(symlink(tgt, p) == 0);
	CHECK(set_time(p, 1600000002) == 0);
	snprintf(p, sizeof p, "%s/src/%s", top, d);
	CHECK(set_time(p, 1600000003) == 0);
	snprintf(p, sizeof p, "%s/src", top);
	CHECK(set_time(p, 1600000004) == 0);
	/* --sort=name: "hard" comes first, so it holds the data. */
	w[0] = (struct want){ "src/", "", 'd', 0755, 1600000004, "" };
	w[1] = (struct want){ "", "", 'd', 0750, 1600000003, "" };
	snprintf(w[1].path, sizeof w[1].path, "src/%s/", d);
	w[2] = (struct want){ "", "", 'f', 0640, 1600000000, "long\n" };
	snprintf(w[2].path, sizeof w[2].path, "src/%s/%s", d, fn);
	w[3] = (struct want){ "src/hard", "", 'f', 0604, 1600000001, "short\n" };
	w[4] = (struct want){ "src/lnk", "", 'l', 0777, 1600000002, "" };
	snprintf(w[4].link, sizeof w[4].link, "%s", tgt);
	w[5] = (struct want){ "src/short.txt", "src/hard", 'h', 0604, 1600000001, "" };
}

TEST(gnu_tar_pax_and_gnu)
{
	char top[256], cmd[600];
	static struct want w[6];

	T_TMPDIR(top);
	make_long_tree(top, w);
	snprintf(cmd, sizeof cmd, "cd '%s' && tar --format=pax --sort=name -cf pax.tar src && "
		 "tar --format=gnu --sort=name -cf gnu.tar src", top);
	CHECK(system(cmd) == 0);
	check_archive(top, "pax.tar", w, 6);
	check_archive(top, "gnu.tar", w, 6);
	t_rmtree(top);
}

/* ustar splits a long path into prefix and name. */
TEST(gnu_tar_ustar_prefix)
{
	char top[256], cmd[600], d[91], d2[61], p[600];
	static struct want w[4];

	T_TMPDIR(top);
	memset(d, 'd', 90);
	d[90] = 0;
	memset(d2, 'e', 60);
	d2[60] = 0;
	snprintf(p, sizeof p, "%s/src", top);
	CHECK(mkdir(p, 0700) == 0);
	snprintf(p, sizeof p, "%s/src/%s", top, d);
	CHECK(mkdir(p, 0711) == 0);
	snprintf(p, sizeof p, "%s/src/%s/%s", top, d, d2);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof p, "%s/src/%s/%s/short", top, d, d2);
	CHECK(write_file(p, "in a deep dir\n", 0600, 1500000000, 0) == 0);
	snprintf(p, sizeof p, "%s/src/%s/%s", top, d, d2);
	CHECK(set_time(p, 1500000003) == 0);
	snprintf(p, sizeof p, "%s/src/%s", top, d);
	CHECK(set_time(p, 1500000001) == 0);
	snprintf(p, sizeof p, "%s/src", top);
	CHECK(set_time(p, 1500000002) == 0);
	w[0] = (struct want){ "src/", "", 'd', 0700, 1500000002, "" };
	w[1] = (struct want){ "", "", 'd', 0711, 1500000001, "" };
	snprintf(w[1].path, sizeof w[1].path, "src/%s/", d);
	w[2] = (struct want){ "", "", 'd', 0755, 1500000003, "" };
	snprintf(w[2].path, sizeof w[2].path, "src/%s/%s/", d, d2);
	w[3] = (struct want){ "", "", 'f', 0600, 1500000000, "in a deep dir\n" };
	snprintf(w[3].path, sizeof w[3].path, "src/%s/%s/short", d, d2);
	snprintf(cmd, sizeof cmd, "cd '%s' && tar --format=ustar --sort=name -cf u.tar src", top);
	CHECK(system(cmd) == 0);
	check_archive(top, "u.tar", w, 4);
	/* The prefix field really was used. */
	snprintf(p, sizeof p, "%s/u.tar", top);
	CHECK(file_has_at(p, 512 * 3 + 345, "src/dddd"));
	t_rmtree(top);
}

int main(void)
{
	RUN(header_table);
	RUN(header_checksum_covers_block);
	RUN(pax_table);
	RUN(pax_path_limit);
	RUN(reader_table);
	RUN(read_is_direct);
	RUN(errors_are_sticky);
	RUN(read_error_is_eio);
	RUN(gnu_long_names);
	RUN(gnu_tar_pax_and_gnu);
	RUN(gnu_tar_ustar_prefix);
	T_EXIT();
}
