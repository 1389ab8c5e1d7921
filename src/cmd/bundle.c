#include "cmd/cmd.h"

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	struct dd_list images = { .n = 0 };
	const char *engine = NULL, *sha256 = NULL, *sign_key = NULL, *out = NULL;
	const struct dd_opt opts[] = {
		{ "engine", 0, DD_OPT_STR, &engine, "FILE.tgz", "the engine tarball to carry", 0, 0,
		  NULL },
		{ "sha256", 0, DD_OPT_STR, &sha256, "HEX", "the engine's expected SHA-256", 0, 0,
		  NULL },
		{ "image", 0, DD_OPT_LIST, &images, "FILE.tar", "an image archive to carry", 0, 0,
		  NULL },
		{ "sign-key", 0, DD_OPT_STR, &sign_key, "KEY.pem",
		  "sign the manifest with this ECDSA P-256 key", 0, 0, NULL },
		{ "output", 'o', DD_OPT_STR, &out, "OUT", "the new dockdrop to write", 0, 0, NULL },
	};

	return dd_cli_not_implemented(self, opts, DD_NOPTS(opts), argc, argv);
}

const struct dd_cmd dd_cmd_bundle = {
	"bundle", "bundle", "",
	"Write a new self-contained dockdrop carrying other payloads.", 0, 0, run, NULL
};
