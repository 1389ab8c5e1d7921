#include "host/daemonjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsontext.h"
#include "util/log.h"

#define FILE_NAME "/etc/docker/daemon.json"
#define DEFAULT_SOCK "unix:///var/run/docker.sock"
/* More local sockets than this in the user's "hosts" is refused, not deduplicated. */
#define MAX_UNIX_HOSTS 64

static const char *const owned[] = { "tls", "tlsverify", "tlscacert", "tlscert", "tlskey", "hosts" };

static const char *owned_key(const char *key, size_t keylen, int lexeme)
{
	for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++) {
		size_t n = strlen(owned[i]);

		if (lexeme ? dd_json_str_is(key, keylen, owned[i], n) :
			     keylen == n && memcmp(key, owned[i], n) == 0)
			return owned[i];
	}
	return NULL;
}

/* The length of the key of a KEY=VALUE option, or 0 when there is no '='. */
static size_t opt_keylen(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq ? (size_t)(eq - kv) : 0;
}

int dd_daemonjson_check_opt(const char *kv, char *err, size_t errsz)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : 0;
	struct dd_json_err e;
	char show[96];
	const char *own;

	dd_log_escape(show, sizeof show, kv);
	if (!eq)
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      "--daemon-opt %s: expected KEY=VALUE with VALUE in JSON, e.g. "
			      "log-level='\"warn\"'", show);
	for (size_t i = 0; i < klen; i++) {
		unsigned char ch = (unsigned char)kv[i];

		if (ch <= ' ' || ch > '~' || ch == '"' || ch == '\\')
			klen = 0;
	}
	if (!klen)
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      "--daemon-opt %s: KEY must be printable ASCII without spaces, quotes "
			      "or backslashes", show);
	snprintf(show, sizeof show, "%.*s%s", klen > 64 ? 64 : (int)klen, kv, klen > 64 ? "..." : "");
	own = owned_key(kv, klen, 0);
	if (own)
		return dd_say(err, errsz, DD_EXIT_USAGE, "--daemon-opt %s: dockdrop sets this key; %s",
			      own, strcmp(own, "hosts") == 0 ? "use --port/--no-tcp" :
							       "use --certs DIR or --no-tcp");
	if (strlen(eq + 1) > DD_DAEMONJSON_MAX)
		return dd_say(err, errsz, DD_EXIT_USAGE, "--daemon-opt %s: VALUE is larger than 1 MiB",
			      show);
	if (dd_json_check(eq + 1, strlen(eq + 1), DD_DAEMONJSON_DEPTH - 1, &e) < 0)
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      "--daemon-opt %s: VALUE is not one JSON value (%s at byte %zu); a "
			      "string needs its quotes: %s='\"text\"'", show, e.why, e.off, show);
	return 0;
}

/* --- reading the current file ---------------------------------------------------------- */

/* Check the file's text: 0 with *members 1 for an object, 0 for a blank file or none. */
static int load(const char *text, size_t n, int *members, char *err, size_t errsz)
{
	struct dd_json_err e;
	const char *p;

	*members = 0;
	if (!text)
		return 0;
	if (n > DD_DAEMONJSON_MAX)
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      FILE_NAME " is larger than 1 MiB: fix or remove it");
	p = dd_json_skip_ws(text, n);
	if (p == text + n)
		return 0;
	if (dd_json_check(text, n, DD_DAEMONJSON_DEPTH, &e) < 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, FILE_NAME ": %s at byte %zu: fix or remove it",
			      e.why, e.off);
	if (*p != '{')
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      FILE_NAME " is not a JSON object: fix or remove it");
	*members = 1;
	return 0;
}

/* --- output ---------------------------------------------------------------------------- */

struct out {
	struct dd_jbuf b;
	int any;
};

static void member(struct out *o, const char *key)
{
	dd_jbuf_puts(&o->b, o->any ? ",\n  " : "{\n  ");
	dd_json_put_string(&o->b, key, strlen(key));
	dd_jbuf_puts(&o->b, ": ");
	o->any = 1;
}

static void member_lex(struct out *o, const char *key, size_t keylen, const char *val,
		       size_t vallen)
{
	dd_jbuf_puts(&o->b, o->any ? ",\n  " : "{\n  ");
	dd_jbuf_put(&o->b, key, keylen);
	dd_jbuf_puts(&o->b, ": ");
	dd_json_pretty(&o->b, val, vallen, 1);
	o->any = 1;
}

static void path_member(struct out *o, const char *key, const char *dir, const char *file)
{
	size_t n = strlen(dir);
	struct dd_jbuf *b = &o->b;
	size_t at;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	member(o, key);
	/* dir + "/" + file as one string: build it in the buffer, then quote it in place. */
	at = b->len;
	dd_jbuf_put(b, dir, n);
	if (dir[n - 1] != '/')
		dd_jbuf_put(b, "/", 1);
	dd_jbuf_puts(b, file);
	if (!b->oom) {
		size_t len = b->len - at;
		char *s = malloc(len ? len : 1);

		if (!s) {
			b->oom = 1;
			return;
		}
		memcpy(s, b->p + at, len);
		b->len = at;
		dd_json_put_string(b, s, len);
		free(s);
	}
}

/* Finish: "}\n", or NULL in *res when nothing was written and empty_is_null. */
static int finish(struct out *o, int empty_is_null, char **res, char *err, size_t errsz)
{
	*res = NULL;
	if (!o->any && empty_is_null) {
		free(o->b.p);
		return 0;
	}
	dd_jbuf_puts(&o->b, o->any ? "\n}\n" : "{}\n");
	dd_jbuf_put(&o->b, "", 1);
	if (o->b.oom) {
		free(o->b.p);
		return dd_say(err, errsz, DD_EXIT_FAIL, "writing " FILE_NAME ": out of memory");
	}
	if (o->b.len - 1 > DD_DAEMONJSON_MAX) {
		free(o->b.p);
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      FILE_NAME " would be larger than 1 MiB: shorten the --daemon-opt values");
	}
	*res = o->b.p;
	return 0;
}

/* --- "hosts" --------------------------------------------------------------------------- */

struct hosts {
	const char *keep[MAX_UNIX_HOSTS]; /* lexemes of the user's other unix:// sockets */
	size_t keeplen[MAX_UNIX_HOSTS];
	unsigned nkeep;
	char *warn;
	size_t warnsz;
	int dropped, listed;
};

static void drop(struct hosts *h, const char *what, size_t n)
{
	char raw[200], show[200];
	size_t len;

	h->dropped = 1;
	if (!h->warnsz)
		return;
	len = strlen(h->warn);
	snprintf(raw, sizeof raw, "%.*s", n > 120 ? 120 : (int)n, what);
	dd_log_escape(show, sizeof show, raw);
	snprintf(h->warn + len, h->warnsz - len, "%s%s%s", h->listed ? ", " : "", show,
		 n > 120 ? "..." : "");
	h->listed = 1;
}

/* Is the decoded string s one of the sockets dockdrop writes itself? */
static int is_ours(const char *s, const char *tcp)
{
	return strcmp(s, DEFAULT_SOCK) == 0 || strcmp(s, "unix://") == 0 ||
	       strcmp(s, "unix:///run/docker.sock") == 0 || (tcp && strcmp(s, tcp) == 0);
}

/* Sort the user's "hosts" value: what dockdrop writes anyway, other unix:// sockets kept
 * (once each), the rest dropped. */
static int user_hosts(struct hosts *h, const char *val, size_t vallen, const char *tcp,
		      char *err, size_t errsz)
{
	struct dd_json_iter it;
	const char *k, *v;
	size_t kn, vn;
	char s[512];

	if (dd_json_array(&it, val, vallen) < 0) {
		drop(h, val, vallen);
		return 0;
	}
	while (dd_json_next(&it, &k, &kn, &v, &vn)) {
		unsigned i;
		long len = *v == '"' ? dd_json_unquote(v, vn, s, sizeof s) : -1;

		/* Not a string, too long for a socket address, or holding a NUL byte. */
		if (len < 0 || (size_t)len != strlen(s)) {
			drop(h, v, vn);
			continue;
		}
		if (is_ours(s, tcp))
			continue;
		if (strncmp(s, "unix://", 7) != 0) {
			drop(h, s, strlen(s));
			continue;
		}
		for (i = 0; i < h->nkeep; i++)
			if (dd_json_str_is(h->keep[i], h->keeplen[i], s, strlen(s)))
				break;
		if (i < h->nkeep)
			continue;
		if (h->nkeep == MAX_UNIX_HOSTS)
			return dd_say(err, errsz, DD_EXIT_USAGE,
				      FILE_NAME ": more than %d unix:// sockets in \"hosts\": "
				      "fix or remove it", MAX_UNIX_HOSTS);
		h->keep[h->nkeep] = v;
		h->keeplen[h->nkeep++] = vn;
	}
	return 0;
}

static void our_keys(struct out *o, const struct dd_daemon_cfg *c, const struct hosts *h,
		     const char *tcp)
{
	if (c->tcp) {
		member(o, "tls");
		dd_jbuf_puts(&o->b, "true");
		member(o, "tlsverify");
		dd_jbuf_puts(&o->b, "true");
		path_member(o, "tlscacert", c->tls_dir, "ca.pem");
		path_member(o, "tlscert", c->tls_dir, "server-cert.pem");
		path_member(o, "tlskey", c->tls_dir, "server-key.pem");
	}
	member(o, "hosts");
	dd_jbuf_puts(&o->b, "[\n    \"" DEFAULT_SOCK "\"");
	for (unsigned i = 0; i < h->nkeep; i++) {
		dd_jbuf_puts(&o->b, ",\n    ");
		dd_jbuf_put(&o->b, h->keep[i], h->keeplen[i]);
	}
	if (tcp) {
		dd_jbuf_puts(&o->b, ",\n    ");
		dd_json_put_string(&o->b, tcp, strlen(tcp));
	}
	dd_jbuf_puts(&o->b, "\n  ]");
}

/* --- merge and unmerge ----------------------------------------------------------------- */

static int check_cfg(const struct dd_daemon_cfg *c, char *err, size_t errsz)
{
	if (c->tcp && (c->port < 1 || c->port > 65535))
		return dd_say(err, errsz, DD_EXIT_USAGE, "--port %u: expected 1 to 65535", c->port);
	if (c->tcp && (!c->tls_dir || c->tls_dir[0] != '/'))
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      "daemon.json: the TLS directory must be an absolute path");
	for (unsigned i = 0; i < c->nopts; i++) {
		int rc = dd_daemonjson_check_opt(c->opts[i], err, errsz);

		if (rc)
			return rc;
		for (unsigned j = 0; j < i; j++)
			if (opt_keylen(c->opts[j]) == opt_keylen(c->opts[i]) &&
			    memcmp(c->opts[j], c->opts[i], opt_keylen(c->opts[i])) == 0)
				return dd_say(err, errsz, DD_EXIT_USAGE,
					      "--daemon-opt %.*s: given twice",
					      (int)opt_keylen(c->opts[i]), c->opts[i]);
	}
	return 0;
}

/* The option whose key is the key lexeme, or -1. */
static long find_opt(const struct dd_daemon_cfg *c, const char *key, size_t keylen)
{
	for (unsigned i = 0; i < c->nopts; i++)
		if (dd_json_str_is(key, keylen, c->opts[i], opt_keylen(c->opts[i])))
			return i;
	return -1;
}

/* 1 when the two JSON values are the same once pretty-printed (the file holds them so). */
static int same_value(const char *a, size_t an, const char *b, size_t bn)
{
	struct dd_jbuf x = { NULL, 0, 0, 0 }, y = { NULL, 0, 0, 0 };
	int same;

	dd_json_pretty(&x, a, an, 1);
	dd_json_pretty(&y, b, bn, 1);
	same = !x.oom && !y.oom && x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
	free(x.p);
	free(y.p);
	return same;
}

/* A member dockdrop set last time and not now (still holding the value it set): the
 * original's member of that key into *v, or NULL when it goes. 0 when not such a member. */
static int dropped(const struct dd_daemon_cfg *c, const char *k, size_t kn, const char *v,
		   size_t vn, const char **ov, size_t *ovn)
{
	struct dd_json_iter it;
	const char *ok;
	size_t okn;
	int members;
	char err[8];

	for (unsigned i = 0; i < c->ndrop; i++) {
		size_t klen = opt_keylen(c->drop[i]);

		if (!klen || !dd_json_str_is(k, kn, c->drop[i], klen) ||
		    !same_value(v, vn, c->drop[i] + klen + 1, strlen(c->drop[i] + klen + 1)))
			continue;
		*ov = NULL;
		if (c->orig && load(c->orig, c->origlen, &members, err, sizeof err) == 0 && members)
			for (dd_json_object(&it, c->orig, c->origlen);
			     dd_json_next(&it, &ok, &okn, ov, ovn);)
				if (dd_json_str_is(ok, okn, c->drop[i], klen))
					return 1;
		*ov = NULL;
		return 1;
	}
	return 0;
}

static void opt_member(struct out *o, const char *kv)
{
	size_t klen = opt_keylen(kv);

	dd_jbuf_puts(&o->b, o->any ? ",\n  " : "{\n  ");
	dd_json_put_string(&o->b, kv, klen);
	dd_jbuf_puts(&o->b, ": ");
	dd_json_pretty(&o->b, kv + klen + 1, strlen(kv + klen + 1), 1);
	o->any = 1;
}

int dd_daemonjson_merge(const char *old, size_t oldlen, const struct dd_daemon_cfg *c,
			char **out, char *warn, size_t warnsz, char *err, size_t errsz)
{
	struct out o = { { NULL, 0, 0, 0 }, 0 };
	struct hosts h = { .warn = warn, .warnsz = warnsz };
	unsigned char used[256] = { 0 };
	char tcp[64] = "";
	int members, rc;

	*out = NULL;
	if (warnsz)
		warn[0] = 0;
	rc = check_cfg(c, err, errsz);
	if (!rc && c->nopts > sizeof used)
		rc = dd_say(err, errsz, DD_EXIT_USAGE, "--daemon-opt: more than %zu options",
			    sizeof used);
	if (!rc)
		rc = load(old, oldlen, &members, err, errsz);
	if (rc)
		return rc;
	if (c->tcp)
		snprintf(tcp, sizeof tcp, "tcp://0.0.0.0:%u", c->port);
	if (warnsz)
		snprintf(warn, warnsz, FILE_NAME ": dropped from \"hosts\" (dockdrop listens on "
			 "TCP only with TLS verification, on --port): ");
	if (members) {
		struct dd_json_iter it;
		const char *k, *v, *ov;
		size_t kn, vn, ovn;

		dd_json_object(&it, old, oldlen);
		while (dd_json_next(&it, &k, &kn, &v, &vn)) {
			long i = find_opt(c, k, kn);
			const char *own = owned_key(k, kn, 1);

			if (own && strcmp(own, "hosts") == 0)
				rc = user_hosts(&h, v, vn, c->tcp ? tcp : NULL, err, errsz);
			if (rc) {
				free(o.b.p);
				return rc;
			}
			if (own)
				continue;
			if (i >= 0) {
				opt_member(&o, c->opts[i]);
				used[i] = 1;
			} else if (dropped(c, k, kn, v, vn, &ov, &ovn)) {
				if (ov)
					member_lex(&o, k, kn, ov, ovn);
			} else {
				member_lex(&o, k, kn, v, vn);
			}
		}
	}
	for (unsigned i = 0; i < c->nopts; i++)
		if (!used[i])
			opt_member(&o, c->opts[i]);
	our_keys(&o, c, &h, c->tcp ? tcp : NULL);
	if (warnsz && !h.dropped)
		warn[0] = 0;
	return finish(&o, 0, out, err, errsz);
}

int dd_daemonjson_unmerge(const char *text, size_t n, char **out, char *err, size_t errsz)
{
	struct out o = { { NULL, 0, 0, 0 }, 0 };
	struct dd_json_iter it;
	const char *k, *v;
	size_t kn, vn;
	int members, rc;

	*out = NULL;
	rc = load(text, n, &members, err, errsz);
	if (rc || !members)
		return rc;
	dd_json_object(&it, text, n);
	while (dd_json_next(&it, &k, &kn, &v, &vn))
		if (!owned_key(k, kn, 1))
			member_lex(&o, k, kn, v, vn);
	return finish(&o, 1, out, err, errsz);
}
