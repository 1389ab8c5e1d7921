#include "bundle/plugin.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/gunzip.h"
#include "archive/gzwrite.h"
#include "bundle/blobsrc.h"
#include "bundle/elfsize.h"
#include "util/io.h"
#include "util/jsontext.h"
#include "util/log.h"
#include "util/run.h"
#include "util/sha256.h"

#define BUF (128 * 1024)

#if defined(__x86_64__)
#define HERE "x86_64"
#elif defined(__aarch64__)
#define HERE "aarch64"
#else
#define HERE ""
#endif

/* Used by one of bundle and install at a time, once per plugin: static. */
static struct {
	struct dd_blobsrc src;
	union {
		struct dd_gunzip gz;
		struct dd_gzwrite gw;
	} z;
	dd_sha256 raw, out;
	uint64_t outlen;
	int (*fn)(void *, const void *, size_t);
	void *ctx;
	unsigned char buf[BUF];
} pl;

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int dd_plugin_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n < 8 || n >= DD_FIELD_MAX || strncmp(name, "docker-", 7))
		return 0;
	return strspn(name + 7, "abcdefghijklmnopqrstuvwxyz0123456789") == n - 7;
}

/* The Version its docker-cli-plugin-metadata answers, when it runs here. */
static void metadata_version(const char *path, char *ver, size_t versz)
{
	static const char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/",
					   NULL };
	const char *argv[] = { path, "docker-cli-plugin-metadata", NULL };
	char out[2048], v[DD_FIELD_MAX];
	const char *val;
	size_t n;

	snprintf(ver, versz, "unknown");
	if (dd_run(argv, env, DD_RUN_STDOUT, 10, out, sizeof out) != 0 ||
	    dd_json_check(out, strlen(out), 4, NULL) != 0 ||
	    !dd_json_member(out, strlen(out), "Version", &val, &n) ||
	    dd_json_unquote(val, n, v, sizeof v) < 0 || !dd_manifest_field_ok(v))
		return;
	snprintf(ver, versz, "%s", v);
}

/* Open path as a plugin program; its fd and the ELF check in why ("" when fine). */
static int open_prog(const char *path, const char *arch, struct dd_blob *b, char *why,
		     size_t whysz)
{
	unsigned char h[64];
	const char *a;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	why[0] = 0;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !st.st_size) {
		snprintf(why, whysz, "%s", fd < 0 ? strerror(errno) : "not a non-empty regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	b->raw_len = (uint64_t)st.st_size;
	if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h || !(a = dd_elf_arch(h, sizeof h)) ||
	    (h[16] != ET_EXEC && h[16] != ET_DYN) || h[17])
		snprintf(why, whysz, "not an ELF executable of a known architecture");
	else if (strcmp(a, arch))
		snprintf(why, whysz, "a program for %s, the engine is %s", a, arch);
	else
		snprintf(b->arch, sizeof b->arch, "%s", a);
	return fd;
}

/* Every byte of fd into the raw digest and, when fn is set, through it. 0 or -1. */
static int pass(int fd, uint64_t len, int (*fn)(void *, const void *, size_t), void *ctx)
{
	uint64_t got = 0;
	ssize_t n;

	dd_sha256_init(&pl.raw);
	while ((n = pread(fd, pl.buf, sizeof pl.buf, (off_t)got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		dd_sha256_update(&pl.raw, pl.buf, (size_t)n);
		if (fn && fn(ctx, pl.buf, (size_t)n) != 0)
			return -1;
		got += (uint64_t)n;
	}
	return got == len ? 0 : (errno = EAGAIN, -1);
}

int dd_plugin_scan(const char *path, const char *arch, struct dd_blob *b, char *err,
		   size_t errsz)
{
	const char *name = base_of(path);
	char why[128];
	int fd, e;

	memset(b, 0, sizeof *b);
	if (!dd_plugin_name_ok(name))
		return dd_say(err, errsz, DD_EXIT_USAGE, "--plugin %s: a CLI plugin's file name is docker-NAME (NAME of a-z and 0-9)",
			      path);
	if ((fd = open_prog(path, arch, b, why, sizeof why)) < 0 || why[0]) {
		if (fd >= 0)
			close(fd);
		return dd_say(err, errsz, DD_EXIT_USAGE, "--plugin %s: %s; nothing written", path, why);
	}
	e = pass(fd, b->raw_len, NULL, NULL) ? errno : 0;
	close(fd);
	if (e)
		return dd_say(err, errsz, DD_EXIT_FAIL, "--plugin %s: read: %s", path, strerror(e));
	dd_sha256_out(&pl.raw, b->raw_sha256);
	strcpy(b->kind, DD_PLUGIN_KIND);
	strcpy(b->name, name);
	if (strcmp(arch, HERE) == 0)
		metadata_version(path, b->version, sizeof b->version);
	else
		strcpy(b->version, "unknown");
	return 0;
}

/* dd_gzwrite_fn: compressed bytes hashed, counted and passed on. */
static int out(void *ctx, const void *buf, size_t n)
{
	(void)ctx;
	dd_sha256_update(&pl.out, buf, n);
	pl.outlen += n;
	return pl.fn(pl.ctx, buf, n);
}

int dd_plugin_write(const char *path, struct dd_blob *b,
		    int (*fn)(void *ctx, const void *buf, size_t n), void *ctx, char *err,
		    size_t errsz)
{
	unsigned char d[32];
	char why[128];
	int fd = open_prog(path, b->arch, b, why, sizeof why), rc = 0;

	if (fd < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", path, why);
	pl.fn = fn;
	pl.ctx = ctx;
	pl.outlen = 0;
	dd_sha256_init(&pl.out);
	if (dd_gzwrite_init(&pl.z.gw, 6, out, NULL) != 0)
		rc = dd_say(err, errsz, DD_EXIT_FAIL, "deflateInit failed");
	else if (pass(fd, b->raw_len, dd_gzwrite, &pl.z.gw) || dd_gzwrite_finish(&pl.z.gw))
		rc = dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", path,
			    errno == EAGAIN ? "changed while bundling" : strerror(errno));
	dd_gzwrite_end(&pl.z.gw);
	close(fd);
	dd_sha256_out(&pl.raw, d);
	if (!rc && memcmp(d, b->raw_sha256, 32))
		rc = dd_say(err, errsz, DD_EXIT_VERIFY, "%s: changed while bundling (SHA-256 differs)", path);
	b->len = pl.outlen;
	dd_sha256_out(&pl.out, b->sha256);
	return rc;
}

/* Inflate the blob into fd, hashing the program; 0, -1 (bad data) or -2 (write) with why. */
static int inflate_to(int fd, uint64_t *len, char *why, size_t whysz)
{
	ssize_t n;

	*len = 0;
	dd_sha256_init(&pl.raw);
	while ((n = dd_gunzip_read(&pl.z.gz, pl.buf, sizeof pl.buf)) > 0) {
		dd_sha256_update(&pl.raw, pl.buf, (size_t)n);
		*len += (uint64_t)n;
		if (dd_write_all(fd, pl.buf, (size_t)n) != 0)
			return snprintf(why, whysz, "write: %s", strerror(errno)), -2;
	}
	if (n < 0)
		return snprintf(why, whysz, "%s", pl.z.gz.err), -1;
	return 0;
}

int dd_plugin_unpack(const struct dd_payload *p, const struct dd_blob *b, int top, char *err,
		     size_t errsz)
{
	unsigned char d[32], raw[32];
	char why[160] = "";
	uint64_t len = 0;
	int dfd, fd, io = 0;

	if ((mkdirat(top, DD_PLUGIN_DIR, 0755) != 0 && errno != EEXIST) ||
	    (dfd = openat(top, DD_PLUGIN_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", DD_PLUGIN_DIR, strerror(errno));
	fd = dd_plugin_name_ok(b->name) ? openat(dfd, b->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755) : -1;
	close(dfd);
	if (fd < 0)
		return dd_say(err, errsz, DD_EXIT_VERIFY, "plugin %s: %s", b->name,
			      dd_plugin_name_ok(b->name) ? strerror(errno) : "not a plugin's name");
	dd_blobsrc_init(&pl.src, p->fd, b->off, b->len);
	if (dd_gunzip_init(&pl.z.gz, dd_blobsrc_next, &pl.src) != 0)
		snprintf(why, sizeof why, "inflateInit failed");
	else if ((io = inflate_to(fd, &len, why, sizeof why)) == 0 && fchmod(fd, 0755) != 0)
		io = -2, snprintf(why, sizeof why, "chmod: %s", strerror(errno));
	dd_gunzip_end(&pl.z.gz);
	close(fd);
	dd_sha256_out(&pl.raw, raw);
	if (dd_blobsrc_finish(&pl.src, d) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "read: %s", strerror(errno));
	/* A write that failed is this machine's problem; anything else is the payload's. */
	if (io == -2 && !memcmp(d, b->sha256, 32))
		return dd_say(err, errsz, DD_EXIT_FAIL, "plugin %s: %s", b->name, why);
	if (why[0] || memcmp(d, b->sha256, 32) || memcmp(raw, b->raw_sha256, 32) || len != b->raw_len)
		return dd_say(err, errsz, DD_EXIT_VERIFY, "plugin %s %s: SHA-256 mismatch; the payload is damaged",
			      b->name, b->version);
	return 0;
}
