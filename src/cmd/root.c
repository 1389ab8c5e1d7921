/* The command table: root's commands, one struct each (one file per command under
 * src/cmd), and root's own summary, whose first line names dockdrop in --help and in the
 * man page (NAME) and whose paragraph after it is the page's DESCRIPTION. */
#include <stddef.h>

#include "cmd/cmd.h"

static const struct dd_cmd *const commands[] = {
	&dd_cmd_install, &dd_cmd_status,  &dd_cmd_uninstall,     &dd_cmd_verify,
	&dd_cmd_list,	 &dd_cmd_extract, &dd_cmd_ca,		&dd_cmd_certs,
	&dd_cmd_client_bundle, &dd_cmd_bundle, &dd_cmd_version, &dd_cmd_azure_handler,
	&dd_cmd_man, &dd_cmd_completion, NULL,
};

const struct dd_cmd dd_cmd_root = {
	"dockdrop", "", "",
	"Install Docker offline from this one file, with a CA and mutual TLS on port 2376.\n\n"
	"dockdrop carries verified Docker engines and a tiny CA. install sets one up as a service\n"
	"with mutual TLS, proves it answers, and records what it wrote: a re-run changes nothing\n"
	"that is right, uninstall removes exactly that.",
	0, 0, NULL, commands
};
