/* A tiny unit-test harness: each TEST is reported as one "ok - NAME" or "not ok - NAME"
 * line for tests/run.sh to count; a failed CHECK prints a "# file:line: ..." diagnostic and
 * lets the test go on. Tables of cases are the preferred form (STYLE.md point 8). */
#ifndef DD_T_H
#define DD_T_H

#include <errno.h>
#include <fcntl.h>
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

/* Under qemu-user (tests/run.sh sets DD_EMU for the arm64 build's tests), a skip for what
 * qemu does not emulate starts its reason with T_EMU_WHY: run.sh keeps such a skip a skip
 * under DD_CI=1. */
#define T_EMU (getenv("DD_EMU") && *getenv("DD_EMU"))
#define T_EMU_WHY "qemu-user: "

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

/* In a TEST: make a scratch directory in the array buf, or fail the test and return. */
#define T_TMPDIR(buf)                                                \
	do {                                                         \
		if (!t_tmpdir(buf, sizeof buf)) {                    \
			CHECKF(0, "mkdtemp failed: errno %d", errno); \
			return;                                      \
		}                                                    \
	} while (0)

static inline void t_rmtree(const char *dir)
{
	nftw(dir, t_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Run fn with stdout and stderr going to files; their contents come back in out/err. */
static inline int t_capture(void (*fn)(void), char *out, size_t outsz, char *err, size_t errsz)
{
	char tmp[256], po[300], pe[300];
	int fo, fe, so, se, rc = 0;
	ssize_t n;

	if (!t_tmpdir(tmp, sizeof tmp))
		return -1;
	snprintf(po, sizeof po, "%s/out", tmp);
	snprintf(pe, sizeof pe, "%s/err", tmp);
	fo = open(po, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	fe = open(pe, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	if (fo < 0 || fe < 0 || so < 0 || se < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0) {
		rc = -1;
	} else {
		fn();
		fflush(stdout);
		fflush(stderr);
	}
	if (so >= 0)
		dup2(so, 1);
	if (se >= 0)
		dup2(se, 2);
	if (so >= 0)
		close(so);
	if (se >= 0)
		close(se);
	n = fo >= 0 ? pread(fo, out, outsz - 1, 0) : -1;
	out[n > 0 ? n : 0] = 0;
	n = fe >= 0 ? pread(fe, err, errsz - 1, 0) : -1;
	err[n > 0 ? n : 0] = 0;
	if (fo >= 0)
		close(fo);
	if (fe >= 0)
		close(fe);
	t_rmtree(tmp);
	return rc;
}

#define T_EXIT() return t_any_failed

#endif
