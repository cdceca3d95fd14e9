/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "flashcoop/quantity.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool
fc_quantity_parse(const char *text, const struct fc_unit *units, size_t n,
		  uint64_t max, uint64_t *out)
{
	const char *p = text;
	uint64_t whole = 0, frac = 0, frac_scale = 1, unit = 0, value;
	bool digits = false;

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
	for (size_t i = 0; i < n; i++) {
		if (strcmp(p, units[i].name) == 0) {
			unit = units[i].scale;
			break;
		}
	}
	if (unit == 0 || whole > max / unit)
		return false;
	value = whole * unit;
	if (frac != 0) {
		/* frac * unit / frac_scale, exact through a GCC/Clang 128-bit product. */
		__uint128_t x = (__uint128_t)frac * unit;
		uint64_t extra;

		if (x % frac_scale != 0)
			return false; /* not a whole number of base units */
		extra = (uint64_t)(x / frac_scale); /* < unit */
		if (value > max - extra)
			return false;
		value += extra;
	}
	*out = value;
	return true;
}

#define N_UNITS(a) (sizeof(a) / sizeof((a)[0]))

static const struct fc_unit size_units[] = {
	{ "B", 1 },
	{ "kB", 1000 },
	{ "MB", 1000000 },
	{ "GB", UINT64_C(1000000000) },
	{ "TB", UINT64_C(1000000000000) },
	{ "KiB", UINT64_C(1) << 10 },
	{ "MiB", UINT64_C(1) << 20 },
	{ "GiB", UINT64_C(1) << 30 },
	{ "TiB", UINT64_C(1) << 40 },
};

/* The bit units first: fc_rate_format() uses only those. */
#define RATE_BIT_UNITS 4
static const struct fc_unit rate_units[] = {
	{ "bit/s", 1 },
	{ "kbit/s", 1000 },
	{ "Mbit/s", 1000000 },
	{ "Gbit/s", UINT64_C(1000000000) },
	{ "B/s", 8 },
	{ "kB/s", 8000 },
	{ "MB/s", 8000000 },
	{ "GB/s", UINT64_C(8000000000) },
};

const struct fc_unit *
fc_size_units(size_t *n)
{
	*n = N_UNITS(size_units);
	return size_units;
}

const struct fc_unit *
fc_rate_units(size_t *n)
{
	*n = N_UNITS(rate_units);
	return rate_units;
}

bool
fc_size_parse(const char *text, uint64_t *bytes)
{
	return fc_quantity_parse(text, size_units, N_UNITS(size_units), UINT64_MAX, bytes);
}

bool
fc_rate_parse(const char *text, uint64_t *bits_per_s)
{
	return fc_quantity_parse(text, rate_units, N_UNITS(rate_units), UINT64_MAX,
				 bits_per_s);
}

char *
fc_quantity_format(uint64_t v, const struct fc_unit *units, size_t n, char *buf,
		   size_t len)
{
	size_t best = 0;

	if (len == 0)
		return buf;
	for (size_t i = 0; v != 0 && i < n; i++)
		if (v % units[i].scale == 0 && units[i].scale > units[best].scale)
			best = i;
	snprintf(buf, len, "%" PRIu64 "%s", v / units[best].scale, units[best].name);
	return buf;
}

char *
fc_size_format(uint64_t bytes, char *buf, size_t len)
{
	return fc_quantity_format(bytes, size_units, N_UNITS(size_units), buf, len);
}

char *
fc_rate_format(uint64_t bits_per_s, char *buf, size_t len)
{
	return fc_quantity_format(bits_per_s, rate_units, RATE_BIT_UNITS, buf, len);
}
