#include "cmd/cmd.h"

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	struct dd_list sans = { .n = 0 }, daemon_opts = { .n = 0 };
	unsigned long port = 2376;
	const char *root = NULL, *init = "auto", *engine = NULL, *key_type = "ecdsa-p256";
	const char *certs = NULL;
	int no_tcp = 0, dry_run = 0, force = 0, json = 0, rollback = 0;
	const struct dd_opt opts[] = {
		{ "tls-san", 0, DD_OPT_LIST, &sans, "NAME|IP",
		  "add a DNS name or IP address to the server certificate", 0, 0, NULL },
		{ "port", 0, DD_OPT_UINT, &port, "N", "TLS port of the daemon (2376)", 1, 65535,
		  NULL },
		{ "no-tcp", 0, DD_OPT_FLAG, &no_tcp, NULL, "listen on the unix socket only", 0, 0,
		  NULL },
		{ "root", 0, DD_OPT_STR, &root, "DIR",
		  "install into an image tree at DIR; start nothing", 0, 0, NULL },
		{ "init", 0, DD_OPT_CHOICE, &init, "SYSTEM",
		  "service manager: auto|systemd|openrc|sysv|none", 0, 0,
		  "auto|systemd|openrc|sysv|none" },
		{ "engine", 0, DD_OPT_STR, &engine, "VERSION",
		  "engine version to install when several are embedded", 0, 0, NULL },
		{ "daemon-opt", 0, DD_OPT_LIST, &daemon_opts, "KEY=VALUE",
		  "set a daemon.json key (VALUE is JSON)", 0, 0, NULL },
		{ "key-type", 0, DD_OPT_CHOICE, &key_type, "TYPE", DD_KEY_TYPES " (ecdsa-p256)", 0,
		  0, DD_KEY_TYPES },
		{ "certs", 0, DD_OPT_STR, &certs, "DIR",
		  "use ca.pem, server-cert.pem, server-key.pem from DIR", 0, 0, NULL },
		{ "dry-run", 0, DD_OPT_FLAG, &dry_run, NULL, "print the plan, change nothing", 0, 0,
		  NULL },
		{ "force", 0, DD_OPT_FLAG, &force, NULL,
		  "install even over a package-managed docker", 0, 0, NULL },
		{ "rollback", 0, DD_OPT_FLAG, &rollback, NULL,
		  "switch back to the previously installed engine", 0, 0, NULL },
		{ "json", 0, DD_OPT_FLAG, &json, NULL, "print the result as JSON", 0, 0, NULL },
	};

	return dd_cli_not_implemented(self, opts, DD_NOPTS(opts), argc, argv);
}

const struct dd_cmd dd_cmd_install = {
	"install", "install", "",
	"Install Docker from the embedded engine, with mutual TLS on port 2376.", 0, 0, run, NULL
};
