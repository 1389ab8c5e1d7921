/* PEM to DER, read as BearSSL's decoder reads it (util/pem.c), into a caller buffer; and
 * DER to PEM. */
#ifndef DD_PEM_H
#define DD_PEM_H

#include <stddef.h>

/* Decode the first PEM object of text (n bytes) whose label is one of labels (a
 * NULL-terminated list, e.g. "PRIVATE KEY", "EC PRIVATE KEY"). The DER goes to der (at most
 * dersz bytes); returns its length, or 0 if there is no such object, it is malformed or too
 * big. *label_out (may be NULL) gets the index of the label found. */
size_t dd_pem_decode(const char *text, size_t n, const char *const *labels, unsigned char *der,
		     size_t dersz, int *label_out);

/* DER to PEM as BearSSL's br_pem_encode(..., BR_PEM_LINE64) writes it ("-----BEGIN
 * label-----", lines of 64 characters, "-----END label-----", each ending in \n), into out
 * (cap bytes, terminated): the length without the NUL, or 0 when it does not fit. */
size_t dd_pem_encode(char *out, size_t cap, const void *der, size_t n, const char *label);

#endif
