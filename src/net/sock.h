/* Stream sockets whose every wait is bounded by one deadline, so a whole exchange (connect,
 * request, response, TLS handshake) takes at most the time its caller allows. Sockets are
 * non-blocking and every wait is a poll() on the time left; a signal dockdrop catches
 * (util/interrupt.h) ends the wait with EINTR. Writes never raise SIGPIPE. */
#ifndef DD_NET_SOCK_H
#define DD_NET_SOCK_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* The deadline timeout_ms from now, in CLOCK_MONOTONIC milliseconds. */
long long dd_net_deadline(int timeout_ms);
/* Milliseconds left before the deadline (0 when past). */
int dd_net_left(long long deadline);

/* Wait until fd is ready for events (POLLIN or POLLOUT). 0, or -1 with errno: ETIMEDOUT at
 * the deadline, EINTR on a caught signal. */
int dd_net_wait(int fd, short events, long long deadline);
/* A non-blocking, close-on-exec stream socket connected to sa. fd, or -1 with errno
 * (ETIMEDOUT at the deadline). A unix socket whose backlog is full is retried. */
int dd_net_connect(const struct sockaddr *sa, socklen_t len, long long deadline);
/* Up to n bytes: > 0, 0 at end of stream, -1 with errno. */
ssize_t dd_net_read(int fd, void *buf, size_t n, long long deadline);
/* Some of n bytes: > 0 written, or -1 with errno. */
ssize_t dd_net_write(int fd, const void *buf, size_t n, long long deadline);
/* All n bytes; 0 or -1 with errno. */
int dd_net_write_all(int fd, const void *buf, size_t n, long long deadline);
/* Words for errno e after one of the calls above, for a one-line error ("connection
 * refused", "no answer within 5000 ms", ...). Returns buf. */
const char *dd_net_why(int e, int timeout_ms, char *buf, size_t cap);

#endif
