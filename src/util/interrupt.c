#include <signal.h>
#include <string.h>

#include "util/interrupt.h"

static volatile sig_atomic_t caught;
static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

static void on_signal(int sig)
{
	caught = sig;
}

void dd_interrupt_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

int dd_interrupted(void)
{
	return caught;
}

void dd_interrupt_finish(void)
{
	int sig = caught;

	if (!sig)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}
