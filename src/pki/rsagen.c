/* RSA key generation, as OpenSSL finds its primes (bn_prime.c, probable_prime): from a
 * random start, an incremental search whose candidates are sieved against a table of small
 * primes, each candidate costing a few additions per table prime, and Miller-Rabin only
 * for the survivors; on BearSSL's big integers (pki/bn.h).
 *
 * A search: a random x0 of k = bits / 2 bits, its top two bits set (so p >= 1.5 2^(k-1) and
 * n has its full length), x0 = 11 mod 12: 3 mod 4 (BearSSL's private-key code wants p and q
 * so) and 2 mod 3 (as OpenSSL's). The candidates are x0 + 12j. The residues of x0 modulo
 * the odd primes from 5 to B (2^17, 2^18, 2^20 for 1024-, 1536-, 2048-bit primes: more
 * primes cost each step more, fewer let more composites through to Miller-Rabin) are
 * computed once, by a multiply-based reduction (no division of secret data); each step adds
 * 12 to every residue and notes, without a branch, whether one became 0. A candidate is
 * skipped when a table prime divides it, when it is 1 mod e (so gcd(e, p - 1) = 1), or, once
 * a first prime is in, 1 mod a table prime dividing that prime's p - 1 (so (p - 1)/2 and
 * (q - 1)/2 share no factor below B and lcm(p - 1, q - 1) = (p - 1)(q - 1)/2, which
 * br_i31_moddiv then proves). The survivors get Miller-Rabin with random bases, as many
 * rounds as FIPS 186-5 Table B.1 asks (a composite almost always fails the first).
 *
 * What the timing shows: which candidates reached Miller-Rabin (whether some table prime or
 * e divides them, not which) and how many steps were taken from x0 to p. x0 is uniform and
 * secret, so that is p's distance from an unknown point and the pattern of small-factor
 * numbers below p: a few hundred bits about p mod small primes at most, where factoring n
 * needs half of p's bits (Coppersmith). OpenSSL's sieve shows more (it stops at the first
 * table prime that divides a candidate, so which one it was). The kept prime's own
 * Miller-Rabin, the checks against the other prime and the key's exponents are
 * constant-time, as BearSSL's generator was, but for what a generator without a sieve shows
 * too: which of the two primes is the larger, and how many Miller-Rabin bases were drawn
 * again for falling outside [2, c - 2] (FIPS 186-5's own procedure; a chance below 1/4
 * each).
 *
 * Threads: each runs its own search with its own DRBG; the first prime published becomes
 * one factor, the next one that suits it the other. A thread that publishes the first
 * prime starts a new search. With rng seeded the same, one thread gives the same key. */
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "pki/bn.h"
#include "pki/rsagen.h"
#include "util/cpus.h"

#define E 65537u
#define TAB_LIMIT (1u << 20)
#define TAB_MAX 82023	/* odd primes from 5 below 2^20 */
#define IWORDS (2 + (PKI_RSA_PMAX * 8 + 30) / 31)	/* an i31 integer of PMAX bytes */
#define TMP64 (35 * ((IWORDS + 1) / 2))	/* br_i62_modpow_opt's widest window */
#define THREADS 4
#define STARTS 64		/* searches per thread and key */

static uint32_t tab[TAB_MAX];	/* the odd primes from 5 below TAB_LIMIT */
static unsigned ntab, tab_e;	/* tab[tab_e] = E */

struct gen {
	unsigned k, plen, np, rounds;	/* prime bits and bytes, table primes used, M-R rounds */
	int state;		/* 0 none, 1 writing the first, 2 one prime, 3 writing the second, 4 two */
	unsigned char prime[2][PKI_RSA_PMAX];
	unsigned char fl[2][TAB_MAX];	/* residue 1 refused: e's; and the first prime's p - 1 */
};

struct worker {
	pthread_t th;
	struct gen *g;
	br_hmac_drbg_context rng;
	uint32_t res[TAB_MAX];
	struct {	/* the numbers (wiped as one) */
		unsigned char x0[PKI_RSA_PMAX], c[PKI_RSA_PMAX], h[PKI_RSA_PMAX], b[PKI_RSA_PMAX];
		uint32_t x[IWORDS], z[IWORDS], t[4 * IWORDS];	/* t: 1, then moddiv's 3 */
		uint64_t tmp[TMP64];
	} v;
};

static struct gen gen;
static struct worker workers[THREADS];
static int busy;		/* pki_rsa_generate runs */

/* The odd primes from 5 below TAB_LIMIT (Eratosthenes over the odd numbers: bit i is
 * 2i + 1), once. */
static void table(void)
{
	static uint8_t comp[TAB_LIMIT / 16];

	if (ntab)
		return;
	for (uint32_t i = 1; i < TAB_LIMIT / 2; i++) {
		uint32_t v = 2 * i + 1;

		if (comp[i >> 3] >> (i & 7) & 1)
			continue;
		if (v >= 5) {
			if (v == E)
				tab_e = ntab;
			tab[ntab++] = v;
		}
		for (uint32_t j = (v * v) >> 1; v < 1024 && j < TAB_LIMIT / 2; j += v)
			comp[j >> 3] |= (uint8_t)(1 << (j & 7));
	}
}

/* 1 if a < b, for values below 2^63, without a branch */
static uint64_t lt(uint64_t a, uint64_t b)
{
	return (a - b) >> 63;
}

/* num / d and num % d for num below 2^63, with mu = floor((2^64 - 1) / d): the quotient
 * estimate is low by at most one. */
static uint64_t divq(uint64_t num, uint64_t d, uint64_t mu, uint64_t *rem)
{
	uint64_t q = (uint64_t)(((unsigned __int128)num * mu) >> 64), r = num - q * d;
	uint64_t more = 1 ^ lt(r, d);

	*rem = r - (d & -more);
	return q + more;
}

/* x (len bytes, a multiple of 4) modulo each of the n table primes */
static void residues(uint32_t *res, const unsigned char *x, size_t len, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t l = tab[i], mu = UINT64_MAX / l, r = 0;

		for (size_t j = 0; j < len; j += 4)
			divq(r << 32 | (uint64_t)x[j] << 24 | (uint32_t)x[j + 1] << 16 |
				     (uint32_t)x[j + 2] << 8 | x[j + 3],
			     l, mu, &r);
		res[i] = (uint32_t)r;
	}
}

/* The next candidate (step 1) or the first (0): every residue plus 12 (2, 5 and 1 for 5, 7
 * and 11, the first three). Nonzero if the candidate is to be skipped: 0 modulo a table
 * prime, or 1 modulo one whose fl is set (r <= fl). */
static uint32_t advance(uint32_t *res, const unsigned char *fl, unsigned n, uint32_t step)
{
	static const unsigned char wheel[3] = { 12 % 5, 12 % 7, 12 % 11 };
	uint32_t bad = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t l = tab[i], r = res[i] + (i < 3 ? wheel[i] : 12) * step;

		r -= l & -(uint32_t)(1 ^ (r - l) >> 31);
		res[i] = r;
		bad |= (r - 1 - fl[i]) >> 31;
	}
	return bad;
}

/* in >> 1 into out (n big-endian bytes; they may be the same) */
static void half(unsigned char *out, const unsigned char *in, size_t n)
{
	unsigned carry = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned v = in[i];

		out[i] = (unsigned char)(carry << 7 | v >> 1);
		carry = v & 1;
	}
}

/* Big-endian a - b into out (n bytes; NULL: only compared): 1 when a < b (the result then
 * wrapped), else 0. Its loop depends on n alone. */
static unsigned bn_sub(unsigned char *out, const unsigned char *a, const unsigned char *b,
		       size_t n)
{
	unsigned borrow = 0;

	for (size_t i = n; i-- > 0;) {
		unsigned v = (unsigned)a[i] - b[i] - borrow;

		if (out)
			out[i] = (unsigned char)v;
		borrow = v >> 31;
	}
	return borrow;
}

/* Miller-Rabin on w->v.c, rounds times: 0 composite, 1 probably prime. c = 3 mod 4, so
 * c - 1 = 2h with h odd and a round asks whether b^h is 1 or -1. */
static int miller_rabin(struct worker *w, unsigned rounds)
{
	struct gen *g = w->g;
	size_t n = g->plen, words;
	unsigned char cm2[PKI_RSA_PMAX];
	uint32_t m0i;

	br_i31_decode(w->v.x, w->v.c, n);
	m0i = br_i31_ninv31(w->v.x[1]);
	words = (w->v.x[0] + 31) >> 5;
	half(w->v.h, w->v.c, n);
	memcpy(cm2, w->v.c, n);
	cm2[n - 1] -= 2;	/* c is odd and above 2^8: no borrow */
	while (rounds--) {
		uint32_t one, minus, high;

		/* b uniform in [2, c - 2] (FIPS 186-5 C.3.1: drawn again when outside) */
		do {
			br_hmac_drbg_generate(&w->rng, w->v.b, n);
			high = w->v.b[n - 1] >> 1;
			for (size_t i = 0; i + 1 < n; i++)
				high |= w->v.b[i];
		} while (!high || bn_sub(NULL, cm2, w->v.b, n));
		br_i31_decode_reduce(w->v.z, w->v.b, n, w->v.x);
		br_i62_modpow_opt(w->v.z, w->v.h, n, w->v.x, m0i, w->v.tmp, TMP64);
		one = w->v.z[1] ^ 1;
		minus = w->v.z[1] ^ (w->v.x[1] - 1);
		for (size_t i = 2; i <= words; i++) {
			one |= w->v.z[i];
			minus |= w->v.z[i] ^ w->v.x[i];
		}
		if (one && minus)
			return 0;
		if (__atomic_load_n(&g->state, __ATOMIC_ACQUIRE) >= 3)
			return 0;
	}
	return 1;
}

/* Does w->v.c make a key with the first prime: |p - q| > 2^(k - 100), and (p - 1)/2, (q - 1)/2
 * coprime (br_i31_moddiv: 1/y mod m exists)? */
static int suits(struct worker *w)
{
	struct gen *g = w->g;
	size_t n = g->plen, i;
	const unsigned char *hi = g->prime[0], *lo = w->v.c;
	unsigned char *d = w->v.b, top = 0;
	uint32_t *m = w->v.x, *y = w->v.z, *one = w->v.t;

	if (bn_sub(NULL, hi, lo, n))
		hi = w->v.c, lo = g->prime[0];
	bn_sub(d, hi, lo, n);
	/* |p - q| >= 2^(k - 96): a byte that is not 0 in the first 12 */
	for (i = 0; i < 12; i++)
		top |= d[i];
	if (!top)
		return 0;
	half(w->v.h, hi, n);
	half(d, lo, n);
	br_i31_decode(m, w->v.h, n);
	br_i31_decode_reduce(y, d, n, m);
	memset(one, 0, IWORDS * sizeof *one);
	one[0] = m[0];
	one[1] = 1;
	return (int)br_i31_moddiv(one, y, m, br_i31_ninv31(m[1]), w->v.t + IWORDS);
}

/* w->v.c is prime: publish it. 1 when the key has its two primes. */
static int publish(struct worker *w)
{
	struct gen *g = w->g;
	int s = 0;

	if (__atomic_compare_exchange_n(&g->state, &s, 1, 0, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		memcpy(g->prime[0], w->v.c, g->plen);
		for (unsigned i = 0; i < g->np; i++)
			g->fl[1][i] = (unsigned char)(g->fl[0][i] | ((w->res[i] ^ 1) - 1) >> 31);
		__atomic_store_n(&g->state, 2, __ATOMIC_RELEASE);
		return 0;
	}
	while (s == 1) {	/* the other thread is copying 256 bytes */
		sched_yield();
		s = __atomic_load_n(&g->state, __ATOMIC_ACQUIRE);
	}
	if (s != 2)
		return 1;
	if (!suits(w))
		return 0;
	if (__atomic_compare_exchange_n(&g->state, &s, 3, 0, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		memcpy(g->prime[1], w->v.c, g->plen);
		__atomic_store_n(&g->state, 4, __ATOMIC_RELEASE);
	}
	return 1;
}

/* c = x0 + add (n bytes); 0 if that carries out of them */
static int candidate(unsigned char *c, const unsigned char *x0, size_t n, uint32_t add)
{
	uint64_t carry = add;

	for (size_t i = n; i-- > 0;) {
		carry += x0[i];
		c[i] = (unsigned char)carry;
		carry >>= 8;
	}
	return !carry;
}

/* One search from a new x0: 1 when it published a prime and should start again, 0 when the
 * key is complete, -1 when the window ran out. */
static int search(struct worker *w)
{
	struct gen *g = w->g;
	size_t n = g->plen;
	uint32_t r3 = 0;

	/* x0 = 11 mod 12: 3 mod 4, and 2 mod 3 (x0 + 4t = x0 + t mod 3) */
	br_hmac_drbg_generate(&w->rng, w->v.x0, n);
	w->v.x0[0] |= 0xc0;
	w->v.x0[n - 1] |= 3;
	for (size_t i = 0; i < n; i++)
		r3 += w->v.x0[i];	/* 256 = 1 mod 3 */
	if (!candidate(w->v.x0, w->v.x0, n, 4 * ((5 - r3 % 3) % 3)))
		return -1;
	residues(w->res, w->v.x0, n, g->np);
	for (uint32_t j = 0; j < 4 * g->k; j++) {
		int s = __atomic_load_n(&g->state, __ATOMIC_ACQUIRE);
		uint32_t bad;

		if (s >= 3)
			return 0;
		bad = advance(w->res, g->fl[s >= 2], g->np, j > 0);
		if (bad || !candidate(w->v.c, w->v.x0, n, 12 * j))
			continue;
		if (miller_rabin(w, g->rounds))
			return publish(w) ? 0 : 1;
	}
	return -1;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < STARTS && search(w) != 0; i++)
		;
	return NULL;
}

void pki_bn_mul(unsigned char *out, const unsigned char *a, size_t alen, const unsigned char *b,
		size_t blen)
{
	/* Row i adds a[i] * b into out[i .. i + blen], the carry ending at out[i], still 0. */
	memset(out, 0, alen + blen);
	for (size_t i = alen; i-- > 0;) {
		unsigned carry = 0;

		for (size_t j = blen; j-- > 0;) {
			unsigned v = out[i + j + 1] + (unsigned)a[i] * b[j] + carry;

			out[i + j + 1] = (unsigned char)v;
			carry = v >> 8;
		}
		out[i] = (unsigned char)carry;
	}
}

/* r^-1 mod e (e odd, r below it), 0 if there is none: a binary extended GCD of a fixed 64
 * steps, a = u r and b = v r (mod e) throughout. */
static uint32_t inv32(uint32_t r, uint32_t e)
{
	uint64_t a = r, b = e, u = 1, v = 0;

	for (int i = 0; i < 64; i++) {
		uint64_t odd = -(a & 1), sw = odd & -lt(a, b), t;

		t = (a ^ b) & sw, a ^= t, b ^= t;
		t = (u ^ v) & sw, u ^= t, v ^= t;
		a -= b & odd;
		u += (e - v) & odd;
		u -= e & -(1 ^ lt(u, e));
		a >>= 1;
		u = (u + (e & -(u & 1))) >> 1;
	}
	return b == 1 ? (uint32_t)v : 0;
}

/* e^-1 mod m (big-endian, mlen bytes) into out (mlen bytes): (1 + k m) / e with
 * k = -m^-1 mod e, below m. 0 when m and e are not coprime. */
static int inv_e(unsigned char *out, const unsigned char *m, size_t mlen, uint32_t e)
{
	unsigned char t[2 * PKI_RSA_PMAX + 4];
	uint64_t mu, r = 0, acc = 1;
	uint32_t k;

	if (mlen > 2 * PKI_RSA_PMAX || e < 3 || !(e & 1))
		return 0;
	mu = UINT64_MAX / e;
	for (size_t i = 0; i < mlen; i++)
		divq(r << 8 | m[i], e, mu, &r);
	if ((k = inv32((uint32_t)r, e)) == 0)
		return 0;
	k = e - k;
	for (size_t i = mlen; i-- > 0;) {
		acc += (uint64_t)m[i] * k;
		t[i + 4] = (unsigned char)acc;
		acc >>= 8;
	}
	for (int i = 3; i >= 0; i--, acc >>= 8)
		t[i] = (unsigned char)acc;
	r = 0;
	for (size_t i = 0; i < mlen + 4; i++)
		t[i] = (unsigned char)divq(r << 8 | t[i], e, mu, &r);
	memcpy(out, t + 4, mlen);
	explicit_bzero(t, sizeof t);
	return 1;
}

size_t pki_rsa_privexp(unsigned char *d, size_t cap, const br_rsa_private_key *sk, uint32_t e)
{
	unsigned char pm[PKI_RSA_PMAX], qm[PKI_RSA_PMAX], l[2 * PKI_RSA_PMAX];
	size_t pn = sk->plen, qn = sk->qlen, len = pn + qn;
	int ok;

	if (!pn || !qn || pn > PKI_RSA_PMAX || qn > PKI_RSA_PMAX || cap < len ||
	    !(sk->p[pn - 1] & sk->q[qn - 1] & 1))
		return 0;
	memcpy(pm, sk->p, pn);
	memcpy(qm, sk->q, qn);
	pm[pn - 1]--;
	qm[qn - 1]--;
	pki_bn_mul(l, pm, pn, qm, qn);
	half(l, l, len);
	ok = inv_e(d, l, len, e);
	explicit_bzero(pm, sizeof pm);
	explicit_bzero(qm, sizeof qm);
	explicit_bzero(l, sizeof l);
	return ok ? len : 0;
}

/* The two primes of g into a key; 0, or -1 when d is too small (FIPS 186-5: d > 2^(nlen/2),
 * which a random key misses with a chance of about 2^-(nlen/2)). */
static int assemble(struct gen *g, br_rsa_private_key *sk, unsigned char *priv,
		    br_rsa_public_key *pk, unsigned char *pub, struct worker *w)
{
	size_t n = g->plen, i;
	unsigned high = 0;
	unsigned first = bn_sub(NULL, g->prime[0], g->prime[1], n);
	unsigned char *p = priv, *q = p + n, *dp = q + n, *dq = dp + n, *iq = dq + n;
	unsigned char *d = (unsigned char *)w->v.tmp;
	uint32_t *pi = w->v.x, *qi = w->v.z, *one = w->v.t;

	/* BearSSL's CRT wants p > q */
	memcpy(p, g->prime[first], n);
	memcpy(q, g->prime[1 - first], n);
	*sk = (br_rsa_private_key){ (uint32_t)(16 * n), p, n, q, n, dp, n, dq, n, iq, n };
	memcpy(w->v.c, p, n);
	w->v.c[n - 1]--;
	if (!inv_e(dp, w->v.c, n, E))
		return -1;
	memcpy(w->v.c, q, n);
	w->v.c[n - 1]--;
	if (!inv_e(dq, w->v.c, n, E))
		return -1;
	br_i31_decode(pi, p, n);
	br_i31_decode_reduce(qi, q, n, pi);
	memset(one, 0, IWORDS * sizeof *one);
	one[0] = pi[0];
	one[1] = 1;
	if (!br_i31_moddiv(one, qi, pi, br_i31_ninv31(pi[1]), w->v.t + IWORDS))
		return -1;
	br_i31_encode(iq, n, one);
	pki_bn_mul(pub, p, n, q, n);
	pub[2 * n] = E >> 16;
	pub[2 * n + 1] = E >> 8 & 0xff;
	pub[2 * n + 2] = E & 0xff;
	*pk = (br_rsa_public_key){ pub, 2 * n, pub + 2 * n, 3 };
	if (pki_rsa_privexp(d, 2 * n, sk, E) != 2 * n)
		return -1;
	/* d >= 2^(nlen/2 + 8), a little more than FIPS asks: a byte not 0 before the last n + 1 */
	for (i = 0; i + 1 < n; i++)
		high |= d[i];
	explicit_bzero(d, 2 * n);
	return high ? 0 : -1;
}

int pki_rsa_generate(br_hmac_drbg_context *rng, unsigned threads, unsigned bits,
		     br_rsa_private_key *sk, unsigned char *priv, br_rsa_public_key *pk,
		     unsigned char *pub)
{
	struct gen *g = &gen;
	unsigned char seed[32];
	unsigned started = 0, limit = bits <= 2048 ? 1u << 17 : bits <= 3072 ? 1u << 18 : TAB_LIMIT;
	int rc = -1;

	if (bits != 2048 && bits != 3072 && bits != 4096)
		return -1;
	/* gen, workers and the table are this file's: one key at a time (a call while another
	 * runs gets no key, never a share of the other's primes) */
	if (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
		return -1;
	if (threads > dd_cpus())
		threads = dd_cpus();
	if (threads > THREADS)
		threads = THREADS;
	if (threads == 0)
		threads = 1;
	table();
	g->k = bits / 2;
	g->plen = bits / 16;
	g->rounds = bits == 2048 ? 5 : 4;	/* FIPS 186-5 Table B.1, p and q */
	for (g->np = 0; g->np < ntab && tab[g->np] < limit; g->np++)
		;
	for (int attempt = 0; attempt < 4 && rc != 0; attempt++) {
		memset(g->fl[0], 0, g->np);
		g->fl[0][tab_e] = 1;
		g->state = 0;
		for (started = 0; started < threads; started++) {
			struct worker *w = &workers[started];

			w->g = g;
			br_hmac_drbg_generate(rng, seed, sizeof seed);
			br_hmac_drbg_init(&w->rng, &br_sha256_vtable, seed, sizeof seed);
			if (started > 0 && pthread_create(&w->th, NULL, worker_main, w) != 0)
				break;
		}
		worker_main(&workers[0]);
		for (unsigned i = 1; i < started; i++)
			pthread_join(workers[i].th, NULL);
		if (g->state == 4)
			rc = assemble(g, sk, priv, pk, pub, &workers[0]);
	}
	explicit_bzero(seed, sizeof seed);
	explicit_bzero(g->prime, sizeof g->prime);
	explicit_bzero(g->fl[1], g->np);
	for (unsigned i = 0; i < THREADS; i++) {
		struct worker *w = &workers[i];

		explicit_bzero(&w->rng, sizeof w->rng);
		explicit_bzero(w->res, g->np * sizeof *w->res);
		explicit_bzero(&w->v, sizeof w->v);
	}
	if (rc != 0)	/* assemble may have put p and q there */
		explicit_bzero(priv, 5 * g->plen);
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	return rc;
}
