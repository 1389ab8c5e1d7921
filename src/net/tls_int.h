/* Inside src/net only: what the files of dd_https_get share. The state of one exchange
 * (struct dd_tls, on dd_https_get's stack) and the steps kept in their own files: loading
 * the CA and client files (tls_load.c), errors in words (tls_why.c). */
#ifndef DD_NET_TLS_INT_H
#define DD_NET_TLS_INT_H

#include <stddef.h>
#include <time.h>

#include <bearssl.h>

#include "net/http.h"
#include "net/tls.h"
#include "net/tls_x509.h"
#include "pki/ca.h"
#include "pki/key.h"

struct dd_tls_conn {
	int fd;
	long long deadline;
	int err;	/* errno of the read or write that failed */
	int eof;	/* the server closed the TCP stream */
	unsigned char first[5];	/* the first bytes from the server: "HTTP/" is no TLS */
	size_t nfirst;
};

/* Everything one exchange needs, on the caller's stack (about 200 KB), wiped at the end. */
struct dd_tls {
	br_ssl_client_context cc;
	struct dd_tls_x509 x509;
	br_sslio_context io;
	struct dd_tls_conn conn;
	br_x509_trust_anchor ta[DD_TLS_CA_MAX];
	unsigned char ta_der[DD_TLS_CA_MAX][PKI_CERT_MAX];	/* the DNs point into these */
	unsigned char ta_key[DD_TLS_CA_MAX][600];		/* the keys are copied here */
	size_t nta;
	br_x509_certificate chain[DD_TLS_CHAIN_MAX];
	unsigned char chain_der[DD_TLS_CHAIN_MAX][PKI_CERT_MAX];
	size_t nchain;
	struct pki_key key;
	char pem[PKI_PEM_MAX];
	char where[80];		/* "127.0.0.1:2376", "[::1]:2376" */
	char raw[DD_HTTP_RAW_MAX];
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};


/* The trust anchors from the CA file: every certificate in it, by subject and key. 0 or
 * DD_EXIT_FAIL with err. */
int dd_tls_load_anchors(struct dd_tls *t, const char *path, char *err, size_t errsz);
/* The client certificate chain and its key, which must match and not be expired. */
int dd_tls_load_client(struct dd_tls *t, const struct dd_tls_peer *p, char *err, size_t errsz);
/* "2027-03-01 12:00:00 UTC". */
void dd_tls_utc(time_t when, char *out, size_t cap);
/* The engine's last error in words; DD_EXIT_VERIFY when it is about the server's
 * certificate or its proof of the key, DD_EXIT_FAIL otherwise. */
int dd_tls_why(struct dd_tls *t, int timeout_ms, const char *ca_path, char *out, size_t cap);

#endif
