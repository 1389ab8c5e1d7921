#include "host/group.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host/root.h"
#include "host/txn.h"
#include "util/atomic.h"
#include "util/clock.h"
#include "util/io.h"
#include "util/log.h"
#include "util/sort.h"

/* /etc/group of a big site is a few MB at most: more is refused, not slurped. */
#define FILE_MAX DD_TXN_FILE_MAX /* install keeps a copy to roll back to */
#define GID_LIMIT 4294967294ul /* (gid_t)-1 means "no change" to chown */
#define NAME_MAX_LEN 32

static unsigned lock_timeout_ms = 15000;

void dd_group_set_lock_timeout(unsigned ms)
{
	lock_timeout_ms = ms;
}

struct file {
	char path[DD_PATH_MAX];
	char *buf;
	size_t len;
	struct stat st;
	int exists;
};

/* --- reading ---------------------------------------------------------------------------- */

static int read_fd(int fd, struct file *f)
{
	size_t cap = (size_t)f->st.st_size + 1;

	for (;;) {
		char *p;
		ssize_t r;

		if (cap > FILE_MAX + 1)
			cap = FILE_MAX + 1;
		p = realloc(f->buf, cap + 1);
		if (!p)
			return -1;
		f->buf = p;
		r = dd_read_full(fd, f->buf + f->len, cap - f->len);
		if (r < 0)
			return -1;
		f->len += (size_t)r;
		if (f->len < cap)
			break;
		if (f->len > FILE_MAX) {
			errno = EFBIG;
			return -1;
		}
		cap *= 2;
	}
	f->buf[f->len] = 0;
	return 0;
}

/* Something else than a file stands at path: bad input, nothing changed. */
static int not_regular(const char *path, mode_t m, char *err, size_t errsz)
{
	return dd_say(err, errsz, DD_EXIT_USAGE,
		      "%s: is %s, not a regular file: put a regular file back there (vigr)", path,
		      dd_file_kind(m));
}

/* Read abs (resolved in the root). A missing optional file gives exists = 0. */
static int load(struct file *f, const char *abs, int optional, char *err, size_t errsz)
{
	int fd;

	memset(f, 0, sizeof *f);
	snprintf(f->path, sizeof f->path, "%s", abs);
	fd = dd_root_open(f->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
	if (fd < 0 && errno == ENOENT && optional)
		return 0;
	if (fd < 0 && errno == ELOOP)
		return not_regular(f->path, S_IFLNK, err, errsz);
	if (fd < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "opening %s: %m", f->path);
	if (fstat(fd, &f->st) < 0) {
		int e = errno;

		close(fd);
		return dd_say(err, errsz, DD_EXIT_FAIL, "reading %s: %s", f->path, strerror(e));
	}
	if (!S_ISREG(f->st.st_mode)) {
		close(fd);
		return not_regular(f->path, f->st.st_mode, err, errsz);
	}
	if (read_fd(fd, f) < 0) {
		int e = errno;

		close(fd);
		free(f->buf);
		f->buf = NULL;
		if (e == EFBIG)
			return dd_say(err, errsz, DD_EXIT_USAGE, "%s: larger than %u KiB, which dockdrop does not edit: check it (vigr)",
				      f->path, FILE_MAX >> 10);
		return dd_say(err, errsz, DD_EXIT_FAIL, "reading %s: %s", f->path, strerror(e));
	}
	close(fd);
	f->exists = 1;
	if (memchr(f->buf, 0, f->len)) {
		free(f->buf);
		f->buf = NULL;
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s holds a NUL byte: fix it",
			      f->path);
	}
	return 0;
}

/* --- the group file --------------------------------------------------------------------- */

struct line {
	const char *s;	/* the line, without its '\n' */
	size_t n;
	size_t namelen; /* length of the first field */
	int ok;		/* an entry shadow-utils reads (see next_line) */
	unsigned long gid;
};

/* The gid field as shadow's get_gid() reads it (strtoll, base 10): leading spaces, a sign,
 * digits and nothing after, the value a gid_t. 0, or -1. */
static int parse_gid(const char *p, const char *e, unsigned long *gid)
{
	unsigned long v = 0;
	int neg = 0;

	while (p < e && (*p == ' ' || (*p >= '\t' && *p <= '\r')))
		p++;
	if (p < e && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (p == e)
		return -1;
	for (; p < e; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > GID_LIMIT) /* (gid_t)-1 is no gid: refused, and every gid read back fits */
			return -1;
	}
	if (neg && v)
		return -1;
	*gid = v;
	return 0;
}

/* The next line of f from *pos: 1, or 0 at the end. An entry is what shadow's sgetgrent()
 * takes: three or four ':'-separated fields (members may be missing), the gid parsed. */
static int next_line(const struct file *f, size_t *pos, struct line *l)
{
	const char *s = f->buf + *pos, *e, *c[4];
	unsigned k = 0;

	if (*pos >= f->len)
		return 0;
	e = memchr(s, '\n', f->len - *pos);
	if (!e)
		e = f->buf + f->len;
	*pos = (size_t)(e - f->buf) + 1;
	l->s = s;
	l->n = (size_t)(e - s);
	for (const char *p = s; p < e && k < 4; p++)
		if (*p == ':')
			c[k++] = p;
	l->namelen = k ? (size_t)(c[0] - s) : l->n;
	l->gid = 0;
	l->ok = (k == 2 || k == 3) && parse_gid(c[1] + 1, k == 3 ? c[2] : e, &l->gid) == 0;
	return 1;
}

static int is_name(const struct line *l, const char *name)
{
	return l->namelen == strlen(name) && memcmp(l->s, name, l->namelen) == 0;
}

/* Find name in the group file: 0 with *gid, 1 absent, DD_EXIT_USAGE when the file is
 * not one to edit (its line number in err): a line that is not an entry (but an empty
 * line or a NIS "+"/"-" line), or name on two lines. A gid picked beside a line nobody
 * can read could be taken twice; which of two lines counts is not ours to guess. */
static int find(const struct file *f, const char *name, unsigned *gid, char *err, size_t errsz)
{
	struct line l;
	size_t pos = 0;
	unsigned no = 0, at = 0;

	while (next_line(f, &pos, &l)) {
		no++;
		if (!l.ok && l.n && l.s[0] != '+' && l.s[0] != '-')
			return dd_say(err, errsz, DD_EXIT_USAGE,
				      "%s line %u: not a group entry (NAME:PASSWORD:GID:MEMBERS with a gid up to %lu): fix it (vigr)",
				      f->path, no, GID_LIMIT);
		if (!is_name(&l, name))
			continue;
		if (at)
			return dd_say(err, errsz, DD_EXIT_USAGE,
				      "%s lines %u and %u: group %s twice: remove one (vigr)",
				      f->path, at, no, name);
		at = no;
		*gid = (unsigned)l.gid;
	}
	return at ? 0 : 1;
}

/* --- choosing the gid ------------------------------------------------------------------- */

/* The number key is set to in login.defs, read as shadow's getdef does ("KEY value" lines,
 * '#' lines skipped, quotes around the value dropped, strtoul base 0 so 0x1f4 and 0700
 * count, the last setting wins), or dflt when unset or unreadable. */
static unsigned long defs_get(const struct file *defs, const char *key, unsigned long dflt)
{
	size_t pos = 0, klen = strlen(key);
	struct line l;

	if (!defs->exists)
		return dflt;
	while (next_line(defs, &pos, &l)) {
		const char *p = l.s, *e = l.s + l.n;
		char val[32], *end;
		unsigned long v;
		size_t n;

		while (e > p && (e[-1] == ' ' || (e[-1] >= '\t' && e[-1] <= '\r')))
			e--;
		p += strspn(p, " \t");
		if ((size_t)(e - p) <= klen || memcmp(p, key, klen) != 0 ||
		    (p[klen] != ' ' && p[klen] != '\t'))
			continue;
		for (p += klen; p < e && (*p == ' ' || *p == '\t' || *p == '"'); p++)
			;
		n = (size_t)(e - p);
		if (memchr(p, '"', n))
			n = (size_t)((const char *)memchr(p, '"', n) - p);
		if (n == 0 || n >= sizeof val)
			continue;
		memcpy(val, p, n);
		val[n] = 0;
		errno = 0;
		v = strtoul(val, &end, 0);
		if (!*end && errno != ERANGE)
			dflt = v;
	}
	return dflt;
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

/* groupadd -r's choice (shadow 4.13 find_new_gid for a system group). */
static int pick_gid(const struct file *grp, const struct file *defs, unsigned *gid, char *err,
		    size_t errsz)
{
	unsigned long min = defs_get(defs, "SYS_GID_MIN", 101);
	unsigned long max = defs_get(defs, "SYS_GID_MAX", defs_get(defs, "GID_MIN", 1000) - 1);
	unsigned long *used, cand;
	int none = 0;
	size_t n = 0, cap = 0, pos = 0;
	struct line l;

	if (min > max || max > GID_LIMIT)
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      "%s: invalid system gid range SYS_GID_MIN %lu..SYS_GID_MAX %lu: fix it",
			      defs->exists ? defs->path : "/etc/login.defs", min, max);
	while (next_line(grp, &pos, &l))
		cap++;
	used = malloc((cap ? cap : 1) * sizeof *used);
	if (!used)
		return dd_say(err, errsz, DD_EXIT_FAIL, "reading %s: out of memory", grp->path);
	for (pos = 0; next_line(grp, &pos, &l);)
		if (l.ok && l.gid >= min && l.gid <= max)
			used[n++] = l.gid;
	dd_sort(used, n, sizeof *used, cmp_ulong);
	/* Below every system group already there; else the highest free gid from the top. */
	if (!n || used[0] > min) {
		cand = n ? used[0] - 1 : max;
	} else {
		cand = max;
		for (size_t i = n; i-- > 0;) {
			if (used[i] > cand)
				continue; /* a repeated gid */
			if (used[i] < cand)
				break;
			if (cand == min) {
				none = 1;
				break;
			}
			cand--;
		}
	}
	free(used);
	if (none)
		return dd_say(err, errsz, DD_EXIT_FAIL,
			      "%s: no free system gid in %lu..%lu (SYS_GID_MIN..SYS_GID_MAX)",
			      grp->path, min, max);
	*gid = (unsigned)cand;
	return 0;
}

/* --- the lock ----------------------------------------------------------------------------- */

/* lckpwdf(): a write lock on the whole of /etc/.pwd.lock, waited for a bounded time. */
static int lock_pwd(int *fdp, char *err, size_t errsz)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	const char *path = "/etc/.pwd.lock";
	long deadline = dd_now_ms() + lock_timeout_ms;
	int fd;

	fd = dd_root_open(path, O_WRONLY | O_CREAT | O_NOFOLLOW, 0600);
	if (fd < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "opening %s: %m", path);
	while (fcntl(fd, F_SETLK, &fl) < 0) {
		struct timespec pause = { 0, 20 * 1000000L };

		if (errno != EACCES && errno != EAGAIN && errno != EINTR) {
			int e = errno;

			close(fd);
			return dd_say(err, errsz, DD_EXIT_FAIL, "locking %s: %s", path, strerror(e));
		}
		if (dd_now_ms() >= deadline) {
			close(fd);
			return dd_say(err, errsz, DD_EXIT_FAIL,
				      "locking %s: still held by another process after %u ms "
				      "(useradd, groupadd, vipw?): try again when it is done",
				      path, lock_timeout_ms);
		}
		nanosleep(&pause, NULL);
	}
	*fdp = fd;
	return 0;
}

/* --- writing ---------------------------------------------------------------------------- */

/* Where a new entry goes: before the first NIS line ("+..." or "-..."), as shadow-utils
 * puts it (entries after a "+" may be shadowed by NIS), else at the end. */
static size_t insert_at(const struct file *f)
{
	struct line l;
	size_t pos = 0, at = 0;

	while (next_line(f, &pos, &l)) {
		if (l.n && (l.s[0] == '+' || l.s[0] == '-'))
			return at;
		at = pos;
	}
	return f->len;
}

/* Replace f by its bytes with line inserted (insert_at) and a final '\n' if the file
 * lacked one; mode and owner kept. */
static int add_line(const struct file *f, const char *line, char *err, size_t errsz)
{
	mode_t mode = f->st.st_mode & 07777;
	size_t at = insert_at(f);
	int nl = f->len && f->buf[f->len - 1] != '\n';
	struct dd_afile af;

	if (dd_root_afile_open(&af, f->path, mode) < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "writing %s: %m", f->path);
	if (fchown(af.fd, f->st.st_uid, f->st.st_gid) < 0 || fchmod(af.fd, mode) < 0 ||
	    dd_afile_write(&af, f->buf, at) < 0 ||
	    (at == f->len && nl && dd_afile_write(&af, "\n", 1) < 0) ||
	    dd_afile_write(&af, line, strlen(line)) < 0 ||
	    dd_afile_write(&af, f->buf + at, f->len - at) < 0 ||
	    (at < f->len && nl && dd_afile_write(&af, "\n", 1) < 0)) {
		dd_afile_abort(&af);
		return dd_say(err, errsz, DD_EXIT_FAIL, "writing %s: %m", f->path);
	}
	if (dd_afile_commit(&af) < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "writing %s: %m", f->path);
	return 0;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-' || (s[i] == '$' && i == n - 1)))
			return 0;
	return 1;
}

int dd_group_ensure(const char *name, unsigned *gid, int *changed, char *err, size_t errsz)
{
	struct file grp = { 0 }, gsh = { 0 }, defs = { 0 };
	struct line l;
	int lockfd = -1, rc, in_gshadow = 0;
	char line[NAME_MAX_LEN + 32];
	size_t pos = 0;

	*changed = 0;
	if (!valid_name(name))
		return dd_say(err, errsz, DD_EXIT_USAGE, "group name %.40s: invalid", name);
	rc = lock_pwd(&lockfd, err, errsz);
	if (!rc)
		rc = load(&grp, "/etc/group", 0, err, errsz);
	if (!rc) {
		rc = find(&grp, name, gid, err, errsz);
		if (rc == 1)
			rc = load(&gsh, "/etc/gshadow", 1, err, errsz);
		else if (rc == 0)
			goto out; /* present: nothing to write */
	}
	if (!rc)
		rc = load(&defs, "/etc/login.defs", 1, err, errsz);
	if (!rc)
		rc = pick_gid(&grp, &defs, gid, err, errsz);
	while (!rc && gsh.exists && next_line(&gsh, &pos, &l))
		in_gshadow |= is_name(&l, name);
	if (!rc && gsh.exists && !in_gshadow) {
		snprintf(line, sizeof line, "%s:!::\n", name);
		rc = add_line(&gsh, line, err, errsz);
	}
	if (!rc) {
		snprintf(line, sizeof line, "%s:x:%u:\n", name, *gid);
		rc = add_line(&grp, line, err, errsz);
		*changed = !rc;
	}
out:
	free(grp.buf);
	free(gsh.buf);
	free(defs.buf);
	if (lockfd >= 0)
		close(lockfd);
	return rc;
}

/* Replace f by its bytes without the lines for name; mode and owner kept. With strip_nl
 * the last line keeps no '\n' (the one dd_group_ensure added to a file without it). */
static int drop_lines(const struct file *f, const char *name, int strip_nl, char *err,
		      size_t errsz)
{
	mode_t mode = f->st.st_mode & 07777;
	struct dd_afile af;
	struct line l;
	size_t pos = 0, last = 0;
	int rc = 0;

	while (next_line(f, &pos, &l))
		if (!is_name(&l, name))
			last = pos;
	if (dd_root_afile_open(&af, f->path, mode) < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "writing %s: %m", f->path);
	if (fchown(af.fd, f->st.st_uid, f->st.st_gid) < 0 || fchmod(af.fd, mode) < 0)
		rc = -1;
	pos = 0;
	while (!rc && next_line(f, &pos, &l))
		if (!is_name(&l, name) &&
		    dd_afile_write(&af, l.s, pos <= f->len && !(strip_nl && pos == last) ? l.n + 1 : l.n) < 0)
			rc = -1;
	if (rc) {
		dd_afile_abort(&af);
		return dd_say(err, errsz, DD_EXIT_FAIL, "writing %s: %m", f->path);
	}
	if (dd_afile_commit(&af) < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "writing %s: %m", f->path);
	return 0;
}

int dd_group_remove(const char *name, unsigned nonl, char *err, size_t errsz)
{
	struct file grp = { 0 }, gsh = { 0 };
	struct line l;
	size_t pos = 0;
	int lockfd = -1, rc;
	unsigned gid;

	if (!valid_name(name))
		return dd_say(err, errsz, DD_EXIT_USAGE, "group name %.40s: invalid", name);
	rc = lock_pwd(&lockfd, err, errsz);
	if (!rc)
		rc = load(&grp, "/etc/group", 0, err, errsz);
	if (!rc && (rc = find(&grp, name, &gid, err, errsz)) == 1)
		rc = 0;
	else if (!rc) {
		while (next_line(&grp, &pos, &l))
			if (is_name(&l, name) && l.s[l.n - 1] != ':')
				rc = dd_say(err, errsz, DD_EXIT_FAIL, "it has members now");
		if (!rc)
			rc = drop_lines(&grp, name, !!(nonl & DD_GROUP_NONL_GROUP), err, errsz);
	}
	if (!rc)
		rc = load(&gsh, "/etc/gshadow", 1, err, errsz);
	pos = 0;
	while (!rc && gsh.exists && next_line(&gsh, &pos, &l))
		if (is_name(&l, name)) {
			rc = drop_lines(&gsh, name, !!(nonl & DD_GROUP_NONL_GSHADOW), err, errsz);
			break;
		}
	free(grp.buf);
	free(gsh.buf);
	if (lockfd >= 0)
		close(lockfd);
	return rc;
}

int dd_group_check(const char *name, char *err, size_t errsz)
{
	struct file grp, gsh, defs = { 0 };
	unsigned gid;
	int rc;

	if (!valid_name(name))
		return dd_say(err, errsz, DD_EXIT_USAGE, "group name %.40s: invalid", name);
	if ((rc = load(&grp, "/etc/group", 0, err, errsz)))
		return rc;
	rc = find(&grp, name, &gid, err, errsz);
	/* To be added: login.defs readable and a gid free, as dd_group_ensure will need. */
	if (rc == 1 && !(rc = load(&defs, "/etc/login.defs", 1, err, errsz)))
		rc = pick_gid(&grp, &defs, &gid, err, errsz);
	free(grp.buf);
	free(defs.buf);
	if (rc)
		return rc;
	if ((rc = load(&gsh, "/etc/gshadow", 1, err, errsz)))
		return rc;
	free(gsh.buf);
	return 0;
}

int dd_group_lookup(const char *name, unsigned *gid)
{
	struct file grp;
	char err[8];
	int rc;

	if (!valid_name(name) || load(&grp, "/etc/group", 0, err, sizeof err))
		return -1;
	rc = find(&grp, name, gid, err, sizeof err);
	free(grp.buf);
	return rc == 0 ? 0 : rc == 1 ? 1 : -1;
}
