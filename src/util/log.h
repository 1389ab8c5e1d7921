/* One convention for output: errors and warnings are one line on stderr, prefixed
 * "dockdrop: "; step lines go to stdout unless --quiet; debug lines need -v; a progress
 * line is drawn only when stderr is a terminal. Control characters in a message (a file
 * name from a hostile archive, say) are escaped, so an error is always exactly one line.
 *
 * One convention for errors, in every module (README "Hacking"):
 * - a function that does a job for a caller returns 0 or an exit code below (never -1),
 *   with one line in the caller's err buffer: `return dd_say(err, errsz, DD_EXIT_FAIL,
 *   "%s: %m", path);` (what failed, on what, what to do). %m is strerror(errno) as it was
 *   when the call was made (util/fmt.c reads errno first): one argument less at each of
 *   the hundred-odd calls (1.5 KB of the stub);
 * - helpers as small as a system call (util/, host/txn.h) return 0 or -1 with errno;
 * - the line is printed once, by whoever runs the command, with dd_fail
 *   ("dockdrop: CMD: line") or dd_err; a warning (dd_warn) never changes the exit code. */
#ifndef DD_LOG_H
#define DD_LOG_H

enum { DD_EXIT_OK = 0, DD_EXIT_FAIL = 1, DD_EXIT_USAGE = 2, DD_EXIT_VERIFY = 3 };
enum { DD_QUIET = 0, DD_NORMAL = 1, DD_VERBOSE = 2 };

#define DD_PRINTF(a, b) __attribute__((format(printf, a, b)))

void dd_log_init(void);
void dd_log_set_verbosity(int level);
int dd_log_verbosity(void);
/* Force the terminal check (tests): 1 tty, 0 not. */
void dd_log_set_tty(int tty);

void dd_err(const char *fmt, ...) DD_PRINTF(1, 2);
/* dd_err() then return rc: `return dd_fail(DD_EXIT_USAGE, "...")`. */
int dd_fail(int rc, const char *fmt, ...) DD_PRINTF(2, 3);
void dd_warn(const char *fmt, ...) DD_PRINTF(1, 2);
/* For modules that report to their caller: format one line into err, return rc. */
int dd_say(char *err, unsigned long errsz, int rc, const char *fmt, ...) DD_PRINTF(4, 5);
/* The last error line printed (without "dockdrop: "), "" when none: for a caller that
 * reports it elsewhere too (the Azure handler's status file). */
const char *dd_log_last_error(void);
void dd_info(const char *fmt, ...) DD_PRINTF(1, 2);
void dd_debug(const char *fmt, ...) DD_PRINTF(1, 2);
/* A progress line, redrawn in place on a terminal (stderr), and nothing at all elsewhere:
 * a log file or a pipe gets the one-line steps only. The next line of any kind, or
 * dd_progress_end, clears it. */
void dd_progress(const char *fmt, ...) DD_PRINTF(1, 2);
/* "WHAT: 12.3 of 70.1 MB (17%)", drawn only when the percentage moves; may be called from
 * any one thread at a time. */
void dd_progress_bytes(const char *what, unsigned long long done, unsigned long long total);
void dd_progress_end(void);

/* Escape control bytes of s into out (always terminated, "..." when cut). */
void dd_log_escape(char *out, unsigned long outsz, const char *s);

#endif
