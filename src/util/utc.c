#include "util/utc.h"

/* Days since 1970-01-01 to a civil date: H. Hinnant's civil_from_days, in 400-year eras
 * of 146097 days that start on March 1st (so the leap day ends a year). */
int dd_utc(long long t, struct dd_utc *u)
{
	long long days = t / 86400, secs = t % 86400, era, y;
	unsigned doe, yoe, doy, mp;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468;		/* from 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = (unsigned)(days - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	u->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	u->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	y = era * 400 + yoe + (u->mon <= 2);
	if (y < 1 || y > 9999)
		return -1;
	u->year = (int)y;
	u->hour = (int)(secs / 3600);
	u->min = (int)(secs / 60 % 60);
	u->sec = (int)(secs % 60);
	return 0;
}
