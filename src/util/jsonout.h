/* --json output: one JSON document written as it is built, on one line, to a stdio stream
 * or into the caller's buffer (the Azure status file: written whole by util/atomic, and
 * no fdopen, which brings 1 KB of musl's stdio into the stub).
 * Strings go through the escaper daemon.json uses (util/jsontext: dd_json_escape), so a
 * path under --root or a version a daemon reported is always valid JSON, and dockdrop has
 * one JSON stack. The state is the caller's and fixed in size: no allocation.
 *
 *	struct dd_jw w;
 *	dd_jw_init(&w, stdout);
 *	dd_jw_object(&w, NULL);
 *	dd_jw_str(&w, "name", name);
 *	dd_jw_array(&w, "list"); dd_jw_int(&w, NULL, 1); dd_jw_close(&w);
 *	dd_jw_close(&w);
 *	if (dd_jw_end(&w) != 0) ...
 *
 * key names the member inside an object; it is NULL for an array's elements and the top
 * value. A misuse (a key where none belongs or none where one does, a close too many, more
 * than DD_JW_MAXDEPTH levels) writes nothing more and makes dd_jw_end fail. */
#ifndef DD_JSONOUT_H
#define DD_JSONOUT_H

#include <stdio.h>

#define DD_JW_MAXDEPTH 16

struct dd_jw {
	FILE *f;		/* NULL: into buf */
	char *buf;
	size_t cap, len;	/* buf's size; the document's length so far (past cap: too long) */
	unsigned depth;		/* open objects and arrays */
	unsigned array;		/* bit d: the container at depth d + 1 is an array */
	unsigned more;		/* bit d: it has a member already (a comma comes first) */
	int top;		/* the top value is written */
	int bad;
};

void dd_jw_init(struct dd_jw *w, FILE *f);
/* Into buf (cap bytes, not terminated): dd_jw_end fails when the document does not fit,
 * else w->len is its length, the newline included. */
void dd_jw_init_buf(struct dd_jw *w, char *buf, size_t cap);
void dd_jw_object(struct dd_jw *w, const char *key);
void dd_jw_array(struct dd_jw *w, const char *key);
/* Close the innermost object or array. */
void dd_jw_close(struct dd_jw *w);
/* s is a C string; dd_jw_strn takes n bytes (NUL bytes written as \u0000). */
void dd_jw_str(struct dd_jw *w, const char *key, const char *s);
void dd_jw_strn(struct dd_jw *w, const char *key, const char *s, size_t n);
void dd_jw_bool(struct dd_jw *w, const char *key, int v);
void dd_jw_int(struct dd_jw *w, const char *key, long long v);
/* End the document: a newline, then flush. 0, or -1 when it is not one whole value (a
 * misuse, something left open) or the stream failed. */
int dd_jw_end(struct dd_jw *w);

#endif
