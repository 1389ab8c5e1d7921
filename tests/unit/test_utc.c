/* util/utc: known dates (epoch, leap days, the years a certificate can hold, the ends of
 * the range), and a sweep checked against the C library's gmtime_r. */
#include <time.h>

#include "t.h"

#include "util/utc.h"

TEST(known)
{
	static const struct {
		long long t;
		int rc, year, mon, day, hour, min, sec;
	} rows[] = {
		{ 0, 0, 1970, 1, 1, 0, 0, 0 },
		{ -1, 0, 1969, 12, 31, 23, 59, 59 },
		{ 951782400, 0, 2000, 2, 29, 0, 0, 0 },		/* a leap day of a 400th year */
		{ 4107542399LL, 0, 2100, 2, 28, 23, 59, 59 },	/* 2100 has none */
		{ 4107542400LL, 0, 2100, 3, 1, 0, 0, 0 },
		{ 2524607999LL, 0, 2049, 12, 31, 23, 59, 59 },	/* the last UTCTime */
		{ 2524608000LL, 0, 2050, 1, 1, 0, 0, 0 },
		{ 1709210096, 0, 2024, 2, 29, 12, 34, 56 },
		{ -631152000, 0, 1950, 1, 1, 0, 0, 0 },
		{ 253402300799LL, 0, 9999, 12, 31, 23, 59, 59 },
		{ 253402300800LL, -1, 0, 0, 0, 0, 0, 0 },		/* year 10000 */
		{ -62135596800LL, 0, 1, 1, 1, 0, 0, 0 },
		{ -62135596801LL, -1, 0, 0, 0, 0, 0, 0 },		/* year 0 */
		{ 9223372036854775807LL, -1, 0, 0, 0, 0, 0, 0 },
		{ -9223372036854775807LL - 1, -1, 0, 0, 0, 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct dd_utc u;
		int rc = dd_utc(rows[i].t, &u);

		CHECKF(rc == rows[i].rc, "row %zu: rc %d", i, rc);
		if (rc == 0)
			CHECKF(u.year == rows[i].year && u.mon == rows[i].mon && u.day == rows[i].day &&
			       u.hour == rows[i].hour && u.min == rows[i].min && u.sec == rows[i].sec,
			       "row %zu: %04d-%02d-%02d %02d:%02d:%02d", i, u.year, u.mon, u.day, u.hour,
			       u.min, u.sec);
	}
}

/* Every 7919 seconds plus a day's worth of hours over 1900..2200, and random times over the
 * whole range: the same fields as gmtime_r. */
TEST(against_gmtime)
{
	unsigned long long x = 88172645463325252ULL;
	unsigned bad = 0;

	for (long long i = 0; i < 1200000 && bad < 5; i++) {
		long long t = i < 600000 ? -2208988800LL + i * 15780LL + i % 86400 :
					   (long long)((x ^= x << 13, x ^= x >> 7, x ^= x << 17) %
						       (253402300800ULL + 62135596800ULL)) - 62135596800LL;
		time_t tt = (time_t)t;
		struct tm tm;
		struct dd_utc u;

		if (!gmtime_r(&tt, &tm) || dd_utc(t, &u) != 0) {
			CHECKF(0, "t %lld: no date", t);
			bad++;
			continue;
		}
		if (u.year != tm.tm_year + 1900 || u.mon != tm.tm_mon + 1 || u.day != tm.tm_mday ||
		    u.hour != tm.tm_hour || u.min != tm.tm_min || u.sec != tm.tm_sec) {
			CHECKF(0, "t %lld: %04d-%02d-%02d %02d:%02d:%02d", t, u.year, u.mon, u.day,
			       u.hour, u.min, u.sec);
			bad++;
		}
	}
}

int main(void)
{
	RUN(known);
	RUN(against_gmtime);
	T_EXIT();
}
