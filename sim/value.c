/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/value.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "flashcoop/quantity.h"

/* Bytes of text that any formatted quantity fits in (flashcoop/quantity.h). */
#define QUANTITY_TEXT_MAX 32

#define EXAMPLE_DURATION "a duration such as 30s, 250ms or 2h"
#define EXAMPLE_SIZE "a size such as 1500B, 64KiB or 2MB"
#define EXAMPLE_RATE "a rate such as 100Mbit/s or 2MB/s"
#define EXAMPLE_RATIO "a ratio such as 0.3 or 30%"
#define EXAMPLE_COUNT "a whole number such as 0 or 42"
#define EXAMPLE_REAL "a number such as 0.8 or 1e-3"
#define EXAMPLE_BOOL "true or false"

/* A quantity type: how it is described, and the units the core accepts. */
struct quantity {
	const char *example;
	const char *base; /* its base unit, in words */
	const struct fc_unit *(*units)(size_t *n);
	bool (*parse)(const char *text, uint64_t *out);
};

static bool
parse_time(const char *text, uint64_t *out)
{
	return fc_time_parse(text, out);
}

static const struct quantity durations = {
	EXAMPLE_DURATION, "nanoseconds", fc_time_units, parse_time,
};
static const struct quantity sizes = {
	EXAMPLE_SIZE, "bytes", fc_size_units, fc_size_parse,
};
static const struct quantity rates = {
	EXAMPLE_RATE, "bits per second", fc_rate_units, fc_rate_parse,
};

/* Why a quantity did not parse: no number, missing or unknown unit, range. */
static char *
quantity_why(const struct quantity *q, const char *text)
{
	size_t n;
	const struct fc_unit *units = q->units(&n);
	g_autofree const char **names = g_new(const char *, n + 1);
	g_autofree char *all = NULL;
	const char *p = text, *u, *near;

	for (size_t i = 0; i < n; i++)
		names[i] = units[i].name;
	names[n] = NULL;
	all = g_strjoinv(", ", (char **)names);
	while (g_ascii_isspace(*p))
		p++;
	if (!g_ascii_isdigit(*p) && *p != '.')
		return g_strdup_printf("expected %s, found '%s'", q->example, text);
	while (g_ascii_isdigit(*p) || *p == '.')
		p++;
	u = p;
	while (g_ascii_isspace(*u))
		u++;
	if (!*u)
		return g_strdup_printf("expected %s, found '%s': the unit is missing "
				       "(%s)", q->example, text, all);
	for (size_t i = 0; i < n; i++)
		if (strcmp(u, names[i]) == 0)
			return g_strdup_printf("expected %s, found '%s': not a whole "
					       "number of %s, or too large",
					       q->example, text, q->base);
	near = keys_suggest(u, names, n);
	/* "sec", "hours", "msec": the longest unit they start with. */
	for (size_t i = 0; !near && i < n; i++)
		if (g_str_has_prefix(u, names[i]))
			near = names[i];
	for (size_t i = 0; near && i < n; i++)
		if (g_str_has_prefix(u, names[i]) && strlen(names[i]) > strlen(near))
			near = names[i];
	if (near)
		return g_strdup_printf("expected %s, found '%s': unknown unit '%s'; "
				       "did you mean '%s'?", q->example, text, u, near);
	return g_strdup_printf("expected %s, found '%s': unknown unit '%s' (%s)",
			       q->example, text, u, all);
}

static gboolean
parse_quantity(const struct quantity *q, const char *text, uint64_t *out, char **why)
{
	if (q->parse(text, out))
		return TRUE;
	*why = quantity_why(q, text);
	return FALSE;
}

gboolean
value_parse_duration(const char *text, fc_time_t *out, char **why)
{
	return parse_quantity(&durations, text, out, why);
}

gboolean
value_parse_size(const char *text, uint64_t *out, char **why)
{
	return parse_quantity(&sizes, text, out, why);
}

gboolean
value_parse_rate(const char *text, uint64_t *out, char **why)
{
	return parse_quantity(&rates, text, out, why);
}

/* A finite real, spaces around it allowed. */
static bool
parse_real(const char *text, double *out)
{
	char *end;
	double d;

	while (g_ascii_isspace(*text))
		text++;
	if (!*text)
		return false;
	errno = 0;
	d = g_ascii_strtod(text, &end);
	while (g_ascii_isspace(*end))
		end++;
	if (end == text || *end || errno || !isfinite(d))
		return false;
	*out = d;
	return true;
}

gboolean
value_parse_ratio(const char *text, double *out, char **why)
{
	g_autofree char *copy = g_strstrip(g_strdup(text));
	size_t len = strlen(copy);
	bool percent = len > 0 && copy[len - 1] == '%';
	double d;

	if (percent)
		copy[len - 1] = '\0';
	if (parse_real(copy, &d)) {
		*out = percent ? d / 100 : d;
		return TRUE;
	}
	*why = g_strdup_printf("expected %s, found '%s'", EXAMPLE_RATIO, text);
	return FALSE;
}

gboolean
value_parse_count(const char *text, uint64_t *out, char **why)
{
	g_autofree char *copy = g_strstrip(g_strdup(text));
	guint64 v;

	if (*copy && g_ascii_isdigit(*copy) &&
	    g_ascii_string_to_unsigned(copy, 10, 0, G_MAXUINT64, &v, NULL)) {
		*out = v;
		return TRUE;
	}
	*why = g_strdup_printf("expected %s, found '%s'", EXAMPLE_COUNT, text);
	return FALSE;
}

gboolean
value_parse_real(const char *text, double *out, char **why)
{
	if (parse_real(text, out))
		return TRUE;
	*why = g_strdup_printf("expected %s, found '%s'", EXAMPLE_REAL, text);
	return FALSE;
}

gboolean
value_parse_bool(const char *text, bool *out, char **why)
{
	g_autofree char *copy = g_strstrip(g_strdup(text));

	if (strcmp(copy, "true") == 0 || strcmp(copy, "1") == 0) {
		*out = true;
		return TRUE;
	}
	if (strcmp(copy, "false") == 0 || strcmp(copy, "0") == 0) {
		*out = false;
		return TRUE;
	}
	*why = g_strdup_printf("expected %s, found '%s'", EXAMPLE_BOOL, text);
	return FALSE;
}

gboolean
value_parse_choice(const char *text, const struct fc_enum_name *names, size_t *index,
		   char **why)
{
	g_autofree char *copy = g_strstrip(g_strdup(text));
	const struct fc_enum_name *found = fc_enum_find(names, copy);
	size_t n = fc_enum_count(names);
	g_autofree const char **candidates = NULL;
	g_autofree char *list = NULL;
	const char *near;

	if (found) {
		*index = (size_t)(found - names);
		return TRUE;
	}
	candidates = g_new(const char *, n);
	for (size_t i = 0; i < n; i++)
		candidates[i] = names[i].name;
	near = keys_suggest(copy, candidates, n);
	list = keys_join_names(names, ", ");
	if (near)
		*why = g_strdup_printf("expected one of %s, found '%s'; did you mean "
				       "'%s'?", list, copy, near);
	else
		*why = g_strdup_printf("expected one of %s, found '%s'", list, copy);
	return FALSE;
}

char *
value_format_duration(fc_time_t t)
{
	char buf[QUANTITY_TEXT_MAX];

	return g_strdup(t == 0 ? "0s" : fc_time_format(t, buf, sizeof buf));
}

char *
value_format_size(uint64_t bytes)
{
	char buf[QUANTITY_TEXT_MAX];

	return g_strdup(fc_size_format(bytes, buf, sizeof buf));
}

char *
value_format_rate(uint64_t bits_per_s)
{
	char buf[QUANTITY_TEXT_MAX];

	return g_strdup(fc_rate_format(bits_per_s, buf, sizeof buf));
}

char *
value_format_count(uint64_t n)
{
	return g_strdup_printf("%" G_GUINT64_FORMAT, n);
}

char *
value_format_real(double d)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	/* The shortest of 15, 16 or 17 significant digits that reads back. */
	for (int prec = 15; prec <= 17; prec++) {
		g_ascii_formatd(buf, sizeof buf, prec == 15 ? "%.15g" :
				prec == 16 ? "%.16g" : "%.17g", d);
		if (g_ascii_strtod(buf, NULL) == d)
			break;
	}
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
	return g_strdup(buf);
}

char *
value_format_bool(bool b)
{
	return g_strdup(b ? "true" : "false");
}

gboolean
value_parse(const struct key_def *k, const char *text, union value *out, char **why)
{
	switch (k->type) {
	case KEY_DURATION:
		return value_parse_duration(text, &out->u, why);
	case KEY_SIZE:
		return value_parse_size(text, &out->u, why);
	case KEY_RATE:
		return value_parse_rate(text, &out->u, why);
	case KEY_RATIO:
		return value_parse_ratio(text, &out->d, why);
	case KEY_COUNT:
		return value_parse_count(text, &out->u, why);
	case KEY_REAL:
		return value_parse_real(text, &out->d, why);
	case KEY_BOOL: {
		bool b;

		if (!value_parse_bool(text, &b, why))
			return FALSE;
		out->u = b;
		return TRUE;
	}
	case KEY_ENUM: {
		size_t i;

		if (!value_parse_choice(text, k->names, &i, why))
			return FALSE;
		out->u = i;
		return TRUE;
	}
	case KEY_STRING:
		break;
	}
	g_assert_not_reached();
}

char *
value_format(const struct key_def *k, union value v)
{
	switch (k->type) {
	case KEY_DURATION:
		return value_format_duration(v.u);
	case KEY_SIZE:
		return value_format_size(v.u);
	case KEY_RATE:
		return value_format_rate(v.u);
	case KEY_COUNT:
		return value_format_count(v.u);
	case KEY_REAL:
	case KEY_RATIO:
		return value_format_real(v.d);
	case KEY_BOOL:
		return value_format_bool(v.u != 0);
	case KEY_ENUM:
		return g_strdup(k->names[v.u].name);
	case KEY_STRING:
		break;
	}
	g_assert_not_reached();
}

gboolean
value_check_range(const struct key_def *k, union value v, const char *text, char **why)
{
	const char *bounds[2] = { k->min, k->max };

	for (int b = 0; b < 2; b++) {
		const char *bt = bounds[b];
		bool open, bad;
		union value lim;
		g_autofree char *bad_bound = NULL;
		int cmp;

		if (!bt)
			continue;
		open = *bt == (b == 0 ? '>' : '<');
		if (open)
			bt++;
		if (!value_parse(k, bt, &lim, &bad_bound))
			g_error("key table: bad bound '%s' for %s.%s", bt, k->group, k->name);
		if (k->type == KEY_REAL || k->type == KEY_RATIO)
			cmp = v.d < lim.d ? -1 : v.d > lim.d;
		else
			cmp = v.u < lim.u ? -1 : v.u > lim.u;
		bad = b == 0 ? (open ? cmp <= 0 : cmp < 0) : (open ? cmp >= 0 : cmp > 0);
		if (bad) {
			*why = g_strdup_printf("%s is out of range: it must be %s %s",
					       text, b == 0 ? (open ? ">" : ">=") :
					       (open ? "<" : "<="), bt);
			return FALSE;
		}
	}
	return TRUE;
}

char *
value_expected(const struct key_def *k)
{
	switch (k->type) {
	case KEY_DURATION: return g_strdup(EXAMPLE_DURATION);
	case KEY_SIZE: return g_strdup(EXAMPLE_SIZE);
	case KEY_RATE: return g_strdup(EXAMPLE_RATE);
	case KEY_RATIO: return g_strdup(EXAMPLE_RATIO);
	case KEY_COUNT: return g_strdup(EXAMPLE_COUNT);
	case KEY_REAL: return g_strdup(EXAMPLE_REAL);
	case KEY_BOOL: return g_strdup(EXAMPLE_BOOL);
	case KEY_ENUM: {
		g_autofree char *list = keys_join_names(k->names, ", ");

		return g_strdup_printf("one of %s", list);
	}
	case KEY_STRING: return g_strdup("text");
	}
	g_assert_not_reached();
}
