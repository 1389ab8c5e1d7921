/* The state record's bookkeeping (its text format is host/state.h): the one place install,
 * uninstall, status and certs read it, decide whether a recorded file is still dockdrop's,
 * and say "not installed". A record may only name paths in dockdrop's own set (its files,
 * links, directories, the daemons' data and the backups it made); a record naming any
 * other path is damaged, and nothing is removed on its word. */
#ifndef DD_HOST_RECORD_H
#define DD_HOST_RECORD_H

#include <stddef.h>

#include "host/state.h"
#include "host/txn.h"

/* Read the record on the target. 0 (installed, or what a plain uninstall left: see
 * dd_record_installed), DD_STATE_NONE when there is none, or DD_EXIT_FAIL with err when it
 * cannot be read, is damaged or names a path outside dockdrop's set. Take the lock
 * (dd_txn_lock) first when the record is to be acted on. */
int dd_record_read(struct dd_state *s, char *err, size_t errsz);
/* dd_record_read for command cmd, printing one line when it fails: 0, or DD_EXIT_FAIL.
 * Unless any is set, a record without an engine counts as none ("not installed"). */
int dd_record_load(struct dd_state *s, const char *cmd, int any);
/* "dockdrop: CMD: dockdrop has not installed anything here (no /var/lib/dockdrop/state)";
 * returns DD_EXIT_FAIL. */
int dd_record_not_installed(const char *cmd);
/* 1 when s names an installed engine (not only what a plain uninstall kept). */
int dd_record_installed(const struct dd_state *s);
/* 1 when a record may name path with kind (state.h's kinds): dockdrop's set. */
int dd_record_in_set(char kind, const char *path);

/* Whether what is at a recorded entry's path is what dockdrop left there: a link with the
 * recorded target, a file with the recorded digest (or any file for a planned digest), a
 * directory or data tree that exists. */
enum { DD_RECORD_ABSENT, DD_RECORD_OURS, DD_RECORD_CHANGED };
int dd_record_ours(const struct dd_state_ent *e);
/* Remove what a file, keep or link entry names, the way uninstall does: only while it is
 * dockdrop's (keep entries only with purge); one that changed is kept, named in a
 * warning and counted in *kept. */
void dd_record_remove(const struct dd_state_ent *e, int purge, unsigned *kept);
/* Add what is at abs now to s with its digest or target (dd_state_record), or, for a file
 * dockdrop is about to write, kind with a planned digest. 0 or -1. */
int dd_record_planned(struct dd_state *s, char kind, const char *abs);

/* Where the user's file at orig is kept while dockdrop's stands in its place:
 * DD_BACKUP_DIR + orig. 0 or -1 (too long). */
int dd_record_backup_path(const char *orig, char *out, size_t cap);
/* The original path of a backup entry's path. */
const char *dd_record_backup_orig(const char *backup);

/* Under the lock: remove what a killed run left in dockdrop's directories (temporary
 * names of atomic writes, unpack staging directories, the first record's temporary
 * directory beside /var/lib/dockdrop's outermost missing one); install and uninstall
 * both. How many it removed. */
unsigned dd_record_sweep(void);

/* Format s and write it through t (kept there for rollback) into buf. 0 or DD_EXIT_FAIL
 * with err. */
int dd_record_write(struct dd_txn *t, const struct dd_state *s, char *buf, size_t cap,
		    char *err, size_t errsz);

#endif
