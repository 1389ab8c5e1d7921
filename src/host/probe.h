/* Read-only looks at the target system, shared by init-system detection and preflight.
 *
 * Two kinds of path. Files of the installed system (/etc, /usr, /var, /opt, /lib/modules)
 * are resolved in the root (host/root.h), so `--root DIR` looks at the image tree as that
 * machine will see it (its absolute symlinks stay inside) and tests at a fake one.
 * Files about the running kernel (/proc, /sys) and uname() cannot be asked of an image;
 * for tests only, the environment variable DOCKDROP_TEST_SYSROOT prefixes /proc and /sys
 * paths, and $DOCKDROP_TEST_SYSROOT/proc/sys/kernel/{osrelease,arch} replace uname()'s
 * release and machine when present. Nothing else reads that variable. */
#ifndef DD_PROBE_H
#define DD_PROBE_H

#include <stddef.h>

/* out = DOCKDROP_TEST_SYSROOT + abs (abs alone when unset). 0, or -1 with errno. */
int dd_probe_sys_path(char *out, size_t outsz, const char *abs);
/* The running kernel's release ("6.1.0-18-amd64") and machine ("x86_64"), with the test
 * override above. 0, or -1 with errno. */
int dd_probe_uname(char *release, size_t relsz, char *machine, size_t machsz);

/* For /proc and /sys (the test override above): 1 when abs exists (and is a directory if
 * want_dir); the small file abs into buf, "" when it cannot be read. */
int dd_probe_sys_exists(const char *abs, int want_dir);
void dd_probe_sys_read(const char *abs, char *buf, size_t bufsz);

/* On the target (host/root.h): 1 when abs exists (lstat: a dangling symlink counts),
 * 1 when it is a directory (stat), else 0. */
int dd_probe_exists(const char *abs);
int dd_probe_is_dir(const char *abs);
/* The target of the symlink abs into out (NUL-terminated); -1 when abs is not a symlink. */
int dd_probe_readlink(const char *abs, char *out, size_t outsz);
/* Find an executable NAME in the usual system directories of the target
 * (/usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin). 1 and its absolute
 * target path in out (may be NULL), or 0. A symlink counts (alternatives point outside an
 * image tree). */
int dd_probe_find_prog(const char *name, char *out, size_t outsz);
/* 1 when abs on the target is a symlink into dockdrop's own tree (/opt/dockdrop/...). */
int dd_probe_is_ours(const char *abs);

#endif
