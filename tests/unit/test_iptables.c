/* host/iptables: the backend of the carried iptables, decided from the host's facts (a
 * table), and the facts read from a tree (the host's iptables links through Debian's
 * alternatives, the kernel's modules). The legacy rule count needs a real kernel:
 * tests/cli/test_iptables_choice.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/xtables.h"
#include "host/iptables.h"
#include "host/root.h"
#include "t.h"

static const struct {
	const char *what;
	struct dd_iptables_facts f;
	const char *prog, *why;
} decide_rows[] = {
	{ "a fresh host: nft", { 0, NULL, NULL, 1, 1, 0, 1 }, DD_XT_NFT, "nft: no legacy rules here, and nft is the default" },
	{ "--root: nft", { 1, NULL, NULL, 0, 1, 9, 1 }, DD_XT_NFT, "nft: installing into --root" },
	{ "the host's iptables-legacy", { 0, "/usr/sbin/iptables", DD_XT_LEGACY, 1, 1, 0, 1 }, DD_XT_LEGACY, "legacy: the backend of this host's /usr/sbin/iptables" },
	{ "the host's iptables-nft", { 0, "/sbin/iptables", DD_XT_NFT, 1, 1, 50, 1 }, DD_XT_NFT, "nft: the backend of this host's /sbin/iptables" },
	{ "a plain host iptables (1.6)", { 0, "/sbin/iptables", NULL, 1, 1, 0, 1 }, DD_XT_LEGACY, "legacy: the backend of this host's /sbin/iptables" },
	{ "no nf_tables in the kernel", { 0, NULL, NULL, 0, 1, 0, 1 }, DD_XT_LEGACY, "legacy: the kernel has ip_tables but no nf_tables" },
	{ "neither known: the default", { 0, NULL, NULL, 0, 0, 0, 1 }, DD_XT_NFT, "nft: no legacy rules" },
	{ "legacy rules in use", { 0, NULL, NULL, 1, 1, 3, 1 }, DD_XT_LEGACY, "legacy: this host's legacy iptables tables hold 3 rules or chains" },
	{ "nft not carried", { 0, NULL, NULL, 1, 1, 0, 0 }, DD_XT_LEGACY, "legacy: the only backend carried (else nft: no legacy rules here" },
	{ "nft not carried, --root", { 1, NULL, NULL, 1, 1, 0, 0 }, DD_XT_LEGACY, "legacy: the only backend carried (else nft: installing into --root" },
	{ "nft not carried, the host's nft", { 0, "/usr/sbin/iptables", DD_XT_NFT, 1, 1, 0, 0 }, DD_XT_LEGACY, "(else nft: the backend of this host's" },
};

TEST(decide)
{
	for (unsigned i = 0; i < sizeof decide_rows / sizeof decide_rows[0]; i++) {
		struct dd_iptables_choice c;

		dd_iptables_decide(&decide_rows[i].f, &c);
		CHECKF(strcmp(c.prog, decide_rows[i].prog) == 0 && strstr(c.why, decide_rows[i].why),
		       "%s: %s '%s'", decide_rows[i].what, c.prog, c.why);
	}
}

static void put(const char *tree, const char *path, const char *link, const char *text)
{
	char p[1024], *s;

	snprintf(p, sizeof p, "%s%s", tree, path);
	for (s = strchr(p + strlen(tree) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		mkdir(p, 0755);
		*s = '/';
	}
	if (link) {
		CHECKF(symlink(link, p) == 0, "symlink %s", p);
	} else {
		FILE *f = fopen(p, "w");

		CHECKF(f != NULL, "create %s", p);
		if (f) {
			fputs(text, f);
			fclose(f);
		}
	}
}

TEST(host_prog_through_alternatives)
{
	char tree[256];

	T_TMPDIR(tree);
	/* Debian: /usr/sbin/iptables -> /etc/alternatives/iptables -> iptables-legacy ->
	 * xtables-legacy-multi (relative). */
	put(tree, "/usr/sbin/iptables", "/etc/alternatives/iptables", NULL);
	put(tree, "/etc/alternatives/iptables", "/usr/sbin/iptables-legacy", NULL);
	put(tree, "/usr/sbin/iptables-legacy", "xtables-legacy-multi", NULL);
	put(tree, "/usr/sbin/xtables-legacy-multi", NULL, "x");
	put(tree, "/sbin/iptables", "../usr/sbin/iptables-nft", NULL);
	put(tree, "/usr/sbin/iptables-nft", "xtables-nft-multi", NULL);
	put(tree, "/usr/bin/iptables", NULL, "a plain program");
	put(tree, "/usr/bin/loop", "/usr/bin/loop2", NULL);
	put(tree, "/usr/bin/loop2", "/usr/bin/loop", NULL);
	CHECK(dd_root_set(tree) == 0);
	CHECK(dd_iptables_host_prog("/usr/sbin/iptables") &&
	      strcmp(dd_iptables_host_prog("/usr/sbin/iptables"), DD_XT_LEGACY) == 0);
	CHECK(dd_iptables_host_prog("/sbin/iptables") &&
	      strcmp(dd_iptables_host_prog("/sbin/iptables"), DD_XT_NFT) == 0);
	CHECK(dd_iptables_host_prog("/usr/bin/iptables") == NULL);
	CHECK(dd_iptables_host_prog("/usr/bin/loop") == NULL);
	dd_root_set(NULL);
	t_rmtree(tree);
}

TEST(kernel_modules)
{
	char tree[256];

	T_TMPDIR(tree);
	put(tree, "/proc/sys/kernel/osrelease", NULL, "6.1.0-18-amd64\n");
	put(tree, "/proc/sys/kernel/arch", NULL, "x86_64\n");
	put(tree, "/sys/module/ip_tables/parameters/x", NULL, "");
	put(tree, "/lib/modules/6.1.0-18-amd64/modules.dep", NULL,
	    "kernel/net/ipv4/netfilter/iptable_nat.ko.xz: kernel/net/netfilter/nf_nat.ko.xz\n"
	    "kernel/net/netfilter/nf_tables.ko.xz: kernel/lib/libcrc32c.ko.xz\n");
	put(tree, "/lib/modules/6.1.0-18-amd64/modules.builtin", NULL, "kernel/net/bridge/bridge.ko\n");
	CHECK(dd_root_set(tree) == 0);
	setenv("DOCKDROP_TEST_SYSROOT", tree, 1);
	CHECK(dd_iptables_kernel_has("ip_tables") == 1);	/* /sys/module */
	CHECK(dd_iptables_kernel_has("nf_tables") == 1);	/* modules.dep */
	CHECK(dd_iptables_kernel_has("bridge") == 1);		/* modules.builtin */
	CHECK(dd_iptables_kernel_has("iptable_filter") == 0);
	unsetenv("DOCKDROP_TEST_SYSROOT");
	dd_root_set(NULL);
	t_rmtree(tree);
}

int main(void)
{
	RUN(decide);
	RUN(host_prog_through_alternatives);
	RUN(kernel_modules);
	T_EXIT();
}
