/* util/atomic: dd_write_atomic and the dd_afile_* streaming cycle. */
#include "t.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "util/atomic.h"

/* Modes a new file must get exactly, under each umask. */
static const mode_t modes[] = { 0600, 0644, 0755, 0400 };
static const mode_t umasks[] = { 0, 077, 022 };

/* Read a whole (small) file into buf, terminated; bytes read or -1. */
static ssize_t slurp(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, n - 1);
	close(fd);
	if (r >= 0)
		buf[r] = 0;
	return r;
}

static int file_is(const char *path, const char *want)
{
	char buf[256];

	return slurp(path, buf, sizeof buf) == (ssize_t)strlen(want) && strcmp(buf, want) == 0;
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

/* Number of leftover temporaries (".*.dd-*") in dir. */
static int count_temps(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] == '.' && strstr(e->d_name, ".dd-"))
			n++;
	closedir(d);
	return n;
}

TEST(new_file_gets_exact_mode)
{
	char tmp[256], path[300];
	unsigned i, j;

	T_TMPDIR(tmp);
	for (i = 0; i < sizeof umasks / sizeof umasks[0]; i++) {
		for (j = 0; j < sizeof modes / sizeof modes[0]; j++) {
			mode_t old = umask(umasks[i]);
			int rc;

			snprintf(path, sizeof path, "%s/f-%o-%o", tmp, (unsigned)umasks[i],
				 (unsigned)modes[j]);
			rc = dd_write_atomic(path, "hello\n", 6, modes[j]);
			umask(old);
			CHECKF(rc == 0, "umask %03o mode %04o: rc %d errno %d", (unsigned)umasks[i],
			       (unsigned)modes[j], rc, errno);
			CHECKF(mode_of(path) == modes[j], "umask %03o mode %04o: got %04o",
			       (unsigned)umasks[i], (unsigned)modes[j], (unsigned)mode_of(path));
			CHECKF(file_is(path, "hello\n"), "umask %03o mode %04o: content",
			       (unsigned)umasks[i], (unsigned)modes[j]);
		}
	}
	CHECK(count_temps(tmp) == 0);
	t_rmtree(tmp);
}

TEST(overwrite_replaces_content_and_mode)
{
	char tmp[256], path[300];

	T_TMPDIR(tmp);
	snprintf(path, sizeof path, "%s/conf", tmp);
	CHECK(dd_write_atomic(path, "old old old\n", 12, 0644) == 0);
	CHECK(dd_write_atomic(path, "new\n", 4, 0600) == 0);
	CHECK(file_is(path, "new\n"));
	CHECK(mode_of(path) == 0600);
	/* A read-only target is replaced too (the directory is what must be writable). */
	CHECK(dd_write_atomic(path, "ro\n", 3, 0400) == 0);
	CHECK(dd_write_atomic(path, "again\n", 6, 0755) == 0);
	CHECK(file_is(path, "again\n"));
	CHECK(mode_of(path) == 0755);
	/* An empty buffer makes an empty file. */
	CHECK(dd_write_atomic(path, "", 0, 0644) == 0);
	CHECK(file_is(path, ""));
	CHECK(count_temps(tmp) == 0);
	t_rmtree(tmp);
}

TEST(symlink_target_is_replaced_not_followed)
{
	char tmp[256], path[300], victim[300];
	struct stat st;

	T_TMPDIR(tmp);
	snprintf(victim, sizeof victim, "%s/victim", tmp);
	snprintf(path, sizeof path, "%s/link", tmp);
	CHECK(dd_write_atomic(victim, "precious\n", 9, 0644) == 0);
	CHECK(symlink("victim", path) == 0);
	CHECK(dd_write_atomic(path, "mine\n", 5, 0600) == 0);
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(mode_of(path) == 0600);
	CHECK(file_is(path, "mine\n"));
	CHECK(file_is(victim, "precious\n"));
	CHECK(mode_of(victim) == 0644);
	/* A dangling symlink is replaced the same way, creating nothing at its target. */
	snprintf(path, sizeof path, "%s/dangling", tmp);
	CHECK(symlink("nowhere", path) == 0);
	CHECK(dd_write_atomic(path, "x", 1, 0644) == 0);
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	snprintf(path, sizeof path, "%s/nowhere", tmp);
	CHECK(access(path, F_OK) == -1 && errno == ENOENT);
	CHECK(count_temps(tmp) == 0);
	t_rmtree(tmp);
}

TEST(target_is_directory_fails_clean)
{
	char tmp[256], path[300];
	struct stat st;
	int rc;

	T_TMPDIR(tmp);
	snprintf(path, sizeof path, "%s/dir", tmp);
	CHECK(mkdir(path, 0755) == 0);
	errno = 0;
	rc = dd_write_atomic(path, "x", 1, 0644);
	CHECK(rc == -1);
	CHECKF(errno == EISDIR, "errno %d (%s)", errno, strerror(errno));
	CHECK(lstat(path, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(count_temps(tmp) == 0);
	t_rmtree(tmp);
}

TEST(missing_parent_is_enoent)
{
	char tmp[256], path[300];

	T_TMPDIR(tmp);
	snprintf(path, sizeof path, "%s/no/such/file", tmp);
	errno = 0;
	CHECK(dd_write_atomic(path, "x", 1, 0644) == -1);
	CHECKF(errno == ENOENT, "errno %d", errno);
	CHECK(count_temps(tmp) == 0);
	t_rmtree(tmp);
}

/* Paths that dd_path_split refuses: nothing is created. */
TEST(bad_paths)
{
	static const struct {
		const char *path;
		int err;
	} cases[] = {
		{ "", EINVAL },
		{ "dir/", EINVAL },
		{ "/", EINVAL },
	};
	unsigned i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dd_afile af;

		errno = 0;
		CHECKF(dd_write_atomic(cases[i].path, "x", 1, 0644) == -1, "'%s'", cases[i].path);
		CHECKF(errno == cases[i].err, "'%s': errno %d", cases[i].path, errno);
		CHECKF(dd_afile_open(&af, cases[i].path, 0644) == -1, "'%s' open", cases[i].path);
		CHECKF(af.fd == -1, "'%s' fd", cases[i].path);
	}
}

TEST(unwritable_dir_fails)
{
	char tmp[256], dir[300], path[320];

	if (geteuid() == 0)
		return; /* root writes anywhere */
	T_TMPDIR(tmp);
	snprintf(dir, sizeof dir, "%s/ro", tmp);
	snprintf(path, sizeof path, "%s/f", dir);
	CHECK(mkdir(dir, 0555) == 0);
	errno = 0;
	CHECK(dd_write_atomic(path, "x", 1, 0644) == -1);
	CHECKF(errno == EACCES, "errno %d", errno);
	CHECK(chmod(dir, 0755) == 0);
	CHECK(count_temps(dir) == 0);
	t_rmtree(tmp);
}

TEST(abort_keeps_old_content)
{
	char tmp[256], path[300];
	struct dd_afile af;

	T_TMPDIR(tmp);
	snprintf(path, sizeof path, "%s/keep", tmp);
	CHECK(dd_write_atomic(path, "original\n", 9, 0644) == 0);
	CHECK(dd_afile_open(&af, path, 0600) == 0);
	CHECK(af.fd >= 0);
	CHECK(count_temps(tmp) == 1);
	CHECK(dd_afile_write(&af, "partial", 7) == 0);
	errno = ENOSPC;
	dd_afile_abort(&af);
	CHECK(errno == ENOSPC); /* preserved */
	CHECK(af.fd == -1);
	CHECK(file_is(path, "original\n"));
	CHECK(mode_of(path) == 0644);
	CHECK(count_temps(tmp) == 0);
	/* A second abort is harmless. */
	dd_afile_abort(&af);
	CHECK(file_is(path, "original\n"));
	/* Aborting a new file leaves nothing at all. */
	snprintf(path, sizeof path, "%s/never", tmp);
	CHECK(dd_afile_open(&af, path, 0644) == 0);
	dd_afile_abort(&af);
	CHECK(access(path, F_OK) == -1 && errno == ENOENT);
	CHECK(count_temps(tmp) == 0);
	t_rmtree(tmp);
}

/* While open, the temporary of a 0600 file is never group/other readable. */
TEST(temp_is_private_while_open)
{
	char tmp[256], path[300];
	unsigned i;

	T_TMPDIR(tmp);
	snprintf(path, sizeof path, "%s/key.pem", tmp);
	for (i = 0; i < sizeof umasks / sizeof umasks[0]; i++) {
		struct dd_afile af;
		struct stat st;
		mode_t old = umask(umasks[i]);
		int rc = dd_afile_open(&af, path, 0600);

		umask(old);
		CHECKF(rc == 0, "umask %03o", (unsigned)umasks[i]);
		if (rc != 0)
			continue;
		CHECK(fstat(af.fd, &st) == 0);
		CHECKF((st.st_mode & 0077) == 0, "umask %03o: temp mode %04o", (unsigned)umasks[i],
		       (unsigned)(st.st_mode & 07777));
		CHECK(dd_afile_write(&af, "secret", 6) == 0);
		CHECK(fstat(af.fd, &st) == 0 && (st.st_mode & 0077) == 0);
		CHECK(dd_afile_commit(&af) == 0);
		CHECK(mode_of(path) == 0600);
		CHECK(file_is(path, "secret"));
	}
	CHECK(count_temps(tmp) == 0);
	t_rmtree(tmp);
}

TEST(streaming_multi_megabyte)
{
	enum { CHUNK = 65536 + 17, CHUNKS = 50 }; /* a little over 3 MiB */
	char tmp[256], path[300];
	unsigned char *buf = malloc(CHUNK), *back = malloc(CHUNK);
	struct dd_afile af;
	struct stat st;
	int i, fd, ok = 1;

	if (!buf || !back || !t_tmpdir(tmp, sizeof tmp)) {
		CHECK(0);
		free(buf);
		free(back);
		return;
	}
	snprintf(path, sizeof path, "%s/big", tmp);
	CHECK(dd_afile_open(&af, path, 0644) == 0);
	for (i = 0; i < CHUNKS; i++) {
		memset(buf, 'a' + i % 26, CHUNK);
		buf[0] = (unsigned char)i;
		CHECKF(dd_afile_write(&af, buf, CHUNK) == 0, "chunk %d", i);
	}
	CHECK(access(path, F_OK) == -1); /* nothing visible before the commit */
	CHECK(dd_afile_commit(&af) == 0);
	CHECK(af.fd == -1);
	CHECK(stat(path, &st) == 0 && st.st_size == (off_t)CHUNK * CHUNKS);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	for (i = 0; fd >= 0 && i < CHUNKS; i++) {
		size_t got = 0;

		while (got < CHUNK) {
			ssize_t r = read(fd, back + got, CHUNK - got);

			if (r <= 0)
				break;
			got += (size_t)r;
		}
		memset(buf, 'a' + i % 26, CHUNK);
		buf[0] = (unsigned char)i;
		if (got != CHUNK || memcmp(buf, back, CHUNK) != 0)
			ok = 0;
	}
	if (fd >= 0)
		close(fd);
	CHECK(ok);
	CHECK(count_temps(tmp) == 0);
	free(buf);
	free(back);
	t_rmtree(tmp);
}

TEST(relative_bare_name)
{
	char tmp[256], cwd[4096];

	if (!t_tmpdir(tmp, sizeof tmp) || !getcwd(cwd, sizeof cwd)) {
		CHECK(0);
		return;
	}
	if (chdir(tmp) < 0) {
		CHECK(0);
		t_rmtree(tmp);
		return;
	}
	CHECK(dd_write_atomic("bare", "bare\n", 5, 0640) == 0);
	CHECK(file_is("bare", "bare\n"));
	CHECK(mode_of("bare") == 0640);
	CHECK(mkdir("sub", 0755) == 0);
	CHECK(dd_write_atomic("sub/rel", "rel\n", 4, 0600) == 0);
	CHECK(file_is("sub/rel", "rel\n"));
	CHECK(count_temps(".") == 0);
	CHECK(count_temps("sub") == 0);
	CHECK(chdir(cwd) == 0);
	t_rmtree(tmp);
}

/* A legal name near NAME_MAX (255) must be writable although the temporary adds to it. */
TEST(long_name)
{
	char tmp[256], path[600], name[256];
	size_t len;

	T_TMPDIR(tmp);
	for (len = 200; len <= 255; len += 5) {
		memset(name, 'n', len);
		name[len] = 0;
		snprintf(path, sizeof path, "%s/%s", tmp, name);
		CHECKF(dd_write_atomic(path, "x", 1, 0644) == 0, "name of %zu bytes: errno %d", len,
		       errno);
		CHECKF(file_is(path, "x"), "name of %zu bytes", len);
	}
	CHECK(count_temps(tmp) == 0);
	t_rmtree(tmp);
}

int main(void)
{
	RUN(new_file_gets_exact_mode);
	RUN(overwrite_replaces_content_and_mode);
	RUN(symlink_target_is_replaced_not_followed);
	RUN(target_is_directory_fails_clean);
	RUN(missing_parent_is_enoent);
	RUN(bad_paths);
	RUN(unwritable_dir_fails);
	RUN(abort_keeps_old_content);
	RUN(temp_is_private_while_open);
	RUN(streaming_multi_megabyte);
	RUN(relative_bare_name);
	RUN(long_name);
	T_EXIT();
}
