/* host/root: paths resolved inside the root as the target machine resolves them, by
 * openat2(RESOLVE_IN_ROOT) and by the fd walk (the same tables, run once each: this program
 * runs them with openat2, then runs itself again with DOCKDROP_TEST_NO_OPENAT2=1). Beside
 * the root lies a sentinel directory that string joins (root + link target) would reach;
 * its digest must not change. */
#include "t.h"

#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "host/root.h"
#include "util/hex.h"
#include "util/sha256.h"

static char top[256], root[300], out[300];
static const char *mode; /* "openat2" or "walk" */

/* --- the fixture ------------------------------------------------------------------------ */

enum { D, F, L };

static int put(int type, const char *rel, const char *what)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof p, "%s/%s", root, rel);
	if (type == D)
		return mkdir(p, 0755);
	if (type == L)
		return symlink(what, p);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0)
		return -1;
	if (write(fd, what, strlen(what)) != (ssize_t)strlen(what)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* A root with every kind of link, and a sentinel outside it ($top/out) that the links name
 * by its absolute host path, plus a mirror of that path inside the root ($root$top/out). */
static int fixture(void)
{
	static const struct {
		int type;
		const char *rel, *what; /* "@" in what: the sentinel's absolute path */
	} ents[] = {
		{ D, "etc", NULL },
		{ F, "etc/x", "x" },
		{ D, "etc/sub", NULL },
		{ F, "file", "in-root" },
		{ L, "abs", "/etc" },
		{ L, "up", "../.." },
		{ L, "etc/sub/up", "../../../../../.." },
		{ L, "upabs", "../../../../etc" },
		{ L, "rootlink", "/" },
		{ L, "linkfile", "/file" },
		{ L, "rellinkfile", "file" },
		{ L, "relx", "etc/x" },
		{ L, "loop1", "loop2" },
		{ L, "loop2", "/loop1" },
		{ L, "self", "self" },
		{ L, "dangling", "/nowhere" },
		{ L, "escape", "@/secret" },
		{ L, "mirror", "@" },
		{ L, "climb", "../../../../../../../../../../..@" },
	};
	char p[PATH_MAX], what[PATH_MAX];
	int fd;

	if (!t_tmpdir(top, sizeof top))
		return -1;
	snprintf(root, sizeof root, "%s/root", top);
	snprintf(out, sizeof out, "%s/out", top);
	if (mkdir(root, 0755) || mkdir(out, 0755))
		return -1;
	snprintf(p, sizeof p, "%s/secret", out);
	if (mkdir(p, 0755))
		return -1;
	snprintf(p, sizeof p, "%s/secret/key", out);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0 || write(fd, "host's\n", 7) != 7 ||
	    close(fd) != 0)
		return -1;
	/* the mirror: $root$top/out, where "/$top/out" leads inside the root */
	snprintf(p, sizeof p, "mkdir -p '%s%s'", root, out);
	if (system(p) != 0)
		return -1;
	for (unsigned i = 0; i < sizeof ents / sizeof ents[0]; i++) {
		const char *w = ents[i].what, *at = w ? strchr(w, '@') : NULL;

		if (at)
			snprintf(what, sizeof what, "%.*s%s%s", (int)(at - w), w, out, at + 1);
		if (put(ents[i].type, ents[i].rel, at ? what : w) != 0)
			return -1;
	}
	/* c0 -> c1 -> ... -> c40 -> /file: 41 links from c0, 40 from c1 */
	for (int i = 0; i <= 40; i++) {
		char rel[16], to[16];

		snprintf(rel, sizeof rel, "c%d", i);
		snprintf(to, sizeof to, i == 40 ? "/file" : "c%d", i + 1);
		if (put(L, rel, to) != 0)
			return -1;
	}
	return dd_root_set(root);
}

/* --- the sentinel's digest: names, types, modes, link targets and file bytes ------------ */

static dd_sha256 sig_ctx;

static int sig_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	char line[PATH_MAX + 64], buf[4096];
	ssize_t n;
	int fd;

	(void)flag;
	(void)f;
	n = snprintf(line, sizeof line, "%s %o %lld\n", p, (unsigned)st->st_mode, (long long)st->st_size);
	dd_sha256_update(&sig_ctx, line, (size_t)n);
	if (S_ISLNK(st->st_mode) && (n = readlink(p, buf, sizeof buf)) > 0)
		dd_sha256_update(&sig_ctx, buf, (size_t)n);
	if (S_ISREG(st->st_mode) && (fd = open(p, O_RDONLY)) >= 0) {
		while ((n = read(fd, buf, sizeof buf)) > 0)
			dd_sha256_update(&sig_ctx, buf, (size_t)n);
		close(fd);
	}
	return 0;
}

static void sig(char hex[65])
{
	unsigned char d[32];

	dd_sha256_init(&sig_ctx);
	nftw(out, sig_one, 16, FTW_PHYS);
	dd_sha256_out(&sig_ctx, d);
	dd_hex(d, 32, hex);
}

/* The file rel of the root (followed if a link when follow) is the object fd is open on. */
static int same_as(int fd, const char *rel, int follow)
{
	char p[PATH_MAX];
	struct stat a, b;

	snprintf(p, sizeof p, "%s/%s", root, rel);
	return fstat(fd, &a) == 0 && (follow ? stat(p, &b) : lstat(p, &b)) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* --- resolution ------------------------------------------------------------------------- */

TEST(resolver_in_use)
{
	const char *r = dd_root_resolver();

	if (!strcmp(mode, "openat2") && strcmp(r, "openat2")) {
		printf("skip - root_%s: %s\n", mode,
		       T_EMU ? T_EMU_WHY "no openat2 emulated" : "the kernel has no openat2 (before 5.6)");
		return;
	}
	CHECKF(!strcmp(r, mode), "resolver %s, wanted %s", r, mode);
}

TEST(resolution)
{
	static const struct {
		const char *path;
		int flags;
		const char *want;	/* relative to the root ("." itself, "@": the mirror) */
		int err;
	} cases[] = {
		{ "/etc/x", O_RDONLY, "etc/x", 0 },
		{ "/abs/x", O_RDONLY, "etc/x", 0 },		/* absolute link: into the root */
		{ "/up/etc/x", O_RDONLY, "etc/x", 0 },		/* ../.. stops at the root */
		{ "/up/up/up/file", O_RDONLY, "file", 0 },
		{ "/etc/sub/up/file", O_RDONLY, "file", 0 },
		{ "/upabs/x", O_RDONLY, "etc/x", 0 },
		{ "/rootlink/rootlink/etc/x", O_RDONLY, "etc/x", 0 },
		{ "/linkfile", O_RDONLY, "file", 0 },
		{ "/rellinkfile", O_RDONLY, "file", 0 },
		{ "/", O_RDONLY | O_DIRECTORY, ".", 0 },
		{ "/mirror", O_RDONLY | O_DIRECTORY, "@", 0 },	/* the host's path, inside */
		{ "/climb", O_RDONLY | O_DIRECTORY, "@", 0 },
		{ "/c1", O_RDONLY, "file", 0 },			/* 40 links */
		{ "/linkfile", O_PATH | O_NOFOLLOW, "linkfile", 0 },
		{ "/linkfile", O_RDONLY | O_NOFOLLOW, NULL, ELOOP },
		{ "/c0", O_RDONLY, NULL, ELOOP },		/* 41 links */
		{ "/loop1", O_RDONLY, NULL, ELOOP },
		{ "/loop1/x", O_RDONLY, NULL, ELOOP },
		{ "/self", O_RDONLY, NULL, ELOOP },
		{ "/dangling", O_RDONLY, NULL, ENOENT },
		{ "/escape/key", O_RDONLY, NULL, ENOENT },	/* $top/out/secret/key is not ours */
		{ "/mirror/secret/key", O_RDONLY, NULL, ENOENT },
		{ "/climb/secret/key", O_RDONLY, NULL, ENOENT },
		{ "/file/x", O_RDONLY, NULL, ENOTDIR },
		{ "etc/x", O_RDONLY, NULL, EINVAL },		/* not absolute */
		{ "/abs/../file", O_RDONLY, NULL, EINVAL },	/* ".." in the request */
		{ "/./etc/x", O_RDONLY, NULL, EINVAL },
		{ "/etc/..", O_RDONLY, NULL, EINVAL },
	};
	char before[65], after[65], rel[PATH_MAX];

	sig(before);
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int fd;

		errno = 0;
		fd = dd_root_open(cases[i].path, cases[i].flags, 0);
		if (cases[i].err) {
			CHECKF(fd < 0 && errno == cases[i].err, "%s: fd %d errno %d (want %d)",
			       cases[i].path, fd, errno, cases[i].err);
		} else {
			if (!strcmp(cases[i].want, "@"))
				snprintf(rel, sizeof rel, ".%s", out);
			else
				snprintf(rel, sizeof rel, "%s", cases[i].want);
			CHECKF(fd >= 0 && same_as(fd, rel, !(cases[i].flags & O_NOFOLLOW)),
			       "%s: fd %d errno %d, wanted %s", cases[i].path, fd, errno, rel);
		}
		if (fd >= 0)
			close(fd);
	}
	sig(after);
	CHECK(!strcmp(before, after));
}

TEST(looks)
{
	struct stat st;
	char buf[64];
	struct statfs sf;
	DIR *d;

	CHECK(dd_root_lstat("/linkfile", &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(dd_root_stat("/linkfile", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 7);
	CHECK(dd_root_lstat("/", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(dd_root_readlink("/abs", buf, sizeof buf) == 0 && !strcmp(buf, "/etc"));
	CHECK(dd_root_readlink("/abs", buf, 4) == -1 && errno == ENAMETOOLONG);
	CHECK(dd_root_read_small("/abs/x", buf, sizeof buf) == 1 && !strcmp(buf, "x"));
	/* like dd_read_small_file: a link as last component is not read through */
	CHECK(dd_root_read_small("/linkfile", buf, sizeof buf) == -1 && errno == ELOOP);
	CHECK(dd_root_read_small("/escape/key", buf, sizeof buf) == -1 && errno == ENOENT);
	CHECK(dd_root_statfs("/abs", &sf) == 0 && sf.f_bsize > 0 && sf.f_blocks > 0);
	CHECK(dd_root_statfs("/escape", &sf) == -1 && errno == ENOENT);
	if ((d = dd_root_opendir("/up/up"))) { /* the root itself */
		struct dirent *e;
		int seen = 0;

		while ((e = readdir(d)))
			seen += !strcmp(e->d_name, "linkfile");
		closedir(d);
		CHECK(seen == 1);
	} else {
		CHECK(0);
	}
	CHECK(!dd_root_opendir("/mirror/secret") && errno == ENOENT);
}

/* --- changes: the last component never followed, the sentinel never touched ------------- */

enum { WRITE, UNLINK, RMTREE, MKDIR, RENAME, RMDIR };

TEST(changes)
{
	static const struct {
		int op;
		const char *path, *to;
		int err;
		const char *check;	/* relative to the root ("@" the mirror) */
		int type;		/* what check must be after: 'f' 'd' 'l' or '-' absent */
	} cases[] = {
		{ WRITE, "/linkfile", NULL, 0, "linkfile", 'f' },	/* the link replaced */
		{ WRITE, "/abs/new", NULL, 0, "etc/new", 'f' },
		{ WRITE, "/mirror/new", NULL, 0, "@/new", 'f' },
		{ WRITE, "/climb/secret/key", NULL, ENOENT, "@/secret", '-' },
		{ WRITE, "/escape", NULL, 0, "escape", 'f' },	/* the link, not its target */
		{ WRITE, "/dangling", NULL, 0, "nowhere", '-' },
		{ WRITE, "/loop1/x", NULL, ELOOP, "loop1", 'l' },
		{ WRITE, "/etc/../x", NULL, EINVAL, "x", '-' },
		{ WRITE, "/", NULL, EINVAL, ".", 'd' },
		{ UNLINK, "/rellinkfile", NULL, 0, "file", 'f' },
		{ UNLINK, "/self", NULL, 0, "self", '-' },
		{ UNLINK, "/up/up/file", NULL, 0, "file", '-' },
		{ RMTREE, "/abs", NULL, 0, "etc/x", 'f' },		/* the link only */
		{ RMTREE, "/up", NULL, 0, "etc/sub", 'd' },
		{ RMTREE, "/etc/sub/up/etc/sub", NULL, 0, "etc/sub", '-' },
		{ RMTREE, "/nothing/here", NULL, 0, "nothing", '-' },
		{ MKDIR, "/rootlink/made/deep", NULL, 0, "made/deep", 'd' },
		{ MKDIR, "/mirror/made", NULL, 0, "@/made", 'd' },
		{ MKDIR, "/linkfile/x", NULL, ENOTDIR, "linkfile", 'f' },
		{ RENAME, "/loop2", "/etc/moved", 0, "etc/moved", 'l' },
		{ RENAME, "/rootlink", "/mirror/rl", 0, "@/rl", 'l' },
		{ RMDIR, "/mirror/rl", NULL, ENOTDIR, "@/rl", 'l' },
		{ RMDIR, "/rootlink/made/deep", NULL, ENOENT, "made/deep", 'd' }, /* rootlink moved */
		{ RMDIR, "/made/deep", NULL, 0, "made/deep", '-' },
	};
	char before[65], after[65], p[PATH_MAX];

	sig(before);
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *path = cases[i].path;
		struct stat st;
		int rc = -1, type;

		errno = 0;
		switch (cases[i].op) {
		case WRITE: rc = dd_root_write_atomic(path, "new\n", 4, 0600); break;
		case UNLINK: rc = dd_root_unlink(path); break;
		case RMTREE: rc = dd_root_rmtree(path); break;
		case MKDIR: rc = dd_root_mkdir_p(path, 0700); break;
		case RENAME: rc = dd_root_rename(path, cases[i].to); break;
		case RMDIR: rc = dd_root_rmdir(path); break;
		}
		CHECKF(cases[i].err ? rc == -1 && errno == cases[i].err : rc == 0,
		       "op %d %s: rc %d errno %d (want %d)", cases[i].op, path, rc, errno, cases[i].err);
		if (cases[i].check[0] == '@')
			snprintf(p, sizeof p, "%s%s%s", root, out, cases[i].check + 1);
		else
			snprintf(p, sizeof p, "%s/%s", root, cases[i].check);
		type = lstat(p, &st) != 0 ? '-' : S_ISREG(st.st_mode) ? 'f' : S_ISDIR(st.st_mode) ? 'd'
			: S_ISLNK(st.st_mode) ? 'l' : '?';
		CHECKF(type == cases[i].type, "op %d %s: %s is '%c', want '%c'", cases[i].op, path,
		       cases[i].check, type, cases[i].type);
	}
	snprintf(p, sizeof p, "%s/made", root);
	CHECK(lstat(p, &(struct stat){ 0 }) == 0);
	sig(after);
	CHECKF(!strcmp(before, after), "the sentinel %s changed", out);
}

/* The atomic write of a key: owner-only from its creation, whatever the umask. */
TEST(key_write)
{
	struct dd_afile af;
	struct stat st;
	mode_t old = umask(0);

	CHECK(dd_root_afile_open(&af, "/upabs/key.pem", 0600) == 0);
	umask(old);
	CHECK(fstat(af.fd, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(dd_afile_write(&af, "k", 1) == 0 && dd_afile_commit(&af) == 0);
	CHECK(dd_root_lstat("/etc/key.pem", &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(dd_root_afile_open(&af, "/mirror/secret/key.pem", 0600) == -1 && errno == ENOENT &&
	      af.fd == -1);
}

/* Without --root the root is "/": absolute paths are the machine's own. */
TEST(no_root)
{
	char p[PATH_MAX];
	int fd;

	CHECK(dd_root_set(NULL) == 0 && !strcmp(dd_root(), ""));
	snprintf(p, sizeof p, "%s/relx", root);
	fd = dd_root_open(p, O_RDONLY, 0);
	CHECK(fd >= 0 && same_as(fd, "etc/x", 1));
	if (fd >= 0)
		close(fd);
	CHECK(dd_root_set("/") == 0 && !strcmp(dd_root(), ""));
	CHECK(dd_root_set("/no/such/dir") == -1 && errno == ENOENT && !strcmp(dd_root(), ""));
	snprintf(p, sizeof p, "%s/etc/x", root);
	CHECK(dd_root_set(p) == -1 && errno == ENOTDIR);
	CHECK(dd_root_set(root) == 0 && strstr(dd_root(), "/root"));
}

/* --- the walk against the kernel: random trees of links, the same answers ------------- */

static unsigned long rnd_state = 20250601;

static unsigned rnd(unsigned n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned)(rnd_state % n);
}

/* A random path of 1..4 components from a b c (and, in link targets, "." ".." and a
 * trailing slash), absolute or not. */
static void rnd_path(char *buf, size_t cap, int target)
{
	static const char *const comp[] = { "a", "b", "c", "..", "." };
	size_t n = 0;
	unsigned k = 1 + rnd(4);

	buf[0] = 0;
	if (!target || rnd(2))
		n += (size_t)snprintf(buf + n, cap - n, "/");
	for (unsigned i = 0; i < k; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "/" : "", comp[rnd(target ? 5 : 3)]);
	if (target && !rnd(6))
		snprintf(buf + n, cap - n, "/");
}

/* dev:ino of what fd is open on, or "errno N". */
static void answer(int fd, char *buf, size_t cap)
{
	struct stat st;

	if (fd < 0)
		snprintf(buf, cap, "errno %d", errno);
	else if (fstat(fd, &st) == 0)
		snprintf(buf, cap, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	else
		snprintf(buf, cap, "fstat errno %d", errno);
	if (fd >= 0)
		close(fd);
}

/* Make the random tree under dir: directories a b c (some), files, links. */
static void rnd_tree(const char *dir, int depth)
{
	static const char *const names[] = { "a", "b", "c" };
	char p[PATH_MAX], t[256];

	for (unsigned i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		switch (rnd(4)) {
		case 0:
			break;
		case 1:
			if (mkdir(p, 0755) == 0 && depth < 3)
				rnd_tree(p, depth + 1);
			break;
		case 2:
			close(open(p, O_WRONLY | O_CREAT, 0644));
			break;
		default:
			rnd_path(t, sizeof t, 1);
			if (symlink(t, p) != 0)
				CHECKF(0, "symlink %s", t);
		}
	}
}

TEST(walk_matches_kernel)
{
	static const int flags[] = { O_RDONLY, O_PATH | O_NOFOLLOW, O_RDONLY | O_DIRECTORY,
				     O_RDONLY | O_NOFOLLOW, O_PATH };
	char dir[PATH_MAX], q[256], k[64], w[64], before[65], after[65];
	unsigned trees = 300, queries = 40, differ = 0, found = 0;

	if (strcmp(dd_root_resolver(), "openat2")) {
		printf("skip - walk_matches_kernel: %sno openat2 to compare with\n", T_EMU ? T_EMU_WHY : "");
		return;
	}
	sig(before);
	for (unsigned i = 0; i < trees; i++) {
		snprintf(dir, sizeof dir, "%s/rnd%u", top, i);
		if (mkdir(dir, 0755) != 0) {
			CHECK(0);
			return;
		}
		rnd_tree(dir, 0);
		CHECK(dd_root_set(dir) == 0);
		for (unsigned j = 0; j < queries; j++) {
			int f = flags[rnd(sizeof flags / sizeof flags[0])];

			rnd_path(q, sizeof q, 0);
			unsetenv("DOCKDROP_TEST_NO_OPENAT2");
			answer(dd_root_open(q, f, 0), k, sizeof k);
			setenv("DOCKDROP_TEST_NO_OPENAT2", "1", 1);
			answer(dd_root_open(q, f, 0), w, sizeof w);
			unsetenv("DOCKDROP_TEST_NO_OPENAT2");
			found += strncmp(k, "errno", 5) != 0;
			if (strcmp(k, w) && differ++ < 5)
				CHECKF(0, "tree %u, %s flags %#x: openat2 %s, walk %s", i, q, f, k, w);
		}
		t_rmtree(dir);
	}
	sig(after);
	CHECK(!strcmp(before, after));
	CHECKF(differ == 0, "%u of %u answers differ", differ, trees * queries);
	printf("# walk_matches_kernel: %u queries, %u found something\n", trees * queries, found);
	CHECK(dd_root_set(root) == 0);
}

static int run_all(void)
{
	char name[64];
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "resolver_in_use", resolver_in_use }, { "resolution", resolution },
		{ "looks", looks }, { "changes", changes }, { "key_write", key_write },
		{ "no_root", no_root }, { "walk_matches_kernel", walk_matches_kernel },
	};

	if (fixture() != 0) {
		printf("not ok - root_%s: fixture: %s\n", mode, strerror(errno));
		return 1;
	}
	for (unsigned i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		if (tests[i].fn == walk_matches_kernel && strcmp(mode, "openat2"))
			continue; /* it runs both itself */
		snprintf(name, sizeof name, "%s (%s)", tests[i].name, mode);
		t_run(name, tests[i].fn);
	}
	t_rmtree(top);
	return t_any_failed;
}

int main(int argc, char **argv)
{
	const char *env = getenv("DOCKDROP_TEST_NO_OPENAT2");
	int rc, st = 0;
	pid_t pid;

	(void)argc;
	mode = env && *env == '1' ? "walk" : "openat2";
	rc = run_all();
	if (env || strcmp(dd_root_resolver(), "openat2"))
		return rc;	/* without openat2, the tables above went through the walk */
	/* The same tables through the walk, in a fresh process (the choice is made once). */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		setenv("DOCKDROP_TEST_NO_OPENAT2", "1", 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("# the walk's run failed (status %d)\n", st);
		rc = 1;
	}
	return rc;
}
