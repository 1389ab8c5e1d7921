#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "archive/extract.h"
#include "archive/gunzip.h"
#include "archive/tar.h"
#include "archive/gzindex.h"
#include "bundle/blobsrc.h"
#include "bundle/layout.h"
#include "bundle/punpack.h"
#include "bundle/unpack.h"
#include "bundle/xtables.h"
#include "util/interrupt.h"
#include "util/io.h"
#include "util/cpus.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/rmtree.h"

#define BUF (128 * 1024)

/* Big, fixed and used once per run: static rather than on the stack. */
static struct {
	struct dd_blobsrc src;
	struct dd_gunzip gz;
	struct tar_reader tar;
	struct dd_extract x;
	unsigned char buf[BUF];
	struct dd_gzi gzi;
	unsigned char index[DD_GZI_HEAD + DD_GZI_POINTS * (DD_GZI_REC + DD_GZI_WINDOW)];
	int writeback;		/* DD_UNPACK_SYNC: see dd_extract.writeback */
	int want_sums;		/* DD_UNPACK_ENGINE: the engine's tree digest follows */
	struct dd_extract_sums sums;	/* the blob's files' digests (the extras' marked) */
} u;

/* base in pfd must be absent or an empty directory, or any directory with replace (dir
 * names it in messages). */
static int check_target(int pfd, const char *base, const char *dir, int replace, char *err,
			size_t errsz)
{
	struct stat st;
	int fd, n = 0;

	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s: not a usable directory name", dir);
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0
				       : dd_say(err, errsz, DD_EXIT_USAGE, "%s: %m", dir);
	if (!S_ISDIR(st.st_mode))
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s exists and is not a directory", dir);
	if (replace)
		return 0;
	fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		/* getdents would be exact; ".", ".." and nothing else means st_nlink == 2 on
		 * most file systems, so count entries the portable way. */
		DIR *d = fdopendir(fd);
		struct dirent *e;

		while (d && (e = readdir(d)))
			n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
		if (d)
			closedir(d);
		else
			close(fd);
	}
	return n ? dd_say(err, errsz, DD_EXIT_USAGE, "%s exists and is not empty; remove it or choose another directory", dir)
		 : 0;
}

/* extras: b is one of the extras unpacked into the same tree (its files then mark their
 * paths unknown in the engine's table of digests). */
static int serial(const struct dd_payload *p, const struct dd_blob *b, int stagefd, int extras,
		  char *err, size_t errsz)
{
	unsigned char digest[32];
	ssize_t r;

	dd_blobsrc_init(&u.src, p->fd, b->off, b->len);
	u.src.progress = strcmp(b->kind, "engine") ? NULL : "unpacking engine";
	if (dd_gunzip_init(&u.gz, dd_blobsrc_next, &u.src) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "inflateInit failed");
	tar_reader_init(&u.tar, dd_gunzip_read, &u.gz);
	dd_extract_init(&u.x, stagefd);
	u.x.writeback = u.writeback;
	u.x.sums = u.want_sums ? &u.sums : NULL;
	u.x.sums_poison = extras;
	if (dd_extract_all(&u.x, &u.tar, u.buf, sizeof u.buf) != 0) {
		dd_gunzip_end(&u.gz);
		if (u.x.code == DD_EXIT_FAIL)
			return dd_say(err, errsz, DD_EXIT_FAIL, "%s", u.x.err);
		/* A damaged blob shows up as bad gzip or tar data first: hash the rest to
		 * tell damage (the usual case) from an archive that is bad as published. */
		if (dd_blobsrc_finish(&u.src, digest) == 0 && memcmp(digest, b->sha256, 32) != 0)
			return dd_say(err, errsz, DD_EXIT_VERIFY, "%s %s %s: SHA-256 mismatch; the payload is damaged",
				      b->kind, b->name, b->version);
		return dd_say(err, errsz, DD_EXIT_VERIFY, "%s", u.gz.err[0] ? u.gz.err : u.x.err);
	}
	/* The tar end marker is not the end of the gzip data: inflate the rest (checking
	 * its CRC) and hash every remaining byte. */
	while ((r = dd_gunzip_read(&u.gz, u.buf, sizeof u.buf)) > 0)
		;
	dd_gunzip_end(&u.gz);
	if (r < 0)
		return dd_say(err, errsz, DD_EXIT_VERIFY, "engine data damaged: %s", u.gz.err);
	if (dd_blobsrc_finish(&u.src, digest) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "read: %m");
	if (memcmp(digest, b->sha256, 32) != 0)
		return dd_say(err, errsz, DD_EXIT_VERIFY, "%s %s %s: SHA-256 mismatch; the payload is damaged",
			   b->kind, b->name, b->version);
	return 0;
}

/* The carried plugins and iptables into the engine's staging directory, iptables's names
 * linked. */
static int unpack_more(const struct dd_payload *p, const struct dd_unpack_more *more, int stagefd,
		       char *err, size_t errsz)
{
	char why[200];
	int rc;

	for (unsigned i = 0; more && i < more->nplug; i++)
		if ((rc = dd_plugin_unpack(p, more->plug[i], stagefd, err, errsz)))
			return rc;
	if (!more || !more->xt)
		return 0;
	if ((rc = serial(p, more->xt, stagefd, 1, err, errsz)))
		return rc;
	if (dd_xt_finish(stagefd, more->xt_prog, why, sizeof why) != 0)
		return dd_say(err, errsz, DD_EXIT_VERIFY, "%s %s %s: %s", more->xt->kind,
			      more->xt->name, more->xt->version, why);
	return 0;
}

/* The engine's index blob (the one after it), checked against its manifest digest. 1 when
 * usable, 0 when there is none or it is unusable (serial then), or an exit code. */
static int load_index(const struct dd_payload *p, const struct dd_blob *b, char *err,
		      size_t errsz)
{
	const struct dd_blob *ix = b + 1;
	unsigned char d[32];
	const char *env = getenv("DOCKDROP_SERIAL");
	dd_sha256 c;

	if (ix >= p->m.blob + p->m.nblobs || strcmp(ix->kind, "index") || (env && *env == '1') ||
	    dd_cpus() < 2 || ix->len > sizeof u.index)
		return 0;
	if (pread(p->fd, u.index, (size_t)ix->len, (off_t)ix->off) != (ssize_t)ix->len)
		return dd_say(err, errsz, DD_EXIT_FAIL, "read: %s", strerror(errno ? errno : EPIPE));
	dd_sha256_init(&c);
	dd_sha256_update(&c, u.index, (size_t)ix->len);
	dd_sha256_out(&c, d);
	if (memcmp(d, ix->sha256, 32) != 0)
		return dd_say(err, errsz, DD_EXIT_VERIFY, "index of engine %s: SHA-256 mismatch; the payload is damaged",
			   b->version);
	return dd_gzi_parse(u.index, (size_t)ix->len, &u.gzi) == 0;
}

/* A fresh staging directory ".BASE.dockdrop-XXXXXX" (0700) beside the target in pfd: its
 * fd, or minus an exit code. */
static int new_stage(int pfd, const char *base, char *stage, size_t stagesz, char *err,
		     size_t errsz)
{
	static unsigned counter;
	unsigned seed = (unsigned)getpid() * 2654435761u ^ (unsigned)time(NULL);
	int fd, tries;

	for (tries = 0;; tries++) {
		if (snprintf(stage, stagesz, ".%s.dockdrop-%06x", base,
			     (seed + counter++ * 40503u) & 0xffffff) >= (int)stagesz)
			return -dd_say(err, errsz, DD_EXIT_USAGE, "%s: name too long", base);
		if (mkdirat(pfd, stage, 0700) == 0)
			break;
		if (errno != EEXIST || tries == 99)
			return -dd_say(err, errsz, DD_EXIT_FAIL, "%s: cannot make a staging directory: %m",
				       base);
	}
	fd = openat(pfd, stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", stage);
		unlinkat(pfd, stage, AT_REMOVEDIR);
		return -DD_EXIT_FAIL;
	}
	return fd;
}

static void drop_stage(int pfd, const char *stage)
{
	if (dd_rmtree_at(pfd, stage) != 0)
		dd_warn("could not remove the staging directory %s: %m", stage);
}

/* Two workers when the index allows; serially otherwise or when the index does not fit
 * the stream (a fresh staging directory then). */
static int extract_into(const struct dd_payload *p, const struct dd_blob *b, int parent,
			const char *base, char *stage, size_t stagesz, int *stagefd, char *err,
			size_t errsz)
{
	int rc = load_index(p, b, err, errsz);

	if (rc > 1)
		return rc;
	memset(&u.x, 0, sizeof u.x);
	u.x.writeback = u.writeback;
	u.x.sums = u.want_sums ? &u.sums : NULL;
	if (rc == 1) {
		rc = dd_punpack(p, b, &u.gzi, *stagefd, &u.x, err, errsz);
		if (rc != DD_PUNPACK_FALLBACK || dd_interrupted())
			return rc;
		dd_debug("extract: the index does not fit the stream; unpacking serially");
		close(*stagefd);
		drop_stage(parent, stage);
		u.sums.n = 0;
		if ((*stagefd = new_stage(parent, base, stage, stagesz, err, errsz)) < 0)
			return -*stagefd;
	}
	return serial(p, b, *stagefd, 0, err, errsz);
}

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* The staged tree becomes base in pfd. With replace and base there: exchanged (*old set:
 * stage now holds the old tree, for the caller to remove), or where the file system
 * cannot exchange, base moved aside to ".BASE.dockdrop-old-PID" (swept by a later install
 * if we are killed) and put back if the rename fails. 0 or -1 with errno. */
static int put_in_place(int pfd, const char *stage, const char *base, int replace, int *old)
{
	char aside[NAME_MAX + 1];
	struct stat st;
	int e;

	*old = 0;
	if (!replace || (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT))
		return renameat(pfd, stage, pfd, base);
	if (syscall(SYS_renameat2, pfd, stage, pfd, base, RENAME_EXCHANGE) == 0)
		return *old = 1, 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (snprintf(aside, sizeof aside, ".%s.dockdrop-old-%ld", base, (long)getpid()) >=
	    (int)sizeof aside)
		return errno = ENAMETOOLONG, -1;
	if (renameat(pfd, base, pfd, aside) != 0)
		return -1;
	if (renameat(pfd, stage, pfd, base) != 0) {
		e = errno;
		renameat(pfd, aside, pfd, base);
		errno = e;
		return -1;
	}
	drop_stage(pfd, aside);
	return 0;
}

int dd_unpack_at(const struct dd_payload *p, const struct dd_blob *b, int parent,
		 const char *base, const char *dir, unsigned flags,
		 const struct dd_unpack_more *more, struct dd_unpack_stats *st, char *err,
		 size_t errsz)
{
	char stage[NAME_MAX + 1], why[200];
	int rc, stagefd, old = 0;

	if ((rc = check_target(parent, base, dir, !!(flags & DD_UNPACK_REPLACE), err, errsz)))
		return rc;
	u.writeback = !!(flags & DD_UNPACK_SYNC);
	u.want_sums = !!(flags & DD_UNPACK_ENGINE);
	u.sums.n = 0;
	stagefd = new_stage(parent, base, stage, sizeof stage, err, errsz);
	if (stagefd < 0)
		return -stagefd;
	rc = extract_into(p, b, parent, base, stage, sizeof stage, &stagefd, err, errsz);
	dd_progress_end();
	if (stagefd < 0)
		return rc;
	if (rc == 0)
		rc = unpack_more(p, more, stagefd, err, errsz);
	if (rc == 0 && (flags & DD_UNPACK_ENGINE) && dd_engine_layout_check(stagefd, why, sizeof why) != 0)
		rc = dd_say(err, errsz, DD_EXIT_VERIFY, "engine %s %s: %s", b->name, b->version, why);
	if (rc == 0 && fchmod(stagefd, 0755) != 0)
		rc = dd_say(err, errsz, DD_EXIT_FAIL, "%s: chmod: %m", stage);
	if (rc == 0 && (flags & DD_UNPACK_SYNC)) {
		if (syncfs(stagefd) != 0)
			rc = dd_say(err, errsz, DD_EXIT_FAIL, "%s: sync: %m", stage);
		dd_fault_point(); /* a whole staging directory, not yet renamed */
	}
	if (stagefd >= 0)
		close(stagefd);
	if (rc == 0 && put_in_place(parent, stage, base, !!(flags & DD_UNPACK_REPLACE), &old) != 0)
		rc = dd_say(err, errsz, DD_EXIT_FAIL, "rename %s to %s: %m", stage, dir);
	if (rc != 0) {
		drop_stage(parent, stage);
		if (dd_interrupted())
			rc = dd_say(err, errsz, DD_EXIT_FAIL, "interrupted by signal %d; %s left as it was",
				    dd_interrupted(), dir);
		return rc;
	}
	if (old)
		drop_stage(parent, stage); /* the tree that was replaced */
	dd_fsync_dir(parent);
	if (st)
		*st = (struct dd_unpack_stats){ u.x.files, u.x.dirs, u.x.links, u.x.bytes };
	return 0;
}

const struct dd_extract_sums *dd_unpack_sums(void)
{
	return &u.sums;
}

int dd_unpack(const struct dd_payload *p, const struct dd_blob *b, const char *dir,
	      unsigned flags, struct dd_unpack_stats *st, char *err, size_t errsz)
{
	char parent[DD_PATH_MAX], target[DD_PATH_MAX];
	const char *base;
	size_t n = strlen(dir);
	int rc, pfd;

	/* "DIR/" names DIR. */
	if (n >= sizeof target)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%.100s...: path too long", dir);
	memcpy(target, dir, n + 1);
	while (n > 1 && target[n - 1] == '/')
		target[--n] = 0;
	dir = target;
	if (dd_path_split(dir, parent, sizeof parent, &base) != 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s: not a usable directory name", dir);
	if ((pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s: no such directory", parent);
	rc = dd_unpack_at(p, b, pfd, base, dir, flags, NULL, st, err, errsz);
	close(pfd);
	return rc;
}
