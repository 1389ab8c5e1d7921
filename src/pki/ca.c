#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pki/ca.h"
#include "util/atomic.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/mkdirp.h"
#include "util/io.h"
#include "util/pem.h"

time_t pki_now(void)
{
	const char *t = getenv("DOCKDROP_TEST_NOW");
	char *end;
	long long v;

	if (t && *t) {
		v = strtoll(t, &end, 10);
		if (*end == 0)
			return (time_t)v;
	}
	return time(NULL);
}

/* A key (0600, never readable by others) and its certificate (0644) change as a pair, in
 * the directory dfd (dir names it in messages): both are written and made durable under
 * temporary names first, then renamed, the key first. A failure before the renames leaves
 * the old pair as it was; a kill between them leaves the new key beside the old
 * certificate, which every reader checks for (install re-issues the pair, certs check and
 * status report it). */
static int write_pair(int dfd, const char *dir, const char *certname, const char *keyname,
		      const char *cert, size_t cn, const char *key, size_t kn, char *err,
		      size_t errsz)
{
	struct dd_afile k, c;

	if (dd_afile_openat(&k, dfd, keyname, 0600) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s/%s: %m", dir, keyname);
	if (dd_afile_write(&k, key, kn) != 0 || dd_afile_sync(&k) != 0) {
		dd_afile_abort(&k);
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s/%s: %m", dir, keyname);
	}
	if (dd_afile_openat(&c, dfd, certname, 0644) != 0 || dd_afile_write(&c, cert, cn) != 0 ||
	    dd_afile_sync(&c) != 0) {
		dd_afile_abort(&c);
		dd_afile_abort(&k);
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s/%s: %m", dir, certname);
	}
	if (dd_afile_rename(&k) != 0) {
		dd_afile_abort(&c);
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s/%s: %m", dir, keyname);
	}
	dd_fault_point(); /* the new key beside the old certificate: the next run mends it */
	if (dd_afile_rename(&c) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s/%s: %m (the key was replaced: re-run to issue the pair again)",
			      dir, certname);
	return 0;
}

static int exists(int dfd, const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The directory dir made 0700 if missing, opened: its fd, or minus an exit code. */
static int open_out(const char *dir, char *err, size_t errsz)
{
	int fd;

	if (dd_mkdir_p(dir, 0700) != 0)
		return -dd_say(err, errsz, errno == ENOTDIR || errno == EEXIST ? DD_EXIT_USAGE : DD_EXIT_FAIL,
			       "%s: %m", dir);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", dir);
	return fd;
}

/* Make the key, the certificate, both PEMs. The key is wiped by the caller. */
static int make(const struct pki_cert_spec *spec, char *cpem, size_t *cn, char *kpem,
		size_t *kn, char *err, size_t errsz)
{
	static unsigned char der[PKI_CERT_MAX];
	const char *why = NULL;
	size_t n = pki_cert_build(spec, der, sizeof der, &why);

	if (n == 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot build the certificate: %s", why);
	*cn = pki_cert_pem(der, n, cpem, PKI_PEM_MAX);
	*kn = pki_key_pem(spec->key, kpem, PKI_PEM_MAX);
	if (*cn == 0 || *kn == 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot encode the certificate or key");
	return 0;
}

static char cpem[PKI_PEM_MAX], kpem[PKI_PEM_MAX];
static size_t cpem_len, kpem_len;

/* A new CA in cpem and kpem (the key to be wiped by the caller). */
static int ca_make(enum pki_ktype t, unsigned days, const char *org, char *err, size_t errsz)
{
	static struct pki_key key;
	struct pki_cert_spec spec = { 0 };
	time_t now = pki_now();
	int rc;

	if (org && !pki_name_ok(org))
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      "--name must be 1 to 64 characters of UTF-8 without control characters");
	if (pki_key_generate(&key, t) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "key generation failed");
	spec = (struct pki_cert_spec){ PKI_CA, "dockdrop CA", org ? org : "dockdrop",
				       now - PKI_SKEW, now + (time_t)days * 86400, &key, &key,
				       NULL, 0, NULL, NULL, 0 };
	rc = make(&spec, cpem, &cpem_len, kpem, &kpem_len, err, errsz);
	pki_key_wipe(&key);
	return rc;
}

/* The CA just made (rc 0) into the directory dfd, 0700: ca.pem and ca-key.pem as a pair.
 * The key is wiped whatever happened. */
static int ca_store(int dfd, const char *dir, int rc, char *err, size_t errsz)
{
	if (rc == 0 && fchmod(dfd, 0700) != 0)
		rc = dd_say(err, errsz, DD_EXIT_FAIL, "%s: chmod: %m", dir);
	if (rc == 0)
		rc = write_pair(dfd, dir, "ca.pem", "ca-key.pem", cpem, cpem_len, kpem, kpem_len,
				err, errsz);
	explicit_bzero(kpem, sizeof kpem);
	return rc;
}

int pki_ca_init_at(int dfd, const char *dir, enum pki_ktype t, unsigned days, const char *org,
		   int force, char *err, size_t errsz)
{
	int rc;

	if (!force && (exists(dfd, "ca.pem") || exists(dfd, "ca-key.pem")))
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s already holds a CA; --force replaces it (every certificate it issued stops being trusted)",
			      dir);
	rc = ca_make(t, days, org, err, errsz);
	return ca_store(dfd, dir, rc, err, errsz);
}

void pki_ca_default_org(char *out, size_t cap)
{
	char host[65] = "", keep[41];
	size_t k = 0;

	gethostname(host, sizeof host - 1);
	for (const char *c = host; *c && k < sizeof keep - 1; c++)
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    strchr("._-", *c))
			keep[k++] = *c;
	keep[k] = 0;
	snprintf(out, cap, "dockdrop %s", k ? keep : "host");
}

int pki_ca_init(const char *dir, enum pki_ktype t, unsigned days, const char *org, int force,
		char *err, size_t errsz)
{
	int rc, dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* Nothing is made before every input is known good and the key is made. */
	if (dfd >= 0) {
		rc = pki_ca_init_at(dfd, dir, t, days, org, force, err, errsz);
		close(dfd);
		return rc;
	}
	if ((rc = ca_make(t, days, org, err, errsz)) == 0 && (dfd = open_out(dir, err, errsz)) < 0)
		rc = -dfd;
	rc = ca_store(dfd, dir, rc, err, errsz);
	if (dfd >= 0)
		close(dfd);
	return rc;
}

static int read_file(int dfd, const char *dir, const char *name, char *buf, size_t cap,
		     long *n, char *err, size_t errsz)
{
	if ((*n = dd_read_small_at(dfd, name, buf, cap)) < 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s/%s: %m", dir, name);
	return 0;
}

int pki_ca_load_at(int dfd, const char *dir, struct pki_ca *ca, char *err, size_t errsz)
{
	static char key[PKI_PEM_MAX];
	const char *why = NULL;
	long n, kn;
	int rc;

	if ((rc = read_file(dfd, dir, "ca.pem", ca->pem, sizeof ca->pem, &n, err, errsz)))
		return rc;
	ca->pem_len = (size_t)n;
	if (pki_x509_load(ca->pem, (size_t)n, ca->der, sizeof ca->der, &ca->cert, &why))
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s/ca.pem: %s", dir, why);
	if (!ca->cert.is_ca)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s/ca.pem is not a CA certificate", dir);
	if ((rc = read_file(dfd, dir, "ca-key.pem", key, sizeof key, &kn, err, errsz)))
		return rc;
	rc = pki_key_load(&ca->key, key, (size_t)kn, &why);
	explicit_bzero(key, sizeof key);
	if (rc)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s/ca-key.pem: %s", dir, why);
	if (!pki_key_matches(&ca->key, &ca->cert.pkey)) {
		pki_key_wipe(&ca->key);
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s/ca-key.pem is not the key of %s/ca.pem", dir, dir);
	}
	/* The leaf's AKID must equal the CA's SKID as written; compute it only if absent. */
	if (ca->cert.skid)
		memcpy(ca->skid, ca->cert.skid, 20);
	else
		pki_key_id(&ca->key, ca->skid);
	return 0;
}

int pki_ca_load(const char *dir, struct pki_ca *ca, char *err, size_t errsz)
{
	int rc, dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%s/ca.pem: %m", dir);
	rc = pki_ca_load_at(dfd, dir, ca, err, errsz);
	close(dfd);
	return rc;
}

/* A new leaf pair for ca in cpem and kpem (the key to be wiped by the caller). */
static int leaf_make(struct pki_ca *ca, enum pki_role role, enum pki_ktype t, const char *cn,
		     const struct pki_san *sans, unsigned nsans, unsigned days, char *err,
		     size_t errsz)
{
	static struct pki_key key;
	static char first[256];
	struct pki_cert_spec spec;
	time_t now = pki_now();
	int rc;

	if (role == PKI_SERVER && nsans == 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "a server certificate needs names: give --san NAME|IP or --auto-san");
	if (pki_sans_len(sans, nsans) > PKI_SAN_BYTES)
		return dd_say(err, errsz, DD_EXIT_USAGE, "%u names (%zu bytes) do not fit one certificate (at most %d bytes of names): give fewer or shorter ones",
			      nsans, pki_sans_len(sans, nsans), PKI_SAN_BYTES);
	if (ca->cert.subject_len > PKI_ISSUER_MAX)
		return dd_say(err, errsz, DD_EXIT_USAGE, "the CA's name is %zu bytes (at most %d): use a CA made by dockdrop ca init",
			      ca->cert.subject_len, PKI_ISSUER_MAX);
	/* A server's CN is informative only (clients match SANs): the first SAN that fits
	 * the 64-character limit of a CN. */
	for (unsigned i = 0; role == PKI_SERVER && !cn && i < nsans; i++) {
		pki_san_format(&sans[i], first, sizeof first);
		if (strlen(first) <= 64)
			cn = first;
	}
	if (role == PKI_SERVER && !cn)
		cn = "docker server";
	if (now >= ca->cert.not_after)
		return dd_say(err, errsz, DD_EXIT_USAGE, "the CA has expired (check this machine's clock, or make a new CA)");
	if (!cn || !pki_name_ok(cn))
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      "--cn must be 1 to 64 characters of UTF-8 without control characters");
	/* Never outlive the CA: Go and OpenSSL would refuse the chain from that day on. */
	time_t end = now + (time_t)days * 86400;
	if (end > ca->cert.not_after)
		end = ca->cert.not_after;
	if (pki_key_generate(&key, t) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "key generation failed");
	spec = (struct pki_cert_spec){ role, cn, NULL, now - PKI_SKEW, end, &key, &ca->key,
				       ca->cert.subject, ca->cert.subject_len, ca->skid, sans,
				       nsans };
	rc = make(&spec, cpem, &cpem_len, kpem, &kpem_len, err, errsz);
	pki_key_wipe(&key);
	return rc;
}

/* The pair made by leaf_make and a copy of ca.pem into the directory dfd. */
static int leaf_write(struct pki_ca *ca, enum pki_role role, int dfd, const char *out,
		      char *err, size_t errsz)
{
	int rc = write_pair(dfd, out, role == PKI_SERVER ? "server-cert.pem" : "cert.pem",
			    role == PKI_SERVER ? "server-key.pem" : "key.pem", cpem, cpem_len, kpem,
			    kpem_len, err, errsz);

	explicit_bzero(kpem, sizeof kpem);
	if (rc == 0 && dd_write_atomic_at(dfd, "ca.pem", ca->pem, ca->pem_len, 0644, (uid_t)-1,
					      (gid_t)-1) != 0)
		rc = dd_say(err, errsz, DD_EXIT_FAIL, "%s/ca.pem: %m", out);
	return rc;
}

int pki_ca_issue_at(struct pki_ca *ca, enum pki_role role, enum pki_ktype t, const char *cn,
		    const struct pki_san *sans, unsigned nsans, unsigned days, int dfd,
		    const char *out, char *err, size_t errsz)
{
	int rc = leaf_make(ca, role, t, cn, sans, nsans, days, err, errsz);

	if (rc) {
		explicit_bzero(kpem, sizeof kpem);
		return rc;
	}
	return leaf_write(ca, role, dfd, out, err, errsz);
}

int pki_ca_issue(struct pki_ca *ca, enum pki_role role, enum pki_ktype t, const char *cn,
		 const struct pki_san *sans, unsigned nsans, unsigned days, const char *out,
		 char *err, size_t errsz)
{
	int rc = leaf_make(ca, role, t, cn, sans, nsans, days, err, errsz), dfd;

	if (rc == 0 && (dfd = open_out(out, err, errsz)) < 0)
		rc = -dfd;
	if (rc) {
		explicit_bzero(kpem, sizeof kpem);
		return rc;
	}
	rc = leaf_write(ca, role, dfd, out, err, errsz);
	close(dfd);
	return rc;
}
