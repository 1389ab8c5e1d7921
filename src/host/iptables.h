/* The backend of the carried iptables (bundle/xtables.h) on this host, chosen the way k3s
 * chooses for its own: whatever the host already uses, nft when in doubt.
 *   1. --root: the target's kernel is not this one: nft.
 *   2. The host has an iptables of its own on the system PATH: its backend, read from where
 *      its links lead (Debian's alternatives end in xtables-nft-multi or
 *      xtables-legacy-multi; a plain program is an iptables from before nft: legacy).
 *      dockerd runs the host's anyway (it comes first on PATH); the carried one then
 *      agrees with it.
 *   3. The kernel has no nf_tables (neither loaded nor a module of the running kernel) but
 *      has ip_tables: legacy.
 *   4. Legacy tables in this network namespace hold rules or chains of their own (the
 *      tables in /proc/net/ip{,6}_tables_names, their entries counted with the kernel's
 *      IPT_SO_GET_INFO, which loads no module): legacy, so dockerd's rules go where the
 *      host's firewall is.
 *   5. Else nft.
 * When the carried iptables has no nft backend (built without libnftnl), legacy in any
 * case: the kernel's legacy tables work beside an nft ruleset.
 * The choice is made when the engine directory is unpacked (its links are part of it) and
 * kept by later runs; `status` shows it. */
#ifndef DD_HOST_IPTABLES_H
#define DD_HOST_IPTABLES_H

#include <stddef.h>

struct dd_iptables_choice {
	const char *prog;	/* DD_XT_NFT or DD_XT_LEGACY */
	char why[200];		/* the reason, for install's output and --dry-run */
};

/* What the choice is made from (gathered by dd_iptables_choose; tests give them). */
struct dd_iptables_facts {
	int offline_root;		/* --root */
	const char *host;		/* the host's own iptables, or NULL */
	const char *host_prog;		/* the program its links lead to (DD_XT_NFT or
					 * DD_XT_LEGACY), NULL for a plain program */
	int nf_tables, ip_tables;	/* the running kernel has them */
	unsigned legacy_rules;		/* rules and chains of its own in legacy tables */
	int nft_carried;		/* the carried iptables has the nft backend */
};

void dd_iptables_decide(const struct dd_iptables_facts *f, struct dd_iptables_choice *c);
/* The facts of this host, then the decision. */
void dd_iptables_choose(struct dd_iptables_choice *c, int nft_carried);
/* The parts of the facts, for tests: where the host's iptables at abs leads (its links
 * followed in the root, host/root.h); whether the running kernel has module mod (loaded
 * or built in under /sys/module, or in the modules.dep or modules.builtin of the running
 * kernel's /lib/modules); the legacy rules of this network namespace. */
const char *dd_iptables_host_prog(const char *abs);
int dd_iptables_kernel_has(const char *mod);
unsigned dd_iptables_legacy_rules(void);

/* 1 and its path in out when the host has an iptables of its own on the system PATH (a
 * link into dockdrop's tree is not one), else 0. */
int dd_iptables_host(char *out, size_t outsz);

/* What dockerd will run as "iptables": the host's own (1, its path in host), else the
 * carried one of the current engine (0, its backend "nft" or "legacy" in backend), else
 * none (-1). */
int dd_iptables_in_use(char *host, size_t hostsz, char *backend, size_t backendsz);

#endif
