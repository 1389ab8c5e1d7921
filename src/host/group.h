/* The `docker` group (docker.socket's SocketGroup=docker fails without it), added as
 * shadow-utils' `groupadd --system docker` adds it (what docker-ce's packages run), with
 * no tool on the target: under the shadow-utils lock (/etc/.pwd.lock taken as lckpwdf()
 * takes it: a concurrent useradd, groupadd, vipw or systemd-sysusers waits for us and we
 * for them), /etc/gshadow (when it exists) then /etc/group, each replaced atomically with
 * its mode and owner kept and its bytes unchanged but for one added line: at the end, or
 * before the first NIS "+"/"-" line as shadow-utils puts it (a missing final newline is
 * added). Paths are resolved inside the root by host/root, so --root edits an image tree
 * (and reads its /etc/login.defs). A line counts as an entry when shadow's sgetgrent() would read it.
 *
 * The gid is groupadd -r's (shadow 4.13; the unit test compares gid and bytes with
 * `groupadd -R DIR -r` on the same files): within SYS_GID_MIN..SYS_GID_MAX of login.defs
 * (default 101..GID_MIN-1, so 101..999), one below the lowest gid used in that range, or,
 * when that falls below the range, the highest free gid; 999 when no system group exists.
 * Debian's `addgroup --system` (run by Debian's docker.io postinst) takes the lowest free
 * gid from 100 up instead. Only the files are read: groups from other NSS sources (LDAP,
 * sssd) are not seen. */
#ifndef DD_GROUP_H
#define DD_GROUP_H

#include <stddef.h>

/* Ensure group name exists. Present in /etc/group: *gid its gid, *changed 0, nothing
 * written (not even a missing /etc/gshadow line). Otherwise "name:!::" goes into
 * /etc/gshadow unless it holds name already (kept as it is, where groupadd would replace
 * it), written first so that a run cut short between the two files is completed by the
 * next; then "name:x:GID:" into /etc/group; *changed 1. 0, or with one line in err
 * DD_EXIT_USAGE (invalid name; a line that is not an entry, name on two lines, or a NUL
 * byte: fix with vigr; a bad login.defs range) or DD_EXIT_FAIL (I/O, a symlink, no free gid, the
 * lock not obtained in time). */
int dd_group_ensure(const char *name, unsigned *gid, int *changed, char *err, size_t errsz);

/* Remove group name (uninstall --purge of a group dockdrop created), under the same lock,
 * from /etc/group then /etc/gshadow. A group that has members now is kept: DD_EXIT_FAIL
 * with err saying so. Absent is fine. nonl names the files that had no final newline
 * before dd_group_ensure added its line (and one): they end without one again, so the
 * file is byte for byte what it was. 0 or an exit code with err. */
#define DD_GROUP_NONL_GROUP 1u
#define DD_GROUP_NONL_GSHADOW 2u
int dd_group_remove(const char *name, unsigned nonl, char *err, size_t errsz);

/* Read-only, without the lock, before anything changes: 0 when dd_group_ensure(name) can
 * work on /etc/group, /etc/gshadow and /etc/login.defs as they are, else DD_EXIT_USAGE (a
 * NUL byte, a line that is not an entry, name on two lines, a gid above 4294967294, a bad
 * login.defs range) or DD_EXIT_FAIL (not readable, a symlink, not a regular file, no free
 * system gid), with one line in err. */
int dd_group_check(const char *name, char *err, size_t errsz);

/* Look up only (for status), without the lock: 0 found, 1 not found, -1 error. */
int dd_group_lookup(const char *name, unsigned *gid);

/* How long dd_group_ensure waits for the lock: 15000 ms by default (lckpwdf's 15 s).
 * For tests. */
void dd_group_set_lock_timeout(unsigned ms);

#endif
