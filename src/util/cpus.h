/* The CPUs this process may run on (sched_getaffinity: a container's or taskset's limit
 * counts; sysconf would link a table of every setting it knows), at least 1. */
#ifndef DD_CPUS_H
#define DD_CPUS_H

unsigned dd_cpus(void);

#endif
