#include <stdio.h>
#include <string.h>

#include "bundle/payload.h"
#include "cmd/cmd.h"
#include "util/log.h"

/* Blob bi (DD_STUB_PARTS: the stub) and, when it matches, what it is built from. */
static int check_blob(struct dd_payload *p, unsigned bi, const char *what, const char *label,
		      uint64_t off, uint64_t len, const unsigned char want[32])
{
	unsigned char got[32];
	char hex[65];

	if (dd_payload_hash_range(p, off, len, got) != 0)
		return dd_fail(DD_EXIT_FAIL, "verify: %s: %s: read failed: %m", p->path, what);
	dd_hex(want, 32, hex);
	if (memcmp(got, want, 32) != 0) {
		dd_info("FAIL  %-8s %s", what, label);
		return dd_fail(DD_EXIT_VERIFY, "verify: %s: %s %s: SHA-256 mismatch; the file is damaged; copy it again",
			       p->path, what, label);
	}
	dd_info("ok    %-8s %s  %llu bytes  sha256:%s", what, label, (unsigned long long)len, hex);
	if (dd_log_verbosity())
		dd_list_parts(NULL, &p->m, bi);
	return 0;
}

static void say_authenticity(const struct dd_payload *p)
{
	char id[65];

	if (p->auth == DD_AUTH_VERIFIED) {
		dd_sign_key_id(dd_sign_trusted_key(), id);
		dd_info("ok    %-8s ECDSA P-256 by the release key %.16s", "signed", id);
	} else {
		dd_info("note  %-8s authenticity not established: this dockdrop has no trusted key compiled in (payload %s); digests only",
			"signed", p->t.sig_len ? "signed" : "unsigned");
	}
}

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	const char *file = NULL;
	const struct dd_opt opts[] = {
		{ "file", 'f', DD_OPT_STR, &file, "FILE",
		  "check the bundle FILE instead of this program", 0, 0, NULL },
	};
	static struct dd_payload p;
	struct dd_args args;
	char label[256];
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if ((rc = dd_payload_open_cmd(&p, file, "verify")))
		return rc;
	dd_info("ok    %-8s format %u, %llu bytes, %u component%s", "payload", p.t.version,
		(unsigned long long)p.size, p.m.nblobs, p.m.nblobs == 1 ? "" : "s");
	say_authenticity(&p);
	rc = check_blob(&p, DD_STUB_PARTS, "stub", "dockdrop", 0, p.m.stub_size, p.m.stub_sha256);
	for (unsigned i = 0; rc == 0 && i < p.m.nblobs; i++) {
		const struct dd_blob *b = &p.m.blob[i];

		snprintf(label, sizeof label, "%s %s %s", b->name, b->version, b->arch);
		rc = check_blob(&p, i, b->kind, label, b->off, b->len, b->sha256);
	}
	dd_payload_close(&p);
	return rc;
}

const struct dd_cmd dd_cmd_verify = {
	"verify", "verify", "",
	"Check the embedded payload: trailer, manifest, signature and every digest.", 0, 0, run,
	NULL
};
