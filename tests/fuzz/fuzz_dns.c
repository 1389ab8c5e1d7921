/* libFuzzer harness for the DNS reply reader (net/resolve.h): any bytes from the network,
 * read as the answer to an A and to an AAAA question, stay in bounds, and an address it
 * returns is a literal inet_pton reads back. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>

#include "net/resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char a[16];
	char ip[INET6_ADDRSTRLEN];
	unsigned id = size >= 2 ? (unsigned)(data[0] << 8 | data[1]) : 0;

	if (dd_dns_answer(data, size, id, 1, ip) == 0 && inet_pton(AF_INET, ip, a) != 1)
		abort();
	if (dd_dns_answer(data, size, id, 28, ip) == 0 && inet_pton(AF_INET6, ip, a) != 1)
		abort();
	return 0;
}
