/* util/cli: dd_cli_parse on a leaf with every option type, and dd_cli_run on groups. */
#include "t.h"

#include <fcntl.h>
#include <sys/wait.h>

#include "util/cli.h"
#include "util/log.h"

/* --- the commands under test ----------------------------------------------------------- */

static int o_force;
static const char *o_name, *o_mode;
static struct dd_list o_tags;
static unsigned long o_port;

static const struct dd_opt tool_opts[] = {
	{ "force", 'f', DD_OPT_FLAG, &o_force, NULL, "overwrite", 0, 0, NULL },
	{ "name", 'n', DD_OPT_STR, &o_name, "NAME", "a name", 0, 0, NULL },
	{ "tag", 't', DD_OPT_LIST, &o_tags, "TAG", "add a tag", 0, 0, NULL },
	{ "port", 'p', DD_OPT_UINT, &o_port, "PORT", "a port", 1, 65535, NULL },
	{ "mode", 0, DD_OPT_CHOICE, &o_mode, "MODE", "a mode", 0, 0, "a|bb|ccc" },
};

/* What the last run function saw. */
static int call_verbosity; /* the log verbosity right after a leaf's parse */
static int ran;
static char ran_argv0[32];
static int ran_argc;

static int run_leaf(const struct dd_cmd *self, int argc, char **argv)
{
	struct dd_args args;
	int rc;

	ran++;
	snprintf(ran_argv0, sizeof ran_argv0, "%s", argv[0]);
	ran_argc = argc;
	rc = dd_cli_parse(self, tool_opts, DD_NOPTS(tool_opts), argc, argv, &args);
	call_verbosity = dd_log_verbosity();
	return rc == DD_CLI_CONTINUE ? 42 : rc;
}

static const struct dd_cmd tool_cmd = { "tool", "tool", "SRC [DST]", "a test leaf", 1, 2,
					run_leaf, NULL };
static const struct dd_cmd issue_cmd = { "issue", "ca issue", "NAME", "issue a thing", 1, 1,
					 run_leaf, NULL };
static const struct dd_cmd *const ca_subs[] = { &issue_cmd, NULL };
static const struct dd_cmd ca_cmd = { "ca", "ca", "", "the ca group", 0, 0, NULL, ca_subs };
static const struct dd_cmd *const root_subs[] = { &tool_cmd, &ca_cmd, NULL };
static const struct dd_cmd root_cmd = { "dockdrop", "", "", "the top", 0, 0, NULL, root_subs };

/* --- capturing stdout and stderr ------------------------------------------------------- */

static char cap_out[8192], cap_err[8192];

static int capture(void (*fn)(void))
{
	return t_capture(fn, cap_out, sizeof cap_out, cap_err, sizeof cap_err);
}

/* One error line: "dockdrop: ...\n", nothing else. */
static int one_error_line(const char *s)
{
	size_t len = strlen(s);

	return len > 11 && strncmp(s, "dockdrop: ", 10) == 0 && s[len - 1] == '\n' &&
	       strchr(s, '\n') == s + len - 1;
}

/* --- a call with argv given as one string of words ------------------------------------- */

#define MAXW 80

/* Words are split on spaces; '' stands for an empty word. */
static int split_words(const char *line, char **v, char *store, size_t storesz)
{
	int n = 0;
	size_t used = 0;

	while (*line && n < MAXW - 1) {
		size_t len = strcspn(line, " ");

		if (len && used + len + 1 <= storesz) {
			size_t wlen = len == 2 && memcmp(line, "''", 2) == 0 ? 0 : len;

			v[n] = store + used;
			memcpy(store + used, line, wlen);
			store[used + wlen] = 0;
			used += wlen + 1;
			n++;
		}
		line += len;
		line += strspn(line, " ");
	}
	v[n] = NULL;
	return n;
}

static const struct dd_cmd *call_cmd;
static char *call_argv[MAXW];
static int call_argc, call_rc;
static struct dd_args call_args;

static void do_parse(void)
{
	call_rc = dd_cli_parse(call_cmd, tool_opts, DD_NOPTS(tool_opts), call_argc, call_argv,
			       &call_args);
	call_verbosity = dd_log_verbosity();
}

static void do_run(void)
{
	call_rc = dd_cli_run(call_cmd, call_argc, call_argv);
}

static void reset_opts(void)
{
	o_force = 0;
	o_name = o_mode = NULL;
	memset(&o_tags, 0, sizeof o_tags);
	o_port = 0;
	ran = 0;
	ran_argv0[0] = 0;
	ran_argc = 0;
}

/* Call how (a parse or dd_cli_run) on "CMD WORDS" with output captured; -1 when the
 * capture itself fails. The log verbosity is DD_NORMAL before and after. */
static int call(const struct dd_cmd *cmd, void (*how)(void), const char *words)
{
	static char store[4096];
	char line[1024];

	snprintf(line, sizeof line, "%s %s", cmd->name, words);
	call_cmd = cmd;
	call_argc = split_words(line, call_argv, store, sizeof store);
	reset_opts();
	call_rc = -99;
	dd_log_set_verbosity(DD_NORMAL);
	if (capture(how) < 0)
		return -1;
	dd_log_set_verbosity(DD_NORMAL);
	return 0;
}

static void join_list(char *out, size_t n, const char *const *v, unsigned count)
{
	unsigned i;
	size_t used = 0;

	out[0] = 0;
	for (i = 0; i < count && used < n; i++)
		used += (size_t)snprintf(out + used, n - used, "%s%s", i ? "," : "", v[i]);
}

/* --- dd_cli_parse on the leaf ---------------------------------------------------------- */

/* rc DD_CLI_CONTINUE: the values that result (port 0 = not given, "" = NULL).
 * rc DD_EXIT_USAGE: msg is a substring of the single error line.
 * rc DD_EXIT_OK: --help was printed. */
static const struct {
	const char *argv;
	int rc;
	const char *args;
	unsigned long port;
	int force;
	const char *name, *mode, *tags, *msg;
} parse_cases[] = {
	/* positionals */
	{ "src", -1, "src", 0, 0, "", "", "", NULL },
	{ "src dst", -1, "src,dst", 0, 0, "", "", "", NULL },
	{ "", 2, "", 0, 0, "", "", "", "missing argument SRC [DST]" },
	{ "a b c", 2, "", 0, 0, "", "", "", "unexpected argument 'c'" },
	{ "-", -1, "-", 0, 0, "", "", "", NULL },
	{ "-- -x", -1, "-x", 0, 0, "", "", "", NULL },
	{ "src -- --port", -1, "src,--port", 0, 0, "", "", "", NULL },
	{ "-- -- x", -1, "--,x", 0, 0, "", "", "", NULL },
	{ "--", 2, "", 0, 0, "", "", "", "missing argument" },
	{ "src --port 5 dst", -1, "src,dst", 5, 0, "", "", "", NULL },
	{ "--force src -n x dst", -1, "src,dst", 0, 1, "x", "", "", NULL },
	/* DD_OPT_UINT */
	{ "--port=5 src", -1, "src", 5, 0, "", "", "", NULL },
	{ "--port 5 src", -1, "src", 5, 0, "", "", "", NULL },
	{ "-p5 src", -1, "src", 5, 0, "", "", "", NULL },
	{ "-p 5 src", -1, "src", 5, 0, "", "", "", NULL },
	{ "--port 1 src", -1, "src", 1, 0, "", "", "", NULL },
	{ "--port 65535 src", -1, "src", 65535, 0, "", "", "", NULL },
	{ "--port 007 src", -1, "src", 7, 0, "", "", "", NULL },
	{ "--port 0 src", 2, "", 0, 0, "", "", "", "--port must be a number from 1 to 65535, not '0'" },
	{ "--port 65536 src", 2, "", 0, 0, "", "", "", "from 1 to 65535, not '65536'" },
	{ "--port abc src", 2, "", 0, 0, "", "", "", "from 1 to 65535, not 'abc'" },
	{ "--port 5x src", 2, "", 0, 0, "", "", "", "from 1 to 65535" },
	{ "--port -1 src", 2, "", 0, 0, "", "", "", "from 1 to 65535" },
	{ "--port +5 src", 2, "", 0, 0, "", "", "", "from 1 to 65535" },
	{ "--port '' src", 2, "", 0, 0, "", "", "", "option '--port' needs a non-empty value" },
	{ "--port= src", 2, "", 0, 0, "", "", "", "option '--port' needs a non-empty value" },
	{ "--port 99999999999999999999999 src", 2, "", 0, 0, "", "", "", "from 1 to 65535" },
	{ "--port 18446744073709551616 src", 2, "", 0, 0, "", "", "", "from 1 to 65535" },
	{ "--port 18446744073709551621 src", 2, "", 0, 0, "", "", "", "from 1 to 65535" }, /* 2^64+5 */
	{ "--port 5 --port 6 src", 2, "", 0, 0, "", "", "", "option '--port' given twice" },
	{ "-p5 --port=5 src", 2, "", 0, 0, "", "", "", "option '--port' given twice" },
	{ "--port 5 src --port", 2, "", 0, 0, "", "", "", "option '--port' needs a value" },
	{ "src -p", 2, "", 0, 0, "", "", "", "option '--port' needs a value" },
	{ "--porta 5 src", 2, "", 0, 0, "", "", "", "unknown option '--porta'" },
	{ "--por 5 src", 2, "", 0, 0, "", "", "", "unknown option '--por'" },
	/* DD_OPT_STR */
	{ "--name x src", -1, "src", 0, 0, "x", "", "", NULL },
	{ "--name=a=b src", -1, "src", 0, 0, "a=b", "", "", NULL },
	{ "-nfoo src", -1, "src", 0, 0, "foo", "", "", NULL },
	{ "--name -x src", -1, "src", 0, 0, "-x", "", "", NULL },
	{ "--name '' src", 2, "", 0, 0, "", "", "", "option '--name' needs a non-empty value" },
	{ "--name a\tb src", 2, "", 0, 0, "", "", "", "option --name 'a\\x09b' holds a control character" },
	{ "--name a\nb src", 2, "", 0, 0, "", "", "", "option --name 'a\\x0ab' holds a control character" },
	{ "--tag x\x7f src", 2, "", 0, 0, "", "", "", "option --tag 'x\\x7f' holds a control character" },
	{ "--name \xc3\xa9t\xc3\xa9 src", -1, "src", 0, 0, "\xc3\xa9t\xc3\xa9", "", "", NULL },
	{ "--name a --name b src", 2, "", 0, 0, "", "", "", "option '--name' given twice" },
	{ "src --name", 2, "", 0, 0, "", "", "", "option '--name' needs a value" },
	/* DD_OPT_LIST */
	{ "--tag a -t b --tag=c src", -1, "src", 0, 0, "", "", "a,b,c", NULL },
	{ "-tx -t y src", -1, "src", 0, 0, "", "", "x,y", NULL },
	{ "--tag a --tag a src", -1, "src", 0, 0, "", "", "a,a", NULL },
	{ "--tag '' src", 2, "", 0, 0, "", "", "", "option '--tag' needs a non-empty value" },
	/* DD_OPT_CHOICE */
	{ "--mode a src", -1, "src", 0, 0, "", "a", "", NULL },
	{ "--mode bb src", -1, "src", 0, 0, "", "bb", "", NULL },
	{ "--mode=ccc src", -1, "src", 0, 0, "", "ccc", "", NULL },
	{ "--mode b src", 2, "", 0, 0, "", "", "", "--mode must be one of a|bb|ccc, not 'b'" },
	{ "--mode cc src", 2, "", 0, 0, "", "", "", "one of a|bb|ccc" },
	{ "--mode cccc src", 2, "", 0, 0, "", "", "", "one of a|bb|ccc" },
	{ "--mode A src", 2, "", 0, 0, "", "", "", "one of a|bb|ccc" },
	{ "--mode a|bb src", 2, "", 0, 0, "", "", "", "one of a|bb|ccc" },
	{ "--mode '' src", 2, "", 0, 0, "", "", "", "option '--mode' needs a non-empty value" },
	{ "--mode a --mode a src", 2, "", 0, 0, "", "", "", "option '--mode' given twice" },
	/* DD_OPT_FLAG */
	{ "--force src", -1, "src", 0, 1, "", "", "", NULL },
	{ "-f src", -1, "src", 0, 1, "", "", "", NULL },
	{ "-f --force src", -1, "src", 0, 1, "", "", "", NULL },
	{ "--force=1 src", 2, "", 0, 0, "", "", "", "option '--force' takes no value" },
	{ "--force= src", 2, "", 0, 0, "", "", "", "option '--force' takes no value" },
	{ "-fx src", 2, "", 0, 0, "", "", "", "option '-f' takes no value" },
	{ "-fp5 src", 2, "", 0, 0, "", "", "", "option '-f' takes no value" },
	/* unknown */
	{ "--bogus src", 2, "", 0, 0, "", "", "", "tool: unknown option '--bogus'" },
	{ "--bogus=1 src", 2, "", 0, 0, "", "", "", "unknown option '--bogus'" },
	{ "-x src", 2, "", 0, 0, "", "", "", "unknown option '-x'" },
	{ "src -P 5", 2, "", 0, 0, "", "", "", "unknown option '-P'" },
	{ "---port 5 src", 2, "", 0, 0, "", "", "", "unknown option '---port'" },
	/* help wins when it comes before an error, not after */
	{ "--help", 0, "", 0, 0, "", "", "", NULL },
	{ "-h", 0, "", 0, 0, "", "", "", NULL },
	{ "src dst --help", 0, "", 0, 0, "", "", "", NULL },
	{ "--port 5 --help --bogus", 0, "", 0, 0, "", "", "", NULL },
	{ "--bogus --help", 2, "", 0, 0, "", "", "", "unknown option '--bogus'" },
	{ "--help=1", 2, "", 0, 0, "", "", "", "option '--help' takes no value" },
};

TEST(parse_table)
{
	unsigned i;

	for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const char *row = parse_cases[i].argv;
		char got[256];

		if (call(&tool_cmd, do_parse, row) < 0) {
			CHECKF(0, "'%s': capture failed", row);
			continue;
		}
		CHECKF(call_rc == parse_cases[i].rc, "'%s': rc %d, want %d (stderr '%s')", row,
		       call_rc, parse_cases[i].rc, cap_err);
		if (parse_cases[i].rc == DD_CLI_CONTINUE) {
			CHECKF(cap_out[0] == 0 && cap_err[0] == 0, "'%s': printed '%s' '%s'", row,
			       cap_out, cap_err);
			join_list(got, sizeof got, (const char *const *)call_args.v, call_args.n);
			CHECKF(strcmp(got, parse_cases[i].args) == 0, "'%s': args '%s'", row, got);
			CHECKF(o_port == parse_cases[i].port, "'%s': port %lu", row, o_port);
			CHECKF(o_force == parse_cases[i].force, "'%s': force %d", row, o_force);
			CHECKF(strcmp(o_name ? o_name : "", parse_cases[i].name) == 0,
			       "'%s': name '%s'", row, o_name ? o_name : "(null)");
			CHECKF(strcmp(o_mode ? o_mode : "", parse_cases[i].mode) == 0,
			       "'%s': mode '%s'", row, o_mode ? o_mode : "(null)");
			join_list(got, sizeof got, o_tags.v, o_tags.n);
			CHECKF(strcmp(got, parse_cases[i].tags) == 0, "'%s': tags '%s'", row, got);
		} else if (parse_cases[i].rc == DD_EXIT_USAGE) {
			CHECKF(cap_out[0] == 0, "'%s': stdout '%s'", row, cap_out);
			CHECKF(one_error_line(cap_err), "'%s': not one error line: '%s'", row, cap_err);
			CHECKF(strstr(cap_err, parse_cases[i].msg) != NULL, "'%s': '%s' lacks '%s'",
			       row, cap_err, parse_cases[i].msg);
			/* Every usage error points at --help or names what is allowed. */
			CHECKF(strstr(cap_err, "see 'dockdrop tool --help'") ||
				       strstr(cap_err, "from 1 to 65535") ||
				       strstr(cap_err, "one of a|bb|ccc"),
			       "'%s': '%s' gives no way forward", row, cap_err);
		} else {
			CHECKF(cap_err[0] == 0, "'%s': stderr '%s'", row, cap_err);
			CHECKF(strstr(cap_out, "Usage: dockdrop tool [options] SRC [DST]") != NULL,
			       "'%s': help '%s'", row, cap_out);
		}
	}
}

TEST(help_lists_every_option)
{
	static const char *const want[] = {
		"--force", "-f, --force", "--name NAME", "-n, --name", "--tag TAG", "-t, --tag",
		"--port PORT", "-p, --port", "--mode MODE", "--help", "-h, --help", "--verbose",
		"-v, --verbose", "--quiet", "-q, --quiet", "a test leaf", "add a tag (repeatable)",
	};
	unsigned i;

	CHECK(call(&tool_cmd, do_parse, "--help") == 0 && call_rc == DD_EXIT_OK);
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		CHECKF(strstr(cap_out, want[i]) != NULL, "help lacks '%s':\n%s", want[i], cap_out);
	/* Only the list option is repeatable. */
	{
		const char *first = strstr(cap_out, "(repeatable)");

		CHECK(first && strncmp(first - 10, "add a tag ", 10) == 0);
		CHECK(first && strstr(first + 1, "(repeatable)") == NULL);
	}
	CHECK(cap_err[0] == 0);
}

/* A list takes up to DD_LIST_MAX values, in order; one more is a usage error. */
TEST(list_limit)
{
	static const unsigned counts[] = { DD_LIST_MAX, DD_LIST_MAX + 1 };
	unsigned c, i;

	for (c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		char words[1024];
		size_t used = (size_t)snprintf(words, sizeof words, "src");
		int ordered = 1;

		for (i = 0; i < counts[c]; i++)
			used += (size_t)snprintf(words + used, sizeof words - used, " --tag v%u", i);
		CHECK(used < sizeof words);
		CHECK(call(&tool_cmd, do_parse, words) == 0);
		if (counts[c] <= DD_LIST_MAX) {
			CHECKF(call_rc == DD_CLI_CONTINUE, "%u tags: rc %d", counts[c], call_rc);
			CHECKF(o_tags.n == counts[c], "%u tags: n %u", counts[c], o_tags.n);
			for (i = 0; i < o_tags.n; i++) {
				char v[16];

				snprintf(v, sizeof v, "v%u", i);
				ordered &= strcmp(o_tags.v[i], v) == 0;
			}
			CHECKF(ordered, "%u tags: out of order", counts[c]);
		} else {
			CHECKF(call_rc == DD_EXIT_USAGE, "%u tags: rc %d", counts[c], call_rc);
			CHECKF(one_error_line(cap_err) &&
				       strstr(cap_err, "option '--tag' given too many times"),
			       "%u tags: '%s'", counts[c], cap_err);
		}
	}
}

/* A table too big for the parser's bookkeeping is refused, not overrun. */
static void do_parse_many(void)
{
	static struct dd_opt many[62];

	call_rc = dd_cli_parse(call_cmd, many, DD_NOPTS(many), call_argc, call_argv, &call_args);
}

TEST(too_many_options_in_table)
{
	CHECK(call(&tool_cmd, do_parse_many, "src") == 0);
	CHECK(call_rc == DD_EXIT_USAGE);
	CHECKF(one_error_line(cap_err) && strstr(cap_err, "too many options in table"), "'%s'",
	       cap_err);
}

/* --- groups through dd_cli_run --------------------------------------------------------- */

static const struct {
	const char *argv; /* after "dockdrop" */
	int rc;
	const char *ran; /* the leaf whose run was called, or "" */
	const char *out, *err; /* substrings of stdout / of the one error line */
} run_cases[] = {
	{ "", 2, "", "", "dockdrop: missing command; see 'dockdrop --help'" },
	{ "bogus", 2, "", "", "dockdrop: unknown command 'bogus'; see 'dockdrop --help'" },
	{ "tol src", 2, "", "", "unknown command 'tol'" },
	{ "tool src", 42, "tool", "", "" },
	{ "tool src dst", 42, "tool", "", "" },
	{ "tool", 2, "tool", "", "dockdrop: tool: missing argument SRC [DST]" },
	{ "tool --bogus", 2, "tool", "", "tool: unknown option '--bogus'" },
	{ "tool --help", 0, "tool", "Usage: dockdrop tool [options] SRC [DST]", "" },
	{ "-- tool src", 42, "tool", "", "" },
	{ "-h", 0, "", "Commands:", "" },
	{ "--help", 0, "", "Commands:", "" },
	{ "--help bogus", 0, "", "Commands:", "" },
	{ "--bogus tool src", 2, "", "", "unknown option '--bogus'" },
	{ "ca", 2, "", "", "dockdrop: ca: missing command; see 'dockdrop ca --help'" },
	{ "ca bogus", 2, "", "", "ca: unknown command 'bogus'" },
	{ "ca issue x", 42, "issue", "", "" },
	{ "ca issue x y", 2, "issue", "", "ca issue: unexpected argument 'y'" },
	{ "ca -h", 0, "", "Usage: dockdrop ca COMMAND", "" },
	{ "ca issue -h", 0, "issue", "Usage: dockdrop ca issue [options] NAME", "" },
	{ "issue x", 2, "", "", "unknown command 'issue'" },
};

TEST(run_table)
{
	unsigned i;

	for (i = 0; i < sizeof run_cases / sizeof run_cases[0]; i++) {
		const char *row = run_cases[i].argv;

		if (call(&root_cmd, do_run, row) < 0) {
			CHECKF(0, "'%s': capture failed", row);
			continue;
		}
		CHECKF(call_rc == run_cases[i].rc, "'%s': rc %d, want %d (stderr '%s')", row,
		       call_rc, run_cases[i].rc, cap_err);
		CHECKF(strcmp(ran ? ran_argv0 : "", run_cases[i].ran) == 0,
		       "'%s': ran '%s' (%d times)", row, ran_argv0, ran);
		CHECKF(ran <= 1, "'%s': ran %d times", row, ran);
		if (run_cases[i].err[0])
			CHECKF(one_error_line(cap_err) && strstr(cap_err, run_cases[i].err),
			       "'%s': stderr '%s'", row, cap_err);
		else
			CHECKF(cap_err[0] == 0, "'%s': stderr '%s'", row, cap_err);
		if (run_cases[i].out[0])
			CHECKF(strstr(cap_out, run_cases[i].out) != NULL, "'%s': stdout '%s'", row,
			       cap_out);
		else
			CHECKF(cap_out[0] == 0, "'%s': stdout '%s'", row, cap_out);
	}
}

TEST(leaf_sees_its_own_argv)
{
	CHECK(call(&root_cmd, do_run, "ca issue x") == 0);
	CHECK(call_rc == 42 && ran == 1);
	CHECK(strcmp(ran_argv0, "issue") == 0);
	CHECK(ran_argc == 2);
	CHECK(call(&root_cmd, do_run, "tool -p 9 a b") == 0);
	CHECK(call_rc == 42 && strcmp(ran_argv0, "tool") == 0 && ran_argc == 5 && o_port == 9);
}

TEST(group_help_lists_commands)
{
	static const struct {
		const char *argv;
		const char *want[4];
	} cases[] = {
		{ "-h", { "tool ", "a test leaf", "ca ", "the ca group" } },
		{ "ca --help", { "issue ", "issue a thing", "Run 'dockdrop ca COMMAND --help'",
				 "--verbose" } },
	};
	unsigned i, j;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK(call(&root_cmd, do_run, cases[i].argv) == 0 && call_rc == 0);
		for (j = 0; j < 4; j++)
			CHECKF(strstr(cap_out, cases[i].want[j]) != NULL, "'%s' lacks '%s':\n%s",
			       cases[i].argv, cases[i].want[j], cap_out);
	}
}

static const struct dd_cmd todo_cmd = { "todo", "todo", "", "not yet", 0, 0, NULL, NULL };

static void do_not_implemented(void)
{
	call_rc = dd_cli_not_implemented(call_cmd, tool_opts, DD_NOPTS(tool_opts), call_argc,
					 call_argv);
}

TEST(not_implemented)
{
	static const struct {
		const char *argv;
		int rc;
		const char *out, *err;
	} cases[] = {
		{ "", 1, "", "dockdrop: todo: not implemented yet\n" },
		{ "--force --port 5", 1, "", "dockdrop: todo: not implemented yet\n" },
		{ "--help", 0, "Usage: dockdrop todo [options]\n", "" },
		{ "x", 2, "", "dockdrop: todo: unexpected argument 'x'; see 'dockdrop todo --help'\n" },
		{ "--bogus", 2, "", "dockdrop: todo: unknown option '--bogus'; see 'dockdrop todo --help'\n" },
	};
	unsigned i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK(call(&todo_cmd, do_not_implemented, cases[i].argv) == 0);
		CHECKF(call_rc == cases[i].rc, "'%s': rc %d", cases[i].argv, call_rc);
		CHECKF(strncmp(cap_out, cases[i].out, strlen(cases[i].out)) == 0 &&
			       (cases[i].out[0] || !cap_out[0]),
		       "'%s': stdout '%s'", cases[i].argv, cap_out);
		CHECKF(strcmp(cap_err, cases[i].err) == 0, "'%s': stderr '%s'", cases[i].argv,
		       cap_err);
	}
}

/* --- -v / -q and the log verbosity ----------------------------------------------------- */

/* Parse WORDS in a fresh child process and return the verbosity it ended with. */
static int verbosity_in_child(const char *words)
{
	pid_t pid;
	int status = -1;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		static char store[512];
		char line[256];
		int rc;

		snprintf(line, sizeof line, "tool %s", words);
		call_argc = split_words(line, call_argv, store, sizeof store);
		dd_log_set_verbosity(DD_NORMAL);
		rc = dd_cli_parse(&tool_cmd, tool_opts, DD_NOPTS(tool_opts), call_argc, call_argv,
				  &call_args);
		_exit(rc == DD_CLI_CONTINUE ? 10 + dd_log_verbosity() : 99);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) - 10;
}

static const struct {
	const char *argv;
	int verbosity;
} verbosity_cases[] = {
	{ "src", DD_NORMAL },
	{ "-v src", DD_VERBOSE },
	{ "src --verbose", DD_VERBOSE },
	{ "-q src", DD_QUIET },
	{ "src --quiet", DD_QUIET },
	{ "-q -q src", DD_QUIET },
};

TEST(verbose_quiet_fresh_process)
{
	unsigned i;

	for (i = 0; i < sizeof verbosity_cases / sizeof verbosity_cases[0]; i++) {
		int v = verbosity_in_child(verbosity_cases[i].argv);

		CHECKF(v == verbosity_cases[i].verbosity, "'%s': verbosity %d, want %d",
		       verbosity_cases[i].argv, v, verbosity_cases[i].verbosity);
	}
}

/* Cases one after the other in this process, DD_NORMAL set before each: every parse
 * depends on its own argv only (-v/-q given earlier must not stick). */
TEST(verbose_quiet_do_not_persist)
{
	static const struct {
		const char *argv;
		int verbosity;
	} seq[] = {
		{ "src", DD_NORMAL },     { "-q src", DD_QUIET }, { "src", DD_NORMAL },
		{ "-v src", DD_VERBOSE }, { "src", DD_NORMAL },   { "-q src", DD_QUIET },
		{ "src", DD_NORMAL },
	};
	unsigned i;

	for (i = 0; i < sizeof seq / sizeof seq[0]; i++) {
		/* call() sets DD_NORMAL before the parse and again after it. */
		CHECK(call(&tool_cmd, do_parse, seq[i].argv) == 0 && call_rc == DD_CLI_CONTINUE);
		CHECKF(call_verbosity == seq[i].verbosity, "step %u '%s': verbosity %d, want %d",
		       i, seq[i].argv, call_verbosity, seq[i].verbosity);
	}
	/* Through a group too: a flag before the command word holds for the leaf. */
	CHECK(call(&root_cmd, do_run, "-q tool src") == 0 && call_rc == 42);
	CHECK(call_verbosity == DD_QUIET);
	CHECK(call(&root_cmd, do_run, "tool src") == 0 && call_rc == 42);
	CHECK(call_verbosity == DD_NORMAL);
	CHECK(call(&root_cmd, do_run, "tool -v src") == 0 && call_rc == 42);
	CHECK(call_verbosity == DD_VERBOSE);
	CHECK(call(&root_cmd, do_run, "-v ca issue x") == 0 && call_rc == 42);
	CHECK(call_verbosity == DD_VERBOSE);
	CHECK(call(&root_cmd, do_run, "ca issue x") == 0 && call_verbosity == DD_NORMAL);
	dd_log_set_verbosity(DD_NORMAL);
}

/* dd_cli_doc: the same tables in the man page's form and the completion scripts' (every
 * leaf runs, its dd_cli_parse hands its table over, the leaf returns before its work), and
 * a buffer too small says so. */
TEST(doc_forms)
{
#define OPTS_SH "--force --name= --tag= --port= --mode=a|bb|ccc --help --verbose --quiet "
#define OPT_MAN(x, h) ".TP\n.B " x "\n" h "\n"
#define OPTS_MAN                                                                          \
	OPT_MAN("-f, --force", "overwrite") OPT_MAN("-n, --name NAME", "a name")            \
	OPT_MAN("-t, --tag TAG", "add a tag (repeatable)") OPT_MAN("-p, --port PORT", "a port") \
	OPT_MAN("--mode MODE", "a mode")
	static const struct {
		int form;
		const char *want;
	} rows[] = {
		{ DD_DOC_SH, "';;\n'tool') o=' SRC [DST] " OPTS_SH "';;\n'ca issue') o=' NAME " OPTS_SH
			     "';;\n'ca') o=' issue --help --verbose --quiet "
			     "';;\n'') o=' tool ca --help --verbose --quiet " },
		{ DD_DOC_MAN, ".SS \"dockdrop tool [options] SRC [DST]\"\na test leaf\n" OPTS_MAN
			      ".SS \"dockdrop ca issue [options] NAME\"\nissue a thing\n" OPTS_MAN
			      ".SH OPTIONS\nEvery command takes these.\n"
			      OPT_MAN("-h, --help", "show this help and exit")
			      OPT_MAN("-v, --verbose", "say more about each step")
			      OPT_MAN("-q, --quiet", "print only warnings and errors")
			      ".SH EXIT STATUS\n0 ok, 1 operation failed, 2 usage or bad input (nothing "
			      "changed), 3 verification failed (nothing changed).\n" },
	};
	char buf[4096];

	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		size_t want = strlen(rows[i].want), n;

		ran = 0;
		memcpy(buf, "head", 4);
		n = dd_cli_doc(&root_cmd, rows[i].form, buf, 4, sizeof buf);
		CHECKF(n == 4 + want && memcmp(buf, "head", 4) == 0 && memcmp(buf + 4, rows[i].want, want) == 0,
		       "form %d: got %zu bytes:\n%.*s", rows[i].form, n, (int)n, buf);
		CHECKF(ran == 2, "form %d: %d leaves ran", rows[i].form, ran);
		CHECK(dd_cli_doc(&root_cmd, rows[i].form, buf, 0, want) == want); /* no room for the NUL */
		CHECK(dd_cli_doc(&root_cmd, rows[i].form, buf, 0, 10) == 10);
	}
	/* and --help is itself again */
	CHECK(call(&tool_cmd, do_parse, "--help") == 0 && call_rc == DD_EXIT_OK &&
	      strstr(cap_out, "Usage: dockdrop tool [options] SRC [DST]") != NULL);
}

int main(void)
{
	dd_log_set_tty(0);
	RUN(parse_table);
	RUN(help_lists_every_option);
	RUN(list_limit);
	RUN(too_many_options_in_table);
	RUN(run_table);
	RUN(leaf_sees_its_own_argv);
	RUN(group_help_lists_commands);
	RUN(not_implemented);
	RUN(verbose_quiet_fresh_process);
	RUN(verbose_quiet_do_not_persist);
	RUN(doc_forms);
	T_EXIT();
}
