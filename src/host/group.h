/* The `docker` group (docker.socket's SocketGroup=docker fails without it), added the way
 * shadow-utils' `groupadd --system` adds it (what Docker's own packages run), with no tool
 * on the target: under the shadow-utils lock (/etc/.pwd.lock, as lckpwdf() takes it: a
 * concurrent useradd, groupadd, vipw or systemd-sysusers waits for us and we for them),
 * /etc/gshadow (when it exists) then /etc/group each replaced atomically with its mode and
 * owner kept, their bytes unchanged but for one appended line. Both go through
 * dd_root_path, so --root edits an image tree (and reads its /etc/login.defs).
 *
 * The gid is groupadd -r's (shadow 4.13, checked against `groupadd -R DIR -r` in the unit
 * test): in SYS_GID_MIN..SYS_GID_MAX from login.defs (default 101..GID_MIN-1, so 101..999),
 * one below the lowest gid already used in that range, or when that is below the range the
 * highest free gid; 999 on a file with no system group. Debian's `addgroup --system` (what
 * Debian's docker.io postinst runs) would instead take the lowest free gid from 100 up.
 * Only the files are read: groups from NSS sources (LDAP, sssd) are not seen. */
#ifndef DD_GROUP_H
#define DD_GROUP_H

#include <stddef.h>

/* Ensure group name exists. Present in /etc/group: *gid its gid, *changed 0, nothing
 * written (a missing /etc/gshadow line is left alone, as groupadd's own check would).
 * Otherwise "name:!::" is appended to /etc/gshadow unless it already holds name (written
 * first: a run cut short between the two files is completed by the next), then
 * "name:x:GID:" to /etc/group; *changed 1. 0, or DD_EXIT_USAGE (invalid name, malformed
 * line for name, bad login.defs range) or DD_EXIT_FAIL (I/O, symlink, no free gid, lock
 * not obtained in time) with one line in err. */
int dd_group_ensure(const char *name, unsigned *gid, int *changed, char *err, size_t errsz);

/* Look up only (for status), without the lock: 0 found, 1 not found, -1 error. */
int dd_group_lookup(const char *name, unsigned *gid);

/* How long dd_group_ensure waits for the lock: 15000 ms by default (lckpwdf's 15 s).
 * For tests. */
void dd_group_set_lock_timeout(unsigned ms);

#endif
