/* host/preflight and host/initsys against fake trees: the tree is both the --root (files of
 * the system) and DOCKDROP_TEST_SYSROOT (/proc, /sys, uname), each check is made to pass
 * and to fail by one change to a healthy tree, and every failure is reported at once. */
#include "t.h"

#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "buildinfo.h"
#include "host/preflight.h"
#include "util/log.h"
#include "host/root.h"

/* One entry of a fake tree: a file with content (mode 0644, or 0755 when exe), a
 * directory (content NULL, no link), a symlink (link set), or a removal (rm). */
struct ent {
	const char *path, *content;
	int exe;
	const char *link;
	int rm;
};

#define FILE_(p, c) { p, c, 0, NULL, 0 }
#define EXE(p) { p, "#!/bin/sh\n", 1, NULL, 0 }
#define DIR_(p) { p, NULL, 0, NULL, 0 }
#define LINK(p, t) { p, NULL, 0, t, 0 }
#define RM(p) { p, NULL, 0, NULL, 1 }
#define END { NULL, NULL, 0, NULL, 0 }

/* A healthy x86_64 systemd host. */
static const struct ent healthy[] = {
	FILE_("/proc/sys/kernel/osrelease", "6.1.0-18-amd64\n"),
	FILE_("/proc/sys/kernel/arch", "x86_64\n"),
	FILE_("/proc/filesystems", "nodev\tsysfs\nnodev\tproc\n\text4\nnodev\toverlay\n"),
	FILE_("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n"),
	FILE_("/sys/module/apparmor/parameters/enabled", "Y\n"),
	EXE("/usr/sbin/apparmor_parser"),
	EXE("/usr/sbin/iptables"),
	DIR_("/run/systemd/system"),
	LINK("/sbin/init", "../lib/systemd/systemd"),
	DIR_("/etc/init.d"),
	END,
};

static void mkparents(const char *path)
{
	char p[1024], *s;

	snprintf(p, sizeof p, "%s", path);
	for (s = p + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		mkdir(p, 0755);
		*s = '/';
	}
}

static void apply(const char *tree, const struct ent *e)
{
	char p[1024];

	for (; e->path; e++) {
		snprintf(p, sizeof p, "%s%s", tree, e->path);
		mkparents(p);
		if (e->rm) {
			if (remove(p) < 0)
				rmdir(p);
		} else if (e->link) {
			remove(p);
			CHECKF(symlink(e->link, p) == 0, "symlink %s", p);
		} else if (!e->content) {
			mkdir(p, 0755);
		} else {
			FILE *f = fopen(p, "w");

			CHECKF(f != NULL, "create %s", p);
			if (f) {
				fputs(e->content, f);
				fclose(f);
			}
			chmod(p, e->exe ? 0755 : 0644);
		}
	}
}

/* Make a fresh tree from healthy plus changes; point root and sysroot at it. */
static int tree_make(char *tree, size_t n, const struct ent *changes)
{
	if (!t_tmpdir(tree, n))
		return -1;
	apply(tree, healthy);
	if (changes)
		apply(tree, changes);
	if (dd_root_set(tree) < 0)
		return -1;
	setenv("DOCKDROP_TEST_SYSROOT", tree, 1);
	return 0;
}

static void tree_done(char *tree)
{
	dd_root_set(NULL);
	unsetenv("DOCKDROP_TEST_SYSROOT");
	t_rmtree(tree);
}

static const struct dd_preflight_item *item(const struct dd_preflight *p, const char *name)
{
	unsigned i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->item[i].name, name) == 0)
			return &p->item[i];
	return NULL;
}

static struct dd_preflight_in base_in(void)
{
	struct dd_preflight_in in = { "x86_64", 100u << 20, 0, 0, (int64_t)time(NULL), NULL, NULL };

	return in;
}

/* Every message is one non-empty line. */
static void check_lines(const struct dd_preflight *p)
{
	unsigned i;

	for (i = 0; i < p->n; i++)
		CHECKF(p->item[i].msg[0] && !strchr(p->item[i].msg, '\n'), "%s: '%s'",
		       p->item[i].name, p->item[i].msg);
}

TEST(healthy_host_passes)
{
	static const char *const order[] = { "arch",	 "kernel", "cgroups", "overlay",
					     "apparmor", "iptables", "docker", "disk",
					     "var-lib",	 "clock",  "init" };
	struct dd_preflight_in in = base_in();
	struct dd_preflight p;
	char tree[256];
	unsigned i;
	int rc;

	if (tree_make(tree, sizeof tree, NULL) < 0) {
		CHECKF(0, "tree: errno %d", errno);
		return;
	}
	rc = dd_preflight_run(&in, &p);
	CHECK(rc == 0);
	CHECKF(p.n == sizeof order / sizeof order[0], "n %u", p.n);
	for (i = 0; i < p.n && i < sizeof order / sizeof order[0]; i++) {
		CHECKF(strcmp(p.item[i].name, order[i]) == 0, "item %u is %s", i, p.item[i].name);
		/* var-lib depends on the machine's free space; the rest must be OK */
		CHECKF(p.item[i].level == DD_PF_OK || strcmp(order[i], "var-lib") == 0, "%s: %d %s",
		       p.item[i].name, p.item[i].level, p.item[i].msg);
	}
	CHECK(p.init == DD_INIT_SYSTEMD);
	CHECK(item(&p, "kernel") && strcmp(item(&p, "kernel")->msg, "6.1.0-18-amd64") == 0);
	CHECK(item(&p, "cgroups") && strstr(item(&p, "cgroups")->msg, "v2"));
	check_lines(&p);
	tree_done(tree);
}

/* One change to the healthy tree and what it must give. */
static const struct pf_case {
	const char *what;
	struct ent change[6];
	const char *engine_arch;
	int force;
	const char *name;
	int level;
	const char *msg1, *msg2;	/* substrings the message must hold (NULL: none) */
} cases[] = {
	{ "other arch", { END }, "aarch64", 0, "arch", DD_PF_FATAL, "engine is for aarch64", "is x86_64" },
	{ "arm spelling", { FILE_("/proc/sys/kernel/arch", "armv7l\n"), END }, "armhf", 0, "arch", DD_PF_OK, "armhf", NULL },
	{ "amd64 spelling", { END }, "amd64", 0, "arch", DD_PF_OK, "x86_64", NULL },
	{ "old kernel", { FILE_("/proc/sys/kernel/osrelease", "2.6.32-754.el6.x86_64\n"), END }, "x86_64", 0, "kernel", DD_PF_FATAL, "2.6.32-754.el6.x86_64 is older than 3.10", "newer kernel" },
	{ "kernel 3.9", { FILE_("/proc/sys/kernel/osrelease", "3.9.11\n"), END }, "x86_64", 0, "kernel", DD_PF_FATAL, "older than 3.10", NULL },
	{ "kernel 3.10", { FILE_("/proc/sys/kernel/osrelease", "3.10.0-1160.el7.x86_64\n"), END }, "x86_64", 0, "kernel", DD_PF_OK, "3.10.0", NULL },
	{ "odd kernel", { FILE_("/proc/sys/kernel/osrelease", "weird\n"), END }, "x86_64", 0, "kernel", DD_PF_WARN, "cannot read", "3.10" },
	{ "no cgroups", { RM("/sys/fs/cgroup/cgroup.controllers"), END }, "x86_64", 0, "cgroups", DD_PF_FATAL, "no cgroup", "mount -t cgroup2" },
	{ "no cgroups, sysv mounts cgroup2", { RM("/sys/fs/cgroup/cgroup.controllers"), RM("/run/systemd/system"), RM("/sbin/init"), EXE("/sbin/init"), FILE_("/proc/filesystems", "nodev\tcgroup2\nnodev\toverlay\n"), END }, "x86_64", 0, "cgroups", DD_PF_OK, "sysv scripts mount cgroup2", NULL },
	{ "no cgroups, sysv, no cgroup2", { RM("/sys/fs/cgroup/cgroup.controllers"), RM("/run/systemd/system"), RM("/sbin/init"), EXE("/sbin/init"), END }, "x86_64", 0, "cgroups", DD_PF_FATAL, "no cgroup", NULL },
	{ "no cgroups, systemd, cgroup2", { RM("/sys/fs/cgroup/cgroup.controllers"), FILE_("/proc/filesystems", "nodev\tcgroup2\nnodev\toverlay\n"), END }, "x86_64", 0, "cgroups", DD_PF_FATAL, "no cgroup", NULL },
	{ "cgroup v1", { RM("/sys/fs/cgroup/cgroup.controllers"), DIR_("/sys/fs/cgroup/memory"), END }, "x86_64", 0, "cgroups", DD_PF_OK, "v1", NULL },
	{ "cgroup hybrid", { RM("/sys/fs/cgroup/cgroup.controllers"), DIR_("/sys/fs/cgroup/pids"), FILE_("/sys/fs/cgroup/unified/cgroup.controllers", ""), END }, "x86_64", 0, "cgroups", DD_PF_OK, "hybrid", NULL },
	{ "no overlay", { FILE_("/proc/filesystems", "nodev\tsysfs\n\text4\n"), END }, "x86_64", 0, "overlay", DD_PF_WARN, "no overlay", "falls back" },
	{ "overlay module", { FILE_("/proc/filesystems", "\text4\n"), FILE_("/lib/modules/6.1.0-18-amd64/kernel/fs/overlayfs/overlay.ko.xz", ""), END }, "x86_64", 0, "overlay", DD_PF_OK, "overlay.ko.xz", NULL },
	{ "overlayfs is not overlay", { FILE_("/proc/filesystems", "nodev\toverlayfs\n"), END }, "x86_64", 0, "overlay", DD_PF_WARN, "no overlay", NULL },
	{ "no iptables", { RM("/usr/sbin/iptables"), END }, "x86_64", 0, "iptables", DD_PF_WARN, "install iptables", "--daemon-opt iptables=false" },
	{ "iptables via alternatives", { RM("/usr/sbin/iptables"), LINK("/sbin/iptables", "/etc/alternatives/iptables"), END }, "x86_64", 0, "iptables", DD_PF_OK, "/sbin/iptables", NULL },
	{ "iptables not executable", { RM("/usr/sbin/iptables"), FILE_("/usr/bin/iptables", "x"), END }, "x86_64", 0, "iptables", DD_PF_WARN, "not found", NULL },
	{ "apparmor without parser", { RM("/usr/sbin/apparmor_parser"), END }, "x86_64", 0, "apparmor", DD_PF_FATAL, "install the apparmor package (apt-get install apparmor)", "boot with apparmor=0" },
	{ "apparmor off", { RM("/usr/sbin/apparmor_parser"), FILE_("/sys/module/apparmor/parameters/enabled", "N\n"), END }, "x86_64", 0, "apparmor", DD_PF_OK, "not enabled", NULL },
	{ "no apparmor", { RM("/usr/sbin/apparmor_parser"), RM("/sys/module/apparmor/parameters/enabled"), END }, "x86_64", 0, "apparmor", DD_PF_OK, "not enabled", NULL },
	{ "dpkg docker-ce", { FILE_("/var/lib/dpkg/info/docker-ce.list", "/usr/bin/dockerd\n"), EXE("/usr/bin/dockerd"), END }, "x86_64", 0, "docker", DD_PF_FATAL, "docker-ce is installed by dpkg", "--force" },
	{ "dpkg docker-ce, --force", { FILE_("/var/lib/dpkg/info/docker-ce.list", "/usr/bin/dockerd\n"), EXE("/usr/bin/dockerd"), END }, "x86_64", 1, "docker", DD_PF_WARN, "docker-ce", "--force: installing over it" },
	{ "dpkg docker.io (sbin)", { FILE_("/var/lib/dpkg/info/docker.io.list", ""), EXE("/usr/sbin/dockerd"), END }, "x86_64", 0, "docker", DD_PF_FATAL, "apt-get purge docker.io", NULL },
	{ "dpkg containerd", { FILE_("/var/lib/dpkg/info/containerd.list", ""), EXE("/usr/bin/containerd"), END }, "x86_64", 0, "docker", DD_PF_FATAL, "containerd is installed by dpkg", NULL },
	{ "dpkg list of a removed package", { FILE_("/var/lib/dpkg/info/docker-ce.list", ""), END }, "x86_64", 0, "docker", DD_PF_OK, "no other docker", NULL },
	{ "rpm docker", { DIR_("/var/lib/rpm"), EXE("/usr/bin/dockerd"), END }, "x86_64", 0, "docker", DD_PF_FATAL, "(rpm)", "dnf remove" },
	{ "manual static install", { EXE("/usr/local/bin/dockerd"), END }, "x86_64", 0, "docker", DD_PF_FATAL, "/usr/local/bin/dockerd is not dockdrop's", "--force" },
	{ "foreign symlink", { LINK("/usr/bin/dockerd", "/usr/libexec/docker/dockerd"), END }, "x86_64", 0, "docker", DD_PF_FATAL, "/usr/bin/dockerd", NULL },
	{ "ours", { LINK("/usr/local/bin/dockerd", "/opt/dockdrop/engine/28.3.2-9d274a3f3307/dockerd"), LINK("/usr/local/bin/containerd", "/opt/dockdrop/engine/28.3.2-9d274a3f3307/containerd"), END }, "x86_64", 0, "docker", DD_PF_OK, "no other docker", NULL },
	{ "snap", { EXE("/snap/bin/docker"), END }, "x86_64", 0, "docker", DD_PF_FATAL, "snap remove docker", NULL },
	{ "no init", { RM("/run/systemd/system"), RM("/sbin/init"), END }, "x86_64", 0, "init", DD_PF_WARN, "no service manager", "--init" },
};

TEST(each_check_passes_and_fails)
{
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct pf_case *c = &cases[i];
		struct dd_preflight_in in = base_in();
		const struct dd_preflight_item *it;
		struct dd_preflight p;
		char tree[256];
		unsigned j, fatal = 0;
		int rc;

		if (tree_make(tree, sizeof tree, c->change) < 0) {
			CHECKF(0, "%s: tree", c->what);
			continue;
		}
		in.engine_arch = c->engine_arch;
		in.force = c->force;
		rc = dd_preflight_run(&in, &p);
		it = item(&p, c->name);
		CHECKF(it != NULL, "%s: no item %s", c->what, c->name);
		if (it) {
			CHECKF(it->level == c->level, "%s: level %d: %s", c->what, it->level, it->msg);
			CHECKF(!c->msg1 || strstr(it->msg, c->msg1), "%s: '%s'", c->what, it->msg);
			CHECKF(!c->msg2 || strstr(it->msg, c->msg2), "%s: '%s'", c->what, it->msg);
		}
		/* only the changed check moves (var-lib depends on the machine) */
		for (j = 0; j < p.n; j++) {
			if (p.item[j].level == DD_PF_FATAL)
				fatal++;
			if (strcmp(p.item[j].name, c->name) != 0 && strcmp(p.item[j].name, "var-lib") != 0)
				CHECKF(p.item[j].level == DD_PF_OK, "%s: %s moved too: %s", c->what,
				       p.item[j].name, p.item[j].msg);
		}
		CHECKF(rc == (fatal ? DD_EXIT_FAIL : 0), "%s: rc %d with %u fatal", c->what, rc, fatal);
		check_lines(&p);
		tree_done(tree);
	}
}

TEST(clock_sanity)
{
	static const int64_t floor2024 = 1704067200;
	const int64_t build = DD_BUILD_EPOCH > floor2024 ? DD_BUILD_EPOCH : floor2024;
	static const struct {
		int64_t now;
		int level;
		const char *msg;
	} clocks[] = {
		{ 86400, DD_PF_FATAL, "the clock says 1970-01-02, earlier than " },
		{ 1704067199, DD_PF_FATAL, "the clock says 2023-12-31" },
		{ 4102444800, DD_PF_OK, "2100-01-01" },
	};
	char tree[256];
	size_t i;

	if (tree_make(tree, sizeof tree, NULL) < 0) {
		CHECK(0);
		return;
	}
	for (i = 0; i < sizeof clocks / sizeof clocks[0] + 2; i++) {
		struct dd_preflight_in in = base_in();
		const struct dd_preflight_item *it;
		struct dd_preflight p;
		int rc, want;

		/* the two extra rows: just before and at the floor (build date or 2024) */
		in.now = i < 3 ? clocks[i].now : i == 3 ? build - 1 : build;
		want = i < 3 ? clocks[i].level : i == 3 ? DD_PF_FATAL : DD_PF_OK;
		rc = dd_preflight_run(&in, &p);
		it = item(&p, "clock");
		CHECKF(it && it->level == want, "now %lld: %s", (long long)in.now, it ? it->msg : "-");
		CHECKF(rc == (want == DD_PF_FATAL ? DD_EXIT_FAIL : 0), "now %lld: rc %d", (long long)in.now, rc);
		if (it && i < 3)
			CHECKF(strstr(it->msg, clocks[i].msg), "'%s'", it->msg);
		if (it && want == DD_PF_FATAL)
			CHECKF(strstr(it->msg, "set the time (timedatectl") && strstr(it->msg, "certificates will be invalid"),
			       "'%s'", it->msg);
	}
	tree_done(tree);
}

TEST(disk_needs_room_for_the_engine)
{
	struct dd_preflight_in in = base_in();
	const struct dd_preflight_item *it;
	struct dd_preflight p;
	char tree[256];

	if (tree_make(tree, sizeof tree, NULL) < 0) {
		CHECK(0);
		return;
	}
	/* /opt does not exist in the tree: the nearest ancestor is the root */
	dd_preflight_run(&in, &p);
	it = item(&p, "disk");
	CHECKF(it && it->level == DD_PF_OK && strstr(it->msg, "free on /"), "%s", it ? it->msg : "-");
	in.engine_bytes = UINT64_MAX;
	CHECK(dd_preflight_run(&in, &p) == DD_EXIT_FAIL);
	it = item(&p, "disk");
	CHECKF(it && it->level == DD_PF_FATAL && strstr(it->msg, "the engine needs") &&
		       strstr(it->msg, "free some space"), "%s", it ? it->msg : "-");
	in.engine_bytes = UINT64_C(1) << 50;	/* 1 PiB */
	dd_preflight_run(&in, &p);
	it = item(&p, "disk");
	CHECKF(it && it->level == DD_PF_FATAL && strstr(it->msg, "GiB"), "%s", it ? it->msg : "-");
	tree_done(tree);
}

/* In a private mount namespace, 1 MiB file systems on /opt and /var/lib of the tree. The
 * child's exit status: 0 all as expected, 1 wrong, 77 namespaces unavailable. */
static int small_disks_child(const char *tree)
{
	struct dd_preflight_in in = base_in();
	const struct dd_preflight_item *d, *v;
	struct dd_preflight p;
	char opt[512], var[512];

	snprintf(opt, sizeof opt, "%s/opt", tree);
	snprintf(var, sizeof var, "%s/var/lib", tree);
	mkparents(var);
	mkdir(opt, 0755);
	mkdir(var, 0755);
	/* root needs only the mount namespace; others get one from a user namespace */
	if (unshare(CLONE_NEWNS) < 0 && unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return 77;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 77;
	if (mount("tmpfs", opt, "tmpfs", 0, "size=1m") < 0 || mount("tmpfs", var, "tmpfs", 0, "size=1m") < 0)
		return 77;
	/* The root's fd was opened in the parent's mount namespace: open it again in this
	 * one, where the mounts are. */
	if (dd_root_set(tree) < 0)
		return 1;
	in.engine_bytes = 1;
	if (dd_preflight_run(&in, &p) != DD_EXIT_FAIL)
		return 1;
	d = item(&p, "disk");
	v = item(&p, "var-lib");
	if (!d || d->level != DD_PF_FATAL || !strstr(d->msg, "free on /opt,"))
		return 1;
	if (!v || v->level != DD_PF_WARN || !strstr(v->msg, "free on /var/lib for images") || !strstr(v->msg, "2 GiB"))
		return 1;
	return 0;
}

TEST(small_disks)
{
	char tree[256];
	pid_t pid;
	int st = 0;

	if (tree_make(tree, sizeof tree, NULL) < 0) {
		CHECK(0);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(small_disks_child(tree));
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		printf("skip - small_disks: no mount namespace here\n");
	else
		CHECKF(WEXITSTATUS(st) == 0, "child said %d", WEXITSTATUS(st));
	tree_done(tree);
}

TEST(all_failures_reported_at_once)
{
	static const struct ent broken[] = {
		FILE_("/proc/sys/kernel/osrelease", "2.6.32\n"),
		RM("/sys/fs/cgroup/cgroup.controllers"),
		FILE_("/proc/filesystems", "\text4\n"),
		RM("/usr/sbin/apparmor_parser"),
		RM("/usr/sbin/iptables"),
		FILE_("/var/lib/dpkg/info/docker.io.list", ""),
		EXE("/usr/sbin/dockerd"),
		RM("/run/systemd/system"),
		RM("/sbin/init"),
		END,
	};
	static const struct {
		const char *name;
		int level;
	} want[] = {
		{ "arch", DD_PF_FATAL },    { "kernel", DD_PF_FATAL }, { "cgroups", DD_PF_FATAL },
		{ "overlay", DD_PF_WARN },   { "apparmor", DD_PF_FATAL }, { "iptables", DD_PF_WARN },
		{ "docker", DD_PF_FATAL },   { "disk", DD_PF_FATAL },	  { "clock", DD_PF_FATAL },
		{ "init", DD_PF_WARN },
	};
	struct dd_preflight_in in = base_in();
	struct dd_preflight p;
	char tree[256];
	size_t i;

	if (tree_make(tree, sizeof tree, broken) < 0) {
		CHECK(0);
		return;
	}
	in.engine_arch = "s390x";
	in.engine_bytes = UINT64_MAX;
	in.now = 1;
	CHECK(dd_preflight_run(&in, &p) == DD_EXIT_FAIL);
	CHECK(p.n == 11);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct dd_preflight_item *it = item(&p, want[i].name);

		CHECKF(it && it->level == want[i].level, "%s: %d %s", want[i].name, it ? it->level : -1,
		       it ? it->msg : "-");
	}
	CHECK(p.init == DD_INIT_NONE);
	check_lines(&p);
	tree_done(tree);
}

/* The first 20 bytes of an ELF header for e_machine m, little-endian. */
static void elf(const char *tree, const char *path, unsigned m)
{
	unsigned char h[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	char p[512];
	FILE *f;

	h[18] = (unsigned char)m;
	h[19] = (unsigned char)(m >> 8);
	snprintf(p, sizeof p, "%s%s", tree, path);
	mkparents(p);
	f = fopen(p, "w");
	if (f) {
		fwrite(h, 1, sizeof h, f);
		fclose(f);
	}
	chmod(p, 0755);
}

TEST(offline_root)
{
	static const char *const left_out[] = { "kernel", "cgroups", "overlay", "apparmor", "clock" };
	static const struct ent image[] = {
		/* an image tree: nothing about a running kernel, a busybox /bin/sh */
		RM("/proc/sys/kernel/osrelease"), RM("/sys/fs/cgroup/cgroup.controllers"),
		RM("/usr/sbin/apparmor_parser"), RM("/run/systemd/system"), RM("/sbin/init"),
		LINK("/bin/sh", "/bin/busybox"), FILE_("/sbin/openrc-run", "x"),
		END,
	};
	struct dd_preflight_in in = base_in();
	const struct dd_preflight_item *it;
	struct dd_preflight p;
	char tree[256];
	size_t i;

	if (tree_make(tree, sizeof tree, image) < 0) {
		CHECK(0);
		return;
	}
	elf(tree, "/bin/busybox", 183);
	in.offline_root = 1;
	in.now = 1;	/* a wrong clock does not matter for an image */
	in.engine_arch = "aarch64";
	CHECK(dd_preflight_run(&in, &p) == 0);
	for (i = 0; i < sizeof left_out / sizeof left_out[0]; i++)
		CHECKF(!item(&p, left_out[i]), "%s present offline", left_out[i]);
	it = item(&p, "arch");
	CHECKF(it && it->level == DD_PF_OK && strcmp(it->msg, "aarch64") == 0, "%s", it ? it->msg : "-");
	CHECK(p.init == DD_INIT_OPENRC);
	CHECK(item(&p, "docker") && item(&p, "disk") && item(&p, "iptables") && item(&p, "init"));

	in.engine_arch = "x86_64";
	CHECK(dd_preflight_run(&in, &p) == DD_EXIT_FAIL);
	it = item(&p, "arch");
	CHECKF(it && it->level == DD_PF_FATAL && strstr(it->msg, "this image is aarch64"), "%s",
	       it ? it->msg : "-");

	elf(tree, "/bin/busybox", 0x1234);	/* unknown machine */
	CHECK(dd_preflight_run(&in, &p) == 0);
	it = item(&p, "arch");
	CHECKF(it && it->level == DD_PF_WARN && strstr(it->msg, "cannot tell"), "%s", it ? it->msg : "-");
	tree_done(tree);
}

/* dd_init_detect on trees made from nothing but these entries. */
static const struct {
	const char *what;
	struct ent tree[4];
	enum dd_init want;
} inits[] = {
	{ "empty", { END }, DD_INIT_NONE },
	{ "booted systemd", { DIR_("/run/systemd/system"), END }, DD_INIT_SYSTEMD },
	{ "systemd image", { LINK("/sbin/init", "/lib/systemd/systemd"), DIR_("/etc/init.d"), END }, DD_INIT_SYSTEMD },
	{ "merged-usr systemd image", { LINK("/sbin", "usr/sbin"), LINK("/usr/sbin/init", "../lib/systemd/systemd"), END }, DD_INIT_SYSTEMD },
	{ "openrc running", { FILE_("/run/openrc/softlevel", "default"), DIR_("/etc/init.d"), END }, DD_INIT_OPENRC },
	{ "openrc image", { EXE("/sbin/openrc-run"), LINK("/sbin/init", "/bin/busybox"), DIR_("/etc/init.d"), END }, DD_INIT_OPENRC },
	{ "sysvinit", { EXE("/sbin/init"), DIR_("/etc/init.d"), END }, DD_INIT_SYSV },
	{ "busybox init", { LINK("/sbin/init", "/bin/busybox"), DIR_("/etc/init.d"), END }, DD_INIT_NONE },
	{ "init.d without init", { DIR_("/etc/init.d"), END }, DD_INIT_NONE },
	{ "systemd dir is a file", { FILE_("/run/systemd/system", ""), END }, DD_INIT_NONE },
};

TEST(init_detect)
{
	size_t i;

	for (i = 0; i < sizeof inits / sizeof inits[0]; i++) {
		char tree[256];

		if (!t_tmpdir(tree, sizeof tree)) {
			CHECK(0);
			return;
		}
		apply(tree, inits[i].tree);
		CHECK(dd_root_set(tree) == 0);
		CHECKF(dd_init_detect() == inits[i].want, "%s: got %s", inits[i].what,
		       dd_init_name(dd_init_detect()));
		dd_root_set(NULL);
		t_rmtree(tree);
	}
}

TEST(init_names)
{
	static const char *const names[] = { "none", "systemd", "openrc", "sysv" };
	enum dd_init e;
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		CHECK(strcmp(dd_init_name((enum dd_init)i), names[i]) == 0);
		CHECK(dd_init_parse(names[i], &e) == 0 && e == (enum dd_init)i);
	}
	CHECK(dd_init_parse("auto", &e) == -1);
	CHECK(dd_init_parse("", &e) == -1);
	CHECK(strcmp(dd_init_name((enum dd_init)99), "unknown") == 0);
}

/* A host without iptables is fine when the payload carries one (issue 12); a link of
 * dockdrop's own is not the host's iptables. */
static void carried_iptables(void)
{
	static const struct {
		const char *what;
		struct ent change[3];
		const char *carried;
		int level;
		const char *msg;
	} rows[] = {
		{ "none, carried", { RM("/usr/sbin/iptables"), END }, "1.8.9, nft: default", DD_PF_OK, "none on the host: dockerd uses the carried iptables 1.8.9, nft" },
		{ "host's, carried", { END }, "1.8.9, nft: default", DD_PF_OK, "/usr/sbin/iptables" },
		{ "none, none carried", { RM("/usr/sbin/iptables"), END }, NULL, DD_PF_WARN, "install iptables" },
		{ "dockdrop's link is not the host's", { RM("/usr/sbin/iptables"), LINK("/usr/local/sbin/iptables", "/opt/dockdrop/engine/current/iptables/iptables"), END }, NULL, DD_PF_WARN, "install iptables" },
	};

	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct dd_preflight_in in = base_in();
		const struct dd_preflight_item *it;
		struct dd_preflight p;
		char tree[256];

		if (tree_make(tree, sizeof tree, rows[i].change) < 0) {
			CHECKF(0, "%s: tree", rows[i].what);
			continue;
		}
		in.carried_iptables = rows[i].carried;
		dd_preflight_run(&in, &p);
		it = item(&p, "iptables");
		CHECKF(it && it->level == rows[i].level && strstr(it->msg, rows[i].msg), "%s: %d '%s'",
		       rows[i].what, it ? it->level : -1, it ? it->msg : "(none)");
		tree_done(tree);
	}
}

int main(void)
{
	RUN(healthy_host_passes);
	RUN(each_check_passes_and_fails);
	RUN(clock_sanity);
	RUN(disk_needs_room_for_the_engine);
	RUN(small_disks);
	RUN(all_failures_reported_at_once);
	RUN(offline_root);
	RUN(init_detect);
	RUN(init_names);
	RUN(carried_iptables);
	T_EXIT();
}
