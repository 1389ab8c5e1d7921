/* host/hostaddr: which interface addresses are the host's own (a table: interface name,
 * flags, address, the daemon's subnets), subnet parsing, the bridge subnets of a real
 * GET /networks answer; and pki/sanset: a certificate's names compared as a set with the
 * names asked for, and the one-line reason when they differ. */
#include "t.h"

#include <net/if.h>

#include "host/hostaddr.h"
#include "pki/sanset.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct dd_ifaddr ifa(const char *name, unsigned flags, const char *addr, int temp)
{
	struct dd_ifaddr a = { name, flags, temp, { 0 } };

	CHECKF(pki_san_parse(addr, &a.addr) == 0 && a.addr.ip, "%s parses as an address", addr);
	return a;
}

TEST(own_addresses)
{
	static const struct {
		const char *ifname;
		unsigned flags;
		const char *addr;
		int temp, own;
	} cases[] = {
		{ "eth0", IFF_UP | IFF_RUNNING, "10.0.0.5", 0, 1 },
		{ "eth0", IFF_UP | IFF_RUNNING, "2001:db8::5", 0, 1 },
		{ "eth0", IFF_UP, "10.0.0.5", 0, 1 },			/* no carrier: still the host's */
		{ "eth1", IFF_RUNNING, "10.0.1.5", 0, 0 },		/* down */
		{ "eth1", 0, "10.0.1.5", 0, 0 },
		{ "lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING, "127.0.0.1", 0, 1 },
		{ "eth0", IFF_UP | IFF_RUNNING, "169.254.169.254", 0, 0 },	/* link-local */
		{ "eth0", IFF_UP | IFF_RUNNING, "169.253.255.255", 0, 1 },
		{ "eth0", IFF_UP | IFF_RUNNING, "169.255.0.1", 0, 1 },
		{ "eth0", IFF_UP | IFF_RUNNING, "fe80::1", 0, 0 },
		{ "eth0", IFF_UP | IFF_RUNNING, "febf::1", 0, 0 },		/* still fe80::/10 */
		{ "eth0", IFF_UP | IFF_RUNNING, "fec0::1", 0, 1 },
		{ "eth0", IFF_UP | IFF_RUNNING, "2001:db8::a1b2", 1, 0 },	/* temporary */
		{ "docker0", IFF_UP | IFF_RUNNING, "172.17.0.1", 0, 0 },
		{ "docker0", IFF_UP, "172.17.0.1", 0, 0 },
		{ "docker_gwbridge", IFF_UP, "172.18.0.1", 0, 0 },
		{ "br-0123456789ab", IFF_UP | IFF_RUNNING, "172.19.0.1", 0, 0 },
		{ "br-0123456789ab", IFF_UP, "fd00:dead::1", 0, 0 },
		{ "br-ex", IFF_UP | IFF_RUNNING, "203.0.113.7", 0, 1 },		/* an operator's bridge */
		{ "br-0123456789AB", IFF_UP, "10.2.0.1", 0, 1 },		/* not docker's form */
		{ "br-0123456789abc", IFF_UP, "10.2.0.1", 0, 1 },
		{ "br0", IFF_UP | IFF_RUNNING, "192.168.1.10", 0, 1 },
		{ "veth1a2b3c4", IFF_UP | IFF_RUNNING, "10.99.0.1", 0, 0 },
		{ "cni0", IFF_UP, "10.244.0.1", 0, 0 },
		{ "cni-podman0", IFF_UP, "10.88.0.1", 0, 0 },
		{ "podman1", IFF_UP, "10.89.0.1", 0, 0 },
		{ "flannel.1", IFF_UP, "10.244.0.0", 0, 0 },
		{ "cali12345", IFF_UP, "10.1.1.1", 0, 0 },
		{ "cilium_host", IFF_UP, "10.0.9.1", 0, 0 },
		{ "kube-ipvs0", IFF_UP, "10.96.0.1", 0, 0 },
		{ "virbr0", IFF_UP, "192.168.122.1", 0, 0 },
		{ "lxdbr0", IFF_UP, "10.10.10.1", 0, 0 },
		{ "dockerX", IFF_UP, "10.3.0.1", 0, 1 },
		{ "mybridge", IFF_UP, "172.30.0.1", 0, 0 },	/* inside the daemon's 172.30/16 */
		{ "mybridge", IFF_UP, "172.31.0.1", 0, 1 },
		{ "eth0", IFF_UP, "192.168.50.1", 0, 0 },	/* inside 192.168.50.0/25 */
		{ "eth0", IFF_UP, "192.168.50.128", 0, 1 },	/* outside it */
		{ "eth0", IFF_UP, "fd12:3456::9", 0, 0 },	/* inside fd12:3456::/64 */
		{ "eth0", IFF_UP, "fd12:3457::9", 0, 1 },
	};
	struct dd_subnet skip[3];

	CHECK(dd_subnet_parse("172.30.0.0/16", &skip[0]) == 0);
	CHECK(dd_subnet_parse("192.168.50.0/25", &skip[1]) == 0);
	CHECK(dd_subnet_parse("fd12:3456::/64", &skip[2]) == 0);
	for (unsigned i = 0; i < N(cases); i++) {
		struct dd_ifaddr a = ifa(cases[i].ifname, cases[i].flags, cases[i].addr, cases[i].temp);

		CHECKF(dd_hostaddr_own(&a, skip, 3) == cases[i].own, "%s %s flags %#x temp %d: want %d",
		       cases[i].ifname, cases[i].addr, cases[i].flags, cases[i].temp, cases[i].own);
	}
	/* A daemon that is down leaves only the names to decide. */
	struct dd_ifaddr m = ifa("mybridge", IFF_UP, "172.30.0.1", 0);

	CHECK(dd_hostaddr_own(&m, NULL, 0) == 1);
}

TEST(subnets)
{
	static const struct {
		const char *text;
		int ok;
		unsigned alen, prefix;
	} cases[] = {
		{ "172.17.0.0/16", 0, 4, 16 }, { "10.0.0.0/8", 0, 4, 8 },   { "0.0.0.0/0", 0, 4, 0 },
		{ "10.1.2.3/32", 0, 4, 32 },   { "fd00::/64", 0, 16, 64 }, { "::/0", 0, 16, 0 },
		{ "2001:db8::1/128", 0, 16, 128 },
		{ "10.0.0.0/33", -1, 0, 0 },   { "fd00::/129", -1, 0, 0 }, { "10.0.0.0", -1, 0, 0 },
		{ "10.0.0.0/", -1, 0, 0 },     { "10.0.0.0/-1", -1, 0, 0 }, { "10.0.0.0/ 8", -1, 0, 0 },
		{ "10.0.0.0/8x", -1, 0, 0 },   { "/8", -1, 0, 0 },         { "example/8", -1, 0, 0 },
		{ "", -1, 0, 0 },
	};

	for (unsigned i = 0; i < N(cases); i++) {
		struct dd_subnet s;
		int rc = dd_subnet_parse(cases[i].text, &s);

		CHECKF(rc == cases[i].ok, "'%s': rc %d", cases[i].text, rc);
		if (rc == 0)
			CHECKF(s.alen == cases[i].alen && s.prefix == cases[i].prefix, "'%s': %u/%u",
			       cases[i].text, s.alen, s.prefix);
	}
}

/* Trimmed from a real dockerd 20.10 answer: the default bridge, a user bridge with two
 * configs, host and none without subnets, a macvlan on the LAN (the host's own: kept). */
static const char NETWORKS[] =
	"[{\"Name\":\"bridge\",\"Id\":\"4f0d\",\"Driver\":\"bridge\",\"IPAM\":{\"Driver\":\"default\","
	"\"Options\":null,\"Config\":[{\"Subnet\":\"172.17.0.0/16\",\"Gateway\":\"172.17.0.1\"}]}},"
	"{\"Name\":\"host\",\"Driver\":\"host\",\"IPAM\":{\"Driver\":\"default\",\"Config\":[]}},"
	"{\"Name\":\"none\",\"Driver\":\"null\",\"IPAM\":{\"Driver\":\"default\",\"Config\":null}},"
	"{\"Name\":\"lan\",\"Driver\":\"macvlan\",\"IPAM\":{\"Config\":[{\"Subnet\":\"192.168.1.0/24\"}]}},"
	"{\"Name\":\"app\",\"Driver\":\"bridge\",\"IPAM\":{\"Config\":[{\"Subnet\":\"172.18.0.0/16\"},"
	"{\"Subnet\":\"fd00:1::/64\"},{\"Gateway\":\"10.9.9.9\"},{\"Subnet\":\"nonsense\"}]}}]";

TEST(daemon_networks)
{
	static const struct {
		const char *body;
		unsigned n;
	} cases[] = {
		{ NETWORKS, 3 },
		{ "[]", 0 },
		{ "{\"message\":\"page not found\"}", 0 },
		{ "[{\"Driver\":\"bridge\",\"IPAM\":{\"Config\":{\"Subnet\":\"10.0.0.0/8\"}}}]", 0 },
		{ "[{\"Driver\":\"bridge\",\"IPAM\":null}]", 0 },
		{ "[{\"Driver\":1,\"IPAM\":{\"Config\":[{\"Subnet\":\"10.0.0.0/8\"}]}}]", 0 },
		{ "[{\"Driver\":\"bridge\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.0.0.0/8\"}]", 0 },
		{ "not json", 0 },
		{ "", 0 },
	};
	struct dd_subnet s[DD_SUBNETS_MAX];

	for (unsigned i = 0; i < N(cases); i++) {
		unsigned n = dd_hostaddr_parse_networks(cases[i].body, strlen(cases[i].body), s, DD_SUBNETS_MAX);

		CHECKF(n == cases[i].n, "case %u: %u subnets", i, n);
	}
	CHECK(dd_hostaddr_parse_networks(NETWORKS, strlen(NETWORKS), s, DD_SUBNETS_MAX) == 3);
	CHECK(s[0].alen == 4 && s[0].prefix == 16 && s[0].addr[0] == 172 && s[0].addr[1] == 17);
	CHECK(s[1].alen == 4 && s[1].addr[1] == 18);
	CHECK(s[2].alen == 16 && s[2].prefix == 64);
	CHECK(dd_hostaddr_parse_networks(NETWORKS, strlen(NETWORKS), s, 2) == 2);	/* bounded */
}

/* "a b c" into a SAN list. */
static unsigned sans(const char *text, struct pki_san *out)
{
	char buf[512], *save, *w;
	unsigned n = 0;

	snprintf(buf, sizeof buf, "%s", text);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		CHECKF(pki_san_parse(w, &out[n]) == 0, "'%s' parses", w);
		n++;
	}
	return n;
}

TEST(san_sets)
{
	static const struct {
		const char *want, *have;
		int equal;
		const char *why;
	} cases[] = {
		{ "vm localhost 127.0.0.1 ::1", "vm localhost 127.0.0.1 ::1", 1, "" },
		{ "vm localhost 127.0.0.1", "127.0.0.1 localhost vm", 1, "" },		/* order */
		{ "vm VM.example", "vm.example vm", 1, "" },				/* case */
		{ "vm vm 127.0.0.1", "vm 127.0.0.1 127.0.0.1", 1, "" },			/* repeats */
		{ "::1", "0:0:0:0:0:0:0:1", 1, "" },
		{ "", "", 1, "" },
		{ "vm 10.0.0.5", "vm", 0, "name 10.0.0.5 added" },
		{ "vm", "vm old.example", 0, "name old.example removed" },
		{ "vm 10.0.0.5", "vm old.example", 0, "name 10.0.0.5 added, name old.example removed" },
		{ "vm 172.17.0.1", "vm", 0, "name 172.17.0.1 added" },
		{ "vm", "vm 172.17.0.1 172.18.0.1", 0, "name 172.17.0.1 removed, name 172.18.0.1 removed" },
		{ "10.0.0.5", "10.0.0.6", 0, "name 10.0.0.5 added, name 10.0.0.6 removed" },
		{ "a.example", "10.0.0.5", 0, "name a.example added, name 10.0.0.5 removed" },
	};
	struct pki_san w[16], h[16];
	char why[256];

	for (unsigned i = 0; i < N(cases); i++) {
		unsigned nw = sans(cases[i].want, w), nh = sans(cases[i].have, h);
		int eq = pki_san_set_equal(w, nw, h, nh, why, sizeof why);

		CHECKF(eq == cases[i].equal && strcmp(why, cases[i].why) == 0, "want '%s' have '%s': %d '%s'",
		       cases[i].want, cases[i].have, eq, why);
	}
}

/* The reason is one bounded line: cut short with ", ..." rather than overrun. */
TEST(san_set_reason_bounded)
{
	static struct pki_san w[PKI_SAN_MAX], h[1];
	char why[64], big[4096];

	for (unsigned i = 0; i < PKI_SAN_MAX; i++) {
		char name[32];

		snprintf(name, sizeof name, "host%02u.example", i);
		CHECK(pki_san_parse(name, &w[i]) == 0);
	}
	CHECK(pki_san_parse("vm", &h[0]) == 0);
	memset(why, 'x', sizeof why);
	CHECK(pki_san_set_equal(w, PKI_SAN_MAX, h, 1, why, sizeof why) == 0);
	CHECKF(strlen(why) < sizeof why && strcmp(why + strlen(why) - 5, ", ...") == 0, "'%s'", why);
	CHECK(strncmp(why, "name host00.example added, ", 27) == 0);
	CHECK(pki_san_set_equal(w, PKI_SAN_MAX, h, 1, big, sizeof big) == 0);
	CHECKF(strstr(big, "name host63.example added, name vm removed") != NULL, "'%s'", big);
	CHECK(pki_san_set_equal(w, 1, w, 1, why, 1) == 1 && why[0] == 0);
	CHECK(pki_san_set_equal(w, 2, w, 1, why, 3) == 0 && strlen(why) < 3);
}

int main(void)
{
	RUN(own_addresses);
	RUN(subnets);
	RUN(daemon_networks);
	RUN(san_sets);
	RUN(san_set_reason_bounded);
	T_EXIT();
}
