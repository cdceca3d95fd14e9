/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/scenario.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/autoptr.h"
#include "flashcoop/quantity.h"
#include "sim/keyfile.h"

#define MAX_INCLUDE_DEPTH 16

union item {
	uint64_t u;  /* duration, size, rate, count, bool, enum index */
	double d;    /* real, ratio */
};

struct setting {
	char *text;   /* canonical */
	char *raw;    /* KEY_STRING: the text itself */
	char *where;  /* "default", "file:line", "--set" */
	bool set;
	size_t n;
	union item *items;
};

struct scenario {
	const struct key_table *t;
	char *name;     /* from the main file's name */
	char *text;
	struct setting *v; /* t->n of them */
};

G_DEFINE_QUARK(flashcoop-scenario-error-quark, scenario_error)

/* Units by type, as the core parsers accept them. */
static const char *const duration_units[] = { "ns", "us", "ms", "s", "min", "h", "d" };
static const char *const size_units[] = { "B", "kB", "MB", "GB", "TB",
					  "KiB", "MiB", "GiB", "TiB" };
static const char *const rate_units[] = { "bit/s", "kbit/s", "Mbit/s", "Gbit/s",
					  "B/s", "kB/s", "MB/s", "GB/s" };

static const char *
example(enum key_type type)
{
	switch (type) {
	case KEY_DURATION: return "a duration such as 30s, 250ms or 2h";
	case KEY_SIZE: return "a size such as 1500B, 64KiB or 2MB";
	case KEY_RATE: return "a rate such as 100Mbit/s or 2MB/s";
	case KEY_RATIO: return "a ratio such as 0.3 or 30%";
	case KEY_COUNT: return "a whole number such as 0 or 42";
	case KEY_REAL: return "a number such as 0.8 or 1e-3";
	case KEY_BOOL: return "true or false";
	case KEY_ENUM: return "one of";
	case KEY_STRING: return "text";
	}
	return "";
}

/* What a value of k looks like: "a duration such as ...", "one of a, b". */
static char *
expected_text(const struct key_def *k)
{
	g_autofree char *list = NULL;

	if (k->type != KEY_ENUM)
		return g_strdup(example(k->type));
	list = keys_choices(k, ", ");
	return g_strdup_printf("one of %s", list);
}

/* Why a quantity did not parse: no number, missing or unknown unit, range. */
static char *
quantity_why(const struct key_def *k, const char *text)
{
	const char *const *units;
	size_t n;
	const char *p = text, *u;

	switch (k->type) {
	case KEY_DURATION: units = duration_units; n = G_N_ELEMENTS(duration_units); break;
	case KEY_SIZE: units = size_units; n = G_N_ELEMENTS(size_units); break;
	default: units = rate_units; n = G_N_ELEMENTS(rate_units); break;
	}
	while (g_ascii_isspace(*p))
		p++;
	if (!g_ascii_isdigit(*p) && *p != '.')
		return g_strdup_printf("expected %s, found '%s'", example(k->type), text);
	while (g_ascii_isdigit(*p) || *p == '.')
		p++;
	u = p;
	while (g_ascii_isspace(*u))
		u++;
	if (!*u)
	{
		g_autofree char *all = keys_type_units(k);

		return g_strdup_printf("expected %s, found '%s': the unit is missing "
				       "(%s)", example(k->type), text, all);
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(u, units[i]) == 0)
			return g_strdup_printf("expected %s, found '%s': not a whole "
					       "number of %s, or too large",
					       example(k->type), text,
					       k->type == KEY_DURATION ? "nanoseconds" :
					       k->type == KEY_SIZE ? "bytes" : "bits per second");
	{
		const char *near = keys_suggest(u, units, n);

		/* "sec", "hours", "msec": the unit they start with. */
		for (size_t i = 0; !near && i < n; i++)
			if (g_str_has_prefix(u, units[i]))
				near = units[i];
		for (size_t i = 0; near && i < n; i++)
			if (g_str_has_prefix(u, units[i]) && strlen(units[i]) > strlen(near))
				near = units[i];

		if (near)
			return g_strdup_printf("expected %s, found '%s': unknown unit "
					       "'%s'; did you mean '%s'?",
					       example(k->type), text, u, near);
		{
			g_autofree char *all = keys_type_units(k);

			return g_strdup_printf("expected %s, found '%s': unknown unit "
					       "'%s' (%s)", example(k->type), text, u, all);
		}
	}
}

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

/* Shortest "%.Ng" text that reads back as d. */
static char *
format_real(double d)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

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

/* The largest unit that divides v exactly, among units[0..n-1] by scale. */
static char *
format_exact(uint64_t v, const struct fc_unit *units, size_t n)
{
	size_t best = 0;

	for (size_t i = 0; i < n; i++)
		if (v % units[i].scale == 0 && units[i].scale > units[best].scale)
			best = i;
	if (v == 0)
		best = 0;
	return g_strdup_printf("%" G_GUINT64_FORMAT "%s", v / units[best].scale,
			       units[best].name);
}

static char *
format_item(const struct key_def *k, union item it)
{
	static const struct fc_unit sizes[] = {
		{ "B", 1 }, { "kB", 1000 }, { "MB", 1000000 }, { "GB", 1000000000 },
		{ "TB", 1000000000000 }, { "KiB", 1024 }, { "MiB", 1 << 20 },
		{ "GiB", 1 << 30 }, { "TiB", (uint64_t)1 << 40 },
	};
	static const struct fc_unit rates[] = {
		{ "bit/s", 1 }, { "kbit/s", 1000 }, { "Mbit/s", 1000000 },
		{ "Gbit/s", 1000000000 },
	};
	char buf[32];

	switch (k->type) {
	case KEY_DURATION:
		return g_strdup(it.u == 0 ? "0s" : fc_time_format(it.u, buf, sizeof buf));
	case KEY_SIZE:
		return format_exact(it.u, sizes, G_N_ELEMENTS(sizes));
	case KEY_RATE:
		return format_exact(it.u, rates, G_N_ELEMENTS(rates));
	case KEY_COUNT:
		return g_strdup_printf("%" G_GUINT64_FORMAT, it.u);
	case KEY_REAL:
	case KEY_RATIO:
		return format_real(it.d);
	case KEY_BOOL:
		return g_strdup(it.u ? "true" : "false");
	case KEY_ENUM:
		return g_strdup(k->names[it.u].name);
	case KEY_STRING:
		break;
	}
	g_assert_not_reached();
}

/* Parses one item (not a list); on failure returns FALSE with *why set. */
static gboolean
parse_item(const struct key_def *k, const char *text, union item *out, char **why)
{
	switch (k->type) {
	case KEY_DURATION:
		if (fc_time_parse(text, &out->u))
			return TRUE;
		*why = quantity_why(k, text);
		return FALSE;
	case KEY_SIZE:
		if (fc_size_parse(text, &out->u))
			return TRUE;
		*why = quantity_why(k, text);
		return FALSE;
	case KEY_RATE:
		if (fc_rate_parse(text, &out->u))
			return TRUE;
		*why = quantity_why(k, text);
		return FALSE;
	case KEY_RATIO: {
		g_autofree char *copy = g_strstrip(g_strdup(text));
		size_t len = strlen(copy);
		bool percent = len > 0 && copy[len - 1] == '%';

		if (percent)
			copy[len - 1] = '\0';
		if (parse_real(copy, &out->d)) {
			if (percent)
				out->d /= 100;
			return TRUE;
		}
		*why = g_strdup_printf("expected %s, found '%s'", example(k->type), text);
		return FALSE;
	}
	case KEY_COUNT: {
		g_autofree char *copy = g_strstrip(g_strdup(text));
		guint64 v;

		if (*copy && g_ascii_isdigit(*copy) &&
		    g_ascii_string_to_unsigned(copy, 10, 0, G_MAXUINT64, &v, NULL)) {
			out->u = v;
			return TRUE;
		}
		*why = g_strdup_printf("expected %s, found '%s'", example(k->type), text);
		return FALSE;
	}
	case KEY_REAL:
		if (parse_real(text, &out->d))
			return TRUE;
		*why = g_strdup_printf("expected %s, found '%s'", example(k->type), text);
		return FALSE;
	case KEY_BOOL: {
		g_autofree char *copy = g_strstrip(g_strdup(text));

		if (strcmp(copy, "true") == 0 || strcmp(copy, "1") == 0) {
			out->u = 1;
			return TRUE;
		}
		if (strcmp(copy, "false") == 0 || strcmp(copy, "0") == 0) {
			out->u = 0;
			return TRUE;
		}
		*why = g_strdup_printf("expected %s, found '%s'", example(k->type), text);
		return FALSE;
	}
	case KEY_ENUM: {
		g_autofree char *copy = g_strstrip(g_strdup(text));
		const struct fc_enum_name *found = fc_enum_find(k->names, copy);
		size_t n = fc_enum_count(k->names);
		g_autofree const char **choices = g_new(const char *, n);
		g_autofree char *list = keys_choices(k, ", ");
		const char *near;

		if (found) {
			out->u = (uint64_t)(found - k->names);
			return TRUE;
		}
		for (size_t i = 0; i < n; i++)
			choices[i] = k->names[i].name;
		near = keys_suggest(copy, choices, n);
		if (near)
			*why = g_strdup_printf("expected one of %s, found '%s'; did you "
					       "mean '%s'?", list, copy, near);
		else
			*why = g_strdup_printf("expected one of %s, found '%s'", list, copy);
		return FALSE;
	}
	case KEY_STRING:
		break;
	}
	g_assert_not_reached();
}

/* Checks it against k's bounds. */
static gboolean
check_range(const struct key_def *k, union item it, const char *text, char **why)
{
	const char *bounds[2] = { k->min, k->max };

	for (int b = 0; b < 2; b++) {
		const char *bt = bounds[b];
		bool open, bad;
		union item lim;
		char *dummy = NULL;
		int cmp;

		if (!bt)
			continue;
		open = *bt == (b == 0 ? '>' : '<');
		if (open)
			bt++;
		if (!parse_item(k, bt, &lim, &dummy))
			g_error("key table: bad bound '%s' for %s.%s", bt, k->group, k->name);
		if (k->type == KEY_REAL || k->type == KEY_RATIO)
			cmp = it.d < lim.d ? -1 : it.d > lim.d;
		else
			cmp = it.u < lim.u ? -1 : it.u > lim.u;
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

static void
setting_clear(struct setting *s)
{
	g_free(s->text);
	g_free(s->raw);
	g_free(s->where);
	g_free(s->items);
	memset(s, 0, sizeof *s);
}

/*
 * Parses text as a value of k into s (a list when k says so); on failure
 * leaves s alone and returns FALSE with *why set.
 */
static gboolean
parse_setting(const struct key_def *k, const char *text, struct setting *s, char **why)
{
	struct setting out = { 0 };

	if (k->type == KEY_STRING) {
		out.raw = g_strdup(text);
		out.text = g_strdup(text);
		out.n = 1;
	} else {
		g_auto(GStrv) parts = (k->flags & KEY_LIST) ?
			g_strsplit(text, ",", -1) : g_strsplit(text, "\x01", -1);
		GString *canon = g_string_new(NULL);
		guint n = g_strv_length(parts);

		if (n == 1 && !*g_strstrip(parts[0]) && (k->flags & KEY_LIST))
			n = 0; /* an empty list */
		out.items = g_new0(union item, MAX(n, 1u));
		for (guint i = 0; i < n; i++) {
			g_autofree char *canon_item = NULL;
			char *item = g_strstrip(parts[i]);

			if (!*item) {
				g_autofree char *what = expected_text(k);

				if (k->flags & KEY_LIST)
					*why = g_strdup_printf("expected a list of %s, separated "
							       "by commas, found '%s': item %u "
							       "is empty", keys_type_name(k), text,
							       i + 1);
				else
					*why = g_strdup_printf("the value is missing: "
							       "expected %s", what);
				goto fail;
			}
			if (!parse_item(k, item, &out.items[i], why) ||
			    !check_range(k, out.items[i], item, why))
				goto fail;
			canon_item = format_item(k, out.items[i]);
			g_string_append_printf(canon, "%s%s", i ? ", " : "", canon_item);
		}
		out.n = n;
		out.text = g_string_free(g_steal_pointer(&canon), FALSE);
		if (0) {
fail:
			g_string_free(canon, TRUE);
			g_free(out.items);
			return FALSE;
		}
	}
	g_free(s->text);
	g_free(s->raw);
	g_free(s->items);
	s->text = out.text;
	s->raw = out.raw;
	s->items = out.items;
	s->n = out.n;
	return TRUE;
}

char *
scenario_parse_value(const struct key_def *k, const char *text, char **why)
{
	struct setting s = { 0 };
	char *canon;

	if (!parse_setting(k, text, &s, why))
		return NULL;
	canon = g_steal_pointer(&s.text);
	setting_clear(&s);
	return canon;
}

gboolean
scenario_parse_number(const struct key_def *k, const char *text, uint64_t *u, double *d,
		      char **why)
{
	union item it;

	if (k->type == KEY_BOOL || k->type == KEY_ENUM || k->type == KEY_STRING) {
		*why = g_strdup_printf("a %s cannot be given as a range", keys_type_name(k));
		return FALSE;
	}
	if (!parse_item(k, text, &it, why))
		return FALSE;
	if (k->type == KEY_REAL || k->type == KEY_RATIO)
		*d = it.d;
	else
		*u = it.u;
	return TRUE;
}

struct scenario *
scenario_new(const struct key_table *t)
{
	struct scenario *sc = g_new0(struct scenario, 1);

	sc->t = t;
	sc->name = g_strdup("default");
	sc->text = g_strdup("");
	sc->v = g_new0(struct setting, t->n);
	for (size_t i = 0; i < t->n; i++) {
		char *why = NULL;

		if (!parse_setting(&t->defs[i], t->defs[i].def ? t->defs[i].def : "",
				   &sc->v[i], &why))
			g_error("key table: bad default for %s.%s: %s",
				t->defs[i].group, t->defs[i].name, why);
		sc->v[i].where = g_strdup("default");
	}
	return sc;
}

struct scenario *
scenario_copy(const struct scenario *sc)
{
	struct scenario *c = g_new0(struct scenario, 1);

	c->t = sc->t;
	c->name = g_strdup(sc->name);
	c->text = g_strdup(sc->text);
	c->v = g_new0(struct setting, sc->t->n);
	for (size_t i = 0; i < sc->t->n; i++) {
		const struct setting *s = &sc->v[i];

		c->v[i] = (struct setting){
			.text = g_strdup(s->text), .raw = g_strdup(s->raw),
			.where = g_strdup(s->where), .set = s->set, .n = s->n,
			.items = g_memdup2(s->items, MAX(s->n, 1) * sizeof *s->items),
		};
	}
	return c;
}

void
scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->t->n; i++)
		setting_clear(&sc->v[i]);
	g_free(sc->v);
	g_free(sc->name);
	g_free(sc->text);
	g_free(sc);
}

static size_t
key_index(const struct scenario *sc, const struct key_def *k)
{
	return (size_t)(k - sc->t->defs);
}

/* Sets key k from text; where is a location such as "file:line". */
static gboolean
set_key(struct scenario *sc, const struct key_def *k, const char *text,
	const char *where, GError **err)
{
	struct setting *s = &sc->v[key_index(sc, k)];
	g_autofree char *why = NULL;

	if (!parse_setting(k, text, s, &why)) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_VALUE, "%s: [%s] %s: %s",
			    where, k->group, k->name, why);
		return FALSE;
	}
	g_free(s->where);
	s->where = g_strdup(where);
	s->set = true;
	return TRUE;
}

gboolean
scenario_set(struct scenario *sc, const char *dotted, const char *value,
	     const char *where, GError **err)
{
	const struct key_def *k = keys_find_dotted(sc->t, dotted);
	const char *dot = strchr(dotted, '.');

	if (!k) {
		g_autofree char *near = keys_suggest_dotted(sc->t, dotted);
		g_autofree char *group = dot ? g_strndup(dotted, (gsize)(dot - dotted)) : NULL;

		if (!dot)
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
				    "%s: '%s' is not a key: expected group.key", where,
				    dotted);
		else if (!keys_group_exists(sc->t, group) && !near)
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
				    "%s: unknown group [%s] in '%s'", where, group, dotted);
		else if (near)
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
				    "%s: unknown key '%s'; did you mean '%s'?", where,
				    dotted, near);
		else
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
				    "%s: unknown key '%s' in [%s]", where, dot + 1, group);
		return FALSE;
	}
	if (strcmp(k->group, "scenario") == 0 && strcmp(k->name, "include") == 0) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INCLUDE,
			    "%s: [scenario] include can only be given in a file", where);
		return FALSE;
	}
	return set_key(sc, k, value, where, err);
}

gboolean
scenario_assign(struct scenario *sc, const char *assignment, const char *where,
		GError **err)
{
	const char *eq = strchr(assignment, '=');
	g_autofree char *key = NULL;

	if (!eq) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_SYNTAX,
			    "%s: expected group.key=value, found '%s'", where, assignment);
		return FALSE;
	}
	key = g_strstrip(g_strndup(assignment, (gsize)(eq - assignment)));
	return scenario_set(sc, key, eq + 1, where, err);
}

/* ---- Reading files. ---- */

/* Checks the entries' groups and keys against the table. */
static gboolean
check_names(const struct key_table *t, const char *path, GPtrArray *entries,
	    GError **err)
{
	for (guint i = 0; i < entries->len; i++) {
		struct keyfile_entry *en = entries->pdata[i];
		const char *near;
		const struct key_def *k;

		if (!en->key) {
			if (keys_group_exists(t, en->group))
				continue;
			near = keys_suggest_group(t, en->group);
			if (near)
				return keyfile_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
						     path, en->line, "unknown group [%s]; "
						     "did you mean [%s]?", en->group, near);
			return keyfile_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
					     path, en->line, "unknown group [%s]",
					     en->group);
		}
		k = keys_find(t, en->group, en->key);
		if (!k) {
			near = keys_suggest_key(t, en->group, en->key);
			if (near)
				return keyfile_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
						     path, en->line, "unknown key '%s' in "
						     "[%s]; did you mean '%s'?", en->key,
						     en->group, near);
			return keyfile_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
					     path, en->line, "unknown key '%s' in [%s]",
					     en->key, en->group);
		}
		if (k->type != KEY_STRING && !(k->flags & KEY_LIST) &&
		    !*g_strstrip(en->value)) {
			g_autofree char *what = expected_text(k);

			return keyfile_error(err, SCENARIO_ERROR, SCENARIO_ERROR_VALUE,
					     path, en->line, "[%s] %s: the value is "
					     "missing: expected %s", en->group, en->key, what);
		}
	}
	return TRUE;
}

/* path joined to the directory of from, unless absolute. */
static char *
relative_to(const char *from, const char *path)
{
	g_autofree char *dir = NULL;

	if (g_path_is_absolute(path))
		return g_strdup(path);
	dir = g_path_get_dirname(from);
	if (strcmp(dir, ".") == 0)
		return g_strdup(path);
	return g_build_filename(dir, path, NULL);
}

/* Reads the file at the top of stack: its base first, then its own keys. */
static gboolean
load_file(struct scenario *sc, const char *path, GPtrArray *stack, GString *texts,
	  GError **err)
{
	const struct keyfile_codes c = {
		SCENARIO_ERROR, SCENARIO_ERROR_IO, SCENARIO_ERROR_SYNTAX,
		SCENARIO_ERROR_DUPLICATE,
	};
	g_autofree char *contents = NULL;
	g_autoptr(GPtrArray) entries = NULL;

	entries = keyfile_read(path, &c, &contents, err);
	if (!entries || !check_names(sc->t, path, entries, err))
		return FALSE;
	if (texts->len)
		g_string_append_printf(texts, "\n# ---- included: %s ----\n", path);
	g_string_append(texts, contents);

	for (guint i = 0; i < entries->len; i++) {
		struct keyfile_entry *en = entries->pdata[i];
		g_autofree char *target = NULL, *treal = NULL;
		const char *value;

		if (!en->key || strcmp(en->group, "scenario") != 0 ||
		    strcmp(en->key, "include") != 0)
			continue;
		value = g_strstrip(en->value);
		if (!*value)
			break;
		target = relative_to(path, value);
		treal = realpath(target, NULL);
		if (!treal)
			return keyfile_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INCLUDE,
					     path, en->line, "cannot include '%s': %s",
					     target, g_strerror(errno));
		for (guint j = 0; j < stack->len; j++) {
			if (strcmp(stack->pdata[j], treal) == 0) {
				g_autoptr(GString) cycle = g_string_new(NULL);

				for (guint m = j; m < stack->len; m++)
					g_string_append_printf(cycle, "%s -> ",
							       (char *)stack->pdata[m]);
				g_string_append(cycle, treal);
				return keyfile_error(err, SCENARIO_ERROR,
						     SCENARIO_ERROR_INCLUDE, path, en->line,
						     "include cycle: %s", cycle->str);
			}
		}
		if (stack->len >= MAX_INCLUDE_DEPTH)
			return keyfile_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INCLUDE,
					     path, en->line, "includes nested more than "
					     "%d deep", MAX_INCLUDE_DEPTH);
		g_ptr_array_add(stack, g_steal_pointer(&treal));
		if (!load_file(sc, target, stack, texts, err))
			return FALSE;
		g_ptr_array_remove_index(stack, stack->len - 1);
	}
	for (guint i = 0; i < entries->len; i++) {
		struct keyfile_entry *en = entries->pdata[i];
		g_autofree char *where = NULL;

		if (!en->key)
			continue;
		where = g_strdup_printf("%s:%u", path, en->line);
		if (!set_key(sc, keys_find(sc->t, en->group, en->key), en->value,
			     where, err))
			return FALSE;
	}
	return TRUE;
}

struct scenario *
scenario_load(const struct key_table *t, const char *path, GError **err)
{
	g_autoptr(fc_scenario) sc = scenario_new(t);
	g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func(g_free);
	GString *texts = g_string_new(NULL);
	char *real = realpath(path, NULL);
	gboolean ok;

	g_ptr_array_add(stack, real ? real : g_strdup(path));
	ok = load_file(sc, path, stack, texts, err);
	g_free(sc->text);
	sc->text = g_string_free(texts, FALSE);
	if (!ok)
		return NULL;
	g_free(sc->name);
	{
		g_autofree char *base = g_path_get_basename(path);
		char *dot = strrchr(base, '.');

		if (dot && dot != base)
			*dot = '\0';
		sc->name = g_steal_pointer(&base);
	}
	return g_steal_pointer(&sc);
}

/* ---- Reading values. ---- */

static const struct setting *
get(const struct scenario *sc, const char *group, const char *name,
    const struct key_def **kp)
{
	const struct key_def *k = keys_find(sc->t, group, name);

	if (!k)
		g_error("scenario: no key %s.%s in the key table", group, name);
	if (kp)
		*kp = k;
	return &sc->v[key_index(sc, k)];
}

static union item
get_item(const struct scenario *sc, const char *group, const char *name,
	 unsigned types, size_t i)
{
	const struct key_def *k;
	const struct setting *s = get(sc, group, name, &k);

	if (!(types & (1u << k->type)))
		g_error("scenario: %s.%s read as the wrong type", group, name);
	if (i >= s->n)
		g_error("scenario: %s.%s has no item %zu", group, name, i);
	return s->items[i];
}

#define T(x) (1u << (x))

fc_time_t
scenario_duration(const struct scenario *sc, const char *group, const char *name)
{
	return get_item(sc, group, name, T(KEY_DURATION), 0).u;
}

uint64_t
scenario_size(const struct scenario *sc, const char *group, const char *name)
{
	return get_item(sc, group, name, T(KEY_SIZE), 0).u;
}

uint64_t
scenario_rate(const struct scenario *sc, const char *group, const char *name)
{
	return get_item(sc, group, name, T(KEY_RATE), 0).u;
}

uint64_t
scenario_count(const struct scenario *sc, const char *group, const char *name)
{
	return get_item(sc, group, name, T(KEY_COUNT), 0).u;
}

double
scenario_real(const struct scenario *sc, const char *group, const char *name)
{
	return get_item(sc, group, name, T(KEY_REAL), 0).d;
}

double
scenario_ratio(const struct scenario *sc, const char *group, const char *name)
{
	return get_item(sc, group, name, T(KEY_RATIO), 0).d;
}

bool
scenario_bool(const struct scenario *sc, const char *group, const char *name)
{
	return get_item(sc, group, name, T(KEY_BOOL), 0).u != 0;
}

const char *
scenario_choice(const struct scenario *sc, const char *group, const char *name)
{
	const struct key_def *k;
	const struct setting *s = get(sc, group, name, &k);

	if (k->type != KEY_ENUM || (k->flags & KEY_LIST))
		g_error("scenario: %s.%s is not a single choice", group, name);
	return s->text;
}

int
scenario_enum(const struct scenario *sc, const char *group, const char *name)
{
	const struct key_def *k;
	const struct setting *s = get(sc, group, name, &k);

	if (k->type != KEY_ENUM || (k->flags & KEY_LIST))
		g_error("scenario: %s.%s is not a single choice", group, name);
	return k->names[s->items[0].u].value;
}

int
scenario_list_enum(const struct scenario *sc, const char *group, const char *name,
		   size_t i)
{
	const struct key_def *k;
	union item it = get_item(sc, group, name, T(KEY_ENUM), i);

	get(sc, group, name, &k);
	return k->names[it.u].value;
}

const char *
scenario_string(const struct scenario *sc, const char *group, const char *name)
{
	const struct key_def *k;
	const struct setting *s = get(sc, group, name, &k);

	if (k->type != KEY_STRING)
		g_error("scenario: %s.%s is not text", group, name);
	return s->raw;
}

size_t
scenario_list_len(const struct scenario *sc, const char *group, const char *name)
{
	return get(sc, group, name, NULL)->n;
}

bool
scenario_list_has(const struct scenario *sc, const char *group, const char *name,
		  const char *choice)
{
	const struct key_def *k;
	const struct setting *s = get(sc, group, name, &k);
	const struct fc_enum_name *c;

	if (k->type != KEY_ENUM)
		g_error("scenario: %s.%s is not a choice", group, name);
	c = fc_enum_find(k->names, choice);
	if (!c)
		g_error("scenario: '%s' is not a choice of %s.%s", choice, group, name);
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].u == (uint64_t)(c - k->names))
			return true;
	return false;
}

uint64_t
scenario_list_u64(const struct scenario *sc, const char *group, const char *name,
		  size_t i)
{
	return get_item(sc, group, name,
			T(KEY_DURATION) | T(KEY_SIZE) | T(KEY_RATE) | T(KEY_COUNT), i).u;
}

double
scenario_list_real(const struct scenario *sc, const char *group, const char *name,
		   size_t i)
{
	return get_item(sc, group, name, T(KEY_REAL) | T(KEY_RATIO), i).d;
}

const char *
scenario_name(const struct scenario *sc)
{
	const char *n = scenario_string(sc, "scenario", "name");

	return *n ? n : sc->name;
}

const char *
scenario_text(const struct scenario *sc)
{
	return sc->text;
}

const struct key_table *
scenario_keys_table(const struct scenario *sc)
{
	return sc->t;
}

const char *
scenario_value_text(const struct scenario *sc, const char *group, const char *name)
{
	return get(sc, group, name, NULL)->text;
}

const char *
scenario_where(const struct scenario *sc, const char *group, const char *name)
{
	return get(sc, group, name, NULL)->where;
}

bool
scenario_is_set(const struct scenario *sc, const char *group, const char *name)
{
	return get(sc, group, name, NULL)->set;
}

/* Canonical values, one line per key; newlines in text escaped. */
static char *
params_text(const struct scenario *sc, bool with_meta)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < sc->t->n; i++) {
		const struct key_def *k = &sc->t->defs[i];
		g_autofree char *value = NULL;

		if (!with_meta && (k->flags & KEY_META))
			continue;
		value = g_strescape(sc->v[i].text, NULL);
		g_string_append_printf(s, "%s.%s = %s\n", k->group, k->name, value);
	}
	return g_string_free(s, FALSE);
}

char *
scenario_params(const struct scenario *sc)
{
	return params_text(sc, true);
}

static char *
hash16(const char *text)
{
	g_autofree char *hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);

	return g_strndup(hex, 16);
}

char *
scenario_point_key(const struct scenario *sc)
{
	g_autofree char *p = params_text(sc, false);

	return hash16(p);
}

char *
scenario_run_key(const struct scenario *sc, uint64_t replication)
{
	g_autofree char *p = params_text(sc, false);
	g_autofree char *all = g_strdup_printf("%sreplication = %" G_GUINT64_FORMAT "\n",
					       p, replication);

	return hash16(all);
}

gboolean
scenario_invalid(const struct scenario *sc, GError **err, const char *group,
		 const char *name, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INVALID, "%s: [%s] %s: %s",
		    scenario_where(sc, group, name), group, name, msg);
	return FALSE;
}
