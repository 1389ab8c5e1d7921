/* HTTPS with mutual TLS to a Docker engine, with BearSSL: TLS 1.2, ECDHE with AES-GCM (what
 * dockerd accepts; no other suite is compiled in), the client
 * certificate presented, the server's chain validated against the CA file at pki_now()
 * (DOCKDROP_TEST_NOW moves it in tests), and the server's name checked against the
 * subjectAltNames of its certificate: an IP literal against the IP SANs, a DNS name against
 * the DNS SANs (BearSSL's own check knows DNS names only). Fixed memory on the stack, no
 * malloc; the whole exchange bounded by one deadline. */
#ifndef DD_NET_TLS_H
#define DD_NET_TLS_H

#include <stddef.h>

#include "net/http.h"
#include "pki/x509.h"

#define DD_TLS_CA_MAX 4		/* certificates in the CA file (a CA being rotated: two) */
#define DD_TLS_CHAIN_MAX 3	/* the client certificate and its intermediates */

/* Trust anchors in caller memory, for a server that is not dockerd (a registry): many CA
 * certificates (the system bundle) by subject and key, the bytes copied into mem. */
#define DD_TLS_ANCHORS_MAX 256
struct dd_tls_anchors {
	br_x509_trust_anchor ta[DD_TLS_ANCHORS_MAX];
	unsigned char mem[128 * 1024];
	size_t n, used;
};

struct dd_tls_peer {
	const char *ip;			/* "127.0.0.1" or an IPv6 literal: where to connect */
	unsigned port;
	const char *name;		/* name the server cert must carry: a DNS name or an IP literal (IP SAN) */
	const char *ca_pem;		/* file paths (already mapped) */
	const char *cert_pem, *key_pem;	/* client certificate and its key (ECDSA P-256/P-384 or RSA);
					 * NULL: no client certificate (server authentication only) */
};

/* What a request to a server other than dockerd (a registry) adds; zero: unused. */
struct dd_tls_more {
	const struct dd_tls_anchors *anchors;	/* trusted instead of ca_pem's certificates */
	const char *header;		/* one more request header line, "Name: value" */
	char *www_auth;			/* out: the answer's WWW-Authenticate value ("" if none) */
	size_t www_auth_sz;
	int unreachable;		/* out: 1 when the connection could not be made */
};

/* Add every certificate of the PEM text to a as a trust anchor (one that does not parse or
 * fit is skipped): how many were added. */
size_t dd_tls_anchors_pem(struct dd_tls_anchors *a, const char *pem, size_t n);

/* GET path over TLS 1.2 with the client certificate. 0; DD_EXIT_VERIFY when the server's
 * certificate is refused (err says why: not signed by the CA, name/IP not in its SANs,
 * expired...); DD_EXIT_FAIL for connect/handshake/timeout/the server refusing our cert,
 * unreadable files, a bad or unsafe HTTP response. Any HTTP status is a success here. */
int dd_https_get(const struct dd_tls_peer *p, const char *path, int timeout_ms,
		 struct dd_http_resp *r, char *err, size_t errsz);
/* The same with m (may be NULL). */
int dd_https_get_more(const struct dd_tls_peer *p, struct dd_tls_more *m, const char *path,
		      int timeout_ms, struct dd_http_resp *r, char *err, size_t errsz);

/* 1 if the certificate c names name: an IP literal equal to one of its IP SANs (same
 * family, same bytes), or a DNS name equal, ignoring case, to one of its DNS SANs (a
 * "*.rest" SAN stands for one more leftmost label). The CN is never looked at. */
int dd_tls_name_match(const struct pki_cert *c, const char *name);

#endif
