/* The files dd_https_get needs, read and checked before any connection: a CA file that
 * holds no certificate or a key that is not the certificate's is named as such. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/tls_int.h"
#include "util/io.h"
#include "util/log.h"
#include "util/sort.h"
#include "util/utc.h"

/* Read a PEM file into t->pem. 0, or DD_EXIT_FAIL with err. */
static int read_pem(struct dd_tls *t, const char *what, const char *path, long *n, char *err,
		    size_t errsz)
{
	*n = dd_read_small_file(path, t->pem, sizeof t->pem);
	if (*n < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot read %s %s: %s", what, path,
			      errno == EFBIG ? "file too large" : strerror(errno));
	return 0;
}

/* The certificates of the PEM text in t->pem, in order, each parsed into c and its DER
 * copied to der[i]. Their number, 0 if none, -1 if one is malformed or there are too many. */
static int pem_certs(struct dd_tls *t, long n, unsigned char (*der)[PKI_CERT_MAX], size_t *lens,
		     size_t max, struct pki_cert *c, const char **why)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	const char *p = t->pem, *end = t->pem + n;
	size_t count = 0;

	while ((p = dd_memmem(p, (size_t)(end - p), begin, sizeof begin - 1)) != NULL) {
		if (count == max) {
			*why = "too many certificates";
			return -1;
		}
		if (pki_x509_load(p, (size_t)(end - p), der[count], PKI_CERT_MAX, c, why) != 0)
			return -1;
		lens[count++] = c->der_len;
		p += sizeof begin - 1;
	}
	if (count == 0)
		*why = "no PEM certificate";
	return (int)count;
}

/* c as a trust anchor: its subject at dn (where the caller keeps it), its key copied to k
 * (cap bytes). 0, or -1 when the key does not fit. */
static int anchor(br_x509_trust_anchor *ta, const struct pki_cert *c, unsigned char *dn,
		  unsigned char *k, size_t cap)
{
	ta->dn.data = dn;
	ta->dn.len = c->subject_len;
	ta->flags = c->is_ca ? BR_X509_TA_CA : 0;
	ta->pkey = c->pkey;
	if (c->pkey.key_type == BR_KEYTYPE_RSA) {
		const br_rsa_public_key *rk = &c->pkey.key.rsa;

		if (rk->nlen + rk->elen > cap)
			return -1;
		memcpy(k, rk->n, rk->nlen);
		memcpy(k + rk->nlen, rk->e, rk->elen);
		ta->pkey.key.rsa.n = k;
		ta->pkey.key.rsa.e = k + rk->nlen;
	} else {
		const br_ec_public_key *ek = &c->pkey.key.ec;

		if (ek->qlen > cap)
			return -1;
		memcpy(k, ek->q, ek->qlen);
		ta->pkey.key.ec.q = k;
	}
	return 0;
}

size_t dd_tls_anchors_pem(struct dd_tls_anchors *a, const char *pem, size_t n)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static unsigned char der[PKI_CERT_MAX];
	static struct pki_cert c;
	const char *p = pem, *end = pem + n, *why;
	size_t added = 0;

	while ((p = dd_memmem(p, (size_t)(end - p), begin, sizeof begin - 1)) != NULL) {
		unsigned char *m = a->mem + a->used;
		size_t room = sizeof a->mem - a->used;

		if (a->n < DD_TLS_ANCHORS_MAX &&
		    pki_x509_load(p, (size_t)(end - p), der, sizeof der, &c, &why) == 0 &&
		    c.subject_len < room && anchor(&a->ta[a->n], &c, m, m + c.subject_len,
						   room - c.subject_len) == 0) {
			memcpy(m, c.subject, c.subject_len);
			a->used += c.subject_len + (c.pkey.key_type == BR_KEYTYPE_RSA ?
				   c.pkey.key.rsa.nlen + c.pkey.key.rsa.elen : c.pkey.key.ec.qlen);
			a->n++;
			added++;
		}
		p += sizeof begin - 1;
	}
	return added;
}

/* The trust anchors: every certificate of the CA file, by its subject and key. */
int dd_tls_load_anchors(struct dd_tls *t, const char *path, char *err, size_t errsz)
{
	struct pki_cert *c = &t->x509.cert;	/* scratch until the handshake */
	size_t lens[DD_TLS_CA_MAX];
	const char *why = NULL;
	long n;
	int count, rc = read_pem(t, "CA certificate", path, &n, err, errsz);

	if (rc)
		return rc;
	count = pem_certs(t, n, t->ta_der, lens, DD_TLS_CA_MAX, c, &why);
	if (count <= 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot use CA certificate %s: %s", path, why);
	for (int i = 0; i < count; i++) {
		pki_x509_parse(t->ta_der[i], lens[i], c, &why);	/* parsed once already */
		if (anchor(&t->ta[i], c, (unsigned char *)c->subject, t->ta_key[i], sizeof t->ta_key[i]))
			return dd_say(err, errsz, DD_EXIT_FAIL, "cannot use CA certificate %s: key too large", path);
	}
	t->nta = (size_t)count;
	return 0;
}

void dd_tls_utc(time_t when, char *out, size_t cap)
{
	struct dd_utc u;

	if (dd_utc(when, &u) == 0)
		snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d UTC", u.year, u.mon, u.day, u.hour,
			 u.min, u.sec);
	else
		snprintf(out, cap, "%lld", (long long)when);
}

/* The client certificate chain and its key, which must match. */
int dd_tls_load_client(struct dd_tls *t, const struct dd_tls_peer *p, char *err, size_t errsz)
{
	struct pki_cert *c = &t->x509.cert;
	size_t lens[DD_TLS_CHAIN_MAX];
	const char *why = NULL;
	char when[40];
	long n;
	int count, rc = read_pem(t, "client certificate", p->cert_pem, &n, err, errsz);

	if (rc)
		return rc;
	count = pem_certs(t, n, t->chain_der, lens, DD_TLS_CHAIN_MAX, c, &why);
	if (count <= 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot use client certificate %s: %s",
			      p->cert_pem, why);
	for (int i = 0; i < count; i++) {
		t->chain[i].data = t->chain_der[i];
		t->chain[i].data_len = lens[i];
	}
	t->nchain = (size_t)count;
	if (pki_x509_parse(t->chain_der[0], lens[0], c, &why) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot use client certificate %s: %s",
			      p->cert_pem, why);
	if (pki_now() > c->not_after) {
		dd_tls_utc(c->not_after, when, sizeof when);
		return dd_say(err, errsz, DD_EXIT_FAIL, "client certificate %s expired on %s",
			      p->cert_pem, when);
	}
	rc = read_pem(t, "client key", p->key_pem, &n, err, errsz);
	if (rc)
		return rc;
	rc = pki_key_load(&t->key, t->pem, (size_t)n, &why);
	explicit_bzero(t->pem, sizeof t->pem);
	if (rc != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot use client key %s: %s", p->key_pem, why);
	if (!pki_key_matches(&t->key, &c->pkey))
		return dd_say(err, errsz, DD_EXIT_FAIL, "client key %s is not the key of certificate %s",
			      p->key_pem, p->cert_pem);
	return 0;
}
