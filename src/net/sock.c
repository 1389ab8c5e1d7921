#include "net/sock.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/interrupt.h"

long long dd_net_deadline(int timeout_ms)
{
	return dd_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
}

int dd_net_left(long long deadline)
{
	long long left = deadline - dd_now_ms();

	return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

int dd_net_wait(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int left = dd_net_left(deadline), r;

		if (dd_interrupted()) {
			errno = EINTR;
			return -1;
		}
		if (left == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		r = poll(&p, 1, left);
		if (r > 0)
			return 0;	/* ready, or an error the next call reports */
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* A full unix-socket backlog refuses at once with EAGAIN: try again shortly. */
static int connect_retry(int fd, const struct sockaddr *sa, socklen_t len, long long deadline)
{
	while (connect(fd, sa, len) != 0) {
		if (errno == EINTR && !dd_interrupted())
			errno = EINPROGRESS;	/* the connection goes on: wait for it */
		if (errno != EAGAIN)
			return -1;
		if (dd_interrupted()) {
			errno = EINTR;
			return -1;
		}
		if (dd_net_left(deadline) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		poll(NULL, 0, 10);
	}
	return 0;
}

int dd_net_connect(const struct sockaddr *sa, socklen_t len, long long deadline)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), e;
	socklen_t el = sizeof e;

	if (fd < 0)
		return -1;
	if (connect_retry(fd, sa, len, deadline) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	if (dd_net_wait(fd, POLLOUT, deadline) != 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
		goto fail;
	if (e == 0)
		return fd;
	errno = e;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

ssize_t dd_net_read(int fd, void *buf, size_t n, long long deadline)
{
	for (;;) {
		ssize_t r = recv(fd, buf, n, 0);

		if (r >= 0)
			return r;
		if (errno == EINTR && !dd_interrupted())
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (dd_net_wait(fd, POLLIN, deadline) != 0)
			return -1;
	}
}

ssize_t dd_net_write(int fd, const void *buf, size_t n, long long deadline)
{
	for (;;) {
		ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);

		if (w > 0)
			return w;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		if (errno == EINTR && !dd_interrupted())
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (dd_net_wait(fd, POLLOUT, deadline) != 0)
			return -1;
	}
}

int dd_net_write_all(int fd, const void *buf, size_t n, long long deadline)
{
	const unsigned char *p = buf;

	while (n > 0) {
		ssize_t w = dd_net_write(fd, p, n, deadline);

		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

const char *dd_net_why(int e, int timeout_ms, char *buf, size_t cap)
{
	switch (e) {
	case ETIMEDOUT:
		snprintf(buf, cap, "no answer within %d ms", timeout_ms);
		break;
	case ENOENT:
		snprintf(buf, cap, "no such socket");
		break;
	case ECONNREFUSED:
		snprintf(buf, cap, "connection refused (is the daemon running?)");
		break;
	case ECONNRESET:
		snprintf(buf, cap, "connection reset by the peer");
		break;
	case EPIPE:
		snprintf(buf, cap, "connection closed by the peer");
		break;
	case EINTR:
		snprintf(buf, cap, "interrupted");
		break;
	default:
		snprintf(buf, cap, "%s", strerror(e));
	}
	return buf;
}
