/* One digest over an installed engine directory, kept in the state record beside the
 * engine's version (host/state.h), so that `status` can tell that an engine file changed
 * since install (exit 1) and `install` can put the engine back from its verified payload.
 *
 * Why one digest over the tree and not one per file: the payload's blob digest already
 * vouches for every byte the unpack writes, so the record only needs to say "the directory
 * is still what the unpack made", and one 64-digit value per engine (current and previous)
 * does that in one line, where per-file lines would take a dozen entries per engine from
 * the record's fixed table and name files whose only remedy is the same (unpack again).
 * What a reader loses is the name of the file that changed; `dockdrop extract` and diff
 * show it when it matters.
 *
 * The digest is SHA-256 over a listing of the tree in byte order of the names: for each
 * entry its path below the directory, its type, mode and owner, and for a file its size
 * and SHA-256, for a symlink its target (the directory itself first, path ""). Nothing is
 * followed; a fifo or device counts as a change. Reading every file costs what hashing
 * the unpacked engine costs (about 0.2 s for 200 MB with the SHA extensions); right after
 * an unpack, the digests its workers took of each file as they wrote it stand in for the
 * reading (install: 200 ms less, the hashing spread over the two workers). */
#ifndef DD_HOST_ENGINESUM_H
#define DD_HOST_ENGINESUM_H

/* The digest of /opt/dockdrop/engine/NAME (under --root) in hex, a file's own digest taken
 * from known when it has one for its path (NULL: every file read). 0, or -1 with errno
 * (ENOENT: no such engine; EOVERFLOW: more entries or depth than an engine has). */
struct dd_extract_sums;
int dd_engine_tree(const char *name, char hex[65], const struct dd_extract_sums *known);
/* 1 when NAME's digest is tree, 0 when it differs or cannot be read, -1 when tree is empty
 * (nothing recorded: older records, or a run killed before it recorded one). */
int dd_engine_intact(const char *name, const char *tree);

#endif
