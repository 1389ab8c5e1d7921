#include "host/clientbundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/gzwrite.h"
#include "archive/tarwrite.h"
#include "pki/cert.h"
#include "util/atomic.h"
#include "util/io.h"
#include "util/log.h"
#include "util/sort.h"

#define URL_MAX (DD_HOST_MAX + 16)	/* tcp://[HOST]:65535 */

int dd_client_host_parse(const char *text, char *host, size_t cap)
{
	char buf[DD_HOST_MAX + 2], canon[DD_HOST_MAX + 2];
	struct pki_san s;
	size_t n = strlen(text);
	int bracketed = n >= 2 && text[0] == '[' && text[n - 1] == ']';

	if (n >= sizeof buf)
		return -1;
	if (bracketed) {
		memcpy(buf, text + 1, n - 2);
		buf[n - 2] = 0;
	} else {
		memcpy(buf, text, n + 1);
	}
	if (strchr(buf, '*') || pki_san_parse(buf, &s) != 0 || (bracketed && s.alen != 16))
		return -1;
	pki_san_format(&s, canon, sizeof canon);
	if (strlen(canon) >= cap)
		return -1;
	memcpy(host, canon, strlen(canon) + 1);
	return 0;
}

static int alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* docker's own rule (cli/context/store): ^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$, so two at least. */
int dd_context_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n < 2 || n > DD_CONTEXT_MAX || !alnum(name[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!alnum(name[i]) && !strchr("_.+-", name[i]))
			return 0;
	return 1;
}

/* tcp://HOST:PORT with an IPv6 address in brackets; host already parsed. */
static void host_url(const char *host, unsigned port, char url[URL_MAX])
{
	int v6 = strchr(host, ':') != NULL;

	snprintf(url, URL_MAX, "tcp://%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

size_t dd_client_env(const char *host, unsigned port, const char *cert_path, char *out,
		     size_t cap)
{
	char h[DD_HOST_MAX], url[URL_MAX];
	int n;

	if (port == 0 || port > 65535 || dd_client_host_parse(host, h, sizeof h) || !*cert_path)
		return 0;
	for (const char *p = cert_path; *p; p++)
		if (*p == '"' || *p == '\\' || *p == '`' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	host_url(h, port, url);
	n = snprintf(out, cap,
		     "# Docker client settings for %s (mutual TLS); in a shell: . THIS-FILE\n"
		     "DOCKER_HOST=%s\n"
		     "DOCKER_TLS_VERIFY=1\n"
		     "DOCKER_CERT_PATH=\"%s\"\n"
		     "export DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH\n",
		     url, url, cert_path);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* --- inputs ---------------------------------------------------------------------------- */

enum { CA, CERT, KEY, NPEM };

static const struct {
	const char *name, *label;
} pem_files[NPEM] = {
	{ "ca.pem", "-----BEGIN CERTIFICATE-----" },
	{ "cert.pem", "-----BEGIN CERTIFICATE-----" },
	{ "key.pem", "PRIVATE KEY-----" },
};

struct pems {
	char text[NPEM][DD_CLIENT_PEM_MAX];
	size_t len[NPEM];
};

/* All three files from the directory dfd (-1: it could not be opened, errno says why), or
 * why not: any one missing means there is no client certificate. */
static int read_pems(int dfd, const char *dir, struct pems *p, char *err, size_t errsz)
{
	for (int i = 0; i < NPEM; i++) {
		long n = dfd < 0 ? -1 : dd_read_small_at(dfd, pem_files[i].name, p->text[i], sizeof p->text[i]);

		if (n < 0 && (errno == ENOENT || errno == ENOTDIR))
			return dd_say(err, errsz, DD_EXIT_FAIL,
				      "no client certificate in %s: run dockdrop install first", dir);
		if (n < 0)
			return dd_say(err, errsz, DD_EXIT_FAIL, "%s/%s: %m", dir, pem_files[i].name);
		if (!dd_strstr(p->text[i], pem_files[i].label))
			return dd_say(err, errsz, DD_EXIT_FAIL, "%s/%s: no %s in PEM form", dir,
				      pem_files[i].name, i == KEY ? "private key" : "certificate");
		p->len[i] = (size_t)n;
	}
	return 0;
}

/* out must name a file in an existing directory. */
static int check_out(const char *out, char *err, size_t errsz)
{
	char dir[DD_PATH_MAX];
	const char *base;
	struct stat st;

	if (!*out)
		return dd_say(err, errsz, DD_EXIT_USAGE, "the output file name is empty");
	if (out[strlen(out) - 1] == '/' || (stat(out, &st) == 0 && S_ISDIR(st.st_mode)))
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s is a directory: name a file", out);
	if (dd_path_split(out, dir, sizeof dir, &base) < 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s: %m", out);
	if (stat(dir, &st) < 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s: directory %s: %m", out, dir);
	if (!S_ISDIR(st.st_mode))
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s: %s is not a directory", out, dir);
	return 0;
}

static int check_input(const struct dd_client_bundle *b, char *err, size_t errsz)
{
	char h[DD_HOST_MAX];

	if (dd_client_host_parse(b->host, h, sizeof h))
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      "host '%s' is neither a DNS name nor an IP address", b->host);
	if (b->port == 0 || b->port > 65535)
		return dd_say(err, errsz, DD_EXIT_USAGE, "port %u is not in 1..65535", b->port);
	if (!dd_context_name_ok(b->context))
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      "'%s' is not a docker context name ([A-Za-z0-9][A-Za-z0-9_.+-]+, 2 to %d characters)",
			      b->context, DD_CONTEXT_MAX);
	return 0;
}

/* --- the archive ----------------------------------------------------------------------- */

struct writer {
	struct dd_afile af;
	struct dd_gzwrite gz;
	struct tarw tar;	/* the bundle, into gz */
	struct tarw ctx;	/* the context export, into a member of tar */
};

static int to_file(void *af, const void *buf, size_t n)
{
	return dd_afile_write(af, buf, n);
}

static int to_member(void *tar, const void *buf, size_t n)
{
	int rc = tarw_data(tar, buf, n);

	if (rc && rc != TARW_EIO)
		errno = EOVERFLOW;	/* more bytes than the member's size: a bug here */
	return rc ? -1 : 0;
}

/* The export in the order `docker context export` writes it. */
static int write_context(struct writer *w, const struct pems *p, const char *member,
			 const char *meta, size_t metalen, time_t mtime)
{
	uint64_t size = tarw_file_bytes(metalen) + 2 * TARW_DIR_BYTES + TARW_END_BYTES;
	char name[32];
	int rc;

	for (int i = 0; i < NPEM; i++)
		size += tarw_file_bytes(p->len[i]);
	if ((rc = tarw_file_begin(&w->tar, member, 0600, size)))
		return rc;
	tarw_init(&w->ctx, to_member, &w->tar, mtime);
	rc = tarw_file(&w->ctx, "meta.json", 0644, meta, metalen);
	if (!rc)
		rc = tarw_dir(&w->ctx, "tls", 0700);
	if (!rc)
		rc = tarw_dir(&w->ctx, "tls/docker", 0700);
	for (int i = 0; i < NPEM && !rc; i++) {
		snprintf(name, sizeof name, "tls/docker/%s", pem_files[i].name);
		rc = tarw_file(&w->ctx, name, 0600, p->text[i], p->len[i]);
	}
	return rc ? rc : tarw_finish(&w->ctx);
}

static int write_members(struct writer *w, const struct dd_client_bundle *b,
			 const struct pems *p, const char *env, size_t envlen, const char *meta,
			 size_t metalen)
{
	static const unsigned modes[NPEM] = { 0644, 0644, 0600 };
	char top[16 + DD_CONTEXT_MAX], name[TARW_PATH_MAX + 1];
	int rc;

	snprintf(top, sizeof top, "dockdrop-%s", b->context);
	if ((rc = tarw_dir(&w->tar, top, 0700)))
		return rc;
	for (int i = 0; i < NPEM && !rc; i++) {
		snprintf(name, sizeof name, "%s/%s", top, pem_files[i].name);
		rc = tarw_file(&w->tar, name, modes[i], p->text[i], p->len[i]);
	}
	if (!rc) {
		snprintf(name, sizeof name, "%s/docker.env", top);
		rc = tarw_file(&w->tar, name, 0644, env, envlen);
	}
	if (!rc) {
		snprintf(name, sizeof name, "%s/%s.dockercontext", top, b->context);
		rc = write_context(w, p, name, meta, metalen, b->mtime);
	}
	return rc ? rc : tarw_finish(&w->tar);
}

static int printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

/* docker.env for the bundle: how to unpack, then the settings pointing at the unpacked
 * directory. The length, or 0 on overflow. */
static size_t bundle_env(const struct dd_client_bundle *b, const char *out, char *buf,
			 size_t cap)
{
	const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
	char path[32 + DD_CONTEXT_MAX];
	size_t m;
	int n;

	/* The file name goes into a comment line of a file users source: a newline in it
	 * would start a command. */
	if (!printable(base))
		base = "dockdrop-client.tar.gz";
	n = snprintf(buf, cap,
			 "# dockdrop client bundle for context %s. Unpack it into ~/.docker:\n"
			 "#   mkdir -p ~/.docker && tar -xzf %s -C ~/.docker\n"
			 "# then either load these settings:  . ~/.docker/dockdrop-%s/docker.env\n"
			 "# or import the context:  docker context import %s ~/.docker/dockdrop-%s/%s.dockercontext\n",
			 b->context, base, b->context, b->context, b->context, b->context);

	if (n < 0 || (size_t)n >= cap)
		return 0;
	snprintf(path, sizeof path, "$HOME/.docker/dockdrop-%s", b->context);
	m = dd_client_env(b->host, b->port, path, buf + n, cap - (size_t)n);
	return m ? (size_t)n + m : 0;
}

static int write_bundle(struct writer *w, const struct dd_client_bundle *b, const char *out,
			const struct pems *p, char *err, size_t errsz)
{
	char h[DD_HOST_MAX], url[URL_MAX], env[2048], meta[1024];
	size_t envlen = bundle_env(b, out, env, sizeof env);
	int metalen, rc, e;

	dd_client_host_parse(b->host, h, sizeof h);
	host_url(h, b->port, url);
	/* Byte for byte what docker 20.10's `context export` puts in meta.json (no newline);
	 * every value is a checked name, number or address: nothing to escape. */
	metalen = snprintf(meta, sizeof meta,
			   "{\"Name\":\"%s\",\"Metadata\":{\"Description\":\"dockdrop: %s\"},"
			   "\"Endpoints\":{\"docker\":{\"Host\":\"%s\",\"SkipTLSVerify\":false}}}",
			   b->context, url, url);
	if (!envlen || metalen < 0 || (size_t)metalen >= sizeof meta)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s: names too long for the env file", out);
	if (dd_afile_open(&w->af, out, 0600) < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot create %s: %m", out);
	if (dd_gzwrite_init(&w->gz, to_file, &w->af) < 0) {
		dd_afile_abort(&w->af);
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot write %s: %m", out);
	}
	tarw_init(&w->tar, dd_gzwrite, &w->gz, b->mtime);
	rc = write_members(w, b, p, env, envlen, meta, (size_t)metalen);
	if (rc == 0 && dd_gzwrite_finish(&w->gz) < 0)
		rc = TARW_EIO;
	e = errno;
	dd_gzwrite_end(&w->gz);
	if (rc) {
		dd_afile_abort(&w->af);
		if (rc == TARW_EIO)
			return dd_say(err, errsz, DD_EXIT_FAIL, "cannot write %s: %s", out,
				      strerror(e));
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: tar: %s", out, tarw_strerror(rc));
	}
	if (dd_afile_commit(&w->af) < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot write %s: %m", out);
	return 0;
}

int dd_client_bundle_write(const struct dd_client_bundle *b, const char *out, char *err,
			   size_t errsz)
{
	int dfd = open(b->client_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	rc = dd_client_bundle_write_at(b, dfd, out, err, errsz);
	if (dfd >= 0)
		close(dfd);
	return rc;
}

int dd_client_bundle_write_at(const struct dd_client_bundle *b, int dfd, const char *out,
			      char *err, size_t errsz)
{
	/* Static: the deflate arena is large, and both hold the key, wiped below. */
	static struct pems p;
	static struct writer w;
	int rc, e = errno;

	if ((rc = check_input(b, err, errsz)) || (rc = check_out(out, err, errsz)))
		return rc;
	errno = e;
	rc = read_pems(dfd, b->client_dir, &p, err, errsz);
	if (!rc)
		rc = write_bundle(&w, b, out, &p, err, errsz);
	explicit_bzero(&p, sizeof p);
	explicit_bzero(&w, sizeof w);
	return rc;
}
