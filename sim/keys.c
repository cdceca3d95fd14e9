/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/keys.h"

#include <string.h>

#include <glib.h>

#include "flashcoop/quantity.h"

const struct key_def *
keys_find(const struct key_table *t, const char *group, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->defs[i].group, group) == 0 &&
		    strcmp(t->defs[i].name, name) == 0)
			return &t->defs[i];
	return NULL;
}

const struct key_def *
keys_find_dotted(const struct key_table *t, const char *dotted)
{
	const char *dot = strchr(dotted, '.');
	g_autofree char *group = NULL;

	if (!dot)
		return NULL;
	group = g_strndup(dotted, (gsize)(dot - dotted));
	return keys_find(t, group, dot + 1);
}

bool
keys_group_exists(const struct key_table *t, const char *group)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->defs[i].group, group) == 0)
			return true;
	return false;
}

const char *
keys_type_name(const struct key_def *k)
{
	static const char *const names[] = {
		[KEY_DURATION] = "duration", [KEY_SIZE] = "size",
		[KEY_RATE] = "rate",         [KEY_RATIO] = "ratio",
		[KEY_COUNT] = "count",       [KEY_REAL] = "real",
		[KEY_BOOL] = "boolean",      [KEY_ENUM] = "choice",
		[KEY_STRING] = "text",
	};
	return names[k->type];
}

char *
keys_join_names(const struct fc_enum_name *names, const char *sep)
{
	GString *s = g_string_new(NULL);

	for (const struct fc_enum_name *c = names; c->name; c++)
		g_string_append_printf(s, "%s%s", c == names ? "" : sep, c->name);
	return g_string_free(s, FALSE);
}

char *
keys_choices(const struct key_def *k, const char *sep)
{
	g_assert(k->type == KEY_ENUM && k->names);
	return keys_join_names(k->names, sep);
}

/* The names of a unit table, joined by ", ". */
static char *
join_units(const struct fc_unit *(*table)(size_t *n))
{
	size_t n;
	const struct fc_unit *u = table(&n);
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < n; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", u[i].name);
	return g_string_free(s, FALSE);
}

char *
keys_type_units(const struct key_def *k)
{
	switch (k->type) {
	case KEY_DURATION:
		return join_units(fc_time_units);
	case KEY_SIZE:
		return join_units(fc_size_units);
	case KEY_RATE:
		return join_units(fc_rate_units);
	case KEY_RATIO:
		return g_strdup("0.3 or 30%");
	case KEY_COUNT:
	case KEY_REAL:
		return g_strdup(k->unit ? k->unit : "");
	case KEY_BOOL:
		return g_strdup("true, false");
	case KEY_ENUM:
		return keys_choices(k, "|");
	case KEY_STRING:
		break;
	}
	return g_strdup("");
}

/*
 * Optimal-string-alignment distance (Levenshtein plus transpositions) on
 * lower-cased text, so that "Cooperator" and "coopreators" both find
 * "cooperators".
 */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	g_autofree size_t *d = g_new(size_t, (la + 1) * (lb + 1));

#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			char ca = g_ascii_tolower(a[i - 1]), cb = g_ascii_tolower(b[j - 1]);
			size_t best = D(i - 1, j - 1) + (ca != cb);

			best = MIN(best, D(i - 1, j) + 1);
			best = MIN(best, D(i, j - 1) + 1);
			if (i > 1 && j > 1 && ca == g_ascii_tolower(b[j - 2]) &&
			    g_ascii_tolower(a[i - 2]) == cb)
				best = MIN(best, D(i - 2, j - 2) + 1);
			D(i, j) = best;
		}
	}
	return D(la, lb);
#undef D
}

const char *
keys_suggest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	size_t wlen = strlen(word);

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(candidates[i]);
		/* One slip in a short name, up to a third of a long one. */
		size_t limit = MAX((size_t)1, MIN((size_t)3, len / 3));
		size_t d;

		/* The distance is at least the difference of the lengths. */
		if (wlen > len + limit || len > wlen + limit)
			continue;
		d = edit_distance(word, candidates[i]);
		if (d <= limit && d < best_d) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best;
}

char *
keys_shorten(const char *text)
{
	const char *end;

	if (!g_utf8_validate(text, -1, NULL)) {
		/* Not UTF-8 (a message about that follows): cut at bytes. */
		if (strlen(text) <= KEYS_QUOTE_MAX)
			return g_strdup(text);
		return g_strdup_printf("%.*s...", KEYS_QUOTE_MAX, text);
	}
	if (g_utf8_strlen(text, -1) <= KEYS_QUOTE_MAX)
		return g_strdup(text);
	end = g_utf8_offset_to_pointer(text, KEYS_QUOTE_MAX);
	return g_strdup_printf("%.*s...", (int)(end - text), text);
}

const char *
keys_suggest_option(const GOptionEntry *entries, char **args)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new();

	for (const GOptionEntry *e = entries; e->long_name; e++)
		g_ptr_array_add(names, (gpointer)e->long_name);
	for (size_t i = 0; args && args[i]; i++) {
		g_autofree char *name = NULL;
		bool known = false;

		if (!g_str_has_prefix(args[i], "--") || !args[i][2])
			continue;
		name = g_strndup(args[i] + 2, strcspn(args[i] + 2, "="));
		for (guint j = 0; j < names->len; j++)
			known = known || strcmp(name, names->pdata[j]) == 0;
		if (!known)
			return keys_suggest(name, (const char *const *)names->pdata,
					    names->len);
	}
	return NULL;
}

const char *
keys_suggest_group(const struct key_table *t, const char *group)
{
	g_autoptr(GPtrArray) groups = g_ptr_array_new();

	for (size_t i = 0; i < t->n; i++)
		if (i == 0 || strcmp(t->defs[i].group, t->defs[i - 1].group) != 0)
			g_ptr_array_add(groups, (gpointer)t->defs[i].group);
	return keys_suggest(group, (const char *const *)groups->pdata, groups->len);
}

const char *
keys_suggest_key(const struct key_table *t, const char *group, const char *name)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new();

	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->defs[i].group, group) == 0)
			g_ptr_array_add(names, (gpointer)t->defs[i].name);
	return keys_suggest(name, (const char *const *)names->pdata, names->len);
}

char *
keys_suggest_dotted(const struct key_table *t, const char *dotted)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *best;

	for (size_t i = 0; i < t->n; i++)
		g_ptr_array_add(names, g_strdup_printf("%s.%s", t->defs[i].group,
						       t->defs[i].name));
	best = keys_suggest(dotted, (const char *const *)names->pdata, names->len);
	return g_strdup(best);
}

/* "1 to 10", "> 0", "at most 1", or "" */
static char *
range_text(const struct key_def *k)
{
	const char *lo = k->min, *hi = k->max;
	g_autofree char *a = NULL, *b = NULL;

	if (lo)
		a = *lo == '>' ? g_strdup_printf("> %s", lo + 1) : g_strdup_printf(">= %s", lo);
	if (hi)
		b = *hi == '<' ? g_strdup_printf("< %s", hi + 1) : g_strdup_printf("<= %s", hi);
	if (a && b)
		return g_strdup_printf("%s, %s", a, b);
	return g_strdup(a ? a : b ? b : "");
}

static char *
type_text(const struct key_def *k)
{
	return g_strdup_printf("%s%s", (k->flags & KEY_LIST) ? "list of " : "",
			       keys_type_name(k));
}

/* Escapes '|' for a Markdown table cell. */
static void
md_cell(GString *s, const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p == '|')
			g_string_append(s, "\\|");
		else
			g_string_append_c(s, *p);
	}
}

char *
keys_markdown(const struct key_table *t)
{
	GString *s = g_string_new(NULL);

	g_string_append(s,
		"# Scenario keys\n\n"
		"Generated by `flashcoop keys --markdown` from the program's key table;\n"
		"do not edit by hand.\n\n"
		"A scenario is a GLib key file: `[group]` lines, then `key = value`\n"
		"lines; `#` starts a comment line.  Unknown groups and keys are errors.\n"
		"Values carry their units: durations take ns, us, ms, s, min, h, d\n"
		"(`30s`, `1.5ms`); sizes take B, kB, MB, GB, TB (powers of 1000) and\n"
		"KiB, MiB, GiB, TiB (powers of 1024); rates take bit/s, kbit/s, Mbit/s,\n"
		"Gbit/s and B/s, kB/s, MB/s, GB/s (and bps, kbps, Mbps, Gbps, which are\n"
		"bits); ratios are written `0.3` or `30%`;\n"
		"lists separate their items with commas.  `[scenario] include` names a\n"
		"base scenario, read first, whose keys the including file overrides.\n"
		"On the command line, `--set group.key=value` overrides a file.\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct key_def *k = &t->defs[i];
		g_autofree char *range = range_text(k), *type = type_text(k);
		g_autofree char *units = keys_type_units(k);

		if (i == 0 || strcmp(k->group, t->defs[i - 1].group) != 0)
			g_string_append_printf(s,
				"\n## [%s]\n\n"
				"| key | type | unit | default | range | meaning |\n"
				"|---|---|---|---|---|---|\n", k->group);
		g_string_append_printf(s, "| `%s` | %s | ", k->name, type);
		md_cell(s, units);
		g_string_append(s, " | ");
		if (k->def && *k->def)
			g_string_append_printf(s, "`%s`", k->def);
		else if (!k->def)
			g_string_append(s, "(required)");
		g_string_append(s, " | ");
		md_cell(s, range);
		g_string_append(s, " | ");
		md_cell(s, k->doc);
		g_string_append(s, " |\n");
	}
	return g_string_free(s, FALSE);
}

char *
keys_text(const struct key_table *t)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < t->n; i++) {
		const struct key_def *k = &t->defs[i];
		g_autofree char *range = range_text(k), *type = type_text(k);
		g_autofree char *units = keys_type_units(k);

		if (i == 0 || strcmp(k->group, t->defs[i - 1].group) != 0)
			g_string_append_printf(s, "%s[%s]\n", i ? "\n" : "", k->group);
		g_string_append_printf(s, "  %-18s %s", k->name, type);
		if (*units)
			g_string_append_printf(s, " (%s)", units);
		if (k->def)
			g_string_append_printf(s, ", default '%s'", k->def);
		else
			g_string_append(s, ", required");
		if (*range)
			g_string_append_printf(s, ", %s", range);
		g_string_append_printf(s, "\n      %s\n", k->doc);
	}
	return g_string_free(s, FALSE);
}
