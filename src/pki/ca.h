/* The CA policy (DESIGN.md "Certificates") and its files: a CA directory holds ca.pem and
 * ca-key.pem; an issued pair goes into an output directory with a copy of ca.pem, in the
 * names Docker expects (server-cert.pem/server-key.pem, or cert.pem/key.pem for a client,
 * the DOCKER_CERT_PATH layout). Every input is checked before anything is written. */
#ifndef DD_PKI_CA_H
#define DD_PKI_CA_H

#include <stddef.h>
#include <time.h>

#include "pki/cert.h"
#include "pki/key.h"
#include "pki/x509.h"

#define PKI_CA_DAYS 3650
#define PKI_LEAF_DAYS 825
#define PKI_SKEW 3600		/* notBefore one hour back: clocks of fresh VMs drift */
#define PKI_PEM_MAX 16384

struct pki_ca {
	struct pki_key key;
	struct pki_cert cert;
	unsigned char der[PKI_CERT_MAX];
	char pem[PKI_PEM_MAX];
	size_t pem_len;
	unsigned char skid[20];
};

/* "Now" for certificates: the clock, or DOCKDROP_TEST_NOW (seconds) in tests. */
time_t pki_now(void);

/* Create D/ca.pem and D/ca-key.pem (D made 0700). 0, or an exit code with err set:
 * DD_EXIT_USAGE when a CA is there and !force. */
int pki_ca_init(const char *dir, enum pki_ktype t, unsigned days, const char *org, int force,
		char *err, size_t errsz);
/* The organization of the CA install makes: "dockdrop HOST", HOST being this machine's
 * hostname cut to 40 characters of [A-Za-z0-9._-] (a kernel hostname may hold any byte;
 * the name must stay valid UTF-8 for Go). */
void pki_ca_default_org(char *out, size_t cap);
/* Load and check a CA directory (the key matches, the certificate is a CA). */
int pki_ca_load(const char *dir, struct pki_ca *ca, char *err, size_t errsz);
/* Issue a server or client pair into out. cn: the subject CN (server: the first SAN when
 * NULL). 0 or an exit code with err. */
int pki_ca_issue(struct pki_ca *ca, enum pki_role role, enum pki_ktype t, const char *cn,
		 const struct pki_san *sans, unsigned nsans, unsigned days, const char *out,
		 char *err, size_t errsz);
/* The same three in an open directory dfd (which init makes 0700): every file is made and
 * read relative to it, never through a symlink as last component; dir (out) names it in
 * messages. The key is created O_EXCL|O_NOFOLLOW owner-only, then renamed into place. */
int pki_ca_init_at(int dfd, const char *dir, enum pki_ktype t, unsigned days, const char *org,
		   int force, char *err, size_t errsz);
int pki_ca_load_at(int dfd, const char *dir, struct pki_ca *ca, char *err, size_t errsz);
int pki_ca_issue_at(struct pki_ca *ca, enum pki_role role, enum pki_ktype t, const char *cn,
		    const struct pki_san *sans, unsigned nsans, unsigned days, int dfd,
		    const char *out, char *err, size_t errsz);

#endif
