/* dd_https_get: files read and checked first (a bad CA file or a key that is not the
 * certificate's is named before any connection), then one TLS 1.2 connection carrying one
 * GET with "Connection: close". The BearSSL engine reads and writes through callbacks that
 * wait on the socket with poll() against the caller's deadline. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/sock.h"
#include "net/tls.h"
#include "net/tls_x509.h"
#include "pki/ca.h"
#include "util/io.h"
#include "util/log.h"

struct conn {
	int fd;
	long long deadline;
	int err;	/* errno of the read or write that failed */
	int eof;	/* the server closed the TCP stream */
	unsigned char first[5];	/* the first bytes from the server: "HTTP/" is no TLS */
	size_t nfirst;
};

/* Everything one exchange needs, on the caller's stack (about 200 KB), wiped at the end. */
struct tls {
	br_ssl_client_context cc;
	struct dd_tls_x509 x509;
	br_sslio_context io;
	struct conn conn;
	br_x509_trust_anchor ta[DD_TLS_CA_MAX];
	unsigned char ta_der[DD_TLS_CA_MAX][PKI_CERT_MAX];	/* the DNs point into these */
	unsigned char ta_key[DD_TLS_CA_MAX][600];		/* the keys are copied here */
	size_t nta;
	br_x509_certificate chain[DD_TLS_CHAIN_MAX];
	unsigned char chain_der[DD_TLS_CHAIN_MAX][PKI_CERT_MAX];
	size_t nchain;
	struct pki_key key;
	char pem[PKI_PEM_MAX];
	char where[80];		/* "127.0.0.1:2376", "[::1]:2376" */
	char raw[DD_HTTP_RAW_MAX];
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

/* What dockerd accepts (docker/go-connections tlsconfig: ECDHE with AES-GCM, nothing else),
 * so nothing else is linked in. */
static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

/* SHA-1 and MD5 are left out: no certificate or handshake signature with them is taken. */
static const br_hash_class *const hashes[] = {
	&br_sha224_vtable, &br_sha256_vtable, &br_sha384_vtable, &br_sha512_vtable,
};

/* The NIST curves: P-256 by its own code, P-384 and P-521 by the generic one (both already
 * used by src/pki). BearSSL's br_ec_all_m31 would add X25519, which dockerd does not need:
 * it agrees on P-256 just as well. */
static const br_ec_impl *nist(int curve)
{
	return curve == BR_EC_secp256r1 ? &br_ec_p256_m31 : &br_ec_prime_i31;
}

static const unsigned char *nist_generator(int curve, size_t *len)
{
	return nist(curve)->generator(curve, len);
}

static const unsigned char *nist_order(int curve, size_t *len)
{
	return nist(curve)->order(curve, len);
}

static size_t nist_xoff(int curve, size_t *len)
{
	return nist(curve)->xoff(curve, len);
}

static uint32_t nist_mul(unsigned char *g, size_t glen, const unsigned char *x, size_t xlen,
			 int curve)
{
	return nist(curve)->mul(g, glen, x, xlen, curve);
}

static size_t nist_mulgen(unsigned char *r, const unsigned char *x, size_t xlen, int curve)
{
	return nist(curve)->mulgen(r, x, xlen, curve);
}

static uint32_t nist_muladd(unsigned char *a, const unsigned char *b, size_t len,
			    const unsigned char *x, size_t xlen, const unsigned char *y, size_t ylen,
			    int curve)
{
	return nist(curve)->muladd(a, b, len, x, xlen, y, ylen, curve);
}

static const br_ec_impl ec_nist = {
	(1u << BR_EC_secp256r1) | (1u << BR_EC_secp384r1) | (1u << BR_EC_secp521r1),
	nist_generator, nist_order, nist_xoff, nist_mul, nist_mulgen, nist_muladd,
};

/* Read a PEM file into t->pem. 0, or DD_EXIT_FAIL with err. */
static int read_pem(struct tls *t, const char *what, const char *path, long *n, char *err,
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
static int pem_certs(struct tls *t, long n, unsigned char (*der)[PKI_CERT_MAX], size_t *lens,
		     size_t max, struct pki_cert *c, const char **why)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	const char *p = t->pem, *end = t->pem + n;
	size_t count = 0;

	while ((p = memmem(p, (size_t)(end - p), begin, sizeof begin - 1)) != NULL) {
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

/* The trust anchors: every certificate of the CA file, by its subject and key. */
static int load_anchors(struct tls *t, const char *path, char *err, size_t errsz)
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
		br_x509_trust_anchor *ta = &t->ta[i];
		unsigned char *k = t->ta_key[i];

		pki_x509_parse(t->ta_der[i], lens[i], c, &why);	/* parsed once already */
		ta->dn.data = (unsigned char *)c->subject;
		ta->dn.len = c->subject_len;
		ta->flags = c->is_ca ? BR_X509_TA_CA : 0;
		ta->pkey = c->pkey;
		if (c->pkey.key_type == BR_KEYTYPE_RSA) {
			const br_rsa_public_key *rk = &c->pkey.key.rsa;

			if (rk->nlen + rk->elen > sizeof t->ta_key[i])
				return dd_say(err, errsz, DD_EXIT_FAIL, "cannot use CA certificate %s: key too large", path);
			memcpy(k, rk->n, rk->nlen);
			memcpy(k + rk->nlen, rk->e, rk->elen);
			ta->pkey.key.rsa.n = k;
			ta->pkey.key.rsa.e = k + rk->nlen;
		} else {
			const br_ec_public_key *ek = &c->pkey.key.ec;

			if (ek->qlen > sizeof t->ta_key[i])
				return dd_say(err, errsz, DD_EXIT_FAIL, "cannot use CA certificate %s: key too large", path);
			memcpy(k, ek->q, ek->qlen);
			ta->pkey.key.ec.q = k;
		}
	}
	t->nta = (size_t)count;
	return 0;
}

static void utc(time_t when, char *out, size_t cap)
{
	struct tm tm;

	if (!gmtime_r(&when, &tm) || strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, cap, "%lld", (long long)when);
}

/* The client certificate chain and its key, which must match. */
static int load_client(struct tls *t, const struct dd_tls_peer *p, char *err, size_t errsz)
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
		utc(c->not_after, when, sizeof when);
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

static void setup_engine(struct tls *t, const char *name)
{
	br_ssl_engine_context *eng = &t->cc.eng;
	br_x509_minimal_context *xm = &t->x509.minimal;
	time_t now = pki_now();

	br_ssl_client_zero(&t->cc);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, sizeof suites / sizeof suites[0]);
	br_x509_minimal_init(xm, &br_sha256_vtable, t->ta, t->nta);
	br_ssl_engine_set_default_rsavrfy(eng);
	br_ssl_engine_set_ec(eng, &ec_nist);
	br_ssl_engine_set_ecdsa(eng, &br_ecdsa_i31_vrfy_asn1);
	br_x509_minimal_set_rsa(xm, br_ssl_engine_get_rsavrfy(eng));
	br_x509_minimal_set_ecdsa(xm, &ec_nist, &br_ecdsa_i31_vrfy_asn1);
	for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++) {
		int id = (int)((hashes[i]->desc >> BR_HASHDESC_ID_OFF) & BR_HASHDESC_ID_MASK);

		br_ssl_engine_set_hash(eng, id, hashes[i]);
		br_x509_minimal_set_hash(xm, id, hashes[i]);
	}
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	/* The portable constant-time AES and GHASH: for one small request, the AES-NI and
	 * PCLMUL versions would only add code. */
	br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable, &br_sslrec_out_gcm_vtable);
	br_ssl_engine_set_aes_ctr(eng, &br_aes_ct64_ctr_vtable);
	br_ssl_engine_set_ghash(eng, &br_ghash_ctmul64);
	/* Days since 0000-01-01 (719528 of them before 1970) and seconds into the day. */
	if (now < 0)
		now = 0;
	br_x509_minimal_set_time(xm, (uint32_t)(now / 86400 + 719528), (uint32_t)(now % 86400));
	dd_tls_x509_wrap(&t->x509, name);
	br_ssl_engine_set_x509(eng, &t->x509.vtable);
	if (t->key.type == PKI_EC256 || t->key.type == PKI_EC384)
		br_ssl_client_set_single_ec(&t->cc, t->chain, t->nchain, &t->key.ec, BR_KEYTYPE_SIGN,
					    BR_KEYTYPE_EC, &ec_nist, &br_ecdsa_i31_sign_asn1);
	else
		br_ssl_client_set_single_rsa(&t->cc, t->chain, t->nchain, &t->key.rsa,
					     br_rsa_pkcs1_sign_get_default());
	br_ssl_engine_set_buffer(eng, t->iobuf, sizeof t->iobuf, 1);
}

static int low_read(void *ctx, unsigned char *buf, size_t len)
{
	struct conn *c = ctx;
	ssize_t n = dd_net_read(c->fd, buf, len, c->deadline);

	if (n > 0) {
		for (ssize_t i = 0; i < n && c->nfirst < sizeof c->first; i++)
			c->first[c->nfirst++] = buf[i];
		return (int)n;
	}
	if (n == 0)
		c->eof = 1;
	else
		c->err = errno;
	return -1;
}

static int low_write(void *ctx, const unsigned char *buf, size_t len)
{
	struct conn *c = ctx;
	ssize_t n = dd_net_write(c->fd, buf, len, c->deadline);

	if (n > 0)
		return (int)n;
	c->err = errno;
	return -1;
}

static const char *alert_name(int a)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
		{ 0, "close notify" }, { 10, "unexpected message" }, { 20, "bad record MAC" },
		{ 22, "record overflow" }, { 40, "handshake failure" }, { 42, "bad certificate" },
		{ 43, "unsupported certificate" }, { 44, "certificate revoked" },
		{ 45, "certificate expired" }, { 46, "certificate unknown" },
		{ 47, "illegal parameter" }, { 48, "unknown CA" }, { 49, "access denied" },
		{ 50, "decode error" }, { 51, "decrypt error" }, { 70, "protocol version" },
		{ 71, "insufficient security" }, { 80, "internal error" },
		{ 86, "inappropriate fallback" }, { 90, "user canceled" },
		{ 109, "missing extension" }, { 110, "unsupported extension" },
		{ 112, "unrecognized name" }, { 116, "certificate required" },
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].code == a)
			return names[i].name;
	return NULL;
}

/* An alert that says the server did not take our certificate. */
static int cert_alert(int a)
{
	return (a >= 42 && a <= 46) || a == 48 || a == 49 || a == 116;
}

static void san_list(const struct pki_cert *c, char *out, size_t cap)
{
	size_t used = 0;

	out[0] = 0;
	for (unsigned i = 0; i < c->nsans && used + 1 < cap; i++) {
		char one[256];

		pki_san_format(&c->sans[i], one, sizeof one);
		used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? ", " : "", one);
	}
	if (c->nsans == 0)
		snprintf(out, cap, "none");
}

/* Why the server's certificate was refused (a BR_ERR_X509_* code). */
static void x509_why(struct tls *t, int e, const char *ca_path, char *out, size_t cap)
{
	struct dd_tls_x509 *x = &t->x509;
	const char *why = NULL;
	char names[200], when[40];
	time_t now = pki_now();

	switch (e) {
	case BR_ERR_X509_NOT_TRUSTED:
		snprintf(out, cap, "server certificate is not signed by the CA in %s", ca_path);
		return;
	case BR_ERR_X509_BAD_SERVER_NAME:
		san_list(&x->cert, names, sizeof names);
		snprintf(out, cap, "server certificate is not for %s (its names: %s)", x->name, names);
		return;
	case BR_ERR_X509_EXPIRED:
		if (!x->ee_too_big && pki_x509_parse(x->ee, x->ee_len, &x->cert, &why) == 0 &&
		    (now > x->cert.not_after || now < x->cert.not_before)) {
			utc(now > x->cert.not_after ? x->cert.not_after : x->cert.not_before, when,
			    sizeof when);
			if (now > x->cert.not_after)
				snprintf(out, cap, "server certificate expired on %s (dockdrop certs rotate issues a new one)",
					 when);
			else
				snprintf(out, cap, "server certificate is not valid before %s (is the clock right?)",
					 when);
		} else {
			snprintf(out, cap, "a certificate in the server's chain is expired or not yet valid");
		}
		return;
	case BR_ERR_X509_EMPTY_CHAIN:
		why = "the server sent no certificate";
		break;
	case BR_ERR_X509_NOT_CA:
		why = "the server's chain has an issuer that is not a CA";
		break;
	case BR_ERR_X509_FORBIDDEN_KEY_USAGE:
		why = x->problem == DD_TLS_X509_CLIENT_ONLY ?
			      "server certificate is a client certificate (extended key usage clientAuth only)" :
			      "server certificate's key usage does not allow TLS";
		break;
	case BR_ERR_X509_WEAK_PUBLIC_KEY:
		why = "server certificate's key is too weak";
		break;
	case BR_ERR_X509_BAD_SIGNATURE:
		why = "server certificate's signature does not verify";
		break;
	case BR_ERR_X509_CRITICAL_EXTENSION:
		why = "server certificate has an unknown critical extension";
		break;
	case BR_ERR_X509_UNSUPPORTED:
	case BR_ERR_X509_LIMIT_EXCEEDED:
		if (x->problem == DD_TLS_X509_UNREADABLE) {
			snprintf(out, cap, "server certificate cannot be read: %s", x->why);
			return;
		}
		why = "server certificate uses an unsupported algorithm or is too large";
		break;
	case BR_ERR_X509_TIME_UNKNOWN:
		why = "no clock to check the server certificate's validity";
		break;
	}
	if (why)
		snprintf(out, cap, "%s", why);
	else
		snprintf(out, cap, "server certificate is malformed (BearSSL X.509 error %d)", e);
}

/* A server that refuses our certificate sends an alert and closes; our next write can fail
 * (EPIPE, ECONNRESET) before the engine has read that alert. Look for it in what the socket
 * still holds: alerts of the handshake are plaintext records (type 21, TLS 1.2, length 2).
 * The alert's description, or -1. */
static int pending_alert(int fd)
{
	unsigned char b[512];
	ssize_t n = fd >= 0 ? recv(fd, b, sizeof b, MSG_DONTWAIT) : -1;

	for (ssize_t i = 0; n > 0 && i + 7 <= n;) {
		size_t len = (size_t)b[i + 3] << 8 | b[i + 4];

		if (b[i] == 21 && b[i + 1] == 3 && len == 2)
			return b[i + 6];
		i += 5 + (ssize_t)len;
	}
	return -1;
}

/* The engine's last error in words; DD_EXIT_VERIFY when it is about the server's
 * certificate or its proof of the key, DD_EXIT_FAIL otherwise. */
static int tls_why(struct tls *t, int timeout_ms, const char *ca_path, char *out, size_t cap)
{
	int e = br_ssl_engine_last_error(&t->cc.eng);
	const char *name;

	if (t->conn.nfirst == 5 && memcmp(t->conn.first, "HTTP/", 5) == 0) {
		snprintf(out, cap, "the server answers in plain HTTP, not TLS (a daemon without --tlsverify?)");
		return DD_EXIT_FAIL;
	}
	if (e > BR_ERR_X509_OK && e < 64) {	/* the BR_ERR_X509_* range */
		x509_why(t, e, ca_path, out, cap);
		return DD_EXIT_VERIFY;
	}
	if (e == BR_ERR_IO && (t->conn.err == EPIPE || t->conn.err == ECONNRESET || t->conn.eof)) {
		int a = pending_alert(t->conn.fd);

		if (a >= 0)
			e = BR_ERR_RECV_FATAL_ALERT + a;
	}
	if (e >= BR_ERR_RECV_FATAL_ALERT && e < BR_ERR_SEND_FATAL_ALERT) {
		int a = e - BR_ERR_RECV_FATAL_ALERT;

		name = alert_name(a);
		if (cert_alert(a))
			snprintf(out, cap, "the server refused our client certificate (alert: %s)", name);
		else if (name)
			snprintf(out, cap, "the server sent alert \"%s\"", name);
		else
			snprintf(out, cap, "the server sent alert %d", a);
		return DD_EXIT_FAIL;
	}
	if (e >= BR_ERR_SEND_FATAL_ALERT) {
		name = alert_name(e - BR_ERR_SEND_FATAL_ALERT);
		snprintf(out, cap, "protocol error, we sent alert \"%s\"", name ? name : "?");
		return DD_EXIT_FAIL;
	}
	switch (e) {
	case BR_ERR_IO:
		if (t->conn.err)
			dd_net_why(t->conn.err, timeout_ms, out, cap);
		else
			snprintf(out, cap, "connection closed by the server");
		return DD_EXIT_FAIL;
	case BR_ERR_BAD_SIGNATURE:
		snprintf(out, cap, "the server's handshake signature does not verify with its certificate's key");
		return DD_EXIT_VERIFY;
	case BR_ERR_WRONG_KEY_USAGE:
		snprintf(out, cap, "server certificate's key cannot be used for this cipher suite");
		return DD_EXIT_VERIFY;
	case BR_ERR_UNSUPPORTED_VERSION:
	case BR_ERR_BAD_VERSION:
	case BR_ERR_BAD_CIPHER_SUITE:
		snprintf(out, cap, "no TLS version or cipher suite in common (we need TLS 1.2 with ECDHE and AES-GCM)");
		return DD_EXIT_FAIL;
	}
	snprintf(out, cap, "TLS protocol error %d", e);
	return DD_EXIT_FAIL;
}

static int connect_peer(struct tls *t, const struct dd_tls_peer *p, int timeout_ms, char *err,
			size_t errsz)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)p->port) };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p->port) };
	char why[128];

	if (inet_pton(AF_INET, p->ip, &s4.sin_addr) == 1)
		t->conn.fd = dd_net_connect((struct sockaddr *)&s4, sizeof s4, t->conn.deadline);
	else
		t->conn.fd = dd_net_connect((struct sockaddr *)&s6, sizeof s6, t->conn.deadline);
	if (t->conn.fd < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot connect to %s: %s", t->where,
			      dd_net_why(errno, timeout_ms, why, sizeof why));
	return 0;
}

/* The request out, the response in, until it is whole or the server closes. Bytes read, or
 * -1 with the engine's error. */
static long exchange(struct tls *t, const char *req, size_t rn, int *handshake_done)
{
	size_t n = 0;

	br_sslio_init(&t->io, &t->cc.eng, low_read, &t->conn, low_write, &t->conn);
	if (br_sslio_write_all(&t->io, req, rn) != 0 || br_sslio_flush(&t->io) != 0)
		return -1;
	*handshake_done = 1;
	for (;;) {
		int got;

		if (n == sizeof t->raw)
			return (long)n;	/* the parser says: too large */
		got = br_sslio_read(&t->io, t->raw + n, sizeof t->raw - n);
		if (got < 0)
			break;
		n += (size_t)got;
		if (dd_http_complete(t->raw, n) != 0)
			return (long)n;
	}
	/* Only a close_notify ends a response that runs to the end of the stream: a bare TCP
	 * close could be a truncation by anyone on the path. */
	return br_ssl_engine_last_error(&t->cc.eng) == BR_ERR_OK ? (long)n : -1;
}

static int https_get(struct tls *t, const struct dd_tls_peer *p, const char *path,
		     int timeout_ms, struct dd_http_resp *r, char *err, size_t errsz)
{
	unsigned char seed[32];
	struct pki_san name;
	char req[512], host[300], why[320];
	const char *sni;
	size_t rn;
	long n;
	int rc, done = 0;

	t->conn = (struct conn){ .fd = -1, .deadline = dd_net_deadline(timeout_ms) };
	if (p->port == 0 || p->port > 65535 || !p->ip || !p->name)
		return dd_say(err, errsz, DD_EXIT_FAIL, "HTTPS GET: no address, port or name");
	if (pki_san_parse(p->ip, &name) != 0 || !name.ip)
		return dd_say(err, errsz, DD_EXIT_FAIL, "HTTPS GET: %s is not an IP address", p->ip);
	snprintf(t->where, sizeof t->where, name.alen == 16 ? "[%s]:%u" : "%s:%u", p->ip, p->port);
	if (pki_san_parse(p->name, &name) != 0 || strchr(p->name, '*'))
		return dd_say(err, errsz, DD_EXIT_FAIL, "HTTPS GET: %s is not a host name or address", p->name);
	sni = name.ip ? NULL : p->name;	/* SNI carries DNS names only (RFC 6066) */
	snprintf(host, sizeof host, name.alen == 16 ? "[%s]:%u" : "%s:%u", p->name, p->port);
	rn = dd_http_request(req, sizeof req, path, host);
	if (rn == 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "GET %s: not a valid request path", path);
	rc = load_anchors(t, p->ca_pem, err, errsz);
	if (rc == 0)
		rc = load_client(t, p, err, errsz);
	if (rc)
		return rc;
	setup_engine(t, p->name);
	if (pki_random(seed, sizeof seed) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "no random numbers for TLS");
	br_ssl_engine_inject_entropy(&t->cc.eng, seed, sizeof seed);
	explicit_bzero(seed, sizeof seed);
	if (!br_ssl_client_reset(&t->cc, sni, 0))
		return dd_say(err, errsz, DD_EXIT_FAIL, "TLS setup failed (BearSSL error %d)",
			      br_ssl_engine_last_error(&t->cc.eng));
	rc = connect_peer(t, p, timeout_ms, err, errsz);
	if (rc)
		return rc;
	n = exchange(t, req, rn, &done);
	if (n < 0) {
		rc = tls_why(t, timeout_ms, p->ca_pem, why, sizeof why);
		if (!done)
			return dd_say(err, errsz, rc, "TLS handshake with %s failed: %s", t->where, why);
		if (br_ssl_engine_last_error(&t->cc.eng) == BR_ERR_IO && t->conn.eof)
			snprintf(why, sizeof why, "connection closed without TLS close_notify (response cut short?)");
		return dd_say(err, errsz, rc, "GET %s from %s: %s", path, t->where, why);
	}
	if (n == 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "GET %s from %s: connection closed without a response",
			      path, t->where);
	if (dd_http_parse(t->raw, (size_t)n, r) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "GET %s from %s: malformed or too large HTTP response",
			      path, t->where);
	return DD_EXIT_OK;
}

int dd_https_get(const struct dd_tls_peer *p, const char *path, int timeout_ms,
		 struct dd_http_resp *r, char *err, size_t errsz)
{
	struct tls t;
	int rc;

	r->status = 0;
	r->body_len = 0;
	r->body[0] = 0;
	rc = https_get(&t, p, path, timeout_ms, r, err, errsz);
	if (t.conn.fd >= 0)
		close(t.conn.fd);
	explicit_bzero(&t, sizeof t);
	return rc;
}
