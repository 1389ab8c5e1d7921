/* BearSSL's big-integer functions that pki/rsagen.c builds on. BearSSL declares them in its
 * src/inner.h, which it does not install; these are those declarations, for the pinned
 * version (third_party/lock). An "i31" integer is an array of 31-bit words, least
 * significant first, after a header word x[0] holding its announced bit length, encoded
 * ((bits / 31) << 5 | bits % 31). Each function is constant-time in the values. */
#ifndef DD_PKI_BN_H
#define DD_PKI_BN_H

#include <stddef.h>
#include <stdint.h>

void br_i31_decode(uint32_t *x, const void *src, size_t len);
/* src reduced modulo m, with m's announced bit length */
void br_i31_decode_reduce(uint32_t *x, const void *src, size_t len, const uint32_t *m);
void br_i31_encode(void *dst, size_t len, const uint32_t *x);
/* -1/x mod 2^31, for an odd x */
uint32_t br_i31_ninv31(uint32_t x);
/* x = x/y mod m (m odd; x, y below m with its announced length; t: 3 integers of m's
 * size): 1, or 0 when y is not invertible modulo m */
uint32_t br_i31_moddiv(uint32_t *x, const uint32_t *y, const uint32_t *m, uint32_t m0i,
		       uint32_t *t);
/* x = x^e mod m (m odd, x below m with its announced length), with 64-bit limbs; tmp of
 * twlen words, 35 times m's size in 62-bit limbs for the widest window */
uint32_t br_i62_modpow_opt(uint32_t *x, const unsigned char *e, size_t elen, const uint32_t *m,
			   uint32_t m0i, uint64_t *tmp, size_t twlen);

#endif
