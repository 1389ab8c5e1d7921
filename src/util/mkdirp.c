#include "util/mkdirp.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic.h"

int dd_mkdirat(int dirfd, const char *name, mode_t mode)
{
	int fd, e, rc;
	mode_t um;

	/* Born with its final mode (umask 0 for this one call): a run killed before the
	 * fchmod below must not leave an owner-only /opt/dockdrop or /var/lib that the
	 * next run, finding it in place, keeps. Every file dockdrop creates is opened
	 * with its final mode or a narrower one, so other threads lose nothing meanwhile. */
	um = umask(0);
	rc = mkdirat(dirfd, name, mode & 07777);
	umask(um);
	if (rc != 0)
		return -1;
	/* The exact mode on what was made (never through a link), setgid of a parent too. */
	if ((fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (fchmod(fd, mode) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

static int make_one(const char *path, mode_t mode)
{
	struct stat st;

	if (dd_mkdirat(AT_FDCWD, path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int dd_mkdir_p(const char *path, mode_t mode)
{
	char buf[DD_PATH_MAX];
	size_t len = strlen(path);
	char *p;

	if (len == 0) {
		errno = ENOENT;
		return -1;
	}
	if (len >= sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, len + 1);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = 0;
	for (p = buf + 1; *p; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = 0;
		if (make_one(buf, 0755) < 0)
			return -1;
		*p = '/';
	}
	return make_one(buf, mode);
}
