#include <stdio.h>
#include <string.h>

#include "bundle/payload.h"
#include "cmd/cmd.h"
#include "util/jsonout.h"
#include "util/log.h"

void dd_list_parts(struct dd_jw *w, const struct dd_manifest *m, unsigned bi)
{
	char hex[65];

	if (w)
		dd_jw_array(w, "built_from");
	for (unsigned j = 0; j < m->nparts; j++) {
		const struct dd_part *t = &m->part[j];

		if (t->blob != bi)
			continue;
		dd_hex(t->sha256, 32, hex);
		if (!w) {
			printf("  built from %s %s (Debian source %s, %s), source sha256 %s\n", t->name,
			       t->version, t->debver, t->license, hex);
			continue;
		}
		dd_jw_object(w, NULL);
		dd_jw_str(w, "name", t->name);
		dd_jw_str(w, "version", t->version);
		dd_jw_str(w, "debian_version", t->debver);
		dd_jw_str(w, "license", t->license);
		dd_jw_str(w, "source_sha256", hex);
		dd_jw_close(w);
	}
	if (w)
		dd_jw_close(w);
}

static void print_table(const struct dd_payload *p)
{
	char hex[65];

	dd_hex(p->m.stub_sha256, 32, hex);
	printf("%-8s %-16s %-12s %-8s %12s  %s\n%-8s %-16s %-12s %-8s %12llu  %s\n", "KIND", "NAME",
	       "VERSION", "ARCH", "SIZE", "SHA256", "stub", "dockdrop", "-", "-",
	       (unsigned long long)p->m.stub_size, hex);
	dd_list_parts(NULL, &p->m, DD_STUB_PARTS);
	for (unsigned i = 0; i < p->m.nblobs; i++) {
		const struct dd_blob *b = &p->m.blob[i];

		dd_hex(b->sha256, 32, hex);
		printf("%-8s %-16s %-12s %-8s %12llu  %s\n", b->kind, b->name, b->version, b->arch,
		       (unsigned long long)b->len, hex);
		if (b->raw_len) {
			dd_hex(b->raw_sha256, 32, hex);
			printf("  stored gzip-compressed: %llu bytes unpacked, sha256 %s\n",
			       (unsigned long long)b->raw_len, hex);
		}
		dd_list_parts(NULL, &p->m, i);
		for (unsigned j = 0; j < p->m.nrefs; j++)
			if (p->m.ref[j].blob == i) {
				dd_hex(p->m.ref[j].config, 32, hex);
				printf("  image %s id sha256:%s\n", p->m.ref[j].tag, hex);
			}
	}
}

static int print_json(const struct dd_payload *p)
{
	char hex[65];
	struct dd_jw w;

	dd_jw_init(&w, stdout);
	dd_jw_object(&w, NULL);
	dd_jw_bool(&w, "signed", p->t.sig_len != 0);
	dd_jw_str(&w, "authenticity", p->auth == DD_AUTH_VERIFIED ? "verified" : "not established");
	dd_hex(p->m.stub_sha256, 32, hex);
	dd_jw_object(&w, "stub");
	dd_jw_int(&w, "size", (long long)p->m.stub_size);
	dd_jw_str(&w, "sha256", hex);
	dd_list_parts(&w, &p->m, DD_STUB_PARTS);
	dd_jw_close(&w);
	dd_jw_array(&w, "components");
	for (unsigned i = 0; i < p->m.nblobs; i++) {
		const struct dd_blob *b = &p->m.blob[i];

		dd_hex(b->sha256, 32, hex);
		dd_jw_object(&w, NULL);
		dd_jw_str(&w, "kind", b->kind);
		dd_jw_str(&w, "name", b->name);
		dd_jw_str(&w, "version", b->version);
		dd_jw_str(&w, "arch", b->arch);
		dd_jw_int(&w, "size", (long long)b->len);
		dd_jw_str(&w, "sha256", hex);
		if (b->raw_len) {
			dd_hex(b->raw_sha256, 32, hex);
			dd_jw_int(&w, "raw_size", (long long)b->raw_len);
			dd_jw_str(&w, "raw_sha256", hex);
		}
		dd_list_parts(&w, &p->m, i);
		if (!strcmp(b->kind, "image"))
			dd_jw_array(&w, "images");
		for (unsigned j = 0; j < p->m.nrefs; j++)
			if (p->m.ref[j].blob == i) {
				dd_hex(p->m.ref[j].config, 32, hex);
				dd_jw_object(&w, NULL);
				dd_jw_str(&w, "tag", p->m.ref[j].tag);
				dd_jw_str(&w, "id", hex);
				dd_jw_close(&w);
			}
		if (!strcmp(b->kind, "image"))
			dd_jw_close(&w);
		dd_jw_close(&w);
	}
	dd_jw_close(&w);
	dd_jw_close(&w);
	return dd_jw_end(&w);
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
		return print_json(&p) == 0 ? 0 : DD_EXIT_FAIL;
	print_table(&p);
	return fflush(stdout) == 0 ? 0 : DD_EXIT_FAIL;
}

const struct dd_cmd dd_cmd_list = {
	"list", "list", "", "List the embedded components.", 0, 0, run, NULL
};
