/* tar writer: POSIX ustar, regular files and directories only, owned by root (uid/gid 0,
 * uname/gname "root"), one mtime for every entry given by the caller, so the same input
 * gives the same bytes. Output goes through a caller function, so the archive can be
 * deflated on the way (archive/gzwrite.h), nested as a member of another archive, or kept
 * plain. Names are checked before anything is written: relative, printable ASCII, no
 * empty, "." or ".." component, and short enough for ustar (at most 100 bytes, or split at
 * a '/' into a prefix of at most 155 and a name of at most 100). No allocation. */
#ifndef DD_TARWRITE_H
#define DD_TARWRITE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TARW_BLOCK 512
#define TARW_PATH_MAX 256	/* longest stored name, with a directory's '/' (155 + 1 + 100) */

/* Error codes (negative returns). */
enum {
	TARW_EIO = -1,		/* the write function failed (its errno is kept) */
	TARW_ENAME = -2,	/* name refused (see above) */
	TARW_EARG = -3,		/* mode beyond 0777, size or mtime beyond the ustar fields */
	TARW_ESTATE = -4,	/* a file's data is short or long, or the archive is finished */
};

/* Write all n bytes: 0, or -1 with errno set. */
typedef int (*tarw_write_fn)(void *ctx, const void *buf, size_t n);

struct tarw {
	tarw_write_fn write;
	void *ctx;
	time_t mtime;
	uint64_t remain;	/* data bytes the current file still owes */
	unsigned pad;		/* zero bytes that complete its last block */
	int state;		/* 0 open, 1 finished, < 0 the error that stopped it */
};

/* mtime: seconds since the epoch for every entry (0 .. 8^11 - 1, else tarw_dir and
 * tarw_file_begin return TARW_EARG). */
void tarw_init(struct tarw *w, tarw_write_fn fn, void *ctx, time_t mtime);
/* A directory entry; path without the trailing '/', which is added. */
int tarw_dir(struct tarw *w, const char *path, unsigned mode);
/* The header of a regular file of exactly size bytes, to be given by tarw_data. */
int tarw_file_begin(struct tarw *w, const char *path, unsigned mode, uint64_t size);
/* Data of the current file (any split); more than its size is TARW_ESTATE. */
int tarw_data(struct tarw *w, const void *buf, size_t n);
/* tarw_file_begin and tarw_data for data in memory. */
int tarw_file(struct tarw *w, const char *path, unsigned mode, const void *data, size_t n);
/* The two zero blocks that end the archive; TARW_ESTATE if a file is unfinished. */
int tarw_finish(struct tarw *w);

/* Bytes a file of size bytes takes in an archive (header and padded data), and bytes of an
 * archive's end: to give a nested archive's size before writing it. */
uint64_t tarw_file_bytes(uint64_t size);
#define TARW_DIR_BYTES TARW_BLOCK
#define TARW_END_BYTES (2 * TARW_BLOCK)

/* 0 when path is a name tarw_dir (is_dir) or tarw_file would store, else TARW_ENAME. */
int tarw_name_check(const char *path, int is_dir);
/* A short English phrase for an error code. */
const char *tarw_strerror(int code);

#endif
