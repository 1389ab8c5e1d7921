/* host/group: dd_group_ensure and dd_group_lookup on temporary roots (dd_root_set). The gid
 * choice and the bytes written are compared with the real `groupadd -R DIR -r` on the same
 * files when it can run (root, shadow-utils installed). */
#include "t.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "host/group.h"
#include "util/log.h"
#include "host/root.h"

/* --- helpers ---------------------------------------------------------------------------- */

static void put(const char *root, const char *rel, const char *text, mode_t mode)
{
	char p[512];
	int fd;

	snprintf(p, sizeof p, "%s/%s", root, rel);
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fchmod(fd, mode) < 0)
		CHECKF(0, "writing %s", p);
	if (fd >= 0)
		close(fd);
}

/* The file's content (static buffer), or "<none>". */
static const char *get(const char *root, const char *rel)
{
	static char buf[2][8192];
	static int which;
	char p[512];
	char *b = buf[which ^= 1];
	int fd;
	ssize_t n;

	snprintf(p, sizeof p, "%s/%s", root, rel);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "<none>";
	n = read(fd, b, sizeof buf[0] - 1);
	close(fd);
	b[n > 0 ? n : 0] = 0;
	return b;
}

static int stat_of(const char *root, const char *rel, struct stat *st)
{
	char p[512];

	snprintf(p, sizeof p, "%s/%s", root, rel);
	return lstat(p, st);
}

/* A root with etc/group (and etc/gshadow, etc/login.defs unless NULL). */
static int mkroot(char *dir, size_t n, const char *group, const char *gshadow, const char *defs)
{
	char p[512];

	if (!t_tmpdir(dir, n))
		return -1;
	snprintf(p, sizeof p, "%s/etc", dir);
	if (mkdir(p, 0755) < 0)
		return -1;
	if (group)
		put(dir, "etc/group", group, 0644);
	if (gshadow)
		put(dir, "etc/gshadow", gshadow, 0640);
	if (defs)
		put(dir, "etc/login.defs", defs, 0644);
	return 0;
}

static int can_groupadd(void)
{
	return geteuid() == 0 && access("/usr/sbin/groupadd", X_OK) == 0;
}

/* `groupadd -R root -r name`: its exit code. */
static int groupadd(const char *root, const char *name)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd, "/usr/sbin/groupadd -R '%s' -r '%s' >/dev/null 2>&1", root, name);
	return system(cmd);
}

/* --- gid choice: a table, each row also run through the real groupadd ------------------- */

static const struct {
	const char *name, *group, *defs;
	unsigned gid; /* when rc is 0 */
	int rc;
} picks[] = {
	{ "only root", "root:x:0:\n", NULL, 999, 0 },
	{ "users 100 is below the range", "root:x:0:\nusers:x:100:\n", NULL, 999, 0 },
	{ "below the lowest", "root:x:0:\nusers:x:100:\nfoo:x:999:\n", NULL, 998, 0 },
	{ "below the lowest of two", "root:x:0:\nfoo:x:999:\nbar:x:998:\n", NULL, 997, 0 },
	{ "gap below the lowest", "root:x:0:\nfoo:x:500:\nbar:x:998:\n", NULL, 499, 0 },
	{ "lowest at the bottom: top", "root:x:0:\nfoo:x:101:\n", NULL, 999, 0 },
	{ "lowest at the bottom: top used", "root:x:0:\nfoo:x:101:\nb:x:999:\n", NULL, 998, 0 },
	{ "lowest at the bottom: gap from the top",
	  "root:x:0:\nfoo:x:101:\nb:x:999:\nc:x:997:\n", NULL, 998, 0 },
	{ "lowest at the bottom: top two used", "a:x:101:\nb:x:999:\nc:x:998:\n", NULL, 997, 0 },
	{ "lowest at the bottom, file order", "b:x:998:\na:x:101:\nc:x:999:\n", NULL, 997, 0 },
	{ "repeated gid (duplicates avoided)", "a:x:500:\nb:x:500:\n", NULL, 499, 0 },
	{ "repeated gid at the top", "a:x:101:\nb:x:999:\nc:x:999:\nd:x:998:\n", NULL, 997, 0 },
	{ "users and nogroup out of range", "users:x:100:\nu:x:1000:\nnogroup:x:65534:\n", NULL,
	  999, 0 },
	{ "Debian 12 base", "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\n"
	  "disk:x:6:\nmail:x:8:\nstaff:x:50:\ngames:x:60:\nusers:x:100:\nnogroup:x:65534:\n"
	  "systemd-journal:x:999:\nsystemd-network:x:998:\n_ssh:x:101:\n", NULL, 997, 0 },
	/* Which lines count: what shadow's sgetgrent() parses. A line it cannot read is
	 * skipped by groupadd, but refused here (DD_EXIT_USAGE without login.defs: no
	 * groupadd comparison): a gid picked beside it could be the one it meant. */
	{ "NIS line kept, entry before it", "root:x:0:\n+:::\nz:x:500\n", NULL, 499, 0 },
	{ "a line that is no entry", "root:x:0:\ngarbage\nz:x:500\n", NULL, 0, DD_EXIT_USAGE },
	{ "a non-numeric gid", "root:x:0:\nx:x:abc:\n", NULL, 0, DD_EXIT_USAGE },
	{ "an empty gid", "root:x:0:\ny:x::\n", NULL, 0, DD_EXIT_USAGE },
	{ "three fields count", "z:x:500\n", NULL, 499, 0 },
	{ "five fields", "z:x:500:a:b\n", NULL, 0, DD_EXIT_USAGE },
	{ "gid with leading space", "z:x: 500:\n", NULL, 499, 0 },
	{ "gid with a plus sign", "z:x:+500:\n", NULL, 499, 0 },
	{ "gid with leading zeros is decimal", "z:x:0500:\n", NULL, 499, 0 },
	{ "gid with a trailing space", "z:x:500 :\n", NULL, 0, DD_EXIT_USAGE },
	{ "negative gid", "z:x:-5:\n", NULL, 0, DD_EXIT_USAGE },
	{ "hex gid", "z:x:0x1f4:\n", NULL, 0, DD_EXIT_USAGE },
	{ "gid too large", "big:x:4294967296:\nok:x:700:\n", NULL, 0, DD_EXIT_USAGE },
	{ "gid (gid_t)-1", "big:x:4294967295:\nok:x:700:\n", NULL, 0, DD_EXIT_USAGE },
	{ "the largest gid counts", "big:x:4294967294:\nok:x:700:\n", NULL, 699, 0 },
	{ "empty name counts", ":x:500:\n", NULL, 499, 0 },
	{ "entry goes before a '-' NIS line", "a:x:500:\n-b:x:600:\n", NULL, 499, 0 },
	{ "entry goes before the first NIS line", "a:x:500:\n+\n-b\n", NULL, 499, 0 },
	{ "NIS line without a final newline", "a:x:500:\n+", NULL, 499, 0 },
	{ "CRLF line", "root:x:0:\r\nfoo:x:500:\n", NULL, 499, 0 },
	/* login.defs, read as shadow's getdef reads it. */
	{ "login.defs SYS_GID range",
	  "a:x:250:\n", "# comment\nSYS_GID_MIN\t201\nSYS_GID_MAX   299\n", 249, 0 },
	{ "login.defs SYS_GID range, lowest at the bottom",
	  "a:x:201:\nb:x:299:\n", "SYS_GID_MIN 201\nSYS_GID_MAX 299\n", 298, 0 },
	{ "login.defs GID_MIN bounds the system range", "a:x:101:\nb:x:499:\n", "GID_MIN 500\n",
	  498, 0 },
	{ "login.defs: the last setting wins", "a:x:101:\n", "SYS_GID_MAX 600\nSYS_GID_MAX 700\n",
	  700, 0 },
	{ "login.defs: hex", "a:x:101:\n", "SYS_GID_MAX 0x1f4\n", 500, 0 },
	{ "login.defs: octal", "a:x:101:\n", "SYS_GID_MAX 0700\n", 448, 0 },
	{ "login.defs: quoted, spaced", "a:x:101:\n", "  SYS_GID_MAX \"600\"  \n", 600, 0 },
	{ "login.defs: plus sign", "a:x:101:\n", "SYS_GID_MAX\t+600\n", 600, 0 },
	{ "login.defs: trailing comment is a bad value", "a:x:101:\n", "SYS_GID_MAX 600 # c\n",
	  999, 0 },
	{ "login.defs: KEY=VALUE is not a setting", "a:x:101:\n", "SYS_GID_MAX=600\n", 999, 0 },
	{ "login.defs: commented out", "a:x:101:\n", "#SYS_GID_MAX 600\n", 999, 0 },
	{ "login.defs: SYS_GID_MIN above SYS_GID_MAX", "a:x:101:\n",
	  "SYS_GID_MIN 900\nSYS_GID_MAX 800\n", 0, DD_EXIT_USAGE },
	{ "login.defs: GID_MIN 101 leaves no range", "a:x:101:\n", "GID_MIN 101\n", 0,
	  DD_EXIT_USAGE },
	{ "range full", "a:x:101:\nb:x:102:\nc:x:103:\n", "SYS_GID_MIN 101\nSYS_GID_MAX 103\n",
	  0, DD_EXIT_FAIL },
	{ "one free at the bottom", "a:x:101:\nb:x:102:\nc:x:103:\n",
	  "SYS_GID_MIN 100\nSYS_GID_MAX 103\n", 100, 0 },
	{ "one free in the middle", "a:x:101:\nb:x:103:\n", "SYS_GID_MIN 101\nSYS_GID_MAX 103\n",
	  102, 0 },
};

/* Run the table through dd_group_ensure; with ref, through groupadd -R DIR -r as well and
 * compare the gid and both files' bytes. */
static void run_picks(int ref_too)
{
	for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++) {
		char root[256], ref[256], err[256] = "";
		const char *gsh = "root:*::\n";
		unsigned gid = 0;
		int changed = -1, rc;

		if (mkroot(root, sizeof root, picks[i].group, gsh, picks[i].defs) < 0 ||
		    dd_root_set(root) < 0) {
			CHECKF(0, "%s: setup", picks[i].name);
			continue;
		}
		/* install's look before any change agrees with what the change finds */
		rc = dd_group_check("docker", err, sizeof err);
		CHECKF(rc == picks[i].rc, "%s: dd_group_check rc %d (want %d) %s", picks[i].name, rc,
		       picks[i].rc, err);
		rc = dd_group_ensure("docker", &gid, &changed, err, sizeof err);
		dd_root_set(NULL);
		if (!picks[i].rc) {
			CHECKF(rc == 0 && changed == 1 && gid == picks[i].gid,
			       "%s: rc %d changed %d gid %u (want %u) %s", picks[i].name, rc, changed,
			       gid, picks[i].gid, err);
		} else {
			CHECKF(rc == picks[i].rc && changed == 0 && *err && !strchr(err, '\n'),
			       "%s: rc %d err %s", picks[i].name, rc, err);
			CHECKF(strcmp(get(root, "etc/group"), picks[i].group) == 0 &&
			       strcmp(get(root, "etc/gshadow"), gsh) == 0,
			       "%s: files changed", picks[i].name);
		}
		if (ref_too && !(picks[i].rc == DD_EXIT_USAGE && !picks[i].defs) &&
		    mkroot(ref, sizeof ref, picks[i].group, gsh, picks[i].defs) == 0) {
			int grc = groupadd(ref, "docker");

			if (!picks[i].rc) {
				CHECKF(grc == 0, "%s: groupadd -R -r failed (%d)", picks[i].name, grc);
				CHECKF(strcmp(get(root, "etc/group"), get(ref, "etc/group")) == 0,
				       "%s: /etc/group differs from groupadd's:\n%s---\n%s",
				       picks[i].name, get(root, "etc/group"), get(ref, "etc/group"));
				CHECKF(strcmp(get(root, "etc/gshadow"), get(ref, "etc/gshadow")) == 0,
				       "%s: /etc/gshadow differs from groupadd's", picks[i].name);
			} else {
				CHECKF(grc != 0, "%s: groupadd found a gid", picks[i].name);
			}
			t_rmtree(ref);
		}
		t_rmtree(root);
	}
}

TEST(gid_choice_table)
{
	run_picks(0);
}

/* The same table through the real shadow-utils groupadd: same gid, same bytes. */
TEST(gid_choice_same_as_groupadd_r)
{
	run_picks(1);
}

/* --- present, absent, gshadow ----------------------------------------------------------- */

TEST(present_nothing_written)
{
	char root[256], err[256] = "";
	const char *grp = "root:x:0:\ndocker:x:4242:alice,bob\n";
	struct stat a, b;
	unsigned gid = 0;
	int changed = -1;

	if (mkroot(root, sizeof root, grp, "root:*::\n", NULL) < 0 || dd_root_set(root) < 0) {
		CHECK(0);
		return;
	}
	stat_of(root, "etc/group", &a);
	CHECK(dd_group_ensure("docker", &gid, &changed, err, sizeof err) == 0);
	CHECK(gid == 4242 && changed == 0);
	stat_of(root, "etc/group", &b);
	CHECK(a.st_ino == b.st_ino && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec);
	CHECK(strcmp(get(root, "etc/gshadow"), "root:*::\n") == 0); /* left alone */
	CHECK(dd_group_lookup("docker", &gid) == 0 && gid == 4242);
	CHECK(dd_group_lookup("nobody-here", &gid) == 1);
	dd_root_set(NULL);
	t_rmtree(root);
}

/* Entries shadow-utils reads as present (groupadd -r says "already exists"). */
TEST(present_forms)
{
	static const struct {
		const char *group;
		unsigned gid;
	} forms[] = {
		{ "docker:x:500\n", 500 },
		{ "docker:x: 0500:\n", 500 },
		{ "docker::7:\n", 7 },
		{ "docker:x:10:", 10 },
	};

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		char root[256], err[256] = "";
		unsigned gid = 0;
		int changed = -1, rc;

		if (mkroot(root, sizeof root, forms[i].group, "", NULL) < 0 || dd_root_set(root) < 0) {
			CHECK(0);
			continue;
		}
		rc = dd_group_ensure("docker", &gid, &changed, err, sizeof err);
		CHECKF(rc == 0 && changed == 0 && gid == forms[i].gid, "row %zu: rc %d gid %u %s", i,
		       rc, gid, err);
		CHECKF(strcmp(get(root, "etc/group"), forms[i].group) == 0 &&
		       strcmp(get(root, "etc/gshadow"), "") == 0, "row %zu: written", i);
		dd_root_set(NULL);
		if (can_groupadd())
			CHECKF(groupadd(root, "docker") != 0, "row %zu: groupadd added it", i);
		t_rmtree(root);
	}
}

TEST(absent_added_then_present)
{
	char root[256], err[256] = "";
	unsigned gid = 0, gid2 = 0;
	int changed = -1;

	if (mkroot(root, sizeof root, "root:x:0:\n", "root:*::\n", NULL) < 0 ||
	    dd_root_set(root) < 0) {
		CHECK(0);
		return;
	}
	CHECK(dd_group_lookup("docker", &gid) == 1);
	CHECK(dd_group_ensure("docker", &gid, &changed, err, sizeof err) == 0 && changed == 1);
	CHECK(strcmp(get(root, "etc/group"), "root:x:0:\ndocker:x:999:\n") == 0);
	CHECK(strcmp(get(root, "etc/gshadow"), "root:*::\ndocker:!::\n") == 0);
	CHECK(dd_group_ensure("docker", &gid2, &changed, err, sizeof err) == 0 && changed == 0);
	CHECK(gid2 == gid && dd_group_lookup("docker", &gid2) == 0 && gid2 == 999);
	CHECK(strcmp(get(root, "etc/group"), "root:x:0:\ndocker:x:999:\n") == 0);
	dd_root_set(NULL);
	t_rmtree(root);
}

/* gshadow: absent (not created), present, holding the name already, no final newline. */
static const struct {
	const char *name, *group, *gshadow, *want_group, *want_gshadow;
} shadows[] = {
	{ "gshadow absent", "root:x:0:\n", NULL, "root:x:0:\ndocker:x:999:\n", "<none>" },
	{ "gshadow present", "root:x:0:\n", "root:*::\n", "root:x:0:\ndocker:x:999:\n",
	  "root:*::\ndocker:!::\n" },
	{ "gshadow empty", "root:x:0:\n", "", "root:x:0:\ndocker:x:999:\n", "docker:!::\n" },
	{ "name in gshadow only", "root:x:0:\n", "root:*::\ndocker:$6$x:adm:alice\n",
	  "root:x:0:\ndocker:x:999:\n", "root:*::\ndocker:$6$x:adm:alice\n" },
	{ "no final newline in either", "root:x:0:\nfoo:x:500:", "root:*::", 
	  "root:x:0:\nfoo:x:500:\ndocker:x:499:\n", "root:*::\ndocker:!::\n" },
	{ "group empty", "", "", "docker:x:999:\n", "docker:!::\n" },
	{ "name as a prefix only", "dockerd:x:998:\ndocke:x:997:\n", "dockerd:!::\n",
	  "dockerd:x:998:\ndocke:x:997:\ndocker:x:996:\n", "dockerd:!::\ndocker:!::\n" },
	{ "CRLF line kept as is", "root:x:0:\r\nfoo:x:500:\n", "root:*::\n",
	  "root:x:0:\r\nfoo:x:500:\ndocker:x:499:\n", "root:*::\ndocker:!::\n" },
	{ "NIS lines in both", "a:x:500:\n+:::\n", "a:!::\n+:::", "a:x:500:\ndocker:x:499:\n+:::\n",
	  "a:!::\ndocker:!::\n+:::\n" },
};

TEST(gshadow_cases)
{
	for (size_t i = 0; i < sizeof shadows / sizeof shadows[0]; i++) {
		char root[256], err[256] = "";
		unsigned gid = 0;
		int changed = -1, rc;

		if (mkroot(root, sizeof root, shadows[i].group, shadows[i].gshadow, NULL) < 0 ||
		    dd_root_set(root) < 0) {
			CHECK(0);
			continue;
		}
		rc = dd_group_ensure("docker", &gid, &changed, err, sizeof err);
		dd_root_set(NULL);
		CHECKF(rc == 0 && changed == 1, "%s: rc %d %s", shadows[i].name, rc, err);
		CHECKF(strcmp(get(root, "etc/group"), shadows[i].want_group) == 0, "%s: group:\n%s",
		       shadows[i].name, get(root, "etc/group"));
		CHECKF(strcmp(get(root, "etc/gshadow"), shadows[i].want_gshadow) == 0,
		       "%s: gshadow:\n%s", shadows[i].name, get(root, "etc/gshadow"));
		t_rmtree(root);
	}
}

TEST(modes_and_owners_kept)
{
	char root[256], p[512], err[256] = "";
	struct stat g, s;
	unsigned gid;
	int changed;

	if (mkroot(root, sizeof root, "root:x:0:\n", "root:*::\n", NULL) < 0) {
		CHECK(0);
		return;
	}
	put(root, "etc/group", "root:x:0:\n", 0604);
	put(root, "etc/gshadow", "root:*::\n", 0640);
	snprintf(p, sizeof p, "%s/etc/group", root);
	CHECK(chown(p, 12, 34) == 0);
	snprintf(p, sizeof p, "%s/etc/gshadow", root);
	CHECK(chown(p, 0, 42) == 0);
	CHECK(dd_root_set(root) == 0);
	umask(077);
	CHECK(dd_group_ensure("docker", &gid, &changed, err, sizeof err) == 0 && changed == 1);
	umask(022);
	dd_root_set(NULL);
	CHECK(stat_of(root, "etc/group", &g) == 0 && stat_of(root, "etc/gshadow", &s) == 0);
	CHECKF((g.st_mode & 07777) == 0604 && g.st_uid == 12 && g.st_gid == 34,
	       "group %o %u:%u", (unsigned)g.st_mode & 07777, (unsigned)g.st_uid, (unsigned)g.st_gid);
	CHECKF((s.st_mode & 07777) == 0640 && s.st_uid == 0 && s.st_gid == 42,
	       "gshadow %o %u:%u", (unsigned)s.st_mode & 07777, (unsigned)s.st_uid, (unsigned)s.st_gid);
	CHECK(stat_of(root, "etc/.pwd.lock", &s) == 0 && (s.st_mode & 07777) == 0600);
	/* No temporary left beside them. */
	snprintf(p, sizeof p, "ls -A '%s/etc' | grep -q '\\.dd-'", root);
	CHECK(system(p) != 0);
	t_rmtree(root);
}

/* --- refusals ---------------------------------------------------------------------------- */

static const struct {
	const char *name, *group;
	int rc;
	const char *msg;
} refusals[] = {
	{ "malformed entry for the name", "root:x:0:\ndocker:x:abc:\n", DD_EXIT_USAGE,
	  "line 2: not a group entry" },
	{ "entry with too few fields", "docker\n", DD_EXIT_USAGE, "line 1: not a group entry" },
	{ "entry with too many fields", "docker:x:5:a:b\n", DD_EXIT_USAGE, "not a group entry" },
	{ "entry with an empty gid", "docker:x::\n", DD_EXIT_USAGE, "not a group entry" },
	{ "another group malformed", "root:x:0:\nfoo:x:1:2:3\n", DD_EXIT_USAGE, "line 2: not a group entry" },
	{ "the name twice", "a:x:1:\ndocker:x:8:\ndocker:x:9:\n", DD_EXIT_USAGE,
	  "lines 2 and 3: group docker twice" },
	{ "the name twice, same gid", "docker:x:8:\ndocker:x:8:a\n", DD_EXIT_USAGE, "twice" },
	{ "gid (gid_t)-1", "docker:x:4294967295:\n", DD_EXIT_USAGE, "not a group entry" },
	{ "NUL byte", "root:x:0:\n\0docker:x:1:\n", DD_EXIT_USAGE, "NUL byte" },
};

TEST(refusals_write_nothing)
{
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
		char root[256], err[256] = "";
		unsigned gid;
		int changed = -1, rc;

		if (mkroot(root, sizeof root, NULL, "root:*::\n", NULL) < 0) {
			CHECK(0);
			continue;
		}
		{ /* the NUL row: write the bytes past the first NUL too */
			char p[512];
			const char *g = refusals[i].group;
			size_t n = strlen(g);
			int fd;

			if (!strcmp(refusals[i].name, "NUL byte"))
				n = strlen(g) + 1 + strlen(g + strlen(g) + 1);
			snprintf(p, sizeof p, "%s/etc/group", root);
			fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			CHECK(fd >= 0 && write(fd, g, n) == (ssize_t)n);
			close(fd);
		}
		dd_root_set(root);
		rc = dd_group_ensure("docker", &gid, &changed, err, sizeof err);
		CHECKF(rc == refusals[i].rc && changed == 0 && strstr(err, refusals[i].msg) &&
		       !strchr(err, '\n'), "%s: rc %d err %s", refusals[i].name, rc, err);
		/* install's look before any change says the same */
		rc = dd_group_check("docker", err, sizeof err);
		CHECKF(rc == refusals[i].rc && strstr(err, refusals[i].msg), "%s: check: rc %d err %s",
		       refusals[i].name, rc, err);
		CHECKF(dd_group_lookup("docker", &gid) == -1, "%s: lookup", refusals[i].name);
		dd_root_set(NULL);
		CHECKF(strcmp(get(root, "etc/gshadow"), "root:*::\n") == 0, "%s: gshadow written",
		       refusals[i].name);
		t_rmtree(root);
	}
}

TEST(bad_names_refused)
{
	static const char *const bad[] = { "", "Docker", "1docker", "doc:ker", "doc ker",
					   "a23456789012345678901234567890123", "-x", "a\nb" };
	char err[256];
	unsigned gid;
	int changed;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECKF(dd_group_ensure(bad[i], &gid, &changed, err, sizeof err) == DD_EXIT_USAGE,
		       "name %zu", i);
		CHECKF(dd_group_lookup(bad[i], &gid) == -1, "lookup %zu", i);
	}
}

TEST(symlinks_refused)
{
	static const char *const which[] = { "etc/group", "etc/gshadow", "etc/.pwd.lock" };

	for (size_t i = 0; i < sizeof which / sizeof which[0]; i++) {
		char root[256], p[512], err[256] = "";
		unsigned gid;
		int changed = -1, rc;

		if (mkroot(root, sizeof root, "root:x:0:\n", "root:*::\n", NULL) < 0) {
			CHECK(0);
			continue;
		}
		put(root, "real", "root:x:0:\n", 0644);
		snprintf(p, sizeof p, "%s/%s", root, which[i]);
		unlink(p);
		CHECK(symlink("../real", p) == 0);
		dd_root_set(root);
		rc = dd_group_ensure("docker", &gid, &changed, err, sizeof err);
		dd_root_set(NULL);
		CHECKF(rc == (strstr(which[i], "pwd.lock") ? DD_EXIT_FAIL : DD_EXIT_USAGE) && changed == 0 &&
		       (strstr(err, "symbolic link") || strstr(err, "Too many levels") ||
			strstr(err, "Symbolic link loop")),
		       "%s: rc %d err %s", which[i], rc, err);
		CHECKF(strcmp(get(root, "real"), "root:x:0:\n") == 0, "%s: target written", which[i]);
		t_rmtree(root);
	}
}

TEST(missing_group_file)
{
	char root[256], err[256] = "";
	unsigned gid;
	int changed;

	if (mkroot(root, sizeof root, NULL, NULL, NULL) < 0) {
		CHECK(0);
		return;
	}
	dd_root_set(root);
	CHECK(dd_group_ensure("docker", &gid, &changed, err, sizeof err) == DD_EXIT_FAIL);
	CHECK(strstr(err, "/etc/group") && strstr(err, "No such file"));
	CHECK(dd_group_lookup("docker", &gid) == -1);
	dd_root_set(NULL);
	t_rmtree(root);
}

/* --- the lock ---------------------------------------------------------------------------- */

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A child that takes the lock as lckpwdf() does and holds it for hold_ms (or until killed). */
static pid_t hold_lock(const char *root, long hold_ms)
{
	char p[512];
	int fds[2];
	pid_t pid;
	char c;

	snprintf(p, sizeof p, "%s/etc/.pwd.lock", root);
	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

		if (fd < 0 || fcntl(fd, F_SETLKW, &fl) < 0)
			_exit(1);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		usleep((useconds_t)hold_ms * 1000);
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &c, 1) != 1) {
		close(fds[0]);
		return -1;
	}
	close(fds[0]);
	return pid;
}

TEST(lock_held_times_out)
{
	char root[256], err[256] = "";
	unsigned gid;
	int changed = -1, rc, st;
	long t0;
	pid_t pid;

	if (mkroot(root, sizeof root, "root:x:0:\n", "root:*::\n", NULL) < 0) {
		CHECK(0);
		return;
	}
	pid = hold_lock(root, 10000);
	CHECK(pid > 0);
	dd_root_set(root);
	dd_group_set_lock_timeout(400);
	t0 = ms_now();
	rc = dd_group_ensure("docker", &gid, &changed, err, sizeof err);
	t0 = ms_now() - t0;
	dd_group_set_lock_timeout(15000);
	dd_root_set(NULL);
	CHECKF(rc == DD_EXIT_FAIL && changed == 0 && strstr(err, "still held by another process"),
	       "rc %d err %s", rc, err);
	CHECKF(t0 >= 400 && t0 < 3000, "waited %ld ms", t0);
	CHECK(strcmp(get(root, "etc/group"), "root:x:0:\n") == 0);
	CHECK(strcmp(get(root, "etc/gshadow"), "root:*::\n") == 0);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	t_rmtree(root);
}

TEST(lock_released_we_go_on)
{
	char root[256], err[256] = "";
	unsigned gid;
	int changed = -1, rc, st;
	long t0;
	pid_t pid;

	if (mkroot(root, sizeof root, "root:x:0:\n", "root:*::\n", NULL) < 0) {
		CHECK(0);
		return;
	}
	pid = hold_lock(root, 300);
	CHECK(pid > 0);
	dd_root_set(root);
	t0 = ms_now();
	rc = dd_group_ensure("docker", &gid, &changed, err, sizeof err);
	t0 = ms_now() - t0;
	dd_root_set(NULL);
	CHECKF(rc == 0 && changed == 1 && gid == 999, "rc %d err %s", rc, err);
	CHECKF(t0 >= 200, "did not wait for the holder: %ld ms", t0);
	if (pid > 0)
		waitpid(pid, &st, 0);
	t_rmtree(root);
}

/* systemd-sysusers takes the same file with an open-file-description lock: it conflicts
 * with our process-associated lock even within one process. */
TEST(ofd_lock_excludes_us)
{
	char root[256], p[512], err[256] = "";
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	unsigned gid;
	int changed = -1, rc, fd;

	if (mkroot(root, sizeof root, "root:x:0:\n", NULL, NULL) < 0) {
		CHECK(0);
		return;
	}
	snprintf(p, sizeof p, "%s/etc/.pwd.lock", root);
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && fcntl(fd, F_OFD_SETLK, &fl) == 0);
	dd_root_set(root);
	dd_group_set_lock_timeout(100);
	rc = dd_group_ensure("docker", &gid, &changed, err, sizeof err);
	CHECKF(rc == DD_EXIT_FAIL && strstr(err, "still held"), "rc %d err %s", rc, err);
	close(fd);
	rc = dd_group_ensure("docker", &gid, &changed, err, sizeof err);
	CHECKF(rc == 0 && changed == 1, "after release: rc %d err %s", rc, err);
	dd_group_set_lock_timeout(15000);
	dd_root_set(NULL);
	t_rmtree(root);
}

int main(void)
{
	dd_log_init();
	RUN(gid_choice_table);
	if (can_groupadd())
		RUN(gid_choice_same_as_groupadd_r);
	else
		printf("skip - gid_choice_same_as_groupadd_r: needs root and /usr/sbin/groupadd\n");
	RUN(present_nothing_written);
	RUN(present_forms);
	RUN(absent_added_then_present);
	RUN(gshadow_cases);
	if (geteuid() == 0)
		RUN(modes_and_owners_kept);
	else
		printf("skip - modes_and_owners_kept: setting owners needs root\n");
	RUN(refusals_write_nothing);
	RUN(bad_names_refused);
	RUN(symlinks_refused);
	RUN(missing_group_file);
	RUN(lock_held_times_out);
	RUN(lock_released_we_go_on);
	RUN(ofd_lock_excludes_us);
	T_EXIT();
}
