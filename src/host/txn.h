/* An install is a transaction. Before dockdrop first changes a path in a run it takes a
 * snapshot of it (old bytes, mode and owner, a link's target, or "absent"); on failure
 * every path is put back in reverse order, so a failed install leaves the machine as it
 * was. Each change is itself atomic (temp name + rename), so a SIGKILL, which no rollback
 * can follow, leaves whole files only: re-running install completes the job. Paths given
 * here are absolute target paths, resolved inside --root by host/root. */
#ifndef DD_HOST_TXN_H
#define DD_HOST_TXN_H

#include <stddef.h>
#include <sys/types.h>

#define DD_TXN_MAX 128
#define DD_TXN_FILE_MAX (1 << 20) /* old contents kept for rollback: config files only */

struct dd_txn_ent {
	char *path;		/* absolute on the target (resolved by host/root) */
	int was;		/* DD_TXN_ABSENT, _FILE, _LINK, _DIR */
	char *data;		/* old bytes, a link's target, or where a moved file went */
	size_t len;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

enum { DD_TXN_ABSENT, DD_TXN_FILE, DD_TXN_LINK, DD_TXN_DIR, DD_TXN_MOVED };

struct dd_txn {
	struct dd_txn_ent e[DD_TXN_MAX];
	unsigned n;
	unsigned changes;	/* paths actually changed in this run */
	/* Called once, before the first snapshot (so before the first change) of the run:
	 * install writes its provisional record there, so that a run that changes nothing
	 * writes nothing. 0, or -1 with errno (the change is then not made). */
	int (*begin)(void *ctx);
	void *ctx;
	int begun;
};

/* Snapshot path (absolute) unless already taken in this run. A directory that
 * exists is remembered as such (its children get their own snapshots); one that does not
 * is removed with everything in it on rollback. 0 or -1 with errno. */
int dd_txn_snap(struct dd_txn *t, const char *path);
/* mkdir -p with a snapshot of every component it creates. */
int dd_txn_mkdir(struct dd_txn *t, const char *path, mode_t mode);
/* Make path hold exactly buf (n bytes) with mode: nothing is written when it already
 * does (*changed = 0). Parents are made 0755. 0 or -1 with errno. */
int dd_txn_write(struct dd_txn *t, const char *path, const void *buf, size_t n, mode_t mode,
		 int *changed);
/* The same, owned by uid:gid ((uid_t)-1, (gid_t)-1: whoever runs dockdrop), an owner that
 * differs being a change too: a file of the user's that dockdrop rewrites keeps its owner. */
int dd_txn_write_as(struct dd_txn *t, const char *path, const void *buf, size_t n,
		    mode_t mode, uid_t uid, gid_t gid, int *changed);
/* Make path a symlink to target, replaced atomically; same contract as dd_txn_write. */
int dd_txn_symlink(struct dd_txn *t, const char *path, const char *target, int *changed);
/* Remove a file or symlink (snapshot first). Absent is fine. 0 or -1 with errno. */
int dd_txn_unlink(struct dd_txn *t, const char *path);
/* Move the file or symlink at from to to (which must not exist; its parents are made),
 * moved back on rollback. 0 or -1 with errno. */
int dd_txn_move(struct dd_txn *t, const char *from, const char *to);
/* Move a file or symlink between mapped paths: rename, or across file systems a copy
 * (mode, owner and bytes; a link's target) made atomically at to, then from unlinked. 0
 * or -1 with errno. */
int dd_move_path(const char *from, const char *to);
/* One dockdrop changing a target at a time (install, uninstall, certs rotate): an
 * exclusive flock on the root directory itself, so no lock file is left behind; held
 * until the process exits. 0, or DD_EXIT_FAIL after one line naming cmd. */
int dd_txn_lock(const char *cmd);
/* Remove what a killed run left in the target directory dir: temporary files of atomic
 * writes (".NAME.dd-PID-...", when PID is gone) and, with staging set, unpack staging
 * directories (".NAME.dockdrop-..."). Only under install's lock. How many it removed. */
unsigned dd_txn_sweep(const char *dir, int staging);
/* Put every snapshot back, newest first; problems are warned about, not fatal. */
void dd_txn_rollback(struct dd_txn *t);
/* Forget the snapshots (after success). */
void dd_txn_done(struct dd_txn *t);

#endif
