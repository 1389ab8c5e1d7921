/* pki/byo: certificates a user brings are checked like dockerd's clients will use them. */
#include "t.h"

#include <stdlib.h>
#include <time.h>

#include "pki/byo.h"
#include "pki/ca.h"
#include "util/log.h"

static char dir[256];

static void path(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/%s", dir, rel);
}

static int make_ca(const char *name)
{
	char p[512], err[512];

	path(p, sizeof p, name);
	return pki_ca_init(p, PKI_EC256, 3650, NULL, 0, err, sizeof err);
}

static int issue(const char *ca_name, enum pki_role role, const char *out, const char *san,
		 unsigned days)
{
	static struct pki_ca ca;
	struct pki_san s;
	char p[512], o[512], err[512];
	int rc;

	path(p, sizeof p, ca_name);
	path(o, sizeof o, out);
	if (pki_ca_load(p, &ca, err, sizeof err) != 0)
		return -1;
	if (san && pki_san_parse(san, &s) != 0)
		return -1;
	rc = pki_ca_issue(&ca, role, PKI_EC256, role == PKI_CLIENT ? "client" : NULL, &s,
			  san ? 1 : 0, days, o, err, sizeof err);
	pki_key_wipe(&ca.key);
	return rc;
}

struct row {
	const char *name, *ca, *cert, *key, *want;	/* want: NULL = accepted */
};

static const struct row rows[] = {
	{ "good", "ca/ca.pem", "srv/server-cert.pem", "srv/server-key.pem", NULL },
	{ "key of another cert", "ca/ca.pem", "srv/server-cert.pem", "srv2/server-key.pem",
	  "is not the key of" },
	{ "issued by another CA", "ca/ca.pem", "other/server-cert.pem", "other/server-key.pem",
	  "was not issued by" },
	{ "client cert (no SAN)", "ca/ca.pem", "cli/cert.pem", "cli/key.pem",
	  "no subjectAltName" },
	{ "leaf given as the CA", "srv/server-cert.pem", "srv/server-cert.pem",
	  "srv/server-key.pem", "is not a CA certificate" },
	{ "CA given as the server cert", "ca/ca.pem", "ca/ca.pem", "ca/ca-key.pem",
	  "no subjectAltName" },
	{ "expired", "ca/ca.pem", "old/server-cert.pem", "old/server-key.pem", "expired on" },
	{ "missing CA", "nope/ca.pem", "srv/server-cert.pem", "srv/server-key.pem",
	  "No such file" },
	{ "garbage cert", "ca/ca.pem", "garbage", "srv/server-key.pem", "no PEM certificate" },
	{ "garbage key", "ca/ca.pem", "srv/server-cert.pem", "garbage", "no PEM private key" },
	{ "key given as cert", "ca/ca.pem", "srv/server-key.pem", "srv/server-key.pem",
	  "no PEM certificate" },
	{ "directory as key", "ca/ca.pem", "srv/server-cert.pem", "srv", "Is a directory" },
};

TEST(table)
{
	char err[600], a[512], b[512], c[512];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		int rc;

		path(a, sizeof a, r->ca);
		path(b, sizeof b, r->cert);
		path(c, sizeof c, r->key);
		err[0] = 0;
		rc = pki_byo_check(a, b, c, err, sizeof err);
		if (!r->want) {
			CHECKF(rc == 0, "%s: rc %d: %s", r->name, rc, err);
			continue;
		}
		CHECKF(rc == DD_EXIT_USAGE, "%s: rc %d", r->name, rc);
		CHECKF(strstr(err, r->want) != NULL, "%s: '%s' lacks '%s'", r->name, err, r->want);
		CHECKF(strchr(err, '\n') == NULL, "%s: one line", r->name);
	}
}

int main(void)
{
	char g[512], now[32];
	FILE *f;

	if (!t_tmpdir(dir, sizeof dir))
		return 1;
	int ok = make_ca("ca") == 0 && make_ca("ca2") == 0 &&
		 issue("ca", PKI_SERVER, "srv", "127.0.0.1", 825) == 0 &&
		 issue("ca", PKI_SERVER, "srv2", "localhost", 825) == 0 &&
		 issue("ca2", PKI_SERVER, "other", "localhost", 825) == 0 &&
		 issue("ca", PKI_CLIENT, "cli", NULL, 825) == 0;
	/* Issued ten days ago for one day. */
	snprintf(now, sizeof now, "%lld", (long long)time(NULL) - 10 * 86400);
	setenv("DOCKDROP_TEST_NOW", now, 1);
	ok = ok && issue("ca", PKI_SERVER, "old", "localhost", 1) == 0;
	unsetenv("DOCKDROP_TEST_NOW");
	path(g, sizeof g, "garbage");
	f = fopen(g, "w");
	if (f) {
		fputs("not a pem file\n", f);
		fclose(f);
	}
	if (!ok) {
		printf("not ok - fixtures: could not make the CAs and certificates\n");
		t_rmtree(dir);
		return 1;
	}
	RUN(table);
	t_rmtree(dir);
	return t_any_failed;
}
