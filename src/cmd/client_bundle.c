#include "cmd/cmd.h"

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	const char *out = NULL, *root = NULL;
	const struct dd_opt opts[] = {
		{ "output", 'o', DD_OPT_STR, &out, "FILE",
		  "write the bundle to FILE (dockdrop-client.tar.gz)", 0, 0, NULL },
		{ "root", 0, DD_OPT_STR, &root, "DIR", "take the certificates from the image tree DIR",
		  0, 0, NULL },
	};

	return dd_cli_not_implemented(self, opts, DD_NOPTS(opts), argc, argv);
}

const struct dd_cmd dd_cmd_client_bundle = {
	"client-bundle", "client-bundle", "",
	"Write the client side: ca.pem cert.pem key.pem, an env file and a docker context.", 0, 0,
	run, NULL
};
