#include "bundle/layout.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const dd_engine_required[DD_ENGINE_NREQUIRED] = { "docker/dockerd", "docker/docker",
							      "docker/containerd", "docker/runc" };

int dd_engine_prog_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 63 || name[0] == '.')
		return 0;
	for (; *name; name++)
		if (!((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') ||
		      (*name >= '0' && *name <= '9') || strchr("._+-", *name)))
			return 0;
	return 1;
}

int dd_engine_layout_check(int top, char *why, size_t whysz)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	for (unsigned i = 0; i < DD_ENGINE_NREQUIRED; i++)
		if (fstatat(top, dd_engine_required[i], &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			return snprintf(why, whysz, "no regular file %s in it: not an engine in the official layout",
					dd_engine_required[i]), -1;
	fd = openat(top, "docker", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return snprintf(why, whysz, "docker/ cannot be read"), -1;
	}
	while ((de = readdir(d))) {
		/* What install links (host/engine.c): executable regular files, not hidden,
		 * names under 64 bytes. */
		if (de->d_name[0] == '.' || strlen(de->d_name) >= 64 ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || !(st.st_mode & 0111) || dd_engine_prog_name_ok(de->d_name))
			continue;
		snprintf(why, whysz, "program docker/%.64s: a name install cannot link (use [A-Za-z0-9._+-])",
			 de->d_name);
		closedir(d);
		return -1;
	}
	closedir(d);
	return 0;
}
