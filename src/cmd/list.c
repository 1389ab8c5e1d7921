#include <stdio.h>

#include "bundle/payload.h"
#include "cmd/cmd.h"
#include "util/log.h"

static void print_table(const struct dd_payload *p)
{
	char hex[65];

	printf("%-8s %-16s %-12s %-8s %12s  %s\n", "KIND", "NAME", "VERSION", "ARCH", "SIZE",
	       "SHA256");
	for (unsigned i = 0; i < p->m.nblobs; i++) {
		const struct dd_blob *b = &p->m.blob[i];

		dd_hex(b->sha256, 32, hex);
		printf("%-8s %-16s %-12s %-8s %12llu  %s\n", b->kind, b->name, b->version, b->arch,
		       (unsigned long long)b->len, hex);
	}
}

/* Manifest fields are limited to [A-Za-z0-9._:@+/-]: they need no JSON escaping. */
static void print_json(const struct dd_payload *p)
{
	char hex[65];

	printf("{\"signed\":%s,\"authenticity\":\"%s\",\"components\":[",
	       p->t.sig_len ? "true" : "false",
	       p->auth == DD_AUTH_VERIFIED ? "verified" : "not established");
	for (unsigned i = 0; i < p->m.nblobs; i++) {
		const struct dd_blob *b = &p->m.blob[i];

		dd_hex(b->sha256, 32, hex);
		printf("%s{\"kind\":\"%s\",\"name\":\"%s\",\"version\":\"%s\",\"arch\":\"%s\","
		       "\"size\":%llu,\"sha256\":\"%s\"}",
		       i ? "," : "", b->kind, b->name, b->version, b->arch,
		       (unsigned long long)b->len, hex);
	}
	printf("]}\n");
}

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	int json = 0;
	const char *file = NULL;
	const struct dd_opt opts[] = {
		{ "json", 0, DD_OPT_FLAG, &json, NULL, "print the list as JSON", 0, 0, NULL },
		{ "file", 'f', DD_OPT_STR, &file, "FILE",
		  "list the bundle FILE instead of this program", 0, 0, NULL },
	};
	static struct dd_payload p;
	struct dd_args args;
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if ((rc = dd_payload_open_cmd(&p, file, "list")))
		return rc;
	dd_payload_close(&p);
	if (json)
		print_json(&p);
	else
		print_table(&p);
	return fflush(stdout) == 0 ? 0 : DD_EXIT_FAIL;
}

const struct dd_cmd dd_cmd_list = {
	"list", "list", "", "List the embedded components.", 0, 0, run, NULL
};
