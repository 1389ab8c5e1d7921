/* libFuzzer harness for the state record parser (host/state.h): whatever it accepts must
 * format back to text that parses again to the same record (compared whole), and formats
 * to the same bytes (a fixed point), and dd_state_add must never be led past its table. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/state.h"

static struct dd_state a, b;
static char text[DD_STATE_MAX], again[DD_STATE_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	size_t n, m;

	if (dd_state_parse((const char *)data, size, &a, err, sizeof err) != 0)
		return 0;
	if (a.n > DD_STATE_ENTS || a.nprev > DD_STATE_PREV || a.nsans > DD_STATE_LIST ||
	    a.nopts > DD_STATE_LIST || a.nauth > DD_STATE_AUTHS)
		abort();
	n = dd_state_format(&a, text, sizeof text);
	if (n == 0 || dd_state_parse(text, n, &b, err, sizeof err) != 0)
		abort();
	/* format(parse(x)) reads back as the very same record, field for field. */
	if (memcmp(&a, &b, sizeof a) != 0)
		abort();
	m = dd_state_format(&b, again, sizeof again);
	if (m != n || memcmp(text, again, n) != 0)
		abort();
	return 0;
}
