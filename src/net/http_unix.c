/* GET over the Docker engine's unix socket. */
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

int dd_http_unix_get(const char *sock_path, const char *path, int timeout_ms,
		     struct dd_http_resp *r, char *err, size_t errsz)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline = dd_net_deadline(timeout_ms);
	char req[512], raw[DD_HTTP_RAW_MAX], why[128];
	size_t rn;
	long n;
	int fd, e;

	r->status = 0;
	r->body_len = 0;
	r->body[0] = 0;
	if (strlen(sock_path) >= sizeof sa.sun_path)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot connect to %s: path too long for a socket",
			      sock_path);
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	rn = dd_http_request(req, sizeof req, path, "docker");
	if (rn == 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "GET %s: not a valid request path", path);
	fd = dd_net_connect((const struct sockaddr *)&sa, sizeof sa, deadline);
	if (fd < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot connect to %s: %s", sock_path,
			      dd_net_why(errno, timeout_ms, why, sizeof why));
	n = dd_net_write_all(fd, req, rn, deadline) == 0 ? read_response(fd, raw, sizeof raw, deadline)
							  : -1;
	e = errno;
	close(fd);
	if (n < 0 && e == EMSGSIZE)
		return dd_say(err, errsz, DD_EXIT_FAIL, "GET %s on %s: response larger than %d bytes",
			      path, sock_path, DD_HTTP_RAW_MAX);
	if (n < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "GET %s on %s: %s", path, sock_path,
			      dd_net_why(e, timeout_ms, why, sizeof why));
	if (n == 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "GET %s on %s: connection closed without a response",
			      path, sock_path);
	if (dd_http_parse(raw, (size_t)n, r) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "GET %s on %s: malformed HTTP response",
			      path, sock_path);
	return DD_EXIT_OK;
}
