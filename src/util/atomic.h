/* Atomic file replacement (skalibs openwritenclose style): data goes to a temporary name
 * in the target's directory, created O_EXCL|O_NOFOLLOW with the final mode (so a key is
 * never readable by others, not even for a moment), then fsync, rename over the target
 * and fsync of the directory. On any failure the temporary is removed and errno kept.
 * Every step is relative to a directory fd (the _at form; host/root gives the fd of a
 * target directory resolved inside --root); the path form opens the directory first. */
#ifndef DD_ATOMIC_H
#define DD_ATOMIC_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define DD_PATH_MAX 4096

struct dd_afile {
	int fd;
	int dirfd;		/* the directory's fd, owned: closed by commit and abort */
	char dst[NAME_MAX + 1];	/* names inside dirfd */
	char tmp[NAME_MAX + 1];
};

/* Start writing path with the given mode (exactly: umask does not apply). */
int dd_afile_open(struct dd_afile *af, const char *path, mode_t mode);
/* The same for name (one component, not followed: a symlink there is replaced) in the
 * directory dirfd, which is duplicated (the caller keeps its fd). */
int dd_afile_openat(struct dd_afile *af, int dirfd, const char *name, mode_t mode);
int dd_afile_write(struct dd_afile *af, const void *buf, size_t n);
/* fsync, close and rename into place; the temporary is gone whatever the result. A
 * failure after the rename (the directory fsync) still returns -1: the new content is in
 * place but not known to be durable. */
int dd_afile_commit(struct dd_afile *af);
/* Drop the temporary; errno is preserved. */
void dd_afile_abort(struct dd_afile *af);
/* dd_afile_commit in two steps, for files that change together (a key and its
 * certificate): dd_afile_sync makes the temporary durable and closes it (kept, still
 * dropped by dd_afile_abort); dd_afile_rename puts it in place and fsyncs the directory.
 * Writing every file of a set before the first rename leaves only the renames in the
 * window a kill can hit. 0 or -1 with errno (the temporary gone on a failed rename). */
int dd_afile_sync(struct dd_afile *af);
int dd_afile_rename(struct dd_afile *af);

/* The whole cycle for a buffer. 0 or -1 with errno; path keeps its old content on any
 * failure before the rename. */
int dd_write_atomic(const char *path, const void *buf, size_t n, mode_t mode);
/* The same in dirfd, the new file owned by uid:gid ((uid_t)-1 and (gid_t)-1 leave the
 * owner as created). */
int dd_write_atomic_at(int dirfd, const char *name, const void *buf, size_t n, mode_t mode,
		       uid_t uid, gid_t gid);

#endif
