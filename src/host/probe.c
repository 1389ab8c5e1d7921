#include "host/probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "host/root.h"
#include "util/atomic.h"
#include "util/io.h"
#include "util/sort.h"

static const char *test_sysroot(void)
{
	const char *s = getenv("DOCKDROP_TEST_SYSROOT");

	return s && *s ? s : NULL;
}

int dd_probe_sys_path(char *out, size_t outsz, const char *abs)
{
	const char *pre = test_sysroot();
	int n = snprintf(out, outsz, "%s%s", pre ? pre : "", abs);

	if (n < 0 || (size_t)n >= outsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Replace field with the first line of $SYSROOT/proc/sys/kernel/NAME when it exists. */
static void override(const char *name, char *field, size_t fieldsz)
{
	char abs[64], path[DD_PATH_MAX], buf[256];

	if (!test_sysroot())
		return;
	snprintf(abs, sizeof abs, "/proc/sys/kernel/%s", name);
	if (dd_probe_sys_path(path, sizeof path, abs) < 0 ||
	    dd_read_small_file(path, buf, sizeof buf) < 0)
		return;
	buf[strcspn(buf, "\n")] = 0;
	snprintf(field, fieldsz, "%s", buf);
}

int dd_probe_uname(char *release, size_t relsz, char *machine, size_t machsz)
{
	struct utsname u;

	if (uname(&u) < 0)
		return -1;
	snprintf(release, relsz, "%s", u.release);
	snprintf(machine, machsz, "%s", u.machine);
	override("osrelease", release, relsz);
	override("arch", machine, machsz);
	return 0;
}

int dd_probe_sys_exists(const char *abs, int want_dir)
{
	char p[DD_PATH_MAX];
	struct stat st;

	if (dd_probe_sys_path(p, sizeof p, abs) < 0 || stat(p, &st) < 0)
		return 0;
	return want_dir ? S_ISDIR(st.st_mode) : 1;
}

void dd_probe_sys_read(const char *abs, char *buf, size_t bufsz)
{
	char p[DD_PATH_MAX];

	if (dd_probe_sys_path(p, sizeof p, abs) < 0 || dd_read_small_file(p, buf, bufsz) < 0)
		buf[0] = 0;
}

int dd_probe_exists(const char *abs)
{
	struct stat st;

	return dd_root_lstat(abs, &st) == 0;
}

int dd_probe_is_dir(const char *abs)
{
	struct stat st;

	return dd_root_stat(abs, &st) == 0 && S_ISDIR(st.st_mode);
}

int dd_probe_readlink(const char *abs, char *out, size_t outsz)
{
	return dd_root_readlink(abs, out, outsz);
}

static const char *const prog_dirs[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
					 "/usr/bin", "/sbin", "/bin" };

static int executable(const char *abs)
{
	struct stat st;

	if (dd_root_lstat(abs, &st) < 0)
		return 0;
	return S_ISLNK(st.st_mode) || (S_ISREG(st.st_mode) && (st.st_mode & 0111));
}

int dd_probe_find_prog(const char *name, char *out, size_t outsz)
{
	char abs[DD_PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof prog_dirs / sizeof prog_dirs[0]; i++) {
		snprintf(abs, sizeof abs, "%s/%s", prog_dirs[i], name);
		if (executable(abs)) {
			if (out)
				snprintf(out, outsz, "%s", abs);
			return 1;
		}
	}
	return 0;
}

int dd_probe_is_ours(const char *abs)
{
	char t[DD_PATH_MAX];

	if (dd_probe_readlink(abs, t, sizeof t) < 0)
		return 0;
	return strncmp(t, "/opt/dockdrop/", 14) == 0 || dd_strstr(t, "../opt/dockdrop/") != NULL;
}
