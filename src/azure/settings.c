#include "azure/settings.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/paths.h"
#include "util/io.h"
#include "util/jsontext.h"
#include "util/log.h"
#include "util/sort.h"

#define DEPTH 32	/* a compose file nests; nothing else does */

/* The JSON value v: 's'tring, 'o'bject, 'a'rray, 'n'umber, 'b'oolean or null ('z'). */
static int kind(const char *v)
{
	return *v == '"' ? 's' : *v == '{' ? 'o' : *v == '[' ? 'a' : *v == 't' || *v == 'f' ? 'b' :
	       *v == 'n' ? 'z' : 'n';
}

static int bad(const char *what, const char *why)
{
	return dd_fail(DD_EXIT_USAGE, "install: settings: %s: %s", what, why);
}

/* The string value v into out: 0, or an exit code naming what. */
static int string(const char *what, const char *v, size_t n, char *out, size_t cap)
{
	long len;

	if (kind(v) != 's')
		return bad(what, "not a JSON string");
	if ((len = dd_json_unquote(v, n, out, cap)) < 0)
		return bad(what, "too long");
	if (memchr(out, 0, (size_t)len))
		return bad(what, "holds a NUL character");
	return 0;
}

/* --- docker.port ------------------------------------------------------------------------ */

static int port(struct dd_az *a, const char *what, const char *v, size_t n)
{
	char s[16];
	unsigned long p = 0;
	size_t i = 0;

	if (kind(v) == 'n' && n < sizeof s) {
		memcpy(s, v, n);
		s[n] = 0;
	} else if (kind(v) != 's' || dd_json_unquote(v, n, s, sizeof s) < 0) {
		return bad(what, "not a port number (a string or a number, 1-65535)");
	}
	while (s[i] >= '0' && s[i] <= '9' && p <= 65535)
		p = p * 10 + (unsigned long)(s[i++] - '0');
	if (i == 0 || s[i] || p == 0 || p > 65535)
		return bad(what, "not a port number (1-65535)");
	a->port = (unsigned)p;
	return 0;
}

/* --- docker.options: dockerd flags as daemon.json keys ----------------------------------- */

enum { B, S, I, L, M };	/* boolean, string, integer, list (repeatable), map (K=V, repeatable) */

static const struct flag {
	const char *name, *key;
	char shortname, type;
} flags[] = {
	{ "debug", "debug", 'D', B },
	{ "experimental", "experimental", 0, B },
	{ "live-restore", "live-restore", 0, B },
	{ "icc", "icc", 0, B },
	{ "ip-forward", "ip-forward", 0, B },
	{ "ip-masq", "ip-masq", 0, B },
	{ "iptables", "iptables", 0, B },
	{ "ip6tables", "ip6tables", 0, B },
	{ "ipv6", "ipv6", 0, B },
	{ "userland-proxy", "userland-proxy", 0, B },
	{ "selinux-enabled", "selinux-enabled", 0, B },
	{ "no-new-privileges", "no-new-privileges", 0, B },
	{ "init", "init", 0, B },
	{ "log-level", "log-level", 'l', S },
	{ "storage-driver", "storage-driver", 's', S },
	{ "data-root", "data-root", 'g', S },
	{ "graph", "data-root", 0, S },
	{ "log-driver", "log-driver", 0, S },
	{ "bip", "bip", 0, S },
	{ "fixed-cidr", "fixed-cidr", 0, S },
	{ "fixed-cidr-v6", "fixed-cidr-v6", 0, S },
	{ "default-gateway", "default-gateway", 0, S },
	{ "ip", "ip", 0, S },
	{ "bridge", "bridge", 'b', S },
	{ "group", "group", 'G', S },
	{ "userns-remap", "userns-remap", 0, S },
	{ "default-runtime", "default-runtime", 0, S },
	{ "cgroup-parent", "cgroup-parent", 0, S },
	{ "mtu", "mtu", 0, I },
	{ "max-concurrent-downloads", "max-concurrent-downloads", 0, I },
	{ "max-concurrent-uploads", "max-concurrent-uploads", 0, I },
	{ "shutdown-timeout", "shutdown-timeout", 0, I },
	{ "dns", "dns", 0, L },
	{ "dns-opt", "dns-opts", 0, L },
	{ "dns-search", "dns-search", 0, L },
	{ "label", "labels", 0, L },
	{ "insecure-registry", "insecure-registries", 0, L },
	{ "registry-mirror", "registry-mirrors", 0, L },
	{ "storage-opt", "storage-opts", 0, L },
	{ "exec-opt", "exec-opts", 0, L },
	{ "log-opt", "log-opts", 0, M },
};

/* What dockdrop sets itself: refused with the reason, never dropped. */
static const char *const managed[][2] = {
	{ "host", "dockdrop sets the daemon's listeners (use docker.port)" },
	{ "tls", "dockdrop always serves mutual TLS" },
	{ "tlsverify", "dockdrop always serves mutual TLS" },
	{ "tlscacert", "dockdrop sets the certificates (use protected certs)" },
	{ "tlscert", "dockdrop sets the certificates (use protected certs)" },
	{ "tlskey", "dockdrop sets the certificates (use protected certs)" },
	{ "config-file", "dockdrop's daemon reads /etc/docker/daemon.json" },
	{ "containerd", "dockdrop runs the daemon with its own containerd" },
};

static void put(struct dd_az *a, const char *s, size_t n)
{
	if (a->optlen + n < sizeof a->optbuf)
		memcpy(a->optbuf + a->optlen, s, n);
	a->optlen += n;
}

static void put_cb(void *ctx, const char *s, size_t n)
{
	put(ctx, s, n);
}

static void put_str(struct dd_az *a, const char *s, size_t n)
{
	put(a, "\"", 1);
	dd_json_escape(s, n, put_cb, a);
	put(a, "\"", 1);
}

/* The "KEY=" option already made for key, to add to (lists and maps), or NULL. */
static char *made(struct dd_az *a, const char *key)
{
	size_t n = strlen(key);

	for (unsigned i = 0; i < a->nopts; i++)
		if (!strncmp(a->opts[i], key, n) && a->opts[i][n] == '=')
			return (char *)a->opts[i];
	return NULL;
}

/* One flag with its value (NULL for a boolean without one) as a daemon.json member. */
static int option(struct dd_az *a, const struct flag *f, const char *flag, const char *val)
{
	char *prev = made(a, f->key), what[96];
	size_t start = a->optlen, vn = val ? strlen(val) : 0;
	const char *eq = f->type == M && val ? strchr(val, '=') : NULL;

	snprintf(what, sizeof what, "docker.options %s", flag);
	if (prev && f->type != L && f->type != M)
		return bad(what, "given twice");
	if (f->type == B && val && strcmp(val, "true") && strcmp(val, "false"))
		return bad(what, "takes true or false");
	if (f->type == I && (!vn || strspn(val, "0123456789") != vn || vn > 9))
		return bad(what, "takes a whole number");
	if (f->type == M && (!eq || eq == val))
		return bad(what, "takes KEY=VALUE");
	if (prev) { /* a second list element or map member: the option made again, longer */
		size_t pn = strlen(prev) - 1; /* without its closing ] or } */

		start = a->optlen;
		put(a, prev, pn);
		put(a, ",", 1);
		for (unsigned i = 0; i < a->nopts; i++)
			if (a->opts[i] == prev)
				a->opts[i] = a->optbuf + start;
	} else {
		if (a->nopts == DD_AZ_OPTS_MAX)
			return bad("docker.options", "sets too many daemon.json keys");
		put(a, f->key, strlen(f->key));
		put(a, f->type == L ? "=[" : f->type == M ? "={" : "=", 2 - (f->type < L));
		a->opts[a->nopts++] = a->optbuf + start;
	}
	if (f->type == B || f->type == I)
		put(a, val ? val : "true", val ? vn : 4);
	else if (f->type == M)
		put_str(a, val, (size_t)(eq - val)), put(a, ":", 1), put_str(a, eq + 1, strlen(eq + 1));
	else
		put_str(a, val, vn);
	if (f->type >= L)
		put(a, f->type == L ? "]" : "}", 1);
	put(a, "", 1);
	if (a->optlen > sizeof a->optbuf)
		return bad("docker.options", "too long");
	return 0;
}

/* "--name=value", "--name value", "-D", "-l debug": one flag, perhaps with the next
 * element as its value (*used). */
static int flag(struct dd_az *a, const char *arg, const char *next, int *used)
{
	const char *name = arg + 1 + (arg[1] == '-'), *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	const struct flag *f = NULL;
	char what[96], val[512];

	snprintf(what, sizeof what, "docker.options %s", arg);
	for (unsigned i = 0; i < sizeof managed / sizeof managed[0]; i++)
		if ((strlen(managed[i][0]) == n && !strncmp(name, managed[i][0], n)) ||
		    (arg[1] == 'H' && n == 1))
			return bad(what, arg[1] == 'H' ? managed[0][1] : managed[i][1]);
	for (unsigned i = 0; !f && i < sizeof flags / sizeof flags[0]; i++)
		if (arg[1] == '-' ? strlen(flags[i].name) == n && !strncmp(name, flags[i].name, n) :
				    n == 1 && flags[i].shortname == *name)
			f = &flags[i];
	if (!f || n == 0)
		return bad(what, "not a dockerd option dockdrop can put in daemon.json; set that key with install --daemon-opt");
	*used = 0;
	if (!eq && f->type != B) {
		if (!next)
			return bad(what, "needs a value");
		*used = 1;
		eq = next - 1;
	}
	if (eq && snprintf(val, sizeof val, "%s", eq + 1) >= (int)sizeof val)
		return bad(what, "value too long");
	return option(a, f, arg, eq ? val : NULL);
}

static int options(struct dd_az *a, const char *v, size_t n)
{
	static char args[64][512];
	struct dd_json_iter it;
	const char *key, *e;
	size_t kn, en;
	unsigned m = 0;
	int rc, used;

	if (kind(v) != 'a')
		return bad("docker.options", "not a JSON array of strings");
	dd_json_array(&it, v, n);
	while (dd_json_next(&it, &key, &kn, &e, &en)) {
		if (m == 64)
			return bad("docker.options", "more than 64 elements");
		if ((rc = string("docker.options", e, en, args[m], sizeof args[m])))
			return rc;
		m++;
	}
	for (unsigned i = 0; i < m; i += 1 + (unsigned)used) {
		used = 0;
		if (args[i][0] != '-' || !args[i][1])
			return bad("docker.options", "an element that is not an option: options start with -");
		if ((rc = flag(a, args[i], i + 1 < m ? args[i + 1] : NULL, &used)))
			return rc;
	}
	return 0;
}

/* --- compose ---------------------------------------------------------------------------- */

/* The "compose" object as the project's file: JSON is YAML. A file of the v1 layout (its
 * services at the top level, no "services" or "version") is wrapped, as Compose v2 reads
 * only the newer one. */
static int compose(struct dd_az *a, struct dd_compose *p, const char *v, size_t n)
{
	const char *x;
	size_t xn;
	int wrap = !dd_json_member(v, n, "services", &x, &xn) && !dd_json_member(v, n, "version", &x, &xn);

	if (kind(v) != 'o')
		return bad("compose", "not a JSON object (a Compose file written as JSON)");
	if (n + 16 > sizeof p->file)
		return bad("compose", "larger than a Compose file dockdrop takes (64 KiB)");
	p->filelen = (size_t)snprintf(p->file, sizeof p->file, "%s%.*s%s\n", wrap ? "{\"services\": " : "",
				      (int)n, v, wrap ? "}" : "");
	a->compose = 1;
	return 0;
}

/* compose-environment and protected environment: KEY=VALUE lines of the env file. */
static int environment(struct dd_compose *p, const char *what, const char *v, size_t n)
{
	struct dd_json_iter it;
	const char *k, *e;
	size_t kn, en;
	char key[256], val[4096];
	int rc;

	if (kind(v) != 'o')
		return bad(what, "not a JSON object of strings");
	dd_json_object(&it, v, n);
	while (dd_json_next(&it, &k, &kn, &e, &en)) {
		long kl = dd_json_unquote(k, kn, key, sizeof key);

		if ((rc = string(what, e, en, val, sizeof val)))
			return rc;
		if (kl <= 0 || strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
				       (size_t)kl || (key[0] >= '0' && key[0] <= '9'))
			return bad(what, "a name that is not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
		if (strchr(val, '\n') || strchr(val, '\r'))
			return bad(what, "a value with a line break (an env file holds one line each)");
		if (p->envlen + (size_t)kl + strlen(val) + 3 > sizeof p->env)
			return bad(what, "larger than 16 KiB");
		p->envlen += (size_t)snprintf(p->env + p->envlen, sizeof p->env - p->envlen, "%s=%s\n", key, val);
		p->has_env = 1;
	}
	explicit_bzero(val, sizeof val);
	return 0;
}

/* --- the members ------------------------------------------------------------------------ */

static void unknown(const char *where, const char *k, size_t kn)
{
	char key[64], show[96];

	if (dd_json_unquote(k, kn, key, sizeof key) < 0)
		snprintf(key, sizeof key, "(a long name)");
	dd_log_escape(show, sizeof show, key);
	dd_warn("settings: unknown key %s%s ignored", where, show);
}

static int is(const char *k, size_t kn, const char *name)
{
	return dd_json_str_is(k, kn, name, strlen(name));
}

static int docker(struct dd_az *a, const char *v, size_t n)
{
	struct dd_json_iter it;
	const char *k, *e;
	size_t kn, en;
	int rc = 0;

	if (kind(v) == 'z')
		return 0;
	if (kind(v) != 'o')
		return bad("docker", "not a JSON object");
	dd_json_object(&it, v, n);
	while (!rc && dd_json_next(&it, &k, &kn, &e, &en))
		if (is(k, kn, "port"))
			rc = port(a, "docker.port", e, en);
		else if (is(k, kn, "options"))
			rc = options(a, e, en);
		else
			unknown("docker.", k, kn);
	return rc;
}

static int public(struct dd_az *a, struct dd_compose *p, const char *v, size_t n)
{
	struct dd_json_iter it;
	const char *k, *e;
	size_t kn, en;
	char env[32];
	int rc = 0;

	if (kind(v) == 'z')
		return 0;
	if (kind(v) != 'o')
		return bad("publicSettings", "not a JSON object");
	dd_json_object(&it, v, n);
	while (!rc && dd_json_next(&it, &k, &kn, &e, &en))
		if (is(k, kn, "docker"))
			rc = docker(a, e, en);
		else if (is(k, kn, "dockerport"))
			rc = port(a, "dockerport", e, en);
		else if (is(k, kn, "compose") || is(k, kn, "composeup"))
			rc = a->compose ? bad("compose", "given twice (compose and composeup)") : compose(a, p, e, en);
		else if (is(k, kn, "compose-environment"))
			rc = environment(p, "compose-environment", e, en);
		else if (is(k, kn, "azure-environment")) {
			if (!(rc = string("azure-environment", e, en, env, sizeof env)) && env[0] &&
			    strcmp(env, "AzureCloud") && strcmp(env, "AzureChinaCloud"))
				rc = bad("azure-environment", "invalid environment name (AzureCloud or AzureChinaCloud)");
		} else
			unknown("", k, kn);
	return rc;
}

/* A certificate or key: base64 of the PEM text, or the PEM text itself. */
static int pem(struct dd_az *a, int i, const char *what, const char *v, size_t n)
{
	static char s[DD_AZ_PEM_MAX * 2];
	long len;
	int rc;

	if ((rc = string(what, v, n, s, sizeof s)))
		return rc;
	if (!dd_strstr(s, "-----BEGIN ") &&
	    (len = dd_unbase64(s, strlen(s), (unsigned char *)a->pem[i], sizeof a->pem[i] - 1)) > 0)
		a->pemlen[i] = (size_t)len;
	else if (strlen(s) < sizeof a->pem[i])
		a->pemlen[i] = (size_t)snprintf(a->pem[i], sizeof a->pem[i], "%s", s);
	else
		rc = bad(what, "too long for a certificate or key");
	explicit_bzero(s, sizeof s);
	if (!rc && (a->pemlen[i] == 0 || !dd_strstr(a->pem[i], "-----BEGIN ")))
		rc = bad(what, "neither PEM nor base64 of PEM");
	return rc;
}

static int certs(struct dd_az *a, const char *v, size_t n)
{
	static const char *const name[] = { "ca", "cert", "key" };
	const char *e;
	size_t en;
	int rc;

	if (kind(v) != 'o')
		return bad("certs", "not a JSON object");
	for (int i = 0; i < 3; i++) {
		char what[16];

		snprintf(what, sizeof what, "certs.%s", name[i]);
		if (!dd_json_member(v, n, name[i], &e, &en) || (kind(e) == 's' && en == 2))
			return bad("certs", "needs ca, cert and key, all three");
		if ((rc = pem(a, i, what, e, en)))
			return rc;
	}
	a->certs = 1;
	return 0;
}

static int login(struct dd_az *a, const char *v, size_t n)
{
	static const char *const name[] = { "server", "username", "password" };
	char *out[] = { a->server, a->user, a->pass };
	size_t cap[] = { sizeof a->server, sizeof a->user, sizeof a->pass };
	const char *e;
	size_t en;
	int rc;

	if (kind(v) != 'o')
		return bad("login", "not a JSON object");
	for (int i = 0; i < 3; i++) {
		char what[16];

		snprintf(what, sizeof what, "login.%s", name[i]);
		if (dd_json_member(v, n, name[i], &e, &en) && (rc = string(what, e, en, out[i], cap[i])))
			return rc;
	}
	if (!a->user[0] || !a->pass[0])
		return bad("login", "needs username and password");
	if (dd_json_member(v, n, "email", &e, &en))
		dd_warn("settings: login.email is not used (docker login has had no --email since 17.06)");
	a->login = 1;
	return 0;
}

static int protected(struct dd_az *a, struct dd_compose *p)
{
	static const char *const legacy[] = { "ca", "server-cert", "server-key" };
	struct dd_json_iter it;
	const char *k, *e, *v = a->prot;
	size_t kn, en, n = a->protlen;
	struct dd_json_err je;
	int rc = 0, old = 0;

	if (dd_json_check(v, n, DEPTH, &je) || kind(dd_json_skip_ws(v, n)) != 'o')
		return dd_fail(DD_EXIT_USAGE, "install: protected settings: not a JSON object%s%s",
			       je.why ? ": " : "", je.why ? je.why : "");
	dd_json_object(&it, v, n);
	while (!rc && dd_json_next(&it, &k, &kn, &e, &en)) {
		int l = 0;

		while (l < 3 && !is(k, kn, legacy[l]))
			l++;
		if (is(k, kn, "certs"))
			rc = a->certs || old ? bad("certs", "given twice (certs and ca, server-cert, server-key)") :
					       certs(a, e, en);
		else if (l < 3)
			rc = a->certs ? bad(legacy[l], "given with certs") : pem(a, l, legacy[l], e, en), old |= 1 << l;
		else if (is(k, kn, "login"))
			rc = login(a, e, en);
		else if (is(k, kn, "environment"))
			rc = environment(p, "environment", e, en);
		else
			unknown("(protected) ", k, kn);
	}
	if (!rc && old && old != 7)
		rc = bad("ca, server-cert, server-key", "needs all three");
	a->certs |= old == 7;
	return rc;
}

/* --- the files -------------------------------------------------------------------------- */

/* Where the agent keeps the tenant certificates: two levels above the settings' folder. */
static int tenant_dir(const char *file, char *out, size_t cap)
{
	char real[PATH_MAX];
	char *slash;

	if (dd_realpath(file, real) != 0 || !(slash = strrchr(real, '/')))
		return -1;
	*slash = 0;
	return snprintf(out, cap, "%s/../..", real) >= (int)cap ? -1 : 0;
}

static int handler(struct dd_az *a, const char *file, const char *certdir, const char **pub,
		   size_t *pubn)
{
	static char b64[DD_AZ_PROTECTED_MAX * 2];
	const char *v = a->text, *e, *h, *k;
	size_t n = strlen(a->text), en, hn, kn;
	char thumb[48], dir[PATH_MAX], err[512];
	struct dd_json_iter it;
	long bn;

	v = dd_json_skip_ws(v, n);
	n -= (size_t)(v - a->text);
	if (!dd_json_member(v, n, "runtimeSettings", &e, &en))
		return 0;	/* a plain object of public settings */
	if (kind(e) != 'a' || dd_json_array(&it, e, en) || !dd_json_next(&it, &k, &kn, &h, &hn) ||
	    dd_json_next(&it, &k, &kn, &e, &en))
		return bad("runtimeSettings", "not an array of one element");
	if (!dd_json_member(h, hn, "handlerSettings", &h, &hn) || kind(h) != 'o')
		return bad("runtimeSettings[0]", "no handlerSettings object");
	*pub = "null";
	*pubn = 4;
	dd_json_member(h, hn, "publicSettings", pub, pubn);
	if (!dd_json_member(h, hn, "protectedSettings", &e, &en) || kind(e) == 'z')
		return 0;
	if (kind(e) != 's' || (bn = dd_json_unquote(e, en, b64, sizeof b64)) < 0)
		return bad("protectedSettings", "not a base64 string of a size settings have");
	if (bn == 0)
		return 0;
	if (!dd_json_member(h, hn, "protectedSettingsCertThumbprint", &e, &en) || kind(e) != 's' ||
	    dd_json_unquote(e, en, thumb, sizeof thumb) != 40 || strspn(thumb, "0123456789abcdefABCDEF") != 40)
		return dd_fail(DD_EXIT_VERIFY, "install: protected settings without a certificate thumbprint (40 hex digits in protectedSettingsCertThumbprint)");
	if (!certdir && tenant_dir(file, dir, sizeof dir) == 0)
		certdir = dir;
	if (!certdir)
		return dd_fail(DD_EXIT_USAGE, "install: --settings %s: %m", file);
	if (dd_az_unprotect(b64, (size_t)bn, thumb, certdir, a->prot, sizeof a->prot, &a->protlen,
			    err, sizeof err))
		return dd_fail(DD_EXIT_VERIFY, "install: protected settings: %s", err);
	return 0;
}

/* --protected-settings: a plain JSON object only its owner reads (it holds secrets). */
static int prot_file(struct dd_az *a, const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st = { 0 };
	long n;

	if (fd < 0)
		return dd_fail(DD_EXIT_USAGE, "install: --protected-settings %s: %s", path,
			       errno == ELOOP ? "is a symbolic link: name the file itself" : strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077)) {
		close(fd);
		return dd_fail(DD_EXIT_USAGE, "install: --protected-settings %s: group or others can read it: chmod 600 it (its secrets may have leaked)",
			       path);
	}
	if ((n = dd_read_small_fd(fd, a->prot, sizeof a->prot)) < 0)
		return dd_fail(DD_EXIT_USAGE, "install: --protected-settings %s: %s", path,
			       errno == EFBIG ? "larger than 64 KiB" : strerror(errno));
	a->protlen = (size_t)n;
	return 0;
}

static struct dd_compose p;	/* what dd_az_apply gives install */

int dd_az_parse(struct dd_az *a, size_t n, const char *file, const char *certdir)
{
	struct dd_json_err je;

	memset(&p, 0, sizeof p);
	a->port = a->nopts = 0;
	a->optlen = a->protlen = 0;
	a->certs = a->login = a->compose = 0;
	a->server[0] = a->user[0] = a->pass[0] = 0;
	a->pub = a->text;
	a->pubn = n;
	if (dd_json_skip_ws(a->text, n) == a->text + n) { /* the agent's "no settings" */
		a->pub = "null";
		a->pubn = 4;
		return 0;
	}
	if (dd_json_check(a->text, n, DEPTH, &je))
		return dd_fail(DD_EXIT_USAGE, "install: --settings %s: not JSON: %s at byte %zu", file,
			       je.why, je.off);
	return handler(a, file, certdir, &a->pub, &a->pubn);
}

int dd_az_map(struct dd_az *a)
{
	const char *v = dd_json_skip_ws(a->pub, a->pubn);
	int rc;

	if ((rc = public(a, &p, v, a->pubn - (size_t)(v - a->pub))))
		return rc;
	if (a->protlen && (rc = protected(a, &p)))
		return rc;
	if (p.has_env && !a->compose)
		return bad("environment", "given without compose");
	a->opts[a->nopts] = NULL;
	return 0;
}

int dd_az_load(struct dd_az *a, const char *file, const char *prot, const char *certdir)
{
	long r;
	int rc;

	if ((r = dd_read_small_file(file, a->text, sizeof a->text)) < 0)
		return dd_fail(DD_EXIT_USAGE, "install: --settings %s: %s", file,
			       errno == EFBIG ? "larger than 512 KiB" : strerror(errno));
	if ((rc = dd_az_parse(a, (size_t)r, file, certdir)))
		return rc;
	if (prot && a->protlen)
		return dd_fail(DD_EXIT_USAGE, "install: --protected-settings given, and the settings file has protected settings too");
	if (prot && (rc = prot_file(a, prot)))
		return rc;
	return dd_az_map(a);
}

int dd_az_apply(struct dd_az *a, struct dd_install *c)
{
	struct dd_install_opts *o = &c->o;
	struct dd_login_opts *l = &c->login.o;
	static const char *pem[3];

	if ((a->port && o->port != 2376) || (a->nopts && o->nopts) || (a->certs && o->certs) ||
	    (a->compose && o->compose) || (a->login && (l->nserver || l->nuser || l->npwfile || l->pw_stdin)))
		return dd_fail(DD_EXIT_USAGE, "install: --settings sets %s, given as an option too: give it once",
			       a->port && o->port != 2376 ? "the port" : a->nopts && o->nopts ? "daemon options" :
			       a->certs && o->certs ? "the certificates" : a->compose && o->compose ? "a Compose project" :
			       "a registry login");
	if (a->port && o->no_tcp)
		return dd_fail(DD_EXIT_USAGE, "install: --no-tcp, and the settings give docker.port");
	if (a->port)
		o->port = a->port;
	if (a->nopts) {
		o->daemon_opts = a->opts;
		o->nopts = a->nopts;
	}
	if (a->certs) {
		for (int i = 0; i < 3; i++)
			pem[i] = a->pem[i];
		o->certs = DD_CERTS_SETTINGS;	/* recorded where --certs DIR is */
		o->certs_pem = pem;
		o->certs_len = a->pemlen;
	}
	if (a->compose) {
		memcpy(&c->compose, &p, sizeof p);
		o->compose = "(settings: compose)";
		o->compose_name = "compose";
		o->compose_ready = 1;
	}
	if (a->login) {
		a->login_server[0] = a->server[0] ? a->server : "docker.io";
		a->login_user[0] = a->user;
		a->login_pass[0] = a->pass;
		*l = (struct dd_login_opts){ a->login_server, a->login_user, NULL, 1, 1, 0, 0, a->login_pass };
	}
	return 0;
}

void dd_az_wipe(struct dd_az *a)
{
	explicit_bzero(a->prot, sizeof a->prot);
	explicit_bzero(a->pem, sizeof a->pem);
	explicit_bzero(a->pass, sizeof a->pass);
	explicit_bzero(&p, sizeof p);
}
