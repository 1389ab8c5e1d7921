#include "host/units.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "host/paths.h"
#include "host/root.h"
#include "util/atomic.h"
#include "util/sort.h"

/* Templates: @BIN@ and @LOG@ stand for the configured directories, @PATH@ for the search
 * path the daemons need (dockerd runs docker-init and docker-proxy, containerd its shim and
 * runc, all from BIN; dockerd runs iptables: DD_DAEMON_PATH in host/paths.h). */

static const char systemd_containerd[] =
	"# Written by dockdrop: containerd for the Docker engine it installed.\n"
	"# Local changes belong in a drop-in (systemctl edit containerd.service).\n"
	"[Unit]\n"
	"Description=containerd container runtime (dockdrop)\n"
	"Documentation=https://containerd.io\n"
	"After=network.target local-fs.target dbus.service\n"
	"\n"
	"[Service]\n"
	"Type=notify\n"
	"Environment=PATH=@PATH@\n"
	"ExecStartPre=-/sbin/modprobe overlay\n"
	"ExecStart=@BIN@/containerd\n"
	"Restart=always\n"
	"RestartSec=5\n"
	"LimitNOFILE=1024:524288\n"
	"LimitNPROC=infinity\n"
	"LimitCORE=infinity\n"
	"TasksMax=infinity\n"
	"Delegate=yes\n"
	"KillMode=process\n"
	"OOMScoreAdjust=-999\n"
	"\n"
	"[Install]\n"
	"WantedBy=multi-user.target\n";

static const char systemd_docker[] =
	"# Written by dockdrop: the Docker daemon. Its listeners (the unix socket and the\n"
	"# TLS port) are \"hosts\" in /etc/docker/daemon.json; a host flag here as well would\n"
	"# make dockerd refuse to start, and there is no docker.socket (dockerd owns the\n"
	"# socket). Local changes belong in a drop-in (systemctl edit docker.service).\n"
	"[Unit]\n"
	"Description=Docker Application Container Engine (dockdrop)\n"
	"Documentation=https://docs.docker.com\n"
	"After=network-online.target firewalld.service containerd.service\n"
	"Wants=network-online.target containerd.service\n"
	"\n"
	"[Service]\n"
	"Type=notify\n"
	"Environment=PATH=@PATH@\n"
	"ExecStart=@BIN@/dockerd --containerd=/run/containerd/containerd.sock\n"
	"ExecReload=/bin/kill -s HUP $MAINPID\n"
	"TimeoutStartSec=0\n"
	"Restart=always\n"
	"RestartSec=2\n"
	"# [Service] names kept for systemd before 230 (RHEL 7), as upstream does.\n"
	"StartLimitBurst=3\n"
	"StartLimitInterval=60s\n"
	"# systemd 240's default, explicit for older ones (moby#45534, containerd#8924)\n"
	"LimitNOFILE=1024:524288\n"
	"LimitNPROC=infinity\n"
	"LimitCORE=infinity\n"
	"TasksMax=infinity\n"
	"Delegate=yes\n"
	"KillMode=process\n"
	"OOMScoreAdjust=-500\n"
	"\n"
	"[Install]\n"
	"WantedBy=multi-user.target\n";

static const char openrc_containerd[] =
	"#!/sbin/openrc-run\n"
	"# Written by dockdrop: containerd for the Docker engine it installed.\n"
	"\n"
	"description=\"containerd container runtime (dockdrop)\"\n"
	"supervisor=supervise-daemon\n"
	"command=\"@BIN@/containerd\"\n"
	"output_log=\"@LOG@/containerd.log\"\n"
	"error_log=\"@LOG@/containerd.log\"\n"
	"respawn_delay=5\n"
	"# openrc-run's own helpers (checkpath, ebegin, ...) are on the PATH it gives: keep it\n"
	"# (supervise-daemon takes them off again for the daemon)\n"
	"export PATH=\"@PATH@:$PATH\"\n"
	"\n"
	"depend() {\n"
	"\t# use, not need: Debian's OpenRC has no localmount (its LSB mountall.sh mounts)\n"
	"\tuse localmount net cgroups\n"
	"\tafter firewall\n"
	"}\n"
	"\n"
	"start_pre() {\n"
	"\tcheckpath -d -m 0755 \"@LOG@\"\n"
	"\tmodprobe -q overlay 2>/dev/null || true\n"
	"\t# one limit per ulimit, not rc_ulimit: dash (Debian's sh) takes one, and -p for -u\n"
	"\t# shellcheck disable=SC3045\n"
	"\tulimit -c unlimited 2>/dev/null || ewarn \"cannot lift the core size limit\"\n"
	"\t# shellcheck disable=SC3045\n"
	"\tulimit -u unlimited 2>/dev/null || ulimit -p unlimited 2>/dev/null || ewarn \"cannot lift the process limit\"\n"
	"}\n";

static const char openrc_docker[] =
	"#!/sbin/openrc-run\n"
	"# Written by dockdrop: the Docker daemon. Its listeners are \"hosts\" in\n"
	"# /etc/docker/daemon.json, so the command line names none.\n"
	"\n"
	"description=\"Docker daemon (dockdrop)\"\n"
	"supervisor=supervise-daemon\n"
	"command=\"@BIN@/dockerd\"\n"
	"command_args=\"--containerd=/run/containerd/containerd.sock\"\n"
	"output_log=\"@LOG@/docker.log\"\n"
	"error_log=\"@LOG@/docker.log\"\n"
	"respawn_delay=2\n"
	"respawn_max=3\n"
	"respawn_period=60\n"
	"retry=\"TERM/60/KILL/10\"\n"
	"extra_started_commands=\"reload\"\n"
	"export PATH=\"@PATH@:$PATH\"\n"
	"\n"
	"depend() {\n"
	"\tneed containerd\n"
	"\tuse net\n"
	"\tafter firewall\n"
	"}\n"
	"\n"
	"start_pre() {\n"
	"\tcheckpath -d -m 0755 \"@LOG@\"\n"
	"\t# shellcheck disable=SC3045 # as in containerd's\n"
	"\tulimit -c unlimited 2>/dev/null || ewarn \"cannot lift the core size limit\"\n"
	"\t# shellcheck disable=SC3045\n"
	"\tulimit -u unlimited 2>/dev/null || ulimit -p unlimited 2>/dev/null || ewarn \"cannot lift the process limit\"\n"
	"}\n"
	"\n"
	"reload() {\n"
	"\tebegin \"Reloading ${RC_SVCNAME}\"\n"
	"\tsupervise-daemon \"${RC_SVCNAME}\" --signal HUP\n"
	"\teend $?\n"
	"}\n";

/* The LSB headers and the variables of each sysv script; sysv_body follows them. */
static const char sysv_containerd[] =
	"#!/bin/sh\n"
	"### BEGIN INIT INFO\n"
	"# Provides:          containerd\n"
	"# Required-Start:    $local_fs $remote_fs $network\n"
	"# Required-Stop:     $local_fs $remote_fs $network\n"
	"# Should-Start:      $syslog\n"
	"# Should-Stop:       $syslog\n"
	"# Default-Start:     2 3 4 5\n"
	"# Default-Stop:      0 1 6\n"
	"# Short-Description: containerd container runtime (dockdrop)\n"
	"### END INIT INFO\n"
	"# Written by dockdrop: containerd for the Docker engine it installed.\n"
	"\n"
	"NAME=containerd\n"
	"DAEMON=@BIN@/containerd\n"
	"DAEMON_ARGS=\n"
	"STOP_WAIT=30\n"
	"pre_start() {\n"
	"\tmodprobe overlay 2>/dev/null || true\n"
	"}\n";

static const char sysv_docker[] =
	"#!/bin/sh\n"
	"### BEGIN INIT INFO\n"
	"# Provides:          docker\n"
	"# Required-Start:    $local_fs $remote_fs $network containerd\n"
	"# Required-Stop:     $local_fs $remote_fs $network containerd\n"
	"# Should-Start:      $syslog\n"
	"# Should-Stop:       $syslog\n"
	"# Default-Start:     2 3 4 5\n"
	"# Default-Stop:      0 1 6\n"
	"# Short-Description: Docker daemon (dockdrop)\n"
	"### END INIT INFO\n"
	"# Written by dockdrop: the Docker daemon. Its listeners are \"hosts\" in\n"
	"# /etc/docker/daemon.json, so the command line names none.\n"
	"\n"
	"NAME=docker\n"
	"DAEMON=@BIN@/dockerd\n"
	"DAEMON_ARGS=--containerd=/run/containerd/containerd.sock\n"
	"STOP_WAIT=60\n"
	"pre_start() {\n"
	"\t:\n"
	"}\n";

/* The pid file is the script's own (dockerd writes /var/run/docker.pid itself); a process
 * counts as the daemon only when its name matches, so a stale pid file after a crash does
 * not make stop kill a stranger. */
static const char sysv_body[] =
	"\n"
	"PATH=@PATH@\n"
	"export PATH\n"
	"PIDFILE=/var/run/dockdrop-$NAME.pid\n"
	"LOGDIR=@LOG@\n"
	"LOGFILE=$LOGDIR/$NAME.log\n"
	"\n"
	"# dockerd and containerd need a cgroup hierarchy, and sysvinit mounts none (Debian 12's\n"
	"# initscripts do not); moby's contrib sysvinit script mounted cgroupfs the same way.\n"
	"mount_cgroup() {\n"
	"\tgrep -q ' /sys/fs/cgroup ' /proc/self/mounts && return 0\n"
	"\tgrep -qw cgroup2 /proc/filesystems || return 0\n"
	"\tmount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup\n"
	"}\n"
	"\n"
	"running() {\n"
	"\tpid=$(cat \"$PIDFILE\" 2>/dev/null) || return 1\n"
	"\t[ -n \"$pid\" ] && kill -0 \"$pid\" 2>/dev/null || return 1\n"
	"\t[ \"$(cat \"/proc/$pid/comm\" 2>/dev/null)\" = \"${DAEMON##*/}\" ]\n"
	"}\n"
	"\n"
	"do_start() {\n"
	"\tif running; then\n"
	"\t\techo \"$NAME is already running (pid $pid)\"\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tpid=\n"
	"\t[ -z \"$(strays)\" ] || do_stop >/dev/null\n"
	"\tif [ ! -x \"$DAEMON\" ]; then\n"
	"\t\techo \"$DAEMON is missing\" >&2\n"
	"\t\treturn 5\n"
	"\tfi\n"
	"\trm -f \"$PIDFILE\"\n"
	"\tmkdir -p \"$LOGDIR\" || return 1\n"
	"\tmount_cgroup || echo \"$NAME: cannot mount cgroup2 at /sys/fs/cgroup\" >&2\n"
	"\tpre_start\n"
	"\tif command -v start-stop-daemon >/dev/null 2>&1; then\n"
	"\t\tstart-stop-daemon --start --quiet --background --make-pidfile \\\n"
	"\t\t\t--pidfile \"$PIDFILE\" --startas /bin/sh -- \\\n"
	"\t\t\t-c \"exec $DAEMON $DAEMON_ARGS >>$LOGFILE 2>&1 </dev/null\" || return 1\n"
	"\telse\n"
	"\t\t# shellcheck disable=SC2086 # DAEMON_ARGS is a list, maybe empty\n"
	"\t\t(cd / && trap '' HUP && exec \"$DAEMON\" $DAEMON_ARGS >>\"$LOGFILE\" 2>&1 </dev/null) &\n"
	"\t\techo $! >\"$PIDFILE\"\n"
	"\tfi\n"
	"\t# up when, a second on, the pid file's process has the daemon's name (a daemon\n"
	"\t# that dies at once is reported, not \"started\")\n"
	"\ti=0\n"
	"\twhile sleep 1; ! running; do\n"
	"\t\ti=$((i + 1))\n"
	"\t\tif [ \"$i\" -ge 5 ]; then\n"
	"\t\t\techo \"$NAME did not start; see $LOGFILE\" >&2\n"
	"\t\t\treturn 1\n"
	"\t\tfi\n"
	"\tdone\n"
	"\techo \"$NAME started\"\n"
	"}\n"
	"\n"
	"# The processes of this very program the pid file does not name: a start cut short\n"
	"# by a kill (the daemon detached, its pid never written) must not hold the socket.\n"
	"strays() {\n"
	"\texe=$(readlink -f \"$DAEMON\")\n"
	"\tfor p in /proc/[0-9]*; do\n"
	"\t\t[ \"$(readlink \"$p/exe\" 2>/dev/null)\" = \"$exe\" ] && [ \"${p#/proc/}\" != \"$pid\" ] &&\n"
	"\t\t\techo \"${p#/proc/}\"\n"
	"\tdone\n"
	"}\n"
	"\n"
	"do_stop() {\n"
	"\trunning || pid=\n"
	"\tpids=\"$pid $(strays)\"\n"
	"\tif [ -z \"${pids% }\" ]; then\n"
	"\t\trm -f \"$PIDFILE\"\n"
	"\t\techo \"$NAME is not running\"\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tfor p in $pids; do\n"
	"\t\tkill -TERM \"$p\"\n"
	"\t\ti=0\n"
	"\t\twhile kill -0 \"$p\" 2>/dev/null; do\n"
	"\t\t\ti=$((i + 1))\n"
	"\t\t\tif [ \"$i\" -gt \"$STOP_WAIT\" ]; then\n"
	"\t\t\t\tkill -KILL \"$p\" 2>/dev/null\n"
	"\t\t\t\tbreak\n"
	"\t\t\tfi\n"
	"\t\t\tsleep 1\n"
	"\t\tdone\n"
	"\tdone\n"
	"\trm -f \"$PIDFILE\"\n"
	"\techo \"$NAME stopped\"\n"
	"}\n"
	"\n"
	"case \"$1\" in\n"
	"start)\n"
	"\tdo_start\n"
	"\t;;\n"
	"stop)\n"
	"\tdo_stop\n"
	"\t;;\n"
	"restart|force-reload)\n"
	"\tdo_stop && do_start\n"
	"\t;;\n"
	"reload)\n"
	"\trunning && kill -s HUP \"$pid\"\n"
	"\t;;\n"
	"status)\n"
	"\tif running; then\n"
	"\t\techo \"$NAME is running (pid $pid)\"\n"
	"\telse\n"
	"\t\techo \"$NAME is not running\"\n"
	"\t\texit 3\n"
	"\tfi\n"
	"\t;;\n"
	"*)\n"
	"\techo \"Usage: $0 {start|stop|restart|force-reload|reload|status}\" >&2\n"
	"\texit 2\n"
	"\t;;\n"
	"esac\n";

/* The Compose project's service (workload/compose.h): brought up once docker answers,
 * stopped before it. @CMD@ is `docker compose -p NAME -f FILE [--env-file F]`. */
static const char systemd_compose[] =
	"[Unit]\n"
	"Description=Docker Compose project (dockdrop)\n"
	"Requires=docker.service\n"
	"After=docker.service\n"
	"\n"
	"[Service]\n"
	"Type=oneshot\n"
	"RemainAfterExit=yes\n"
	"Environment=PATH=@PATH@ HOME=/root DOCKER_HOST=unix:///var/run/docker.sock\n"
	"ExecStart=@CMD@ up -d --remove-orphans\n"
	"ExecStop=@CMD@ stop\n"
	"TimeoutStartSec=600\n"
	"\n"
	"[Install]\n"
	"WantedBy=multi-user.target\n";

static const char openrc_compose[] =
	"#!/sbin/openrc-run\n"
	"description=\"Docker Compose project (dockdrop)\"\n"
	"depend() {\n"
	"\tneed docker\n"
	"}\n";

static const char sysv_compose[] =
	"#!/bin/sh\n"
	"### BEGIN INIT INFO\n"
	"# Provides:          dockdrop-compose\n"
	"# Required-Start:    docker\n"
	"# Required-Stop:     docker\n"
	"# Default-Start:     2 3 4 5\n"
	"# Default-Stop:      0 1 6\n"
	"# Short-Description: Docker Compose project (dockdrop)\n"
	"### END INIT INFO\n";

/* Shared by the OpenRC and sysv scripts: the daemon's socket may answer a moment after the
 * service counts as started. */
static const char compose_body[] =
	"# openrc-run's own helpers (einfo, ...) are on the PATH it gives: keep it\n"
	"PATH=\"@PATH@:$PATH\"\n"
	"HOME=/root\n"
	"DOCKER_HOST=unix:///var/run/docker.sock\n"
	"export PATH HOME DOCKER_HOST\n"
	"start() {\n"
	"\ti=0\n"
	"\twhile ! @BIN@/docker version >/dev/null 2>&1; do\n"
	"\t\t[ $i -ge 60 ] && return 1\n"
	"\t\tsleep 1\n"
	"\t\ti=$((i + 1))\n"
	"\tdone\n"
	"\t@CMD@ up -d --remove-orphans\n"
	"}\n"
	"stop() {\n"
	"\t@CMD@ stop\n"
	"}\n";

static const char sysv_compose_tail[] =
	"case \"$1\" in\n"
	"start) start ;;\n"
	"stop) stop ;;\n"
	"restart|force-reload) stop; start ;;\n"
	"status) @CMD@ ps ;;\n"
	"*) echo \"Usage: $0 start|stop|restart|status\" >&2; exit 2 ;;\n"
	"esac\n";

static const struct unit_def {
	enum dd_init init;
	const char *path;
	unsigned mode;
	const char *head, *body;
} defs[] = {
	{ DD_INIT_SYSTEMD, "/etc/systemd/system/containerd.service", 0644, systemd_containerd, "" },
	{ DD_INIT_SYSTEMD, "/etc/systemd/system/docker.service", 0644, systemd_docker, "" },
	{ DD_INIT_OPENRC, "/etc/init.d/containerd", 0755, openrc_containerd, "" },
	{ DD_INIT_OPENRC, "/etc/init.d/docker", 0755, openrc_docker, "" },
	{ DD_INIT_SYSV, "/etc/init.d/containerd", 0755, sysv_containerd, sysv_body },
	{ DD_INIT_SYSV, "/etc/init.d/docker", 0755, sysv_docker, sysv_body },
};

/* Absolute, no trailing '/', short, and only characters that need no quoting anywhere. */
static int dir_ok(const char *d)
{
	size_t n = strlen(d);

	if (n < 2 || n > 64 || d[0] != '/' || d[n - 1] == '/' || dd_strstr(d, "//"))
		return 0;
	return strspn(d, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/-") == n;
}

static int in_std_path(const char *dir)
{
	const char *p = DD_STD_PATH;
	size_t n = strlen(dir);

	for (;;) {
		if (strncmp(p, dir, n) == 0 && (p[n] == ':' || !p[n]))
			return 1;
		p = strchr(p, ':');
		if (!p)
			return 0;
		p++;
	}
}

struct vars {
	const char *bin, *log, *cmd;
	char path[224];
};

/* The value of the @NAME@ at s, and its token length in *tok; NULL when s is not one. */
static const char *lookup(const struct vars *v, const char *s, size_t *tok)
{
	*tok = 5;
	if (strncmp(s, "@BIN@", 5) == 0)
		return v->bin;
	if (strncmp(s, "@LOG@", 5) == 0)
		return v->log;
	if (strncmp(s, "@CMD@", 5) == 0 && v->cmd)
		return v->cmd;
	*tok = 6;
	if (strncmp(s, "@PATH@", 6) == 0)
		return v->path;
	return NULL;
}

/* Append tmpl to out at *len with its @NAME@s replaced; -1 when it does not fit. */
static int expand(char *out, size_t outsz, size_t *len, const char *tmpl, const struct vars *v)
{
	while (*tmpl) {
		size_t n = 1, tok;
		const char *piece = lookup(v, tmpl, &tok);

		if (piece) {
			n = strlen(piece);
			tmpl += tok;
		} else {
			piece = tmpl++;
		}
		if (*len + n >= outsz)
			return -1;
		memcpy(out + *len, piece, n);
		*len += n;
	}
	out[*len] = 0;
	return 0;
}

int dd_units_render(enum dd_init init, const struct dd_units_cfg *c, struct dd_unit_file *out,
		    unsigned *n)
{
	struct vars v;
	size_t i;

	*n = 0;
	v.bin = c && c->bin_dir ? c->bin_dir : "/usr/local/bin";
	v.log = c && c->log_dir ? c->log_dir : "/var/log/dockdrop";
	if ((unsigned)init > DD_INIT_SYSV || !dir_ok(v.bin) || !dir_ok(v.log)) {
		errno = EINVAL;
		return -1;
	}
	if (in_std_path(v.bin))
		snprintf(v.path, sizeof v.path, "%s", DD_DAEMON_PATH);
	else
		snprintf(v.path, sizeof v.path, "%s:%s", v.bin, DD_DAEMON_PATH);
	for (i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		struct dd_unit_file *f = &out[*n];

		if (defs[i].init != init)
			continue;
		snprintf(f->path, sizeof f->path, "%s", defs[i].path);
		f->mode = defs[i].mode;
		f->len = 0;
		if (expand(f->text, sizeof f->text, &f->len, defs[i].head, &v) < 0 ||
		    expand(f->text, sizeof f->text, &f->len, defs[i].body, &v) < 0) {
			*n = 0;
			errno = ENOSPC;
			return -1;
		}
		++*n;
	}
	return 0;
}

static void link_add(struct dd_unit_link *out, unsigned *n, const char *path, const char *target)
{
	snprintf(out[*n].path, sizeof out[*n].path, "%s", path);
	snprintf(out[*n].target, sizeof out[*n].target, "%s", target);
	++*n;
}

/* insserv's order: containerd starts first and stops last. */
static void sysv_links(struct dd_unit_link *out, unsigned *n)
{
	static const char start[] = "2345", stop[] = "016";
	char p[128];
	const char *s;

	for (s = start; *s; s++) {
		snprintf(p, sizeof p, "/etc/rc%c.d/S01containerd", *s);
		link_add(out, n, p, "../init.d/containerd");
		snprintf(p, sizeof p, "/etc/rc%c.d/S02docker", *s);
		link_add(out, n, p, "../init.d/docker");
	}
	for (s = stop; *s; s++) {
		snprintf(p, sizeof p, "/etc/rc%c.d/K01docker", *s);
		link_add(out, n, p, "../init.d/docker");
		snprintf(p, sizeof p, "/etc/rc%c.d/K02containerd", *s);
		link_add(out, n, p, "../init.d/containerd");
	}
}

int dd_units_enable_links(enum dd_init init, struct dd_unit_link *out, unsigned *n)
{
	*n = 0;
	switch (init) {
	case DD_INIT_NONE:
		return 0;
	case DD_INIT_SYSTEMD:
		link_add(out, n, "/etc/systemd/system/multi-user.target.wants/containerd.service",
			 "/etc/systemd/system/containerd.service");
		link_add(out, n, "/etc/systemd/system/multi-user.target.wants/docker.service",
			 "/etc/systemd/system/docker.service");
		link_add(out, n, "/etc/systemd/system/docker.socket", "/dev/null");
		return 0;
	case DD_INIT_OPENRC:
		link_add(out, n, "/etc/runlevels/default/containerd", "/etc/init.d/containerd");
		link_add(out, n, "/etc/runlevels/default/docker", "/etc/init.d/docker");
		return 0;
	case DD_INIT_SYSV:
		sysv_links(out, n);
		return 0;
	}
	errno = EINVAL;
	return -1;
}

int dd_units_compose(enum dd_init init, const char *cmd, struct dd_unit_file *f, unsigned *nf,
		     struct dd_unit_link *l, unsigned *nl)
{
	static const char *const path[] = { NULL, "/etc/systemd/system/" DD_COMPOSE_SVC ".service",
					    "/etc/init.d/" DD_COMPOSE_SVC, "/etc/init.d/" DD_COMPOSE_SVC };
	const char *const text[][3] = { { "" }, { systemd_compose, "", "" },
					{ openrc_compose, compose_body, "" },
					{ sysv_compose, compose_body, sysv_compose_tail } };
	struct vars v = { "/usr/local/bin", "", cmd, DD_STD_PATH };
	struct dd_unit_file *u = &f[*nf];
	char p[128];

	if (init == DD_INIT_NONE)
		return 0;
	snprintf(u->path, sizeof u->path, "%s", path[init]);
	u->mode = init == DD_INIT_SYSTEMD ? 0644 : 0755;
	u->len = 0;
	for (int i = 0; i < 3; i++)
		if (expand(u->text, sizeof u->text, &u->len, text[init][i], &v) < 0)
			return errno = ENOSPC, -1;
	++*nf;
	if (init == DD_INIT_SYSTEMD)
		link_add(l, nl, "/etc/systemd/system/multi-user.target.wants/" DD_COMPOSE_SVC ".service",
			 path[init]);
	if (init == DD_INIT_OPENRC)
		link_add(l, nl, "/etc/runlevels/default/" DD_COMPOSE_SVC, path[init]);
	for (int i = 0; init == DD_INIT_SYSV && i < 7; i++) {
		snprintf(p, sizeof p, "/etc/rc%c.d/%s%s", "2345016"[i], i < 4 ? "S03" : "K00",
			 DD_COMPOSE_SVC);
		link_add(l, nl, p, "../init.d/" DD_COMPOSE_SVC);
	}
	return 0;
}

int dd_units_check(enum dd_init init, char *first, size_t cap)
{
	static struct dd_unit_file f[DD_UNITS_MAX];
	static char buf[sizeof f[0].text + 1];
	const struct dd_units_cfg c = { NULL, NULL };
	unsigned n, bad = 0;
	struct stat st;

	first[0] = 0;
	if (dd_units_render(init, &c, f, &n) != 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		long got = dd_root_read_small(f[i].path, buf, sizeof buf);

		if (got == (long)f[i].len && !memcmp(buf, f[i].text, f[i].len) && dd_root_stat(f[i].path, &st) == 0 &&
		    (st.st_mode & 07777) == f[i].mode)
			continue;
		if (!bad++)
			snprintf(first, cap, "%s", f[i].path);
	}
	return (int)bad;
}
