#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/sha256.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

static const uint32_t K[64] __attribute__((aligned(16))) = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

#define TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* Four rounds on the (ABEF, CDGH) pair with message words w (already byte-swapped). */
TARGET static inline void rounds4(__m128i *abef, __m128i *cdgh, __m128i w, int g)
{
	__m128i msg = _mm_add_epi32(w, _mm_load_si128((const __m128i *)&K[4 * g]));

	*cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, msg);
	*abef = _mm_sha256rnds2_epu32(*abef, *cdgh, _mm_shuffle_epi32(msg, 0x0E));
}

TARGET static void blocks_shani(uint32_t st[8], const unsigned char *p, size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[0]), 0xB1);
	__m128i hgfe = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[4]), 0x1B);
	__m128i abef = _mm_alignr_epi8(dcba, hgfe, 8);
	__m128i cdgh = _mm_blend_epi16(hgfe, dcba, 0xF0);

	for (; nblocks; nblocks--, p += 64) {
		__m128i m[4], save0 = abef, save1 = cdgh;

		for (int i = 0; i < 4; i++)
			m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)),
						bswap);
		for (int g = 0; g < 16; g++) {
			rounds4(&abef, &cdgh, m[g & 3], g);
			if (g >= 12)
				continue;
			/* W[t..t+3] for t = 4(g+4): W[t-16] + s0(W[t-15]) + W[t-7] + s1(W[t-2]) */
			__m128i t = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);
			t = _mm_add_epi32(t, _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4));
			m[g & 3] = _mm_sha256msg2_epu32(t, m[(g + 3) & 3]);
		}
		abef = _mm_add_epi32(abef, save0);
		cdgh = _mm_add_epi32(cdgh, save1);
	}
	__m128i feba = _mm_shuffle_epi32(abef, 0x1B);
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
	_mm_storeu_si128((__m128i *)&st[0], _mm_blend_epi16(feba, dchg, 0xF0));
	_mm_storeu_si128((__m128i *)&st[4], _mm_alignr_epi8(dchg, feba, 8));
}

static int cpu_has_sha(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) || !(c & bit_SSSE3))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b & bit_SHA) != 0;
}
#else
static int cpu_has_sha(void)
{
	return 0;
}

static void blocks_shani(uint32_t st[8], const unsigned char *p, size_t nblocks)
{
	(void)st;
	(void)p;
	(void)nblocks;
}
#endif

static int use_shani = -1;

int dd_sha256_accelerated(void)
{
	if (use_shani < 0)
		use_shani = cpu_has_sha();
	return use_shani;
}

void dd_sha256_force_generic(int on)
{
	use_shani = on ? 0 : cpu_has_sha();
}

void dd_sha256_init(dd_sha256 *c)
{
	br_sha256_init(c);
}

/* Whole blocks bypass BearSSL when the buffer is empty; the rest (partial blocks, the
 * final padding) stays with br_sha256, whose context layout is public. */
void dd_sha256_update(dd_sha256 *c, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t fill = (size_t)(c->count & 63);

	if (!dd_sha256_accelerated() || n < 64) {
		br_sha256_update(c, p, n);
		return;
	}
	if (fill) {
		size_t k = 64 - fill;

		br_sha256_update(c, p, k);
		p += k;
		n -= k;
	}
	if (n >= 64) {
		size_t nb = n / 64;

		blocks_shani(c->val, p, nb);
		c->count += (uint64_t)nb * 64;
		p += nb * 64;
		n -= nb * 64;
	}
	br_sha256_update(c, p, n);
}

void dd_sha256_out(const dd_sha256 *c, unsigned char out[32])
{
	br_sha256_out(c, out);
}

int dd_sha256_fd(int fd, unsigned char out[32])
{
	char buf[16384];
	dd_sha256 c;
	ssize_t n;

	dd_sha256_init(&c);
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		dd_sha256_update(&c, buf, (size_t)n);
	}
	dd_sha256_out(&c, out);
	return 0;
}

int dd_sha256_file(const char *path, unsigned char out[32])
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc, e;

	if (fd < 0)
		return -1;
	rc = dd_sha256_fd(fd, out);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}
