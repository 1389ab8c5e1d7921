/* dockdrop uninstall: stop the services, then remove exactly what the state record lists,
 * and only while it is as dockdrop left it: a file the user changed since is kept, with a
 * warning. Certificates and the CA are kept (a re-install reuses them and clients keep
 * working) unless --purge, which also removes the daemon's data and the group dockdrop
 * created. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "host/daemonjson.h"
#include "host/group.h"
#include "host/paths.h"
#include "host/root.h"
#include "host/service.h"
#include "host/state.h"
#include "host/txn.h"
#include "util/atomic.h"
#include "util/io.h"
#include "util/log.h"
#include "util/sha256.h"
#include "bundle/format.h"

static struct dd_state st;

/* Remove the tree at absolute path abs (in the root); absent is fine. */
static void rm_tree(const char *abs)
{
	if (dd_root_rmtree(abs) != 0 && errno != ENOENT)
		dd_warn("%s: %s", abs, strerror(errno));
}

/* The file's SHA-256 in hex, or "" when it cannot be read. */
static void sha_of(const char *m, char hex[65])
{
	unsigned char d[32];

	hex[0] = 0;
	if (dd_root_sha256(m, d) == 0)
		dd_hex(d, 32, hex);
}

/* daemon.json as dockdrop left it: back to what it was before the first install (kept in
 * DD_DAEMON_JSON_ORIG), or gone when there was none. Changed by the user since: only
 * dockdrop's keys come out (its TLS files are about to go; dockerd would not start with
 * them named), the user's edits stay. */
static void restore_daemon_json(const char *m, int changed)
{
	static char buf[DD_DAEMONJSON_MAX + 1];
	char err[256];
	char *out = NULL;
	long n;

	if (!changed) {
		n = dd_root_read_small(DD_DAEMON_JSON_ORIG, buf, sizeof buf);
		if (n < 0 ? dd_root_unlink(m) != 0 : dd_root_write_atomic(m, buf, (size_t)n, 0644) != 0)
			dd_warn("%s: %s", m, strerror(errno));
		return;
	}
	n = dd_root_read_small(m, buf, sizeof buf);
	if (n < 0 || dd_daemonjson_unmerge(buf, (size_t)n, &out, err, sizeof err) != 0) {
		dd_warn("%s kept as it is: %s", m, n < 0 ? strerror(errno) : err);
		return;
	}
	if (!out ? dd_root_unlink(m) != 0 : dd_root_write_atomic(m, out, strlen(out), 0644) != 0)
		dd_warn("%s: %s", m, strerror(errno));
	else
		dd_warn("%s was changed since install: dockdrop's keys removed, yours kept", DD_DAEMON_JSON);
	free(out);
}

static void remove_entry(const struct dd_state_ent *e, int purge, unsigned *kept)
{
	const char *m = e->path;
	char hex[65], cur[DD_PATH_MAX];

	switch (e->kind) {
	case 'l':
		if (dd_root_readlink(m, cur, sizeof cur) != 0)
			return;
		if (strcmp(cur, e->target) != 0) {
			dd_warn("%s kept: it now points to %s", e->path, cur);
			++*kept;
		} else if (dd_root_unlink(m) != 0) {
			dd_warn("%s: %s", m, strerror(errno));
		}
		return;
	case 'k':
		if (!purge)
			return;
		/* fall through */
	case 'f':
	case 'c':
		sha_of(m, hex);
		if (!hex[0])
			return;
		if (e->kind == 'c') {
			restore_daemon_json(m, strcmp(hex, e->sha) != 0);
		} else if (strcmp(hex, e->sha) != 0 && !(purge && e->kind == 'k')) {
			dd_warn("%s kept: changed since dockdrop wrote it", e->path);
			++*kept;
		} else if (dd_root_unlink(m) != 0) {
			dd_warn("%s: %s", m, strerror(errno));
		}
		return;
	default:
		return;
	}
}

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	/* The daemon's data, and the trust key dockerd 20.10 writes beside daemon.json. */
	static const char *const purged[] = { DD_DOCKER_DATA, DD_CONTAINERD_DATA, DD_TLS_DIR,
					      DD_ETC_DIR, DD_LOG_DIR, DD_DOCKER_ETC "/key.json" };
	/* Directories containerd makes on its first start: removed only when empty. */
	static const char *const emptied[] = { "/opt/containerd/bin", "/opt/containerd/lib",
					       "/opt/containerd", "/etc/cni/net.d", "/etc/cni" };
	const char *root = NULL;
	int purge = 0;
	const struct dd_opt opts[] = {
		{ "root", 0, DD_OPT_STR, &root, "DIR", "uninstall from the image tree at DIR", 0, 0,
		  NULL },
		{ "purge", 0, DD_OPT_FLAG, &purge, NULL,
		  "also remove /var/lib/docker, /etc/docker/tls and /etc/dockdrop", 0, 0, NULL },
	};
	struct dd_args args;
	char err[512];
	unsigned kept = 0;
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if (root && dd_root_set(root) != 0)
		return dd_fail(DD_EXIT_USAGE, "uninstall: --root %s: %s", root, strerror(errno));
	if ((rc = dd_txn_lock("uninstall")))
		return rc;
	if ((rc = dd_state_load(&st, err, sizeof err)) == DD_STATE_NONE)
		return dd_fail(DD_EXIT_FAIL, "uninstall: dockdrop has not installed anything here (no %s)",
			       DD_STATE_FILE);
	if (rc)
		return dd_fail(rc, "uninstall: %s", err);
	if (!root) {
		enum dd_init init = dd_init_from_name(st.init);

		if ((rc = dd_svc_stop(init, err, sizeof err)))
			return dd_fail(rc, "uninstall: %s; nothing was removed", err);
		dd_info("services stopped (%s)", st.init);
	}
	/* daemon.json first (its original is one of the recorded files), then the other
	 * files and links (newest first), the engines, and empty directories. */
	for (unsigned i = 0; i < st.n; i++)
		if (st.ent[i].kind == 'c')
			remove_entry(&st.ent[i], purge, &kept);
	for (unsigned i = st.n; i-- > 0;)
		if (st.ent[i].kind != 'd' && st.ent[i].kind != 'c')
			remove_entry(&st.ent[i], purge, &kept);
	for (unsigned i = 0; i <= st.nprev; i++) {
		char abs[DD_PATH_MAX];

		snprintf(abs, sizeof abs, "%s/%s", DD_ENGINE_DIR,
			 i ? st.previous[i - 1].dir : st.engine.dir);
		rm_tree(abs);
	}
	if (purge) {
		for (unsigned i = 0; i < sizeof purged / sizeof purged[0]; i++)
			rm_tree(purged[i]);
		for (unsigned i = 0; i < sizeof emptied / sizeof emptied[0]; i++)
			dd_root_rmdir(emptied[i]);
		if (st.group_created && dd_group_remove(st.group, err, sizeof err) != 0)
			dd_warn("group %s kept: %s", st.group, err);
	}
	if (dd_root_unlink(DD_STATE_FILE) != 0 && errno != ENOENT)
		dd_warn("%s: %s", DD_STATE_FILE, strerror(errno));
	for (unsigned i = st.n; i-- > 0;)
		if (st.ent[i].kind == 'd')
			dd_root_rmdir(st.ent[i].path); /* only when empty: what is left there is not ours */
	dd_info("removed dockdrop's engine %s%s%s", st.engine.version,
		purge ? ", its data, certificates and CA" : " (certificates and CA kept; --purge removes them)",
		kept ? "; some changed files were kept" : "");
	return 0;
}

const struct dd_cmd dd_cmd_uninstall = {
	"uninstall", "uninstall", "",
	"Stop the services and remove exactly what dockdrop installed.", 0, 0, run, NULL
};
