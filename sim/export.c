/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/export.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <sqlite3.h>

#include "sim/autoptr.h"
#include "sim/keys.h"
#include "sim/model.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "sim/value.h"

#define EXIT_FAILED 1
#define EXIT_BAD_INPUT 2

/* How runs are chosen: the options both commands share. */
struct selection {
	char *status;      /* NULL: any */
	char *sweep;       /* NULL: any */
	char **where;      /* "group.key=value", NULL-terminated, or NULL */
	/* --where, parsed: names and canonical values */
	GPtrArray *names, *values;
};

static void
selection_clear(struct selection *s)
{
	g_free(s->status);
	g_free(s->sweep);
	g_strfreev(s->where);
	if (s->names)
		g_ptr_array_unref(s->names);
	if (s->values)
		g_ptr_array_unref(s->values);
}

/* Checks --status and turns each --where into a key and a canonical value. */
static gboolean
selection_parse(struct selection *s, const struct key_table *keys, GError **err)
{
	static const char *const statuses[] = { "running", "done", "failed", "interrupted" };
	bool known = !s->status;

	for (size_t i = 0; i < G_N_ELEMENTS(statuses) && !known; i++)
		known = strcmp(s->status, statuses[i]) == 0;
	if (!known) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--status: expected running, done, failed or interrupted, "
			    "found '%s'", s->status);
		return FALSE;
	}
	s->names = g_ptr_array_new_with_free_func(g_free);
	s->values = g_ptr_array_new_with_free_func(g_free);
	for (size_t i = 0; s->where && s->where[i]; i++) {
		const char *eq = strchr(s->where[i], '=');
		g_autofree char *name = eq ? g_strstrip(g_strndup(s->where[i],
					     (gsize)(eq - s->where[i]))) : NULL;
		g_autofree char *why = NULL;
		const struct key_def *k;
		char *canon;

		if (!eq) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--where: expected GROUP.KEY=VALUE, found '%s'",
				    s->where[i]);
			return FALSE;
		}
		k = keys_find_dotted(keys, name);
		if (!k) {
			g_autofree char *near = keys_suggest_dotted(keys, name);

			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--where: unknown scenario key '%s'%s%s%s", name,
				    near ? "; did you mean '" : "", near ? near : "",
				    near ? "'?" : "");
			return FALSE;
		}
		canon = scenario_parse_value(k, eq + 1, &why);
		if (!canon) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--where %s: %s", name, why);
			return FALSE;
		}
		g_ptr_array_add(s->names, g_steal_pointer(&name));
		g_ptr_array_add(s->values, canon);
	}
	return TRUE;
}

/* Fills the temporary table sel with the ids of the selected runs. */
static gboolean
selection_apply(const struct selection *s, sqlite3 *db, GError **err)
{
	g_autoptr(GString) sql = g_string_new("CREATE TEMP TABLE sel AS SELECT id FROM run r"
					      " WHERE 1");
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	int n = 0;

	if (s->status)
		g_string_append(sql, " AND r.status = ?");
	if (s->sweep)
		g_string_append(sql, " AND r.sweep = ?");
	for (guint i = 0; i < s->names->len; i++)
		g_string_append(sql, " AND EXISTS (SELECT 1 FROM param p WHERE"
				" p.run_id = r.id AND p.name = ? AND p.value = ?)");
	g_string_append(sql, " ORDER BY id");
	if (sqlite3_prepare_v2(db, sql->str, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	if (s->status)
		sqlite3_bind_text(st, ++n, s->status, -1, SQLITE_STATIC);
	if (s->sweep)
		sqlite3_bind_text(st, ++n, s->sweep, -1, SQLITE_STATIC);
	for (guint i = 0; i < s->names->len; i++) {
		sqlite3_bind_text(st, ++n, s->names->pdata[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, ++n, s->values->pdata[i], -1, SQLITE_STATIC);
	}
	if (sqlite3_step(st) == SQLITE_DONE)
		return TRUE;
fail:
	g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_WRITE, "cannot select the runs: %s",
		    sqlite3_errmsg(db));
	return FALSE;
}

/* The selection options, appended to entries at *n. */
static void
selection_options(struct selection *s, GOptionEntry *e, size_t *n)
{
	e[(*n)++] = (GOptionEntry){ "status", 0, 0, G_OPTION_ARG_STRING, &s->status,
		"only runs with this status (running, done, failed, interrupted)",
		"STATUS" };
	e[(*n)++] = (GOptionEntry){ "sweep", 0, 0, G_OPTION_ARG_STRING, &s->sweep,
		"only runs of this sweep (its file name without .ini)", "NAME" };
	e[(*n)++] = (GOptionEntry){ "where", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &s->where,
		"only runs whose parameter GROUP.KEY has this value (in any spelling "
		"of its type: 60s and 1min match); may be repeated", "GROUP.KEY=VALUE" };
}

/* Parses the command line; prints the error and returns FALSE on failure. */
static gboolean
parse(const char *cmd, const char *summary, GOptionEntry *entries, int *argc,
      char ***argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("DB");
	g_autoptr(GError) err = NULL;

	g_option_context_set_summary(ctx, summary);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		fprintf(stderr, "flashcoop %s: %s\n", cmd, err->message);
		return FALSE;
	}
	if (*argc != 2) {
		fprintf(stderr, "flashcoop %s: expected one results database (see "
			"flashcoop %s --help)\n", cmd, cmd);
		return FALSE;
	}
	return TRUE;
}

/* Opens the database for reading and selects its runs; NULL after a message. */
static struct results *
open_selected(const char *cmd, const char *path, struct selection *s,
	      const struct sim_catalog *cat, int *status)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(fc_results) db = NULL;

	*status = EXIT_BAD_INPUT;
	if (!selection_parse(s, cat->keys, &err)) {
		fprintf(stderr, "flashcoop %s: %s\n", cmd, err->message);
		return NULL;
	}
	db = results_open(path, RESULTS_READ, &err);
	if (!db) {
		fprintf(stderr, "flashcoop %s: %s\n", cmd, err->message);
		return NULL;
	}
	if (!selection_apply(s, results_db(db), &err)) {
		fprintf(stderr, "flashcoop %s: %s: %s\n", cmd, path, err->message);
		*status = EXIT_FAILED;
		return NULL;
	}
	return g_steal_pointer(&db);
}

/* ---- flashcoop runs ---- */

int
export_runs_main(const struct sim_catalog *cat, int argc, char **argv)
{
	struct selection s = { 0 };
	GOptionEntry entries[8] = { { 0 } };
	size_t n = 0;
	g_autoptr(fc_results) db = NULL;
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	int status = 0, rc;

	selection_options(&s, entries, &n);
	if (!parse("runs", "Lists the runs of a results database: id, status, scenario, "
		   "sweep, point key,\nreplication, program version, wall-clock seconds.",
		   entries, &argc, &argv)) {
		selection_clear(&s);
		return EXIT_BAD_INPUT;
	}
	db = open_selected("runs", argv[1], &s, cat, &status);
	selection_clear(&s);
	if (!db)
		return status;
	rc = sqlite3_prepare_v2(results_db(db),
		"SELECT r.id, r.status, r.scenario, coalesce(r.sweep, '-'), r.point_key,"
		" r.replication, r.version,"
		" CASE WHEN r.wall_s IS NULL THEN '-' ELSE printf('%.3f', r.wall_s) END"
		" FROM run r JOIN sel USING (id) ORDER BY r.id", -1, &st, NULL);
	if (rc == SQLITE_OK)
		printf("%-6s %-11s %-16s %-16s %-16s %5s %-16s %10s\n", "id", "status",
		       "scenario", "sweep", "point", "rep", "version", "wall_s");
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		printf("%-6s %-11s %-16s %-16s %-16s %5s %-16s %10s\n",
		       sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
		       sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
		       sqlite3_column_text(st, 4), sqlite3_column_text(st, 5),
		       sqlite3_column_text(st, 6), sqlite3_column_text(st, 7));
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "flashcoop runs: %s: %s\n", argv[1],
			sqlite3_errmsg(results_db(db)));
		return EXIT_FAILED;
	}
	return 0;
}

/* ---- flashcoop export ---- */

enum kind { KIND_SCALAR, KIND_VECTOR, KIND_STATISTIC };

static const char *const kind_names[] = { "scalar", "vector", "statistic" };

/* Each kind's query over the selected runs, its columns after the run's. */
static const char *const kind_sql[] = {
	"SELECT r.id, r.run_key, r.replication, x.entity, x.name, x.value"
	" FROM scalar x JOIN run r ON r.id = x.run_id JOIN sel USING (id)"
	" ORDER BY r.id, x.entity, x.name",
	"SELECT r.id, r.run_key, r.replication, v.entity, v.name, d.t_ns,"
	" d.t_ns / 1e9, d.value"
	" FROM vector_data d JOIN vector v ON v.id = d.vector_id"
	" JOIN run r ON r.id = v.run_id JOIN sel USING (id)"
	" ORDER BY r.id, v.entity, v.name, d.rowid",
	"SELECT r.id, r.run_key, r.replication, s.entity, s.name, s.count, s.mean,"
	" s.sd, s.min, s.max, s.sum, s.p01, s.p05, s.p10, s.p25, s.p50, s.p75,"
	" s.p90, s.p95, s.p99"
	" FROM statistic s JOIN run r ON r.id = s.run_id JOIN sel USING (id)"
	" ORDER BY r.id, s.entity, s.name",
};

static const char *const kind_columns[][20] = {
	{ "entity", "name", "value", NULL },
	{ "entity", "name", "t_ns", "t_s", "value", NULL },
	{ "entity", "name", "count", "mean", "sd", "min", "max", "sum", "p01", "p05",
	  "p10", "p25", "p50", "p75", "p90", "p95", "p99", NULL },
};

/* One cell's text: a real in the shortest form that reads back exactly
 * (sim/value.h), NULL (and NaN, infinities) as NULL. */
static char *
cell_text(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return NULL;
	case SQLITE_FLOAT: {
		double d = sqlite3_column_double(st, i);

		if (!isfinite(d))
			return NULL;
		return value_format_real(d);
	}
	default:
		return g_strdup((const char *)sqlite3_column_text(st, i));
	}
}

static void
put_csv(GString *out, const char *text)
{
	if (!text)
		return;
	if (!strpbrk(text, ",\"\n\r")) {
		g_string_append(out, text);
		return;
	}
	g_string_append_c(out, '"');
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
}

static void
put_json_string(GString *out, const char *text)
{
	g_string_append_c(out, '"');
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_printf(out, "\\%c", *p);
		else if (*p < 0x20)
			g_string_append_printf(out, "\\u%04x", *p);
		else
			g_string_append_c(out, (char)*p);
	}
	g_string_append_c(out, '"');
}

/* A JSON value: numbers as they are, the rest as strings, NULL as null. */
static void
put_json(GString *out, const char *text, bool numeric)
{
	if (!text)
		g_string_append(out, "null");
	else if (numeric)
		g_string_append(out, text);
	else
		put_json_string(out, text);
}

/*
 * The parameter columns: "varied" (the keys whose value differs between
 * the selected runs), "all", "none", or a comma-separated list of keys.
 */
static GPtrArray *
param_columns(sqlite3 *db, const char *which, const struct key_table *keys,
	      GError **err)
{
	GPtrArray *cols = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	const char *sql = NULL;
	int rc;

	if (strcmp(which, "none") == 0)
		return cols;
	if (strcmp(which, "varied") == 0)
		sql = "SELECT name FROM param WHERE run_id IN (SELECT id FROM sel)"
		      " GROUP BY name HAVING count(DISTINCT value) > 1 ORDER BY name";
	else if (strcmp(which, "all") == 0)
		sql = "SELECT DISTINCT name FROM param WHERE run_id IN (SELECT id FROM sel)"
		      " ORDER BY name";
	if (!sql) {
		g_auto(GStrv) names = g_strsplit(which, ",", -1);

		for (size_t i = 0; names[i]; i++) {
			char *name = g_strstrip(names[i]);

			if (!keys_find_dotted(keys, name)) {
				g_autofree char *near = keys_suggest_dotted(keys, name);

				g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
					    "--params: unknown scenario key '%s'%s%s%s "
					    "(or give varied, all or none)", name,
					    near ? "; did you mean '" : "",
					    near ? near : "", near ? "'?" : "");
				g_ptr_array_unref(cols);
				return NULL;
			}
			g_ptr_array_add(cols, g_strdup(name));
		}
		return cols;
	}
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		g_ptr_array_add(cols, g_strdup((const char *)sqlite3_column_text(st, 0)));
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_WRITE,
			    "cannot read the parameters: %s", sqlite3_errmsg(db));
		g_ptr_array_unref(cols);
		return NULL;
	}
	return cols;
}

/*
 * The parameter cells of every selected run: "ID\tNAME" -> the value in
 * base units when it is a number, else its text.  *numeric gets the names
 * whose every value is a number.
 */
static GHashTable *
param_cells(sqlite3 *db, GPtrArray *cols, GHashTable *numeric, GError **err)
{
	GHashTable *cells = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT p.run_id, p.value, p.num FROM param p"
				    " JOIN sel ON sel.id = p.run_id WHERE p.name = ?",
				    -1, &st, NULL);

	for (guint c = 0; rc == SQLITE_OK && c < cols->len; c++) {
		bool all_numbers = true;

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, cols->pdata[c], -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			bool num = sqlite3_column_type(st, 2) != SQLITE_NULL;
			char *text = num ? cell_text(st, 2) :
				g_strdup((const char *)sqlite3_column_text(st, 1));

			all_numbers = all_numbers && num;
			g_hash_table_insert(cells, g_strdup_printf("%lld\t%s",
					    (long long)sqlite3_column_int64(st, 0),
					    (char *)cols->pdata[c]), text);
		}
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
		if (all_numbers)
			g_hash_table_add(numeric, cols->pdata[c]);
	}
	if (rc != SQLITE_OK) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_WRITE,
			    "cannot read the parameters: %s", sqlite3_errmsg(db));
		g_hash_table_unref(cells);
		return NULL;
	}
	return cells;
}

/* Writes the rows of one kind; FALSE with err on a database error. */
static gboolean
write_rows(sqlite3 *db, enum kind kind, bool json, GPtrArray *cols, GHashTable *cells,
	   GHashTable *numeric, FILE *out, GError **err)
{
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	g_autoptr(GString) line = g_string_new(NULL);
	const char *const *kcols = kind_columns[kind];
	int nk = 0, rc;
	bool first = true;

	while (kcols[nk])
		nk++;
	if (!json) {
		g_string_append(line, "run_id,run_key,replication");
		for (guint c = 0; c < cols->len; c++) {
			g_string_append_c(line, ',');
			put_csv(line, cols->pdata[c]);
		}
		for (int k = 0; k < nk; k++)
			g_string_append_printf(line, ",%s", kcols[k]);
		fprintf(out, "%s\n", line->str);
	} else {
		fputs("[", out);
	}
	rc = sqlite3_prepare_v2(db, kind_sql[kind], -1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		g_autofree char *id = cell_text(st, 0);

		rc = SQLITE_OK;
		g_string_truncate(line, 0);
		for (int i = 0; i < 3 + (int)cols->len + nk; i++) {
			g_autofree char *text = NULL;
			const char *name;
			bool numeric_cell;

			if (i < 3) {
				static const char *const run_cols[] = {
					"run_id", "run_key", "replication" };

				name = run_cols[i];
				text = cell_text(st, i);
				numeric_cell = i != 1;
			} else if (i < 3 + (int)cols->len) {
				g_autofree char *key = NULL;

				name = cols->pdata[i - 3];
				key = g_strdup_printf("%s\t%s", id, name);
				text = g_strdup(g_hash_table_lookup(cells, key));
				numeric_cell = g_hash_table_contains(numeric, name);
			} else {
				int k = i - 3 - (int)cols->len;

				name = kcols[k];
				text = cell_text(st, 3 + k);
				numeric_cell = k >= 2;
			}
			if (json) {
				g_string_append(line, i ? ", " : "{");
				put_json_string(line, name);
				g_string_append(line, ": ");
				put_json(line, text, numeric_cell);
			} else {
				if (i)
					g_string_append_c(line, ',');
				put_csv(line, text);
			}
		}
		if (json)
			fprintf(out, "%s\n  %s}", first ? "" : ",", line->str);
		else
			fprintf(out, "%s\n", line->str);
		first = false;
	}
	if (json)
		fputs(first ? "]\n" : "\n]\n", out);
	if (rc != SQLITE_DONE) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_WRITE,
			    "cannot read the results: %s", sqlite3_errmsg(db));
		return FALSE;
	}
	return TRUE;
}

int
export_main(const struct sim_catalog *cat, int argc, char **argv)
{
	struct selection s = { 0 };
	g_autofree char *kind_text = NULL, *format = NULL, *params = NULL, *output = NULL;
	GOptionEntry entries[12] = { { 0 } };
	size_t n = 0;
	g_autoptr(fc_results) db = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) cols = NULL;
	g_autoptr(GHashTable) cells = NULL;
	g_autoptr(GHashTable) numeric = g_hash_table_new(g_str_hash, g_str_equal);
	enum kind kind = KIND_SCALAR;
	FILE *out = stdout;
	int status;
	gboolean ok;

	entries[n++] = (GOptionEntry){ "kind", 'k', 0, G_OPTION_ARG_STRING, &kind_text,
		"what to export: scalar (default), vector or statistic", "KIND" };
	entries[n++] = (GOptionEntry){ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		"csv (default) or json", "FORMAT" };
	entries[n++] = (GOptionEntry){ "params", 'p', 0, G_OPTION_ARG_STRING, &params,
		"parameter columns: varied (default: the keys whose value differs "
		"between the runs), all, none, or GROUP.KEY,...", "WHICH" };
	entries[n++] = (GOptionEntry){ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		"write to FILE (default: standard output)", "FILE" };
	selection_options(&s, entries, &n);
	if (!parse("export", "Writes the scalars, vectors or statistics of the selected "
		   "runs (default: the\ndone ones) as CSV or JSON, one row per value, "
		   "with the runs' parameters as\ncolumns (numbers in seconds, bytes, "
		   "bit/s).", entries, &argc, &argv)) {
		selection_clear(&s);
		return EXIT_BAD_INPUT;
	}
	if (kind_text) {
		for (kind = 0; kind < G_N_ELEMENTS(kind_names); kind++)
			if (strcmp(kind_text, kind_names[kind]) == 0)
				break;
		if (kind == G_N_ELEMENTS(kind_names)) {
			fprintf(stderr, "flashcoop export: --kind: expected scalar, vector "
				"or statistic, found '%s'\n", kind_text);
			selection_clear(&s);
			return EXIT_BAD_INPUT;
		}
	}
	if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "flashcoop export: --format: expected csv or json, "
			"found '%s'\n", format);
		selection_clear(&s);
		return EXIT_BAD_INPUT;
	}
	if (!s.status)
		s.status = g_strdup("done");
	db = open_selected("export", argv[1], &s, cat, &status);
	selection_clear(&s);
	if (!db)
		return status;
	cols = param_columns(results_db(db), params ? params : "varied", cat->keys, &err);
	if (!cols) {
		fprintf(stderr, "flashcoop export: %s\n", err->message);
		return err->domain == G_OPTION_ERROR ? EXIT_BAD_INPUT : EXIT_FAILED;
	}
	cells = param_cells(results_db(db), cols, numeric, &err);
	if (!cells) {
		fprintf(stderr, "flashcoop export: %s: %s\n", argv[1], err->message);
		return EXIT_FAILED;
	}
	if (output && !(out = fopen(output, "w"))) {
		fprintf(stderr, "flashcoop export: cannot write %s: %s\n", output,
			g_strerror(errno));
		return EXIT_FAILED;
	}
	ok = write_rows(results_db(db), kind, format && strcmp(format, "json") == 0,
			cols, cells, numeric, out, &err);
	if ((output && fclose(out) != 0) || (!output && fflush(out) != 0)) {
		fprintf(stderr, "flashcoop export: cannot write %s: %s\n",
			output ? output : "the output", g_strerror(errno));
		return EXIT_FAILED;
	}
	if (!ok) {
		fprintf(stderr, "flashcoop export: %s: %s\n", argv[1], err->message);
		return EXIT_FAILED;
	}
	return 0;
}
