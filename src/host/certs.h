/* The machine's certificates: the CA in /etc/dockdrop/ca, the server pair in
 * /etc/docker/tls (where dockerd's daemon.json points) and the client pair in
 * /etc/dockdrop/client (the DOCKER_CERT_PATH layout). A pair that is already right (signed
 * by the CA, its key, the key type asked for, more than 30 days left, and for the server
 * exactly the names asked for: none missing, none extra) is kept, so a re-run changes
 * nothing; anything else is issued anew. A SIGKILL between two files of
 * a pair leaves a pair that fails these checks, and the next run re-issues it. */
#ifndef DD_HOST_CERTS_H
#define DD_HOST_CERTS_H

#include <stddef.h>
#include <time.h>

#include "host/txn.h"
#include "pki/cert.h"
#include "pki/key.h"

#define DD_CERTS_RENEW_DAYS 30

struct dd_certs_want {
	enum pki_ktype kt;
	struct pki_san sans[PKI_SAN_MAX];	/* the server's: auto + --tls-san */
	unsigned nsans;
	const char *byo;	/* --certs DIR: copy these instead of issuing (validated before) */
	const char *const *byo_pem;	/* or with byo naming where they came from, the texts of
					 * ca.pem, server-cert.pem and server-key.pem */
	const size_t *byo_len;
	int rotate;		/* issue new leaves whatever the old ones look like */
	unsigned days;		/* leaf validity; 0: PKI_LEAF_DAYS */
	/* out: why a pair that was there is issued anew ("name X added", "expires in N
	 * days"), for one plain line; "" when it was kept, issued first, or rotate. */
	char why_server[512], why_client[160];
};

/* The server's names: the machine's own (dd_hostaddr_sans), or for an image tree (image set)
 * only those that hold on every machine it boots (localhost, 127.0.0.1, ::1); then extra
 * (the --tls-san values, already checked). */
void dd_certs_sans(struct dd_certs_want *w, int image, const char *const *extra, unsigned n);
/* Make the three places right. *server_changed: dockerd must be restarted. *client: 1 when
 * a client pair is there (--certs without cert.pem/key.pem has none). 0 or an exit code. */
int dd_certs_ensure(struct dd_txn *t, struct dd_certs_want *w, int *server_changed,
		    int *client, char *err, size_t errsz);
/* How many keys dd_certs_ensure would make now (0 to 3): to make them ahead, beside the
 * unpack (pki_key_pool_start). It only reads. */
unsigned dd_certs_keys_needed(const struct dd_certs_want *w);
/* The files of a --certs DIR, checked as dockerd and its clients will: 0 or
 * DD_EXIT_USAGE with err. *client: DIR also holds cert.pem and key.pem (checked too). */
int dd_certs_byo_check(const char *dir, int *client, char *err, size_t errsz);
/* The same for the texts of ca.pem, server-cert.pem and server-key.pem (named from in
 * messages): 0 or DD_EXIT_USAGE with err. */
int dd_certs_byo_text(const char *from, const char *const text[3], const size_t len[3], char *err,
		      size_t errsz);

struct dd_cert_status {
	const char *what;	/* "ca", "server", "client" */
	char path[256];		/* absolute target path of the certificate */
	int present;
	time_t not_after;
	long days_left;
	char problem[160];	/* "" when fine */
};

/* The three certificates' expiry and problems (status, certs check). Returns how many of
 * out[3] were filled. */
unsigned dd_certs_status(struct dd_cert_status out[3]);
/* The same as a JSON array of objects (name, path, present, days_left, problem: "" when
 * fine), written to w as the member key (NULL: an element, or the whole document). */
struct dd_jw;
void dd_certs_json(struct dd_jw *w, const char *key, const struct dd_cert_status *cs, unsigned n);

#endif
