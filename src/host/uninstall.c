#include "host/uninstall.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/group.h"
#include "host/login.h"
#include "host/paths.h"
#include "host/record.h"
#include "host/root.h"
#include "host/service.h"
#include "host/txn.h"
#include "util/atomic.h"
#include "util/io.h"
#include "util/log.h"
#include "workload/compose.h"
#include "util/sha256.h"
#include "util/sort.h"

/* Remove the tree at absolute path abs (in the root); absent is fine. */
static void rm_tree(const char *abs)
{
	if (dd_root_rmtree(abs) != 0 && errno != ENOENT)
		dd_warn("%s: %m", abs);
}

/* abs rewritten with buf, keeping the mode and owner of like (abs itself, or the copy it
 * is restored from). 0 or -1 with errno. */
static int write_like(const char *abs, const void *buf, size_t n, const char *like)
{
	struct stat st;

	if (dd_root_stat(like, &st) != 0)
		return -1;
	return dd_root_write_atomic_as(abs, buf, n, st.st_mode & 07777, st.st_uid, st.st_gid);
}

/* daemon.json as dockdrop left it: back to what it was before the first install (kept in
 * DD_DAEMON_JSON_ORIG, mode and owner included), or gone when there was none. Still the user's
 * original (a run killed before writing it): left alone. Changed by the user since: only
 * dockdrop's keys come out (its TLS files are about to go; dockerd would not start with
 * them named), the user's edits stay. */
static void restore_daemon_json(struct dd_uninstall *u, const struct dd_state_ent *e)
{
	const char *m = e->path, *orig = DD_DAEMON_JSON_ORIG;
	char err[256], cur[65], was[65];
	int ours = dd_record_ours(e);
	char *out = NULL;
	long n;

	if (ours == DD_RECORD_ABSENT)
		return;
	n = dd_root_read_small(orig, u->buf, sizeof u->buf);
	if (ours == DD_RECORD_OURS) {
		if (n < 0 ? dd_root_unlink(m) != 0 : write_like(m, u->buf, (size_t)n, orig) != 0)
			dd_warn("%s: %m", m);
		return;
	}
	dd_root_sha256_hex(m, cur);
	dd_root_sha256_hex(orig, was);
	if (n >= 0 && cur[0] && !strcmp(cur, was))
		return;
	n = dd_root_read_small(m, u->buf, sizeof u->buf);
	if (n < 0 || dd_daemonjson_unmerge(u->buf, (size_t)n, &out, err, sizeof err) != 0) {
		dd_warn("%s kept as it is: %s", m, n < 0 ? strerror(errno) : err);
		return;
	}
	if (!out ? dd_root_unlink(m) != 0 : write_like(m, out, strlen(out), m) != 0)
		dd_warn("%s: %m", m);
	else
		dd_warn("%s was changed since install: dockdrop's keys removed, yours kept", DD_DAEMON_JSON);
	free(out);
}

/* Every engine directory, the "current" link, staging and incomplete directories: all of
 * /opt/dockdrop/engine is dockdrop's, and a killed run may have left any of them. */
static void remove_engines(void)
{
	char abs[DD_PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (!(d = dd_root_opendir(DD_ENGINE_DIR)))
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    snprintf(abs, sizeof abs, "%s/%s", DD_ENGINE_DIR, de->d_name) < (int)sizeof abs)
			rm_tree(abs);
	closedir(d);
}

/* Links into the current engine that are not on record: a run killed between making a
 * link and recording it. Their target names them as dockdrop's. */
static void remove_engine_links(void)
{
	char cur[DD_PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (!(d = dd_root_opendir(DD_BIN_DIR)))
		return;
	while ((de = readdir(d))) {
		ssize_t n = readlinkat(dirfd(d), de->d_name, cur, sizeof cur - 1);

		if (n > 0 && (cur[n] = 0, !strncmp(cur, DD_ENGINE_CURRENT "/docker/",
						   sizeof DD_ENGINE_CURRENT "/docker/" - 1)))
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/* The user's file back where it was. Something else there now (the user replaced
 * dockdrop's file): both kept, and the backup stays on record. 1 when it stays. */
static int restore_backup(struct dd_uninstall *u, const struct dd_state_ent *e)
{
	const char *b = e->path, *p = dd_record_backup_orig(e->path);
	char hb[65], hp[65];
	struct stat st;

	if (dd_root_lstat(b, &st) != 0)
		return 0; /* never moved: the original is where it was */
	if (dd_root_lstat(p, &st) == 0) {
		dd_root_sha256_hex(b, hb);
		dd_root_sha256_hex(p, hp);
		if (hb[0] && !strcmp(hb, hp)) {
			dd_root_unlink(b);
			return 0;
		}
		dd_warn("%s kept (changed since install); your original is in %s", p, b);
		u->kept++;
		return 1;
	}
	if (dd_move_path(b, p) != 0) {
		dd_warn("%s: cannot put back %s: %m", p, b);
		return 1;
	}
	return 0;
}

static int longer_first(const void *a, const void *b)
{
	size_t x = strlen(*(const char *const *)a), y = strlen(*(const char *const *)b);

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Directories on record, innermost first, each only when empty: what is left there is
 * not dockdrop's. */
static void remove_dirs(const struct dd_state *s)
{
	const char *p[DD_STATE_ENTS];
	unsigned n = 0;

	for (unsigned i = 0; i < s->n; i++)
		if (s->ent[i].kind == 'd')
			p[n++] = s->ent[i].path;
	dd_sort(p, n, sizeof p[0], longer_first);
	for (unsigned i = 0; i < n; i++)
		dd_root_rmdir(p[i]);
}

/* What a plain uninstall leaves on record for a later --purge: the certificates still
 * there, the daemons' data, the group dockdrop created, directories, kept backups. */
static void keep_on_record(struct dd_uninstall *u, const struct dd_state_ent *e)
{
	if (e->kind == 'k' && dd_record_ours(e) == DD_RECORD_ABSENT &&
	    strcmp(e->path, "/etc/.pwd.lock")) /* absent before dockdrop: that stays true */
		return;
	u->left.ent[u->left.n++] = *e;
}

static int write_left(struct dd_uninstall *u)
{
	size_t n;

	if (!u->left.n && !u->left.group_created)
		return dd_root_unlink(DD_STATE_FILE) != 0 && errno != ENOENT ? -1 : 0;
	u->left.uninstalled = 1;
	if (!(n = dd_state_format(&u->left, u->text, sizeof u->text))) {
		errno = ENOSPC;
		return -1;
	}
	return dd_root_write_atomic(DD_STATE_FILE, u->text, n, 0644);
}

static void purge_group(struct dd_uninstall *u)
{
	const struct dd_state *s = &u->st;
	unsigned nonl = 0, gid;

	if (!s->group_created || dd_group_lookup(s->group, &gid) == 1)
		return;
	for (unsigned i = 0; i < s->n; i++)
		if (s->ent[i].kind == 'n')
			nonl |= strcmp(s->ent[i].path, "/etc/group") ? DD_GROUP_NONL_GSHADOW : DD_GROUP_NONL_GROUP;
	if (dd_group_remove(s->group, nonl, u->err, sizeof u->err) != 0)
		dd_warn("group %s kept: %s", s->group, u->err);
}

/* 1 when the user's file at path was moved aside: dockdrop's goes (even a certificate a
 * plain uninstall would keep) so that the user's comes back. */
static int backed_up(const struct dd_state *s, const char *path)
{
	char b[DD_PATH_MAX];

	return dd_record_backup_path(path, b, sizeof b) == 0 && dd_state_find(s, b) != NULL;
}

/* Everything but the record and the directories, in order: daemon.json first (its
 * original is one of the recorded files), then the other files and links newest first,
 * the engines, the user's files put back, and with --purge the data and the group. */
static void remove_all(struct dd_uninstall *u)
{
	const struct dd_state *s = &u->st;

	dd_login_remove(s);
	for (unsigned i = 0; i < s->n; i++)
		if (s->ent[i].kind == 'c')
			restore_daemon_json(u, &s->ent[i]);
	for (unsigned i = s->n; i-- > 0;)
		if (strcmp(s->ent[i].path, "/etc/.pwd.lock"))
			dd_record_remove(&s->ent[i], u->purge || backed_up(s, s->ent[i].path), &u->kept);
	remove_engine_links();
	remove_engines();
	for (unsigned i = 0; i < s->n; i++) {
		const struct dd_state_ent *e = &s->ent[i];

		if ((e->kind == 'b' && restore_backup(u, e)) || (!u->purge && strchr("kxnd", e->kind)))
			keep_on_record(u, e);
		else if (e->kind == 'x' && u->purge)
			rm_tree(e->path);
	}
	if (u->purge) {
		const struct dd_state_ent *e = dd_state_find(s, "/etc/.pwd.lock");

		purge_group(u); /* under the shadow lock, whose file goes last */
		if (e)
			dd_record_remove(e, 1, &u->kept);
	} else if (s->group_created) {
		memcpy(u->left.group, s->group, sizeof s->group);
		u->left.gid = s->gid;
		u->left.group_created = 1;
	}
}

/* Its containers and networks are the project's, not data. */
int dd_uninstall_compose(const struct dd_state *s, const char *keep, int up, int quiet)
{
	static const char *const down[] = { "down", NULL }, *const upd[] = { "up", "-d", NULL };
	char name[DD_COMPOSE_NAME_MAX + 1], env[128], err[512];
	int n = 0;

	for (unsigned i = 0; i < s->n; i++) {
		if (s->ent[i].kind != 'f' || dd_compose_name_of(s->ent[i].path, name, sizeof name) ||
		    (keep && !strcmp(keep, name)))
			continue;
		snprintf(env, sizeof env, "%s/%s/compose.env", DD_COMPOSE_DIR, name);
		n++;
		if (dd_compose_run(DD_BIN_DIR, name, dd_state_find(s, env) != NULL, up ? upd : down,
				   up ? 600 : 300, err, sizeof err))
			dd_warn("compose project %s: %s failed: %s", name, up ? "up" : "down", err);
		else if (!quiet)
			dd_info("compose project %s: %s", name, up ? "up again" : "down");
	}
	return n;
}

int dd_uninstall_run(struct dd_uninstall *u)
{
	int rc, installed;

	if ((rc = dd_txn_lock("uninstall")))
		return rc;
	/* An install killed before its first record left at most a temporary name. */
	if (dd_record_read(&u->st, u->err, sizeof u->err) == DD_STATE_NONE && dd_record_sweep()) {
		dd_info("removed what an install interrupted before its first record left");
		return 0;
	}
	if ((rc = dd_record_load(&u->st, "uninstall", u->purge)))
		return rc;
	installed = dd_record_installed(&u->st);
	if (installed && !u->image)
		dd_uninstall_compose(&u->st, NULL, 0, 0);
	if (installed && !u->image) {
		if ((rc = dd_svc_stop(dd_init_from_name(u->st.init), u->err, sizeof u->err)))
			return dd_fail(rc, "uninstall: %s; nothing was removed", u->err);
		dd_info("services stopped (%s)", u->st.init);
	}
	dd_record_sweep();
	memset(&u->left, 0, sizeof u->left);
	remove_all(u);
	if (installed && !u->image) /* the init system forgets the services that went */
		dd_svc_reload(dd_init_from_name(u->st.init));
	if (write_left(u) != 0)
		dd_warn("%s: %m", DD_STATE_FILE);
	dd_root_unlink(DD_RESTART_MARK);
	remove_dirs(&u->st);
	if (installed)
		dd_info("removed dockdrop's engine %s%s%s", u->st.engine.version,
			u->purge ? ", its data, certificates and CA" : " (certificates and CA kept; --purge removes them)",
			u->kept ? "; some changed files were kept" : "");
	else
		dd_info("removed what the earlier uninstall kept: data, certificates and CA%s",
			u->kept ? "; some changed files were kept" : "");
	return 0;
}
