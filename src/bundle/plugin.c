#include "bundle/plugin.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/gunzip.h"
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
	struct dd_gunzip gz;
	dd_sha256 raw;
	uint64_t rawlen;
	unsigned char head[64];
	unsigned char buf[BUF];
} pl;

int dd_plugin_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n < 8 || n >= DD_FIELD_MAX || strncmp(name, "docker-", 7))
		return 0;
	/* the set Compose names projects with (workload/compose.c), less '_' and '-' */
	return strspn(name + 7, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n - 7 &&
	       !strpbrk(name + 7, "_-");
}

/* The Version its docker-cli-plugin-metadata answers, when it runs here. */
static void metadata_version(const char *path, char *ver, size_t versz)
{
	static const char *const env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
					   "HOME=/root", NULL };
	const char *argv[] = { path, "docker-cli-plugin-metadata", NULL };
	char out[2048], v[DD_FIELD_MAX];

	if (dd_run(argv, env, DD_RUN_STDOUT, 10, out, sizeof out) != 0 ||
	    dd_json_check(out, strlen(out), 4, NULL) != 0 ||
	    dd_json_member_str(out, strlen(out), "Version", v, sizeof v) != 0 || !dd_manifest_field_ok(v))
		return;
	snprintf(ver, versz, "%s", v);
}

/* The next bytes of the program (inflated when gz), hashed, its first 64 kept in head;
 * with out >= 0 also written there. Bytes read, 0 at the end, -1 with errno. */
static ssize_t next(int gz, int out)
{
	ssize_t n = gz ? dd_gunzip_read(&pl.gz, pl.buf, sizeof pl.buf)
		       : dd_blobsrc_read(&pl.src, pl.buf, sizeof pl.buf);

	if (n <= 0)
		return n;
	if (pl.rawlen < sizeof pl.head)
		memcpy(pl.head + pl.rawlen, pl.buf,
		       (size_t)n < sizeof pl.head - pl.rawlen ? (size_t)n : sizeof pl.head - pl.rawlen);
	dd_sha256_update(&pl.raw, pl.buf, (size_t)n);
	pl.rawlen += (uint64_t)n;
	return out >= 0 && dd_write_all(out, pl.buf, (size_t)n) ? -1 : n;
}

/* Stream the blob (from fd at off, len bytes) through next() to its end. 0 or -1. */
static int stream(int fd, uint64_t off, uint64_t len, int gz, int out)
{
	ssize_t n;

	dd_blobsrc_init(&pl.src, fd, off, len);
	dd_sha256_init(&pl.raw);
	pl.rawlen = 0;
	memset(pl.head, 0, sizeof pl.head);
	if (gz && dd_gunzip_init(&pl.gz, dd_blobsrc_next, &pl.src) != 0)
		return errno = ENOMEM, -1;
	while ((n = next(gz, out)) > 0)
		;
	if (gz)
		dd_gunzip_end(&pl.gz);
	return n < 0 ? -1 : 0;
}

/* NULL when the program is an executable for arch; the architecture it is for when that
 * is another; else why it is none ("not ..."). */
static const char *elf_why(const char *arch)
{
	const char *a = dd_elf_arch(pl.head, sizeof pl.head);

	if (!a || (pl.head[16] != ET_EXEC && pl.head[16] != ET_DYN) || pl.head[17])
		return "not an ELF executable of a known architecture";
	return strcmp(a, arch) ? a : NULL;
}

int dd_plugin_scan(const char *path, const char *arch, struct dd_blob *b, char *err,
		   size_t errsz)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path, *why;
	char tmp[] = "/tmp/dockdrop-plugin-XXXXXX";
	unsigned char magic[2] = { 0 };
	size_t n = strlen(base);
	struct stat st;
	int fd, gz, out = -1, rc;

	memset(b, 0, sizeof *b);
	gz = n > 3 && !strcmp(base + n - 3, ".gz");
	snprintf(b->name, sizeof b->name, "%.*s", (int)(gz ? n - 3 : n), base);
	if (!dd_plugin_name_ok(b->name))
		return dd_say(err, errsz, DD_EXIT_USAGE, "--plugin %s: name it docker-NAME or docker-NAME.gz (NAME: a-z, 0-9)",
			      path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0 || fstat(fd, &st) ||
	    !S_ISREG(st.st_mode) || !st.st_size || pread(fd, magic, 2, 0) != 2 ||
	    gz != (magic[0] == 0x1f && magic[1] == 0x8b)) {
		rc = fd < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
		return dd_say(err, errsz, DD_EXIT_USAGE, "--plugin %s: %s", path,
			      rc ? strerror(rc) : gz ? "not a gzip file" : "not a non-empty program");
	}
	/* A gzip'd program that runs here is run from a copy, for its metadata. */
	if (gz && !strcmp(arch, HERE) && (out = mkstemp(tmp)) >= 0 && fchmod(out, 0700) != 0) {
		close(out);
		unlink(tmp);
		out = -1;
	}
	b->len = (uint64_t)st.st_size;
	rc = stream(fd, 0, b->len, gz, out);
	if (rc == 0)
		rc = dd_blobsrc_finish(&pl.src, b->sha256);
	why = rc ? (gz && pl.gz.err[0] ? pl.gz.err : strerror(errno)) : elf_why(arch);
	/* A 64-bit little-endian program at hand (its copy, or itself) ends where its headers say. */
	if (!why && pl.head[4] == 2 && pl.head[5] == 1 && (gz ? out : fd) >= 0) {
		uint64_t end;

		if (dd_elf_size(gz ? out : fd, pl.rawlen, &end) != DD_ELF_OK)
			why = "not a whole ELF executable (cut short?)";
	}
	close(fd);
	if (out >= 0 && close(out) != 0 && !why)
		rc = -1, why = strerror(errno);
	strcpy(b->version, "unknown");
	if (!why && !strcmp(arch, HERE))
		metadata_version(gz ? tmp : path, b->version, sizeof b->version);
	if (out >= 0)
		unlink(tmp);
	if (why && !rc && strncmp(why, "not ", 4))
		return dd_say(err, errsz, DD_EXIT_USAGE, "--plugin %s: a program for %s, the engine is %s; nothing written",
			      path, why, arch);
	if (why)
		return dd_say(err, errsz, DD_EXIT_USAGE, "--plugin %s: %s; nothing written", path, why);
	strcpy(b->kind, DD_PLUGIN_KIND);
	strcpy(b->arch, arch);
	if (gz) {
		b->raw_len = pl.rawlen;
		dd_sha256_out(&pl.raw, b->raw_sha256);
	}
	return 0;
}

int dd_plugin_unpack(const struct dd_payload *p, const struct dd_blob *b, int top, char *err,
		     size_t errsz)
{
	unsigned char d[32], raw[32];
	int dfd, fd, rc, e;

	if ((mkdirat(top, DD_PLUGIN_DIR, 0755) != 0 && errno != EEXIST) ||
	    (dfd = openat(top, DD_PLUGIN_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", DD_PLUGIN_DIR);
	fd = dd_plugin_name_ok(b->name) ? openat(dfd, b->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755) : -1;
	close(dfd);
	if (fd < 0)
		return dd_say(err, errsz, DD_EXIT_VERIFY, "plugin %s: %s", b->name,
			      dd_plugin_name_ok(b->name) ? strerror(errno) : "not a plugin's name");
	rc = stream(p->fd, b->off, b->len, b->raw_len != 0, fd);
	e = errno;
	if (rc == 0 && fchmod(fd, 0755) != 0)
		rc = -1, e = errno;
	close(fd);
	dd_sha256_out(&pl.raw, raw);
	if (dd_blobsrc_finish(&pl.src, d) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "read: %m");
	/* A write that failed is this machine's problem; anything else is the payload's. */
	if (rc && e != EBADMSG && e != EPIPE && !memcmp(d, b->sha256, 32))
		return dd_say(err, errsz, DD_EXIT_FAIL, "plugin %s: %s", b->name, strerror(e));
	if (rc || memcmp(d, b->sha256, 32) ||
	    (b->raw_len && (memcmp(raw, b->raw_sha256, 32) || pl.rawlen != b->raw_len)))
		return dd_say(err, errsz, DD_EXIT_VERIFY, "plugin %s %s: SHA-256 mismatch; the payload is damaged",
			      b->name, b->version);
	return 0;
}
