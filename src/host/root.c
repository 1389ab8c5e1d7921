#include "host/root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/hex.h"
#include "util/io.h"
#include "util/mkdirp.h"
#include "util/rmtree.h"
#include "util/sha256.h"

/* openat2(2), without relying on the C library or kernel headers having it (musl has no
 * wrapper; the number is the same on every architecture but alpha). */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#define RESOLVE_NO_MAGICLINKS_ 0x02
#define RESOLVE_IN_ROOT_ 0x10

struct open_how_ {
	uint64_t flags, mode, resolve;
};

static char root_name[DD_PATH_MAX];
static int root_fd = -1;
static struct stat root_st;	/* to stop ".." at the root in the walk */
static int have_openat2 = 1;	/* until the kernel says ENOSYS */

int dd_root_set(const char *dir)
{
	char resolved[PATH_MAX];
	struct stat st;
	int fd;

	if (!dir || !*dir)
		dir = "/";
	if (dd_realpath(dir, resolved) != 0)
		return -1;
	if (strlen(resolved) >= sizeof root_name) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(resolved, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	if (root_fd >= 0)
		close(root_fd);
	root_fd = fd;
	root_st = st;
	strcpy(root_name, strcmp(resolved, "/") ? resolved : "");
	return 0;
}

const char *dd_root(void)
{
	return root_name;
}

const char *dd_root_show(const char *abs, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s", root_name, abs);
	return buf;
}

int dd_root_fd(void)
{
	if (root_fd < 0 && dd_root_set(NULL) != 0)
		return -1;
	return root_fd;
}

/* Absolute, shorter than DD_PATH_MAX, no "." or ".." component. */
static int check(const char *abs)
{
	const char *p = abs;

	if (abs[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	if (strlen(abs) >= DD_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	while (*p) {
		const char *c = p + 1;
		size_t n = strcspn(c, "/");

		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
			errno = EINVAL;
			return -1;
		}
		p = c + n;
	}
	return 0;
}

/* --- the walk: the same resolution with openat(2) and readlinkat(2) alone -------------- */

static int at_root(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_dev == root_st.st_dev && st.st_ino == root_st.st_ino;
}

static int replace(int *cur, int fd)
{
	if (fd < 0)
		return -1;
	close(*cur);
	*cur = fd;
	return 0;
}

/* Put the symlink's target in front of what is left after it (its slashes kept, so that
 * a trailing one still asks for a directory): path = target rest. */
static int expand(char *path, const char *rest, const char *target)
{
	char tmp[DD_PATH_MAX];
	size_t t = strlen(target), r = strlen(rest);

	if (t + r >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, target, t);
	memcpy(tmp + t, rest, r + 1);
	memcpy(path, tmp, t + r + 1);
	return 0;
}

static int walk_fail(int cur)
{
	int e = errno;

	close(cur);
	errno = e;
	return -1;
}

/* Resolve abs from the root fd, treating the root as "/", and open the result. */
static int walk(const char *abs, int flags, mode_t mode)
{
	char path[DD_PATH_MAX], comp[NAME_MAX + 1], target[DD_PATH_MAX];
	unsigned links = 0;
	char *p = path;
	int cur, fd;

	if ((cur = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	memcpy(path, abs, strlen(abs) + 1);
	for (;;) {
		size_t n;
		const char *after, *rest;
		int last, fl;
		struct stat st;
		ssize_t k;

		while (*p == '/')
			p++;
		if (!*p) { /* the path names a directory reached: cur */
			fd = openat(cur, ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
			return fd < 0 ? walk_fail(cur) : (close(cur), fd);
		}
		n = strcspn(p, "/");
		if (n > NAME_MAX) {
			errno = ENAMETOOLONG;
			return walk_fail(cur);
		}
		memcpy(comp, p, n);
		comp[n] = 0;
		after = rest = p + n;
		while (*rest == '/')
			rest++;
		last = !*rest;
		/* A trailing slash asks for a directory, through a link too (as open(2)). */
		fl = last && *after == '/' ? (flags & ~O_NOFOLLOW) | O_DIRECTORY : flags;
		p = (char *)rest;
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			/* ".." of the root is the root, as for "/.." on any machine. */
			if (!at_root(cur) &&
			    replace(&cur, openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC)) != 0)
				return walk_fail(cur);
			continue;
		}
		if (last) {
			if ((fl & O_NOFOLLOW) || fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
			    !S_ISLNK(st.st_mode)) {
				/* Not a link (or not to be followed): the object itself. */
				fd = openat(cur, comp, fl | O_NOFOLLOW | O_CLOEXEC, mode);
				return fd < 0 ? walk_fail(cur) : (close(cur), fd);
			}
		} else {
			if ((fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0)
				return walk_fail(cur);
			if (fstat(fd, &st) != 0) {
				close(fd);
				return walk_fail(cur);
			}
			if (S_ISDIR(st.st_mode)) {
				replace(&cur, fd);
				continue;
			}
			close(fd);
			if (!S_ISLNK(st.st_mode)) {
				errno = ENOTDIR;
				return walk_fail(cur);
			}
		}
		/* A symlink: its target, read and resolved from here, or from the root. */
		if (++links > DD_ROOT_LINKS_MAX) {
			errno = ELOOP;
			return walk_fail(cur);
		}
		if ((k = readlinkat(cur, comp, target, sizeof target)) < 0)
			return walk_fail(cur);
		if (k == 0 || (size_t)k >= sizeof target) {
			errno = k ? ENAMETOOLONG : ENOENT;
			return walk_fail(cur);
		}
		target[k] = 0;
		if (expand(path, after, target) != 0)
			return walk_fail(cur);
		p = path;
		if (target[0] == '/' &&
		    replace(&cur, openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)) != 0)
			return walk_fail(cur);
	}
}

/* --- resolution ------------------------------------------------------------------------- */

static int use_openat2(void)
{
	const char *t = getenv("DOCKDROP_TEST_NO_OPENAT2"); /* read each time: tests switch */

	return have_openat2 && !(t && *t == '1');
}

static int resolve(const char *abs, int flags, mode_t mode)
{
	if (dd_root_fd() < 0)
		return -1;
	if (flags & O_CREAT)
		flags |= O_NOFOLLOW;
	for (int tries = 0; use_openat2() && tries < 8; tries++) {
		struct open_how_ how = { (uint64_t)(flags | O_CLOEXEC), (flags & O_CREAT) ? mode : 0,
					 RESOLVE_IN_ROOT_ | RESOLVE_NO_MAGICLINKS_ };
		long fd = syscall(SYS_openat2, root_fd, abs, &how, sizeof how);

		if (fd >= 0)
			return (int)fd;
		if (errno == ENOSYS) {
			have_openat2 = 0; /* kernel before 5.6 */
			break;
		}
		if (errno == EPERM)
			break; /* a seccomp filter that does not know openat2 (a real EPERM
				* the walk meets again) */
		if (errno != EAGAIN) /* EAGAIN: a rename raced with "..": try again */
			return -1;
	}
	return walk(abs, flags, mode);
}

const char *dd_root_resolver(void)
{
	int fd = dd_root_open("/", O_PATH | O_DIRECTORY, 0); /* finds out what the kernel has */

	if (fd >= 0)
		close(fd);
	return use_openat2() ? "openat2" : "walk";
}

int dd_root_open(const char *abs, int flags, mode_t mode)
{
	if (check(abs) != 0)
		return -1;
	return resolve(abs, flags, mode);
}

int dd_root_parent(const char *abs, const char **base)
{
	char dir[DD_PATH_MAX];
	const char *slash;
	size_t n;

	if (check(abs) != 0)
		return -1;
	slash = strrchr(abs, '/');
	if (!slash[1]) {
		errno = EINVAL; /* "/" or a trailing slash: no last component */
		return -1;
	}
	*base = slash + 1;
	n = slash == abs ? 1 : (size_t)(slash - abs); /* the parent of "/x" is "/" */
	memcpy(dir, abs, n);
	dir[n] = 0;
	return resolve(dir, O_RDONLY | O_DIRECTORY, 0);
}

/* Run op on (parent fd, base); the parent closed after, errno kept. */
#define AT_PARENT(abs, call)                                    \
	do {                                                    \
		const char *base;                               \
		int pfd_ = dd_root_parent(abs, &base), rc_, e_; \
		if (pfd_ < 0)                                   \
			return -1;                              \
		rc_ = (call);                                   \
		e_ = errno;                                     \
		close(pfd_);                                    \
		errno = e_;                                     \
		return rc_;                                     \
	} while (0)

int dd_root_lstat(const char *abs, struct stat *st)
{
	if (check(abs) != 0)
		return -1;
	if (!strcmp(abs, "/"))
		return dd_root_fd() < 0 ? -1 : fstat(root_fd, st);
	AT_PARENT(abs, fstatat(pfd_, base, st, AT_SYMLINK_NOFOLLOW));
}

static int with_fd(int fd, int (*fn)(int, void *), void *arg)
{
	int rc, e;

	if (fd < 0)
		return -1;
	rc = fn(fd, arg);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

static int do_fstat(int fd, void *st)
{
	return fstat(fd, st);
}

static int do_fstatfs(int fd, void *sf)
{
	return fstatfs(fd, sf);
}

static int do_sha256(int fd, void *out)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	return dd_sha256_fd(fd, out);
}

int dd_root_stat(const char *abs, struct stat *st)
{
	return with_fd(dd_root_open(abs, O_PATH, 0), do_fstat, st);
}

int dd_root_statfs(const char *abs, struct statfs *sf)
{
	return with_fd(dd_root_open(abs, O_PATH, 0), do_fstatfs, sf);
}

int dd_root_sha256_hex(const char *abs, char hex[65])
{
	unsigned char d[32];

	hex[0] = 0;
	if (with_fd(dd_root_open(abs, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0), do_sha256, d) != 0)
		return -1;
	dd_hex(d, 32, hex);
	return 0;
}

static int readlink_at(int dfd, const char *name, char *out, size_t outsz)
{
	ssize_t n = readlinkat(dfd, name, out, outsz);

	if (n < 0)
		return -1;
	if ((size_t)n >= outsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	out[n] = 0;
	return 0;
}

int dd_root_readlink(const char *abs, char *out, size_t outsz)
{
	AT_PARENT(abs, readlink_at(pfd_, base, out, outsz));
}

long dd_root_read_small(const char *abs, char *buf, size_t cap)
{
	int fd = dd_root_open(abs, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);

	return fd < 0 ? -1 : dd_read_small_fd(fd, buf, cap);
}

DIR *dd_root_opendir(const char *abs)
{
	int fd = dd_root_open(abs, O_RDONLY | O_DIRECTORY, 0);
	DIR *d;

	if (fd < 0)
		return NULL;
	if (!(d = fdopendir(fd))) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return d;
}

/* --- changes ---------------------------------------------------------------------------- */

static int unlink_sync(int dfd, const char *name, int flags)
{
	if (unlinkat(dfd, name, flags) != 0)
		return -1;
	return dd_fsync_dir(dfd);
}

int dd_root_unlink(const char *abs)
{
	AT_PARENT(abs, unlink_sync(pfd_, base, 0));
}

int dd_root_rmdir(const char *abs)
{
	AT_PARENT(abs, unlink_sync(pfd_, base, AT_REMOVEDIR));
}

int dd_root_rmtree(const char *abs)
{
	const char *base;
	int pfd = dd_root_parent(abs, &base), rc, e;

	if (pfd < 0)
		return errno == ENOENT ? 0 : -1;
	rc = dd_rmtree_at(pfd, base);
	e = errno;
	close(pfd);
	errno = e;
	return rc;
}

int dd_root_rename(const char *from, const char *to)
{
	const char *fb, *tb;
	int ffd, tfd, rc, e;

	if ((ffd = dd_root_parent(from, &fb)) < 0)
		return -1;
	if ((tfd = dd_root_parent(to, &tb)) < 0) {
		e = errno;
		close(ffd);
		errno = e;
		return -1;
	}
	rc = renameat(ffd, fb, tfd, tb);
	if (rc == 0)
		rc = dd_fsync_dir(tfd);
	if (rc == 0)
		rc = dd_fsync_dir(ffd);
	e = errno;
	close(ffd);
	close(tfd);
	errno = e;
	return rc;
}

/* One directory: made with mode, or already one (a link to one inside the root too). */
static int mkdir_one(const char *abs, mode_t mode)
{
	const char *base;
	int pfd = dd_root_parent(abs, &base), rc, e;
	struct stat st;

	if (pfd < 0)
		return -1;
	rc = dd_mkdirat(pfd, base, mode);
	e = errno;
	close(pfd);
	if (rc == 0)
		return 0;
	if (e != EEXIST) {
		errno = e;
		return -1;
	}
	if (dd_root_stat(abs, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int dd_root_mkdir_p(const char *abs, mode_t mode)
{
	char buf[DD_PATH_MAX];
	size_t len;

	if (check(abs) != 0)
		return -1;
	len = strlen(abs);
	memcpy(buf, abs, len + 1);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = 0;
	if (len == 1)
		return 0; /* the root itself */
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = 0;
		if (mkdir_one(buf, 0755) != 0)
			return -1;
		*p = '/';
	}
	return mkdir_one(buf, mode);
}

int dd_root_afile_open(struct dd_afile *af, const char *abs, mode_t mode)
{
	af->fd = -1;
	af->dirfd = -1;
	af->tmp[0] = 0;
	AT_PARENT(abs, dd_afile_openat(af, pfd_, base, mode));
}

int dd_root_write_atomic_as(const char *abs, const void *buf, size_t n, mode_t mode, uid_t uid,
			    gid_t gid)
{
	AT_PARENT(abs, dd_write_atomic_at(pfd_, base, buf, n, mode, uid, gid));
}

int dd_root_write_atomic(const char *abs, const void *buf, size_t n, mode_t mode)
{
	return dd_root_write_atomic_as(abs, buf, n, mode, (uid_t)-1, (gid_t)-1);
}
