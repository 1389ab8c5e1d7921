/* install's read-only checks (DESIGN.md "Data flow of install" step 2), run before
 * anything is written, so a host Docker cannot run on is refused with the fix in one line
 * per problem, all problems at once, and the system untouched.
 *
 * Checks (item names): arch, kernel (>= 3.10), cgroups (v1 or v2 mounted, or cgroup2 in
 * the kernel when the init is sysv, whose scripts mount it), overlay
 * (warning: dockerd falls back to another storage driver), iptables (a warning when the
 * host has none and no iptables is carried), apparmor
 * (enabled in the kernel but no apparmor_parser: docker run fails), docker (a package-
 * managed or foreign docker or containerd: fatal unless force), disk (room under /opt for
 * the engine), var-lib (warning under 2 GB for images), clock (before the build or before
 * 2024: certificates would be invalid), init (warning when none is found).
 *
 * With offline_root (--root DIR: an image tree, not the running system) the checks about
 * the running kernel and clock are left out (kernel, cgroups, overlay, apparmor, clock)
 * and arch compares the engine with the image's own /bin/sh. Paths follow host/probe.h
 * (host/root.h for the system's files; DOCKDROP_TEST_SYSROOT for /proc and /sys in
 * tests). */
#ifndef DD_PREFLIGHT_H
#define DD_PREFLIGHT_H

#include <stdint.h>

#include "host/initsys.h"

enum { DD_PF_OK = 0, DD_PF_WARN = 1, DD_PF_FATAL = 2 };
#define DD_PF_ITEMS 16

struct dd_preflight_in {
	const char *engine_arch;	/* manifest arch ("x86_64"); NULL or "" skips arch */
	uint64_t engine_bytes;		/* unpacked size of the engine */
	int force;			/* a foreign docker is a warning, not fatal */
	int offline_root;		/* --root: skip checks about the running kernel/clock */
	int64_t now;			/* seconds since the epoch; 0: the clock (tests set it) */
	const char *carried_iptables;	/* "VERSION, BACKEND: why" of the iptables carried
					 * for the engine, or NULL */
	const char *init;		/* --init: NULL or "auto" detects it */
};

struct dd_preflight_item {
	const char *name;	/* static: "arch", "kernel", ... */
	int level;		/* DD_PF_OK, DD_PF_WARN, DD_PF_FATAL */
	char msg[256];		/* one line: what was found and, unless OK, the fix */
};

struct dd_preflight {
	struct dd_preflight_item item[DD_PF_ITEMS];
	unsigned n;
	enum dd_init init;
};

/* Run every check; never stops at the first failure. Returns 0 when nothing is fatal, else
 * DD_EXIT_FAIL (the caller prints fatal lines as errors and warnings as warnings). */
int dd_preflight_run(const struct dd_preflight_in *in, struct dd_preflight *out);

#endif
