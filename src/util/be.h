/* Big-endian integer encoding, byte by byte (no alignment or host-order assumptions). */
#ifndef DD_BE_H
#define DD_BE_H

#include <stdint.h>

static inline void dd_put32be(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static inline void dd_put64be(unsigned char *p, uint64_t v)
{
	dd_put32be(p, (uint32_t)(v >> 32));
	dd_put32be(p + 4, (uint32_t)v);
}

static inline uint32_t dd_get32be(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t dd_get64be(const unsigned char *p)
{
	return (uint64_t)dd_get32be(p) << 32 | dd_get32be(p + 4);
}

#endif
