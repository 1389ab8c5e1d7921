/* host/clientbundle: host names and context names as tables, the env file text, and the
 * bundle itself read back through the project's gunzip and tar reader (members, modes,
 * times, contents, the nested context export and its meta.json byte for byte); the same
 * input gives the same bytes; refusals (exit 2) and failures (exit 1) write nothing. */
#include "t.h"

#include <dirent.h>
#include <sys/stat.h>

#include "archive/gunzip.h"
#include "archive/tar.h"
#include "host/clientbundle.h"
#include "util/log.h"

#define MTIME 1700000000

static const char CA_PEM[] = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";
static const char CERT_PEM[] = "-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n";
static const char KEY_PEM[] = "-----BEGIN EC PRIVATE KEY-----\nMHcsecret\n-----END EC PRIVATE KEY-----\n";

TEST(host_table)
{
	static const struct {
		const char *in, *out;	/* out NULL: refused */
	} t[] = {
		{ "vm1", "vm1" },
		{ "VM1.Example.COM", "vm1.example.com" },
		{ "10.0.0.5", "10.0.0.5" },
		{ "::1", "::1" },
		{ "[fd00::1]", "fd00::1" },
		{ "FD00:0:0::1", "fd00::1" },
		{ "xn--bcher-kva.example", "xn--bcher-kva.example" },
		{ "", NULL },
		{ "*.example.com", NULL },
		{ "[10.0.0.1]", NULL },
		{ "[vm1]", NULL },
		{ "[::1", NULL },
		{ "a_b", NULL },
		{ "-a", NULL },
		{ "a..b", NULL },
		{ "a b", NULL },
		{ "vm1:2376", NULL },
		{ "tcp://vm1", NULL },
		{ "fe80::1%eth0", NULL },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x", NULL },
	};
	char out[DD_HOST_MAX];

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int rc = dd_client_host_parse(t[i].in, out, sizeof out);

		if (t[i].out)
			CHECKF(rc == 0 && strcmp(out, t[i].out) == 0, "'%s' -> '%s'", t[i].in,
			       rc ? "(refused)" : out);
		else
			CHECKF(rc == -1, "'%s' accepted as '%s'", t[i].in, out);
	}
	/* Too small an output is a refusal, not a cut name. */
	CHECK(dd_client_host_parse("vm1.example.com", out, 15) == -1);
	CHECK(dd_client_host_parse("vm1.example.com", out, 16) == 0);
}

TEST(context_name_table)
{
	static char n80[81], n81[82];
	static const struct {
		const char *name;
		int ok;
	} t[] = {
		{ "vm1", 1 }, { "ab", 1 }, { "A9", 1 }, { "a_b.c+d-e", 1 }, { "fd00--1", 1 },
		{ "10.0.0.5", 1 }, { n80, 1 },
		{ "", 0 }, { "x", 0 }, { "-ab", 0 }, { "_ab", 0 }, { ".ab", 0 }, { "a/b", 0 },
		{ "a b", 0 }, { "a:b", 0 }, { "a\nb", 0 }, { "caf\xc3\xa9", 0 }, { n81, 0 },
	};

	memset(n80, 'c', 80);
	memset(n81, 'c', 81);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		CHECKF(dd_context_name_ok(t[i].name) == t[i].ok, "'%s'", t[i].name);
}

TEST(env_text)
{
	static const struct {
		const char *host;
		unsigned port;
		const char *path, *want;	/* want NULL: refused (0) */
	} t[] = {
		{ "vm1", 2376, "/etc/dockdrop/client",
		  "# Docker client settings for tcp://vm1:2376 (mutual TLS); in a shell: . THIS-FILE\n"
		  "DOCKER_HOST=tcp://vm1:2376\n"
		  "DOCKER_TLS_VERIFY=1\n"
		  "DOCKER_CERT_PATH=\"/etc/dockdrop/client\"\n"
		  "export DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH\n" },
		{ "fd00::1", 1, "$HOME/.docker/dockdrop-x y",
		  "# Docker client settings for tcp://[fd00::1]:1 (mutual TLS); in a shell: . THIS-FILE\n"
		  "DOCKER_HOST=tcp://[fd00::1]:1\n"
		  "DOCKER_TLS_VERIFY=1\n"
		  "DOCKER_CERT_PATH=\"$HOME/.docker/dockdrop-x y\"\n"
		  "export DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH\n" },
		{ "[::1]", 65535, "/c", NULL },	/* checked below: brackets accepted */
		{ "vm1", 0, "/c", NULL },
		{ "vm1", 65536, "/c", NULL },
		{ "a_b", 2376, "/c", NULL },
		{ "vm1", 2376, "", NULL },
		{ "vm1", 2376, "/a\"b", NULL },
		{ "vm1", 2376, "/a`id`", NULL },
		{ "vm1", 2376, "/a\\b", NULL },
		{ "vm1", 2376, "/a\nDOCKER_HOST=evil", NULL },
		{ "vm1", 2376, "/a\x7f", NULL },
	};
	char out[1024];

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t n = dd_client_env(t[i].host, t[i].port, t[i].path, out, sizeof out);

		if (i == 2)
			CHECK(n > 0 && strstr(out, "DOCKER_HOST=tcp://[::1]:65535\n"));
		else if (t[i].want)
			CHECKF(n == strlen(t[i].want) && strcmp(out, t[i].want) == 0, "row %zu:\n%s", i,
			       out);
		else
			CHECKF(n == 0, "row %zu accepted", i);
	}
	/* Overflow: exactly the length does not fit (the NUL), one more does. */
	{
		size_t len = strlen(t[0].want);

		CHECK(dd_client_env("vm1", 2376, "/etc/dockdrop/client", out, len) == 0);
		CHECK(dd_client_env("vm1", 2376, "/etc/dockdrop/client", out, len + 1) == len);
	}
}

/* --- the bundle --------------------------------------------------------------------------- */

static int put(const char *dir, const char *name, const char *text, mode_t mode)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0)
		return -1;
	return chmod(p, mode);
}

static int make_client_dir(const char *top, char *dir, size_t cap)
{
	snprintf(dir, cap, "%s/client", top);
	if (mkdir(dir, 0700) < 0)
		return -1;
	return put(dir, "ca.pem", CA_PEM, 0644) | put(dir, "cert.pem", CERT_PEM, 0644) |
	       put(dir, "key.pem", KEY_PEM, 0600);
}

static struct {
	unsigned char b[1 << 20];
	size_t len, off;
} file;

static int load(const char *path)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	file.len = fread(file.b, 1, sizeof file.b, f);
	file.off = 0;
	fclose(f);
	return 0;
}

static ssize_t file_chunk(void *ctx, const unsigned char **p)
{
	size_t m = file.len - file.off < 700 ? file.len - file.off : 700;

	(void)ctx;
	*p = file.b + file.off;
	file.off += m;
	return (ssize_t)m;
}

/* One archive member as read back. */
struct member {
	char path[TAR_NAME_MAX];
	enum tar_type type;
	unsigned mode;
	int64_t mtime;
	size_t size;
	unsigned char data[16384];
};

static int read_members(tar_read_fn fn, void *ctx, struct member *m, int max)
{
	static struct tar_reader r;
	struct tar_entry e;
	int n = 0, rc;

	tar_reader_init(&r, fn, ctx);
	while ((rc = tar_next(&r, &e)) == 1 && n < max) {
		ssize_t k;

		snprintf(m[n].path, sizeof m[n].path, "%s", e.path);
		m[n].type = e.type;
		m[n].mode = e.mode;
		m[n].mtime = e.mtime;
		m[n].size = 0;
		while ((k = tar_read(&r, m[n].data + m[n].size, sizeof m[n].data - m[n].size)) > 0)
			m[n].size += (size_t)k;
		if (k < 0)
			return -1;
		n++;
	}
	return rc == 0 ? n : -1;
}

struct mem {
	const unsigned char *p;
	size_t len, off;
};

static ssize_t mem_read(void *ctx, void *buf, size_t n)
{
	struct mem *m = ctx;
	size_t k = m->len - m->off < n ? m->len - m->off : n;

	memcpy(buf, m->p + m->off, k);
	m->off += k;
	return (ssize_t)k;
}

static int is(const struct member *m, const char *path, enum tar_type type, unsigned mode,
	      const char *data)
{
	return strcmp(m->path, path) == 0 && m->type == type && m->mode == mode &&
	       m->mtime == MTIME && m->size == strlen(data) && memcmp(m->data, data, m->size) == 0;
}

/* Nothing but want (a space-separated, sorted list of names) in dir. */
static int dir_holds(const char *dir, const char *want)
{
	struct dirent **list;
	char got[1024] = "";
	int n = scandir(dir, &list, NULL, alphasort);

	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, "..")) {
			if (*got)
				strcat(got, " ");
			strcat(got, list[i]->d_name);
		}
		free(list[i]);
	}
	free(list);
	if (strcmp(got, want) != 0)
		printf("# %s holds '%s', want '%s'\n", dir, got, want);
	return strcmp(got, want) == 0;
}

TEST(bundle_read_back)
{
	static struct member m[8], c[8];
	static struct dd_gunzip gun;
	static const char env[] =
		"# dockdrop client bundle for context vm1. Unpack it into ~/.docker:\n"
		"#   mkdir -p ~/.docker && tar -xzf b.tar.gz -C ~/.docker\n"
		"# then either load these settings:  . ~/.docker/dockdrop-vm1/docker.env\n"
		"# or import the context:  docker context import vm1 ~/.docker/dockdrop-vm1/vm1.dockercontext\n"
		"# Docker client settings for tcp://[fd00::1]:12376 (mutual TLS); in a shell: . THIS-FILE\n"
		"DOCKER_HOST=tcp://[fd00::1]:12376\n"
		"DOCKER_TLS_VERIFY=1\n"
		"DOCKER_CERT_PATH=\"$HOME/.docker/dockdrop-vm1\"\n"
		"export DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH\n";
	static const char meta[] =
		"{\"Name\":\"vm1\",\"Metadata\":{\"Description\":\"dockdrop: tcp://[fd00::1]:12376\"},"
		"\"Endpoints\":{\"docker\":{\"Host\":\"tcp://[fd00::1]:12376\",\"SkipTLSVerify\":false}}}";
	char top[256], dir[300], out[300], err[600];
	struct dd_client_bundle b;
	struct stat st;
	struct mem inner;
	int n;

	T_TMPDIR(top);
	CHECK(make_client_dir(top, dir, sizeof dir) == 0);
	snprintf(out, sizeof out, "%s/b.tar.gz", top);
	b = (struct dd_client_bundle){ dir, "[FD00::1]", 12376, "vm1", MTIME };
	CHECKF(dd_client_bundle_write(&b, out, err, sizeof err) == 0, "%s", err);
	CHECK(stat(out, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(load(out) == 0);
	CHECK(dd_gunzip_init(&gun, file_chunk, NULL) == 0);
	n = read_members(dd_gunzip_read, &gun, m, 8);
	dd_gunzip_end(&gun);
	CHECKF(n == 6, "%d members", n);
	if (n != 6) {
		t_rmtree(top);
		return;
	}
	CHECK(is(&m[0], "dockdrop-vm1/", TAR_DIR, 0700, ""));
	CHECK(is(&m[1], "dockdrop-vm1/ca.pem", TAR_FILE, 0644, CA_PEM));
	CHECK(is(&m[2], "dockdrop-vm1/cert.pem", TAR_FILE, 0644, CERT_PEM));
	CHECK(is(&m[3], "dockdrop-vm1/key.pem", TAR_FILE, 0600, KEY_PEM));
	CHECKF(is(&m[4], "dockdrop-vm1/docker.env", TAR_FILE, 0644, env), "%.*s", (int)m[4].size,
	       (char *)m[4].data);
	CHECK(strcmp(m[5].path, "dockdrop-vm1/vm1.dockercontext") == 0 && m[5].type == TAR_FILE &&
	      m[5].mode == 0600 && m[5].size % 512 == 0);
	/* The export: what `docker context export` writes, in its order. */
	inner = (struct mem){ m[5].data, m[5].size, 0 };
	n = read_members(mem_read, &inner, c, 8);
	CHECKF(n == 6, "%d context members", n);
	if (n == 6) {
		CHECKF(is(&c[0], "meta.json", TAR_FILE, 0644, meta), "%.*s", (int)c[0].size,
		       (char *)c[0].data);
		CHECK(is(&c[1], "tls/", TAR_DIR, 0700, ""));
		CHECK(is(&c[2], "tls/docker/", TAR_DIR, 0700, ""));
		CHECK(is(&c[3], "tls/docker/ca.pem", TAR_FILE, 0600, CA_PEM));
		CHECK(is(&c[4], "tls/docker/cert.pem", TAR_FILE, 0600, CERT_PEM));
		CHECK(is(&c[5], "tls/docker/key.pem", TAR_FILE, 0600, KEY_PEM));
		/* Its size was right: it ends with exactly the two zero blocks (the reader
		 * stops at the first). */
		CHECK(inner.off + 512 == inner.len);
		for (size_t i = inner.len - 1024; i < inner.len; i++)
			CHECKF(m[5].data[i] == 0, "byte %zu of the export", i);
	}
	CHECK(dir_holds(top, "b.tar.gz client"));
	t_rmtree(top);
}

TEST(bundle_is_deterministic)
{
	static unsigned char first[1 << 16];
	char top[256], dir[300], out[300], err[600];
	struct dd_client_bundle b;
	size_t len;

	T_TMPDIR(top);
	CHECK(make_client_dir(top, dir, sizeof dir) == 0);
	snprintf(out, sizeof out, "%s/one.tar.gz", top);
	b = (struct dd_client_bundle){ dir, "vm1.example.com", 2376, "vm1", MTIME };
	CHECKF(dd_client_bundle_write(&b, out, err, sizeof err) == 0, "%s", err);
	CHECK(load(out) == 0 && file.len < sizeof first);
	len = file.len;
	memcpy(first, file.b, len);
	/* Written again over the first: replaced, same bytes. */
	CHECKF(dd_client_bundle_write(&b, out, err, sizeof err) == 0, "%s", err);
	CHECK(load(out) == 0 && file.len == len && memcmp(first, file.b, len) == 0);
	/* Another time: other bytes. */
	b.mtime = MTIME + 1;
	CHECKF(dd_client_bundle_write(&b, out, err, sizeof err) == 0, "%s", err);
	CHECK(load(out) == 0 && (file.len != len || memcmp(first, file.b, len) != 0));
	CHECK(dir_holds(top, "client one.tar.gz"));
	t_rmtree(top);
}

/* The output's name appears in a comment of docker.env: one with a newline is not copied
 * there (sourcing the file would run the second line). */
TEST(bundle_env_comment_is_one_line)
{
	static struct dd_gunzip gun;
	static struct member m[8];
	char top[256], dir[300], out[300], err[600];
	struct dd_client_bundle b;
	int n;

	T_TMPDIR(top);
	CHECK(make_client_dir(top, dir, sizeof dir) == 0);
	snprintf(out, sizeof out, "%s/x\ntouch pwned\n.tgz", top);
	b = (struct dd_client_bundle){ dir, "vm1", 2376, "vm1", MTIME };
	CHECKF(dd_client_bundle_write(&b, out, err, sizeof err) == 0, "%s", err);
	CHECK(load(out) == 0 && dd_gunzip_init(&gun, file_chunk, NULL) == 0);
	n = read_members(dd_gunzip_read, &gun, m, 8);
	dd_gunzip_end(&gun);
	CHECK(n == 6 && strcmp(m[4].path, "dockdrop-vm1/docker.env") == 0);
	if (n == 6) {
		m[4].data[m[4].size] = 0;
		CHECK(strstr((char *)m[4].data, "tar -xzf dockdrop-client.tar.gz -C ~/.docker\n"));
		CHECK(!strstr((char *)m[4].data, "pwned"));
	}
	t_rmtree(top);
}

/* Refusals and failures: the exit code, the message, and nothing written (out keeps its
 * old content when there was one; no temporary left behind). */
TEST(bundle_refusals)
{
	enum { MISSING_KEY = 1, BAD_KEY, LINK_KEY, MISSING_DIR, OUT_EXISTS };
	static const struct {
		const char *host;
		unsigned port;
		const char *context, *out;	/* out: under the temp dir */
		int setup, rc;
		const char *msg;
	} t[] = {
		{ "a_b", 2376, "vm1", "o.tgz", 0, DD_EXIT_USAGE,
		  "host 'a_b' is neither a DNS name nor an IP address" },
		{ "*.example.com", 2376, "vm1", "o.tgz", 0, DD_EXIT_USAGE, "neither a DNS name" },
		{ "vm1", 0, "vm1", "o.tgz", 0, DD_EXIT_USAGE, "port 0 is not in 1..65535" },
		{ "vm1", 65536, "vm1", "o.tgz", 0, DD_EXIT_USAGE, "port 65536" },
		{ "vm1", 2376, "x", "o.tgz", 0, DD_EXIT_USAGE, "'x' is not a docker context name" },
		{ "vm1", 2376, "a/b", "o.tgz", 0, DD_EXIT_USAGE, "not a docker context name" },
		{ "vm1", 2376, "vm1", "", 0, DD_EXIT_USAGE, "is a directory" },	/* the temp dir */
		{ "vm1", 2376, "vm1", "client", 0, DD_EXIT_USAGE, "is a directory: name a file" },
		{ "vm1", 2376, "vm1", "o.tgz/", 0, DD_EXIT_USAGE, "is a directory" },
		{ "vm1", 2376, "vm1", "nodir/o.tgz", 0, DD_EXIT_USAGE, "No such file or directory" },
		{ "vm1", 2376, "vm1", "old/o.tgz", 0, DD_EXIT_USAGE, "is not a directory" },
		{ "vm1", 2376, "vm1", "o.tgz", MISSING_KEY, DD_EXIT_FAIL,
		  "/client: run dockdrop install first" },
		{ "vm1", 2376, "vm1", "o.tgz", MISSING_DIR, DD_EXIT_FAIL,
		  "no client certificate in " },
		{ "vm1", 2376, "vm1", "o.tgz", BAD_KEY, DD_EXIT_FAIL,
		  "key.pem: no private key in PEM form" },
		{ "vm1", 2376, "vm1", "o.tgz", LINK_KEY, DD_EXIT_FAIL, "key.pem: " },
		{ "vm1", 2376, "vm1", "old", OUT_EXISTS, DD_EXIT_FAIL, "key.pem: no private key" },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char top[256], dir[300], out[300], p[600], err[600] = "";
		struct dd_client_bundle b;
		int rc;

		T_TMPDIR(top);
		CHECK(make_client_dir(top, dir, sizeof dir) == 0);
		CHECK(put(top, "old", "old content\n", 0644) == 0);
		snprintf(p, sizeof p, "%s/key.pem", dir);
		if (t[i].setup == MISSING_KEY)
			unlink(p);
		if (t[i].setup == BAD_KEY || t[i].setup == OUT_EXISTS)
			CHECK(put(dir, "key.pem", "not a key\n", 0600) == 0);
		if (t[i].setup == LINK_KEY) {
			CHECK(put(top, "real.pem", KEY_PEM, 0600) == 0);
			unlink(p);
			CHECK(symlink("../real.pem", p) == 0);
		}
		if (t[i].setup == MISSING_DIR)
			snprintf(dir, sizeof dir, "%s/none", top);
		snprintf(out, sizeof out, "%s/%s", top, t[i].out);
		b = (struct dd_client_bundle){ dir, t[i].host, t[i].port, t[i].context, MTIME };
		rc = dd_client_bundle_write(&b, out, err, sizeof err);
		CHECKF(rc == t[i].rc && strstr(err, t[i].msg), "row %zu: rc %d, '%s'", i, rc, err);
		CHECKF(dir_holds(top, t[i].setup == LINK_KEY ? "client old real.pem" : "client old"),
		       "row %zu", i);
		snprintf(p, sizeof p, "%s/old", top);
		CHECKF(load(p) == 0 && file.len == 12 && memcmp(file.b, "old content\n", 12) == 0,
		       "row %zu: old replaced", i);
		t_rmtree(top);
	}
}

int main(void)
{
	RUN(host_table);
	RUN(context_name_table);
	RUN(env_text);
	RUN(bundle_read_back);
	RUN(bundle_is_deterministic);
	RUN(bundle_env_comment_is_one_line);
	RUN(bundle_refusals);
	T_EXIT();
}
