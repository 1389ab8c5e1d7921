/* SHA-256 for bulk data: BearSSL's context and output, with the block function replaced
 * by the x86 SHA extensions when the CPU has them (found at run time with cpuid). Hashing
 * the 72 MB engine costs about 0.05 s that way instead of 0.3 s, which is what lets one
 * pass verify and unpack at inflate speed. */
#ifndef DD_SHA256_H
#define DD_SHA256_H

#include <stddef.h>

#include <bearssl.h>

typedef br_sha256_context dd_sha256;

void dd_sha256_init(dd_sha256 *c);
void dd_sha256_update(dd_sha256 *c, const void *data, size_t n);
void dd_sha256_out(const dd_sha256 *c, unsigned char out[32]);
/* SHA-256 of the regular file at path (not followed if a symlink). 0 or -1 with errno. */
int dd_sha256_file(const char *path, unsigned char out[32]);
/* The same for the rest of an open fd (left open). */
int dd_sha256_fd(int fd, unsigned char out[32]);
/* 1 when the SHA extensions are in use. dd_sha256_force_generic(1) turns them off (tests
 * compare both paths). */
int dd_sha256_accelerated(void);
void dd_sha256_force_generic(int on);

#endif
