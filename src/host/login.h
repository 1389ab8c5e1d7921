/* install --registry SERVER --username USER --password-stdin | --password-file F: the
 * logins go into root's ~/.docker/config.json (DD_LOGIN_FILE) as `docker login` writes
 * them, merged with what is there (workload/dockercfg.h), 0600 in a 0700 directory, through
 * the install transaction; the credentials are checked against each registry first
 * (workload/registry.h), and nothing is written when one is refused. The state record
 * keeps "auth SERVER USER" lines (never the password) so that uninstall removes exactly
 * those entries, and the file itself when dockdrop made it and nothing else is left.
 *
 * The password is read from stdin or a file only (never argv or the environment), kept in
 * no buffer longer than it is needed (only its base64 form lives until config.json is
 * written, then wiped, and at exit whatever happened) and never printed. A password file
 * must be a regular file (not a link) that group and others have no access to (like ssh's
 * keys): one they can read is a password already leaked, and refusing it makes that
 * visible. A server served by a credential helper (credsStore, credHelpers) is refused:
 * the docker CLI would not read "auths" for it. */
#ifndef DD_HOST_LOGIN_H
#define DD_HOST_LOGIN_H

#include <stddef.h>

#include "host/state.h"
#include "host/txn.h"
#include "workload/dockercfg.h"

#define DD_LOGIN_DIR "/root/.docker"
#define DD_LOGIN_FILE "/root/.docker/config.json"
#define DD_LOGIN_PASS_MAX 4096		/* registry tokens (ECR, GCR) run to a few KB */
#define DD_LOGIN_AUTH (DD_LOGIN_PASS_MAX / 3 * 4 + 200)

struct dd_login_opts {
	const char *const *server, *const *user, *const *pwfile;	/* the i-th belong together */
	unsigned nserver, nuser, npwfile;
	int pw_stdin;
	const char *const *pw;	/* or the passwords themselves (install --settings) */
};

struct dd_login_reg {
	char key[DD_DOCKERCFG_SERVER], host[DD_DOCKERCFG_SERVER];
	const char *user;
	char auth[DD_LOGIN_AUTH];	/* base64("USER:PASS"): secret, wiped after use */
	int write;			/* config.json does not hold it yet */
	int ours;			/* its entry is dockdrop's (on record after this run) */
};

struct dd_login {
	struct dd_login_opts o;
	struct dd_login_reg r[DD_STATE_AUTHS];
	unsigned n;
	long oldlen;			/* config.json as found; -1: none */
	int keep;			/* unreadable without --registry: the record kept as it is */
	size_t len;			/* the text to write; 0: nothing to write */
};

/* check_input: the options and the passwords (read now). 0, or DD_EXIT_USAGE after one
 * line (nothing has changed). */
int dd_login_input(struct dd_login *l, int rollback);
/* prepare, after the record is planned: config.json read and merged, the credentials
 * checked, prov given the logins. 0 or an exit code after one line. */
int dd_login_prepare(struct dd_login *l, const struct dd_state *old, struct dd_state *prov,
		     int force, int quiet);
/* --dry-run: one plan line per login. */
void dd_login_plan(const struct dd_login *l);
/* apply: config.json written through t, now given the logins on record. 0 or
 * DD_EXIT_FAIL with err. The secrets are wiped. */
int dd_login_apply(struct dd_login *l, struct dd_txn *t, const struct dd_state *old,
		   struct dd_state *now, char *err, size_t errsz);
/* uninstall: the entries s lists, while they are still its users', out of config.json;
 * the file removed when dockdrop made it and nothing else is left. Problems are warned. */
void dd_login_remove(const struct dd_state *s);

#endif
