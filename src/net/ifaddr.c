/* An RTM_GETADDR dump gives each address with its flags (IFA_F_TEMPORARY among them) and
 * its interface's index; SIOCGIFNAME and SIOCGIFFLAGS give the interface's name and IFF_
 * flags. In place of getifaddrs, which does not give address flags (so /proc/net/if_inet6
 * had to be read beside it) and with its netlink code and allocations was 2.5 KB of the
 * stub. */
#include "net/ifaddr.h"

#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* The kernel's netlink ABI (linux/netlink.h, linux/rtnetlink.h, linux/if_addr.h): musl's
 * headers do not carry it, and the build does not reach the kernel's. */
struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type, nlmsg_flags;
	uint32_t nlmsg_seq, nlmsg_pid;
};
struct nlmsgerr {
	int error;
	struct nlmsghdr msg;
};
struct ifaddrmsg {
	uint8_t ifa_family, ifa_prefixlen, ifa_flags, ifa_scope;
	uint32_t ifa_index;
};
struct rtattr {
	uint16_t rta_len, rta_type;
};
#define NETLINK_ROUTE 0
#define NLM_F_REQUEST 0x1
#define NLM_F_DUMP 0x300
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_FLAGS 8
#define IFA_F_TEMPORARY 0x01
/* Messages and attributes start on 4-byte boundaries. */
#define ALIGN4(n) (((size_t)(n) + 3) & ~(size_t)3)
#define NLMSG_HDRLEN ALIGN4(sizeof(struct nlmsghdr))

/* The kernel fills a dump part up to the size of the reader's buffer (32 KB at most), and
 * a part holds whole messages. A dump of 4096 parts is not one of this world: an error. */
#define PARTS 4096
#define SEQ 1

static void one(int fd, const struct nlmsghdr *h, void (*fn)(const struct dd_ifaddr *, void *),
		void *ctx)
{
	const struct ifaddrmsg *m = (const void *)((const char *)h + NLMSG_HDRLEN);
	size_t at = NLMSG_HDRLEN + ALIGN4(sizeof *m);
	unsigned alen = m->ifa_family == AF_INET ? 4 : m->ifa_family == AF_INET6 ? 16 : 0;
	const void *addr = NULL, *local = NULL;
	unsigned flags = m->ifa_flags;
	struct dd_ifaddr a;
	struct ifreq ifr;

	if (!alen || h->nlmsg_len < at)
		return;
	while (at + sizeof(struct rtattr) <= h->nlmsg_len) {
		const struct rtattr *rta = (const void *)((const char *)h + at);
		const void *data = rta + 1;
		size_t dlen;

		if (rta->rta_len < sizeof *rta || rta->rta_len > h->nlmsg_len - at)
			return;	/* a damaged attribute: nothing of this message is trusted */
		dlen = rta->rta_len - sizeof *rta;
		if (rta->rta_type == IFA_FLAGS && dlen == 4)
			memcpy(&flags, data, 4);
		else if (rta->rta_type == IFA_ADDRESS && dlen == alen)
			addr = data;
		else if (rta->rta_type == IFA_LOCAL && dlen == alen)
			local = data;
		at += ALIGN4(rta->rta_len);
	}
	/* On a point-to-point link IFA_ADDRESS is the peer's, IFA_LOCAL this end's. */
	if (local)
		addr = local;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_ifindex = (int)m->ifa_index;
	/* An interface gone since the dump was made has no name: its address is not ours. */
	if (!addr || ioctl(fd, SIOCGIFNAME, &ifr) != 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		return;
	memset(&a, 0, sizeof a);
	a.ifname = ifr.ifr_name;
	a.ifflags = (unsigned short)ifr.ifr_flags;
	a.temporary = alen == 16 && (flags & IFA_F_TEMPORARY);
	a.addr.ip = 1;
	a.addr.alen = alen;
	memcpy(a.addr.addr, addr, alen);
	fn(&a, ctx);
}

/* One part of the dump: 1 at its end, 0 to read on, -1 with errno. */
static int part(int fd, const char *p, size_t n, void (*fn)(const struct dd_ifaddr *, void *),
		void *ctx)
{
	const struct nlmsghdr *h;

	for (size_t at = 0; at + sizeof *h <= n; at += ALIGN4(h->nlmsg_len)) {
		h = (const void *)(p + at);
		if (h->nlmsg_len < sizeof *h || h->nlmsg_len > n - at) {
			errno = EIO;	/* cut short: the kernel never sends that */
			return -1;
		}
		if (h->nlmsg_seq != SEQ)
			continue;	/* not the answer to this request */
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = (const void *)((const char *)h + NLMSG_HDRLEN);

			errno = h->nlmsg_len >= NLMSG_HDRLEN + sizeof *e && e->error < 0 ? -e->error : EIO;
			return -1;
		}
		if (h->nlmsg_type == RTM_NEWADDR)
			one(fd, h, fn, ctx);
	}
	return 0;
}

int dd_ifaddrs(void (*fn)(const struct dd_ifaddr *a, void *ctx), void *ctx)
{
	static const struct {
		struct nlmsghdr h;
		struct ifaddrmsg m;
	} req = { { sizeof req, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, SEQ, 0 }, { AF_UNSPEC, 0, 0, 0, 0 } };
	static union {
		struct nlmsghdr h;	/* for its alignment */
		char b[16384];
	} buf;
	/* The kernel answers at once: a wait of seconds means no answer is coming. */
	static const struct timeval wait = { 5, 0 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), r = 0, e;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait) != 0 ||
	    send(fd, &req, sizeof req, 0) != (ssize_t)sizeof req)
		r = -1;
	for (int k = 0; r == 0 && k < PARTS; k++) {
		ssize_t n = recv(fd, &buf, sizeof buf, 0);

		if (n < 0 && errno == EINTR)
			continue;
		r = n > 0 ? part(fd, buf.b, (size_t)n, fn, ctx) : n == 0 ? (errno = EIO, -1) : -1;
	}
	e = r == 0 ? EIO : errno;
	close(fd);
	return r > 0 ? 0 : (errno = e, -1);
}
