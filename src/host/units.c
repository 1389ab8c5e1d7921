#include "host/units.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "archive/gunzip.h"
#include "host/paths.h"
#include "host/root.h"
#include "util/atomic.h"
#include "util/sort.h"

#include "unit_text.h"

/* Templates (src/host/units/, compiled in gzip-compressed by release/units2h.sh): @BIN@
 * and @LOG@ stand for the configured directories, @PATH@ for the search path the daemons
 * need (dockerd runs docker-init and docker-proxy, containerd its shim and runc, all from
 * BIN; dockerd runs iptables: DD_DAEMON_PATH in host/paths.h).
 *
 * The sysv scripts are a head (the LSB headers and the script's variables) and sysv.body.
 * Their pid file is the script's own (dockerd writes /var/run/docker.pid itself); a process
 * counts as the daemon only when its name matches, so a stale pid file after a crash does
 * not make stop kill a stranger.
 *
 * The Compose project's service (workload/compose.h) is brought up once docker answers and
 * stopped before it; @CMD@ is `docker compose -p NAME -f FILE [--env-file F]`. The OpenRC
 * and sysv scripts share compose.body: the daemon's socket may answer a moment after the
 * service counts as started. */

/* dd_gunzip's input: the compressed templates, once. */
static ssize_t once(void *ctx, const unsigned char **p)
{
	int *given = ctx;

	if (*given)
		return 0;
	*given = 1;
	*p = unit_text_gz;
	return (ssize_t)sizeof unit_text_gz;
}

/* The templates, inflated at first use: UT_NAME's text, or NULL when the compressed copy
 * is damaged (not this program as built). */
static const char *tmpl(int ut)
{
	static char text[UT_TEXT_LEN];
	static const char *at[UT_COUNT];
	static struct dd_gunzip g;
	static int done;
	int given = 0;

	if (!done) {
		const char *p = text;

		done = -1;
		if (dd_gunzip_init(&g, once, &given) != 0)
			return NULL;
		if (dd_gunzip_read(&g, text, sizeof text) == (ssize_t)sizeof text &&
		    dd_gunzip_read(&g, text, 1) == 0 && text[sizeof text - 1] == 0) {
			for (int i = 0; i < UT_COUNT && p < text + sizeof text; i++, p += strlen(p) + 1)
				at[i] = p;
			done = p == text + sizeof text && at[UT_COUNT - 1] ? 1 : -1;
		}
		dd_gunzip_end(&g);
	}
	return done == 1 ? at[ut] : NULL;
}

#define NONE (-1)

static const struct unit_def {
	enum dd_init init;
	const char *path;
	unsigned mode;
	int head, body;
} defs[] = {
	{ DD_INIT_SYSTEMD, "/etc/systemd/system/containerd.service", 0644, UT_SYSTEMD_CONTAINERD_SERVICE, NONE },
	{ DD_INIT_SYSTEMD, "/etc/systemd/system/docker.service", 0644, UT_SYSTEMD_DOCKER_SERVICE, NONE },
	{ DD_INIT_OPENRC, "/etc/init.d/containerd", 0755, UT_OPENRC_CONTAINERD, NONE },
	{ DD_INIT_OPENRC, "/etc/init.d/docker", 0755, UT_OPENRC_DOCKER, NONE },
	{ DD_INIT_SYSV, "/etc/init.d/containerd", 0755, UT_SYSV_CONTAINERD_HEAD, UT_SYSV_BODY },
	{ DD_INIT_SYSV, "/etc/init.d/docker", 0755, UT_SYSV_DOCKER_HEAD, UT_SYSV_BODY },
};

/* Absolute, no trailing '/', short, and only characters that need no quoting anywhere. */
static int dir_ok(const char *d)
{
	size_t n = strlen(d);

	if (n < 2 || n > 64 || d[0] != '/' || d[n - 1] == '/' || dd_strstr(d, "//"))
		return 0;
	return strspn(d, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/-") == n;
}

static int in_std_path(const char *dir)
{
	const char *p = DD_STD_PATH;
	size_t n = strlen(dir);

	for (;;) {
		if (strncmp(p, dir, n) == 0 && (p[n] == ':' || !p[n]))
			return 1;
		p = strchr(p, ':');
		if (!p)
			return 0;
		p++;
	}
}

struct vars {
	const char *bin, *log, *cmd;
	char path[224];
};

/* The value of the @NAME@ at s, and its token length in *tok; NULL when s is not one. */
static const char *lookup(const struct vars *v, const char *s, size_t *tok)
{
	*tok = 5;
	if (strncmp(s, "@BIN@", 5) == 0)
		return v->bin;
	if (strncmp(s, "@LOG@", 5) == 0)
		return v->log;
	if (strncmp(s, "@CMD@", 5) == 0 && v->cmd)
		return v->cmd;
	*tok = 6;
	if (strncmp(s, "@PATH@", 6) == 0)
		return v->path;
	return NULL;
}

/* Append template ut (none for NONE) to out at *len with its @NAME@s replaced; -1 with errno
 * when it does not fit or cannot be had. */
static int expand(char *out, size_t outsz, size_t *len, int ut, const struct vars *v)
{
	const char *t = ut == NONE ? "" : tmpl(ut);

	if (!t)
		return errno = EBADMSG, -1;
	while (*t) {
		size_t n = 1, tok;
		const char *piece = lookup(v, t, &tok);

		if (piece) {
			n = strlen(piece);
			t += tok;
		} else {
			piece = t++;
		}
		if (*len + n >= outsz)
			return errno = ENOSPC, -1;
		memcpy(out + *len, piece, n);
		*len += n;
	}
	out[*len] = 0;
	return 0;
}

int dd_units_render(enum dd_init init, const struct dd_units_cfg *c, struct dd_unit_file *out,
		    unsigned *n)
{
	struct vars v;
	size_t i;

	*n = 0;
	v.bin = c && c->bin_dir ? c->bin_dir : "/usr/local/bin";
	v.log = c && c->log_dir ? c->log_dir : "/var/log/dockdrop";
	if ((unsigned)init > DD_INIT_SYSV || !dir_ok(v.bin) || !dir_ok(v.log)) {
		errno = EINVAL;
		return -1;
	}
	if (in_std_path(v.bin))
		snprintf(v.path, sizeof v.path, "%s", DD_DAEMON_PATH);
	else
		snprintf(v.path, sizeof v.path, "%s:%s", v.bin, DD_DAEMON_PATH);
	for (i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		struct dd_unit_file *f = &out[*n];

		if (defs[i].init != init)
			continue;
		snprintf(f->path, sizeof f->path, "%s", defs[i].path);
		f->mode = defs[i].mode;
		f->len = 0;
		if (expand(f->text, sizeof f->text, &f->len, defs[i].head, &v) < 0 ||
		    expand(f->text, sizeof f->text, &f->len, defs[i].body, &v) < 0) {
			*n = 0;
			return -1;
		}
		++*n;
	}
	return 0;
}

static void link_add(struct dd_unit_link *out, unsigned *n, const char *path, const char *target)
{
	snprintf(out[*n].path, sizeof out[*n].path, "%s", path);
	snprintf(out[*n].target, sizeof out[*n].target, "%s", target);
	++*n;
}

/* insserv's order: containerd starts first and stops last. */
static void sysv_links(struct dd_unit_link *out, unsigned *n)
{
	static const char start[] = "2345", stop[] = "016";
	char p[128];
	const char *s;

	for (s = start; *s; s++) {
		snprintf(p, sizeof p, "/etc/rc%c.d/S01containerd", *s);
		link_add(out, n, p, "../init.d/containerd");
		snprintf(p, sizeof p, "/etc/rc%c.d/S02docker", *s);
		link_add(out, n, p, "../init.d/docker");
	}
	for (s = stop; *s; s++) {
		snprintf(p, sizeof p, "/etc/rc%c.d/K01docker", *s);
		link_add(out, n, p, "../init.d/docker");
		snprintf(p, sizeof p, "/etc/rc%c.d/K02containerd", *s);
		link_add(out, n, p, "../init.d/containerd");
	}
}

int dd_units_enable_links(enum dd_init init, struct dd_unit_link *out, unsigned *n)
{
	*n = 0;
	switch (init) {
	case DD_INIT_NONE:
		return 0;
	case DD_INIT_SYSTEMD:
		link_add(out, n, "/etc/systemd/system/multi-user.target.wants/containerd.service",
			 "/etc/systemd/system/containerd.service");
		link_add(out, n, "/etc/systemd/system/multi-user.target.wants/docker.service",
			 "/etc/systemd/system/docker.service");
		link_add(out, n, "/etc/systemd/system/docker.socket", "/dev/null");
		return 0;
	case DD_INIT_OPENRC:
		link_add(out, n, "/etc/runlevels/default/containerd", "/etc/init.d/containerd");
		link_add(out, n, "/etc/runlevels/default/docker", "/etc/init.d/docker");
		return 0;
	case DD_INIT_SYSV:
		sysv_links(out, n);
		return 0;
	}
	errno = EINVAL;
	return -1;
}

int dd_units_compose(enum dd_init init, const char *cmd, struct dd_unit_file *f, unsigned *nf,
		     struct dd_unit_link *l, unsigned *nl)
{
	static const char *const path[] = { NULL, "/etc/systemd/system/" DD_COMPOSE_SVC ".service",
					    "/etc/init.d/" DD_COMPOSE_SVC, "/etc/init.d/" DD_COMPOSE_SVC };
	static const int text[][3] = { { NONE, NONE, NONE },
				       { UT_SYSTEMD_COMPOSE_SERVICE, NONE, NONE },
				       { UT_OPENRC_COMPOSE_HEAD, UT_COMPOSE_BODY, NONE },
				       { UT_SYSV_COMPOSE_HEAD, UT_COMPOSE_BODY, UT_SYSV_COMPOSE_TAIL } };
	struct vars v = { "/usr/local/bin", "", cmd, DD_STD_PATH };
	struct dd_unit_file *u = &f[*nf];
	char p[128];

	if (init == DD_INIT_NONE)
		return 0;
	snprintf(u->path, sizeof u->path, "%s", path[init]);
	u->mode = init == DD_INIT_SYSTEMD ? 0644 : 0755;
	u->len = 0;
	for (int i = 0; i < 3; i++)
		if (expand(u->text, sizeof u->text, &u->len, text[init][i], &v) < 0)
			return -1;
	++*nf;
	if (init == DD_INIT_SYSTEMD)
		link_add(l, nl, "/etc/systemd/system/multi-user.target.wants/" DD_COMPOSE_SVC ".service",
			 path[init]);
	if (init == DD_INIT_OPENRC)
		link_add(l, nl, "/etc/runlevels/default/" DD_COMPOSE_SVC, path[init]);
	for (int i = 0; init == DD_INIT_SYSV && i < 7; i++) {
		snprintf(p, sizeof p, "/etc/rc%c.d/%s%s", "2345016"[i], i < 4 ? "S03" : "K00",
			 DD_COMPOSE_SVC);
		link_add(l, nl, p, "../init.d/" DD_COMPOSE_SVC);
	}
	return 0;
}

int dd_units_check(enum dd_init init, char *first, size_t cap)
{
	static struct dd_unit_file f[DD_UNITS_MAX];
	static char buf[sizeof f[0].text + 1];
	const struct dd_units_cfg c = { NULL, NULL };
	unsigned n, bad = 0;
	struct stat st;

	first[0] = 0;
	if (dd_units_render(init, &c, f, &n) != 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		long got = dd_root_read_small(f[i].path, buf, sizeof buf);

		if (got == (long)f[i].len && !memcmp(buf, f[i].text, f[i].len) && dd_root_stat(f[i].path, &st) == 0 &&
		    (st.st_mode & 07777) == f[i].mode)
			continue;
		if (!bad++)
			snprintf(first, cap, "%s", f[i].path);
	}
	return (int)bad;
}
