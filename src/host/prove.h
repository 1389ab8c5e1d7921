/* Proving the daemon works: its unix socket answers /_ping, and its TCP port completes a
 * mutual-TLS handshake with the client certificate (the server's certificate checked
 * against the CA and for the IP 127.0.0.1) and answers /version. Install and status share
 * these. */
#ifndef DD_HOST_PROVE_H
#define DD_HOST_PROVE_H

#include <stddef.h>

#include "host/initsys.h"
#include "util/steptime.h"

/* Wait up to wait_ms for /var/run/docker.sock to answer /_ping, giving up at once when
 * init no longer reports the docker service active; then read the engine version from
 * /version. 0, or DD_EXIT_FAIL with err. */
int dd_probe_socket(enum dd_init init, int wait_ms, char *version, size_t vcap, char *err,
		    size_t errsz);
/* GET https://127.0.0.1:PORT/version with /etc/dockdrop/client's certificate. 0,
 * DD_EXIT_VERIFY (the server's certificate refused) or DD_EXIT_FAIL, with err. */
int dd_probe_tls(unsigned port, char *version, size_t vcap, char *err, size_t errsz);

/* Start and prove, the one sequence install, install --rollback and certs rotate share:
 * start the daemons through init (restart them when they run and changed is set; leave
 * them be when they run and it is not), wait for /_ping, then prove the TLS port unless
 * port is 0 (--no-tcp) or there is no client pair to prove it with (a warning says so).
 * Each step is one line on stdout unless quiet. 0, or an exit code with err and, in log,
 * the end of the daemon's log ("" when there is none). */
struct dd_prove_req {
	enum dd_init init;
	int changed;		/* the configuration or the engine changed: restart */
	unsigned port;		/* the TLS port, 0 for none */
	int client;		/* a client pair is installed */
	int quiet;
	struct dd_steptime *times;	/* the steps' times (install -v), or NULL */
};
int dd_prove_up(const struct dd_prove_req *r, char *version, size_t vcap, char *log,
		size_t logcap, char *err, size_t errsz);
/* The failure of dd_prove_up as the user sees it: "dockdrop: CMD: err", then the daemon's
 * log lines when there are any. */
void dd_prove_report(const char *cmd, const char *err, const char *log);

#endif
