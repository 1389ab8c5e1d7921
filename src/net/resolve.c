#include "net/resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/sock.h"
#include "util/io.h"

static char file[16384];

/* The address on name's line of /etc/hosts: 0 with ip set. */
static int hosts(const char *name, char *ip)
{
	long n = dd_read_small_file("/etc/hosts", file, sizeof file);

	for (char *line = file, *next; n > 0 && *line; line = next) {
		char *w, *addr = NULL, *save;

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = 0;
		line[strcspn(line, "#")] = 0;
		for (w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
			if (!addr)
				addr = w;
			else if (!strcasecmp(w, name) && strlen(addr) < INET6_ADDRSTRLEN) {
				strcpy(ip, addr);
				return 0;
			}
	}
	return -1;
}

/* Past the name at p in the message end: the byte after it, or NULL. */
static const unsigned char *skip_name(const unsigned char *p, const unsigned char *end)
{
	while (p < end) {
		if ((*p & 0xc0) == 0xc0)
			return p + 2 <= end ? p + 2 : NULL;
		if (!*p)
			return p + 1;
		p += *p + 1;
	}
	return NULL;
}

int dd_dns_answer(const unsigned char *m, size_t n, unsigned id, int t, char *ip)
{
	const unsigned char *p = m + 12, *end = m + n;
	unsigned an;

	if (n < 12 || (unsigned)(m[0] << 8 | m[1]) != id || !(m[2] & 0x80) || (m[3] & 15) ||
	    !(p = skip_name(p, end)) || (p += 4) > end)
		return -1;
	for (an = (unsigned)(m[6] << 8 | m[7]); an--;) {
		unsigned type, len;

		if (!(p = skip_name(p, end)) || end - p < 10)
			return -1;
		type = (unsigned)(p[0] << 8 | p[1]);
		len = (unsigned)(p[8] << 8 | p[9]);
		p += 10;
		if ((size_t)(end - p) < len)
			return -1;
		if ((int)type == t && len == (t == 1 ? 4u : 16u))
			return inet_ntop(t == 1 ? AF_INET : AF_INET6, p, ip, INET6_ADDRSTRLEN) ? 0 : -1;
		p += len;
	}
	return -1;
}

/* One question of type t to the server at address ns. */
static int ask(const char *ns, const char *name, int t, char *ip, long long deadline)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(53) };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(53) };
	int v4 = inet_pton(AF_INET, ns, &s4.sin_addr) == 1, fd, rc = -1;
	unsigned char q[300], r[1500];
	unsigned short r16 = 0;
	unsigned id;
	size_t n = 12;

	/* An unguessable id (the kernel picks the source port): an answer forged off the
	 * path must guess both. TLS still checks the name, whatever address comes back. */
	if (getrandom(&r16, sizeof r16, 0) != sizeof r16)
		r16 = (unsigned short)(time(NULL) ^ getpid());
	id = r16;
	if (!v4 && inet_pton(AF_INET6, ns, &s6.sin6_addr) != 1)
		return -1;
	memset(q, 0, 12);
	q[0] = (unsigned char)(id >> 8), q[1] = (unsigned char)id, q[2] = 1, q[5] = 1; /* RD, one question */
	for (const char *l = name; *l;) {
		size_t len = strcspn(l, ".");

		if (len == 0 || len > 63 || n + len + 6 > sizeof q)
			return -1;
		q[n++] = (unsigned char)len;
		memcpy(q + n, l, len);
		n += len;
		l += len + (l[len] == '.');
	}
	q[n++] = 0, q[n++] = 0, q[n++] = (unsigned char)t, q[n++] = 0, q[n++] = 1;
	if ((fd = socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, v4 ? (struct sockaddr *)&s4 : (struct sockaddr *)&s6,
		    v4 ? sizeof s4 : sizeof s6) == 0 && send(fd, q, n, 0) == (ssize_t)n)
		while (rc && dd_net_wait(fd, POLLIN, deadline) == 0) {
			ssize_t got = recv(fd, r, sizeof r, 0);

			if (got < 0 && errno != EAGAIN && errno != EINTR)
				break;
			if (got > 0 && dd_dns_answer(r, (size_t)got, id, t, ip) == 0)
				rc = 0;
			else if (got > 0 && r[0] == q[0] && r[1] == q[1])
				break; /* the answer, without such an address */
		}
	close(fd);
	return rc;
}

int dd_resolve(const char *name, char *ip, long long deadline)
{
	unsigned char a[16];
	long n;
	int found = 0;

	if (inet_pton(AF_INET, name, a) == 1 || inet_pton(AF_INET6, name, a) == 1) {
		strcpy(ip, name);
		return 0;
	}
	if (hosts(name, ip) == 0)
		return 0;
	n = dd_read_small_file("/etc/resolv.conf", file, sizeof file);
	for (char *p = n > 0 ? file : NULL; p && *p; p += strcspn(p, "\n"), p += *p == '\n') {
		char ns[INET6_ADDRSTRLEN];
		size_t len;

		if (strncmp(p, "nameserver", 10) || (p[10] != ' ' && p[10] != '\t'))
			continue;
		p += 10 + strspn(p + 10, " \t");
		len = strcspn(p, " \t\n#%");
		if (len >= sizeof ns)
			continue;
		memcpy(ns, p, len);
		ns[len] = 0;
		found = 1;
		if (ask(ns, name, 1, ip, deadline) == 0 || ask(ns, name, 28, ip, deadline) == 0)
			return 0;
	}
	return found ? -1 : ask("127.0.0.1", name, 1, ip, deadline);
}
