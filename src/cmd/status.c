/* dockdrop status: what the state record says is installed, whether the engine's files
 * are still what install unpacked (host/enginesum.h), the service's state, the daemon's
 * own answer on the socket and over mutual TLS, and whether each certificate is whole
 * (its key, its CA) and how long it has left, and which iptables dockerd runs (the host's,
 * or the carried one and its backend). Exit 0 when all is well, 1 when something
 * needs attention. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "host/certs.h"
#include "host/certverify.h"
#include "host/enginesum.h"
#include "host/iptables.h"
#include "host/paths.h"
#include "host/prove.h"
#include "host/record.h"
#include "host/root.h"
#include "host/service.h"
#include "host/state.h"
#include "host/units.h"
#include "util/atomic.h"
#include "util/jsonout.h"
#include "util/log.h"
#include "workload/compose.h"

static struct dd_state st;

/* The Compose project on record and its containers (what they run is the project's
 * business: a stopped one does not make the engine unhealthy). */
static int compose_status(const char *root, struct dd_jw *w)
{
	char name[DD_COMPOSE_NAME_MAX + 1];

	for (unsigned i = 0; !root && i < st.n; i++)
		if (st.ent[i].kind == 'f' && !dd_compose_name_of(st.ent[i].path, name, sizeof name))
			return dd_compose_status(DD_DOCKER_SOCK, name, w);
	return 0;
}

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	const char *root = NULL;
	int json = 0;
	const struct dd_opt opts[] = {
		{ "root", 0, DD_OPT_STR, &root, "DIR", "look at the image tree at DIR", 0, 0, NULL },
		{ "json", 0, DD_OPT_FLAG, &json, NULL, "print the status as JSON", 0, 0, NULL },
	};
	struct dd_cert_status cs[3];
	struct dd_args args;
	char err[512], sock_err[512] = "", tls_err[512] = "", sv[64] = "", tv[64] = "";
	const char *svc = "not started (--root)", *files;
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args), healthy = 1;
	int sock_ok = 0, tls_ok = 0, units_bad;
	char units_first[256], xt_host[DD_PATH_MAX], xt_backend[16];
	int xt_src;
	unsigned n;

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if (root && dd_root_set(root) != 0)
		return dd_fail(DD_EXIT_USAGE, "status: --root %s: %m", root);
	if ((rc = dd_record_read(&st, err, sizeof err)) == DD_STATE_NONE ||
	    (rc == 0 && !dd_record_installed(&st))) {
		if (json)
			printf("{\"installed\":false}\n"); /* a constant: nothing to escape */
		else
			dd_info("not installed (no %s)", DD_STATE_FILE);
		return DD_EXIT_FAIL;
	}
	if (rc)
		return dd_fail(rc, "status: %s", err);
	if (!root) {
		svc = dd_svc_state(dd_init_from_name(st.init));
		sock_ok = dd_probe_socket(dd_init_from_name(st.init), 2000, sv, sizeof sv, sock_err, sizeof sock_err) == 0;
		if (st.tcp)
			tls_ok = dd_probe_tls(st.port, tv, sizeof tv, tls_err, sizeof tls_err) == 0;
		healthy = sock_ok && (!st.tcp || tls_ok);
	}
	{
		int intact = dd_engine_intact(st.engine.dir, st.engine.tree);

		files = intact == 1 ? "intact" : intact == 0 ? "changed" : "unrecorded";
		healthy &= intact != 0;
	}
	xt_src = dd_iptables_in_use(xt_host, sizeof xt_host, xt_backend, sizeof xt_backend);
	units_bad = dd_units_check(dd_init_from_name(st.init), units_first, sizeof units_first);
	n = dd_certs_status(cs);
	dd_certs_verify(cs, n);
	for (unsigned i = 0; i < n; i++)
		if (cs[i].present && cs[i].problem[0])
			healthy = 0;
	if (json) {
		char dir[DD_PATH_MAX];
		struct dd_jw w;

		snprintf(dir, sizeof dir, "%s/%s", DD_ENGINE_DIR, st.engine.dir);
		dd_jw_init(&w, stdout);
		dd_jw_object(&w, NULL);
		dd_jw_object(&w, "engine");
		dd_jw_str(&w, "version", st.engine.version);
		dd_jw_str(&w, "sha256", st.engine.sha);
		dd_jw_str(&w, "dir", dir);
		dd_jw_str(&w, "files", files);
		dd_jw_close(&w);
		dd_jw_array(&w, "previous");
		for (unsigned i = 0; i < st.nprev; i++)
			dd_jw_str(&w, NULL, st.previous[i].version);
		dd_jw_close(&w);
		dd_jw_bool(&w, "installed", 1);
		dd_jw_object(&w, "iptables");
		dd_jw_str(&w, "source", xt_src == 1 ? "host" : xt_src == 0 ? "carried" : "none");
		dd_jw_str(&w, "path", xt_src == 1 ? xt_host : xt_src == 0 ? DD_XT_PATH "/iptables" : "");
		dd_jw_str(&w, "backend", xt_backend);
		dd_jw_close(&w);
		dd_jw_str(&w, "init", st.init);
		dd_jw_str(&w, "service", svc);
		dd_jw_bool(&w, "service_files_as_installed", units_bad == 0);
		dd_jw_bool(&w, "tcp", st.tcp);
		dd_jw_int(&w, "port", st.port);
		dd_jw_object(&w, "socket");
		dd_jw_bool(&w, "ok", sock_ok);
		dd_jw_str(&w, "version", sv);
		dd_jw_close(&w);
		dd_jw_object(&w, "tls");
		dd_jw_bool(&w, "ok", tls_ok);
		dd_jw_str(&w, "version", tv);
		dd_jw_close(&w);
		dd_certs_json(&w, "certificates", cs, n);
		compose_status(root, &w);
		dd_jw_bool(&w, "healthy", healthy);
		dd_jw_close(&w);
		if (dd_jw_end(&w) != 0)
			return dd_fail(DD_EXIT_FAIL, "status: cannot write the result: %m");
		return healthy ? 0 : DD_EXIT_FAIL;
	}
	printf("engine      %s (sha256 %.12s..., %s/%s)\n", st.engine.version, st.engine.sha,
	       DD_ENGINE_DIR, st.engine.dir);
	printf("files       %s\n", !strcmp(files, "intact") ? "as unpacked"
				 : !strcmp(files, "changed") ? "CHANGED since install: dockdrop install unpacks them again"
							     : "no digest on record: dockdrop install records one");
	for (unsigned i = 0; i < st.nprev; i++)
		printf("previous    %s (install --rollback returns to it)\n", st.previous[i].version);
	printf("service     %s (%s)\n", svc, st.init);
	if (xt_src == 1)
		printf("iptables    %s (the host's)\n", xt_host);
	else if (xt_src == 0)
		printf("iptables    carried, %s backend (%s)\n", xt_backend, DD_XT_PATH);
	else
		printf("iptables    none: dockerd cannot set up bridge networking\n");
	if (units_bad > 0)
		dd_warn("%s differs from what dockdrop writes (install puts it back)", units_first);
	if (!root) {
		printf("socket      %s\n", sock_ok ? sv : sock_err);
		if (st.tcp)
			printf("tls :%-5u  %s\n", st.port, tls_ok ? "mutual TLS verified" : tls_err);
	}
	for (unsigned i = 0; i < n; i++) {
		if (!cs[i].present)
			continue;
		printf("cert %-6s %ld days left (%s)\n", cs[i].what, cs[i].days_left, cs[i].path);
		if (cs[i].problem[0])
			dd_warn("%s certificate: %s", cs[i].what, cs[i].problem);
	}
	compose_status(root, NULL);
	return healthy ? 0 : DD_EXIT_FAIL;
}

const struct dd_cmd dd_cmd_status = {
	"status", "status", "",
	"Show the installed engine, services, daemon health and certificate expiry.", 0, 0, run,
	NULL
};
