/* A small DER writer (BearSSL has no encoder for certificates). Values are written in
 * order into a caller buffer; a constructed value is opened with der_begin and closed with
 * der_end, which writes its length in the shortest form and moves the contents up to
 * make room. Any overflow sets d->err and later calls do nothing: check once at the end. */
#ifndef DD_DER_H
#define DD_DER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define DER_DEPTH 16

enum {
	DER_BOOLEAN = 0x01, DER_INTEGER = 0x02, DER_BIT_STRING = 0x03, DER_OCTET_STRING = 0x04,
	DER_NULL = 0x05, DER_OID = 0x06, DER_UTF8 = 0x0c, DER_PRINTABLE = 0x13, DER_IA5 = 0x16,
	DER_UTCTIME = 0x17, DER_GENTIME = 0x18, DER_SEQUENCE = 0x30, DER_SET = 0x31
};
#define DER_CTX(n) (0xa0 | (n))		/* [n] constructed (EXPLICIT) */
#define DER_CTX_PRIM(n) (0x80 | (n))	/* [n] primitive (IMPLICIT) */

struct der {
	unsigned char *buf;
	size_t cap, len;
	int err;
	unsigned depth;
	size_t open[DER_DEPTH];
};

void der_init(struct der *d, unsigned char *buf, size_t cap);
void der_begin(struct der *d, unsigned tag);
void der_end(struct der *d);
/* A primitive value with the given contents. */
void der_prim(struct der *d, unsigned tag, const void *v, size_t n);
/* Bytes already DER-encoded (a Name copied from a CA certificate, say). */
void der_raw(struct der *d, const void *v, size_t n);
/* INTEGER from a big-endian unsigned magnitude: leading zeros dropped, a 0x00 added when
 * the top bit is set, so the value stays positive and minimal. */
void der_uint(struct der *d, const unsigned char *be, size_t n);
void der_small(struct der *d, uint32_t v);	/* INTEGER */
void der_bool(struct der *d, int v);
void der_null(struct der *d);
/* OID from its content bytes (e.g. "\x2a\x86\x48\xce\x3d\x02\x01" for 1.2.840.10045.2.1). */
void der_oid(struct der *d, const char *oid, size_t n);
/* BIT STRING with 0 unused bits around v. */
void der_bits(struct der *d, const void *v, size_t n);
/* Time as X.509 wants it: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280). */
void der_time(struct der *d, time_t t);

/* The length octets for n into out (at most 5); their count, 0 when n is 4 GiB or more. */
size_t der_len_encode(size_t n, unsigned char *out);

#define DER_OID_LIT(s) s, sizeof(s) - 1

#endif
