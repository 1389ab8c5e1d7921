/* A tiny HTTP/1.1 client for the Docker engine API: one request with "Connection: close"
 * (a GET, or any method with extra headers and a body streamed from the caller), the whole
 * response read into caller memory, parsed by a reader that fails closed (it is
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

/* A request beyond a bare GET. headers: extra header lines, each "Name: value\r\n", or
 * NULL. body (NULL for none): the next chunk of the body_len bytes sent with
 * Content-Length, its length with *p set, 0 at the end, -1 with errno to abort the request
 * (the socket is closed before the last byte: the peer never takes a partial body for a
 * whole one). */
struct dd_http_req {
	const char *method, *path, *headers;
	unsigned long long body_len;
	long (*body)(void *ctx, const unsigned char **p);
	void *ctx;
};
/* dd_http_request for q. Length, or 0 (bad method, path or headers, or it does not fit). */
size_t dd_http_head(char *out, size_t cap, const struct dd_http_req *q, const char *host);

/* GET path over the unix socket at sock_path (path mapped by the caller), HTTP/1.1 with
 * "Host: docker" and "Connection: close". Whole exchange bounded by timeout_ms.
 * 0, or DD_EXIT_FAIL with a one-line err (connect refused / no such socket / timeout / bad
 * response). Any status is a success here: the caller judges r->status. */
int dd_http_unix_get(const char *sock_path, const char *path, int timeout_ms,
		     struct dd_http_resp *r, char *err, size_t errsz);
/* q over the unix socket, as dd_http_unix_get. With a body, timeout_ms bounds each write
 * and then the wait for the response (a daemon may work long on a big body); an answer
 * the peer gives before it has read the whole body is still read. */
int dd_http_unix(const char *sock_path, const struct dd_http_req *q, int timeout_ms,
		 struct dd_http_resp *r, char *err, size_t errsz);

#endif
