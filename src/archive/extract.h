/* Safe extraction of a tar stream into a directory (STYLE.md point 7, libarchive's
 * SECURE_NODOTDOT/SECURE_SYMLINKS/SECURE_NOABSOLUTEPATHS made the only behaviour). All
 * work is relative to a directory fd with openat/mkdirat/symlinkat/linkat and
 * O_NOFOLLOW: a path is walked one component at a time and never through a symlink.
 *
 * Refused (the whole extraction stops with an error): absolute paths, ".." components,
 * a path whose directory part is (or goes through) a symlink or a non-directory, hard
 * links whose target is absolute, has "..", or does not exist in the tree, symlinks whose
 * target is absolute or climbs out of the tree, device nodes, fifos, unknown types, a file
 * replacing a directory. Kept: regular files, directories, contained symlinks and hard
 * links; permission bits & 0755 (group and world write, setuid, setgid and sticky
 * dropped: nothing extracted can be rewritten by another user); file mtimes; owner is
 * whoever extracts (root when installing). Leading "./" and repeated '/' are normalised. */
#ifndef DD_EXTRACT_H
#define DD_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "archive/tar.h"

#define DD_EXTRACT_DEFER 64	/* directories whose final mode/mtime are set at the end */

struct dd_extract_dir {
	char path[256];		/* normalised path; longer ones get their mode at once */
	unsigned mode;
	int64_t mtime;
};

/* The SHA-256 of each file an extraction wrote, by path (dd_extract.sums, optional): for a
 * caller that would otherwise read the files back to hash them (install's tree digest,
 * host/enginesum.c). Slots are taken atomically, so the workers of one unpack share a
 * table. A hard link, or a file written by an extraction with sums_poison set (the extras
 * an unpack adds to the same tree), makes its path unknown whatever the order. */
#define DD_EXTRACT_SUMS 256
struct dd_extract_sum {
	char path[200];		/* normalised, below the root */
	unsigned char sha256[32];
	unsigned char poison;	/* this path's file is not (only) the one hashed */
};
struct dd_extract_sums {
	unsigned n;		/* slots taken (may pass DD_EXTRACT_SUMS) */
	struct dd_extract_sum s[DD_EXTRACT_SUMS];
};
/* The digest of the file at path: when sums has exactly one entry for it, not poisoned, and
 * never overflowed (a path longer than an entry takes or a slot past the end poison all). */
const unsigned char *dd_extract_sum(const struct dd_extract_sums *sums, const char *path);

struct dd_extract {
	int rootfd;
	uint64_t files, dirs, links, bytes;	/* what was written */
	unsigned ndefer;
	struct dd_extract_dir defer[DD_EXTRACT_DEFER];
	int code;		/* DD_EXIT_VERIFY: the archive is bad/hostile; DD_EXIT_FAIL: I/O */
	char err[512];		/* one line: what and on which entry, no trailing newline */
	int writeback;		/* set by the caller: start each file's write to disk as soon as
				 * it is written (sync_file_range), for a syncfs at the end to
				 * find most of it done */
	struct dd_extract_sums *sums;	/* set by the caller: each file's digest goes there */
	int sums_poison;		/* and with this, only each file's "unknown" */
};

/* rootfd stays owned by the caller. */
void dd_extract_init(struct dd_extract *x, int rootfd);
/* Extract the whole archive: tar_next/tar_read until end, writing data through buf.
 * 0 on success (deferred directory modes applied); -1 with x->code and x->err set. Parts
 * already written stay (the caller extracts into a staging directory and removes it). */
int dd_extract_all(struct dd_extract *x, struct tar_reader *r, void *buf, size_t bufsz);
/* One entry (for callers that look at entries as they go); data is read from r. */
int dd_extract_entry(struct dd_extract *x, struct tar_reader *r, const struct tar_entry *e,
		     void *buf, size_t bufsz);
/* Apply deferred directory modes and mtimes. 0 or -1 with x->code/x->err. */
int dd_extract_finish(struct dd_extract *x);
/* The path an archive name is extracted to ("./a//b/" -> "a/b", "" for the root): NULL,
 * or why it is refused. For checks that must see names as extraction will. */
const char *dd_extract_normalise(const char *in, char out[TAR_NAME_MAX]);

#endif
