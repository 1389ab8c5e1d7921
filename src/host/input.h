/* install's input, checked before anything changes and before the unpack: every value it
 * accepts is one the state record (host/state.h) holds and reads back, and one the
 * certificate can carry. Each returns 0, or DD_EXIT_USAGE with one line in err. */
#ifndef DD_HOST_INPUT_H
#define DD_HOST_INPUT_H

#include <stddef.h>

#include "bundle/format.h"
#include "host/certs.h"

/* --certs DIR as the record keeps it: the absolute path without symlinks (so a re-run
 * from another directory finds the same files), into abs. */
int dd_input_certs_dir(const char *dir, char *abs, size_t cap, char *err, size_t errsz);
/* One --daemon-opt KEY=VALUE: dd_daemonjson_check_opt, and short enough for the record. */
int dd_input_daemon_opt(const char *kv, char *err, size_t errsz);
/* The server certificate's names (w, from dd_certs_sans) hold every --tls-san (extra, n;
 * none dropped for want of room) and fit one certificate (PKI_SAN_BYTES). */
int dd_input_server_names(const struct dd_certs_want *w, const char *const *extra, unsigned n,
			  char *err, size_t errsz);
/* An engine blob (or the carried iptables) install can name on disk and in the record:
 * its version is also part of a directory name (host/engine.h), so no '/' and no leading
 * '.'. 0 or
 * DD_EXIT_VERIFY (the payload is not one dockdrop bundle makes). */
int dd_input_engine(const struct dd_blob *b, char *err, size_t errsz);

#endif
