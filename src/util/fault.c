#include "util/fault.h"

#include <signal.h>
#include <stdlib.h>

void dd_fault_point(void)
{
	static long at = -1, count;

	if (at < 0) {
		const char *s = getenv("DOCKDROP_TEST_KILL_AT");

		at = s ? strtol(s, NULL, 10) : 0;
	}
	if (at > 0 && ++count == at)
		raise(SIGKILL);
}
