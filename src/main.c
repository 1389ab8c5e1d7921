/* dockdrop: an offline Docker installer with a tiny CA. See DESIGN.md for the surface; the
 * command table is cmd/root.c. */
#include <string.h>

#include "cmd/cmd.h"
#include "util/interrupt.h"
#include "util/log.h"

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
