/* The host's interface addresses, from the kernel over rtnetlink. */
#ifndef DD_NET_IFADDR_H
#define DD_NET_IFADDR_H

#include "pki/cert.h"

/* One interface address. */
struct dd_ifaddr {
	const char *ifname;
	unsigned ifflags;	/* IFF_* of the interface */
	int temporary;		/* IPv6 privacy address (IFA_F_TEMPORARY): rotates daily */
	struct pki_san addr;	/* ip set, alen 4 or 16 */
};

/* Calls fn for every IPv4 and IPv6 address of every interface (a and its name last until
 * fn returns). 0 when all were seen, or -1 with errno when the kernel could not be asked
 * or answered amiss (fn may have seen some). */
int dd_ifaddrs(void (*fn)(const struct dd_ifaddr *a, void *ctx), void *ctx);

#endif
