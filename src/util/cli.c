#include "util/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"

static int verbose_flag, quiet_flag, help_flag;

static const struct dd_opt common_opts[] = {
	{ "help", 'h', DD_OPT_FLAG, &help_flag, NULL, "show this help and exit", 0, 0, NULL },
	{ "verbose", 'v', DD_OPT_FLAG, &verbose_flag, NULL, "say more about each step", 0, 0, NULL },
	{ "quiet", 'q', DD_OPT_FLAG, &quiet_flag, NULL, "print only warnings and errors", 0, 0, NULL },
};

/* One line: "dockdrop: PATH: WHAT; see 'dockdrop PATH --help'". */
static int usage_error(const struct dd_cmd *c, const char *fmt, const char *arg)
{
	char what[200];

	snprintf(what, sizeof what, fmt, arg);
	dd_err("%s%s%s; see 'dockdrop%s%s --help'", c->path, *c->path ? ": " : "", what,
	       *c->path ? " " : "", c->path);
	return DD_EXIT_USAGE;
}

/* Where the documents made from --help's tables go (form DD_DOC_MAN or DD_DOC_SH); with
 * form 0, --help goes to stdout. */
static struct {
	char *p;
	size_t n, cap; /* n past cap when it did not fit */
	int form;
} doc;

static void put(const char *fmt, ...)
{
	size_t room = doc.n < doc.cap ? doc.cap - doc.n : 0;
	va_list ap;

	va_start(ap, fmt);
	if (!doc.form)
		vprintf(fmt, ap);
	else
		doc.n += (size_t)vsnprintf(room ? doc.p + doc.n : NULL, room, fmt, ap);
	va_end(ap);
}

/* Each part of --help in the three forms: [0] --help, [DD_DOC_MAN] the man page (man(7)),
 * [DD_DOC_SH] a case arm of the completion scripts listing the command's words (its
 * subcommands, its argument, its options as "--name", "--name=" taking a value,
 * "--name=a|b" with choices; the arm before it ends where it begins). The arguments are
 * the same in every form; what a form leaves out is skipped with "%.0s", or comes after
 * its last directive. */
enum { G_HEAD, G_SUB, G_TAIL, L_HEAD, OPT, EXITS, PARTS };
static const char *const form[3][PARTS] = {
	{ "Usage: dockdrop%s%s COMMAND [options]\n\n%s\n\nCommands:\n", "  %-16s %s\n",
	  "\nRun 'dockdrop%s%s COMMAND --help' for a command's options.\n\nOptions:\n",
	  "Usage: dockdrop %s [options]%s%s\n\n%s\n\nOptions:\n", "%-30s %s%s\n",
	  "\nExit codes: %s\n" },
	{ ".SH OPTIONS\nEvery command takes these.\n", "", "",
	  ".SS \"dockdrop %s [options]%s%s\"\n%s\n", ".TP\n.B %s\n%s%s\n",
	  ".SH EXIT STATUS\n%s\n" },
	{ "%.0s';;\n'%s') o=' ", "%s ", "", "';;\n'%s') o=' %.0s%s ", "%.0s%.0s%.0s--%s%s%s ",
	  "" },
};

static void print_opt(const struct dd_opt *o)
{
	char left[64];
	int n;

	n = snprintf(left, sizeof left, "  %c%c%s--%s", o->shortname ? '-' : ' ',
		     o->shortname ? o->shortname : ' ', o->shortname ? ", " : "  ", o->name);
	if (o->metavar && n > 0 && (size_t)n < sizeof left)
		snprintf(left + n, sizeof left - (size_t)n, " %s", o->metavar);
	put(form[doc.form][OPT], left + (doc.form == DD_DOC_MAN) * strspn(left, " "), o->help,
	    o->type == DD_OPT_LIST ? " (repeatable)" : "", o->name,
	    o->type == DD_OPT_FLAG ? "" : "=", o->choices ? o->choices : "");
}

/* --help, or in a document one command; the man page has no group but root, whose
 * options (every command's) come last, after the commands. */
static void print_help(const struct dd_cmd *c, const struct dd_opt *opts, unsigned nopts)
{
	const char *const *f = form[doc.form];
	const char *sp = *c->path ? " " : "";
	unsigned i, n = nopts + DD_NOPTS(common_opts);

	if (doc.form == DD_DOC_MAN && *c->path) {
		if (c->sub)
			return;
		n = nopts;
	}
	if (c->sub) {
		put(f[G_HEAD], sp, c->path, c->summary);
		for (i = 0; c->sub[i]; i++)
			put(f[G_SUB], c->sub[i]->name, c->sub[i]->summary);
		put(f[G_TAIL], sp, c->path);
	} else {
		put(f[L_HEAD], c->path, *c->args ? " " : "", c->args, c->summary);
	}
	for (i = 0; i < n; i++)
		print_opt(i < nopts ? &opts[i] : &common_opts[i - nopts]);
	if (!*c->path)
		put(f[EXITS], "0 ok, 1 operation failed, 2 usage or bad input (nothing changed), "
			      "3 verification failed (nothing changed).");
}

/* Leaves first, each group after its own: in the man page root's options and the exit
 * status follow the commands. */
static void walk(const struct dd_cmd *c)
{
	static char *argv[] = { NULL };

	if (!c->sub) {
		c->run(c, 0, argv);
		return;
	}
	for (unsigned i = 0; c->sub[i]; i++)
		walk(c->sub[i]);
	print_help(c, NULL, 0);
}

size_t dd_cli_doc(const struct dd_cmd *root, int f, char *buf, size_t n, size_t cap)
{
	doc.form = f;
	doc.p = buf;
	doc.n = n;
	doc.cap = cap;
	walk(root);
	doc.form = 0;
	return doc.n < cap ? doc.n : cap;
}

static int parse_uint(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned long d = (unsigned long)(*s - '0');

		if (*s < '0' || *s > '9' || v > (~0UL - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int is_choice(const char *choices, const char *v)
{
	size_t len = strlen(v);

	while (*choices) {
		size_t n = strcspn(choices, "|");

		if (n == len && memcmp(choices, v, n) == 0)
			return 1;
		choices += n + (choices[n] == '|');
	}
	return 0;
}

/* Store a value for o; seen[] tracks single-use options. */
static int store(const struct dd_cmd *c, const struct dd_opt *o, const char *val,
		 unsigned char *seen)
{
	char name[72];

	snprintf(name, sizeof name, "--%s", o->name);
	if (o->type == DD_OPT_FLAG) {
		*(int *)o->dst = 1;
		return 0;
	}
	if (!*val)
		return usage_error(c, "option '%s' needs a non-empty value", name);
	/* Values end up in one-line records, messages and files read line by line: a
	 * newline or tab in one (pretty JSON pasted into --daemon-opt, say) is refused here
	 * rather than written where it cannot be read back. */
	for (const char *p = val; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f) {
			char what[120];

			/* the message escapes the value's control bytes: it stays one line */
			snprintf(what, sizeof what, "%s '%.40s'", name, val);
			return usage_error(c, "option %s holds a control character: give it on one line", what);
		}
	if (o->type == DD_OPT_LIST) {
		struct dd_list *l = o->dst;

		if (l->n >= DD_LIST_MAX)
			return usage_error(c, "option '%s' given too many times", name);
		l->v[l->n++] = val;
		return 0;
	}
	if (*seen)
		return usage_error(c, "option '%s' given twice", name);
	*seen = 1;
	if (o->type == DD_OPT_STR) {
		*(const char **)o->dst = val;
	} else if (o->type == DD_OPT_CHOICE) {
		if (!is_choice(o->choices, val)) {
			dd_err("%s: %s must be one of %s, not '%s'", c->path, name, o->choices, val);
			return DD_EXIT_USAGE;
		}
		*(const char **)o->dst = val;
	} else {
		unsigned long v;

		if (parse_uint(val, &v) < 0 || v < o->min || v > o->max) {
			dd_err("%s: %s must be a number from %u to %u, not '%s'", c->path, name,
			       o->min, o->max, val);
			return DD_EXIT_USAGE;
		}
		*(unsigned long *)o->dst = v;
	}
	return 0;
}

static const struct dd_opt *find_long(const struct dd_opt *opts, unsigned nopts,
				      const char *name, size_t len, unsigned *idx)
{
	unsigned i;

	for (i = 0; i < nopts + DD_NOPTS(common_opts); i++) {
		const struct dd_opt *o = i < nopts ? &opts[i] : &common_opts[i - nopts];

		if (strlen(o->name) == len && memcmp(o->name, name, len) == 0) {
			*idx = i;
			return o;
		}
	}
	return NULL;
}

static const struct dd_opt *find_short(const struct dd_opt *opts, unsigned nopts, char ch,
				       unsigned *idx)
{
	unsigned i;

	for (i = 0; i < nopts + DD_NOPTS(common_opts); i++) {
		const struct dd_opt *o = i < nopts ? &opts[i] : &common_opts[i - nopts];

		if (o->shortname && o->shortname == ch) {
			*idx = i;
			return o;
		}
	}
	return NULL;
}

/* Parse options; positional words go to args (NULL: none allowed here, stop at the first
 * one and report its index through *stop). */
static int parse(const struct dd_cmd *c, const struct dd_opt *opts, unsigned nopts, int argc,
		 char **argv, struct dd_args *args, int *stop)
{
	unsigned char seen[64] = { 0 };
	int i, dashdash = 0;

	/* Each parse starts clean; what -v/-q said earlier stays in the log level. */
	help_flag = verbose_flag = quiet_flag = 0;
	if (nopts + DD_NOPTS(common_opts) > sizeof seen)
		return usage_error(c, "%s", "too many options in table");
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct dd_opt *o;
		unsigned idx;
		int rc;

		if (dashdash || a[0] != '-' || a[1] == 0) {
			if (!args) {
				*stop = i;
				break;
			}
			if (args->n >= DD_ARGS_MAX || args->n >= c->max_args)
				return usage_error(c, "unexpected argument '%s'", a);
			args->v[args->n++] = a;
			continue;
		}
		if (a[1] == '-' && a[2] == 0) {
			dashdash = 1;
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);

			o = find_long(opts, nopts, a + 2, len, &idx);
			if (!o) {
				char name[80];

				snprintf(name, sizeof name, "--%.*s", (int)(len > 64 ? 64 : len), a + 2);
				return usage_error(c, "unknown option '%s'", name);
			}
			if (eq && o->type == DD_OPT_FLAG) {
				char name[72];

				snprintf(name, sizeof name, "--%s", o->name);
				return usage_error(c, "option '%s' takes no value", name);
			}
			val = eq ? eq + 1 : NULL;
		} else {
			o = find_short(opts, nopts, a[1], &idx);
			if (!o) {
				char name[3] = { '-', a[1], 0 };

				return usage_error(c, "unknown option '%s'", name);
			}
			if (a[2]) {
				if (o->type == DD_OPT_FLAG) {
					char name[3] = { '-', a[1], 0 };

					return usage_error(c, "option '%s' takes no value", name);
				}
				val = a + 2;
			}
		}
		if (o->type != DD_OPT_FLAG && !val) {
			char name[72];

			if (i + 1 >= argc) {
				snprintf(name, sizeof name, "--%s", o->name);
				return usage_error(c, "option '%s' needs a value", name);
			}
			val = argv[++i];
		}
		rc = store(c, o, val, &seen[idx]);
		if (rc)
			return rc;
		if (help_flag) {
			print_help(c, opts, nopts);
			return DD_EXIT_OK;
		}
	}
	if (quiet_flag)
		dd_log_set_verbosity(DD_QUIET);
	if (verbose_flag)
		dd_log_set_verbosity(DD_VERBOSE);
	return DD_CLI_CONTINUE;
}

int dd_cli_parse(const struct dd_cmd *self, const struct dd_opt *opts, unsigned nopts,
		 int argc, char **argv, struct dd_args *args)
{
	int rc;

	if (doc.form) { /* a document is being made: the table, not argv */
		print_help(self, opts, nopts);
		return DD_EXIT_OK;
	}
	args->n = 0;
	rc = parse(self, opts, nopts, argc, argv, args, NULL);
	if (rc != DD_CLI_CONTINUE)
		return rc;
	if (args->n < self->min_args)
		return usage_error(self, "missing argument %s", self->args);
	return DD_CLI_CONTINUE;
}

static int dispatch(const struct dd_cmd *c, int argc, char **argv)
{
	int stop = argc, rc, i;

	rc = parse(c, NULL, 0, argc, argv, NULL, &stop);
	if (rc != DD_CLI_CONTINUE)
		return rc;
	if (stop >= argc)
		return usage_error(c, "%s", "missing command");
	for (i = 0; c->sub[i]; i++)
		if (strcmp(c->sub[i]->name, argv[stop]) == 0)
			return dd_cli_run(c->sub[i], argc - stop, argv + stop);
	return usage_error(c, "unknown command '%s'", argv[stop]);
}

int dd_cli_run(const struct dd_cmd *cmd, int argc, char **argv)
{
	if (cmd->sub)
		return dispatch(cmd, argc, argv);
	return cmd->run(cmd, argc, argv);
}

int dd_cli_not_implemented(const struct dd_cmd *self, const struct dd_opt *opts,
			   unsigned nopts, int argc, char **argv)
{
	struct dd_args args;
	int rc = dd_cli_parse(self, opts, nopts, argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	return dd_fail(DD_EXIT_FAIL, "%s: not implemented yet", self->path);
}
