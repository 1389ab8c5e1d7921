/* util/rmtree: trees of every awkward shape are removed, and nothing outside them: deep
 * (300 levels under a limit of 32 fds), wide, read-only and mode-0000 directories (as root
 * and, in a child, as an unprivileged user), symlinks that point outside (their targets
 * stay), a plain file, a missing name. Each case runs beside a canary tree that must come
 * through untouched. */
#include "t.h"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "util/rmtree.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char tmp[256], outside[320], canary[320];
static int tmpfd = -1;

static int mkfile_at(int dfd, const char *name, const char *text, mode_t mode)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	int ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* mkdir name in dfd and open it. */
static int mkdir_open(int dfd, const char *name, mode_t mode)
{
	if (mkdirat(dfd, name, mode) != 0)
		return -1;
	return openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* --- a snapshot of what must survive --------------------------------------------------- */

static void list_rec(const char *dir, char *out, size_t outsz)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		char path[1024];
		struct stat st;
		size_t len = strlen(out);

		if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..")) {
			snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
			if (lstat(path, &st) == 0) {
				snprintf(out + len, outsz - len, "%s %o %lld\n", path,
					 (unsigned)st.st_mode, (long long)st.st_size);
				if (S_ISDIR(st.st_mode))
					list_rec(path, out, outsz);
			}
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

static char before[8192], after[8192];

static const char *survivors(char *out, size_t n)
{
	out[0] = 0;
	list_rec(outside, out, n);
	list_rec(canary, out, n);
	return out;
}

/* The world around each case: an outside dir (symlink targets) and a canary beside. */
static int world(void)
{
	int fd;

	if (!t_tmpdir(tmp, sizeof tmp))
		return -1;
	tmpfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(outside, sizeof outside, "%s/outside", tmp);
	snprintf(canary, sizeof canary, "%s/canary", tmp);
	if (tmpfd < 0 || (fd = mkdir_open(tmpfd, "outside", 0755)) < 0)
		return -1;
	if (mkfile_at(fd, "target-file", "precious\n", 0644) || mkdirat(fd, "target-dir", 0755))
		return close(fd), -1;
	close(fd);
	fd = open(outside, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || mkfile_at(fd, "target-dir/inner", "also precious\n", 0600))
		return fd >= 0 ? close(fd) : 0, -1;
	close(fd);
	if ((fd = mkdir_open(tmpfd, "canary", 0755)) < 0)
		return -1;
	if (mkfile_at(fd, "a", "canary\n", 0644) || mkdirat(fd, "d", 0700))
		return close(fd), -1;
	close(fd);
	survivors(before, sizeof before);
	return 0;
}

static void world_end(void)
{
	if (tmpfd >= 0)
		close(tmpfd);
	tmpfd = -1;
	t_rmtree(tmp);
}

/* --- tree builders: each makes "victim" in tmpfd ---------------------------------------- */

static int b_file(void) { return mkfile_at(tmpfd, "victim", "just a file\n", 0644); }
static int b_file_ro(void) { return mkfile_at(tmpfd, "victim", "read-only file\n", 0400); }
static int b_empty_dir(void) { return mkdirat(tmpfd, "victim", 0755); }
static int b_symlink_to_dir(void) { return symlinkat(outside, tmpfd, "victim"); }

static int b_flat(void)
{
	int fd = mkdir_open(tmpfd, "victim", 0755), rc = fd < 0;

	rc |= fd >= 0 && mkfile_at(fd, "f1", "one\n", 0644);
	rc |= fd >= 0 && mkfile_at(fd, "f2", "", 0000);
	rc |= fd >= 0 && mkdirat(fd, "empty", 0755);
	if (fd >= 0)
		close(fd);
	return rc ? -1 : 0;
}

static int b_wide(void)
{
	int fd = mkdir_open(tmpfd, "victim", 0755), rc = fd < 0;
	char name[32];

	for (int i = 0; fd >= 0 && i < 3000 && !rc; i++) {
		snprintf(name, sizeof name, i % 3 ? "file-%d" : "dir-%d", i);
		rc = i % 3 ? mkfile_at(fd, name, "x", 0644) : mkdirat(fd, name, 0755);
	}
	if (fd >= 0)
		close(fd);
	return rc ? -1 : 0;
}

/* depth levels of "d", each holding a file and a symlink to the outside. */
static int deep(int depth)
{
	int fd = mkdir_open(tmpfd, "victim", 0755), rc = fd < 0;

	for (int i = 0; fd >= 0 && i < depth && !rc; i++) {
		int sub;

		rc = mkfile_at(fd, "f", "level\n", 0644) || symlinkat(outside, fd, "out");
		sub = rc ? -1 : mkdir_open(fd, "d", 0755);
		close(fd);
		fd = sub;
		rc |= fd < 0;
	}
	if (fd >= 0)
		close(fd);
	return rc ? -1 : 0;
}
static int b_deep300(void) { return deep(300); }
static int b_deep2000(void) { return deep(2000); }

/* victim (0555) holding ro (0555, with a file and a 0555 subdir) and, when none is set,
 * none (0000, with a file and a 0000 subdir holding a file) and an empty 0000 dir. Filled
 * first, then the modes set. */
static int modes(int ro, int none)
{
	int fd = mkdir_open(tmpfd, "victim", 0755), rc = fd < 0, sub;

	if (fd < 0)
		return -1;
	if (ro && (sub = mkdir_open(fd, "ro", 0755)) >= 0) {
		rc |= mkfile_at(sub, "f", "in a 0555 dir\n", 0644) || mkdirat(sub, "inner", 0755);
		rc |= mkfile_at(sub, "inner/g", "x", 0644);
		rc |= fchmodat(sub, "inner", 0555, 0);
		close(sub);
		rc |= fchmodat(fd, "ro", 0555, 0);
	}
	if (none && (sub = mkdir_open(fd, "none", 0755)) >= 0) {
		int sub2 = mkdir_open(sub, "deeper", 0755);

		rc |= mkfile_at(sub, "f", "in a 0000 dir\n", 0644);
		rc |= sub2 < 0 || mkfile_at(sub2, "g", "x", 0600);
		if (sub2 >= 0)
			close(sub2);
		rc |= fchmodat(sub, "deeper", 0000, 0);
		close(sub);
		rc |= fchmodat(fd, "none", 0000, 0) || mkdirat(fd, "none-empty", 0000);
	}
	close(fd);
	rc |= fchmodat(tmpfd, "victim", 0555, 0);
	return rc ? -1 : 0;
}
static int b_modes(void) { return modes(1, 1); }
static int b_ro(void) { return modes(1, 0); }
static int b_none(void) { return modes(0, 1); }

static int b_symlinks_out(void)
{
	int fd = mkdir_open(tmpfd, "victim", 0755), rc = fd < 0;
	char t[400];

	if (fd < 0)
		return -1;
	snprintf(t, sizeof t, "%s/target-file", outside);
	rc |= symlinkat(t, fd, "abs-file");
	snprintf(t, sizeof t, "%s/target-dir", outside);
	rc |= symlinkat(t, fd, "abs-dir");
	rc |= symlinkat("../outside/target-dir", fd, "rel-dir");
	rc |= symlinkat("..", fd, "dotdot");
	rc |= symlinkat("/", fd, "root");
	rc |= symlinkat("nowhere", fd, "dangling");
	rc |= symlinkat("../canary", fd, "to-canary");
	close(fd);
	return rc ? -1 : 0;
}

static int b_missing(void) { return 0; }

TEST(trees)
{
	static const struct {
		const char *name;
		int (*build)(void);
		int fd_limit;	/* 0: none */
	} cases[] = {
		{ "a plain file", b_file, 0 },
		{ "a read-only file", b_file_ro, 0 },
		{ "an empty directory", b_empty_dir, 0 },
		{ "a symlink to a directory outside", b_symlink_to_dir, 0 },
		{ "files and an empty dir", b_flat, 0 },
		{ "3000 entries", b_wide, 0 },
		{ "300 levels, 32 fds", b_deep300, 32 },
		{ "2000 levels, 16 fds", b_deep2000, 16 },
		{ "0555 and 0000 directories", b_modes, 0 },
		{ "symlinks pointing outside", b_symlinks_out, 0 },
		{ "missing", b_missing, 0 },
	};

	for (unsigned i = 0; i < N(cases); i++) {
		struct rlimit old, lim;
		int rc, err;
		struct stat st;

		if (world() != 0) {
			CHECKF(0, "%s: setup", cases[i].name);
			world_end();
			continue;
		}
		CHECKF(cases[i].build() == 0, "%s: build", cases[i].name);
		if (cases[i].fd_limit) {
			getrlimit(RLIMIT_NOFILE, &old);
			lim = old;
			lim.rlim_cur = (rlim_t)cases[i].fd_limit;
			CHECK(setrlimit(RLIMIT_NOFILE, &lim) == 0);
		}
		errno = 0;
		rc = dd_rmtree_at(tmpfd, "victim");
		err = errno;
		if (cases[i].fd_limit)
			setrlimit(RLIMIT_NOFILE, &old);
		CHECKF(rc == 0, "%s: rc %d errno %d (%s)", cases[i].name, rc, err, strerror(err));
		CHECKF(fstatat(tmpfd, "victim", &st, AT_SYMLINK_NOFOLLOW) == -1 && errno == ENOENT,
		       "%s: victim still there", cases[i].name);
		CHECKF(!strcmp(survivors(after, sizeof after), before),
		       "%s: outside changed:\n%s---\n%s", cases[i].name, before, after);
		world_end();
	}
}

/* The name given is "." or "..", or the directory fd is bad: an error, nothing removed. */
TEST(bad_arguments)
{
	CHECK(world() == 0);
	CHECK(mkdirat(tmpfd, "keep", 0755) == 0);
	errno = 0;
	CHECK(dd_rmtree_at(-1, "keep") == -1);
	CHECK(errno == EBADF);
	CHECK(dd_rmtree_at(tmpfd, "outside/target-file/x") == -1);
	CHECK(errno == ENOTDIR);
	CHECK(!strcmp(survivors(after, sizeof after), before));
	CHECK(faccessat(tmpfd, "keep", F_OK, 0) == 0);
	world_end();
}

/* The same awkward modes for an unprivileged owner (dockdrop extract run by a user):
 * a child process as nobody builds and removes its tree. */
TEST(modes_as_unprivileged_user)
{
	static const struct {
		const char *name;
		int (*build)(void);
	} cases[] = {
		{ "0555 directories", b_ro },
		{ "0000 directories", b_none },
		{ "300 levels", b_deep300 },
		{ "symlinks pointing outside", b_symlinks_out },
	};

	if (geteuid() != 0)
		return; /* this test is then the same as `trees` */
	for (unsigned i = 0; i < N(cases); i++) {
		pid_t pid;
		int status = 0;

		CHECK(world() == 0);
		CHECK(chmod(tmp, 0755) == 0 && fchown(tmpfd, 65534, 65534) == 0);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			int rc;

			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(100);
			if (cases[i].build() != 0)
				_exit(101);
			errno = 0;
			rc = dd_rmtree_at(tmpfd, "victim");
			if (rc != 0)
				_exit(errno ? errno : 102);
			_exit(faccessat(tmpfd, "victim", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ? 103 : 0);
		}
		CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
		CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: child exit %d (%s)",
		       cases[i].name, WEXITSTATUS(status),
		       WEXITSTATUS(status) < 100 ? strerror(WEXITSTATUS(status)) : "setup/left over");
		CHECKF(!strcmp(survivors(after, sizeof after), before), "%s: outside changed",
		       cases[i].name);
		/* What the child left, if anything, goes as root. */
		dd_rmtree_at(tmpfd, "victim");
		world_end();
	}
}

int main(void)
{
	RUN(trees);
	RUN(bad_arguments);
	RUN(modes_as_unprivileged_user);
	T_EXIT();
}
