/* Running a helper program (the engine's docker CLI, a CLI plugin, an init tool) as a
 * child with an explicit environment, a bounded time and its output captured: never the
 * caller's environment (it may hold secrets), never a shell. */
#ifndef DD_RUN_H
#define DD_RUN_H

#include <stddef.h>

/* Which of the child's streams go into out; the other goes to /dev/null. */
#define DD_RUN_STDOUT 1
#define DD_RUN_STDERR 2

/* Run argv (argv[0] a path) with envp and stdin from /dev/null, killed after timeout_s
 * seconds, ended (SIGTERM) when the caller dies whatever killed it; the last bytes of the
 * streams chosen (DD_RUN_STDOUT|DD_RUN_STDERR) into out (NUL-terminated; out may be NULL).
 * Its exit status, or -1 when it could not run, was killed by a signal or timed out. */
int dd_run(const char *const *argv, const char *const *envp, int streams, int timeout_s,
	   char *out, size_t cap);
/* The last non-empty line of s (trailing newlines cut off in place). */
const char *dd_run_last_line(char *s);

#endif
