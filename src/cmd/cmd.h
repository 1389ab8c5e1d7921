/* The command table: one struct per command, one file per command under src/cmd. */
#ifndef DD_CMD_H
#define DD_CMD_H

#include <stddef.h>

#include "util/cli.h"

extern const struct dd_cmd dd_cmd_root;
extern const struct dd_cmd dd_cmd_install, dd_cmd_status, dd_cmd_uninstall, dd_cmd_verify,
	dd_cmd_list, dd_cmd_extract, dd_cmd_ca, dd_cmd_certs, dd_cmd_client_bundle,
	dd_cmd_bundle, dd_cmd_version, dd_cmd_azure_handler, dd_cmd_man, dd_cmd_completion;

struct dd_manifest;
struct dd_jw;
/* What blob bi of m (DD_STUB_PARTS: the stub) is built from: "  built from NAME VERSION
 * (Debian source ..." lines on stdout, or with w a "built_from" array: list, verify and
 * version print the same component list. */
void dd_list_parts(struct dd_jw *w, const struct dd_manifest *m, unsigned bi);

#define DD_KEY_TYPES "ecdsa-p256|ecdsa-p384|rsa2048|rsa3072|rsa4096"

/* The man page ('m'), bash ('b') or zsh ('z') completion, from the command tables
 * (cmd/doc.c), into buf: its length, or 0 when it does not fit in cap. */
#define DD_DOC_MAX 32768
size_t dd_doc_text(int fmt, char *buf, size_t cap);

#endif
