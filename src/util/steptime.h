/* Where a command's time goes: the wall time of each of its steps, printed by install -v
 * (one "time: " line each, then the total). */
#ifndef DD_STEPTIME_H
#define DD_STEPTIME_H

enum dd_step {
	DD_STEP_PREFLIGHT, DD_STEP_UNPACK, DD_STEP_CERTS, DD_STEP_CONFIG, DD_STEP_START,
	DD_STEP_PING, DD_STEP_MTLS, DD_STEPS
};

struct dd_steptime {
	long long begin, at;		/* microseconds (CLOCK_MONOTONIC) */
	long long us[DD_STEPS];		/* each step's, added up */
	long long keys_us;		/* keys made beside the unpack (pki_key_pool) */
};

void dd_steptime_begin(struct dd_steptime *t);
/* The time since the last mark (or the beginning) goes to step s. t may be NULL. */
void dd_steptime_mark(struct dd_steptime *t, enum dd_step s);
/* "time: STEP N.N ms" for each step that took any, then "time: N.N ms to WHAT", when -v. */
void dd_steptime_print(const struct dd_steptime *t, const char *what);

#endif
