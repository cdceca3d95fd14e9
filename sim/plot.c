/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Figures from a results database through gnuplot (see sim/plot.h).  The
 * data go into the gnuplot script itself as inline data blocks, so the
 * script (--script) is a self-contained description of the figure that
 * can be edited and drawn again without the database.
 */
#include "sim/plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "sim/autoptr.h"
#include "sim/keys.h"
#include "sim/results.h"
#include "sim/value.h"

/* More lines than this in one figure cannot be told apart. */
#define PLOT_MAX_LINES 12
#define PLOT_DEFAULT_WIDTH 1000
#define PLOT_DEFAULT_HEIGHT 600

G_DEFINE_QUARK(flashcoop-plot-error-quark, plot_error)

/* One run of the selection, with its parameters (name -> canonical text). */
struct prun {
	int64_t id;
	char *point_key, *scenario, *status, *version;
	uint64_t replication;
	GHashTable *params;
};

static void
prun_free(gpointer p)
{
	struct prun *r = p;

	g_free(r->point_key);
	g_free(r->scenario);
	g_free(r->status);
	g_free(r->version);
	if (r->params)
		g_hash_table_unref(r->params);
	g_free(r);
}

/* Everything one drawing needs; freed by plot_ctx_clear. */
struct plot_ctx {
	const struct key_table *keys;
	const struct plot_request *req;
	struct results *res;
	sqlite3 *db;
	char *entity, *name;   /* of the metric */
	GPtrArray *runs;       /* struct prun, by id */
	char **param_names;    /* every parameter name, sorted */
	GString *gp;           /* the gnuplot script */
};

static void
plot_ctx_clear(struct plot_ctx *c)
{
	results_close(c->res);
	g_free(c->entity);
	g_free(c->name);
	if (c->runs)
		g_ptr_array_unref(c->runs);
	g_strfreev(c->param_names);
	if (c->gp)
		g_string_free(c->gp, TRUE);
}

static gboolean
fail_input(GError **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
fail_input(GError **err, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(err, PLOT_ERROR, PLOT_ERROR_INPUT, msg);
	return FALSE;
}

static gboolean
sql_fail(struct plot_ctx *c, GError **err)
{
	return results_fail(c->res, err, "cannot read the results");
}

/* A text as a gnuplot string literal: single quotes, '' for a quote. */
static void
gp_quote(GString *s, const char *text)
{
	g_string_append_c(s, '\'');
	for (const char *p = text; *p; p++) {
		if (*p == '\'')
			g_string_append_c(s, '\'');
		if (*p == '\n')
			g_string_append(s, "' . \"\\n\" . '");
		else
			g_string_append_c(s, *p);
	}
	g_string_append_c(s, '\'');
}

static void
gp_printf_quoted(GString *s, const char *prefix, const char *text, const char *suffix)
{
	g_string_append(s, prefix);
	gp_quote(s, text);
	g_string_append(s, suffix);
}

/* A number for a data block: NaN for a missing value. */
static void
gp_number(GString *s, double v)
{
	if (isnan(v) || isinf(v))
		g_string_append(s, "NaN");
	else
		g_string_append_printf(s, "%.10g", v);
}

/*
 * The unit of a metric, from the naming rules of docs/results.md: a name
 * ending in _s is in seconds, one with bytes in bytes, a ratio is a
 * fraction, load and uplink use are fractions of a capacity.
 */
static const char *
metric_unit(const char *name)
{
	if (g_str_has_suffix(name, "_s"))
		return "s";
	if (strstr(name, "bytes"))
		return "bytes";
	if (g_str_has_suffix(name, "ratio") || strcmp(name, "load") == 0 ||
	    strcmp(name, "uplink_use") == 0 || strcmp(name, "utilisation") == 0)
		return "fraction";
	return NULL;
}

static char *
metric_label(const struct plot_ctx *c)
{
	const char *unit = metric_unit(c->name);

	return unit ? g_strdup_printf("%s %s (%s)", c->entity, c->name, unit) :
		g_strdup_printf("%s %s", c->entity, c->name);
}

/* --- Parameters ------------------------------------------------------ */

/*
 * The key of a parameter name for the value parser, or NULL when it has
 * no syntax of its own (a string, a list, a key this program does not
 * know).
 */
static const struct key_def *
param_key(const struct plot_ctx *c, const char *name)
{
	const struct key_def *k = keys_find_dotted(c->keys, name);

	if (!k || k->type == KEY_STRING || (k->flags & KEY_LIST))
		return NULL;
	return k;
}

/*
 * A parameter's value as a number in base units: seconds for a duration,
 * bytes, bit/s, a fraction, a count, a real, the index of a choice.
 */
static gboolean
param_number(const struct key_def *k, const char *text, double *out)
{
	union value v;
	g_autofree char *why = NULL;

	if (!k || !text || !value_parse(k, text, &v, &why))
		return FALSE;
	switch (k->type) {
	case KEY_DURATION:
		*out = fc_time_to_sec(v.u);
		break;
	case KEY_RATIO:
	case KEY_REAL:
		*out = v.d;
		break;
	default:
		*out = (double)v.u;
		break;
	}
	return TRUE;
}

/* Whether two texts of parameter name are the same value. */
static gboolean
param_equal(const struct plot_ctx *c, const char *name, const char *a, const char *b)
{
	const struct key_def *k = param_key(c, name);
	double x, y;

	if (k && param_number(k, a, &x) && param_number(k, b, &y))
		return x == y;
	return g_strcmp0(a, b) == 0;
}

/* A unit to show an axis of parameter k in, given its largest value. */
struct axis_unit {
	const char *name;
	double scale; /* base units per shown unit */
};

static struct axis_unit
param_axis_unit(const struct key_def *k, double max)
{
	static const struct axis_unit sizes[] = { { "B", 1 }, { "kB", 1e3 },
						  { "MB", 1e6 }, { "GB", 1e9 } };
	static const struct axis_unit rates[] = { { "bit/s", 1 }, { "kbit/s", 1e3 },
						  { "Mbit/s", 1e6 }, { "Gbit/s", 1e9 } };
	const struct axis_unit *t = NULL;

	switch (k->type) {
	case KEY_DURATION:
		if (max >= 3 * 3600)
			return (struct axis_unit){ "h", 3600 };
		if (max >= 600)
			return (struct axis_unit){ "min", 60 };
		return (struct axis_unit){ "s", 1 };
	case KEY_SIZE:
		t = sizes;
		break;
	case KEY_RATE:
		t = rates;
		break;
	case KEY_RATIO:
		return (struct axis_unit){ "fraction", 1 };
	default:
		return (struct axis_unit){ k->unit && *k->unit ? k->unit : NULL, 1 };
	}
	for (int i = 3; i > 0; i--)
		if (max >= t[i].scale)
			return t[i];
	return t[0];
}

/* --- Selecting runs -------------------------------------------------- */

static gboolean
load_params(struct plot_ctx *c, struct prun *r, GError **err)
{
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	int rc;

	r->params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (sqlite3_prepare_v2(c->db, "SELECT name, value FROM param WHERE run_id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(c, err);
	sqlite3_bind_int64(st, 1, r->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_hash_table_insert(r->params,
				    g_strdup((const char *)sqlite3_column_text(st, 0)),
				    g_strdup((const char *)sqlite3_column_text(st, 1)));
	return rc == SQLITE_DONE ? TRUE : sql_fail(c, err);
}

/*
 * Checks a --where filter ("group.key=value") against the key table and
 * splits it; the value is checked with the key's parser.
 */
static gboolean
parse_where(const struct plot_ctx *c, const char *w, char **name, char **value,
	    GError **err)
{
	const char *eq = strchr(w, '=');
	const struct key_def *k;
	union value v;
	g_autofree char *why = NULL;

	if (!eq || eq == w)
		return fail_input(err, "--where: expected GROUP.KEY=VALUE, found '%s'", w);
	*name = g_strstrip(g_strndup(w, (size_t)(eq - w)));
	*value = g_strstrip(g_strdup(eq + 1));
	k = keys_find_dotted(c->keys, *name);
	if (!k) {
		g_autofree char *near = keys_suggest_dotted(c->keys, *name);

		return near ? fail_input(err, "--where: unknown key '%s'; did you mean '%s'?",
					 *name, near) :
			fail_input(err, "--where: unknown key '%s' (flashcoop keys lists them)",
				   *name);
	}
	if (param_key(c, *name) && !value_parse(k, *value, &v, &why))
		return fail_input(err, "--where %s: %s", *name, why);
	return TRUE;
}

static gboolean
run_matches(const struct plot_ctx *c, const struct prun *r, GError **err, gboolean *ok)
{
	*ok = TRUE;
	for (size_t i = 0; c->req->where && c->req->where[i]; i++) {
		g_autofree char *name = NULL, *value = NULL;

		if (!parse_where(c, c->req->where[i], &name, &value, err))
			return FALSE;
		if (!param_equal(c, name, g_hash_table_lookup(r->params, name), value))
			*ok = FALSE;
	}
	return TRUE;
}

static int
name_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Reads the runs to draw: those given by id (any status), or every done
 * run; then keeps those that pass the --where filters.  The parameter
 * names come sorted, so that labels list them in one order.
 */
static gboolean
select_runs(struct plot_ctx *c, GError **err)
{
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *const *ids = c->req->runs;
	int rc;

	c->runs = g_ptr_array_new_with_free_func(prun_free);
	if (sqlite3_prepare_v2(c->db, "SELECT id, point_key, scenario, status, replication, "
			       "version FROM run WHERE (?1 IS NULL AND status = 'done') OR id = ?1 "
			       "ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(c, err);
	for (size_t i = 0; !ids || ids[i] || i == 0; i++) {
		guint64 id = 0;
		size_t before = c->runs->len;

		if (ids && !ids[i])
			break;
		if (ids) {
			if (!g_ascii_string_to_unsigned(ids[i], 10, 1, G_MAXINT64, &id, NULL))
				return fail_input(err, "--run: expected a run id such as 1 or "
						  "17, found '%s'", ids[i]);
			sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct prun *r = g_new0(struct prun, 1);

			r->id = sqlite3_column_int64(st, 0);
			r->point_key = g_strdup((const char *)sqlite3_column_text(st, 1));
			r->scenario = g_strdup((const char *)sqlite3_column_text(st, 2));
			r->status = g_strdup((const char *)sqlite3_column_text(st, 3));
			r->replication = (uint64_t)sqlite3_column_int64(st, 4);
			r->version = g_strdup((const char *)sqlite3_column_text(st, 5));
			g_ptr_array_add(c->runs, r);
		}
		if (rc != SQLITE_DONE)
			return sql_fail(c, err);
		sqlite3_reset(st);
		if (ids && c->runs->len == before)
			return fail_input(err, "%s: no run %s (flashcoop plot list %s shows "
					  "what it holds)", c->req->db, ids[i], c->req->db);
		if (!ids)
			break;
	}
	if (c->runs->len == 0)
		return fail_input(err, "%s: no done run to draw", c->req->db);
	for (guint i = 0; i < c->runs->len; i++)
		if (!load_params(c, c->runs->pdata[i], err))
			return FALSE;
	for (guint i = 0; i < c->runs->len;) {
		gboolean ok;

		if (!run_matches(c, c->runs->pdata[i], err, &ok))
			return FALSE;
		if (ok)
			i++;
		else
			g_ptr_array_remove_index(c->runs, i);
	}
	if (c->runs->len == 0)
		return fail_input(err, "%s: no run matches the --where filters", c->req->db);
	{
		GHashTableIter it;
		gpointer k;
		struct prun *r0 = c->runs->pdata[0];

		/* The names are sorted before use: the table's order decides nothing. */
		g_hash_table_iter_init(&it, r0->params);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_ptr_array_add(names, g_strdup(k));
		g_ptr_array_sort(names, name_cmp);
		g_ptr_array_add(names, NULL);
		c->param_names = (char **)g_ptr_array_steal(names, NULL);
	}
	return TRUE;
}

/* Whether parameter name differs among runs (a subset, given as indices). */
static gboolean
param_differs(const struct plot_ctx *c, const char *name, GPtrArray *runs)
{
	const struct prun *r0 = runs->pdata[0];
	const char *v0 = g_hash_table_lookup(r0->params, name);

	for (guint i = 1; i < runs->len; i++) {
		const struct prun *r = runs->pdata[i];

		if (!param_equal(c, name, v0, g_hash_table_lookup(r->params, name)))
			return TRUE;
	}
	return FALSE;
}

/* The parameters (not meta ones) that differ among runs, sorted. */
static GPtrArray *
differing_params(const struct plot_ctx *c, GPtrArray *runs)
{
	GPtrArray *out = g_ptr_array_new();

	for (size_t i = 0; c->param_names[i]; i++) {
		const struct key_def *k = keys_find_dotted(c->keys, c->param_names[i]);

		if (k && (k->flags & KEY_META))
			continue;
		if (param_differs(c, c->param_names[i], runs))
			g_ptr_array_add(out, c->param_names[i]);
	}
	return out;
}

/* "web.policy=coop, web.cooperators=10": a run by the parameters in names. */
static char *
run_label(const struct prun *r, GPtrArray *names)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < names->len; i++) {
		const char *v = g_hash_table_lookup(r->params, names->pdata[i]);

		g_string_append_printf(s, "%s%s=%s", i ? ", " : "",
				       (const char *)names->pdata[i], v ? v : "?");
	}
	return g_string_free(s, FALSE);
}

/* The title: the --title, or the scenarios' names and descriptions, and
 * what is drawn. */
static char *
figure_title(const struct plot_ctx *c, const char *what)
{
	g_autoptr(GString) s = g_string_new(NULL);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	if (c->req->title)
		return g_strdup(c->req->title);
	for (guint i = 0; i < c->runs->len; i++) {
		const struct prun *r = c->runs->pdata[i];
		const char *d = g_hash_table_lookup(r->params, "scenario.description");

		if (!r->scenario || g_hash_table_contains(seen, r->scenario))
			continue;
		g_hash_table_add(seen, r->scenario);
		if (g_hash_table_size(seen) > 3) {
			g_string_append(s, "; ...");
			break;
		}
		g_string_append_printf(s, "%s%s", s->len ? "; " : "", r->scenario);
		if (d && *d)
			g_string_append_printf(s, ": %s", d);
	}
	g_string_append_printf(s, "\n%s", what);
	return g_strdup(s->str);
}

/* The terminal, output and common settings of every figure. */
static void
gp_begin(struct plot_ctx *c, const char *tmp_output, const char *title)
{
	const struct plot_request *q = c->req;
	GString *gp = c->gp;

	if (g_str_has_suffix(q->output, ".pdf")) {
		/* Inches at 100 pixels each: the PNG's proportions. */
		g_string_append_printf(gp, "set terminal pdfcairo size %.2fin,%.2fin "
				       "noenhanced font ',9'\n",
				       (q->width ? q->width : PLOT_DEFAULT_WIDTH) / 100.0 * 0.7,
				       (q->height ? q->height : PLOT_DEFAULT_HEIGHT) / 100.0 * 0.7);
	} else {
		g_string_append_printf(gp, "set terminal pngcairo size %u,%u noenhanced "
				       "font ',11'\n",
				       q->width ? q->width : PLOT_DEFAULT_WIDTH,
				       q->height ? q->height : PLOT_DEFAULT_HEIGHT);
	}
	gp_printf_quoted(gp, "set output ", tmp_output, "\n");
	gp_printf_quoted(gp, "set title ", title, "\n");
	/* The legend goes under the plot, where it hides no data. */
	g_string_append(gp, "set key below left Left reverse maxrows 4\n"
			"set grid\n");
	if (q->logx)
		g_string_append(gp, "set logscale x\n");
	if (q->logy)
		g_string_append(gp, "set logscale y\n");
}

/*
 * What to say after "no such metric": the nearest name the database has
 * in table (vector, scalar or statistic), or where to look.
 */
static char *
metric_hint(const struct plot_ctx *c, const char *table)
{
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *sql = g_strdup_printf("SELECT DISTINCT entity || '.' || name "
					       "FROM %s ORDER BY 1", table);
	const char *near = NULL;

	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW)
			g_ptr_array_add(names, g_strdup((const char *)sqlite3_column_text(st, 0)));
	if (names->len)
		near = keys_suggest(c->req->metric, (const char *const *)names->pdata,
				    names->len);
	return near ? g_strdup_printf("; did you mean '%s'?", near) :
		g_strdup_printf(" (flashcoop plot list %s shows what it holds)", c->req->db);
}

/* --- series ----------------------------------------------------------- */

/* A flash-crowd profile as [clients] describes it (models/web/arrivals.h). */
struct profile {
	double baseline, shock, start, up, sustained, down;
	gboolean exponential;
};

static gboolean
run_profile(const struct plot_ctx *c, const struct prun *r, struct profile *p)
{
	static const char *const names[] = { "clients.baseline", "clients.shock",
					      "clients.start", "clients.ramp_up",
					      "clients.sustained", "clients.ramp_down" };
	double *v[] = { &p->baseline, &p->shock, &p->start, &p->up, &p->sustained, &p->down };
	const char *arrival = g_hash_table_lookup(r->params, "clients.arrival");
	const char *ramp = g_hash_table_lookup(r->params, "clients.ramp");

	/* Every run records every key; only the web model reads [clients]. */
	if (g_strcmp0(g_hash_table_lookup(r->params, "run.model"), "web") != 0 ||
	    g_strcmp0(arrival, "profile") != 0)
		return FALSE;
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (!param_number(param_key(c, names[i]),
				  g_hash_table_lookup(r->params, names[i]), v[i]))
			return FALSE;
	p->exponential = g_strcmp0(ramp, "exponential") == 0;
	return TRUE;
}

/* The profile's arrival rate at t seconds: baseline, ramp, peak, ramp. */
static double
profile_rate(const struct profile *p, double t)
{
	double peak = p->baseline * p->shock, t1 = p->start + p->up,
	       t2 = t1 + p->sustained, t3 = t2 + p->down, f;

	if (t < p->start || t >= t3)
		return p->baseline;
	if (t >= t1 && t < t2)
		return peak;
	f = t < t1 ? (t - p->start) / p->up : 1 - (t - t2) / p->down;
	return p->exponential ? p->baseline * pow(p->shock, f) :
		p->baseline + (peak - p->baseline) * f;
}

static gboolean
draw_series(struct plot_ctx *c, const char *tmp_output, char **summary, GError **err)
{
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	g_autoptr(GPtrArray) drawn = g_ptr_array_new();
	g_autoptr(GPtrArray) labels = NULL;
	g_autoptr(GString) plot = g_string_new("plot ");
	g_autofree char *what = NULL, *title = NULL;
	double tmax = 0, tscale;
	const char *tunit;
	struct profile prof = { 0 };
	gboolean have_profile = TRUE;
	int rc;

	if (sqlite3_prepare_v2(c->db, "SELECT d.t_ns, d.value FROM vector v "
			       "JOIN vector_data d ON d.vector_id = v.id "
			       "WHERE v.run_id = ? AND v.entity = ? AND v.name = ? "
			       "ORDER BY d.rowid", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(c, err);
	/* Without --run: replication 0 of each point. */
	for (guint i = 0; i < c->runs->len; i++) {
		struct prun *r = c->runs->pdata[i];

		if (c->req->runs || r->replication == 0)
			g_ptr_array_add(drawn, r);
	}
	if (drawn->len == 0)
		g_ptr_array_extend(drawn, c->runs, NULL, NULL);
	if (drawn->len > PLOT_MAX_LINES)
		return fail_input(err, "%s: %u runs to draw, more than %d lines can be told "
				  "apart; choose some with --run or --where", c->req->db,
				  drawn->len, PLOT_MAX_LINES);
	labels = differing_params(c, drawn);
	for (guint i = 0; i < drawn->len; i++) {
		struct prun *r = drawn->pdata[i];
		struct profile p;

		if (!run_profile(c, r, &p) || (i > 0 && memcmp(&p, &prof, sizeof p) != 0))
			have_profile = FALSE;
		prof = p;
	}
	what = metric_label(c);
	for (guint i = 0; i < drawn->len; i++) {
		struct prun *r = drawn->pdata[i];
		guint rows = 0;

		g_string_append_printf(c->gp, "$run%" G_GINT64_FORMAT " << EOD\n", r->id);
		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_text(st, 2, c->entity, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, c->name, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			double t = (double)sqlite3_column_int64(st, 0) / 1e9;

			gp_number(c->gp, t);
			g_string_append_c(c->gp, ' ');
			gp_number(c->gp, sqlite3_column_type(st, 1) == SQLITE_NULL ? NAN :
				  sqlite3_column_double(st, 1));
			g_string_append_c(c->gp, '\n');
			tmax = MAX(tmax, t);
			rows++;
		}
		if (rc != SQLITE_DONE)
			return sql_fail(c, err);
		sqlite3_reset(st);
		g_string_append(c->gp, "EOD\n");
		if (rows == 0) {
			g_autofree char *hint = metric_hint(c, "vector");

			return fail_input(err, "%s: run %" G_GINT64_FORMAT " has no time series "
					  "'%s.%s'%s", c->req->db, r->id, c->entity, c->name,
					  hint);
		}
	}
	if (have_profile)
		tmax = MAX(tmax, prof.start + prof.up + prof.sustained + prof.down);
	tscale = tmax >= 5 * 3600 ? 3600 : tmax >= 600 ? 60 : 1;
	tunit = tscale == 3600 ? "h" : tscale == 60 ? "min" : "s";

	title = figure_title(c, what);
	gp_begin(c, tmp_output, title);
	g_string_append_printf(c->gp, "set xlabel 'simulated time (%s)'\n", tunit);
	gp_printf_quoted(c->gp, "set ylabel ", what, "\n");
	g_string_append_printf(c->gp, "set xrange [0:%.10g]\n", tmax / tscale);
	/* Room above and below, so a line at its extreme is not on the border. */
	if (g_strcmp0(metric_unit(c->name), "fraction") == 0 && !c->req->logy)
		g_string_append(c->gp, "set yrange [0:1.05<*]\n");
	else
		g_string_append(c->gp, "set offsets 0, 0, graph 0.05, graph 0.05\n");
	if (have_profile) {
		double a = prof.start, b = prof.start + prof.up + prof.sustained + prof.down;

		/* The flash crowd from the start of its ramp up to the end of
		 * its ramp down, behind the data; its rate on the right axis. */
		g_string_append_printf(c->gp, "set object 1 rect from first %.10g, graph 0 "
				       "to first %.10g, graph 1 behind fc rgb '#e6e6e6' "
				       "fs solid noborder\n", a / tscale, b / tscale);
		g_string_append(c->gp, "$offered << EOD\n");
		for (int i = 0; i <= 400; i++) {
			double t = tmax * i / 400;

			g_string_append_printf(c->gp, "%.10g %.10g\n", t, profile_rate(&prof, t));
		}
		g_string_append(c->gp, "EOD\n"
				"set y2label 'offered load (clients/s)'\n"
				"set y2tics\nset ytics nomirror\n");
		g_string_append_printf(c->gp, "set y2range [0:%.10g]\n",
				       prof.baseline * prof.shock * 1.1);
		g_string_append(plot, "keyentry with boxes fc rgb '#e6e6e6' fs solid "
				"title 'flash crowd', ");
	}
	for (guint i = 0; i < drawn->len; i++) {
		struct prun *r = drawn->pdata[i];
		g_autofree char *label = labels->len ? run_label(r, labels) :
			g_strdup_printf("run %" G_GINT64_FORMAT, r->id);

		/* Dash types as well as colours: equal lines stay visible. */
		g_string_append_printf(plot, "%s$run%" G_GINT64_FORMAT " using ($1/%g):2 "
				       "with lines lw 2 dt %u title ", i ? ", " : "", r->id,
				       tscale, i % 5 + 1);
		gp_quote(plot, label);
	}
	if (have_profile)
		g_string_append_printf(plot, ", $offered using ($1/%g):2 axes x1y2 with lines "
				       "lw 1 dt 2 lc rgb 'gray30' title 'offered load "
				       "(clients/s, right axis)'", tscale);
	g_string_append_printf(c->gp, "%s\n", plot->str);
	*summary = g_strdup_printf("%s of %u run%s", what, drawn->len,
				   drawn->len == 1 ? "" : "s");
	return TRUE;
}

/* --- scalar ----------------------------------------------------------- */

static int
double_cmp(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct spoint {
	const struct prun *run;   /* one run of the point, for its parameters */
	double x, mean, ci95;
	int64_t n;
	double line;              /* the --by value, as a number */
	const char *line_text;
};

static int
spoint_cmp(gconstpointer a, gconstpointer b)
{
	const struct spoint *p = *(struct spoint *const *)a, *q = *(struct spoint *const *)b;

	if (p->line != q->line)
		return p->line < q->line ? -1 : 1;
	if (p->line_text != q->line_text) {
		int d = g_strcmp0(p->line_text, q->line_text);

		if (d)
			return d;
	}
	return p->x < q->x ? -1 : p->x > q->x;
}

/* A parameter that the scalar kind can put on an axis or make lines of. */
static gboolean
check_axis_param(const struct plot_ctx *c, const char *opt, const char *name, GError **err)
{
	if (keys_find_dotted(c->keys, name))
		return TRUE;
	{
		g_autofree char *near = keys_suggest_dotted(c->keys, name);

		return near ? fail_input(err, "%s: unknown key '%s'; did you mean '%s'?", opt,
					 name, near) :
			fail_input(err, "%s: unknown key '%s' (flashcoop keys lists them)",
				   opt, name);
	}
}

/* The position of a parameter's value on an axis: a number in base
 * units, the index of a choice, or the rank of a text among texts. */
static double
param_position(const struct plot_ctx *c, const char *name, const char *text,
	       GPtrArray *texts)
{
	double v;

	if (param_number(param_key(c, name), text, &v))
		return v;
	for (guint i = 0; i < texts->len; i++)
		if (g_strcmp0(texts->pdata[i], text) == 0)
			return i;
	g_ptr_array_add(texts, (gpointer)text);
	return texts->len - 1;
}

static gboolean
draw_scalar(struct plot_ctx *c, const char *tmp_output, char **summary, GError **err)
{
	const struct plot_request *q = c->req;
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	g_autoptr(GPtrArray) points = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) by_point = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) xtexts = g_ptr_array_new(), ltexts = g_ptr_array_new();
	g_autoptr(GArray) cats = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GString) plot = g_string_new("plot ");
	g_autofree char *what = NULL, *title = NULL, *xlabel = NULL;
	const struct key_def *xk;
	const char *version = NULL;
	struct axis_unit u = { NULL, 1 };
	gboolean categorical;
	double xmax = 0;
	int64_t nmin = G_MAXINT64, nmax = 0;
	unsigned lines = 0;
	int rc;

	if (!q->x)
		return fail_input(err, "plot scalar: --x GROUP.KEY names the parameter on the "
				  "x axis");
	if (!check_axis_param(c, "--x", q->x, err) ||
	    (q->by && !check_axis_param(c, "--by", q->by, err)))
		return FALSE;
	xk = keys_find_dotted(c->keys, q->x);
	categorical = !param_key(c, q->x) || xk->type == KEY_ENUM || xk->type == KEY_BOOL;
	for (guint i = 0; i < c->runs->len; i++) {
		struct prun *r = c->runs->pdata[i];

		if (g_strcmp0(r->status, "done") != 0)
			continue;
		/* Means over runs never mix two versions of the program. */
		if (!version)
			version = r->version;
		else if (g_strcmp0(version, r->version) != 0)
			return fail_input(err, "%s: the selected runs were done by two "
					  "versions of flashcoop (%s and %s); refusing to "
					  "mix them in one figure (flashcoop sweep "
					  "--rerun-stale runs the old ones again)",
					  q->db, version, r->version);
		if (!g_hash_table_contains(by_point, r->point_key))
			g_hash_table_insert(by_point, r->point_key, r);
	}
	if (sqlite3_prepare_v2(c->db, "SELECT point_key, mean, ci95, n FROM point_scalar "
			       "WHERE entity = ? AND name = ? AND version IS ? "
			       "ORDER BY point_key", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(c, err);
	sqlite3_bind_text(st, 1, c->entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const struct prun *r = g_hash_table_lookup(by_point,
							   sqlite3_column_text(st, 0));
		struct spoint *p;

		if (!r)
			continue;
		p = g_new0(struct spoint, 1);
		p->run = r;
		p->mean = sqlite3_column_double(st, 1);
		p->ci95 = sqlite3_column_type(st, 2) == SQLITE_NULL ? 0 :
			sqlite3_column_double(st, 2);
		p->n = sqlite3_column_int64(st, 3);
		g_ptr_array_add(points, p);
	}
	if (rc != SQLITE_DONE)
		return sql_fail(c, err);
	if (points->len == 0) {
		g_autofree char *hint = metric_hint(c, "scalar");

		return fail_input(err, "%s: no scalar '%s.%s' in the selected runs%s", q->db,
				  c->entity, c->name, hint);
	}
	/* Positions on the axis; choices in the order of their name table. */
	for (guint i = 0; i < points->len; i++) {
		struct spoint *p = points->pdata[i];
		const char *xv = g_hash_table_lookup(p->run->params, q->x);

		p->x = param_position(c, q->x, xv, xtexts);
		xmax = MAX(xmax, p->x);
		if (q->by) {
			p->line_text = g_hash_table_lookup(p->run->params, q->by);
			p->line = param_position(c, q->by, p->line_text, ltexts);
		}
		nmin = MIN(nmin, p->n);
		nmax = MAX(nmax, p->n);
	}
	/* A categorical axis shows only the categories present, in order. */
	if (categorical) {
		g_autoptr(GArray) seen = g_array_new(FALSE, FALSE, sizeof(double));

		for (guint i = 0; i < points->len; i++)
			g_array_append_val(seen, ((struct spoint *)points->pdata[i])->x);
		g_array_sort(seen, double_cmp);
		for (guint i = 0; i < seen->len; i++)
			if (i == 0 || g_array_index(seen, double, i) !=
			    g_array_index(seen, double, i - 1))
				g_array_append_val(cats, g_array_index(seen, double, i));
		for (guint i = 0; i < points->len; i++) {
			struct spoint *p = points->pdata[i];

			for (guint j = 0; j < cats->len; j++)
				if (g_array_index(cats, double, j) == p->x)
					p->x = j;
		}
		xmax = cats->len - 1;
	}
	g_ptr_array_sort(points, spoint_cmp);
	/* Two points at one place differ in a parameter that is neither on
	 * the axis nor a line: say which, rather than draw a zigzag. */
	for (guint i = 1; i < points->len; i++) {
		struct spoint *a = points->pdata[i - 1], *b = points->pdata[i];

		if (a->x == b->x && spoint_cmp(&points->pdata[i - 1], &points->pdata[i]) == 0) {
			g_autoptr(GPtrArray) two = g_ptr_array_new();
			g_autoptr(GPtrArray) diff = NULL;

			g_ptr_array_add(two, (gpointer)a->run);
			g_ptr_array_add(two, (gpointer)b->run);
			diff = differing_params(c, two);
			return fail_input(err, "%s: several points have %s=%s%s%s but differ "
					  "in %s; choose one with --where, or make lines of "
					  "it with --by", q->db, q->x,
					  (char *)g_hash_table_lookup(a->run->params, q->x),
					  q->by ? " and the same " : "", q->by ? q->by : "",
					  diff->len ? (char *)diff->pdata[0] : "their scenario");
		}
	}
	if (!categorical)
		u = param_axis_unit(xk, xmax);
	what = metric_label(c);
	{
		g_autofree char *ci = nmax > 1 ?
			(nmin == nmax ?
			 g_strdup_printf("mean and 95%% confidence interval (Student t) over "
					 "%" G_GINT64_FORMAT " replications", nmax) :
			 g_strdup_printf("mean and 95%% confidence interval (Student t) over "
					 "%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
					 " replications", nmin, nmax)) :
			g_strdup("one replication per point: no confidence interval");
		g_autofree char *w = g_strdup_printf("%s: %s", what, ci);

		title = figure_title(c, w);
	}
	gp_begin(c, tmp_output, title);
	xlabel = u.name ? g_strdup_printf("%s (%s)", q->x, u.name) : g_strdup(q->x);
	gp_printf_quoted(c->gp, "set xlabel ", xlabel, "\n");
	gp_printf_quoted(c->gp, "set ylabel ", what, "\n");
	if (categorical) {
		/* Every choice the key has when it is a choice, else the texts seen. */
		g_string_append(c->gp, "set xtics (");
		for (guint i = 0; i < cats->len; i++) {
			double at = g_array_index(cats, double, i);
			g_autofree char *name = NULL;

			if (param_key(c, q->x)) {
				union value v = { .u = (uint64_t)at };

				name = value_format(xk, v);
			} else {
				name = g_strdup(xtexts->pdata[(guint)at]);
			}
			g_string_append(c->gp, i ? ", " : "");
			gp_quote(c->gp, name);
			g_string_append_printf(c->gp, " %u", i);
		}
		g_string_append_printf(c->gp, ")\nset xrange [-0.5:%g]\n"
				       "set offsets 0, 0, graph 0.05, graph 0.05\n", xmax + 0.5);
	} else {
		/* Room around the points, so none sits on the border. */
		g_string_append(c->gp, "set offsets graph 0.03, graph 0.03, graph 0.05, "
				"graph 0.05\n");
	}
	for (guint i = 0; i < points->len;) {
		struct spoint *p0 = points->pdata[i];
		g_autofree char *label = q->by ?
			g_strdup_printf("%s=%s", q->by, p0->line_text ? p0->line_text : "?") :
			g_strdup(c->name);

		g_string_append_printf(c->gp, "$line%u << EOD\n", lines);
		for (; i < points->len; i++) {
			struct spoint *p = points->pdata[i];

			if (q->by && (p->line != p0->line ||
				      g_strcmp0(p->line_text, p0->line_text) != 0))
				break;
			/* Lines over categories are set apart a little, so
			 * that their intervals do not hide each other. */
			gp_number(c->gp, p->x / u.scale +
				  (categorical && q->by ? 0.04 * lines : 0));
			g_string_append_c(c->gp, ' ');
			gp_number(c->gp, p->mean);
			g_string_append_c(c->gp, ' ');
			gp_number(c->gp, p->ci95);
			g_string_append_c(c->gp, '\n');
		}
		g_string_append(c->gp, "EOD\n");
		g_string_append_printf(plot, "%s$line%u using 1:2:3 with yerrorlines lw 2 "
				       "pt %u dt %u title ", lines ? ", " : "", lines,
				       lines % 6 + 5, lines % 5 + 1);
		gp_quote(plot, label);
		lines++;
	}
	if (lines > PLOT_MAX_LINES)
		return fail_input(err, "%s: %u lines of %s, more than %d can be told apart; "
				  "choose some with --where", q->db, lines, q->by, PLOT_MAX_LINES);
	g_string_append_printf(c->gp, "%s\n", plot->str);
	*summary = g_strdup_printf("%s against %s, %u point%s in %u line%s", what, q->x,
				   points->len, points->len == 1 ? "" : "s", lines,
				   lines == 1 ? "" : "s");
	return TRUE;
}

/* --- cdf -------------------------------------------------------------- */

struct bin {
	double lower, upper, count;
};

/*
 * The distribution function of the samples of bins (pooled histograms of
 * several runs), at every bin edge: within a bin its samples are taken to
 * be spread evenly, so the function is exact at the edges and linear in
 * between.
 */
static void
write_cdf(GString *gp, GArray *bins)
{
	g_autoptr(GArray) edges = g_array_new(FALSE, FALSE, sizeof(double));
	double total = 0;

	for (guint i = 0; i < bins->len; i++) {
		struct bin *b = &g_array_index(bins, struct bin, i);

		g_array_append_val(edges, b->lower);
		g_array_append_val(edges, b->upper);
		total += b->count;
	}
	g_array_sort(edges, double_cmp);
	for (guint e = 0; e < edges->len; e++) {
		double x = g_array_index(edges, double, e), below = 0;

		if (e > 0 && x == g_array_index(edges, double, e - 1))
			continue;
		for (guint i = 0; i < bins->len; i++) {
			struct bin *b = &g_array_index(bins, struct bin, i);

			if (x >= b->upper)
				below += b->count;
			else if (x > b->lower)
				below += b->count * (x - b->lower) / (b->upper - b->lower);
		}
		if (e == 0 && total > 0)
			g_string_append_printf(gp, "%.10g 0\n", x);
		g_string_append_printf(gp, "%.10g %.10g\n", x, total > 0 ? below / total : 0);
	}
}

static gboolean
draw_cdf(struct plot_ctx *c, const char *tmp_output, char **summary, GError **err)
{
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	g_autoptr(GPtrArray) keys = g_ptr_array_new();
	g_autoptr(GPtrArray) reps = g_ptr_array_new();
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) labels = NULL;
	g_autoptr(GString) plot = g_string_new("plot ");
	g_autofree char *what = NULL, *title = NULL, *xlabel = NULL;
	const char *unit = metric_unit(c->name);
	unsigned curves = 0, runs_used = 0;
	int rc;

	/* The points in the order of their first run. */
	for (guint i = 0; i < c->runs->len; i++) {
		struct prun *r = c->runs->pdata[i];

		if (!g_hash_table_contains(seen, r->point_key)) {
			g_hash_table_add(seen, r->point_key);
			g_ptr_array_add(keys, r->point_key);
			g_ptr_array_add(reps, r);
		}
	}
	if (keys->len > PLOT_MAX_LINES)
		return fail_input(err, "%s: %u sweep points to draw, more than %d curves can "
				  "be told apart; choose some with --where or --run", c->req->db,
				  keys->len, PLOT_MAX_LINES);
	labels = differing_params(c, reps);
	if (sqlite3_prepare_v2(c->db, "SELECT b.lower, b.upper, b.count FROM statistic s "
			       "JOIN statistic_bin b ON b.statistic_id = s.id "
			       "WHERE s.run_id = ? AND s.entity = ? AND s.name = ? "
			       "ORDER BY b.rowid", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(c, err);
	what = metric_label(c);
	for (guint k = 0; k < keys->len; k++) {
		g_autoptr(GArray) bins = g_array_new(FALSE, FALSE, sizeof(struct bin));
		unsigned nruns = 0;
		g_autofree char *label = NULL;

		for (guint i = 0; i < c->runs->len; i++) {
			struct prun *r = c->runs->pdata[i];
			guint before = bins->len;

			if (strcmp(r->point_key, keys->pdata[k]) != 0)
				continue;
			sqlite3_bind_int64(st, 1, r->id);
			sqlite3_bind_text(st, 2, c->entity, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, c->name, -1, SQLITE_STATIC);
			while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
				struct bin b = { sqlite3_column_double(st, 0),
						 sqlite3_column_double(st, 1),
						 sqlite3_column_double(st, 2) };

				g_array_append_val(bins, b);
			}
			if (rc != SQLITE_DONE)
				return sql_fail(c, err);
			sqlite3_reset(st);
			nruns += bins->len > before;
		}
		if (nruns == 0)
			continue;
		runs_used += nruns;
		g_string_append_printf(c->gp, "$cdf%u << EOD\n", curves);
		write_cdf(c->gp, bins);
		g_string_append(c->gp, "EOD\n");
		label = labels->len ? run_label(reps->pdata[k], labels) : g_strdup(c->name);
		if (nruns > 1) {
			g_autofree char *l = g_strdup_printf("%s (%u runs)", label, nruns);

			g_free(label);
			label = g_steal_pointer(&l);
		}
		g_string_append_printf(plot, "%s$cdf%u using 1:2 with lines lw 2 title ",
				       curves ? ", " : "", curves);
		gp_quote(plot, label);
		curves++;
	}
	if (curves == 0) {
		g_autofree char *hint = metric_hint(c, "statistic");

		return fail_input(err, "%s: no statistic '%s.%s' with samples in the selected "
				  "runs%s", c->req->db, c->entity, c->name, hint);
	}
	{
		g_autofree char *w = g_strdup_printf("distribution of %s", what);

		title = figure_title(c, w);
	}
	gp_begin(c, tmp_output, title);
	xlabel = unit ? g_strdup_printf("%s (%s)", c->name, unit) : g_strdup(c->name);
	gp_printf_quoted(c->gp, "set xlabel ", xlabel, "\n");
	g_string_append(c->gp, "set ylabel 'fraction of samples at most x'\n"
			"set yrange [0:1.02]\n");
	g_string_append_printf(c->gp, "%s\n", plot->str);
	*summary = g_strdup_printf("distribution of %s, %u curve%s from %u run%s", what,
				   curves, curves == 1 ? "" : "s", runs_used,
				   runs_used == 1 ? "" : "s");
	return TRUE;
}

/* --- drawing ---------------------------------------------------------- */

/* Runs gnuplot on script; its first line of complaint on failure. */
static gboolean
run_gnuplot(const char *script, GError **err)
{
	const char *argv[] = { "gnuplot", script, NULL };
	g_autofree char *out = NULL, *errtext = NULL;
	g_autoptr(GError) e = NULL;
	int status;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
			  &out, &errtext, &status, &e)) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT, "cannot run gnuplot (%s); "
			    "install it (Debian: gnuplot-nox, or make deps)", e->message);
		return FALSE;
	}
	if (!g_spawn_check_wait_status(status, NULL)) {
		g_auto(GStrv) lines = g_strsplit(errtext ? errtext : "", "\n", -1);
		const char *why = "no message";

		/* gnuplot echoes the offending line first; the reason is the last. */
		for (size_t i = 0; lines[i]; i++)
			if (*g_strstrip(lines[i]))
				why = lines[i];
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT, "gnuplot failed: %s", why);
		return FALSE;
	}
	return TRUE;
}

static gboolean
check_request(const struct plot_request *q, GError **err)
{
	const char *dot;

	if (!q->output || !(g_str_has_suffix(q->output, ".png") ||
			    g_str_has_suffix(q->output, ".pdf")))
		return fail_input(err, "--output: expected a file name ending in .png or "
				  ".pdf, found '%s'", q->output ? q->output : "");
	if (!q->metric || !*q->metric)
		return fail_input(err, "--metric ENTITY.NAME says what to draw, such as "
				  "site.0.success_ratio (flashcoop plot list DB shows what "
				  "a database holds)");
	dot = strrchr(q->metric, '.');
	if (!dot || dot == q->metric || !dot[1])
		return fail_input(err, "--metric: expected ENTITY.NAME such as "
				  "site.0.success_ratio, found '%s'", q->metric);
	if (q->width > 10000 || q->height > 10000 || (q->width && q->width < 100) ||
	    (q->height && q->height < 100))
		return fail_input(err, "--size: width and height must be 100 to 10000 "
				  "pixels");
	return TRUE;
}

gboolean
plot_draw(const struct key_table *table, const struct plot_request *req,
	  char **summary, GError **err)
{
	struct plot_ctx c = { .keys = table, .req = req };
	g_autofree char *dir = NULL, *base = NULL, *tmp_output = NULL, *script = NULL;
	gboolean ok = FALSE;
	int fd = -1;

	*summary = NULL;
	if (!check_request(req, err))
		return FALSE;
	c.res = results_open(req->db, RESULTS_READ, err);
	if (!c.res)
		return FALSE;
	c.db = results_db(c.res);
	{
		const char *dot = strrchr(req->metric, '.');

		c.entity = g_strndup(req->metric, (size_t)(dot - req->metric));
		c.name = g_strdup(dot + 1);
	}
	c.gp = g_string_new(NULL);
	if (!select_runs(&c, err))
		goto out;

	/* The figure goes to a file beside the output, renamed over it once
	 * gnuplot succeeded. */
	dir = g_path_get_dirname(req->output);
	base = g_path_get_basename(req->output);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		fail_input(err, "--output %s: no directory %s", req->output, dir);
		goto out;
	}
	tmp_output = g_strdup_printf("%s/.%s.%d.tmp", dir, base, (int)getpid());
	switch (req->kind) {
	case PLOT_SERIES:
		ok = draw_series(&c, tmp_output, summary, err);
		break;
	case PLOT_SCALAR:
		ok = draw_scalar(&c, tmp_output, summary, err);
		break;
	case PLOT_CDF:
		ok = draw_cdf(&c, tmp_output, summary, err);
		break;
	}
	if (!ok)
		goto out;
	ok = FALSE;
	fd = g_file_open_tmp("flashcoop-plot-XXXXXX.gp", &script, err);
	if (fd < 0)
		goto out;
	close(fd);
	if (!g_file_set_contents(script, c.gp->str, (gssize)c.gp->len, err))
		goto out;
	if (req->script) {
		/* The script as the user keeps it writes the real output. */
		g_autofree char *kept = NULL;
		g_autoptr(GString) s = g_string_new(c.gp->str);
		g_autoptr(GString) q = g_string_new(NULL);
		g_autoptr(GString) r = g_string_new(NULL);

		gp_printf_quoted(q, "set output ", tmp_output, "\n");
		gp_printf_quoted(r, "set output ", req->output, "\n");
		g_string_replace(s, q->str, r->str, 1);
		if (!g_file_set_contents(req->script, s->str, (gssize)s->len, err))
			goto out;
	}
	if (!run_gnuplot(script, err))
		goto out;
	if (g_rename(tmp_output, req->output) != 0) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT, "%s: cannot write: %s",
			    req->output, g_strerror(errno));
		goto out;
	}
	ok = TRUE;
out:
	if (script)
		g_unlink(script);
	if (tmp_output && !ok)
		g_unlink(tmp_output);
	if (!ok)
		g_clear_pointer(summary, g_free);
	plot_ctx_clear(&c);
	return ok;
}

/* --- list ------------------------------------------------------------- */

static gboolean
list_query(struct results *res, GString *out, const char *prefix, const char *sql,
	   GError **err)
{
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	int rc;

	if (sqlite3_prepare_v2(results_db(res), sql, -1, &st, NULL) != SQLITE_OK)
		return results_fail(res, err, "cannot read the results");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_string_append_printf(out, "%s %s\n", prefix,
				       (const char *)sqlite3_column_text(st, 0));
	return rc == SQLITE_DONE ? TRUE : results_fail(res, err, "cannot read the results");
}

char *
plot_list(const char *db, GError **err)
{
	g_autoptr(fc_results) res = results_open(db, RESULTS_READ, err);
	g_autoptr(GString) out = g_string_new(NULL);

	if (!res)
		return NULL;
	if (!list_query(res, out, "runs", "SELECT count(*) || ' done, ' || "
			"(SELECT count(*) FROM point) || ' points' FROM run "
			"WHERE status = 'done'", err) ||
	    !list_query(res, out, "param", "SELECT name || ': ' || group_concat(value, ', ') "
			"FROM (SELECT DISTINCT name, value FROM point_param "
			"  WHERE name IN (SELECT name FROM point_param GROUP BY name "
			"    HAVING count(DISTINCT value) > 1) ORDER BY name, value) "
			"GROUP BY name ORDER BY name", err) ||
	    !list_query(res, out, "vector", "SELECT DISTINCT v.entity || '.' || v.name "
			"FROM vector v JOIN run r ON r.id = v.run_id WHERE r.status = 'done' "
			"ORDER BY 1", err) ||
	    !list_query(res, out, "scalar", "SELECT DISTINCT x.entity || '.' || x.name "
			"FROM scalar x JOIN run r ON r.id = x.run_id WHERE r.status = 'done' "
			"ORDER BY 1", err) ||
	    !list_query(res, out, "statistic", "SELECT DISTINCT s.entity || '.' || s.name "
			"FROM statistic s JOIN run r ON r.id = s.run_id "
			"WHERE r.status = 'done' ORDER BY 1", err))
		return NULL;
	return g_string_free(g_steal_pointer(&out), FALSE);
}

/* --- the command ------------------------------------------------------ */

static int
plot_usage_error(const char *msg)
{
	fprintf(stderr, "flashcoop plot: %s (see flashcoop plot --help)\n", msg);
	return 2;
}

int
plot_main(const struct key_table *table, int argc, char **argv)
{
	g_auto(GStrv) runs = NULL, where = NULL;
	g_autofree char *output = NULL, *metric = NULL, *x = NULL, *by = NULL,
		*title = NULL, *size = NULL, *script = NULL;
	gboolean logx = FALSE, logy = FALSE, quiet = FALSE;
	GOptionEntry entries[] = {
		{ "metric", 'm', 0, G_OPTION_ARG_STRING, &metric,
		  "what to draw: a vector (series), scalar (scalar) or statistic (cdf)",
		  "ENTITY.NAME" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "the figure, .png or .pdf (default KIND.png)", "FILE" },
		{ "run", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &runs,
		  "series, cdf: draw this run (by id; may be repeated; default: every "
		  "done run, replication 0 for series)", "ID" },
		{ "where", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &where,
		  "only runs with this parameter value; may be repeated",
		  "GROUP.KEY=VALUE" },
		{ "x", 'x', 0, G_OPTION_ARG_STRING, &x,
		  "scalar: the parameter on the x axis", "GROUP.KEY" },
		{ "by", 'b', 0, G_OPTION_ARG_STRING, &by,
		  "scalar: one line per value of this parameter", "GROUP.KEY" },
		{ "title", 't', 0, G_OPTION_ARG_STRING, &title,
		  "the title (default: the scenario's name and description)", "TEXT" },
		{ "size", 0, 0, G_OPTION_ARG_STRING, &size,
		  "size in pixels (default 1000x600; a PDF has the same proportions)",
		  "WxH" },
		{ "logx", 0, 0, G_OPTION_ARG_NONE, &logx, "logarithmic x axis", NULL },
		{ "logy", 0, 0, G_OPTION_ARG_NONE, &logy, "logarithmic y axis", NULL },
		{ "script", 0, 0, G_OPTION_ARG_FILENAME, &script,
		  "also write the gnuplot script, data included, to FILE", "FILE" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "print nothing", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("KIND DB");
	g_autoptr(GError) err = NULL;
	g_autofree char *summary = NULL, *default_out = NULL;
	struct plot_request q = { 0 };

	g_option_context_set_summary(ctx,
		"Draws a figure from a results database with gnuplot.  KIND is one of:\n"
		"  series  a time series of one or more runs over simulated time, with\n"
		"          the flash crowd shaded and its offered load on the right axis\n"
		"  scalar  a scalar against a swept parameter (--x): mean and 95%\n"
		"          confidence interval over the replications (Student t), one\n"
		"          line per value of --by\n"
		"  cdf     the distribution function of a statistic, one curve per\n"
		"          sweep point\n"
		"  list    print what DB holds to draw: varied parameters, vectors,\n"
		"          scalars, statistics\n"
		"\n"
		"Examples:\n"
		"  flashcoop plot series results.db -m site.0.success_ratio -o s.png\n"
		"  flashcoop plot scalar sweep.db -m station.mean_response_s \\\n"
		"      -x mmck.arrival_rate --by mmck.servers -o r.pdf\n"
		"  flashcoop plot cdf results.db -m site.0.page_time_s -o cdf.png");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "flashcoop plot: %s\n", err->message);
		return 2;
	}
	if (argc < 3)
		return plot_usage_error(argc < 2 ? "no KIND given (series, scalar, cdf or list)" :
					"no results database given");
	if (argc > 3)
		return plot_usage_error("unexpected argument after KIND DB");
	if (strcmp(argv[1], "list") == 0) {
		g_autofree char *text = plot_list(argv[2], &err);

		if (!text) {
			fprintf(stderr, "flashcoop plot: %s\n", err->message);
			return 2;
		}
		fputs(text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "series") == 0) {
		q.kind = PLOT_SERIES;
	} else if (strcmp(argv[1], "scalar") == 0) {
		q.kind = PLOT_SCALAR;
	} else if (strcmp(argv[1], "cdf") == 0) {
		q.kind = PLOT_CDF;
	} else {
		static const char *const kinds[] = { "series", "scalar", "cdf", "list" };
		const char *near = keys_suggest(argv[1], kinds, G_N_ELEMENTS(kinds));

		fprintf(stderr, "flashcoop plot: unknown kind '%s'%s%s%s (series, scalar, "
			"cdf or list)\n", argv[1], near ? "; did you mean '" : "",
			near ? near : "", near ? "'?" : "");
		return 2;
	}
	if (size) {
		guint64 w, h;
		g_auto(GStrv) wh = g_strsplit(size, "x", 3);

		if (g_strv_length(wh) != 2 ||
		    !g_ascii_string_to_unsigned(wh[0], 10, 100, 10000, &w, NULL) ||
		    !g_ascii_string_to_unsigned(wh[1], 10, 100, 10000, &h, NULL)) {
			fprintf(stderr, "flashcoop plot: --size: expected WIDTHxHEIGHT in "
				"pixels, 100 to 10000 each, such as 1200x700, found '%s'\n",
				size);
			return 2;
		}
		q.width = (unsigned)w;
		q.height = (unsigned)h;
	}
	default_out = g_strdup_printf("%s.png", argv[1]);
	q.db = argv[2];
	q.metric = metric;
	q.runs = (const char *const *)runs;
	q.where = (const char *const *)where;
	q.x = x;
	q.by = by;
	q.output = output ? output : default_out;
	q.script = script;
	q.title = title;
	q.logx = logx;
	q.logy = logy;
	if (!plot_draw(table, &q, &summary, &err)) {
		fprintf(stderr, "flashcoop plot: %s\n", err->message);
		return err->domain == PLOT_ERROR && err->code == PLOT_ERROR_GNUPLOT ? 1 : 2;
	}
	if (!quiet)
		printf("%s: %s\n", q.output, summary);
	return 0;
}
