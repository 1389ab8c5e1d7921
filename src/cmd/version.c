#include <stdio.h>

#include "buildinfo.h"
#include "bundle/payload.h"
#include "cmd/cmd.h"

/* dockdrop's version and commit, what the stub is built from (compiled in), and what its
 * payload carries: each blob and what it is built from, as list and verify print them. */
static int run(const struct dd_cmd *self, int argc, char **argv)
{
	static struct dd_manifest own;
	static struct dd_payload p;
	struct dd_args args;
	int rc = dd_cli_parse(self, NULL, 0, argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	printf("dockdrop %s\ncommit   %s\n", DD_VERSION, DD_COMMIT);
	dd_manifest_own_parts(&own);
	dd_list_parts(NULL, &own, DD_STUB_PARTS);
	if (dd_payload_open(&p, NULL) == 0)
		for (unsigned i = 0; i < p.m.nblobs; i++) {
			const struct dd_blob *b = &p.m.blob[i];

			printf("%-8s %s %s %s\n", b->kind, b->name, b->version, b->arch);
			dd_list_parts(NULL, &p.m, i);
		}
	dd_payload_close(&p);
	return fflush(stdout) == 0 ? 0 : 1;
}

const struct dd_cmd dd_cmd_version = {
	"version", "version", "",
	"Print dockdrop's version, the commit it was built from, what it is built from (musl, "
	"BearSSL, zlib) and what its payload carries (the engine and its sources).", 0,
	0, run, NULL
};
