/* BearSSL's error codes and the alerts a server sends, in words for one-line errors. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "net/sock.h"
#include "net/tls_int.h"
#include "util/log.h"

static const char *alert_name(int a)
{
	/* Two arrays, not one of pairs: 24 bytes of codes and the pointers, without the 7
	 * bytes of padding a pair would carry. */
	static const unsigned char codes[] = {
		0, 10, 20, 22, 40, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 70, 71, 80, 86, 90, 109,
		110, 112, 116,
	};
	static const char *const names[sizeof codes] = {
		"close notify", "unexpected message", "bad record MAC", "record overflow",
		"handshake failure", "bad certificate", "unsupported certificate",
		"certificate revoked", "certificate expired", "certificate unknown",
		"illegal parameter", "unknown CA", "access denied", "decode error", "decrypt error",
		"protocol version", "insufficient security", "internal error",
		"inappropriate fallback", "user canceled", "missing extension",
		"unsupported extension", "unrecognized name", "certificate required",
	};

	for (size_t i = 0; i < sizeof codes; i++)
		if (codes[i] == a)
			return names[i];
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
static void x509_why(struct dd_tls *t, int e, const char *ca_path, char *out, size_t cap)
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
			dd_tls_utc(now > x->cert.not_after ? x->cert.not_after : x->cert.not_before, when,
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
int dd_tls_why(struct dd_tls *t, int timeout_ms, const char *ca_path, char *out, size_t cap)
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
