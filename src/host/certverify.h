/* The installed certificates checked as their users will use them: each key is the key
 * of its certificate, each leaf was issued by the CA (its issuer name and a signature that
 * verifies), and the copies of ca.pem beside the leaves are the CA's. A kill between the
 * two renames of a pair (pki/ca.c) or a file changed by hand shows here, named in one
 * line; install mends it (it issues the pair again, or copies --certs again). */
#ifndef DD_HOST_CERTVERIFY_H
#define DD_HOST_CERTVERIFY_H

#include "host/certs.h"

/* For each present certificate of cs (from dd_certs_status), a problem found here takes
 * the place of an expiry note in cs[i].problem. */
void dd_certs_verify(struct dd_cert_status *cs, unsigned n);

#endif
