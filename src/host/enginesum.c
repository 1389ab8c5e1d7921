#include "host/enginesum.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/extract.h"
#include "host/paths.h"
#include "host/root.h"
#include "util/atomic.h"
#include "util/hex.h"
#include "util/sha256.h"
#include "util/sort.h"

#define NAMES_MAX 2048		/* entries below one engine, all levels */
#define ARENA (128 * 1024)	/* their names */
#define DEPTH 16

/* Names of the directories being walked, a stack: a child's names go after its parent's
 * and are dropped when it is done. */
static struct {
	char arena[ARENA];
	size_t used;
	const char *name[NAMES_MAX];
	unsigned n;
	unsigned char buf[64 * 1024];
	const struct dd_extract_sums *known;
} w;

static int cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void put(dd_sha256 *c, const char *s)
{
	dd_sha256_update(c, s, strlen(s) + 1);
}

static int file_digest(int dfd, const char *name, unsigned char d[32])
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	dd_sha256 c;
	ssize_t r;

	if (fd < 0)
		return -1;
	dd_sha256_init(&c);
	while ((r = read(fd, w.buf, sizeof w.buf)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			return -1;
		}
		dd_sha256_update(&c, w.buf, (size_t)r);
	}
	close(fd);
	dd_sha256_out(&c, d);
	return 0;
}

/* One entry: path, then type, mode, owner and what the type has. */
static int entry(dd_sha256 *c, int dfd, const char *name, const char *path, const struct stat *st)
{
	char meta[96], target[4096];
	unsigned char d[32];
	ssize_t n;

	put(c, path);
	snprintf(meta, sizeof meta, "%c %04o %u:%u", S_ISDIR(st->st_mode) ? 'd' : S_ISREG(st->st_mode) ? 'f' :
		 S_ISLNK(st->st_mode) ? 'l' : 'o', (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid,
		 (unsigned)st->st_gid);
	put(c, meta);
	if (S_ISREG(st->st_mode)) {
		const unsigned char *k = dd_extract_sum(w.known, path);

		if (k)
			memcpy(d, k, 32);
		else if (file_digest(dfd, name, d) != 0)
			return -1;
		snprintf(meta, sizeof meta, "%lld", (long long)st->st_size);
		put(c, meta);
		dd_sha256_update(c, d, 32);
	} else if (S_ISLNK(st->st_mode)) {
		if ((n = readlinkat(dfd, name, target, sizeof target - 1)) < 0)
			return -1;
		target[n] = 0;
		put(c, target);
	}
	return 0;
}

/* The entries of dfd (path: its path below the top, "" for the top), sorted, each
 * followed by its own entries when a directory. */
static int walk(dd_sha256 *c, int dfd, const char *path, unsigned depth)
{
	unsigned first = w.n, last;
	size_t mark = w.used;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (depth > DEPTH || !(d = fdopendir(dfd))) {
		errno = depth > DEPTH ? EOVERFLOW : errno;
		close(dfd);
		return -1;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name) + 1;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (w.n == NAMES_MAX || len > sizeof w.arena - w.used) {
			closedir(d);
			errno = EOVERFLOW;
			return -1;
		}
		memcpy(w.arena + w.used, de->d_name, len);
		w.name[w.n++] = w.arena + w.used;
		w.used += len;
	}
	last = w.n;
	dd_sort(w.name + first, last - first, sizeof w.name[0], cmp);
	for (unsigned i = first; rc == 0 && i < last; i++) {
		char sub[DD_PATH_MAX];
		struct stat st;
		int fd;

		if (snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "/" : "", w.name[i]) >= (int)sizeof sub ||
		    fstatat(dirfd(d), w.name[i], &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    entry(c, dirfd(d), w.name[i], sub, &st) != 0) {
			rc = -1;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			fd = openat(dirfd(d), w.name[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			rc = fd < 0 ? -1 : walk(c, fd, sub, depth + 1);
		}
	}
	closedir(d);
	w.n = first;
	w.used = mark;
	return rc;
}

int dd_engine_tree(const char *name, char hex[65], const struct dd_extract_sums *known)
{
	char abs[DD_PATH_MAX];
	unsigned char d[32];
	struct stat st;
	dd_sha256 c;
	int fd;

	if (snprintf(abs, sizeof abs, "%s/%s", DD_ENGINE_DIR, name) >= (int)sizeof abs)
		return errno = ENAMETOOLONG, -1;
	fd = dd_root_open(abs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	dd_sha256_init(&c);
	w.known = known;
	if (entry(&c, fd, ".", "", &st) != 0) {
		close(fd);
		return -1;
	}
	w.n = 0;
	w.used = 0;
	if (walk(&c, fd, "", 0) != 0)
		return -1;
	dd_sha256_out(&c, d);
	dd_hex(d, 32, hex);
	return 0;
}

int dd_engine_intact(const char *name, const char *tree)
{
	char hex[65];

	if (!tree || !*tree)
		return -1;
	return dd_engine_tree(name, hex, NULL) == 0 && strcmp(hex, tree) == 0;
}
