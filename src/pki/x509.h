/* Reading certificates: just enough X.509 to show one, check one we are given and issue
 * from a CA: a bounds-checked DER walk over caller memory (pointers into it, no copies).
 * Anything malformed is an error. */
#ifndef DD_PKI_X509_H
#define DD_PKI_X509_H

#include <stddef.h>
#include <time.h>

#include <bearssl.h>

#include "pki/cert.h"

struct pki_cert {
	const unsigned char *der, *tbs, *sig, *serial, *issuer, *subject, *skid, *akid;
	size_t der_len, tbs_len, sig_len, serial_len, issuer_len, subject_len;
	const unsigned char *spki;	/* the whole SubjectPublicKeyInfo */
	size_t spki_len;
	const unsigned char *sigalg;	/* the whole signature AlgorithmIdentifier (outer, */
	size_t sigalg_len;		/* checked byte-identical to the signed inner one) */
	time_t not_before, not_after;
	char cn[128], org[128];		/* from the subject, escaped; "" if absent */
	char issuer_cn[128];
	int is_ca, has_bc, ku, server_auth, client_auth;	/* ku: -1 when absent */
	unsigned nsans;
	struct pki_san sans[PKI_SAN_MAX];
	/* the public key, in BearSSL's form */
	br_x509_pkey pkey;
	unsigned char pkbuf[600];
	int key_bits;			/* 256, 384 or the RSA modulus size */
};

/* Parse a DER certificate of n bytes (kept by the caller while c is used). 0 or -1 with
 * why set. */
int pki_x509_parse(const unsigned char *der, size_t n, struct pki_cert *c, const char **why);
/* The first "CERTIFICATE" of a PEM text into der (cap bytes), then parse. */
int pki_x509_load(const char *pem, size_t n, unsigned char *der, size_t cap,
		  struct pki_cert *c, const char **why);
/* 1 if c's signature verifies with issuer's public key. */
int pki_x509_signed_by(const struct pki_cert *c, const struct pki_cert *issuer);
/* "ecdsa-p256", ..., for the certificate's key. */
const char *pki_x509_key_name(const struct pki_cert *c);

#endif
