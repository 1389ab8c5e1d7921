#include "bundle/writer.h"
#include "cmd/cmd.h"
#include "util/log.h"

/* The options write straight into the spec: one static table, no copy (a table built on
 * the stack at each call costs the stub its code, option by option). */
static struct dd_bundle_spec spec;
static struct dd_list images, plugins;
static const struct dd_opt opts[] = {
	{ "engine", 0, DD_OPT_STR, &spec.engine, "FILE.tgz", "the engine tarball to carry", 0, 0,
	  NULL },
	{ "sha256", 0, DD_OPT_STR, &spec.sha256, "HEX",
	  "the engine's expected SHA-256 (needed unless pinned in engines.lock)", 0, 0, NULL },
	{ "engine-version", 0, DD_OPT_STR, &spec.engine_version, "VERSION",
	  "the engine's version, when neither the pin nor the name docker-VERSION.tgz says", 0,
	  0, NULL },
	{ "engine-parts", 0, DD_OPT_STR, &spec.engine_parts, "FILE",
	  "the engine's sources, one a line: NAME VERSION DEBVERSION LICENSE SHA256", 0, 0,
	  NULL },
	{ "image", 0, DD_OPT_LIST, &images, "FILE.tar",
	  "an image archive (docker save) to carry", 0, 0, NULL },
	{ "plugin", 0, DD_OPT_LIST, &plugins, "FILE",
	  "a Docker CLI plugin: docker-NAME, or docker-NAME.gz kept compressed", 0, 0, NULL },
	{ "iptables", 0, DD_OPT_STR, &spec.iptables, "FILE.tgz",
	  "the static iptables to carry (make builds it in build/carry; default: the one "
	  "this program carries)", 0, 0, NULL },
	{ "no-iptables", 0, DD_OPT_FLAG, &spec.no_iptables, NULL,
	  "carry no iptables (dockerd then needs the host's)", 0, 0, NULL },
	{ "sign-key", 0, DD_OPT_STR, &spec.sign_key, "KEY.pem",
	  "sign the manifest with this ECDSA P-256 key", 0, 0, NULL },
	{ "output", 'o', DD_OPT_STR, &spec.out, "OUT", "the new dockdrop to write", 0, 0, NULL },
};

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	struct dd_args args;
	char err[700];
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if (!spec.engine || !spec.out)
		return dd_fail(DD_EXIT_USAGE, "bundle: %s is required; see 'dockdrop bundle --help'",
			       !spec.engine ? "--engine" : "-o OUT");
	if (spec.iptables && spec.no_iptables)
		return dd_fail(DD_EXIT_USAGE, "bundle: --iptables and --no-iptables exclude each other");
	spec.images = images.v;
	spec.nimages = images.n;
	spec.plugins = plugins.v;
	spec.nplugins = plugins.n;
	rc = dd_bundle_write(&spec, err, sizeof err);
	if (rc)
		return dd_fail(rc, "bundle: %s", err);
	dd_info("wrote %s (engine %s%s%s)", spec.out, spec.engine, images.n ? " and images" : "",
		spec.sign_key ? ", signed" : "");
	return 0;
}

const struct dd_cmd dd_cmd_bundle = {
	"bundle", "bundle", "",
	"Write a new self-contained dockdrop carrying other payloads.", 0, 0, run, NULL
};
