/* Base64 (RFC 4648, padded), the one encoder and decoder of the stub: registry logins
 * (workload/dockercfg), PEM output (util/pem), Azure settings. */
#ifndef DD_BASE64_H
#define DD_BASE64_H

#include <stddef.h>

/* Base64 of in[0..n) into out, terminated: its length, or 0 when it does not fit. The
 * characters are computed, not looked up (no secret-dependent memory access: a password,
 * a private key). */
size_t dd_base64(const void *in, size_t n, char *out, size_t cap);
/* Decode s[0..n) (padded, no spaces): the length, or -1 when malformed or too long. */
long dd_unbase64(const char *s, size_t n, unsigned char *out, size_t cap);

#endif
