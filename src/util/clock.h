/* One monotonic clock for deadlines and waits (sockets, the shadow lock, daemons). */
#ifndef DD_CLOCK_H
#define DD_CLOCK_H

/* Milliseconds of CLOCK_MONOTONIC, and microseconds. */
long long dd_now_ms(void);
long long dd_now_us(void);

#endif
