#include <stdio.h>
#include <string.h>

#include "bundle/format.h"
#include "cmd/cmd.h"
#include "host/hostaddr.h"
#include "pki/ca.h"
#include "util/log.h"
#include "util/io.h"
#include "util/jsonout.h"
#include "util/pem.h"
#include "util/utc.h"

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
	struct dd_args args;
	char err[600];
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if (!dir)
		return dd_fail(DD_EXIT_USAGE, "ca init: --dir D is required; see 'dockdrop ca init --help'");
	rc = pki_ca_init(dir, (enum pki_ktype)pki_ktype_parse(key_type), (unsigned)days, name,
			 force, err, sizeof err);
	if (rc)
		return dd_fail(rc, "ca init: %s", err);
	dd_info("CA (%s, %lu days) in %s: ca.pem, ca-key.pem (keep this key off shared machines)",
		key_type, days, dir);
	return 0;
}

/* --san values and --auto-san into one list, each value checked. */
static int collect_sans(const struct dd_list *in, int auto_san, struct pki_san *sans,
			unsigned *n)
{
	for (unsigned i = 0; i < in->n; i++) {
		struct pki_san s;

		if (pki_san_parse(in->v[i], &s) != 0)
			return dd_fail(DD_EXIT_USAGE, "ca issue server: --san '%s' is neither a DNS name nor an IP address",
				       in->v[i]);
		if (pki_san_add(sans, n, &s) != 0)
			return dd_fail(DD_EXIT_USAGE, "ca issue server: more than %d SANs", PKI_SAN_MAX);
	}
	if (auto_san)
		dd_hostaddr_sans(sans, n, PKI_SAN_MAX);
	return 0;
}

static int issue(const struct dd_cmd *self, enum pki_role role, const char *ca_dir,
		 const char *out, const char *cn, const char *key_type, unsigned long days,
		 const struct dd_list *san_list, int auto_san)
{
	static struct pki_ca ca;
	static struct pki_san sans[PKI_SAN_MAX];
	unsigned nsans = 0;
	char err[600];
	int rc;

	if (!ca_dir || !out)
		return dd_fail(DD_EXIT_USAGE, "%s: %s is required; see 'dockdrop %s --help'",
			       self->path, !ca_dir ? "--ca D" : "--out O", self->path);
	if (role == PKI_SERVER && (rc = collect_sans(san_list, auto_san, sans, &nsans)))
		return rc;
	if ((rc = pki_ca_load(ca_dir, &ca, err, sizeof err)) ||
	    (rc = pki_ca_issue(&ca, role, (enum pki_ktype)pki_ktype_parse(key_type), cn, sans,
			       nsans, (unsigned)days, out, err, sizeof err))) {
		pki_key_wipe(&ca.key);
		return dd_fail(rc, "%s: %s", self->path, err);
	}
	pki_key_wipe(&ca.key);
	dd_info("%s certificate (%s, %u SAN%s) in %s", role == PKI_SERVER ? "server" : "client",
		key_type, nsans, nsans == 1 ? "" : "s", out);
	return 0;
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

	int server = strcmp(self->name, "server") == 0;
	struct dd_args args;
	int rc = server ? dd_cli_parse(self, opts + 1, DD_NOPTS(opts) - 1, argc, argv, &args)
			: dd_cli_parse(self, opts, 5, argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	return issue(self, server ? PKI_SERVER : PKI_CLIENT, ca, out, server ? NULL : cn,
		     key_type, days, &sans, auto_san);
}

static void fmt_time(time_t t, char *out, size_t cap)
{
	struct dd_utc u;

	if (dd_utc(t, &u) == 0)
		snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", u.year, u.mon, u.day, u.hour,
			 u.min, u.sec);
	else
		snprintf(out, cap, "?");
}

static void fingerprint(const struct pki_cert *c, char hex[65])
{
	br_sha256_context h;
	unsigned char d[32];

	br_sha256_init(&h);
	br_sha256_update(&h, c->der, c->der_len);
	br_sha256_out(&h, d);
	dd_hex(d, 32, hex);
}

static int show_cert(const struct pki_cert *c, int json)
{
	char nb[32], na[32], fp[65], san[256];
	long long left = ((long long)c->not_after - (long long)pki_now()) / 86400;
	struct dd_jw w;

	fmt_time(c->not_before, nb, sizeof nb);
	fmt_time(c->not_after, na, sizeof na);
	fingerprint(c, fp);
	if (!json) {
		printf("subject      CN=%s%s%s\n", c->cn, c->org[0] ? ", O=" : "", c->org);
		printf("issuer       CN=%s\n", c->issuer_cn);
		printf("sans        ");
		for (unsigned i = 0; i < c->nsans; i++) {
			pki_san_format(&c->sans[i], san, sizeof san);
			printf(" %s", san);
		}
		printf("%s\n", c->nsans ? "" : " (none)");
		printf("valid        %s to %s (%lld days left%s)\n", nb, na, left,
		       left < 0 ? ": EXPIRED" : left < 30 ? ": renew soon" : "");
		printf("key          %s\n", pki_x509_key_name(c));
		printf("ca           %s\n", c->is_ca ? "yes" : "no");
		printf("usage       %s%s%s\n", c->server_auth ? " serverAuth" : "",
		       c->client_auth ? " clientAuth" : "", c->is_ca ? " keyCertSign cRLSign" : "");
		printf("sha256       %s\n", fp);
		return 0;
	}
	dd_jw_init(&w, stdout);
	dd_jw_object(&w, NULL);
	dd_jw_object(&w, "subject");
	dd_jw_str(&w, "cn", c->cn);
	dd_jw_str(&w, "o", c->org);
	dd_jw_close(&w);
	dd_jw_object(&w, "issuer");
	dd_jw_str(&w, "cn", c->issuer_cn);
	dd_jw_close(&w);
	dd_jw_array(&w, "sans");
	for (unsigned i = 0; i < c->nsans; i++) {
		pki_san_format(&c->sans[i], san, sizeof san);
		dd_jw_str(&w, NULL, san);
	}
	dd_jw_close(&w);
	dd_jw_str(&w, "not_before", nb);
	dd_jw_str(&w, "not_after", na);
	dd_jw_int(&w, "days_left", left);
	dd_jw_str(&w, "key_type", pki_x509_key_name(c));
	dd_jw_bool(&w, "ca", c->is_ca);
	dd_jw_bool(&w, "server_auth", c->server_auth);
	dd_jw_bool(&w, "client_auth", c->client_auth);
	dd_jw_str(&w, "sha256", fp);
	dd_jw_close(&w);
	return dd_jw_end(&w);
}

static int run_show(const struct dd_cmd *self, int argc, char **argv)
{
	int json = 0;
	const struct dd_opt opts[] = {
		{ "json", 0, DD_OPT_FLAG, &json, NULL, "print the details as JSON", 0, 0, NULL },
	};
	static char pem[PKI_PEM_MAX];
	static unsigned char der[PKI_CERT_MAX];
	static struct pki_cert c;
	struct dd_args args;
	const char *why = NULL;
	long n;
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	n = dd_read_small_file(args.v[0], pem, sizeof pem);
	if (n < 0)
		return dd_fail(DD_EXIT_USAGE, "ca show: %s: %m", args.v[0]);
	if (pki_x509_load(pem, (size_t)n, der, sizeof der, &c, &why))
		return dd_fail(DD_EXIT_USAGE, "ca show: %s: %s", args.v[0], why);
	return show_cert(&c, json) == 0 && fflush(stdout) == 0 ? 0 : DD_EXIT_FAIL;
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
