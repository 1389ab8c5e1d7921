/* host/daemonjson: merge (a table of current files and settings with the exact text
 * expected), idempotence, unmerge round trips, refused files and options.
 *   test_daemonjson --emit DIR TLSDIR PORT   writes the files tests/cli/
 *   test_daemonjson_dockerd.sh gives to the real dockerd (see emit() below). */
#include "t.h"

#include "host/daemonjson.h"
#include "util/log.h"

#define TLS "/etc/docker/tls"
#define OURS_TCP                                               \
	"  \"tls\": true,\n"                                   \
	"  \"tlsverify\": true,\n"                             \
	"  \"tlscacert\": \"/etc/docker/tls/ca.pem\",\n"       \
	"  \"tlscert\": \"/etc/docker/tls/server-cert.pem\",\n" \
	"  \"tlskey\": \"/etc/docker/tls/server-key.pem\",\n"   \
	"  \"hosts\": [\n"                                     \
	"    \"unix:///var/run/docker.sock\",\n"               \
	"    \"tcp://0.0.0.0:2376\"\n"                         \
	"  ]\n"                                                \
	"}\n"
#define OURS_UNIX                                \
	"  \"hosts\": [\n"                       \
	"    \"unix:///var/run/docker.sock\"\n"  \
	"  ]\n"                                  \
	"}\n"

static const char *const no_opts[] = { NULL };
static const char *const opts_level[] = { "log-level=\"warn\"", "max-concurrent-downloads=10" };
static const char *const opts_debug[] = { "debug=true" };
static const char *const opts_nested[] = { "log-opts={ \"max-size\" :\"10m\",\"max-file\":\"3\"}" };

static const struct merge_case {
	const char *name, *old; /* old NULL: no file */
	int tcp;
	const char *tls_dir;
	const char *const *opts;
	unsigned nopts;
	const char *want, *warn; /* warn: a substring, "" for none */
} merges[] = {
	{ "no file", NULL, 1, TLS, no_opts, 0, "{\n" OURS_TCP, "" },
	{ "empty object", "{}", 1, TLS, no_opts, 0, "{\n" OURS_TCP, "" },
	{ "blank file (dockerd fails on it: made whole)", " \n\t", 1, TLS, no_opts, 0,
	  "{\n" OURS_TCP, "" },
	{ "user keys kept in order, values as written",
	  "{\"storage-driver\":\"overlay2\",\"log-level\" : \"info\",\n\"log-opts\":{\"max-size\":"
	  "\"10m\",\"max-file\":\"3\"},\"x\":12345678901234567890,\"y\":\"\\u00e9\\/\",\"a\":[]}",
	  1, TLS, no_opts, 0,
	  "{\n  \"storage-driver\": \"overlay2\",\n  \"log-level\": \"info\",\n  \"log-opts\": {\n"
	  "    \"max-size\": \"10m\",\n    \"max-file\": \"3\"\n  },\n  \"x\": 12345678901234567890,\n"
	  "  \"y\": \"\\u00e9\\/\",\n  \"a\": [],\n" OURS_TCP, "" },
	{ "user hosts: tcp:// and fd:// dropped with a warning",
	  "{\"hosts\":[\"unix:///var/run/docker.sock\",\"tcp://0.0.0.0:2375\",\"fd://\"],"
	  "\"debug\":true}", 1, TLS, no_opts, 0, "{\n  \"debug\": true,\n" OURS_TCP,
	  "dropped from \"hosts\" (dockdrop listens on TCP only with TLS verification, on --port): "
	  "tcp://0.0.0.0:2375, fd://" },
	{ "user hosts: our own entries silently",
	  "{\"hosts\":[\"tcp://0.0.0.0:2376\",\"unix://\",\"unix:///run/docker.sock\"]}", 1, TLS,
	  no_opts, 0, "{\n" OURS_TCP, "" },
	{ "user hosts: other unix sockets kept once",
	  "{\"hosts\":[\"unix:///tmp/a.sock\",\"unix:///tmp/a.sock\",\"unix:///run/docker.sock\","
	  "\"unix:\\/\\/\\/tmp\\/a.sock\",\"unix:///tmp/b.sock\"]}", 1, TLS, no_opts, 0,
	  "{\n  \"tls\": true,\n  \"tlsverify\": true,\n  \"tlscacert\": \"/etc/docker/tls/ca.pem\",\n"
	  "  \"tlscert\": \"/etc/docker/tls/server-cert.pem\",\n"
	  "  \"tlskey\": \"/etc/docker/tls/server-key.pem\",\n  \"hosts\": [\n"
	  "    \"unix:///var/run/docker.sock\",\n    \"unix:///tmp/a.sock\",\n"
	  "    \"unix:///tmp/b.sock\",\n    \"tcp://0.0.0.0:2376\"\n  ]\n}\n", "" },
	{ "user hosts: bare host:port, other schemes, non-strings dropped",
	  "{\"hosts\":[\"0.0.0.0:2375\",\"ssh://h\",1,[\"tcp://x\"],\"\"]}", 1, TLS, no_opts, 0,
	  "{\n" OURS_TCP, ": 0.0.0.0:2375, ssh://h, 1, [\"tcp://x\"], " },
	{ "user hosts: not a list", "{\"hosts\":\"tcp://1.2.3.4:2375\"}", 1, TLS, no_opts, 0,
	  "{\n" OURS_TCP, ": \"tcp://1.2.3.4:2375\"" },
	{ "user hosts: escaped key", "{\"\\u0068osts\":[\"tcp://1.2.3.4:2375\"]}", 1, TLS, no_opts,
	  0, "{\n" OURS_TCP, ": tcp://1.2.3.4:2375" },
	{ "user hosts: a control byte shown escaped", "{\"hosts\":[\"tcp://a\\nb\"]}", 1, TLS,
	  no_opts, 0, "{\n" OURS_TCP, "tcp://a\\x0ab" },
	{ "user's TLS keys replaced",
	  "{\"tls\":false,\"tlsverify\":false,\"tlscacert\":\"/x/ca.pem\",\"debug\":false,"
	  "\"tlskey\":\"k\",\"tlscert\":1}", 1, TLS, no_opts, 0, "{\n  \"debug\": false,\n" OURS_TCP,
	  "" },
	{ "case differs: not ours (dockerd refuses such keys itself)", "{\"Hosts\":[],\"TLS\":1}", 1,
	  TLS, no_opts, 0, "{\n  \"Hosts\": [],\n  \"TLS\": 1,\n" OURS_TCP, "" },
	{ "options replace in place, new ones follow the user's",
	  "{\"debug\":false,\"log-level\":\"info\",\"z\":0}", 1, TLS, opts_level, 2,
	  "{\n  \"debug\": false,\n  \"log-level\": \"warn\",\n  \"z\": 0,\n"
	  "  \"max-concurrent-downloads\": 10,\n" OURS_TCP, "" },
	{ "option replaces an escaped user key", "{\"\\u0064ebug\":false}", 1, TLS, opts_debug, 1,
	  "{\n  \"debug\": true,\n" OURS_TCP, "" },
	{ "option value re-indented", NULL, 1, TLS, opts_nested, 1,
	  "{\n  \"log-opts\": {\n    \"max-size\": \"10m\",\n    \"max-file\": \"3\"\n  },\n" OURS_TCP,
	  "" },
	{ "--no-tcp: TLS keys removed, tcp hosts dropped",
	  "{\"tls\":true,\"tlscert\":\"x\",\"hosts\":[\"unix:///var/run/docker.sock\","
	  "\"tcp://0.0.0.0:2376\"],\"debug\":true}", 0, TLS, no_opts, 0,
	  "{\n  \"debug\": true,\n" OURS_UNIX, ": tcp://0.0.0.0:2376" },
	{ "--no-tcp, no file", NULL, 0, NULL, no_opts, 0, "{\n" OURS_UNIX, "" },
	{ "TLS directory with a trailing slash", NULL, 1, "/etc/docker/tls//", no_opts, 0,
	  "{\n" OURS_TCP, "" },
	{ "TLS directory needing escapes", NULL, 1, "/t/a\"b\\c", no_opts, 0,
	  "{\n  \"tls\": true,\n  \"tlsverify\": true,\n  \"tlscacert\": \"/t/a\\\"b\\\\c/ca.pem\",\n"
	  "  \"tlscert\": \"/t/a\\\"b\\\\c/server-cert.pem\",\n"
	  "  \"tlskey\": \"/t/a\\\"b\\\\c/server-key.pem\",\n  \"hosts\": [\n"
	  "    \"unix:///var/run/docker.sock\",\n    \"tcp://0.0.0.0:2376\"\n  ]\n}\n", "" },
	{ "TLS directory /", NULL, 1, "/", no_opts, 0,
	  "{\n  \"tls\": true,\n  \"tlsverify\": true,\n  \"tlscacert\": \"/ca.pem\",\n"
	  "  \"tlscert\": \"/server-cert.pem\",\n  \"tlskey\": \"/server-key.pem\",\n"
	  "  \"hosts\": [\n    \"unix:///var/run/docker.sock\",\n    \"tcp://0.0.0.0:2376\"\n  ]\n}\n",
	  "" },
};

static struct dd_daemon_cfg cfg_of(const struct merge_case *m)
{
	struct dd_daemon_cfg c = { m->tcp, 2376, m->tls_dir, m->opts, m->nopts, NULL, 0, NULL, 0 };

	return c;
}

TEST(merge_table_and_idempotence)
{
	for (size_t i = 0; i < sizeof merges / sizeof merges[0]; i++) {
		const struct merge_case *m = &merges[i];
		struct dd_daemon_cfg c = cfg_of(m);
		char warn[512], err[256] = "", *out = NULL, *again = NULL;
		int rc = dd_daemonjson_merge(m->old, m->old ? strlen(m->old) : 0, &c, &out, warn,
					     sizeof warn, err, sizeof err);

		CHECKF(rc == 0 && out, "%s: rc %d err %s", m->name, rc, err);
		if (!out)
			continue;
		CHECKF(strcmp(out, m->want) == 0, "%s: got\n%s", m->name, out);
		CHECKF(*m->warn ? strstr(warn, m->warn) && !strchr(warn, '\n') : !*warn,
		       "%s: warn '%s'", m->name, warn);
		/* Merging the output again: same bytes, nothing to warn about. */
		rc = dd_daemonjson_merge(out, strlen(out), &c, &again, warn, sizeof warn, err,
					 sizeof err);
		CHECKF(rc == 0 && again && strcmp(out, again) == 0 && !*warn,
		       "%s: second merge differs (rc %d, warn '%s'):\n%s", m->name, rc, warn,
		       again ? again : err);
		free(out);
		free(again);
	}
}

/* unmerge(merge(U)) is unmerge(U): dockdrop's keys go, the user's stay as merge kept them. */
TEST(unmerge_round_trip)
{
	for (size_t i = 0; i < sizeof merges / sizeof merges[0]; i++) {
		const struct merge_case *m = &merges[i];
		struct dd_daemon_cfg c = cfg_of(m);
		char warn[512], err[256] = "", *out = NULL, *un = NULL, *un_old = NULL;
		size_t oldlen = m->old ? strlen(m->old) : 0;

		if (m->nopts)
			continue; /* options stay: they are the user's settings */
		if (dd_daemonjson_merge(m->old, oldlen, &c, &out, warn, sizeof warn, err,
					sizeof err) != 0) {
			CHECKF(0, "%s: %s", m->name, err);
			continue;
		}
		CHECKF(dd_daemonjson_unmerge(out, strlen(out), &un, err, sizeof err) == 0, "%s: %s",
		       m->name, err);
		CHECKF(dd_daemonjson_unmerge(m->old, oldlen, &un_old, err, sizeof err) == 0, "%s: %s",
		       m->name, err);
		CHECKF((!un && !un_old) || (un && un_old && strcmp(un, un_old) == 0),
		       "%s: unmerge(merge) '%s' vs unmerge(old) '%s'", m->name, un ? un : "(null)",
		       un_old ? un_old : "(null)");
		free(out);
		free(un);
		free(un_old);
	}
}

static const struct {
	const char *text, *want; /* want NULL: nothing left */
} unmerges[] = {
	{ NULL, NULL },
	{ "", NULL },
	{ "{}", NULL },
	{ " {\"tls\":true,\"hosts\":[]} ", NULL },
	{ "{\"debug\":true,\"hosts\":[\"x\"],\"tlskey\":\"k\"}", "{\n  \"debug\": true\n}\n" },
	{ "{\"a\":{\"tls\":1},\"tlsverify\":true,\"b\":[1,{}]}",
	  "{\n  \"a\": {\n    \"tls\": 1\n  },\n  \"b\": [\n    1,\n    {}\n  ]\n}\n" },
};

TEST(unmerge_table)
{
	for (size_t i = 0; i < sizeof unmerges / sizeof unmerges[0]; i++) {
		char err[256] = "", *out = (char *)1;
		const char *t = unmerges[i].text;
		int rc = dd_daemonjson_unmerge(t, t ? strlen(t) : 0, &out, err, sizeof err);

		CHECKF(rc == 0, "row %zu: %s", i, err);
		CHECKF(unmerges[i].want ? out && strcmp(out, unmerges[i].want) == 0 : !out,
		       "row %zu: got %s", i, out ? out : "(null)");
		if (rc == 0)
			free(out);
	}
}

/* --- refusals ------------------------------------------------------------------------------ */

static char *deep(unsigned d)
{
	char *s = malloc(2 * d + 16);
	size_t n = 0;

	s[n++] = '{';
	memcpy(s + n, "\"a\":", 4);
	n += 4;
	for (unsigned i = 1; i < d; i++)
		s[n++] = '[';
	for (unsigned i = 1; i < d; i++)
		s[n++] = ']';
	s[n++] = '}';
	s[n] = 0;
	return s;
}

static const struct {
	const char *name, *old;
	const char *msg;
} bad_files[] = {
	{ "array", "[]", "/etc/docker/daemon.json is not a JSON object: fix or remove it" },
	{ "string", " \"x\" ", "is not a JSON object: fix or remove it" },
	{ "number", "1", "is not a JSON object" },
	{ "repeated key", "{\"debug\":true,\"debug\":false}",
	  "/etc/docker/daemon.json: repeated key in an object at byte 0: fix or remove it" },
	{ "repeated key, escaped", "{\"hosts\":[],\"\\u0068osts\":[]}", "repeated key" },
	{ "repeated key, nested", "{\"log-opts\":{\"a\":\"1\",\"a\":\"2\"}}", "repeated key" },
	{ "truncated", "{\"debug\":", "expected a value at byte 9" },
	{ "trailing comma", "{\"debug\":true,}", "expected a key at byte 14" },
	{ "comment", "{\"debug\":true} // x", "text after the value at byte 15" },
	{ "control byte as space", "{\x01}", "expected a key at byte 1" },
	{ "01", "{\"a\":01}", "at byte 6" },
	{ "two objects", "{}{}", "text after the value" },
	{ "invalid UTF-8", "{\"a\":\"\xff\"}", "invalid UTF-8 in a string at byte 6" },
};

static void expect_refused(const char *name, const char *old, size_t n,
			   const struct dd_daemon_cfg *c, const char *msg)
{
	char warn[256], err[256] = "", *out = (char *)1;
	int rc = dd_daemonjson_merge(old, n, c, &out, warn, sizeof warn, err, sizeof err);

	CHECKF(rc == DD_EXIT_USAGE && !out && strstr(err, msg) && !strchr(err, '\n'),
	       "%s: merge rc %d err '%s'", name, rc, err);
}

TEST(refused_files)
{
	struct dd_daemon_cfg c = { 1, 2376, TLS, no_opts, 0, NULL, 0, NULL, 0 };

	for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++) {
		char err[256] = "", *out = (char *)1;
		int rc;

		expect_refused(bad_files[i].name, bad_files[i].old, strlen(bad_files[i].old), &c,
			       bad_files[i].msg);
		rc = dd_daemonjson_unmerge(bad_files[i].old, strlen(bad_files[i].old), &out, err,
					   sizeof err);
		CHECKF(rc == DD_EXIT_USAGE && !out && strstr(err, bad_files[i].msg),
		       "%s: unmerge rc %d err '%s'", bad_files[i].name, rc, err);
	}
	{
		char *ok = deep(64), *no = deep(65);

		{
			char warn[256], err[256] = "", *out = NULL;

			CHECK(dd_daemonjson_merge(ok, strlen(ok), &c, &out, warn, sizeof warn, err,
						  sizeof err) == 0 && out);
			free(out);
		}
		expect_refused("65 deep", no, strlen(no), &c, "nested too deep at byte 68");
		free(ok);
		free(no);
	}
	{
		size_t n = DD_DAEMONJSON_MAX + 1;
		char *big = malloc(n), warn[64], err[256] = "", *out = NULL;

		memset(big, ' ', n);
		big[0] = '{';
		big[n - 1] = '}';
		expect_refused("1 MiB + 1", big, n, &c, "is larger than 1 MiB: fix or remove it");
		CHECK(dd_daemonjson_merge(big, n - 1, &c, &out, warn, sizeof warn, err, sizeof err) ==
		      DD_EXIT_USAGE); /* "{" and spaces: unterminated */
		big[n - 2] = '}';
		CHECK(dd_daemonjson_merge(big, n - 1, &c, &out, warn, sizeof warn, err, sizeof err) ==
		      0);
		free(out);
		free(big);
	}
}

/* An output above 1 MiB would be refused by the next merge: refused now. */
TEST(output_bounded)
{
	size_t n = 700 * 1024;
	char *kv = malloc(n + 16), *old = malloc(n + 16), warn[64], err[256] = "", *out = NULL;
	const char *opts[1] = { kv };
	struct dd_daemon_cfg c = { 1, 2376, TLS, opts, 1, NULL, 0, NULL, 0 };

	strcpy(kv, "big=\"");
	memset(kv + 5, 'x', n);
	strcpy(kv + 5 + n, "\"");
	strcpy(old, "{\"old\":\"");
	memset(old + 8, 'y', n);
	strcpy(old + 8 + n, "\"}");
	CHECK(dd_daemonjson_merge(old, strlen(old), &c, &out, warn, sizeof warn, err, sizeof err) ==
	      DD_EXIT_USAGE);
	CHECKF(!out && strstr(err, "would be larger than 1 MiB"), "err %s", err);
	CHECK(dd_daemonjson_merge(NULL, 0, &c, &out, warn, sizeof warn, err, sizeof err) == 0 && out);
	free(out);
	free(kv);
	free(old);
}

static const struct {
	const char *kv, *msg; /* msg NULL: accepted */
} opt_checks[] = {
	{ "debug=true", NULL },
	{ "log-level=\"warn\"", NULL },
	{ "log-opts={\"max-size\":\"10m\"}", NULL },
	{ "registry-mirrors=[\"https://m.example\"]", NULL },
	{ "labels=[\"a=b\"]", NULL },
	{ "x=1e3", NULL },
	{ "a.b-c_d=null", NULL },
	{ "Hosts=[]", NULL }, /* not dockdrop's key (dockerd refuses it as unknown) */
	{ "hosts=[]", "--daemon-opt hosts: dockdrop sets this key; use --port/--no-tcp" },
	{ "hosts", "--daemon-opt hosts: expected KEY=VALUE" },
	{ "tls=false", "--daemon-opt tls: dockdrop sets this key; use --certs DIR or --no-tcp" },
	{ "tlsverify=false", "--daemon-opt tlsverify: dockdrop sets this key" },
	{ "tlscacert=\"/x\"", "--daemon-opt tlscacert: dockdrop sets this key" },
	{ "tlscert=\"/x\"", "--daemon-opt tlscert: dockdrop sets this key" },
	{ "tlskey=\"/x\"", "--daemon-opt tlskey: dockdrop sets this key" },
	{ "debug", "expected KEY=VALUE with VALUE in JSON" },
	{ "=1", "KEY must be printable ASCII" },
	{ "de bug=1", "KEY must be printable ASCII" },
	{ "de\"bug=1", "KEY must be printable ASCII" },
	{ "d\xc3\xa9=1", "KEY must be printable ASCII" },
	{ "a\nb=1", "KEY must be printable ASCII" },
	{ "log-level=warn", "--daemon-opt log-level: VALUE is not one JSON value (unexpected "
			    "character at byte 0); a string needs its quotes: log-level='\"text\"'" },
	{ "debug=", "VALUE is not one JSON value (expected a value at byte 0)" },
	{ "debug=true false", "text after the value" },
	{ "x={\"a\":1,\"a\":2}", "repeated key" },
	{ "x=\"\t\"", "control character" },
};

TEST(check_opt_table)
{
	for (size_t i = 0; i < sizeof opt_checks / sizeof opt_checks[0]; i++) {
		char err[512] = "";
		int rc = dd_daemonjson_check_opt(opt_checks[i].kv, err, sizeof err);

		if (!opt_checks[i].msg)
			CHECKF(rc == 0, "row %zu: %s", i, err);
		else
			CHECKF(rc == DD_EXIT_USAGE && strstr(err, opt_checks[i].msg) &&
			       !strchr(err, '\n'), "row %zu: rc %d err '%s'", i, rc, err);
	}
	{ /* the value may nest 63 deep under its key, not 64 */
		char *ok = deep(63), *no = deep(64), err[256];
		char kv1[256], kv2[256];

		snprintf(kv1, sizeof kv1, "x=%s", ok);
		snprintf(kv2, sizeof kv2, "x=%s", no);
		CHECK(dd_daemonjson_check_opt(kv1, err, sizeof err) == 0);
		CHECK(dd_daemonjson_check_opt(kv2, err, sizeof err) == DD_EXIT_USAGE);
		free(ok);
		free(no);
	}
}

TEST(refused_settings)
{
	static const char *const twice[] = { "debug=true", "debug=false" };
	static const char *const owned[] = { "debug=true", "hosts=[]" };
	const struct {
		struct dd_daemon_cfg c;
		const char *msg;
	} rows[] = {
		{ { 1, 2376, TLS, twice, 2, NULL, 0, NULL, 0 }, "--daemon-opt debug: given twice" },
		{ { 1, 2376, TLS, owned, 2, NULL, 0, NULL, 0 }, "--daemon-opt hosts: dockdrop sets this key" },
		{ { 1, 0, TLS, no_opts, 0, NULL, 0, NULL, 0 }, "--port 0: expected 1 to 65535" },
		{ { 1, 65536, TLS, no_opts, 0, NULL, 0, NULL, 0 }, "--port 65536" },
		{ { 1, 2376, "etc/docker/tls", no_opts, 0, NULL, 0, NULL, 0 }, "must be an absolute path" },
		{ { 1, 2376, NULL, no_opts, 0, NULL, 0, NULL, 0 }, "must be an absolute path" },
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		expect_refused(rows[i].msg, "{}", 2, &rows[i].c, rows[i].msg);
}

/* A small warn buffer is cut but terminated; none at all is fine. */
TEST(warn_buffer)
{
	struct dd_daemon_cfg c = { 1, 2376, TLS, no_opts, 0, NULL, 0, NULL, 0 };
	const char *old = "{\"hosts\":[\"tcp://0.0.0.0:2375\"]}";
	char warn[16], err[256], *out = NULL;

	memset(warn, 'z', sizeof warn);
	CHECK(dd_daemonjson_merge(old, strlen(old), &c, &out, warn, sizeof warn, err, sizeof err) ==
	      0);
	CHECK(memchr(warn, 0, sizeof warn) && strlen(warn) == sizeof warn - 1);
	free(out);
	CHECK(dd_daemonjson_merge(old, strlen(old), &c, &out, NULL, 0, err, sizeof err) == 0);
	free(out);
}

/* --- files for the real dockerd (tests/cli/test_daemonjson_dockerd.sh) -------------------- */

static int put_file(const char *dir, const char *name, const char *text)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "writing %s failed\n", p);
		return -1;
	}
	return 0;
}

/* A user's file with the usual keys and two "hosts" that must go, merged with --daemon-opt
 * storage-driver and debug: tcp.json (TCP on port), notcp.json (--no-tcp) and unmerged.json
 * (tcp.json after uninstall). */
static int emit(const char *dir, const char *tls, const char *port)
{
	static const char user[] =
		"{\n\t\"log-level\": \"info\",\n\t\"hosts\": [\"tcp://0.0.0.0:2375\", "
		"\"unix:///var/run/docker.sock\", \"fd://\"],\n\t\"log-opts\": {\"max-size\": \"10m\", "
		"\"max-file\": \"3\"},\n\t\"default-ulimits\": {\"nofile\": {\"Name\": \"nofile\", "
		"\"Hard\": 65536, \"Soft\": 65536}},\n\t\"tlsverify\": false\n}\n";
	static const char *const opts[] = { "storage-driver=\"vfs\"", "debug=true" };
	struct dd_daemon_cfg c = { 1, (unsigned)atoi(port), tls, opts, 2, NULL, 0, NULL, 0 };
	char warn[512], err[512], *tcp = NULL, *notcp = NULL, *un = NULL;
	int rc = dd_daemonjson_merge(user, strlen(user), &c, &tcp, warn, sizeof warn, err, sizeof err);

	if (!rc) {
		printf("warn: %s\n", warn);
		c.tcp = 0;
		rc = dd_daemonjson_merge(user, strlen(user), &c, &notcp, warn, sizeof warn, err,
					 sizeof err);
	}
	if (!rc)
		rc = dd_daemonjson_unmerge(tcp, strlen(tcp), &un, err, sizeof err);
	if (rc)
		fprintf(stderr, "%s\n", err);
	else if (put_file(dir, "user.json", user) || put_file(dir, "tcp.json", tcp) ||
		 put_file(dir, "notcp.json", notcp) || put_file(dir, "unmerged.json", un ? un : "{}\n"))
		rc = 1;
	free(tcp);
	free(notcp);
	free(un);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--emit") == 0)
		return emit(argv[2], argv[3], argv[4]);
	RUN(merge_table_and_idempotence);
	RUN(unmerge_round_trip);
	RUN(unmerge_table);
	RUN(refused_files);
	RUN(output_bounded);
	RUN(check_opt_table);
	RUN(refused_settings);
	RUN(warn_buffer);
	T_EXIT();
}
