/* Checking registry credentials the way `docker login` does, before anything is written:
 * GET https://HOST/v2/ with "Authorization: Basic AUTH" over TLS (server authentication
 * only: the anchors the caller loaded, the name checked against the certificate's SANs).
 * 200: accepted. 401 with "WWW-Authenticate: Bearer realm=...": the token request to the
 * realm (https only; on another host too, as Docker Hub's auth.docker.io is, since the
 * registry that names it already has the credentials) with the same Basic credentials,
 * whose 200 accepts them. */
#ifndef DD_WORKLOAD_REGISTRY_H
#define DD_WORKLOAD_REGISTRY_H

#include <stddef.h>

#include "net/tls.h"

/* Not an exit code: the registry could not be reached (no such name, no route, refused,
 * no answer in time), so nothing was checked. */
#define DD_REGISTRY_UNREACHABLE 100

/* host: "name[:port]" or "[v6]:port" (dockercfg.h); auth: base64("USER:PASS"); user for
 * the token request. 0 accepted; DD_EXIT_FAIL refused (401/403) or any other failure;
 * DD_EXIT_VERIFY when the server's certificate is not trusted or does not name host;
 * DD_REGISTRY_UNREACHABLE. err says why (never the credentials). */
int dd_registry_check(const struct dd_tls_anchors *ta, const char *host, const char *user,
		      const char *auth, int timeout_ms, char *err, size_t errsz);

#endif
