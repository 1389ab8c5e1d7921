/* A tiny unit-test harness: each TEST is reported as one "ok - NAME" or "not ok - NAME"
 * line for tests/run.sh to count; a failed CHECK prints a "# file:line: ..." diagnostic and
 * lets the test go on. Tables of cases are the preferred form (STYLE.md point 8). */
#ifndef DD_T_H
#define DD_T_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int t_failed;
static int t_any_failed;

#define CHECK(cond)                                                                      \
	do {                                                                             \
		if (!(cond)) {                                                           \
			printf("# %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			t_failed = 1;                                                    \
		}                                                                        \
	} while (0)

/* CHECK with a printf-style note (a table row's name, say). */
#define CHECKF(cond, ...)                                                              \
	do {                                                                           \
		if (!(cond)) {                                                         \
			printf("# %s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);                                           \
			printf("\n");                                                  \
			t_failed = 1;                                                  \
		}                                                                      \
	} while (0)

#define TEST(fn) static void fn(void)

static inline void t_run(const char *name, void (*fn)(void))
{
	t_failed = 0;
	fn();
	printf("%s - %s\n", t_failed ? "not ok" : "ok", name);
	fflush(stdout);
	t_any_failed |= t_failed;
}
#define RUN(fn) t_run(#fn, fn)

static inline int t_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

/* A fresh directory under $TMPDIR (or /tmp); t_rmtree removes it and all below. */
static inline char *t_tmpdir(char *buf, size_t n)
{
	const char *base = getenv("TMPDIR");

	snprintf(buf, n, "%s/dd-unit-XXXXXX", base && *base ? base : "/tmp");
	return mkdtemp(buf);
}

static inline void t_rmtree(const char *dir)
{
	nftw(dir, t_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#define T_EXIT() return t_any_failed

#endif
