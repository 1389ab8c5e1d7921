/* dockdrop install: DESIGN.md "Data flow of install". Every input is checked before
 * anything changes (exit 2); the payload is verified as it is unpacked (exit 3); all
 * changes run in one transaction (host/txn.h) that a failure rolls back; the services are
 * started only when something changed or they are down; and the result is proven over the
 * socket and over mutual TLS before the state record says "installed". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/payload.h"
#include "cmd/cmd.h"
#include "host/certs.h"
#include "host/clientbundle.h"
#include "host/daemonjson.h"
#include "host/engine.h"
#include "host/group.h"
#include "host/paths.h"
#include "host/preflight.h"
#include "host/prove.h"
#include "host/service.h"
#include "host/state.h"
#include "host/txn.h"
#include "host/units.h"
#include "pki/ca.h"
#include "util/io.h"
#include "util/jsonout.h"
#include "util/log.h"
#include "util/rootpath.h"
#include "util/sha256.h"

struct opts {
	struct dd_list sans, daemon_opts;
	unsigned long port;
	const char *root, *init, *engine, *key_type, *certs;
	int no_tcp, dry_run, force, json, rollback;
};

static struct dd_txn txn;
static struct dd_state old, now;
static struct dd_payload pl;
static struct dd_certs_want want;

/* --- checking the input: nothing has changed yet --------------------------------------- */

static int plan_daemon_json(const struct opts *o);

static int check_input(struct opts *o, int *byo_client)
{
	char err[512];
	struct pki_san s;
	int rc;

	*byo_client = 0;
	if (o->root && dd_root_set(o->root) != 0)
		return dd_fail(DD_EXIT_USAGE, "install: --root %s: %s", o->root, strerror(errno));
	if (o->no_tcp && (o->sans.n || o->port != 2376))
		return dd_fail(DD_EXIT_USAGE, "install: --no-tcp leaves no TLS port: drop --tls-san and --port");
	if (o->rollback && (o->sans.n || o->daemon_opts.n || o->certs || o->engine || o->port != 2376 ||
			    o->no_tcp || strcmp(o->init, "auto") || strcmp(o->key_type, "ecdsa-p256")))
		return dd_fail(DD_EXIT_USAGE, "install: --rollback takes no settings but --root");
	for (unsigned i = 0; i < o->sans.n; i++)
		if (pki_san_parse(o->sans.v[i], &s) != 0)
			return dd_fail(DD_EXIT_USAGE, "install: --tls-san %s: not a DNS name or an IP address",
				       o->sans.v[i]);
	for (unsigned i = 0; i < o->daemon_opts.n; i++)
		if (dd_daemonjson_check_opt(o->daemon_opts.v[i], err, sizeof err))
			return dd_fail(DD_EXIT_USAGE, "install: %s", err);
	want.kt = (enum pki_ktype)pki_ktype_parse(o->key_type);
	if (o->certs && (rc = dd_certs_byo_check(o->certs, byo_client, err, sizeof err)))
		return dd_fail(rc, "install: --certs: %s", err);
	return o->rollback ? 0 : plan_daemon_json(o);
}

/* The engine blob to install: --engine VERSION, or the first. */
static const struct dd_blob *pick_engine(const char *version)
{
	for (unsigned i = 0; i < pl.m.nblobs; i++) {
		const struct dd_blob *b = &pl.m.blob[i];

		if (!strcmp(b->kind, "engine") && (!version || !strcmp(b->version, version)))
			return b;
	}
	return NULL;
}

/* --- the record ------------------------------------------------------------------------- */

static int record(char kind, const char *abs)
{
	return dd_state_record(&now, kind, abs);
}

/* Directories dockdrop made, in this run (the transaction saw them absent) or an earlier
 * one (the old record), outermost first, so uninstall can remove them innermost first
 * when they are empty. */
static int record_dirs(void)
{
	size_t skip = strlen(dd_root());
	struct stat st;

	if (dd_txn_mkdir(&txn, DD_STATE_DIR, 0755) != 0)
		return -1;
	for (unsigned i = 0; i < old.n; i++)
		if (old.ent[i].kind == 'd')
			dd_state_record(&now, 'd', old.ent[i].path);
	for (unsigned i = 0; i < txn.n; i++)
		if (txn.e[i].was == DD_TXN_ABSENT && lstat(txn.e[i].path, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			dd_state_record(&now, 'd', txn.e[i].path + skip);
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

#define STEP(...)                                   \
	do {                                        \
		if (!o->json)                       \
			dd_info(__VA_ARGS__);       \
	} while (0)

/* The merged daemon.json, made before anything changes: a file the user broke is bad
 * input (exit 2), found while the machine is still untouched. */
static char *daemon_json;
static char daemon_json_old[DD_DAEMONJSON_MAX + 1];
static long daemon_json_old_len = -1;

static int plan_daemon_json(const struct opts *o)
{
	char *buf = daemon_json_old;
	const struct dd_daemon_cfg c = { !o->no_tcp, (unsigned)o->port, DD_TLS_DIR,
					 o->daemon_opts.v, o->daemon_opts.n };
	char m[DD_PATH_MAX], warn[512] = "", err[512];
	long n;
	int rc;

	if (dd_root_path(m, sizeof m, DD_DAEMON_JSON) != 0)
		return dd_fail(DD_EXIT_USAGE, "install: %s: %s", DD_DAEMON_JSON, strerror(errno));
	n = daemon_json_old_len = dd_read_small_file(m, buf, sizeof daemon_json_old);
	if (n < 0 && errno != ENOENT)
		return dd_fail(errno == EFBIG ? DD_EXIT_USAGE : DD_EXIT_FAIL, "install: %s: %s", m,
			       strerror(errno));
	if ((rc = dd_daemonjson_merge(n < 0 ? NULL : buf, n < 0 ? 0 : (size_t)n, &c, &daemon_json,
				      warn, sizeof warn, err, sizeof err)))
		return dd_fail(rc, "install: %s", err);
	if (warn[0])
		dd_warn("%s", warn);
	return 0;
}

static int write_daemon_json(int *changed, char *err, size_t errsz)
{
	if (dd_state_find(&old, DD_DAEMON_JSON_ORIG) && record('f', DD_DAEMON_JSON_ORIG) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: cannot record", DD_DAEMON_JSON_ORIG);
	if (dd_txn_write(&txn, DD_DAEMON_JSON, daemon_json, strlen(daemon_json), 0644, changed) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", DD_DAEMON_JSON, strerror(errno));
	return record('c', DD_DAEMON_JSON) ? dd_say(err, errsz, DD_EXIT_FAIL, "%s: cannot record", DD_DAEMON_JSON) : 0;
}

static int write_units(enum dd_init init, int *changed, char *err, size_t errsz)
{
	static struct dd_unit_file f[DD_UNITS_MAX];
	struct dd_unit_link l[DD_UNIT_LINKS_MAX];
	const struct dd_units_cfg c = { DD_BIN_DIR, DD_LOG_DIR };
	unsigned n = 0, nl = 0;
	int ch;

	*changed = 0;
	if (dd_units_render(init, &c, f, &n) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot make the %s service files", dd_init_name(init));
	for (unsigned i = 0; i < n; i++) {
		if (dd_txn_write(&txn, f[i].path, f[i].text, f[i].len, f[i].mode, &ch) != 0 ||
		    record('f', f[i].path) != 0)
			return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", f[i].path, strerror(errno));
		*changed |= ch;
	}
	/* Enabled by the links systemctl enable, rc-update or update-rc.d would make (and
	 * docker.socket masked): the same for a live system and an image tree, and recorded
	 * so that uninstall removes them. */
	if (dd_units_enable_links(init, l, &nl) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot make the %s enable links", dd_init_name(init));
	for (unsigned i = 0; i < nl; i++)
		if (dd_txn_symlink(&txn, l[i].path, l[i].target, &ch) != 0 ||
		    record('l', l[i].path) != 0)
			return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", l[i].path, strerror(errno));
	return 0;
}

static int write_group(char *err, size_t errsz)
{
	unsigned gid;
	int changed, rc;

	/* The shadow lock file too: a failed install leaves no new file at all. */
	if (dd_txn_snap(&txn, "/etc/.pwd.lock") != 0 || dd_txn_snap(&txn, "/etc/group") != 0 ||
	    dd_txn_snap(&txn, "/etc/gshadow") != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "/etc/group: %s", strerror(errno));
	if ((rc = dd_group_ensure("docker", &gid, &changed, err, errsz)))
		return rc;
	snprintf(now.group, sizeof now.group, "docker");
	now.gid = gid;
	now.group_created = changed || (old.group[0] && old.group_created);
	if (changed)
		txn.changes++;
	return 0;
}

static const char *bundle_host(const struct opts *o, char *buf, size_t cap)
{
	if (o->sans.n)
		return o->sans.v[0];
	if (gethostname(buf, cap - 1) != 0 || !buf[0])
		return "localhost";
	buf[cap - 1] = 0;
	return buf;
}

static int write_client_env(const struct opts *o, char *err, size_t errsz)
{
	char env[1024], host[256];
	size_t n = dd_client_env(bundle_host(o, host, sizeof host), (unsigned)o->port, DD_CLIENT_DIR,
				 env, sizeof env);
	int ch;

	if (n == 0 || dd_txn_write(&txn, DD_CLIENT_DIR "/docker.env", env, n, 0644, &ch) != 0 ||
	    record('f', DD_CLIENT_DIR "/docker.env") != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s/docker.env: %s", DD_CLIENT_DIR, strerror(errno));
	return 0;
}

static void record_keep(int client)
{
	static const char *const keep[] = { DD_CA_DIR "/ca.pem", DD_CA_DIR "/ca-key.pem",
					    DD_TLS_DIR "/ca.pem", DD_TLS_DIR "/server-cert.pem",
					    DD_TLS_DIR "/server-key.pem", DD_CLIENT_DIR "/ca.pem",
					    DD_CLIENT_DIR "/cert.pem", DD_CLIENT_DIR "/key.pem" };

	for (unsigned i = 0; i < sizeof keep / sizeof keep[0]; i++)
		if (client || strncmp(keep[i], DD_CLIENT_DIR "/", sizeof DD_CLIENT_DIR) != 0)
			record('k', keep[i]);
}

static void copy_options(const struct opts *o, enum dd_init init)
{
	now.port = (unsigned)o->port;
	now.tcp = !o->no_tcp;
	snprintf(now.init, sizeof now.init, "%s", dd_init_name(init));
	snprintf(now.key_type, sizeof now.key_type, "%s", o->key_type);
	if (o->certs)
		snprintf(now.certs, sizeof now.certs, "%s", o->certs);
	for (unsigned i = 0; i < o->sans.n; i++)
		snprintf(now.sans[now.nsans++], sizeof now.sans[0], "%s", o->sans.v[i]);
	for (unsigned i = 0; i < o->daemon_opts.n; i++)
		snprintf(now.opts[now.nopts++], sizeof now.opts[0], "%s", o->daemon_opts.v[i]);
}

/* The engine line, and the previous engines kept for --rollback (the one replaced first). */
static void engine_lines(const struct dd_blob *b, const char *name)
{
	char hex[65];

	dd_hex(b->sha256, 32, hex);
	snprintf(now.engine.version, sizeof now.engine.version, "%s", b->version);
	memcpy(now.engine.sha, hex, 65);
	snprintf(now.engine.dir, sizeof now.engine.dir, "%s", name);
	if (old.engine.dir[0] && strcmp(old.engine.dir, name) != 0)
		now.previous[now.nprev++] = old.engine;
	for (unsigned i = 0; i < old.nprev && now.nprev < DD_STATE_PREV; i++)
		if (strcmp(old.previous[i].dir, name) != 0)
			now.previous[now.nprev++] = old.previous[i];
}

/* Files and links an earlier install wrote that this one does not (another --init, an
 * engine without some program): removed when still as written, else kept and named. */
static int drop_stale(char *err, size_t errsz)
{
	for (unsigned i = 0; i < old.n; i++) {
		const struct dd_state_ent *e = &old.ent[i];
		char m[DD_PATH_MAX], cur[DD_PATH_MAX], hex[65];
		unsigned char d[32];
		ssize_t k;

		if ((e->kind != 'f' && e->kind != 'l') || dd_state_find(&now, e->path) ||
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
		if (dd_txn_unlink(&txn, e->path) != 0)
			return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", e->path, strerror(errno));
	}
	return 0;
}

static int write_state(char *err, size_t errsz)
{
	static char text[DD_STATE_MAX];
	size_t n;
	int ch;

	if (record_dirs() != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", DD_STATE_DIR, strerror(errno));
	if (!(n = dd_state_format(&now, text, sizeof text)))
		return dd_say(err, errsz, DD_EXIT_FAIL, "the state record does not fit");
	if (dd_txn_write(&txn, DD_STATE_FILE, text, n, 0644, &ch) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", DD_STATE_FILE, strerror(errno));
	return 0;
}

/* Record the ancestors of abs that do not exist yet: directories this install will make. */
static void plan_dirs(const char *abs)
{
	char p[DD_PATH_MAX], m[DD_PATH_MAX];
	struct stat st;

	snprintf(p, sizeof p, "%s", abs);
	for (char *c = p + 1; (c = strchr(c, '/')); c++) {
		*c = 0;
		if (dd_root_path(m, sizeof m, p) == 0 && lstat(m, &st) != 0)
			dd_state_add(&now, 'd', p, 0, NULL, NULL);
		*c = '/';
	}
}

/* Every directory a first install makes, known before it makes any, so that a run
 * killed half-way still leaves them all on record. */
static void plan_all_dirs(enum dd_init init, const char *name)
{
	static struct dd_unit_file f[DD_UNITS_MAX];
	struct dd_unit_link l[DD_UNIT_LINKS_MAX];
	const struct dd_units_cfg c = { DD_BIN_DIR, DD_LOG_DIR };
	static const char *const files[] = { DD_BIN_DIR "/docker", DD_CA_DIR "/ca.pem",
					     DD_TLS_DIR "/ca.pem", DD_CLIENT_DIR "/ca.pem",
					     DD_DAEMON_JSON, DD_STATE_FILE, DD_LOG_DIR "/x" };
	char engine[DD_PATH_MAX];
	unsigned n = 0;

	snprintf(engine, sizeof engine, "%s/%s/x", DD_ENGINE_DIR, name);
	plan_dirs(engine);
	for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++)
		if (init != DD_INIT_SYSTEMD || strcmp(files[i], DD_LOG_DIR "/x"))
			plan_dirs(files[i]);
	if (dd_units_render(init, &c, f, &n) == 0)
		for (unsigned i = 0; i < n; i++)
			plan_dirs(f[i].path);
	if (dd_units_enable_links(init, l, &n) == 0)
		for (unsigned i = 0; i < n; i++)
			plan_dirs(l[i].path);
}

/* Before the first change of a first install, the facts that a killed run would lose are
 * written down: a provisional record saying whether the docker group was there, and the
 * user's own daemon.json (kept in DD_DAEMON_JSON_ORIG for uninstall; its 'conf' entry,
 * with an all-zero digest until the real one is known, says the original was taken). A
 * re-run after a kill reads them as the old record and completes the job. */
static int write_provisional(const struct opts *o, const struct dd_blob *b, enum dd_init init,
			     const char *name, char *err, size_t errsz)
{
	static const char zero[] = "0000000000000000000000000000000000000000000000000000000000000000";
	unsigned gid = 0;
	int ch, rc;

	memset(&now, 0, sizeof now);
	engine_lines(b, name);
	copy_options(o, init);
	plan_all_dirs(init, name);
	snprintf(now.group, sizeof now.group, "docker");
	now.group_created = dd_group_lookup("docker", &gid) != 0;
	now.gid = gid;
	if (daemon_json_old_len >= 0 &&
	    (dd_txn_write(&txn, DD_DAEMON_JSON_ORIG, daemon_json_old, (size_t)daemon_json_old_len,
			  0644, &ch) != 0 || record('f', DD_DAEMON_JSON_ORIG) != 0))
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", DD_DAEMON_JSON_ORIG, strerror(errno));
	dd_state_add(&now, 'c', DD_DAEMON_JSON, 0644, zero, NULL);
	if ((rc = write_state(err, errsz)))
		return rc;
	old = now;
	memset(&now, 0, sizeof now);
	return 0;
}

/* Steps 3 to 5 and 7: everything that writes. */
static int apply(const struct opts *o, const struct dd_blob *b, enum dd_init init, int *restart,
		 int *client, char *err, size_t errsz)
{
	char name[128], bins[DD_ENGINE_BINS][64], abs[DD_PATH_MAX];
	unsigned nb;
	int rc, ch, certs_ch;

	*restart = 0;
	dd_engine_name(b, name, sizeof name);
	if (!old.engine.dir[0] && (rc = write_provisional(o, b, init, name, err, errsz)))
		return rc;
	if ((rc = dd_engine_unpack(&txn, &pl, b, name, &ch, err, errsz)))
		return rc;
	STEP(ch ? "engine %s verified and unpacked into %s/%s" : "engine %s already in %s/%s",
	     b->version, DD_ENGINE_DIR, name);
	if ((rc = dd_engine_activate(&txn, name, o->force, bins, &nb, &ch, err, errsz)))
		return rc;
	*restart |= ch;
	record('l', DD_ENGINE_CURRENT);
	for (unsigned i = 0; i < nb; i++) {
		snprintf(abs, sizeof abs, "%s/%s", DD_BIN_DIR, bins[i]);
		record('l', abs);
	}
	engine_lines(b, name);
	if ((rc = write_group(err, errsz)))
		return rc;
	want.byo = o->certs;
	if ((rc = dd_certs_ensure(&txn, &want, &certs_ch, client, err, errsz)))
		return rc;
	*restart |= certs_ch;
	record_keep(*client);
	STEP(certs_ch ? "certificates issued (%s)" : "certificates already in place (%s)",
	     o->certs ? "from --certs" : o->key_type);
	if ((rc = write_daemon_json(&ch, err, errsz)))
		return rc;
	*restart |= ch;
	if (*client && (rc = write_client_env(o, err, errsz)))
		return rc;
	if ((rc = write_units(init, &ch, err, errsz)))
		return rc;
	*restart |= ch;
	if (init != DD_INIT_SYSTEMD && dd_txn_mkdir(&txn, DD_LOG_DIR, 0755) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", DD_LOG_DIR, strerror(errno));
	copy_options(o, init);
	if ((rc = drop_stale(err, errsz)))
		return rc;
	return write_state(err, errsz);
}

/* Step 6: start what changed or is down, then prove it. */
static int start_and_prove(const struct opts *o, enum dd_init init, int restart, int client,
			   char *version, size_t vcap, char *err, size_t errsz)
{
	char tail[2048];
	int rc, running = !strcmp(dd_svc_state(init), "active");

	if (restart || !running) {
		STEP("%s %s (%s)", running ? "restarting" : "starting", "containerd and dockerd",
		     dd_init_name(init));
		if ((rc = dd_svc_start(init, running, err, errsz)))
			goto fail;
	}
	if ((rc = dd_probe_socket(init, 90000, version, vcap, err, errsz)))
		goto fail;
	STEP("dockerd %s answers on %s", version, DD_DOCKER_SOCK);
	if (o->no_tcp)
		return 0;
	if (!client) {
		dd_warn("--certs gave no client certificate (cert.pem, key.pem): the TLS port was not tested");
		return 0;
	}
	if ((rc = dd_probe_tls((unsigned)o->port, version, vcap, err, errsz)))
		goto fail;
	STEP("mTLS verified: https://127.0.0.1:%lu/version answers engine %s", o->port, version);
	return 0;
fail:
	dd_svc_log_tail(init, tail, sizeof tail);
	if (tail[0]) {
		dd_err("install: %s", err);
		fprintf(stderr, "dockdrop: the daemon's log ends with:\n%s%s", tail,
			tail[strlen(tail) - 1] == '\n' ? "" : "\n");
		err[0] = 0;
	}
	return DD_EXIT_FAIL;
}

static int same_options(const struct opts *o, enum dd_init init)
{
	if (old.port != o->port || old.tcp != !o->no_tcp || strcmp(old.init, dd_init_name(init)) ||
	    strcmp(old.key_type, o->key_type) || strcmp(old.certs, o->certs ? o->certs : "") ||
	    old.nsans != o->sans.n || old.nopts != o->daemon_opts.n)
		return 0;
	for (unsigned i = 0; i < o->sans.n; i++)
		if (strcmp(old.sans[i], o->sans.v[i]))
			return 0;
	for (unsigned i = 0; i < o->daemon_opts.n; i++)
		if (strcmp(old.opts[i], o->daemon_opts.v[i]))
			return 0;
	return 1;
}

static void print_plan(const struct opts *o, const struct dd_blob *b, enum dd_init init)
{
	char name[128];

	dd_engine_name(b, name, sizeof name);
	printf("plan (nothing is changed with --dry-run):\n");
	printf("  engine %s -> %s/%s, links in %s\n", b->version, DD_ENGINE_DIR, name, DD_BIN_DIR);
	printf("  group docker in /etc/group and /etc/gshadow\n");
	printf("  certificates: %s\n", o->certs ? o->certs : "CA in " DD_CA_DIR ", server in " DD_TLS_DIR
							  ", client in " DD_CLIENT_DIR);
	printf("  %s: %s\n", DD_DAEMON_JSON,
	       o->no_tcp ? "unix socket only" : "unix socket and tcp://0.0.0.0 with tlsverify");
	if (!o->no_tcp)
		printf("  TLS port %lu\n", o->port);
	printf("  services: %s%s\n", dd_init_name(init), o->root ? " (enabled in the image; nothing started)" : "");
	printf("  record: %s\n", DD_STATE_FILE);
}

static void print_json(const struct opts *o, const char *result, enum dd_init init,
		       const char *version)
{
	char dir[DD_PATH_MAX];
	struct dd_jw w;

	snprintf(dir, sizeof dir, "%s/%s", DD_ENGINE_DIR, now.engine.dir);
	dd_jw_init(&w, stdout);
	dd_jw_object(&w, NULL);
	dd_jw_object(&w, "engine");
	dd_jw_str(&w, "version", now.engine.version);
	dd_jw_str(&w, "sha256", now.engine.sha);
	dd_jw_str(&w, "dir", dir);
	dd_jw_close(&w);
	dd_jw_str(&w, "result", result);
	dd_jw_str(&w, "init", dd_init_name(init));
	dd_jw_bool(&w, "tcp", !o->no_tcp);
	dd_jw_int(&w, "port", (long long)o->port);
	dd_jw_str(&w, "server_version", version);
	dd_jw_str(&w, "client_dir", DD_CLIENT_DIR);
	dd_jw_str(&w, "root", dd_root());
	dd_jw_close(&w);
	if (dd_jw_end(&w) != 0)
		dd_warn("cannot write the result: %s", strerror(errno));
}

static int install(struct opts *o)
{
	char err[1024] = "", version[64] = "";
	struct dd_preflight pf;
	const struct dd_blob *b;
	enum dd_init init;
	int rc, byo_client, restart = 0, client = 0;

	if ((rc = check_input(o, &byo_client)))
		return rc;
	if ((rc = dd_payload_open_cmd(&pl, NULL, "install")))
		return rc;
	if (!(b = pick_engine(o->engine))) {
		dd_payload_close(&pl);
		return dd_fail(o->engine ? DD_EXIT_USAGE : DD_EXIT_FAIL, "install: %s",
			       o->engine ? "--engine: no such engine in this dockdrop (see dockdrop list)"
					 : "this dockdrop carries no engine");
	}
	if ((rc = dd_state_load(&old, err, sizeof err)) > 0) {
		dd_payload_close(&pl);
		return dd_fail(rc, "install: %s", err);
	}
	{
		const struct dd_preflight_in in = { b->arch, b->len * 3, o->force, o->root != NULL, 0 };

		rc = dd_preflight_run(&in, &pf);
		for (unsigned i = 0; i < pf.n; i++)
			if (pf.item[i].level == 1)
				dd_warn("preflight: %s", pf.item[i].msg);
			else if (pf.item[i].level == 2)
				dd_err("install: preflight: %s", pf.item[i].msg);
		if (rc) {
			dd_payload_close(&pl);
			return DD_EXIT_FAIL;
		}
	}
	init = strcmp(o->init, "auto") ? dd_init_from_name(o->init) : pf.init;
	dd_certs_sans(&want, o->root != NULL, o->sans.v, o->sans.n);
	if (o->dry_run) {
		print_plan(o, b, init);
		dd_payload_close(&pl);
		return 0;
	}
	if ((rc = lock_and_sweep())) {
		dd_payload_close(&pl);
		return rc;
	}
	rc = apply(o, b, init, &restart, &client, err, sizeof err);
	dd_payload_close(&pl);
	if (rc) {
		dd_txn_rollback(&txn);
		return dd_fail(rc, "install: %s; nothing was changed", err);
	}
	dd_txn_done(&txn);
	if (o->root) {
		STEP("installed into %s (%s services enabled; nothing started)", dd_root(), dd_init_name(init));
		if (o->json)
			print_json(o, txn.changes ? "installed" : "unchanged", init, "");
		return 0;
	}
	int changed = txn.changes != 0 || !same_options(o, init);

	if ((rc = start_and_prove(o, init, restart, client, version, sizeof version, err, sizeof err))) {
		if (err[0])
			dd_err("install: %s", err);
		return rc;
	}
	if (o->json)
		print_json(o, changed ? "installed" : "unchanged", init, version);
	else if (!changed && !restart)
		dd_info("already installed, nothing to do (engine %s, %s)", now.engine.version, dd_init_name(init));
	else
		dd_info("installed: engine %s; client certificates in %s (dockdrop client-bundle -o FILE packs them)",
			version, DD_CLIENT_DIR);
	return 0;
}

/* install --rollback: the previous engine becomes current again. */
static int rollback(struct opts *o)
{
	char err[1024] = "", bins[DD_ENGINE_BINS][64], version[64];
	enum dd_init init;
	unsigned nb;
	int rc, ch;

	if ((rc = dd_state_load(&old, err, sizeof err)))
		return dd_fail(DD_EXIT_FAIL, "install --rollback: %s", rc == DD_STATE_NONE ? "dockdrop has not installed anything here" : err);
	if (old.nprev == 0 || !dd_engine_complete(old.previous[0].dir))
		return dd_fail(DD_EXIT_FAIL, "install --rollback: no previous engine to go back to");
	if ((rc = lock_and_sweep()))
		return rc;
	now = old;
	now.engine = old.previous[0];
	now.previous[0] = old.engine;
	if ((rc = dd_engine_activate(&txn, now.engine.dir, 0, bins, &nb, &ch, err, sizeof err)) ||
	    (record('l', DD_ENGINE_CURRENT) != 0 &&
	     (rc = dd_say(err, sizeof err, DD_EXIT_FAIL, "%s: cannot record", DD_ENGINE_CURRENT))) ||
	    (rc = write_state(err, sizeof err))) {
		dd_txn_rollback(&txn);
		return dd_fail(rc, "install --rollback: %s; nothing was changed", err);
	}
	dd_txn_done(&txn);
	if (o->root) {
		dd_info("engine %s is current again in %s", now.engine.version, dd_root());
		return 0;
	}
	init = dd_init_from_name(old.init);
	o->port = old.port;
	o->no_tcp = !old.tcp;
	if ((rc = start_and_prove(o, init, 1, 1, version, sizeof version, err, sizeof err))) {
		if (err[0])
			dd_err("install --rollback: %s", err);
		return rc;
	}
	dd_info("rolled back to engine %s", now.engine.version);
	return 0;
}

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	struct opts o = { .port = 2376, .init = "auto", .key_type = "ecdsa-p256" };
	const struct dd_opt opts[] = {
		{ "tls-san", 0, DD_OPT_LIST, &o.sans, "NAME|IP",
		  "add a DNS name or IP address to the server certificate", 0, 0, NULL },
		{ "port", 0, DD_OPT_UINT, &o.port, "N", "TLS port of the daemon (2376)", 1, 65535,
		  NULL },
		{ "no-tcp", 0, DD_OPT_FLAG, &o.no_tcp, NULL, "listen on the unix socket only", 0, 0,
		  NULL },
		{ "root", 0, DD_OPT_STR, &o.root, "DIR",
		  "install into an image tree at DIR; start nothing", 0, 0, NULL },
		{ "init", 0, DD_OPT_CHOICE, &o.init, "SYSTEM",
		  "service manager: auto|systemd|openrc|sysv|none", 0, 0,
		  "auto|systemd|openrc|sysv|none" },
		{ "engine", 0, DD_OPT_STR, &o.engine, "VERSION",
		  "engine version to install when several are embedded", 0, 0, NULL },
		{ "daemon-opt", 0, DD_OPT_LIST, &o.daemon_opts, "KEY=VALUE",
		  "set a daemon.json key (VALUE is JSON)", 0, 0, NULL },
		{ "key-type", 0, DD_OPT_CHOICE, &o.key_type, "TYPE", DD_KEY_TYPES " (ecdsa-p256)", 0,
		  0, DD_KEY_TYPES },
		{ "certs", 0, DD_OPT_STR, &o.certs, "DIR",
		  "use ca.pem, server-cert.pem, server-key.pem (and client cert.pem, key.pem) from DIR",
		  0, 0, NULL },
		{ "dry-run", 0, DD_OPT_FLAG, &o.dry_run, NULL, "print the plan, change nothing", 0, 0,
		  NULL },
		{ "force", 0, DD_OPT_FLAG, &o.force, NULL,
		  "install even over a package-managed docker", 0, 0, NULL },
		{ "rollback", 0, DD_OPT_FLAG, &o.rollback, NULL,
		  "switch back to the previously installed engine", 0, 0, NULL },
		{ "json", 0, DD_OPT_FLAG, &o.json, NULL, "print the result as JSON", 0, 0, NULL },
	};
	struct dd_args args;
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args), byo_client;

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if (!o.rollback)
		return install(&o);
	return (rc = check_input(&o, &byo_client)) ? rc : rollback(&o);
}

const struct dd_cmd dd_cmd_install = {
	"install", "install", "",
	"Install Docker from the embedded engine, with mutual TLS on port 2376.", 0, 0, run, NULL
};
