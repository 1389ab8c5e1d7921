#include "util/jsonout.h"

#include <string.h>

#include "util/jsontext.h"

void dd_jw_init(struct dd_jw *w, FILE *f)
{
	memset(w, 0, sizeof *w);
	w->f = f;
}

void dd_jw_init_buf(struct dd_jw *w, char *buf, size_t cap)
{
	memset(w, 0, sizeof *w);
	w->buf = buf;
	w->cap = cap;
}

static void put(void *ctx, const char *p, size_t n)
{
	struct dd_jw *w = ctx;

	if (w->f)
		fwrite(p, 1, n, w->f);
	else if (w->len + n <= w->cap)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

/* One character, through fwrite as the rest: musl's putc is another 0.5 KB of the stub. */
static void ch(struct dd_jw *w, char c)
{
	put(w, &c, 1);
}

static void quoted(struct dd_jw *w, const char *s, size_t n)
{
	ch(w, '"');
	dd_json_escape(s, n, put, w);
	ch(w, '"');
}

/* Start a value: the comma and key its place needs. 0, or -1 (and bad) on a misuse. */
static int begin(struct dd_jw *w, const char *key)
{
	unsigned bit = w->depth ? 1u << (w->depth - 1) : 0;
	int in_object = w->depth && !(w->array & bit);

	if (w->bad || (w->depth == 0 && w->top) || !key != !in_object) {
		w->bad = 1;
		return -1;
	}
	if (w->more & bit)
		ch(w, ',');
	w->more |= bit;
	if (key) {
		quoted(w, key, strlen(key));
		ch(w, ':');
	}
	if (w->depth == 0)
		w->top = 1;
	return 0;
}

static void start(struct dd_jw *w, const char *key, int array)
{
	if (w->depth == DD_JW_MAXDEPTH)
		w->bad = 1;
	if (begin(w, key) < 0)
		return;
	w->depth++;
	w->array = array ? w->array | 1u << (w->depth - 1) : w->array & ~(1u << (w->depth - 1));
	w->more &= ~(1u << (w->depth - 1));
	ch(w, array ? '[' : '{');
}

void dd_jw_object(struct dd_jw *w, const char *key)
{
	start(w, key, 0);
}

void dd_jw_array(struct dd_jw *w, const char *key)
{
	start(w, key, 1);
}

void dd_jw_close(struct dd_jw *w)
{
	if (w->bad || w->depth == 0) {
		w->bad = 1;
		return;
	}
	w->depth--;
	ch(w, w->array & 1u << w->depth ? ']' : '}');
}

void dd_jw_strn(struct dd_jw *w, const char *key, const char *s, size_t n)
{
	if (begin(w, key) == 0)
		quoted(w, s, n);
}

void dd_jw_str(struct dd_jw *w, const char *key, const char *s)
{
	dd_jw_strn(w, key, s, strlen(s));
}

void dd_jw_bool(struct dd_jw *w, const char *key, int v)
{
	if (begin(w, key) == 0)
		put(w, v ? "true" : "false", v ? 4 : 5);
}

void dd_jw_int(struct dd_jw *w, const char *key, long long v)
{
	char t[24];

	if (begin(w, key) == 0)
		put(w, t, (size_t)snprintf(t, sizeof t, "%lld", v));
}

int dd_jw_end(struct dd_jw *w)
{
	if (w->bad || w->depth || !w->top)
		return -1;
	ch(w, '\n');
	if (!w->f)
		return w->len <= w->cap ? 0 : -1;
	return fflush(w->f) == 0 && !ferror(w->f) ? 0 : -1;
}
