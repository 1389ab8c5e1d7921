/* The host's own names and addresses: the server certificate's discovered SANs, one
 * discovery for install, certs rotate and `ca issue server --auto-san`.
 *
 * The set must not move with use of the machine (issue 11.2): a re-run after the daemon
 * made docker0, users made networks and containers came and went must find the same set,
 * or it re-issues the certificate and restarts dockerd. So an address is the host's own
 * only when it is on an interface that is up, is not link-local, is not an IPv6 temporary
 * (privacy) address, is not on an interface Docker or another container runtime owns, and
 * is not inside a bridge network the running daemon reports. */
#ifndef DD_HOST_HOSTADDR_H
#define DD_HOST_HOSTADDR_H

#include <stddef.h>

#include "net/ifaddr.h"
#include "pki/cert.h"

#define DD_SUBNETS_MAX 64

/* An address prefix: alen 4 or 16 bytes of addr, the first prefix bits significant. */
struct dd_subnet {
	unsigned alen;
	unsigned char addr[16];
	unsigned prefix;
};

/* The pure decision: is a an address of the host's own (1) or one that comes and goes
 * with use (0)? skip: the daemon's bridge subnets (none when it is down). */
int dd_hostaddr_own(const struct dd_ifaddr *a, const struct dd_subnet *skip, unsigned nskip);
/* "10.1.0.0/16", "fd00::/64" into s: 0, or -1 when it is not a prefix. */
int dd_subnet_parse(const char *text, struct dd_subnet *s);
/* The subnets of the bridge networks in a GET /networks answer (a JSON array): how many
 * were put in out (at most max). Not JSON, or not an array: 0. */
unsigned dd_hostaddr_parse_networks(const char *body, size_t n, struct dd_subnet *out,
				    unsigned max);
/* Ask the running daemon on /var/run/docker.sock for those subnets: how many; 0 when it
 * does not answer (then the interface names alone decide). */
unsigned dd_hostaddr_daemon_subnets(struct dd_subnet *out, unsigned max);
/* The discovered names, appended to list (n entries) while fewer than cap are there:
 * the host name, its FQDN from /etc/hosts, localhost, 127.0.0.1, ::1, then every own
 * interface address. */
void dd_hostaddr_sans(struct pki_san *list, unsigned *n, unsigned cap);

#endif
