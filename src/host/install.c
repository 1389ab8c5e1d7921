#include "host/install.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/clientbundle.h"
#include "host/engine.h"
#include "host/enginesum.h"
#include "host/group.h"
#include "host/input.h"
#include "host/paths.h"
#include "host/preflight.h"
#include "host/prove.h"
#include "host/record.h"
#include "host/root.h"
#include "host/service.h"
#include "host/uninstall.h"
#include "bundle/xtables.h"
#include "workload/plugins.h"
#include "pki/ca.h"
#include "util/hex.h"
#include "util/io.h"
#include "util/jsonout.h"
#include "util/log.h"
#include "util/sha256.h"

#define STEP(...)                                   \
	do {                                        \
		if (!c->o.json)                     \
			dd_info(__VA_ARGS__);       \
	} while (0)

#define SAY(rc, ...) dd_say(c->err, sizeof c->err, rc, __VA_ARGS__)
#define N(a) (sizeof a / sizeof a[0])

/* The daemons' data, and the trust key dockerd 20.10 writes beside daemon.json: removed
 * by uninstall --purge when they were not there before dockdrop. */
static const char *const data_paths[] = { DD_DOCKER_DATA, DD_CONTAINERD_DATA,
					  DD_DOCKER_ETC "/key.json", DD_LOG_DIR };
/* Directories containerd makes on its first start: removed when empty. */
static const char *const daemon_dirs[] = { "/opt/containerd", "/opt/containerd/bin",
					   "/opt/containerd/lib", "/etc/cni", "/etc/cni/net.d" };
static const char *const certs_server[] = { DD_TLS_DIR "/ca.pem", DD_TLS_DIR "/server-cert.pem",
					    DD_TLS_DIR "/server-key.pem" };
static const char *const certs_ours[] = { DD_CA_DIR "/ca.pem", DD_CA_DIR "/ca-key.pem" };
static const char *const certs_client[] = { DD_CLIENT_DIR "/ca.pem", DD_CLIENT_DIR "/cert.pem",
					    DD_CLIENT_DIR "/key.pem" };
/* install --with-docs: the texts of c->o.doc, in that order. */
static const char *const docs[] = { DD_MAN_PAGE, DD_BASH_COMPLETION, DD_ZSH_COMPLETION };

static void sha_hex(const void *buf, size_t n, char hex[65])
{
	unsigned char d[32];
	dd_sha256 s;

	dd_sha256_init(&s);
	dd_sha256_update(&s, buf, n);
	dd_sha256_out(&s, d);
	dd_hex(d, 32, hex);
}

static int exists(const char *abs)
{
	struct stat st;

	return dd_root_lstat(abs, &st) == 0;
}

/* --- checking the input: nothing has changed yet --------------------------------------- */

static int merge_daemon_json(struct dd_install *c, int final);

/* daemon.json merged once before anything else: a file the user broke is bad input (exit
 * 2), found while the machine is still untouched. Merged again with what the record says
 * once it is read under the lock. */
static int check_daemon_json(struct dd_install *c)
{
	int rc = merge_daemon_json(c, 0);

	free(c->daemon_json);
	c->daemon_json = NULL;
	return rc;
}

static int check_input(struct dd_install *c)
{
	struct dd_install_opts *o = &c->o;
	char err[512];
	struct pki_san s;
	int rc;

	c->byo_client = 0;
	c->daemon_json_old_len = c->daemon_json_orig_len = -1;
	if (o->root && dd_root_set(o->root) != 0)
		return dd_fail(DD_EXIT_USAGE, "install: --root %s: %m", o->root);
	if (o->no_tcp && (o->nsans || o->port != 2376))
		return dd_fail(DD_EXIT_USAGE, "install: --no-tcp leaves no TLS port: drop --tls-san and --port");
	if (o->rollback && (o->nsans || o->nopts || o->certs || o->engine || o->port != 2376 || o->images ||
			    o->no_tcp || o->ndocs || strcmp(o->init, "auto") || strcmp(o->key_type, "ecdsa-p256")))
		return dd_fail(DD_EXIT_USAGE, "install: --rollback takes no settings but --root");
	for (unsigned i = 0; i < o->nsans; i++)
		if (pki_san_parse(o->sans[i], &s) != 0)
			return dd_fail(DD_EXIT_USAGE, "install: --tls-san %s: not a DNS name or an IP address (wildcards are not issued)",
				       o->sans[i]);
	for (unsigned i = 0; i < o->nopts; i++)
		if (dd_input_daemon_opt(o->daemon_opts[i], err, sizeof err))
			return dd_fail(DD_EXIT_USAGE, "install: %s", err);
	c->want.kt = (enum pki_ktype)pki_ktype_parse(o->key_type);
	/* --certs as the record keeps it: absolute, so a re-run from elsewhere finds it. */
	if (o->certs && !o->certs_pem && (rc = dd_input_certs_dir(o->certs, c->certs_abs,
								 sizeof c->certs_abs, err, sizeof err)))
		return dd_fail(rc, "install: %s", err);
	if (o->certs && !o->certs_pem)
		o->certs = c->certs_abs;
	if (o->certs_pem && (rc = dd_certs_byo_text(o->certs, o->certs_pem, o->certs_len, err, sizeof err)))
		return dd_fail(rc, "install: %s", err);
	if (o->certs && !o->certs_pem && (rc = dd_certs_byo_check(o->certs, &c->byo_client, err, sizeof err)))
		return dd_fail(rc, "install: --certs: %s", err);
	if ((o->compose_env || o->compose_name) && !o->compose)
		return dd_fail(DD_EXIT_USAGE, "install: --compose-env and --compose-name need --compose");
	if (o->rollback && o->compose)
		return dd_fail(DD_EXIT_USAGE, "install: --rollback takes no settings but --root");
	if (o->compose && (rc = dd_compose_load(&c->compose, o->compose_ready ? NULL : o->compose,
						 o->compose_env, o->compose_name, err, sizeof err)))
		return dd_fail(rc, "install: %s", err);
	if (o->rollback) /* no host discovery, no group: rollback changes neither */
		return dd_login_input(&c->login, 1);
	if ((rc = dd_login_input(&c->login, 0)))
		return rc;
	if ((rc = dd_group_check("docker", err, sizeof err)))
		return dd_fail(rc, "install: %s", err);
	dd_certs_sans(&c->want, o->root != NULL, o->sans, o->nsans);
	if (!o->certs && (rc = dd_input_server_names(&c->want, o->sans, o->nsans, err, sizeof err)))
		return dd_fail(rc, "install: %s", err);
	return check_daemon_json(c);
}

static size_t keylen(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq ? (size_t)(eq - kv) : strlen(kv);
}

/* The --daemon-opt keys the last install set and this one does not. */
static void dropped_opts(struct dd_install *c)
{
	c->ndrop = 0;
	for (unsigned i = 0; i < c->old.nopts; i++) {
		unsigned j = 0;

		while (j < c->o.nopts && (keylen(c->o.daemon_opts[j]) != keylen(c->old.opts[i]) ||
					  memcmp(c->o.daemon_opts[j], c->old.opts[i], keylen(c->old.opts[i]))))
			j++;
		if (j == c->o.nopts)
			c->drop[c->ndrop++] = c->old.opts[i];
	}
}

/* Why daemon.json (shown as m) could not be read (errno): one line, exit 2 for what the
 * user put there (not a file, too big). */
static int daemon_json_unread(const char *m, size_t max)
{
	int e = errno;
	struct stat st;

	if (dd_root_lstat(DD_DAEMON_JSON, &st) == 0 && !S_ISREG(st.st_mode))
		return dd_fail(DD_EXIT_USAGE, "install: %s: is %s, not a regular file: replace it with a JSON file or remove it",
			       m, dd_file_kind(st.st_mode));
	if (e == EFBIG)
		return dd_fail(DD_EXIT_USAGE, "install: %s: larger than %zu KiB, more than a daemon configuration holds: shorten it",
			       m, max >> 10);
	return dd_fail(DD_EXIT_FAIL, "install: %s: %s", m, strerror(e));
}

/* The merged daemon.json, made before anything changes. final: with the keys the last
 * install set and this one does not (taken out, or given back their original values), and
 * the warning about dropped "hosts" given. */
static int merge_daemon_json(struct dd_install *c, int final)
{
	struct dd_daemon_cfg dc = { !c->o.no_tcp, c->o.port, DD_TLS_DIR, c->o.daemon_opts,
				    c->o.nopts, c->drop, 0, NULL, 0 };
	char m[DD_PATH_MAX], warn[512] = "", err[512];
	struct stat st;
	long n;
	int rc;

	if (final)
		dropped_opts(c);
	dc.ndrop = final ? c->ndrop : 0;
	dd_root_show(DD_DAEMON_JSON, m, sizeof m);
	n = c->daemon_json_old_len = dd_root_read_small(DD_DAEMON_JSON, c->daemon_json_old, sizeof c->daemon_json_old);
	if (n < 0 && errno != ENOENT)
		return daemon_json_unread(m, sizeof c->daemon_json_old - 1);
	/* The user's file keeps its mode and owner, and so does its saved original. */
	if (n < 0 || dd_root_stat(DD_DAEMON_JSON, &st) != 0)
		st = (struct stat){ .st_mode = 0644, .st_uid = (uid_t)-1, .st_gid = (gid_t)-1 };
	c->daemon_json_mode = st.st_mode & 07777;
	c->daemon_json_uid = st.st_uid;
	c->daemon_json_gid = st.st_gid;
	if (final && dd_state_find(&c->old, DD_DAEMON_JSON_ORIG) &&
	    (c->daemon_json_orig_len = dd_root_read_small(DD_DAEMON_JSON_ORIG, c->daemon_json_orig,
							  sizeof c->daemon_json_orig)) >= 0) {
		dc.orig = c->daemon_json_orig;
		dc.origlen = (size_t)c->daemon_json_orig_len;
	}
	if ((rc = dd_daemonjson_merge(n < 0 ? NULL : c->daemon_json_old, n < 0 ? 0 : (size_t)n, &dc,
				      &c->daemon_json, warn, sizeof warn, err, sizeof err)))
		return dd_fail(rc, "install: %s", err);
	if (warn[0] && final)
		dd_warn("%s", warn);
	return 0;
}

/* The engine blob to install: --engine VERSION, or the first. */
static const struct dd_blob *pick_engine(const struct dd_payload *pl, const char *version)
{
	for (unsigned i = 0; i < pl->m.nblobs; i++) {
		const struct dd_blob *b = &pl->m.blob[i];

		if (!strcmp(b->kind, "engine") && (!version || !strcmp(b->version, version)))
			return b;
	}
	return NULL;
}

/* --- the user's files ----------------------------------------------------------------- */

/* Whether install may write abs: 0 when it is free (absent, dockdrop's on record, holding
 * exactly the link target or text dockdrop writes there, or moved aside on record
 * already), 1 when it is the user's. */
static int foreign(const struct dd_install *c, const char *abs, const char *link,
		   const char *text, size_t len)
{
	char b[DD_PATH_MAX], cur[DD_PATH_MAX];
	const struct dd_state_ent *e = dd_state_find(&c->old, abs);
	struct stat st;

	if (dd_root_lstat(abs, &st) != 0)
		return 0;
	if (e && !(e->kind == 'l' && dd_record_ours(e) == DD_RECORD_CHANGED))
		return 0;
	if (dd_record_backup_path(abs, b, sizeof b) == 0 && dd_state_find(&c->old, b))
		return 0;
	if (link && S_ISLNK(st.st_mode) && dd_root_readlink(abs, cur, sizeof cur) == 0 && !strcmp(cur, link))
		return 0;
	if (text && S_ISREG(st.st_mode) && (size_t)st.st_size == len) {
		char *buf = malloc(len + 1);
		long got = buf ? dd_root_read_small(abs, buf, len + 1) : -1;
		int same = got == (long)len && memcmp(buf, text, len) == 0;

		free(buf);
		if (same)
			return 0;
	}
	return 1;
}

/* The user's file at abs: refused without --force (exit 2), else put on record to be
 * moved to the backup directory before dockdrop writes there, and back by uninstall. */
static int claim(struct dd_install *c, struct dd_state *rec, const char *abs, const char *link,
		 const char *text, size_t len)
{
	char b[DD_PATH_MAX], hex[65] = DD_STATE_PLANNED;
	struct stat st;

	if (!foreign(c, abs, link, text, len))
		return 0;
	if (dd_record_backup_path(abs, b, sizeof b) != 0 || dd_root_lstat(abs, &st) != 0)
		return SAY(DD_EXIT_FAIL, "%s: %s", abs, strerror(errno ? errno : ENAMETOOLONG));
	if (!c->o.force)
		return SAY(DD_EXIT_USAGE, "%s exists and is not dockdrop's: move it away, or use "
			   "--force to keep it in %s until uninstall puts it back", abs, DD_BACKUP_DIR);
	if (!S_ISLNK(st.st_mode) && !(S_ISREG(st.st_mode) && dd_root_sha256_hex(abs, hex) == 0))
		return SAY(DD_EXIT_USAGE, "%s exists and is not a file: move it away", abs);
	if (dd_state_add(rec, 'b', b, S_ISLNK(st.st_mode) ? 0 : st.st_mode & 07777, hex, NULL) != 0)
		return SAY(DD_EXIT_FAIL, "%s: cannot record its backup", abs);
	dd_warn("%s is not dockdrop's: kept in %s%s until uninstall", abs, DD_BACKUP_DIR, abs);
	return 0;
}

/* Every fixed path install writes that may hold a file of the user's. */
static int claim_fixed(struct dd_install *c)
{
	int rc = 0;

	for (unsigned i = 0; !rc && i < c->nunits; i++)
		rc = claim(c, &c->prov, c->unit[i].path, NULL, c->unit[i].text, c->unit[i].len);
	for (unsigned i = 0; !rc && i < c->nlinks; i++)
		rc = claim(c, &c->prov, c->link[i].path, c->link[i].target, NULL, 0);
	for (unsigned i = 0; !rc && !c->certs_in_place && i < N(certs_server); i++)
		rc = claim(c, &c->prov, certs_server[i], NULL, NULL, 0);
	for (unsigned i = 0; !rc && i < c->o.ndocs; i++)
		rc = claim(c, &c->prov, docs[i], NULL, c->o.doc[i], c->o.doclen[i]);
	return rc;
}

/* Move the user's files on record aside (those not moved yet). */
static int move_aside(struct dd_install *c)
{
	for (unsigned i = 0; i < c->prov.n; i++) {
		const struct dd_state_ent *e = &c->prov.ent[i];
		const char *orig = dd_record_backup_orig(e->path);

		if (e->kind != 'b' || exists(e->path) || !exists(orig))
			continue;
		if (dd_txn_move(&c->txn, orig, e->path) != 0)
			return SAY(DD_EXIT_FAIL, "%s: moving it to %s: %m", orig, e->path);
	}
	return 0;
}

/* --- the record ------------------------------------------------------------------------- */

static int record(struct dd_install *c, char kind, const char *abs)
{
	return dd_state_record(&c->now, kind, abs);
}

static void copy_options(const struct dd_install *c, struct dd_state *s)
{
	const struct dd_install_opts *o = &c->o;

	s->port = o->port;
	s->tcp = !o->no_tcp;
	snprintf(s->init, sizeof s->init, "%s", dd_init_name(c->init));
	snprintf(s->key_type, sizeof s->key_type, "%s", o->key_type);
	snprintf(s->certs, sizeof s->certs, "%s", o->certs ? o->certs : "");
	s->nsans = s->nopts = 0;
	for (unsigned i = 0; i < o->nsans; i++)
		snprintf(s->sans[s->nsans++], sizeof s->sans[0], "%s", o->sans[i]);
	for (unsigned i = 0; i < o->nopts; i++)
		snprintf(s->opts[s->nopts++], sizeof s->opts[0], "%s", o->daemon_opts[i]);
}

/* The digest the old record keeps for engine directory name ("" when none). */
static const char *recorded_tree(const struct dd_install *c, const char *name)
{
	if (strcmp(c->old.engine.dir, name) == 0)
		return c->old.engine.tree;
	for (unsigned i = 0; i < c->old.nprev; i++)
		if (strcmp(c->old.previous[i].dir, name) == 0)
			return c->old.previous[i].tree;
	return "";
}

/* The engine line (its tree digest as recorded until the unpack says), and the previous
 * engine kept for --rollback (one: at most the current and the previous engine stay on
 * disk). */
static void engine_lines(const struct dd_install *c, struct dd_state *s)
{
	char hex[65];

	dd_hex(c->blob->sha256, 32, hex);
	snprintf(s->engine.version, sizeof s->engine.version, "%s", c->blob->version);
	memcpy(s->engine.sha, hex, 65);
	snprintf(s->engine.dir, sizeof s->engine.dir, "%s", c->name);
	snprintf(s->engine.tree, sizeof s->engine.tree, "%s", recorded_tree(c, c->name));
	s->nprev = 0;
	if (c->old.engine.dir[0] && strcmp(c->old.engine.dir, c->name) != 0 &&
	    dd_engine_complete(c->old.engine.dir))
		s->previous[s->nprev++] = c->old.engine;
	for (unsigned i = 0; i < c->old.nprev && !s->nprev; i++)
		if (strcmp(c->old.previous[i].dir, c->name) != 0 && dd_engine_complete(c->old.previous[i].dir))
			s->previous[s->nprev++] = c->old.previous[i];
}

/* Record the ancestors of abs that do not exist yet: directories this install will make. */
static void plan_dirs(struct dd_state *s, const char *abs)
{
	char p[DD_PATH_MAX];

	snprintf(p, sizeof p, "%s", abs);
	for (char *e = p + 1; (e = strchr(e, '/')); e++) {
		*e = 0;
		if (!exists(p))
			dd_state_add(s, 'd', p, 0, NULL, NULL);
		*e = '/';
	}
}

/* Every directory this install may make, known before it makes any. */
static void plan_all_dirs(struct dd_install *c, struct dd_state *s)
{
	static const char *const files[] = { DD_BIN_DIR "/docker", DD_CA_DIR "/ca.pem",
					     DD_TLS_DIR "/ca.pem", DD_CLIENT_DIR "/ca.pem",
					     DD_DAEMON_JSON, DD_STATE_FILE, DD_LOG_DIR "/x" };
	char engine[DD_PATH_MAX];

	snprintf(engine, sizeof engine, "%s/%s/x", DD_ENGINE_DIR, c->name);
	plan_dirs(s, engine);
	for (unsigned i = 0; i < N(files); i++)
		if (c->init != DD_INIT_SYSTEMD || strcmp(files[i], DD_LOG_DIR "/x"))
			plan_dirs(s, files[i]);
	for (unsigned i = 0; i < c->nunits; i++)
		plan_dirs(s, c->unit[i].path);
	for (unsigned i = 0; i < c->nlinks; i++)
		plan_dirs(s, c->link[i].path);
	for (unsigned i = 0; i < c->o.ndocs; i++)
		plan_dirs(s, docs[i]);
	if (c->o.compose)
		plan_dirs(s, c->compose.path);
	for (unsigned i = 0; i < c->prov.n; i++)
		if (c->prov.ent[i].kind == 'b')
			plan_dirs(s, c->prov.ent[i].path);
}

/* The facts about the machine before dockdrop that only a first install sees: the
 * daemons' data, containerd's directories and the shadow lock absent (so --purge may
 * remove them), the docker group absent (and whether the group files ended with a
 * newline). A record from an earlier install carries them on. */
static void plan_facts(struct dd_install *c, struct dd_state *s)
{
	char last;
	unsigned gid;
	int absent = dd_group_lookup("docker", &gid) != 0;

	for (unsigned i = 0; i < N(data_paths); i++) {
		const struct dd_state_ent *e = dd_state_find(s, data_paths[i]);

		/* the log directory this install makes (sysv, OpenRC) is data too, not an
		 * empty directory: the daemons fill it, --purge takes it with their logs */
		if ((!e && !exists(data_paths[i])) || (e && e->kind == 'd'))
			dd_state_add(s, 'x', data_paths[i], 0, NULL, NULL);
	}
	for (unsigned i = 0; i < N(daemon_dirs); i++)
		if (!exists(daemon_dirs[i]) && !dd_state_find(s, daemon_dirs[i]))
			dd_state_add(s, 'd', daemon_dirs[i], 0, NULL, NULL);
	if (!exists("/etc/.pwd.lock") && !dd_state_find(s, "/etc/.pwd.lock"))
		dd_record_planned(s, 'k', "/etc/.pwd.lock");
	snprintf(s->group, sizeof s->group, "docker");
	s->gid = absent ? 0 : gid;
	s->group_created = absent || (c->old.group[0] && c->old.group_created);
	for (unsigned i = 0; absent && i < 2; i++) {
		const char *f = i ? "/etc/gshadow" : "/etc/group";
		struct stat st;
		int fd;

		if (dd_root_lstat(f, &st) != 0 || !S_ISREG(st.st_mode) || !st.st_size ||
		    (fd = dd_root_open(f, O_RDONLY | O_NOFOLLOW, 0)) < 0)
			continue;
		if (pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
			dd_state_add(s, 'n', f, 0, NULL, NULL);
		close(fd);
	}
}

/* Every file this run may write, with the digest it will have (planned for certificates,
 * which are random), so that uninstall after a run killed anywhere removes what it made. */
static void plan_files(struct dd_install *c, struct dd_state *s)
{
	char hex[65];

	sha_hex(c->daemon_json, strlen(c->daemon_json), hex);
	dd_state_add(s, 'c', DD_DAEMON_JSON, c->daemon_json_mode, hex, NULL);
	/* The user's daemon.json is taken the first time dockdrop writes there, or by a
	 * re-run when a killed one recorded it but could not take it yet (it is always taken
	 * before dockdrop writes daemon.json, so what is there is still the user's). */
	if (c->daemon_json_old_len >= 0 && (!dd_state_find(&c->old, DD_DAEMON_JSON) ||
					     (dd_state_find(&c->old, DD_DAEMON_JSON_ORIG) &&
					      !exists(DD_DAEMON_JSON_ORIG)))) {
		sha_hex(c->daemon_json_old, (size_t)c->daemon_json_old_len, hex);
		dd_state_add(s, 'f', DD_DAEMON_JSON_ORIG, c->daemon_json_mode, hex, NULL);
	}
	for (unsigned i = 0; i < c->nunits; i++) {
		sha_hex(c->unit[i].text, c->unit[i].len, hex);
		dd_state_add(s, 'f', c->unit[i].path, c->unit[i].mode, hex, NULL);
	}
	for (unsigned i = 0; i < c->nlinks; i++)
		dd_state_add(s, 'l', c->link[i].path, 0, NULL, c->link[i].target);
	for (unsigned i = 0; i < c->o.ndocs; i++) {
		sha_hex(c->o.doc[i], c->o.doclen[i], hex);
		dd_state_add(s, 'f', docs[i], 0644, hex, NULL);
	}
	dd_state_add(s, 'l', DD_ENGINE_CURRENT, 0, NULL, c->name);
	if (c->o.compose) {
		sha_hex(c->compose.file, c->compose.filelen, hex);
		dd_state_add(s, 'f', c->compose.path, 0644, hex, NULL);
	}
	if (c->o.compose && c->compose.has_env) /* no digest of a secret: see write_compose */
		dd_state_add(s, 'f', c->compose.envpath, 0600, DD_STATE_PLANNED, NULL);
	if (c->envlen) {
		sha_hex(c->env, c->envlen, hex);
		dd_state_add(s, 'f', DD_CLIENT_DIR "/docker.env", 0644, hex, NULL);
	}
	for (unsigned i = 0; !c->ca_theirs && i < N(certs_ours); i++)
		dd_record_planned(s, 'k', certs_ours[i]);
	for (unsigned i = 0; !c->certs_in_place && i < N(certs_server); i++)
		dd_record_planned(s, 'k', certs_server[i]);
	for (unsigned i = 0; c->envlen && i < N(certs_client); i++)
		dd_record_planned(s, 'k', certs_client[i]);
}

/* The provisional record: the old one, this run's options and engine, and everything it
 * may make. Written (by the transaction's begin hook) before the first change. The
 * options of the last run stay listed too until the run completes, so that a re-run after
 * a kill still knows which daemon.json keys were dockdrop's. */
static int plan_record(struct dd_install *c)
{
	struct dd_state *s = &c->prov;
	int rc;

	*s = c->old;
	s->uninstalled = 0;
	engine_lines(c, s);
	copy_options(c, s);
	for (unsigned i = 0; i < c->ndrop && s->nopts < DD_STATE_LIST; i++)
		snprintf(s->opts[s->nopts++], sizeof s->opts[0], "%s", c->drop[i]);
	if ((rc = claim_fixed(c)))
		return rc;
	plan_all_dirs(c, s);
	plan_facts(c, s);
	plan_files(c, s);
	return 0;
}

/* The transaction's begin hook: the provisional record, then the user's daemon.json kept
 * as it was (uninstall knows from the record whether it was taken yet). */
static int write_provisional(void *ctx)
{
	struct dd_install *c = ctx;
	int ch;

	if (dd_record_write(&c->txn, &c->prov, c->prov_text, sizeof c->prov_text, c->err,
			    sizeof c->err) != 0 ||
	    (!c->o.root && !c->pending && dd_root_write_atomic(DD_RESTART_MARK, "", 0, 0644) != 0))
		return -1;
	if (dd_state_find(&c->prov, DD_DAEMON_JSON_ORIG) && !exists(DD_DAEMON_JSON_ORIG) &&
	    c->daemon_json_old_len >= 0 &&
	    dd_txn_write_as(&c->txn, DD_DAEMON_JSON_ORIG, c->daemon_json_old,
			    (size_t)c->daemon_json_old_len, c->daemon_json_mode, c->daemon_json_uid,
			    c->daemon_json_gid, &ch) != 0)
		return -1;
	return 0;
}

/* A directory dockdrop made, unless it is on record as the daemons' data (the log
 * directory under sysv and OpenRC): that stays data, for --purge to take with its files. */
static void record_dir(struct dd_install *c, const char *path)
{
	const struct dd_state_ent *e = dd_state_find(&c->now, path);

	if (!e || e->kind != 'x')
		dd_state_add(&c->now, 'd', path, 0, NULL, NULL);
}

/* Directories dockdrop made, in this run (the transaction saw them absent) or an earlier
 * one (on record), outermost first, so uninstall can remove them innermost first when
 * they are empty. */
static int record_dirs(struct dd_install *c)
{
	struct stat st;

	if (dd_txn_mkdir(&c->txn, DD_STATE_DIR, 0755) != 0)
		return -1;
	/* All of them, made yet or not: containerd makes its own at its first start. */
	for (unsigned i = 0; i < c->prov.n; i++)
		if (c->prov.ent[i].kind == 'd')
			record_dir(c, c->prov.ent[i].path);
	for (unsigned i = 0; i < c->txn.n; i++)
		if (c->txn.e[i].was == DD_TXN_ABSENT && dd_root_lstat(c->txn.e[i].path, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			record_dir(c, c->txn.e[i].path);
	return 0;
}

/* The facts of plan_facts, the backups and the directories of daemons, carried on. */
static void carry_facts(struct dd_install *c)
{
	for (unsigned i = 0; i < c->prov.n; i++) {
		const struct dd_state_ent *e = &c->prov.ent[i];

		if (strchr("xnb", e->kind) || !strcmp(e->path, "/etc/.pwd.lock"))
			dd_state_add(&c->now, e->kind, e->path, e->mode, e->sha, e->target);
	}
	memcpy(c->now.group, c->prov.group, sizeof c->now.group);
	c->now.group_created = c->prov.group_created;
}

static int write_state(struct dd_install *c)
{
	if (record_dirs(c) != 0)
		return SAY(DD_EXIT_FAIL, "%s: %m", DD_STATE_DIR);
	return dd_record_write(&c->txn, &c->now, c->state_text, sizeof c->state_text, c->err,
			       sizeof c->err);
}

/* --- the steps ------------------------------------------------------------------------- */

static int write_daemon_json(struct dd_install *c, int *changed)
{
	if (dd_state_find(&c->prov, DD_DAEMON_JSON_ORIG) && exists(DD_DAEMON_JSON_ORIG) &&
	    record(c, 'f', DD_DAEMON_JSON_ORIG) != 0)
		return SAY(DD_EXIT_FAIL, "%s: cannot record", DD_DAEMON_JSON_ORIG);
	if (dd_txn_write_as(&c->txn, DD_DAEMON_JSON, c->daemon_json, strlen(c->daemon_json),
			    c->daemon_json_mode, c->daemon_json_uid, c->daemon_json_gid, changed) != 0)
		return SAY(DD_EXIT_FAIL, "%s: %m", DD_DAEMON_JSON);
	return record(c, 'c', DD_DAEMON_JSON) ? SAY(DD_EXIT_FAIL, "%s: cannot record", DD_DAEMON_JSON) : 0;
}

/* The service definitions and their enable links, rendered once per run (units.c); the
 * docker.env text too. */
static int render(struct dd_install *c)
{
	const struct dd_units_cfg uc = { DD_BIN_DIR, DD_LOG_DIR };
	char host[256];
	const char *h = c->o.nsans ? c->o.sans[0] : "localhost";

	if (dd_units_render(c->init, &uc, c->unit, &c->nunits) != 0)
		return SAY(DD_EXIT_FAIL, "cannot make the %s service files", dd_init_name(c->init));
	c->ndaemon = c->nunits;
	if (dd_units_enable_links(c->init, c->link, &c->nlinks) != 0 ||
	    c->nlinks + c->more.nplug > N(c->link))
		return SAY(DD_EXIT_FAIL, "cannot make the %s enable links", dd_init_name(c->init));
	for (unsigned i = 0; i < c->more.nplug; i++, c->nlinks++) /* the CLI plugins' links */
		dd_plugin_link(c->more.plug[i]->name, c->link[c->nlinks].path, sizeof c->link[0].path,
			       c->link[c->nlinks].target, sizeof c->link[0].target);
	if (c->o.compose && (!dd_compose_cmd(DD_BIN_DIR, c->compose.name, c->compose.has_env,
					      c->compose_cmd, sizeof c->compose_cmd) ||
			     dd_units_compose(c->init, c->compose_cmd, c->unit, &c->nunits, c->link,
					      &c->nlinks) != 0))
		return SAY(DD_EXIT_FAIL, "cannot make the %s service files", dd_init_name(c->init));
	if (!c->o.nsans && gethostname(host, sizeof host - 1) == 0 && host[0]) {
		host[sizeof host - 1] = 0;
		h = host;
	}
	c->envlen = 0;
	if ((!c->o.certs || c->byo_client) &&
	    !(c->envlen = dd_client_env(h, c->o.port, DD_CLIENT_DIR, c->env, sizeof c->env)))
		return SAY(DD_EXIT_FAIL, "%s/docker.env: the host name %s does not fit", DD_CLIENT_DIR, h);
	return 0;
}

static int write_units(struct dd_install *c, int *changed)
{
	int ch;

	*changed = 0;
	for (unsigned i = 0; i < c->nunits; i++) {
		const struct dd_unit_file *f = &c->unit[i];

		if (dd_txn_write(&c->txn, f->path, f->text, f->len, f->mode, &ch) != 0 ||
		    record(c, 'f', f->path) != 0)
			return SAY(DD_EXIT_FAIL, "%s: %m", f->path);
		*changed |= ch && i < c->ndaemon; /* the Compose project's needs no restart */
	}
	/* Enabled by the links systemctl enable, rc-update or update-rc.d would make (and
	 * docker.socket masked): the same for a live system and an image tree, and recorded
	 * so that uninstall removes them. */
	for (unsigned i = 0; i < c->nlinks; i++)
		if (dd_txn_symlink(&c->txn, c->link[i].path, c->link[i].target, &ch) != 0 ||
		    record(c, 'l', c->link[i].path) != 0)
			return SAY(DD_EXIT_FAIL, "%s: %m", c->link[i].path);
	return 0;
}

/* install --with-docs: written as units are (no restart for them); a re-run without it
 * removes them (drop_stale). */
static int write_docs(struct dd_install *c)
{
	int ch;

	for (unsigned i = 0; i < c->o.ndocs; i++)
		if (dd_txn_write(&c->txn, docs[i], c->o.doc[i], c->o.doclen[i], 0644, &ch) != 0 ||
		    record(c, 'f', docs[i]) != 0)
			return SAY(DD_EXIT_FAIL, "%s: %m", docs[i]);
	return 0;
}

static int write_group(struct dd_install *c)
{
	unsigned gid;
	int changed, rc;

	c->now.gid = c->prov.gid;
	if (dd_group_lookup("docker", &gid) == 0) {
		c->now.gid = gid;
		return 0;
	}
	/* The shadow lock file too: a failed install leaves no new file at all. */
	if (dd_txn_snap(&c->txn, "/etc/.pwd.lock") != 0 || dd_txn_snap(&c->txn, "/etc/group") != 0 ||
	    dd_txn_snap(&c->txn, "/etc/gshadow") != 0)
		return SAY(DD_EXIT_FAIL, "/etc/group: %m");
	if ((rc = dd_group_ensure("docker", &gid, &changed, c->err, sizeof c->err)))
		return rc;
	c->now.gid = gid;
	if (changed)
		c->txn.changes++;
	return 0;
}

static int write_client_env(struct dd_install *c)
{
	int ch;

	if (dd_txn_write(&c->txn, DD_CLIENT_DIR "/docker.env", c->env, c->envlen, 0644, &ch) != 0 ||
	    record(c, 'f', DD_CLIENT_DIR "/docker.env") != 0)
		return SAY(DD_EXIT_FAIL, "%s/docker.env: %m", DD_CLIENT_DIR);
	return 0;
}

static void record_keep(struct dd_install *c)
{
	for (unsigned i = 0; !c->ca_theirs && i < N(certs_ours); i++)
		record(c, 'k', certs_ours[i]);
	for (unsigned i = 0; !c->certs_in_place && i < N(certs_server); i++)
		record(c, 'k', certs_server[i]);
	for (unsigned i = 0; c->client && i < N(certs_client); i++)
		record(c, 'k', certs_client[i]);
}

/* Files and links an earlier install wrote that this one does not (another --init, an
 * engine without some program): removed when still as written, else kept and named. */
static int drop_stale(struct dd_install *c)
{
	for (unsigned i = 0; i < c->old.n; i++) {
		const struct dd_state_ent *e = &c->old.ent[i];
		int ours;

		if ((e->kind != 'f' && e->kind != 'l') || dd_state_find(&c->now, e->path))
			continue;
		if ((ours = dd_record_ours(e)) == DD_RECORD_CHANGED && e->kind == 'f')
			dd_warn("%s is no longer dockdrop's but was changed: kept", e->path);
		if (ours == DD_RECORD_OURS && dd_txn_unlink(&c->txn, e->path) != 0)
			return SAY(DD_EXIT_FAIL, "%s: %m", e->path);
	}
	return 0;
}

/* The Compose project's files (the env file 0600 from its creation on), checked by
 * Compose itself with the engine's docker CLI and the carried plugin (both in place by
 * now) before the daemon is touched: a file it rejects is bad input, and the transaction
 * is rolled back. */
static int write_compose(struct dd_install *c)
{
	static const char *const config[] = { "config", "-q", NULL };
	const struct dd_compose *p = &c->compose;
	char why[512];
	int ch;

	c->compose_ch = 0;
	for (int i = 0; c->o.compose && i < 1 + p->has_env; i++) {
		const char *path = i ? p->envpath : p->path;

		/* The env file's digest is not recorded: the record is world-readable, and the
		 * SHA-256 of a short secret (DB_PASSWORD=...) can be guessed offline. Recorded
		 * "planned", it counts as dockdrop's while it is a regular file (record.h). */
		if (dd_txn_write(&c->txn, path, i ? p->env : p->file, i ? p->envlen : p->filelen,
				 i ? 0600 : 0644, &ch) != 0 ||
		    (i ? dd_state_add(&c->now, 'f', path, 0600, DD_STATE_PLANNED, NULL)
		       : record(c, 'f', path)) != 0)
			return SAY(DD_EXIT_FAIL, "%s: %m", path);
		c->compose_ch |= ch;
	}
	if (!c->compose_ch || c->o.root)
		return 0;
	if (dd_compose_run(DD_BIN_DIR, p->name, p->has_env, config, 120, why, sizeof why))
		return SAY(DD_EXIT_USAGE, "--compose %s: Compose rejects it: %s", c->o.compose, why);
	return 0;
}

/* After the daemon is proven and the images loaded: the project up when its files
 * changed, the daemon was restarted or an image was loaded (a tag may name another image
 * now); a re-run with the same files runs nothing. When up fails its file is taken away,
 * so that the next run brings it up again. */
static int compose_up(struct dd_install *c)
{
	static const char *const up[] = { "up", "-d", "--remove-orphans", NULL };
	int loaded = 0;

	for (unsigned i = 0; i < c->images.n; i++)
		loaded |= c->images.img[i].state == DD_IMG_LOADED;
	if (!c->o.compose || (!c->compose_ch && !c->restart && !loaded))
		return 0;
	if (dd_compose_run(DD_BIN_DIR, c->compose.name, c->compose.has_env, up, 600, c->err,
			   sizeof c->err)) {
		dd_root_unlink(c->compose.path);
		return dd_fail(DD_EXIT_FAIL, "install: compose project %s: up failed: %s; the engine is installed: fix it, install again",
			       c->compose.name, c->err);
	}
	STEP("compose project %s: up", c->compose.name);
	return 0;
}

/* The engine's programs into /usr/local/bin; the user's files there moved aside first
 * (with --force; else refused, exit 2, and the unpack rolled back). */
static int activate_engine(struct dd_install *c)
{
	char bins[DD_ENGINE_BINS][64], abs[DD_PATH_MAX], target[DD_PATH_MAX];
	unsigned nb;
	int rc, ch, more = 0;

	if ((rc = dd_engine_bins(c->name, bins, &nb, c->err, sizeof c->err)))
		return rc;
	for (unsigned i = 0; i < nb; i++) {
		unsigned had = c->prov.n;

		snprintf(abs, sizeof abs, "%s/%s", DD_BIN_DIR, bins[i]);
		dd_engine_link_target(bins[i], target, sizeof target);
		if (!dd_engine_bin_ours(bins[i]) && (rc = claim(c, &c->prov, abs, target, NULL, 0)))
			return rc;
		more |= c->prov.n != had;
	}
	if (more && (rc = dd_record_write(&c->txn, &c->prov, c->prov_text, sizeof c->prov_text,
					  c->err, sizeof c->err)))
		return rc;
	if ((rc = move_aside(c)))
		return rc;
	if ((rc = dd_engine_activate(&c->txn, c->name, bins, &nb, &ch, c->err, sizeof c->err)))
		return rc;
	c->restart |= ch;
	record(c, 'l', DD_ENGINE_CURRENT);
	for (unsigned i = 0; i < nb; i++) {
		snprintf(abs, sizeof abs, "%s/%s", DD_BIN_DIR, bins[i]);
		record(c, 'l', abs);
	}
	return 0;
}

/* Steps 3 to 5 and 7: everything that writes. */
static int apply(struct dd_install *c)
{
	int rc, ch, certs_ch;

	/* a run killed before its daemons were proven: they may run the old configuration */
	c->restart = c->pending = !c->o.root && exists(DD_RESTART_MARK);
	memset(&c->now, 0, sizeof c->now);
	engine_lines(c, &c->now);
	c->txn.begin = write_provisional;
	c->txn.ctx = c;
	c->want.byo = c->o.certs;
	c->want.byo_pem = c->o.certs_pem;
	c->want.byo_len = c->o.certs_len;
	/* the keys the certificates need, made while the engine unpacks */
	pki_key_pool_start(c->want.kt, dd_certs_keys_needed(&c->want));
	if ((rc = dd_engine_unpack(&c->txn, &c->pl, c->blob, &c->more, c->name,
				   recorded_tree(c, c->name), c->now.engine.tree, &ch, c->err,
				   sizeof c->err)))
		return rc;
	STEP(ch ? "engine %s verified and unpacked into %s/%s" : "engine %s already in %s/%s",
	     c->blob->version, DD_ENGINE_DIR, c->name);
	if (ch && c->more.xt)
		STEP("iptables %s carried beside it for dockerd, backend %s", c->more.xt->version,
		     c->xt.why);
	if ((rc = activate_engine(c)))
		return rc;
	dd_steptime_mark(&c->times, DD_STEP_UNPACK);
	if ((rc = write_group(c)))
		return rc;
	dd_steptime_mark(&c->times, DD_STEP_CONFIG);
	rc = dd_certs_ensure(&c->txn, &c->want, &certs_ch, &c->client, c->err, sizeof c->err);
	c->times.keys_us = pki_key_pool_end();
	if (rc)
		return rc;
	dd_steptime_mark(&c->times, DD_STEP_CERTS);
	c->restart |= certs_ch;
	record_keep(c);
	STEP(certs_ch ? "certificates issued (%s)" : "certificates already in place (%s)",
	     c->o.certs_pem ? "from the settings" : c->o.certs ? "from --certs" : c->o.key_type);
	if (c->want.why_server[0])
		STEP("server certificate re-issued: %s", c->want.why_server);
	if (c->want.why_client[0])
		STEP("client certificate re-issued: %s", c->want.why_client);
	if ((rc = write_daemon_json(c, &ch)))
		return rc;
	c->restart |= ch;
	if (c->client && (rc = write_client_env(c)))
		return rc;
	if ((rc = write_units(c, &ch)) || (rc = write_docs(c)))
		return rc;
	c->restart |= ch;
	if (c->init != DD_INIT_SYSTEMD && dd_txn_mkdir(&c->txn, DD_LOG_DIR, 0755) != 0)
		return SAY(DD_EXIT_FAIL, "%s: %m", DD_LOG_DIR);
	if ((rc = write_compose(c)))
		return rc;
	if (!c->o.root) /* a project the last run brought up and this one does not */
		c->compose_downed = dd_uninstall_compose(&c->old, c->o.compose ? c->compose.name : NULL,
							 0, c->o.json);
	if ((rc = dd_login_apply(&c->login, &c->txn, &c->old, &c->now, c->err, sizeof c->err)))
		return rc;
	copy_options(c, &c->now);
	carry_facts(c);
	if ((rc = drop_stale(c)) || (rc = write_state(c)))
		return rc;
	dd_steptime_mark(&c->times, DD_STEP_CONFIG);
	return 0;
}

static int same_options(const struct dd_install *c)
{
	const struct dd_install_opts *o = &c->o;
	const struct dd_state *s = &c->old;

	if (s->port != o->port || s->tcp != !o->no_tcp || strcmp(s->init, dd_init_name(c->init)) ||
	    strcmp(s->key_type, o->key_type) || strcmp(s->certs, o->certs ? o->certs : "") ||
	    s->nsans != o->nsans || s->nopts != o->nopts)
		return 0;
	for (unsigned i = 0; i < o->nsans; i++)
		if (strcmp(s->sans[i], o->sans[i]))
			return 0;
	for (unsigned i = 0; i < o->nopts; i++)
		if (strcmp(s->opts[i], o->daemon_opts[i]))
			return 0;
	return 1;
}

static void print_json(const struct dd_install *c, const struct dd_state_engine *eng,
		       const char *result);

static void print_plan(struct dd_install *c)
{
	const struct dd_install_opts *o = &c->o;

	if (o->json) { /* the same object install --json reports, for the engine it would install */
		dd_images_plan(&c->images, o->root != NULL, 0);
		print_json(c, &c->prov.engine, "plan");
		return;
	}
	printf("plan (nothing is changed with --dry-run):\n");
	printf("  engine %s -> %s/%s, links in %s\n", c->blob->version, DD_ENGINE_DIR, c->name, DD_BIN_DIR);
	if (c->more.xt)
		printf("  iptables %s beside it, on dockerd's PATH after the system's: backend %s\n",
		       c->more.xt->version, c->xt.why);
	printf("  group docker in /etc/group and /etc/gshadow\n");
	printf("  certificates: %s\n", o->certs ? o->certs : "CA in " DD_CA_DIR ", server in " DD_TLS_DIR
							  ", client in " DD_CLIENT_DIR);
	printf("  %s: %s\n", DD_DAEMON_JSON,
	       o->no_tcp ? "unix socket only" : "unix socket and tcp://0.0.0.0 with tlsverify");
	if (!o->no_tcp)
		printf("  TLS port %u\n", o->port);
	printf("  services: %s%s\n", dd_init_name(c->init), o->root ? " (enabled in the image; nothing started)" : "");
	for (unsigned i = 0; i < c->prov.n; i++)
		if (c->prov.ent[i].kind == 'b' && !dd_state_find(&c->old, c->prov.ent[i].path))
			printf("  %s moved to %s\n", dd_record_backup_orig(c->prov.ent[i].path),
			       c->prov.ent[i].path);
	if (o->ndocs)
		printf("  man page %s, completion %s and %s\n", DD_MAN_PAGE, DD_BASH_COMPLETION,
		       DD_ZSH_COMPLETION);
	dd_login_plan(&c->login);
	printf("  record: %s\n", DD_STATE_FILE);
	dd_images_plan(&c->images, o->root != NULL, 1);
}

/* install's result as one JSON object: eng installed (result "installed", "unchanged"),
 * or with --dry-run the one it would install ("plan"). */
static void print_json(const struct dd_install *c, const struct dd_state_engine *eng,
		       const char *result)
{
	char dir[DD_PATH_MAX];
	struct dd_jw w;

	snprintf(dir, sizeof dir, "%s/%s", DD_ENGINE_DIR, eng->dir);
	dd_jw_init(&w, stdout);
	dd_jw_object(&w, NULL);
	dd_jw_object(&w, "engine");
	dd_jw_str(&w, "version", eng->version);
	dd_jw_str(&w, "sha256", eng->sha);
	dd_jw_str(&w, "dir", dir);
	dd_jw_close(&w);
	dd_jw_str(&w, "result", result);
	dd_jw_str(&w, "init", dd_init_name(c->init));
	dd_jw_bool(&w, "tcp", !c->o.no_tcp);
	dd_jw_int(&w, "port", (long long)c->o.port);
	dd_jw_str(&w, "certs", c->o.certs ? c->o.certs : "");
	dd_jw_str(&w, "server_version", c->version);
	dd_jw_str(&w, "client_dir", DD_CLIENT_DIR);
	dd_jw_str(&w, "root", dd_root());
	dd_images_json(&c->images, &w);
	dd_jw_close(&w);
	if (dd_jw_end(&w) != 0)
		dd_warn("cannot write the result: %m");
}

static int preflight(struct dd_install *c)
{
	char xt[288];
	const struct dd_preflight_in in = {
		.engine_arch = c->blob->arch,
		.engine_bytes = (c->blob->len + (c->more.xt ? c->more.xt->len : 0)) * 3,
		.force = c->o.force,
		.offline_root = c->o.root != NULL,
		.carried_iptables = c->more.xt ? xt : NULL,
		.init = c->o.init,
	};
	struct dd_preflight pf;
	int rc;

	if (c->more.xt)
		snprintf(xt, sizeof xt, "%s, %s", c->more.xt->version, c->xt.why);
	rc = dd_preflight_run(&in, &pf);

	for (unsigned i = 0; i < pf.n; i++)
		if (pf.item[i].level == 1)
			dd_warn("preflight: %s", pf.item[i].msg);
		else if (pf.item[i].level == 2)
			dd_err("install: preflight: %s", pf.item[i].msg);
	if (rc)
		return DD_EXIT_FAIL;
	c->init = strcmp(c->o.init, "auto") ? dd_init_from_name(c->o.init) : pf.init;
	return 0;
}

/* One change at a time, the lock taken before the record is read; under it, what a
 * killed run left is swept. */
static int lock_and_read(struct dd_install *c, const char *cmd)
{
	int rc;

	if ((rc = dd_txn_lock(cmd)))
		return rc;
	if (!c->o.dry_run) /* --dry-run changes nothing, not even what a killed run left */
		dd_record_sweep();
	if ((rc = dd_record_read(&c->old, c->err, sizeof c->err)) == DD_STATE_NONE)
		memset(&c->old, 0, sizeof c->old);
	else if (rc)
		return dd_fail(rc, "%s: %s", cmd, c->err);
	return 0;
}

/* --certs naming /etc/docker/tls itself: the files there are the user's, used in place. */
static int certs_in_place(const char *dir)
{
	struct stat a, b;

	return dir && stat(dir, &a) == 0 && dd_root_stat(DD_TLS_DIR, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Everything before the first change: the input, the payload, the record, preflight, the
 * texts to write and the plan of the record. */
static int prepare(struct dd_install *c)
{
	int rc;

	c->pl.fd = -1;
	if ((rc = check_input(c)))
		return rc;
	if ((rc = dd_payload_open_checked(&c->pl, NULL, "install")))
		return rc;
	if (!(c->blob = pick_engine(&c->pl, c->o.engine)))
		return dd_fail(c->o.engine ? DD_EXIT_USAGE : DD_EXIT_FAIL, "install: %s",
			       c->o.engine ? "--engine: no such engine in this dockdrop (see dockdrop list)"
					   : "this dockdrop carries no engine");
	if ((rc = dd_input_engine(c->blob, c->err, sizeof c->err)))
		return dd_fail(rc, "install: %s", c->err);
	if ((c->more.xt = dd_xt_blob(&c->pl.m, c->blob->arch))) {
		unsigned char d[32];

		if ((rc = dd_input_engine(c->more.xt, c->err, sizeof c->err)))
			return dd_fail(rc, "install: %s", c->err);
		/* Small: checked in full before anything is made (the engine's own digest is
		 * checked as it streams). */
		if (dd_payload_hash_range(&c->pl, c->more.xt->off, c->more.xt->len, d) != 0)
			return dd_fail(DD_EXIT_FAIL, "install: read: %m");
		if (memcmp(d, c->more.xt->sha256, 32) != 0)
			return dd_fail(DD_EXIT_VERIFY, "install: %s %s %s: SHA-256 mismatch; the payload is damaged; nothing was changed",
				       c->more.xt->kind, c->more.xt->name, c->more.xt->version);
		dd_iptables_choose(&c->xt, dd_xt_has_nft(&c->pl.m, (unsigned)(c->more.xt - c->pl.m.blob)));
		c->more.xt_prog = c->xt.prog;
	}
	if ((rc = dd_plugins_pick(&c->pl, c->blob->arch, &c->more, c->err, sizeof c->err)))
		return dd_fail(rc, "install: %s", c->err);
	for (unsigned i = 0; c->o.compose && i <= c->more.nplug; i++)
		if (i == c->more.nplug)
			return dd_fail(DD_EXIT_USAGE, "install: --compose needs a dockdrop carrying docker-compose (bundle --plugin)");
		else if (!strcmp(c->more.plug[i]->name, "docker-compose"))
			break;
	dd_engine_name(c->blob, c->more.xt, c->name, sizeof c->name);
	if (dd_plugins_name(&c->more, c->name, sizeof c->name) != 0)
		return dd_fail(DD_EXIT_FAIL, "install: plugin names too long for the engine directory");
	if ((rc = dd_images_check(&c->images, &c->pl, c->o.images, c->err, sizeof c->err)))
		return dd_fail(rc, "install: %s", c->err);
	if ((rc = lock_and_read(c, "install")) || (rc = preflight(c)))
		return rc;
	c->certs_in_place = certs_in_place(c->o.certs);
	/* A CA there that no record names was put there by hand (a fleet's CA): dockdrop
	 * signs with it but it stays the user's, so --purge does not delete its key. */
	c->ca_theirs = exists(certs_ours[0]) && !dd_state_find(&c->old, certs_ours[0]);
	if ((rc = render(c)))
		return dd_fail(rc, "install: %s", c->err);
	if ((rc = merge_daemon_json(c, 1)))
		return rc;
	if ((rc = plan_record(c)))
		return dd_fail(rc, "install: %s", c->err);
	return dd_login_prepare(&c->login, &c->old, &c->prov, c->o.force, c->o.json);
}

/* The daemon did not come up with the new configuration: the previous one is put back
 * (the transaction's snapshots: daemon.json, units, the engine link, certificates, the
 * record) and started again, so no outage is left. */
/* A rolled-back run: the project it took down (its files are back) comes up again. */
static void compose_back(const struct dd_install *c)
{
	if (c->compose_downed)
		dd_uninstall_compose(&c->old, c->o.compose ? c->compose.name : NULL, 1, c->o.json);
}

/* The previous run's client pair, to prove its TLS port with: certificates from --certs
 * or the settings may have none (then /etc/dockdrop/client holds an older CA's, or nothing). */
static int old_client(const struct dd_install *c)
{
	return dd_state_find(&c->old, certs_client[1]) != NULL;
}

static void undo(struct dd_install *c, const char *log)
{
	const struct dd_prove_req r = { dd_init_from_name(c->old.init), 1, c->old.tcp ? c->old.port : 0,
					old_client(c), 1, NULL };
	char err[512], version[64], log2[2048];
	int was = dd_record_installed(&c->old);

	dd_svc_stop(c->init, err, sizeof err);
	dd_txn_rollback(&c->txn);
	if (!was) {
		dd_root_unlink(DD_RESTART_MARK);
		dd_svc_reload(c->init);
		dd_err("install: %s; nothing was left installed", c->err);
	} else if (dd_prove_up(&r, version, sizeof version, log2, sizeof log2, err, sizeof err) == 0) {
		dd_root_unlink(DD_RESTART_MARK);
		compose_back(c);
		dd_err("install: %s; the previous configuration is back and dockerd %s answers again",
		       c->err, version);
	} else {
		dd_err("install: %s; the previous configuration is back but does not start either: %s",
		       c->err, err);
	}
	if (log[0])
		fprintf(stderr, "dockdrop: the daemon's log ends with:\n%s%s", log,
			log[strlen(log) - 1] == '\n' ? "" : "\n");
}

/* Step 6 and the last word. */
static int finish(struct dd_install *c)
{
	const struct dd_prove_req r = { c->init, c->restart, c->o.no_tcp ? 0 : c->o.port, c->client,
					c->o.json, &c->times };
	char log[2048];
	int rc, changed = c->txn.changes != 0 || !same_options(c);

	if (!c->o.root && dd_prove_up(&r, c->version, sizeof c->version, log, sizeof log, c->err,
				      sizeof c->err)) {
		undo(c, log);
		return DD_EXIT_FAIL;
	}
	if (!c->o.json)
		dd_steptime_print(&c->times, c->o.root ? "installed" : "mTLS verified");
	dd_txn_done(&c->txn);
	dd_root_unlink(DD_RESTART_MARK);
	dd_engine_prune(c->now.engine.dir, c->now.nprev ? c->now.previous[0].dir : NULL);
	if ((rc = dd_images_load(&c->images, c->o.root != NULL, c->o.json, c->err, sizeof c->err)))
		return dd_fail(rc, "install: %s; the engine is installed: install again to load the images", c->err);
	if (c->o.root) {
		STEP("installed into %s (%s services enabled; nothing started)", dd_root(), dd_init_name(c->init));
		if (c->o.json)
			print_json(c, &c->now.engine, c->txn.changes ? "installed" : "unchanged");
		return 0;
	}
	if (compose_up(c)) /* after dd_images_load: the project's images are in the daemon */
		return DD_EXIT_FAIL;
	if (c->o.json)
		print_json(c, &c->now.engine, changed ? "installed" : "unchanged");
	else if (!changed && !c->restart)
		dd_info("already installed, nothing to do (engine %s, %s)", c->now.engine.version,
			dd_init_name(c->init));
	else
		dd_info("installed: engine %s; client certificates in %s (dockdrop client-bundle -o FILE packs them)",
			c->version, DD_CLIENT_DIR);
	return 0;
}

int dd_install_run(struct dd_install *c)
{
	int rc;

	dd_steptime_begin(&c->times);
	rc = prepare(c);
	dd_steptime_mark(&c->times, DD_STEP_PREFLIGHT);

	if (rc || c->o.dry_run) {
		if (!rc)
			print_plan(c);
		dd_payload_close(&c->pl);
		return rc;
	}
	rc = apply(c);
	pki_key_pool_end();	/* joined, what was not taken wiped (apply failed early) */
	if (rc) {
		dd_payload_close(&c->pl);
		dd_txn_rollback(&c->txn);
		if (!c->pending) /* the daemons were not touched */
			dd_root_unlink(DD_RESTART_MARK);
		compose_back(c);
		return dd_fail(rc, "install: %s; nothing was changed", c->err);
	}
	rc = finish(c);	/* the images stream from the payload */
	dd_payload_close(&c->pl);
	dd_images_close(&c->images);
	return rc;
}

/* install --rollback: the CLI plugins' links as the engine made current has its plugins
 * (those it lacks unlinked and off the record, the others linked). */
static int relink_plugins(struct dd_install *c)
{
	char m[DD_PATH_MAX], abs[DD_PATH_MAX], target[DD_PATH_MAX];
	const size_t pre = sizeof DD_CLI_PLUGINS_DIR;
	struct dirent *de;
	struct stat st;
	unsigned k = 0;
	int ch;
	DIR *d;

	for (unsigned i = 0; i < c->now.n; i++) {
		const struct dd_state_ent *e = &c->now.ent[i];

		snprintf(m, sizeof m, "%s/%s/%s/%s", DD_ENGINE_DIR, c->now.engine.dir, DD_PLUGIN_DIR,
			 e->path + (strlen(e->path) > pre ? pre : 0));
		if (e->kind == 'l' && !strncmp(e->path, DD_CLI_PLUGINS_DIR "/", pre) &&
		    dd_root_lstat(m, &st) != 0) {
			if (dd_txn_unlink(&c->txn, e->path) != 0)
				return SAY(DD_EXIT_FAIL, "%s: %m", e->path);
			continue;
		}
		c->now.ent[k++] = *e;
	}
	c->now.n = k;
	snprintf(m, sizeof m, "%s/%s/%s", DD_ENGINE_DIR, c->now.engine.dir, DD_PLUGIN_DIR);
	if (!(d = dd_root_opendir(m)))
		return 0;
	while ((de = readdir(d)))
		if (dd_plugin_name_ok(de->d_name)) {
			dd_plugin_link(de->d_name, abs, sizeof abs, target, sizeof target);
			if (dd_txn_symlink(&c->txn, abs, target, &ch) != 0 || record(c, 'l', abs) != 0) {
				closedir(d);
				return SAY(DD_EXIT_FAIL, "%s: %m", abs);
			}
		}
	closedir(d);
	return 0;
}

/* install --rollback's outcome, or with --dry-run its plan: one line, or one JSON object. */
static void say_rollback(const struct dd_install *c, const char *result)
{
	const struct dd_state_engine *to = c->o.dry_run ? &c->old.previous[0] : &c->now.engine;
	const struct dd_state_engine *from = c->o.dry_run ? &c->old.engine : &c->now.previous[0];

	if (c->o.json) {
		struct dd_jw w;

		dd_jw_init(&w, stdout);
		dd_jw_object(&w, NULL);
		dd_jw_str(&w, "result", result);
		dd_jw_str(&w, "engine", to->version);
		dd_jw_str(&w, "previous", from->version);
		dd_jw_str(&w, "server_version", c->version);
		dd_jw_str(&w, "root", dd_root());
		dd_jw_close(&w);
		if (dd_jw_end(&w) != 0)
			dd_warn("cannot write the result: %m");
	} else if (c->o.dry_run) {
		printf("plan (nothing is changed with --dry-run): engine %s becomes current again, %s is kept\n",
		       to->version, from->version);
	} else if (c->o.root) {
		dd_info("engine %s is current again in %s", to->version, dd_root());
	} else {
		dd_info("rolled back to engine %s", to->version);
	}
}

int dd_install_rollback(struct dd_install *c)
{
	char bins[DD_ENGINE_BINS][64], log[2048];
	struct dd_prove_req r = { 0 };
	unsigned nb;
	int rc, ch;

	if ((rc = check_input(c)) || (rc = lock_and_read(c, "install --rollback")))
		return rc;
	if (!dd_record_installed(&c->old))
		return dd_record_not_installed("install --rollback");
	if (c->old.nprev == 0 || !dd_engine_complete(c->old.previous[0].dir))
		return dd_fail(DD_EXIT_FAIL, "install --rollback: no previous engine to go back to");
	if (dd_engine_intact(c->old.previous[0].dir, c->old.previous[0].tree) == 0)
		return dd_fail(DD_EXIT_FAIL, "install --rollback: the files of engine %s changed since it was installed: install it again with the dockdrop that carries it",
			       c->old.previous[0].version);
	if (c->o.dry_run) {
		say_rollback(c, "plan");
		return 0;
	}
	c->now = c->old;
	c->now.engine = c->old.previous[0];
	c->now.previous[0] = c->old.engine;
	c->now.nprev = 1;
	memcpy(&c->prov, &c->old, sizeof c->prov);
	if ((rc = dd_engine_activate(&c->txn, c->now.engine.dir, bins, &nb, &ch, c->err, sizeof c->err)) ||
	    (record(c, 'l', DD_ENGINE_CURRENT) != 0 &&
	     (rc = SAY(DD_EXIT_FAIL, "%s: cannot record", DD_ENGINE_CURRENT))) ||
	    (rc = relink_plugins(c)) || (rc = write_state(c))) {
		dd_txn_rollback(&c->txn);
		return dd_fail(rc, "install --rollback: %s; nothing was changed", c->err);
	}
	if (c->o.root) {
		dd_txn_done(&c->txn);
		say_rollback(c, "rolled back");
		return 0;
	}
	r.init = dd_init_from_name(c->old.init);
	r.changed = 1;
	r.port = c->old.tcp ? c->old.port : 0;
	r.client = old_client(c);
	if ((rc = dd_prove_up(&r, c->version, sizeof c->version, log, sizeof log, c->err, sizeof c->err))) {
		c->init = r.init;
		undo(c, log);
		return DD_EXIT_FAIL;
	}
	dd_txn_done(&c->txn);
	say_rollback(c, "rolled back");
	return 0;
}
