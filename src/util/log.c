#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LINE_MAX_BYTES 1024

static int verbosity = DD_NORMAL;
static int on_tty;
/* Progress can be drawn by a worker thread (the unpack's hasher) while the main thread
 * logs: the two flags are atomic, and stdio locks each line. */
static atomic_int progress_shown;
static atomic_int progress_pct = -1;

void dd_log_init(void)
{
	on_tty = isatty(STDERR_FILENO);
}

void dd_log_set_verbosity(int level)
{
	verbosity = level;
}

int dd_log_verbosity(void)
{
	return verbosity;
}

void dd_log_set_tty(int tty)
{
	on_tty = tty;
}

void dd_log_escape(char *out, unsigned long outsz, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long o = 0, cut = 0; /* cut: where "..." goes if the rest does not fit */

	if (outsz < 8) {
		if (outsz)
			out[0] = 0;
		return;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		unsigned long need = (c < 0x20 || c == 0x7f) ? 4 : 1;

		if (o + need + 1 > outsz) {
			memcpy(out + cut, "...", 4);
			return;
		}
		if (need == 4) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
		if (o + 4 <= outsz)
			cut = o;
	}
	out[o] = 0;
}

/* Format into raw (marking a cut with "...") and escape into out. */
static void format_line(char *out, size_t outsz, const char *fmt, va_list ap)
{
	char raw[LINE_MAX_BYTES];
	int n = vsnprintf(raw, sizeof raw, fmt, ap);

	if (n >= (int)sizeof raw)
		memcpy(raw + sizeof raw - 4, "...", 4);
	dd_log_escape(out, outsz, raw);
}

static void clear_progress(void)
{
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		progress_shown = 0;
	}
}

static char last[LINE_MAX_BYTES];	/* the last error line, for dd_log_last_error */

static void emit(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	char esc[LINE_MAX_BYTES];

	format_line(esc, sizeof esc, fmt, ap);
	if (strcmp(prefix, "dockdrop: ") == 0)	/* an error, not a warning or a debug line */
		memcpy(last, esc, sizeof last);
	clear_progress();
	fflush(stdout);
	fprintf(f, "%s%s\n", prefix, esc);
	fflush(f);
}

const char *dd_log_last_error(void)
{
	return last;
}

void dd_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stderr, "dockdrop: ", fmt, ap);
	va_end(ap);
}

int dd_fail(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stderr, "dockdrop: ", fmt, ap);
	va_end(ap);
	return rc;
}

void dd_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stderr, "dockdrop: warning: ", fmt, ap);
	va_end(ap);
}

void dd_info(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < DD_NORMAL)
		return;
	va_start(ap, fmt);
	emit(stdout, "", fmt, ap);
	va_end(ap);
}

void dd_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < DD_VERBOSE)
		return;
	va_start(ap, fmt);
	emit(stderr, "dockdrop: debug: ", fmt, ap);
	va_end(ap);
}

void dd_progress(const char *fmt, ...)
{
	char esc[LINE_MAX_BYTES];
	va_list ap;

	if (!on_tty || verbosity < DD_NORMAL)
		return;
	va_start(ap, fmt);
	format_line(esc, sizeof esc, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\r%s\033[K", esc);
	fflush(stderr);
	progress_shown = 1;
}

void dd_progress_bytes(const char *what, unsigned long long done, unsigned long long total)
{
	int pct = total ? (int)(done * 100 / total) : 100;

	if (pct > 100)
		pct = 100;
	if (!on_tty || verbosity < DD_NORMAL || atomic_exchange(&progress_pct, pct) == pct)
		return;
	dd_progress("%s: %llu.%llu of %llu.%llu MB (%d%%)", what, done / 1000000, done / 100000 % 10,
		    total / 1000000, total / 100000 % 10, pct);
}

void dd_progress_end(void)
{
	clear_progress();
	atomic_store(&progress_pct, -1);
	fflush(stderr);
}

int dd_say(char *err, unsigned long errsz, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return rc;
}
