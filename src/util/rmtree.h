/* Remove a directory tree we made (a staging directory), without following symlinks and
 * without one fd per level: it climbs back with "..", so depth is not limited by fds. */
#ifndef DD_RMTREE_H
#define DD_RMTREE_H

/* Remove name (a directory or not) inside dirfd and everything below. 0 or -1 with errno. */
int dd_rmtree_at(int dirfd, const char *name);

#endif
