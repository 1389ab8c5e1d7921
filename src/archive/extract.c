#include "archive/extract.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/io.h"
#include "util/log.h"
#include "util/sha256.h"

#define COMPONENT_MAX 255	/* NAME_MAX on Linux filesystems */
#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* --- messages: one line, names bounded (they may lack a NUL) and escaped ---------------- */

static void quote(char *out, size_t outsz, const char *name)
{
	char raw[160];
	size_t n = strnlen(name, sizeof raw);

	if (n == sizeof raw) {
		memcpy(raw, name, sizeof raw - 4);
		memcpy(raw + sizeof raw - 4, "...", 4);
	} else {
		memcpy(raw, name, n);
		raw[n] = 0;
	}
	dd_log_escape(out, outsz, raw);
}

static void set_err(struct dd_extract *x, int code, const char *name, const char *why)
{
	char q[200];

	quote(q, sizeof q, name);
	x->code = code;
	snprintf(x->err, sizeof x->err, "entry \"%s\": %s", q, why);
}

/* The archive is bad or hostile. Returns -1. */
DD_PRINTF(3, 4)
static int refuse(struct dd_extract *x, const char *name, const char *fmt, ...)
{
	char why[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	set_err(x, DD_EXIT_VERIFY, name, why);
	return -1;
}

/* A system call failed (errno): the disk, not the archive. Returns -1. */
static int fail(struct dd_extract *x, const char *name, const char *op)
{
	char why[300];

	snprintf(why, sizeof why, "%s: %m", op);
	set_err(x, DD_EXIT_FAIL, name, why);
	return -1;
}

/* A tar_next/tar_read error; member is the entry it happened in or after (may be ""). */
static int archive_error(struct dd_extract *x, int code, const char *where, const char *member)
{
	char q[200];
	int n, err = errno;

	quote(q, sizeof q, member);
	x->code = DD_EXIT_VERIFY;
	n = snprintf(x->err, sizeof x->err, "archive: %s", tar_strerror(code));
	if (*member && n > 0 && (size_t)n < sizeof x->err)
		n += snprintf(x->err + n, sizeof x->err - (size_t)n, " %s member \"%s\"", where, q);
	if (code == TAR_EIO && n > 0 && (size_t)n < sizeof x->err)
		snprintf(x->err + n, sizeof x->err - (size_t)n, ": %s", strerror(err));
	return -1;
}

/* Permission bits kept from the archive: no group or world write bit (an engine file
 * anyone else could rewrite runs as root), no setuid, setgid or sticky bit. */
#define MODE_KEEP 0755

/* --- paths -------------------------------------------------------------------------- */

static int is_dotdot(const char *p, size_t n)
{
	return n == 2 && p[0] == '.' && p[1] == '.';
}

/* Components joined by single slashes, without empty or "." ones; "" is the root.
 * NULL, or why the path is refused. */
static const char *normalise(const char *in, char *out)
{
	const char *p, *end;
	size_t o = 0;

	if (!memchr(in, 0, TAR_NAME_MAX))
		return "name is not terminated";
	if (*in == '/')
		return "absolute path";
	for (p = in; *p; p = *end ? end + 1 : end) {
		size_t n;

		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (is_dotdot(p, n))
			return "path has a \"..\" component";
		if (n > COMPONENT_MAX)
			return "name component too long";
		if (n == 0 || (n == 1 && *p == '.'))
			continue;
		if (o)
			out[o++] = '/';
		memcpy(out + o, p, n);
		o += n;
	}
	out[o] = 0;
	return NULL;
}

const char *dd_extract_normalise(const char *in, char out[TAR_NAME_MAX])
{
	return normalise(in, out);
}

/* Open a directory below dfd, never through a symlink. A missing one is made 0755
 * exactly (an implicit directory, as tar makes them as root), if create. */
static int open_dir(int dfd, const char *name, int create)
{
	int fd = openat(dfd, name, DIR_FLAGS);

	if (fd >= 0 || errno != ENOENT || !create)
		return fd;
	if (mkdirat(dfd, name, 0700) < 0 && errno != EEXIST)
		return -1;
	fd = openat(dfd, name, DIR_FLAGS);
	if (fd >= 0 && fchmod(fd, 0755) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* O_NOFOLLOW|O_DIRECTORY on a symlink fails with ENOTDIR, not ELOOP: look to say which. */
static int walk_error(struct dd_extract *x, const char *name, const char *what, int dfd,
		      const char *comp, int err)
{
	struct stat st;
	char q[200];

	quote(q, sizeof q, comp);
	if (err == ELOOP ||
	    (err == ENOTDIR && fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	     S_ISLNK(st.st_mode)))
		return refuse(x, name, "%s goes through a symlink (\"%s\")", what, q);
	if (err == ENOTDIR)
		return refuse(x, name, "%s goes through \"%s\", which is not a directory", what, q);
	if (err == ENOENT)
		return refuse(x, name, "%s does not exist (no \"%s\")", what, q);
	errno = err;
	return fail(x, name, "open directory");
}

/* Walk the directories of path (normalised) from the root, one component at a time.
 * The fd of the last directory, *base set to the final component; or -1, message set.
 * what names the path in messages ("path", "hard link target"). */
static int walk(struct dd_extract *x, const char *name, const char *path, int create,
		const char *what, const char **base)
{
	char comp[COMPONENT_MAX + 1];
	const char *p = path, *slash;
	int fd = openat(x->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return fail(x, name, "open root");
	while ((slash = strchr(p, '/'))) {
		size_t n = (size_t)(slash - p);
		int next;

		memcpy(comp, p, n);
		comp[n] = 0;
		next = open_dir(fd, comp, create);
		if (next < 0) {
			walk_error(x, name, what, fd, comp, errno);
			close(fd);
			return -1;
		}
		close(fd);
		fd = next;
		p = slash + 1;
	}
	*base = p;
	return fd;
}

/* Room for a new non-directory: a later entry replaces an earlier one, and a symlink is
 * removed, never written through. Replacing a directory is refused. */
static int make_room(struct dd_extract *x, const char *name, int dfd, const char *base)
{
	struct stat st;

	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fail(x, name, "stat");
	if (S_ISDIR(st.st_mode))
		return refuse(x, name, "would replace a directory");
	if (unlinkat(dfd, base, 0) < 0)
		return fail(x, name, "unlink");
	return 0;
}

/* --- regular files ------------------------------------------------------------------ */

/* path's digest into the table t (if any); with c NULL, path marked unknown (a hard link,
 * or an extra's file). A path too long for an entry takes a slot past the end: the whole
 * table is then unknown, as it is when it overflows. */
static void sum_put(struct dd_extract_sums *t, const char *path, dd_sha256 *c)
{
	unsigned i;

	if (!t)
		return;
	if (strlen(path) >= sizeof t->s[0].path) {
		__atomic_store_n(&t->n, DD_EXTRACT_SUMS + 1, __ATOMIC_RELAXED);
		return;
	}
	if ((i = __atomic_fetch_add(&t->n, 1, __ATOMIC_RELAXED)) >= DD_EXTRACT_SUMS)
		return;
	strcpy(t->s[i].path, path);
	t->s[i].poison = !c;
	if (c)
		dd_sha256_out(c, t->s[i].sha256);
}

/* The file's data, hashed on the way when there is a table for its digest. */
static int copy_data(struct dd_extract *x, struct tar_reader *r, const struct tar_entry *e,
		     const char *path, int fd, void *buf, size_t bufsz)
{
	struct dd_extract_sums *t = x->sums;
	dd_sha256 c;
	ssize_t n;

	dd_sha256_init(&c);
	while ((n = tar_read(r, buf, bufsz)) > 0) {
		if (dd_write_all(fd, buf, (size_t)n) < 0)
			return fail(x, e->path, "write");
		if (t && !x->sums_poison)
			dd_sha256_update(&c, buf, (size_t)n);
		x->bytes += (uint64_t)n;
	}
	if (n < 0)
		return archive_error(x, (int)n, "inside", e->path);
	sum_put(t, path, x->sums_poison ? NULL : &c);
	return 0;
}

const unsigned char *dd_extract_sum(const struct dd_extract_sums *sums, const char *path)
{
	const unsigned char *d = NULL;

	if (!sums || sums->n > DD_EXTRACT_SUMS)
		return NULL;
	for (unsigned i = 0; i < sums->n; i++)
		if (!strcmp(sums->s[i].path, path)) {
			/* written twice (which one stayed is not known here), or marked */
			if (d || sums->s[i].poison)
				return NULL;
			d = sums->s[i].sha256;
		}
	return d;
}

static int write_file(struct dd_extract *x, struct tar_reader *r, const struct tar_entry *e,
		      const char *path, int fd, void *buf, size_t bufsz)
{
	struct timespec ts[2];

	if (copy_data(x, r, e, path, fd, buf, bufsz) < 0)
		return -1;
	if (fchmod(fd, e->mode & MODE_KEEP) < 0)
		return fail(x, e->path, "chmod");
	ts[0].tv_sec = (time_t)e->mtime;
	ts[0].tv_nsec = 0;
	ts[1] = ts[0];
	if (dd_futimens(fd, ts) < 0)
		return fail(x, e->path, "set mtime");
	return 0;
}

static int make_file(struct dd_extract *x, struct tar_reader *r, const struct tar_entry *e,
		     const char *path, int dfd, const char *base, void *buf, size_t bufsz)
{
	int fd, rc;

	if (make_room(x, e->path, dfd, base) < 0)
		return -1;
	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(x, e->path, "create");
	rc = write_file(x, r, e, path, fd, buf, bufsz);
	if (rc == 0 && x->writeback) /* a start only: errors are syncfs's to report */
		sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	if (close(fd) < 0 && rc == 0)
		rc = fail(x, e->path, "close");
	if (rc == 0)
		x->files++;
	return rc;
}

/* --- directories -------------------------------------------------------------------- */

/* Mode (and mtime) through an fd of the directory itself: nothing put in its place is
 * followed. */
static int set_dir(int dfd, const char *base, unsigned mode, const int64_t *mtime)
{
	struct timespec ts[2];
	int fd = openat(dfd, base, DIR_FLAGS), rc = 0, saved;

	if (fd < 0)
		return -1;
	ts[0].tv_sec = mtime ? (time_t)*mtime : 0;
	ts[0].tv_nsec = 0;
	ts[1] = ts[0];
	if (fchmod(fd, mode) < 0 || (mtime && dd_futimens(fd, ts) < 0))
		rc = -1;
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* The final mode and mtime wait for the end: a 0555 directory must still take its files,
 * and they would change its mtime. A repeated entry updates its record in place. */
static int defer_dir(struct dd_extract *x, const struct tar_entry *e, int dfd,
		     const char *base, const char *path)
{
	size_t n = strlen(path);
	unsigned i = 0;

	if (n < sizeof x->defer[0].path) {
		while (i < x->ndefer && strcmp(x->defer[i].path, path) != 0)
			i++;
		if (i < DD_EXTRACT_DEFER) {
			memcpy(x->defer[i].path, path, n + 1);
			x->defer[i].mode = e->mode & MODE_KEEP;
			x->defer[i].mtime = e->mtime;
			if (i == x->ndefer)
				x->ndefer++;
			return 0;
		}
	}
	if (set_dir(dfd, base, e->mode & MODE_KEEP, NULL) < 0)
		return fail(x, e->path, "chmod");
	return 0;
}

/* Made 0700 whatever the umask, so its entries can be written until the end. */
static int make_dir(struct dd_extract *x, const struct tar_entry *e, int dfd, const char *base,
		    const char *path)
{
	struct stat st;

	if (mkdirat(dfd, base, 0700) == 0) {
		if (set_dir(dfd, base, 0700, NULL) < 0)
			return fail(x, e->path, "chmod");
	} else if (errno != EEXIST) {
		return fail(x, e->path, "mkdir");
	} else if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		return fail(x, e->path, "stat");
	} else if (!S_ISDIR(st.st_mode)) {
		/* A later entry replaces an earlier one; the symlink itself goes. */
		if (unlinkat(dfd, base, 0) < 0 || mkdirat(dfd, base, 0700) < 0 ||
		    set_dir(dfd, base, 0700, NULL) < 0)
			return fail(x, e->path, "replace with a directory");
	}
	x->dirs++;
	return defer_dir(x, e, dfd, base, path);
}

/* --- links -------------------------------------------------------------------------- */

/* depth: directories between the root and the link. ".." may only lead the target: after
 * a name, which may be a symlink by the time the link is followed, ".." climbs from
 * wherever that one points ("p -> ." then "q -> p/.."), which no lexical count bounds. */
static const char *symlink_check(const char *target, size_t depth)
{
	const char *p, *end;
	int named = 0;

	if (!*target)
		return "is empty";
	if (*target == '/')
		return "is absolute";
	for (p = target; *p; p = *end ? end + 1 : end) {
		size_t n;

		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (n == 0 || (n == 1 && *p == '.'))
			continue;
		if (!is_dotdot(p, n))
			named = 1;
		else if (named)
			return "has \"..\" after a name";
		else if (depth-- == 0)
			return "climbs out of the tree";
	}
	return NULL;
}

static int make_symlink(struct dd_extract *x, const struct tar_entry *e, int dfd,
			const char *base)
{
	if (make_room(x, e->path, dfd, base) < 0)
		return -1;
	if (symlinkat(e->link, dfd, base) < 0)
		return fail(x, e->path, "symlink");
	x->links++;
	return 0;
}

static int check_symlink(struct dd_extract *x, const struct tar_entry *e, const char *path)
{
	const char *why, *p;
	size_t depth = 0;
	char q[200];

	if (!memchr(e->link, 0, TAR_NAME_MAX))
		return refuse(x, e->path, "symlink target is not terminated");
	for (p = path; *p; p++)
		depth += *p == '/';
	if (!(why = symlink_check(e->link, depth)))
		return 0;
	quote(q, sizeof q, e->link);
	return refuse(x, e->path, "symlink target \"%s\" %s", q, why);
}

/* The link lands in dfd/base; the target is an existing regular file of the tree. */
static int link_into(struct dd_extract *x, const struct tar_entry *e, int sfd,
		     const char *tbase, const struct stat *st, int dfd, const char *base)
{
	struct stat cur;

	if (fstatat(dfd, base, &cur, AT_SYMLINK_NOFOLLOW) == 0 && cur.st_dev == st->st_dev &&
	    cur.st_ino == st->st_ino)
		return 0;
	if (make_room(x, e->path, dfd, base) < 0)
		return -1;
	if (linkat(sfd, tbase, dfd, base, 0) < 0)
		return fail(x, e->path, "link");
	return 0;
}

/* Only a regular file: a hard link to a symlink would resolve its target from another
 * directory, and one to a directory is not possible. */
static int link_from(struct dd_extract *x, const struct tar_entry *e, int sfd,
		     const char *tbase, const char *path)
{
	const char *base;
	struct stat st;
	int dfd, rc;

	if (fstatat(sfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? refuse(x, e->path, "hard link target does not exist")
				       : fail(x, e->path, "stat link target");
	if (!S_ISREG(st.st_mode))
		return refuse(x, e->path, "hard link target is not a regular file");
	if ((dfd = walk(x, e->path, path, 1, "path", &base)) < 0)
		return -1;
	rc = link_into(x, e, sfd, tbase, &st, dfd, base);
	close(dfd);
	if (rc == 0)
		x->links++;
	return rc;
}

static int make_hardlink(struct dd_extract *x, const struct tar_entry *e, const char *path)
{
	char target[TAR_NAME_MAX], q[200];
	const char *why = normalise(e->link, target), *tbase;
	int sfd, rc;

	if (!why && !*target)
		why = "is the root";
	if (why) {
		quote(q, sizeof q, e->link);
		return refuse(x, e->path, "hard link target \"%s\": %s", q, why);
	}
	if ((sfd = walk(x, e->path, target, 0, "hard link target", &tbase)) < 0)
		return -1;
	rc = link_from(x, e, sfd, tbase, path);
	close(sfd);
	if (rc == 0)
		sum_put(x->sums, path, NULL);	/* it may have replaced a file in the table */
	return rc;
}

/* --- entries ------------------------------------------------------------------------ */

static int refuse_type(struct dd_extract *x, const struct tar_entry *e)
{
	unsigned char c = (unsigned char)e->typeflag;
	const char *what = e->type == TAR_CHAR ? " (character device)"
			   : e->type == TAR_BLOCKDEV ? " (block device)"
			   : e->type == TAR_FIFO ? " (fifo)" : "";

	if (c >= 0x20 && c < 0x7f)
		return refuse(x, e->path, "unsupported entry type '%c'%s", c, what);
	return refuse(x, e->path, "unsupported entry type \\x%02x%s", c, what);
}

/* Entries whose parent directory is walked (and made) here. */
static int make_in_parent(struct dd_extract *x, struct tar_reader *r, const struct tar_entry *e,
			  const char *path, void *buf, size_t bufsz)
{
	const char *base;
	int dfd, rc;

	if ((dfd = walk(x, e->path, path, 1, "path", &base)) < 0)
		return -1;
	if (e->type == TAR_FILE)
		rc = make_file(x, r, e, path, dfd, base, buf, bufsz);
	else if (e->type == TAR_DIR)
		rc = make_dir(x, e, dfd, base, path);
	else
		rc = make_symlink(x, e, dfd, base);
	close(dfd);
	return rc;
}

int dd_extract_entry(struct dd_extract *x, struct tar_reader *r, const struct tar_entry *e,
		     void *buf, size_t bufsz)
{
	char path[TAR_NAME_MAX];
	const char *why = normalise(e->path, path);

	if (why)
		return refuse(x, e->path, "%s", why);
	if (e->type != TAR_FILE && e->type != TAR_DIR && e->type != TAR_SYMLINK &&
	    e->type != TAR_HARDLINK)
		return refuse_type(x, e);
	/* "./": the root is the caller's directory, its mode and mtime are not ours to set. */
	if (!*path)
		return e->type == TAR_DIR ? 0 : refuse(x, e->path, "the root is not a directory");
	if (e->type == TAR_FILE && (!buf || !bufsz)) {
		errno = EINVAL;
		return fail(x, e->path, "extract");
	}
	if (e->type == TAR_SYMLINK && check_symlink(x, e, path) < 0)
		return -1;
	if (e->type == TAR_HARDLINK)
		return make_hardlink(x, e, path);
	return make_in_parent(x, r, e, path, buf, bufsz);
}

void dd_extract_init(struct dd_extract *x, int rootfd)
{
	memset(x, 0, sizeof *x);
	x->rootfd = rootfd;
}

/* Children were recorded after their parents: the reverse order sets a directory's mode
 * and mtime after everything inside it is done. */
int dd_extract_finish(struct dd_extract *x)
{
	while (x->ndefer > 0) {
		const struct dd_extract_dir *d = &x->defer[--x->ndefer];
		const char *base;
		int dfd = walk(x, d->path, d->path, 0, "path", &base), rc;

		if (dfd < 0)
			return -1;
		rc = set_dir(dfd, base, d->mode, &d->mtime);
		if (rc < 0)
			fail(x, d->path, "set mode and mtime");
		close(dfd);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int dd_extract_all(struct dd_extract *x, struct tar_reader *r, void *buf, size_t bufsz)
{
	struct tar_entry e;
	char last[200] = "";
	int rc;

	while ((rc = tar_next(r, &e)) > 0) {
		if (dd_extract_entry(x, r, &e, buf, bufsz) < 0)
			return -1;
		snprintf(last, sizeof last, "%.*s", (int)sizeof last - 1, e.path);
	}
	if (rc < 0)
		return archive_error(x, rc, "after", last);
	return dd_extract_finish(x);
}
