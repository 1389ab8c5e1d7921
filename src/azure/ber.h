/* Reading BER (X.690) over caller memory, for CMS blobs: definite and indefinite lengths
 * (openssl cms -stream writes the latter), every length bounded by what is left of the
 * enclosing value, nesting of indefinite values bounded. Nothing is copied: a value is a
 * range of the input. */
#ifndef DD_AZURE_BER_H
#define DD_AZURE_BER_H

#include <stddef.h>

#define DD_BER_INDEF ((size_t)-1)	/* the length of an indefinite-length value */
#define DD_BER_DEPTH 8			/* indefinite values inside one another, at most */

enum { DD_BER_CUT = -1, DD_BER_BAD = -2, DD_BER_DEEP = -3 };

struct dd_ber {
	const unsigned char *p, *end;	/* what is left to read */
};

/* The length octets at p[0..n): their count with *len set (DD_BER_INDEF for 0x80); 0 when
 * they run past n; -1 for a form we refuse (0xff, or more than 4 length bytes). */
int dd_ber_len(const unsigned char *p, size_t n, size_t *len);

/* The next value of r: its tag byte and its contents as *in (for an indefinite value, up to
 * its end-of-contents octets); r moves past it. 0, or DD_BER_CUT (runs past the end),
 * DD_BER_BAD (a high tag number, tag 0, an indefinite primitive) or DD_BER_DEEP, with r->p
 * left where reading failed. */
int dd_ber_next(struct dd_ber *r, unsigned *tag, struct dd_ber *in);

#endif
