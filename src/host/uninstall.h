/* uninstall, the inverse of host/install.h: stop the services, then remove exactly what
 * the state record lists (host/record.h), and only while it is as dockdrop left it: a
 * file the user changed since is kept, with a warning. The user's files that dockdrop
 * stood in for (backups) are put back. Certificates, the CA, the daemons' data and the
 * docker group are kept (a re-install reuses them and clients keep working) and stay on
 * record, so that a later --purge removes them; --purge removes them at once. The context
 * is the caller's. */
#ifndef DD_HOST_UNINSTALL_H
#define DD_HOST_UNINSTALL_H

#include "host/daemonjson.h"
#include "host/state.h"

struct dd_uninstall {
	int purge;
	int image;			/* --root: nothing to stop */
	/* work space */
	struct dd_state st;		/* the record */
	struct dd_state left;		/* what a plain uninstall leaves on record */
	unsigned kept;			/* files kept because they changed */
	char buf[DD_DAEMONJSON_MAX + 1];
	char text[DD_STATE_MAX];
	char err[512];
};

/* The root is set already (dd_root_set). Prints the outcome; returns the exit code. */
int dd_uninstall_run(struct dd_uninstall *u);
/* The Compose project on record s (workload/compose.h) taken down while the daemon still
 * runs (or, with up, brought up again), unless it is the one named keep (NULL: none); a
 * line says so unless quiet; a failure is only warned about. How many projects it named.
 * install takes down a project the last run named and this one not, and brings it up
 * again when the run is rolled back. */
int dd_uninstall_compose(const struct dd_state *s, const char *keep, int up, int quiet);

#endif
