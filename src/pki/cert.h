/* X.509 v3 certificates as Go (dockerd, docker CLI) and `openssl verify -x509_strict`
 * accept them: positive minimal serials of at most 17 octets, identical inner and outer
 * signature algorithms, issuer bytes copied from the CA's subject, SKID/AKID non-critical,
 * SANs for leaves, UTCTime through 2049. */
#ifndef DD_PKI_CERT_H
#define DD_PKI_CERT_H

#include <stddef.h>
#include <time.h>

#include "pki/key.h"

#define PKI_SAN_MAX 64
#define PKI_CERT_MAX 4096	/* DER of one certificate (RSA-4096 with 64 SANs fits) */
/* The SANs' share of PKI_CERT_MAX (their GeneralNames DER, pki_sans_len): what is left
 * holds everything else of a leaf with RSA-4096 keys and an issuer name of up to
 * PKI_ISSUER_MAX bytes (tests/unit/test_pki.c builds that worst case). Names that do not
 * fit are refused when they are given, not half-way through an install. */
#define PKI_SAN_BYTES 2048
#define PKI_ISSUER_MAX 320

struct pki_san {
	int ip;			/* 1: addr (4 or 16 bytes), 0: dns */
	unsigned alen;
	unsigned char addr[16];
	char dns[254];
};

enum pki_role { PKI_CA, PKI_SERVER, PKI_CLIENT };

struct pki_cert_spec {
	enum pki_role role;
	const char *cn, *org;			/* org may be NULL */
	time_t not_before, not_after;
	const struct pki_key *key;		/* whose public key the certificate carries */
	const struct pki_key *signer;		/* the CA's key (== key for the CA itself) */
	const unsigned char *issuer_dn;		/* the CA's subject DER; NULL: self-signed */
	size_t issuer_dn_len;
	const unsigned char *issuer_skid;	/* 20 bytes for AKID; NULL: no AKID */
	const struct pki_san *sans;
	unsigned nsans;
};

/* Parse "NAME" or an IPv4/IPv6 address into s. 0, or -1 when it is neither a valid DNS
 * name (letters, digits, '-', dots; labels of 1-63; at most 253) nor an IP address.
 * Wildcards ("*.example.com") are refused: a daemon's certificate names one host (a
 * wildcard would let this host's key answer for every name of the domain), DOCKER_HOST
 * and client-bundle name one host, and Go's clients need none. A certificate brought with
 * --certs may still carry one: the TLS client matches it (net/tls.h). */
int pki_san_parse(const char *text, struct pki_san *s);
/* 1 if s can be a CN or O value: 1 to 64 characters (X.520's upper bound) of valid
 * UTF-8 (shortest form, no surrogates) with no control character (C0, DEL, C1). */
int pki_name_ok(const char *s);
/* Append s to list (n entries, max PKI_SAN_MAX) unless already there. */
int pki_san_add(struct pki_san *list, unsigned *n, const struct pki_san *s);
void pki_san_format(const struct pki_san *s, char *out, size_t cap);
/* The DER bytes of sans as GeneralNames in a SAN extension (their sum, headers included). */
size_t pki_sans_len(const struct pki_san *sans, unsigned n);

/* Key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 method 1). */
int pki_key_id(const struct pki_key *k, unsigned char id[20]);
/* Build, sign and DER-encode. Length, or 0 with why set. */
size_t pki_cert_build(const struct pki_cert_spec *s, unsigned char *out, size_t cap,
		      const char **why);
/* DER certificate to PEM "CERTIFICATE"; length or 0. */
size_t pki_cert_pem(const unsigned char *der, size_t n, char *out, size_t cap);

#endif
