#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/io.h"
#include "util/rmtree.h"

#define MAX_STEPS 100000000UL	/* a bound on the walk, far above any real tree */

static int open_dir(int at, const char *name)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	/* A 0000 directory from an archive cannot even be opened by its (non-root) owner:
	 * give it the bits first. fchmodat follows a symlink, so only after O_NOFOLLOW
	 * said EACCES, which a symlink never gives. */
	if (fd < 0 && errno == EACCES && dd_fchmodat(at, name, 0700) == 0)
		fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* A 0555 directory: make it ours to empty (harmless for root). */
	if (fd >= 0)
		fchmod(fd, 0700);
	return fd;
}

/* Empty what can be emptied in cur; 1 and *sub = an fd of a non-empty subdirectory to go
 * into, 0 when cur is empty, -1 on error. */
static int sweep(int cur, int *sub)
{
	int dup_fd = dup(cur), rc = 0;
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return -1;
	}
	while (rc == 0 && (errno = 0, e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(cur, e->d_name, 0) == 0)
			continue;
		if (errno != EISDIR && errno != EPERM)
			rc = -1;
		else if (unlinkat(cur, e->d_name, AT_REMOVEDIR) == 0)
			continue;
		else if (errno != ENOTEMPTY && errno != EEXIST && errno != EACCES)
			rc = -1;
		else
			rc = (*sub = open_dir(cur, e->d_name)) >= 0 ? 1 : -1;
	}
	if (rc == 0 && errno)
		rc = -1;
	closedir(d);
	return rc;
}

int dd_rmtree_at(int dirfd, const char *name)
{
	unsigned long steps = 0, depth = 0;
	int cur, sub, rc, err;

	if (unlinkat(dirfd, name, 0) == 0)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return errno == ENOENT ? 0 : -1;
	if ((cur = open_dir(dirfd, name)) < 0)
		return -1;
	while (steps++ < MAX_STEPS) {
		rc = sweep(cur, &sub);
		if (rc < 0)
			break;
		if (rc == 1) {
			close(cur);
			cur = sub;
			depth++;
			continue;
		}
		if (depth == 0) {
			close(cur);
			return unlinkat(dirfd, name, AT_REMOVEDIR);
		}
		sub = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(cur);
		if ((cur = sub) < 0)
			return -1;
		depth--;
	}
	err = errno ? errno : ELOOP;
	close(cur);
	errno = err;
	return -1;
}
