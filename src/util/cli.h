/* Command-line handling as data: a command is a struct, its options a table; the parser
 * validates values (numbers in range, choices, no repeats, no empty strings, no control
 * characters) so that bad input exits 2 with one line before any command code runs, and
 * --help is generated from the same table so it can never miss an option. -h/--help, -v/--verbose and -q/--quiet
 * are understood by every command. */
#ifndef DD_CLI_H
#define DD_CLI_H

#include <stddef.h>

#define DD_LIST_MAX 32
#define DD_ARGS_MAX 8
/* Returned by dd_cli_parse when the command should go on. */
#define DD_CLI_CONTINUE (-1)

enum dd_opt_type {
	DD_OPT_FLAG,   /* int *: set to 1 */
	DD_OPT_STR,    /* const char **: non-empty, given at most once */
	DD_OPT_LIST,   /* struct dd_list *: repeatable */
	DD_OPT_UINT,   /* unsigned long *: decimal within [min, max], at most once */
	DD_OPT_CHOICE, /* const char **: one of "a|b|c", at most once */
};

struct dd_list {
	const char *v[DD_LIST_MAX];
	unsigned n;
};

struct dd_args {
	const char *v[DD_ARGS_MAX];
	unsigned n;
};

struct dd_opt {
	const char *name; /* long name, without "--" */
	char shortname;   /* 0 when none */
	enum dd_opt_type type;
	void *dst;
	const char *metavar; /* value name in --help; NULL for flags */
	const char *help;
	unsigned min, max;	/* DD_OPT_UINT (4 bytes each: a table entry is 56 bytes, not 64) */
	const char *choices;    /* DD_OPT_CHOICE */
};

struct dd_cmd {
	const char *name;    /* the word on the command line */
	const char *path;    /* the whole command, for messages: "ca issue server" */
	const char *args;    /* positional synopsis for --help ("" for none) */
	const char *summary; /* one line for listings and --help */
	unsigned char min_args, max_args;
	/* A leaf runs; a group (run == NULL) dispatches to sub, a NULL-terminated list. */
	int (*run)(const struct dd_cmd *self, int argc, char **argv);
	const struct dd_cmd *const *sub;
};

/* Run a command (argv[0] is its own word). Returns the exit code. */
int dd_cli_run(const struct dd_cmd *cmd, int argc, char **argv);

/* Parse a leaf's argv[1..] against opts (nopts entries). Returns DD_CLI_CONTINUE to go on,
 * DD_EXIT_OK after printing --help, DD_EXIT_USAGE after printing one error line. */
int dd_cli_parse(const struct dd_cmd *self, const struct dd_opt *opts, unsigned nopts,
		 int argc, char **argv, struct dd_args *args);

/* --help's tables in the other forms of cmd/doc.c: every command under root as DD_DOC_MAN
 * (a man(7) page's commands, root's options and exit status) or DD_DOC_SH (a shell case arm
 * each, listing the command's words for the completion scripts), appended to buf at n.
 * Each leaf runs with argc 0, and its dd_cli_parse writes its table instead of parsing
 * (DD_EXIT_OK): the documents cannot miss an option either, as long as a leaf parses before
 * it does anything else. The new length, or cap when it did not fit. */
enum { DD_DOC_MAN = 1, DD_DOC_SH };
size_t dd_cli_doc(const struct dd_cmd *root, int form, char *buf, size_t n, size_t cap);

/* For a leaf not built yet: parse, then say so and return 1. */
int dd_cli_not_implemented(const struct dd_cmd *self, const struct dd_opt *opts,
			   unsigned nopts, int argc, char **argv);

#define DD_NOPTS(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

#endif
