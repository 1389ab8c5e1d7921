/* Which service manager runs (or, under --root, will run) the target: it decides which
 * service definitions install writes (host/units.h) and how it starts the daemons.
 *
 * Detection, in order, every path resolved in the root (host/root.h):
 *   systemd  /run/systemd/system is a directory (sd_booted()'s test), or /sbin/init is a
 *            symlink to systemd (an image tree, where /run is empty)
 *   openrc   /run/openrc/softlevel exists, or /sbin/openrc-run does
 *   sysv     /etc/init.d is a directory and /sbin/init exists and is not systemd or
 *            busybox (busybox init reads /etc/inittab, not runlevel links)
 *   none     anything else (containers, minimal images) */
#ifndef DD_INITSYS_H
#define DD_INITSYS_H

enum dd_init { DD_INIT_NONE, DD_INIT_SYSTEMD, DD_INIT_OPENRC, DD_INIT_SYSV };

enum dd_init dd_init_detect(void);
/* "none", "systemd", "openrc", "sysv" (the --init spellings). */
const char *dd_init_name(enum dd_init init);
/* The reverse, for --init; -1 when name is none of those. */
int dd_init_parse(const char *name, enum dd_init *init);
/* For a name from the state record (written by dd_init_name): none when unknown. */
enum dd_init dd_init_from_name(const char *name);

#endif
