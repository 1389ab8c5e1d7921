#include "util/rootpath.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/atomic.h"

static char root[DD_PATH_MAX];

int dd_root_set(const char *dir)
{
	char resolved[PATH_MAX];
	struct stat st;

	if (!dir || !*dir) {
		root[0] = 0;
		return 0;
	}
	if (!realpath(dir, resolved))
		return -1;
	if (stat(resolved, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	if (strcmp(resolved, "/") == 0) {
		root[0] = 0;
		return 0;
	}
	if (strlen(resolved) >= sizeof root) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(root, resolved);
	return 0;
}

const char *dd_root(void)
{
	return root;
}

static int has_dot_component(const char *p)
{
	while (*p) {
		const char *c = p + 1;
		size_t n = strcspn(c, "/");

		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return 1;
		p = c + n;
	}
	return 0;
}

int dd_root_path(char *out, size_t outsz, const char *abs)
{
	int n;

	if (abs[0] != '/' || has_dot_component(abs)) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(out, outsz, "%s%s", root, abs);
	if (n < 0 || (size_t)n >= outsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}
