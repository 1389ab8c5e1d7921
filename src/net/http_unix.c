/* Requests over the Docker engine's unix socket. */
#include <errno.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "net/http.h"
#include "net/sock.h"
#include "util/log.h"

/* Read until the response is whole (or the peer closes). Bytes read, or -1 with errno;
 * EMSGSIZE when the response does not fit. */
static long read_response(int fd, char *raw, size_t cap, long long deadline)
{
	size_t n = 0;

	for (;;) {
		ssize_t got;

		if (n == cap) {
			errno = EMSGSIZE;
			return -1;
		}
		got = dd_net_read(fd, raw + n, cap - n, deadline);
		if (got < 0)
			return -1;
		if (got == 0)
			return (long)n;
		n += (size_t)got;
		if (dd_http_complete(raw, n) != 0)
			return (long)n;	/* whole, or beyond repair: no need to wait */
	}
}

/* The body, chunk by chunk, each write bounded by timeout_ms. 1; -1 with errno (a write);
 * -2 with errno (the caller aborted, or gave other than body_len bytes). */
static int send_body(int fd, const struct dd_http_req *q, int timeout_ms)
{
	unsigned long long left = q->body_len;

	for (;;) {
		const unsigned char *p;
		long n = q->body(q->ctx, &p);

		if (n < 0 || (unsigned long long)n > left || (n == 0 && left)) {
			errno = n < 0 ? errno : EPIPE;
			return -2;
		}
		if (n == 0)
			return 1;
		if (dd_net_write_all(fd, p, (size_t)n, dd_net_deadline(timeout_ms)) != 0)
			return -1;
		left -= (unsigned long long)n;
	}
}

int dd_http_unix(const char *sock_path, const struct dd_http_req *q, int timeout_ms,
		 struct dd_http_resp *r, char *err, size_t errsz)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline = dd_net_deadline(timeout_ms);
	char req[1024], raw[DD_HTTP_RAW_MAX], why[128];
	const char *m = q->method, *path = q->path;
	size_t rn;
	long n = -1;
	int fd, e, sent = 0;

	r->status = 0;
	r->body_len = 0;
	r->body[0] = 0;
	if (strlen(sock_path) >= sizeof sa.sun_path)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot connect to %s: path too long for a socket",
			      sock_path);
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	rn = dd_http_head(req, sizeof req, q, "docker");
	if (rn == 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s %s: not a valid request path (or header)", m, path);
	fd = dd_net_connect((const struct sockaddr *)&sa, sizeof sa, deadline);
	if (fd < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot connect to %s: %s", sock_path,
			      dd_net_why(errno, timeout_ms, why, sizeof why));
	if (dd_net_write_all(fd, req, rn, deadline) == 0)
		sent = q->body ? send_body(fd, q, timeout_ms) : 1;
	e = errno;
	if (sent == -2) {
		close(fd);
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s %s on %s: the request was cut short: %s", m,
			      path, sock_path, strerror(e));
	}
	/* An answer may have come before the peer stopped reading the body and closed. */
	if (sent == 1 || (q->body && (e == EPIPE || e == ECONNRESET))) {
		n = read_response(fd, raw, sizeof raw, q->body ? dd_net_deadline(timeout_ms) : deadline);
		e = n > 0 || sent == 1 ? errno : e;
	}
	close(fd);
	if (n < 0 && e == EMSGSIZE)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s %s on %s: response larger than %d bytes",
			      m, path, sock_path, DD_HTTP_RAW_MAX);
	if (n < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s %s on %s: %s", m, path, sock_path,
			      dd_net_why(e, timeout_ms, why, sizeof why));
	if (n == 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s %s on %s: connection closed without a response",
			      m, path, sock_path);
	if (dd_http_parse(raw, (size_t)n, r) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s %s on %s: malformed HTTP response",
			      m, path, sock_path);
	return DD_EXIT_OK;
}

int dd_http_unix_get(const char *sock_path, const char *path, int timeout_ms,
		     struct dd_http_resp *r, char *err, size_t errsz)
{
	const struct dd_http_req q = { "GET", path, NULL, 0, NULL, NULL };

	return dd_http_unix(sock_path, &q, timeout_ms, r, err, errsz);
}
