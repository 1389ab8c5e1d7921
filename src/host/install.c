#include "host/install.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "host/clientbundle.h"
#include "host/engine.h"
#include "host/group.h"
#include "host/paths.h"
#include "host/preflight.h"
#include "host/prove.h"
#include "host/service.h"
#include "pki/ca.h"
#include "util/io.h"
#include "util/jsonout.h"
#include "util/log.h"
#include "util/rootpath.h"
#include "util/sha256.h"

#define STEP(...)                                   \
	do {                                        \
		if (!c->o.json)                     \
			dd_info(__VA_ARGS__);       \
	} while (0)

/* --- checking the input: nothing has changed yet --------------------------------------- */

/* The merged daemon.json, made before anything changes: a file the user broke is bad
 * input (exit 2), found while the machine is still untouched. */
static int plan_daemon_json(struct dd_install *c)
{
	const struct dd_daemon_cfg dc = { !c->o.no_tcp, c->o.port, DD_TLS_DIR, c->o.daemon_opts,
					  c->o.nopts };
	char m[DD_PATH_MAX], warn[512] = "", err[512];
	long n;
	int rc;

	if (dd_root_path(m, sizeof m, DD_DAEMON_JSON) != 0)
		return dd_fail(DD_EXIT_USAGE, "install: %s: %s", DD_DAEMON_JSON, strerror(errno));
	n = c->daemon_json_old_len = dd_read_small_file(m, c->daemon_json_old, sizeof c->daemon_json_old);
	if (n < 0 && errno != ENOENT)
		return dd_fail(errno == EFBIG ? DD_EXIT_USAGE : DD_EXIT_FAIL, "install: %s: %s", m,
			       strerror(errno));
	if ((rc = dd_daemonjson_merge(n < 0 ? NULL : c->daemon_json_old, n < 0 ? 0 : (size_t)n, &dc,
				      &c->daemon_json, warn, sizeof warn, err, sizeof err)))
		return dd_fail(rc, "install: %s", err);
	if (warn[0])
		dd_warn("%s", warn);
	return 0;
}

static int check_input(struct dd_install *c)
{
	const struct dd_install_opts *o = &c->o;
	char err[512];
	struct pki_san s;
	int rc;

	c->byo_client = 0;
	c->daemon_json_old_len = -1;
	if (o->root && dd_root_set(o->root) != 0)
		return dd_fail(DD_EXIT_USAGE, "install: --root %s: %s", o->root, strerror(errno));
	if (o->no_tcp && (o->nsans || o->port != 2376))
		return dd_fail(DD_EXIT_USAGE, "install: --no-tcp leaves no TLS port: drop --tls-san and --port");
	if (o->rollback && (o->nsans || o->nopts || o->certs || o->engine || o->port != 2376 ||
			    o->no_tcp || strcmp(o->init, "auto") || strcmp(o->key_type, "ecdsa-p256")))
		return dd_fail(DD_EXIT_USAGE, "install: --rollback takes no settings but --root");
	for (unsigned i = 0; i < o->nsans; i++)
		if (pki_san_parse(o->sans[i], &s) != 0)
			return dd_fail(DD_EXIT_USAGE, "install: --tls-san %s: not a DNS name or an IP address",
				       o->sans[i]);
	for (unsigned i = 0; i < o->nopts; i++)
		if (dd_daemonjson_check_opt(o->daemon_opts[i], err, sizeof err))
			return dd_fail(DD_EXIT_USAGE, "install: %s", err);
	c->want.kt = (enum pki_ktype)pki_ktype_parse(o->key_type);
	if (o->certs && (rc = dd_certs_byo_check(o->certs, &c->byo_client, err, sizeof err)))
		return dd_fail(rc, "install: --certs: %s", err);
	return o->rollback ? 0 : plan_daemon_json(c);
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

/* --- the record ------------------------------------------------------------------------- */

static int record(struct dd_install *c, char kind, const char *abs)
{
	return dd_state_record(&c->now, kind, abs);
}

/* Directories dockdrop made, in this run (the transaction saw them absent) or an earlier
 * one (the old record), outermost first, so uninstall can remove them innermost first
 * when they are empty. */
static int record_dirs(struct dd_install *c)
{
	size_t skip = strlen(dd_root());
	struct stat st;

	if (dd_txn_mkdir(&c->txn, DD_STATE_DIR, 0755) != 0)
		return -1;
	for (unsigned i = 0; i < c->old.n; i++)
		if (c->old.ent[i].kind == 'd')
			dd_state_record(&c->now, 'd', c->old.ent[i].path);
	for (unsigned i = 0; i < c->txn.n; i++)
		if (c->txn.e[i].was == DD_TXN_ABSENT && lstat(c->txn.e[i].path, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			dd_state_record(&c->now, 'd', c->txn.e[i].path + skip);
	return 0;
}

static int write_state(struct dd_install *c)
{
	size_t n;
	int ch;

	if (record_dirs(c) != 0)
		return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "%s: %s", DD_STATE_DIR, strerror(errno));
	if (!(n = dd_state_format(&c->now, c->state_text, sizeof c->state_text)))
		return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "the state record does not fit");
	if (dd_txn_write(&c->txn, DD_STATE_FILE, c->state_text, n, 0644, &ch) != 0)
		return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "%s: %s", DD_STATE_FILE, strerror(errno));
	return 0;
}

/* One change at a time; under the lock, what a killed run left is swept. */
static int lock_and_sweep(void)
{
	static const char *const dirs[] = { "/etc", DD_BIN_DIR, DD_ENGINE_DIR, DD_DOCKER_ETC,
					    DD_TLS_DIR, DD_ETC_DIR, DD_CA_DIR, DD_CLIENT_DIR,
					    DD_STATE_DIR, "/etc/systemd/system", "/etc/init.d" };
	int rc;

	if ((rc = dd_txn_lock("install")))
		return rc;
	for (unsigned i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		dd_txn_sweep(dirs[i], !strcmp(dirs[i], DD_ENGINE_DIR));
	return 0;
}

/* --- the steps ------------------------------------------------------------------------- */

static int write_daemon_json(struct dd_install *c, int *changed)
{
	if (dd_state_find(&c->old, DD_DAEMON_JSON_ORIG) && record(c, 'f', DD_DAEMON_JSON_ORIG) != 0)
		return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "%s: cannot record", DD_DAEMON_JSON_ORIG);
	if (dd_txn_write(&c->txn, DD_DAEMON_JSON, c->daemon_json, strlen(c->daemon_json), 0644, changed) != 0)
		return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "%s: %s", DD_DAEMON_JSON, strerror(errno));
	return record(c, 'c', DD_DAEMON_JSON) ? dd_say(c->err, sizeof c->err, DD_EXIT_FAIL,
						       "%s: cannot record", DD_DAEMON_JSON)
					      : 0;
}

/* The service definitions and their enable links, rendered once per run. */
static int render_units(struct dd_install *c)
{
	const struct dd_units_cfg uc = { DD_BIN_DIR, DD_LOG_DIR };

	if (dd_units_render(c->init, &uc, c->unit, &c->nunits) != 0)
		return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "cannot make the %s service files",
			      dd_init_name(c->init));
	if (dd_units_enable_links(c->init, c->link, &c->nlinks) != 0)
		return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "cannot make the %s enable links",
			      dd_init_name(c->init));
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
			return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "%s: %s", f->path, strerror(errno));
		*changed |= ch;
	}
	/* Enabled by the links systemctl enable, rc-update or update-rc.d would make (and
	 * docker.socket masked): the same for a live system and an image tree, and recorded
	 * so that uninstall removes them. */
	for (unsigned i = 0; i < c->nlinks; i++)
		if (dd_txn_symlink(&c->txn, c->link[i].path, c->link[i].target, &ch) != 0 ||
		    record(c, 'l', c->link[i].path) != 0)
			return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "%s: %s", c->link[i].path,
				      strerror(errno));
	return 0;
}

static int write_group(struct dd_install *c)
{
	unsigned gid;
	int changed, rc;

	/* The shadow lock file too: a failed install leaves no new file at all. */
	if (dd_txn_snap(&c->txn, "/etc/.pwd.lock") != 0 || dd_txn_snap(&c->txn, "/etc/group") != 0 ||
	    dd_txn_snap(&c->txn, "/etc/gshadow") != 0)
		return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "/etc/group: %s", strerror(errno));
	if ((rc = dd_group_ensure("docker", &gid, &changed, c->err, sizeof c->err)))
		return rc;
	snprintf(c->now.group, sizeof c->now.group, "docker");
	c->now.gid = gid;
	c->now.group_created = changed || (c->old.group[0] && c->old.group_created);
	if (changed)
		c->txn.changes++;
	return 0;
}

static const char *bundle_host(const struct dd_install *c, char *buf, size_t cap)
{
	if (c->o.nsans)
		return c->o.sans[0];
	if (gethostname(buf, cap - 1) != 0 || !buf[0])
		return "localhost";
	buf[cap - 1] = 0;
	return buf;
}

static int write_client_env(struct dd_install *c)
{
	char env[1024], host[256];
	size_t n = dd_client_env(bundle_host(c, host, sizeof host), c->o.port, DD_CLIENT_DIR, env,
				 sizeof env);
	int ch;

	if (n == 0 || dd_txn_write(&c->txn, DD_CLIENT_DIR "/docker.env", env, n, 0644, &ch) != 0 ||
	    record(c, 'f', DD_CLIENT_DIR "/docker.env") != 0)
		return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "%s/docker.env: %s", DD_CLIENT_DIR,
			      strerror(errno));
	return 0;
}

static void record_keep(struct dd_install *c)
{
	static const char *const keep[] = { DD_CA_DIR "/ca.pem", DD_CA_DIR "/ca-key.pem",
					    DD_TLS_DIR "/ca.pem", DD_TLS_DIR "/server-cert.pem",
					    DD_TLS_DIR "/server-key.pem", DD_CLIENT_DIR "/ca.pem",
					    DD_CLIENT_DIR "/cert.pem", DD_CLIENT_DIR "/key.pem" };

	for (unsigned i = 0; i < sizeof keep / sizeof keep[0]; i++)
		if (c->client || strncmp(keep[i], DD_CLIENT_DIR "/", sizeof DD_CLIENT_DIR) != 0)
			record(c, 'k', keep[i]);
}

static void copy_options(struct dd_install *c)
{
	const struct dd_install_opts *o = &c->o;
	struct dd_state *s = &c->now;

	s->port = o->port;
	s->tcp = !o->no_tcp;
	snprintf(s->init, sizeof s->init, "%s", dd_init_name(c->init));
	snprintf(s->key_type, sizeof s->key_type, "%s", o->key_type);
	if (o->certs)
		snprintf(s->certs, sizeof s->certs, "%s", o->certs);
	s->nsans = s->nopts = 0;
	for (unsigned i = 0; i < o->nsans; i++)
		snprintf(s->sans[s->nsans++], sizeof s->sans[0], "%s", o->sans[i]);
	for (unsigned i = 0; i < o->nopts; i++)
		snprintf(s->opts[s->nopts++], sizeof s->opts[0], "%s", o->daemon_opts[i]);
}

/* The engine line, and the previous engines kept for --rollback (the one replaced first). */
static void engine_lines(struct dd_install *c)
{
	struct dd_state *s = &c->now;
	char hex[65];

	dd_hex(c->blob->sha256, 32, hex);
	snprintf(s->engine.version, sizeof s->engine.version, "%s", c->blob->version);
	memcpy(s->engine.sha, hex, 65);
	snprintf(s->engine.dir, sizeof s->engine.dir, "%s", c->name);
	s->nprev = 0;
	if (c->old.engine.dir[0] && strcmp(c->old.engine.dir, c->name) != 0)
		s->previous[s->nprev++] = c->old.engine;
	for (unsigned i = 0; i < c->old.nprev && s->nprev < DD_STATE_PREV; i++)
		if (strcmp(c->old.previous[i].dir, c->name) != 0)
			s->previous[s->nprev++] = c->old.previous[i];
}

/* Files and links an earlier install wrote that this one does not (another --init, an
 * engine without some program): removed when still as written, else kept and named. */
static int drop_stale(struct dd_install *c)
{
	for (unsigned i = 0; i < c->old.n; i++) {
		const struct dd_state_ent *e = &c->old.ent[i];
		char m[DD_PATH_MAX], cur[DD_PATH_MAX], hex[65];
		unsigned char d[32];
		ssize_t k;

		if ((e->kind != 'f' && e->kind != 'l') || dd_state_find(&c->now, e->path) ||
		    dd_root_path(m, sizeof m, e->path) != 0)
			continue;
		if (e->kind == 'l') {
			if ((k = readlink(m, cur, sizeof cur - 1)) < 0 ||
			    (cur[k] = 0, strcmp(cur, e->target) != 0))
				continue;
		} else if (dd_sha256_file(m, d) != 0 || (dd_hex(d, 32, hex), strcmp(hex, e->sha) != 0)) {
			if (access(m, F_OK) == 0)
				dd_warn("%s is no longer dockdrop's but was changed: kept", e->path);
			continue;
		}
		if (dd_txn_unlink(&c->txn, e->path) != 0)
			return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "%s: %s", e->path, strerror(errno));
	}
	return 0;
}

/* Record the ancestors of abs that do not exist yet: directories this install will make. */
static void plan_dirs(struct dd_install *c, const char *abs)
{
	char p[DD_PATH_MAX], m[DD_PATH_MAX];
	struct stat st;

	snprintf(p, sizeof p, "%s", abs);
	for (char *s = p + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		if (dd_root_path(m, sizeof m, p) == 0 && lstat(m, &st) != 0)
			dd_state_add(&c->now, 'd', p, 0, NULL, NULL);
		*s = '/';
	}
}

/* Every directory a first install makes, known before it makes any, so that a run
 * killed half-way still leaves them all on record. */
static void plan_all_dirs(struct dd_install *c)
{
	static const char *const files[] = { DD_BIN_DIR "/docker", DD_CA_DIR "/ca.pem",
					     DD_TLS_DIR "/ca.pem", DD_CLIENT_DIR "/ca.pem",
					     DD_DAEMON_JSON, DD_STATE_FILE, DD_LOG_DIR "/x" };
	char engine[DD_PATH_MAX];

	snprintf(engine, sizeof engine, "%s/%s/x", DD_ENGINE_DIR, c->name);
	plan_dirs(c, engine);
	for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++)
		if (c->init != DD_INIT_SYSTEMD || strcmp(files[i], DD_LOG_DIR "/x"))
			plan_dirs(c, files[i]);
	for (unsigned i = 0; i < c->nunits; i++)
		plan_dirs(c, c->unit[i].path);
	for (unsigned i = 0; i < c->nlinks; i++)
		plan_dirs(c, c->link[i].path);
}

/* Before the first change of a first install, the facts that a killed run would lose are
 * written down: a provisional record saying whether the docker group was there, and the
 * user's own daemon.json (kept in DD_DAEMON_JSON_ORIG for uninstall; its 'conf' entry,
 * with an all-zero digest until the real one is known, says the original was taken). A
 * re-run after a kill reads them as the old record and completes the job. */
static int write_provisional(struct dd_install *c)
{
	static const char zero[] = "0000000000000000000000000000000000000000000000000000000000000000";
	unsigned gid = 0;
	int ch, rc;

	memset(&c->now, 0, sizeof c->now);
	engine_lines(c);
	copy_options(c);
	plan_all_dirs(c);
	snprintf(c->now.group, sizeof c->now.group, "docker");
	c->now.group_created = dd_group_lookup("docker", &gid) != 0;
	c->now.gid = gid;
	if (c->daemon_json_old_len >= 0 &&
	    (dd_txn_write(&c->txn, DD_DAEMON_JSON_ORIG, c->daemon_json_old,
			  (size_t)c->daemon_json_old_len, 0644, &ch) != 0 ||
	     record(c, 'f', DD_DAEMON_JSON_ORIG) != 0))
		return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "%s: %s", DD_DAEMON_JSON_ORIG,
			      strerror(errno));
	dd_state_add(&c->now, 'c', DD_DAEMON_JSON, 0644, zero, NULL);
	if ((rc = write_state(c)))
		return rc;
	c->old = c->now;
	memset(&c->now, 0, sizeof c->now);
	return 0;
}

static int activate_engine(struct dd_install *c)
{
	char bins[DD_ENGINE_BINS][64], abs[DD_PATH_MAX];
	unsigned nb;
	int rc, ch;

	if ((rc = dd_engine_activate(&c->txn, c->name, c->o.force, bins, &nb, &ch, c->err, sizeof c->err)))
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

	c->restart = 0;
	if (!c->old.engine.dir[0] && (rc = write_provisional(c)))
		return rc;
	if ((rc = dd_engine_unpack(&c->txn, &c->pl, c->blob, c->name, &ch, c->err, sizeof c->err)))
		return rc;
	STEP(ch ? "engine %s verified and unpacked into %s/%s" : "engine %s already in %s/%s",
	     c->blob->version, DD_ENGINE_DIR, c->name);
	if ((rc = activate_engine(c)))
		return rc;
	engine_lines(c);
	if ((rc = write_group(c)))
		return rc;
	c->want.byo = c->o.certs;
	if ((rc = dd_certs_ensure(&c->txn, &c->want, &certs_ch, &c->client, c->err, sizeof c->err)))
		return rc;
	c->restart |= certs_ch;
	record_keep(c);
	STEP(certs_ch ? "certificates issued (%s)" : "certificates already in place (%s)",
	     c->o.certs ? "from --certs" : c->o.key_type);
	if ((rc = write_daemon_json(c, &ch)))
		return rc;
	c->restart |= ch;
	if (c->client && (rc = write_client_env(c)))
		return rc;
	if ((rc = write_units(c, &ch)))
		return rc;
	c->restart |= ch;
	if (c->init != DD_INIT_SYSTEMD && dd_txn_mkdir(&c->txn, DD_LOG_DIR, 0755) != 0)
		return dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "%s: %s", DD_LOG_DIR, strerror(errno));
	copy_options(c);
	if ((rc = drop_stale(c)))
		return rc;
	return write_state(c);
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

static void print_plan(const struct dd_install *c)
{
	const struct dd_install_opts *o = &c->o;

	printf("plan (nothing is changed with --dry-run):\n");
	printf("  engine %s -> %s/%s, links in %s\n", c->blob->version, DD_ENGINE_DIR, c->name, DD_BIN_DIR);
	printf("  group docker in /etc/group and /etc/gshadow\n");
	printf("  certificates: %s\n", o->certs ? o->certs : "CA in " DD_CA_DIR ", server in " DD_TLS_DIR
							  ", client in " DD_CLIENT_DIR);
	printf("  %s: %s\n", DD_DAEMON_JSON,
	       o->no_tcp ? "unix socket only" : "unix socket and tcp://0.0.0.0 with tlsverify");
	if (!o->no_tcp)
		printf("  TLS port %u\n", o->port);
	printf("  services: %s%s\n", dd_init_name(c->init), o->root ? " (enabled in the image; nothing started)" : "");
	printf("  record: %s\n", DD_STATE_FILE);
}

static void print_json(const struct dd_install *c, const char *result)
{
	cJSON *j = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(j, "engine");
	char dir[DD_PATH_MAX];

	snprintf(dir, sizeof dir, "%s/%s", DD_ENGINE_DIR, c->now.engine.dir);
	cJSON_AddStringToObject(j, "result", result);
	cJSON_AddStringToObject(e, "version", c->now.engine.version);
	cJSON_AddStringToObject(e, "sha256", c->now.engine.sha);
	cJSON_AddStringToObject(e, "dir", dir);
	cJSON_AddStringToObject(j, "init", dd_init_name(c->init));
	cJSON_AddBoolToObject(j, "tcp", !c->o.no_tcp);
	cJSON_AddNumberToObject(j, "port", (double)c->o.port);
	cJSON_AddStringToObject(j, "server_version", c->version);
	cJSON_AddStringToObject(j, "client_dir", DD_CLIENT_DIR);
	cJSON_AddStringToObject(j, "root", dd_root());
	if (dd_json_print(j) != 0)
		dd_warn("out of memory printing the result");
}

static int preflight(struct dd_install *c)
{
	const struct dd_preflight_in in = { c->blob->arch, c->blob->len * 3, c->o.force,
					    c->o.root != NULL, 0 };
	struct dd_preflight pf;
	int rc = dd_preflight_run(&in, &pf);

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

/* Everything before the first change: the input, the payload, the record, preflight. */
static int prepare(struct dd_install *c)
{
	int rc;

	c->pl.fd = -1;
	if ((rc = check_input(c)))
		return rc;
	if ((rc = dd_payload_open_cmd(&c->pl, NULL, "install")))
		return rc;
	if (!(c->blob = pick_engine(&c->pl, c->o.engine)))
		return dd_fail(c->o.engine ? DD_EXIT_USAGE : DD_EXIT_FAIL, "install: %s",
			       c->o.engine ? "--engine: no such engine in this dockdrop (see dockdrop list)"
					   : "this dockdrop carries no engine");
	dd_engine_name(c->blob, c->name, sizeof c->name);
	if ((rc = dd_state_load(&c->old, c->err, sizeof c->err)) > 0)
		return dd_fail(rc, "install: %s", c->err);
	if ((rc = preflight(c)))
		return rc;
	dd_certs_sans(&c->want, c->o.root != NULL, c->o.sans, c->o.nsans);
	if ((rc = render_units(c)))
		return dd_fail(rc, "install: %s", c->err);
	return 0;
}

/* Step 6 and the last word. */
static int finish(struct dd_install *c)
{
	const struct dd_prove_req r = { c->init, c->restart, c->o.no_tcp ? 0 : c->o.port, c->client,
					c->o.json };
	char log[2048];
	int changed, rc;

	if (c->o.root) {
		STEP("installed into %s (%s services enabled; nothing started)", dd_root(), dd_init_name(c->init));
		if (c->o.json)
			print_json(c, c->txn.changes ? "installed" : "unchanged");
		return 0;
	}
	changed = c->txn.changes != 0 || !same_options(c);
	if ((rc = dd_prove_up(&r, c->version, sizeof c->version, log, sizeof log, c->err, sizeof c->err))) {
		dd_prove_report("install", c->err, log);
		return DD_EXIT_FAIL;
	}
	if (c->o.json)
		print_json(c, changed ? "installed" : "unchanged");
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
	int rc = prepare(c);

	if (rc || c->o.dry_run) {
		if (!rc)
			print_plan(c);
		dd_payload_close(&c->pl);
		return rc;
	}
	if ((rc = lock_and_sweep())) {
		dd_payload_close(&c->pl);
		return rc;
	}
	rc = apply(c);
	dd_payload_close(&c->pl);
	if (rc) {
		dd_txn_rollback(&c->txn);
		return dd_fail(rc, "install: %s; nothing was changed", c->err);
	}
	dd_txn_done(&c->txn);
	return finish(c);
}

int dd_install_rollback(struct dd_install *c)
{
	char bins[DD_ENGINE_BINS][64], log[2048];
	struct dd_prove_req r = { 0 };
	unsigned nb;
	int rc, ch;

	if ((rc = check_input(c)))
		return rc;
	if ((rc = dd_state_load(&c->old, c->err, sizeof c->err)))
		return dd_fail(DD_EXIT_FAIL, "install --rollback: %s", rc == DD_STATE_NONE ? "dockdrop has not installed anything here" : c->err);
	if (c->old.nprev == 0 || !dd_engine_complete(c->old.previous[0].dir))
		return dd_fail(DD_EXIT_FAIL, "install --rollback: no previous engine to go back to");
	if ((rc = lock_and_sweep()))
		return rc;
	c->now = c->old;
	c->now.engine = c->old.previous[0];
	c->now.previous[0] = c->old.engine;
	if ((rc = dd_engine_activate(&c->txn, c->now.engine.dir, 0, bins, &nb, &ch, c->err, sizeof c->err)) ||
	    (record(c, 'l', DD_ENGINE_CURRENT) != 0 &&
	     (rc = dd_say(c->err, sizeof c->err, DD_EXIT_FAIL, "%s: cannot record", DD_ENGINE_CURRENT))) ||
	    (rc = write_state(c))) {
		dd_txn_rollback(&c->txn);
		return dd_fail(rc, "install --rollback: %s; nothing was changed", c->err);
	}
	dd_txn_done(&c->txn);
	if (c->o.root) {
		dd_info("engine %s is current again in %s", c->now.engine.version, dd_root());
		return 0;
	}
	r.init = dd_init_from_name(c->old.init);
	r.changed = 1;
	r.port = c->old.tcp ? c->old.port : 0;
	r.client = 1;
	if ((rc = dd_prove_up(&r, c->version, sizeof c->version, log, sizeof log, c->err, sizeof c->err))) {
		dd_prove_report("install --rollback", c->err, log);
		return DD_EXIT_FAIL;
	}
	dd_info("rolled back to engine %s", c->now.engine.version);
	return 0;
}
