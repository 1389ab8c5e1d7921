/* The installed engine: versioned directories /opt/dockdrop/engine/VERSION-DIGEST12
 * (the upstream tarball's docker/ tree, unpacked in one verified pass), a symlink
 * "current" naming the active one, and /usr/local/bin links through "current", so that an
 * upgrade or a rollback switches every binary with one atomic rename. */
#ifndef DD_HOST_ENGINE_H
#define DD_HOST_ENGINE_H

#include <stddef.h>

#include "bundle/payload.h"
#include "bundle/unpack.h"
#include "host/txn.h"

#define DD_ENGINE_BINS 16

/* "VERSION-DIGEST12" for engine blob b, "VERSION-DIGEST12+iptables-XTVERSION-XTDIGEST8"
 * when it comes with the carried iptables xt (part of the directory: a new iptables is a
 * new engine directory, with the same upgrade and rollback). */
void dd_engine_name(const struct dd_blob *b, const struct dd_blob *xt, char *out, size_t cap);
/* Make /opt/dockdrop/engine/NAME from blob b and more (the carried iptables, or NULL; its
 * small blob the caller has verified in full already, before any change): unpacked and
 * verified in one pass, checked to be an engine (bundle/layout.h) before it is renamed
 * into place. A directory already there is kept only when the engine blob still verifies
 * (its SHA-256 is read in full, so a damaged payload is refused even then) and
 * the directory's digest (host/enginesum.h) is recorded, the one the record holds for it;
 * else it is unpacked again from the verified blobs and exchanged for the one there (a repair is not undone by a later rollback: the
 * new tree is the right one). tree gets the directory's digest for the record. *changed
 * tells. 0 or an exit code with err (DD_EXIT_VERIFY: payload damaged, not an engine). */
int dd_engine_unpack(struct dd_txn *t, const struct dd_payload *p, const struct dd_blob *b,
		     const struct dd_unpack_more *more, const char *name, const char *recorded,
		     char tree[65], int *changed, char *err, size_t errsz);
/* 1 when /opt/dockdrop/engine/NAME holds docker/dockerd, docker/docker, docker/containerd
 * and docker/runc as regular files. */
int dd_engine_complete(const char *name);
/* The programs of NAME/docker (regular, executable files), sorted: what activate links.
 * 0 or DD_EXIT_FAIL with err. */
int dd_engine_bins(const char *name, char bins[][64], unsigned *n, char *err, size_t errsz);
/* 1 when /usr/local/bin/BIN is absent or a link into /opt/dockdrop (dockdrop's own). */
int dd_engine_bin_ours(const char *bin);
/* Point "current" at NAME and link every program of NAME/docker into /usr/local/bin. A
 * file there that is not dockdrop's link is refused (DD_EXIT_USAGE: the caller moves the
 * user's files aside first). Each program linked is reported through bins (names, at most
 * DD_ENGINE_BINS). */
int dd_engine_activate(struct dd_txn *t, const char *name, char bins[][64], unsigned *nbins,
		       int *changed, char *err, size_t errsz);
/* Remove every engine directory but keep and keep2 (either may be NULL), and anything
 * else in /opt/dockdrop/engine but "current" (what an interrupted unpack left). At most
 * the current and the previous engine stay on disk. */
void dd_engine_prune(const char *keep, const char *keep2);
/* The target of /usr/local/bin/NAME links: "/opt/dockdrop/engine/current/docker/NAME". */
void dd_engine_link_target(const char *bin, char *out, size_t cap);

#endif
