/* A tiny HTTP/1.1 client for the Docker engine API: one GET with "Connection: close", the
 * whole response read into caller memory, parsed by a reader that fails closed (it is
 * fuzzed: tests/fuzz/fuzz_http.c). Enough HTTP for /_ping and /version, nothing more:
 * no redirects, no keep-alive, no 1xx responses, no transfer codings but chunked. */
#ifndef DD_NET_HTTP_H
#define DD_NET_HTTP_H

#include <stddef.h>

#define DD_HTTP_BODY_MAX 65536
/* A whole response as read from the wire: headers, chunk framing and body. */
#define DD_HTTP_RAW_MAX (DD_HTTP_BODY_MAX + 16384)

struct dd_http_resp {
	int status;
	size_t body_len;
	char body[DD_HTTP_BODY_MAX + 1];	/* NUL-terminated */
};

/* Parse a complete HTTP/1.x response held in buf (headers + body; Content-Length, chunked
 * transfer-encoding, or read-to-close). 0, or -1 (malformed, too large, truncated, bytes
 * after the end of the message). */
int dd_http_parse(const char *buf, size_t n, struct dd_http_resp *r);
/* For a reader: 1 when buf already holds a whole response (its Content-Length or last
 * chunk seen), 0 when more is needed or only the end of the stream can end it, -1 when it
 * can only be malformed. */
int dd_http_complete(const char *buf, size_t n);
/* The request line and headers of a GET into out. Length, or 0 when path is not an
 * absolute path of printable characters or it does not fit. */
size_t dd_http_request(char *out, size_t cap, const char *path, const char *host);

/* GET path over the unix socket at sock_path (path mapped by the caller), HTTP/1.1 with
 * "Host: docker" and "Connection: close". Whole exchange bounded by timeout_ms.
 * 0, or DD_EXIT_FAIL with a one-line err (connect refused / no such socket / timeout / bad
 * response). Any status is a success here: the caller judges r->status. */
int dd_http_unix_get(const char *sock_path, const char *path, int timeout_ms,
		     struct dd_http_resp *r, char *err, size_t errsz);

#endif
