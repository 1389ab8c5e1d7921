#include <stdio.h>

#include "bundle/payload.h"
#include "bundle/unpack.h"
#include "cmd/cmd.h"
#include "util/log.h"

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	const char *file = NULL;
	const struct dd_opt opts[] = {
		{ "file", 'f', DD_OPT_STR, &file, "FILE",
		  "unpack from the bundle FILE instead of this program", 0, 0, NULL },
	};
	static struct dd_payload p;
	struct dd_unpack_stats st;
	const struct dd_blob *b;
	struct dd_args args;
	char err[600];
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if ((rc = dd_payload_open_checked(&p, file, "extract")))
		return rc;
	b = dd_payload_engine(&p);
	if (!b) {
		dd_payload_close(&p);
		return dd_fail(DD_EXIT_FAIL, "extract: the payload carries no engine");
	}
	rc = dd_unpack(&p, b, args.v[0], 0, &st, err, sizeof err);
	dd_payload_close(&p);
	if (rc)
		return dd_fail(rc, "extract: %s", err);
	dd_info("extracted %s %s (%s) into %s: %llu files, %llu bytes, SHA-256 verified", b->name,
		b->version, b->arch, args.v[0], (unsigned long long)st.files,
		(unsigned long long)st.bytes);
	return 0;
}

const struct dd_cmd dd_cmd_extract = {
	"extract", "extract", "DIR",
	"Verify and unpack the embedded engine into DIR without installing it.", 1, 1, run, NULL
};
