/* A server certificate's names as a set. The certificate is right for the names asked for
 * only when its SAN set equals them: a name asked for that it lacks must be added, and a
 * name it carries that is no longer asked for (a --tls-san taken off the command line, an
 * address the host no longer has) must go at the next run, not live on for 825 days. */
#ifndef DD_PKI_SANSET_H
#define DD_PKI_SANSET_H

#include <stddef.h>

#include "pki/cert.h"

/* The same name: addresses byte for byte, DNS names case-blind. */
int pki_san_same(const struct pki_san *a, const struct pki_san *b);
/* 1 when want[0..nw) and have[0..nh) hold the same names (order and repeats aside).
 * Else 0, and out says how they differ, in want's terms: "name 10.0.0.5 added, name
 * old.example removed" (cut short with ", ..." when it does not fit). */
int pki_san_set_equal(const struct pki_san *want, unsigned nw, const struct pki_san *have,
		      unsigned nh, char *out, size_t cap);

#endif
