/* libFuzzer harness for docker save's manifest.json reader (bundle/imgscan.h): the input is
 * the file's text. dd_imgjson_parse must not crash, and what it accepts must hold: at least
 * one ref and at most the bound, each tag one dd_manifest_tag_ok accepts (so the manifest
 * can carry it), a refusal leaves no count; with a smaller bound it accepts exactly when the
 * count fits, the same refs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/imgscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dd_ref r[DD_REFS_MAX], r2[DD_REFS_MAX];
	unsigned n = 99, n2 = 99;
	int rc = dd_imgjson_parse((const char *)data, size, r, DD_REFS_MAX, &n);

	if (rc != 0 && rc != -1)
		abort();
	if (rc != 0) {
		if (n != 0)
			abort();
		return 0;
	}
	if (n == 0 || n > DD_REFS_MAX)
		abort();
	for (unsigned i = 0; i < n; i++)
		if (!dd_manifest_tag_ok(r[i].tag) || r[i].blob != 0)
			abort();
	rc = dd_imgjson_parse((const char *)data, size, r2, n - 1, &n2);
	if (rc == 0 || n2 != 0)
		abort();
	if (dd_imgjson_parse((const char *)data, size, r2, n, &n2) != 0 || n2 != n)
		abort();
	for (unsigned i = 0; i < n; i++)
		if (memcmp(r[i].config, r2[i].config, 32) || strcmp(r[i].tag, r2[i].tag))
			abort();
	return 0;
}
