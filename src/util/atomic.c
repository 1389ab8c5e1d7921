#include "util/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/io.h"

int dd_afile_open(struct dd_afile *af, const char *path, mode_t mode)
{
	static unsigned counter;
	char dir[DD_PATH_MAX];
	const char *base;
	int tries;

	af->fd = -1;
	af->tmp[0] = 0;
	if (dd_path_split(path, dir, sizeof dir, &base) < 0)
		return -1;
	if (snprintf(af->dst, sizeof af->dst, "%s", path) >= (int)sizeof af->dst) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* The base is cut in the temporary name so that a long legal name stays legal. */
	for (tries = 0; tries < 100; tries++) {
		int n = snprintf(af->tmp, sizeof af->tmp, "%s/.%.200s.dd-%ld-%u", dir, base,
				 (long)getpid(), counter++);

		if (n < 0 || n >= (int)sizeof af->tmp) {
			errno = ENAMETOOLONG;
			af->tmp[0] = 0;
			return -1;
		}
		af->fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			      mode & 0600);
		if (af->fd >= 0)
			break;
		if (errno != EEXIST) {
			af->tmp[0] = 0;
			return -1;
		}
	}
	if (af->fd < 0) {
		af->tmp[0] = 0;
		return -1;
	}
	/* Created owner-only above; now the exact mode, whatever the umask. */
	if (fchmod(af->fd, mode) < 0) {
		dd_afile_abort(af);
		return -1;
	}
	return 0;
}

int dd_afile_write(struct dd_afile *af, const void *buf, size_t n)
{
	return dd_write_all(af->fd, buf, n);
}

void dd_afile_abort(struct dd_afile *af)
{
	int saved = errno;

	if (af->fd >= 0)
		close(af->fd);
	af->fd = -1;
	if (af->tmp[0])
		unlink(af->tmp);
	af->tmp[0] = 0;
	errno = saved;
}

int dd_afile_sync(struct dd_afile *af)
{
	if (fsync(af->fd) < 0)
		goto fail;
	if (close(af->fd) < 0) {
		af->fd = -1;
		goto fail;
	}
	af->fd = -1;
	return 0;
fail:
	dd_afile_abort(af);
	return -1;
}

int dd_afile_rename(struct dd_afile *af)
{
	if (rename(af->tmp, af->dst) < 0) {
		dd_afile_abort(af);
		return -1;
	}
	af->tmp[0] = 0;
	return dd_fsync_parent(af->dst);
}

int dd_afile_commit(struct dd_afile *af)
{
	return dd_afile_sync(af) < 0 ? -1 : dd_afile_rename(af);
}

int dd_write_atomic_as(const char *path, const void *buf, size_t n, mode_t mode, uid_t uid,
		       gid_t gid)
{
	struct dd_afile af;

	if (dd_afile_open(&af, path, mode) < 0)
		return -1;
	/* chown clears setuid/setgid bits: the mode is set again after it. */
	if (((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	     (fchown(af.fd, uid, gid) < 0 || fchmod(af.fd, mode) < 0)) ||
	    dd_afile_write(&af, buf, n) < 0) {
		dd_afile_abort(&af);
		return -1;
	}
	return dd_afile_commit(&af);
}

int dd_write_atomic_like(const char *path, const void *buf, size_t n, const char *like,
			 mode_t dflt)
{
	struct stat st;

	if (lstat(like, &st) != 0 || !S_ISREG(st.st_mode))
		return dd_write_atomic(path, buf, n, dflt);
	return dd_write_atomic_as(path, buf, n, st.st_mode & 07777, st.st_uid, st.st_gid);
}

int dd_write_atomic(const char *path, const void *buf, size_t n, mode_t mode)
{
	return dd_write_atomic_as(path, buf, n, mode, (uid_t)-1, (gid_t)-1);
}
