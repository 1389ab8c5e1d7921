#include "host/state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/format.h"
#include "host/paths.h"
#include "host/root.h"
#include "util/atomic.h"
#include "util/io.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/sort.h"

/* A token: printable ASCII without spaces, 1..cap-1 bytes. */
static int token_ok(const char *s, size_t cap)
{
	size_t n = strlen(s);

	if (n == 0 || n >= cap)
		return 0;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

static int path_ok(const char *p, size_t cap)
{
	return token_ok(p, cap) && p[0] == '/' && !dd_strstr(p, "/../") && !dd_strstr(p, "/./") &&
	       strcmp(p + strlen(p) - (strlen(p) >= 3 ? 3 : 0), "/..") != 0;
}

int dd_state_path_ok(const char *p)
{
	return path_ok(p, sizeof ((struct dd_state_ent *)0)->path);
}

static int hex_ok(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

static int copy(char *dst, size_t cap, const char *src)
{
	if (!token_ok(src, cap))
		return -1;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

int dd_state_add(struct dd_state *s, char kind, const char *path, unsigned mode,
		 const char *sha, const char *target)
{
	struct dd_state_ent *e = (struct dd_state_ent *)dd_state_find(s, path);

	if (!path_ok(path, sizeof e->path) || !strchr("fkcldxbn", kind) || !kind || mode > 07777)
		return -1;
	if (strchr("fkcb", kind) && !(sha && hex_ok(sha)))
		return -1;
	if (kind == 'l' && !(target && token_ok(target, sizeof e->target)))
		return -1;
	if (!e) {
		if (s->n == DD_STATE_ENTS)
			return -1;
		e = &s->ent[s->n++];
	}
	/* path may be e->path itself (re-recording an entry): copy before clearing. */
	char p[sizeof e->path];

	memcpy(p, path, strlen(path) + 1);
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->mode = mode;
	memcpy(e->path, p, strlen(p) + 1);
	if (sha && strchr("fkcb", kind))
		memcpy(e->sha, sha, 65);
	if (kind == 'l')
		memcpy(e->target, target, strlen(target) + 1);
	return 0;
}

int dd_state_auth(struct dd_state *s, const char *server, const char *user)
{
	struct dd_state_auth *a = s->auth;

	while (a < s->auth + s->nauth && strcmp(a->server, server))
		a++;
	if (a == s->auth + DD_STATE_AUTHS || !token_ok(server, sizeof a->server) ||
	    !token_ok(user, sizeof a->user))
		return -1;
	if (a == s->auth + s->nauth)
		s->nauth++;
	memcpy(a->server, server, strlen(server) + 1);
	memcpy(a->user, user, strlen(user) + 1);
	return 0;
}

const struct dd_state_ent *dd_state_find(const struct dd_state *s, const char *path)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->ent[i].path, path) == 0)
			return &s->ent[i];
	return NULL;
}

static int parse_uint(const char *t, unsigned long max, unsigned long *v, int base)
{
	char *end;

	if (!*t || *t == '-' || *t == '+' || (t[0] == '0' && t[1] && base == 10))
		return -1;
	errno = 0;
	*v = strtoul(t, &end, base);
	return errno || *end || *v > max ? -1 : 0;
}

/* VERSION SHA256 DIRNAME [TREE] */
static int parse_engine(struct dd_state_engine *e, char **w, unsigned n)
{
	if (copy(e->version, sizeof e->version, w[0]) || !hex_ok(w[1]) ||
	    copy(e->dir, sizeof e->dir, w[2]) || strchr(w[2], '/') || w[2][0] == '.' ||
	    (n == 4 && !hex_ok(w[3])))
		return -1;
	memcpy(e->sha, w[1], 65);
	if (n == 4)
		memcpy(e->tree, w[3], 65);
	return 0;
}

/* Lines that say one thing once: a second one is damage, not an update. */
static const char *const once[] = { "engine", "uninstalled", "port", "tcp", "init",
				     "key-type", "certs", "group", "auth-file" };

/* One line split at single spaces into at most 5 words (daemon-opt takes the rest of its
 * line); a sixth word is damage. seen: the once[] lines met so far. */
static int parse_line(struct dd_state *s, char *line, unsigned *seen)
{
	char *w[5] = { 0 };
	unsigned n = 0;
	unsigned long v;

	if (strncmp(line, "daemon-opt ", 11) == 0) {
		const char *o = line + 11;

		if (s->nopts == DD_STATE_LIST || !*o || strlen(o) >= sizeof s->opts[0] ||
		    !strchr(o, '='))
			return -1;
		for (const char *c = o; *c; c++)
			if ((unsigned char)*c < ' ' || *c == 0x7f)
				return -1;
		memcpy(s->opts[s->nopts++], o, strlen(o) + 1);
		return 0;
	}
	for (char *p = line; *p;) {
		if (n == 5)
			return -1;
		w[n++] = p;
		if (!(p = strchr(p, ' ')))
			break;
		*p++ = 0;
		if (*p == ' ' || !*p)
			return -1;
	}
	if (n == 0)
		return -1;
	for (unsigned i = 0; i < sizeof once / sizeof once[0]; i++)
		if (strcmp(w[0], once[i]) == 0 && (*seen & (1u << i) || (*seen |= 1u << i, 0)))
			return -1;
#define IS(k, words) (strcmp(w[0], k) == 0 && n == (words))
	if (IS("engine", 4) || IS("engine", 5))
		return s->uninstalled ? -1 : parse_engine(&s->engine, w + 1, n - 1);
	if (IS("uninstalled", 1))
		return s->engine.dir[0] ? -1 : (s->uninstalled = 1, 0);
	if (IS("previous", 4) || IS("previous", 5))
		return s->nprev == DD_STATE_PREV || parse_engine(&s->previous[s->nprev], w + 1, n - 1)
			       ? -1
			       : (s->nprev++, 0);
	if (IS("port", 2))
		return parse_uint(w[1], 65535, &v, 10) || v == 0 ? -1 : (s->port = (unsigned)v, 0);
	if (IS("tcp", 2))
		return parse_uint(w[1], 1, &v, 10) ? -1 : (s->tcp = (int)v, 0);
	if (IS("init", 2))
		return copy(s->init, sizeof s->init, w[1]);
	if (IS("key-type", 2))
		return copy(s->key_type, sizeof s->key_type, w[1]);
	if (IS("certs", 2))
		return path_ok(w[1], sizeof s->certs) ? copy(s->certs, sizeof s->certs, w[1]) : -1;
	if (IS("san", 2))
		return s->nsans == DD_STATE_LIST || copy(s->sans[s->nsans], sizeof s->sans[0], w[1])
			       ? -1
			       : (s->nsans++, 0);
	if (IS("group", 4)) {
		if (copy(s->group, sizeof s->group, w[1]) || parse_uint(w[2], 0xfffffffeul, &v, 10))
			return -1;
		s->gid = (unsigned)v;
		if (strcmp(w[3], "created") != 0 && strcmp(w[3], "existing") != 0)
			return -1;
		s->group_created = w[3][0] == 'c';
		return 0;
	}
	if ((IS("file", 4) || IS("keep", 4) || IS("conf", 4) || IS("backup", 4)) &&
	    !dd_state_find(s, w[1]))
		return parse_uint(w[2], 07777, &v, 8) ? -1
						      : dd_state_add(s, w[0][0], w[1], (unsigned)v, w[3], NULL);
	if (IS("link", 3) && !dd_state_find(s, w[1]))
		return dd_state_add(s, 'l', w[1], 0, NULL, w[2]);
	if (IS("dir", 2) && !dd_state_find(s, w[1]))
		return dd_state_add(s, 'd', w[1], 0, NULL, NULL);
	if (IS("data", 2) && !dd_state_find(s, w[1]))
		return dd_state_add(s, 'x', w[1], 0, NULL, NULL);
	if (IS("nonl", 2) && !dd_state_find(s, w[1]))
		return dd_state_add(s, 'n', w[1], 0, NULL, NULL);
	if (IS("auth", 3)) { /* one line per server */
		for (unsigned i = 0; i < s->nauth; i++)
			if (!strcmp(s->auth[i].server, w[1]))
				return -1;
		return dd_state_auth(s, w[1], w[2]);
	}
	if (IS("auth-file", 2))
		return strcmp(w[1], "created") ? -1 : (s->auth_file = 1, 0);
#undef IS
	return -1;
}

int dd_state_parse(const char *text, size_t n, struct dd_state *s, char *err, size_t errsz)
{
	static const char magic[] = "dockdrop-state 1\n";
	char line[1024];
	unsigned no = 1, seen = 0;
	size_t i = sizeof magic - 1;

	memset(s, 0, sizeof *s);
	if (n < i || memcmp(text, magic, i) != 0)
		return dd_say(err, errsz, -1, "line 1: not a dockdrop state record");
	while (i < n) {
		const char *nl = memchr(text + i, '\n', n - i);
		size_t len;

		no++;
		if (!nl)
			return dd_say(err, errsz, -1, "line %u: no newline at the end", no);
		len = (size_t)(nl - (text + i));
		if (len >= sizeof line || memchr(text + i, 0, len))
			return dd_say(err, errsz, -1, "line %u: too long or NUL", no);
		memcpy(line, text + i, len);
		line[len] = 0;
		if (parse_line(s, line, &seen) != 0)
			return dd_say(err, errsz, -1, "line %u: not understood", no);
		i += len + 1;
	}
	if (!s->engine.dir[0] && !s->uninstalled)
		return dd_say(err, errsz, -1, "no engine line");
	return 0;
}

/* Every field at its limit still formats: the record's longest lines, counted (each
 * sizeof of a word or field covers its space or newline). */
#define FIELD(f) sizeof(((struct dd_state *)0)->f)
#define ENGINE_LINE (sizeof "previous" + 64 + 65 + 128 + 65)
_Static_assert(sizeof "dockdrop-state 1\n" + (1 + DD_STATE_PREV) * ENGINE_LINE +
		       sizeof "port 65535\n" + sizeof "tcp 1\n" + sizeof "init" + FIELD(init) +
		       sizeof "key-type" + FIELD(key_type) + sizeof "certs" + FIELD(certs) +
		       DD_STATE_LIST * (sizeof "san" + FIELD(sans[0]) + sizeof "daemon-opt" + FIELD(opts[0])) +
		       sizeof "group  4294967294 existing" + FIELD(group) +
		       DD_STATE_ENTS * (sizeof "link" + FIELD(ent[0].path) + FIELD(ent[0].target)) +
		       DD_STATE_AUTHS * (sizeof "auth" + FIELD(auth[0])) + sizeof "auth-file created" <=
	       DD_STATE_MAX, "DD_STATE_MAX holds the largest record");

#define PUT(...)                                                                   \
	do {                                                                       \
		int k_ = snprintf(out + o, cap - o, __VA_ARGS__);                  \
		if (k_ < 0 || (size_t)k_ >= cap - o)                               \
			return 0;                                                  \
		o += (size_t)k_;                                                   \
	} while (0)

size_t dd_state_format(const struct dd_state *s, char *out, size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return 0;
	if (s->engine.dir[0])
		PUT("dockdrop-state 1\nengine %s %s %s%s%s\n", s->engine.version, s->engine.sha,
		    s->engine.dir, s->engine.tree[0] ? " " : "", s->engine.tree);
	else
		PUT("dockdrop-state 1\nuninstalled\n");
	for (unsigned i = 0; i < s->nprev; i++)
		PUT("previous %s %s %s%s%s\n", s->previous[i].version, s->previous[i].sha,
		    s->previous[i].dir, s->previous[i].tree[0] ? " " : "", s->previous[i].tree);
	if (s->port)
		PUT("port %u\n", s->port);
	PUT("tcp %d\n", s->tcp);
	if (s->init[0])
		PUT("init %s\n", s->init);
	if (s->key_type[0])
		PUT("key-type %s\n", s->key_type);
	if (s->certs[0])
		PUT("certs %s\n", s->certs);
	for (unsigned i = 0; i < s->nsans; i++)
		PUT("san %s\n", s->sans[i]);
	for (unsigned i = 0; i < s->nopts; i++)
		PUT("daemon-opt %s\n", s->opts[i]);
	if (s->group[0])
		PUT("group %s %u %s\n", s->group, s->gid, s->group_created ? "created" : "existing");
	for (unsigned i = 0; i < s->n; i++) {
		const struct dd_state_ent *e = &s->ent[i];

		if (e->kind == 'l')
			PUT("link %s %s\n", e->path, e->target);
		else if (strchr("dxn", e->kind))
			PUT("%s %s\n", e->kind == 'd' ? "dir" : e->kind == 'x' ? "data" : "nonl", e->path);
		else
			PUT("%s %s %04o %s\n", e->kind == 'f' ? "file" : e->kind == 'k' ? "keep" :
					    e->kind == 'c' ? "conf" : "backup",
			    e->path, e->mode, e->sha);
	}
	for (unsigned i = 0; i < s->nauth; i++)
		PUT("auth %s %s\n", s->auth[i].server, s->auth[i].user);
	if (s->auth_file)
		PUT("auth-file created\n");
	return o;
}

int dd_state_load(struct dd_state *s, char *err, size_t errsz)
{
	static char buf[DD_STATE_MAX];
	char m[DD_PATH_MAX], why[200];
	long n;

	memset(s, 0, sizeof *s);
	dd_root_show(DD_STATE_FILE, m, sizeof m);
	if ((n = dd_root_read_small(DD_STATE_FILE, buf, sizeof buf)) < 0) {
		if (errno == ENOENT)
			return DD_STATE_NONE;
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", m);
	}
	if (dd_state_parse(buf, (size_t)n, s, why, sizeof why) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL,
			      "%s is damaged (%s): restore it, or remove it and re-run install", m, why);
	return 0;
}

int dd_state_record(struct dd_state *s, char kind, const char *abs)
{
	char target[DD_PATH_MAX], hex[65];
	struct stat st;

	if (dd_root_lstat(abs, &st) != 0)
		return -1;
	if (kind == 'l') {
		if (dd_root_readlink(abs, target, sizeof target) != 0)
			return -1;
		return dd_state_add(s, 'l', abs, 0, NULL, target);
	}
	if (kind == 'd')
		return dd_state_add(s, 'd', abs, 0, NULL, NULL);
	if (dd_root_sha256_hex(abs, hex) != 0)
		return -1;
	return dd_state_add(s, kind, abs, st.st_mode & 07777, hex, NULL);
}
