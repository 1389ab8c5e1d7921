#include "pki/sanset.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int pki_san_same(const struct pki_san *a, const struct pki_san *b)
{
	if (a->ip != b->ip)
		return 0;
	if (a->ip)
		return a->alen == b->alen && memcmp(a->addr, b->addr, a->alen) == 0;
	return strcasecmp(a->dns, b->dns) == 0;
}

static int in(const struct pki_san *s, const struct pki_san *list, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (pki_san_same(s, &list[i]))
			return 1;
	return 0;
}

/* Append ", name X added" (no comma first); once a note does not fit, ", ..." ends it. */
static void note(char *out, size_t cap, size_t *len, int *cut, const struct pki_san *s,
		 const char *what)
{
	char name[256];
	int k;

	if (*cut || cap == 0)
		return;
	pki_san_format(s, name, sizeof name);
	k = snprintf(out + *len, cap - *len, "%sname %s %s", *len ? ", " : "", name, what);
	if (k >= 0 && cap - *len > 5 && (size_t)k < cap - *len - 5) {	/* room for ", ..." */
		*len += (size_t)k;
		return;
	}
	out[*len] = 0;
	snprintf(out + *len, cap - *len, "%s...", *len ? ", " : "");
	*cut = 1;
}

int pki_san_set_equal(const struct pki_san *want, unsigned nw, const struct pki_san *have,
		      unsigned nh, char *out, size_t cap)
{
	size_t len = 0;
	int cut = 0, equal = 1;

	if (cap)
		out[0] = 0;
	for (unsigned i = 0; i < nw; i++)
		if (!in(&want[i], want, i) && !in(&want[i], have, nh)) {
			note(out, cap, &len, &cut, &want[i], "added");
			equal = 0;
		}
	for (unsigned i = 0; i < nh; i++)
		if (!in(&have[i], have, i) && !in(&have[i], want, nw)) {
			note(out, cap, &len, &cut, &have[i], "removed");
			equal = 0;
		}
	return equal;
}
