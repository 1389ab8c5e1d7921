/* net/ifaddr (the host's addresses over rtnetlink) against getifaddrs and
 * /proc/net/if_inet6 on this machine: the same addresses on the same interfaces, with the
 * same IFF_UP and IPv6 temporary flags. tests/e2e/inside.sh shows the same through install
 * on made interfaces (an IPv4, an IPv6 with temporaries beside it). */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <sched.h>
#include <sys/wait.h>
#include <net/if.h>
#include <netinet/in.h>

#include "t.h"

#include "net/ifaddr.h"

#define MAX 256

struct row {
	char name[IF_NAMESIZE];
	unsigned up, alen;
	int temporary;
	unsigned char addr[16];
};

static struct row ours[MAX], theirs[MAX];
static unsigned n_ours, n_theirs;

static void add(const struct dd_ifaddr *a, void *ctx)
{
	(void)ctx;
	if (n_ours < MAX) {
		struct row *r = &ours[n_ours++];

		snprintf(r->name, sizeof r->name, "%s", a->ifname);
		r->up = a->ifflags & IFF_UP;
		r->alen = a->addr.alen;
		r->temporary = a->temporary;
		memcpy(r->addr, a->addr.addr, a->addr.alen);
	}
}

/* IFA_F_TEMPORARY from /proc/net/if_inet6: "ADDR IFINDEX PREFIXLEN SCOPE FLAGS NAME". */
static int temporary(const unsigned char addr[16])
{
	char hex[40], want[40];
	unsigned idx, plen, scope, flags;
	FILE *f = fopen("/proc/net/if_inet6", "re");
	int t = 0;

	for (int i = 0; i < 16; i++)
		snprintf(want + 2 * i, 3, "%02x", addr[i]);
	while (f && fscanf(f, "%32s %x %x %x %x %*s", hex, &idx, &plen, &scope, &flags) == 5)
		if (strcmp(hex, want) == 0)
			t = flags & 0x01;
	if (f)
		fclose(f);
	return t;
}

static int same(const struct row *a, const struct row *b)
{
	return strcmp(a->name, b->name) == 0 && a->up == b->up && a->alen == b->alen &&
	       a->temporary == b->temporary && memcmp(a->addr, b->addr, a->alen) == 0;
}

TEST(as_getifaddrs)
{
	struct ifaddrs *ifs, *i;

	n_ours = n_theirs = 0;
	CHECK(dd_ifaddrs(add, NULL) == 0);
	CHECK(getifaddrs(&ifs) == 0);
	for (i = ifs; i && n_theirs < MAX; i = i->ifa_next) {
		struct row *r = &theirs[n_theirs];
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : 0;

		if (fam != AF_INET && fam != AF_INET6)
			continue;
		n_theirs++;
		snprintf(r->name, sizeof r->name, "%s", i->ifa_name);
		r->up = i->ifa_flags & IFF_UP;
		r->alen = fam == AF_INET ? 4 : 16;
		memcpy(r->addr, fam == AF_INET ? (void *)&((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr
					   : (void *)&((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr,
		       r->alen);
		r->temporary = fam == AF_INET6 && temporary(r->addr);
	}
	freeifaddrs(ifs);
	CHECKF(n_ours == n_theirs && n_ours > 0, "%u addresses, getifaddrs %u", n_ours, n_theirs);
	for (unsigned k = 0; k < n_ours; k++) {
		unsigned hit = 0;
		char text[INET6_ADDRSTRLEN];

		for (unsigned j = 0; j < n_theirs; j++)
			hit += same(&ours[k], &theirs[j]);
		inet_ntop(ours[k].alen == 4 ? AF_INET : AF_INET6, ours[k].addr, text, sizeof text);
		CHECKF(hit == 1, "%s on %s (up %u, temporary %d): %u in getifaddrs", text,
		       ours[k].name, ours[k].up, ours[k].temporary, hit);
	}
}

static const struct row *find(const char *text)
{
	unsigned char a[16];
	unsigned alen = strchr(text, ':') ? 16 : 4;

	inet_pton(alen == 4 ? AF_INET : AF_INET6, text, a);
	for (unsigned k = 0; k < n_ours; k++)
		if (ours[k].alen == alen && memcmp(ours[k].addr, a, alen) == 0)
			return &ours[k];
	return NULL;
}

/* In a network namespace of its own, interfaces of each kind: an up veth with an address,
 * a point-to-point address (this end's, not the peer's), a veth left down, and where
 * IPv6 is on, an address whose temporary (privacy) addresses the kernel derives. */
static const char setup[] =
	"ip link set lo up && ip link add ddt0 type veth peer name ddt0p && "
	"ip link set ddt0 up && ip link set ddt0p up && ip addr add 10.66.0.1/24 dev ddt0 && "
	"ip addr add 10.66.1.1 peer 10.66.1.2 dev ddt0 && ip link add ddt1 type veth peer name ddt1p && "
	"ip addr add 10.66.2.1/24 dev ddt1 && "
	"{ ! [ -w /proc/sys/net/ipv6/conf/ddt0/use_tempaddr ] || "
	"{ echo 2 >/proc/sys/net/ipv6/conf/ddt0/use_tempaddr && "
	"ip addr add 2001:db8:66::1/64 dev ddt0 mngtmpaddr nodad; }; }";

TEST(made_interfaces)
{
	const struct row *r;
	unsigned temps = 0;

	CHECK(system(setup) == 0);
	as_getifaddrs();
	CHECK((r = find("10.66.0.1")) && strcmp(r->name, "ddt0") == 0 && r->up);
	CHECK((r = find("10.66.1.1")) && strcmp(r->name, "ddt0") == 0 && !find("10.66.1.2"));
	CHECK((r = find("10.66.2.1")) && strcmp(r->name, "ddt1") == 0 && !r->up);
	if (access("/proc/sys/net/ipv6/conf/ddt0/use_tempaddr", W_OK) == 0) {
		CHECK((r = find("2001:db8:66::1")) && !r->temporary);
		for (unsigned k = 0; k < n_ours; k++)
			temps += ours[k].temporary && memcmp(ours[k].addr, "\x20\x01\x0d\xb8\0\x66", 6) == 0;
		CHECKF(temps >= 1, "%u temporary addresses", temps);
	}
}

int main(void)
{
	pid_t pid;
	int st;

	RUN(as_getifaddrs);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) != 0) {
			printf("skip - made_interfaces: no network namespace of its own (%s)\n", strerror(errno));
			exit(0);
		}
		RUN(made_interfaces);
		exit(t_any_failed);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("not ok - made_interfaces: status %d\n", pid < 0 ? -1 : st);
		t_any_failed = 1;
	}
	T_EXIT();
}
