/* Azure protected settings: base64 of a CMS EnvelopedData (RFC 5652) encrypted to the VM's
 * tenant certificate, decrypted here on BearSSL primitives (AZURE.md 9): key transport RSA
 * PKCS#1 v1.5 (our own constant-time unpadding on the raw private operation) or RSA-OAEP
 * with SHA-1 or SHA-256; content DES-EDE3-CBC (3 or 2 keys) or AES-128/192/256-CBC; BER
 * as openssl cms -stream writes it. The recipient is the one naming our certificate by
 * issuer and serial or by subject key identifier, else the only key-transport recipient
 * there is. CBC has no integrity check: a damaged blob is refused only when its padding
 * or structure shows it (the caller then reads the plaintext as JSON). */
#ifndef DD_AZURE_CMS_H
#define DD_AZURE_CMS_H

#include <stddef.h>
#include <stdint.h>

#include "azure/tenant.h"

/* Plaintext cap: protected settings larger than this are refused. */
#define DD_AZ_PROTECTED_MAX (64 * 1024)
/* The DER of a blob: the ciphertext and room for the recipients around it. */
#define DD_CMS_DER_MAX (DD_AZ_PROTECTED_MAX + 8192)

/* Azure protected settings: b64[0..n) is base64 (standard alphabet; whitespace/newlines
 * skipped; anything else refused; input capped) of a DER/BER CMS EnvelopedData;
 * thumb the settings' protectedSettingsCertThumbprint (40 hex digits, any case);
 * certdir the directory holding THUMB.crt and THUMB.prv (upper-case thumbprint file names
 * as the agent writes them; PEM, possibly preceded by "Bag Attributes" text lines).
 * On success: 0, the plaintext in out[0..*outlen) followed by a NUL (callers pass cap >=
 * DD_AZ_PROTECTED_MAX + 1). On failure: -1 and err set to one line without a "dockdrop:"
 * prefix naming what failed (the caller prints "dockdrop: protected settings: <err>" and
 * exits 3), one of:
 *   not base64 at offset N | not base64 (bad length or padding)
 *   protected settings larger than 65536 bytes
 *   certificate thumbprint "X" is not 40 hex digits
 *   no certificate DIR/THUMB.crt for thumbprint THUMB | no private key DIR/THUMB.prv for ...
 *   certificate DIR/THUMB.crt: WHY | certificate ... has SHA-1 thumbprint X, not THUMB
 *   certificate ...: not an RSA key | private key DIR/THUMB.prv: WHY
 *   private key ... does not match certificate ...
 *   truncated|malformed|too deeply nested CMS structure at byte N
 *   trailing data after the CMS structure
 *   not CMS EnvelopedData (content type OID X) | AuthEnvelopedData (AES-GCM) is not supported
 *   unsupported content encryption algorithm OID X | content IV of N bytes, not M
 *   no encrypted content (detached CMS)
 *   content length N is not a multiple of the block size
 *   no recipient matches certificate THUMB (also when the only recipient, tried though it
 *     names another certificate, does not decrypt)
 *   unsupported key transport algorithm OID X
 *   unsupported RSA-OAEP parameters (SHA-1 or SHA-256, and MGF1 with the same hash)
 *   RSA key transport failed: wrong key or damaged encrypted key (every unpadding failure)
 *   content decryption failed: bad padding (damaged ciphertext or wrong key)
 * Every secret buffer (content key, RSA scratch and the stack BearSSL used, the private
 * key, the plaintext on failure and its copy in the DER buffer) is wiped before return;
 * nothing is written to disk or logged. Not reentrant (static buffers: the DER, the
 * tenant certificate and key). */
int dd_az_unprotect(const char *b64, size_t n, const char *thumb, const char *certdir,
		    char *out, size_t cap, size_t *outlen, char *err, size_t errsz);

/* The steps of dd_az_unprotect, for tests and the fuzz harness. */

/* Base64 (whitespace skipped) into der: its length, or -1 with err. */
long dd_az_unbase64(const char *b64, size_t n, unsigned char *der, size_t cap, char *err,
		    size_t errsz);
/* The DER blob der[0..n) decrypted for the tenant t (only t->thumb, the certificate's
 * issuer, serial and skid and the RSA key are used): as dd_az_unprotect. The content is
 * gathered and decrypted in place: der is scratch, its plaintext part wiped on return. */
int dd_cms_decrypt(const struct dd_az_tenant *t, unsigned char *der, size_t n, char *out,
		   size_t cap, size_t *outlen, char *err, size_t errsz);

/* EM = 00 02 PS 00 M (PKCS#1 v1.5, PS at least 8 non-zero bytes) in em[0..k), checked
 * without a branch on its bytes: 1 with *off where M starts, else 0. */
uint32_t dd_cms_pkcs1_unpad(const unsigned char *em, size_t k, size_t *off);
/* p[0..len) ends in PKCS#7 padding for blocks of bs bytes (len a non-zero multiple of bs):
 * 1 with *n the length without it, else 0. */
int dd_cms_pkcs7_unpad(const unsigned char *p, size_t len, size_t bs, size_t *n);

/* The OIDs the walk knows (the ciphers last, in this order). */
enum {
	DD_OID_UNKNOWN, DD_OID_ENVELOPED, DD_OID_AUTHENV, DD_OID_RSA, DD_OID_OAEP, DD_OID_MGF1,
	DD_OID_PSPEC, DD_OID_SHA1, DD_OID_SHA256, DD_OID_DES3, DD_OID_AES128, DD_OID_AES192,
	DD_OID_AES256
};
/* The OID whose contents are o[0..n), or DD_OID_UNKNOWN. */
int dd_cms_oid(const unsigned char *o, size_t n);
/* Dotted text of the OID contents o[0..n) ("(malformed)" for a bad encoding) into out. */
void dd_cms_oid_text(const unsigned char *o, size_t n, char *out, size_t cap);

#endif
