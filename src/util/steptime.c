#include "util/steptime.h"

#include <stddef.h>
#include <stdio.h>

#include "util/clock.h"
#include "util/log.h"

static const char *const names[DD_STEPS] = { "preflight", "unpack", "certificates",
					     "configuration", "service start", "socket ping",
					     "mTLS proof" };

void dd_steptime_begin(struct dd_steptime *t)
{
	*t = (struct dd_steptime){ 0 };
	t->begin = t->at = dd_now_us();
}

void dd_steptime_mark(struct dd_steptime *t, enum dd_step s)
{
	long long now;

	if (!t)
		return;
	now = dd_now_us();
	t->us[s] += now - t->at;
	t->at = now;
}

static void line(const char *what, long long us, const char *after)
{
	dd_info("time: %s%lld.%lld ms%s", what, us / 1000, us % 1000 / 100, after);
}

void dd_steptime_print(const struct dd_steptime *t, const char *what)
{
	char name[64];

	if (dd_log_verbosity() < DD_VERBOSE)
		return;
	for (int s = 0; s < DD_STEPS; s++) {
		if (!t->us[s])
			continue;
		snprintf(name, sizeof name, "%s ", names[s]);
		line(name, t->us[s], "");
		if (s == DD_STEP_UNPACK && t->keys_us)
			line("keys made beside it ", t->keys_us, "");
	}
	snprintf(name, sizeof name, " to %s", what);
	line("", t->at - t->begin, name);
}
