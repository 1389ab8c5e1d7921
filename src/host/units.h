/* Service definitions for containerd and dockerd, as text for install to write (each file
 * written atomically inside the root, host/root.h), and the links that enable them at boot.
 *
 * systemd: /etc/systemd/system/{containerd,docker}.service (never /lib/systemd/system,
 * which belongs to packages), modelled on moby's contrib/init/systemd and containerd's
 * unit: Type=notify, Delegate=yes, KillMode=process, Restart=always, LimitNPROC/LimitCORE/
 * TasksMax=infinity, OOMScoreAdjust -500 (dockerd) and -999 (containerd), containerd's
 * ExecStartPre=-/sbin/modprobe overlay. LimitNOFILE=1024:524288 (not infinity): upstream
 * dropped infinity (moby#45534, containerd#8924) for systemd 240's default, written out
 * here so older systemd does not leave the kernel's hard limit of 4096. ExecStart is BIN/dockerd
 * --containerd=/run/containerd/containerd.sock and nothing else: the listeners come from
 * "hosts" in /etc/docker/daemon.json (unix:///var/run/docker.sock and tcp://0.0.0.0:2376),
 * and dockerd refuses to start when hosts are given both there and on the command line
 * (moby#25471, docker/for-linux#76, the docs' "hosts key with systemd" caveat).
 *
 * No docker.socket. Upstream's socket unit only works with `-H fd://`, which the rule
 * above forbids: without fd:// dockerd ignores the descriptor systemd hands over, unlinks
 * /run/docker.sock and binds its own, so the socket unit would hold a listener nobody can
 * reach, and `systemctl stop docker` would warn it can still be activated. Socket
 * activation also buys nothing here: the TLS listener must be up at boot anyway, and
 * docker.socket fails outright when the docker group is missing. So dockerd owns the unix
 * socket itself (it gives it to the docker group when that group exists), docker.service
 * is started at boot by multi-user.target, and a packaged docker.socket (a --force install
 * over a package) is masked by the enable links below so it cannot grab the path first.
 *
 * OpenRC: /etc/init.d/{containerd,docker} run by supervise-daemon (respawn, logs in
 * LOG_DIR). sysvinit: LSB scripts /etc/init.d/{containerd,docker}; start-stop-daemon starts
 * the daemon when present (dpkg's or busybox's), else the script backgrounds it itself;
 * either way a pid file in /var/run records it, and stop is TERM, a wait, then KILL.
 *
 * Output is deterministic (no dates, no host names): re-running install compares bytes. */
#ifndef DD_UNITS_H
#define DD_UNITS_H

#include <stddef.h>

#include "host/initsys.h"

#define DD_UNITS_MAX 3		/* files dd_units_render writes at most, and the Compose
				 * project's */
#define DD_COMPOSE_SVC "dockdrop-compose"
#define DD_UNIT_LINKS_MAX 32	/* links dd_units_enable_links writes at most, and room
				 * for install's others (workload/) */

struct dd_units_cfg {
	const char *bin_dir;	/* "/usr/local/bin" when NULL */
	const char *log_dir;	/* "/var/log/dockdrop" when NULL (OpenRC and sysv logs) */
};

struct dd_unit_file {
	char path[128];		/* absolute, on the target (resolved by host/root.h) */
	unsigned mode;		/* 0644 units, 0755 scripts */
	char text[4096];
	size_t len;
};

/* Fill out[0..*n) (room for DD_UNITS_MAX) with the definitions for init; DD_INIT_NONE
 * gives none. bin_dir and log_dir must be absolute, without a trailing '/', and made of
 * [A-Za-z0-9._/-] only (they land unquoted in unit files and shell scripts). 0, or -1 with
 * errno EINVAL (bad init or directory) or ENOSPC (a text does not fit). */
int dd_units_render(enum dd_init init, const struct dd_units_cfg *c, struct dd_unit_file *out,
		    unsigned *n);

struct dd_unit_link {
	char path[128];		/* the symlink, absolute, on the target */
	char target[128];	/* its content, exactly as written */
};

/* The symlinks that enable the services at boot, exactly what `systemctl enable`,
 * `rc-update add` and `update-rc.d defaults` (with insserv's ordering) make, so an image
 * baked with --root boots with docker running, and a live install may make them too
 * instead of calling those tools (then `systemctl daemon-reload`):
 *   systemd  /etc/systemd/system/multi-user.target.wants/{containerd,docker}.service
 *              -> /etc/systemd/system/NAME.service
 *            /etc/systemd/system/docker.socket -> /dev/null (the mask, see above)
 *   openrc   /etc/runlevels/default/{containerd,docker} -> /etc/init.d/NAME
 *   sysv     /etc/rc[2345].d/S01containerd, S02docker; /etc/rc[016].d/K01docker,
 *            K02containerd -> ../init.d/NAME (docker starts after and stops before
 *            containerd)
 * Fill out[0..*n) (room for DD_UNIT_LINKS_MAX); none for DD_INIT_NONE. 0, or -1 with
 * errno EINVAL for an unknown init. */
int dd_units_enable_links(enum dd_init init, struct dd_unit_link *out, unsigned *n);

/* The service that brings install's Compose project (workload/compose.h) up at boot once
 * docker answers and stops it before docker: dockdrop-compose.service (oneshot,
 * RemainAfterExit, Requires and After docker.service), or /etc/init.d/dockdrop-compose for
 * OpenRC (need docker) and sysv (S03 in 2345, K00 in 016), each running cmd (`docker
 * compose -p NAME -f FILE`, no quoting needed) up -d; appended to f[*nf] and its enable
 * links to l[*nl] (the caller has room). Nothing for DD_INIT_NONE. 0, or -1 ENOSPC. */
int dd_units_compose(enum dd_init init, const char *cmd, struct dd_unit_file *f, unsigned *nf,
		     struct dd_unit_link *l, unsigned *nl);

/* For status: the service files on the target (under the root) against the one rendering
 * (default directories): 0 when every file is as rendered, else the number that differ or
 * are missing, the first one's path in first. -1 with errno when init is unknown. */
int dd_units_check(enum dd_init init, char *first, size_t cap);

#endif
