/* util/jsontext: the strict checker (accepted texts, refused ones with their reason and
 * offset), the walkers and member lookup, string decoding, the one string escaper and the
 * lexeme-keeping re-indenter. */
#include "t.h"

#include "util/jsontext.h"

/* why NULL: accepted. The text is n bytes when n is set (for NUL bytes), else strlen. */
static const struct {
	const char *text;
	size_t n;
	const char *why;
	size_t off;
} checks[] = {
	{ "{}", 0, NULL, 0 },
	{ " \t\r\n[]\n", 0, NULL, 0 },
	{ "0", 0, NULL, 0 },
	{ "-0", 0, NULL, 0 },
	{ "-12.5e+10", 0, NULL, 0 },
	{ "1E-2", 0, NULL, 0 },
	{ "12345678901234567890123", 0, NULL, 0 },
	{ "true", 0, NULL, 0 },
	{ "null", 0, NULL, 0 },
	{ "\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"", 0, NULL, 0 },
	{ "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", 0, NULL, 0 }, /* é € 😀 raw */
	{ "{\"a\":[1,{\"b\":null}],\"c\":\"\"}", 0, NULL, 0 },
	{ "{\"a\":1,\"A\":2}", 0, NULL, 0 },		/* keys are case-sensitive */
	{ "[{\"a\":1},{\"a\":2}]", 0, NULL, 0 },	/* same key, different objects */
	{ "", 0, "expected a value", 0 },
	{ "   ", 0, "expected a value", 3 },
	{ "+1", 0, "unexpected character", 0 },
	{ "01", 0, "text after the value", 1 },
	{ ".5", 0, "unexpected character", 0 },
	{ "1.", 0, "invalid number", 2 },
	{ "1e", 0, "invalid number", 2 },
	{ "1e+", 0, "invalid number", 3 },
	{ "-", 0, "invalid number", 1 },
	{ "-a", 0, "invalid number", 1 },
	{ "NaN", 0, "unexpected character", 0 },
	{ "Infinity", 0, "unexpected character", 0 },
	{ "tru", 0, "unexpected character", 0 },
	{ "nul", 0, "unexpected character", 0 },
	{ "\x01{}", 0, "unexpected character", 0 },
	{ "{}\x01", 0, "text after the value", 2 },
	{ "\xef\xbb\xbf{}", 0, "unexpected character", 0 },
	{ "{}\0", 3, "text after the value", 2 },
	{ "{\"a\":1,}", 0, "expected a key", 7 },
	{ "[1,]", 0, "unexpected character", 3 },
	{ "{\"a\" 1}", 0, "expected ':'", 5 },
	{ "{\"a\":1 \"b\":2}", 0, "expected ',' or the end of the object or array", 7 },
	{ "{1:2}", 0, "expected a key", 1 },
	{ "{\"a\":1", 0, "unterminated object or array", 6 },
	{ "[", 0, "expected a value", 1 },
	{ "[1", 0, "unterminated object or array", 2 },
	{ "{\"a\":1}{}", 0, "text after the value", 7 },
	{ "\"abc", 0, "unterminated string", 0 },
	{ "\"a\\", 0, "unterminated string", 0 },
	{ "\"\t\"", 0, "control character in a string", 1 },
	{ "\"a\0b\"", 5, "control character in a string", 2 },
	{ "\"\\x\"", 0, "invalid escape in a string", 1 },
	{ "\"\\u12\"", 0, "invalid \\u escape in a string", 1 },
	{ "\"\\u12g4\"", 0, "invalid \\u escape in a string", 1 },
	{ "\"\\ud800\"", 0, "lone surrogate in a string", 1 },
	{ "\"\\udc00\"", 0, "lone surrogate in a string", 1 },
	{ "\"\\ud800\\u0041\"", 0, "lone surrogate in a string", 1 },
	{ "\"\\ud800\\ud800\"", 0, "lone surrogate in a string", 1 },
	{ "\"\xc0\x80\"", 0, "invalid UTF-8 in a string", 1 },		/* overlong NUL */
	{ "\"\xe0\x80\xaf\"", 0, "invalid UTF-8 in a string", 1 },	/* overlong '/' */
	{ "\"\xed\xa0\x80\"", 0, "invalid UTF-8 in a string", 1 },	/* encoded surrogate */
	{ "\"\xf4\x90\x80\x80\"", 0, "invalid UTF-8 in a string", 1 }, /* above U+10FFFF */
	{ "\"\xc3\"", 0, "invalid UTF-8 in a string", 1 },		/* cut sequence */
	{ "\"\x80\"", 0, "invalid UTF-8 in a string", 1 },
	{ "\"\xff\"", 0, "invalid UTF-8 in a string", 1 },
	{ "{\"a\":1,\"a\":2}", 0, "repeated key in an object", 0 },
	{ "{\"a\":1,\"\\u0061\":2}", 0, "repeated key in an object", 0 },
	{ "{\"x\":{\"b\":1,\"c\":{},\"b\":2}}", 0, "repeated key in an object", 5 },
	{ "{\"\":1,\"\":2}", 0, "repeated key in an object", 0 },
};

TEST(check_table)
{
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		size_t n = checks[i].n ? checks[i].n : strlen(checks[i].text);
		struct dd_json_err e;
		int rc = dd_json_check(checks[i].text, n, 64, &e);

		if (!checks[i].why) {
			CHECKF(rc == 0, "row %zu (%s): refused: %s at %zu", i, checks[i].text, e.why,
			       e.off);
			continue;
		}
		CHECKF(rc == -1 && e.why && strcmp(e.why, checks[i].why) == 0 && e.off == checks[i].off,
		       "row %zu (%s): rc %d, %s at %zu (want %s at %zu)", i, checks[i].text, rc,
		       e.why ? e.why : "-", e.off, checks[i].why, checks[i].off);
	}
}

/* Depth: a top-level object is 1; maxdepth containers are fine, one more is not. */
TEST(depth_bound)
{
	static const unsigned depths[] = { 1, 2, 63, 64, 65, 500 };
	char buf[2048];

	for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++) {
		unsigned d = depths[i];
		struct dd_json_err e;

		memset(buf, '[', d);
		memset(buf + d, ']', d);
		CHECKF((dd_json_check(buf, 2 * d, 64, &e) == 0) == (d <= 64), "depth %u", d);
		if (d > 64)
			CHECKF(strcmp(e.why, "nested too deep") == 0 && e.off == 64, "depth %u: %s at %zu",
			       d, e.why, e.off);
	}
	CHECK(dd_json_check("{\"a\":{\"b\":[1]}}", 15, 3, NULL) == 0);
	CHECK(dd_json_check("{\"a\":{\"b\":[1]}}", 15, 2, NULL) == -1);
	CHECK(dd_json_check("1", 1, 0, NULL) == 0);
	CHECK(dd_json_check("[]", 2, 0, NULL) == -1);
}

/* Re-indentation: only whitespace changes, lexemes are copied. */
static const struct {
	const char *in, *out;
} pretty[] = {
	{ "{}", "{}" },
	{ " [ ] ", "[]" },
	{ "{ \"a\" :[1 , 2],\"b\":{ },\"c\":[\n]}",
	  "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": []\n}" },
	{ "[{\"x\":{\"y\":null}}]", "[\n  {\n    \"x\": {\n      \"y\": null\n    }\n  }\n]" },
	{ "12345678901234567890", "12345678901234567890" },
	{ "[1E+2,-0.0e-0,1.50]", "[\n  1E+2,\n  -0.0e-0,\n  1.50\n]" },
	{ "{\"\\u0068osts\":\"a\\/b\\u00e9 ]}\"}", "{\n  \"\\u0068osts\": \"a\\/b\\u00e9 ]}\"\n}" },
	{ "\"[{,:\\\"\"", "\"[{,:\\\"\"" },
};

TEST(pretty_keeps_lexemes)
{
	for (size_t i = 0; i < sizeof pretty / sizeof pretty[0]; i++) {
		struct dd_jbuf b = { 0 };

		CHECKF(dd_json_check(pretty[i].in, strlen(pretty[i].in), 64, NULL) == 0, "row %zu", i);
		dd_json_pretty(&b, pretty[i].in, strlen(pretty[i].in), 0);
		dd_jbuf_put(&b, "", 1);
		CHECKF(!b.oom && strcmp(b.p, pretty[i].out) == 0, "row %zu: got\n%s", i, b.p);
		/* Pretty text is a fixed point. */
		if (!b.oom) {
			struct dd_jbuf c = { 0 };

			dd_json_pretty(&c, b.p, b.len - 1, 0);
			dd_jbuf_put(&c, "", 1);
			CHECKF(!c.oom && strcmp(b.p, c.p) == 0, "row %zu: not a fixed point", i);
			free(c.p);
		}
		free(b.p);
	}
	/* At a level: nested lines indented from there. */
	{
		struct dd_jbuf b = { 0 };

		dd_json_pretty(&b, "[1]", 3, 2);
		dd_jbuf_put(&b, "", 1);
		CHECK(strcmp(b.p, "[\n      1\n    ]") == 0);
		free(b.p);
	}
}

TEST(walkers)
{
	const char *t = " { \"a\" : [ 1 , \"x,]\" , {\"k\":[]} ] , \"b\\\"\" : -2e3 } ";
	struct dd_json_iter it;
	const char *k, *v;
	size_t kn, vn;
	char got[256] = "";

	CHECK(dd_json_check(t, strlen(t), 64, NULL) == 0);
	CHECK(dd_json_array(&it, t, strlen(t)) == -1);
	CHECK(dd_json_object(&it, t, strlen(t)) == 0);
	while (dd_json_next(&it, &k, &kn, &v, &vn)) {
		struct dd_json_iter a;

		snprintf(got + strlen(got), sizeof got - strlen(got), "<%.*s=%.*s>", (int)kn, k,
			 (int)vn, v);
		if (dd_json_array(&a, v, vn) == 0)
			while (dd_json_next(&a, &k, &kn, &v, &vn))
				snprintf(got + strlen(got), sizeof got - strlen(got), "(%s%.*s)",
					 k ? "key!" : "", (int)vn, v);
	}
	CHECKF(strcmp(got, "<\"a\"=[ 1 , \"x,]\" , {\"k\":[]} ]>(1)(\"x,]\")({\"k\":[]})"
			   "<\"b\\\"\"=-2e3>") == 0, "got %s", got);
	CHECK(dd_json_object(&it, "{}", 2) == 0 && dd_json_next(&it, &k, &kn, &v, &vn) == 0);
	CHECK(dd_json_array(&it, " [ ] ", 5) == 0 && dd_json_next(&it, &k, &kn, &v, &vn) == 0);
}

TEST(strings)
{
	static const struct {
		const char *lex, *dec;
		size_t n;
	} s[] = {
		{ "\"\"", "", 0 },
		{ "\"ab\"", "ab", 2 },
		{ "\"\\u0061b\"", "ab", 2 },
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8 },
		{ "\"\\u00e9\"", "\xc3\xa9", 2 },
		{ "\"\\u20AC\"", "\xe2\x82\xac", 3 },
		{ "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4 },
		{ "\"a\\u0000b\"", "a\0b", 3 },
	};
	char out[64];

	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
		size_t ln = strlen(s[i].lex);

		CHECKF(dd_json_unquote(s[i].lex, ln, out, sizeof out) == (long)s[i].n &&
		       memcmp(out, s[i].dec, s[i].n) == 0 && out[s[i].n] == 0, "row %zu", i);
		CHECKF(dd_json_str_is(s[i].lex, ln, s[i].dec, s[i].n), "row %zu: str_is", i);
		CHECKF(!dd_json_str_is(s[i].lex, ln, "zz", 2), "row %zu: str_is zz", i);
		CHECKF(dd_json_unquote(s[i].lex, ln, out, s[i].n) == -1, "row %zu: small buffer", i);
	}
	CHECK(!dd_json_str_is("\"ab\"", 4, "a", 1));
	CHECK(!dd_json_str_is("\"a\"", 3, "ab", 2));
}

TEST(put_string)
{
	struct dd_jbuf b = { 0 };
	const char in[] = "a\"b\\c\n\x01\x1f\xc3\xa9/";

	dd_json_put_string(&b, in, sizeof in - 1);
	dd_jbuf_put(&b, "", 1);
	CHECKF(strcmp(b.p, "\"a\\\"b\\\\c\\u000a\\u0001\\u001f\xc3\xa9/\"") == 0, "got %s", b.p);
	CHECK(dd_json_check(b.p, b.len - 1, 1, NULL) == 0);
	free(b.p);
}

/* The one escaper: what each kind of byte becomes. The text is n bytes when n is set. Each
 * byte of an invalid UTF-8 sequence is one U+FFFD, as Go's encoding/json writes it. */
static const struct {
	const char *in;
	size_t n;
	const char *out;
} escapes[] = {
	{ "", 0, "" },
	{ "plain text /~\x7f", 0, "plain text /~\x7f" },
	{ "\"", 0, "\\\"" },
	{ "\\", 0, "\\\\" },
	{ "a \"quoted\" \\ root", 0, "a \\\"quoted\\\" \\\\ root" },
	{ "\b\f\n\r\t", 0, "\\u0008\\u000c\\u000a\\u000d\\u0009" },
	{ "\x01\x1f\x20", 0, "\\u0001\\u001f " },
	{ "a\0b", 3, "a\\u0000b" },
	{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 0, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" },
	{ "\xef\xbf\xbd", 0, "\xef\xbf\xbd" },				/* U+FFFD itself */
	{ "\xf4\x8f\xbf\xbf", 0, "\xf4\x8f\xbf\xbf" },			/* U+10FFFF */
	{ "\xff", 0, "\\ufffd" },
	{ "a\x80" "b", 0, "a\\ufffdb" },
	{ "\xc3", 0, "\\ufffd" },					/* cut at the end */
	{ "\xe2\x82", 0, "\\ufffd\\ufffd" },
	{ "\xe2\x82\"", 0, "\\ufffd\\ufffd\\\"" },			/* cut before a quote */
	{ "\xc0\x80", 0, "\\ufffd\\ufffd" },				/* overlong NUL */
	{ "\xed\xa0\x80", 0, "\\ufffd\\ufffd\\ufffd" },		/* encoded surrogate */
	{ "\xf4\x90\x80\x80", 0, "\\ufffd\\ufffd\\ufffd\\ufffd" },	/* above U+10FFFF */
	{ "\xc3\xa9\xa9", 0, "\xc3\xa9\\ufffd" },
};

static void put_cat(void *ctx, const char *p, size_t n)
{
	struct dd_jbuf *b = ctx;

	CHECK(n > 0);
	dd_jbuf_put(b, p, n);
}

TEST(escape_table)
{
	for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
		size_t n = escapes[i].n ? escapes[i].n : strlen(escapes[i].in);
		struct dd_jbuf b = { 0 }, q = { 0 };
		char back[64];
		long len;

		dd_jbuf_put(&b, "x", 1);
		dd_json_escape(escapes[i].in, n, put_cat, &b);
		dd_jbuf_put(&b, "", 1);
		CHECKF(!b.oom && strcmp(b.p + 1, escapes[i].out) == 0, "row %zu: got %s", i, b.p + 1);
		/* As a string it is strict JSON, and it decodes to the input where that was UTF-8. */
		dd_json_put_string(&q, escapes[i].in, n);
		CHECKF(dd_json_check(q.p, q.len, 1, NULL) == 0, "row %zu: not strict JSON", i);
		len = dd_json_unquote(q.p, q.len, back, sizeof back);
		if (!strstr(escapes[i].out, "\\ufffd"))
			CHECKF(len == (long)n && memcmp(back, escapes[i].in, n) == 0, "row %zu: round trip", i);
		free(b.p);
		free(q.p);
	}
}

TEST(member)
{
	const char *t = "{\"a\":1,\"Version\":\"24.0.7\",\"b\\u0063\":[2],\"x\":{\"Version\":0}}";
	const char *v;
	size_t vn;

	CHECK(dd_json_check(t, strlen(t), 64, NULL) == 0);
	CHECK(dd_json_member(t, strlen(t), "Version", &v, &vn) == 1 && vn == 8 &&
	      memcmp(v, "\"24.0.7\"", 8) == 0);
	CHECK(dd_json_member(t, strlen(t), "bc", &v, &vn) == 1 && vn == 3 && memcmp(v, "[2]", 3) == 0);
	CHECK(dd_json_member(t, strlen(t), "version", &v, &vn) == 0);	/* case-sensitive */
	CHECK(dd_json_member(t, strlen(t), "Versio", &v, &vn) == 0);
	CHECK(dd_json_member(" [1] ", 5, "a", &v, &vn) == 0);
	CHECK(dd_json_member("\"a\"", 3, "a", &v, &vn) == 0);
	CHECK(dd_json_member(" { } ", 5, "a", &v, &vn) == 0);
}

TEST(member_str)
{
	const char *t = "{\"a\":1,\"Version\":\"24.0.7\",\"e\":\"x\\u0041y\"}";
	char out[16] = "junk", small[4] = "junk";

	CHECK(dd_json_member_str(t, strlen(t), "Version", out, sizeof out) == 0 && !strcmp(out, "24.0.7"));
	CHECK(dd_json_member_str(t, strlen(t), "e", out, sizeof out) == 0 && !strcmp(out, "xAy"));
	CHECK(dd_json_member_str(t, strlen(t), "a", out, sizeof out) == -1 && !out[0]);	/* a number */
	CHECK(dd_json_member_str(t, strlen(t), "none", out, sizeof out) == -1 && !out[0]);
	CHECK(dd_json_member_str(t, strlen(t), "Version", small, sizeof small) == -1 && !small[0]);
}

int main(void)
{
	RUN(check_table);
	RUN(depth_bound);
	RUN(pretty_keeps_lexemes);
	RUN(walkers);
	RUN(strings);
	RUN(put_string);
	RUN(escape_table);
	RUN(member);
	RUN(member_str);
	T_EXIT();
}
