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
/*
 * The network spellings of rates, accepted beside the core's units: they
 * are bits per second, always (a "B" would be bytes, and none is here).
 */
static const struct {
	const char *alias, *unit;
} rate_aliases[] = {
	{ "bps", "bit/s" }, { "kbps", "kbit/s" }, { "Kbps", "kbit/s" },
	{ "Mbps", "Mbit/s" }, { "Gbps", "Gbit/s" },
};

/* Where the unit of a quantity's text begins: after the number and spaces. */
static const char *
unit_of(const char *text)
{
	const char *p = text;

	while (g_ascii_isspace(*p))
		p++;
	while (g_ascii_isdigit(*p) || *p == '.')
		p++;
	while (g_ascii_isspace(*p))
		p++;
	return p;
}

/* fc_rate_parse(), and the aliases of rate_aliases. */
static bool
parse_rate(const char *text, uint64_t *out)
{
	g_autofree char *unit = NULL;
	const char *u;

	if (fc_rate_parse(text, out))
		return true;
	u = unit_of(text);
	unit = g_strchomp(g_strdup(u));
	for (size_t i = 0; i < G_N_ELEMENTS(rate_aliases); i++) {
		if (strcmp(unit, rate_aliases[i].alias) == 0) {
			g_autofree char *t = g_strdup_printf("%.*s%s", (int)(u - text), text,
							     rate_aliases[i].unit);

			return fc_rate_parse(t, out);
		}
	}
	return false;
}

static const struct quantity rates = {
	EXAMPLE_RATE, "bits per second", fc_rate_units, parse_rate,
};

/*
 * Whether an unknown rate unit is plainly in bits (it says "bit", or has
 * a lower-case b and no upper-case B: "mbit", "Mbs", "kb/s"), plainly in
 * bytes ("B/s", "byte"), or neither ("MBps", "M"): a suggestion must not
 * turn bits into bytes or the other way, a factor of 8.
 */
enum rate_kind { RATE_BITS, RATE_BYTES, RATE_UNSURE };

static enum rate_kind
rate_kind(const char *unit)
{
	g_autofree char *low = g_ascii_strdown(unit, -1);

	if (strstr(low, "bit") || (strchr(unit, 'b') && !strchr(unit, 'B')))
		return RATE_BITS;
	if (strstr(unit, "B/s") || strstr(low, "byte"))
		return RATE_BYTES;
	return RATE_UNSURE;
}

/* Why a quantity did not parse: no number, missing or unknown unit, range. */
static char *
quantity_why(const struct quantity *q, const char *text)
{
	size_t n;
	const struct fc_unit *units = q->units(&n);
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	g_autoptr(GPtrArray) near_ok = g_ptr_array_new();
	g_autofree char *all = NULL;
	const char *p = text, *u, *near;
	g_autofree char *shown = keys_shorten(text), *shown_u = NULL;
	enum rate_kind kind = RATE_UNSURE;

	for (size_t i = 0; i < n; i++)
		g_ptr_array_add(names, (gpointer)units[i].name);
	if (q == &rates)
		for (size_t i = 0; i < G_N_ELEMENTS(rate_aliases); i++)
			g_ptr_array_add(names, (gpointer)rate_aliases[i].alias);
	g_ptr_array_add(names, NULL);
	all = g_strjoinv(", ", (char **)names->pdata);
	while (g_ascii_isspace(*p))
		p++;
	if (!g_ascii_isdigit(*p) && *p != '.')
		return g_strdup_printf("expected %s, found '%s'", q->example, shown);
	u = unit_of(text);
	shown_u = keys_shorten(u);
	if (!*u)
		return g_strdup_printf("expected %s, found '%s': the unit is missing "
				       "(%s)", q->example, shown, all);
	for (size_t i = 0; i + 1 < names->len; i++)
		if (strcmp(u, names->pdata[i]) == 0)
			return g_strdup_printf("expected %s, found '%s': not a whole "
					       "number of %s, or too large",
					       q->example, shown, q->base);
	/* The units a suggestion may name: for a rate, those of its kind. */
	if (q == &rates)
		kind = rate_kind(u);
	for (size_t i = 0; i + 1 < names->len; i++) {
		const char *name = names->pdata[i];

		if (q != &rates || (kind != RATE_UNSURE && rate_kind(name) == kind))
			g_ptr_array_add(near_ok, (gpointer)name);
	}
	near = keys_suggest(u, (const char *const *)near_ok->pdata, near_ok->len);
	/* "sec", "hours", "msec": the longest unit they start with. */
	for (size_t i = 0; !near && i < near_ok->len; i++)
		if (g_str_has_prefix(u, near_ok->pdata[i]))
			near = near_ok->pdata[i];
	for (size_t i = 0; near && i < near_ok->len; i++)
		if (g_str_has_prefix(u, near_ok->pdata[i]) &&
		    strlen(near_ok->pdata[i]) > strlen(near))
			near = near_ok->pdata[i];
	if (near)
		return g_strdup_printf("expected %s, found '%s': unknown unit '%s'; "
				       "did you mean '%s'?", q->example, shown, shown_u, near);
	if (q == &rates && kind == RATE_UNSURE)
		return g_strdup_printf("expected %s, found '%s': unknown unit '%s' (%s; "
				       "write bit/s for bits, B/s for bytes)", q->example,
				       shown, shown_u, all);
	return g_strdup_printf("expected %s, found '%s': unknown unit '%s' (%s)",
			       q->example, shown, shown_u, all);
}

/* "expected EXAMPLE, found 'TEXT'", TEXT shortened (keys_shorten()). */
static char *
found_why(const char *example, const char *text)
{
	g_autofree char *shown = keys_shorten(text);

	return g_strdup_printf("expected %s, found '%s'", example, shown);
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
	*why = found_why(EXAMPLE_RATIO, text);
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
	*why = found_why(EXAMPLE_COUNT, text);
	return FALSE;
}

gboolean
value_parse_real(const char *text, double *out, char **why)
{
	if (parse_real(text, out))
		return TRUE;
	*why = found_why(EXAMPLE_REAL, text);
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
	*why = found_why(EXAMPLE_BOOL, text);
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
	g_autofree char *list = NULL, *shown = NULL;
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
	shown = keys_shorten(copy);
	if (near)
		*why = g_strdup_printf("expected one of %s, found '%s'; did you mean "
				       "'%s'?", list, shown, near);
	else
		*why = g_strdup_printf("expected one of %s, found '%s'", list, shown);
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
