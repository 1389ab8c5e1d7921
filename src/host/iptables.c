#include "host/iptables.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bundle/xtables.h"
#include "host/paths.h"
#include "host/probe.h"
#include "host/root.h"
#include "util/sort.h"

/* The kernel's struct ipt_getinfo / ip6t_getinfo (linux/netfilter_ipv4/ip_tables.h; the
 * same layout for IPv6), and IPT_SO_GET_INFO: musl ships no kernel headers. */
struct xt_getinfo {
	char name[32];
	unsigned valid_hooks, hook_entry[5], underflow[5], num_entries, size;
};
#define XT_SO_GET_INFO 64

/* The backend a host iptables program leads to: follow its links (alternatives) to the
 * multi-call program; NULL when they end elsewhere. */
const char *dd_iptables_host_prog(const char *abs)
{
	char cur[DD_PATH_MAX], t[DD_PATH_MAX];
	const char *base;

	snprintf(cur, sizeof cur, "%s", abs);
	for (int i = 0; i < 8 && dd_probe_readlink(cur, t, sizeof t) == 0; i++) {
		if (t[0] == '/') {
			snprintf(cur, sizeof cur, "%s", t);
		} else {
			char *slash = strrchr(cur, '/');

			if (!slash || (size_t)(slash - cur) + 1 + strlen(t) >= sizeof cur)
				return NULL;
			strcpy(slash + 1, t);
		}
	}
	base = strrchr(cur, '/');
	base = base ? base + 1 : cur;
	if (dd_strstr(base, "legacy"))
		return DD_XT_LEGACY;
	if (dd_strstr(base, "nft"))
		return DD_XT_NFT;
	return NULL;
}

/* 1 when the file abs of the target (host/root.h) contains needle. */
static int file_has(const char *abs, const char *needle)
{
	char buf[8192 + 64];
	size_t keep = 0, n = strlen(needle);
	ssize_t r;
	int fd, found = 0;

	if (n >= 64 || (fd = dd_root_open(abs, O_RDONLY, 0)) < 0)
		return 0;
	while (!found && (r = read(fd, buf + keep, sizeof buf - 1 - keep)) > 0) {
		size_t len = keep + (size_t)r;

		found = dd_memmem(buf, len, needle, n) != NULL;
		keep = len < n ? len : n - 1;
		memmove(buf, buf + len - keep, keep);
	}
	close(fd);
	return found;
}

/* 1 when the running kernel has the module: loaded, or built in or a module file. */
int dd_iptables_kernel_has(const char *mod)
{
	char p[DD_PATH_MAX], rel[128], mach[64], needle[64];

	snprintf(p, sizeof p, "/sys/module/%s", mod);
	if (dd_probe_sys_exists(p, 1))
		return 1;
	if (dd_probe_uname(rel, sizeof rel, mach, sizeof mach) != 0)
		return 0;
	snprintf(needle, sizeof needle, "/%s.ko", mod);
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof p, "/lib/modules/%s/modules.%s", rel, i ? "builtin" : "dep");
		if (file_has(p, needle))
			return 1;
	}
	return 0;
}

/* Entries of legacy tables beyond their built-in chains (one per hook and the final
 * error entry), summed over the tables the kernel lists: only tables that exist are
 * asked about, so no module is loaded. */
static unsigned legacy_rules(int family, const char *names_file)
{
	char names[512], *line, *save = NULL;
	unsigned n = 0;
	int fd;

	dd_probe_sys_read(names_file, names, sizeof names);
	if (!names[0] || (fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW)) < 0)
		return 0;
	for (line = strtok_r(names, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct xt_getinfo gi;
		socklen_t len = sizeof gi;
		unsigned builtin = 1;

		memset(&gi, 0, sizeof gi);
		snprintf(gi.name, sizeof gi.name, "%s", line);
		if (getsockopt(fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6, XT_SO_GET_INFO, &gi,
			       &len) != 0)
			continue;
		for (unsigned h = gi.valid_hooks; h; h &= h - 1)
			builtin++;
		if (gi.num_entries > builtin)
			n += gi.num_entries - builtin;
	}
	close(fd);
	return n;
}

int dd_iptables_host(char *out, size_t outsz)
{
	return dd_probe_find_prog("iptables", out, outsz) && !dd_probe_is_ours(out);
}

unsigned dd_iptables_legacy_rules(void)
{
	return legacy_rules(AF_INET, "/proc/net/ip_tables_names") +
	       legacy_rules(AF_INET6, "/proc/net/ip6_tables_names");
}

void dd_iptables_decide(const struct dd_iptables_facts *f, struct dd_iptables_choice *c)
{
	if (f->offline_root) {
		c->prog = DD_XT_NFT;
		snprintf(c->why, sizeof c->why, "nft: installing into --root, whose kernel is not this one");
	} else if (f->host) {
		/* Not a link to a multi-call program: an iptables from before nft (1.6). */
		c->prog = f->host_prog ? f->host_prog : DD_XT_LEGACY;
		snprintf(c->why, sizeof c->why, "%s: the backend of this host's %.100s",
			 dd_xt_backend(c->prog), f->host);
	} else if (!f->nf_tables && f->ip_tables) {
		c->prog = DD_XT_LEGACY;
		snprintf(c->why, sizeof c->why, "legacy: the kernel has ip_tables but no nf_tables");
	} else if (f->legacy_rules > 0) {
		c->prog = DD_XT_LEGACY;
		snprintf(c->why, sizeof c->why, "legacy: this host's legacy iptables tables hold %u rules or chains",
			 f->legacy_rules);
	} else {
		c->prog = DD_XT_NFT;
		snprintf(c->why, sizeof c->why, "nft: no legacy rules here, and nft is the default");
	}
	if (!strcmp(c->prog, DD_XT_NFT) && !f->nft_carried) {
		char was[sizeof c->why];

		memcpy(was, c->why, sizeof was);
		c->prog = DD_XT_LEGACY;
		snprintf(c->why, sizeof c->why, "legacy: the only backend carried (else %.150s)", was);
	}
}

void dd_iptables_choose(struct dd_iptables_choice *c, int nft_carried)
{
	char host[DD_PATH_MAX];
	struct dd_iptables_facts f = { .nft_carried = nft_carried };

	if ((f.offline_root = dd_root()[0] != 0) == 0) {
		if (dd_iptables_host(host, sizeof host)) {
			f.host = host;
			f.host_prog = dd_iptables_host_prog(host);
		}
		f.nf_tables = dd_iptables_kernel_has("nf_tables");
		f.ip_tables = dd_iptables_kernel_has("ip_tables");
		f.legacy_rules = dd_iptables_legacy_rules();
	}
	dd_iptables_decide(&f, c);
}

int dd_iptables_in_use(char *host, size_t hostsz, char *backend, size_t backendsz)
{
	char t[DD_PATH_MAX];
	const char *b;

	backend[0] = 0;
	if (dd_iptables_host(host, hostsz))
		return 1;
	host[0] = 0;
	if (dd_root_readlink(DD_ENGINE_CURRENT "/" DD_XT_DIR "/iptables", t, sizeof t) != 0 ||
	    !(b = dd_xt_backend(t)))
		return -1;
	snprintf(backend, backendsz, "%s", b);
	return 0;
}
