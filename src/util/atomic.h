/* Atomic file replacement (skalibs openwritenclose style): data goes to a temporary name
 * in the target's directory, created O_EXCL|O_NOFOLLOW with the final mode (so a key is
 * never readable by others, not even for a moment), then fsync, rename over the target
 * and fsync of the directory. On any failure the temporary is removed and errno kept. */
#ifndef DD_ATOMIC_H
#define DD_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

#define DD_PATH_MAX 4096

struct dd_afile {
	int fd;
	char dst[DD_PATH_MAX];
	char tmp[DD_PATH_MAX];
};

/* Start writing path with the given mode (exactly: umask does not apply). */
int dd_afile_open(struct dd_afile *af, const char *path, mode_t mode);
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
/* The same, the new file owned by uid:gid ((uid_t)-1 and (gid_t)-1 leave the owner as
 * created): a file replaced keeps its owner. */
int dd_write_atomic_as(const char *path, const void *buf, size_t n, mode_t mode, uid_t uid,
		       gid_t gid);
/* The same with the mode and owner of the file like (path itself, say, or the copy it
 * is restored from); mode dflt and the caller's owner when like is absent. */
int dd_write_atomic_like(const char *path, const void *buf, size_t n, const char *like,
			 mode_t dflt);

#endif
