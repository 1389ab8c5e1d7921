#include "host/certverify.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/paths.h"
#include "host/root.h"
#include "pki/byo.h"
#include "pki/ca.h"
#include "util/io.h"
#include "util/log.h"

static char a[PKI_PEM_MAX], b[PKI_PEM_MAX];

/* 1 when ca.pem holds the same bytes in both directories. */
static int same_ca(int dfd1, int dfd2)
{
	long n = dd_read_small_at(dfd1, "ca.pem", a, sizeof a);
	long m = dd_read_small_at(dfd2, "ca.pem", b, sizeof b);

	return n >= 0 && n == m && memcmp(a, b, (size_t)n) == 0;
}

/* NAME in dir (open as dfd) for pki_pair_check, shown as this machine names it. */
static void pem_at(struct pki_pem_at *f, int dfd, const char *dir, const char *name, char *show,
		   size_t cap)
{
	char abs[DD_PATH_MAX];

	snprintf(abs, sizeof abs, "%s/%s", dir, name);
	*f = (struct pki_pem_at){ dfd, name, dd_root_show(abs, show, cap), NULL, 0 };
}

/* Check the pair CERT/KEY in dir against the CA; problem set when it fails. */
static void check(struct dd_cert_status *s, const char *dir, const char *cert, const char *key)
{
	char show[3][DD_PATH_MAX], err[400];
	struct pki_pem_at ca, c, k;
	struct stat st;
	int cafd = dd_root_open(DD_CA_DIR, O_RDONLY | O_DIRECTORY, 0);
	int dfd = dd_root_open(dir, O_RDONLY | O_DIRECTORY, 0);
	/* Without dockdrop's CA (--certs) the CA is the ca.pem beside the pair. */
	int own_ca = cafd >= 0 && fstatat(cafd, "ca.pem", &st, 0) == 0;

	/* The CA's key may have moved off this machine, as the README allows. */
	if (dfd >= 0 && !(!strcmp(dir, DD_CA_DIR) && fstatat(dfd, key, &st, 0) != 0)) {
		pem_at(&ca, own_ca ? cafd : dfd, own_ca ? DD_CA_DIR : dir, "ca.pem", show[0],
		       sizeof show[0]);
		pem_at(&c, dfd, dir, cert, show[1], sizeof show[1]);
		pem_at(&k, dfd, dir, key, show[2], sizeof show[2]);
		if (pki_pair_check(&ca, &c, &k, err, sizeof err) != 0)
			dd_log_escape(s->problem, sizeof s->problem, err); /* cut with "..." if long */
		else if (own_ca && strcmp(dir, DD_CA_DIR) && !same_ca(cafd, dfd))
			snprintf(s->problem, sizeof s->problem, "%s/ca.pem is not the CA's: re-run dockdrop install", dir);
		explicit_bzero(a, sizeof a);
		explicit_bzero(b, sizeof b);
	}
	if (cafd >= 0)
		close(cafd);
	if (dfd >= 0)
		close(dfd);
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
