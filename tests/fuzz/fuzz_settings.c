/* libFuzzer harness for the Azure settings (azure/settings.h): any text as a settings file
 * (plain public settings, or the agent's handler form: an encrypted blob cannot decrypt
 * here, there is no tenant certificate) and the same text as protected settings in clear.
 * Whatever is accepted maps into bounded buffers: every daemon option is "KEY=" and a
 * JSON value, and the env file's lines are NAME=VALUE. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azure/settings.h"

static struct dd_az a;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > DD_AZ_PROTECTED_MAX)
		return 0;
	memcpy(a.text, data, size);
	a.text[size] = 0;
	if (dd_az_parse(&a, size, "/nonexistent/config/0.settings", "/nonexistent") != 0)
		return 0;
	memcpy(a.prot, data, size);
	a.prot[size] = 0;
	a.protlen = size;
	if (dd_az_map(&a) != 0)
		return 0;
	for (unsigned i = 0; i < a.nopts; i++)
		if (!strchr(a.opts[i], '=') || strlen(a.opts[i]) >= sizeof a.optbuf)
			abort();
	if (a.opts[a.nopts] != NULL || a.optlen > sizeof a.optbuf || (a.port && a.port > 65535))
		abort();
	for (int i = 0; a.certs && i < 3; i++)
		if (a.pemlen[i] == 0 || a.pemlen[i] >= sizeof a.pem[i])
			abort();
	dd_az_wipe(&a);
	return 0;
}
