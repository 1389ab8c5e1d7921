/* bundle: write, open and unpack inside one process. An engine tree (docker/dockerd a copy
 * of /bin/true, the other required programs, a 5 MiB and a 6 MiB random file so the index
 * gets two access points, a text file, a subdirectory) is packed by GNU tar, bundled with
 * /bin/true as the stub, opened, and unpacked in parallel and serially; both trees must
 * equal what `tar -xzf` makes. Then the index is mutated (each way it can be wrong) and
 * fed to dd_punpack, which must fall back rather than write a wrong tree; and damaged
 * inputs must fail with nothing left behind. */
#include "t.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>

#include "archive/extract.h"
#include "archive/gzindex.h"
#include "bundle/format.h"
#include "bundle/payload.h"
#include "bundle/punpack.h"
#include "bundle/unpack.h"
#include "bundle/writer.h"
#include "util/be.h"
#include "util/log.h"
#include "util/sha256.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MIB (1024 * 1024)

static char top[128];		/* everything of this test lives below */
static char src[200], engine[200], bundle[200], ref[200], hexsum[65];
static struct dd_payload pl;

/* --- files ----------------------------------------------------------------------------- */

static int write_file(const char *path, const void *p, size_t n, mode_t mode, time_t mtime)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int ok = fd >= 0 && write(fd, p, n) == (ssize_t)n && fchmod(fd, mode) == 0;
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };

	if (fd >= 0 && ok)
		ok = futimens(fd, ts) == 0;
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char *p = NULL;

	if (fd >= 0 && fstat(fd, &st) == 0 && (p = malloc((size_t)st.st_size + 1)) &&
	    read(fd, p, (size_t)st.st_size) == st.st_size) {
		*n = (size_t)st.st_size;
	} else {
		free(p);
		p = NULL;
	}
	if (fd >= 0)
		close(fd);
	return p;
}

static int copy_file(const char *from, const char *to, mode_t mode, time_t mtime)
{
	size_t n;
	unsigned char *p = slurp(from, &n);
	int rc = p ? write_file(to, p, n, mode, mtime) : -1;

	free(p);
	return rc;
}

static int file_sha(const char *path, unsigned char out[32])
{
	size_t n;
	unsigned char *p = slurp(path, &n);
	dd_sha256 c;

	if (!p)
		return -1;
	dd_sha256_init(&c);
	dd_sha256_update(&c, p, n);
	dd_sha256_out(&c, out);
	free(p);
	return 0;
}

static int patch_byte(const char *path, uint64_t off, unsigned char x)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	unsigned char b;
	int ok = fd >= 0 && pread(fd, &b, 1, (off_t)off) == 1;

	b ^= x;
	ok = ok && pwrite(fd, &b, 1, (off_t)off) == 1;
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Entries of dir named ".BASE.dockdrop-*" (staging directories left behind). */
static int count_stages(const char *dir, const char *base)
{
	char prefix[300];
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	snprintf(prefix, sizeof prefix, ".%s.dockdrop-", base);
	while ((e = readdir(d)))
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

/* --- tree snapshots -------------------------------------------------------------------- */

/* One line per entry below dir, sorted: path, type, mode, size, mtime (files), SHA-256. */
static void snap_rec(const char *dir, const char *rel, char *out, size_t outsz)
{
	struct dirent **list;
	char path[1024], sub[1024];
	int n;

	snprintf(path, sizeof path, "%s%s%s", dir, *rel ? "/" : "", rel);
	n = scandir(path, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		struct stat st;
		char full[1100], hex[65] = "-";
		size_t len = strlen(out);

		if (strcmp(name, ".") && strcmp(name, "..")) {
			snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", name);
			snprintf(full, sizeof full, "%s/%s", dir, sub);
			if (lstat(full, &st) == 0) {
				if (S_ISREG(st.st_mode)) {
					unsigned char d[32];

					if (file_sha(full, d) == 0)
						dd_hex(d, 32, hex);
				}
				snprintf(out + len, outsz - len, "%s %c %04o %lld %lld %s\n", sub,
					 S_ISREG(st.st_mode) ? 'f' : S_ISDIR(st.st_mode) ? 'd' : '?',
					 (unsigned)(st.st_mode & 07777), (long long)st.st_size,
					 S_ISREG(st.st_mode) ? (long long)st.st_mtime : 0LL, hex);
				if (S_ISDIR(st.st_mode))
					snap_rec(dir, sub, out, outsz);
			}
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

static char ref_snap[16384], got_snap[16384];

static const char *snap(const char *dir, char *out, size_t outsz)
{
	out[0] = 0;
	snap_rec(dir, "", out, outsz);
	return out;
}

/* --- the fixture: engine tree, tarball, bundle, reference extraction ------------------ */

static unsigned char *random_bytes(size_t n, uint64_t seed)
{
	unsigned char *p = malloc(n);
	uint64_t x = seed | 1;

	for (size_t i = 0; p && i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)(x >> 24);
	}
	return p;
}

static int make_tree(void)
{
	static const struct {
		const char *name;
		const char *text;	/* NULL: special */
		mode_t mode;
		time_t mtime;
	} files[] = {
		{ "docker/README.txt", "An engine for the tests.\n", 0640, 1600000000 },
		{ "docker/docker", "#!/bin/sh\necho docker\n", 0755, 1600000100 },
		{ "docker/containerd", "#!/bin/sh\necho containerd\n", 0755, 1600000200 },
		{ "docker/runc", "#!/bin/sh\necho runc\n", 0700, 1600000300 },
		{ "docker/sub/note", "", 0600, 1600000400 },
	};
	char path[400];
	unsigned char *big;
	int rc = 0;

	snprintf(path, sizeof path, "%s/docker", src);
	rc |= mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/docker/sub", src);
	rc |= mkdir(path, 0750);
	for (unsigned i = 0; i < N(files); i++) {
		snprintf(path, sizeof path, "%s/%s", src, files[i].name);
		rc |= write_file(path, files[i].text, strlen(files[i].text), files[i].mode,
				 files[i].mtime);
	}
	snprintf(path, sizeof path, "%s/docker/dockerd", src);
	rc |= copy_file("/bin/true", path, 0755, 1600000500);
	big = random_bytes(6 * MIB, 0x5eed);
	/* Sorted before big5: deflate blocks end inside it, so big5's header has a block
	 * boundary before it (none at output 0 can be a point). */
	snprintf(path, sizeof path, "%s/docker/ab-data", src);
	rc |= big ? write_file(path, big + 5 * MIB, 300 * 1024, 0644, 1600000550) : -1;
	snprintf(path, sizeof path, "%s/docker/big5", src);
	rc |= big ? write_file(path, big, 5 * MIB, 0644, 1600000600) : -1;
	/* 6 MiB: the first MiB zeros (compresses), then random */
	if (big)
		memset(big, 0, MIB);
	snprintf(path, sizeof path, "%s/docker/big6", src);
	rc |= big ? write_file(path, big, 6 * MIB, 0600, 1600000700) : -1;
	free(big);
	return rc ? -1 : 0;
}

static int run(const char *fmt, ...) DD_PRINTF(1, 2);
static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int fixture_ok;

static int setup(void)
{
	unsigned char d[32];
	struct dd_bundle_spec spec = { 0 };
	char err[512] = "";
	int rc;

	if (!t_tmpdir(top, sizeof top))
		return -1;
	snprintf(src, sizeof src, "%s/src", top);
	snprintf(engine, sizeof engine, "%s/docker-test.tgz", top);
	snprintf(bundle, sizeof bundle, "%s/bundle", top);
	snprintf(ref, sizeof ref, "%s/ref", top);
	if (mkdir(src, 0755) || mkdir(ref, 0755) || make_tree())
		return -1;
	if (run("tar --sort=name --owner=0 --group=0 --numeric-owner -czf '%s' -C '%s' docker",
		engine, src) != 0 ||
	    run("tar -xzf '%s' -C '%s'", engine, ref) != 0)
		return -1;
	if (file_sha(engine, d) != 0)
		return -1;
	dd_hex(d, 32, hexsum);
	spec.self = "/bin/true";
	spec.engine = engine;
	spec.sha256 = hexsum;
	spec.engine_version = "1.0";
	spec.out = bundle;
	rc = dd_bundle_write(&spec, err, sizeof err);
	if (rc != 0) {
		printf("# dd_bundle_write: %d %s\n", rc, err);
		return -1;
	}
	snap(ref, ref_snap, sizeof ref_snap);
	return 0;
}

/* --- the tests ------------------------------------------------------------------------- */

TEST(bundle_layout)
{
	struct stat st, tst;
	unsigned char d[32];
	const struct dd_blob *e, *ix;
	size_t n;
	unsigned char *whole, *stub;
	int rc;

	if (!fixture_ok) {
		CHECK(fixture_ok);
		return;
	}
	rc = dd_payload_open(&pl, bundle);
	CHECKF(rc == 0, "rc %d: %s", rc, pl.err);
	CHECK(pl.auth == DD_AUTH_NONE && !pl.empty);
	CHECK(stat(bundle, &st) == 0 && stat("/bin/true", &tst) == 0);
	CHECK(pl.size == (uint64_t)st.st_size && pl.t.total_size == pl.size);
	CHECK((st.st_mode & 0777) == 0755);
	CHECK(pl.m.stub_size == (uint64_t)tst.st_size && pl.t.stub_size == pl.m.stub_size);
	CHECKF(pl.m.nblobs == 2, "%u blobs", pl.m.nblobs);
	e = dd_payload_engine(&pl);
	CHECK(e == &pl.m.blob[0]);
	ix = &pl.m.blob[1];
	if (e) {
		CHECK(!strcmp(e->kind, "engine") && !strcmp(e->name, "docker"));
		CHECK(!strcmp(e->version, "1.0") && !strcmp(e->arch, "x86_64"));
		CHECK(e->off == pl.m.stub_size);
		CHECK(stat(engine, &st) == 0 && e->len == (uint64_t)st.st_size);
		CHECK(file_sha(engine, d) == 0 && memcmp(d, e->sha256, 32) == 0);
	}
	CHECK(!strcmp(ix->kind, "index") && !strcmp(ix->version, "1.0"));
	CHECK(e && ix->off == e->off + e->len && ix->len > DD_GZI_HEAD);
	CHECK(ix->off + ix->len == pl.t.manifest_off);
	CHECK(pl.t.sig_len == 0);
	/* The stub is /bin/true byte for byte; the digests in the manifest are right. */
	whole = slurp(bundle, &n);
	stub = slurp("/bin/true", &n);
	CHECK(whole && stub && memcmp(whole, stub, (size_t)pl.m.stub_size) == 0);
	CHECK(dd_payload_hash_range(&pl, 0, pl.m.stub_size, d) == 0);
	CHECK(memcmp(d, pl.m.stub_sha256, 32) == 0);
	CHECK(dd_payload_hash_range(&pl, ix->off, ix->len, d) == 0);
	CHECK(memcmp(d, ix->sha256, 32) == 0);
	/* The manifest as text sits right before the trailer. */
	CHECK(whole && memcmp(whole + pl.t.manifest_off, "dockdrop-manifest 1\n", 20) == 0);
	free(whole);
	free(stub);
	dd_payload_close(&pl);
}

static char target[600];
static struct dd_unpack_stats ust;
static char uerr[512];
static int urc;

static void do_unpack(void)
{
	const struct dd_blob *e = dd_payload_engine(&pl);

	urc = e ? dd_unpack(&pl, e, target, 0, &ust, uerr, sizeof uerr) : -1;
}

/* Unpacked both ways, with the debug log telling which way it went. */
TEST(unpack_equals_tar)
{
	static const struct {
		const char *name;
		int serial;
		const char *log_has, *log_lacks;
	} cases[] = {
		{ "parallel", 0, "worker 1", "unpacking serially" },
		{ "serial", 1, NULL, "worker" },
		{ "parallel again", 0, "worker 1", "unpacking serially" },
	};

	if (!fixture_ok) {
		CHECK(fixture_ok);
		return;
	}
	for (unsigned i = 0; i < N(cases); i++) {
		static char out[8192], err[8192];
		int rc = dd_payload_open(&pl, bundle);

		CHECKF(rc == 0, "%s: open %d %s", cases[i].name, rc, pl.err);
		snprintf(target, sizeof target, "%s/out-%u", top, i);
		if (cases[i].serial)
			setenv("DOCKDROP_SERIAL", "1", 1);
		else
			unsetenv("DOCKDROP_SERIAL");
		dd_log_set_verbosity(DD_VERBOSE);
		memset(&ust, 0, sizeof ust);
		CHECK(t_capture(do_unpack, out, sizeof out, err, sizeof err) == 0);
		dd_log_set_verbosity(DD_NORMAL);
		unsetenv("DOCKDROP_SERIAL");
		CHECKF(urc == 0, "%s: dd_unpack %d: %s", cases[i].name, urc, uerr);
		CHECKF(!strcmp(snap(target, got_snap, sizeof got_snap), ref_snap),
		       "%s: trees differ:\n--- tar\n%s--- dockdrop\n%s", cases[i].name, ref_snap, got_snap);
		CHECKF(ust.files == 9 && ust.dirs == 2 && ust.links == 0, "%s: %llu files %llu dirs",
		       cases[i].name, (unsigned long long)ust.files, (unsigned long long)ust.dirs);
		CHECKF(ust.bytes > 11 * MIB, "%s: %llu bytes", cases[i].name, (unsigned long long)ust.bytes);
		if (cases[i].log_has)
			CHECKF(strstr(out, cases[i].log_has) || strstr(err, cases[i].log_has),
			       "%s: log lacks \"%s\":\n%s%s", cases[i].name, cases[i].log_has, out, err);
		CHECKF(!strstr(out, cases[i].log_lacks) && !strstr(err, cases[i].log_lacks),
		       "%s: log has \"%s\":\n%s%s", cases[i].name, cases[i].log_lacks, out, err);
		CHECK(count_stages(top, strrchr(target, '/') + 1) == 0);
		{
			struct stat st;

			CHECK(stat(target, &st) == 0 && (st.st_mode & 07777) == 0755);
		}
		dd_payload_close(&pl);
	}
}

/* --- the index, mutated ---------------------------------------------------------------- */

static unsigned char *ixbuf, *mbuf;
static size_t ixlen, mlen;
static unsigned npoints;

/* Offset of point i's record in a serialized index (all windows are full: 32 KB). */
static size_t rec(unsigned i)
{
	return DD_GZI_HEAD + (size_t)i * (DD_GZI_REC + DD_GZI_WINDOW);
}

static void add64(size_t at, int64_t d) { dd_put64be(mbuf + at, dd_get64be(mbuf + at) + (uint64_t)d); }
static void add32(size_t at, int32_t d) { dd_put32be(mbuf + at, dd_get32be(mbuf + at) + (uint32_t)d); }
static unsigned last(void) { return npoints - 1; }

static void m_none(void) {}
static void m_bits0(void) { add32(rec(0) + 8, 1); }
static void m_bits_last(void) { add32(rec(last()) + 8, 1); }
static void m_bits0_down(void) { add32(rec(0) + 8, -1); }
static void m_in0_up(void) { add64(rec(0), 1); }
static void m_in0_down(void) { add64(rec(0), -1); }
static void m_in_last_up(void) { add64(rec(last()), 1); }
static void m_in_last_down(void) { add64(rec(last()), -1); }
static void m_out0_up(void) { add64(rec(0) + 16, 1); }
static void m_out0_down(void) { add64(rec(0) + 16, -1); }
static void m_out_last_up(void) { add64(rec(last()) + 16, 1); }
static void m_out_last_down(void) { add64(rec(last()) + 16, -1); }
static void m_tar0_up(void) { add64(rec(0) + 24, 512); }
static void m_tar0_down(void) { add64(rec(0) + 24, -512); }
static void m_tar_last_up(void) { add64(rec(last()) + 24, 512); }
static void m_tar0_up2(void) { add64(rec(0) + 24, 1024); }
static void m_tar_last_up2(void) { add64(rec(last()) + 24, 1024); }
static void m_tar_last_down(void) { add64(rec(last()) + 24, -512); }
static void m_win0_first(void) { mbuf[rec(0) + DD_GZI_REC] ^= 1; }
static void m_win0_last(void) { mbuf[rec(0) + DD_GZI_REC + DD_GZI_WINDOW - 1] ^= 0x80; }
static void m_win_last_mid(void) { mbuf[rec(last()) + DD_GZI_REC + DD_GZI_WINDOW / 2] ^= 0x10; }
static void m_tar_last_end(void) { dd_put64be(mbuf + rec(last()) + 24, dd_get64be(mbuf + 16) - 512); }
static void m_swap01(void)
{
	static unsigned char t[DD_GZI_REC + DD_GZI_WINDOW];

	memcpy(t, mbuf + rec(0), sizeof t);
	memcpy(mbuf + rec(0), mbuf + rec(1), sizeof t);
	memcpy(mbuf + rec(1), t, sizeof t);
}
static void m_outlen_up(void) { add64(16, 512); }
static void m_outlen_down(void) { add64(16, -512); }
static void m_bloblen_up(void) { add64(8, 1); }
static void m_drop_last(void) { add32(24, -1); mlen = rec(last()); }
static void m_drop_first(void)
{
	add32(24, -1);
	memmove(mbuf + rec(0), mbuf + rec(1), mlen - rec(1));
	mlen -= rec(1) - rec(0);
}
/* Point 0 moved onto point 1's tar header, keeping its own boundary and window. */
static void m_tar0_is_tar1(void)
{
	dd_put64be(mbuf + rec(0) + 24, dd_get64be(mbuf + rec(1) + 24) - 512);
}

enum want { WANT_OK, WANT_FALLBACK, WANT_REJECT, WANT_REJECT_OR_FALLBACK };

static const struct {
	const char *name;
	void (*mutate)(void);
	enum want want;
} mutations[] = {
	{ "unchanged", m_none, WANT_OK },
	{ "point 0 bits+1", m_bits0, WANT_REJECT_OR_FALLBACK },
	{ "point 0 bits-1", m_bits0_down, WANT_REJECT_OR_FALLBACK },
	{ "last point bits+1", m_bits_last, WANT_REJECT_OR_FALLBACK },
	{ "point 0 in_off+1", m_in0_up, WANT_FALLBACK },
	{ "point 0 in_off-1", m_in0_down, WANT_FALLBACK },
	{ "last point in_off+1", m_in_last_up, WANT_FALLBACK },
	{ "last point in_off-1", m_in_last_down, WANT_FALLBACK },
	{ "point 0 out_off+1", m_out0_up, WANT_FALLBACK },
	{ "point 0 out_off-1", m_out0_down, WANT_FALLBACK },
	{ "last point out_off+1", m_out_last_up, WANT_FALLBACK },
	{ "last point out_off-1", m_out_last_down, WANT_FALLBACK },
	{ "point 0 tar_off+512", m_tar0_up, WANT_FALLBACK },
	{ "point 0 tar_off-512", m_tar0_down, WANT_REJECT_OR_FALLBACK },
	{ "point 0 tar_off+1024", m_tar0_up2, WANT_FALLBACK },
	{ "last point tar_off+512", m_tar_last_up, WANT_FALLBACK },
	{ "last point tar_off+1024", m_tar_last_up2, WANT_FALLBACK },
	{ "last point tar_off-512", m_tar_last_down, WANT_REJECT_OR_FALLBACK },
	{ "point 0 window byte 0", m_win0_first, WANT_FALLBACK },
	{ "point 0 window last byte", m_win0_last, WANT_FALLBACK },
	{ "last point window middle byte", m_win_last_mid, WANT_FALLBACK },
	{ "last point tar_off = out_len-512", m_tar_last_end, WANT_FALLBACK },
	{ "point 0 tar_off = point 1's - 512", m_tar0_is_tar1, WANT_FALLBACK },
	{ "points 0 and 1 swapped", m_swap01, WANT_REJECT },
	{ "out_len+512", m_outlen_up, WANT_FALLBACK },
	{ "out_len-512", m_outlen_down, WANT_FALLBACK },
	{ "blob_len+1", m_bloblen_up, WANT_FALLBACK },
	{ "last point dropped", m_drop_last, WANT_OK },
	{ "first point dropped", m_drop_first, WANT_OK },
};

TEST(index_mutations)
{
	const struct dd_blob *e, *ix;
	static struct dd_gzi x;
	int rc;

	if (!fixture_ok) {
		CHECK(fixture_ok);
		return;
	}
	rc = dd_payload_open(&pl, bundle);
	CHECKF(rc == 0, "open %d %s", rc, pl.err);
	e = dd_payload_engine(&pl);
	ix = &pl.m.blob[1];
	if (rc || !e || strcmp(ix->kind, "index"))
		return;
	ixlen = (size_t)ix->len;
	ixbuf = malloc(ixlen);
	mbuf = malloc(ixlen);
	CHECK(ixbuf && mbuf && pread(pl.fd, ixbuf, ixlen, (off_t)ix->off) == (ssize_t)ixlen);
	CHECK(dd_gzi_parse(ixbuf, ixlen, &x) == 0);
	npoints = x.n;
	CHECKF(x.n >= 2, "%u points", x.n);
	CHECK(x.blob_len == e->len);
	for (unsigned i = 0; i < x.n; i++)
		CHECKF(x.p[i].wlen == DD_GZI_WINDOW, "point %u: wlen %u", i, x.p[i].wlen);
	CHECK(ixlen == rec(x.n));
	if (x.n < 2 || ixlen != rec(x.n)) {
		free(ixbuf);
		free(mbuf);
		dd_payload_close(&pl);
		return;
	}
	for (unsigned i = 0; i < N(mutations); i++) {
		char stage[400], err[512] = "";
		struct dd_extract total;
		int parsed, sfd;

		memcpy(mbuf, ixbuf, ixlen);
		mlen = ixlen;
		mutations[i].mutate();
		parsed = dd_gzi_parse(mbuf, mlen, &x) == 0;
		if (!parsed) {
			CHECKF(mutations[i].want == WANT_REJECT || mutations[i].want == WANT_REJECT_OR_FALLBACK,
			       "%s: dd_gzi_parse rejects it", mutations[i].name);
			continue;
		}
		CHECKF(mutations[i].want != WANT_REJECT, "%s: dd_gzi_parse accepts it", mutations[i].name);
		snprintf(stage, sizeof stage, "%s/stage-%u", top, i);
		CHECK(mkdir(stage, 0700) == 0);
		sfd = open(stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		CHECK(sfd >= 0);
		memset(&total, 0, sizeof total);
		rc = dd_punpack(&pl, e, &x, sfd, &total, err, sizeof err);
		close(sfd);
		if (rc == 0) {
			snap(stage, got_snap, sizeof got_snap);
			CHECKF(!strcmp(got_snap, ref_snap), "%s: dd_punpack returned 0 with a WRONG tree:\n%s",
			       mutations[i].name, got_snap);
			CHECKF(mutations[i].want == WANT_OK, "%s: dd_punpack returned 0 (tree right)", mutations[i].name);
		} else {
			CHECKF(rc == DD_PUNPACK_FALLBACK, "%s: dd_punpack returned %d, not the fallback: %s",
			       mutations[i].name, rc, err);
			CHECKF(mutations[i].want != WANT_OK, "%s: dd_punpack fell back on a right index",
			       mutations[i].name);
		}
		t_rmtree(stage);
	}
	free(ixbuf);
	free(mbuf);
	dd_payload_close(&pl);
}

/* The same mutations carried by a bundle (the index blob changed, its digest in the
 * manifest and the trailer's seal recomputed): dd_unpack must give the right tree, going
 * serial when the index does not fit. A wrong index must never fail an install. */
TEST(resealed_bad_index_unpacks)
{
	static struct dd_gzi x;
	char path[300], hex_old[65], hex_new[65];
	unsigned char *whole = NULL, *work = NULL, d[32];
	struct dd_blob ix;
	struct dd_trailer t;
	size_t n = 0;
	int rc;

	if (!fixture_ok) {
		CHECK(fixture_ok);
		return;
	}
	rc = dd_payload_open(&pl, bundle);
	CHECK(rc == 0 && pl.m.nblobs == 2);
	ix = pl.m.blob[1];
	t = pl.t;
	dd_payload_close(&pl);
	whole = slurp(bundle, &n);
	work = malloc(n);
	if (rc || !whole || !work || dd_gzi_parse(whole + ix.off, (size_t)ix.len, &x) != 0) {
		CHECK(0);
		free(whole);
		free(work);
		return;
	}
	npoints = x.n;
	ixlen = (size_t)ix.len;
	dd_hex(ix.sha256, 32, hex_old);
	snprintf(path, sizeof path, "%s/resealed", top);
	for (unsigned i = 0; i < N(mutations); i++) {
		char *text, *at;
		dd_sha256 c;

		memcpy(work, whole, n);
		mbuf = work + ix.off;
		mlen = ixlen;
		mutations[i].mutate();
		if (mlen != ixlen)
			continue;	/* a shorter index would move the manifest: not here */
		dd_sha256_init(&c);
		dd_sha256_update(&c, mbuf, mlen);
		dd_sha256_out(&c, d);
		dd_hex(d, 32, hex_new);
		text = (char *)work + t.manifest_off;
		at = memmem(text, t.manifest_len, hex_old, 64);
		CHECK(at != NULL);
		if (!at)
			continue;
		memcpy(at, hex_new, 64);
		dd_sha256_init(&c);
		dd_sha256_update(&c, text, t.manifest_len);
		dd_sha256_out(&c, t.meta_sha256);
		dd_trailer_encode(&t, work + n - DD_TRAILER_SIZE);
		CHECK(write_file(path, work, n, 0755, 1600000000) == 0);
		rc = dd_payload_open(&pl, path);
		CHECKF(rc == 0, "%s: the resealed bundle does not open: %s", mutations[i].name, pl.err);
		snprintf(target, sizeof target, "%s/rs-%u", top, i);
		uerr[0] = 0;
		unsetenv("DOCKDROP_SERIAL");
		do_unpack();
		CHECKF(urc == 0, "%s: dd_unpack returned %d: %s", mutations[i].name, urc, uerr);
		if (urc == 0)
			CHECKF(!strcmp(snap(target, got_snap, sizeof got_snap), ref_snap),
			       "%s: wrong tree:\n%s", mutations[i].name, got_snap);
		CHECK(count_stages(top, strrchr(target, '/') + 1) == 0);
		t_rmtree(target);
		dd_payload_close(&pl);
	}
	free(whole);
	free(work);
}

/* --- failures -------------------------------------------------------------------------- */

TEST(wrong_sha256_writes_nothing)
{
	static const char *const sums[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		NULL, /* the right one with its last digit changed */
	};
	char wrong[65], out[400], err[512];

	if (!fixture_ok) {
		CHECK(fixture_ok);
		return;
	}
	snprintf(out, sizeof out, "%s/never", top);
	for (unsigned i = 0; i < N(sums); i++) {
		struct dd_bundle_spec spec = { 0 };
		int rc;

		snprintf(wrong, sizeof wrong, "%s", sums[i] ? sums[i] : hexsum);
		if (!sums[i])
			wrong[63] = wrong[63] == '0' ? '1' : '0';
		spec.self = "/bin/true";
		spec.engine = engine;
		spec.sha256 = wrong;
		spec.engine_version = "1.0";
		spec.out = out;
		err[0] = 0;
		rc = dd_bundle_write(&spec, err, sizeof err);
		CHECKF(rc == DD_EXIT_VERIFY, "row %u: rc %d: %s", i, rc, err);
		CHECK(!exists(out));
		CHECKF(strstr(err, "SHA-256") != NULL, "%s", err);
	}
	/* Not hex at all: usage. */
	{
		struct dd_bundle_spec spec = { .self = "/bin/true", .engine = engine,
					       .sha256 = "xyz", .engine_version = "1.0", .out = out };

		CHECK(dd_bundle_write(&spec, err, sizeof err) == DD_EXIT_USAGE);
		CHECK(!exists(out));
	}
}

/* Targets dd_unpack must refuse before doing anything. */
TEST(unpack_bad_targets)
{
	static const struct {
		const char *name;
		const char *rel;
		int want;
	} cases[] = {
		{ "non-empty dir", "full", DD_EXIT_USAGE },
		{ "a file", "file", DD_EXIT_USAGE },
		{ "parent missing", "nodir/x", DD_EXIT_USAGE },
		{ "parent is a file", "file/x", DD_EXIT_USAGE },
		{ "dot", "full/.", DD_EXIT_USAGE },
		{ "dot-dot", "full/..", DD_EXIT_USAGE },
	};
	char base[256], path[600];
	int rc;

	if (!fixture_ok) {
		CHECK(fixture_ok);
		return;
	}
	snprintf(base, sizeof base, "%s/targets", top);
	CHECK(mkdir(base, 0755) == 0);
	snprintf(path, sizeof path, "%s/full", base);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof path, "%s/full/keep", base);
	CHECK(write_file(path, "keep\n", 5, 0644, 1600000000) == 0);
	snprintf(path, sizeof path, "%s/file", base);
	CHECK(write_file(path, "file\n", 5, 0644, 1600000000) == 0);
	rc = dd_payload_open(&pl, bundle);
	CHECK(rc == 0);
	for (unsigned i = 0; i < N(cases); i++) {
		snprintf(target, sizeof target, "%s/%s", base, cases[i].rel);
		uerr[0] = 0;
		do_unpack();
		CHECKF(urc == cases[i].want, "%s: rc %d (%s)", cases[i].name, urc, uerr);
		CHECKF(uerr[0] != 0, "%s: no reason", cases[i].name);
	}
	snprintf(path, sizeof path, "%s/full/keep", base);
	CHECK(exists(path));
	CHECK(count_stages(base, "full") == 0 && count_stages(base, "file") == 0);
	/* An empty directory is fine: it is replaced. */
	snprintf(target, sizeof target, "%s/empty", base);
	CHECK(mkdir(target, 0700) == 0);
	do_unpack();
	CHECKF(urc == 0, "empty dir: %d %s", urc, uerr);
	CHECK(!strcmp(snap(target, got_snap, sizeof got_snap), ref_snap));
	dd_payload_close(&pl);
}

/* One byte of the bundle changed: the payload still opens (only a blob's digest is now
 * wrong), and unpacking fails with nothing left: no target, no staging directory. */
TEST(damaged_blob)
{
	enum { ENGINE, INDEX };
	static const struct {
		const char *name;
		int blob;
		int64_t at;	/* from the blob start; negative: from its end */
		unsigned char x;
		int want_par, want_ser;
	} cases[] = {
		{ "gzip MTIME byte (inflate ignores it)", ENGINE, 4, 0x01, DD_EXIT_VERIFY, DD_EXIT_VERIFY },
		{ "gzip OS byte", ENGINE, 9, 0x01, DD_EXIT_VERIFY, DD_EXIT_VERIFY },
		{ "first deflate byte", ENGINE, 10, 0x04, DD_EXIT_VERIFY, DD_EXIT_VERIFY },
		{ "a byte of big5", ENGINE, 3 * MIB, 0x20, DD_EXIT_VERIFY, DD_EXIT_VERIFY },
		{ "a byte of big6", ENGINE, 8 * MIB, 0x01, DD_EXIT_VERIFY, DD_EXIT_VERIFY },
		{ "a byte near the end", ENGINE, -100, 0x08, DD_EXIT_VERIFY, DD_EXIT_VERIFY },
		{ "CRC-32", ENGINE, -6, 0x01, DD_EXIT_VERIFY, DD_EXIT_VERIFY },
		{ "ISIZE", ENGINE, -1, 0x01, DD_EXIT_VERIFY, DD_EXIT_VERIFY },
		/* The index is only read by the parallel path. */
		{ "index magic", INDEX, 0, 0x01, DD_EXIT_VERIFY, 0 },
		{ "index window", INDEX, -5, 0x01, DD_EXIT_VERIFY, 0 },
	};
	char damaged[256], parent[256];

	if (!fixture_ok) {
		CHECK(fixture_ok);
		return;
	}
	snprintf(damaged, sizeof damaged, "%s/damaged", top);
	snprintf(parent, sizeof parent, "%s/dmg", top);
	CHECK(mkdir(parent, 0755) == 0);
	for (unsigned i = 0; i < N(cases); i++) {
		const struct dd_blob *b;
		uint64_t off;
		int rc;

		CHECK(copy_file(bundle, damaged, 0755, 1600000000) == 0);
		rc = dd_payload_open(&pl, damaged);
		CHECKF(rc == 0, "%s: open %d", cases[i].name, rc);
		b = &pl.m.blob[cases[i].blob];
		off = cases[i].at >= 0 ? b->off + (uint64_t)cases[i].at : b->off + b->len - (uint64_t)-cases[i].at;
		dd_payload_close(&pl);
		CHECK(patch_byte(damaged, off, cases[i].x) == 0);
		rc = dd_payload_open(&pl, damaged);
		CHECKF(rc == 0, "%s: the damaged payload does not open: %d %s", cases[i].name, rc, pl.err);
		for (int serial = 0; serial <= 1; serial++) {
			int want = serial ? cases[i].want_ser : cases[i].want_par;

			if (serial)
				setenv("DOCKDROP_SERIAL", "1", 1);
			snprintf(target, sizeof target, "%s/t%u-%d", parent, i, serial);
			uerr[0] = 0;
			do_unpack();
			unsetenv("DOCKDROP_SERIAL");
			CHECKF(urc == want, "%s, %s: rc %d, want %d (%s)", cases[i].name,
			       serial ? "serial" : "parallel", urc, want, uerr);
			CHECKF(exists(target) == (want == 0), "%s, %s: target %s", cases[i].name,
			       serial ? "serial" : "parallel", exists(target) ? "exists" : "absent");
			CHECKF(count_stages(parent, strrchr(target, '/') + 1) == 0,
			       "%s, %s: a staging directory is left", cases[i].name,
			       serial ? "serial" : "parallel");
			if (urc == DD_EXIT_VERIFY)
				CHECKF(strstr(uerr, "damaged") != NULL, "%s, %s: err \"%s\"", cases[i].name,
				       serial ? "serial" : "parallel", uerr);
			if (urc == 0)
				CHECK(!strcmp(snap(target, got_snap, sizeof got_snap), ref_snap));
		}
		dd_payload_close(&pl);
	}
	/* Nothing else appeared in the parent but the good serial targets. */
	{
		DIR *d = opendir(parent);
		struct dirent *e;
		int others = 0;

		while (d && (e = readdir(d)))
			others += e->d_name[0] != '.' && e->d_name[0] != 't';
		if (d)
			closedir(d);
		CHECK(others == 0);
	}
}

/* A cut bundle and one with bytes appended do not open. */
TEST(cut_or_appended_bundle)
{
	char path[400];
	size_t n;
	unsigned char *whole;
	static const int64_t cuts[] = { -1, -128, -129, -4096 };

	if (!fixture_ok) {
		CHECK(fixture_ok);
		return;
	}
	snprintf(path, sizeof path, "%s/cut", top);
	whole = slurp(bundle, &n);
	CHECK(whole != NULL);
	for (unsigned i = 0; whole && i < N(cuts); i++) {
		CHECK(write_file(path, whole, n - (size_t)-cuts[i], 0755, 1600000000) == 0);
		CHECKF(dd_payload_open(&pl, path) == DD_EXIT_VERIFY, "cut %lld: %s", (long long)cuts[i],
		       pl.err);
		dd_payload_close(&pl);
	}
	if (whole) {
		int fd;

		CHECK(write_file(path, whole, n, 0755, 1600000000) == 0);
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		CHECK(fd >= 0 && write(fd, "extra", 5) == 5);
		if (fd >= 0)
			close(fd);
		CHECK(dd_payload_open(&pl, path) == DD_EXIT_VERIFY);
		CHECKF(strstr(pl.err, "5 bytes were appended") != NULL, "%s", pl.err);
		dd_payload_close(&pl);
	}
	/* The bare stub: no payload. */
	CHECK(dd_payload_open(&pl, "/bin/true") == DD_EXIT_FAIL && pl.empty);
	dd_payload_close(&pl);
	free(whole);
}

int main(void)
{
	fixture_ok = setup() == 0;
	if (!fixture_ok)
		printf("# fixture setup failed\n");
	RUN(bundle_layout);
	RUN(unpack_equals_tar);
	RUN(index_mutations);
	RUN(resealed_bad_index_unpacks);
	RUN(wrong_sha256_writes_nothing);
	RUN(unpack_bad_targets);
	RUN(damaged_blob);
	RUN(cut_or_appended_bundle);
	if (top[0])
		t_rmtree(top);
	T_EXIT();
}
