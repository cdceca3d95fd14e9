/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Quantities written with units, as in configuration and scenario files:
 * "64KiB", "1.5MB", "100Mbit/s", "30s".  Values are exact unsigned integers
 * in a base unit (bytes, bits per second, nanoseconds); a decimal fraction is
 * accepted only when it comes to a whole number of base units, so "1.5ns" or
 * "0.1B" are errors rather than silently rounded.
 */
#ifndef FLASHCOOP_QUANTITY_H
#define FLASHCOOP_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fc_unit {
	const char *name; /* as written after the number, case-sensitive */
	uint64_t scale;   /* base units in one of it, >= 1 */
};

/*
 * Parses "<decimal number>[ ]<unit>" where unit is one of units[0..n-1]
 * (spaces are allowed before the number and before the unit, nothing after
 * it).  The value must be <= max.  Returns true and sets *out, or returns
 * false and leaves *out alone.
 */
bool fc_quantity_parse(const char *text, const struct fc_unit *units, size_t n,
		       uint64_t max, uint64_t *out);

/* Sizes in bytes: B, kB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB. */
bool fc_size_parse(const char *text, uint64_t *bytes);

/*
 * Rates in bits per second: bit/s, kbit/s, Mbit/s, Gbit/s (powers of 1000),
 * and B/s, kB/s, MB/s, GB/s (bytes, times 8).
 */
bool fc_rate_parse(const char *text, uint64_t *bits_per_s);

/*
 * The units that fc_time_parse(), fc_size_parse() and fc_rate_parse()
 * accept, in the order listed above (static tables); *n is set to their
 * number.  For error messages and suggestions.
 */
const struct fc_unit *fc_time_units(size_t *n);
const struct fc_unit *fc_size_units(size_t *n);
const struct fc_unit *fc_rate_units(size_t *n);

/*
 * Writes v as "<integer><unit>" with the unit of units[0..n-1] of the
 * largest scale that divides v exactly (of equal scales, the first; for 0,
 * units[0]), into buf of len bytes with the terminating NUL, and returns
 * buf.  The text reads back to v.  Thirty-two bytes always suffice for the
 * units above.
 */
char *fc_quantity_format(uint64_t v, const struct fc_unit *units, size_t n, char *buf,
			 size_t len);

/* fc_quantity_format() over the units of fc_size_parse(): "64KiB", "1500B". */
char *fc_size_format(uint64_t bytes, char *buf, size_t len);

/*
 * fc_quantity_format() over the bit units of fc_rate_parse() only (bit/s,
 * kbit/s, Mbit/s, Gbit/s), so that a rate always reads in bits: "100Mbit/s".
 */
char *fc_rate_format(uint64_t bits_per_s, char *buf, size_t len);

#endif
