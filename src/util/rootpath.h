/* --root DIR: every path dockdrop writes on the target is an absolute path such as
 * /etc/docker/daemon.json, mapped here under the alternate root (an image tree being
 * baked). With no root set the mapping is the identity. */
#ifndef DD_ROOTPATH_H
#define DD_ROOTPATH_H

#include <stddef.h>

/* Set the root: NULL, "" or "/" clear it. The directory must exist; it is resolved to an
 * absolute path without symlinks. 0, or -1 with errno and the earlier root kept. */
int dd_root_set(const char *dir);
/* The root in force: "" when none. */
const char *dd_root(void);
/* out = root + abs. abs must be absolute and hold no "." or ".." component (EINVAL);
 * ENAMETOOLONG when out is too small. 0 or -1 with errno. */
int dd_root_path(char *out, size_t outsz, const char *abs);

#endif
