#include <stdio.h>

#include <zlib.h>

#include "buildinfo.h"
#include "cmd/cmd.h"

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	struct dd_args args;
	int rc = dd_cli_parse(self, NULL, 0, argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	printf("dockdrop %s\n", DD_VERSION);
	printf("commit   %s\n", DD_COMMIT);
	printf("BearSSL  %s\n", DD_BEARSSL_VERSION);
	printf("zlib     %s\n", zlibVersion());
	return fflush(stdout) == 0 ? 0 : 1;
}

const struct dd_cmd dd_cmd_version = {
	"version", "version", "",
	"Print dockdrop's version, the commit it was built from and the libraries linked in.", 0,
	0, run, NULL
};
