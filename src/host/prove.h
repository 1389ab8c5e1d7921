/* Proving the daemon works: its unix socket answers /_ping, and its TCP port completes a
 * mutual-TLS handshake with the client certificate (the server's certificate checked
 * against the CA and for the IP 127.0.0.1) and answers /version. Install and status share
 * these. */
#ifndef DD_HOST_PROVE_H
#define DD_HOST_PROVE_H

#include <stddef.h>

#include "host/initsys.h"

/* Wait up to wait_ms for /var/run/docker.sock to answer /_ping, giving up at once when
 * init no longer reports the docker service active; then read the engine version from
 * /version. 0, or DD_EXIT_FAIL with err. */
int dd_probe_socket(enum dd_init init, int wait_ms, char *version, size_t vcap, char *err,
		    size_t errsz);
/* GET https://127.0.0.1:PORT/version with /etc/dockdrop/client's certificate. 0,
 * DD_EXIT_VERIFY (the server's certificate refused) or DD_EXIT_FAIL, with err. */
int dd_probe_tls(unsigned port, char *version, size_t vcap, char *err, size_t errsz);

#endif
