/* Root's config.json for registry logins (workload/dockercfg.h): base64 against RFC 4648's
 * vectors, server names as docker login keys them, and tables of files with the "auths"
 * entries set and removed: the output byte for byte, other keys and entries kept. */
#include "t.h"

#include "workload/dockercfg.h"

TEST(base64_vectors)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" }, { "alice:s3cr\xfft", "YWxpY2U6czNjcv90" },
	};
	static const char *const bad[] = { "Zg", "Zg=", "Z===", "Zm9v=", "Zg==Zg==", "Zm9*", "Z=g=",
					   "Zm9v\n", "====" };
	char out[64];
	unsigned char back[64];

	for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t n = dd_base64(v[i].in, strlen(v[i].in), out, sizeof out);
		long m = dd_unbase64(v[i].out, strlen(v[i].out), back, sizeof back);

		CHECKF(n == strlen(v[i].out) && !strcmp(out, v[i].out), "encode %s: %s", v[i].in, out);
		CHECKF(m == (long)strlen(v[i].in) && !memcmp(back, v[i].in, (size_t)m), "decode %s", v[i].out);
	}
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECKF(dd_unbase64(bad[i], strlen(bad[i]), back, sizeof back) < 0, "accepted %s", bad[i]);
	CHECK(dd_base64("foo", 3, out, 4) == 0);	/* no room for the NUL */
	CHECK(dd_unbase64("Zm9vYmFy", 8, back, 5) < 0);
}

TEST(server_names)
{
	static const struct { const char *in, *key, *host; } v[] = {
		{ "registry.example:5000", "registry.example:5000", "registry.example:5000" },
		{ "https://registry.example:5000/", "registry.example:5000", "registry.example:5000" },
		{ "http://r.example/v2/x", "r.example", "r.example" },
		{ "docker.io", DD_DOCKERCFG_HUB, "registry-1.docker.io" },
		{ "index.docker.io", DD_DOCKERCFG_HUB, "registry-1.docker.io" },
		{ "https://index.docker.io/v1/", DD_DOCKERCFG_HUB, "registry-1.docker.io" },
		{ "[2001:db8::1]:5000", "[2001:db8::1]:5000", "[2001:db8::1]:5000" },
		{ "10.0.0.1", "10.0.0.1", "10.0.0.1" },
	};
	static const char *const bad[] = { "", "https://", "/x", "-r.example", "r example", "r\nx",
					   "r.example;x", ":5000", "caf\xc3\xa9.example", "r.example:0",
					   "r.example:65536", "r.example:x", "r.example:", "[::1", "[::1]x",
					   "r:5:6" };
	char key[DD_DOCKERCFG_SERVER], host[DD_DOCKERCFG_SERVER];

	for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++)
		CHECKF(dd_dockercfg_server(v[i].in, key, host) == 0 && !strcmp(key, v[i].key) &&
		       !strcmp(host, v[i].host), "%s: %s %s", v[i].in, key, host);
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECKF(dd_dockercfg_server(bad[i], key, host) != 0, "accepted '%s'", bad[i]);
}

#define NEW_R "    \"r.example\": {\n      \"auth\": \"YTpi\"\n    }"

TEST(set_and_remove)
{
	static const struct dd_dockercfg_set add_r = { "r.example", "YTpi" }, rm_r = { "r.example", NULL };
	static const struct {
		const char *in;
		const struct dd_dockercfg_set *c;
		const char *out;
		int empty;
	} v[] = {
		/* none, blank, empty: a new file with the one entry */
		{ NULL, &add_r, "{\n  \"auths\": {\n" NEW_R "\n  }\n}\n", 0 },
		{ " \n", &add_r, "{\n  \"auths\": {\n" NEW_R "\n  }\n}\n", 0 },
		{ "{}", &add_r, "{\n  \"auths\": {\n" NEW_R "\n  }\n}\n", 0 },
		/* other keys and entries kept as their lexemes, in their order; ours appended */
		{ "{\"auths\":{\"o.example\":{\"auth\":\"eDp5\"}},\"psFormat\":\"{{.ID}}\",\"n\":[1, 2]}", &add_r,
		  "{\n  \"auths\": {\n    \"o.example\": {\"auth\":\"eDp5\"},\n" NEW_R
		  "\n  },\n  \"psFormat\": \"{{.ID}}\",\n  \"n\": [1, 2]\n}\n", 0 },
		/* ours replaced in place, its old fields gone */
		{ "{\"auths\":{\"r.example\":{\"auth\":\"old=\",\"email\":\"x\"},\"o\":{}}}", &add_r,
		  "{\n  \"auths\": {\n    \"o\": {},\n" NEW_R "\n  }\n}\n", 0 },
		/* removal: others stay; nothing left but an empty "auths" is empty */
		{ "{\"auths\":{\"r.example\":{\"auth\":\"YTpi\"},\"o\":{}}}", &rm_r,
		  "{\n  \"auths\": {\n    \"o\": {}\n  }\n}\n", 0 },
		{ "{\"auths\":{\"r.example\":{\"auth\":\"YTpi\"}}}", &rm_r, "{\n  \"auths\": {}\n}\n", 1 },
		{ "{\"auths\":{\"r.example\":{\"auth\":\"YTpi\"}},\"x\":1}", &rm_r,
		  "{\n  \"auths\": {},\n  \"x\": 1\n}\n", 0 },
		/* an escaped key naming the same server is the same entry */
		{ "{\"auths\":{\"r\\u002eexample\":{\"auth\":\"YTpi\"}}}", &rm_r, "{\n  \"auths\": {}\n}\n", 1 },
	};
	static char out[4096];

	for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) {
		int empty = -1;
		size_t n = dd_dockercfg_apply(v[i].in, v[i].in ? strlen(v[i].in) : 0, v[i].c, 1, out,
					      sizeof out, &empty);

		CHECKF(n == strlen(v[i].out) && !strcmp(out, v[i].out) && empty == v[i].empty,
		       "row %u: empty %d:\n%s", i, empty, out);
		/* the result is a config.json again, and applying twice changes nothing more */
		if (n) {
			static char again[4096];

			CHECKF(dd_dockercfg_check(out, n, again, sizeof again) == 0, "row %u: %s", i, again);
			CHECKF(dd_dockercfg_apply(out, n, v[i].c, 1, again, sizeof again, &empty) == n &&
			       !strcmp(again, out), "row %u: not a fixed point:\n%s", i, again);
		}
	}
	int e;

	CHECK(dd_dockercfg_apply("{\"x\":\"0123456789\"}", 18, &add_r, 1, out, 40, &e) == 0); /* no room */
}

TEST(check_user_helper)
{
	static const char *const bad[] = { "[]", "\"x\"", "{", "{\"auths\":[]}", "{\"a\":1,\"a\":2}",
					   "{\"auths\":\"x\"}" };
	static const char *const good[] = { "", "  ", "{}", "{\"auths\":{}}", "{\"x\":[1]}" };
	const char *f = "{\"auths\":{\"r.example\":{\"auth\":\"YWxpY2U6cHc=\"},\"n\":{},"
			"\"b\":{\"auth\":\"!!\"}},\"credHelpers\":{\"h.example\":\"pass\",\"https://x.example/\":\"p\"}}";
	char err[128], user[128], helper[32];
	int same;

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECKF(dd_dockercfg_check(bad[i], strlen(bad[i]), err, sizeof err) != 0, "accepted %s", bad[i]);
	for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++)
		CHECKF(dd_dockercfg_check(good[i], strlen(good[i]), err, sizeof err) == 0, "%s: %s", good[i], err);
	CHECK(dd_dockercfg_user(f, strlen(f), "r.example", "YWxpY2U6cHc=", user, sizeof user, &same) == 1 &&
	      !strcmp(user, "alice") && same);
	CHECK(dd_dockercfg_user(f, strlen(f), "r.example", "eDp5", user, sizeof user, &same) == 1 && !same);
	CHECK(dd_dockercfg_user(f, strlen(f), "n", NULL, user, sizeof user, &same) == -1);
	CHECK(dd_dockercfg_user(f, strlen(f), "b", NULL, user, sizeof user, &same) == -1);
	CHECK(dd_dockercfg_user(f, strlen(f), "o.example", NULL, user, sizeof user, &same) == 0);
	CHECK(dd_dockercfg_helper(f, strlen(f), "h.example", helper, sizeof helper) == 1 &&
	      !strcmp(helper, "pass"));
	CHECK(dd_dockercfg_helper(f, strlen(f), "r.example", helper, sizeof helper) == 0);
	CHECK(dd_dockercfg_helper(f, strlen(f), "x.example", helper, sizeof helper) == 0); /* that very key only */
	CHECK(dd_dockercfg_helper("{\"credsStore\":\"desktop\"}", 24, "r.example", helper, sizeof helper) == 1 &&
	      !strcmp(helper, "desktop"));
	CHECK(dd_dockercfg_helper("{\"credsStore\":\"\"}", 17, "r.example", helper, sizeof helper) == 0);
}

/* A registry token of 4 KB as the password (ECR's run to a few KB) still reads back. */
TEST(long_password)
{
	static char plain[4200], b64[5700], text[8192];
	const struct dd_dockercfg_set add = { "r.example", b64 };
	char user[128];
	int same, empty;
	size_t n;

	memcpy(plain, "u:", 2);
	memset(plain + 2, 'x', 4096);
	CHECK(dd_base64(plain, 4098, b64, sizeof b64) == 5464);
	n = dd_dockercfg_apply(NULL, 0, &add, 1, text, sizeof text, &empty);
	CHECK(n > 5464 && dd_dockercfg_user(text, n, "r.example", b64, user, sizeof user, &same) == 1 &&
	      same && !strcmp(user, "u"));
}

int main(void)
{
	RUN(base64_vectors);
	RUN(server_names);
	RUN(set_and_remove);
	RUN(check_user_helper);
	RUN(long_password);
	return t_any_failed;
}
