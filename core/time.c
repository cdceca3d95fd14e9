/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "flashcoop/time.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

bool
fc_time_parse(const char *text, fc_time_t *out)
{
	static const struct {
		const char *name;
		fc_time_t ns;
	} units[] = {
		{ "ns", FC_NSEC }, { "us", FC_USEC }, { "ms", FC_MSEC },
		{ "s", FC_SEC },   { "min", FC_MIN }, { "h", FC_HOUR },
		{ "d", FC_DAY },
	};
	const char *p = text;
	uint64_t whole = 0, frac = 0, frac_scale = 1;
	bool digits = false;
	fc_time_t unit = 0;

	while (*p == ' ')
		p++;
	for (; *p >= '0' && *p <= '9'; p++, digits = true) {
		uint64_t digit = (uint64_t)(*p - '0');

		if (whole > (UINT64_MAX - digit) / 10)
			return false;
		whole = whole * 10 + digit;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits = true) {
			if (frac_scale > UINT64_MAX / 100)
				return false; /* more than 18 decimals */
			frac = frac * 10 + (uint64_t)(*p - '0');
			frac_scale *= 10;
		}
	}
	if (!digits)
		return false;
	while (*p == ' ')
		p++;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		size_t n = strlen(units[i].name);

		if (strncmp(p, units[i].name, n) == 0 && p[n] == '\0') {
			unit = units[i].ns;
			break;
		}
	}
	if (unit == 0)
		return false;
	/* whole * unit + frac * unit / frac_scale, exactly. */
	if (whole > (FC_TIME_NEVER - 1) / unit)
		return false;
	if (frac != 0) {
		/* A GCC/Clang 128-bit product keeps this exact. */
		__uint128_t x = (__uint128_t)frac * unit;
		uint64_t extra;

		if (x % frac_scale != 0)
			return false; /* not a whole number of nanoseconds */
		extra = (uint64_t)(x / frac_scale); /* < unit */
		if (whole * unit > FC_TIME_NEVER - 1 - extra)
			return false;
		*out = whole * unit + extra;
		return true;
	}
	*out = whole * unit;
	return true;
}
