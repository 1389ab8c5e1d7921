/* libFuzzer harness for what dockdrop reads from the daemon's GET /networks answer: the
 * bridge subnets it leaves out of the server certificate's names. The input is the body
 * (any bytes); every subnet taken must hold together (4 or 16 bytes, a prefix within the
 * address), never more than asked for; and the input as one NUL-terminated text goes to
 * the prefix parser, which must accept only what it can print back the same way. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/hostaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dd_subnet s[DD_SUBNETS_MAX + 1], one;
	char text[128], ip[INET6_ADDRSTRLEN], back[180];
	unsigned n, max = size ? data[0] % (DD_SUBNETS_MAX + 1) : 0;

	memset(s, 0xa5, sizeof s);
	n = dd_hostaddr_parse_networks((const char *)data, size, s, max);
	if (n > max || s[max].alen != 0xa5a5a5a5u)
		abort();
	for (unsigned i = 0; i < n; i++)
		if ((s[i].alen != 4 && s[i].alen != 16) || s[i].prefix > s[i].alen * 8)
			abort();
	if (size >= sizeof text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (dd_subnet_parse(text, &one) != 0)
		return 0;
	if ((one.alen != 4 && one.alen != 16) || one.prefix > one.alen * 8 ||
	    !inet_ntop(one.alen == 4 ? AF_INET : AF_INET6, one.addr, ip, sizeof ip))
		abort();
	/* What was taken reads the same when printed and parsed again. */
	snprintf(back, sizeof back, "%s/%u", ip, one.prefix);
	{
		struct dd_subnet again;

		if (dd_subnet_parse(back, &again) != 0 || memcmp(&again, &one, sizeof one) != 0)
			abort();
	}
	return 0;
}
