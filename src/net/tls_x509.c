#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "net/tls.h"
#include "net/tls_x509.h"

static struct dd_tls_x509 *self(const br_x509_class **ctx)
{
	return (struct dd_tls_x509 *)(void *)ctx;
}

static const br_x509_class **inner(struct dd_tls_x509 *x)
{
	return &x->minimal.vtable;
}

static void start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct dd_tls_x509 *x = self(ctx);

	(void)server_name;	/* ours is checked below, IP or DNS */
	x->depth = 0;
	x->ee_len = 0;
	x->ee_too_big = 0;
	x->problem = DD_TLS_X509_OK;
	x->why = NULL;
	x->minimal.vtable->start_chain(inner(x), NULL);
}

static void start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct dd_tls_x509 *x = self(ctx);

	if (x->depth == 0 && length > sizeof x->ee)
		x->ee_too_big = 1;
	x->minimal.vtable->start_cert(inner(x), length);
}

static void append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct dd_tls_x509 *x = self(ctx);

	if (x->depth == 0 && !x->ee_too_big) {
		if (len > sizeof x->ee - x->ee_len) {
			x->ee_too_big = 1;
		} else {
			memcpy(x->ee + x->ee_len, buf, len);
			x->ee_len += len;
		}
	}
	x->minimal.vtable->append(inner(x), buf, len);
}

static void end_cert(const br_x509_class **ctx)
{
	struct dd_tls_x509 *x = self(ctx);

	x->minimal.vtable->end_cert(inner(x));
	x->depth++;
}

static unsigned end_chain(const br_x509_class **ctx)
{
	struct dd_tls_x509 *x = self(ctx);
	unsigned rc = x->minimal.vtable->end_chain(inner(x));

	if (rc != 0)
		return rc;
	if (x->depth == 0 || x->ee_too_big) {
		x->problem = DD_TLS_X509_UNREADABLE;
		x->why = "too large";
		return BR_ERR_X509_LIMIT_EXCEEDED;
	}
	if (pki_x509_parse(x->ee, x->ee_len, &x->cert, &x->why) != 0) {
		x->problem = DD_TLS_X509_UNREADABLE;
		return BR_ERR_X509_UNSUPPORTED;
	}
	/* pki_cert cannot tell "no extension" from "neither purpose": only this case is sure. */
	if (x->cert.client_auth && !x->cert.server_auth) {
		x->problem = DD_TLS_X509_CLIENT_ONLY;
		return BR_ERR_X509_FORBIDDEN_KEY_USAGE;
	}
	if (!dd_tls_name_match(&x->cert, x->name)) {
		x->problem = DD_TLS_X509_NAME;
		return BR_ERR_X509_BAD_SERVER_NAME;
	}
	return 0;
}

static const br_x509_pkey *get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const struct dd_tls_x509 *x = (const struct dd_tls_x509 *)(const void *)ctx;

	return x->minimal.vtable->get_pkey(&x->minimal.vtable, usages);
}

static const br_x509_class wrapper_vtable = {
	sizeof(struct dd_tls_x509), start_chain, start_cert, append, end_cert, end_chain, get_pkey,
};

void dd_tls_x509_wrap(struct dd_tls_x509 *x, const char *name)
{
	x->vtable = &wrapper_vtable;
	x->name = name;
	x->depth = 0;
	x->ee_len = 0;
	x->ee_too_big = 0;
	x->problem = DD_TLS_X509_OK;
	x->why = NULL;
}

static int dns_match(const char *san, const char *name)
{
	const char *dot;

	if (strcasecmp(san, name) == 0)
		return 1;
	if (san[0] != '*' || san[1] != '.')
		return 0;
	dot = strchr(name, '.');
	return dot && dot != name && strcasecmp(dot + 1, san + 2) == 0;
}

int dd_tls_name_match(const struct pki_cert *c, const char *name)
{
	unsigned char addr[16];
	unsigned alen = 0;

	if (!name || !*name || strchr(name, '*'))
		return 0;
	if (inet_pton(AF_INET, name, addr) == 1)
		alen = 4;
	else if (inet_pton(AF_INET6, name, addr) == 1)
		alen = 16;
	for (unsigned i = 0; i < c->nsans && i < PKI_SAN_MAX; i++) {
		const struct pki_san *s = &c->sans[i];

		if (alen ? s->ip && s->alen == alen && memcmp(s->addr, addr, alen) == 0
			 : !s->ip && dns_match(s->dns, name))
			return 1;
	}
	return 0;
}
