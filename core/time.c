/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "flashcoop/time.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "flashcoop/quantity.h"

fc_time_t
fc_time_from_sec(double seconds)
{
	/* 2^64 as a double: the first value beyond every fc_time_t. */
	const double beyond = 18446744073709551616.0;
	double ns = round(seconds * (double)FC_SEC);

	if (!(ns > 0))
		return 0; /* NaN too */
	if (ns >= beyond)
		return FC_TIME_NEVER;
	return (fc_time_t)ns;
}

char *
fc_time_format(fc_time_t t, char *buf, size_t len)
{
	static const struct {
		fc_time_t ns;
		const char *suffix;
	} units[] = {
		{ FC_DAY, "d" }, { FC_HOUR, "h" }, { FC_MIN, "min" },
		{ FC_SEC, "s" }, { FC_MSEC, "ms" }, { FC_USEC, "us" },
	};

	if (len == 0)
		return buf;
	if (t == FC_TIME_NEVER) {
		snprintf(buf, len, "never");
		return buf;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (t != 0 && t % units[i].ns == 0) {
			snprintf(buf, len, "%" PRIu64 "%s", t / units[i].ns,
				 units[i].suffix);
			return buf;
		}
	}
	snprintf(buf, len, "%" PRIu64 "ns", t);
	return buf;
}

static const struct fc_unit time_units[] = {
	{ "ns", FC_NSEC }, { "us", FC_USEC }, { "ms", FC_MSEC },
	{ "s", FC_SEC },   { "min", FC_MIN }, { "h", FC_HOUR },
	{ "d", FC_DAY },
};

const struct fc_unit *
fc_time_units(size_t *n)
{
	*n = sizeof time_units / sizeof time_units[0];
	return time_units;
}

bool
fc_time_parse(const char *text, fc_time_t *out)
{
	return fc_quantity_parse(text, time_units, sizeof time_units / sizeof time_units[0],
				 FC_TIME_NEVER - 1, out);
}
