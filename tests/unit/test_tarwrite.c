/* archive/tarwrite and archive/gzwrite: header fields as known answers, byte identity with
 * GNU tar --format=ustar, GNU tar listing and extracting what was written (through gzip),
 * names at the ustar limits, refused names and arguments (nothing written), the state
 * rules, write errors, and gzip round trips through archive/gunzip. */
#include "t.h"

#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "archive/gunzip.h"
#include "archive/gzwrite.h"
#include "archive/tar.h"
#include "archive/tarwrite.h"

#define MTIME 1700000000

/* --- a memory sink that can fail ------------------------------------------------------- */

static struct sink {
	unsigned char b[1 << 21];
	size_t len;
	size_t fail_at;	/* a write that would pass this many bytes fails */
	unsigned calls;
} snk;

static void sink_reset(void)
{
	snk.len = 0;
	snk.fail_at = sizeof snk.b;
	snk.calls = 0;
}

static int sink_write(void *ctx, const void *buf, size_t n)
{
	struct sink *s = ctx;

	s->calls++;
	if (n > s->fail_at - s->len) {
		errno = ENOSPC;
		return -1;
	}
	memcpy(s->b + s->len, buf, n);
	s->len += n;
	return 0;
}

static int file_write(void *ctx, const void *buf, size_t n)
{
	return fwrite(buf, 1, n, ctx) == n ? 0 : -1;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void fill(char *s, char c, size_t n)
{
	memset(s, c, n);
	s[n] = 0;
}

/* --- sizes and one header as known answers ------------------------------------------- */

TEST(file_bytes_table)
{
	static const struct {
		uint64_t size, bytes;
	} t[] = {
		{ 0, 512 }, { 1, 1024 }, { 511, 1024 }, { 512, 1024 }, { 513, 1536 },
		{ 077777777777ULL, 512 + 8589934592ULL },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		CHECKF(tarw_file_bytes(t[i].size) == t[i].bytes, "size %llu",
		       (unsigned long long)t[i].size);
	CHECK(TARW_DIR_BYTES == 512 && TARW_END_BYTES == 1024);
}

TEST(header_known_answer)
{
	static const struct {
		size_t off, len;
		const char *bytes;
	} f[] = {
		{ 0, 6, "a.txt\0" },
		{ 100, 8, "0000644\0" },
		{ 108, 8, "0000000\0" },
		{ 116, 8, "0000000\0" },
		{ 124, 12, "00000000005\0" },
		{ 136, 12, "14524770400\0" },	/* 1700000000 */
		{ 156, 1, "0" },
		{ 157, 100, "" },
		{ 257, 8, "ustar\0" "00" },
		{ 265, 5, "root\0" },
		{ 297, 5, "root\0" },
		{ 329, 8, "0000000\0" },
		{ 337, 8, "0000000\0" },
	};
	struct tarw w;
	struct tar_entry e;
	unsigned long sum = 0;
	char sumtxt[8];

	sink_reset();
	tarw_init(&w, sink_write, &snk, MTIME);
	CHECK(tarw_file(&w, "a.txt", 0644, "hello", 5) == 0);
	CHECK(tarw_finish(&w) == 0);
	CHECK(snk.len == 512 + 512 + 1024);
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (f[i].len == 100)
			CHECKF(all_zero(snk.b + f[i].off, f[i].len), "field at %zu", f[i].off);
		else
			CHECKF(memcmp(snk.b + f[i].off, f[i].bytes, f[i].len) == 0, "field at %zu",
			       f[i].off);
	}
	CHECK(all_zero(snk.b + 345, 512 - 345));		/* prefix and padding */
	CHECK(snk.b[154] == 0 && snk.b[155] == ' ');		/* 6 digits, NUL, space */
	/* The checksum is the unsigned sum with the field as spaces. */
	for (size_t i = 0; i < 512; i++)
		sum += i >= 148 && i < 156 ? ' ' : snk.b[i];
	snprintf(sumtxt, sizeof sumtxt, "%06lo", sum);
	CHECK(memcmp(snk.b + 148, sumtxt, 6) == 0);
	CHECK(memcmp(snk.b + 512, "hello", 5) == 0 && all_zero(snk.b + 517, 507 + 1024));
	/* The project's reader agrees. */
	CHECK(tar_header_parse(snk.b, &e) == 1);
	CHECK(strcmp(e.path, "a.txt") == 0 && e.type == TAR_FILE && e.mode == 0644 &&
	      e.size == 5 && e.mtime == MTIME);
}

/* --- GNU tar ---------------------------------------------------------------------------- */

struct ent {
	const char *path;	/* directory: without the '/' */
	int dir;
	unsigned mode;
	const char *data;
};

static char long_dir[200], long_file[300], long_sub[300];

/* Short names, a name of exactly 100, and a prefix/name split. */
static void long_names(void)
{
	char a[100], b[100];

	fill(a, 'p', 90);
	fill(b, 'n', 99);
	snprintf(long_dir, sizeof long_dir, "top/%s", a);			/* 94 */
	snprintf(long_sub, sizeof long_sub, "top/%s", b);			/* 103 */
	snprintf(long_file, sizeof long_file, "top/%s/%s", a, b);		/* 194 */
}

static const struct ent *tree(size_t *n)
{
	static struct ent e[8];
	static char hundred[101];

	long_names();
	fill(hundred, 'h', 100);
	memcpy(hundred, "top/", 4);					/* top/hhh..: 100 */
	e[0] = (struct ent){ "top", 1, 0700, NULL };
	e[1] = (struct ent){ "top/ca.pem", 0, 0644, "-----BEGIN CERTIFICATE-----\nxyz\n" };
	e[2] = (struct ent){ "top/key.pem", 0, 0600, "secret\n" };
	e[3] = (struct ent){ "top/empty", 0, 0640, "" };
	e[4] = (struct ent){ hundred, 0, 0604, "exactly one hundred\n" };
	e[5] = (struct ent){ long_dir, 1, 0755, NULL };
	e[6] = (struct ent){ long_file, 0, 0444, "deep\n" };
	e[7] = (struct ent){ long_sub, 1, 0711, NULL };
	*n = 8;
	return e;
}

static int write_tree(struct tarw *w, const struct ent *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = e[i].dir ? tarw_dir(w, e[i].path, e[i].mode)
				  : tarw_file(w, e[i].path, e[i].mode, e[i].data, strlen(e[i].data));
		if (rc)
			return rc;
	}
	return tarw_finish(w);
}

static int make_tree(const char *top, const struct ent *e, size_t n)
{
	char p[600];

	for (size_t i = 0; i < n; i++) {
		snprintf(p, sizeof p, "%s/%s", top, e[i].path);
		if (e[i].dir) {
			if (mkdir(p, 0700) < 0)
				return -1;
		} else {
			FILE *f = fopen(p, "w");

			if (!f || fputs(e[i].data, f) < 0 || fclose(f) != 0)
				return -1;
		}
	}
	/* Modes last: a 0444 file or 0711 directory is written into first. */
	for (size_t i = n; i-- > 0;) {
		snprintf(p, sizeof p, "%s/%s", top, e[i].path);
		if (chmod(p, e[i].mode) < 0)
			return -1;
	}
	return 0;
}

static long read_file(const char *path, unsigned char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return (long)n;
}

/* The same entries through GNU tar --format=ustar with the owner, group and time forced:
 * the very same header bytes (GNU tar then pads the archive to its 10 KiB record). */
TEST(byte_identical_to_gnu_tar)
{
	static unsigned char gnu[1 << 16];
	char top[256], cmd[2048];
	size_t n, off;
	const struct ent *e = tree(&n);
	struct tarw w;
	long glen;

	T_TMPDIR(top);
	CHECK(make_tree(top, e, n) == 0);
	off = (size_t)snprintf(cmd, sizeof cmd,
			       "cd '%s' && tar --format=ustar --owner=root:0 --group=root:0 "
			       "--mtime=@%d --no-recursion -cf gnu.tar", top, MTIME);
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(cmd + off, sizeof cmd - off, " '%s'", e[i].path);
	CHECKF(system(cmd) == 0, "%s", cmd);
	snprintf(cmd, sizeof cmd, "%s/gnu.tar", top);
	glen = read_file(cmd, gnu, sizeof gnu);
	sink_reset();
	tarw_init(&w, sink_write, &snk, MTIME);
	CHECK(write_tree(&w, e, n) == 0);
	CHECKF(glen >= (long)snk.len, "gnu %ld, ours %zu", glen, snk.len);
	if (glen >= (long)snk.len) {
		for (size_t b = 0; b < snk.len; b += 512)
			CHECKF(memcmp(gnu + b, snk.b + b, 512) == 0, "block %zu differs", b / 512);
		CHECK(all_zero(gnu + snk.len, (size_t)glen - snk.len));
	}
	/* The long file really went into prefix and name. */
	CHECK(memcmp(snk.b + 512 * 9 + 345, long_dir, strlen(long_dir)) == 0 &&
	      snk.b[512 * 9 + 345 + strlen(long_dir)] == 0);
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'", top);
	CHECK(system(cmd) == 0);
	t_rmtree(top);
}

/* Through gzip into a file: GNU tar lists exactly these entries and extracts them. */
TEST(gnu_tar_lists_and_extracts_gzip)
{
	static const char *want =
		"drwx------ root/root 0 2023-11-14 22:13 top/\n"
		"-rw-r--r-- root/root 32 2023-11-14 22:13 top/ca.pem\n"
		"-rw------- root/root 7 2023-11-14 22:13 top/key.pem\n"
		"-rw-r----- root/root 0 2023-11-14 22:13 top/empty\n"
		"-rw----r-- root/root 20 2023-11-14 22:13 top/%s\n"
		"drwxr-xr-x root/root 0 2023-11-14 22:13 %s/\n"
		"-r--r--r-- root/root 5 2023-11-14 22:13 %s\n"
		"drwx--x--x root/root 0 2023-11-14 22:13 %s/\n";
	static struct dd_gzwrite gz;
	static char expect[4096], got[4096];
	char top[256], cmd[1024], p[600], hh[100];
	size_t n;
	const struct ent *e = tree(&n);
	struct tarw w;
	FILE *f;

	T_TMPDIR(top);
	snprintf(p, sizeof p, "%s/t.tar.gz", top);
	f = fopen(p, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(dd_gzwrite_init(&gz, file_write, f) == 0);
	tarw_init(&w, dd_gzwrite, &gz, MTIME);
	CHECK(write_tree(&w, e, n) == 0);
	CHECK(dd_gzwrite_finish(&gz) == 0);
	dd_gzwrite_end(&gz);
	CHECK(fclose(f) == 0);

	fill(hh, 'h', 96);
	snprintf(expect, sizeof expect, want, hh, long_dir, long_file, long_sub);
	snprintf(cmd, sizeof cmd, "cd '%s' && TZ=UTC tar -tvzf t.tar.gz | tr -s ' ' >list 2>&1",
		 top);
	CHECK(system(cmd) == 0);
	snprintf(p, sizeof p, "%s/list", top);
	n = (size_t)read_file(p, (unsigned char *)got, sizeof got - 1);
	got[n < sizeof got ? n : 0] = 0;
	CHECKF(strcmp(got, expect) == 0, "tar -tvzf:\n%s\nwant:\n%s", got, expect);

	snprintf(cmd, sizeof cmd, "cd '%s' && mkdir x && tar -xzpf t.tar.gz -C x", top);
	CHECK(system(cmd) == 0);
	tree(&n);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		unsigned char buf[256];

		snprintf(p, sizeof p, "%s/x/%s", top, e[i].path);
		CHECKF(lstat(p, &st) == 0 && (st.st_mode & 07777) == e[i].mode &&
		       (e[i].dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)) &&
		       st.st_mtime == MTIME, "%s", e[i].path);
		if (!e[i].dir) {
			long k = read_file(p, buf, sizeof buf);

			CHECKF(k == (long)strlen(e[i].data) && memcmp(buf, e[i].data, (size_t)k) == 0,
			       "%s content", e[i].path);
		}
	}
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'", top);
	CHECK(system(cmd) == 0);
	t_rmtree(top);
}

/* --- names ---------------------------------------------------------------------------- */

/* Stored as path (+ '/' for a directory), read back by the project's reader, or refused
 * with nothing written. */
TEST(names_at_the_limits)
{
	static char n100[101], n101[102], p155[420], p156[420], s100[420], s101[420], d100[101],
		d99[100], max256[420], max257[420], deep[420];
	char a[200], b[200];
	static const struct {
		const char *path;
		int dir, ok;
		size_t prefix;	/* bytes in the prefix field when split */
	} *row, t[] = {
		{ n100, 0, 1, 0 },	/* 100 bytes: whole name field, no NUL */
		{ n101, 0, 0, 0 },	/* 101 bytes without a '/': no split */
		{ p155, 0, 1, 155 },	/* prefix of exactly 155 */
		{ p156, 0, 0, 0 },	/* the only '/' at 156 */
		{ s100, 0, 1, 5 },	/* name part of exactly 100 */
		{ s101, 0, 0, 0 },	/* name part of 101 */
		{ d99, 1, 1, 0 },	/* 99 + '/' = 100 */
		{ d100, 1, 1, 3 },	/* 100 + '/' = 101: split, never at the trailing '/' */
		{ max256, 0, 1, 155 },	/* 155 + '/' + 100 */
		{ max257, 0, 0, 0 },
		{ deep, 0, 1, 0 },	/* many components: longest prefix that fits */
	};

	fill(n100, 'x', 100);
	fill(n101, 'x', 101);
	fill(a, 'a', 155);
	fill(b, 'b', 20);
	snprintf(p155, sizeof p155, "%s/%s", a, b);
	fill(a, 'a', 156);
	snprintf(p156, sizeof p156, "%s/%s", a, b);
	fill(b, 'b', 100);
	snprintf(s100, sizeof s100, "abcde/%s", b);
	fill(b, 'b', 101);
	snprintf(s101, sizeof s101, "abcde/%s", b);
	fill(d99, 'd', 99);
	fill(d100, 'd', 100);
	d100[3] = '/';
	fill(a, 'a', 155);
	fill(b, 'b', 100);
	snprintf(max256, sizeof max256, "%s/%s", a, b);
	snprintf(max257, sizeof max257, "%s/%sb", a, b);
	snprintf(deep, sizeof deep, "%s", "c/");
	for (int i = 0; i < 60; i++)
		strcat(deep, "dd/");
	strcat(deep, "e");				/* 2 + 180 + 1 = 183 */
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct tarw w;
		struct tar_entry e;
		char want[300];
		int rc;

		row = &t[i];
		sink_reset();
		tarw_init(&w, sink_write, &snk, MTIME);
		rc = row->dir ? tarw_dir(&w, row->path, 0755) : tarw_file(&w, row->path, 0644, "z", 1);
		CHECKF(tarw_name_check(row->path, row->dir) == (row->ok ? 0 : TARW_ENAME), "row %zu", i);
		if (!row->ok) {
			CHECKF(rc == TARW_ENAME && snk.len == 0 && snk.calls == 0, "row %zu: rc %d", i, rc);
			continue;
		}
		CHECKF(rc == 0, "row %zu: rc %d", i, rc);
		snprintf(want, sizeof want, "%s%s", row->path, row->dir ? "/" : "");
		CHECKF(tar_header_parse(snk.b, &e) == 1 && strcmp(e.path, want) == 0, "row %zu", i);
		if (row->prefix)
			CHECKF(strlen((char *)snk.b + 345) == row->prefix, "row %zu: prefix", i);
		else if (strlen(want) <= 100)
			CHECKF(snk.b[345] == 0, "row %zu: no prefix", i);
	}
	/* deep: the prefix is the longest run of components within 155 bytes. */
	CHECK(strlen((char *)snk.b + 345) == 154);
}

TEST(bad_names_and_arguments_refused)
{
	static const struct {
		const char *path;
		int dir;
		unsigned mode;
		uint64_t size;
		time_t mtime;
		int rc;
	} t[] = {
		{ "", 0, 0644, 0, MTIME, TARW_ENAME },
		{ "/etc/passwd", 0, 0644, 0, MTIME, TARW_ENAME },
		{ "a//b", 0, 0644, 0, MTIME, TARW_ENAME },
		{ "a/./b", 0, 0644, 0, MTIME, TARW_ENAME },
		{ "./a", 0, 0644, 0, MTIME, TARW_ENAME },
		{ "../a", 0, 0644, 0, MTIME, TARW_ENAME },
		{ "a/..", 1, 0755, 0, MTIME, TARW_ENAME },
		{ ".", 1, 0755, 0, MTIME, TARW_ENAME },
		{ "a/", 0, 0644, 0, MTIME, TARW_ENAME },
		{ "a/", 1, 0755, 0, MTIME, TARW_ENAME },	/* the '/' is added, not given */
		{ "tab\there", 0, 0644, 0, MTIME, TARW_ENAME },
		{ "new\nline", 0, 0644, 0, MTIME, TARW_ENAME },
		{ "del\x7f", 0, 0644, 0, MTIME, TARW_ENAME },
		{ "caf\xc3\xa9", 0, 0644, 0, MTIME, TARW_ENAME },
		{ "ok", 0, 01644, 0, MTIME, TARW_EARG },	/* sticky bit */
		{ "ok", 0, 04755, 0, MTIME, TARW_EARG },	/* setuid */
		{ "ok", 1, 02755, 0, MTIME, TARW_EARG },
		{ "ok", 0, 0644, 0100000000000ULL, MTIME, TARW_EARG },
		{ "ok", 0, 0644, 0, -1, TARW_EARG },
		{ "ok", 0, 0644, 0, (time_t)0100000000000LL, TARW_EARG },
		/* The limits themselves are fine. */
		{ "ok", 0, 0777, 0, 0, 0 },
		{ "ok", 0, 0644, 0, (time_t)077777777777LL, 0 },
		{ "sp ace/~x", 0, 0644, 0, MTIME, 0 },
		{ "a..b/.c/..d", 0, 0644, 0, MTIME, 0 },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct tarw w;
		int rc;

		sink_reset();
		tarw_init(&w, sink_write, &snk, t[i].mtime);
		rc = t[i].dir ? tarw_dir(&w, t[i].path, t[i].mode)
			      : tarw_file_begin(&w, t[i].path, t[i].mode, t[i].size);
		CHECKF(rc == t[i].rc, "row %zu: rc %d, want %d", i, rc, t[i].rc);
		if (t[i].rc)
			CHECKF(snk.calls == 0, "row %zu wrote", i);
		else
			CHECKF(snk.len == 512, "row %zu", i);
		/* A refusal leaves the writer usable. */
		CHECKF(tarw_finish(&w) == 0, "row %zu", i);
	}
	CHECK(strcmp(tarw_strerror(TARW_ENAME), "name not storable in a ustar header") == 0);
	CHECK(strcmp(tarw_strerror(42), "unknown tar writer error") == 0);
}

/* --- state and errors --------------------------------------------------------------- */

TEST(state_rules)
{
	struct tarw w;

	sink_reset();
	tarw_init(&w, sink_write, &snk, MTIME);
	CHECK(tarw_file_begin(&w, "f", 0644, 10) == 0);
	CHECK(tarw_data(&w, "12345", 5) == 0);
	CHECK(tarw_finish(&w) == TARW_ESTATE);		/* 5 bytes still owed */
	CHECK(tarw_dir(&w, "d", 0755) == TARW_ESTATE);
	CHECK(tarw_data(&w, "678901", 6) == TARW_ESTATE);	/* one too many */
	CHECK(snk.len == 512 + 5);
	CHECK(tarw_data(&w, "6789", 4) == 0 && tarw_data(&w, "", 0) == 0);
	CHECK(tarw_data(&w, "0", 1) == 0);
	CHECK(snk.len == 1024);				/* padded once complete */
	CHECK(tarw_data(&w, "x", 1) == TARW_ESTATE);
	CHECK(tarw_file(&w, "e", 0600, "", 0) == 0);	/* empty: no data block */
	CHECK(snk.len == 1536);
	CHECK(tarw_finish(&w) == 0 && snk.len == 2560 && all_zero(snk.b + 1536, 1024));
	CHECK(tarw_finish(&w) == TARW_ESTATE);
	CHECK(tarw_file(&w, "late", 0644, "x", 1) == TARW_ESTATE);
	CHECK(snk.len == 2560);
	/* Data given in odd pieces is the same archive. */
	{
		static unsigned char first[4096];
		static char data[1500];
		size_t len;

		for (size_t i = 0; i < sizeof data; i++)
			data[i] = (char)('a' + i % 26);
		sink_reset();
		tarw_init(&w, sink_write, &snk, MTIME);
		CHECK(tarw_file(&w, "p", 0644, data, sizeof data) == 0 && tarw_finish(&w) == 0);
		len = snk.len;
		memcpy(first, snk.b, len);
		sink_reset();
		tarw_init(&w, sink_write, &snk, MTIME);
		CHECK(tarw_file_begin(&w, "p", 0644, sizeof data) == 0);
		for (size_t off = 0, k = 1; off < sizeof data; off += k, k = k * 3 + 1)
			CHECK(tarw_data(&w, data + off,
					k < sizeof data - off ? k : sizeof data - off) == 0);
		CHECK(tarw_finish(&w) == 0);
		CHECK(snk.len == len && memcmp(first, snk.b, len) == 0);
	}
}

TEST(write_errors_are_sticky)
{
	static const size_t fail_at[] = { 0, 511, 512, 513, 1024, 1536, 2047 };

	for (size_t i = 0; i < sizeof fail_at / sizeof fail_at[0]; i++) {
		struct tarw w;
		int rc;

		sink_reset();
		snk.fail_at = fail_at[i];
		tarw_init(&w, sink_write, &snk, MTIME);
		errno = 0;
		rc = tarw_file(&w, "a", 0644, "hello", 5);
		if (!rc)
			rc = tarw_file(&w, "b", 0644, "", 0);
		if (!rc)
			rc = tarw_finish(&w);
		CHECKF(rc == TARW_EIO && errno == ENOSPC, "fail at %zu: rc %d", fail_at[i], rc);
		snk.fail_at = sizeof snk.b;
		CHECKF(tarw_dir(&w, "d", 0755) == TARW_EIO && tarw_data(&w, "x", 1) == TARW_EIO &&
		       tarw_finish(&w) == TARW_EIO, "fail at %zu: not sticky", fail_at[i]);
	}
}

/* --- gzip ----------------------------------------------------------------------------- */

static struct {
	const unsigned char *p;
	size_t len, off, k;
} src;

static ssize_t src_chunk(void *ctx, const unsigned char **p)
{
	size_t m = src.len - src.off < src.k ? src.len - src.off : src.k;

	(void)ctx;
	*p = src.p + src.off;
	src.off += m;
	return (ssize_t)m;
}

TEST(gzip_round_trip)
{
	static unsigned char data[600000], back[600001], first[1 << 20];
	static struct dd_gzwrite gz;
	static struct dd_gunzip gun;
	static const size_t pieces[] = { 1, 7, 512, 4096, 65536, sizeof data };
	size_t first_len = 0;
	uint32_t x = 1;

	/* Half text-like, half noise. */
	for (size_t i = 0; i < sizeof data; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = i < sizeof data / 2 ? (unsigned char)("dockdrop "[i % 9]) : (unsigned char)(x >> 24);
	}
	for (size_t j = 0; j < sizeof pieces / sizeof pieces[0]; j++) {
		ssize_t n;
		size_t got = 0;

		sink_reset();
		CHECK(dd_gzwrite_init(&gz, sink_write, &snk) == 0);
		for (size_t off = 0; off < sizeof data; off += pieces[j]) {
			size_t k = sizeof data - off < pieces[j] ? sizeof data - off : pieces[j];

			CHECK(dd_gzwrite(&gz, data + off, k) == 0);
		}
		CHECK(dd_gzwrite_finish(&gz) == 0);
		CHECK(dd_gzwrite(&gz, "x", 1) == -1 && dd_gzwrite_finish(&gz) == -1);
		dd_gzwrite_end(&gz);
		/* Fixed header: no name, time 0, Unix; stored blocks: the input's size, 5 bytes
		 * a block, the header and trailer. */
		CHECK(memcmp(snk.b, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) == 0);
		CHECK(snk.len == 10 + sizeof data + 5 * ((sizeof data + 65534) / 65535) + 8);
		/* The same bytes however the input was cut. */
		if (j == 0) {
			first_len = snk.len;
			memcpy(first, snk.b, snk.len);
		} else {
			CHECKF(snk.len == first_len && memcmp(first, snk.b, snk.len) == 0, "pieces %zu",
			       pieces[j]);
		}
		src.p = snk.b;
		src.len = snk.len;
		src.off = 0;
		src.k = 1000;
		CHECK(dd_gunzip_init(&gun, src_chunk, NULL) == 0);
		while ((n = dd_gunzip_read(&gun, back + got, sizeof back - got)) > 0)
			got += (size_t)n;
		CHECKF(n == 0 && got == sizeof data && memcmp(back, data, got) == 0, "pieces %zu",
		       pieces[j]);
		dd_gunzip_end(&gun);
	}
}

TEST(gzip_errors)
{
	static struct dd_gzwrite gz;
	static unsigned char noise[200000];
	uint32_t x = 7;
	int rc = 0;

	for (size_t i = 0; i < sizeof noise; i++) {
		x = x * 1103515245u + 12345u;
		noise[i] = (unsigned char)(x >> 24);
	}
	/* The header cannot be written. */
	sink_reset();
	snk.fail_at = 5;
	CHECK(dd_gzwrite_init(&gz, sink_write, &snk) == -1 && errno == ENOSPC);
	CHECK(dd_gzwrite(&gz, "x", 1) == -1 && errno == EIO);
	dd_gzwrite_end(&gz);
	/* The sink fails in the middle: the error and its errno come back, and stay. */
	sink_reset();
	snk.fail_at = 50000;
	CHECK(dd_gzwrite_init(&gz, sink_write, &snk) == 0);
	errno = 0;
	for (size_t off = 0; off < sizeof noise && !rc; off += 10000)
		rc = dd_gzwrite(&gz, noise + off, 10000);
	if (!rc)
		rc = dd_gzwrite_finish(&gz);
	CHECK(rc == -1 && errno == ENOSPC);
	CHECK(dd_gzwrite(&gz, "x", 1) == -1 && errno == EIO);
	CHECK(dd_gzwrite_finish(&gz) == -1);
	dd_gzwrite_end(&gz);
	dd_gzwrite_end(&gz);	/* twice is harmless */
	/* Fails only in the final flush. */
	sink_reset();
	snk.fail_at = 10;	/* the gzip header passes */
	CHECK(dd_gzwrite_init(&gz, sink_write, &snk) == 0);
	CHECK(dd_gzwrite(&gz, "small", 5) == 0);
	CHECK(dd_gzwrite_finish(&gz) == -1 && errno == ENOSPC);
	dd_gzwrite_end(&gz);
}

int main(void)
{
	RUN(file_bytes_table);
	RUN(header_known_answer);
	RUN(byte_identical_to_gnu_tar);
	RUN(gnu_tar_lists_and_extracts_gzip);
	RUN(names_at_the_limits);
	RUN(bad_names_and_arguments_refused);
	RUN(state_rules);
	RUN(write_errors_are_sticky);
	RUN(gzip_round_trip);
	RUN(gzip_errors);
	T_EXIT();
}
