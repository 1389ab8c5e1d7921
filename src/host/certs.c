#include "host/certs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "host/hostaddr.h"
#include "host/paths.h"
#include "host/root.h"
#include "pki/byo.h"
#include "pki/ca.h"
#include "pki/sanset.h"
#include "pki/x509.h"
#include "util/atomic.h"
#include "util/fault.h"
#include "util/io.h"
#include "util/jsonout.h"
#include "util/log.h"

static struct pki_ca ca;
static unsigned char der[PKI_CERT_MAX];
static struct pki_cert cert;
static char pem[PKI_PEM_MAX];

/* Read the target file DIR/NAME into pem; length or -1. */
static long read_target(const char *dir, const char *name, char *buf, size_t cap)
{
	char abs[DD_PATH_MAX];

	if (snprintf(abs, sizeof abs, "%s/%s", dir, name) >= (int)sizeof abs) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return dd_root_read_small(abs, buf, cap);
}

/* The key in kpem (n bytes, wiped here) is the key of c. */
static int key_matches(char *kpem, long n, const struct pki_cert *c)
{
	static struct pki_key key;
	const char *why;
	int ok = n > 0 && pki_key_load(&key, kpem, (size_t)n, &why) == 0 &&
		 pki_key_matches(&key, &c->pkey);

	explicit_bzero(kpem, PKI_PEM_MAX);
	pki_key_wipe(&key);
	return ok;
}

static char kbuf[PKI_PEM_MAX];

/* The key file DIR/NAME on the target is the key of c. */
static int key_ok(const char *dir, const char *name, const struct pki_cert *c)
{
	return key_matches(kbuf, read_target(dir, name, kbuf, sizeof kbuf), c);
}

static int key_ok_path(const char *path, const struct pki_cert *c)
{
	return key_matches(kbuf, dd_read_small_file(path, kbuf, sizeof kbuf), c);
}

/* Why a certificate's dates call for a new one, into buf; NULL when they do not. */
static const char *dates_why(const struct pki_cert *c, time_t now, char *buf, size_t cap)
{
	if (c->not_before > now)
		return "not valid yet (check this machine's clock)";
	if (c->not_after <= now)
		return "expired";
	if (c->not_after - now >= DD_CERTS_RENEW_DAYS * 86400L)
		return NULL;
	snprintf(buf, cap, "expires in %ld days", (long)((c->not_after - now) / 86400));
	return buf;
}

/* An issued pair in dir that needs no change: 1, or 0 with the reason in why (empty when
 * there is no certificate yet: a first issue needs none). The identity asked for is the
 * CA, the key type, the validity and, for the server, exactly the set of names. */
static int pair_ok(const char *dir, enum pki_role role, const struct dd_certs_want *w,
		   char *why, size_t whysz)
{
	const char *cf = role == PKI_SERVER ? "server-cert.pem" : "cert.pem";
	const char *kf = role == PKI_SERVER ? "server-key.pem" : "key.pem";
	const char *r = NULL;
	time_t now = pki_now();
	long n;

	why[0] = 0;
	if (read_target(dir, cf, pem, sizeof pem) <= 0)
		return 0;
	n = read_target(dir, "ca.pem", pem, sizeof pem);
	if (n != (long)ca.pem_len || memcmp(pem, ca.pem, ca.pem_len) != 0)
		r = "the ca.pem beside it is not the CA's";
	else if ((n = read_target(dir, cf, pem, sizeof pem)) <= 0 ||
		 pki_x509_load(pem, (size_t)n, der, sizeof der, &cert, &r) != 0)
		r = "unreadable";
	else if (!pki_x509_signed_by(&cert, &ca.cert))
		r = "not signed by the CA";
	else if (role == PKI_SERVER ? !cert.server_auth : !cert.client_auth)
		r = "wrong extended key usage";
	else if (strcmp(pki_x509_key_name(&cert), pki_ktype_name(w->kt)) != 0)
		snprintf(why, whysz, "key type %s asked for, it has %s", pki_ktype_name(w->kt),
			 pki_x509_key_name(&cert));
	else if (!(r = dates_why(&cert, now, why, whysz)) && role == PKI_SERVER)
		pki_san_set_equal(w->sans, w->nsans, cert.sans, cert.nsans, why, whysz);
	if (r && r != why)
		snprintf(why, whysz, "%s", r);
	if (!why[0] && !key_ok(dir, kf, &cert))
		snprintf(why, whysz, "the key does not match");
	return !why[0];
}

/* Snapshot the three files of a pair, then issue it. */
static int issue(struct dd_txn *t, const char *dir, enum pki_role role,
		 const struct dd_certs_want *w, char *err, size_t errsz)
{
	static const char *const server[] = { "ca.pem", "server-cert.pem", "server-key.pem" };
	static const char *const client[] = { "ca.pem", "cert.pem", "key.pem" };
	char abs[DD_PATH_MAX];
	int dfd, rc;

	if (dd_txn_mkdir(t, dir, 0700) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", dir);
	for (unsigned i = 0; i < 3; i++) {
		snprintf(abs, sizeof abs, "%s/%s", dir, (role == PKI_SERVER ? server : client)[i]);
		if (dd_txn_snap(t, abs) != 0)
			return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", abs);
	}
	if ((dfd = dd_root_open(dir, O_RDONLY | O_DIRECTORY, 0)) < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", dir);
	t->changes++;
	dd_fault_point();
	rc = pki_ca_issue_at(&ca, role, w->kt, role == PKI_CLIENT ? "client" : NULL, w->sans,
			     role == PKI_SERVER ? w->nsans : 0, w->days ? w->days : PKI_LEAF_DAYS, dfd,
			     dir, err, errsz);
	close(dfd);
	return rc;
}

/* The CA directory (or the staging one) as resolved in the root: load the CA from it. */
static int load_ca(const char *dir, char *err, size_t errsz)
{
	int dfd = dd_root_open(dir, O_RDONLY | O_DIRECTORY, 0), rc;

	if (dfd < 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s: %m", dir);
	rc = pki_ca_load_at(dfd, dir, &ca, err, errsz);
	close(dfd);
	return rc;
}

/* A new CA in the staging directory stage (made 0700 here). */
static int make_ca(const char *stage, enum pki_ktype kt, const char *org, char *err, size_t errsz)
{
	int dfd, rc;

	if (dd_root_mkdir_p(stage, 0700) != 0 ||
	    (dfd = dd_root_open(stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0)) < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", stage);
	rc = pki_ca_init_at(dfd, stage, kt, PKI_CA_DAYS, org, 1, err, errsz);
	close(dfd);
	return rc;
}

void dd_certs_sans(struct dd_certs_want *w, int image, const char *const *extra, unsigned n)
{
	static const char *const fixed[] = { "localhost", "127.0.0.1", "::1" };
	struct pki_san s;

	w->nsans = 0;
	if (!image)	/* room left for every --tls-san */
		dd_hostaddr_sans(w->sans, &w->nsans, n < PKI_SAN_MAX ? PKI_SAN_MAX - n : 0);
	for (unsigned i = 0; image && i < 3; i++)
		if (pki_san_parse(fixed[i], &s) == 0)
			pki_san_add(w->sans, &w->nsans, &s);
	for (unsigned i = 0; i < n; i++)
		if (pki_san_parse(extra[i], &s) == 0)
			pki_san_add(w->sans, &w->nsans, &s);
}

/* Load the CA, making it first when there is none: in a staging directory renamed into
 * place, so the CA directory always holds a whole CA or nothing. */
static int ensure_ca(struct dd_txn *t, enum pki_ktype kt, char *err, size_t errsz)
{
	char stage[DD_PATH_MAX], org[80];
	struct stat st;
	int rc;

	/* An empty CA directory (a run killed before the rename, or a hand edit) is made
	 * again; a non-empty one is the CA. */
	if (dd_root_rmdir(DD_CA_DIR) != 0 && errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", DD_CA_DIR);
	if (dd_root_lstat(DD_CA_DIR, &st) == 0) {
		char why[256];

		if (load_ca(DD_CA_DIR, why, sizeof why) != 0)
			return dd_say(err, errsz, DD_EXIT_FAIL,
				      "the CA is damaged (%s): restore it, or move %s away to make a new CA",
				      why, DD_CA_DIR);
		return 0;
	}
	if (dd_txn_mkdir(t, DD_ETC_DIR, 0755) != 0 || dd_txn_snap(t, DD_CA_DIR) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", DD_CA_DIR);
	snprintf(stage, sizeof stage, "%s/.ca.dd-%ld-new", DD_ETC_DIR, (long)getpid());
	pki_ca_default_org(org, sizeof org); /* says which machine the CA belongs to */
	if ((rc = make_ca(stage, kt, org, err, errsz)) == 0 && dd_root_rename(stage, DD_CA_DIR) != 0)
		rc = dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", DD_CA_DIR);
	if (rc) {
		dd_root_rmtree(stage);
		return rc;
	}
	t->changes++;
	dd_fault_point();
	return load_ca(DD_CA_DIR, err, errsz);
}

/* Copy a --certs file into place. */
static int copy_in(struct dd_txn *t, const char *src, const char *dst, mode_t mode, int *changed,
		   char *err, size_t errsz)
{
	long n = dd_read_small_file(src, pem, sizeof pem);
	int ch = 0;

	if (n <= 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", src, n < 0 ? strerror(errno) : "empty");
	if (dd_txn_write(t, dst, pem, (size_t)n, mode, &ch) != 0) {
		explicit_bzero(pem, sizeof pem);
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", dst);
	}
	explicit_bzero(pem, sizeof pem);
	*changed |= ch;
	return 0;
}

static int join(char *out, size_t cap, const char *dir, const char *name)
{
	return snprintf(out, cap, "%s/%s", dir, name) >= (int)cap ? -1 : 0;
}

int dd_certs_byo_check(const char *dir, int *client, char *err, size_t errsz)
{
	char c[DD_PATH_MAX], s[DD_PATH_MAX], k[DD_PATH_MAX];
	int rc;

	*client = 0;
	if (join(c, sizeof c, dir, "ca.pem") || join(s, sizeof s, dir, "server-cert.pem") ||
	    join(k, sizeof k, dir, "server-key.pem"))
		return dd_say(err, errsz, DD_EXIT_USAGE, "--certs %s: path too long", dir);
	if ((rc = pki_byo_check(c, s, k, err, errsz)))
		return rc;
	if (join(s, sizeof s, dir, "cert.pem") || join(k, sizeof k, dir, "key.pem"))
		return dd_say(err, errsz, DD_EXIT_USAGE, "--certs %s: path too long", dir);
	if (access(s, F_OK) != 0 && access(k, F_OK) != 0)
		return 0;
	/* A client pair: its certificate signed by the same CA, its key matching. */
	{
		static unsigned char cder[PKI_CERT_MAX];
		static struct pki_cert cac;
		static char capem[PKI_PEM_MAX];
		const char *why = NULL;
		long n = dd_read_small_file(c, capem, sizeof capem), m;

		if (n <= 0 || pki_x509_load(capem, (size_t)n, cder, sizeof cder, &cac, &why) != 0)
			return dd_say(err, errsz, DD_EXIT_USAGE, "%s: %s", c, why ? why : strerror(errno));
		if ((m = dd_read_small_file(s, pem, sizeof pem)) <= 0 ||
		    pki_x509_load(pem, (size_t)m, der, sizeof der, &cert, &why) != 0)
			return dd_say(err, errsz, DD_EXIT_USAGE, "%s: %s", s,
				      why ? why : m < 0 ? strerror(errno) : "empty");
		if (!pki_x509_signed_by(&cert, &cac))
			return dd_say(err, errsz, DD_EXIT_USAGE, "%s is not signed by %s", s, c);
		if (!cert.client_auth)
			return dd_say(err, errsz, DD_EXIT_USAGE, "%s is not for TLS clients (extended key usage)", s);
		if (!key_ok_path(k, &cert))
			return dd_say(err, errsz, DD_EXIT_USAGE, "%s is not the key of %s", k, s);
	}
	*client = 1;
	return 0;
}

int dd_certs_byo_text(const char *from, const char *const text[3], const size_t len[3], char *err,
		      size_t errsz)
{
	static const char *const what[] = { "ca", "cert", "key" };
	struct pki_pem_at f[3];
	char show[3][96];

	for (int i = 0; i < 3; i++) {
		snprintf(show[i], sizeof show[i], "%s: %s", from, what[i]);
		f[i] = (struct pki_pem_at){ AT_FDCWD, show[i], show[i], text[i], len[i] };
	}
	return pki_byo_check_at(f, err, errsz);
}

/* Certificates given as texts: checked, and written where dockerd reads them. */
static int ensure_byo_text(struct dd_txn *t, const struct dd_certs_want *w, int *server_changed,
			   char *err, size_t errsz)
{
	static const char *const dst[] = { DD_TLS_DIR "/ca.pem", DD_TLS_DIR "/server-cert.pem",
					   DD_TLS_DIR "/server-key.pem" };
	int rc, ch;

	if ((rc = dd_certs_byo_text(w->byo, w->byo_pem, w->byo_len, err, errsz)))
		return rc;
	if (dd_txn_mkdir(t, DD_TLS_DIR, 0700) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", DD_TLS_DIR);
	for (int i = 0; i < 3; i++) {
		if (dd_txn_write(t, dst[i], w->byo_pem[i], w->byo_len[i], i == 2 ? 0600 : 0644, &ch) != 0)
			return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", dst[i]);
		*server_changed |= ch;
	}
	return 0;
}

static int ensure_byo(struct dd_txn *t, const char *dir, int *server_changed, int *client,
		      char *err, size_t errsz)
{
	static const char *const srv[][2] = { { "ca.pem", DD_TLS_DIR "/ca.pem" },
					      { "server-cert.pem", DD_TLS_DIR "/server-cert.pem" },
					      { "server-key.pem", DD_TLS_DIR "/server-key.pem" } };
	static const char *const cli[][2] = { { "ca.pem", DD_CLIENT_DIR "/ca.pem" },
					      { "cert.pem", DD_CLIENT_DIR "/cert.pem" },
					      { "key.pem", DD_CLIENT_DIR "/key.pem" } };
	char src[DD_PATH_MAX];
	int rc, ignored = 0;

	if ((rc = dd_certs_byo_check(dir, client, err, errsz)))
		return rc;
	if (dd_txn_mkdir(t, DD_TLS_DIR, 0700) != 0 || (*client && dd_txn_mkdir(t, DD_CLIENT_DIR, 0700) != 0))
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", DD_TLS_DIR);
	for (unsigned i = 0; i < 3; i++) {
		join(src, sizeof src, dir, srv[i][0]);
		if ((rc = copy_in(t, src, srv[i][1], i == 2 ? 0600 : 0644, server_changed, err, errsz)))
			return rc;
		join(src, sizeof src, dir, cli[i][0]);
		if (*client && (rc = copy_in(t, src, cli[i][1], i == 2 ? 0600 : 0644, &ignored, err, errsz)))
			return rc;
	}
	return 0;
}

unsigned dd_certs_keys_needed(const struct dd_certs_want *w)
{
	char why[512];
	unsigned n;

	if (w->byo_pem || w->byo)
		return 0;
	if (load_ca(DD_CA_DIR, why, sizeof why) != 0)
		return 3;	/* a new CA, and so new leaves (or ensure_ca's error) */
	n = (w->rotate || !pair_ok(DD_TLS_DIR, PKI_SERVER, w, why, sizeof why)) +
	    (w->rotate || !pair_ok(DD_CLIENT_DIR, PKI_CLIENT, w, why, sizeof why));
	pki_key_wipe(&ca.key);
	return n;
}

int dd_certs_ensure(struct dd_txn *t, struct dd_certs_want *w, int *server_changed,
		    int *client, char *err, size_t errsz)
{
	int rc;

	w->why_server[0] = w->why_client[0] = 0;
	*server_changed = 0;
	*client = 0;
	if (w->byo_pem)
		return ensure_byo_text(t, w, server_changed, err, errsz);
	if (w->byo)
		return ensure_byo(t, w->byo, server_changed, client, err, errsz);
	if ((rc = ensure_ca(t, w->kt, err, errsz)))
		return rc;
	if (w->rotate || !pair_ok(DD_TLS_DIR, PKI_SERVER, w, w->why_server, sizeof w->why_server)) {
		if ((rc = issue(t, DD_TLS_DIR, PKI_SERVER, w, err, errsz)))
			return rc;
		*server_changed = 1;
	}
	if (w->rotate || !pair_ok(DD_CLIENT_DIR, PKI_CLIENT, w, w->why_client, sizeof w->why_client)) {
		if ((rc = issue(t, DD_CLIENT_DIR, PKI_CLIENT, w, err, errsz)))
			return rc;
	}
	*client = 1;
	pki_key_wipe(&ca.key);
	return 0;
}

static void one_status(struct dd_cert_status *s, const char *what, const char *dir,
		       const char *name)
{
	const char *why = NULL;
	long n;

	memset(s, 0, sizeof *s);
	s->what = what;
	snprintf(s->path, sizeof s->path, "%s/%s", dir, name);
	if ((n = read_target(dir, name, pem, sizeof pem)) < 0)
		return;
	s->present = 1;
	if (pki_x509_load(pem, (size_t)n, der, sizeof der, &cert, &why) != 0) {
		snprintf(s->problem, sizeof s->problem, "unreadable: %s", why);
		return;
	}
	s->not_after = cert.not_after;
	s->days_left = (long)((cert.not_after - pki_now()) / 86400);
	if (cert.not_after <= pki_now())
		snprintf(s->problem, sizeof s->problem, "expired");
	else if (s->days_left < DD_CERTS_RENEW_DAYS)
		snprintf(s->problem, sizeof s->problem, "expires in %ld days: run dockdrop certs rotate",
			 s->days_left);
}

unsigned dd_certs_status(struct dd_cert_status out[3])
{
	one_status(&out[0], "ca", DD_CA_DIR, "ca.pem");
	one_status(&out[1], "server", DD_TLS_DIR, "server-cert.pem");
	one_status(&out[2], "client", DD_CLIENT_DIR, "cert.pem");
	return 3;
}

void dd_certs_json(struct dd_jw *w, const char *key, const struct dd_cert_status *cs, unsigned n)
{
	dd_jw_array(w, key);
	for (unsigned i = 0; i < n; i++) {
		dd_jw_object(w, NULL);
		dd_jw_str(w, "name", cs[i].what);
		dd_jw_str(w, "path", cs[i].path);
		dd_jw_bool(w, "present", cs[i].present);
		dd_jw_int(w, "days_left", cs[i].present ? cs[i].days_left : 0);
		dd_jw_str(w, "problem", cs[i].problem);
		dd_jw_close(w);
	}
	dd_jw_close(w);
}
