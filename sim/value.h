/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The syntax of one value in a scenario or sweep file, by key type:
 *
 *   duration  a decimal number and one of ns, us, ms, s, min, h, d: "30s",
 *             "1.5ms"; nanoseconds, exact (flashcoop/time.h)
 *   size      a number and B, kB, MB, GB, TB or KiB, MiB, GiB, TiB: bytes
 *   rate      a number and bit/s, kbit/s, Mbit/s, Gbit/s or B/s, kB/s, MB/s,
 *             GB/s: bits per second (flashcoop/quantity.h)
 *   ratio     a real, or a real and '%' ("0.3", "30%")
 *   count     a non-negative decimal integer that fits in 64 bits
 *   real      a finite real in C syntax, in any locale ("0.8", "1e-3")
 *   bool      true, false, 1 or 0
 *   choice    one of the names of the key's name table (key_def.names)
 *
 * Spaces around a value are ignored.  Parsing is exact: a duration, size or
 * rate that is not a whole number of its base unit is an error, never
 * rounded.  Lists, ranges, key names and locations are the callers'
 * business (sim/scenario.c, sim/sweep.c).
 *
 * Every value has one canonical text, which parses back to the same value:
 * the largest unit that divides a quantity exactly ("60s" and "1min" both
 * give "1min"; 0 gives "0s", "0B", "0bit/s"), rates always in bits, reals
 * in the shortest "%.17g"-or-shorter form that reads back exactly, a choice
 * as its name.  Scenario parameters, point and run keys are made of these
 * texts, so changing one changes every key: do not.
 *
 * Errors: a parser returns FALSE and sets *why to a newly allocated
 * one-line reason ("expected a duration such as 30s, 250ms or 2h, found
 * '30 sec': unknown unit 'sec'; did you mean 's'?"), and leaves *out alone.
 */
#ifndef FLASHCOOP_SIM_VALUE_H
#define FLASHCOOP_SIM_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "flashcoop/names.h"
#include "flashcoop/time.h"
#include "sim/keys.h"

/* One parsed value of a key: u or d as the key's type says. */
union value {
	uint64_t u; /* duration, size, rate, count, bool (0, 1), choice (index
		       of its name in the key's name table) */
	double d;   /* real, ratio */
};

gboolean value_parse_duration(const char *text, fc_time_t *out, char **why);
gboolean value_parse_size(const char *text, uint64_t *out, char **why);
gboolean value_parse_rate(const char *text, uint64_t *out, char **why);
gboolean value_parse_ratio(const char *text, double *out, char **why);
gboolean value_parse_count(const char *text, uint64_t *out, char **why);
gboolean value_parse_real(const char *text, double *out, char **why);
gboolean value_parse_bool(const char *text, bool *out, char **why);
/* Sets *index to the position of the name in names (NULL-terminated). */
gboolean value_parse_choice(const char *text, const struct fc_enum_name *names,
			    size_t *index, char **why);

/* Canonical texts, newly allocated. */
char *value_format_duration(fc_time_t t);
char *value_format_size(uint64_t bytes);
char *value_format_rate(uint64_t bits_per_s);
char *value_format_count(uint64_t n);
char *value_format_real(double d); /* ratios too */
char *value_format_bool(bool b);

/*
 * A value of k's type (one item of a list key; not KEY_STRING, which has
 * no syntax): the parser or formatter of that type.
 */
gboolean value_parse(const struct key_def *k, const char *text, union value *out,
		     char **why);
char *value_format(const struct key_def *k, union value v);

/*
 * Checks v against k's bounds (key_def.min and max, parsed as values of k);
 * FALSE with *why set ("0s is out of range: it must be > 0s") when it is
 * outside.  text is the value as written, for the message.  A bound that
 * does not parse is a bug in the key table, and aborts.
 */
gboolean value_check_range(const struct key_def *k, union value v, const char *text,
			   char **why);

/* What a value of k looks like: "a duration such as 30s, 250ms or 2h",
 * "one of a, b, c"; newly allocated. */
char *value_expected(const struct key_def *k);

#endif
