#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pki/byo.h"
#include "pki/ca.h"
#include "util/log.h"
#include "util/io.h"
#include "util/pem.h"
#include "util/utc.h"

static struct {
	char pem[PKI_PEM_MAX];
	unsigned char ca_der[PKI_CERT_MAX], der[PKI_CERT_MAX];
	struct pki_cert ca, cert;
	struct pki_key key;
} b;

static long read_pem(const struct pki_pem_at *f)
{
	if (!f->text)
		return dd_read_small_at(f->dfd, f->name, b.pem, sizeof b.pem);
	if (f->len >= sizeof b.pem) {
		errno = EFBIG;
		return -1;
	}
	memcpy(b.pem, f->text, f->len);
	b.pem[f->len] = 0;
	return (long)f->len;
}

static int load_cert(const struct pki_pem_at *f, unsigned char *der, struct pki_cert *c,
		     char *err, size_t errsz)
{
	const char *why = NULL;
	long n = read_pem(f);

	if (n < 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s: %m", f->show);
	/* PEM readers skip what is not a block: a NUL byte (a damaged copy?) is named. */
	if (memchr(b.pem, 0, (size_t)n))
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s holds a NUL byte: not a PEM text file", f->show);
	if (pki_x509_load(b.pem, (size_t)n, der, PKI_CERT_MAX, c, &why))
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s: %s", f->show, why);
	return 0;
}

static int load_key(const struct pki_pem_at *f, char *err, size_t errsz)
{
	const char *why = NULL;
	long n = read_pem(f);
	int rc;

	if (n < 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s: %m", f->show);
	if (memchr(b.pem, 0, (size_t)n)) {
		explicit_bzero(b.pem, sizeof b.pem);
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s holds a NUL byte: not a PEM text file", f->show);
	}
	rc = pki_key_load(&b.key, b.pem, (size_t)n, &why);
	explicit_bzero(b.pem, sizeof b.pem);
	return rc ? dd_say(err, errsz, DD_EXIT_USAGE, "%s: %s", f->show, why) : 0;
}

/* The three files loaded: the CA's certificate, the certificate and its key. */
static int load3(const struct pki_pem_at *ca, const struct pki_pem_at *cert,
		 const struct pki_pem_at *key, char *err, size_t errsz)
{
	int rc;

	if ((rc = load_cert(ca, b.ca_der, &b.ca, err, errsz)) ||
	    (rc = load_cert(cert, b.der, &b.cert, err, errsz)) || (rc = load_key(key, err, errsz)))
		return rc;
	return 0;
}

/* The loaded key is the certificate's and the CA issued it: 0, or code with err. */
static int belongs(const struct pki_pem_at *ca, const struct pki_pem_at *cert,
		   const struct pki_pem_at *key, int code, char *err, size_t errsz)
{
	if (!pki_key_matches(&b.key, &b.cert.pkey))
		return dd_say(err, errsz, code, "%s is not the key of %s", key->show, cert->show);
	if (b.cert.issuer_len != b.ca.subject_len ||
	    memcmp(b.cert.issuer, b.ca.subject, b.ca.subject_len) != 0 ||
	    !pki_x509_signed_by(&b.cert, &b.ca))
		return dd_say(err, errsz, code, "%s was not issued by %s", cert->show, ca->show);
	return 0;
}

static int in_time(const char *path, const struct pki_cert *c, time_t now, char *err,
		   size_t errsz)
{
	char when[32];
	struct dd_utc u;
	time_t t = now < c->not_before ? c->not_before : c->not_after;

	if (now >= c->not_before && now <= c->not_after)
		return 0;
	if (dd_utc(t, &u) == 0)
		snprintf(when, sizeof when, "%04d-%02d-%02d %02d:%02d UTC", u.year, u.mon, u.day,
			 u.hour, u.min);
	else
		snprintf(when, sizeof when, "%lld", (long long)t);
	return dd_say(err, errsz, DD_EXIT_USAGE, "%s: %s %s (is this machine's clock right?)",
		      path, now < c->not_before ? "not valid until" : "expired on", when);
}

static int check(const struct pki_pem_at f[3], char *err, size_t errsz)
{
	const char *ca_pem = f[0].show, *cert_pem = f[1].show;
	time_t now = pki_now();
	int rc;

	if ((rc = load3(&f[0], &f[1], &f[2], err, errsz)))
		return rc;
	if (!b.ca.is_ca)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s is not a CA certificate (no basicConstraints CA:TRUE)", ca_pem);
	if ((rc = belongs(&f[0], &f[1], &f[2], DD_EXIT_USAGE, err, errsz)))
		return rc;
	if (b.cert.nsans == 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s has no subjectAltName: Docker's Go clients ignore the CN; reissue it with the names and IPs clients dial",
			      cert_pem);
	if (b.cert.is_ca)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s is a CA certificate, not a server one", cert_pem);
	if ((b.cert.server_auth || b.cert.client_auth) && !b.cert.server_auth)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s is not for TLS servers (its extendedKeyUsage lacks serverAuth)",
			      cert_pem);
	if ((rc = in_time(ca_pem, &b.ca, now, err, errsz)) ||
	    (rc = in_time(cert_pem, &b.cert, now, err, errsz)))
		return rc;
	return 0;
}

static int pair(const struct pki_pem_at *ca, const struct pki_pem_at *cert,
		const struct pki_pem_at *key, char *err, size_t errsz)
{
	int rc;

	if ((rc = load3(ca, cert, key, err, errsz)))
		return rc;
	return belongs(ca, cert, key, DD_EXIT_VERIFY, err, errsz);
}

int pki_pair_check(const struct pki_pem_at *ca, const struct pki_pem_at *cert,
		   const struct pki_pem_at *key, char *err, size_t errsz)
{
	int rc = pair(ca, cert, key, err, errsz);

	pki_key_wipe(&b.key);
	return rc;
}

int pki_byo_check_at(const struct pki_pem_at f[3], char *err, size_t errsz)
{
	int rc = check(f, err, errsz);

	pki_key_wipe(&b.key);
	return rc;
}

int pki_byo_check(const char *ca_pem, const char *cert_pem, const char *key_pem, char *err,
		  size_t errsz)
{
	const struct pki_pem_at f[3] = { { AT_FDCWD, ca_pem, ca_pem, NULL, 0 },
					 { AT_FDCWD, cert_pem, cert_pem, NULL, 0 },
					 { AT_FDCWD, key_pem, key_pem, NULL, 0 } };

	return pki_byo_check_at(f, err, errsz);
}
