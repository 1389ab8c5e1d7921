/* dockdrop install: the options, then host/install.h does the work (DESIGN.md "Data flow
 * of install"). The context is the command's: one, allocated here, for the whole run. */
#include <string.h>

#include "azure/settings.h"
#include "cmd/cmd.h"
#include "host/install.h"
#include "util/log.h"

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	/* Big (daemon.json before and after, the record, the snapshots): static, not on the
	 * stack, and used once per run. */
	static struct dd_install c;
	static struct dd_az az;		/* --settings: the decrypted text, wiped below */
	static char doc[2 * DD_DOC_MAX];	/* --with-docs: the man page, the completions */
	const char *settings = NULL, *prot = NULL;
	struct dd_list sans = { 0 }, daemon_opts = { 0 }, reg = { 0 }, user = { 0 }, pwf = { 0 };
	unsigned long port = 2376;
	int docs = 0;
	struct dd_install_opts *o = &c.o;
	const struct dd_opt opts[] = {
		{ "tls-san", 0, DD_OPT_LIST, &sans, "NAME|IP",
		  "add a DNS name or IP address to the server certificate", 0, 0, NULL },
		{ "port", 0, DD_OPT_UINT, &port, "N", "TLS port of the daemon (2376)", 1, 65535, NULL },
		{ "no-tcp", 0, DD_OPT_FLAG, &o->no_tcp, NULL, "listen on the unix socket only", 0, 0,
		  NULL },
		{ "root", 0, DD_OPT_STR, &o->root, "DIR",
		  "install into an image tree at DIR; start nothing", 0, 0, NULL },
		{ "init", 0, DD_OPT_CHOICE, &o->init, "SYSTEM",
		  "service manager: auto|systemd|openrc|sysv|none", 0, 0,
		  "auto|systemd|openrc|sysv|none" },
		{ "engine", 0, DD_OPT_STR, &o->engine, "VERSION",
		  "engine version to install when several are embedded", 0, 0, NULL },
		{ "daemon-opt", 0, DD_OPT_LIST, &daemon_opts, "KEY=VALUE",
		  "set a daemon.json key (VALUE is JSON)", 0, 0, NULL },
		{ "key-type", 0, DD_OPT_CHOICE, &o->key_type, "TYPE", DD_KEY_TYPES " (ecdsa-p256)", 0,
		  0, DD_KEY_TYPES },
		{ "certs", 0, DD_OPT_STR, &o->certs, "DIR",
		  "use ca.pem, server-cert.pem, server-key.pem (and client cert.pem, key.pem) from DIR",
		  0, 0, NULL },
		{ "dry-run", 0, DD_OPT_FLAG, &o->dry_run, NULL, "print the plan, change nothing", 0, 0,
		  NULL },
		{ "force", 0, DD_OPT_FLAG, &o->force, NULL,
		  "install even over a package-managed docker", 0, 0, NULL },
		{ "rollback", 0, DD_OPT_FLAG, &o->rollback, NULL,
		  "switch back to the previously installed engine", 0, 0, NULL },
		{ "json", 0, DD_OPT_FLAG, &o->json, NULL, "print the result as JSON", 0, 0, NULL },
		{ "compose", 0, DD_OPT_STR, &o->compose, "FILE",
		  "a Compose project to bring up, now and at boot", 0, 0, NULL },
		{ "compose-env", 0, DD_OPT_STR, &o->compose_env, "FILE",
		  "its --env-file (kept 0600)", 0, 0, NULL },
		{ "compose-name", 0, DD_OPT_STR, &o->compose_name, "NAME",
		  "its project name (default: its directory's)", 0, 0, NULL },
		{ "images", 0, DD_OPT_STR, &o->images, "DIR",
		  "also load the *.tar and *.tar.gz image archives in DIR, each checked against DIR/SHA256SUMS",
		  0, 0, NULL },
		{ "registry", 0, DD_OPT_LIST, &reg, "SERVER",
		  "log root's docker in to SERVER (~/.docker/config.json)", 0, 0, NULL },
		{ "username", 0, DD_OPT_LIST, &user, "USER", "the user for the --registry of that rank",
		  0, 0, NULL },
		{ "password-stdin", 0, DD_OPT_FLAG, &c.login.o.pw_stdin, NULL,
		  "read the password of the one --registry from stdin", 0, 0, NULL },
		{ "password-file", 0, DD_OPT_LIST, &pwf, "FILE",
		  "the password for the --registry of that rank (a 0600 file)", 0, 0, NULL },
		{ "settings", 0, DD_OPT_STR, &settings, "FILE",
		  "Azure Docker extension settings (a handler's N.settings, or public settings JSON)",
		  0, 0, NULL },
		{ "protected-settings", 0, DD_OPT_STR, &prot, "FILE",
		  "their protected settings in clear, a JSON object (a 0600 file)", 0, 0, NULL },
		{ "with-docs", 0, DD_OPT_FLAG, &docs, NULL,
		  "also install the man page and the bash and zsh completion", 0, 0,
		  NULL },
	};
	struct dd_args args;
	int rc;

	if ((rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args)) != DD_CLI_CONTINUE)
		return rc;
	/* after parsing: making the documents runs every command, this one too */
	o->init = o->init ? o->init : "auto";
	o->key_type = o->key_type ? o->key_type : "ecdsa-p256";
	o->ndocs = docs ? 3 : 0;
	for (unsigned i = 0, n = 0; i < o->ndocs; n += o->doclen[i++]) {
		if (!(o->doclen[i] = dd_doc_text("mbz"[i], doc + n, sizeof doc - n)))
			return dd_fail(DD_EXIT_FAIL, "install: the man page does not fit");
		o->doc[i] = doc + n;
	}
	o->sans = sans.v;
	o->nsans = sans.n;
	o->daemon_opts = daemon_opts.v;
	o->nopts = daemon_opts.n;
	o->port = (unsigned)port;
	c.login.o = (struct dd_login_opts){ reg.v, user.v, pwf.v, reg.n, user.n, pwf.n,
					    c.login.o.pw_stdin, NULL };
	if (prot && !settings)
		return dd_fail(DD_EXIT_USAGE, "install: --protected-settings goes with --settings FILE");
	if (settings && o->rollback)
		return dd_fail(DD_EXIT_USAGE, "install: --rollback takes no settings but --root");
	rc = settings ? dd_az_load(&az, settings, prot, NULL) : 0;
	if (!rc && settings)
		rc = dd_az_apply(&az, &c);
	if (!rc)
		rc = o->rollback ? dd_install_rollback(&c) : dd_install_run(&c);
	dd_az_wipe(&az);
	explicit_bzero(c.compose.env, sizeof c.compose.env);	/* --compose-env: secrets */
	return rc;
}

const struct dd_cmd dd_cmd_install = {
	"install", "install", "",
	"Install Docker from the embedded engine, with mutual TLS on port 2376.", 0, 0, run, NULL
};
