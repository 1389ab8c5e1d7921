#include "azure/ber.h"

int dd_ber_len(const unsigned char *p, size_t n, size_t *len)
{
	size_t k;

	if (n == 0)
		return 0;
	if (p[0] <= 0x80) {
		*len = p[0] == 0x80 ? DD_BER_INDEF : p[0];
		return 1;
	}
	k = p[0] & 0x7f;
	if (k > 4)
		return -1;
	if (n <= k)
		return 0;
	*len = 0;
	for (size_t i = 1; i <= k; i++)
		*len = *len << 8 | p[i];
	return (int)k + 1;
}

static int next(struct dd_ber *r, unsigned *tag, struct dd_ber *in, unsigned depth)
{
	const unsigned char *p = r->p;
	size_t len;
	int k, rc;

	if (p == r->end)
		return DD_BER_CUT;
	*tag = p[0];
	k = dd_ber_len(p + 1, (size_t)(r->end - p - 1), &len);
	if (k == 0)
		return DD_BER_CUT;
	if (k < 0 || (*tag & 0x1f) == 0x1f || *tag == 0)
		return DD_BER_BAD;	/* high tag numbers: not in CMS; tag 0: a stray end */
	in->p = p + 1 + k;
	in->end = r->end;
	if (len != DD_BER_INDEF) {
		if (len > (size_t)(r->end - in->p))
			return DD_BER_CUT;
		in->end = in->p + len;
		r->p = in->end;
		return 0;
	}
	if (!(*tag & 0x20))
		return DD_BER_BAD;
	if (depth >= DD_BER_DEPTH)
		return DD_BER_DEEP;
	/* Find the end-of-contents octets by stepping over the values inside. */
	struct dd_ber c = *in, sub;
	unsigned t;

	while (c.end - c.p < 2 || c.p[0] != 0 || c.p[1] != 0) {
		rc = next(&c, &t, &sub, depth + 1);
		if (rc) {
			r->p = c.p;
			return rc;
		}
	}
	in->end = c.p;
	r->p = c.p + 2;
	return 0;
}

int dd_ber_next(struct dd_ber *r, unsigned *tag, struct dd_ber *in)
{
	return next(r, tag, in, 0);
}
