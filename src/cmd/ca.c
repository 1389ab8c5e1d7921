#include "cmd/cmd.h"

#include <string.h>

static int run_init(const struct dd_cmd *self, int argc, char **argv)
{
	const char *dir = NULL, *key_type = "ecdsa-p256", *name = NULL;
	unsigned long days = 3650;
	int force = 0;
	const struct dd_opt opts[] = {
		{ "dir", 0, DD_OPT_STR, &dir, "D", "write ca.pem and ca-key.pem into D (0700)", 0, 0,
		  NULL },
		{ "key-type", 0, DD_OPT_CHOICE, &key_type, "TYPE", DD_KEY_TYPES " (ecdsa-p256)", 0,
		  0, DD_KEY_TYPES },
		{ "days", 0, DD_OPT_UINT, &days, "N", "validity in days (3650)", 1, 36500, NULL },
		{ "name", 0, DD_OPT_STR, &name, "ORG", "organization name in the CA subject", 0, 0,
		  NULL },
		{ "force", 0, DD_OPT_FLAG, &force, NULL, "replace an existing CA", 0, 0, NULL },
	};

	return dd_cli_not_implemented(self, opts, DD_NOPTS(opts), argc, argv);
}

/* server and client share one table: a client takes the first five entries, a server the
 * six after --cn. */
static int run_issue(const struct dd_cmd *self, int argc, char **argv)
{
	struct dd_list sans = { .n = 0 };
	const char *ca = NULL, *out = NULL, *cn = "client", *key_type = "ecdsa-p256";
	unsigned long days = 825;
	int auto_san = 0;
	const struct dd_opt opts[] = {
		{ "cn", 0, DD_OPT_STR, &cn, "NAME", "common name (client)", 0, 0, NULL },
		{ "ca", 0, DD_OPT_STR, &ca, "D", "the CA directory (ca.pem, ca-key.pem)", 0, 0, NULL },
		{ "out", 0, DD_OPT_STR, &out, "O", "write the certificate, key and ca.pem into O", 0,
		  0, NULL },
		{ "days", 0, DD_OPT_UINT, &days, "N", "validity in days (825)", 1, 36500, NULL },
		{ "key-type", 0, DD_OPT_CHOICE, &key_type, "TYPE", DD_KEY_TYPES " (ecdsa-p256)", 0,
		  0, DD_KEY_TYPES },
		{ "san", 0, DD_OPT_LIST, &sans, "NAME|IP", "add a DNS name or IP address", 0, 0,
		  NULL },
		{ "auto-san", 0, DD_OPT_FLAG, &auto_san, NULL,
		  "add hostname, FQDN, localhost, every interface address", 0, 0, NULL },
	};

	if (strcmp(self->name, "server") == 0)
		return dd_cli_not_implemented(self, opts + 1, DD_NOPTS(opts) - 1, argc, argv);
	return dd_cli_not_implemented(self, opts, 5, argc, argv);
}

static int run_show(const struct dd_cmd *self, int argc, char **argv)
{
	int json = 0;
	const struct dd_opt opts[] = {
		{ "json", 0, DD_OPT_FLAG, &json, NULL, "print the details as JSON", 0, 0, NULL },
	};

	return dd_cli_not_implemented(self, opts, DD_NOPTS(opts), argc, argv);
}

static const struct dd_cmd ca_init = {
	"init", "ca init", "", "Create a CA: ca.pem and ca-key.pem.", 0, 0, run_init, NULL
};
static const struct dd_cmd ca_issue_server = {
	"server", "ca issue server", "", "Issue a server certificate and key.", 0, 0, run_issue,
	NULL
};
static const struct dd_cmd ca_issue_client = {
	"client", "ca issue client", "",
	"Issue a client certificate and key (DOCKER_CERT_PATH layout).", 0, 0, run_issue, NULL
};
static const struct dd_cmd *const issue_sub[] = { &ca_issue_server, &ca_issue_client, NULL };
static const struct dd_cmd ca_issue = {
	"issue", "ca issue", "", "Issue a server or client certificate from a CA.", 0, 0, NULL,
	issue_sub
};
static const struct dd_cmd ca_show = {
	"show", "ca show", "FILE", "Show a certificate: names, validity, key, fingerprint.", 1, 1,
	run_show, NULL
};
static const struct dd_cmd *const ca_sub[] = { &ca_init, &ca_issue, &ca_show, NULL };

const struct dd_cmd dd_cmd_ca = {
	"ca", "ca", "", "The tiny CA: init, issue, show (also for an admin workstation).", 0, 0,
	NULL, ca_sub
};
