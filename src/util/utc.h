/* UTC calendar time, computed here: libc's gmtime_r and strftime would link musl's time
 * zone machinery and its locale-aware formatter (9 KB of the stub) for the few fixed
 * formats dockdrop writes (certificate times, dates in messages). */
#ifndef DD_UTC_H
#define DD_UTC_H

struct dd_utc {
	int year, mon, day;	/* mon and day from 1 */
	int hour, min, sec;
};

/* t (seconds since 1970, UTC; leap seconds do not count, as in time_t) as a date: 0, or
 * -1 when its year is outside 1..9999. */
int dd_utc(long long t, struct dd_utc *u);

#endif
