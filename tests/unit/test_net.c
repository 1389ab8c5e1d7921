/* net: the HTTP response reader on a table of good and hostile responses (every framing,
 * bad status lines, overflows, truncations, bytes after the end) and on every prefix of good
 * ones; GET over a unix socket against servers forked by the test (answering at once, in
 * pieces, keeping the connection open, never answering, closing, flooding) and against no
 * server at all; the SAN name check on a table; and HTTPS with mutual TLS against a real
 * peer, `openssl s_server`, holding certificates made by the project's CA: success with
 * ECDSA P-256, RSA-2048 and mixed keys, by IP, by DNS name and over IPv6, then every
 * refusal: another CA, a name or an address not in the SANs, an address given only as a DNS
 * SAN, a client certificate served as the server's, expired and not-yet-valid
 * (DOCKDROP_TEST_NOW), the server refusing our certificate, silence or nonsense after the
 * handshake, nothing listening, a silent peer, a peer that does not speak TLS, bad files. Every server
 * is killed by its pid; every wait is bounded. */
#include "t.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "net/http.h"
#include "net/sock.h"
#include "net/tls.h"
#include "pki/ca.h"
#include "util/log.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct dd_http_resp resp;

static long long ms_now(void)
{
	return dd_net_deadline(0);
}

static int one_line(const char *s)
{
	return *s && !strchr(s, '\n');
}

/* --- dd_http_parse ---------------------------------------------------------------------- */
struct parse_row {
	const char *name, *in;
	size_t len;		/* 0: strlen(in) */
	int rc, status;
	const char *body;	/* expected body (rc 0) */
	size_t body_len;	/* 0: strlen(body) */
};

#define OK200 "HTTP/1.1 200 OK\r\n"

static const struct parse_row parse_rows[] = {
	/* Content-Length */
	{ "length", OK200 "Content-Length: 2\r\n\r\nOK", 0, 0, 200, "OK", 0 },
	{ "length 0", OK200 "Content-Length: 0\r\n\r\n", 0, 0, 200, "", 0 },
	{ "length with white space", OK200 "Content-Length: \t2 \r\n\r\nOK", 0, 0, 200, "OK", 0 },
	{ "length twice, same", OK200 "Content-Length: 2\r\ncontent-length: 2\r\n\r\nOK", 0, 0, 200, "OK", 0 },
	{ "length twice, different", OK200 "Content-Length: 2\r\nContent-Length: 3\r\n\r\nOK!", 0, -1, 0, NULL, 0 },
	{ "length list", OK200 "Content-Length: 2, 2\r\n\r\nOK", 0, -1, 0, NULL, 0 },
	{ "length empty", OK200 "Content-Length:\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "length signed", OK200 "Content-Length: +2\r\n\r\nOK", 0, -1, 0, NULL, 0 },
	{ "length negative", OK200 "Content-Length: -1\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "length hex", OK200 "Content-Length: 0x2\r\n\r\nOK", 0, -1, 0, NULL, 0 },
	{ "length over the limit", OK200 "Content-Length: 65537\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "length overflows 64 bits", OK200 "Content-Length: 18446744073709551618\r\n\r\nOK", 0, -1, 0, NULL, 0 },
	{ "body shorter than length", OK200 "Content-Length: 5\r\n\r\nOK", 0, -1, 0, NULL, 0 },
	{ "bytes after the body", OK200 "Content-Length: 2\r\n\r\nOKHTTP/1.1 200 OK\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "binary body", OK200 "Content-Length: 3\r\n\r\na\0b", sizeof(OK200 "Content-Length: 3\r\n\r\na\0b") - 1, 0, 200, "a\0b", 3 },
	/* chunked */
	{ "chunked", OK200 "Transfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n", 0, 0, 200, "Wikipedia", 0 },
	{ "chunked, case and zeros", OK200 "transfer-encoding: Chunked\r\n\r\n00A\r\n0123456789\r\n000\r\n\r\n", 0, 0, 200, "0123456789", 0 },
	{ "chunked, extensions", OK200 "Transfer-Encoding: chunked\r\n\r\n2;a=b\r\nOK\r\n0 ;last\r\n\r\n", 0, 0, 200, "OK", 0 },
	{ "chunked, trailers", OK200 "Transfer-Encoding: chunked\r\n\r\n2\r\nOK\r\n0\r\nX-Sum: 1\r\n\r\n", 0, 0, 200, "OK", 0 },
	{ "chunked, empty", OK200 "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, 0, 200, "", 0 },
	{ "chunked, no last chunk", OK200 "Transfer-Encoding: chunked\r\n\r\n2\r\nOK\r\n", 0, -1, 0, NULL, 0 },
	{ "chunked, cut in a chunk", OK200 "Transfer-Encoding: chunked\r\n\r\n5\r\nOK", 0, -1, 0, NULL, 0 },
	{ "chunked, no final CRLF", OK200 "Transfer-Encoding: chunked\r\n\r\n0\r\n", 0, -1, 0, NULL, 0 },
	{ "chunked, data longer than size", OK200 "Transfer-Encoding: chunked\r\n\r\n1\r\nOK\r\n0\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "chunked, bad size", OK200 "Transfer-Encoding: chunked\r\n\r\nzz\r\nOK\r\n0\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "chunked, empty size", OK200 "Transfer-Encoding: chunked\r\n\r\n\r\nOK\r\n0\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "chunked, size overflows", OK200 "Transfer-Encoding: chunked\r\n\r\n10000000000000002\r\nOK\r\n0\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "chunked, size over the limit", OK200 "Transfer-Encoding: chunked\r\n\r\n10001\r\nOK\r\n0\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "chunked, bytes after the end", OK200 "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nX", 0, -1, 0, NULL, 0 },
	{ "chunked, Content-Length trailer", OK200 "Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 1\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "chunked and length", OK200 "Transfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "gzip coding", OK200 "Transfer-Encoding: gzip\r\n\r\nxx", 0, -1, 0, NULL, 0 },
	{ "gzip, chunked", OK200 "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "chunked twice", OK200 "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, -1, 0, NULL, 0 },
	/* to the end of the stream */
	{ "to close", "HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\n{\"Version\":\"28.3.2\"}\n", 0, 0, 200, "{\"Version\":\"28.3.2\"}\n", 0 },
	{ "to close, empty", "HTTP/1.0 200 ok\r\n\r\n", 0, 0, 200, "", 0 },
	{ "204 has no body", "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, 204, "", 0 },
	{ "204 with bytes", "HTTP/1.1 204 No Content\r\n\r\nX", 0, -1, 0, NULL, 0 },
	{ "304 ignores length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", 0, 0, 304, "", 0 },
	{ "404 is a response", "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope", 0, 0, 404, "nope", 0 },
	/* status lines */
	{ "no reason", "HTTP/1.1 200\r\n\r\n", 0, 0, 200, "", 0 },
	{ "empty reason", "HTTP/1.1 200 \r\n\r\n", 0, 0, 200, "", 0 },
	{ "reason with spaces", "HTTP/1.1 503 Service Unavailable Now\r\n\r\n", 0, 0, 503, "", 0 },
	{ "HTTP/2", "HTTP/2 200 OK\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "HTTP/1.2", "HTTP/1.2 200 OK\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "lower-case protocol", "http/1.1 200 OK\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "two digits", "HTTP/1.1 20 OK\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "four digits", "HTTP/1.1 2000 OK\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "double space", "HTTP/1.1  200 OK\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "1xx", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "600", "HTTP/1.1 600 What\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "control in reason", "HTTP/1.1 200 O\x01K\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", 0, -1, 0, NULL, 0 },
	{ "bare CR", "HTTP/1.1 200 OK\rX: y\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "headers not ended", OK200 "Content-Length: 0\r\n", 0, -1, 0, NULL, 0 },
	{ "empty", "", 0, -1, 0, NULL, 0 },
	{ "not HTTP", "SSH-2.0-OpenSSH_9.6\r\n", 0, -1, 0, NULL, 0 },
	/* header fields */
	{ "no colon", OK200 "Content-Length 0\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "space before colon", OK200 "Content-Length : 0\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "empty name", OK200 ": x\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "folded line", OK200 "X-A: 1\r\n  2\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "NUL in a value", OK200 "X-A: a\0b\r\n\r\n", sizeof(OK200 "X-A: a\0b\r\n\r\n") - 1, -1, 0, NULL, 0 },
	{ "control in a value", OK200 "X-A: a\x7f\r\n\r\n", 0, -1, 0, NULL, 0 },
	{ "obs-text value", OK200 "X-A: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n", 0, 0, 200, "", 0 },
};

TEST(parse_table)
{
	for (size_t i = 0; i < N(parse_rows); i++) {
		const struct parse_row *t = &parse_rows[i];
		size_t n = t->len ? t->len : strlen(t->in);
		int rc;

		memset(&resp, 0x55, sizeof resp);
		rc = dd_http_parse(t->in, n, &resp);
		CHECKF(rc == t->rc, "%s: rc %d", t->name, rc);
		if (rc != 0 || t->rc != 0) {
			CHECKF(resp.body_len == 0 && resp.body[0] == 0, "%s: body left", t->name);
			continue;
		}
		size_t bl = t->body_len ? t->body_len : strlen(t->body);

		CHECKF(resp.status == t->status, "%s: status %d", t->name, resp.status);
		CHECKF(resp.body_len == bl && memcmp(resp.body, t->body, bl) == 0 &&
			       resp.body[bl] == 0,
		       "%s: body %zu \"%s\"", t->name, resp.body_len, resp.body);
	}
}

/* Built bodies around the limits: the largest body each framing takes, one byte more, a
 * header section over its limit, and a body cut into one-byte chunks. */
static char big[7 * DD_HTTP_BODY_MAX];

static size_t build(const char *head, char fill, size_t body)
{
	size_t h = strlen(head);

	memcpy(big, head, h);
	memset(big + h, fill, body);
	return h + body;
}

TEST(parse_limits)
{
	char head[64];
	size_t n, m;

	snprintf(head, sizeof head, OK200 "Content-Length: %d\r\n\r\n", DD_HTTP_BODY_MAX);
	n = build(head, 'x', DD_HTTP_BODY_MAX);
	CHECK(dd_http_parse(big, n, &resp) == 0 && resp.body_len == DD_HTTP_BODY_MAX &&
	      resp.body[DD_HTTP_BODY_MAX] == 0);
	n = build("HTTP/1.0 200 OK\r\n\r\n", 'y', DD_HTTP_BODY_MAX);
	CHECK(dd_http_parse(big, n, &resp) == 0 && resp.body_len == DD_HTTP_BODY_MAX);
	n = build("HTTP/1.0 200 OK\r\n\r\n", 'y', DD_HTTP_BODY_MAX + 1);
	CHECK(dd_http_parse(big, n, &resp) == -1);
	CHECK(dd_http_complete(big, n) == -1);	/* no need to read on */

	/* A header section of 20000 bytes. */
	n = build(OK200 "X-Pad: ", 'p', 20000);
	memcpy(big + n, "\r\n\r\n", 4);
	CHECK(dd_http_parse(big, n + 4, &resp) == -1);
	CHECK(dd_http_complete(big, n) == -1);	/* refused before its end */

	/* 64 KiB in one-byte chunks: 6 bytes of framing each, more than a reader holds, but
	 * the parser alone takes it. Then one chunk more. */
	n = build(OK200 "Transfer-Encoding: chunked\r\n\r\n", 0, 0);
	for (m = 0; m < DD_HTTP_BODY_MAX; m++) {
		memcpy(big + n, "1\r\nz\r\n", 6);
		n += 6;
		if (n + 16 > sizeof big)
			break;
	}
	if (m == DD_HTTP_BODY_MAX) {
		memcpy(big + n, "0\r\n\r\n", 5);
		CHECK(dd_http_parse(big, n + 5, &resp) == 0 && resp.body_len == DD_HTTP_BODY_MAX);
		memcpy(big + n, "1\r\nz\r\n0\r\n\r\n", 11);
		CHECK(dd_http_parse(big, n + 11, &resp) == -1);
	} else {
		CHECKF(0, "buffer too small for the chunk test");
	}
}

/* Every proper prefix of a good response asks for more (never "done", never "bad"); the
 * whole one is done, or, read to the end of the stream, needs that end. */
TEST(complete_prefixes)
{
	static const struct {
		const char *in;
		int whole;
	} rows[] = {
		{ OK200 "Content-Length: 2\r\n\r\nOK", 1 },
		{ OK200 "Transfer-Encoding: chunked\r\n\r\n2;x=y\r\nOK\r\n0\r\nA: b\r\n\r\n", 1 },
		{ "HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n", 1 },
		{ "HTTP/1.0 200 OK\r\n\r\nto the end", 0 },
	};

	for (size_t i = 0; i < N(rows); i++) {
		size_t n = strlen(rows[i].in);

		for (size_t k = 0; k < n; k++)
			CHECKF(dd_http_complete(rows[i].in, k) == 0, "row %zu prefix %zu: %d", i, k,
			       dd_http_complete(rows[i].in, k));
		CHECKF(dd_http_complete(rows[i].in, n) == rows[i].whole, "row %zu", i);
		CHECKF(dd_http_parse(rows[i].in, n, &resp) == 0, "row %zu parse", i);
	}
	CHECK(dd_http_complete("HTTP/3 200\r\n", 12) == -1);
	CHECK(dd_http_complete(OK200 "Content-Length: 1\r\n\r\nXY",
			       strlen(OK200 "Content-Length: 1\r\n\r\nXY")) == -1);
}

TEST(request)
{
	static const struct {
		const char *path, *host;
		int ok;
	} rows[] = {
		{ "/_ping", "docker", 1 },
		{ "/v1.47/version?x=1", "127.0.0.1:2376", 1 },
		{ "_ping", "docker", 0 },
		{ "", "docker", 0 },
		{ "/a b", "docker", 0 },
		{ "/a\r\nX: y", "docker", 0 },
		{ "/\x80", "docker", 0 },
		{ "/ok", "bad host", 0 },
	};
	char out[256], want[256];

	for (size_t i = 0; i < N(rows); i++) {
		size_t n = dd_http_request(out, sizeof out, rows[i].path, rows[i].host);

		CHECKF((n != 0) == rows[i].ok, "%s", rows[i].path);
		if (!n)
			continue;
		snprintf(want, sizeof want, "GET %s HTTP/1.1\r\nHost: %s\r\n", rows[i].path, rows[i].host);
		CHECKF(strncmp(out, want, strlen(want)) == 0 && strstr(out, "\r\nConnection: close\r\n") &&
			       n == strlen(out) && strcmp(out + n - 4, "\r\n\r\n") == 0,
		       "%s: %s", rows[i].path, out);
	}
	memset(want, 'a', sizeof want - 1);
	want[0] = '/';
	want[sizeof want - 1] = 0;
	CHECK(dd_http_request(out, sizeof out, want, "docker") == 0);
}

/* --- GET over a unix socket ------------------------------------------------------------- */
static char dir[256];

enum after { CLOSE, HOLD };

struct unix_row {
	const char *name;
	const char *pieces[4];	/* written 30 ms apart */
	int flood;		/* then 200 KB of body */
	enum after after;	/* then close, or keep the connection open */
	int timeout_ms, rc, status;
	const char *body, *err;	/* err: a part of the message */
	int min_ms, max_ms;	/* how long the call may take */
};

static const struct unix_row unix_rows[] = {
	{ "ping", { "HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nContent-Length: 2\r\n\r\nOK" }, 0, CLOSE,
	  5000, 0, 200, "OK", NULL, 0, 4000 },
	{ "pieces, connection kept open", { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	  "2\r\nO", "K\r\n0\r", "\n\r\n" }, 0, HOLD, 8000, 0, 200, "OK", NULL, 0, 4000 },
	{ "length, connection kept open", { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nO", "K" },
	  0, HOLD, 8000, 0, 200, "OK", NULL, 0, 4000 },
	{ "to close", { "HTTP/1.0 200 OK\r\n\r\n", "OK" }, 0, CLOSE, 5000, 0, 200, "OK", NULL, 0, 4000 },
	{ "500 is an answer", { "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\nerror" },
	  0, CLOSE, 5000, 0, 500, "error", NULL, 0, 4000 },
	{ "never answers", { NULL }, 0, HOLD, 400, DD_EXIT_FAIL, 0, NULL, "no answer within 400 ms",
	  390, 2400 },
	{ "answers half", { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nO" }, 0, HOLD, 400,
	  DD_EXIT_FAIL, 0, NULL, "no answer within 400 ms", 390, 2400 },
	{ "closes without answering", { NULL }, 0, CLOSE, 5000, DD_EXIT_FAIL, 0, NULL,
	  "connection closed without a response", 0, 4000 },
	{ "cut short", { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nOK" }, 0, CLOSE, 5000,
	  DD_EXIT_FAIL, 0, NULL, "malformed HTTP response", 0, 4000 },
	{ "not HTTP, connection kept open", { "SSH-2.0-OpenSSH_9.6\r\n" }, 0, HOLD, 5000,
	  DD_EXIT_FAIL, 0, NULL, "malformed HTTP response", 0, 4000 },
	{ "floods", { "HTTP/1.0 200 OK\r\n\r\n" }, 1, HOLD, 5000, DD_EXIT_FAIL, 0, NULL,
	  "malformed HTTP response", 0, 4000 },
	{ "floods headers", { "HTTP/1.0 200 OK\r\nX: " }, 1, HOLD, 5000, DD_EXIT_FAIL, 0, NULL,
	  "malformed HTTP response", 0, 4000 },
};

static void serve(int lfd, const struct unix_row *t)
{
	static char fill[200 * 1024];
	char req[2048];
	size_t n = 0;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	alarm(30);	/* whatever happens, this child goes */
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		_exit(1);
	while (n < sizeof req - 1 && !memmem(req, n, "\r\n\r\n", 4)) {
		ssize_t r = read(fd, req + n, sizeof req - 1 - n);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	req[n] = 0;
	if (strncmp(req, "GET /_ping HTTP/1.1\r\n", 21) != 0 || !strstr(req, "\r\nHost: docker\r\n") ||
	    !strstr(req, "\r\nConnection: close\r\n") || strcmp(req + n - 4, "\r\n\r\n") != 0) {
		const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad";

		(void)!write(fd, bad, sizeof bad - 1);
		_exit(2);
	}
	for (int i = 0; i < 4 && t->pieces[i]; i++) {
		if (i)
			poll(NULL, 0, 30);
		(void)!write(fd, t->pieces[i], strlen(t->pieces[i]));
	}
	if (t->flood) {
		memset(fill, 'f', sizeof fill);
		(void)!write(fd, fill, sizeof fill);
	}
	if (t->after == HOLD)
		pause();
	close(fd);
	_exit(0);
}

static int set_sun(struct sockaddr_un *sa, const char *path)
{
	if (strlen(path) >= sizeof sa->sun_path)
		return -1;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	unlink(path);
	if (fd < 0 || set_sun(&sa, path) != 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 4) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

TEST(unix_get)
{
	char sock[300], err[512];

	snprintf(sock, sizeof sock, "%s/docker.sock", dir);
	for (size_t i = 0; i < N(unix_rows); i++) {
		const struct unix_row *t = &unix_rows[i];
		int lfd = listen_unix(sock), rc;
		long long t0, ms;
		pid_t pid;

		if (lfd < 0) {
			CHECKF(0, "%s: listen on %s: errno %d", t->name, sock, errno);
			continue;
		}
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			serve(lfd, t);
		close(lfd);
		err[0] = 0;
		t0 = ms_now();
		rc = dd_http_unix_get(sock, "/_ping", t->timeout_ms, &resp, err, sizeof err);
		ms = ms_now() - t0;
		stop(pid);
		if (getenv("NET_DEBUG"))	/* NET_DEBUG=1: show every message */
			printf("# %s: %d %s\n", t->name, rc, err);
		CHECKF(rc == t->rc, "%s: rc %d: %s", t->name, rc, err);
		CHECKF(ms >= t->min_ms && ms <= t->max_ms, "%s: took %lld ms", t->name, ms);
		if (t->rc == 0) {
			CHECKF(resp.status == t->status && strcmp(resp.body, t->body) == 0,
			       "%s: %d %s", t->name, resp.status, resp.body);
		} else {
			CHECKF(one_line(err) && strstr(err, t->err) && strstr(err, sock),
			       "%s: %s", t->name, err);
			CHECKF(resp.status == 0 && resp.body_len == 0, "%s: response left", t->name);
		}
	}
}

/* No server: each refusal is quick and says what is wrong with the socket. */
TEST(unix_no_server)
{
	char sock[300], dead[300], file[300], longp[200], err[512];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long t0;
	int fd, rc;
	FILE *f;

	snprintf(sock, sizeof sock, "%s/gone.sock", dir);
	t0 = ms_now();
	rc = dd_http_unix_get(sock, "/_ping", 5000, &resp, err, sizeof err);
	CHECKF(rc == DD_EXIT_FAIL && strstr(err, "no such socket") && strstr(err, sock) &&
		       one_line(err), "%s", err);
	CHECK(ms_now() - t0 < 1000);

	/* A socket file nobody listens on (a daemon that died). */
	snprintf(dead, sizeof dead, "%s/dead.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(fd >= 0 && set_sun(&sa, dead) == 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	close(fd);
	t0 = ms_now();
	rc = dd_http_unix_get(sa.sun_path, "/_ping", 5000, &resp, err, sizeof err);
	CHECKF(rc == DD_EXIT_FAIL && strstr(err, "connection refused") && one_line(err), "%s", err);
	CHECK(ms_now() - t0 < 1000);

	snprintf(file, sizeof file, "%s/file", dir);
	f = fopen(file, "w");
	if (f)
		fclose(f);
	rc = dd_http_unix_get(file, "/_ping", 5000, &resp, err, sizeof err);
	CHECKF(rc == DD_EXIT_FAIL && strstr(err, "cannot connect to") && one_line(err), "%s", err);

	memset(longp, 'l', sizeof longp - 1);
	longp[0] = '/';
	longp[sizeof longp - 1] = 0;
	rc = dd_http_unix_get(longp, "/_ping", 5000, &resp, err, sizeof err);
	CHECKF(rc == DD_EXIT_FAIL && strstr(err, "too long") && one_line(err), "%s", err);

	rc = dd_http_unix_get(sock, "_ping", 5000, &resp, err, sizeof err);
	CHECKF(rc == DD_EXIT_FAIL && strstr(err, "not a valid request path"), "%s", err);
}

/* --- a request with a streamed body ---------------------------------------------------- */
#define BODY_LEN 300000

struct body_src {
	size_t sent;
	int abort_last;		/* fail the last chunk, as an image that changed does */
	unsigned char chunk[65536];
};

static long body_next(void *ctx, const unsigned char **p)
{
	struct body_src *b = ctx;
	size_t n = BODY_LEN - b->sent < sizeof b->chunk ? BODY_LEN - b->sent : sizeof b->chunk;

	if (n && b->abort_last && b->sent + n == BODY_LEN) {
		errno = EBADMSG;
		return -1;
	}
	memset(b->chunk, 'b', n);
	*p = b->chunk;
	b->sent += n;
	return (long)n;
}

/* Read the request to its end (head, then BODY_LEN bytes) or the client's close; tell the
 * parent the head's first line, a header seen and the body bytes through pipe fd out; answer
 * only a whole request. */
static void serve_post(int lfd, int out)
{
	static char buf[BODY_LEN + 4096];
	size_t n = 0, body = 0;
	char *end = NULL, note[128];
	int fd = accept(lfd, NULL, NULL);
	ssize_t r;

	while (fd >= 0 && n < sizeof buf && (r = read(fd, buf + n, sizeof buf - n)) > 0) {
		n += (size_t)r;
		buf[n] = 0;
		if (!end && (end = strstr(buf, "\r\n\r\n")))
			end += 4;
		if (end && (body = n - (size_t)(end - buf)) >= BODY_LEN)
			break;
	}
	snprintf(note, sizeof note, "%d %d %zu", !strncmp(buf, "POST /load?q=1 HTTP/1.1\r\n", 25),
		 end && strstr(buf, "\r\nContent-Type: application/x-tar\r\nContent-Length: 300000\r\n") != NULL, body);
	(void)!write(out, note, strlen(note) + 1);
	if (body == BODY_LEN)
		(void)!write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 40);
	_exit(0);
}

TEST(unix_post)
{
	static struct body_src src;
	const struct dd_http_req q = { "POST", "/load?q=1", "Content-Type: application/x-tar\r\n", BODY_LEN,
				       body_next, &src };
	char sock[300], err[512], note[128];

	snprintf(sock, sizeof sock, "%s/post.sock", dir);
	for (int ab = 0; ab < 2; ab++) {
		int lfd = listen_unix(sock), p[2], rc;
		pid_t pid;

		if (lfd < 0 || pipe(p) != 0) {
			CHECKF(0, "listen on %s or pipe: errno %d", sock, errno);
			return;
		}
		memset(note, 0, sizeof note);
		fflush(stdout);
		if ((pid = fork()) == 0)
			serve_post(lfd, p[1]);
		close(lfd);
		close(p[1]);
		src.sent = 0;
		src.abort_last = ab;
		rc = dd_http_unix(sock, &q, 5000, &resp, err, sizeof err);
		(void)!read(p[0], note, sizeof note - 1);
		close(p[0]);
		stop(pid);
		if (!ab)
			CHECKF(rc == 0 && resp.status == 200 && !strcmp(resp.body, "ok") && !strcmp(note, "1 1 300000"),
			       "whole body: rc %d %s, server saw '%s'", rc, err, note);
		else
			CHECKF(rc == DD_EXIT_FAIL && strstr(err, "cut short") && one_line(err) &&
				       !strncmp(note, "1 1 ", 4) && atol(note + 4) < BODY_LEN,
			       "aborted body: rc %d %s, server saw '%s'", rc, err, note);
	}
}

TEST(request_head)
{
	static const struct {
		const char *method, *headers;
		int ok;
	} rows[] = {
		{ "POST", "X-A: 1\r\nX-B: 2\r\n", 1 }, { "GET", "", 1 }, { "POST", "X: y", 0 },
		{ "POST", "X: y\n", 0 }, { "POST", "X: y\r\nZ", 0 }, { "POST", "\r\nX: y\r\n", 0 }, { "POST", "X: y\r\n\r\n", 0 },
		{ "POST", "X: y\r\r\n", 0 }, { "POST", "X: \x01\r\n", 0 }, { "PO ST", NULL, 0 },
		{ "", NULL, 0 },
	};
	char out[512];

	for (size_t i = 0; i < N(rows); i++) {
		const struct dd_http_req q = { rows[i].method, "/x", rows[i].headers, 5, body_next, NULL };
		size_t n = dd_http_head(out, sizeof out, &q, "docker");

		CHECKF((n != 0) == rows[i].ok, "row %zu: %s", i, rows[i].method);
		if (n && rows[i].headers)
			CHECKF(strstr(out, rows[i].headers) && strstr(out, "Content-Length: 5\r\nConnection: close\r\n\r\n"),
			       "row %zu: %s", i, out);
	}
}

/* --- the SAN check ---------------------------------------------------------------------- */
TEST(name_match)
{
	static const char *const sans[] = { "localhost", "127.0.0.1", "::1",
					    "Docker.Internal", "10.0.0.5" };
	static const struct {
		const char *name;
		int match;
	} rows[] = {
		{ "localhost", 1 }, { "LOCALHOST", 1 }, { "127.0.0.1", 1 }, { "::1", 1 },
		{ "0:0:0:0:0:0:0:1", 1 }, { "docker.internal", 1 }, { "10.0.0.5", 1 },
		{ "a.example.com", 1 }, { "A.Example.COM", 1 },
		{ "example.com", 0 }, { "a.b.example.com", 0 }, { ".example.com", 0 },
		{ "*.example.com", 0 }, { "127.0.0.2", 0 }, { "::2", 0 }, { "::ffff:127.0.0.1", 0 },
		{ "10.0.0.50", 0 }, { "other.test", 0 }, { "localhost.", 0 }, { "", 0 },
		{ "local", 0 }, { "localhostx", 0 },
	};
	static struct pki_cert c;

	memset(&c, 0, sizeof c);
	for (size_t i = 0; i < N(sans); i++)
		CHECK(pki_san_parse(sans[i], &c.sans[c.nsans++]) == 0);
	/* A wildcard as a certificate brought with --certs may carry it (dockdrop issues none). */
	snprintf(c.sans[c.nsans++].dns, sizeof c.sans[0].dns, "*.example.com");
	for (size_t i = 0; i < N(rows); i++)
		CHECKF(dd_tls_name_match(&c, rows[i].name) == rows[i].match, "%s", rows[i].name);
	/* An address never matches a DNS SAN that spells it, nor a name an IP SAN. */
	memset(&c, 0, sizeof c);
	c.nsans = 1;
	snprintf(c.sans[0].dns, sizeof c.sans[0].dns, "127.0.0.1");
	CHECK(!dd_tls_name_match(&c, "127.0.0.1"));
}

/* --- HTTPS against openssl s_server ----------------------------------------------------- */
static int have_openssl;

static void at(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/%s", dir, rel);
}

static int make_ca(const char *name, enum pki_ktype t)
{
	char p[512], err[512];

	at(p, sizeof p, name);
	if (pki_ca_init(p, t, 3650, NULL, 0, err, sizeof err) == 0)
		return 0;
	printf("# ca %s: %s\n", name, err);
	return -1;
}

/* Issue into dir/out from dir/ca; sans: a space-separated list (server). */
static int issue(const char *ca_name, enum pki_role role, enum pki_ktype t, const char *out,
		 const char *sans, unsigned days)
{
	static struct pki_ca ca;
	struct pki_san list[8];
	char p[512], o[512], err[512], names[256], *save = NULL;
	unsigned n = 0;
	int rc;

	at(p, sizeof p, ca_name);
	at(o, sizeof o, out);
	snprintf(names, sizeof names, "%s", sans ? sans : "");
	for (char *s = strtok_r(names, " ", &save); s && n < N(list); s = strtok_r(NULL, " ", &save))
		if (pki_san_parse(s, &list[n++]) != 0)
			return -1;
	if (pki_ca_load(p, &ca, err, sizeof err) != 0) {
		printf("# ca load %s: %s\n", ca_name, err);
		return -1;
	}
	rc = pki_ca_issue(&ca, role, t, role == PKI_CLIENT ? "client" : NULL, list, n, days, o, err,
			  sizeof err);
	pki_key_wipe(&ca.key);
	if (rc)
		printf("# issue %s: %s\n", out, err);
	return rc;
}

static int fixtures(void)
{
	char www[512];
	FILE *f;

	at(www, sizeof www, "www");
	if (mkdir(www, 0700) != 0)
		return -1;
	at(www, sizeof www, "www/version");
	f = fopen(www, "w");
	if (!f)
		return -1;
	fputs("{\"Version\":\"28.3.2\",\"ApiVersion\":\"1.51\"}\n", f);
	fclose(f);
	return make_ca("ca", PKI_EC256) || make_ca("ca2", PKI_EC256) ||
	       make_ca("carsa", PKI_RSA2048) ||
	       issue("ca", PKI_SERVER, PKI_EC256, "srv", "127.0.0.1 localhost ::1", 825) ||
	       issue("ca", PKI_SERVER, PKI_RSA2048, "srvmix", "127.0.0.1", 825) ||
	       issue("ca", PKI_SERVER, PKI_EC256, "srvdns", "localhost", 825) ||
	       issue("ca", PKI_SERVER, PKI_EC256, "srvip", "127.0.0.1", 825) ||
	       issue("ca", PKI_SERVER, PKI_EC256, "srvshort", "127.0.0.1", 30) ||
	       issue("carsa", PKI_SERVER, PKI_RSA2048, "srvrsa", "127.0.0.1", 825) ||
	       issue("ca2", PKI_SERVER, PKI_EC256, "srv2", "127.0.0.1", 825) ||
	       issue("ca", PKI_CLIENT, PKI_EC256, "cli", NULL, 825) ||
	       issue("ca", PKI_CLIENT, PKI_EC384, "cli384", NULL, 825) ||
	       issue("carsa", PKI_CLIENT, PKI_RSA2048, "clirsa", NULL, 825);
}

struct server {
	pid_t pid;
	int out, in;	/* its stdout and stderr; its stdin, held open */
	unsigned port;
};

/* openssl s_server on host ("127.0.0.1" or "[::1]") and a free port with srv's certificate,
 * requiring a client certificate signed by client_ca. mode "-WWW": GET /version answers
 * the content of dir/www/version; "-rev": lines come back reversed; "-ign_eof": nothing comes
 * back. 0 once it accepts, -1 if it did not start. */
static int start_server(struct server *s, const char *host, const char *srv, const char *client_ca,
			const char *mode)
{
	char accept_at[64], cert[512], key[512], ca[512], www[512], buf[4096];
	int pipefd[2], infd[2];
	size_t n = 0;
	long long deadline = dd_net_deadline(15000);

	snprintf(accept_at, sizeof accept_at, "%s:0", host);
	at(www, sizeof www, "www");
	snprintf(cert, sizeof cert, "%s/%s/server-cert.pem", dir, srv);
	snprintf(key, sizeof key, "%s/%s/server-key.pem", dir, srv);
	if (access(cert, F_OK) != 0) {	/* a client's pair, served as a server's */
		snprintf(cert, sizeof cert, "%s/%s/cert.pem", dir, srv);
		snprintf(key, sizeof key, "%s/%s/key.pem", dir, srv);
	}
	snprintf(ca, sizeof ca, "%s/%s/ca.pem", dir, client_ca);
	s->pid = -1;
	s->out = -1;
	s->in = -1;
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(infd, O_CLOEXEC) != 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	fflush(stdout);
	s->pid = fork();
	if (s->pid == 0) {
		if (chdir(www) != 0 || dup2(infd[0], 0) < 0 || dup2(pipefd[1], 1) < 0 ||
		    dup2(pipefd[1], 2) < 0)
			_exit(127);
		execlp("openssl", "openssl", "s_server", "-accept", accept_at, "-cert", cert, "-key",
		       key, "-CAfile", ca, "-Verify", "1", "-verify_return_error", mode, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	close(infd[0]);
	s->out = pipefd[0];
	s->in = infd[1];
	if (s->pid < 0)
		return -1;
	/* Up to the "ACCEPT 127.0.0.1:PORT" line. */
	while (n < sizeof buf - 1) {
		struct pollfd p = { .fd = s->out, .events = POLLIN };
		char *line, *colon;
		ssize_t r;

		if (poll(&p, 1, dd_net_left(deadline)) <= 0)
			break;
		r = read(s->out, buf + n, sizeof buf - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = 0;
		line = strstr(buf, "ACCEPT ");
		if (line && strchr(line, '\n') && (colon = strrchr(strtok(line, "\n"), ':'))) {
			s->port = (unsigned)atoi(colon + 1);
			return s->port ? 0 : -1;
		}
	}
	printf("# openssl s_server did not start: %s\n", buf);
	return -1;
}

static void stop_server(struct server *s)
{
	stop(s->pid);
	if (s->out >= 0)
		close(s->out);
	if (s->in >= 0)
		close(s->in);
	s->pid = -1;
	s->out = -1;
	s->in = -1;
}

static void set_now(long shift)
{
	char now[32];

	if (shift == 0) {
		unsetenv("DOCKDROP_TEST_NOW");
		return;
	}
	snprintf(now, sizeof now, "%lld", (long long)time(NULL) + shift);
	setenv("DOCKDROP_TEST_NOW", now, 1);
}

/* dd_https_get with our files from dir/ca_dir/ca.pem, dir/cli_dir/{cert,key}.pem. */
static int get(const char *ip, unsigned port, const char *name, const char *ca_dir,
	       const char *cli_dir, const char *cli_key_dir, int timeout_ms, char *err, size_t errsz)
{
	char ca[512], cert[512], key[512];
	struct dd_tls_peer peer = { ip, port, name, ca, cert, key };

	snprintf(ca, sizeof ca, "%s/%s/ca.pem", dir, ca_dir);
	snprintf(cert, sizeof cert, "%s/%s/cert.pem", dir, cli_dir);
	snprintf(key, sizeof key, "%s/%s/key.pem", dir, cli_key_dir ? cli_key_dir : cli_dir);
	err[0] = 0;
	return dd_https_get(&peer, "/version", timeout_ms, &resp, err, errsz);
}

#define DAY 86400L
#define BODY "{\"Version\":\"28.3.2\",\"ApiVersion\":\"1.51\"}\n"

struct tls_row {
	const char *name;
	const char *srv, *srv_ca;	/* the server's certificate, whom it trusts */
	const char *ca, *cli;		/* ours */
	const char *host, *ip, *peer;	/* where openssl listens, where we go, the name we want */
	long shift;			/* DOCKDROP_TEST_NOW = now + shift */
	int rc;
	const char *err;		/* a part of the message */
};

static const struct tls_row tls_rows[] = {
	{ "ecdsa-p256", "srv", "ca", "ca", "cli", "127.0.0.1", "127.0.0.1", "127.0.0.1", 0, 0, NULL },
	{ "rsa2048", "srvrsa", "carsa", "carsa", "clirsa", "127.0.0.1", "127.0.0.1", "127.0.0.1", 0, 0, NULL },
	{ "rsa2048 server, p384 client", "srvmix", "ca", "ca", "cli384", "127.0.0.1", "127.0.0.1",
	  "127.0.0.1", 0, 0, NULL },
	{ "by DNS name", "srv", "ca", "ca", "cli", "127.0.0.1", "127.0.0.1", "localhost", 0, 0, NULL },
	{ "by DNS name in capitals", "srv", "ca", "ca", "cli", "127.0.0.1", "127.0.0.1", "LocalHost",
	  0, 0, NULL },
	{ "ipv6", "srv", "ca", "ca", "cli", "[::1]", "::1", "::1", 0, 0, NULL },
	{ "another CA", "srv2", "ca", "ca", "cli", "127.0.0.1", "127.0.0.1", "127.0.0.1", 0,
	  DD_EXIT_VERIFY, "server certificate is not signed by the CA in " },
	{ "our CA file is another CA", "srv", "ca", "ca2", "cli", "127.0.0.1", "127.0.0.1",
	  "127.0.0.1", 0, DD_EXIT_VERIFY, "server certificate is not signed by the CA in " },
	{ "name not in the SANs", "srv", "ca", "ca", "cli", "127.0.0.1", "127.0.0.1", "other.test", 0,
	  DD_EXIT_VERIFY, "server certificate is not for other.test (its names: 127.0.0.1, localhost, ::1)" },
	{ "address not in the SANs", "srv", "ca", "ca", "cli", "127.0.0.1", "127.0.0.1", "127.0.0.2",
	  0, DD_EXIT_VERIFY, "server certificate is not for 127.0.0.2" },
	{ "address without an IP SAN", "srvdns", "ca", "ca", "cli", "127.0.0.1", "127.0.0.1",
	  "127.0.0.1", 0, DD_EXIT_VERIFY, "server certificate is not for 127.0.0.1 (its names: localhost)" },
	{ "name without a DNS SAN", "srvip", "ca", "ca", "cli", "127.0.0.1", "127.0.0.1", "localhost",
	  0, DD_EXIT_VERIFY, "server certificate is not for localhost" },
	{ "a client certificate as the server's", "cli", "ca", "ca", "cli", "127.0.0.1", "127.0.0.1",
	  "client", 0, DD_EXIT_VERIFY, "server certificate is a client certificate (extended key usage clientAuth only)" },
	{ "expired", "srvshort", "ca", "ca", "cli", "127.0.0.1", "127.0.0.1", "127.0.0.1", 60 * DAY,
	  DD_EXIT_VERIFY, "server certificate expired on " },
	{ "not yet valid", "srv", "ca", "ca", "cli", "127.0.0.1", "127.0.0.1", "127.0.0.1", -2 * DAY,
	  DD_EXIT_VERIFY, "server certificate is not valid before " },
	{ "server refuses our certificate", "srv", "ca2", "ca", "cli", "127.0.0.1", "127.0.0.1",
	  "127.0.0.1", 0, DD_EXIT_FAIL, "the server refused our client certificate" },
	{ "server refuses our RSA certificate", "srvrsa", "ca", "carsa", "clirsa", "127.0.0.1",
	  "127.0.0.1", "127.0.0.1", 0, DD_EXIT_FAIL, "the server refused our client certificate" },
};

TEST(https_openssl)
{
	char err[512], where[80];

	for (size_t i = 0; i < N(tls_rows); i++) {
		const struct tls_row *t = &tls_rows[i];
		struct server s;
		int rc;

		if (start_server(&s, t->host, t->srv, t->srv_ca, "-WWW") != 0) {
			stop_server(&s);
			if (strchr(t->host, ':'))
				printf("# %s: skipped, no IPv6 loopback\n", t->name);
			else
				CHECKF(0, "%s: openssl s_server did not start", t->name);
			continue;
		}
		set_now(t->shift);
		rc = get(t->ip, s.port, t->peer, t->ca, t->cli, NULL, 20000, err, sizeof err);
		set_now(0);
		stop_server(&s);
		snprintf(where, sizeof where, strchr(t->ip, ':') ? "[%s]:%u" : "%s:%u", t->ip, s.port);
		if (getenv("NET_DEBUG"))	/* NET_DEBUG=1: show every message */
			printf("# %s: %d %s\n", t->name, rc, err);
		CHECKF(rc == t->rc, "%s: rc %d: %s", t->name, rc, err);
		if (t->rc == 0) {
			CHECKF(resp.status == 200 && strcmp(resp.body, BODY) == 0, "%s: %d %s", t->name,
			       resp.status, resp.body);
			continue;
		}
		CHECKF(one_line(err) && strstr(err, t->err) && strstr(err, "TLS handshake with ") &&
			       strstr(err, where), "%s: %s", t->name, err);
		CHECKF(resp.status == 0 && resp.body_len == 0, "%s: response left", t->name);
	}
}

/* After the handshake: a server that never answers, one that answers nonsense. */
TEST(https_after_handshake)
{
	static const struct {
		const char *mode, *err;
		int timeout_ms;
	} rows[] = {
		{ "-ign_eof", "no answer within 1500 ms", 1500 },
		{ "-rev", "malformed or too large HTTP response", 20000 },
	};
	char err[512];

	for (size_t i = 0; i < N(rows); i++) {
		struct server s;
		long long t0, ms;
		int rc;

		if (start_server(&s, "127.0.0.1", "srv", "ca", rows[i].mode) != 0) {
			stop_server(&s);
			CHECKF(0, "%s: openssl s_server did not start", rows[i].mode);
			continue;
		}
		t0 = ms_now();
		rc = get("127.0.0.1", s.port, "127.0.0.1", "ca", "cli", NULL, rows[i].timeout_ms, err,
			 sizeof err);
		ms = ms_now() - t0;
		stop_server(&s);
		CHECKF(rc == DD_EXIT_FAIL && strstr(err, "GET /version from 127.0.0.1:") &&
			       strstr(err, rows[i].err) && one_line(err), "%s: %d %s", rows[i].mode, rc, err);
		CHECKF(ms < rows[i].timeout_ms + 3000, "%s: %lld ms", rows[i].mode, ms);
	}
}

/* A TCP port where nothing listens: refused at once. A listener that never accepts nor
 * speaks: the timeout. A peer that answers in plain HTTP: a handshake failure. */
TEST(https_no_tls_server)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	char err[512];
	unsigned port;
	long long t0, ms;
	int fd, rc;
	pid_t pid;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	      getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
	port = ntohs(sa.sin_port);
	close(fd);
	t0 = ms_now();
	rc = get("127.0.0.1", port, "127.0.0.1", "ca", "cli", NULL, 10000, err, sizeof err);
	ms = ms_now() - t0;
	CHECKF(rc == DD_EXIT_FAIL && strstr(err, "cannot connect to 127.0.0.1:") &&
		       strstr(err, "connection refused") && one_line(err), "%s", err);
	CHECKF(ms < 3000, "refused after %lld ms", ms);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_port = 0;
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(fd, 4) == 0 &&
	      getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
	port = ntohs(sa.sin_port);
	t0 = ms_now();
	rc = get("127.0.0.1", port, "127.0.0.1", "ca", "cli", NULL, 600, err, sizeof err);
	ms = ms_now() - t0;
	CHECKF(rc == DD_EXIT_FAIL && strstr(err, "TLS handshake with 127.0.0.1:") &&
		       strstr(err, "no answer within 600 ms") && one_line(err), "%s", err);
	CHECKF(ms >= 590 && ms < 3000, "timeout after %lld ms", ms);
	close(fd);	/* a fresh listener: that connection is still in this one's queue */

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_port = 0;
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(fd, 4) == 0 &&
	      getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
	port = ntohs(sa.sin_port);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		const char plain[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
		int c;

		alarm(30);
		for (int i = 0; i < 2; i++) {	/* like Go: answer, close; then answer, hold */
			c = accept(fd, NULL, NULL);
			if (c >= 0)
				(void)!write(c, plain, sizeof plain - 1);
			if (i == 0)
				close(c);
		}
		pause();
		_exit(0);
	}
	for (int i = 0; i < 2; i++) {
		t0 = ms_now();
		rc = get("127.0.0.1", port, "127.0.0.1", "ca", "cli", NULL, 1000, err, sizeof err);
		ms = ms_now() - t0;
		CHECKF(rc == DD_EXIT_FAIL && strstr(err, "TLS handshake with 127.0.0.1:") &&
			       strstr(err, "plain HTTP") && one_line(err), "%s", err);
		CHECKF(ms < 3000, "plain HTTP after %lld ms", ms);
	}
	stop(pid);
	close(fd);
}

/* Files and arguments are checked before any connection (port 9: nothing is reached). */
TEST(https_bad_input)
{
	static const struct {
		const char *name, *ip, *peer, *ca, *cli, *key;
		long shift;
		const char *err;
	} rows[] = {
		{ "no CA file", "127.0.0.1", "127.0.0.1", "nothere", "cli", NULL, 0,
		  "cannot read CA certificate " },
		{ "CA file without a certificate", "127.0.0.1", "127.0.0.1", "www", "cli", NULL, 0,
		  "cannot read CA certificate " },
		{ "key of another certificate", "127.0.0.1", "127.0.0.1", "ca", "cli", "cli384", 0,
		  "is not the key of certificate " },
		{ "no client certificate", "127.0.0.1", "127.0.0.1", "ca", "nothere", NULL, 0,
		  "cannot read client certificate " },
		{ "expired client certificate", "127.0.0.1", "127.0.0.1", "ca", "cli", NULL, 900 * DAY,
		  "expired on " },
		{ "address is a name", "localhost", "localhost", "ca", "cli", NULL, 0,
		  "localhost is not an IP address" },
		{ "wildcard name", "127.0.0.1", "*.example.com", "ca", "cli", NULL, 0,
		  "is not a host name or address" },
		{ "bad name", "127.0.0.1", "a b", "ca", "cli", NULL, 0, "is not a host name or address" },
	};
	char err[512];

	for (size_t i = 0; i < N(rows); i++) {
		int rc;

		set_now(rows[i].shift);
		rc = get(rows[i].ip, 9, rows[i].peer, rows[i].ca, rows[i].cli, rows[i].key, 5000, err,
			 sizeof err);
		set_now(0);
		CHECKF(rc == DD_EXIT_FAIL && strstr(err, rows[i].err) && one_line(err), "%s: %d %s",
		       rows[i].name, rc, err);
	}
}

int main(void)
{
	char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL, p[1024];

	if (!t_tmpdir(dir, sizeof dir))
		return 1;
	RUN(parse_table);
	RUN(parse_limits);
	RUN(complete_prefixes);
	RUN(request);
	RUN(unix_get);
	RUN(unix_no_server);
	RUN(unix_post);
	RUN(request_head);
	RUN(name_match);
	for (char *save = NULL, *d = path ? strtok_r(path, ":", &save) : NULL; d;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(p, sizeof p, "%s/openssl", d);
		if (access(p, X_OK) == 0)
			have_openssl = 1;
	}
	free(path);
	if (fixtures() != 0) {
		printf("not ok - fixtures: could not make the CAs and certificates\n");
		t_any_failed = 1;
	} else {
		if (have_openssl) {
			RUN(https_openssl);
			RUN(https_after_handshake);
		} else {
			printf("skip - https_openssl: openssl is not installed\n");
			printf("skip - https_after_handshake: openssl is not installed\n");
		}
		RUN(https_no_tls_server);
		RUN(https_bad_input);
	}
	t_rmtree(dir);
	T_EXIT();
}
