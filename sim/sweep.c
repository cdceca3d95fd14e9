/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/autoptr.h"
#include "sim/datadir.h"
#include "sim/keyfile.h"
#include "sim/keys.h"
#include "sim/model.h"
#include "sim/pool.h"
#include "sim/progress.h"
#include "sim/results.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/value.h"

#define MAX_VALUES_PER_KEY 100000
/*
 * Workers at most (-j): each is a process with its own model, so more than
 * this only thrashes a machine; a larger -j is lowered to it, with a word.
 */
#define SWEEP_MAX_JOBS 256
#define MAX_RUNS 1000000

#define EXIT_FAILED 1
#define EXIT_BAD_INPUT 2
/* A worker (`run --worker`) that found its run held by another process. */
#define EXIT_HELD 3
/* A worker that found its run done (by another process, since we looked). */
#define EXIT_DONE_ELSEWHERE 4
/* How often a sweep looks whether runs held by another process ended. */
#define HELD_POLL_US (G_USEC_PER_SEC / 5)
/* A process ended by signal N exits with this plus N, as in the shell. */
#define EXIT_SIGNAL_BASE 128
/* A real range's number of steps is rounded down after this relative and
 * absolute slack, so that 0.1..0.9 step 0.1 has its last value despite
 * rounding. */
#define RANGE_REL_SLACK 1e-12
#define RANGE_ABS_SLACK 1e-9

G_DEFINE_QUARK(flashcoop-sweep-error-quark, sweep_error)

/* One dimension of the product: one [vary] key, or a [lockstep] group. */
struct dim {
	GPtrArray *keys;   /* "group.key" */
	GPtrArray *values; /* per key, a GPtrArray of canonical texts */
	GArray *lines;     /* per key, its line */
	size_t n;
};

static void
dim_free(gpointer p)
{
	struct dim *d = p;

	g_ptr_array_unref(d->keys);
	g_ptr_array_unref(d->values);
	g_array_unref(d->lines);
	g_free(d);
}

static struct dim *
dim_new(void)
{
	struct dim *d = g_new0(struct dim, 1);

	d->keys = g_ptr_array_new_with_free_func(g_free);
	d->values = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	d->lines = g_array_new(FALSE, FALSE, sizeof(unsigned));
	return d;
}

static void
run_free(gpointer p)
{
	struct sweep_run *r = p;

	g_strfreev(r->sets);
	g_free(r->run_key);
	g_free(r->point_key);
	g_free(r);
}

void
sweep_free(struct sweep *sw)
{
	if (!sw)
		return;
	g_free(sw->path);
	g_free(sw->scenario_path);
	if (sw->runs)
		g_ptr_array_unref(sw->runs);
	if (sw->warnings)
		g_ptr_array_unref(sw->warnings);
	g_free(sw);
}

static gboolean
value_error(GError **err, const char *path, unsigned line, const char *group,
	    const char *key, const char *fmt, ...) G_GNUC_PRINTF(6, 7);

static gboolean
value_error(GError **err, const char *path, unsigned line, const char *group,
	    const char *key, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_VALUE, path, line,
			     "[%s] %s: %s", group, key, msg);
}

/* Expands "A..B step S" into canonical values. */
static gboolean
expand_range(const struct key_def *k, const char *text, const char *path,
	     unsigned line, const char *group, const char *dotted, GPtrArray *out,
	     GError **err)
{
	const char *dots = strstr(text, "..");
	const char *step = dots ? strstr(dots + 2, "step") : NULL;
	g_autofree char *a = NULL, *b = NULL, *s = NULL, *why = NULL;
	union value va, vb, vs;
	uint64_t ua, ub, us;
	double da, db, ds;
	size_t n;
	bool real = k->type == KEY_REAL || k->type == KEY_RATIO;

	if (!step)
		return value_error(err, path, line, group, dotted,
				   "a range is written 'FROM..TO step STEP', found '%s'",
				   text);
	a = g_strstrip(g_strndup(text, (gsize)(dots - text)));
	b = g_strstrip(g_strndup(dots + 2, (gsize)(step - dots - 2)));
	s = g_strstrip(g_strdup(step + 4));
	if (k->type == KEY_BOOL || k->type == KEY_ENUM)
		return value_error(err, path, line, group, dotted, "in range '%s': a %s "
				   "cannot be given as a range", text, keys_type_name(k));
	if (!value_parse(k, a, &va, &why) || !value_parse(k, b, &vb, &why) ||
	    !value_parse(k, s, &vs, &why))
		return value_error(err, path, line, group, dotted, "in range '%s': %s",
				   text, why);
	ua = va.u, ub = vb.u, us = vs.u;
	da = va.d, db = vb.d, ds = vs.d;
	if (real ? !(ds > 0) : us == 0)
		return value_error(err, path, line, group, dotted,
				   "the step of '%s' must be greater than 0", text);
	if (real ? db < da : ub < ua)
		return value_error(err, path, line, group, dotted,
				   "range '%s' ends before it starts", text);
	if (real) {
		double count = floor((db - da) / ds * (1 + RANGE_REL_SLACK) + RANGE_ABS_SLACK) + 1;

		n = count > MAX_VALUES_PER_KEY ? MAX_VALUES_PER_KEY + 1 : (size_t)count;
	} else {
		uint64_t count = (ub - ua) / us;

		n = count >= MAX_VALUES_PER_KEY ? MAX_VALUES_PER_KEY + 1 : (size_t)count + 1;
	}
	if (n > MAX_VALUES_PER_KEY)
		return value_error(err, path, line, group, dotted,
				   "range '%s' has more than %d values", text,
				   MAX_VALUES_PER_KEY);
	for (size_t i = 0; i < n; i++) {
		g_autofree char *item = NULL;
		char *canon;

		if (real) {
			char buf[G_ASCII_DTOSTR_BUF_SIZE];

			/* 12 digits wash out the rounding of a + i * s. */
			g_ascii_formatd(buf, sizeof buf, "%.12g", da + (double)i * ds);
			item = g_strdup(buf);
		} else {
			item = value_format(k, (union value){ .u = ua + i * us });
		}
		canon = scenario_parse_value(k, item, &why);
		if (!canon)
			return value_error(err, path, line, group, dotted,
					   "value %zu of range '%s': %s", i + 1, text, why);
		g_ptr_array_add(out, canon);
	}
	return TRUE;
}

/*
 * The values of one varied key: a comma-separated list (';'-separated when
 * the key itself holds a list), or a range.
 */
static gboolean
parse_values(const struct key_def *k, const char *text, const char *path,
	     unsigned line, const char *group, const char *dotted, GPtrArray *out,
	     GError **err)
{
	g_auto(GStrv) items = NULL;

	if (strstr(text, "..") && k->type != KEY_STRING)
		return expand_range(k, text, path, line, group, dotted, out, err);
	items = g_strsplit(text, (k->flags & KEY_LIST) ? ";" : ",", -1);
	for (guint i = 0; items[i]; i++) {
		g_autofree char *why = NULL;
		char *item = g_strstrip(items[i]);
		char *canon;

		if (!*item && !(k->flags & KEY_LIST))
			return value_error(err, path, line, group, dotted,
					   "value %u is empty in '%s'", i + 1, text);
		canon = scenario_parse_value(k, item, &why);
		if (!canon)
			return value_error(err, path, line, group, dotted, "value %u: %s",
					   i + 1, why);
		g_ptr_array_add(out, canon);
	}
	if (out->len > MAX_VALUES_PER_KEY)
		return value_error(err, path, line, group, dotted,
				   "more than %d values", MAX_VALUES_PER_KEY);
	return TRUE;
}

static gboolean
is_lockstep(const char *group)
{
	return strcmp(group, "lockstep") == 0 || g_str_has_prefix(group, "lockstep ");
}

/* Reads the [vary] and [lockstep] groups into dims. */
static gboolean
read_dims(const struct key_table *keys, const char *path, GPtrArray *entries,
	  GPtrArray *dims, GError **err)
{
	g_autoptr(GHashTable) varied = g_hash_table_new_full(g_str_hash, g_str_equal,
							     g_free, NULL);
	struct dim *lock = NULL;
	const char *lock_group = NULL;

	for (guint i = 0; i < entries->len; i++) {
		struct keyfile_entry *en = entries->pdata[i];
		const struct key_def *k;
		struct dim *d;
		GPtrArray *values;
		gpointer first;

		if (!en->key) {
			lock = NULL;
			if (is_lockstep(en->group)) {
				lock = dim_new();
				lock_group = en->group;
				g_ptr_array_add(dims, lock);
			}
			continue;
		}
		if (strcmp(en->group, "vary") != 0 && !is_lockstep(en->group))
			continue;
		k = keys_find_dotted(keys, en->key);
		if (!k) {
			g_autofree char *near = keys_suggest_dotted(keys, en->key);
			g_autofree char *shown = keys_shorten(en->key);

			if (near)
				return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_UNKNOWN,
						     path, en->line, "unknown scenario key "
						     "'%s' in [%s]; did you mean '%s'?",
						     shown, en->group, near);
			return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_UNKNOWN, path,
					     en->line, "unknown scenario key '%s' in [%s] "
					     "(keys are written group.key)", shown,
					     en->group);
		}
		if (strcmp(k->group, "scenario") == 0 && strcmp(k->name, "include") == 0)
			return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_VALUE, path,
					     en->line, "[scenario] include cannot be "
					     "varied; vary the keys it would set");
		if (g_hash_table_lookup_extended(varied, en->key, NULL, &first))
			return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_DUPLICATE, path,
					     en->line, "'%s' is varied twice (first at "
					     "line %u)", en->key, GPOINTER_TO_UINT(first));
		g_hash_table_insert(varied, g_strdup(en->key), GUINT_TO_POINTER(en->line));
		values = g_ptr_array_new_with_free_func(g_free);
		if (!parse_values(k, en->value, path, en->line, en->group, en->key,
				  values, err)) {
			g_ptr_array_unref(values);
			return FALSE;
		}
		if (values->len == 0) {
			g_ptr_array_unref(values);
			return value_error(err, path, en->line, en->group, en->key,
					   "no values");
		}
		d = lock;
		if (!d) {
			d = dim_new();
			g_ptr_array_add(dims, d);
		} else if (d->keys->len && d->n != values->len) {
			unsigned l0 = g_array_index(d->lines, unsigned, 0);
			g_autoptr(GPtrArray) v = values;

			return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_VALUE, path,
					     en->line, "[%s]: '%s' has %u values but '%s' "
					     "(line %u) has %zu; keys in lockstep need as "
					     "many values each", lock_group, en->key,
					     v->len, (char *)d->keys->pdata[0], l0, d->n);
		}
		g_ptr_array_add(d->keys, g_strdup(en->key));
		g_ptr_array_add(d->values, values);
		g_array_append_val(d->lines, en->line);
		d->n = values->len;
	}
	for (guint i = 0; i < dims->len; i++) {
		struct dim *d = dims->pdata[i];

		if (d->keys->len == 0) {
			g_ptr_array_remove_index(dims, i);
			i--;
		}
	}
	return TRUE;
}

/* Reads [sweep]: the scenario and the replications. */
static gboolean
read_header(struct sweep *sw, GPtrArray *entries, GError **err)
{
	static const char *const groups[] = { "sweep", "vary", "lockstep" };
	static const char *const keys[] = { "scenario", "replications" };
	bool have_group = false;

	sw->replications = 1;
	for (guint i = 0; i < entries->len; i++) {
		struct keyfile_entry *en = entries->pdata[i];
		const char *near;
		g_autofree char *shown = NULL;

		if (!en->key) {
			if (strcmp(en->group, "sweep") == 0)
				have_group = true;
			if (strcmp(en->group, "sweep") == 0 || strcmp(en->group, "vary") == 0 ||
			    is_lockstep(en->group))
				continue;
			near = keys_suggest(en->group, groups, G_N_ELEMENTS(groups));
			shown = keys_shorten(en->group);
			if (!near && (strcmp(en->group, "run") == 0 ||
				      strcmp(en->group, "scenario") == 0))
				return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_UNKNOWN,
						     sw->path, en->line, "[%s] is a group of "
						     "a scenario, not of a sweep file: run it "
						     "with flashcoop run %s", shown, sw->path);
			return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_UNKNOWN, sw->path,
					     en->line, "unknown group [%s]%s%s%s", shown,
					     near ? "; did you mean [" : " (a sweep has "
					     "[sweep], [vary] and [lockstep NAME])",
					     near ? near : "", near ? "]?" : "");
		}
		if (strcmp(en->group, "sweep") != 0)
			continue;
		if (strcmp(en->key, "scenario") == 0) {
			char *v = g_strstrip(en->value);
			g_autofree char *dir = g_path_get_dirname(sw->path);

			if (!*v)
				return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_VALUE,
						     sw->path, en->line, "[sweep] scenario: "
						     "the value is missing: expected the "
						     "base scenario's file name");
			sw->scenario_path = g_path_is_absolute(v) || strcmp(dir, ".") == 0 ?
				g_strdup(v) : g_build_filename(dir, v, NULL);
		} else if (strcmp(en->key, "replications") == 0) {
			char *v = g_strstrip(en->value);
			guint64 n;

			if (!g_ascii_isdigit(*v) ||
			    !g_ascii_string_to_unsigned(v, 10, 1, MAX_RUNS, &n, NULL))
				return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_VALUE,
						     sw->path, en->line, "[sweep] "
						     "replications: expected a whole number "
						     "from 1 to %d, found '%s'", MAX_RUNS, v);
			sw->replications = n;
		} else {
			near = keys_suggest(en->key, keys, G_N_ELEMENTS(keys));
			shown = keys_shorten(en->key);
			return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_UNKNOWN, sw->path,
					     en->line, "unknown key '%s' in [sweep]%s%s%s",
					     shown, near ? "; did you mean '" : " (it has "
					     "scenario and replications)", near ? near : "",
					     near ? "'?" : "");
		}
	}
	if (!have_group || !sw->scenario_path)
		return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_MISSING, sw->path, 0,
				     "no base scenario: a sweep needs [sweep] "
				     "scenario = FILE");
	return TRUE;
}

struct sweep *
sweep_load(const struct sim_catalog *cat, const char *path, GError **err)
{
	const struct keyfile_codes codes = {
		SWEEP_ERROR, SWEEP_ERROR_IO, SWEEP_ERROR_SYNTAX, SWEEP_ERROR_DUPLICATE,
	};
	g_autoptr(fc_sweep) sw = g_new0(struct sweep, 1);
	g_autoptr(GPtrArray) entries = NULL;
	g_autoptr(GPtrArray) dims = g_ptr_array_new_with_free_func(dim_free);
	g_autoptr(fc_scenario) base = NULL;
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) point_warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) warned = g_hash_table_new_full(g_str_hash, g_str_equal,
							     g_free, NULL);
	size_t points = 1;

	sw->path = g_strdup(path);
	sw->runs = g_ptr_array_new_with_free_func(run_free);
	sw->warnings = g_ptr_array_new_with_free_func(g_free);
	entries = keyfile_read(path, &codes, NULL, err);
	if (!entries || !read_header(sw, entries, err) ||
	    !read_dims(cat->keys, path, entries, dims, err))
		return NULL;
	base = scenario_load(cat->keys, sw->scenario_path, &e);
	if (!base) {
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_VALUE,
			    "%s: base scenario: %s", path, e->message);
		return NULL;
	}
	for (guint i = 0; i < dims->len; i++) {
		struct dim *d = dims->pdata[i];

		if (points > MAX_RUNS / d->n)
			goto too_big;
		points *= d->n;
	}
	if (points > MAX_RUNS / sw->replications) {
too_big:
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_TOO_BIG,
			    "%s: more than %d runs; split the sweep", path, MAX_RUNS);
		return NULL;
	}
	sw->points = points;

	/* Builds and checks every point; the first dimension varies slowest. */
	for (size_t p = 0; p < points; p++) {
		g_autoptr(fc_scenario) sc = scenario_copy(base);
		g_autoptr(GPtrArray) sets = g_ptr_array_new();
		const struct model_type *mt;
		g_autofree char *point_key = NULL;
		size_t rest = p;

		for (guint i = dims->len; i-- > 0;) {
			struct dim *d = dims->pdata[i];
			size_t idx = rest % d->n;

			rest /= d->n;
			/* Backwards, since each goes in front: the point reads
			 * in the order of the file. */
			for (guint j = d->keys->len; j-- > 0;) {
				const char *key = d->keys->pdata[j];
				const char *value = ((GPtrArray *)d->values->pdata[j])->pdata[idx];
				g_autofree char *where = g_strdup_printf(
					"%s:%u", path, g_array_index(d->lines, unsigned, j));

				if (!scenario_set(sc, key, value, where, err))
					return NULL;
				g_ptr_array_insert(sets, 0, g_strdup_printf("%s=%s", key, value));
			}
		}
		g_ptr_array_set_size(point_warnings, 0);
		mt = sim_catalog_check(cat, sc, point_warnings, &e);
		if (!mt) {
			g_autofree char *joined = NULL;

			g_ptr_array_add(sets, NULL);
			joined = g_strjoinv(", ", (char **)sets->pdata);
			g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_VALUE,
				    "%s: the point %s: %s", path, joined, e->message);
			g_strfreev((char **)g_ptr_array_free(g_steal_pointer(&sets), FALSE));
			return NULL;
		}
		for (guint i = 0; i < point_warnings->len; i++) {
			char *w = point_warnings->pdata[i];

			if (g_hash_table_contains(warned, w))
				continue;
			g_hash_table_add(warned, g_strdup(w));
			g_ptr_array_add(sw->warnings, g_strdup(w));
		}
		g_ptr_array_add(sets, NULL);
		point_key = scenario_point_key(sc);
		for (uint64_t r = 0; r < sw->replications; r++) {
			struct sweep_run *run = g_new0(struct sweep_run, 1);

			run->sets = g_strdupv((char **)sets->pdata);
			run->replication = r;
			run->run_key = scenario_run_key(sc, r);
			run->point_key = g_strdup(point_key);
			g_ptr_array_add(sw->runs, run);
		}
		g_strfreev((char **)g_ptr_array_free(g_steal_pointer(&sets), FALSE));
	}
	return g_steal_pointer(&sw);
}

/* ---- Running. ---- */

/* What every run of a sweep is told besides its point. */
struct run_label {
	const char *name, *hash; /* the sweep's name and file hash */
	bool worker;             /* a local worker (`run --worker --report`) */
	bool rerun_stale;
};

/* The command line of `flashcoop run` for one run; NULL-terminated. */
static char **
run_argv(const char *exe, const char *scenario, const struct sweep_run *run,
	 const char *output, const struct run_label *label)
{
	GPtrArray *a = g_ptr_array_new();

	g_ptr_array_add(a, g_strdup(exe));
	g_ptr_array_add(a, g_strdup("run"));
	g_ptr_array_add(a, g_strdup(scenario));
	for (size_t i = 0; run->sets[i]; i++) {
		g_ptr_array_add(a, g_strdup("--set"));
		g_ptr_array_add(a, g_strdup(run->sets[i]));
	}
	g_ptr_array_add(a, g_strdup("--replication"));
	g_ptr_array_add(a, g_strdup_printf("%" G_GUINT64_FORMAT, run->replication));
	g_ptr_array_add(a, g_strdup("--output"));
	g_ptr_array_add(a, g_strdup(output));
	g_ptr_array_add(a, g_strdup("--quiet"));
	g_ptr_array_add(a, g_strdup("--sweep-name"));
	g_ptr_array_add(a, g_strdup(label->name));
	g_ptr_array_add(a, g_strdup("--sweep-hash"));
	g_ptr_array_add(a, g_strdup(label->hash));
	/* A local worker also reports its progress to the sweep in status
	 * lines on stderr (sim/progress.h), which the pool strips. */
	if (label->worker) {
		g_ptr_array_add(a, g_strdup("--worker"));
		g_ptr_array_add(a, g_strdup("--report"));
	}
	if (label->rerun_stale)
		g_ptr_array_add(a, g_strdup("--rerun-stale"));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

/* The last non-empty line of a worker's stderr, without "flashcoop run: ". */
static char *
last_line(const char *s)
{
	g_auto(GStrv) lines = g_strsplit(s, "\n", -1);
	const char *last = "";

	for (guint i = 0; lines[i]; i++)
		if (*g_strstrip(lines[i]))
			last = lines[i];
	if (g_str_has_prefix(last, "flashcoop run: "))
		last += strlen("flashcoop run: ");
	/* "run 12 failed: why" */
	if (g_str_has_prefix(last, "run ") && strstr(last, " failed: "))
		last = strstr(last, " failed: ") + strlen(" failed: ");
	return g_strdup(last);
}

static char *
describe(const struct sweep_run *run)
{
	g_autofree char *sets = g_strjoinv(", ", run->sets);

	return g_strdup_printf("run %s (%s%sreplication %" G_GUINT64_FORMAT ")",
			       run->run_key, sets, *sets ? ", " : "", run->replication);
}

struct tally {
	unsigned done, failed, interrupted;
	unsigned elsewhere; /* done by another process while this one waited */
};

/* What the pool's callbacks need: the runs, and the tally so far. */
struct sweep_pool {
	const char *exe, *output;
	const struct sweep *sw;
	const struct run_label *label;
	GPtrArray *to_run;
	GPtrArray *held;   /* runs another process was running: come back later */
	unsigned total;    /* the runs to do when the sweep started */
	struct progress *progress;
	struct tally t;
	/* Per job: when it started, the fraction of its simulated time done
	 * and its headline, from its status lines; and the sum of the
	 * fractions of the jobs in flight, for the ETA. */
	gint64 *started;
	double *frac;
	char **headline;
	double in_flight;
};

static char **
pool_argv(void *user, size_t i)
{
	struct sweep_pool *p = user;

	p->started[i] = g_get_monotonic_time();
	return run_argv(p->exe, p->sw->scenario_path, p->to_run->pdata[i], p->output,
			p->label);
}

/* A status line of a worker (sim/progress.h). */
static void
pool_status(void *user, size_t i, const char *text)
{
	struct sweep_pool *p = user;

	if (g_str_has_prefix(text, "progress ")) {
		double f = g_ascii_strtod(text + strlen("progress "), NULL);

		if (!(f >= 0 && f <= 1))
			return;
		p->in_flight += f - p->frac[i];
		p->frac[i] = f;
	} else if (g_str_has_prefix(text, "done ")) {
		g_free(p->headline[i]);
		p->headline[i] = g_strdup(text + strlen("done "));
	}
}

/* Reports how a run ended. */
static void
pool_done(void *user, size_t i, int st, const char *err)
{
	struct sweep_pool *p = user;
	g_autofree char *msg = last_line(err);
	g_autofree char *what = describe(p->to_run->pdata[i]);
	double wall = (double)(g_get_monotonic_time() - p->started[i]) / G_USEC_PER_SEC;

	p->in_flight -= p->frac[i];
	p->frac[i] = 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		g_autofree char *line = NULL;
		unsigned finished;

		p->t.done++;
		finished = p->t.done + p->t.elsewhere + p->t.failed + p->t.interrupted;
		line = g_strdup_printf("%s done in %.1fs (%u of %u): %s", what, wall,
				       finished, p->total,
				       p->headline[i] ? p->headline[i] : "done already");
		progress_sweep_line(p->progress, line, finished, p->total, p->in_flight);
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_DONE_ELSEWHERE) {
		p->t.elsewhere++;
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_HELD) {
		g_ptr_array_add(p->held, p->to_run->pdata[i]);
	} else if ((WIFEXITED(st) && WEXITSTATUS(st) > EXIT_SIGNAL_BASE) || WIFSIGNALED(st)) {
		p->t.interrupted++;
		progress_clear(p->progress);
		fprintf(stderr, "flashcoop sweep: %s interrupted%s%s\n", what,
			*msg ? ": " : "", msg);
	} else {
		p->t.failed++;
		progress_clear(p->progress);
		if (WIFEXITED(st) && WEXITSTATUS(st) == POOL_EXIT_NOT_STARTED)
			fprintf(stderr, "flashcoop sweep: %s: cannot start the worker\n", what);
		else
			fprintf(stderr, "flashcoop sweep: %s failed: %s\n", what,
				*msg ? msg : "(no message)");
	}
}

static void
pool_progress(void *user, unsigned running)
{
	struct sweep_pool *p = user;

	progress_sweep(p->progress, p->t.done + p->t.elsewhere, p->t.failed, running,
		       p->total, p->in_flight);
}

/* Writes DIR/jobs.txt (and DIR/sweep.slurm) for running elsewhere. */
static int
emit(const struct sweep *sw, const char *exe, const char *kind, const char *dir,
     const struct run_label *label)
{
	g_autofree char *adir = NULL, *scen = realpath(sw->scenario_path, NULL);
	g_autofree char *jobs_path = NULL, *runs_dir = NULL;
	g_autoptr(GString) jobs = g_string_new(NULL);
	g_autoptr(GError) err = NULL;

	if (g_mkdir_with_parents(dir, 0777) != 0) {
		fprintf(stderr, "flashcoop sweep: cannot create %s: %s\n", dir,
			g_strerror(errno));
		return EXIT_FAILED;
	}
	adir = realpath(dir, NULL);
	runs_dir = g_build_filename(adir, "runs", NULL);
	jobs_path = g_build_filename(adir, "jobs.txt", NULL);
	if (g_mkdir_with_parents(runs_dir, 0777) != 0) {
		fprintf(stderr, "flashcoop sweep: cannot create %s: %s\n", runs_dir,
			g_strerror(errno));
		return EXIT_FAILED;
	}
	for (guint i = 0; i < sw->runs->len; i++) {
		const struct sweep_run *run = sw->runs->pdata[i];
		g_autofree char *name = g_strdup_printf("%s.db", run->run_key);
		g_autofree char *out = g_build_filename(runs_dir, name, NULL);
		g_auto(GStrv) argv = run_argv(exe, scen, run, out, label);

		for (size_t j = 0; argv[j]; j++) {
			g_autofree char *q = g_shell_quote(argv[j]);

			g_string_append_printf(jobs, "%s%s", j ? " " : "", q);
		}
		g_string_append_c(jobs, '\n');
	}
	if (!g_file_set_contents(jobs_path, jobs->str, (gssize)jobs->len, &err)) {
		fprintf(stderr, "flashcoop sweep: %s\n", err->message);
		return EXIT_FAILED;
	}
	if (strcmp(kind, "slurm") == 0) {
		g_autofree char *script_path = g_build_filename(adir, "sweep.slurm", NULL);
		g_autofree char *logs = g_build_filename(adir, "logs", NULL);
		g_autofree char *qjobs = g_shell_quote(jobs_path);
		g_autofree char *base = g_path_get_basename(sw->path);
		g_autofree char *script = g_strdup_printf(
			"#!/bin/sh\n"
			"# Slurm job array for the sweep %s: one task per run.\n"
			"# Submit with: sbatch %s\n"
			"# Then combine: flashcoop merge OUT.db %s/*.db\n"
			"#SBATCH --job-name=flashcoop-sweep\n"
			"#SBATCH --array=1-%u\n"
			"#SBATCH --ntasks=1\n"
			"#SBATCH --cpus-per-task=1\n"
			"#SBATCH --output=%s/%%A_%%a.log\n"
			"set -eu\n"
			"line=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" %s)\n"
			"eval \"exec $line\"\n",
			base, script_path, runs_dir, sw->runs->len, logs, qjobs);

		if (g_mkdir_with_parents(logs, 0777) != 0 ||
		    !g_file_set_contents(script_path, script, -1, &err)) {
			fprintf(stderr, "flashcoop sweep: cannot write %s: %s\n", script_path,
				err ? err->message : g_strerror(errno));
			return EXIT_FAILED;
		}
		chmod(script_path, 0755);
		printf("%u runs: %s\nsubmit: sbatch %s\nthen:   flashcoop merge OUT.db "
		       "%s/*.db\n", sw->runs->len, jobs_path, script_path, runs_dir);
	} else {
		printf("%u runs: %s\nrun:  parallel --joblog %s/joblog < %s\nthen: "
		       "flashcoop merge OUT.db %s/*.db\n", sw->runs->len, jobs_path,
		       adir, jobs_path, runs_dir);
	}
	return 0;
}

/*
 * The sweep's name (its file name without the extension) and the first 16
 * hex digits of the SHA-256 of its file, recorded with each run.
 */
static gboolean
sweep_label(const struct sweep *sw, char **name, char **hash, GError **err)
{
	g_autofree char *text = NULL, *sum = NULL, *base = g_path_get_basename(sw->path);
	gsize len;
	char *dot = strrchr(base, '.');

	if (!g_file_get_contents(sw->path, &text, &len, err))
		return FALSE;
	if (dot && dot != base)
		*dot = '\0';
	sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)text, len);
	*name = g_strdup(base);
	*hash = g_strndup(sum, 16);
	return TRUE;
}

/*
 * Waits until no live process holds any of the held runs, then puts those
 * that are not done into to_run and counts the others in *elsewhere.
 */
static gboolean
wait_for_held(const char *output, GPtrArray *held, volatile sig_atomic_t *sig,
	      unsigned *elsewhere, GPtrArray *to_run, GError **err)
{
	g_autoptr(fc_results) db = results_open(output, RESULTS_NO_VERIFY, err);
	g_autoptr(GHashTable) done = NULL;

	if (!db)
		return FALSE;
	for (guint i = 0; i < held->len && !*sig;) {
		const struct sweep_run *run = held->pdata[i];
		gboolean busy;

		if (!results_key_held(db, run->run_key, &busy, err))
			return FALSE;
		if (busy)
			g_usleep(HELD_POLL_US);
		else
			i++;
	}
	if (*sig)
		return TRUE;
	/* Rows left 'running' by processes that died meanwhile. */
	{
		unsigned reaped;

		if (!results_reap_stale(db, &reaped, err))
			return FALSE;
	}
	if (!(done = results_done_keys(db, err)))
		return FALSE;
	for (guint i = 0; i < held->len; i++) {
		struct sweep_run *run = held->pdata[i];

		if (g_hash_table_contains(done, run->run_key))
			(*elsewhere)++;
		else
			g_ptr_array_add(to_run, run);
	}
	return TRUE;
}

int
sweep_main(const struct sim_catalog *cat, const char *version, int argc, char **argv,
	   volatile sig_atomic_t *sig, volatile sig_atomic_t *exit_at_once)
{
	gint jobs = 0;
	gboolean resume = FALSE, quiet = FALSE, rerun_stale = FALSE;
	g_autofree char *output = NULL, *emit_kind = NULL, *exe = NULL, *every = NULL;
	double every_s = PROGRESS_LINE_EVERY_S;
	GOptionEntry entries[] = {
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
		  "runs at a time, each in its own process (default: the number of "
		  "cores)", "N" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "results database, created if missing (default results.db)", "FILE" },
		{ "resume", 0, 0, G_OPTION_ARG_NONE, &resume,
		  "continue a sweep in FILE: skip its done runs, run the rest again "
		  "(running into an existing FILE does the same; --resume also "
		  "requires that FILE exists)", NULL },
		{ "rerun-stale", 0, 0, G_OPTION_ARG_NONE, &rerun_stale,
		  "run again, and replace, the runs done in FILE by another version "
		  "of flashcoop (otherwise the sweep refuses to mix versions)", NULL },
		{ "emit", 0, 0, G_OPTION_ARG_STRING, &emit_kind,
		  "write the runs as a job list for GNU parallel or a Slurm job array "
		  "into DIR instead of running them", "parallel|slurm DIR" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "no progress line, no summary", NULL },
		{ "progress-every", 0, 0, G_OPTION_ARG_STRING, &every,
		  "when stderr is not a terminal, a progress line this often, "
		  "besides one per finished run (default 10s)", "DURATION" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("SWEEP.ini");
	g_autoptr(GError) err = NULL;
	g_autoptr(fc_sweep) sw = NULL;
	g_autoptr(fc_results) db = NULL;
	g_autoptr(GHashTable) done = NULL;
	g_autoptr(GPtrArray) to_run = g_ptr_array_new();
	static const struct pool_ops ops = {
		pool_argv, pool_done, pool_progress, PROGRESS_STATUS_PREFIX, pool_status,
	};
	g_autoptr(GPtrArray) held = g_ptr_array_new();
	struct sweep_pool p = { 0 };
	struct run_label label = { 0 };
	g_autofree char *sweep_name = NULL, *sweep_hash = NULL;
	unsigned stale = 0;
	const char *stale_version = NULL;
	gboolean ok = TRUE;
	g_autoptr(GPtrArray) split = NULL;
	g_autofree char **args = NULL;
	g_auto(GStrv) given = NULL;

	g_option_context_set_summary(ctx,
		"Runs every point of a parameter sweep, times its replications, into\n"
		"one results database; runs already done there are skipped.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	/* GOption wants "-j 2"; accept "-j2" as make does. */
	split = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "-j", 2) == 0 && g_ascii_isdigit(argv[i][2])) {
			g_ptr_array_add(split, g_strdup("-j"));
			g_ptr_array_add(split, g_strdup(argv[i] + 2));
		} else {
			g_ptr_array_add(split, g_strdup(argv[i]));
		}
	}
	/* NULL-terminated, as argv is. */
	args = g_new0(char *, split->len + 1);
	memcpy(args, split->pdata, split->len * sizeof(char *));
	argc = (int)split->len;
	argv = args;
	given = g_strdupv(argv);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		const char *near = err->code == G_OPTION_ERROR_UNKNOWN_OPTION ?
			keys_suggest_option(entries, given) : NULL;

		fprintf(stderr, "flashcoop sweep: %s%s%s%s\n", err->message,
			near ? "; did you mean --" : "", near ? near : "", near ? "?" : "");
		return EXIT_BAD_INPUT;
	}
	if (argc != (emit_kind ? 3 : 2)) {
		fprintf(stderr, "flashcoop sweep: expected %s (see flashcoop sweep --help)\n",
			emit_kind ? "SWEEP.ini and the DIR of --emit" : "one SWEEP.ini");
		return EXIT_BAD_INPUT;
	}
	if (emit_kind && strcmp(emit_kind, "parallel") != 0 &&
	    strcmp(emit_kind, "slurm") != 0) {
		static const char *const kinds[] = { "parallel", "slurm" };
		const char *near = keys_suggest(emit_kind, kinds, G_N_ELEMENTS(kinds));
		g_autofree char *shown = keys_shorten(emit_kind);

		fprintf(stderr, "flashcoop sweep: --emit: expected parallel or slurm, "
			"found '%s'%s%s%s\n", shown, near ? "; did you mean '" : "",
			near ? near : "", near ? "'?" : "");
		return EXIT_BAD_INPUT;
	}
	if (every) {
		fc_time_t t;
		g_autofree char *why = NULL;

		if (!value_parse_duration(every, &t, &why) || t == 0) {
			fprintf(stderr, "flashcoop sweep: --progress-every: %s\n",
				why ? why : "must be more than 0s");
			return EXIT_BAD_INPUT;
		}
		every_s = fc_time_to_sec(t);
	}
	if (jobs < 0) {
		fprintf(stderr, "flashcoop sweep: --jobs must be at least 1\n");
		return EXIT_BAD_INPUT;
	}
	if (jobs == 0)
		jobs = (gint)g_get_num_processors();
	if (jobs > SWEEP_MAX_JOBS) {
		fprintf(stderr, "flashcoop sweep: -j %d is more workers than make "
			"sense; using %d\n", jobs, SWEEP_MAX_JOBS);
		jobs = SWEEP_MAX_JOBS;
	}
	if (!output)
		output = g_strdup("results.db");
	{
		/* An installed sweep is found from any directory. */
		g_autofree char *path = datadir_resolve(argv[1]);

		sw = sweep_load(cat, path, &err);
	}
	if (!sw) {
		fprintf(stderr, "flashcoop sweep: %s\n", err->message);
		return EXIT_BAD_INPUT;
	}
	exe = g_file_read_link("/proc/self/exe", NULL);
	if (!exe)
		exe = g_find_program_in_path(g_get_prgname() ? g_get_prgname() : "flashcoop");
	if (!exe) {
		fprintf(stderr, "flashcoop sweep: cannot find the program's own file\n");
		return EXIT_FAILED;
	}
	if (!sweep_label(sw, &sweep_name, &sweep_hash, &err)) {
		fprintf(stderr, "flashcoop sweep: %s\n", err->message);
		return EXIT_BAD_INPUT;
	}
	label = (struct run_label){ .name = sweep_name, .hash = sweep_hash };
	for (guint i = 0; i < sw->warnings->len; i++)
		fprintf(stderr, "flashcoop sweep: warning: %s\n",
			(char *)sw->warnings->pdata[i]);
	if (emit_kind)
		return emit(sw, exe, emit_kind, argv[2], &label);
	label.worker = true;
	label.rerun_stale = rerun_stale;

	/* From here on, what the sweep does is written down: a signal is
	 * passed on to the workers and waited for. */
	*exit_at_once = 0;
	if (resume && !g_file_test(output, G_FILE_TEST_EXISTS)) {
		fprintf(stderr, "flashcoop sweep: --resume: %s does not exist\n", output);
		return EXIT_BAD_INPUT;
	}
	/*
	 * Opening checks the file and marks the runs of dead processes
	 * interrupted.  Runs that live processes are running (another sweep
	 * into the same file, or the workers of a sweep that was killed,
	 * finishing their run) are claimed: the workers hand them back, and
	 * the sweep comes back to them once those processes are done.
	 */
	db = results_open(output, RESULTS_CREATE, &err);
	if (!db)
		goto db_error;
	if (!(done = results_done_keys(db, &err)))
		goto db_error;
	results_close(g_steal_pointer(&db));
	for (guint i = 0; i < sw->runs->len; i++) {
		struct sweep_run *run = sw->runs->pdata[i];
		const char *v = g_hash_table_lookup(done, run->run_key);

		if (v && strcmp(v, version) != 0) {
			stale++;
			stale_version = v;
		}
		if (!v || (rerun_stale && strcmp(v, version) != 0))
			g_ptr_array_add(to_run, run);
	}
	if (stale && !rerun_stale) {
		fprintf(stderr, "flashcoop sweep: %s: %u runs of this sweep are done there "
			"by another version of flashcoop (%s; this is %s); refusing to "
			"mix the results of two versions (--rerun-stale runs them again "
			"and replaces them; or write to another file)\n", output, stale,
			stale_version, version);
		return EXIT_BAD_INPUT;
	}
	if (!quiet)
		printf("sweep %s: %u runs (%zu points x %" G_GUINT64_FORMAT
		       " replications), %u already done, %u to run with %d workers\n",
		       sw->path, sw->runs->len, sw->points, sw->replications,
		       sw->runs->len - to_run->len, to_run->len, MIN(jobs, (gint)MAX(to_run->len, 1u)));
	fflush(stdout);
	p = (struct sweep_pool){
		.exe = exe, .output = output, .sw = sw, .label = &label,
		.to_run = to_run, .held = held, .total = to_run->len,
		.progress = progress_new(progress_mode_for_stderr(quiet), every_s,
					 "flashcoop sweep"),
		/* Per job of one round; a later round (held runs) has fewer. */
		.started = g_new0(gint64, MAX(to_run->len, 1u)),
		.frac = g_new0(double, MAX(to_run->len, 1u)),
		.headline = g_new0(char *, MAX(to_run->len, 1u) + 1),
	};
	/*
	 * Runs what is to run; then, while some runs were held by other
	 * processes, waits for those processes and runs again what they did
	 * not finish.
	 */
	while (ok && to_run->len && !*sig) {
		ok = pool_run(to_run->len, (unsigned)jobs, sig, &ops, &p, &err);
		for (guint i = 0; i < to_run->len; i++) {
			g_clear_pointer(&p.headline[i], g_free);
			p.frac[i] = 0;
		}
		p.in_flight = 0;
		g_ptr_array_set_size(to_run, 0);
		if (!ok || !held->len || *sig)
			break;
		progress_clear(p.progress);
		if (!quiet)
			fprintf(stderr, "flashcoop sweep: %u run%s being run by another "
				"process; waiting for it\n", held->len,
				held->len == 1 ? " is" : "s are");
		if (!wait_for_held(output, held, sig, &p.t.elsewhere, to_run, &err)) {
			ok = FALSE;
			break;
		}
		g_ptr_array_set_size(held, 0);
	}
	progress_clear(p.progress);
	progress_free(p.progress);
	g_free(p.started);
	g_free(p.frac);
	g_free(p.headline); /* its strings went with each round */
	if (!ok) {
		fprintf(stderr, "flashcoop sweep: %s\n", err->message);
		return EXIT_FAILED;
	}
	if (!quiet) {
		printf("sweep %s: %u done, %u failed, %u interrupted", sw->path,
		       p.t.done, p.t.failed, p.t.interrupted);
		if (p.t.elsewhere)
			printf(", %u done by another process", p.t.elsewhere);
		printf(" -> %s\n", output);
	}
	if (*sig) {
		fprintf(stderr, "flashcoop sweep: stopped by signal %d; run the same "
			"command again to resume\n", (int)*sig);
		return EXIT_SIGNAL_BASE + *sig;
	}
	return p.t.failed || p.t.interrupted ? EXIT_FAILED : 0;
db_error:
	fprintf(stderr, "flashcoop sweep: %s\n", err->message);
	return err->code == RESULTS_ERROR_WRITE ? EXIT_FAILED : EXIT_BAD_INPUT;
}
