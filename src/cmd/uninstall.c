#include "cmd/cmd.h"

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	const char *root = NULL;
	int purge = 0;
	const struct dd_opt opts[] = {
		{ "root", 0, DD_OPT_STR, &root, "DIR", "uninstall from the image tree at DIR", 0, 0,
		  NULL },
		{ "purge", 0, DD_OPT_FLAG, &purge, NULL,
		  "also remove /var/lib/docker, /etc/docker/tls and /etc/dockdrop", 0, 0, NULL },
	};

	return dd_cli_not_implemented(self, opts, DD_NOPTS(opts), argc, argv);
}

const struct dd_cmd dd_cmd_uninstall = {
	"uninstall", "uninstall", "",
	"Stop the services and remove exactly what dockdrop installed.", 0, 0, run, NULL
};
