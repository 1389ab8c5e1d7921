/* util/rootpath: dd_root_set, dd_root and dd_root_path. */
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "util/rootpath.h"

/* Roots that mean "none": the mapping stays the identity. */
static const char *const no_roots[] = { NULL, "", "/", "//", "/." };

/* dd_root_path with no root set; err 0 means success with out == abs. */
static const struct {
	const char *abs;
	int err;
} path_cases[] = {
	{ "/etc/docker/daemon.json", 0 },
	{ "/", 0 },
	{ "/a/.hidden", 0 },
	{ "/a/..b", 0 },
	{ "/a/b..", 0 },
	{ "/a/...", 0 },
	{ "/.a/b", 0 },
	{ "etc/x", EINVAL },
	{ "", EINVAL },
	{ "./x", EINVAL },
	{ "/a/../b", EINVAL },
	{ "/a/./b", EINVAL },
	{ "/..", EINVAL },
	{ "/.", EINVAL },
	{ "/a/..", EINVAL },
	{ "/a/.", EINVAL },
	{ "/a//../b", EINVAL },
	{ "/a/../", EINVAL },
};

TEST(no_root_is_identity)
{
	char out[256];
	unsigned i, j;

	for (j = 0; j < sizeof no_roots / sizeof no_roots[0]; j++) {
		const char *r = no_roots[j];

		CHECKF(dd_root_set(r) == 0, "root '%s'", r ? r : "(null)");
		CHECKF(strcmp(dd_root(), "") == 0, "root '%s': dd_root '%s'", r ? r : "(null)",
		       dd_root());
		for (i = 0; i < sizeof path_cases / sizeof path_cases[0]; i++) {
			int rc;

			errno = 0;
			rc = dd_root_path(out, sizeof out, path_cases[i].abs);
			if (path_cases[i].err) {
				CHECKF(rc == -1 && errno == path_cases[i].err, "'%s': rc %d errno %d",
				       path_cases[i].abs, rc, errno);
			} else {
				CHECKF(rc == 0 && strcmp(out, path_cases[i].abs) == 0,
				       "'%s': rc %d out '%s'", path_cases[i].abs, rc,
				       rc == 0 ? out : "");
			}
		}
	}
	dd_root_set(NULL);
}

TEST(root_maps_under_real_path)
{
	char tmp[256], real[PATH_MAX], link[300], sub[300], slash[300], dots[300];
	char out[PATH_MAX + 64], want[PATH_MAX + 64];
	unsigned i, j;

	if (!t_tmpdir(tmp, sizeof tmp) || !realpath(tmp, real)) {
		CHECK(0);
		return;
	}
	snprintf(sub, sizeof sub, "%s/img", tmp);
	snprintf(link, sizeof link, "%s/link", tmp);
	snprintf(slash, sizeof slash, "%s/img/", tmp);
	snprintf(dots, sizeof dots, "%s/img/../img/.", tmp);
	CHECK(mkdir(sub, 0755) == 0);
	CHECK(symlink("img", link) == 0);
	{
		/* Each way of naming the root, and the real path expected for it. */
		const char *roots[] = { sub, slash, link, dots };

		for (j = 0; j < sizeof roots / sizeof roots[0]; j++) {
			char want_root[PATH_MAX + 8];

			snprintf(want_root, sizeof want_root, "%s/img", real);
			CHECKF(dd_root_set(roots[j]) == 0, "root '%s': errno %d", roots[j], errno);
			CHECKF(strcmp(dd_root(), want_root) == 0, "root '%s': dd_root '%s'", roots[j],
			       dd_root());
			for (i = 0; i < sizeof path_cases / sizeof path_cases[0]; i++) {
				int rc;

				errno = 0;
				rc = dd_root_path(out, sizeof out, path_cases[i].abs);
				snprintf(want, sizeof want, "%s%s", want_root, path_cases[i].abs);
				if (path_cases[i].err)
					CHECKF(rc == -1 && errno == path_cases[i].err,
					       "root '%s' '%s': rc %d errno %d", roots[j],
					       path_cases[i].abs, rc, errno);
				else
					CHECKF(rc == 0 && strcmp(out, want) == 0,
					       "root '%s' '%s': rc %d out '%s'", roots[j],
					       path_cases[i].abs, rc, rc == 0 ? out : "");
			}
		}
	}
	/* Setting "no root" after a root clears it. */
	CHECK(dd_root_set("/") == 0 && strcmp(dd_root(), "") == 0);
	dd_root_set(NULL);
	t_rmtree(tmp);
}

TEST(relative_root_is_made_absolute)
{
	char tmp[256], real[PATH_MAX], cwd[PATH_MAX], want[PATH_MAX + 8];

	if (!t_tmpdir(tmp, sizeof tmp) || !realpath(tmp, real) || !getcwd(cwd, sizeof cwd)) {
		CHECK(0);
		return;
	}
	CHECK(chdir(tmp) == 0);
	CHECK(mkdir("r", 0755) == 0);
	CHECK(dd_root_set("r") == 0);
	snprintf(want, sizeof want, "%s/r", real);
	CHECKF(strcmp(dd_root(), want) == 0, "dd_root '%s'", dd_root());
	CHECK(dd_root_set(".") == 0 && strcmp(dd_root(), real) == 0);
	CHECK(chdir(cwd) == 0);
	dd_root_set(NULL);
	t_rmtree(tmp);
}

TEST(bad_roots)
{
	char tmp[256], file[300], missing[300], under_file[320], dangling[300], good[4096];
	int fd;
	unsigned i;

	T_TMPDIR(tmp);
	snprintf(file, sizeof file, "%s/file", tmp);
	snprintf(missing, sizeof missing, "%s/missing", tmp);
	snprintf(under_file, sizeof under_file, "%s/file/x", tmp);
	snprintf(dangling, sizeof dangling, "%s/dangling", tmp);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK(symlink("missing", dangling) == 0);
	CHECK(dd_root_set(tmp) == 0);
	CHECK(realpath(tmp, good) != NULL);
	{
		const struct {
			const char *root;
			int err;
		} cases[] = {
			{ missing, ENOENT },
			{ dangling, ENOENT },
			{ file, ENOTDIR },
			{ under_file, ENOTDIR },
		};

		for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			errno = 0;
			CHECKF(dd_root_set(cases[i].root) == -1, "'%s'", cases[i].root);
			CHECKF(errno == cases[i].err, "'%s': errno %d", cases[i].root, errno);
			/* A failed set keeps the root that was in force. */
			CHECKF(strcmp(dd_root(), good) == 0, "'%s': dd_root '%s'", cases[i].root,
			       dd_root());
		}
	}
	dd_root_set(NULL);
	t_rmtree(tmp);
}

TEST(output_too_small)
{
	static const struct {
		size_t outsz;
		const char *abs;
		int ok;
	} cases[] = {
		{ 0, "/a", 0 },
		{ 1, "/a", 0 },
		{ 2, "/a", 0 },
		{ 3, "/a", 1 }, /* exactly "/a" and its terminator */
		{ 23, "/etc/docker/daemon.json", 0 },
		{ 24, "/etc/docker/daemon.json", 1 },
	};
	char tmp[256], real[PATH_MAX], out[64];
	unsigned i;
	size_t rootlen;

	dd_root_set(NULL);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc;

		memset(out, 'Z', sizeof out);
		errno = 0;
		rc = dd_root_path(out, cases[i].outsz, cases[i].abs);
		if (cases[i].ok)
			CHECKF(rc == 0 && strcmp(out, cases[i].abs) == 0, "row %u", i);
		else
			CHECKF(rc == -1 && errno == ENAMETOOLONG, "row %u: rc %d errno %d", i, rc,
			       errno);
		CHECKF(out[cases[i].outsz] == 'Z', "row %u: wrote past outsz", i);
	}
	/* With a root, its length counts. */
	if (!t_tmpdir(tmp, sizeof tmp) || !realpath(tmp, real) || dd_root_set(tmp) < 0) {
		CHECK(0);
		return;
	}
	rootlen = strlen(real);
	{
		char *big = malloc(rootlen + 8);

		CHECK(big != NULL);
		if (big) {
			errno = 0;
			CHECK(dd_root_path(big, rootlen + 3, "/ab") == -1 && errno == ENAMETOOLONG);
			CHECK(dd_root_path(big, rootlen + 4, "/ab") == 0);
			CHECK(strncmp(big, real, rootlen) == 0 && strcmp(big + rootlen, "/ab") == 0);
			free(big);
		}
	}
	dd_root_set(NULL);
	t_rmtree(tmp);
}

int main(void)
{
	RUN(no_root_is_identity);
	RUN(root_maps_under_real_path);
	RUN(relative_root_is_made_absolute);
	RUN(bad_roots);
	RUN(output_too_small);
	T_EXIT();
}
