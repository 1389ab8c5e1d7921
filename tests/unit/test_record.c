/* The state record's bookkeeping (host/record.h): which paths a record may name (dockdrop's
 * set, per kind: a record naming anything else is damaged), where a backup lives, and
 * whether a recorded file is still dockdrop's. */
#include "t.h"

#include "host/paths.h"
#include "host/record.h"
#include "host/root.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

TEST(in_set)
{
	static const struct {
		char kind;
		const char *path;
		int in;
	} rows[] = {
		{ 'c', "/etc/docker/daemon.json", 1 },
		{ 'f', "/var/lib/dockdrop/daemon.json.orig", 1 },
		{ 'k', "/etc/docker/tls/server-key.pem", 1 },
		{ 'k', "/etc/docker/tls/notes.txt", 0 },	/* the user's, never ours */
		{ 'k', "/etc/dockdrop/ca/ca-key.pem", 1 },
		{ 'k', "/etc/.pwd.lock", 1 },
		{ 'l', "/usr/local/bin/docker", 1 },
		{ 'l', "/usr/local/bin/sub/docker", 0 },	/* '*' stays in one component */
		{ 'l', "/usr/local/bin", 0 },
		{ 'l', "/opt/dockdrop/engine/current", 1 },
		{ 'l', "/etc/rc2.d/S01containerd", 1 },
		{ 'l', "/etc/rc7.d/S01containerd", 0 },
		{ 'l', "/etc/rc0.d/K02docker", 1 },
		{ 'l', "/etc/rc0.d/X02docker", 0 },
		{ 'l', "/etc/systemd/system/docker.socket", 1 },
		{ 'f', "/etc/systemd/system/docker.service", 1 },
		{ 'f', "/lib/systemd/system/docker.service", 0 },	/* a package's */
		{ 'f', "/etc/passwd", 0 },
		{ 'f', "/etc/group", 0 },
		{ 'n', "/etc/group", 1 },
		{ 'n', "/etc/passwd", 0 },
		{ 'x', "/var/lib/docker", 1 },
		{ 'x', "/etc/docker/key.json", 1 },
		{ 'x', "/var/lib", 0 },
		{ 'x', "/home", 0 },
		{ 'd', "/etc", 1 },				/* an ancestor of a file of the set */
		{ 'd', "/etc/docker/tls", 1 },
		{ 'd', "/etc/systemd/system/multi-user.target.wants", 1 },
		{ 'd', "/opt/dockdrop/engine/1.0-aaaaaaaaaaaa", 1 },
		{ 'd', "/opt/containerd/bin", 1 },
		{ 'd', "/var/lib/dockdrop/backup/usr/local/bin", 1 },
		{ 'd', "/home", 0 },
		{ 'd', "/etc/ssh", 0 },
		{ 'b', DD_BACKUP_DIR "/usr/local/bin/docker", 1 },
		{ 'b', DD_BACKUP_DIR "/etc/docker/tls/server-key.pem", 1 },
		{ 'b', DD_BACKUP_DIR "/etc/passwd", 0 },
		{ 'b', "/etc/passwd", 0 },
		{ 'q', "/etc/docker/daemon.json", 0 },
	};

	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++)
		CHECKF(dd_record_in_set(rows[i].kind, rows[i].path) == rows[i].in, "%c %s", rows[i].kind,
		       rows[i].path);
}

TEST(backup_paths)
{
	char b[256];

	CHECK(dd_record_backup_path("/usr/local/bin/docker", b, sizeof b) == 0);
	CHECK(strcmp(b, "/var/lib/dockdrop/backup/usr/local/bin/docker") == 0);
	CHECK(strcmp(dd_record_backup_orig(b), "/usr/local/bin/docker") == 0);
	CHECK(strcmp(dd_record_backup_orig("/usr/local/bin/docker"), "/usr/local/bin/docker") == 0);
	CHECK(strcmp(dd_record_backup_orig("/var/lib/dockdrop/backupx/y"), "/var/lib/dockdrop/backupx/y") == 0);
	CHECK(dd_record_backup_path("/x", b, 8) == -1);
}

/* A file on record: ours while its digest is the recorded one, or with a planned digest
 * while it exists; a link while it points where it did. */
TEST(ours)
{
	struct dd_state_ent e = { 0 };
	char dir[256], p[512];
	FILE *f;

	T_TMPDIR(dir);
	CHECK(dd_root_set(dir) == 0);
	snprintf(p, sizeof p, "%s/f", dir);
	e.kind = 'f';
	snprintf(e.path, sizeof e.path, "/f");
	snprintf(e.sha, sizeof e.sha, "%s", DD_STATE_PLANNED);
	CHECK(dd_record_ours(&e) == DD_RECORD_ABSENT);
	CHECK((f = fopen(p, "w")) && fputs("hello\n", f) >= 0 && fclose(f) == 0);
	CHECK(dd_record_ours(&e) == DD_RECORD_OURS);
	/* sha256("hello\n") */
	snprintf(e.sha, sizeof e.sha, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
	CHECK(dd_record_ours(&e) == DD_RECORD_OURS);
	snprintf(e.sha, sizeof e.sha, "%s", HEX64);
	CHECK(dd_record_ours(&e) == DD_RECORD_CHANGED);
	e.kind = 'l';
	snprintf(e.path, sizeof e.path, "/l");
	snprintf(e.target, sizeof e.target, "/somewhere");
	snprintf(p, sizeof p, "%s/l", dir);
	CHECK(symlink("/somewhere", p) == 0);
	CHECK(dd_record_ours(&e) == DD_RECORD_OURS);
	snprintf(e.target, sizeof e.target, "/elsewhere");
	CHECK(dd_record_ours(&e) == DD_RECORD_CHANGED);
	dd_root_set(NULL);
	t_rmtree(dir);
}

int main(void)
{
	RUN(in_set);
	RUN(backup_paths);
	RUN(ours);
	return t_any_failed;
}
