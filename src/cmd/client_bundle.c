#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "host/clientbundle.h"
#include "host/root.h"
#include "host/state.h"
#include "pki/byo.h"
#include "util/atomic.h"
#include "util/log.h"

#define CLIENT_DIR "/etc/dockdrop/client"

/* The host itself, or an IPv6 address with '-' for ':' ("fd00--1"); 0 or -1. */
static int default_context(const char *host, char *out, size_t cap)
{
	size_t n = strlen(host);

	if (n >= cap)
		return -1;
	for (size_t i = 0; i <= n; i++)
		out[i] = host[i] == ':' ? '-' : host[i];
	return dd_context_name_ok(out) ? 0 : -1;
}

/* The certificate's time, so that the same certificates give the same bundle bytes. */
static time_t bundle_mtime(int dfd)
{
	struct stat st;

	if (dfd >= 0 && fstatat(dfd, "cert.pem", &st, 0) == 0 && st.st_mtime > 0)
		return st.st_mtime;
	return time(NULL);
}

static struct dd_state state;

/* What goes out must work: key.pem is cert.pem's key and ca.pem issued cert.pem (in dfd,
 * dir for messages). A pair broken on this machine is a failure to mend there; one given
 * with --client-dir is bad input. (Files missing or not PEM: dd_client_bundle_write_at
 * names them.) */
static int check_pair(int dfd, const char *dir, int given)
{
	char show[3][DD_PATH_MAX], err[600];
	const struct pki_pem_at ca = { dfd, "ca.pem", show[0], NULL, 0 },
				cert = { dfd, "cert.pem", show[1], NULL, 0 },
				key = { dfd, "key.pem", show[2], NULL, 0 };

	snprintf(show[0], sizeof show[0], "%s/ca.pem", dir);
	snprintf(show[1], sizeof show[1], "%s/cert.pem", dir);
	snprintf(show[2], sizeof show[2], "%s/key.pem", dir);
	if (pki_pair_check(&ca, &cert, &key, err, sizeof err) == DD_EXIT_VERIFY)
		return dd_fail(given ? DD_EXIT_USAGE : DD_EXIT_FAIL, "client-bundle: %s%s", err,
			       given ? "" : ": re-run dockdrop install (or certs rotate) to mend it");
	return 0;
}

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	const char *out = "dockdrop-client.tar.gz", *root = NULL, *name = NULL, *context = NULL,
		   *client_dir = NULL;
	unsigned long port = 0;	/* not given: the installed port, else 2376 */
	int force = 0;
	const struct dd_opt opts[] = {
		{ "output", 'o', DD_OPT_STR, &out, "FILE",
		  "write the bundle to FILE (dockdrop-client.tar.gz), mode 0600", 0, 0, NULL },
		{ "name", 0, DD_OPT_STR, &name, "HOST",
		  "the daemon's DNS name or IP address for DOCKER_HOST (install's first --tls-san, else this machine's hostname)",
		  0, 0, NULL },
		{ "port", 0, DD_OPT_UINT, &port, "N", "the daemon's TLS port (the installed one, 2376)",
		  1, 65535, NULL },
		{ "context", 0, DD_OPT_STR, &context, "NAME",
		  "the docker context name (HOST, with '-' for ':')", 0, 0, NULL },
		{ "client-dir", 0, DD_OPT_STR, &client_dir, "DIR",
		  "take ca.pem cert.pem key.pem from DIR, as given (" CLIENT_DIR " under --root)",
		  0, 0, NULL },
		{ "root", 0, DD_OPT_STR, &root, "DIR", "take the certificates from the image tree DIR",
		  0, 0, NULL },
		{ "force", 0, DD_OPT_FLAG, &force, NULL, "replace an existing FILE", 0, 0, NULL },
	};
	char hostname[DD_HOST_MAX + 1], host[DD_HOST_MAX], ctx[DD_HOST_MAX], err[600],
		shown[DD_PATH_MAX];
	struct dd_client_bundle b;
	struct dd_args args;
	struct stat st;
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args), dfd, e;

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if (root && dd_root_set(root) < 0)
		return dd_fail(DD_EXIT_USAGE, "client-bundle: --root %s: %m", root);
	/* What install recorded: the name the server certificate was asked to carry first,
	 * and the port. */
	if (dd_state_load(&state, err, sizeof err) == 0) {
		if (!name && state.nsans)
			name = state.sans[0];
		if (!port)
			port = state.port;
	}
	if (!port)
		port = 2376;
	if (!name) {
		if (gethostname(hostname, sizeof hostname) < 0)
			return dd_fail(DD_EXIT_FAIL, "client-bundle: gethostname: %m: give --name");
		hostname[sizeof hostname - 1] = 0;
	}
	if (dd_client_host_parse(name ? name : hostname, host, sizeof host))
		return dd_fail(DD_EXIT_USAGE,
			       "client-bundle: %s '%s' is neither a DNS name nor an IP address%s",
			       name ? "--name" : "the hostname", name ? name : hostname,
			       name ? "" : ": give --name");
	if (!context) {
		if (default_context(host, ctx, sizeof ctx) < 0)
			return dd_fail(DD_EXIT_USAGE,
				       "client-bundle: '%s' makes no docker context name: give --context NAME",
				       host);
		context = ctx;
	}
	if (!force && lstat(out, &st) == 0 && !S_ISDIR(st.st_mode))
		return dd_fail(DD_EXIT_USAGE, "client-bundle: %s exists: --force replaces it", out);
	/* --client-dir is a directory of this machine; the installed one is resolved in the
	 * root. */
	dfd = client_dir ? open(client_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
			 : dd_root_open(CLIENT_DIR, O_RDONLY | O_DIRECTORY, 0);
	e = errno;
	b = (struct dd_client_bundle){ client_dir ? client_dir : dd_root_show(CLIENT_DIR, shown, sizeof shown),
				       host, (unsigned)port, context, bundle_mtime(dfd) };
	if (dfd >= 0 && (rc = check_pair(dfd, b.client_dir, client_dir != NULL))) {
		close(dfd);
		return rc;
	}
	errno = e;
	rc = dd_client_bundle_write_at(&b, dfd, out, err, sizeof err);
	if (dfd >= 0)
		close(dfd);
	if (rc)
		return dd_fail(rc, "client-bundle: %s", err);
	dd_info("client bundle for %s%s%s:%lu (context %s) in %s", strchr(host, ':') ? "[" : "",
		host, strchr(host, ':') ? "]" : "", port, context, out);
	dd_info("on the client: mkdir -p ~/.docker && tar -xzf %s -C ~/.docker, then "
		"'. ~/.docker/dockdrop-%s/docker.env' or "
		"'docker context import %s ~/.docker/dockdrop-%s/%s.dockercontext'",
		strrchr(out, '/') ? strrchr(out, '/') + 1 : out, context, context, context, context);
	return 0;
}

const struct dd_cmd dd_cmd_client_bundle = {
	"client-bundle", "client-bundle", "",
	"Write the client side: ca.pem cert.pem key.pem, an env file and a docker context.", 0, 0,
	run, NULL
};
