/* host/units: the rendered service definitions hold what Docker needs and nothing that
 * breaks it (no host flag), are deterministic, and pass the real tools where the machine
 * has them: systemd-analyze verify and systemctl enable/mask in a temporary root, sh -n
 * and shellcheck on the scripts, and the sysv scripts started and stopped for real (fake
 * daemons, /run private in a mount namespace). */
#include "t.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include "host/root.h"
#include "host/service.h"
#include "host/units.h"
#include "util/mkdirp.h"

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return 1;
		p++;
	}
	return 0;
}

static const struct dd_unit_file *find(const struct dd_unit_file *f, unsigned n, const char *path)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].path, path) == 0)
			return &f[i];
	return NULL;
}

/* Lines each file must hold, exactly. */
static const struct {
	enum dd_init init;
	const char *path;
	unsigned mode;
	const char *lines[24];
} required[] = {
	{ DD_INIT_SYSTEMD, "/etc/systemd/system/docker.service", 0644,
	  { "[Unit]", "[Service]", "[Install]", "Type=notify", "Delegate=yes", "KillMode=process",
	    "OOMScoreAdjust=-500", "Restart=always", "LimitNPROC=infinity", "LimitCORE=infinity",
	    "LimitNOFILE=1024:524288",
	    "TasksMax=infinity", "WantedBy=multi-user.target",
	    "ExecStart=/usr/local/bin/dockerd --containerd=/run/containerd/containerd.sock",
	    "Wants=network-online.target containerd.service",
	    "After=network-online.target firewalld.service containerd.service",
	    "ExecReload=/bin/kill -s HUP $MAINPID", NULL } },
	{ DD_INIT_SYSTEMD, "/etc/systemd/system/containerd.service", 0644,
	  { "[Unit]", "[Service]", "[Install]", "Type=notify", "Delegate=yes", "KillMode=process",
	    "Restart=always", "LimitNPROC=infinity", "LimitCORE=infinity", "TasksMax=infinity",
	    "LimitNOFILE=1024:524288", "ExecStartPre=-/sbin/modprobe overlay", "ExecStart=/usr/local/bin/containerd",
	    "OOMScoreAdjust=-999", "WantedBy=multi-user.target", NULL } },
	{ DD_INIT_OPENRC, "/etc/init.d/docker", 0755,
	  { "#!/sbin/openrc-run", "supervisor=supervise-daemon", "command=\"/usr/local/bin/dockerd\"",
	    "command_args=\"--containerd=/run/containerd/containerd.sock\"",
	    "output_log=\"/var/log/dockdrop/docker.log\"", "\tneed containerd", NULL } },
	{ DD_INIT_OPENRC, "/etc/init.d/containerd", 0755,
	  { "#!/sbin/openrc-run", "supervisor=supervise-daemon",
	    "command=\"/usr/local/bin/containerd\"", "error_log=\"/var/log/dockdrop/containerd.log\"",
	    "\tmodprobe -q overlay 2>/dev/null || true", "\tuse localmount net cgroups", NULL } },
	{ DD_INIT_SYSV, "/etc/init.d/docker", 0755,
	  { "#!/bin/sh", "### BEGIN INIT INFO", "# Provides:          docker",
	    "# Required-Start:    $local_fs $remote_fs $network containerd",
	    "# Default-Start:     2 3 4 5", "# Default-Stop:      0 1 6", "### END INIT INFO",
	    "DAEMON=/usr/local/bin/dockerd",
	    "DAEMON_ARGS=--containerd=/run/containerd/containerd.sock",
	    "PIDFILE=/var/run/dockdrop-$NAME.pid", "LOGDIR=/var/log/dockdrop", NULL } },
	{ DD_INIT_SYSV, "/etc/init.d/containerd", 0755,
	  { "#!/bin/sh", "# Provides:          containerd", "DAEMON=/usr/local/bin/containerd",
	    "\tmodprobe overlay 2>/dev/null || true", NULL } },
};

TEST(required_directives)
{
	static const enum dd_init inits[] = { DD_INIT_SYSTEMD, DD_INIT_OPENRC, DD_INIT_SYSV };
	struct dd_unit_file f[DD_UNITS_MAX];
	size_t i, j, k;
	unsigned n;

	for (i = 0; i < sizeof inits / sizeof inits[0]; i++) {
		CHECK(dd_units_render(inits[i], NULL, f, &n) == 0);
		CHECKF(n == 2, "%s: %u files", dd_init_name(inits[i]), n);
		for (k = 0; k < n; k++) {
			CHECKF(f[k].len == strlen(f[k].text), "%s", f[k].path);
			/* no host flag at all: "hosts" lives in daemon.json */
			CHECKF(!strstr(f[k].text, "-H") && !strstr(f[k].text, "fd://") &&
				       !strstr(f[k].text, "--host"), "%s has a host flag", f[k].path);
			CHECKF(!strstr(f[k].text, "/lib/systemd/system"), "%s", f[k].path);
			CHECKF(!strstr(f[k].text, "@BIN@") && !strstr(f[k].text, "@LOG@") &&
				       !strstr(f[k].text, "@PATH@"), "%s: token left", f[k].path);
		}
		for (j = 0; j < sizeof required / sizeof required[0]; j++) {
			const struct dd_unit_file *u;

			if (required[j].init != inits[i])
				continue;
			u = find(f, n, required[j].path);
			CHECKF(u != NULL, "%s missing", required[j].path);
			if (!u)
				continue;
			CHECKF(u->mode == required[j].mode, "%s mode %o", u->path, u->mode);
			for (k = 0; required[j].lines[k]; k++)
				CHECKF(has_line(u->text, required[j].lines[k]), "%s (%s) lacks '%s'",
				       u->path, dd_init_name(inits[i]), required[j].lines[k]);
		}
	}
}

/* An OpenRC script that needs a service the host lacks never starts ("needs service(s)
 * localmount" on Debian's OpenRC, found by the openrc VM): the scripts need only each
 * other. */
TEST(openrc_needs_only_ours)
{
	struct dd_unit_file f[DD_UNITS_MAX];
	unsigned n, k;

	CHECK(dd_units_render(DD_INIT_OPENRC, NULL, f, &n) == 0);
	for (k = 0; k < n; k++) {
		const char *p = f[k].text;

		while ((p = strstr(p, "\tneed "))) {
			p += 6;
			CHECKF(strncmp(p, "containerd\n", 11) == 0, "%s: need %.20s", f[k].path, p);
		}
	}
}

TEST(no_socket_activation)
{
	struct dd_unit_file f[DD_UNITS_MAX];
	unsigned n, k;

	CHECK(dd_units_render(DD_INIT_SYSTEMD, NULL, f, &n) == 0);
	for (k = 0; k < n; k++) {
		CHECKF(!strstr(f[k].path, ".socket"), "%s", f[k].path);
		CHECKF(!strstr(f[k].text, "Requires=docker.socket"), "%s", f[k].path);
		CHECKF(!strstr(f[k].text, "ListenStream"), "%s", f[k].path);
	}
}

TEST(deterministic_and_configurable)
{
	static struct dd_unit_file a[DD_UNITS_MAX], b[DD_UNITS_MAX];
	const struct dd_units_cfg cfg = { "/opt/tools/bin", "/srv/log/dd" };
	const struct dd_units_cfg std = { "/usr/local/bin", "/var/log/dockdrop" };
	enum dd_init init;
	unsigned na, nb, k;

	for (init = DD_INIT_SYSTEMD; init <= DD_INIT_SYSV; init++) {
		CHECK(dd_units_render(init, NULL, a, &na) == 0);
		CHECK(dd_units_render(init, &std, b, &nb) == 0);
		CHECK(na == nb);
		for (k = 0; k < na && k < nb; k++)
			CHECKF(a[k].len == b[k].len && memcmp(a[k].text, b[k].text, a[k].len) == 0 &&
				       strcmp(a[k].path, b[k].path) == 0 && a[k].mode == b[k].mode,
			       "%s differs between runs", a[k].path);
		CHECK(dd_units_render(init, &cfg, b, &nb) == 0);
		for (k = 0; k < nb; k++) {
			CHECKF(!strstr(b[k].text, "/usr/local/bin/dockerd") &&
				       !strstr(b[k].text, "/usr/local/bin/containerd"),
			       "%s still names /usr/local/bin", b[k].path);
			CHECKF(strstr(b[k].text, "/opt/tools/bin/") != NULL, "%s", b[k].path);
			CHECKF(strstr(b[k].text, "/opt/tools/bin:/usr/local/sbin:") != NULL, "%s: PATH",
			       b[k].path);
		}
		if (init != DD_INIT_SYSTEMD)
			for (k = 0; k < nb; k++)
				CHECKF(strstr(b[k].text, "/srv/log/dd") != NULL, "%s: log", b[k].path);
	}
	/* the standard bin dir is not repeated in PATH; the carried iptables comes last, so
	 * that a host's own wins */
	CHECK(dd_units_render(DD_INIT_SYSTEMD, NULL, a, &na) == 0);
	CHECK(has_line(a[0].text, "Environment=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/dockdrop/engine/current/iptables"));
}

TEST(bad_config_refused)
{
	static const char *const bad[] = {
		"",	     "/",	 "usr/bin",    "/usr/bin/", "/usr//bin",
		"/my bin",   "/a$b",	 "/a%n",       "/a\"b",	    "/a\nExecStartPre=/bin/evil",
		"/a;b",	     "/a'b",	 "/a\\b",      "/a`b`",
		"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	static struct dd_unit_file f[DD_UNITS_MAX];
	struct dd_units_cfg c;
	unsigned n;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		c.bin_dir = bad[i];
		c.log_dir = NULL;
		errno = 0;
		n = 7;
		CHECKF(dd_units_render(DD_INIT_SYSTEMD, &c, f, &n) == -1 && errno == EINVAL && n == 0,
		       "bin '%s'", bad[i]);
		c.bin_dir = NULL;
		c.log_dir = bad[i];
		CHECKF(dd_units_render(DD_INIT_SYSV, &c, f, &n) == -1 && errno == EINVAL, "log '%s'",
		       bad[i]);
	}
	errno = 0;
	CHECK(dd_units_render((enum dd_init)9, NULL, f, &n) == -1 && errno == EINVAL);
	CHECK(dd_units_render(DD_INIT_NONE, NULL, f, &n) == 0 && n == 0);
}

/* The runlevels named after "# Default-Start:" (or Stop) in an LSB header, as "2345". */
static void lsb_levels(const char *text, const char *key, char *out, size_t outsz)
{
	const char *p = strstr(text, key);
	size_t n = 0;

	if (p)
		for (p += strlen(key); *p && *p != '\n'; p++)
			if (*p >= '0' && *p <= '9' && n + 1 < outsz)
				out[n++] = *p;
	out[n] = 0;
}

TEST(enable_links)
{
	static struct dd_unit_file f[DD_UNITS_MAX];
	struct dd_unit_link l[DD_UNIT_LINKS_MAX];
	unsigned n, nf, i;
	enum dd_init init;

	CHECK(dd_units_enable_links(DD_INIT_NONE, l, &n) == 0 && n == 0);
	CHECK(dd_units_enable_links((enum dd_init)9, l, &n) == -1 && errno == EINVAL);

	CHECK(dd_units_enable_links(DD_INIT_SYSTEMD, l, &n) == 0 && n == 3);
	CHECK(strcmp(l[0].path, "/etc/systemd/system/multi-user.target.wants/containerd.service") == 0);
	CHECK(strcmp(l[0].target, "/etc/systemd/system/containerd.service") == 0);
	CHECK(strcmp(l[1].path, "/etc/systemd/system/multi-user.target.wants/docker.service") == 0);
	CHECK(strcmp(l[1].target, "/etc/systemd/system/docker.service") == 0);
	CHECK(strcmp(l[2].path, "/etc/systemd/system/docker.socket") == 0);
	CHECK(strcmp(l[2].target, "/dev/null") == 0);

	CHECK(dd_units_enable_links(DD_INIT_OPENRC, l, &n) == 0 && n == 2);
	CHECK(strcmp(l[0].path, "/etc/runlevels/default/containerd") == 0);
	CHECK(strcmp(l[0].target, "/etc/init.d/containerd") == 0);
	CHECK(strcmp(l[1].path, "/etc/runlevels/default/docker") == 0);
	CHECK(strcmp(l[1].target, "/etc/init.d/docker") == 0);

	/* sysv: the S and K links agree with the LSB headers, containerd first up, last down */
	CHECK(dd_units_render(DD_INIT_SYSV, NULL, f, &nf) == 0);
	CHECK(dd_units_enable_links(DD_INIT_SYSV, l, &n) == 0 && n == 14);
	for (i = 0; i < nf; i++) {
		const char *name = strrchr(f[i].path, '/') + 1;
		char start[8], stop[8], want[128];
		const char *s;

		lsb_levels(f[i].text, "# Default-Start:", start, sizeof start);
		lsb_levels(f[i].text, "# Default-Stop:", stop, sizeof stop);
		CHECK(strcmp(start, "2345") == 0 && strcmp(stop, "016") == 0);
		for (s = start; *s; s++) {
			unsigned j, hit = 0;

			snprintf(want, sizeof want, "/etc/rc%c.d/S0%c%s", *s,
				 strcmp(name, "containerd") == 0 ? '1' : '2', name);
			for (j = 0; j < n; j++)
				hit += strcmp(l[j].path, want) == 0;
			CHECKF(hit == 1, "%s", want);
		}
		for (s = stop; *s; s++) {
			unsigned j, hit = 0;

			snprintf(want, sizeof want, "/etc/rc%c.d/K0%c%s", *s,
				 strcmp(name, "docker") == 0 ? '1' : '2', name);
			for (j = 0; j < n; j++)
				hit += strcmp(l[j].path, want) == 0;
			CHECKF(hit == 1, "%s", want);
		}
	}
	for (i = 0; i < n; i++)
		CHECKF(strncmp(l[i].target, "../init.d/", 10) == 0 &&
			       strstr(l[i].path, l[i].target + 10) != NULL,
		       "%s -> %s", l[i].path, l[i].target);

	/* every link of every init points at a file that init's render writes (or /dev/null) */
	for (init = DD_INIT_SYSTEMD; init <= DD_INIT_SYSV; init++) {
		CHECK(dd_units_render(init, NULL, f, &nf) == 0);
		CHECK(dd_units_enable_links(init, l, &n) == 0);
		for (i = 0; i < n; i++) {
			char abs[128];

			if (strcmp(l[i].target, "/dev/null") == 0)
				continue;
			snprintf(abs, sizeof abs, "%s", l[i].target);
			if (l[i].target[0] == '.')
				snprintf(abs, sizeof abs, "/etc/%s", l[i].target + 3);
			CHECKF(find(f, nf, abs) != NULL, "%s -> %s", l[i].path, l[i].target);
		}
	}
}

/* --- with the real tools --------------------------------------------------------------- */

static int have(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

static int write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	char dir[512], *s;
	FILE *f;

	snprintf(dir, sizeof dir, "%s", path);
	for (s = dir + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		mkdir(dir, 0755);
		*s = '/';
	}
	f = fopen(path, "w");
	if (!f)
		return -1;
	fwrite(text, 1, len, f);
	fclose(f);
	return chmod(path, mode);
}

/* Run a shell command with stdout and stderr into buf; its exit status (-1 if abnormal). */
static int run(const char *cmd, char *buf, size_t bufsz)
{
	char full[4096], out[300], tmp[256];
	int st;
	FILE *f;
	size_t n = 0;

	buf[0] = 0;
	if (!t_tmpdir(tmp, sizeof tmp))
		return -1;
	snprintf(out, sizeof out, "%s/out", tmp);
	snprintf(full, sizeof full, "(%s) >%s 2>&1", cmd, out);
	st = system(full);
	f = fopen(out, "r");
	if (f) {
		n = fread(buf, 1, bufsz - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	t_rmtree(tmp);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A root for systemd's tools: the machine's own units (for the targets ours name), ours,
 * and stand-in executables. */
static int systemd_root(char *root, size_t rootsz, const char *extra_line)
{
	static struct dd_unit_file f[DD_UNITS_MAX];
	char p[512], cmd[1024];
	unsigned n, i;
	static const char *const exes[] = { "/usr/local/bin/dockerd", "/usr/local/bin/containerd",
					    "/bin/kill", "/sbin/modprobe" };

	if (!t_tmpdir(root, rootsz) || dd_units_render(DD_INIT_SYSTEMD, NULL, f, &n) < 0)
		return -1;
	snprintf(cmd, sizeof cmd, "mkdir -p %s/usr/lib/systemd && cp -r /usr/lib/systemd/system %s/usr/lib/systemd/",
		 root, root);
	if (system(cmd) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		char text[8192];

		if ((size_t)snprintf(text, sizeof text, "%s%s", f[i].text, extra_line ? extra_line : "") >= sizeof text ||
		    (size_t)snprintf(p, sizeof p, "%s%s", root, f[i].path) >= sizeof p ||
		    write_file(p, text, strlen(text), f[i].mode) < 0)
			return -1;
	}
	for (i = 0; i < sizeof exes / sizeof exes[0]; i++) {
		if ((size_t)snprintf(p, sizeof p, "%s%s", root, exes[i]) >= sizeof p ||
		    write_file(p, "#!/bin/sh\n", 10, 0755) < 0)
			return -1;
	}
	return 0;
}

static const char verify_cmd[] =
	"systemd-analyze verify --root=%s /etc/systemd/system/containerd.service /etc/systemd/system/docker.service";

TEST(systemd_analyze_verify)
{
	char root[256], cmd[1024], out[8192];
	int rc;

	if (!have("systemd-analyze") || access("/usr/lib/systemd/system/sysinit.target", F_OK) != 0) {
		printf("skip - systemd_analyze_verify: no systemd-analyze (or no systemd units) here\n");
		return;
	}
	if (systemd_root(root, sizeof root, NULL) < 0) {
		CHECKF(0, "making the root");
		return;
	}
	snprintf(cmd, sizeof cmd, verify_cmd, root);
	rc = run(cmd, out, sizeof out);
	CHECKF(rc == 0 && out[0] == 0, "rc %d: %s", rc, out);
	t_rmtree(root);

	/* the harness sees a mistake: a misspelt directive is reported */
	if (systemd_root(root, sizeof root, "Delegat=yes\n") < 0) {
		CHECKF(0, "making the root");
		return;
	}
	snprintf(cmd, sizeof cmd, verify_cmd, root);
	run(cmd, out, sizeof out);
	CHECKF(strstr(out, "Delegat") != NULL, "a misspelt key went unnoticed: %s", out);
	t_rmtree(root);
}

/* The links `systemctl --root enable`/`mask` makes, as "path -> target" lines, sorted. */
static int systemctl_links(const char *root, char *out, size_t outsz)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd,
		 "systemctl --root=%s enable containerd.service docker.service >/dev/null 2>&1 && "
		 "systemctl --root=%s mask docker.socket >/dev/null 2>&1 && cd %s && "
		 "find etc -type l | LC_ALL=C sort | while read -r l; do echo \"/$l -> $(readlink $l)\"; done",
		 root, root, root);
	return run(cmd, out, outsz);
}

TEST(systemctl_makes_the_same_links)
{
	struct dd_unit_link l[DD_UNIT_LINKS_MAX];
	char root[256], got[4096], want[4096] = "";
	unsigned n, i;

	if (!have("systemctl") || access("/usr/lib/systemd/system/sysinit.target", F_OK) != 0) {
		printf("skip - systemctl_makes_the_same_links: no systemctl here\n");
		return;
	}
	if (systemd_root(root, sizeof root, NULL) < 0) {
		CHECKF(0, "making the root");
		return;
	}
	CHECKF(systemctl_links(root, got, sizeof got) == 0, "%s", got);
	CHECK(dd_units_enable_links(DD_INIT_SYSTEMD, l, &n) == 0);
	/* ours in the same sorted form (paths sort as listed: docker.socket first) */
	for (i = 0; i < n; i++) {
		size_t k = (i + 2) % n;

		snprintf(want + strlen(want), sizeof want - strlen(want), "%s -> %s\n", l[k].path, l[k].target);
	}
	CHECKF(strcmp(got, want) == 0, "systemctl made:\n%s# ours:\n%s", got, want);
	t_rmtree(root);
}

/* The scripts as files under dir/etc/init.d, with a shebang-less copy NAME.body. */
static int write_scripts(const char *dir, enum dd_init init, const struct dd_units_cfg *c)
{
	static struct dd_unit_file f[DD_UNITS_MAX];
	char p[512];
	unsigned n, i;

	if (dd_units_render(init, c, f, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const char *body = strchr(f[i].text, '\n') + 1;

		if ((size_t)snprintf(p, sizeof p, "%s%s", dir, f[i].path) >= sizeof p ||
		    write_file(p, f[i].text, f[i].len, f[i].mode) < 0)
			return -1;
		if ((size_t)snprintf(p, sizeof p, "%s%s.body", dir, f[i].path) >= sizeof p ||
		    write_file(p, body, strlen(body), 0644) < 0)
			return -1;
	}
	return 0;
}

TEST(scripts_parse)
{
	static const enum dd_init inits[] = { DD_INIT_OPENRC, DD_INIT_SYSV };
	static const char *const names[] = { "containerd", "docker" };
	int shellcheck = have("shellcheck");
	char dir[256], cmd[1024], out[8192];
	size_t i, j;

	if (!shellcheck)
		printf("skip - scripts_parse: shellcheck: not installed (sh -n only)\n");
	for (i = 0; i < sizeof inits / sizeof inits[0]; i++) {
		if (!t_tmpdir(dir, sizeof dir) || write_scripts(dir, inits[i], NULL) < 0) {
			CHECK(0);
			return;
		}
		for (j = 0; j < 2; j++) {
			int rc;

			/* openrc-run scripts are sh once the shebang is gone */
			snprintf(cmd, sizeof cmd, "sh -n %s/etc/init.d/%s.body", dir, names[j]);
			rc = run(cmd, out, sizeof out);
			CHECKF(rc == 0 && !out[0], "%s %s: %s", dd_init_name(inits[i]), names[j], out);
			if (!shellcheck)
				continue;
			/* openrc's variables are read by openrc-run, not the script (SC2034) */
			snprintf(cmd, sizeof cmd, "shellcheck -s sh %s %s/etc/init.d/%s.body",
				 inits[i] == DD_INIT_OPENRC ? "-e SC2034" : "", dir, names[j]);
			rc = run(cmd, out, sizeof out);
			CHECKF(rc == 0, "shellcheck %s %s: %s", dd_init_name(inits[i]), names[j], out);
		}
		t_rmtree(dir);
	}
}

/* What openrc-run does with a script, under dash (Debian's sh; found by the openrc VM):
 * its helpers (checkpath here, a stub) are on the PATH it gives, the script is sourced,
 * start_pre runs in the same shell. The helpers must still be found, start_pre must pass
 * and ulimit say nothing (one limit per ulimit: dash refuses two; a limit that cannot be
 * lifted is ewarn'd, as openrc-run does with rc_ulimit), and the system's directories lead
 * the PATH. */
static const char openrc_driver[] =
	"set -u\n"
	"S=$1 H=$2\n"
	"PATH=$H:/usr/bin:/bin\n"
	". \"$S\" || { echo \"fail: sourcing\"; exit 0; }\n"
	"command -v checkpath >/dev/null || echo \"fail: openrc-run's helpers are off the PATH: $PATH\"\n"
	"case $PATH in /usr/local/sbin:*) ;; *) echo \"fail: PATH $PATH\" ;; esac\n"
	"start_pre 2>&1 || echo \"fail: start_pre: $?\"\n"
	"echo end\n";

TEST(openrc_scripts_under_dash)
{
	static const char *const names[] = { "containerd", "docker" };
	char dir[256], p[512], cmd[1200], out[4096];
	size_t j;

	if (!have("dash")) {
		printf("skip - openrc_scripts_under_dash: no dash here\n");
		return;
	}
	if (!t_tmpdir(dir, sizeof dir) || write_scripts(dir, DD_INIT_OPENRC, NULL) < 0) {
		CHECK(0);
		return;
	}
	snprintf(p, sizeof p, "%s/rcbin/checkpath", dir);
	CHECK(write_file(p, "#!/bin/sh\nexit 0\n", 17, 0755) == 0);
	snprintf(p, sizeof p, "%s/rcbin/ewarn", dir);
	CHECK(write_file(p, "#!/bin/sh\nexit 0\n", 17, 0755) == 0);
	snprintf(p, sizeof p, "%s/driver.sh", dir);
	CHECK(write_file(p, openrc_driver, strlen(openrc_driver), 0644) == 0);
	for (j = 0; j < 2; j++) {
		snprintf(cmd, sizeof cmd, "dash %s/driver.sh %s/etc/init.d/%s.body %s/rcbin", dir, dir,
			 names[j], dir);
		run(cmd, out, sizeof out);
		CHECKF(strstr(out, "end\n") && !strstr(out, "fail:") && !strstr(out, "ulimit"),
		       "%s:\n%s", names[j], out);
	}
	t_rmtree(dir);
}

/* Runs in a private mount namespace with /run a fresh tmpfs: start, status, a second
 * start, stop and status of both sysv scripts, with start-stop-daemon and then (the
 * sbin directories hidden) without it; then a daemon that dies at once. Prints
 * "fail: ..." lines and "end". */
static const char sysv_driver[] =
	"set -u\n"
	"D=$1 LOG=$2 BIN=$3\n"
	"fail() { echo \"fail: $mode: $*\"; }\n"
	"mount -t tmpfs tmpfs \"$(readlink -f /var/run)\" || { echo nomount; exit 0; }\n"
	"# no cgroup hierarchy, as under sysvinit: the first start mounts cgroup2\n"
	"cg() { grep -q \" /sys/fs/cgroup ${1:-[a-z0-9]*} \" /proc/self/mounts; }\n"
	"umount -l /sys/fs/cgroup 2>/dev/null\n"
	"if cg; then cgroup=mounted; else cgroup=none; fi\n"
	"for mode in ssd plain; do\n"
	"  if [ $mode = plain ]; then\n"
	"    for d in /sbin /usr/sbin; do mount -t tmpfs tmpfs \"$(readlink -f $d)\"; done\n"
	"    hash -r\n"
	"    if command -v start-stop-daemon >/dev/null; then echo \"skip: $mode\"; continue; fi\n"
	"  else\n"
	"    command -v start-stop-daemon >/dev/null || { echo \"skip: $mode\"; continue; }\n"
	"  fi\n"
	"  rm -f \"$LOG\"/*.log\n"
	"  $D/containerd start >/dev/null || fail containerd start\n"
	"  if [ $cgroup = none ]; then\n"
	"    if cg cgroup2; then echo \"ran: cgroup\"; cgroup=done; else fail no cgroup2 after start; fi\n"
	"  fi\n"
	"  $D/docker start >/dev/null || fail docker start\n"
	"  $D/docker status >/dev/null || fail status after start\n"
	"  pid=$(cat /var/run/dockdrop-docker.pid) || fail no pid file\n"
	"  [ \"$(cat /proc/$pid/comm)\" = dockerd ] || fail pid file names $(cat /proc/$pid/comm)\n"
	"  $D/docker start | grep -q 'already running' || fail second start\n"
	"  [ \"$(cat /var/run/dockdrop-docker.pid)\" = \"$pid\" ] || fail second start changed pid\n"
	"  sleep 1\n"
	"  grep -q 'started .*/dockerd --containerd=/run/containerd/containerd.sock$' \"$LOG/docker.log\" ||\n"
	"    fail log: $(cat \"$LOG/docker.log\")\n"
	"  $D/docker stop >/dev/null || fail stop\n"
	"  kill -0 $pid 2>/dev/null && fail still running after stop\n"
	"  $D/docker status >/dev/null; [ $? = 3 ] || fail status after stop is not 3\n"
	"  [ -e /var/run/dockdrop-docker.pid ] && fail pid file left\n"
	"  grep -q 'stopped' \"$LOG/docker.log\" || fail no TERM seen\n"
	"  $D/containerd stop >/dev/null || fail containerd stop\n"
	"  echo $$ >/var/run/dockdrop-docker.pid\n"
	"  $D/docker status >/dev/null; [ $? = 3 ] || fail a stranger in the pid file counts as running\n"
	"  $D/docker stop >/dev/null\n"
	"  kill -0 $$ || fail stop killed a stranger\n"
	"  echo \"ran: $mode\"\n"
	"done\n"
	"# a daemon that dies at once: start says so and fails\n"
	"printf '#!/bin/sh\\necho broken\\nexit 1\\n' >\"$BIN/dockerd\"\n"
	"mode=dies\n"
	"$D/docker start >/dev/null 2>\"$LOG/err\" && fail start succeeded\n"
	"grep -q 'docker did not start; see .*/docker.log' \"$LOG/err\" || fail message: $(cat \"$LOG/err\")\n"
	"echo end\n";

static const char fake_daemon[] =
	"#!/bin/sh\n"
	"echo \"started $0 $*\"\n"
	"trap 'echo stopped; exit 0' TERM\n"
	"i=0\n"
	"while [ $i -lt 120 ]; do sleep 1 & wait $!; i=$((i + 1)); done\n";

TEST(sysv_scripts_run)
{
	char dir[256], bin[300], log[300], p[512], cmd[2048], out[8192];
	struct dd_units_cfg c;
	int rc;
	/* As root a mount namespace needs no user namespace (which a chroot refuses). */
	const char *ns = geteuid() == 0 ? "unshare -m" : "unshare -rm";

	snprintf(cmd, sizeof cmd, "%s true", ns);
	if (!have("unshare") || run(cmd, out, sizeof out) != 0) {
		printf("skip - sysv_scripts_run: no mount namespace here (%s)\n", ns);
		return;
	}
	if (!t_tmpdir(dir, sizeof dir)) {
		CHECK(0);
		return;
	}
	snprintf(bin, sizeof bin, "%s/bin", dir);
	snprintf(log, sizeof log, "%s/log", dir);
	c.bin_dir = bin;
	c.log_dir = log;
	snprintf(p, sizeof p, "%s/dockerd", bin);
	CHECK(write_file(p, fake_daemon, strlen(fake_daemon), 0755) == 0);
	snprintf(p, sizeof p, "%s/containerd", bin);
	CHECK(write_file(p, fake_daemon, strlen(fake_daemon), 0755) == 0);
	snprintf(p, sizeof p, "%s/driver.sh", dir);
	CHECK(write_file(p, sysv_driver, strlen(sysv_driver), 0644) == 0);
	if (write_scripts(dir, DD_INIT_SYSV, &c) < 0) {
		CHECKF(0, "writing the scripts");
		return;
	}
	snprintf(cmd, sizeof cmd, "%s sh %s/driver.sh %s/etc/init.d %s %s", ns, dir, dir, log, bin);
	rc = run(cmd, out, sizeof out);
	if (strstr(out, "nomount")) {
		printf("skip - sysv_scripts_run: cannot mount a tmpfs on /run here\n");
	} else {
		CHECKF(rc == 0 && strstr(out, "\nend\n") && !strstr(out, "fail:"), "rc %d:\n%s", rc, out);
		CHECKF(strstr(out, "ran: ssd") || strstr(out, "skip: ssd"), "%s", out);
		if (strstr(out, "skip: "))
			printf("skip - sysv_scripts_run: one mode not available:\n%s", out);
		if (!strstr(out, "ran: cgroup"))
			printf("skip - sysv_scripts_run: /sys/fs/cgroup could not be unmounted here\n");
	}
	t_rmtree(dir);
}

/* A failed start shows the end of the daemon's log: where each init's scripts write it. */
TEST(log_tail_per_init)
{
	static const struct {
		enum dd_init init;
		const char *want;
	} rows[] = {
		{ DD_INIT_NONE, "from dockerd.log" },
		{ DD_INIT_OPENRC, "from docker.log" },
		{ DD_INIT_SYSV, "from docker.log" },
	};
	char tree[256], p[512], out[256];
	FILE *f;

	T_TMPDIR(tree);
	snprintf(p, sizeof p, "%s/var/log/dockdrop", tree);
	CHECK(dd_mkdir_p(p, 0755) == 0);
	snprintf(p, sizeof p, "%s/var/log/dockdrop/dockerd.log", tree);
	CHECK((f = fopen(p, "w")) != NULL && fputs("a line\nfrom dockerd.log\n", f) >= 0 && fclose(f) == 0);
	snprintf(p, sizeof p, "%s/var/log/dockdrop/docker.log", tree);
	CHECK((f = fopen(p, "w")) != NULL && fputs("a line\nfrom docker.log\n", f) >= 0 && fclose(f) == 0);
	CHECK(dd_root_set(tree) == 0);
	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		dd_svc_log_tail(rows[i].init, out, sizeof out);
		CHECKF(strstr(out, rows[i].want) != NULL, "%s: '%s'", dd_init_name(rows[i].init), out);
	}
	dd_root_set(NULL);
	t_rmtree(tree);
}

/* The Compose project's service: what each init needs to run it after docker, links that
 * enable it where the init looks, and scripts that pass sh -n and shellcheck, a unit that
 * passes systemd-analyze verify beside docker.service. */
TEST(compose_service)
{
	static const char cmd[] = "/usr/local/bin/docker compose -p web -f /etc/dockdrop/compose/web/compose.yaml";
	static const char *const need[][3] = {
		{ "" },
		{ "Requires=docker.service", "ExecStart=/usr/local/bin/docker compose -p web -f /etc/dockdrop/compose/web/compose.yaml up -d --remove-orphans", "RemainAfterExit=yes" },
		{ "\tneed docker", "\t/usr/local/bin/docker compose -p web -f /etc/dockdrop/compose/web/compose.yaml up -d --remove-orphans", "#!/sbin/openrc-run" },
		{ "# Required-Start:    docker", "# Default-Start:     2 3 4 5", "\t/usr/local/bin/docker compose -p web -f /etc/dockdrop/compose/web/compose.yaml stop" },
	};
	static const unsigned nlinks[] = { 0, 1, 1, 7 };
	static struct dd_unit_file f[DD_UNITS_MAX];
	struct dd_unit_link l[DD_UNIT_LINKS_MAX];
	char dir[256], c[1024], out[8192];
	int shellcheck = have("shellcheck");

	for (int init = DD_INIT_NONE; init <= DD_INIT_SYSV; init++) {
		unsigned nf = 0, nl = 0;

		CHECK(dd_units_compose((enum dd_init)init, cmd, f, &nf, l, &nl) == 0);
		CHECKF(nf == (init != DD_INIT_NONE) && nl == nlinks[init], "%s: %u files, %u links",
		       dd_init_name((enum dd_init)init), nf, nl);
		if (!nf)
			continue;
		for (int i = 0; i < 3; i++)
			CHECKF(has_line(f[0].text, need[init][i]), "%s lacks %s", f[0].path, need[init][i]);
		if (init == DD_INIT_SYSV)
			CHECK(!strcmp(l[0].path, "/etc/rc2.d/S03dockdrop-compose") &&
			      !strcmp(l[6].path, "/etc/rc6.d/K00dockdrop-compose") &&
			      !strcmp(l[0].target, "../init.d/dockdrop-compose"));
		if (init == DD_INIT_SYSTEMD || !t_tmpdir(dir, sizeof dir))
			continue;
		snprintf(c, sizeof c, "%s/s", dir);
		CHECK(write_file(c, strchr(f[0].text, '\n') + 1, strlen(strchr(f[0].text, '\n') + 1), 0644) == 0);
		snprintf(c, sizeof c, "sh -n %s/s && { ! command -v shellcheck >/dev/null || shellcheck -s sh %s %s/s; }",
			 dir, init == DD_INIT_OPENRC ? "-e SC2034" : "", dir);
		CHECKF(run(c, out, sizeof out) == 0, "%s: %s", dd_init_name((enum dd_init)init), out);
		t_rmtree(dir);
	}
	if (!shellcheck)
		printf("skip - compose_service: shellcheck: not installed (sh -n only)\n");
	if (!have("systemd-analyze") || access("/usr/lib/systemd/system/sysinit.target", F_OK) != 0 ||
	    systemd_root(dir, sizeof dir, NULL) < 0) {
		printf("skip - compose_service: no systemd-analyze (or no systemd units) here\n");
		return;
	}
	unsigned nf = 0, nl = 0;

	dd_units_compose(DD_INIT_SYSTEMD, cmd, f, &nf, l, &nl);
	snprintf(c, sizeof c, "%s%s", dir, f[0].path);
	CHECK(write_file(c, f[0].text, f[0].len, 0644) == 0);
	snprintf(c, sizeof c, "%s/usr/local/bin/docker", dir);
	CHECK(write_file(c, "#!/bin/sh\n", 10, 0755) == 0);
	snprintf(c, sizeof c, "systemd-analyze verify --root=%s %s", dir, f[0].path);
	CHECKF(run(c, out, sizeof out) == 0 && !out[0], "%s", out);
	t_rmtree(dir);
}

int main(void)
{
	RUN(log_tail_per_init);
	RUN(required_directives);
	RUN(openrc_needs_only_ours);
	RUN(no_socket_activation);
	RUN(deterministic_and_configurable);
	RUN(bad_config_refused);
	RUN(enable_links);
	RUN(systemd_analyze_verify);
	RUN(systemctl_makes_the_same_links);
	RUN(scripts_parse);
	RUN(openrc_scripts_under_dash);
	RUN(sysv_scripts_run);
	RUN(compose_service);
	T_EXIT();
}
