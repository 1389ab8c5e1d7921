#include "util/io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int dd_write_all(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

ssize_t dd_read_full(int fd, void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* The name read back is checked to be the same file: a name from another mount namespace
 * or root, or a deleted file's, is not one to use. */
int dd_realpath(const char *path, char *out)
{
	char self[32];
	struct stat a, b;
	ssize_t n;
	int fd = open(path, O_PATH | O_CLOEXEC), e;

	if (fd < 0)
		return -1;
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	n = readlink(self, out, PATH_MAX);
	e = n < 0 ? errno : n >= PATH_MAX ? ENAMETOOLONG : fstat(fd, &a) != 0 ? errno : 0;
	close(fd);
	if (!e) {
		out[n] = 0;
		if (out[0] != '/' || stat(out, &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
			e = ENOENT;
	}
	return e ? (errno = e, -1) : 0;
}

char *dd_lines_next(struct dd_lines *l)
{
	for (;;) {
		char *s = l->buf + l->start, *nl = memchr(s, '\n', l->end - l->start);
		ssize_t r;

		if (nl || (l->fd < 0 && l->end > l->start) || l->end - l->start == sizeof l->buf - 1) {
			char *e = nl ? nl : l->buf + l->end;

			*e = 0;
			l->start = (size_t)(e - l->buf) + (nl != NULL);
			return s;
		}
		if (l->fd < 0)
			return NULL;
		memmove(l->buf, s, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
		r = read(l->fd, l->buf + l->end, sizeof l->buf - 1 - l->end);
		if (r > 0) {
			l->end += (size_t)r;
		} else if (r == 0 || errno != EINTR) {
			close(l->fd);
			l->fd = -1;
		}
	}
}

int dd_path_split(const char *path, char *dir, size_t dirsz, const char **base)
{
	const char *slash = strrchr(path, '/');
	const char *d = slash ? path : ".";
	size_t len = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);

	while (slash && len > 1 && path[len - 1] == '/')
		len--;

	if (!*path || (slash && slash[1] == 0)) {
		errno = EINVAL;
		return -1;
	}
	if (len >= dirsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, d, len);
	dir[len] = 0;
	*base = slash ? slash + 1 : path;
	return 0;
}

int dd_fsync_dir(int fd)
{
	/* Some filesystems cannot fsync a directory; the rename is still ordered. */
	if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS)
		return -1;
	return 0;
}

int dd_fsync_parent(const char *path)
{
	char dir[4096];
	const char *base;
	int fd, rc, saved;

	if (dd_path_split(path, dir, sizeof dir, &base) < 0)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = dd_fsync_dir(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

long dd_read_small_at(int dirfd, const char *name, char *buf, size_t bufsz)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	return dd_read_small_fd(fd, buf, bufsz);
}

long dd_read_small_fd(int fd, char *buf, size_t bufsz)
{
	struct stat st;
	ssize_t r;

	errno = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (errno == 0 || S_ISDIR(st.st_mode))
			errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		close(fd);
		return -1;
	}
	r = dd_read_full(fd, buf, bufsz);
	close(fd);
	if (r < 0)
		return -1;
	if ((size_t)r >= bufsz) {
		errno = EFBIG;
		return -1;
	}
	buf[r] = 0;
	return (long)r;
}

long dd_read_small_file(const char *path, char *buf, size_t bufsz)
{
	return dd_read_small_at(AT_FDCWD, path, buf, bufsz);
}

const char *dd_file_kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISDIR(m) ? "a directory" : S_ISLNK(m) ? "a symbolic link" :
	       S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" :
	       S_ISSOCK(m) ? "a socket" : S_ISREG(m) ? "a regular file" : "not a file";
}

int dd_futimens(int fd, const struct timespec ts[2])
{
	return (int)syscall(SYS_utimensat, fd, NULL, ts, 0);
}

int dd_fchmodat(int dirfd, const char *name, mode_t mode)
{
	return (int)syscall(SYS_fchmodat, dirfd, name, mode);
}
