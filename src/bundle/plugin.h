/* Docker CLI plugins carried in the payload (blob kind "plugin", name the program's file
 * name docker-NAME). A plugin is a big program (the Compose plugin is 64 MB) that gzip
 * shrinks to a third, and the bundle is copied to every machine, but a deflate in the stub
 * would cost 18 KB of its 400: so bundle stores a plugin as it is given. A program is
 * stored as it is (the blob's SHA-256 is the program's); a gzip of one (`gzip -n
 * docker-compose`, then --plugin docker-compose.gz) is stored compressed, with the length
 * and SHA-256 of the program itself in the manifest's "raw" record, so `list` shows the
 * digest its publisher gives and install checks both. install unpacks each one into the
 * engine's directory (NAME/cli-plugins/docker-NAME, in the same staged rename as the
 * engine) and links it into the docker CLI's plugin directory through
 * /opt/dockdrop/engine/current. */
#ifndef DD_BUNDLE_PLUGIN_H
#define DD_BUNDLE_PLUGIN_H

#include <stddef.h>

#include "bundle/format.h"
#include "bundle/payload.h"

#define DD_PLUGIN_KIND "plugin"
#define DD_PLUGIN_DIR "cli-plugins"
#define DD_PLUGINS_MAX 4

/* 1 when name is a CLI plugin's file name: docker-[a-z0-9]+ (what the docker CLI
 * accepts), at most 63 bytes. */
int dd_plugin_name_ok(const char *name);
/* bundle: check the file at path (a program named as above, or its gzip named NAME.gz; an
 * ELF executable for arch) and fill b: kind, name, version (from its
 * docker-cli-plugin-metadata when it runs here, else "unknown"), arch, len and sha256 of
 * the file, and for a gzip raw_len and raw_sha256 of the program. The blob is the file's
 * bytes. 0, or an exit code with err (DD_EXIT_USAGE: not such a program). */
int dd_plugin_scan(const char *path, const char *arch, struct dd_blob *b, char *err,
		   size_t errsz);
/* install: plugin blob b of p (inflated when it has a raw record) into
 * top/cli-plugins/NAME (0755), the blob's and the program's digests checked. 0 or an exit code with err (DD_EXIT_VERIFY: the
 * payload is damaged). */
int dd_plugin_unpack(const struct dd_payload *p, const struct dd_blob *b, int top, char *err,
		     size_t errsz);

#endif
