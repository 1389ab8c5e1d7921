/* libFuzzer harness for protected settings (azure/cms.h): the input is read as base64 text
 * (dd_az_unbase64) and its DER decrypted, and read directly as DER and decrypted
 * (dd_cms_decrypt: the BER walk, the recipient choice, RSA PKCS#1 v1.5 or OAEP unpadding,
 * CBC and PKCS#7), for a fixed RSA-1024 tenant key (BearSSL's keygen on an HMAC-DRBG with a
 * fixed seed, small so that inputs reaching the RSA step stay fast; a crash reproduces
 * with the same key). None may crash; a success gives a terminated plaintext within the
 * cap, a refusal one line of text.
 *
 * Seeds are made at start with the real openssl, not kept in the tree: the key is written
 * as PEM, `openssl req -x509` makes its certificate (the tenant's issuer, serial and key
 * id, for recipient matching), and `openssl cms -encrypt` blobs of each kind (3DES, AES,
 * OAEP SHA-1 and SHA-256 with a label, -stream, -keyid, AES-GCM) plus one in base64 are
 * written into the corpus directory libFuzzer was given. Without openssl the harness
 * still runs, from whatever corpus there is. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "azure/cms.h"

static struct dd_az_tenant t;
static unsigned char kpriv[BR_RSA_KBUF_PRIV_SIZE(1024)], kpub[BR_RSA_KBUF_PUB_SIZE(1024)];
static char out[DD_AZ_PROTECTED_MAX + 1];

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(p, 1, n, f) == n;

	return (f && fclose(f) == 0 && ok) ? 0 : -1;
}

static void make_key(const char *dir)
{
	br_hmac_drbg_context rng;
	br_rsa_public_key pk;
	unsigned char d[128], der[1024];
	char pem[2048], path[512];
	size_t dl, n;

	br_hmac_drbg_init(&rng, &br_sha256_vtable, "fuzz_cms tenant", 15);
	if (!br_rsa_i31_keygen(&rng.vtable, &t.key.rsa, kpriv, &pk, kpub, 1024, 65537))
		abort();
	dl = br_rsa_i31_compute_privexp(d, &t.key.rsa, 65537);
	n = br_encode_rsa_raw_der(der, &t.key.rsa, &pk, d, dl);
	if (dl == 0 || n == 0 || n > sizeof der)
		abort();
	n = br_pem_encode(pem, der, n, "RSA PRIVATE KEY", BR_PEM_LINE64);
	snprintf(path, sizeof path, "%s/key.pem", dir);
	if (write_file(path, pem, n))
		abort();
}

/* The tenant certificate and seeds, made by openssl in dir, seeds into corpus. */
static void make_seeds(const char *dir, const char *corpus)
{
	static const struct {
		const char *name, *args;
	} seeds[] = {
		{ "des3", "-des3" },
		{ "aes128", "-aes128" },
		{ "aes256-stream", "-aes256 -stream" },
		{ "oaep-sha1", "-aes192 -keyopt rsa_padding_mode:oaep" },
		{ "oaep-sha256-label", "-aes256 -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256 "
				       "-keyopt rsa_oaep_label:6c6162656c" },
		{ "keyid-des3-stream", "-des3 -keyid -stream" },
		{ "gcm", "-aes-256-gcm" },
	};
	static const char plain[] = "{\"login\":{\"username\":\"u\",\"password\":\"p\"},"
				    "\"environment\":{\"A\":\"1\"}}\n";
	char cmd[2048], path[512], pem[8192];
	const char *why;
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof cmd,
		 "openssl req -x509 -new -key %s/key.pem -subj '/DC=Fuzz Tenant' -set_serial 4242 "
		 "-days 1 -out %s/cert.pem 2>/dev/null",
		 dir, dir);
	snprintf(path, sizeof path, "%s/cert.pem", dir);
	if (system(cmd) != 0 || !(f = fopen(path, "r")))
		return;
	n = fread(pem, 1, sizeof pem - 1, f);
	fclose(f);
	if (pki_x509_load(pem, n, t.der, sizeof t.der, &t.cert, &why))
		return;
	snprintf(path, sizeof path, "%s/plain", dir);
	if (!corpus || write_file(path, plain, sizeof plain - 1))
		return;
	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
		snprintf(cmd, sizeof cmd,
			 "openssl cms -encrypt -binary -outform DER -in %s/plain -out %s/seed-%s "
			 "-recip %s/cert.pem %s 2>/dev/null",
			 dir, corpus, seeds[i].name, dir, seeds[i].args);
		if (system(cmd) != 0)
			fprintf(stderr, "fuzz_cms: no seed %s\n", seeds[i].name);
	}
	snprintf(cmd, sizeof cmd, "openssl base64 -in %s/seed-des3 -out %s/seed-des3.b64", corpus,
		 corpus);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_cms: no base64 seed\n");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/fuzz_cms-XXXXXX", cmd[64];
	const char *corpus = NULL;
	struct stat st;

	for (int i = 1; i < *argc; i++)
		if ((*argv)[i][0] != '-' && stat((*argv)[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			corpus = (*argv)[i];
			break;
		}
	memcpy(t.thumb, "F0221CF0221CF0221CF0221CF0221CF0221CF022", 41);
	if (!mkdtemp(dir))
		abort();
	make_key(dir);
	make_seeds(dir, corpus);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_cms: %s left behind\n", dir);
	return 0;
}

static void check(int rc, size_t outlen, const char *err)
{
	if (rc == 0 ? outlen > DD_AZ_PROTECTED_MAX || out[outlen] != 0
		    : rc != -1 || outlen != 0 || !err[0] || strchr(err, '\n'))
		abort();
}

/* The DER in a buffer of exactly its size (it is scratch for the decryption). */
static void decrypt(const void *p, size_t n)
{
	unsigned char *der = malloc(n ? n : 1);
	char err[256] = "";
	size_t outlen = 12345;
	int rc;

	if (!der)
		return;
	memcpy(der, p, n);
	rc = dd_cms_decrypt(&t, der, n, out, sizeof out, &outlen, err, sizeof err);
	check(rc, outlen, err);
	free(der);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char der[DD_CMS_DER_MAX];
	char err[256] = "";
	long n = dd_az_unbase64((const char *)data, size, der, sizeof der, err, sizeof err);

	if (n >= 0)
		decrypt(der, (size_t)n);
	else if (!err[0] || strchr(err, '\n'))
		abort();
	decrypt(data, size);
	return 0;
}
