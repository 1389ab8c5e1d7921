/* util/mkdirp: dd_mkdir_p. Paths in the tables are relative to a scratch directory. */
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "util/mkdirp.h"

static mode_t mode_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return (mode_t)-1;
	return st.st_mode & 07777;
}

/* The scratch directory becomes the cwd so that table paths stay short. */
static char scratch[256], saved_cwd[4096];

static int enter_scratch(void)
{
	if (!getcwd(saved_cwd, sizeof saved_cwd) || !t_tmpdir(scratch, sizeof scratch))
		return -1;
	if (chdir(scratch) < 0) {
		t_rmtree(scratch);
		return -1;
	}
	return 0;
}

static void leave_scratch(void)
{
	if (chdir(saved_cwd) < 0)
		perror("chdir");
	t_rmtree(scratch);
}

/* Creating path with mode: the last component (final) gets mode, the others (parents,
 * NULL-terminated) 0755, whatever the umask. */
static const struct {
	const char *path;
	mode_t mode;
	const char *final;
	const char *parents[3];
} create_cases[] = {
	{ "a/b/c", 0700, "a/b/c", { "a", "a/b", NULL } },
	{ "d/e", 0711, "d/e", { "d", NULL } },
	{ "f", 0755, "f", { NULL } },
	{ "g/h/", 0700, "g/h", { "g", NULL } },
	{ "i//j///k", 0711, "i/j/k", { "i", "i/j", NULL } },
	{ "./l/m", 0755, "l/m", { "l", NULL } },
	{ "n/o//", 0750, "n/o", { "n", NULL } },
};

static const mode_t umasks[] = { 077, 0, 022 };

TEST(creates_with_exact_modes)
{
	unsigned u, i, j;

	for (u = 0; u < sizeof umasks / sizeof umasks[0]; u++) {
		if (enter_scratch() < 0) {
			CHECK(0);
			return;
		}
		for (i = 0; i < sizeof create_cases / sizeof create_cases[0]; i++) {
			mode_t old = umask(umasks[u]);
			int rc = dd_mkdir_p(create_cases[i].path, create_cases[i].mode);
			const char *p = create_cases[i].path;

			umask(old);
			CHECKF(rc == 0, "umask %03o '%s': errno %d", (unsigned)umasks[u], p, errno);
			CHECKF(mode_of(create_cases[i].final) == create_cases[i].mode,
			       "umask %03o '%s': mode %04o", (unsigned)umasks[u], p,
			       (unsigned)mode_of(create_cases[i].final));
			for (j = 0; create_cases[i].parents[j]; j++)
				CHECKF(mode_of(create_cases[i].parents[j]) == 0755,
				       "umask %03o '%s': parent '%s' mode %04o", (unsigned)umasks[u], p,
				       create_cases[i].parents[j],
				       (unsigned)mode_of(create_cases[i].parents[j]));
		}
		leave_scratch();
	}
}

TEST(absolute_path)
{
	char path[400];

	if (enter_scratch() < 0) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof path, "%s/abs/x", scratch);
	CHECK(dd_mkdir_p(path, 0700) == 0);
	CHECK(mode_of(path) == 0700);
	CHECK(dd_mkdir_p("/", 0700) == 0); /* exists: left alone */
	leave_scratch();
}

TEST(existing_directory_unchanged)
{
	static const mode_t existing[] = { 0700, 0755, 0751 };
	unsigned i;

	if (enter_scratch() < 0) {
		CHECK(0);
		return;
	}
	for (i = 0; i < sizeof existing / sizeof existing[0]; i++) {
		CHECK(mkdir("x", 0700) == 0 && chmod("x", existing[i]) == 0);
		CHECKF(dd_mkdir_p("x", 0711) == 0, "mode %04o", (unsigned)existing[i]);
		CHECKF(mode_of("x") == existing[i], "mode %04o became %04o", (unsigned)existing[i],
		       (unsigned)mode_of("x"));
		/* An existing parent keeps its mode too. */
		CHECKF(dd_mkdir_p("x/y", 0700) == 0, "mode %04o child", (unsigned)existing[i]);
		CHECK(mode_of("x") == existing[i]);
		CHECK(rmdir("x/y") == 0 && rmdir("x") == 0);
	}
	leave_scratch();
}

TEST(file_in_the_way_is_enotdir)
{
	static const char *const paths[] = { "file", "file/", "file/sub", "file/sub/deeper",
					     "d/file", "d/file/x" };
	unsigned i;
	int fd;

	if (enter_scratch() < 0) {
		CHECK(0);
		return;
	}
	fd = open("file", O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK(mkdir("d", 0755) == 0);
	fd = open("d/file", O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0 && close(fd) == 0);
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		errno = 0;
		CHECKF(dd_mkdir_p(paths[i], 0755) == -1, "'%s'", paths[i]);
		CHECKF(errno == ENOTDIR, "'%s': errno %d (%s)", paths[i], errno, strerror(errno));
	}
	leave_scratch();
}

TEST(symlink_to_directory_accepted)
{
	struct stat st;

	if (enter_scratch() < 0) {
		CHECK(0);
		return;
	}
	CHECK(mkdir("real", 0750) == 0 && chmod("real", 0750) == 0);
	CHECK(symlink("real", "link") == 0);
	CHECK(dd_mkdir_p("link/sub/deep", 0700) == 0);
	CHECK(mode_of("real/sub/deep") == 0700);
	CHECK(mode_of("real/sub") == 0755);
	CHECK(dd_mkdir_p("link", 0700) == 0); /* as the last component */
	CHECK(lstat("link", &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(mode_of("real") == 0750);
	/* A dangling symlink is not a directory. */
	CHECK(symlink("nowhere", "dangling") == 0);
	errno = 0;
	CHECK(dd_mkdir_p("dangling/x", 0700) == -1);
	CHECKF(errno == ENOENT, "errno %d", errno);
	leave_scratch();
}

TEST(bad_paths)
{
	static char longpath[5000];
	static const struct {
		const char *name;
		const char *path;
		int err;
	} cases[] = {
		{ "empty", "", ENOENT },
		{ "over-long", longpath, ENAMETOOLONG },
	};
	unsigned i;

	memset(longpath, 'a', sizeof longpath - 1);
	for (i = 0; i < sizeof longpath - 1; i += 100)
		longpath[i] = '/';
	longpath[0] = 'x';
	if (enter_scratch() < 0) {
		CHECK(0);
		return;
	}
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		errno = 0;
		CHECKF(dd_mkdir_p(cases[i].path, 0755) == -1, "%s", cases[i].name);
		CHECKF(errno == cases[i].err, "%s: errno %d", cases[i].name, errno);
	}
	/* Nothing of the over-long path was created. */
	CHECK(access("x", F_OK) == -1);
	leave_scratch();
}

TEST(unwritable_parent)
{
	if (geteuid() == 0)
		return; /* root writes anywhere */
	if (enter_scratch() < 0) {
		CHECK(0);
		return;
	}
	CHECK(mkdir("ro", 0555) == 0);
	errno = 0;
	CHECK(dd_mkdir_p("ro/x/y", 0700) == -1);
	CHECKF(errno == EACCES, "errno %d", errno);
	CHECK(chmod("ro", 0755) == 0);
	leave_scratch();
}

int main(void)
{
	RUN(creates_with_exact_modes);
	RUN(absolute_path);
	RUN(existing_directory_unchanged);
	RUN(file_in_the_way_is_enotdir);
	RUN(symlink_to_directory_accepted);
	RUN(bad_paths);
	RUN(unwritable_parent);
	T_EXIT();
}
