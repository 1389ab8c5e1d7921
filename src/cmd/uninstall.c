/* dockdrop uninstall [--purge]: the options, then host/uninstall.h removes what the state
 * record lists. */
#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"
#include "host/uninstall.h"
#include "util/log.h"
#include "host/root.h"

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	static struct dd_uninstall u; /* big (daemon.json, two records): once per run */
	const char *root = NULL;
	const struct dd_opt opts[] = {
		{ "root", 0, DD_OPT_STR, &root, "DIR", "uninstall from the image tree at DIR", 0, 0,
		  NULL },
		{ "purge", 0, DD_OPT_FLAG, &u.purge, NULL,
		  "also remove the daemons' data, the certificates, the CA and the docker group", 0, 0,
		  NULL },
	};
	struct dd_args args;
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if (root && dd_root_set(root) != 0)
		return dd_fail(DD_EXIT_USAGE, "uninstall: --root %s: %m", root);
	u.image = root != NULL;
	return dd_uninstall_run(&u);
}

const struct dd_cmd dd_cmd_uninstall = {
	"uninstall", "uninstall", "",
	"Stop the services and remove exactly what dockdrop installed.", 0, 0, run, NULL
};
