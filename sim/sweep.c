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
#define MAX_RUNS 1000000

#define EXIT_FAILED 1
#define EXIT_BAD_INPUT 2
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

			if (near)
				return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_UNKNOWN,
						     path, en->line, "unknown scenario key "
						     "'%s' in [%s]; did you mean '%s'?",
						     en->key, en->group, near);
			return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_UNKNOWN, path,
					     en->line, "unknown scenario key '%s' in [%s] "
					     "(keys are written group.key)", en->key,
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

		if (!en->key) {
			if (strcmp(en->group, "sweep") == 0)
				have_group = true;
			if (strcmp(en->group, "sweep") == 0 || strcmp(en->group, "vary") == 0 ||
			    is_lockstep(en->group))
				continue;
			near = keys_suggest(en->group, groups, G_N_ELEMENTS(groups));
			return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_UNKNOWN, sw->path,
					     en->line, "unknown group [%s]%s%s%s", en->group,
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
			return keyfile_error(err, SWEEP_ERROR, SWEEP_ERROR_UNKNOWN, sw->path,
					     en->line, "unknown key '%s' in [sweep]%s%s%s",
					     en->key, near ? "; did you mean '" : " (it has "
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
	size_t points = 1;

	sw->path = g_strdup(path);
	sw->runs = g_ptr_array_new_with_free_func(run_free);
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
			for (guint j = 0; j < d->keys->len; j++) {
				const char *key = d->keys->pdata[j];
				const char *value = ((GPtrArray *)d->values->pdata[j])->pdata[idx];
				g_autofree char *where = g_strdup_printf(
					"%s:%u", path, g_array_index(d->lines, unsigned, j));

				if (!scenario_set(sc, key, value, where, err))
					return NULL;
				g_ptr_array_insert(sets, 0, g_strdup_printf("%s=%s", key, value));
			}
		}
		mt = sim_catalog_model(cat, sc);
		if ((mt->check && !mt->check(sc, &e)) || !run_check_budget(cat, sc, &e)) {
			g_autofree char *joined = NULL;

			g_ptr_array_add(sets, NULL);
			joined = g_strjoinv(", ", (char **)sets->pdata);
			g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_VALUE,
				    "%s: the point %s: %s", path, joined, e->message);
			g_strfreev((char **)g_ptr_array_free(g_steal_pointer(&sets), FALSE));
			return NULL;
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

/* The command line of `flashcoop run` for one run; NULL-terminated. */
static char **
run_argv(const char *exe, const char *scenario, const struct sweep_run *run,
	 const char *output)
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
};

/* What the pool's callbacks need: the runs, and the tally so far. */
struct sweep_pool {
	const char *exe, *output;
	const struct sweep *sw;
	GPtrArray *to_run;
	struct progress *progress;
	struct tally t;
};

static char **
pool_argv(void *user, size_t i)
{
	struct sweep_pool *p = user;

	return run_argv(p->exe, p->sw->scenario_path, p->to_run->pdata[i], p->output);
}

/* Reports how a run ended. */
static void
pool_done(void *user, size_t i, int st, const char *err)
{
	struct sweep_pool *p = user;
	g_autofree char *msg = last_line(err);
	g_autofree char *what = describe(p->to_run->pdata[i]);

	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		p->t.done++;
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

	progress_sweep(p->progress, p->t.done, p->t.failed, running, p->to_run->len);
}

/* Writes DIR/jobs.txt (and DIR/sweep.slurm) for running elsewhere. */
static int
emit(const struct sweep *sw, const char *exe, const char *kind, const char *dir)
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
		g_auto(GStrv) argv = run_argv(exe, scen, run, out);

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

int
sweep_main(const struct sim_catalog *cat, int argc, char **argv,
	   volatile sig_atomic_t *sig)
{
	gint jobs = 0;
	gboolean resume = FALSE, quiet = FALSE;
	g_autofree char *output = NULL, *emit_kind = NULL, *exe = NULL;
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
		{ "emit", 0, 0, G_OPTION_ARG_STRING, &emit_kind,
		  "write the runs as a job list for GNU parallel or a Slurm job array "
		  "into DIR instead of running them", "parallel|slurm DIR" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "no progress line, no summary", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("SWEEP.ini");
	g_autoptr(GError) err = NULL;
	g_autoptr(fc_sweep) sw = NULL;
	g_autoptr(fc_results) db = NULL;
	g_autoptr(GHashTable) done = NULL;
	g_autoptr(GPtrArray) to_run = g_ptr_array_new();
	static const struct pool_ops ops = { pool_argv, pool_done, pool_progress };
	struct sweep_pool p = { 0 };
	unsigned stale = 0, live = 0;
	gboolean ok;
	g_autoptr(GPtrArray) split = NULL;
	g_autofree char **args = NULL;

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
	args = g_memdup2(split->pdata, split->len * sizeof(char *));
	argc = (int)split->len;
	argv = args;
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "flashcoop sweep: %s\n", err->message);
		return EXIT_BAD_INPUT;
	}
	if (argc != (emit_kind ? 3 : 2)) {
		fprintf(stderr, "flashcoop sweep: expected %s (see flashcoop sweep --help)\n",
			emit_kind ? "SWEEP.ini and the DIR of --emit" : "one SWEEP.ini");
		return EXIT_BAD_INPUT;
	}
	if (emit_kind && strcmp(emit_kind, "parallel") != 0 &&
	    strcmp(emit_kind, "slurm") != 0) {
		fprintf(stderr, "flashcoop sweep: --emit: expected parallel or slurm, "
			"found '%s'\n", emit_kind);
		return EXIT_BAD_INPUT;
	}
	if (jobs < 0) {
		fprintf(stderr, "flashcoop sweep: --jobs must be at least 1\n");
		return EXIT_BAD_INPUT;
	}
	if (jobs == 0)
		jobs = (gint)g_get_num_processors();
	if (!output)
		output = g_strdup("results.db");
	sw = sweep_load(cat, argv[1], &err);
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
	if (emit_kind)
		return emit(sw, exe, emit_kind, argv[2]);

	if (resume && !g_file_test(output, G_FILE_TEST_EXISTS)) {
		fprintf(stderr, "flashcoop sweep: --resume: %s does not exist\n", output);
		return EXIT_BAD_INPUT;
	}
	db = results_open(output, TRUE, &err);
	if (!db)
		goto db_error;
	/*
	 * Workers of a sweep killed with SIGKILL get SIGTERM and finish or
	 * mark their run interrupted; wait for them, so that no run is ever
	 * in two processes at once.
	 */
	for (unsigned waited = 0;; waited++) {
		if (!results_reap_stale(db, &stale, &live, &err))
			goto db_error;
		if (!live || *sig)
			break;
		if (waited == 0 && !quiet)
			fprintf(stderr, "flashcoop sweep: waiting for %u runs still in "
				"progress in %s\n", live, output);
		g_usleep(G_USEC_PER_SEC / 5);
	}
	if (*sig)
		return EXIT_SIGNAL_BASE + *sig;
	if (!(done = results_done_keys(db, &err)))
		goto db_error;
	results_close(g_steal_pointer(&db));
	for (guint i = 0; i < sw->runs->len; i++) {
		struct sweep_run *run = sw->runs->pdata[i];

		if (!g_hash_table_contains(done, run->run_key))
			g_ptr_array_add(to_run, run);
	}
	if (!quiet)
		printf("sweep %s: %u runs (%zu points x %" G_GUINT64_FORMAT
		       " replications), %u already done, %u to run with %d workers\n",
		       sw->path, sw->runs->len, sw->points, sw->replications,
		       sw->runs->len - to_run->len, to_run->len, MIN(jobs, (gint)MAX(to_run->len, 1u)));
	fflush(stdout);
	p = (struct sweep_pool){
		.exe = exe, .output = output, .sw = sw, .to_run = to_run,
		.progress = progress_new(!quiet && isatty(STDERR_FILENO)),
	};
	ok = pool_run(to_run->len, (unsigned)jobs, sig, &ops, &p, &err);
	progress_clear(p.progress);
	progress_free(p.progress);
	if (!ok) {
		fprintf(stderr, "flashcoop sweep: %s\n", err->message);
		return EXIT_FAILED;
	}
	if (!quiet)
		printf("sweep %s: %u done, %u failed, %u interrupted -> %s\n", sw->path,
		       p.t.done, p.t.failed, p.t.interrupted, output);
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
