/* util/io: dd_path_split, dd_write_all, dd_read_full, dd_fsync_parent. */
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "util/io.h"

/* err 0: success with dir and base as given. */
static const struct {
	const char *path;
	size_t dirsz;
	int err;
	const char *dir, *base;
} split_cases[] = {
	{ "a", 64, 0, ".", "a" },
	{ "/a", 64, 0, "/", "a" },
	{ "/a/b", 64, 0, "/a", "b" },
	{ "a/b/c", 64, 0, "a/b", "c" },
	{ "./a", 64, 0, ".", "a" },
	{ "/etc/docker/daemon.json", 64, 0, "/etc/docker", "daemon.json" },
	{ ".hidden", 64, 0, ".", ".hidden" },
	{ "a//b", 64, 0, "a", "b" },
	{ "/a//b", 64, 0, "/a", "b" },
	{ "//b", 64, 0, "/", "b" },
	{ "", 64, EINVAL, NULL, NULL },
	{ "a/", 64, EINVAL, NULL, NULL },
	{ "/", 64, EINVAL, NULL, NULL },
	{ "/a/b/", 64, EINVAL, NULL, NULL },
	/* dirsz must hold the directory and its terminator. */
	{ "a/b/c", 4, 0, "a/b", "c" },
	{ "a/b/c", 3, ENAMETOOLONG, NULL, NULL },
	{ "a/b/c", 1, ENAMETOOLONG, NULL, NULL },
	{ "a", 2, 0, ".", "a" },
	{ "a", 1, ENAMETOOLONG, NULL, NULL },
	{ "/a", 2, 0, "/", "a" },
	{ "/a", 1, ENAMETOOLONG, NULL, NULL },
};

TEST(path_split_table)
{
	unsigned i;

	for (i = 0; i < sizeof split_cases / sizeof split_cases[0]; i++) {
		char dir[72]; /* a sentinel past every dirsz */
		const char *base = NULL;
		int rc;

		memset(dir, 'Z', sizeof dir);
		errno = 0;
		rc = dd_path_split(split_cases[i].path, dir, split_cases[i].dirsz, &base);
		if (split_cases[i].err) {
			CHECKF(rc == -1 && errno == split_cases[i].err, "'%s' dirsz %zu: rc %d errno %d",
			       split_cases[i].path, split_cases[i].dirsz, rc, errno);
		} else {
			CHECKF(rc == 0, "'%s' dirsz %zu: errno %d", split_cases[i].path,
			       split_cases[i].dirsz, errno);
			CHECKF(rc == 0 && strcmp(dir, split_cases[i].dir) == 0, "'%s': dir '%.*s'",
			       split_cases[i].path, (int)split_cases[i].dirsz, dir);
			CHECKF(rc == 0 && base && strcmp(base, split_cases[i].base) == 0,
			       "'%s': base '%s'", split_cases[i].path, base ? base : "(null)");
			/* base points into path, not a copy. */
			CHECKF(rc == 0 && base >= split_cases[i].path &&
				       base < split_cases[i].path + strlen(split_cases[i].path),
			       "'%s': base not inside path", split_cases[i].path);
		}
		CHECKF(dir[split_cases[i].dirsz] == 'Z', "'%s' dirsz %zu: wrote past dirsz",
		       split_cases[i].path, split_cases[i].dirsz);
	}
}

TEST(write_read_through_pipe)
{
	static const size_t sizes[] = { 0, 1, 100, 4096, 200000 };
	unsigned i;

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i], j;
		unsigned char *out = malloc(n + 1), *in = malloc(n + 16);
		int p[2];
		pid_t pid;
		ssize_t got;

		if (!out || !in || pipe(p) < 0) {
			CHECK(0);
			free(out);
			free(in);
			return;
		}
		for (j = 0; j < n; j++)
			out[j] = (unsigned char)(j * 7 + i);
		/* A writer process, so that sizes above the pipe buffer go through. */
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			close(p[0]);
			_exit(dd_write_all(p[1], out, n) == 0 ? 0 : 1);
		}
		close(p[1]);
		/* Ask for more than is sent: the read stops at EOF with the short count. */
		got = dd_read_full(p[0], in, n + 16);
		close(p[0]);
		CHECKF(got == (ssize_t)n, "size %zu: got %zd", n, got);
		CHECKF(got == (ssize_t)n && memcmp(in, out, n) == 0, "size %zu: content", n);
		{
			int status = -1;

			CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
			CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "size %zu: writer", n);
		}
		free(out);
		free(in);
	}
}

TEST(write_read_through_file)
{
	char tmp[256], path[300], buf[64];
	int fd;

	T_TMPDIR(tmp);
	snprintf(path, sizeof path, "%s/f", tmp);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK(dd_write_all(fd, "hello, ", 7) == 0);
	CHECK(dd_write_all(fd, "world", 5) == 0);
	CHECK(dd_write_all(fd, "", 0) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	/* Exact, short (EOF early), and at EOF. */
	CHECK(dd_read_full(fd, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0);
	CHECK(dd_read_full(fd, buf, sizeof buf) == 7 && memcmp(buf, ", world", 7) == 0);
	CHECK(dd_read_full(fd, buf, sizeof buf) == 0);
	CHECK(dd_read_full(fd, buf, 0) == 0);
	close(fd);
	/* Errors come back as -1 with errno. */
	errno = 0;
	CHECK(dd_write_all(fd, "x", 1) == -1 && errno == EBADF);
	errno = 0;
	CHECK(dd_read_full(fd, buf, 1) == -1 && errno == EBADF);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	errno = 0;
	CHECK(dd_write_all(fd, "x", 1) == -1 && errno == EBADF);
	close(fd);
	t_rmtree(tmp);
}

TEST(fsync_parent)
{
	char tmp[256], path[300], cwd[4096];
	int fd;

	if (!t_tmpdir(tmp, sizeof tmp) || !getcwd(cwd, sizeof cwd)) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof path, "%s/f", tmp);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK(dd_fsync_parent(path) == 0);
	CHECK(chdir(tmp) == 0);
	CHECK(dd_fsync_parent("f") == 0); /* a bare name: the cwd */
	CHECK(chdir(cwd) == 0);
	snprintf(path, sizeof path, "%s/missing/f", tmp);
	errno = 0;
	CHECK(dd_fsync_parent(path) == -1 && errno == ENOENT);
	errno = 0;
	CHECK(dd_fsync_parent("") == -1 && errno == EINVAL);
	t_rmtree(tmp);
}

/* dd_realpath against the C library's realpath: the same name, or the same errno. */
TEST(realpath_table)
{
	static const char *const rows[] = {
		".", "/", "d", "d/", "d/../d/./f", "link", "link/f", "dlink", "dlink/..", "f/",
		"missing", "d/missing", "loop", "dlink/f", "//d//f", "",
	};
	char tmp[256], cwd[4096], ours[PATH_MAX], theirs[PATH_MAX];

	if (!t_tmpdir(tmp, sizeof tmp) || !getcwd(cwd, sizeof cwd) || chdir(tmp) != 0) {
		CHECK(0);
		return;
	}
	CHECK(mkdir("d", 0700) == 0 && close(open("d/f", O_CREAT | O_WRONLY | O_CLOEXEC, 0600)) == 0);
	CHECK(symlink("d/f", "link") == 0 && symlink("d", "dlink") == 0 && symlink("loop", "loop") == 0);
	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int e1, e2, r1, r2;
		const char *row = rows[i];

		if (strcmp(row, "//d//f") == 0) {	/* absolute, with doubled slashes */
			static char abs[600];

			snprintf(abs, sizeof abs, "/%s//d//f", tmp);
			row = abs;
		}
		errno = 0;
		r1 = dd_realpath(row, ours);
		e1 = errno;
		errno = 0;
		r2 = realpath(row, theirs) ? 0 : -1;
		e2 = errno;
		/* A leading "//" is the C library's to keep (POSIX: implementation-defined): musl,
		 * the arm64 tests' libc, keeps it; glibc and dd_realpath make it "/". */
		if (!r2 && theirs[0] == '/' && theirs[1] == '/' && theirs[2] != '/')
			memmove(theirs, theirs + 1, strlen(theirs));
		CHECKF(r1 == r2 && (r1 ? e1 == e2 : strcmp(ours, theirs) == 0),
		       "%s: %d %s (errno %d), libc %d %s (errno %d)", row, r1, r1 ? "" : ours, e1, r2,
		       r2 ? "" : theirs, e2);
	}
	CHECK(chdir(cwd) == 0);
	t_rmtree(tmp);
}

/* dd_lines_next over files: the lines without their newlines, the last one without a
 * newline too, none for an empty file or a missing one, a long line in buffer-sized pieces. */
TEST(lines_table)
{
	static char longline[3001];
	static const struct {
		const char *text;
		const char *want; /* the lines joined with '|' */
	} rows[] = {
		{ "a\nbb\n", "a|bb" },
		{ "a\nbb", "a|bb" },
		{ "", "" },
		{ "\n\nc\n", "||c" },
		{ "# x y\n127.0.1.1 vm.example vm\n", "# x y|127.0.1.1 vm.example vm" },
	};
	char tmp[256], path[300], got[4096];
	struct dd_lines l;
	char *line;
	int fd;

	T_TMPDIR(tmp);
	snprintf(path, sizeof path, "%s/f", tmp);
	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		size_t k = 0;
		unsigned nl = 0;

		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		CHECK(fd >= 0 && dd_write_all(fd, rows[i].text, strlen(rows[i].text)) == 0 && close(fd) == 0);
		l = (struct dd_lines){ .fd = open(path, O_RDONLY | O_CLOEXEC) };
		got[0] = 0;
		while ((line = dd_lines_next(&l)))
			k += (size_t)snprintf(got + k, sizeof got - k, "%s%s", nl++ ? "|" : "", line);
		CHECKF(strcmp(got, rows[i].want) == 0 && l.fd == -1, "row %u: '%s'", i, got);
	}
	memset(longline, 'x', 3000);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && dd_write_all(fd, longline, 3000) == 0 && dd_write_all(fd, "\nend", 4) == 0 && close(fd) == 0);
	l = (struct dd_lines){ .fd = open(path, O_RDONLY | O_CLOEXEC) };
	CHECK((line = dd_lines_next(&l)) && strlen(line) == sizeof l.buf - 1);
	CHECK((line = dd_lines_next(&l)) && strlen(line) == sizeof l.buf - 1);
	CHECK((line = dd_lines_next(&l)) && strlen(line) == 3000 - 2 * (sizeof l.buf - 1) && line[0] == 'x');
	CHECK((line = dd_lines_next(&l)) && strcmp(line, "end") == 0);
	CHECK(dd_lines_next(&l) == NULL && dd_lines_next(&l) == NULL);
	l = (struct dd_lines){ .fd = open("/nonexistent/dd", O_RDONLY | O_CLOEXEC) };
	CHECK(dd_lines_next(&l) == NULL);
	t_rmtree(tmp);
}

int main(void)
{
	RUN(path_split_table);
	RUN(write_read_through_pipe);
	RUN(write_read_through_file);
	RUN(fsync_parent);
	RUN(realpath_table);
	RUN(lines_table);
	T_EXIT();
}
