/* Test driver: the iptables backend install would choose on this host (host/iptables.h),
 * as "PROG: WHY".  xtchoose 0|1   (1: the carried iptables has the nft backend) */
#include <stdio.h>
#include <string.h>

#include "host/iptables.h"

int main(int argc, char **argv)
{
	struct dd_iptables_choice c;

	if (argc != 2 || (strcmp(argv[1], "0") && strcmp(argv[1], "1"))) {
		fprintf(stderr, "usage: xtchoose 0|1\n");
		return 2;
	}
	dd_iptables_choose(&c, argv[1][0] == '1');
	printf("%s: %s\n", c.prog, c.why);
	return 0;
}
