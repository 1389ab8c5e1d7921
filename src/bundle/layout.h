/* What an engine must hold for install to work: docker/dockerd, docker/docker,
 * docker/containerd and docker/runc as regular files (a symlink or a directory does not
 * count), and programs in docker/ whose names install can link into /usr/local/bin and
 * write in its record. `bundle` checks the tarball's entries (exit 2), install checks the
 * verified staging directory before it is renamed into place (exit 3). */
#ifndef DD_BUNDLE_LAYOUT_H
#define DD_BUNDLE_LAYOUT_H

#include <stddef.h>

#define DD_ENGINE_NREQUIRED 4
extern const char *const dd_engine_required[DD_ENGINE_NREQUIRED];

/* 1 when a program directly in docker/ that install links (executable, not hidden, under
 * 64 bytes) has a name it can record: 1 to 63 of [A-Za-z0-9._+-], not starting with '.'. */
int dd_engine_prog_name_ok(const char *name);
/* The unpacked tree at the directory fd top has the layout (its programs' names included). 0, or -1 with
 * a reason in why. */
int dd_engine_layout_check(int top, char *why, size_t whysz);

#endif
