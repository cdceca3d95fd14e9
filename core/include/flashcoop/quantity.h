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

#endif
