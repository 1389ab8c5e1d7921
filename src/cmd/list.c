#include "cmd/cmd.h"

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	int json = 0;
	const struct dd_opt opts[] = {
		{ "json", 0, DD_OPT_FLAG, &json, NULL, "print the list as JSON", 0, 0, NULL },
	};

	return dd_cli_not_implemented(self, opts, DD_NOPTS(opts), argc, argv);
}

const struct dd_cmd dd_cmd_list = {
	"list", "list", "", "List the embedded components.", 0, 0, run, NULL
};
