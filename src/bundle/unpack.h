/* One pass over an engine blob: SHA-256 of the compressed bytes, inflate, and safe tar
 * extraction into a staging directory beside the target, which becomes the target by
 * rename only once the digest matched. On any failure the staging directory is removed
 * and the target is untouched. */
#ifndef DD_UNPACK_H
#define DD_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "archive/extract.h"
#include "bundle/payload.h"
#include "bundle/plugin.h"

struct dd_unpack_stats {
	uint64_t files, dirs, links, bytes;
};

/* flags: DD_UNPACK_SYNC flushes the staging directory's filesystem (syncfs) before the
 * rename, so the target never names files whose data a power cut could lose (install);
 * `extract` does without, like tar -xzf. */
#define DD_UNPACK_SYNC 1u
/* DD_UNPACK_ENGINE: the staged tree must have an engine's layout (bundle/layout.h) before
 * it is renamed into place, else DD_EXIT_VERIFY (install). */
#define DD_UNPACK_ENGINE 2u
/* DD_UNPACK_REPLACE: dir may exist with files in it (an installed engine whose files were
 * changed): the verified staging directory takes its place in one exchange (renameat2
 * RENAME_EXCHANGE; where the file system has none, dir is moved aside first), and the old
 * tree is removed. Until the exchange, dir is untouched. */
#define DD_UNPACK_REPLACE 4u

/* Besides the engine, what goes into its directory in the same staged rename: the carried
 * iptables (bundle/xtables.h), with its names linked to the backend chosen for the host,
 * and the carried CLI plugins (bundle/plugin.h). */
struct dd_unpack_more {
	const struct dd_blob *xt;	/* NULL: none */
	const char *xt_prog;		/* DD_XT_NFT or DD_XT_LEGACY */
	const struct dd_blob *plug[DD_PLUGINS_MAX];
	unsigned nplug;
};

/* Unpack blob b of p into dir (which must not exist, or be an empty directory, unless
 * DD_UNPACK_REPLACE). 0, or an exit code with a one-line reason in err: DD_EXIT_USAGE (dir
 * unusable), DD_EXIT_VERIFY (digest mismatch, bad or hostile archive, not an engine),
 * DD_EXIT_FAIL (I/O). */
int dd_unpack(const struct dd_payload *p, const struct dd_blob *b, const char *dir,
	      unsigned flags, struct dd_unpack_stats *st, char *err, size_t errsz);
/* The same for base (one name, never followed) in the directory fd parent, the staging
 * directory beside it; dir names the target in messages; more (or NULL) is unpacked into
 * the same staging directory after b. */
int dd_unpack_at(const struct dd_payload *p, const struct dd_blob *b, int parent,
		 const char *base, const char *dir, unsigned flags,
		 const struct dd_unpack_more *more, struct dd_unpack_stats *st, char *err,
		 size_t errsz);
/* With DD_UNPACK_ENGINE, the SHA-256 of each file of the blob the last successful
 * dd_unpack_at wrote (not of the extras in more), by its path below dir (archive/extract.h);
 * without, none. */
const struct dd_extract_sums *dd_unpack_sums(void);

#endif
