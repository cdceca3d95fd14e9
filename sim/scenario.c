/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/scenario.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/autoptr.h"
#include "sim/datadir.h"
#include "sim/keyfile.h"
#include "sim/value.h"

#define MAX_INCLUDE_DEPTH 16

struct setting {
	char *text;   /* canonical */
	char *raw;    /* KEY_STRING: the text itself */
	char *where;  /* "default", "file:line", "--set" */
	bool set;
	size_t n;
	union value *items;
};

struct scenario {
	const struct key_table *t;
	char *name;     /* from the main file's name */
	char *path;     /* the main file, "" for scenario_new() */
	char *text;
	struct setting *v; /* t->n of them */
};

G_DEFINE_QUARK(flashcoop-scenario-error-quark, scenario_error)

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
		out.items = g_new0(union value, MAX(n, 1u));
		for (guint i = 0; i < n; i++) {
			g_autofree char *canon_item = NULL;
			char *item = g_strstrip(parts[i]);

			if (!*item) {
				g_autofree char *what = value_expected(k);

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
			if (!value_parse(k, item, &out.items[i], why) ||
			    !value_check_range(k, out.items[i], item, why))
				goto fail;
			canon_item = value_format(k, out.items[i]);
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

struct scenario *
scenario_new(const struct key_table *t)
{
	struct scenario *sc = g_new0(struct scenario, 1);

	sc->t = t;
	sc->name = g_strdup("default");
	sc->path = g_strdup("");
	sc->text = g_strdup("");
	sc->v = g_new0(struct setting, t->n);
	for (size_t i = 0; i < t->n; i++) {
		char *why = NULL;

		if (!t->defs[i].def && t->defs[i].type != KEY_STRING) {
			/* No default: no value until one is set. */
			sc->v[i].text = g_strdup("");
			sc->v[i].where = g_strdup("unset");
			continue;
		}
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
	c->path = g_strdup(sc->path);
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
	g_free(sc->path);
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
		g_autofree char *shown = keys_shorten(dotted);
		g_autofree char *shown_group = group ? keys_shorten(group) : NULL;
		g_autofree char *shown_key = dot ? keys_shorten(dot + 1) : NULL;

		if (!dot)
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
				    "%s: '%s' is not a key: expected group.key", where,
				    shown);
		else if (!keys_group_exists(sc->t, group) && !near)
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
				    "%s: unknown group [%s] in '%s'", where, shown_group,
				    shown);
		else if (near)
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
				    "%s: unknown key '%s'; did you mean '%s'?", where,
				    shown, near);
		else
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
				    "%s: unknown key '%s' in [%s]", where, shown_key,
				    shown_group);
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

const struct key_def *
scenario_missing(const struct scenario *sc)
{
	for (size_t i = 0; i < sc->t->n; i++)
		if (!sc->t->defs[i].def && !sc->v[i].set)
			return &sc->t->defs[i];
	return NULL;
}

void
scenario_warn_if_set(const struct scenario *sc, GPtrArray *warnings, const char *group,
		     const char *name, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *why = NULL;

	if (!scenario_is_set(sc, group, name))
		return;
	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(warnings, g_strdup_printf("%s: [%s] %s has no effect: %s",
						  scenario_where(sc, group, name), group,
						  name, why));
}

/* ---- Reading files. ---- */

/* Whether group is one of a sweep file's ([sweep], [vary], [lockstep NAME]). */
static bool
is_sweep_group(const char *group)
{
	return strcmp(group, "sweep") == 0 || strcmp(group, "vary") == 0 ||
	       strcmp(group, "lockstep") == 0 || g_str_has_prefix(group, "lockstep ");
}

/* Checks the entries' groups and keys against the table. */
static gboolean
check_names(const struct key_table *t, const char *path, GPtrArray *entries,
	    GError **err)
{
	for (guint i = 0; i < entries->len; i++) {
		struct keyfile_entry *en = entries->pdata[i];
		const char *near;
		const struct key_def *k;
		g_autofree char *group = keys_shorten(en->group), *key = NULL;

		if (!en->key) {
			if (keys_group_exists(t, en->group))
				continue;
			if (is_sweep_group(en->group))
				return keyfile_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
						     path, en->line, "[%s] is a group of a "
						     "sweep file, not of a scenario: run it "
						     "with flashcoop sweep %s", group, path);
			near = keys_suggest_group(t, en->group);
			if (near)
				return keyfile_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
						     path, en->line, "unknown group [%s]; "
						     "did you mean [%s]?", group, near);
			return keyfile_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
					     path, en->line, "unknown group [%s]", group);
		}
		k = keys_find(t, en->group, en->key);
		key = keys_shorten(en->key);
		if (!k) {
			near = keys_suggest_key(t, en->group, en->key);
			if (near)
				return keyfile_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
						     path, en->line, "unknown key '%s' in "
						     "[%s]; did you mean '%s'?", key, group,
						     near);
			return keyfile_error(err, SCENARIO_ERROR, SCENARIO_ERROR_UNKNOWN,
					     path, en->line, "unknown key '%s' in [%s]",
					     key, group);
		}
		if (k->type != KEY_STRING && !(k->flags & KEY_LIST) &&
		    !*g_strstrip(en->value)) {
			g_autofree char *what = value_expected(k);

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
		if (!g_file_test(target, G_FILE_TEST_EXISTS)) {
			/* Not beside the file: an installed base scenario. */
			char *installed = datadir_find(value);

			if (installed) {
				g_free(target);
				target = installed;
			}
		}
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
	g_free(sc->path);
	sc->path = g_strdup(path);
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

static union value
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
	if (s->n == 0)
		g_error("scenario: %s.%s is read but has no value", group, name);
	return k->names[s->items[0].u].value;
}

int
scenario_list_enum(const struct scenario *sc, const char *group, const char *name,
		   size_t i)
{
	const struct key_def *k;
	union value it = get_item(sc, group, name, T(KEY_ENUM), i);

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

uint64_t
scenario_list_u64(const struct scenario *sc, const char *group, const char *name,
		  size_t i)
{
	return get_item(sc, group, name,
			T(KEY_DURATION) | T(KEY_SIZE) | T(KEY_RATE) | T(KEY_COUNT), i).u;
}

const char *
scenario_name(const struct scenario *sc)
{
	const char *n = scenario_string(sc, "scenario", "name");

	return *n ? n : sc->name;
}

const char *
scenario_file(const struct scenario *sc)
{
	return sc->path;
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
