#include "cmd/cmd.h"

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	const char *root = NULL;
	int json = 0;
	const struct dd_opt opts[] = {
		{ "root", 0, DD_OPT_STR, &root, "DIR", "look at the image tree at DIR", 0, 0, NULL },
		{ "json", 0, DD_OPT_FLAG, &json, NULL, "print the status as JSON", 0, 0, NULL },
	};

	return dd_cli_not_implemented(self, opts, DD_NOPTS(opts), argc, argv);
}

const struct dd_cmd dd_cmd_status = {
	"status", "status", "",
	"Show the installed engine, services, daemon health and certificate expiry.", 0, 0, run,
	NULL
};
