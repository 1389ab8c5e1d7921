/* host/enginesum: the digest of an installed engine directory is the same for the same
 * tree (whatever the order the entries were made in, whatever their mtimes) and differs
 * after each change a table lists: contents, size, mode, owner, a file added, removed or
 * renamed, a symlink's target, a file made a symlink or a fifo, in a subdirectory too. */
#include "t.h"

#include <sys/stat.h>
#include <sys/time.h>

#include "archive/extract.h"
#include "host/enginesum.h"
#include "host/root.h"
#include "util/sha256.h"

static char root[256], eng[512];

static void put(const char *rel, const char *text, mode_t mode)
{
	char p[700];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", eng, rel);
	f = fopen(p, "w");
	CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0 && chmod(p, mode) == 0);
}

static void path(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/%s", eng, rel);
}

/* The tree every row starts from, made in the order given by flip. */
static void make(int flip)
{
	char p[700];

	t_rmtree(eng);
	CHECK(mkdir(eng, 0755) == 0);
	path(p, sizeof p, "docker");
	CHECK(mkdir(p, 0755) == 0);
	path(p, sizeof p, "docker/sub");
	CHECK(mkdir(p, 0755) == 0);
	if (flip) {
		put("docker/runc", "runc\n", 0755);
		put("docker/dockerd", "dockerd\n", 0755);
	} else {
		put("docker/dockerd", "dockerd\n", 0755);
		put("docker/runc", "runc\n", 0755);
	}
	put("docker/sub/data", "data\n", 0644);
	path(p, sizeof p, "docker/link");
	CHECK(symlink("runc", p) == 0);
}

static void m_content(void) { put("docker/runc", "runx\n", 0755); }
static void m_size(void) { put("docker/runc", "runc\n\n", 0755); }
static void m_mode(void) { char p[700]; path(p, sizeof p, "docker/runc"); CHECK(chmod(p, 0775) == 0); }
static void m_owner(void) { char p[700]; path(p, sizeof p, "docker/runc"); CHECK(lchown(p, 1, 1) == 0); }
static void m_added(void) { put("docker/extra", "", 0644); }
static void m_hidden(void) { put("docker/.hidden", "", 0644); }
static void m_removed(void) { char p[700]; path(p, sizeof p, "docker/sub/data"); CHECK(unlink(p) == 0); }
static void m_renamed(void)
{
	char a[700], b[700];

	path(a, sizeof a, "docker/sub/data");
	path(b, sizeof b, "docker/sub/date");
	CHECK(rename(a, b) == 0);
}
static void m_target(void)
{
	char p[700];

	path(p, sizeof p, "docker/link");
	CHECK(unlink(p) == 0 && symlink("dockerd", p) == 0);
}
static void m_to_link(void)
{
	char p[700];

	path(p, sizeof p, "docker/runc");
	CHECK(unlink(p) == 0 && symlink("dockerd", p) == 0);
}
static void m_fifo(void)
{
	char p[700];

	path(p, sizeof p, "docker/sub/data");
	CHECK(unlink(p) == 0 && mkfifo(p, 0644) == 0);
}
static void m_dir_mode(void) { char p[700]; path(p, sizeof p, "docker/sub"); CHECK(chmod(p, 0777) == 0); }
static void m_top_mode(void) { CHECK(chmod(eng, 0700) == 0); }

static const struct {
	const char *what;
	void (*change)(void);
} changes[] = {
	{ "contents", m_content }, { "size", m_size }, { "mode", m_mode }, { "owner", m_owner },
	{ "a file added", m_added }, { "a hidden file added", m_hidden },
	{ "a file removed", m_removed }, { "a file renamed", m_renamed },
	{ "a symlink's target", m_target }, { "a file made a symlink", m_to_link },
	{ "a file made a fifo", m_fifo }, { "a directory's mode", m_dir_mode },
	{ "the top directory's mode", m_top_mode },
};

TEST(digest_table)
{
	char base[65], again[65], hex[65], p[700];
	struct timeval tv[2] = { { 1, 0 }, { 1, 0 } };

	T_TMPDIR(root);
	snprintf(p, sizeof p, "%s/opt", root);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof p, "%s/opt/dockdrop", root);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof p, "%s/opt/dockdrop/engine", root);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(eng, sizeof eng, "%s/opt/dockdrop/engine/1.0-abc", root);
	CHECK(dd_root_set(root) == 0);

	make(0);
	CHECK(dd_engine_tree("1.0-abc", base, NULL) == 0 && strlen(base) == 64);
	make(1); /* made in another order, other mtimes: the same tree */
	path(p, sizeof p, "docker/runc");
	CHECK(utimes(p, tv) == 0);
	CHECK(dd_engine_tree("1.0-abc", again, NULL) == 0 && strcmp(base, again) == 0);
	CHECK(dd_engine_intact("1.0-abc", base) == 1 && dd_engine_intact("1.0-abc", "") == -1);
	for (unsigned i = 0; i < sizeof changes / sizeof changes[0]; i++) {
		make(0);
		changes[i].change();
		CHECKF(dd_engine_tree("1.0-abc", hex, NULL) == 0 && strcmp(hex, base) != 0, "%s: same digest",
		       changes[i].what);
		CHECKF(dd_engine_intact("1.0-abc", base) == 0, "%s: intact", changes[i].what);
	}
	/* Digests an unpack took as it wrote (archive/extract.h) stand in for reading the
	 * files: right ones give the same digest; a wrong one shows it was used; a path written
	 * twice is read instead. */
	{
		static struct dd_extract_sums known;
		static const char *const files[][2] = { { "docker/dockerd", "dockerd\n" },
							{ "docker/runc", "runc\n" },
							{ "docker/sub/data", "data\n" } };
		dd_sha256 c;

		make(0);
		known.n = 3;
		for (unsigned i = 0; i < 3; i++) {
			snprintf(known.s[i].path, sizeof known.s[i].path, "%s", files[i][0]);
			dd_sha256_init(&c);
			dd_sha256_update(&c, files[i][1], strlen(files[i][1]));
			dd_sha256_out(&c, known.s[i].sha256);
		}
		CHECK(dd_engine_tree("1.0-abc", hex, &known) == 0 && strcmp(hex, base) == 0);
		CHECK(dd_extract_sum(&known, "docker/runc") == known.s[1].sha256 &&
		      dd_extract_sum(&known, "docker/run") == NULL && dd_extract_sum(NULL, "x") == NULL);
		known.s[1].sha256[0] ^= 1;
		CHECK(dd_engine_tree("1.0-abc", hex, &known) == 0 && strcmp(hex, base) != 0);
		known.s[3] = known.s[1];	/* docker/runc twice, both wrong: read */
		known.n = 4;
		CHECK(dd_extract_sum(&known, "docker/runc") == NULL);
		CHECK(dd_engine_tree("1.0-abc", hex, &known) == 0 && strcmp(hex, base) == 0);
	}
	t_rmtree(eng);
	CHECK(dd_engine_tree("1.0-abc", hex, NULL) == -1 && dd_engine_intact("1.0-abc", base) == 0);
	dd_root_set(NULL);
	t_rmtree(root);
}

int main(void)
{
	RUN(digest_table);
	T_EXIT();
}
