#include "host/txn.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/root.h"
#include "util/atomic.h"
#include "util/fault.h"
#include "util/io.h"
#include "util/log.h"
#include "util/rmtree.h"
#include "util/sort.h"

static struct dd_txn_ent *find(struct dd_txn *t, const char *path)
{
	for (unsigned i = 0; i < t->n; i++)
		if (strcmp(t->e[i].path, path) == 0)
			return &t->e[i];
	return NULL;
}

/* Old bytes of a regular file, at most DD_TXN_FILE_MAX. */
static int read_old(const char *path, struct dd_txn_ent *e)
{
	int fd = dd_root_open(path, O_RDONLY | O_NOFOLLOW, 0);
	ssize_t got;

	if (fd < 0)
		return -1;
	if (!(e->data = malloc(e->len ? e->len : 1))) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	got = dd_read_full(fd, e->data, e->len);
	close(fd);
	if (got != (ssize_t)e->len) {
		errno = got < 0 ? errno : EAGAIN; /* changed under us */
		return -1;
	}
	return 0;
}

/* The next free entry, zeroed (not yet counted), or NULL with EOVERFLOW. */
static struct dd_txn_ent *next_ent(struct dd_txn *t)
{
	struct dd_txn_ent *e;

	if (t->n == DD_TXN_MAX) {
		errno = EOVERFLOW;
		return NULL;
	}
	e = &t->e[t->n];
	memset(e, 0, sizeof *e);
	return e;
}

int dd_txn_snap(struct dd_txn *t, const char *path)
{
	struct dd_txn_ent *e;
	struct stat st;

	if (find(t, path))
		return 0;
	if (!t->begun && t->begin) {
		t->begun = 1;
		if (t->begin(t->ctx) != 0)
			return -1;
	}
	if (!(e = next_ent(t)))
		return -1;
	if (dd_root_lstat(path, &st) != 0) {
		if (errno != ENOENT)
			return -1;
		e->was = DD_TXN_ABSENT;
	} else if (S_ISDIR(st.st_mode)) {
		e->was = DD_TXN_DIR;
	} else if (S_ISLNK(st.st_mode)) {
		char buf[DD_PATH_MAX];

		if (dd_root_readlink(path, buf, sizeof buf) != 0 || !(e->data = strdup(buf)))
			return -1;
		e->was = DD_TXN_LINK;
		e->len = strlen(buf);
	} else if (S_ISREG(st.st_mode)) {
		if (st.st_size > DD_TXN_FILE_MAX) {
			errno = EFBIG;
			return -1;
		}
		e->was = DD_TXN_FILE;
		e->len = (size_t)st.st_size;
		e->mode = st.st_mode & 07777;
		e->uid = st.st_uid;
		e->gid = st.st_gid;
		if (read_old(path, e) != 0) {
			free(e->data);
			e->data = NULL;
			return -1;
		}
	} else {
		errno = EEXIST; /* a device or fifo where we want a file: not ours to touch */
		return -1;
	}
	if (!(e->path = strdup(path))) {
		free(e->data);
		return -1;
	}
	t->n++;
	return 0;
}

int dd_txn_mkdir(struct dd_txn *t, const char *path, mode_t mode)
{
	char m[DD_PATH_MAX];

	if (snprintf(m, sizeof m, "%s", path) >= (int)sizeof m || m[0] != '/') {
		errno = m[0] != '/' ? EINVAL : ENAMETOOLONG;
		return -1;
	}
	/* Snapshot each component below the root that is missing, outermost first, so
	 * rollback (newest first) removes the innermost first... and the outermost last. */
	for (char *s = m + 1;; s++) {
		if (*s != '/' && *s != 0)
			continue;
		char c = *s;
		struct stat st;

		*s = 0;
		if (dd_root_lstat(m, &st) != 0 && dd_txn_snap(t, m) != 0) {
			*s = c;
			return -1;
		}
		*s = c;
		if (!c)
			break;
	}
	return dd_root_mkdir_p(path, mode);
}

static int parent_dir(struct dd_txn *t, const char *path)
{
	char dir[DD_PATH_MAX];
	const char *base;

	if (dd_path_split(path, dir, sizeof dir, &base) != 0)
		return -1;
	return dd_txn_mkdir(t, dir, 0755);
}

/* 1 when the file already holds exactly buf with mode (and owner, unless -1). */
static int same_file(const char *path, const void *buf, size_t n, mode_t mode, uid_t uid,
		     gid_t gid)
{
	struct stat st;
	char *old;
	int fd, same = 0;

	if (dd_root_lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 07777) != mode ||
	    (uid != (uid_t)-1 && st.st_uid != uid) || (gid != (gid_t)-1 && st.st_gid != gid) ||
	    (size_t)st.st_size != n || (fd = dd_root_open(path, O_RDONLY | O_NOFOLLOW, 0)) < 0)
		return 0;
	if ((old = malloc(n ? n : 1))) {
		same = dd_read_full(fd, old, n) == (ssize_t)n && memcmp(old, buf, n) == 0;
		explicit_bzero(old, n);	/* a key, root's registry logins */
		free(old);
	}
	close(fd);
	return same;
}

int dd_txn_write(struct dd_txn *t, const char *path, const void *buf, size_t n, mode_t mode,
		 int *changed)
{
	return dd_txn_write_as(t, path, buf, n, mode, (uid_t)-1, (gid_t)-1, changed);
}

int dd_txn_write_as(struct dd_txn *t, const char *path, const void *buf, size_t n,
		    mode_t mode, uid_t uid, gid_t gid, int *changed)
{
	*changed = 0;
	if (same_file(path, buf, n, mode, uid, gid))
		return 0;
	if (parent_dir(t, path) != 0 || dd_txn_snap(t, path) != 0 ||
	    dd_root_write_atomic_as(path, buf, n, mode, uid, gid) != 0)
		return -1;
	*changed = 1;
	t->changes++;
	dd_fault_point();
	return 0;
}

/* Symlink target at a temporary name in dfd, renamed over base. */
static int link_at(int dfd, const char *base, const char *target)
{
	char tmp[NAME_MAX + 1];

	/* The temporary follows dd_afile's pattern, so dd_txn_sweep finds it after a kill. */
	snprintf(tmp, sizeof tmp, ".%.200s.dd-%ld-link", base, (long)getpid());
	unlinkat(dfd, tmp, 0);
	if (symlinkat(target, dfd, tmp) != 0)
		return -1;
	if (renameat(dfd, tmp, dfd, base) != 0) {
		int e = errno;

		unlinkat(dfd, tmp, 0);
		errno = e;
		return -1;
	}
	return dd_fsync_dir(dfd);
}

static int link_atomic(const char *path, const char *target)
{
	const char *base;
	int dfd = dd_root_parent(path, &base), rc, e;

	if (dfd < 0)
		return -1;
	rc = link_at(dfd, base, target);
	e = errno;
	close(dfd);
	errno = e;
	return rc;
}

int dd_txn_symlink(struct dd_txn *t, const char *path, const char *target, int *changed)
{
	char cur[DD_PATH_MAX];

	*changed = 0;
	if (dd_root_readlink(path, cur, sizeof cur) == 0 && strcmp(cur, target) == 0)
		return 0;
	if (parent_dir(t, path) != 0 || dd_txn_snap(t, path) != 0 || link_atomic(path, target) != 0)
		return -1;
	*changed = 1;
	t->changes++;
	dd_fault_point();
	return 0;
}

int dd_txn_unlink(struct dd_txn *t, const char *path)
{
	struct stat st;

	if (dd_root_lstat(path, &st) != 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1; /* not even a dangling link */
	if (dd_txn_snap(t, path) != 0 || dd_root_unlink(path) != 0)
		return -1;
	t->changes++;
	dd_fault_point();
	return 0;
}

/* A copy of regular file from at to (atomic), mode and owner kept. */
static int copy_file(const char *from, const char *to, const struct stat *st)
{
	char buf[65536];
	struct dd_afile af;
	ssize_t n;
	int fd = dd_root_open(from, O_RDONLY | O_NOFOLLOW, 0), rc = 0;

	if (fd < 0)
		return -1;
	if (dd_root_afile_open(&af, to, st->st_mode & 07777) != 0) {
		close(fd);
		return -1;
	}
	while (rc == 0 && (n = dd_read_full(fd, buf, sizeof buf)) != 0)
		rc = n < 0 || dd_afile_write(&af, buf, (size_t)n) != 0 ? -1 : 0;
	if (rc == 0 && (fchown(af.fd, st->st_uid, st->st_gid) != 0 ||
			fchmod(af.fd, st->st_mode & 07777) != 0))
		rc = -1;
	close(fd);
	if (rc) {
		int e = errno;

		dd_afile_abort(&af);
		errno = e;
		return -1;
	}
	return dd_afile_commit(&af);
}

int dd_move_path(const char *from, const char *to)
{
	char target[DD_PATH_MAX];
	struct stat st;

	if (dd_root_rename(from, to) == 0)
		return 0;
	if (errno != EXDEV || dd_root_lstat(from, &st) != 0)
		return -1;
	if (S_ISLNK(st.st_mode)) {
		if (dd_root_readlink(from, target, sizeof target) != 0 || link_atomic(to, target) != 0)
			return -1;
	} else if (!S_ISREG(st.st_mode) || copy_file(from, to, &st) != 0) {
		if (!S_ISREG(st.st_mode))
			errno = EISDIR;
		return -1;
	}
	return dd_root_unlink(from);
}

int dd_txn_move(struct dd_txn *t, const char *from, const char *to)
{
	struct dd_txn_ent *e;

	if (parent_dir(t, to) != 0 || dd_txn_snap(t, to) != 0)
		return -1;
	if (!(e = next_ent(t)))
		return -1;
	e->was = DD_TXN_MOVED;
	if (!(e->path = strdup(from)) || !(e->data = strdup(to))) {
		free(e->path);
		return -1;
	}
	if (dd_move_path(from, to) != 0) {
		free(e->path);
		free(e->data);
		return -1;
	}
	t->n++;
	t->changes++;
	dd_fault_point();
	return 0;
}

/* Remove whatever is at path now (a tree we made, a file, a link). */
static int remove_now(const char *path)
{
	int rc = dd_root_rmtree(path);

	return rc != 0 && errno == ENOENT ? 0 : rc;
}

static int restore(const struct dd_txn_ent *e)
{
	struct dd_afile af;

	switch (e->was) {
	case DD_TXN_ABSENT:
		return remove_now(e->path);
	case DD_TXN_LINK:
		return link_atomic(e->path, e->data);
	case DD_TXN_MOVED:
		return dd_move_path(e->data, e->path);
	case DD_TXN_FILE: {
		struct stat st;

		/* A directory we put where a file was cannot be: the file is restored over
		 * whatever is there now. */
		if (dd_root_lstat(e->path, &st) == 0 && S_ISDIR(st.st_mode) && remove_now(e->path) != 0)
			return -1;
		if (dd_root_afile_open(&af, e->path, e->mode) != 0)
			return -1;
		if (dd_afile_write(&af, e->data, e->len) != 0 ||
		    fchown(af.fd, e->uid, e->gid) != 0) {
			dd_afile_abort(&af);
			return -1;
		}
		return dd_afile_commit(&af);
	}
	default:
		return 0;
	}
}

/* A snapshot's old bytes may be a key or root's registry logins: wiped before they go. */
static void forget(struct dd_txn_ent *e)
{
	if (e->data)
		explicit_bzero(e->data, e->len);
	free(e->path);
	free(e->data);
}

void dd_txn_rollback(struct dd_txn *t)
{
	while (t->n > 0) {
		struct dd_txn_ent *e = &t->e[--t->n];

		if (restore(e) != 0)
			dd_warn("rollback: could not restore %s: %m", e->path);
		forget(e);
	}
}

void dd_txn_done(struct dd_txn *t)
{
	while (t->n > 0)
		forget(&t->e[--t->n]);
}

/* ".NAME.dd-PID-..." with PID no longer running. */
static int stale_temp(const char *name)
{
	const char *p = dd_strstr(name, ".dd-");
	char *end;
	long pid;

	if (name[0] != '.' || !p)
		return 0;
	pid = strtol(p + 4, &end, 10);
	return pid > 0 && *end == '-' && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

unsigned dd_txn_sweep(const char *dir, int staging)
{
	struct dirent *de;
	unsigned n = 0;
	DIR *d;

	if (!(d = dd_root_opendir(dir)))
		return 0;
	while ((de = readdir(d)))
		if (stale_temp(de->d_name) ||
		    (staging && de->d_name[0] == '.' && dd_strstr(de->d_name, ".dockdrop-"))) {
			dd_debug("removing %s/%s, left by an interrupted run", dir, de->d_name);
			if (dd_rmtree_at(dirfd(d), de->d_name) != 0)
				dd_warn("%s/%s: %m", dir, de->d_name);
			else
				n++;
		}
	closedir(d);
	return n;
}

int dd_txn_lock(const char *cmd)
{
	/* A description of its own (not the shared root fd), so a second lock in this
	 * process is refused like one in another. */
	int fd = dd_root_fd() < 0 ? -1 : openat(dd_root_fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0; /* fd kept open: the lock lasts until exit */
	if (errno == EWOULDBLOCK)
		return dd_fail(DD_EXIT_FAIL, "%s: another dockdrop is changing this machine; wait for it", cmd);
	return dd_fail(DD_EXIT_FAIL, "%s: lock %s: %m", cmd, dd_root()[0] ? dd_root() : "/");
}
