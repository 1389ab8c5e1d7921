/* dockdrop: an offline Docker installer with a tiny CA. See DESIGN.md for the surface. */
#include <string.h>

#include "cmd/cmd.h"
#include "util/interrupt.h"
#include "util/log.h"

static const struct dd_cmd *const commands[] = {
	&dd_cmd_install, &dd_cmd_status,  &dd_cmd_uninstall,     &dd_cmd_verify,
	&dd_cmd_list,	 &dd_cmd_extract, &dd_cmd_ca,		&dd_cmd_certs,
	&dd_cmd_client_bundle, &dd_cmd_bundle, &dd_cmd_version, &dd_cmd_azure_handler, NULL,
};

const struct dd_cmd dd_cmd_root = {
	"dockdrop", "", "",
	"Install Docker offline from this one file, with a CA and mutual TLS on port 2376.", 0, 0,
	NULL, commands
};

int main(int argc, char **argv)
{
	static char version_word[] = "version";
	char *version_argv[] = { version_word, NULL };

	int rc;

	dd_log_init();
	dd_interrupt_init();
	if (argc == 2 && strcmp(argv[1], "--version") == 0)
		rc = dd_cli_run(&dd_cmd_version, 1, version_argv);
	else
		rc = dd_cli_run(&dd_cmd_root, argc, argv);
	dd_interrupt_finish();
	return rc;
}
