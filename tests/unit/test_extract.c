/* archive/extract: a corpus of hostile archives, each extracted into a fresh root that sits
 * beside a canary; nothing outside the root may change. Then normal trees, checked field
 * by field and against what GNU tar extracts from the same archive. */
#include "t.h"
#include "tarw.h"

#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>

#include "archive/extract.h"
#include "util/sha256.h"
#include "util/log.h"

/* --- an in-test tar writer ------------------------------------------------------------- */

/* A ustar header; its size field says size, whatever data follows. */
static unsigned char *arc_header(const char *name, char type, unsigned mode, uint64_t size,
				 int64_t mtime, const char *link)
{
	unsigned char *b = arc.b + arc.len;

	put_field(b, 100, name);
	put_octal(b + 100, 8, mode);
	put_octal(b + 108, 8, 0);
	put_octal(b + 116, 8, 0);
	put_octal(b + 124, 12, size);
	put_octal(b + 136, 12, (uint64_t)mtime);
	b[156] = (unsigned char)type;
	put_field(b + 157, 100, link);
	memcpy(b + 257, "ustar\0" "00", 8);
	set_sum(b, 0);
	arc.len += 512;
	return b;
}

static void add_file_t(const char *name, const char *content, unsigned mode, int64_t mtime)
{
	arc_header(name, '0', mode, strlen(content), mtime, "");
	arc_data(content, strlen(content));
}

static void add_file(const char *name, const char *content)
{
	add_file_t(name, content, 0644, 1700000000);
}

static void add_dir(const char *name, unsigned mode, int64_t mtime)
{
	arc_header(name, '5', mode, 0, mtime, "");
}

static void add_link(const char *name, char type, const char *target)
{
	arc_header(name, type, 0777, 0, 1700000000, target);
}

static void add_meta(char type, const char *data, size_t n)
{
	arc_header(type == 'x' ? "PaxHeaders/x" : "././@LongLink", type, 0644, n, 0, "");
	arc_data(data, n);
}

/* One pax record "LEN key=value\n". */
static void add_pax(const char *key, const char *value)
{
	char rec[8192];
	size_t body = strlen(key) + strlen(value) + 3, len = body + 1;

	while ((size_t)snprintf(NULL, 0, "%zu", len) + body != len)
		len++;
	snprintf(rec, sizeof rec, "%zu %s=%s\n", len, key, value);
	add_meta('x', rec, len);
}

/* Set by a builder whose archive must end exactly as built (a truncation). */
static int as_is;

/* --- running an extraction ------------------------------------------------------------- */

static struct tar_reader reader;
static struct dd_extract ext;
static unsigned char xbuf[4096];

/* Extract arc into dir, k bytes per read call: dd_extract_all's result. */
static int extract_arc(const char *dir, size_t k)
{
	struct feed f = { .k = k };
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -2;
	dd_extract_init(&ext, fd);
	tar_reader_init(&reader, feed_read, &f);
	rc = dd_extract_all(&ext, &reader, xbuf, sizeof xbuf);
	close(fd);
	return rc;
}

static int one_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* --- snapshots: everything under a directory, one line per name ------------------------ */

static unsigned long fnv(const char *path)
{
	unsigned long h = 2166136261u;
	unsigned char b[4096];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	while ((n = read(fd, b, sizeof b)) > 0) {
		ssize_t i;

		for (i = 0; i < n; i++)
			h = (h ^ b[i]) * 16777619u;
	}
	close(fd);
	return h;
}

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

/* Names, types, modes, sizes, contents and link targets; skip is not descended into. */
static void snap(const char *dir, const char *rel, const char *skip, char *out, size_t outsz)
{
	struct dirent **names;
	int i, n = scandir(dir, &names, NULL, alphasort);

	for (i = 0; i < n; i++) {
		char path[1024], r[1024], tgt[256] = "";
		struct stat st;

		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
			snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
			snprintf(r, sizeof r, "%s%s", rel, names[i]->d_name);
			if (lstat(path, &st) < 0)
				continue;
			appendf(out, outsz, "%s %o", r, (unsigned)st.st_mode);
			if (S_ISREG(st.st_mode))
				appendf(out, outsz, " %lld %lx", (long long)st.st_size, fnv(path));
			if (S_ISLNK(st.st_mode) && readlink(path, tgt, sizeof tgt - 1) >= 0)
				appendf(out, outsz, " -> %s", tgt);
			appendf(out, outsz, "\n");
			if (S_ISDIR(st.st_mode) && strcmp(r, skip) != 0) {
				strcat(r, "/");
				snap(path, r, skip, out, outsz);
			}
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/* --- the hostile corpus ---------------------------------------------------------------- */

/* Layout of each case: TOP/lvl/root is extracted into; TOP/lvl/canary/file is what a
 * hostile archive would like to reach ("../canary" from the root); "../../x" lands in TOP. */
static char top[256], lvl[300], root[320], canary_file[340];

static void b_dotdot(void)
{
	add_file("../x", "evil");
}

static void b_inner_dotdot(void)
{
	add_file("a/../../x", "evil");
}

static void b_abs_etc(void)
{
	add_file("/etc/dd-extract-test-x", "evil");
}

static void b_abs_top(void)
{
	char p[400];

	snprintf(p, sizeof p, "%s/abs", lvl);
	add_pax("path", p);
	add_file("abs", "evil");
}

static void b_dot_dotdot(void)
{
	add_file("./../x", "evil");
}

static void b_sym_tmp(void)
{
	add_link("l", '2', "/tmp");
	add_file("l/x", "evil");
}

static void b_sym_canary(void)
{
	add_link("l", '2', "../canary");
	add_file("l/file", "evil");
}

static void b_sym_abs_canary(void)
{
	char p[400];

	snprintf(p, sizeof p, "%s/canary", lvl);
	add_pax("linkpath", p);
	add_link("l", '2', "x");
	add_file("l/file", "evil");
}

static void b_sym_climb(void)
{
	add_dir("a/", 0755, 1700000000);
	add_link("a/l", '2', "../../x");
}

static void b_sym_climb_deep(void)
{
	add_link("a/b/l", '2', "../../../canary/file");
}

static void b_sym_chain(void)
{
	add_link("p", '2', ".");
	add_link("q", '2', "p/..");
}

static void b_sym_then_file_through(void)
{
	add_dir("sub/", 0755, 1700000000);
	add_link("l", '2', "sub");
	add_file("l/x", "through a contained link, still refused");
}

static void b_sym_then_hardlink(void)
{
	add_dir("a/", 0755, 1700000000);
	add_file("a/f", "f");
	add_link("l", '2', "a");
	add_link("h", '1', "l/f");
}

static void b_hardlink_named_through_sym(void)
{
	add_dir("a/", 0755, 1700000000);
	add_file("a/f", "f");
	add_link("l", '2', "a");
	add_link("l/h", '1', "a/f");
}

static void b_sym_replaced_by_file(void)
{
	add_file("target", "inside");
	add_link("f", '2', "target");
	add_file("f", "new");
}

static void b_hard_canary(void)
{
	add_link("h", '1', "../canary/file");
}

static void b_hard_abs(void)
{
	add_pax("linkpath", canary_file);
	add_link("h", '1', "x");
}

static void b_hard_missing(void)
{
	add_link("h", '1', "nowhere");
}

static void b_hard_to_symlink(void)
{
	add_file("a", "a");
	add_link("s", '2', "a");
	add_link("h", '1', "s");
}

static void b_hard_to_dir(void)
{
	add_dir("d/", 0755, 1700000000);
	add_link("h", '1', "d");
}

static void b_char(void)
{
	arc_header("tty", '3', 0666, 0, 1700000000, "");
}

static void b_block(void)
{
	arc_header("sda", '4', 0660, 0, 1700000000, "");
}

static void b_fifo(void)
{
	arc_header("p", '6', 0644, 0, 1700000000, "");
}

static void b_unknown(void)
{
	arc_header("z", 'Z', 0644, 0, 1700000000, "");
}

static void b_sparse(void)
{
	arc_header("s", 'S', 0644, 0, 1700000000, "");
}

static void b_huge_octal(void)
{
	arc_header("huge", '0', 0644, 077777777777ULL, 1700000000, "");
	arc_data("short", 5);
	arc_end();
}

static void b_huge_b256(void)
{
	unsigned char *b = arc_header("huge", '0', 0644, 0, 1700000000, "");

	memset(b + 124, 0, 12);
	b[124] = 0x80;
	b[128] = 0x40; /* 2^62 */
	set_sum(b, 0);
	arc_data("short", 5);
	arc_end();
}

static void b_bad_sum(void)
{
	add_file("ok", "ok");
	arc_header("bad", '0', 0644, 0, 1700000000, "")[150] ^= 1;
	arc_end();
}

static void b_pax_dotdot(void)
{
	add_pax("path", "../x");
	add_file("innocent", "evil");
}

static void b_pax_abs(void)
{
	add_pax("path", "/etc/dd-extract-test-x");
	add_file("innocent", "evil");
}

static void b_pax_linkpath(void)
{
	add_pax("linkpath", "../../x");
	add_link("l", '2', "innocent");
}

static void b_gnu_long_dotdot(void)
{
	static const char name[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				   "/../../../x";

	add_meta('L', name, sizeof name);
	add_file("innocent", "evil");
}

static void b_trunc_data(void)
{
	as_is = 1;
	arc_header("x", '0', 0644, 1000, 1700000000, "");
	arc_data("only this", 9);
}

static void b_trunc_header(void)
{
	as_is = 1;
	add_file("a", "a");
	arc_header("b", '0', 0644, 0, 1700000000, "");
	arc.len -= 200;
}

static void b_no_end(void)
{
	as_is = 1;
	add_file("a", "a");
}

static void b_file_then_dir(void)
{
	add_file("d", "file first");
	add_dir("d/", 0755, 1700000000);
	add_file("d/inside", "ok");
}

static void b_dir_then_file(void)
{
	add_dir("d/", 0755, 1700000000);
	add_file("d", "file second");
}

static void b_special_bits(void)
{
	add_file_t("suid", "#!/bin/sh\n", 06755, 1700000000);
	add_dir("sticky/", 01777, 1700000000);
	add_file_t("sgid", "", 02750, 1700000000);
	add_file_t("open", "", 0777, 1700000000);
	add_file_t("gw", "", 0775, 1700000000);
	add_dir("wdir/", 0757, 1700000000);
}

static void b_control_chars(void)
{
	add_file("bad\nname\x1b[31m/../../x", "evil");
}

static void b_control_type(void)
{
	arc_header("odd\r", '\x01', 0644, 0, 1700000000, "");
}

static void b_long_component(void)
{
	char name[400];

	memset(name, 'c', 300);
	name[300] = 0;
	add_pax("path", name);
	add_file("x", "x");
}

static void b_empty_symlink(void)
{
	add_link("l", '2', "");
}

static void b_root_as_file(void)
{
	add_file(".", "not a directory");
}

static void b_pax_too_big(void)
{
	arc_header("PaxHeaders/x", 'x', 0644, TAR_PAX_MAX + 1, 0, "");
	arc_end();
}

/* Planted before extraction: a staging root reused, or a race. */
static void plant_dir_link(void)
{
	char p[400];

	snprintf(p, sizeof p, "%s/pl", root);
	CHECK(symlink("../canary", p) == 0);
}

static void plant_file_link(void)
{
	char p[400];

	snprintf(p, sizeof p, "%s/f", root);
	CHECK(symlink("../canary/file", p) == 0);
}

static void b_through_planted(void)
{
	add_file("pl/file", "evil");
}

static void b_over_planted(void)
{
	add_file("f", "mine");
}

static void b_dir_over_planted(void)
{
	add_dir("pl/", 0700, 1700000000);
	add_file("pl/new", "new");
}

static void b_hard_over_planted(void)
{
	add_file("a", "a");
	add_link("f", '1', "a");
}

static void b_root_dir(void)
{
	add_dir("./", 0700, 1);
	add_file("./a", "a");
	add_dir(".//b//./", 0755, 1700000000);
}

/* --- what a contained case must have left inside the root ------------------------------ */

static int is_file(const char *rel, const char *content, unsigned mode)
{
	char p[600], buf[256] = "";
	struct stat st;
	int fd;
	ssize_t n;

	snprintf(p, sizeof p, "%s/%s", root, rel);
	if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 07777) != mode)
		return 0;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(content) && memcmp(buf, content, (size_t)n) == 0;
}

static int is_dir(const char *rel, unsigned mode)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof p, "%s/%s", root, rel);
	return lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == mode;
}

static int post_sym_replaced(void)
{
	return is_file("f", "new", 0644) && is_file("target", "inside", 0644);
}

static int post_file_then_dir(void)
{
	return is_dir("d", 0755) && is_file("d/inside", "ok", 0644);
}

static int post_special_bits(void)
{
	/* nor any group or world write bit: an engine file runs as root */
	return is_file("suid", "#!/bin/sh\n", 0755) && is_dir("sticky", 0755) &&
	       is_file("sgid", "", 0750) && is_file("open", "", 0755) && is_file("gw", "", 0755) &&
	       is_dir("wdir", 0755);
}

static int post_over_planted(void)
{
	return is_file("f", "mine", 0644);
}

static int post_dir_over_planted(void)
{
	return is_dir("pl", 0700) && is_file("pl/new", "new", 0644);
}

static int post_hard_over_planted(void)
{
	char a[600], f[600];
	struct stat sa, sf;

	snprintf(a, sizeof a, "%s/a", root);
	snprintf(f, sizeof f, "%s/f", root);
	return is_file("f", "a", 0644) && stat(a, &sa) == 0 && stat(f, &sf) == 0 &&
	       sa.st_ino == sf.st_ino;
}

static int post_root_dir(void)
{
	return is_file("a", "a", 0644) && is_dir("b", 0755) && is_dir("", 0755);
}

enum { REFUSED, CONTAINED };

static const struct {
	const char *label;
	void (*build)(void);
	void (*plant)(void);
	int expect;
	const char *msg;	/* REFUSED: part of x->err */
	int (*post)(void);	/* CONTAINED: what the root holds */
} hostile[] = {
	{ "dotdot", b_dotdot, NULL, REFUSED, "entry \"../x\": path has a \"..\" component", NULL },
	{ "inner dotdot", b_inner_dotdot, NULL, REFUSED, "\"..\" component", NULL },
	{ "absolute /etc", b_abs_etc, NULL, REFUSED,
	  "entry \"/etc/dd-extract-test-x\": absolute path", NULL },
	{ "absolute into the parent", b_abs_top, NULL, REFUSED, "absolute path", NULL },
	{ "./../x", b_dot_dotdot, NULL, REFUSED, "\"..\" component", NULL },
	{ "symlink to /tmp, file through it", b_sym_tmp, NULL, REFUSED,
	  "entry \"l\": symlink target \"/tmp\" is absolute", NULL },
	{ "symlink to ../canary, file through it", b_sym_canary, NULL, REFUSED,
	  "symlink target \"../canary\" climbs out of the tree", NULL },
	{ "symlink absolute to the canary", b_sym_abs_canary, NULL, REFUSED, "is absolute", NULL },
	{ "symlink a/l -> ../../x", b_sym_climb, NULL, REFUSED, "climbs out of the tree", NULL },
	{ "symlink a/b/l -> ../../../canary/file", b_sym_climb_deep, NULL, REFUSED,
	  "climbs out of the tree", NULL },
	{ "symlink chain p -> ., q -> p/..", b_sym_chain, NULL, REFUSED,
	  "has \"..\" after a name", NULL },
	{ "file through a contained symlink", b_sym_then_file_through, NULL, REFUSED,
	  "entry \"l/x\": path goes through a symlink (\"l\")", NULL },
	{ "hard link target through a symlink", b_sym_then_hardlink, NULL, REFUSED,
	  "hard link target goes through a symlink", NULL },
	{ "hard link named through a symlink", b_hardlink_named_through_sym, NULL, REFUSED,
	  "path goes through a symlink", NULL },
	{ "file replaces a symlink", b_sym_replaced_by_file, NULL, CONTAINED, NULL,
	  post_sym_replaced },
	{ "hard link to ../canary/file", b_hard_canary, NULL, REFUSED,
	  "hard link target \"../canary/file\": path has a \"..\" component", NULL },
	{ "hard link to an absolute path", b_hard_abs, NULL, REFUSED, "absolute path", NULL },
	{ "hard link to a missing target", b_hard_missing, NULL, REFUSED,
	  "hard link target does not exist", NULL },
	{ "hard link to a symlink", b_hard_to_symlink, NULL, REFUSED, "not a regular file", NULL },
	{ "hard link to a directory", b_hard_to_dir, NULL, REFUSED, "not a regular file", NULL },
	{ "char device", b_char, NULL, REFUSED,
	  "entry \"tty\": unsupported entry type '3' (character device)", NULL },
	{ "block device", b_block, NULL, REFUSED, "type '4' (block device)", NULL },
	{ "fifo", b_fifo, NULL, REFUSED, "type '6' (fifo)", NULL },
	{ "unknown type Z", b_unknown, NULL, REFUSED, "unsupported entry type 'Z'", NULL },
	{ "GNU sparse", b_sparse, NULL, REFUSED, "unsupported entry type 'S'", NULL },
	{ "huge octal size", b_huge_octal, NULL, REFUSED,
	  "archive: truncated inside member \"huge\"", NULL },
	{ "huge base-256 size", b_huge_b256, NULL, REFUSED, "truncated inside member", NULL },
	{ "bad checksum", b_bad_sum, NULL, REFUSED,
	  "archive: header checksum mismatch after member \"ok\"", NULL },
	{ "pax path ../x", b_pax_dotdot, NULL, REFUSED, "entry \"../x\": path has", NULL },
	{ "pax path absolute", b_pax_abs, NULL, REFUSED, "absolute path", NULL },
	{ "pax linkpath escape", b_pax_linkpath, NULL, REFUSED, "\"../../x\" climbs out", NULL },
	{ "GNU long name with ..", b_gnu_long_dotdot, NULL, REFUSED, "\"..\" component", NULL },
	{ "truncated data", b_trunc_data, NULL, REFUSED, "archive: truncated inside member \"x\"",
	  NULL },
	{ "truncated header", b_trunc_header, NULL, REFUSED,
	  "archive: truncated after member \"a\"", NULL },
	{ "no end blocks", b_no_end, NULL, REFUSED, "archive: truncated", NULL },
	{ "file then dir", b_file_then_dir, NULL, CONTAINED, NULL, post_file_then_dir },
	{ "dir then file", b_dir_then_file, NULL, REFUSED, "entry \"d\": would replace a directory",
	  NULL },
	{ "setuid, setgid, sticky, group/world write", b_special_bits, NULL, CONTAINED, NULL, post_special_bits },
	{ "control characters", b_control_chars, NULL, REFUSED,
	  "entry \"bad\\x0aname\\x1b[31m/../../x\": path has a \"..\" component", NULL },
	{ "control type flag", b_control_type, NULL, REFUSED,
	  "entry \"odd\\x0d\": unsupported entry type \\x01", NULL },
	{ "component over 255 bytes", b_long_component, NULL, REFUSED, "name component too long",
	  NULL },
	{ "empty symlink target", b_empty_symlink, NULL, REFUSED, "symlink target \"\" is empty",
	  NULL },
	{ "root as a file", b_root_as_file, NULL, REFUSED, "the root is not a directory", NULL },
	{ "pax header too big", b_pax_too_big, NULL, REFUSED,
	  "archive: name or extended header too long", NULL },
	{ "through a planted symlink", b_through_planted, plant_dir_link, REFUSED,
	  "path goes through a symlink (\"pl\")", NULL },
	{ "file over a planted symlink", b_over_planted, plant_file_link, CONTAINED, NULL,
	  post_over_planted },
	{ "dir over a planted symlink", b_dir_over_planted, plant_dir_link, CONTAINED, NULL,
	  post_dir_over_planted },
	{ "hard link over a planted symlink", b_hard_over_planted, plant_file_link, CONTAINED,
	  NULL, post_hard_over_planted },
	{ "root entries and redundant slashes", b_root_dir, NULL, CONTAINED, NULL, post_root_dir },
};

static int write_canary(void)
{
	int fd = open(canary_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), rc;

	if (fd < 0)
		return -1;
	rc = write(fd, "precious\n", 9) == 9 && fchmod(fd, 0644) == 0 ? 0 : -1;
	close(fd);
	return rc;
}

static int make_layout(void)
{
	char p[400];

	if (!t_tmpdir(top, sizeof top))
		return -1;
	snprintf(lvl, sizeof lvl, "%s/lvl", top);
	snprintf(root, sizeof root, "%s/root", lvl);
	snprintf(canary_file, sizeof canary_file, "%s/canary/file", lvl);
	snprintf(p, sizeof p, "%s/canary", lvl);
	if (mkdir(lvl, 0755) < 0 || mkdir(root, 0755) < 0 || mkdir(p, 0755) < 0)
		return -1;
	snprintf(p, sizeof p, "%s/canary/sub", lvl);
	if (mkdir(p, 0700) < 0)
		return -1;
	return write_canary();
}

static int canary_intact(void)
{
	char buf[64] = "";
	struct stat st;
	int fd = open(canary_file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n == 9 && memcmp(buf, "precious\n", 9) == 0 && lstat(canary_file, &st) == 0 &&
	       (st.st_mode & 07777) == 0644 && st.st_nlink == 1;
}

/* Directories made unwritable by a test would stop t_rmtree when not root. */
static int unlock_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)f;
	if (flag == FTW_D)
		chmod(p, (st->st_mode & 07777) | 0700);
	return 0;
}

static void rmtree(const char *dir)
{
	nftw(dir, unlock_one, 16, FTW_PHYS);
	t_rmtree(dir);
}

TEST(hostile_corpus)
{
	static char before[1 << 16], after[1 << 16];
	unsigned i, n = sizeof hostile / sizeof hostile[0];

	CHECKF(n >= 25, "only %u cases", n);
	for (i = 0; i < n; i++) {
		int rc;

		if (make_layout() < 0) {
			CHECKF(0, "%s: layout: errno %d", hostile[i].label, errno);
			continue;
		}
		if (hostile[i].plant)
			hostile[i].plant();
		arc_reset();
		as_is = 0;
		hostile[i].build();
		if (!as_is)
			arc_end();
		before[0] = after[0] = 0;
		snap(top, "", "lvl/root", before, sizeof before);
		rc = extract_arc(root, i % 2 ? 509 : 1);
		snap(top, "", "lvl/root", after, sizeof after);
		if (hostile[i].expect == REFUSED) {
			CHECKF(rc == -1 && ext.code == DD_EXIT_VERIFY, "%s: rc %d code %d: %s",
			       hostile[i].label, rc, ext.code, ext.err);
			CHECKF(strstr(ext.err, hostile[i].msg) != NULL, "%s: err '%s'",
			       hostile[i].label, ext.err);
		} else {
			CHECKF(rc == 0, "%s: rc %d: %s", hostile[i].label, rc, ext.err);
			CHECKF(hostile[i].post(), "%s: not what the root should hold",
			       hostile[i].label);
		}
		CHECKF(one_line(ext.err), "%s: err is not one line", hostile[i].label);
		CHECKF(strcmp(before, after) == 0, "%s: outside the root changed:\n%s---\n%s",
		       hostile[i].label, before, after);
		CHECKF(canary_intact(), "%s: canary", hostile[i].label);
		CHECKF(access("/etc/dd-extract-test-x", F_OK) < 0, "%s: /etc", hostile[i].label);
		rmtree(top);
	}
}

/* --- normal trees ---------------------------------------------------------------------- */

static unsigned char pattern_at(size_t i)
{
	return (unsigned char)(i * 7 + 3);
}

static void add_pattern(const char *name, size_t n, unsigned mode, int64_t mtime)
{
	size_t i;

	arc_header(name, '0', mode, n, mtime, "");
	for (i = 0; i < n; i++)
		arc.b[arc.len + i] = pattern_at(i);
	arc.len += (n + 511) / 512 * 512;
}

static int pattern_file(const char *rel, size_t n)
{
	static unsigned char buf[1 << 17];
	char p[600];
	int fd;
	ssize_t got;
	size_t i;

	snprintf(p, sizeof p, "%s/%s", root, rel);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	got = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
	if (fd >= 0)
		close(fd);
	if (got != (ssize_t)n)
		return 0;
	for (i = 0; i < n; i++)
		if (buf[i] != pattern_at(i))
			return 0;
	return 1;
}

static int64_t mtime_of(const char *rel)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof p, "%s/%s", root, rel);
	return lstat(p, &st) == 0 ? (int64_t)st.st_mtime : -1;
}

static int link_is(const char *rel, const char *target)
{
	char p[600], buf[256];
	ssize_t n;

	snprintf(p, sizeof p, "%s/%s", root, rel);
	n = readlink(p, buf, sizeof buf - 1);
	if (n < 0)
		return 0;
	buf[n] = 0;
	return strcmp(buf, target) == 0;
}

static void build_normal(void)
{
	arc_reset();
	add_dir("./", 0755, 1);
	add_dir("d/", 0755, 1600000100);
	add_dir("d/sub/", 0700, 1600000200);
	add_file_t("d/a", "alpha\n", 0644, 1600000001);
	add_file_t("d/sub/b", "bravo", 0600, 1600000002);
	add_file_t("x.sh", "#!/bin/sh\n", 0755, 1600000003);
	add_file_t("e", "", 0644, 1600000004);
	add_link("d/l", '2', "a");
	add_link("d/sub/up", '2', "../a");
	add_link("h", '1', "d/a");
	add_dir("ro/", 0555, 1600000300);
	add_file_t("ro/f", "in ro", 0444, 1600000005);
	add_dir("ro/inner/", 0500, 1600000400);
	add_file_t("ro/inner/g", "deeper", 0400, 1600000006);
	add_file_t("implicit/deep/f", "made its parents", 0640, 1600000007);
	add_pattern("big", 100000, 0644, 1600000008);
	arc_end();
}

static void check_normal(void)
{
	char a[600], h[600];
	struct stat sa, sh;

	CHECK(is_dir("d", 0755) && mtime_of("d") == 1600000100);
	CHECK(is_dir("d/sub", 0700) && mtime_of("d/sub") == 1600000200);
	CHECK(is_file("d/a", "alpha\n", 0644) && mtime_of("d/a") == 1600000001);
	CHECK(is_file("d/sub/b", "bravo", 0600) && mtime_of("d/sub/b") == 1600000002);
	CHECK(is_file("x.sh", "#!/bin/sh\n", 0755) && mtime_of("x.sh") == 1600000003);
	CHECK(is_file("e", "", 0644) && mtime_of("e") == 1600000004);
	CHECK(link_is("d/l", "a"));
	CHECK(link_is("d/sub/up", "../a"));
	snprintf(a, sizeof a, "%s/d/a", root);
	snprintf(h, sizeof h, "%s/h", root);
	CHECK(lstat(a, &sa) == 0 && lstat(h, &sh) == 0 && sa.st_ino == sh.st_ino &&
	      sa.st_nlink == 2);
	/* Deferred: the mode came after the files went in, the mtime after they changed it. */
	CHECK(is_dir("ro", 0555) && mtime_of("ro") == 1600000300);
	CHECK(is_file("ro/f", "in ro", 0444));
	CHECK(is_dir("ro/inner", 0500) && mtime_of("ro/inner") == 1600000400);
	CHECK(is_file("ro/inner/g", "deeper", 0400));
	CHECK(is_dir("implicit", 0755) && is_dir("implicit/deep", 0755));
	CHECK(is_file("implicit/deep/f", "made its parents", 0640));
	CHECK(pattern_file("big", 100000) && mtime_of("big") == 1600000008);
	CHECK(is_dir("", 0755)); /* "./" is skipped: the root is the caller's */
}

TEST(normal_tree)
{
	static const size_t ks[] = { 1, 7, 512, 65536 };
	unsigned i;

	for (i = 0; i < sizeof ks / sizeof ks[0]; i++) {
		int rc;

		if (make_layout() < 0) {
			CHECK(0);
			return;
		}
		build_normal();
		rc = extract_arc(root, ks[i]);
		CHECKF(rc == 0, "k=%zu: %s", ks[i], ext.err);
		CHECKF(ext.files == 8 && ext.dirs == 4 && ext.links == 3, "%llu %llu %llu",
		       (unsigned long long)ext.files, (unsigned long long)ext.dirs,
		       (unsigned long long)ext.links);
		CHECKF(ext.bytes == 6 + 5 + 10 + 5 + 6 + 16 + 100000, "bytes %llu",
		       (unsigned long long)ext.bytes);
		CHECK(ext.err[0] == 0 && ext.ndefer == 0);
		check_normal();
		rmtree(top);
	}
}

/* With a table for them, each file's SHA-256 as it was written, by its normalised path:
 * what reading the file back gives (install's engine tree digest takes them). */
TEST(digests_as_written)
{
	static struct dd_extract_sums sums;
	struct feed f = { .k = 777 };
	int fd, rc;

	if (make_layout() < 0) {
		CHECK(0);
		return;
	}
	build_normal();
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dd_extract_init(&ext, fd);
	ext.sums = &sums;
	tar_reader_init(&reader, feed_read, &f);
	rc = dd_extract_all(&ext, &reader, xbuf, sizeof xbuf);
	close(fd);
	CHECKF(rc == 0, "%s", ext.err);
	/* the files, and the hard link h marked unknown */
	CHECKF(sums.n == ext.files + 1 && sums.n > 1, "%u entries for %llu files", sums.n,
	       (unsigned long long)ext.files);
	CHECK(dd_extract_sum(&sums, "h") == NULL && dd_extract_sum(&sums, "d/a") != NULL);
	for (unsigned i = 0; i < sums.n && i < DD_EXTRACT_SUMS; i++) {
		if (sums.s[i].poison)
			continue;
		char p[600];
		unsigned char b[4096], d[32];
		dd_sha256 c;
		ssize_t n;
		int in;

		snprintf(p, sizeof p, "%s/%s", root, sums.s[i].path);
		in = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		CHECKF(in >= 0, "%s", sums.s[i].path);
		dd_sha256_init(&c);
		while (in >= 0 && (n = read(in, b, sizeof b)) > 0)
			dd_sha256_update(&c, b, (size_t)n);
		if (in >= 0)
			close(in);
		dd_sha256_out(&c, d);
		CHECKF(memcmp(d, sums.s[i].sha256, 32) == 0, "%s: digest", sums.s[i].path);
		CHECKF(dd_extract_sum(&sums, sums.s[i].path) == sums.s[i].sha256, "%s: looked up",
		       sums.s[i].path);
	}
	rmtree(top);
	/* A file that a later hard link replaces has no digest any more: it is read. */
	if (make_layout() < 0) {
		CHECK(0);
		return;
	}
	arc_reset();
	add_file_t("b", "bee", 0644, 1600000001);
	add_file_t("a", "aaa", 0644, 1600000002);
	add_link("a", '1', "b");
	arc_end();
	sums.n = 0;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dd_extract_init(&ext, fd);
	ext.sums = &sums;
	f = (struct feed){ .k = 512 };
	tar_reader_init(&reader, feed_read, &f);
	rc = dd_extract_all(&ext, &reader, xbuf, sizeof xbuf);
	close(fd);
	CHECKF(rc == 0, "%s", ext.err);
	CHECK(is_file("a", "bee", 0644) && dd_extract_sum(&sums, "a") == NULL &&
	      dd_extract_sum(&sums, "b") != NULL);
	/* An extraction with sums_poison (an unpack's extras, into the same tree) marks what
	 * it writes unknown, and leaves the rest */
	arc_reset();
	add_file_t("b", "bea", 0644, 1600000001);
	arc_end();
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dd_extract_init(&ext, fd);
	ext.sums = &sums;
	ext.sums_poison = 1;
	f = (struct feed){ .k = 512 };
	tar_reader_init(&reader, feed_read, &f);
	rc = dd_extract_all(&ext, &reader, xbuf, sizeof xbuf);
	close(fd);
	CHECKF(rc == 0, "%s", ext.err);
	CHECK(is_file("b", "bea", 0644) && dd_extract_sum(&sums, "b") == NULL);
	/* A table that overflowed knows nothing */
	sums.n = 1;
	sums.s[0].poison = 0;
	snprintf(sums.s[0].path, sizeof sums.s[0].path, "x");
	CHECK(dd_extract_sum(&sums, "x") != NULL);
	sums.n = DD_EXTRACT_SUMS + 1;
	CHECK(dd_extract_sum(&sums, "x") == NULL);
	rmtree(top);
}

/* Without privileges, a 0555 directory only takes its files because its mode waits for
 * the end. As root the test drops to nobody in a child, or it would prove nothing. */
TEST(deferral_without_privileges)
{
	pid_t pid;
	int status = -1, fd;

	if (make_layout() < 0) {
		CHECK(0);
		return;
	}
	build_normal();
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	if (geteuid() == 0)
		CHECK(chown(root, 65534, 65534) == 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct feed f = { .k = 4096 };

		if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
				       setuid(65534) < 0))
			_exit(2);
		if (geteuid() == 0)
			_exit(3);
		dd_extract_init(&ext, fd);
		tar_reader_init(&reader, feed_read, &f);
		if (dd_extract_all(&ext, &reader, xbuf, sizeof xbuf) < 0) {
			printf("# child: %s\n", ext.err);
			_exit(1);
		}
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	check_normal();
	close(fd);
	rmtree(top);
}

/* More directories than the deferral table, and one too long for it: their modes are
 * set at once (the rest still deferred); a repeated entry's last mode wins. */
TEST(deferral_overflow)
{
	char name[400], longdir[300];
	unsigned i;
	int rc;

	if (make_layout() < 0) {
		CHECK(0);
		return;
	}
	arc_reset();
	for (i = 0; i < DD_EXTRACT_DEFER + 10; i++) {
		snprintf(name, sizeof name, "d%03u/", i);
		add_dir(name, 0750, 1600000000 + i);
		snprintf(name, sizeof name, "d%03u/f", i);
		add_file(name, "f");
	}
	/* "LLL.../MMM.../": 265 bytes, over the 255 a deferral record holds. */
	memset(longdir, 'L', 200);
	longdir[200] = '/';
	memset(longdir + 201, 'M', 63);
	memcpy(longdir + 264, "/", 2);
	add_pax("path", longdir);
	add_dir("long", 0711, 1600000000);
	snprintf(name, sizeof name, "%sf", longdir);
	add_pax("path", name);
	add_file("long", "in a long dir");
	add_dir("dup/", 0700, 1);
	add_dir("dup/", 0751, 1600009999);
	arc_end();
	rc = extract_arc(root, 4096);
	CHECKF(rc == 0, "%s", ext.err);
	for (i = 0; i < DD_EXTRACT_DEFER + 10; i++) {
		snprintf(name, sizeof name, "d%03u", i);
		CHECKF(is_dir(name, 0750), "%s", name);
		/* The table filled up before "dup": these were deferred. */
		if (i < DD_EXTRACT_DEFER)
			CHECKF(mtime_of(name) == 1600000000 + i, "%s mtime", name);
	}
	longdir[strlen(longdir) - 1] = 0;
	CHECK(is_dir(longdir, 0711));
	snprintf(name, sizeof name, "%s/f", longdir);
	CHECK(is_file(name, "in a long dir", 0644));
	CHECK(is_dir("dup", 0751));
	rmtree(top);
}

/* A disk error is DD_EXIT_FAIL, not a verdict on the archive: RLIMIT_FSIZE makes write
 * fail with EFBIG even for root, in a child so the limit stays there. */
TEST(write_error_is_fail)
{
	pid_t pid;
	int status = -1;

	if (make_layout() < 0) {
		CHECK(0);
		return;
	}
	arc_reset();
	add_pattern("big", 100000, 0644, 1);
	arc_end();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 8192, 8192 };

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(2);
		if (extract_arc(root, 4096) != -1 || ext.code != DD_EXIT_FAIL ||
		    strcmp(ext.err, "entry \"big\": write: File too large") != 0) {
			printf("# child: code %d: %s\n", ext.code, ext.err);
			_exit(1);
		}
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	rmtree(top);
}

/* dd_extract_entry on its own, with entries tar_next would never make. */
TEST(entry_api_checks)
{
	static struct tar_entry e;
	int fd, i;

	if (make_layout() < 0) {
		CHECK(0);
		return;
	}
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	arc_reset();
	arc_end();
	{
		struct feed f = { .k = 512 };

		tar_reader_init(&reader, feed_read, &f);
	}
	memset(&e, 'a', sizeof e);
	e.type = TAR_FILE;
	e.link[0] = 0;
	dd_extract_init(&ext, fd);
	CHECK(dd_extract_entry(&ext, &reader, &e, xbuf, sizeof xbuf) == -1);
	CHECK(ext.code == DD_EXIT_VERIFY && strstr(ext.err, "name is not terminated"));
	CHECK(strlen(ext.err) < sizeof ext.err && one_line(ext.err));
	/* A symlink whose target has no NUL. */
	memset(&e, 'a', sizeof e);
	strcpy(e.path, "l");
	e.type = TAR_SYMLINK;
	dd_extract_init(&ext, fd);
	CHECK(dd_extract_entry(&ext, &reader, &e, xbuf, sizeof xbuf) == -1);
	CHECK(ext.code == DD_EXIT_VERIFY && strstr(ext.err, "target is not terminated"));
	/* No buffer for a file's data is the caller's mistake, not the archive's. */
	memset(&e, 0, sizeof e);
	strcpy(e.path, "f");
	e.type = TAR_FILE;
	dd_extract_init(&ext, fd);
	CHECK(dd_extract_entry(&ext, &reader, &e, xbuf, 0) == -1);
	CHECK(ext.code == DD_EXIT_FAIL && strstr(ext.err, "Invalid argument"));
	/* A long name full of control bytes still makes one bounded line. */
	memset(&e, 0, sizeof e);
	for (i = 0; i < 3000; i += 3)
		memcpy(e.path + i, "\x1b\n/", 3);
	memcpy(e.path + 3000, "../x", 4);
	e.type = TAR_FILE;
	dd_extract_init(&ext, fd);
	CHECK(dd_extract_entry(&ext, &reader, &e, xbuf, sizeof xbuf) == -1);
	CHECKF(one_line(ext.err) && strstr(ext.err, "...\": path has a \"..\" component"),
	       "%s", ext.err);
	close(fd);
	rmtree(top);
}

/* --- against GNU tar ------------------------------------------------------------------- */

static int mkfile(const char *dir, const char *rel, const char *content, size_t n, mode_t mode,
		  time_t mtime)
{
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
	char p[600];
	int fd, rc;

	snprintf(p, sizeof p, "%s/%s", dir, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	rc = write(fd, content, n) == (ssize_t)n ? 0 : -1;
	if (fchmod(fd, mode) < 0 || futimens(fd, ts) < 0)
		rc = -1;
	close(fd);
	return rc;
}

static int mkdir_t(const char *dir, const char *rel, mode_t mode)
{
	char p[600];

	snprintf(p, sizeof p, "%s/%s", dir, rel);
	return mkdir(p, 0700) == 0 && chmod(p, mode) == 0 ? 0 : -1;
}

static int settime(const char *dir, const char *rel, time_t mtime)
{
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
	char p[600];

	snprintf(p, sizeof p, "%s/%s", dir, rel);
	return utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW);
}

static void make_src_tree(const char *src)
{
	static char big[70000];
	char longd[130], longf[300];
	size_t i;

	for (i = 0; i < sizeof big; i++)
		big[i] = (char)pattern_at(i);
	memset(longd, 'D', 120);
	longd[120] = 0;
	snprintf(longf, sizeof longf, "%s/%s", longd,
		 "a-file-name-that-makes-the-path-longer-than-one-hundred-bytes");
	CHECK(mkdir_t(src, "bin", 0755) == 0 && mkdir_t(src, "etc", 0750) == 0);
	CHECK(mkdir_t(src, "ro", 0755) == 0 && mkdir_t(src, "deep", 0755) == 0);
	CHECK(mkdir_t(src, "deep/er", 0711) == 0 && mkdir_t(src, "deep/er/est", 0700) == 0);
	CHECK(mkdir_t(src, longd, 0755) == 0);
	CHECK(mkfile(src, "bin/tool", "#!/bin/sh\necho tool\n", 20, 0755, 1600000001) == 0);
	CHECK(mkfile(src, "etc/conf", "key=value\n", 10, 0640, 1600000002) == 0);
	CHECK(mkfile(src, "etc/secret", "s3cret", 6, 0600, 1600000003) == 0);
	CHECK(mkfile(src, "README", "read me\n", 8, 0644, 1600000004) == 0);
	CHECK(mkfile(src, "empty", "", 0, 0644, 1600000005) == 0);
	CHECK(mkfile(src, "ro/file", "read only", 9, 0444, 1600000006) == 0);
	CHECK(mkfile(src, "deep/er/est/leaf", "leaf", 4, 0600, 1600000007) == 0);
	CHECK(mkfile(src, longf, "long", 4, 0644, 1600000008) == 0);
	CHECK(mkfile(src, "big", big, sizeof big, 0644, 1600000009) == 0);
	{
		char a[600], b[600];

		snprintf(a, sizeof a, "%s/bin/tool", src);
		snprintf(b, sizeof b, "%s/bin/tool2", src);
		CHECK(link(a, b) == 0);
		snprintf(b, sizeof b, "%s/bin/alias", src);
		CHECK(symlink("tool", b) == 0);
		snprintf(b, sizeof b, "%s/link-to-conf", src);
		CHECK(symlink("etc/conf", b) == 0);
		snprintf(b, sizeof b, "%s/deep/er/est/up", src);
		CHECK(symlink("../../../README", b) == 0);
	}
	CHECK(chmod(src, 0755) == 0);
	CHECK(settime(src, "deep/er/est", 1600000100) == 0);
	CHECK(settime(src, "deep/er", 1600000101) == 0 && settime(src, "deep", 1600000102) == 0);
	CHECK(settime(src, "bin", 1600000103) == 0 && settime(src, "etc", 1600000104) == 0);
	CHECK(settime(src, longd, 1600000105) == 0);
	{
		char p[600];

		snprintf(p, sizeof p, "%s/ro", src);
		CHECK(chmod(p, 0555) == 0);
		CHECK(settime(src, "ro", 1600000106) == 0);
	}
}

/* Like snap, with mtimes (not of symlinks: tar sets them, we do not) and link counts. */
static void snap_full(const char *dir, const char *rel, char *out, size_t outsz)
{
	struct dirent **names;
	int i, n = scandir(dir, &names, NULL, alphasort);

	for (i = 0; i < n; i++) {
		char path[1024], r[1024], tgt[256] = "";
		struct stat st;

		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..") &&
		    snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name) > 0 &&
		    lstat(path, &st) == 0) {
			snprintf(r, sizeof r, "%s%s", rel, names[i]->d_name);
			appendf(out, outsz, "%s %o", r, (unsigned)st.st_mode);
			if (!S_ISLNK(st.st_mode))
				appendf(out, outsz, " t%lld", (long long)st.st_mtime);
			if (S_ISREG(st.st_mode))
				appendf(out, outsz, " %lld n%lu %lx", (long long)st.st_size,
					(unsigned long)st.st_nlink, fnv(path));
			if (S_ISLNK(st.st_mode) && readlink(path, tgt, sizeof tgt - 1) >= 0)
				appendf(out, outsz, " -> %s", tgt);
			appendf(out, outsz, "\n");
			if (S_ISDIR(st.st_mode)) {
				strcat(r, "/");
				snap_full(path, r, out, outsz);
			}
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

static int extract_file(const char *tarfile, const char *dir)
{
	FILE *f = fopen(tarfile, "rb");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = -2;

	if (f && fd >= 0) {
		dd_extract_init(&ext, fd);
		tar_reader_init(&reader, file_read, f);
		rc = dd_extract_all(&ext, &reader, xbuf, sizeof xbuf);
	}
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	return rc;
}

TEST(gnu_tar_agrees)
{
	static const char *const formats[] = { "gnu", "pax", "ustar" };
	static char ours[1 << 16], theirs[1 << 16];
	char dir[256], src[300], cmd[2048], a[300], d1[300], d2[300];
	unsigned i;

	T_TMPDIR(dir);
	snprintf(src, sizeof src, "%s/src", dir);
	CHECK(mkdir(src, 0755) == 0);
	make_src_tree(src);
	for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		int rc;

		snprintf(a, sizeof a, "%s/%s.tar", dir, formats[i]);
		snprintf(d1, sizeof d1, "%s/ours-%s", dir, formats[i]);
		snprintf(d2, sizeof d2, "%s/theirs-%s", dir, formats[i]);
		CHECK(mkdir(d1, 0755) == 0 && mkdir(d2, 0755) == 0);
		/* ustar cannot hold the 120-byte directory: it is left out there. */
		snprintf(cmd, sizeof cmd, "tar -C '%s' --format=%s --sort=name %s -cf '%s' . && "
			 "tar -C '%s' -xf '%s'", src, formats[i],
			 strcmp(formats[i], "ustar") ? "" : "--exclude='./DDDD*'", a, d2, a);
		CHECKF(system(cmd) == 0, "%s", cmd);
		rc = extract_file(a, d1);
		CHECKF(rc == 0, "%s: %s", formats[i], ext.err);
		ours[0] = theirs[0] = 0;
		snap_full(d1, "", ours, sizeof ours);
		snap_full(d2, "", theirs, sizeof theirs);
		CHECKF(strcmp(ours, theirs) == 0, "%s:\nours:\n%s\ntheirs:\n%s", formats[i], ours,
		       theirs);
		CHECKF(strstr(ours, "big 100644 t1600000009 70000 n1") != NULL, "%s", formats[i]);
		CHECKF(strstr(ours, "ro 40555 t1600000106") != NULL, "%s", formats[i]);
	}
	rmtree(dir);
}

int main(void)
{
	RUN(hostile_corpus);
	RUN(normal_tree);
	RUN(digests_as_written);
	RUN(deferral_without_privileges);
	RUN(deferral_overflow);
	RUN(write_error_is_fail);
	RUN(entry_api_checks);
	RUN(gnu_tar_agrees);
	T_EXIT();
}
