/* libFuzzer harness for the certificate and key readers: the input is read as a DER
 * certificate (pki_x509_parse), as PEM text holding a certificate (pki_x509_load) and as
 * PEM text holding a private key (pki_key_load). None may crash, and what each accepts must
 * hold together: a parsed certificate lies inside the input, its fields are bounded and
 * terminated, and pki_x509_signed_by(c, c) and pki_x509_key_name run on it; a loaded key
 * writes out as PKCS#8 PEM that loads again as the same type and the same public key; when
 * the text holds both a certificate and a key, pki_key_matches runs on the pair. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pki/key.h"
#include "pki/x509.h"

static int inside(const unsigned char *p, size_t n, const unsigned char *lo, size_t size)
{
	return p >= lo && n <= size && (size_t)(p - lo) <= size - n;
}

static void check_cert(const struct pki_cert *c, const unsigned char *der, size_t size)
{
	const char *name;

	if (c->der != der || c->der_len != size || !inside(c->tbs, c->tbs_len, der, size) ||
	    !inside(c->sig, c->sig_len, der, size) || !inside(c->serial, c->serial_len, der, size) ||
	    !inside(c->issuer, c->issuer_len, der, size) ||
	    !inside(c->subject, c->subject_len, der, size) ||
	    !inside(c->sigalg, c->sigalg_len, der, size) ||
	    (c->skid && !inside(c->skid, 20, der, size)) || (c->akid && !inside(c->akid, 20, der, size)))
		abort();
	if (c->nsans > PKI_SAN_MAX || !memchr(c->cn, 0, sizeof c->cn) ||
	    !memchr(c->org, 0, sizeof c->org) || !memchr(c->issuer_cn, 0, sizeof c->issuer_cn))
		abort();
	for (unsigned i = 0; i < c->nsans; i++) {
		const struct pki_san *s = &c->sans[i];

		if (s->ip ? s->alen != 4 && s->alen != 16 : !memchr(s->dns, 0, sizeof s->dns))
			abort();
	}
	name = pki_x509_key_name(c);
	if (!name || !*name)
		abort();
	pki_x509_signed_by(c, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pki_cert c, c2;
	static unsigned char der[PKI_CERT_MAX];
	static struct pki_key k, k2;
	static char pem[16384];
	const char *why = NULL;
	char *text;
	int have_cert, have_key;
	size_t n;

	/* As DER, in a buffer of exactly its size (libFuzzer's). */
	why = NULL;
	if (pki_x509_parse(data, size, &c, &why) == 0)
		check_cert(&c, data, size);
	else if (!why)
		abort();

	/* As PEM text holding a certificate. */
	why = NULL;
	have_cert = pki_x509_load((const char *)data, size, der, sizeof der, &c2, &why) == 0;
	if (have_cert)
		check_cert(&c2, der, c2.der_len);
	else if (!why)
		abort();

	/* As PEM text holding a key. The copy is NUL-terminated as every caller's is (they read
	 * files with dd_read_small_file): pki_key_load reads past n when it finds no key (a
	 * strstr for "ENCRYPTED"), a bug tests/unit/test_pki.c key_load_reads_only_n_bytes
	 * keeps failing until fixed; here it would stop every run at the first input. */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	why = NULL;
	have_key = pki_key_load(&k, text, size, &why) == 0;
	free(text);
	if (!have_key) {
		if (!why || !*why)
			abort();
		return 0;
	}
	if ((unsigned)k.type >= PKI_KTYPES)
		abort();
	n = pki_key_pem(&k, pem, sizeof pem);
	if (n == 0 || pki_key_load(&k2, pem, n, &why) != 0 || k2.type != k.type)
		abort();
	if (k.type <= PKI_EC384 ? k.ecpub.qlen != k2.ecpub.qlen ||
					  memcmp(k.ecpub.q, k2.ecpub.q, k.ecpub.qlen) != 0
				: k.rsapub.nlen != k2.rsapub.nlen ||
					  memcmp(k.rsapub.n, k2.rsapub.n, k.rsapub.nlen) != 0)
		abort();
	if (have_cert)
		pki_key_matches(&k, &c2.pkey);
	pki_key_wipe(&k);
	pki_key_wipe(&k2);
	return 0;
}
