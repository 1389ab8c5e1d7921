/* host/root: the one owner of --root. Every file dockdrop reads, writes or removes on the
 * target is named by an absolute path as the target machine sees it (/etc/docker/daemon.json)
 * and resolved here, inside a directory fd of the root, the way that machine will resolve
 * it: an image tree's var/run -> /run leads to DIR/run, never to the build host's /run, and
 * ".." stops at DIR. openat2(2) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS does this where
 * the kernel has it (Linux 5.6); elsewhere a walk does it with fds, component by component
 * with O_NOFOLLOW, reading each symlink and starting again at the root fd for an absolute
 * one (ELOOP after 40 links). Without --root the root is "/" and the same code runs.
 *
 * The last component of whatever is written, renamed or removed is never followed: it is
 * handled with the *at() calls on the directory fd of its parent, so a symlink there is
 * replaced or removed, never written through. A request with a "." or ".." component, or
 * one that is not absolute, is refused (EINVAL): dockdrop's own paths have none.
 *
 * Every function returns 0 (or an fd, a length) or -1 with errno. For tests only,
 * DOCKDROP_TEST_NO_OPENAT2=1 makes the walk do every resolution, so both are tested. */
#ifndef DD_HOST_ROOT_H
#define DD_HOST_ROOT_H

#include <dirent.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include "util/atomic.h"

#define DD_ROOT_LINKS_MAX 40	/* symlinks followed in one resolution, as the kernel's */

/* The root for every call below: DIR (which must be a directory; kept open), or the
 * machine's own "/" for NULL, "" or "/". On failure the earlier root is kept. */
int dd_root_set(const char *dir);
/* DIR as given to dd_root_set, made absolute ("" when the root is "/"): for messages. */
const char *dd_root(void);
/* The root's directory fd (opened once, close-on-exec), or -1 with errno. */
int dd_root_fd(void);
/* "openat2" or "walk": which of the two resolves paths here (tests, -v). */
const char *dd_root_resolver(void);
/* abs as a name on this machine, for messages only ("DIR/etc/docker", or abs itself when
 * the root is "/"): never opened, since a symlink in DIR could lead anywhere. Returns buf. */
const char *dd_root_show(const char *abs, char *buf, size_t cap);

/* open(2) of abs inside the root, every symlink followed inside it, the last one too
 * unless flags has O_NOFOLLOW. O_CREAT implies O_NOFOLLOW: nothing is made through a
 * link. The fd is close-on-exec. */
int dd_root_open(const char *abs, int flags, mode_t mode);
/* The directory holding abs's last component, opened O_RDONLY|O_DIRECTORY, for *at()
 * calls on *base (which points into abs). abs must have a last component ("/" has none). */
int dd_root_parent(const char *abs, const char **base);

int dd_root_lstat(const char *abs, struct stat *st);
int dd_root_stat(const char *abs, struct stat *st);
/* statfs, not statvfs: musl's statvfs is a conversion of it, 0.5 KB of the stub. */
int dd_root_statfs(const char *abs, struct statfs *sf);
/* The target of the symlink abs, NUL-terminated; ENAMETOOLONG when it does not fit. */
int dd_root_readlink(const char *abs, char *out, size_t outsz);
/* A whole small file (dd_read_small_file's rules: at most cap - 1 bytes, NUL added, a
 * symlink as last component refused). Its length, or -1. */
long dd_root_read_small(const char *abs, char *buf, size_t cap);
/* SHA-256 of the regular file abs in lowercase hex, as the state record keeps it (a
 * symlink as last component refused; hex is "" on failure). */
int dd_root_sha256_hex(const char *abs, char hex[65]);
DIR *dd_root_opendir(const char *abs);

/* mkdir -p: missing directories 0755, the last one `mode` exactly; existing ones (and
 * symlinks to directories inside the root) kept as they are; ENOTDIR for anything else. */
int dd_root_mkdir_p(const char *abs, mode_t mode);
/* Remove a file or link (unlink), an empty directory (rmdir), or a tree (absent is fine
 * for rmtree only). The parent directory is fsync'ed after unlink. */
int dd_root_unlink(const char *abs);
int dd_root_rmdir(const char *abs);
int dd_root_rmtree(const char *abs);
/* rename(2) of the entry from (not followed) to to (replaced, not followed). */
int dd_root_rename(const char *from, const char *to);
/* dd_afile_open and dd_write_atomic of abs: the temporary is made in abs's directory and
 * renamed over abs's last component. */
int dd_root_afile_open(struct dd_afile *af, const char *abs, mode_t mode);
int dd_root_write_atomic(const char *abs, const void *buf, size_t n, mode_t mode);
/* The same, the new file owned by uid:gid ((uid_t)-1, (gid_t)-1: as created). */
int dd_root_write_atomic_as(const char *abs, const void *buf, size_t n, mode_t mode, uid_t uid,
			    gid_t gid);

#endif
