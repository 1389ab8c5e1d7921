#include "host/initsys.h"

#include <string.h>

#include "host/probe.h"
#include "util/atomic.h"
#include "util/sort.h"

static const char *const names[] = { "none", "systemd", "openrc", "sysv" };

const char *dd_init_name(enum dd_init init)
{
	return (unsigned)init < sizeof names / sizeof names[0] ? names[init] : "unknown";
}

int dd_init_parse(const char *name, enum dd_init *init)
{
	unsigned i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(name, names[i]) == 0) {
			*init = (enum dd_init)i;
			return 0;
		}
	}
	return -1;
}

/* What /sbin/init is a symlink to ("" when it is not a symlink or absent). */
static void init_link(char *out, size_t outsz)
{
	if (dd_probe_readlink("/sbin/init", out, outsz) < 0)
		out[0] = 0;
}

enum dd_init dd_init_detect(void)
{
	char link[DD_PATH_MAX];

	init_link(link, sizeof link);
	if (dd_probe_is_dir("/run/systemd/system") || dd_strstr(link, "systemd"))
		return DD_INIT_SYSTEMD;
	if (dd_probe_exists("/run/openrc/softlevel") || dd_probe_exists("/sbin/openrc-run"))
		return DD_INIT_OPENRC;
	if (dd_probe_is_dir("/etc/init.d") && dd_probe_exists("/sbin/init") &&
	    !dd_strstr(link, "busybox"))
		return DD_INIT_SYSV;
	return DD_INIT_NONE;
}

enum dd_init dd_init_from_name(const char *name)
{
	enum dd_init init = DD_INIT_NONE;

	dd_init_parse(name, &init);
	return init;
}
