#include "cmd/cmd.h"

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	return dd_cli_not_implemented(self, NULL, 0, argc, argv);
}

const struct dd_cmd dd_cmd_verify = {
	"verify", "verify", "",
	"Check the embedded payload: trailer, manifest, signature and every digest.", 0, 0, run,
	NULL
};
