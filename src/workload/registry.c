#include "workload/registry.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "net/resolve.h"
#include "net/sock.h"
#include "util/log.h"
#include "util/sort.h"

struct target {
	char name[256], ip[INET6_ADDRSTRLEN];
	unsigned port;
};

/* "name[:port]" or "[v6][:port]" (port 443 when none), resolved: 0, or
 * DD_REGISTRY_UNREACHABLE / DD_EXIT_FAIL with err. */
static int resolve(const char *host, size_t n, struct target *t, char *err, size_t errsz)
{
	const char *colon, *close = host[0] == '[' ? memchr(host, ']', n) : NULL;
	size_t nl = n;

	t->port = 443;
	colon = close ? (close + 1 < host + n && close[1] == ':' ? close + 1 : NULL) :
			memchr(host, ':', n);
	if (colon) {
		char *end;
		unsigned long p = strtoul(colon + 1, &end, 10);

		if (end != host + n || p == 0 || p > 65535 || colon[1] < '0' || colon[1] > '9')
			return dd_say(err, errsz, DD_EXIT_FAIL, "%.*s: bad port", (int)n, host);
		t->port = (unsigned)p;
		nl = (size_t)(colon - host);
	}
	if (close)
		host++, nl = (size_t)(close - host);
	if (nl == 0 || nl >= sizeof t->name)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%.*s: bad host name", (int)n, host);
	memcpy(t->name, host, nl);
	t->name[nl] = 0;
	if (dd_resolve(t->name, t->ip, dd_net_deadline(5000)) != 0)
		return dd_say(err, errsz, DD_REGISTRY_UNREACHABLE, "cannot resolve %s", t->name);
	return 0;
}

/* GET https://host/path with Basic auth: the status in *status, or an exit code. */
static int get(const struct dd_tls_anchors *ta, const char *host, size_t hn, const char *path,
	       const char *auth, char *www, size_t wwwsz, int timeout_ms, int *status,
	       char *err, size_t errsz)
{
	static struct dd_http_resp r;
	struct target t;
	char hdr[6144];	/* base64 of a 4 KB password and the user, with the name */
	struct dd_tls_more m = { ta, hdr, www, wwwsz, 0 };
	int rc = resolve(host, hn, &t, err, errsz);

	if (rc)
		return rc;
	const struct dd_tls_peer p = { t.ip, t.port, t.name, NULL, NULL, NULL };
	if (snprintf(hdr, sizeof hdr, "Authorization: Basic %s", auth) >= (int)sizeof hdr)
		return dd_say(err, errsz, DD_EXIT_FAIL, "credentials too long");
	www[0] = 0;
	rc = dd_https_get_more(&p, &m, path, timeout_ms, &r, err, errsz);
	explicit_bzero(hdr, sizeof hdr);
	*status = r.status;
	explicit_bzero(&r, sizeof r);	/* a token answer holds a secret */
	return rc && m.unreachable ? DD_REGISTRY_UNREACHABLE : rc;
}

/* The value of parameter name in a "Bearer k="v",..." challenge into out: 1 when found. */
static int param(const char *ch, const char *name, char *out, size_t cap)
{
	size_t nn = strlen(name);

	for (const char *p = ch; (p = dd_strstr(p, name)); p++) {
		const char *q, *e;

		if ((p != ch && p[-1] != ' ' && p[-1] != ',') || strncmp(p + nn, "=\"", 2))
			continue;
		q = p + nn + 2;
		if (!(e = strchr(q, '"')) || (size_t)(e - q) >= cap)
			return 0;
		memcpy(out, q, (size_t)(e - q));
		out[e - q] = 0;
		return 1;
	}
	return 0;
}

/* Percent-encode s onto out at *o (a query value). */
static void enc(char *out, size_t cap, size_t *o, const char *s)
{
	for (; *s && *o + 4 < cap; s++)
		*o += (size_t)(strchr("-._~", *s) || (*s >= '0' && *s <= '9') ||
					(*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
				? snprintf(out + *o, cap - *o, "%c", *s)
				: snprintf(out + *o, cap - *o, "%%%02X", (unsigned char)*s));
}

/* The token request of a Bearer challenge: its status, or an exit code. */
static int token(const struct dd_tls_anchors *ta, const char *chal, const char *user,
		 const char *auth, int timeout_ms, int *status, char *err, size_t errsz)
{
	char realm[512] = "", service[256], path[1024], www[8];	/* realm printed when absent */
	const char *h, *slash;
	size_t o;

	if (!param(chal, "realm", realm, sizeof realm) || strncmp(realm, "https://", 8))
		return dd_say(err, errsz, DD_EXIT_FAIL, "the registry's token realm is not https: %.80s",
			      realm);
	h = realm + 8;
	slash = strchr(h, '/');
	o = (size_t)snprintf(path, sizeof path, "%s%saccount=", slash ? slash : "/",
			     slash && strchr(slash, '?') ? "&" : "?");
	enc(path, sizeof path, &o, user);
	if (param(chal, "service", service, sizeof service)) {
		o += (size_t)snprintf(path + o, sizeof path - o, "&service=");
		enc(path, sizeof path, &o, service);
	}
	return get(ta, h, slash ? (size_t)(slash - h) : strlen(h), path, auth, www, sizeof www,
		   timeout_ms, status, err, errsz);
}

int dd_registry_check(const struct dd_tls_anchors *ta, const char *host, const char *user,
		      const char *auth, int timeout_ms, char *err, size_t errsz)
{
	char www[1024];
	int st = 0, rc = get(ta, host, strlen(host), "/v2/", auth, www, sizeof www, timeout_ms,
			     &st, err, errsz);

	if (!rc && st == 401 && !strncasecmp(www, "Bearer ", 7))
		rc = token(ta, www + 7, user, auth, timeout_ms, &st, err, errsz);
	if (rc)
		return rc;
	if (st == 200)
		return 0;
	if (st == 401 || st == 403)
		return dd_say(err, errsz, DD_EXIT_FAIL, "refused the credentials of %s (HTTP %d)", user, st);
	return dd_say(err, errsz, DD_EXIT_FAIL, "answered HTTP %d to /v2/: not a registry?", st);
}
