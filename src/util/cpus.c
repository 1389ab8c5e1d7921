#include "util/cpus.h"

#include <sched.h>

unsigned dd_cpus(void)
{
	cpu_set_t cpus;
	int n;

	if (sched_getaffinity(0, sizeof cpus, &cpus) != 0 || (n = CPU_COUNT(&cpus)) < 1)
		return 1;
	return (unsigned)n;
}
