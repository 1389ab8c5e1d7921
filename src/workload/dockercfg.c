#include "workload/dockercfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsontext.h"
#include "util/log.h"

int dd_dockercfg_server(const char *server, char key[DD_DOCKERCFG_SERVER],
			char host[DD_DOCKERCFG_SERVER])
{
	static const char *const hub[] = { "docker.io", "index.docker.io", "registry-1.docker.io" };
	const char *s = server, *end;
	size_t n;

	if (!strncmp(s, "https://", 8))
		s += 8;
	else if (!strncmp(s, "http://", 7))
		s += 7;
	end = strchr(s, '/');
	n = end ? (size_t)(end - s) : strlen(s);
	if (n == 0 || n >= DD_DOCKERCFG_SERVER || s[0] == '-' || s[0] == '.' || s[0] == ':')
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_", s[i]))
			return -1;
	memcpy(host, s, n);
	host[n] = 0;
	/* "[v6]" closed, and a port of 1 to 65535 after the last ':' outside it */
	const char *rb = strchr(host, ']'), *c = strchr(rb ? rb : host, ':');
	char *e;

	if ((host[0] == '[') != (rb != NULL) || (rb && rb[1] && rb[1] != ':') ||
	    (c && (c[1] < '0' || c[1] > '9' || strtoul(c + 1, &e, 10) - 1 > 65534 || *e)))
		return -1;
	memcpy(key, host, n + 1);
	for (size_t i = 0; i < sizeof hub / sizeof hub[0]; i++)
		if (!strcmp(host, hub[i])) {
			strcpy(key, DD_DOCKERCFG_HUB);
			strcpy(host, "registry-1.docker.io");
		}
	return 0;
}

/* The first non-blank byte is '{', or there is none (*blank). */
static int object_or_blank(const char *t, size_t n, int *blank)
{
	const char *p = t ? dd_json_skip_ws(t, n) : t;

	*blank = !t || p == t + n;
	return *blank || *p == '{';
}

int dd_dockercfg_check(const char *text, size_t n, char *err, size_t errsz)
{
	struct dd_json_err e;
	const char *v;
	size_t vn;
	int blank;

	if (n > DD_DOCKERCFG_MAX)
		return dd_say(err, errsz, -1, "larger than %u KiB", DD_DOCKERCFG_MAX >> 10);
	if (!object_or_blank(text, n, &blank) && !blank)
		return dd_say(err, errsz, -1, "not a JSON object");
	if (blank)
		return 0;
	if (dd_json_check(text, n, DD_DOCKERCFG_DEPTH, &e) != 0)
		return dd_say(err, errsz, -1, "%s at byte %zu", e.why, e.off);
	if (dd_json_member(text, n, "auths", &v, &vn) && *v != '{')
		return dd_say(err, errsz, -1, "\"auths\" is not an object");
	return 0;
}

int dd_dockercfg_helper(const char *text, size_t n, const char *key, char *helper, size_t cap)
{
	const char *v, *h = NULL;
	size_t vn, hn;
	int blank;

	if (!object_or_blank(text, n, &blank) || blank)
		return 0;
	/* The docker CLI looks credHelpers up by the very key it logs in to, and uses
	 * credsStore for every other one. */
	if (!(dd_json_member(text, n, "credHelpers", &v, &vn) && dd_json_member(v, vn, key, &h, &hn) &&
	      *h == '"' && hn > 2) &&
	    !(dd_json_member(text, n, "credsStore", &h, &hn) && *h == '"' && hn > 2))
		return 0;
	if (dd_json_unquote(h, hn, helper, cap) < 0)
		snprintf(helper, cap, "?");
	return 1;
}

/* key's member of "auths", exactly that key: 1 with its value. */
static int entry(const char *text, size_t n, const char *key, const char **v, size_t *vn)
{
	struct dd_json_iter it;
	const char *k, *a;
	size_t kn, an;
	int blank;

	if (!object_or_blank(text, n, &blank) || blank ||
	    !dd_json_member(text, n, "auths", &a, &an) || dd_json_object(&it, a, an) != 0)
		return 0;
	while (dd_json_next(&it, &k, &kn, v, vn))
		if (dd_json_str_is(k, kn, key, strlen(key)))
			return 1;
	return 0;
}

int dd_dockercfg_user(const char *text, size_t n, const char *key, const char *auth,
		      char *user, size_t cap, int *same)
{
	char a[6144];			/* a token of a few KB, in base64 */
	unsigned char plain[4608];
	const char *v, *colon;
	size_t vn;
	long an, pn;
	int rc = -1;

	*same = 0;
	if (!entry(text, n, key, &v, &vn))
		return 0;
	if (!dd_json_member(v, vn, "auth", &v, &vn) || *v != '"' ||
	    (an = dd_json_unquote(v, vn, a, sizeof a)) <= 0)
		return -1;
	*same = auth && !strcmp(a, auth);
	pn = dd_unbase64(a, (size_t)an, plain, sizeof plain - 1);
	if (pn > 0 && (colon = memchr(plain, ':', (size_t)pn)) &&
	    (size_t)(colon - (char *)plain) < cap && colon != (char *)plain) {
		memcpy(user, plain, (size_t)(colon - (char *)plain));
		user[colon - (char *)plain] = 0;
		rc = 1;
	}
	explicit_bzero(a, sizeof a);
	explicit_bzero(plain, sizeof plain);
	return rc;
}

/* --- writing ---------------------------------------------------------------------------- */

struct ob {
	char *p;
	size_t len, cap;
	int full;
};

static void put(void *ctx, const char *s, size_t n)
{
	struct ob *o = ctx;

	if (o->full || n >= o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void puts_(struct ob *o, const char *s)
{
	put(o, s, strlen(s));
}

static void str(struct ob *o, const char *s)
{
	puts_(o, "\"");
	dd_json_escape(s, strlen(s), put, o);
	puts_(o, "\"");
}

/* One member: `,\n<indent>KEY: ` with the key a lexeme (k, kn) or a string (s). */
static void sep(struct ob *o, int *any, const char *indent)
{
	puts_(o, *any ? ",\n" : "{\n");
	puts_(o, indent);
	*any = 1;
}

/* The "auths" object: its members but the changed ones, then the new values. */
static void auths(struct ob *o, const char *a, size_t an, const struct dd_dockercfg_set *c,
		  unsigned nc, int *left)
{
	struct dd_json_iter it;
	const char *k, *v;
	size_t kn, vn;
	int any = 0;

	if (a && dd_json_object(&it, a, an) == 0)
		while (dd_json_next(&it, &k, &kn, &v, &vn)) {
			unsigned i = 0;

			while (i < nc && !dd_json_str_is(k, kn, c[i].key, strlen(c[i].key)))
				i++;
			if (i < nc)
				continue;
			sep(o, &any, "    ");
			put(o, k, kn);
			puts_(o, ": ");
			put(o, v, vn);
		}
	for (unsigned i = 0; i < nc; i++)
		if (c[i].auth) {
			sep(o, &any, "    ");
			str(o, c[i].key);
			puts_(o, ": {\n      \"auth\": ");
			str(o, c[i].auth);
			puts_(o, "\n    }");
		}
	puts_(o, any ? "\n  }" : "{}");
	*left = any;
}

size_t dd_dockercfg_apply(const char *text, size_t n, const struct dd_dockercfg_set *c,
			  unsigned nc, char *out, size_t cap, int *empty)
{
	struct ob o = { out, 0, cap, cap == 0 };
	struct dd_json_iter it;
	const char *k, *v, *a = NULL;
	size_t kn, vn, an = 0;
	int blank, any = 0, left = 0, others = 0;

	if (object_or_blank(text, n, &blank) && !blank)
		dd_json_member(text, n, "auths", &a, &an);
	sep(&o, &any, "  ");
	puts_(&o, "\"auths\": ");
	auths(&o, a, an, c, nc, &left);
	if (!blank && dd_json_object(&it, text, n) == 0)
		while (dd_json_next(&it, &k, &kn, &v, &vn)) {
			if (dd_json_str_is(k, kn, "auths", 5))
				continue;
			sep(&o, &any, "  ");
			put(&o, k, kn);
			puts_(&o, ": ");
			put(&o, v, vn);
			others = 1;
		}
	puts_(&o, "\n}\n");
	*empty = !left && !others;
	if (o.full)
		return 0;
	out[o.len] = 0;
	return o.len;
}
