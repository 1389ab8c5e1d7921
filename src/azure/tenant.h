/* The VM's tenant certificate and key, as the Azure agent leaves them: DIR/THUMB.crt and
 * DIR/THUMB.prv, THUMB the certificate's SHA-1 thumbprint in upper-case hex, PEM with
 * "Bag Attributes" text before it (AZURE.md 9.1). Loading checks the thumbprint against
 * the certificate's DER and the key against the certificate; validity dates are not
 * checked (Azure's own test certificates are long expired). */
#ifndef DD_AZURE_TENANT_H
#define DD_AZURE_TENANT_H

#include <stddef.h>

#include "pki/cert.h"
#include "pki/key.h"
#include "pki/x509.h"

struct dd_az_tenant {
	char thumb[41];			/* upper case */
	struct pki_cert cert;		/* points into der */
	struct pki_key key;		/* secret: dd_az_tenant_wipe */
	unsigned char der[PKI_CERT_MAX];
};

/* 0, or -1 with one line in err. */
int dd_az_tenant_load(struct dd_az_tenant *t, const char *thumb, const char *dir, char *err,
		      size_t errsz);
void dd_az_tenant_wipe(struct dd_az_tenant *t);

#endif
