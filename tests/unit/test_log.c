/* util/log: dd_log_escape and what each output function writes where. */
#include "t.h"

#include <errno.h>
#include <fcntl.h>

#include "util/log.h"

/* --- dd_log_escape --------------------------------------------------------------------- */

static const struct {
	const char *in, *want;
} escape_cases[] = {
	{ "", "" },
	{ "plain text, 100% ok", "plain text, 100% ok" },
	{ "a\nb", "a\\x0ab" },
	{ "\t", "\\x09" },
	{ "\r", "\\x0d" },
	{ "\x01", "\\x01" },
	{ "\x1f", "\\x1f" },
	{ "del\x7f", "del\\x7f" },
	{ "\x1b[31mred", "\\x1b[31mred" },
	{ " ~", " ~" },
	{ "caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93" }, /* UTF-8 kept */
	{ "\x80\xff", "\x80\xff" },
	{ "back\\slash", "back\\slash" },
};

/* Cut to a small buffer: the result ends with "..." and fits; escapes are never split. */
static const struct {
	unsigned long outsz;
	const char *in, *want;
} cut_cases[] = {
	{ 8, "abcdefghij", "abcd..." },
	{ 9, "abcdefghij", "abcde..." },
	{ 16, "abcdefghijklmnopqrstuvwxyz", "abcdefghijkl..." },
	{ 9, "abcd\nxyz", "abcd..." },
	{ 16, "\n\n\n\n\n", "\\x0a\\x0a\\x0a..." },
	{ 16, "ab\ncdefghijklmno", "ab\\x0acdefgh..." },
	{ 7, "abc", "" },
	{ 1, "abc", "" },
};

TEST(escape_table)
{
	unsigned i;

	for (i = 0; i < sizeof escape_cases / sizeof escape_cases[0]; i++) {
		char out[64];

		dd_log_escape(out, sizeof out, escape_cases[i].in);
		CHECKF(strcmp(out, escape_cases[i].want) == 0, "row %u: got '%s'", i, out);
	}
}

TEST(escape_cut_never_overflows)
{
	unsigned i;

	for (i = 0; i < sizeof cut_cases / sizeof cut_cases[0]; i++) {
		char out[64];
		unsigned long n = cut_cases[i].outsz;

		memset(out, 'Z', sizeof out);
		dd_log_escape(out, n, cut_cases[i].in);
		CHECKF(strcmp(out, cut_cases[i].want) == 0, "row %u (outsz %lu): got '%.*s'", i, n,
		       (int)n, out);
		CHECKF(memchr(out, 0, n) != NULL, "row %u: not terminated within outsz", i);
		CHECKF(out[n] == 'Z', "row %u: wrote past outsz %lu", i, n);
	}
	{
		/* outsz 0 writes nothing at all. */
		char out[4] = "ZZZ";

		dd_log_escape(out, 0, "abc");
		CHECK(strcmp(out, "ZZZ") == 0);
	}
	{
		/* Every size from 8 to 40 on a string mixing escapes and text. */
		const char *in = "a\tbc\x1b" "defg\nhij\x7fklmnop";
		unsigned long n;

		for (n = 8; n <= 40; n++) {
			char out[64];
			size_t len;

			memset(out, 'Z', sizeof out);
			dd_log_escape(out, n, in);
			len = strnlen(out, n);
			CHECKF(len < n, "outsz %lu: not terminated", n);
			CHECKF(out[n] == 'Z', "outsz %lu: wrote past the end", n);
			CHECKF(len < 3 || strcmp(out + len - 3, "...") == 0 ||
				       strcmp(out, "a\\x09bc\\x1bdefg\\x0ahij\\x7fklmnop") == 0,
			       "outsz %lu: '%s'", n, out);
		}
	}
}

/* A string whose escaped form fits in outsz comes back whole; "..." only marks a cut. */
TEST(escape_fitting_not_cut)
{
	static const struct {
		unsigned long outsz;
		const char *in, *want;
	} fits[] = {
		{ 8, "abcde", "abcde" },
		{ 8, "abcdefg", "abcdefg" },
		{ 8, "abcdefgh", "abcd..." },
		{ 9, "\n\n", "\\x0a\\x0a" },
		{ 9, "\n\nx", "\\x0a..." },
		{ 16, "abcdefghijklmno", "abcdefghijklmno" },
	};
	unsigned i;

	for (i = 0; i < sizeof fits / sizeof fits[0]; i++) {
		char out[64];

		dd_log_escape(out, fits[i].outsz, fits[i].in);
		CHECKF(strcmp(out, fits[i].want) == 0, "row %u: got \"%s\"", i, out);
	}
}

/* --- output ---------------------------------------------------------------------------- */

static void emit_err(void)
{
	dd_err("a\nb %d", 1);
}
static void emit_warn(void)
{
	dd_warn("disk %s", "full");
}
static void emit_info(void)
{
	dd_info("step %d", 2);
}
static void emit_debug(void)
{
	dd_debug("x=%s", "y");
}
static void emit_progress(void)
{
	dd_progress("%d%%", 50);
	dd_progress_end();
}
static void emit_progress_err(void)
{
	dd_progress("%d%%", 50);
	dd_err("oops");
	dd_err("again");
}
static void emit_progress_info(void)
{
	dd_progress("p");
	dd_info("i");
}
static void emit_progress_escaped(void)
{
	dd_progress("a\nb\rc");
	dd_progress_end();
	dd_progress_end();
}

static int fail_rc;
static void emit_fail(void)
{
	fail_rc = dd_fail(3, "bad %s", "input");
}

static const struct {
	const char *name;
	int verbosity, tty;
	void (*fn)(void);
	const char *out, *err;
} output_cases[] = {
	{ "err", DD_NORMAL, 0, emit_err, "", "dockdrop: a\\x0ab 1\n" },
	{ "err quiet", DD_QUIET, 0, emit_err, "", "dockdrop: a\\x0ab 1\n" },
	{ "warn", DD_NORMAL, 0, emit_warn, "", "dockdrop: warning: disk full\n" },
	{ "warn quiet", DD_QUIET, 0, emit_warn, "", "dockdrop: warning: disk full\n" },
	{ "fail", DD_NORMAL, 0, emit_fail, "", "dockdrop: bad input\n" },
	{ "info", DD_NORMAL, 0, emit_info, "step 2\n", "" },
	{ "info verbose", DD_VERBOSE, 0, emit_info, "step 2\n", "" },
	{ "info quiet", DD_QUIET, 0, emit_info, "", "" },
	{ "debug", DD_NORMAL, 0, emit_debug, "", "" },
	{ "debug quiet", DD_QUIET, 0, emit_debug, "", "" },
	{ "debug verbose", DD_VERBOSE, 0, emit_debug, "", "dockdrop: debug: x=y\n" },
	{ "progress no tty", DD_NORMAL, 0, emit_progress, "", "" },
	{ "progress tty", DD_NORMAL, 1, emit_progress, "", "\r50%\033[K\r\033[K" },
	{ "progress tty quiet", DD_QUIET, 1, emit_progress, "", "" },
	{ "progress then err", DD_NORMAL, 1, emit_progress_err, "",
	  "\r50%\033[K\r\033[Kdockdrop: oops\ndockdrop: again\n" },
	{ "progress then err no tty", DD_NORMAL, 0, emit_progress_err, "",
	  "dockdrop: oops\ndockdrop: again\n" },
	{ "progress then info", DD_NORMAL, 1, emit_progress_info, "i\n", "\rp\033[K\r\033[K" },
	{ "progress escaped", DD_NORMAL, 1, emit_progress_escaped, "",
	  "\ra\\x0ab\\x0dc\033[K\r\033[K" },
};

TEST(output_table)
{
	unsigned i;

	for (i = 0; i < sizeof output_cases / sizeof output_cases[0]; i++) {
		char out[512], err[512];
		int rc;

		dd_log_set_verbosity(output_cases[i].verbosity);
		dd_log_set_tty(output_cases[i].tty);
		fail_rc = -1;
		rc = t_capture(output_cases[i].fn, out, sizeof out, err, sizeof err);
		dd_log_set_verbosity(DD_NORMAL);
		dd_log_set_tty(0);
		CHECKF(rc == 0, "%s: capture failed", output_cases[i].name);
		CHECKF(strcmp(out, output_cases[i].out) == 0, "%s: stdout '%s'",
		       output_cases[i].name, out);
		CHECKF(strcmp(err, output_cases[i].err) == 0, "%s: stderr '%s'",
		       output_cases[i].name, err);
		if (output_cases[i].fn == emit_fail)
			CHECKF(fail_rc == 3, "fail returned %d", fail_rc);
	}
}

TEST(verbosity_accessors)
{
	static const int levels[] = { DD_QUIET, DD_VERBOSE, DD_NORMAL };
	unsigned i;

	for (i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		dd_log_set_verbosity(levels[i]);
		CHECKF(dd_log_verbosity() == levels[i], "level %d", levels[i]);
	}
	dd_log_set_verbosity(DD_NORMAL);
}

/* Long and control-laden messages are still exactly one bounded line. */
static void emit_long(void)
{
	char big[3000];

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	dd_err("%s", big);
}
static void emit_controls(void)
{
	char big[600];

	memset(big, '\n', sizeof big - 1);
	big[sizeof big - 1] = 0;
	dd_warn("%s", big);
}

TEST(long_messages_one_line)
{
	static void (*const fns[])(void) = { emit_long, emit_controls };
	unsigned i;

	for (i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		char out[64], err[8192];
		size_t len;

		CHECK(t_capture(fns[i], out, sizeof out, err, sizeof err) == 0);
		len = strlen(err);
		CHECKF(strcmp(out, "") == 0, "fn %u: stdout", i);
		CHECKF(strncmp(err, "dockdrop: ", 10) == 0, "fn %u: prefix", i);
		CHECKF(len > 4 && strcmp(err + len - 4, "...\n") == 0, "fn %u: end '%s'", i,
		       len > 10 ? err + len - 10 : err);
		CHECKF(strchr(err, '\n') == err + len - 1, "fn %u: more than one line", i);
		CHECKF(len <= 1024 + 30, "fn %u: %zu bytes", i, len);
	}
}

int main(void)
{
	RUN(escape_table);
	RUN(escape_cut_never_overflows);
	RUN(escape_fitting_not_cut);
	RUN(output_table);
	RUN(verbosity_accessors);
	RUN(long_messages_one_line);
	T_EXIT();
}
