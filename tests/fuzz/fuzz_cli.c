/* libFuzzer harness for the option parser: the input is split on NUL bytes into argv words
 * and run through a command group with a leaf of every option type. The parser must never
 * crash, and whatever it accepts must respect the table (ranges, choices, counts). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/cli.h"
#include "util/log.h"

static int is_one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return 1;
	return 0;
}

static int run_leaf(const struct dd_cmd *self, int argc, char **argv)
{
	static const char *const choices[] = { "auto", "systemd", "none", NULL };
	struct dd_list list = { .n = 0 };
	struct dd_args args;
	const char *str = NULL, *choice = NULL;
	unsigned long port = 2376;
	int flag = 0, rc;
	const struct dd_opt opts[] = {
		{ "flag", 'f', DD_OPT_FLAG, &flag, NULL, "a flag", 0, 0, NULL },
		{ "str", 's', DD_OPT_STR, &str, "S", "a string", 0, 0, NULL },
		{ "list", 'l', DD_OPT_LIST, &list, "L", "a list", 0, 0, NULL },
		{ "port", 'p', DD_OPT_UINT, &port, "N", "a number", 1, 65535, NULL },
		{ "init", 0, DD_OPT_CHOICE, &choice, "C", "a choice", 0, 0, "auto|systemd|none" },
	};

	rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args);
	if (rc != DD_CLI_CONTINUE && rc != DD_EXIT_OK && rc != DD_EXIT_USAGE)
		abort();
	if (rc != DD_CLI_CONTINUE)
		return rc;
	if (args.n < self->min_args || args.n > self->max_args || list.n > DD_LIST_MAX)
		abort();
	if (port < 1 || port > 65535 || (str && !*str) || (choice && !is_one_of(choice, choices)))
		abort();
	return 0;
}

static const struct dd_cmd leaf_a = { "a", "g a", "X [Y]", "leaf a", 1, 2, run_leaf, NULL };
static const struct dd_cmd leaf_b = { "b", "g b", "", "leaf b", 0, 0, run_leaf, NULL };
static const struct dd_cmd *const group_sub[] = { &leaf_a, &leaf_b, NULL };
static const struct dd_cmd group = { "g", "g", "", "a group", 0, 0, NULL, group_sub };
static const struct dd_cmd *const root_sub[] = { &group, &leaf_b, NULL };
static const struct dd_cmd root = { "fuzz", "", "", "root", 0, 0, NULL, root_sub };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[4096 + 1], *argv[34];
	int argc = 1, rc;
	size_t i, start = 0;

	if (size > sizeof buf - 1)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	argv[0] = (char *)"fuzz";
	for (i = 0; i <= size && argc < 33; i++) {
		if (buf[i] == 0) {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	rc = dd_cli_run(&root, argc, argv);
	dd_log_set_verbosity(DD_NORMAL);
	if (rc != 0 && rc != DD_EXIT_USAGE)
		abort();
	return 0;
}
