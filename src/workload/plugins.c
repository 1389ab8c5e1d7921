#include "workload/plugins.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bundle/plugin.h"
#include "host/paths.h"
#include "util/hex.h"
#include "util/log.h"

int dd_plugins_pick(const struct dd_payload *p, const char *arch, struct dd_unpack_more *more,
		    char *err, size_t errsz)
{
	unsigned char d[32];

	more->nplug = 0;
	for (unsigned i = 0; i < p->m.nblobs; i++) {
		const struct dd_blob *b = &p->m.blob[i];

		if (strcmp(b->kind, DD_PLUGIN_KIND))
			continue;
		if (strcmp(b->arch, arch) || !dd_plugin_name_ok(b->name) ||
		    more->nplug == DD_PLUGINS_MAX)
			return dd_say(err, errsz, DD_EXIT_USAGE, "plugin %s %s: not a CLI plugin for %s",
				      b->name, b->arch, arch);
		if (dd_payload_hash_range(p, b->off, b->len, d) != 0)
			return dd_say(err, errsz, DD_EXIT_FAIL, "read: %m");
		if (memcmp(d, b->sha256, 32))
			return dd_say(err, errsz, DD_EXIT_VERIFY, "plugin %s %s: SHA-256 mismatch; the payload is damaged",
				      b->name, b->version);
		more->plug[more->nplug++] = b;
	}
	return 0;
}

int dd_plugins_name(const struct dd_unpack_more *more, char *name, size_t cap)
{
	char hex[65];

	for (unsigned i = 0; i < more->nplug; i++) {
		const struct dd_blob *b = more->plug[i];
		size_t n = strlen(name);

		dd_hex(b->sha256, 32, hex);
		if (snprintf(name + n, cap - n, "+%s-%s-%.8s", b->name + 7, b->version, hex) >=
		    (int)(cap - n))
			return -1;
	}
	return 0;
}

void dd_plugin_link(const char *plugin, char *abs, size_t abssz, char *target, size_t tsz)
{
	snprintf(abs, abssz, "%s/%s", DD_CLI_PLUGINS_DIR, plugin);
	snprintf(target, tsz, "%s/%s/%s", DD_ENGINE_CURRENT, DD_PLUGIN_DIR, plugin);
}
