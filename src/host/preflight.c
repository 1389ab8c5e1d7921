#include "host/preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "buildinfo.h"
#include "host/iptables.h"
#include "host/probe.h"
#include "host/root.h"
#include "util/atomic.h"
#include "util/io.h"
#include "util/log.h"
#include "util/sort.h"
#include "util/utc.h"

#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define CLOCK_FLOOR INT64_C(1704067200)	/* 2024-01-01T00:00:00Z */

static void add(struct dd_preflight *o, const char *name, int level, const char *fmt, ...)
	DD_PRINTF(4, 5);

static void add(struct dd_preflight *o, const char *name, int level, const char *fmt, ...)
{
	struct dd_preflight_item *it;
	va_list ap;

	if (o->n >= DD_PF_ITEMS)
		return;
	it = &o->item[o->n++];
	it->name = name;
	it->level = level;
	va_start(ap, fmt);
	vsnprintf(it->msg, sizeof it->msg, fmt, ap);
	va_end(ap);
}

/* --- arch ------------------------------------------------------------------------------ */

/* uname -m spellings and Docker's download directory names, to the manifest's names. */
static const char *canon_arch(const char *m)
{
	static const char *const map[][2] = {
		{ "amd64", "x86_64" },	 { "arm64", "aarch64" }, { "armv7l", "armhf" },
		{ "armv8l", "armhf" },	 { "armv7", "armhf" },	 { "armv6l", "armel" },
		{ "ppc64el", "ppc64le" }, { "i686", "i386" },	 { "i586", "i386" },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(m, map[i][0]) == 0)
			return map[i][1];
	return m;
}

static const char *elf_machine(const unsigned char *h)
{
	unsigned m;

	if (memcmp(h, "\177ELF", 4) != 0)
		return NULL;
	m = h[5] == 2 ? (unsigned)h[18] << 8 | h[19] : (unsigned)h[19] << 8 | h[18];
	switch (m) {
	case 3: return "i386";
	case 21: return "ppc64le";
	case 22: return "s390x";
	case 40: return "armhf";
	case 62: return "x86_64";
	case 183: return "aarch64";
	case 243: return "riscv64";
	default: return NULL;
	}
}

/* The machine of an image tree: the ELF header of its /bin/sh, every symlink (busybox
 * images) followed inside the tree. */
static const char *image_arch(void)
{
	unsigned char h[20];
	int fd;
	ssize_t n;

	fd = dd_root_open("/bin/sh", O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0)
		return NULL;
	n = dd_read_full(fd, h, sizeof h);
	close(fd);
	return n == (ssize_t)sizeof h ? elf_machine(h) : NULL;
}

static void check_arch(const struct dd_preflight_in *in, struct dd_preflight *o)
{
	char rel[256], mach[256];
	const char *want, *have;

	if (!in->engine_arch || !*in->engine_arch)
		return;
	want = canon_arch(in->engine_arch);
	if (in->offline_root) {
		have = image_arch();
		if (!have) {
			add(o, "arch", DD_PF_WARN, "cannot tell the image's architecture from its /bin/sh; the engine is for %s", want);
			return;
		}
	} else {
		if (dd_probe_uname(rel, sizeof rel, mach, sizeof mach) < 0) {
			add(o, "arch", DD_PF_WARN, "uname failed (%s); the engine is for %s", strerror(errno), want);
			return;
		}
		have = canon_arch(mach);
	}
	if (strcmp(want, have) == 0)
		add(o, "arch", DD_PF_OK, "%s", have);
	else
		add(o, "arch", DD_PF_FATAL, "the engine is for %s but this %s is %s; use a dockdrop that carries the %s engine",
		    want, in->offline_root ? "image" : "machine", have, have);
}

/* --- the running kernel ---------------------------------------------------------------- */

static void check_kernel(struct dd_preflight *o, const char *rel)
{
	unsigned long major, minor = 0;
	char *end;

	major = strtoul(rel, &end, 10);
	if (end == rel) {
		add(o, "kernel", DD_PF_WARN, "cannot read the kernel version '%s'; Docker needs 3.10 or later", rel);
		return;
	}
	if (*end == '.')
		minor = strtoul(end + 1, NULL, 10);
	if (major < 3 || (major == 3 && minor < 10))
		add(o, "kernel", DD_PF_FATAL, "kernel %s is older than 3.10, the oldest Docker runs on; boot a newer kernel", rel);
	else
		add(o, "kernel", DD_PF_OK, "%s", rel);
}

static void check_cgroups(struct dd_preflight *o)
{
	char fs[16384];
	static const char *const v1[] = { "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu",
					  "/sys/fs/cgroup/devices", "/sys/fs/cgroup/pids" };
	size_t i;

	if (dd_probe_sys_exists("/sys/fs/cgroup/cgroup.controllers", 0)) {
		add(o, "cgroups", DD_PF_OK, "v2 (unified)");
		return;
	}
	for (i = 0; i < sizeof v1 / sizeof v1[0]; i++) {
		if (dd_probe_sys_exists(v1[i], 1)) {
			add(o, "cgroups", DD_PF_OK, "v1%s",
			    dd_probe_sys_exists("/sys/fs/cgroup/unified/cgroup.controllers", 0) ? " (hybrid)" : "");
			return;
		}
	}
	/* sysvinit mounts none; the sysv scripts mount cgroup2 before the daemons start */
	dd_probe_sys_read("/proc/filesystems", fs, sizeof fs);
	if (o->init == DD_INIT_SYSV && dd_strstr(fs, "\tcgroup2\n"))
		add(o, "cgroups", DD_PF_OK, "none mounted yet; the sysv scripts mount cgroup2 at /sys/fs/cgroup");
	else
		add(o, "cgroups", DD_PF_FATAL, "no cgroup hierarchy is mounted at /sys/fs/cgroup; mount one (mount -t cgroup2 none /sys/fs/cgroup) and retry");
}

static void check_overlay(struct dd_preflight *o, const char *rel)
{
	static const char *const ext[] = { "", ".xz", ".zst", ".gz" };
	char fs[16384], abs[DD_PATH_MAX];
	size_t i;

	dd_probe_sys_read("/proc/filesystems", fs, sizeof fs);
	if (dd_strstr(fs, "\toverlay\n")) {
		add(o, "overlay", DD_PF_OK, "overlay filesystem in the kernel");
		return;
	}
	for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		snprintf(abs, sizeof abs, "/lib/modules/%s/kernel/fs/overlayfs/overlay.ko%s", rel, ext[i]);
		if (!strchr(rel, '/') && dd_probe_exists(abs)) {
			add(o, "overlay", DD_PF_OK, "overlay module %s", abs);
			return;
		}
	}
	add(o, "overlay", DD_PF_WARN, "no overlay filesystem in kernel %s, so dockerd falls back to a slow storage driver; install the kernel's extra modules", rel);
}

static void check_apparmor(struct dd_preflight *o)
{
	char en[16], where[DD_PATH_MAX];

	dd_probe_sys_read("/sys/module/apparmor/parameters/enabled", en, sizeof en);
	if (en[0] != 'Y') {
		add(o, "apparmor", DD_PF_OK, "not enabled");
		return;
	}
	if (dd_probe_find_prog("apparmor_parser", where, sizeof where))
		add(o, "apparmor", DD_PF_OK, "enabled, %s", where);
	else
		add(o, "apparmor", DD_PF_FATAL, "AppArmor is enabled but apparmor_parser is missing, so docker run would fail (dockerd cannot load its docker-default profile); install the apparmor package (apt-get install apparmor), or boot with apparmor=0");
}

static void check_clock(const struct dd_preflight_in *in, struct dd_preflight *o)
{
	int64_t now = in->now ? in->now : (int64_t)time(NULL);
	int64_t floor = DD_BUILD_EPOCH > CLOCK_FLOOR ? DD_BUILD_EPOCH : CLOCK_FLOOR;
	char day[32], fday[32];
	time_t t = (time_t)now, f = (time_t)floor;
	struct dd_utc u;

	if (dd_utc(t, &u) == 0)
		snprintf(day, sizeof day, "%04d-%02d-%02d", u.year, u.mon, u.day);
	else
		snprintf(day, sizeof day, "@%" PRId64, now);
	if (now >= floor) {
		add(o, "clock", DD_PF_OK, "%s", day);
		return;
	}
	if (dd_utc(f, &u) == 0)
		snprintf(fday, sizeof fday, "%04d-%02d-%02d", u.year, u.mon, u.day);
	else
		snprintf(fday, sizeof fday, "@%" PRId64, floor);
	add(o, "clock", DD_PF_FATAL, "the clock says %s, earlier than %s%s%s; set the time (timedatectl set-ntp true, or date -s) or certificates will be invalid",
	    day, floor > CLOCK_FLOOR ? "this program's build (" : "", fday, floor > CLOCK_FLOOR ? ")" : "");
}

/* --- the target's files ---------------------------------------------------------------- */

static void check_iptables(const struct dd_preflight_in *in, struct dd_preflight *o)
{
	char where[DD_PATH_MAX];

	if (dd_iptables_host(where, sizeof where))
		add(o, "iptables", DD_PF_OK, "%s", where);
	else if (in->carried_iptables)
		add(o, "iptables", DD_PF_OK, "none on the host: dockerd uses the carried iptables %.200s",
		    in->carried_iptables);
	else
		add(o, "iptables", DD_PF_WARN, "iptables not found; install iptables, or pass --daemon-opt iptables=false (containers then get no NAT)");
}

/* dpkg packages that own a dockerd or containerd, and the program that shows they are
 * installed rather than removed with their configuration kept. */
static const struct {
	const char *pkg, *prog;
} dpkg_pkgs[] = {
	{ "docker-ce", "dockerd" },	{ "docker.io", "dockerd" },
	{ "docker-engine", "dockerd" }, { "moby-engine", "dockerd" },
	{ "containerd.io", "containerd" }, { "containerd", "containerd" },
};

/* Programs another installer may have put where ours go (ours are symlinks into
 * /opt/dockdrop). */
static const char *const foreign_progs[] = {
	"/usr/bin/dockerd",	 "/usr/sbin/dockerd",	     "/usr/local/bin/dockerd",
	"/usr/bin/containerd", "/usr/local/bin/containerd",
};

static int dpkg_installed(size_t i)
{
	char abs[256], bin[256], sbin[256];

	snprintf(abs, sizeof abs, "/var/lib/dpkg/info/%s.list", dpkg_pkgs[i].pkg);
	snprintf(bin, sizeof bin, "/usr/bin/%s", dpkg_pkgs[i].prog);
	snprintf(sbin, sizeof sbin, "/usr/sbin/%s", dpkg_pkgs[i].prog);
	return dd_probe_exists(abs) && (dd_probe_exists(bin) || dd_probe_exists(sbin));
}

/* The first foreign docker found, described with its fix, into what; how many were found. */
static unsigned find_foreign(char *what, size_t whatsz)
{
	unsigned found = 0;
	size_t i;

	for (i = 0; i < sizeof dpkg_pkgs / sizeof dpkg_pkgs[0]; i++)
		if (dpkg_installed(i) && !found++)
			snprintf(what, whatsz, "%s is installed by dpkg; remove it (apt-get purge %s)", dpkg_pkgs[i].pkg, dpkg_pkgs[i].pkg);
	for (i = 0; !found && i < sizeof foreign_progs / sizeof foreign_progs[0]; i++) {
		const char *p = foreign_progs[i];

		if (!dd_probe_exists(p) || dd_probe_is_ours(p))
			continue;
		found++;
		if (strncmp(p, "/usr/local/", 11) != 0 && dd_probe_is_dir("/var/lib/rpm"))
			snprintf(what, whatsz, "%s belongs to a package (rpm); remove it (dnf remove docker-ce moby-engine containerd.io)", p);
		else
			snprintf(what, whatsz, "%s is not dockdrop's (a package or a manual install); remove it", p);
	}
	if (dd_probe_exists("/snap/bin/docker") && !found++)
		snprintf(what, whatsz, "docker is installed as a snap; remove it (snap remove docker)");
	return found;
}

static void check_foreign(const struct dd_preflight_in *in, struct dd_preflight *o)
{
	char what[200];
	unsigned n = find_foreign(what, sizeof what);

	if (!n)
		add(o, "docker", DD_PF_OK, "no other docker or containerd installed");
	else if (in->force)
		add(o, "docker", DD_PF_WARN, "%s; --force: installing over it", what);
	else
		add(o, "docker", DD_PF_FATAL, "%s, or use --force to install over it", what);
}

/* Free bytes for unprivileged writers on the file system that holds abs (or its nearest
 * existing ancestor, reported in at), as resolved in the root. 0, or -1 with errno. */
static int free_bytes(const char *abs, uint64_t *avail, char *at, size_t atsz)
{
	char a[DD_PATH_MAX];
	struct statfs sf;

	snprintf(a, sizeof a, "%s", abs);
	for (;;) {
		if (dd_root_statfs(a, &sf) == 0)
			break;
		if ((errno != ENOENT && errno != ENOTDIR) || strcmp(a, "/") == 0)
			return -1;
		*strrchr(a, '/') = 0;
		if (!a[0])
			strcpy(a, "/");
	}
	/* statvfs's f_frsize: statfs's, or its f_bsize on kernels that leave it 0 */
	*avail = (uint64_t)sf.f_bavail * (uint64_t)(sf.f_frsize ? sf.f_frsize : sf.f_bsize);
	snprintf(at, atsz, "%s", a);
	return 0;
}

static void fmt_size(char *out, size_t outsz, uint64_t n)
{
	if (n >= 10 * GIB)
		snprintf(out, outsz, "%" PRIu64 " GiB", n / GIB);
	else
		snprintf(out, outsz, "%" PRIu64 " MiB", n / MIB);
}

static void check_disk(const struct dd_preflight_in *in, struct dd_preflight *o)
{
	uint64_t avail, need = UINT64_MAX;
	char at[DD_PATH_MAX], have[32], want[32];

	if (in->engine_bytes < UINT64_MAX / 2)
		need = in->engine_bytes + in->engine_bytes / 10 + 64 * MIB;

	if (free_bytes("/opt/dockdrop", &avail, at, sizeof at) < 0) {
		add(o, "disk", DD_PF_WARN, "cannot tell the free space for /opt/dockdrop (%m)");
		return;
	}
	fmt_size(have, sizeof have, avail);
	fmt_size(want, sizeof want, need);
	if (avail >= need)
		add(o, "disk", DD_PF_OK, "%s free on %s", have, at);
	else
		add(o, "disk", DD_PF_FATAL, "only %s free on %s, the engine needs %s; free some space or grow the disk", have, at, want);
}

static void check_var_lib(struct dd_preflight *o)
{
	uint64_t avail;
	char at[DD_PATH_MAX], have[32];

	if (free_bytes("/var/lib/docker", &avail, at, sizeof at) < 0) {
		add(o, "var-lib", DD_PF_WARN, "cannot tell the free space for /var/lib/docker (%m)");
		return;
	}
	fmt_size(have, sizeof have, avail);
	if (avail >= 2 * GIB)
		add(o, "var-lib", DD_PF_OK, "%s free on %s", have, at);
	else
		add(o, "var-lib", DD_PF_WARN, "only %s free on %s for images and containers; 2 GiB or more is advisable", have, at);
}

static void check_init(const struct dd_preflight_in *in, struct dd_preflight *o)
{
	if (o->init != DD_INIT_NONE || (in->init && strcmp(in->init, "auto")))
		add(o, "init", DD_PF_OK, "%s", dd_init_name(o->init));
	else
		add(o, "init", DD_PF_WARN, "no service manager found (systemd, OpenRC, sysvinit), so the daemons will not start at boot; pass --init to choose one");
}

int dd_preflight_run(const struct dd_preflight_in *in, struct dd_preflight *out)
{
	char rel[256], mach[256];
	unsigned i;

	memset(out, 0, sizeof *out);
	out->init = in->init && strcmp(in->init, "auto") ? dd_init_from_name(in->init) : dd_init_detect();
	check_arch(in, out);
	if (!in->offline_root) {
		if (dd_probe_uname(rel, sizeof rel, mach, sizeof mach) < 0)
			snprintf(rel, sizeof rel, "unknown");
		check_kernel(out, rel);
		check_cgroups(out);
		check_overlay(out, rel);
		check_apparmor(out);
	}
	check_iptables(in, out);
	check_foreign(in, out);
	check_disk(in, out);
	check_var_lib(out);
	if (!in->offline_root)
		check_clock(in, out);
	check_init(in, out);
	for (i = 0; i < out->n; i++)
		if (out->item[i].level == DD_PF_FATAL)
			return DD_EXIT_FAIL;
	return DD_EXIT_OK;
}
