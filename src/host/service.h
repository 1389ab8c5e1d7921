/* Starting and stopping containerd and dockerd through the init system in use, or, with
 * --init none (containers, minimal images), by dockdrop itself: each daemon detached in
 * its own session, with a pid file under /run/dockdrop and its output appended to
 * /var/log/dockdrop/NAME.log. Never acts on a process it cannot tell is dockdrop's (the pid
 * file's process must run a program from /opt/dockdrop/engine). */
#ifndef DD_HOST_SERVICE_H
#define DD_HOST_SERVICE_H

#include <stddef.h>

#include "host/initsys.h"

/* Start containerd and dockerd, or restart them when restart is set (sysv where Debian's
 * insserv orders the boot: insserv takes the scripts in first). */
int dd_svc_start(enum dd_init init, int restart, char *err, size_t errsz);
/* Stop dockerd then containerd; not running is fine. */
int dd_svc_stop(enum dd_init init, char *err, size_t errsz);
/* Make the init system forget service definitions that are gone (systemd: daemon-reload;
 * sysv under insserv: insserv recomputes the links and .depend files); nothing for OpenRC.
 * Best effort. */
void dd_svc_reload(enum dd_init init);
/* One word for the docker service: "active", "inactive", "failed", "unknown". */
const char *dd_svc_state(enum dd_init init);
/* The last lines of the daemon's log (journal, or our log file) into out. */
void dd_svc_log_tail(enum dd_init init, char *out, size_t cap);

#endif
