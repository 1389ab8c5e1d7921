#include "host/login.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/paths.h"
#include "host/root.h"
#include "util/io.h"
#include "util/log.h"
#include "workload/registry.h"

#define TIMEOUT_MS 10000

/* config.json as found and as it will be; the trust store's PEM text. Big, used once. */
static char old_text[DD_DOCKERCFG_MAX + 1], new_text[DD_DOCKERCFG_MAX + 1];
static char pem[512 * 1024];
static struct dd_tls_anchors anchors;
static struct dd_login *live;	/* wiped at exit whatever happens */

/* A destructor rather than atexit(): exit() runs it from .fini_array, and atexit would
 * link musl's handler tables for it. */
__attribute__((destructor)) static void wipe(void)
{
	if (live)
		for (unsigned i = 0; i < live->n; i++)
			explicit_bzero(live->r[i].auth, sizeof live->r[i].auth);
	explicit_bzero(new_text, sizeof new_text);
	explicit_bzero(old_text, sizeof old_text);
}

/* --- input ------------------------------------------------------------------------------- */

/* The password from fd (at most DD_LOGIN_PASS_MAX bytes, one trailing "\n" or "\r\n" taken
 * off as docker login does) as base64("USER:PASS") into r->auth. */
static int read_password(struct dd_login_reg *r, int fd, const char *from, const char *text)
{
	char buf[DD_LOGIN_PASS_MAX + 160];
	size_t un = strlen(r->user);
	ssize_t n;
	int rc = 0;

	memcpy(buf, r->user, un);
	buf[un++] = ':';
	n = text ? (ssize_t)strnlen(text, DD_LOGIN_PASS_MAX + 3) : dd_read_full(fd, buf + un, DD_LOGIN_PASS_MAX + 3);
	if (text)
		memcpy(buf + un, text, (size_t)n);
	if (n > 0 && buf[un + (size_t)n - 1] == '\n')
		n--;
	if (n > 0 && buf[un + (size_t)n - 1] == '\r')
		n--;
	if (n < 0)
		rc = dd_fail(DD_EXIT_USAGE, "install: reading the password from %s: %m", from);
	else if (n == 0)
		rc = dd_fail(DD_EXIT_USAGE, "install: the password from %s is empty: give the registry's password", from);
	else if (n > DD_LOGIN_PASS_MAX || memchr(buf + un, 0, (size_t)n))
		rc = dd_fail(DD_EXIT_USAGE, "install: the password from %s is longer than %d bytes or holds a NUL byte",
			     from, DD_LOGIN_PASS_MAX);
	else
		dd_base64(buf, un + (size_t)n, r->auth, sizeof r->auth);
	explicit_bzero(buf, sizeof buf);
	return rc;
}

/* A password file: this machine's (like --certs), a regular file only its owner reads. */
static int password_file(struct dd_login_reg *r, const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), rc;
	struct stat st = { 0 };	/* a failed fstat reads as "not a regular file" */

	if (fd < 0)
		return dd_fail(DD_EXIT_USAGE, "install: --password-file %s: %s", path,
			       errno == ELOOP ? "is a symbolic link: name the file itself" : strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		close(fd);
		return dd_fail(DD_EXIT_USAGE, "install: --password-file %s: %s", path,
			       !S_ISREG(st.st_mode) ? "not a regular file" :
			       "group or others have access to it: chmod 600 it (the password may have leaked)");
	}
	rc = read_password(r, fd, path, NULL);
	close(fd);
	return rc;
}

static int user_ok(const char *u)
{
	size_t n = strlen(u);

	for (const char *p = u; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == ':')
			return 0;
	return n && n < sizeof ((struct dd_state_auth *)0)->user;
}

int dd_login_input(struct dd_login *l, int rollback)
{
	const struct dd_login_opts *o = &l->o;

	l->n = 0;
	l->oldlen = -1;
	if (!o->nserver && !o->nuser && !o->npwfile && !o->pw_stdin)
		return 0;
	if (rollback)
		return dd_fail(DD_EXIT_USAGE, "install: --rollback takes no --registry");
	if (!o->nserver)
		return dd_fail(DD_EXIT_USAGE, "install: --username and --password-* go with --registry SERVER");
	if (o->nuser != o->nserver)
		return dd_fail(DD_EXIT_USAGE, "install: give one --username for each --registry (in the same order)");
	if (o->pw_stdin && (o->nserver > 1 || o->npwfile))
		return dd_fail(DD_EXIT_USAGE, "install: --password-stdin serves one --registry only: use --password-file F for each");
	if (!o->pw_stdin && !o->pw && o->npwfile != o->nserver)
		return dd_fail(DD_EXIT_USAGE, "install: --registry needs a password: --password-stdin, or one --password-file F for each --registry");
	if (o->nserver > DD_STATE_AUTHS)
		return dd_fail(DD_EXIT_USAGE, "install: at most %d --registry", DD_STATE_AUTHS);
	live = l;
	for (unsigned i = 0; i < o->nserver; i++) {
		struct dd_login_reg *r = &l->r[i];
		char show[96];

		dd_log_escape(show, sizeof show, o->server[i]);
		if (dd_dockercfg_server(o->server[i], r->key, r->host) != 0)
			return dd_fail(DD_EXIT_USAGE, "install: --registry %s: not a registry name (HOST[:PORT])", show);
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(l->r[j].key, r->key))
				return dd_fail(DD_EXIT_USAGE, "install: --registry %s: given twice", show);
		dd_log_escape(show, sizeof show, o->user[i]);
		if (!user_ok(o->user[i]))
			return dd_fail(DD_EXIT_USAGE, "install: --username %s: printable ASCII without spaces or ':', under 128 bytes", show);
		r->user = o->user[i];
		l->n = i + 1;
		if (o->pw ? read_password(r, -1, "the settings", o->pw[i]) :
		    o->pw_stdin ? read_password(r, 0, "stdin", NULL) : password_file(r, o->pwfile[i]))
			return DD_EXIT_USAGE;
	}
	return 0;
}

/* --- prepare ----------------------------------------------------------------------------- */

static void add_anchors(const char *abs)
{
	long n = dd_root_read_small(abs, pem, sizeof pem);

	if (n > 0)
		dd_tls_anchors_pem(&anchors, pem, (size_t)n);
}

/* docker's own CA for the registry, dockdrop's CA, the system's bundle (the target's). */
static int check(const struct dd_login_reg *r, int quiet)
{
	char path[DD_PATH_MAX], err[512];
	int rc;

	anchors.n = anchors.used = 0;
	if (snprintf(path, sizeof path, "/etc/docker/certs.d/%s/ca.crt", r->host) < (int)sizeof path)
		add_anchors(path);
	add_anchors(DD_CA_DIR "/ca.pem");
	add_anchors("/etc/ssl/certs/ca-certificates.crt");
	rc = dd_registry_check(&anchors, r->host, r->user, r->auth, TIMEOUT_MS, err, sizeof err);
	if (rc == DD_REGISTRY_UNREACHABLE) {
		if (!quiet)
			dd_info("registry %s: credentials of %s not checked (%s)", r->key, r->user, err);
		return 0;
	}
	if (rc)
		return dd_fail(rc, "install: registry %s: %s; nothing was changed", r->key, err);
	if (!quiet)
		dd_info("registry %s: credentials of %s checked", r->key, r->user);
	return 0;
}

static int on_record(const struct dd_state *s, const char *key)
{
	for (unsigned i = 0; i < s->nauth; i++)
		if (!strcmp(s->auth[i].server, key))
			return 1;
	return 0;
}

/* Whether key's entry may be written: absent, already this login, or dockdrop's (on
 * record); another's only with force. The helper that would serve it is refused. */
static int entry(struct dd_login *l, struct dd_login_reg *r, const struct dd_state *old,
		 int force, const char *m)
{
	size_t n = l->oldlen < 0 ? 0 : (size_t)l->oldlen;
	char user[128], helper[128];
	int same, u;

	if (dd_dockercfg_helper(old_text, n, r->key, helper, sizeof helper))
		return dd_fail(DD_EXIT_USAGE, "install: %s names the credential helper \"%s\" for %s: docker would not read a login there; use docker login",
			       m, helper, r->key);
	u = l->oldlen < 0 ? 0 : dd_dockercfg_user(old_text, n, r->key, r->auth, user, sizeof user, &same);
	r->ours = on_record(old, r->key) || !u || !same;
	r->write = !u || !same;
	if (r->write && u && !on_record(old, r->key)) {
		if (!force)
			return dd_fail(DD_EXIT_USAGE, "install: %s holds other credentials for %s%s%s: docker logout %s, or --force replaces them",
				       m, r->key, u > 0 ? " of user " : "", u > 0 ? user : "", r->key);
		dd_warn("%s: the credentials for %s are replaced (--force); uninstall removes them", m, r->key);
	}
	return 0;
}

int dd_login_prepare(struct dd_login *l, const struct dd_state *old, struct dd_state *prov,
		     int force, int quiet)
{
	struct dd_dockercfg_set set[DD_STATE_AUTHS];
	unsigned ns = 0;
	char m[DD_PATH_MAX], why[128];
	int rc, empty;

	l->len = 0;
	if (!l->n && !old->nauth)
		return 0;
	dd_root_show(DD_LOGIN_FILE, m, sizeof m);
	l->oldlen = dd_root_read_small(DD_LOGIN_FILE, old_text, sizeof old_text);
	/* A re-run without --registry writes nothing there: whatever became of the file, the
	 * logins stay on record (uninstall looks again). */
	if (!l->n && (l->keep = (l->oldlen < 0 && errno != ENOENT) ||
				(l->oldlen >= 0 && dd_dockercfg_check(old_text, (size_t)l->oldlen, why, sizeof why))))
		return 0;
	if (l->oldlen < 0 && errno != ENOENT)
		return dd_fail(errno == EFBIG || errno == ELOOP || errno == EISDIR ? DD_EXIT_USAGE : DD_EXIT_FAIL,
			       "install: %s: %s", m, errno == EFBIG ? "larger than 256 KiB" : strerror(errno));
	if (l->oldlen >= 0 && dd_dockercfg_check(old_text, (size_t)l->oldlen, why, sizeof why) != 0)
		return dd_fail(DD_EXIT_USAGE, "install: %s: %s: fix or remove it", m, why);
	for (unsigned i = 0; i < l->n; i++)
		if ((rc = entry(l, &l->r[i], old, force, m)))
			return rc;
	for (unsigned i = 0; i < l->n; i++)
		if ((rc = check(&l->r[i], quiet)))
			return rc;
	for (unsigned i = 0; i < l->n; i++) {
		if (l->r[i].write)
			set[ns++] = (struct dd_dockercfg_set){ l->r[i].key, l->r[i].auth };
		if (l->r[i].ours && dd_state_auth(prov, l->r[i].key, l->r[i].user) != 0)
			return dd_fail(DD_EXIT_USAGE, "install: more than %d registry logins on record", DD_STATE_AUTHS);
	}
	if (!ns)
		return 0;
	prov->auth_file |= l->oldlen < 0;
	/* The directories this run may make, on record before they are (a run killed after
	 * making them leaves them to uninstall). */
	for (unsigned i = 0; i < 2; i++) {
		const char *d = i ? DD_LOGIN_DIR : "/root";
		struct stat st;

		if (dd_root_lstat(d, &st) != 0 && dd_state_add(prov, 'd', d, 0, NULL, NULL) != 0)
			return dd_fail(DD_EXIT_FAIL, "install: %s: cannot record", d);
	}
	l->len = dd_dockercfg_apply(l->oldlen < 0 ? NULL : old_text, l->oldlen < 0 ? 0 : (size_t)l->oldlen,
				    set, ns, new_text, DD_DOCKERCFG_MAX + 1, &empty);
	if (!l->len)
		return dd_fail(DD_EXIT_USAGE, "install: %s would be larger than 256 KiB", m);
	return 0;
}

void dd_login_plan(const struct dd_login *l)
{
	for (unsigned i = 0; i < l->n; i++)
		printf("  registry login %s as %s in %s%s\n", l->r[i].key, l->r[i].user, DD_LOGIN_FILE,
		       l->r[i].write ? "" : " (already there)");
}

/* --- apply -------------------------------------------------------------------------------- */

/* The logins on record that config.json still holds as their user's. */
static void carry(const struct dd_state *old, struct dd_state *now, const char *text, long n)
{
	char user[128];
	int same;

	for (unsigned i = 0; i < old->nauth; i++)
		if (n >= 0 && dd_dockercfg_user(text, (size_t)n, old->auth[i].server, NULL, user,
						sizeof user, &same) > 0 && !strcmp(user, old->auth[i].user))
			dd_state_auth(now, old->auth[i].server, old->auth[i].user);
}

int dd_login_apply(struct dd_login *l, struct dd_txn *t, const struct dd_state *old,
		   struct dd_state *now, char *err, size_t errsz)
{
	int ch, rc = 0;

	now->auth_file = old->auth_file;
	if (l->len) {
		if ((dd_txn_mkdir(t, "/root", 0700) != 0 || dd_txn_mkdir(t, DD_LOGIN_DIR, 0700) != 0 ||
		     dd_txn_write(t, DD_LOGIN_FILE, new_text, l->len, 0600, &ch) != 0))
			rc = dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", DD_LOGIN_FILE);
		now->auth_file |= l->oldlen < 0;
	}
	if (l->keep)
		memcpy(now->auth, old->auth, sizeof now->auth), now->nauth = old->nauth;
	else
		carry(old, now, l->len ? new_text : old_text, l->len ? (long)l->len : l->oldlen);
	for (unsigned i = 0; i < l->n; i++)
		if (l->r[i].ours)
			dd_state_auth(now, l->r[i].key, l->r[i].user);
	now->auth_file &= now->nauth != 0;	/* none left: the file is no longer dockdrop's */
	wipe();
	return rc;
}

/* --- uninstall ----------------------------------------------------------------------------- */

void dd_login_remove(const struct dd_state *s)
{
	struct dd_dockercfg_set set[DD_STATE_AUTHS];
	char m[DD_PATH_MAX], user[128], why[128];
	unsigned ns = 0;
	struct stat st;
	long n;
	size_t len;
	int same, empty;

	if (!s->nauth)
		return;
	dd_root_show(DD_LOGIN_FILE, m, sizeof m);
	if ((n = dd_root_read_small(DD_LOGIN_FILE, old_text, sizeof old_text)) < 0 ||
	    dd_root_stat(DD_LOGIN_FILE, &st) != 0) {
		if (errno != ENOENT)
			dd_warn("%s: %m: dockdrop's registry logins kept", m);
		return;
	}
	if (dd_dockercfg_check(old_text, (size_t)n, why, sizeof why) != 0) {
		dd_warn("%s: %s: dockdrop's registry logins kept", m, why);
		return;
	}
	for (unsigned i = 0; i < s->nauth; i++) {
		int u = dd_dockercfg_user(old_text, (size_t)n, s->auth[i].server, NULL, user, sizeof user, &same);

		if (u > 0 && !strcmp(user, s->auth[i].user))
			set[ns++] = (struct dd_dockercfg_set){ s->auth[i].server, NULL };
		else if (u)
			dd_warn("%s: the login for %s is no longer the one dockdrop added: kept", m, s->auth[i].server);
	}
	if (!ns)
		return;
	len = dd_dockercfg_apply(old_text, (size_t)n, set, ns, new_text, sizeof new_text, &empty);
	if (!len)
		dd_warn("%s: cannot rewrite it: dockdrop's registry logins kept", m);
	else if (empty && s->auth_file ? dd_root_unlink(DD_LOGIN_FILE) != 0 :
		 dd_root_write_atomic_as(DD_LOGIN_FILE, new_text, len, st.st_mode & 07777, st.st_uid,
					 st.st_gid) != 0)
		dd_warn("%s: %m", m);
	wipe();
}
