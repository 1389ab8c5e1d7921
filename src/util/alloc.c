/* malloc, calloc, realloc and free for the stub, in place of musl's (the musl build defines
 * DD_OWN_MALLOC; the host build keeps its C library's, which the sanitizers replace).
 *
 * Why: musl's allocator (mallocng, with its lite_malloc and realloc) is 9 KB of a stub held
 * under 400 KB, for a program that allocates little and seldom. Its buffers are its
 * callers' (static or on the stack, BearSSL style; zlib's come from archive/zarena); what
 * is left is a few dozen blocks a run: daemon.json's keys and text, the transaction's saved
 * files, /etc/group, and inside musl directory streams, getifaddrs' list and fopen's FILE.
 *
 * How: every block is a mapping of its own, with its length in front. A block costs a
 * system call and a page, nothing next to the file system work each of them goes with;
 * threads need no lock (the kernel serialises); realloc moves pages, not bytes (mremap);
 * and a freed block is unmapped, so a use after free or a double free faults rather than
 * reading or corrupting another block. */
#ifdef DD_OWN_MALLOC
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

/* The header keeps the payload aligned for any type (max_align_t is 16 bytes on x86-64
 * and aarch64). */
#define HEAD 16
#define PAGE 4096

static size_t span(size_t n)
{
	return n > SIZE_MAX - HEAD - PAGE ? 0 : (n + HEAD + PAGE - 1) & ~(size_t)(PAGE - 1);
}

void *malloc(size_t n)
{
	size_t len = span(n);
	unsigned char *p;

	if (!len)
		return errno = ENOMEM, NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return errno = ENOMEM, NULL;
	*(size_t *)p = len;
	return p + HEAD;
}

/* Fresh anonymous pages are zero: nothing to clear. */
void *calloc(size_t k, size_t n)
{
	if (n && k > SIZE_MAX / n)
		return errno = ENOMEM, NULL;
	return malloc(k * n);
}

void free(void *q)
{
	int e = errno;

	if (q) {
		unsigned char *p = (unsigned char *)q - HEAD;

		munmap(p, *(size_t *)p);
	}
	errno = e;
}

void *realloc(void *q, size_t n)
{
	unsigned char *p;
	size_t len = span(n);

	if (!q)
		return malloc(n);
	if (!len)
		return errno = ENOMEM, NULL;
	p = (unsigned char *)q - HEAD;
	p = mremap(p, *(size_t *)p, len, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		return errno = ENOMEM, NULL;
	*(size_t *)p = len;
	return p + HEAD;
}
#endif
