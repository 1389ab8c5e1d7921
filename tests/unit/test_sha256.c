/* util/sha256: known answers, and the SHA-extension path equal to BearSSL's on every
 * length and split. */
#include "t.h"

#include "bundle/format.h"
#include "util/sha256.h"

static const struct {
	const char *in;
	unsigned repeat;
	const char *hex;
} kat[] = {
	{ "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

static void digest_of(const char *s, unsigned repeat, char hex[65])
{
	dd_sha256 c;
	unsigned char out[32];
	size_t n = strlen(s);

	dd_sha256_init(&c);
	if (repeat > 1) {
		char big[1000];

		memset(big, s[0], sizeof big);
		for (unsigned i = 0; i < repeat / sizeof big; i++)
			dd_sha256_update(&c, big, sizeof big);
	} else {
		dd_sha256_update(&c, s, n);
	}
	dd_sha256_out(&c, out);
	dd_hex(out, 32, hex);
}

TEST(known_answers_both_paths)
{
	char hex[65];

	for (int gen = 0; gen < 2; gen++) {
		dd_sha256_force_generic(gen);
		for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
			digest_of(kat[i].in, kat[i].repeat, hex);
			CHECKF(strcmp(hex, kat[i].hex) == 0, "generic=%d row %zu: %s", gen, i, hex);
		}
	}
	dd_sha256_force_generic(0);
}

/* Random data hashed in random splits: accelerated == BearSSL alone. */
TEST(splits_match_generic)
{
	static unsigned char buf[70000];
	unsigned seed = 12345;

	for (size_t i = 0; i < sizeof buf; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (unsigned char)(seed >> 16);
	}
	for (int round = 0; round < 200; round++) {
		size_t len = (size_t)(rand() % (int)sizeof buf), off = 0;
		unsigned char a[32], b[32];
		br_sha256_context ref;
		dd_sha256 c;

		br_sha256_init(&ref);
		br_sha256_update(&ref, buf, len);
		br_sha256_out(&ref, a);
		dd_sha256_init(&c);
		while (off < len) {
			size_t k = (size_t)(rand() % 300);

			if (rand() % 4 == 0)
				k *= 97;
			if (k > len - off)
				k = len - off;
			dd_sha256_update(&c, buf + off, k);
			off += k;
		}
		dd_sha256_out(&c, b);
		CHECKF(memcmp(a, b, 32) == 0, "len %zu", len);
	}
}

int main(void)
{
	printf("# SHA extensions %s\n", dd_sha256_accelerated() ? "in use" : "not available");
	RUN(known_answers_both_paths);
	RUN(splits_match_generic);
	return t_any_failed;
}
