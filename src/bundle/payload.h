/* Opening a bundle: find the payload behind the ELF stub, check the trailer, the manifest
 * and the signature before anything else is read. Blob digests are checked by whoever
 * streams the blob (dd_payload_hash_blob, or the one-pass extraction). */
#ifndef DD_PAYLOAD_H
#define DD_PAYLOAD_H

#include <stdint.h>

#include "bundle/format.h"
#include "bundle/sign.h"
#include "util/atomic.h"

enum dd_auth {
	DD_AUTH_NONE,		/* no trusted key compiled in: digests only */
	DD_AUTH_VERIFIED	/* signed by the compiled-in key */
};

struct dd_payload {
	int fd;
	char path[DD_PATH_MAX];
	uint64_t size;
	struct dd_trailer t;
	struct dd_manifest m;
	char text[DD_MANIFEST_MAX];
	unsigned char sig[DD_SIG_SIZE];
	enum dd_auth auth;
	int empty;		/* a bare stub: no payload at all */
	char err[512];		/* one line: what is wrong and what to do */
};

/* Open path (NULL: this program) and check everything but blob contents. 0, or an exit
 * code with p->err set: DD_EXIT_USAGE when path cannot be opened or is not a regular file,
 * DD_EXIT_FAIL for this program unreadable or a file that carries no payload (p->empty),
 * DD_EXIT_VERIFY for anything damaged, truncated, appended to, or not signed as this
 * build demands. The fd stays open until dd_payload_close, even on error. */
int dd_payload_open(struct dd_payload *p, const char *path);
void dd_payload_close(struct dd_payload *p);
/* For commands: dd_payload_open, and on failure close, print "CMD: FILE: reason" and
 * return the exit code. */
int dd_payload_open_cmd(struct dd_payload *p, const char *path, const char *cmd);
/* dd_payload_open_cmd, then the stub's SHA-256 against the manifest (DD_EXIT_VERIFY):
 * for the commands that act on the payload (install, extract), which refuse a damaged
 * program even when they would not read the blob (an engine already in place). */
int dd_payload_open_checked(struct dd_payload *p, const char *path, const char *cmd);
/* 0 when every blob of m that has an architecture (images have "-") is for the one the
 * program read through fd runs (its ELF header's); else -1 with one line in err: "payload
 * is for aarch64, WHO runs x86_64 code: use dockdrop-VERSION-arm64". dd_payload_open
 * refuses such a payload (DD_EXIT_VERIFY), bundle such an engine behind its stub. */
int dd_payload_arch_check(int fd, const struct dd_manifest *m, const char *who, char *err,
			  size_t errsz);
/* The first blob of kind "engine", or NULL. */
const struct dd_blob *dd_payload_engine(const struct dd_payload *p);
/* SHA-256 of bytes [off, off+len) of the file. 0 or -1 with errno. */
int dd_payload_hash_range(const struct dd_payload *p, uint64_t off, uint64_t len,
			  unsigned char out[32]);

#endif
