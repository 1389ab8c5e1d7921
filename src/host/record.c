#include "host/record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/paths.h"
#include "host/root.h"
#include "util/atomic.h"
#include "util/fault.h"
#include "util/io.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/sort.h"

/* dockdrop's set: what a record may name. Files, keys and links it writes (patterns:
 * '*' any run of bytes within one component, [...] one byte of a set or range); the daemons' data; the group files it adds a line
 * to; directories it may make are the ancestors of these, and anything under its own
 * /opt/dockdrop and /var/lib/dockdrop. */
static const char *const files[] = {
	DD_DAEMON_JSON, DD_DAEMON_JSON_ORIG, DD_CA_DIR "/ca.pem", DD_CA_DIR "/ca-key.pem",
	DD_TLS_DIR "/ca.pem", DD_TLS_DIR "/server-cert.pem", DD_TLS_DIR "/server-key.pem",
	DD_CLIENT_DIR "/ca.pem", DD_CLIENT_DIR "/cert.pem", DD_CLIENT_DIR "/key.pem",
	DD_CLIENT_DIR "/docker.env", "/etc/.pwd.lock", DD_ENGINE_CURRENT, DD_BIN_DIR "/*",
	"/etc/systemd/system/containerd.service", "/etc/systemd/system/docker.service",
	"/etc/systemd/system/docker.socket",
	"/etc/systemd/system/multi-user.target.wants/containerd.service",
	"/etc/systemd/system/multi-user.target.wants/docker.service",
	"/etc/init.d/containerd", "/etc/init.d/docker", "/etc/runlevels/default/containerd",
	"/etc/runlevels/default/docker", "/etc/rc[0-6].d/[SK][0-9][0-9]containerd",
	"/etc/rc[0-6].d/[SK][0-9][0-9]docker", "/usr/local/lib/docker/cli-plugins/docker-*",
	"/etc/dockdrop/compose/*/compose.*",
	"/etc/systemd/system/dockdrop-compose.service", "/etc/init.d/dockdrop-compose",
	"/etc/systemd/system/multi-user.target.wants/dockdrop-compose.service",
	"/etc/runlevels/default/dockdrop-compose", "/etc/rc[0-6].d/[SK][0-9][0-9]dockdrop-compose",
	DD_MAN_PAGE, DD_BASH_COMPLETION, DD_ZSH_COMPLETION,
};
static const char *const data[] = { DD_DOCKER_DATA, DD_CONTAINERD_DATA, DD_DOCKER_ETC "/key.json",
				    DD_LOG_DIR };
static const char *const dirs[] = { "/opt/containerd/bin", "/opt/containerd/lib",
				    "/etc/cni/net.d", DD_OPT_DIR "/*", DD_ENGINE_DIR "/*",
				    DD_STATE_DIR "/*", "/root/.docker" };
static const char *const nonl[] = { "/etc/group", "/etc/gshadow" };

#define N(a) (sizeof a / sizeof a[0])

/* One byte against a "[...]" set at p (p after '['): 1 when in it; *end after ']'. */
static int in_set(const char *p, char c, const char **end)
{
	int in = 0;

	for (; *p && *p != ']'; p++)
		if (p[1] == '-' && p[2] && p[2] != ']') {
			in |= c >= p[0] && c <= p[2];
			p += 2;
		} else {
			in |= c == *p;
		}
	*end = *p ? p + 1 : p;
	return in;
}

/* The patterns above against a whole path; '*' never crosses a '/' (fnmatch's
 * FNM_PATHNAME, without the locale tables fnmatch pulls in). */
static int glob(const char *p, const char *s)
{
	const char *end;

	for (; *p; p++, s++)
		switch (*p) {
		case '*':
			for (;; s++) {
				if (glob(p + 1, s))
					return 1;
				if (!*s || *s == '/')
					return 0;
			}
		case '[':
			if (!*s || *s == '/' || !in_set(p + 1, *s, &end))
				return 0;
			p = end - 1;
			break;
		default:
			if (*p != *s)
				return 0;
		}
	return !*s;
}

static int match(const char *const *pat, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (glob(pat[i], path))
			return 1;
	return 0;
}

/* path is a pattern itself or one of its ancestors. */
static int ancestor_of(const char *const *pat, size_t n, const char *path)
{
	char pre[DD_PATH_MAX];

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(pat[i]);

		if (len >= sizeof pre)
			continue;
		memcpy(pre, pat[i], len + 1);
		for (char *s = pre + len; s > pre; s--)
			if (*s == '/' || !*s) {
				*s = 0;
				if (glob(pre, path))
					return 1;
			}
	}
	return 0;
}

/* Under /var/lib/dockdrop/backup/, and what follows is in the set. */
static int backup_ok(const char *path)
{
	const char *o = dd_record_backup_orig(path);

	return o != path && match(files, N(files), o);
}

int dd_record_in_set(char kind, const char *path)
{
	switch (kind) {
	case 'f': case 'k': case 'c': case 'l':
		return match(files, N(files), path);
	case 'b':
		return backup_ok(path);
	case 'x':
		return match(data, N(data), path);
	case 'n':
		return match(nonl, N(nonl), path);
	case 'd':
		return ancestor_of(files, N(files), path) || ancestor_of(data, N(data), path) ||
		       ancestor_of(dirs, N(dirs), path) || !strncmp(path, DD_BACKUP_DIR "/", sizeof DD_BACKUP_DIR);
	default:
		return 0;
	}
}

int dd_record_read(struct dd_state *s, char *err, size_t errsz)
{
	char m[DD_PATH_MAX];
	int rc = dd_state_load(s, err, errsz);

	if (rc)
		return rc;
	for (unsigned i = 0; i < s->n; i++)
		if (!dd_record_in_set(s->ent[i].kind, s->ent[i].path)) {
			dd_root_show(DD_STATE_FILE, m, sizeof m);
			return dd_say(err, errsz, DD_EXIT_FAIL,
				      "%s is damaged (it names %s, which is not dockdrop's): nothing "
				      "was removed; restore the record from a backup", m, s->ent[i].path);
		}
	return 0;
}

int dd_record_not_installed(const char *cmd)
{
	return dd_fail(DD_EXIT_FAIL, "%s: dockdrop has not installed anything here (no %s)", cmd,
		       DD_STATE_FILE);
}

int dd_record_installed(const struct dd_state *s)
{
	return s->engine.dir[0] != 0;
}

int dd_record_load(struct dd_state *s, const char *cmd, int any)
{
	char err[512];
	int rc = dd_record_read(s, err, sizeof err);

	if (rc == DD_STATE_NONE || (rc == 0 && !any && !dd_record_installed(s)))
		return dd_record_not_installed(cmd);
	return rc ? dd_fail(rc, "%s: %s", cmd, err) : 0;
}

/* --- is it still ours ------------------------------------------------------------------- */

int dd_record_ours(const struct dd_state_ent *e)
{
	char cur[DD_PATH_MAX], hex[65];
	struct stat st;

	if (dd_root_lstat(e->path, &st) != 0)
		return DD_RECORD_ABSENT;
	switch (e->kind) {
	case 'l':
		if (dd_root_readlink(e->path, cur, sizeof cur) != 0)
			return DD_RECORD_CHANGED;
		return strcmp(cur, e->target) ? DD_RECORD_CHANGED : DD_RECORD_OURS;
	case 'd':
	case 'x':
	case 'n':
		return DD_RECORD_OURS;
	default:
		if (!S_ISREG(st.st_mode))
			return DD_RECORD_CHANGED;
		if (!strcmp(e->sha, DD_STATE_PLANNED))
			return DD_RECORD_OURS;
		if (dd_root_sha256_hex(e->path, hex) != 0)
			return DD_RECORD_CHANGED;
		return strcmp(hex, e->sha) ? DD_RECORD_CHANGED : DD_RECORD_OURS;
	}
}

void dd_record_remove(const struct dd_state_ent *e, int purge, unsigned *kept)
{
	if (!strchr("fkl", e->kind) || (e->kind == 'k' && !purge))
		return;
	switch (dd_record_ours(e)) {
	case DD_RECORD_OURS:
		if (dd_root_unlink(e->path) != 0 && errno != ENOENT)
			dd_warn("%s: %m", e->path);
		return;
	case DD_RECORD_CHANGED:
		dd_warn("%s kept: changed since dockdrop wrote it", e->path);
		++*kept;
		return;
	default:
		return;
	}
}

int dd_record_planned(struct dd_state *s, char kind, const char *abs)
{
	return dd_state_add(s, kind, abs, kind == 'k' && dd_strstr(abs, "key") ? 0600 : 0644,
			    DD_STATE_PLANNED, NULL);
}

/* --- backups ---------------------------------------------------------------------------- */

int dd_record_backup_path(const char *orig, char *out, size_t cap)
{
	return snprintf(out, cap, "%s%s", DD_BACKUP_DIR, orig) >= (int)cap ? -1 : 0;
}

const char *dd_record_backup_orig(const char *backup)
{
	size_t n = sizeof DD_BACKUP_DIR - 1;

	return !strncmp(backup, DD_BACKUP_DIR, n) && backup[n] == '/' ? backup + n : backup;
}

unsigned dd_record_sweep(void)
{
	static const char *const sweep[] = { "/", "/var", "/var/lib", "/etc", DD_BIN_DIR, DD_ENGINE_DIR, DD_DOCKER_ETC,
					     DD_TLS_DIR, DD_ETC_DIR, DD_CA_DIR, DD_CLIENT_DIR,
					     DD_STATE_DIR, "/etc/systemd/system",
					     "/etc/systemd/system/multi-user.target.wants",
					     "/etc/init.d", "/etc/runlevels/default" };

	unsigned n = 0;

	for (unsigned i = 0; i < N(sweep); i++)
		n += dd_txn_sweep(sweep[i], !strcmp(sweep[i], DD_ENGINE_DIR));
	return n;
}

/* --- writing ---------------------------------------------------------------------------- */

/* The outermost missing directory of DD_STATE_DIR into top (the record's first write makes
 * it): 1, 0 when the directory is there, -1 with errno. */
static int missing_top(char *top, size_t cap)
{
	struct stat st;

	snprintf(top, cap, "%s", DD_STATE_DIR);
	for (char *s = top + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = 0;
		if (dd_root_lstat(top, &st) != 0)
			return errno == ENOENT ? 1 : -1;
		if (!c)
			return 0;
		*s = c;
	}
}

/* The first record of a target: the directories it needs and the record itself made under
 * a temporary name beside the outermost of them (".NAME.dd-PID-dir", which dd_txn_sweep
 * removes after a kill) and renamed into place at once. So the first change an install
 * makes is one uninstall can find and undo: before the rename there is only a temporary
 * name, after it the record that names every directory. */
static int write_first(struct dd_txn *t, const char *top, const char *buf, size_t n)
{
	char tmp[DD_PATH_MAX], dir[DD_PATH_MAX];
	const char *base = strrchr(top, '/') + 1;
	size_t plen = (size_t)(base - top);
	int dfd, rc = -1, e;

	/* Snapshots first (absent, removed with what is in them on rollback), outermost
	 * first, as dd_txn_mkdir takes them. */
	snprintf(dir, sizeof dir, "%s", DD_STATE_DIR);
	for (char *s = dir + strlen(top);; s++)
		if (!*s || *s == '/') {
			char c = *s;

			*s = 0;
			if (dd_txn_snap(t, dir) != 0)
				return -1;
			if (!(*s = c))
				break;
		}
	if (dd_txn_snap(t, DD_STATE_FILE) != 0)
		return -1;
	if (snprintf(tmp, sizeof tmp, "%.*s.%s.dd-%ld-dir", (int)plen, top, base, (long)getpid()) >=
		    (int)sizeof tmp ||
	    snprintf(dir, sizeof dir, "%s%s", tmp, &DD_STATE_DIR[strlen(top)]) >= (int)sizeof dir) {
		errno = ENAMETOOLONG;
		return -1;
	}
	dd_root_rmtree(tmp);
	if (dd_root_mkdir_p(dir, 0755) == 0 && (dfd = dd_root_open(dir, O_RDONLY | O_DIRECTORY, 0)) >= 0) {
		rc = dd_write_atomic_at(dfd, strrchr(DD_STATE_FILE, '/') + 1, buf, n, 0644,
					(uid_t)-1, (gid_t)-1);
		close(dfd);
	}
	if (rc == 0)
		rc = dd_root_rename(tmp, top);
	e = errno;
	if (rc != 0)
		dd_root_rmtree(tmp);
	errno = e;
	if (rc == 0) {
		t->changes++;
		dd_fault_point();
	}
	return rc;
}

int dd_record_write(struct dd_txn *t, const struct dd_state *s, char *buf, size_t cap,
		    char *err, size_t errsz)
{
	size_t n = dd_state_format(s, buf, cap);
	char top[DD_PATH_MAX];
	int ch, first;

	if (!n)
		return dd_say(err, errsz, DD_EXIT_FAIL, "the state record does not fit");
	if ((first = missing_top(top, sizeof top)) < 0 ||
	    (first ? write_first(t, top, buf, n) : dd_txn_write(t, DD_STATE_FILE, buf, n, 0644, &ch)) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", DD_STATE_FILE);
	return 0;
}
