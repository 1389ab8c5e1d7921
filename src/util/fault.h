/* Crash points for the fault tests: with DOCKDROP_TEST_KILL_AT=N in the environment, the
 * Nth call of dd_fault_point kills the process with SIGKILL, as a power cut or an OOM kill
 * would. Install calls it after every change it makes (tests/cli/test_install_faults.sh
 * walks N up until an install runs through). Without the variable it does nothing. */
#ifndef DD_FAULT_H
#define DD_FAULT_H

void dd_fault_point(void);

#endif
