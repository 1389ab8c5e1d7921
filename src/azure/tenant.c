#include "azure/tenant.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/hex.h"
#include "util/io.h"
#include "util/log.h"
#include "util/sort.h"

/* path's text from its first "-----BEGIN" on (the agent's files may start with "Bag
 * Attributes" lines): its length with *pem set, or -1 with err. */
static long read_pem(const char *path, const char *what, const char *thumb, char *buf,
		     size_t cap, const char **pem, char *err, size_t errsz)
{
	long n = dd_read_small_file(path, buf, cap);

	if (n < 0)
		return errno == ENOENT
			       ? dd_say(err, errsz, -1, "no %s %s for thumbprint %s", what, path, thumb)
			       : dd_say(err, errsz, -1, "%s %s: %m", what, path);
	*pem = dd_memmem(buf, (size_t)n, "-----BEGIN", 10);
	if (!*pem)
		return dd_say(err, errsz, -1, "%s %s: no PEM block", what, path);
	return n - (*pem - buf);
}

static void upper_hex(const unsigned char *b, size_t n, char *out)
{
	dd_hex(b, n, out);
	for (; *out; out++)
		if (*out >= 'a')
			*out -= 'a' - 'A';
}

int dd_az_tenant_load(struct dd_az_tenant *t, const char *thumb, const char *dir, char *err,
		      size_t errsz)
{
	static char text[16384];	/* the .prv's text is wiped after use */
	char crt[1024], prv[1024], got[41];
	unsigned char sha[20];
	br_sha1_context h;
	const char *why, *pem;
	long n;
	int rc;
	size_t i;

	memset(t, 0, sizeof *t);
	if (!thumb)
		thumb = "";
	for (i = 0; i < 40 && dd_hexval(thumb[i]) >= 0; i++)
		t->thumb[i] = thumb[i] >= 'a' ? (char)(thumb[i] - ('a' - 'A')) : thumb[i];
	if (i != 40 || thumb[40])
		return dd_say(err, errsz, -1, "certificate thumbprint \"%.64s\" is not 40 hex digits",
			      thumb);
	if ((size_t)snprintf(crt, sizeof crt, "%s/%s.crt", dir, t->thumb) >= sizeof crt ||
	    (size_t)snprintf(prv, sizeof prv, "%s/%s.prv", dir, t->thumb) >= sizeof prv)
		return dd_say(err, errsz, -1, "certificate directory %.256s: name too long", dir);

	n = read_pem(crt, "certificate", t->thumb, text, sizeof text, &pem, err, errsz);
	if (n < 0)
		return -1;
	if (pki_x509_load(pem, (size_t)n, t->der, sizeof t->der, &t->cert, &why))
		return dd_say(err, errsz, -1, "certificate %s: %s", crt, why);
	br_sha1_init(&h);
	br_sha1_update(&h, t->cert.der, t->cert.der_len);
	br_sha1_out(&h, sha);
	upper_hex(sha, sizeof sha, got);
	if (strcmp(got, t->thumb))
		return dd_say(err, errsz, -1, "certificate %s has SHA-1 thumbprint %s, not %s", crt,
			      got, t->thumb);
	if (t->cert.pkey.key_type != BR_KEYTYPE_RSA)
		return dd_say(err, errsz, -1, "certificate %s: not an RSA key", crt);

	n = read_pem(prv, "private key", t->thumb, text, sizeof text, &pem, err, errsz);
	rc = n < 0 ? -1
	     : pki_key_load(&t->key, pem, (size_t)n, &why)
		     ? dd_say(err, errsz, -1, "private key %s: %s", prv, why)
	     : !pki_key_matches(&t->key, &t->cert.pkey)
		     ? dd_say(err, errsz, -1, "private key %s does not match certificate %s", prv, crt)
		     : 0;
	explicit_bzero(text, sizeof text);
	if (rc)
		dd_az_tenant_wipe(t);
	return rc;
}

void dd_az_tenant_wipe(struct dd_az_tenant *t)
{
	explicit_bzero(&t->key, sizeof t->key);
}
