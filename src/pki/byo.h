/* Certificates the user brings (`install --certs DIR`): the CA certificate, the server
 * certificate and its key are checked the way dockerd and its Go clients will use them,
 * so a problem is named now, in one line, instead of as a TLS failure later. */
#ifndef DD_PKI_BYO_H
#define DD_PKI_BYO_H

#include <stddef.h>

/* 0, or DD_EXIT_USAGE with err naming the file and the problem: unreadable or not PEM, a
 * NUL byte, a CA that is not a CA, a key that is not the certificate's, a certificate not signed by
 * the CA, no subjectAltName, outside its validity, not for TLS servers. */
int pki_byo_check(const char *ca_pem, const char *cert_pem, const char *key_pem, char *err,
		  size_t errsz);
/* A PEM file read by pki_pair_check: name in the directory dfd, never followed (AT_FDCWD:
 * name is a path of this machine), shown as show in messages; or, with text set, the PEM
 * text[0..len) itself (install --settings: certificates that never were a file here). */
struct pki_pem_at {
	int dfd;
	const char *name, *show;
	const char *text;
	size_t len;
};
/* pki_byo_check of three PEM sources (ca, cert, key). */
int pki_byo_check_at(const struct pki_pem_at f[3], char *err, size_t errsz);
/* Any pair in place (a server's, a client's, the CA's own with cert == ca): the
 * certificate was issued by the CA (its issuer name, and a signature that verifies with
 * the CA's key) and key is its key. 0, DD_EXIT_USAGE when a file cannot be read as what
 * it should be, or DD_EXIT_VERIFY when they do not belong together; err names the file
 * and the problem. For what is installed: status, certs check, client-bundle. */
int pki_pair_check(const struct pki_pem_at *ca, const struct pki_pem_at *cert,
		   const struct pki_pem_at *key, char *err, size_t errsz);

#endif
