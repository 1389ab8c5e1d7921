#include "host/certverify.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host/paths.h"
#include "pki/byo.h"
#include "pki/ca.h"
#include "util/atomic.h"
#include "util/io.h"
#include "util/log.h"
#include "util/rootpath.h"

static char a[PKI_PEM_MAX], b[PKI_PEM_MAX];

/* The mapped path of DIR/NAME. */
static int at(char *out, size_t cap, const char *dir, const char *name)
{
	char abs[DD_PATH_MAX];

	return snprintf(abs, sizeof abs, "%s/%s", dir, name) >= (int)sizeof abs ? -1
										 : dd_root_path(out, cap, abs);
}

/* 1 when both files hold the same bytes. */
static int same(const char *x, const char *y)
{
	long n = dd_read_small_file(x, a, sizeof a), m = dd_read_small_file(y, b, sizeof b);

	return n >= 0 && n == m && memcmp(a, b, (size_t)n) == 0;
}

/* Check the pair CERT/KEY in dir against the CA; problem set when it fails. */
static void check(struct dd_cert_status *s, const char *dir, const char *cert, const char *key)
{
	char ca[DD_PATH_MAX], local_ca[DD_PATH_MAX], c[DD_PATH_MAX], k[DD_PATH_MAX], err[400];
	int own_ca;

	if (at(ca, sizeof ca, DD_CA_DIR, "ca.pem") || at(local_ca, sizeof local_ca, dir, "ca.pem") ||
	    at(c, sizeof c, dir, cert) || at(k, sizeof k, dir, key))
		return;
	own_ca = access(ca, F_OK) == 0; /* else --certs: the CA is the ca.pem beside the pair */
	if (!strcmp(dir, DD_CA_DIR) && access(k, F_OK) != 0)
		return; /* the CA's key moved off this machine, as the README allows */
	if (pki_pair_check(own_ca ? ca : local_ca, c, k, err, sizeof err) != 0)
		dd_log_escape(s->problem, sizeof s->problem, err); /* cut with "..." if long */
	else if (own_ca && strcmp(dir, DD_CA_DIR) && !same(ca, local_ca))
		snprintf(s->problem, sizeof s->problem, "%s/ca.pem is not the CA's: re-run dockdrop install", dir);
	explicit_bzero(a, sizeof a);
	explicit_bzero(b, sizeof b);
}

void dd_certs_verify(struct dd_cert_status *cs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (!cs[i].present)
			continue;
		if (!strcmp(cs[i].what, "ca"))
			check(&cs[i], DD_CA_DIR, "ca.pem", "ca-key.pem");
		else if (!strcmp(cs[i].what, "server"))
			check(&cs[i], DD_TLS_DIR, "server-cert.pem", "server-key.pem");
		else if (!strcmp(cs[i].what, "client"))
			check(&cs[i], DD_CLIENT_DIR, "cert.pem", "key.pem");
	}
}
