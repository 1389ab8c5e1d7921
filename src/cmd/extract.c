#include "cmd/cmd.h"

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	return dd_cli_not_implemented(self, NULL, 0, argc, argv);
}

const struct dd_cmd dd_cmd_extract = {
	"extract", "extract", "DIR",
	"Verify and unpack the embedded engine into DIR without installing it.", 1, 1, run, NULL
};
