/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Simulated and real time as flashcoop counts it: an unsigned 64-bit number of
 * nanoseconds since an origin chosen by the host (the start of a simulation, or
 * a monotonic clock in a real server).  There is no floating-point time
 * anywhere: 2^64 ns is about 584 years, so the range is never the problem, and
 * integer time keeps event order exact and runs reproducible.
 *
 * This header belongs to the core library and depends on nothing else, so that
 * the simulator (sim/) and a real server can share the type without the core
 * depending on either.
 */
#ifndef FLASHCOOP_TIME_H
#define FLASHCOOP_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t fc_time_t;

#define FC_NSEC ((fc_time_t)1)
#define FC_USEC ((fc_time_t)1000)
#define FC_MSEC ((fc_time_t)1000000)
#define FC_SEC ((fc_time_t)1000000000)
#define FC_MIN (60 * FC_SEC)
#define FC_HOUR (60 * FC_MIN)
#define FC_DAY (24 * FC_HOUR)

/* A time that never comes: "no deadline", "run until the queue is empty". */
#define FC_TIME_NEVER UINT64_MAX

/*
 * Adds a delay to a time, giving FC_TIME_NEVER when the sum does not fit
 * (a delay of FC_TIME_NEVER therefore means "never").
 */
static inline fc_time_t
fc_time_add(fc_time_t t, fc_time_t delay)
{
	return delay > FC_TIME_NEVER - t ? FC_TIME_NEVER : t + delay;
}

/*
 * Seconds as a time: the nearest whole number of nanoseconds, halfway cases
 * rounded up (away from zero).  It saturates: NaN, negative values and
 * -inf give 0; values of FC_TIME_NEVER nanoseconds or more, and +inf, give
 * FC_TIME_NEVER.  This is the one rounding rule for turning a real number
 * of seconds (a delay drawn from a distribution, say) into time.
 */
fc_time_t fc_time_from_sec(double seconds);

/*
 * A time in seconds, (double)t / 1e9 rounded to the nearest double.
 * FC_TIME_NEVER is not special: it gives about 1.8e10.
 */
static inline double
fc_time_to_sec(fc_time_t t)
{
	return (double)t / 1e9;
}

/*
 * Writes a short human-readable form of a duration into buf, at most len
 * bytes with the terminating NUL, and returns buf.  The largest unit that
 * divides the value exactly is used ("30s", "2h", "1500ms", "17ns"), so the
 * text reads back to the same value; FC_TIME_NEVER is written as "never".
 * Twenty-four bytes always suffice.
 */
char *fc_time_format(fc_time_t t, char *buf, size_t len);

/*
 * Parses a duration: a non-negative decimal number and a unit, one of ns,
 * us, ms, s, min, h or d ("30s", "1.5ms", "2 h").  The value must be a whole
 * number of nanoseconds and fit in fc_time_t (below FC_TIME_NEVER).  Returns
 * true and stores the value in *out; on bad text returns false and leaves
 * *out alone.
 */
bool fc_time_parse(const char *text, fc_time_t *out);

#endif
