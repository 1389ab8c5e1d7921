#include "bundle/writer.h"
#include "cmd/cmd.h"
#include "util/log.h"

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	struct dd_list images = { .n = 0 }, plugins = { .n = 0 };
	const char *engine = NULL, *sha256 = NULL, *sign_key = NULL, *out = NULL, *ver = NULL;
	const char *iptables = NULL;
	int no_iptables = 0;
	const struct dd_opt opts[] = {
		{ "engine", 0, DD_OPT_STR, &engine, "FILE.tgz", "the engine tarball to carry", 0, 0,
		  NULL },
		{ "sha256", 0, DD_OPT_STR, &sha256, "HEX",
		  "the engine's expected SHA-256 (needed unless pinned in engines.lock)", 0, 0, NULL },
		{ "engine-version", 0, DD_OPT_STR, &ver, "VERSION",
		  "the engine's version, when neither the pin nor the name docker-VERSION.tgz says", 0,
		  0, NULL },
		{ "image", 0, DD_OPT_LIST, &images, "FILE.tar",
		  "an image archive (docker save) to carry", 0, 0, NULL },
		{ "plugin", 0, DD_OPT_LIST, &plugins, "FILE",
		  "a Docker CLI plugin: docker-NAME, or docker-NAME.gz kept compressed", 0, 0, NULL },
		{ "iptables", 0, DD_OPT_STR, &iptables, "FILE.tgz",
		  "the static iptables to carry (make builds it in build/carry; default: the one "
		  "this program carries)", 0, 0, NULL },
		{ "no-iptables", 0, DD_OPT_FLAG, &no_iptables, NULL,
		  "carry no iptables (dockerd then needs the host's)", 0, 0, NULL },
		{ "sign-key", 0, DD_OPT_STR, &sign_key, "KEY.pem",
		  "sign the manifest with this ECDSA P-256 key", 0, 0, NULL },
		{ "output", 'o', DD_OPT_STR, &out, "OUT", "the new dockdrop to write", 0, 0, NULL },
	};
	struct dd_bundle_spec spec = { 0 };
	struct dd_args args;
	char err[700];
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if (!engine || !out)
		return dd_fail(DD_EXIT_USAGE, "bundle: %s is required; see 'dockdrop bundle --help'",
			       !engine ? "--engine" : "-o OUT");
	if (iptables && no_iptables)
		return dd_fail(DD_EXIT_USAGE, "bundle: --iptables and --no-iptables exclude each other");
	spec = (struct dd_bundle_spec){ .engine = engine, .sha256 = sha256, .engine_version = ver,
					.images = images.v, .nimages = images.n,
					.iptables = iptables, .no_iptables = no_iptables,
					.plugins = plugins.v, .nplugins = plugins.n,
					.sign_key = sign_key, .out = out };
	rc = dd_bundle_write(&spec, err, sizeof err);
	if (rc)
		return dd_fail(rc, "bundle: %s", err);
	dd_info("wrote %s (engine %s%s%s)", out, engine, images.n ? " and images" : "",
		sign_key ? ", signed" : "");
	return 0;
}

const struct dd_cmd dd_cmd_bundle = {
	"bundle", "bundle", "",
	"Write a new self-contained dockdrop carrying other payloads.", 0, 0, run, NULL
};
