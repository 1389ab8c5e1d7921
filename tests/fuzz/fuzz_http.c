/* libFuzzer harness for the HTTP response reader: the input is one response as it would
 * come off the wire. dd_http_parse must not crash and what it accepts must hold together
 * (status 200-599, body within the limit, NUL-terminated, no longer than the input); a
 * refusal leaves an empty response. dd_http_complete must agree with it: "whole" only for
 * what parses, and never "whole" for a prefix the parser would take differently; read to
 * the end, a response that completes early must parse the same way. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dd_http_resp r;
	const char *buf = (const char *)data;
	int rc, c;

	memset(&r, 0xa5, sizeof r);
	rc = dd_http_parse(buf, size, &r);
	if (rc != 0 && rc != -1)
		abort();
	if (rc == 0 && (r.status < 200 || r.status > 599 || r.body_len > DD_HTTP_BODY_MAX ||
			r.body_len > size || r.body[r.body_len] != 0))
		abort();
	if (rc == -1 && (r.status != 0 || r.body_len != 0 || r.body[0] != 0))
		abort();

	c = dd_http_complete(buf, size);
	if (c < -1 || c > 1)
		abort();
	/* "Whole" means it parses; "beyond repair" means it never will. */
	if ((c == 1 && rc != 0) || (c == -1 && rc == 0))
		abort();
	/* A reader stops at the first prefix that is whole: it must be the whole input. */
	for (size_t k = 0; c == 1 && k < size; k++)
		if (dd_http_complete(buf, k) == 1)
			abort();
	return 0;
}
