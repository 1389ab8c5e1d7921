/* Inside src/net only: the X.509 engine dd_https_get hands to BearSSL. It forwards every
 * call to br_x509_minimal (chain, signatures, validity, key usage: nothing skipped) with no
 * server name, keeps a copy of the end-entity certificate as it streams by and, once the
 * chain is valid, parses that copy (pki_x509_parse), refuses a certificate made for TLS
 * clients only (its extended key usage names clientAuth, not serverAuth: another holder of
 * a client certificate from the same CA is not the server) and checks the peer name against
 * its SANs (dd_tls_name_match), which br_x509_minimal cannot do for IP addresses. */
#ifndef DD_NET_TLS_X509_H
#define DD_NET_TLS_X509_H

#include <bearssl.h>

#include "pki/x509.h"

struct dd_tls_x509 {
	const br_x509_class *vtable;		/* first: BearSSL calls through it */
	br_x509_minimal_context minimal;	/* set up by the caller */
	const char *name;			/* what the server must be named */
	unsigned depth;				/* certificates seen in this chain */
	int ee_too_big;
	size_t ee_len;
	unsigned char ee[PKI_CERT_MAX];		/* the end-entity certificate, DER */
	/* After a refusal: why the end entity was refused when minimal accepted the chain. */
	enum { DD_TLS_X509_OK, DD_TLS_X509_UNREADABLE, DD_TLS_X509_CLIENT_ONLY, DD_TLS_X509_NAME } problem;
	const char *why;			/* for DD_TLS_X509_UNREADABLE */
	struct pki_cert cert;			/* the parsed end entity (from ee) */
};

/* Put the wrapper in front of x->minimal, which the caller has initialised. The engine is
 * then given &x->vtable (br_ssl_engine_set_x509). */
void dd_tls_x509_wrap(struct dd_tls_x509 *x, const char *name);

#endif
