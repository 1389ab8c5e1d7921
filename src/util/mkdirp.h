/* mkdir -p: missing parents are created 0755, the last component with `mode` exactly
 * (umask does not apply). Existing directories, and symlinks to directories such as
 * /var/run, are accepted as they are; an existing non-directory is ENOTDIR. */
#ifndef DD_MKDIRP_H
#define DD_MKDIRP_H

#include <sys/types.h>

int dd_mkdir_p(const char *path, mode_t mode);
/* One directory name in dirfd, with mode exactly; -1 with errno (EEXIST when something is
 * there: the caller decides whether that will do). */
int dd_mkdirat(int dirfd, const char *name, mode_t mode);

#endif
