/* util/alloc (the stub's malloc: a mapping per block). Built as the stub is, with musl and
 * DD_OWN_MALLOC and no sanitizers (they bring their own malloc): see the Makefile's rule.
 * That the blocks are ours; alignment; realloc keeps the bytes, growing and shrinking;
 * calloc's zeros and its overflow; sizes no mapping can hold; free(NULL) and errno; a
 * write after free faults; threads allocating at once. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

#include "t.h"

#define PAGE 4096

/* The header before each block holds its mapping's length, the mapping starts on a page. */
static int ours(const void *p)
{
	const unsigned char *h = (const unsigned char *)p - 16;

	return ((uintptr_t)h & (PAGE - 1)) == 0 && *(const size_t *)h % PAGE == 0;
}

TEST(blocks_are_ours)
{
	static const size_t sizes[] = { 0, 1, 15, 16, PAGE - 17, PAGE - 16, PAGE, 100000 };

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		unsigned char *p = malloc(sizes[i]);

		CHECKF(p && ours(p), "malloc(%zu)", sizes[i]);
		CHECKF(p && ((uintptr_t)p & 15) == 0, "malloc(%zu) aligned", sizes[i]);
		CHECKF(p && *(size_t *)(p - 16) >= sizes[i] + 16, "malloc(%zu) room", sizes[i]);
		if (p && sizes[i])
			p[sizes[i] - 1] = 1;
		free(p);
	}
}

TEST(realloc_keeps_bytes)
{
	unsigned char *p = realloc(NULL, 10), *q;
	int same = 1;

	CHECK(p && ours(p));
	if (!p)
		return;
	memcpy(p, "0123456789", 10);
	q = realloc(p, 3 * 1024 * 1024);
	CHECK(q && memcmp(q, "0123456789", 10) == 0);
	if (!q) {
		free(p);
		return;
	}
	for (size_t i = 10; i < 3 * 1024 * 1024; i++)
		q[i] = (unsigned char)i;
	p = realloc(q, 5000);
	CHECK(p && memcmp(p, "0123456789", 10) == 0);
	for (size_t i = 10; p && i < 5000; i++)
		same &= p[i] == (unsigned char)i;
	CHECK(same);
	free(p ? p : q);
}

TEST(calloc_zero_and_overflow)
{
	unsigned char *p = calloc(1000, 7);
	int zero = 1;

	CHECK(p != NULL);
	for (size_t i = 0; p && i < 7000; i++)
		zero &= p[i] == 0;
	CHECK(zero);
	free(p);
	errno = 0;
	CHECK(calloc(SIZE_MAX / 2, 3) == NULL && errno == ENOMEM);
}

/* volatile: the compiler must not judge these sizes itself. */
static volatile size_t huge[] = { SIZE_MAX, SIZE_MAX - 20, SIZE_MAX - 4000 };

TEST(too_big)
{
	unsigned char *p = malloc(8);

	errno = 0;
	CHECK(malloc(huge[0]) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(malloc(huge[1]) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(p && realloc(p, huge[2]) == NULL && errno == ENOMEM);
	if (p) {
		memcpy(p, "kept", 5);	/* the old block stays the caller's */
		CHECK(memcmp(p, "kept", 5) == 0);
	}
	free(p);
}

TEST(free_null_and_errno)
{
	void *p = malloc(100);

	errno = EILSEQ;
	free(NULL);
	free(p);
	CHECK(errno == EILSEQ);
}

/* A freed block is gone from the address space: a write to it kills the writer. */
TEST(write_after_free_faults)
{
	volatile unsigned char *p = malloc(64);
	pid_t pid;
	int st = 0;

	CHECK(p != NULL);
	free((void *)p);
	pid = fork();
	if (pid == 0) {
		p[0] = 1;
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status %#x", st);
}

static void *churn(void *arg)
{
	uintptr_t bad = 0;

	for (unsigned i = 0; i < 2000; i++) {
		unsigned char *p = malloc(1 + i % 300);

		if (!p)
			return (void *)1;
		memset(p, (int)(uintptr_t)arg, 1 + i % 300);
		p = realloc(p, 5000);
		bad |= !p || p[i % 300] != (unsigned char)(uintptr_t)arg;
		free(p);
	}
	return (void *)bad;
}

TEST(threads)
{
	pthread_t t[4];
	void *r;
	int bad = 0;

	for (uintptr_t i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, churn, (void *)(i + 1)) == 0);
	for (int i = 0; i < 4; i++)
		bad |= pthread_join(t[i], &r) != 0 || r != NULL;
	CHECK(!bad);
}

int main(void)
{
	RUN(blocks_are_ours);
	RUN(realloc_keeps_bytes);
	RUN(calloc_zero_and_overflow);
	RUN(too_big);
	RUN(free_null_and_errno);
	RUN(write_after_free_faults);
	RUN(threads);
	return t_any_failed;
}
