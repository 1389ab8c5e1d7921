#include "host/hostaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/paths.h"
#include "net/http.h"
#include "util/io.h"
#include "util/jsontext.h"
#include "util/log.h"

/* Interfaces that container runtimes make and remove as they are used; their addresses
 * are reached from containers, never the host's identity. A trailing '*': the name starts
 * so (a mark in the string, not a pointer and an int each: 0.1 KB less of the stub). */
static const char *const runtime_ifs[] = {
	"docker0", "docker_gwbridge",	/* Docker, Swarm */
	"veth*",			/* the host end of a container's link */
	"cni*", "podman*",		/* CNI bridges (cni0, cni-podman0), podman */
	"flannel*", "cali*",		/* Kubernetes network plugins */
	"cilium_*", "vxlan.calico", "weave",
	"kube-ipvs0",			/* a dummy holding every service IP */
	"lxcbr0", "lxdbr0", "virbr*",	/* LXC, LXD, libvirt NAT */
};

/* Docker names a user network's bridge "br-" and the first 12 hex digits of the network
 * id. Only that form: "br-ex", "br-lan" are an operator's bridges (OpenStack's br-ex holds
 * the host's public address). */
static int docker_bridge(const char *name)
{
	if (strncmp(name, "br-", 3) != 0 || strlen(name) != 15)
		return 0;
	for (unsigned i = 3; i < 15; i++)
		if (!strchr("0123456789abcdef", name[i]))
			return 0;
	return 1;
}

static int runtime_owned(const char *name)
{
	for (unsigned i = 0; i < sizeof runtime_ifs / sizeof runtime_ifs[0]; i++) {
		const char *r = runtime_ifs[i];
		size_t n = strlen(r);

		if (r[n - 1] == '*' ? strncmp(name, r, n - 1) == 0 : strcmp(name, r) == 0)
			return 1;
	}
	return docker_bridge(name);
}

static int link_local(const struct pki_san *a)
{
	if (a->alen == 4)
		return a->addr[0] == 169 && a->addr[1] == 254;		/* 169.254/16 */
	return a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80;	/* fe80::/10 */
}

static int inside(const struct pki_san *a, const struct dd_subnet *s)
{
	unsigned full = s->prefix / 8, rest = s->prefix % 8;

	if (a->alen != s->alen || s->prefix > s->alen * 8)
		return 0;
	if (memcmp(a->addr, s->addr, full) != 0)
		return 0;
	return rest == 0 || ((a->addr[full] ^ s->addr[full]) & (0xff00 >> rest) & 0xff) == 0;
}

/* An interface counts when it is up (IFF_UP), running (IFF_RUNNING) or not: IFF_RUNNING
 * is the carrier, which comes and goes with a cable, a Wi-Fi roam or a bridge without a
 * port yet while the address stays the host's, and following it would re-issue the
 * certificate (and restart dockerd) on a carrier flap. Down is the operator's "not in use". */
int dd_hostaddr_own(const struct dd_ifaddr *a, const struct dd_subnet *skip, unsigned nskip)
{
	if (!(a->ifflags & IFF_UP) || !a->addr.ip || (a->addr.alen != 4 && a->addr.alen != 16))
		return 0;
	if (runtime_owned(a->ifname) || link_local(&a->addr) || a->temporary)
		return 0;
	for (unsigned i = 0; i < nskip; i++)
		if (inside(&a->addr, &skip[i]))
			return 0;
	return 1;
}

int dd_subnet_parse(const char *text, struct dd_subnet *s)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	char *end;
	unsigned long p;

	memset(s, 0, sizeof *s);
	if (!slash || (size_t)(slash - text) >= sizeof ip || !slash[1])
		return -1;
	memcpy(ip, text, (size_t)(slash - text));
	ip[slash - text] = 0;
	if (inet_pton(AF_INET, ip, s->addr) == 1)
		s->alen = 4;
	else if (inet_pton(AF_INET6, ip, s->addr) == 1)
		s->alen = 16;
	else
		return -1;
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	p = strtoul(slash + 1, &end, 10);
	if (*end || p > s->alen * 8)
		return -1;
	s->prefix = (unsigned)p;
	return 0;
}

/* Only bridge networks: a macvlan or ipvlan network's subnet is the host's own LAN, and
 * the host's address in it is its identity. */
unsigned dd_hostaddr_parse_networks(const char *body, size_t n, struct dd_subnet *out,
				    unsigned max)
{
	struct dd_json_iter nets, cfgs;
	const char *key, *net, *v, *cfg;
	size_t kn, netn, vn, cfgn;
	char sub[64];
	unsigned k = 0;

	if (dd_json_check(body, n, 32, NULL) != 0 || dd_json_array(&nets, body, n) != 0)
		return 0;
	while (dd_json_next(&nets, &key, &kn, &net, &netn)) {
		if (!dd_json_member(net, netn, "Driver", &v, &vn) || *v != '"' ||
		    !dd_json_str_is(v, vn, "bridge", 6) || !dd_json_member(net, netn, "IPAM", &v, &vn) ||
		    !dd_json_member(v, vn, "Config", &v, &vn) || dd_json_array(&cfgs, v, vn) != 0)
			continue;
		while (dd_json_next(&cfgs, &key, &kn, &cfg, &cfgn))
			if (k < max && dd_json_member(cfg, cfgn, "Subnet", &v, &vn) && *v == '"' &&
			    dd_json_unquote(v, vn, sub, sizeof sub) >= 0 && dd_subnet_parse(sub, &out[k]) == 0)
				k++;
	}
	return k;
}

unsigned dd_hostaddr_daemon_subnets(struct dd_subnet *out, unsigned max)
{
	/* filters={"driver":{"bridge":true}}: a short answer even with many networks */
	static const char path[] = "/networks?filters=%7B%22driver%22%3A%7B%22bridge%22%3Atrue%7D%7D";
	static struct dd_http_resp r;
	char err[256];

	if (dd_http_unix_get(DD_DOCKER_SOCK, path, 3000, &r, err, sizeof err) != 0) {
		dd_debug("discovery: no docker networks to leave out (%s)", err);
		return 0;
	}
	if (r.status != 200) {
		dd_debug("discovery: GET /networks answered %d", r.status);
		return 0;
	}
	return dd_hostaddr_parse_networks(r.body, r.body_len, out, max);
}

static void add_text(struct pki_san *list, unsigned *n, unsigned cap, const char *text)
{
	struct pki_san s;

	if (*n < cap && pki_san_parse(text, &s) == 0)
		pki_san_add(list, n, &s);
}

/* The first name with a dot on an /etc/hosts line that names host: no DNS, no waiting. */
static void fqdn(const char *host, struct pki_san *list, unsigned *n, unsigned cap)
{
	struct dd_lines l = { .fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC) };
	char *line;

	while ((line = dd_lines_next(&l))) {
		char *save, *w, *names[16];
		int k = 0, hit = 0;

		if ((w = strchr(line, '#')))
			*w = 0;
		if (!strtok_r(line, " \t", &save))
			continue;
		while (k < 16 && (w = strtok_r(NULL, " \t", &save))) {
			hit |= strcmp(w, host) == 0 || (strncmp(w, host, strlen(host)) == 0 &&
							 w[strlen(host)] == '.');
			names[k++] = w;
		}
		for (int i = 0; hit && i < k; i++)
			if (strchr(names[i], '.') && strncmp(names[i], host, strlen(host)) == 0)
				add_text(list, n, cap, names[i]);
	}
}

struct found {
	struct pki_san *list;
	unsigned *n, cap, nskip;
	const struct dd_subnet *skip;
};

static void found(const struct dd_ifaddr *a, void *ctx)
{
	struct found *f = ctx;

	if (*f->n >= f->cap)
		return;
	if (dd_hostaddr_own(a, f->skip, f->nskip))
		pki_san_add(f->list, f->n, &a->addr);
	else if (dd_log_verbosity() >= DD_VERBOSE) {
		char text[INET6_ADDRSTRLEN];

		pki_san_format(&a->addr, text, sizeof text);
		dd_debug("discovery: %s on %s left out (not the host's own)", text, a->ifname);
	}
}

static void interfaces(struct pki_san *list, unsigned *n, unsigned cap)
{
	static struct dd_subnet skip[DD_SUBNETS_MAX];
	struct found f = { list, n, cap, dd_hostaddr_daemon_subnets(skip, DD_SUBNETS_MAX), skip };

	if (dd_ifaddrs(found, &f) != 0)
		dd_debug("discovery: the interface addresses: %m");
}

void dd_hostaddr_sans(struct pki_san *list, unsigned *n, unsigned cap)
{
	char host[256];

	if (cap > PKI_SAN_MAX)
		cap = PKI_SAN_MAX;
	if (gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = 0;
		add_text(list, n, cap, host);
		if (!strchr(host, '.'))
			fqdn(host, list, n, cap);
	}
	add_text(list, n, cap, "localhost");
	add_text(list, n, cap, "127.0.0.1");
	add_text(list, n, cap, "::1");
	interfaces(list, n, cap);
}
