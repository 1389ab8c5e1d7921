#include "util/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/io.h"

int dd_afile_openat(struct dd_afile *af, int dirfd, const char *name, mode_t mode)
{
	static unsigned counter;
	int tries;

	af->fd = -1;
	af->dirfd = -1;
	af->tmp[0] = 0;
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		errno = EINVAL;
		return -1;
	}
	if (strlen(name) >= sizeof af->dst) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(af->dst, name);
	if ((af->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	/* The base is cut in the temporary name so that a long legal name stays legal. */
	for (tries = 0; tries < 100; tries++) {
		snprintf(af->tmp, sizeof af->tmp, ".%.200s.dd-%ld-%u", name, (long)getpid(), counter++);
		af->fd = openat(af->dirfd, af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				mode & 0600);
		if (af->fd >= 0 || errno != EEXIST)
			break;
	}
	if (af->fd < 0) {
		af->tmp[0] = 0;
		dd_afile_abort(af);
		return -1;
	}
	/* Created owner-only above; now the exact mode, whatever the umask. */
	if (fchmod(af->fd, mode) < 0) {
		dd_afile_abort(af);
		return -1;
	}
	return 0;
}

int dd_afile_open(struct dd_afile *af, const char *path, mode_t mode)
{
	char dir[DD_PATH_MAX];
	const char *base;
	int dfd, rc, e;

	af->fd = -1;
	af->dirfd = -1;
	af->tmp[0] = 0;
	if (dd_path_split(path, dir, sizeof dir, &base) < 0)
		return -1;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = dd_afile_openat(af, dfd, base, mode);
	e = errno;
	close(dfd);
	errno = e;
	return rc;
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
	if (af->tmp[0] && af->dirfd >= 0)
		unlinkat(af->dirfd, af->tmp, 0);
	af->tmp[0] = 0;
	if (af->dirfd >= 0)
		close(af->dirfd);
	af->dirfd = -1;
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
	int rc;

	if (renameat(af->dirfd, af->tmp, af->dirfd, af->dst) < 0) {
		dd_afile_abort(af);
		return -1;
	}
	af->tmp[0] = 0;
	rc = dd_fsync_dir(af->dirfd);
	dd_afile_abort(af); /* closes the directory, errno kept */
	return rc;
}

int dd_afile_commit(struct dd_afile *af)
{
	return dd_afile_sync(af) < 0 ? -1 : dd_afile_rename(af);
}

/* The cycle for a buffer on an opened afile; the owner set first when asked. */
static int write_all(struct dd_afile *af, const void *buf, size_t n, mode_t mode, uid_t uid,
		     gid_t gid)
{
	/* chown clears setuid/setgid bits: the mode is set again after it. */
	if (((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	     (fchown(af->fd, uid, gid) < 0 || fchmod(af->fd, mode) < 0)) ||
	    dd_afile_write(af, buf, n) < 0) {
		dd_afile_abort(af);
		return -1;
	}
	return dd_afile_commit(af);
}

int dd_write_atomic_at(int dirfd, const char *name, const void *buf, size_t n, mode_t mode,
		       uid_t uid, gid_t gid)
{
	struct dd_afile af;

	if (dd_afile_openat(&af, dirfd, name, mode) < 0)
		return -1;
	return write_all(&af, buf, n, mode, uid, gid);
}

int dd_write_atomic(const char *path, const void *buf, size_t n, mode_t mode)
{
	struct dd_afile af;

	if (dd_afile_open(&af, path, mode) < 0)
		return -1;
	return write_all(&af, buf, n, mode, (uid_t)-1, (gid_t)-1);
}
