/* dd_https_get: files read and checked first (tls_load.c), then one TLS 1.2 connection
 * carrying one GET with "Connection: close". The BearSSL engine reads and writes through
 * callbacks that wait on the socket with poll() against the caller's deadline. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "net/sock.h"
#include "net/tls_int.h"
#include "util/log.h"
#include "util/sort.h"

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

/* A client profile of our own: br_ssl_client_init_full would link every suite BearSSL has.
 * The X.509 engine is br_x509_minimal behind our wrapper (tls_x509.c), its clock pki_now(). */
static void setup_engine(struct dd_tls *t, const struct dd_tls_peer *p, const struct dd_tls_more *m)
{
	br_ssl_engine_context *eng = &t->cc.eng;
	br_x509_minimal_context *xm = &t->x509.minimal;
	time_t now = pki_now();

	br_ssl_client_zero(&t->cc);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, sizeof suites / sizeof suites[0]);
	br_x509_minimal_init(xm, &br_sha256_vtable, m->anchors ? m->anchors->ta : t->ta,
			     m->anchors ? m->anchors->n : t->nta);
	br_ssl_engine_set_default_rsavrfy(eng);
	br_ssl_engine_set_ec(eng, &br_ec_prime_i31);
	br_ssl_engine_set_ecdsa(eng, &br_ecdsa_i31_vrfy_asn1);
	br_x509_minimal_set_rsa(xm, br_ssl_engine_get_rsavrfy(eng));
	br_x509_minimal_set_ecdsa(xm, &br_ec_prime_i31, &br_ecdsa_i31_vrfy_asn1);
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
	dd_tls_x509_wrap(&t->x509, p->name);
	br_ssl_engine_set_x509(eng, &t->x509.vtable);
	if (!p->cert_pem)
		; /* server authentication only */
	else if (t->key.type == PKI_EC256 || t->key.type == PKI_EC384)
		br_ssl_client_set_single_ec(&t->cc, t->chain, t->nchain, &t->key.ec, BR_KEYTYPE_SIGN,
					    BR_KEYTYPE_EC, &br_ec_prime_i31, pki_ecdsa_sign_asn1);
	else
		br_ssl_client_set_single_rsa(&t->cc, t->chain, t->nchain, &t->key.rsa,
					     br_rsa_pkcs1_sign_get_default());
	br_ssl_engine_set_buffer(eng, t->iobuf, sizeof t->iobuf, 1);
}

static int low_read(void *ctx, unsigned char *buf, size_t len)
{
	struct dd_tls_conn *c = ctx;
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
	struct dd_tls_conn *c = ctx;
	ssize_t n = dd_net_write(c->fd, buf, len, c->deadline);

	if (n > 0)
		return (int)n;
	c->err = errno;
	return -1;
}

static int connect_peer(struct dd_tls *t, const struct dd_tls_peer *p, struct dd_tls_more *m,
			int timeout_ms, char *err, size_t errsz)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)p->port) };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p->port) };
	char why[128];

	if (inet_pton(AF_INET, p->ip, &s4.sin_addr) == 1)
		t->conn.fd = dd_net_connect((struct sockaddr *)&s4, sizeof s4, t->conn.deadline);
	else
		t->conn.fd = dd_net_connect((struct sockaddr *)&s6, sizeof s6, t->conn.deadline);
	m->unreachable = t->conn.fd < 0;
	if (t->conn.fd < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "cannot connect to %s: %s", t->where,
			      dd_net_why(errno, timeout_ms, why, sizeof why));
	/* The handshake's flights leave in several writes: Nagle held each after the first
	 * until the server's delayed ACK, 40 ms per flight on loopback. */
	setsockopt(t->conn.fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	return 0;
}

/* The request out, the response in, until it is whole or the server closes. Bytes read, or
 * -1 with the engine's error. */
static long exchange(struct dd_tls *t, const char *req, size_t rn, int *handshake_done)
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

/* The head req[0..rn) with the header line h (printable, no CR or LF) before its blank
 * line: the new length, or 0. */
static size_t add_header(char *req, size_t cap, size_t rn, const char *h)
{
	size_t hn = strlen(h);

	for (size_t i = 0; i < hn; i++)
		if ((unsigned char)h[i] < ' ' || h[i] == 0x7f)
			return 0;
	if (rn < 4 || rn + hn + 2 >= cap)
		return 0;
	memcpy(req + rn - 2, h, hn);
	memcpy(req + rn - 2 + hn, "\r\n\r\n", 4);
	return rn + hn + 2;
}

/* The value of the first WWW-Authenticate field in the head of raw[0..n) into out. */
static void www_auth(const char *raw, size_t n, char *out, size_t cap)
{
	static const char name[] = "\r\nwww-authenticate:";
	const char *end = dd_memmem(raw, n, "\r\n\r\n", 4), *p = raw, *v, *e;

	out[0] = 0;
	for (; end && (p = dd_memmem(p, (size_t)(end - p), "\r\n", 2)); p += 2) {
		if ((size_t)(end - p) < sizeof name - 1 || strncasecmp(p, name, sizeof name - 1))
			continue;
		for (v = p + sizeof name - 1; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		e = dd_memmem(v, (size_t)(end + 2 - v), "\r\n", 2);
		if ((size_t)(e - v) < cap) {
			memcpy(out, v, (size_t)(e - v));
			out[e - v] = 0;
		}
		return;
	}
}

static int https_get(struct dd_tls *t, const struct dd_tls_peer *p, struct dd_tls_more *m,
		     const char *path, int timeout_ms, struct dd_http_resp *r, char *err,
		     size_t errsz)
{
	unsigned char seed[32];
	struct pki_san name;
	char req[8192], host[300], why[320];
	const char *sni;
	size_t rn;
	long n;
	int rc, done = 0;

	t->conn = (struct dd_tls_conn){ .fd = -1, .deadline = dd_net_deadline(timeout_ms) };
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
	if (rn && m->header) /* one more line before the blank one that ends the head */
		rn = add_header(req, sizeof req, rn, m->header);
	if (rn == 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "GET %s: not a valid request path", path);
	rc = m->anchors ? 0 : dd_tls_load_anchors(t, p->ca_pem, err, errsz);
	if (rc == 0 && p->cert_pem)
		rc = dd_tls_load_client(t, p, err, errsz);
	if (rc)
		return rc;
	setup_engine(t, p, m);
	if (pki_random(seed, sizeof seed) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "no random numbers for TLS");
	br_ssl_engine_inject_entropy(&t->cc.eng, seed, sizeof seed);
	explicit_bzero(seed, sizeof seed);
	if (!br_ssl_client_reset(&t->cc, sni, 0))
		return dd_say(err, errsz, DD_EXIT_FAIL, "TLS setup failed (BearSSL error %d)",
			      br_ssl_engine_last_error(&t->cc.eng));
	rc = connect_peer(t, p, m, timeout_ms, err, errsz);
	if (rc)
		return rc;
	n = exchange(t, req, rn, &done);
	explicit_bzero(req, sizeof req);
	if (n < 0) {
		rc = dd_tls_why(t, timeout_ms, p->ca_pem ? p->ca_pem : "the trust store", why, sizeof why);
		if (!done)
			return dd_say(err, errsz, rc, "TLS handshake with %s failed: %s", t->where, why);
		if (br_ssl_engine_last_error(&t->cc.eng) == BR_ERR_IO && t->conn.eof)
			snprintf(why, sizeof why, "connection closed without TLS close_notify (response cut short?)");
		return dd_say(err, errsz, rc, "GET %s from %s: %s", path, t->where, why);
	}
	if (n == 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "GET %s from %s: connection closed without a response",
			      path, t->where);
	if (m->www_auth)
		www_auth(t->raw, (size_t)n, m->www_auth, m->www_auth_sz);
	if (dd_http_parse(t->raw, (size_t)n, r) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "GET %s from %s: malformed or too large HTTP response",
			      path, t->where);
	return DD_EXIT_OK;
}

int dd_https_get(const struct dd_tls_peer *p, const char *path, int timeout_ms,
		 struct dd_http_resp *r, char *err, size_t errsz)
{
	return dd_https_get_more(p, NULL, path, timeout_ms, r, err, errsz);
}

int dd_https_get_more(const struct dd_tls_peer *p, struct dd_tls_more *m, const char *path,
		      int timeout_ms, struct dd_http_resp *r, char *err, size_t errsz)
{
	struct dd_tls_more none = { 0 };
	struct dd_tls t;
	int rc;

	r->status = 0;
	r->body_len = 0;
	r->body[0] = 0;
	rc = https_get(&t, p, m ? m : &none, path, timeout_ms, r, err, errsz);
	if (t.conn.fd >= 0)
		close(t.conn.fd);
	explicit_bzero(&t, sizeof t);
	return rc;
}
