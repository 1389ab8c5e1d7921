/* util/jsonout: documents written by the --json writer, as known answers (nesting, commas,
 * keys, numbers, strings through the shared escaper), each also read back by the strict
 * checker; misuse and a failing stream make dd_jw_end fail. */
#include <limits.h>

#include "t.h"

#include "util/jsonout.h"
#include "util/jsontext.h"

/* One document per row: a tiny program over the writer. Ops: '{' '[' open (with the key
 * when in an object), '}' close the innermost, 's' string, 'b' true, 'f' false, 'i' the
 * number. */
struct op {
	char op;
	const char *key, *s;
	long long i;
};

#define OPEN(c, k) { c, k, NULL, 0 }
#define CLOSE { '}', NULL, NULL, 0 }
#define STR(k, v) { 's', k, v, 0 }
#define TRUE(k) { 'b', k, NULL, 0 }
#define FALSE(k) { 'f', k, NULL, 0 }
#define INT(k, n) { 'i', k, NULL, n }
#define END { 0, NULL, NULL, 0 }

static const struct {
	struct op ops[16];
	const char *out;	/* NULL: dd_jw_end must fail */
} docs[] = {
	{ { OPEN('{', NULL), CLOSE, END }, "{}" },
	{ { OPEN('[', NULL), CLOSE, END }, "[]" },
	{ { STR(NULL, "top"), END }, "\"top\"" },
	{ { INT(NULL, -7), END }, "-7" },
	{ { OPEN('{', NULL), STR("a", "x"), TRUE("t"), FALSE("f"), INT("n", 2376), CLOSE, END },
	  "{\"a\":\"x\",\"t\":true,\"f\":false,\"n\":2376}" },
	{ { OPEN('[', NULL), INT(NULL, 0), INT(NULL, LLONG_MIN), INT(NULL, LLONG_MAX), CLOSE, END },
	  "[0,-9223372036854775808,9223372036854775807]" },
	/* status --json's shape */
	{ { OPEN('{', NULL), OPEN('{', "engine"), STR("v", "1"), CLOSE, OPEN('[', "prev"), CLOSE,
	    OPEN('[', "l"), OPEN('{', NULL), CLOSE, OPEN('{', NULL), CLOSE, CLOSE, CLOSE, END },
	  "{\"engine\":{\"v\":\"1\"},\"prev\":[],\"l\":[{},{}]}" },
	{ { OPEN('[', NULL), OPEN('[', NULL), OPEN('[', NULL), CLOSE, OPEN('{', NULL), CLOSE, CLOSE,
	    STR(NULL, ""), CLOSE, END },
	  "[[[],{}],\"\"]" },
	{ { OPEN('{', NULL), STR("k\"ey", "a \"quoted\" \\ root\n\xff"), CLOSE, END },
	  "{\"k\\\"ey\":\"a \\\"quoted\\\" \\\\ root\\u000a\\ufffd\"}" },
	/* misuse: left open, a key in an array, no key in an object, a key at the top, two top
	 * values, a close too many, nothing written */
	{ { OPEN('{', NULL), OPEN('{', "engine"), CLOSE, END }, NULL },
	{ { OPEN('[', NULL), STR("k", "v"), CLOSE, END }, NULL },
	{ { OPEN('{', NULL), STR(NULL, "v"), CLOSE, END }, NULL },
	{ { OPEN('{', NULL), OPEN('[', NULL), CLOSE, CLOSE, END }, NULL },
	{ { STR("k", "v"), END }, NULL },
	{ { INT(NULL, 1), INT(NULL, 2), END }, NULL },
	{ { OPEN('{', NULL), CLOSE, CLOSE, END }, NULL },
	{ { TRUE(NULL), CLOSE, END }, NULL },
	{ { END }, NULL },
};

static void play(struct dd_jw *w, const struct op *o)
{
	for (; o->op; o++) {
		switch (o->op) {
		case '{': dd_jw_object(w, o->key); break;
		case '[': dd_jw_array(w, o->key); break;
		case '}': dd_jw_close(w); break;
		case 's': dd_jw_str(w, o->key, o->s); break;
		case 'b': dd_jw_bool(w, o->key, 1); break;
		case 'f': dd_jw_bool(w, o->key, 0); break;
		case 'i': dd_jw_int(w, o->key, o->i); break;
		}
	}
}

TEST(documents)
{
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct dd_jw w;
		int rc;

		if (!f) {
			CHECKF(0, "open_memstream: errno %d", errno);
			return;
		}
		dd_jw_init(&w, f);
		play(&w, docs[i].ops);
		rc = dd_jw_end(&w);
		fclose(f);
		if (!docs[i].out) {
			CHECKF(rc == -1, "row %zu: accepted: %s", i, buf);
		} else {
			CHECKF(rc == 0 && len == strlen(docs[i].out) + 1 && buf[len - 1] == '\n' &&
			       memcmp(buf, docs[i].out, len - 1) == 0, "row %zu: rc %d, got %s", i, rc, buf);
			CHECKF(dd_json_check(buf, len, 64, NULL) == 0, "row %zu: not strict JSON", i);
		}
		free(buf);
	}
}

/* dd_jw_strn writes every byte, NUL ones too. */
TEST(strn)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct dd_jw w;

	if (!f)
		return;
	dd_jw_init(&w, f);
	dd_jw_strn(&w, NULL, "a\0b", 3);
	CHECK(dd_jw_end(&w) == 0);
	fclose(f);
	CHECKF(strcmp(buf, "\"a\\u0000b\"\n") == 0, "got %s", buf);
	free(buf);
}

/* DD_JW_MAXDEPTH levels fit; one more is a misuse. */
TEST(depth)
{
	for (unsigned d = DD_JW_MAXDEPTH; d <= DD_JW_MAXDEPTH + 1; d++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct dd_jw w;
		int rc;

		if (!f)
			return;
		dd_jw_init(&w, f);
		for (unsigned i = 0; i < d; i++)
			dd_jw_array(&w, NULL);
		for (unsigned i = 0; i < d; i++)
			dd_jw_close(&w);
		rc = dd_jw_end(&w);
		fclose(f);
		CHECKF(rc == (d <= DD_JW_MAXDEPTH ? 0 : -1), "depth %u: rc %d", d, rc);
		if (rc == 0)
			CHECK(len == 2 * d + 1 && dd_json_check(buf, len, d, NULL) == 0);
		free(buf);
	}
}

/* Into a buffer: the same bytes as through a stream; a buffer one byte short of the
 * document fails, and nothing is written past its end. */
TEST(buffer)
{
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		size_t want = docs[i].out ? strlen(docs[i].out) + 1 : 0;
		char buf[256];

		for (size_t cap = want ? want - 1 : 0; cap <= want + 1; cap++) {
			struct dd_jw w;
			int rc;

			memset(buf, '#', sizeof buf);
			dd_jw_init_buf(&w, buf, cap);
			play(&w, docs[i].ops);
			rc = dd_jw_end(&w);
			CHECKF(buf[cap] == '#', "row %zu, cap %zu: written past the end", i, cap);
			if (!docs[i].out || cap < want) {
				CHECKF(rc == -1, "row %zu, cap %zu: accepted", i, cap);
				continue;
			}
			CHECKF(rc == 0 && w.len == want && buf[want - 1] == '\n' &&
			       memcmp(buf, docs[i].out, want - 1) == 0, "row %zu, cap %zu: rc %d, got %.*s",
			       i, cap, rc, (int)w.len, buf);
		}
	}
}

/* A stream that cannot be written: dd_jw_end says so. */
TEST(stream_failure)
{
	FILE *f = fopen("/dev/full", "w");
	struct dd_jw w;

	if (!f) {
		printf("# /dev/full: errno %d\n", errno);
		return;
	}
	dd_jw_init(&w, f);
	dd_jw_object(&w, NULL);
	dd_jw_str(&w, "k", "v");
	dd_jw_close(&w);
	CHECK(dd_jw_end(&w) == -1);
	fclose(f);
}

int main(void)
{
	RUN(documents);
	RUN(strn);
	RUN(depth);
	RUN(stream_failure);
	RUN(buffer);
	T_EXIT();
}
