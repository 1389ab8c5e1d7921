/* Small file-descriptor helpers that retry on EINTR and short writes. */
#ifndef DD_IO_H
#define DD_IO_H

#include <stddef.h>
#include <sys/types.h>

/* Write all n bytes; 0 or -1 with errno. */
int dd_write_all(int fd, const void *buf, size_t n);
/* Read up to n bytes, stopping early only at EOF; bytes read or -1 with errno. */
ssize_t dd_read_full(int fd, void *buf, size_t n);
/* fsync the directory that holds path ("." for a bare name); 0 or -1 with errno. */
int dd_fsync_parent(const char *path);
/* fsync the directory fd (a file system that cannot is not an error). */
int dd_fsync_dir(int fd);
/* realpath(path, out) for a path that exists: the kernel's name for it (/proc/self/fd), as
 * musl's realpath did before 1.2.2 (its own walk since is 1.4 KB of the stub). out holds
 * PATH_MAX bytes. 0, or -1 with errno. */
int dd_realpath(const char *path, char *out);
/* A file's lines through a buffer of the caller's: dd_lines_next gives the next line
 * without its newline, NUL-terminated (a line longer than the buffer in pieces), NULL at
 * the end or on a read error; fd is closed then. Start with { .fd = open(...) }. */
struct dd_lines {
	int fd;
	size_t start, end;
	char buf[1024];
};
char *dd_lines_next(struct dd_lines *l);
/* Split path into its directory (without trailing '/', "/" or ".") and last component. */
int dd_path_split(const char *path, char *dir, size_t dirsz, const char **base);

/* Read a whole small file (at most bufsz - 1 bytes, NUL-terminated) refusing directories,
 * fifos and symlinks at the last component. Bytes read, or -1 with errno (EFBIG if larger). */
long dd_read_small_file(const char *path, char *buf, size_t bufsz);
/* The same for name in dirfd, and for an open fd (which it closes). */
long dd_read_small_at(int dirfd, const char *name, char *buf, size_t bufsz);
long dd_read_small_fd(int fd, char *buf, size_t bufsz);
/* What a file of mode m is, for "PATH: is a FIFO, not a regular file" lines: "a FIFO",
 * "a directory", "a symbolic link", ... */
const char *dd_file_kind(mode_t m);

/* futimens and fchmodat (without flags) as the bare system calls: musl's carry fallbacks
 * for kernels before 2.6.22 and an emulation of AT_SYMLINK_NOFOLLOW through /proc, 0.8 KB
 * of the stub that dockdrop never needs (preflight wants 3.10). 0 or -1 with errno. */
struct timespec;
int dd_futimens(int fd, const struct timespec ts[2]);
int dd_fchmodat(int dirfd, const char *name, mode_t mode);

#endif
