/* Install's side of the carried Docker CLI plugins (bundle/plugin.h): which blobs go with
 * the engine, how they change the engine directory's name (a new plugin is a new engine
 * directory, with the same upgrade, rollback and uninstall), and the links that show them
 * to the docker CLI: /usr/local/lib/docker/cli-plugins/NAME ->
 * /opt/dockdrop/engine/current/cli-plugins/NAME (a directory the CLI searches, not one a
 * package writes to). */
#ifndef DD_WORKLOAD_PLUGINS_H
#define DD_WORKLOAD_PLUGINS_H

#include <stddef.h>

#include "bundle/payload.h"
#include "bundle/unpack.h"

#define DD_CLI_PLUGINS_DIR "/usr/local/lib/docker/cli-plugins"

/* The plugin blobs of p into more (every one for arch; another arch is bad input, exit
 * 2), each checked against its digest in full now, before anything changes (exit 3). 0 or
 * an exit code with err. */
int dd_plugins_pick(const struct dd_payload *p, const char *arch, struct dd_unpack_more *more,
		    char *err, size_t errsz);
/* Append "+NAME-VERSION-DIGEST8" for each plugin (NAME without "docker-") to the engine
 * directory's name. 0, or -1 when it does not fit cap. */
int dd_plugins_name(const struct dd_unpack_more *more, char *name, size_t cap);
/* The docker CLI's link for plugin (docker-NAME) into abs, and what it holds into target. */
void dd_plugin_link(const char *plugin, char *abs, size_t abssz, char *target, size_t tsz);

#endif
