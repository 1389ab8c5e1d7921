/* Test driver for azure/cms.h, as the product runs it:
 *   azunprotect SETTINGS_OR_B64_FILE THUMB CERTDIR
 * prints the decrypted protected settings on stdout and exits 0, or prints "dockdrop:
 * protected settings: WHY" on stderr and exits 3. A file holding a JSON object is read as
 * a handler settings file (runtimeSettings[0].handlerSettings.protectedSettings), any
 * other file as the base64 text itself. */
#include <stdio.h>
#include <string.h>

#include "azure/cms.h"
#include "util/io.h"
#include "util/jsontext.h"

static char text[1 << 20], b64[1 << 20], plain[DD_AZ_PROTECTED_MAX + 1];

static long from_settings(const char *t, size_t n)
{
	struct dd_json_iter it;
	const char *v, *k, *e;
	size_t vn, kn, en;

	if (dd_json_check(t, n, 16, NULL) ||
	    !dd_json_member(t, n, "runtimeSettings", &v, &vn) || dd_json_array(&it, v, vn) ||
	    !dd_json_next(&it, &k, &kn, &e, &en) ||
	    !dd_json_member(e, en, "handlerSettings", &v, &vn) ||
	    dd_json_member_str(v, vn, "protectedSettings", b64, sizeof b64))
		return -1;
	return (long)strlen(b64);
}

int main(int argc, char **argv)
{
	char err[512];
	const char *in = text;
	size_t outlen;
	long n;

	if (argc != 4) {
		fprintf(stderr, "usage: azunprotect SETTINGS_OR_B64_FILE THUMB CERTDIR\n");
		return 2;
	}
	n = dd_read_small_file(argv[1], text, sizeof text);
	if (n < 0) {
		perror(argv[1]);
		return 2;
	}
	if (*dd_json_skip_ws(text, (size_t)n) == '{') {
		in = b64;
		if ((n = from_settings(text, (size_t)n)) < 0) {
			fprintf(stderr, "%s: no runtimeSettings[0].handlerSettings.protectedSettings\n",
				argv[1]);
			return 2;
		}
	}
	if (dd_az_unprotect(in, (size_t)n, argv[2], argv[3], plain, sizeof plain, &outlen, err,
			    sizeof err)) {
		fprintf(stderr, "dockdrop: protected settings: %s\n", err);
		return 3;
	}
	fwrite(plain, 1, outlen, stdout);
	return 0;
}
