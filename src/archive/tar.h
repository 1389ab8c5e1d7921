/* tar reader: ustar, pax extended headers (path, linkpath, size, mtime) and GNU long names
 * ('L', 'K'). It pulls bytes from a caller-supplied read function, so it never sees where
 * they come from (a gzip stream, a file, a buffer in a test). No allocation: the reader and
 * the entry are caller-owned structs. Every field is bounds-checked; anything malformed is
 * an error, never a guess. */
#ifndef DD_TAR_H
#define DD_TAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TAR_BLOCK 512
#define TAR_NAME_MAX 4096	/* longest path or link target accepted, with its NUL */
#define TAR_PAX_MAX 65536	/* largest pax extended header or GNU long name accepted */

enum tar_type {
	TAR_FILE = 1,	/* '0', '\0', '7' */
	TAR_HARDLINK,	/* '1' */
	TAR_SYMLINK,	/* '2' */
	TAR_CHAR,	/* '3' */
	TAR_BLOCKDEV,	/* '4' */
	TAR_DIR,	/* '5' */
	TAR_FIFO,	/* '6' */
	TAR_OTHER	/* any other type flag: refused by extraction */
};

/* Error codes (negative returns). */
enum {
	TAR_EIO = -1,		/* the read function failed (its errno is kept) */
	TAR_ETRUNC = -2,	/* the stream ended inside a header or member */
	TAR_ECHECKSUM = -3,	/* header checksum does not match */
	TAR_EHEADER = -4,	/* malformed header field (number, magic, name, size) */
	TAR_EPAX = -5,		/* malformed pax record or GNU long name */
	TAR_ETOOLONG = -6	/* name or extended header over the limits above */
};

struct tar_entry {
	char path[TAR_NAME_MAX];	/* as in the archive (prefix/name joined, or pax/GNU) */
	char link[TAR_NAME_MAX];	/* hard or symbolic link target, else "" */
	enum tar_type type;
	char typeflag;			/* the raw flag byte, for messages */
	unsigned mode;			/* the 12 permission bits as stored (& 07777) */
	uint64_t size;			/* data bytes following the header (0 for links, dirs) */
	int64_t mtime;			/* seconds since the epoch */
};

/* Bytes read into buf (1..n), 0 at end of stream, or -1 with errno set. */
typedef ssize_t (*tar_read_fn)(void *ctx, void *buf, size_t n);

struct tar_reader {
	tar_read_fn read;
	void *ctx;
	uint64_t remain;	/* data bytes of the current entry not yet read */
	unsigned pad;		/* padding bytes after that data */
	int done;		/* 1: end-of-archive block seen; < 0: the error that stopped it */
	unsigned char block[TAR_BLOCK];
	char pax[TAR_PAX_MAX];	/* scratch for extended headers */
};

/* Parse one 512-byte header block on its own (no pax/GNU state): fills e from the ustar
 * or GNU or v7 fields. 1 = header, 0 = all-zero block (end of archive), < 0 = error. */
int tar_header_parse(const unsigned char block[TAR_BLOCK], struct tar_entry *e);

/* Apply the records of a pax extended header (data, n bytes) to e: path, linkpath, size,
 * mtime (fraction dropped); other keys are ignored. 0 or TAR_EPAX / TAR_ETOOLONG. */
int tar_pax_apply(const char *data, size_t n, struct tar_entry *e);

void tar_reader_init(struct tar_reader *r, tar_read_fn fn, void *ctx);
/* Next entry, skipping any unread data of the previous one and folding pax ('x') and
 * GNU ('L', 'K') headers into it; pax global headers ('g') are skipped. 1 = entry,
 * 0 = end of archive (first all-zero block), < 0 = error code. */
int tar_next(struct tar_reader *r, struct tar_entry *e);
/* Read up to n data bytes of the current entry: bytes read, 0 when the entry's data is
 * exhausted, < 0 error code (TAR_ETRUNC if the stream ends early). */
ssize_t tar_read(struct tar_reader *r, void *buf, size_t n);
/* A short English phrase for an error code ("header checksum mismatch"). */
const char *tar_strerror(int code);

#endif
