/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/results.h"

#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "sim/autoptr.h"

/* 'FCOP' */
#define APPLICATION_ID 0x46434f50
/* Student t quantiles are tabulated up to this many degrees of freedom. */
#define T_TABLE_MAX_DF 1000
/* The t quantile of two-sided 95% confidence intervals. */
#define T_TABLE_QUANTILE 0.975
/* How long a writer waits for another process's lock (a sweep's workers
 * share one database), in milliseconds. */
#define BUSY_TIMEOUT_MS (10 * 60 * 1000)

struct results {
	sqlite3 *db;
	char *path;
};

G_DEFINE_QUARK(flashcoop-results-error-quark, results_error)

/*
 * The warnings about a run's scenario (keys set that have no effect), one
 * row each.  A table of its own, created in databases made before it when
 * a run with warnings is recorded, so that their schema version stays.
 */
#define RUN_WARNING_TABLE \
	"CREATE TABLE IF NOT EXISTS run_warning (" \
	"  run_id INTEGER NOT NULL REFERENCES run (id)," \
	"  message TEXT NOT NULL);"

/* Keep docs/results.md in step with this. */
static const char schema[] =
	"CREATE TABLE run ("
	"  id INTEGER PRIMARY KEY,"
	"  run_key TEXT NOT NULL,"
	"  point_key TEXT NOT NULL,"
	"  status TEXT NOT NULL"
	"    CHECK (status IN ('running','done','failed','interrupted')),"
	"  error TEXT,"
	"  scenario TEXT NOT NULL,"
	"  scenario_text TEXT NOT NULL,"
	"  params TEXT NOT NULL,"
	"  overrides TEXT NOT NULL,"
	"  seed INTEGER NOT NULL,"
	"  replication INTEGER NOT NULL,"
	"  version TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  pid INTEGER NOT NULL,"
	"  started TEXT NOT NULL,"
	"  ended TEXT,"
	"  wall_s REAL,"
	"  sim_end_ns INTEGER,"
	"  events INTEGER);"
	"CREATE UNIQUE INDEX run_done_key ON run (run_key) WHERE status = 'done';"
	"CREATE INDEX run_point ON run (point_key);"
	"CREATE TABLE param ("
	"  run_id INTEGER NOT NULL REFERENCES run (id),"
	"  name TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  PRIMARY KEY (run_id, name)) WITHOUT ROWID;"
	"CREATE TABLE scalar ("
	"  run_id INTEGER NOT NULL REFERENCES run (id),"
	"  entity TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  value REAL,"
	"  PRIMARY KEY (run_id, entity, name)) WITHOUT ROWID;"
	"CREATE TABLE vector ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES run (id),"
	"  entity TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  UNIQUE (run_id, entity, name));"
	"CREATE TABLE vector_data ("
	"  vector_id INTEGER NOT NULL REFERENCES vector (id),"
	"  t_ns INTEGER NOT NULL,"
	"  value REAL);"
	"CREATE INDEX vector_data_vector ON vector_data (vector_id);"
	"CREATE TABLE statistic ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES run (id),"
	"  entity TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  mean REAL, sd REAL, min REAL, max REAL, sum REAL,"
	"  p01 REAL, p05 REAL, p10 REAL, p25 REAL, p50 REAL,"
	"  p75 REAL, p90 REAL, p95 REAL, p99 REAL,"
	"  UNIQUE (run_id, entity, name));"
	"CREATE TABLE statistic_bin ("
	"  statistic_id INTEGER NOT NULL REFERENCES statistic (id),"
	"  lower REAL NOT NULL,"
	"  upper REAL NOT NULL,"
	"  count INTEGER NOT NULL);"
	"CREATE INDEX statistic_bin_statistic ON statistic_bin (statistic_id);"
	"CREATE TABLE event_log ("
	"  run_id INTEGER NOT NULL REFERENCES run (id),"
	"  seq INTEGER NOT NULL,"
	"  t_ns INTEGER NOT NULL,"
	"  entity TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  detail TEXT,"
	"  PRIMARY KEY (run_id, seq)) WITHOUT ROWID;"
	RUN_WARNING_TABLE
	"CREATE TABLE t_quantile ("
	"  df INTEGER PRIMARY KEY,"
	"  q975 REAL NOT NULL);"
	/* What a sweep point is: its key and the parameters of its runs. */
	"CREATE VIEW point AS"
	"  SELECT point_key, min(scenario) AS scenario, count(*) AS runs"
	"  FROM run WHERE status = 'done' GROUP BY point_key;"
	"CREATE VIEW point_param AS"
	"  SELECT DISTINCT r.point_key, p.name, p.value"
	"  FROM param p JOIN run r ON r.id = p.run_id WHERE r.status = 'done';"
	/*
	 * Mean, standard deviation, n and 95% confidence half-width of every
	 * scalar over the done replications of each point; the deviations are
	 * taken from the mean in a second pass, not from sums of squares.
	 */
	"CREATE VIEW point_scalar AS"
	"  WITH s AS ("
	"    SELECT r.point_key, x.entity, x.name, x.value"
	"    FROM scalar x JOIN run r ON r.id = x.run_id"
	"    WHERE r.status = 'done' AND x.value IS NOT NULL),"
	"  m AS ("
	"    SELECT point_key, entity, name, count(*) AS n, avg(value) AS mean"
	"    FROM s GROUP BY point_key, entity, name),"
	"  v AS ("
	"    SELECT m.point_key, m.entity, m.name, m.n, m.mean,"
	"      CASE WHEN m.n > 1 THEN"
	"        sqrt(sum((s.value - m.mean) * (s.value - m.mean)) / (m.n - 1))"
	"      END AS sd"
	"    FROM m JOIN s USING (point_key, entity, name)"
	"    GROUP BY m.point_key, m.entity, m.name)"
	"  SELECT point_key, entity, name, n, mean, sd,"
	"    sd / sqrt(n) * (SELECT q975 FROM t_quantile"
	"      WHERE df = min(n - 1, " G_STRINGIFY(T_TABLE_MAX_DF) ")) AS ci95"
	"  FROM v;";

sqlite3 *
results_db(struct results *r)
{
	return r->db;
}

gboolean
results_fail(struct results *r, GError **err, const char *what)
{
	int code = sqlite3_errcode(r->db);

	g_set_error(err, RESULTS_ERROR,
		    code == SQLITE_NOTADB || code == SQLITE_CORRUPT ?
		    RESULTS_ERROR_FOREIGN : RESULTS_ERROR_WRITE,
		    "%s: %s: %s", r->path, what, sqlite3_errmsg(r->db));
	return FALSE;
}

gboolean
results_end_transaction(struct results *r, int rc, const char *what, GError **err)
{
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return TRUE;
	results_fail(r, err, what);
	sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	return FALSE;
}

static gboolean
query_int(struct results *r, const char *sql, int64_t *out, GError **err)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_FOREIGN,
			    "%s: not a flashcoop results database, or a damaged one "
			    "(%s); refusing to use it", r->path, sqlite3_errmsg(r->db));
		return FALSE;
	}
	return TRUE;
}

static gboolean
create_schema(struct results *r, GError **err)
{
	sqlite3_stmt *st = NULL;
	g_autofree char *sql = g_strdup_printf("%s PRAGMA application_id = %d;"
					       " PRAGMA user_version = %d;",
					       schema, APPLICATION_ID,
					       RESULTS_SCHEMA_VERSION);
	int rc = sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(r->db, sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(r->db, "INSERT INTO t_quantile VALUES (?, ?)",
					-1, &st, NULL);
	for (int df = 1; rc == SQLITE_OK && df <= T_TABLE_MAX_DF; df++) {
		sqlite3_bind_int(st, 1, df);
		sqlite3_bind_double(st, 2, gsl_cdf_tdist_Pinv(T_TABLE_QUANTILE, df));
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return results_end_transaction(r, rc, "cannot create the schema", err);
}

struct results *
results_open(const char *path, gboolean create, GError **err)
{
	g_autoptr(fc_results) r = g_new0(struct results, 1);
	int64_t app = 0, version = 0, tables = 0;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);

	r->path = g_strdup(path);
	if (!create && !g_file_test(path, G_FILE_TEST_EXISTS)) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_OPEN,
			    "%s: no such results database", path);
		return NULL;
	}
	if (sqlite3_open_v2(path, &r->db, flags, NULL) != SQLITE_OK) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_OPEN, "%s: cannot open: %s",
			    path, r->db ? sqlite3_errmsg(r->db) : "out of memory");
		return NULL;
	}
	/* Workers of a sweep write into one file: wait for each other. */
	sqlite3_busy_timeout(r->db, BUSY_TIMEOUT_MS);
	if (!query_int(r, "PRAGMA application_id", &app, err) ||
	    !query_int(r, "PRAGMA user_version", &version, err) ||
	    !query_int(r, "SELECT count(*) FROM sqlite_master", &tables, err))
		return NULL;
	if (app == 0 && tables == 0) {
		if (!create_schema(r, err))
			return NULL;
	} else if (app != APPLICATION_ID) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_FOREIGN,
			    "%s: an SQLite database, but not a flashcoop results "
			    "database; refusing to use it", path);
		return NULL;
	} else if (version != RESULTS_SCHEMA_VERSION) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_SCHEMA,
			    "%s: results schema version %" G_GINT64_FORMAT
			    ", this flashcoop reads and writes version %d", path, version,
			    RESULTS_SCHEMA_VERSION);
		return NULL;
	}
	return g_steal_pointer(&r);
}

void
results_close(struct results *r)
{
	if (!r)
		return;
	sqlite3_close(r->db);
	g_free(r->path);
	g_free(r);
}

static char *
utc_now(void)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();

	return g_date_time_format_iso8601(now);
}

gboolean
results_run_begin(struct results *r, const struct results_run_info *info,
		  int64_t *run_id, GError **err)
{
	sqlite3_stmt *st = NULL;
	g_autofree char *started = utc_now();
	int rc = sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(r->db,
			"INSERT INTO run (run_key, point_key, status, scenario,"
			" scenario_text, params, overrides, seed, replication, version,"
			" host, pid, started)"
			" VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, info->run_key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, info->point_key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, info->scenario, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, info->scenario_text, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, info->params, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, info->overrides, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)info->seed);
		sqlite3_bind_int64(st, 8, (sqlite3_int64)info->replication);
		sqlite3_bind_text(st, 9, info->version, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, g_get_host_name(), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 11, getpid());
		sqlite3_bind_text(st, 12, started, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == SQLITE_OK) {
		*run_id = sqlite3_last_insert_rowid(r->db);
		rc = sqlite3_prepare_v2(r->db, "INSERT INTO param VALUES (?, ?, ?, ?)",
					-1, &st, NULL);
	}
	for (size_t i = 0; rc == SQLITE_OK && i < info->nparams; i++) {
		sqlite3_bind_int64(st, 1, *run_id);
		sqlite3_bind_text(st, 2, info->param_names[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, info->param_values[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, info->param_sources[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return results_end_transaction(r, rc, "cannot record the run", err);
}

gboolean
results_run_end(struct results *r, int64_t run_id, const char *status,
		const char *error, fc_time_t sim_end, uint64_t events, GError **err)
{
	sqlite3_stmt *st = NULL;
	g_autofree char *ended = utc_now();
	int rc = sqlite3_prepare_v2(r->db,
		"UPDATE run SET status = ?, error = ?, ended = ?, sim_end_ns = ?,"
		" events = ?, wall_s = (julianday(?) - julianday(started)) * 86400"
		" WHERE id = ?", -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, error, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, ended, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)sim_end);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)events);
		sqlite3_bind_text(st, 6, ended, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, run_id);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return results_fail(r, err, "cannot finish the run");
	return TRUE;
}

bool
results_scalar(struct results *r, int64_t run_id, const char *entity, const char *name,
	       double *value)
{
	sqlite3_stmt *st = NULL;
	bool found = false;

	if (sqlite3_prepare_v2(r->db, "SELECT value FROM scalar WHERE run_id = ?"
			       " AND entity = ? AND name = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, entity, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_type(st, 0) != SQLITE_NULL) {
			*value = sqlite3_column_double(st, 0);
			found = true;
		}
	}
	sqlite3_finalize(st);
	return found;
}

gboolean
results_run_warnings(struct results *r, int64_t run_id, const char *const *messages,
		     size_t n, GError **err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (n == 0)
		return TRUE;
	rc = sqlite3_exec(r->db, "BEGIN IMMEDIATE; " RUN_WARNING_TABLE, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(r->db, "INSERT INTO run_warning VALUES (?, ?)",
					-1, &st, NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, messages[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return results_end_transaction(r, rc, "cannot record the run's warnings", err);
}

/* Runs sql with ?1 = a and, when it has a second parameter, ?2 = b. */
static int
exec_id(sqlite3 *db, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, a);
		if (sqlite3_bind_parameter_count(st) > 1)
			sqlite3_bind_int64(st, 2, b);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

gboolean
results_find_done(struct results *r, const char *run_key, int64_t *id, GError **err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(r->db, "SELECT id FROM run WHERE status = 'done'"
				    " AND run_key = ?", -1, &st, NULL);

	*id = 0;
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, run_key, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*id = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return results_fail(r, err, "cannot read the runs");
	return TRUE;
}

gboolean
results_delete_run(struct results *r, int64_t id, GError **err)
{
	static const char *const sql[] = {
		"DELETE FROM vector_data WHERE vector_id IN"
		" (SELECT id FROM vector WHERE run_id = ?1)",
		"DELETE FROM vector WHERE run_id = ?1",
		"DELETE FROM statistic_bin WHERE statistic_id IN"
		" (SELECT id FROM statistic WHERE run_id = ?1)",
		"DELETE FROM statistic WHERE run_id = ?1",
		"DELETE FROM scalar WHERE run_id = ?1",
		"DELETE FROM event_log WHERE run_id = ?1",
		"DELETE FROM param WHERE run_id = ?1",
		"DELETE FROM run WHERE id = ?1",
	};

	int64_t warnings = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(sql); i++)
		if (exec_id(r->db, sql[i], id, 0) != SQLITE_OK)
			return results_fail(r, err, "cannot delete the run it replaces");
	/* run_warning is missing from databases made before it. */
	if (!query_int(r, "SELECT count(*) FROM sqlite_master WHERE name = 'run_warning'",
		       &warnings, err))
		return FALSE;
	if (warnings && exec_id(r->db, "DELETE FROM run_warning WHERE run_id = ?1", id, 0) !=
	    SQLITE_OK)
		return results_fail(r, err, "cannot delete the run it replaces");
	return TRUE;
}

GHashTable *
results_done_keys(struct results *r, GError **err)
{
	GHashTable *keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(r->db, "SELECT run_key FROM run WHERE status = 'done'",
				    -1, &st, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		g_hash_table_add(keys, g_strdup((const char *)sqlite3_column_text(st, 0)));
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		g_hash_table_unref(keys);
		results_fail(r, err, "cannot read the runs");
		return NULL;
	}
	return keys;
}

gboolean
results_reap_stale(struct results *r, unsigned *n, unsigned *live, GError **err)
{
	sqlite3_stmt *st = NULL;
	g_autoptr(GArray) dead = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int rc = sqlite3_prepare_v2(r->db,
		"SELECT id, pid FROM run WHERE status = 'running' AND host = ?",
		-1, &st, NULL);

	*n = *live = 0;
	if (rc == SQLITE_OK)
		sqlite3_bind_text(st, 1, g_get_host_name(), -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		pid_t pid = (pid_t)sqlite3_column_int64(st, 1);

		if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH)
			g_array_append_val(dead, id);
		else
			(*live)++;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return results_fail(r, err, "cannot read the runs");
	rc = sqlite3_prepare_v2(r->db,
		"UPDATE run SET status = 'interrupted', error = 'the process running "
		"it ended before it finished' WHERE id = ? AND status = 'running'",
		-1, &st, NULL);
	for (guint i = 0; rc == SQLITE_OK && i < dead->len; i++) {
		sqlite3_bind_int64(st, 1, g_array_index(dead, int64_t, i));
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
		*n += rc == SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return results_fail(r, err, "cannot mark stale runs");
	return TRUE;
}

/* Copies run old_id of the attached database src as run new_id. */
static int
copy_run_results(sqlite3 *db, int64_t old_id, int64_t new_id)
{
	static const char *const flat[] = {
		"INSERT INTO param SELECT ?2, name, value, source FROM src.param"
		" WHERE run_id = ?1",
		"INSERT INTO scalar SELECT ?2, entity, name, value FROM src.scalar"
		" WHERE run_id = ?1",
		"INSERT INTO event_log SELECT ?2, seq, t_ns, entity, kind, detail"
		" FROM src.event_log WHERE run_id = ?1",
	};
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_OK;

	for (size_t i = 0; rc == SQLITE_OK && i < G_N_ELEMENTS(flat); i++)
		rc = exec_id(db, flat[i], old_id, new_id);

	/* Vectors and statistics get new ids; their rows follow them. */
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "SELECT id FROM src.vector WHERE run_id = ?"
					" ORDER BY id", -1, &st, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(st, 1, old_id);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t old_v = sqlite3_column_int64(st, 0);

		rc = exec_id(db, "INSERT INTO vector (run_id, entity, name)"
			     " SELECT ?2, entity, name FROM src.vector WHERE id = ?1",
			     old_v, new_id);
		if (rc == SQLITE_OK)
			rc = exec_id(db, "INSERT INTO vector_data SELECT ?2, t_ns, value"
				     " FROM src.vector_data WHERE vector_id = ?1"
				     " ORDER BY rowid", old_v,
				     sqlite3_last_insert_rowid(db));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return rc;
	rc = sqlite3_prepare_v2(db, "SELECT id FROM src.statistic WHERE run_id = ?"
				" ORDER BY id", -1, &st, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(st, 1, old_id);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t old_s = sqlite3_column_int64(st, 0);

		rc = exec_id(db, "INSERT INTO statistic (run_id, entity, name, count,"
			     " mean, sd, min, max, sum, p01, p05, p10, p25, p50, p75,"
			     " p90, p95, p99) SELECT ?2, entity, name, count, mean, sd,"
			     " min, max, sum, p01, p05, p10, p25, p50, p75, p90, p95, p99"
			     " FROM src.statistic WHERE id = ?1", old_s, new_id);
		if (rc == SQLITE_OK)
			rc = exec_id(db, "INSERT INTO statistic_bin SELECT ?2, lower,"
				     " upper, count FROM src.statistic_bin"
				     " WHERE statistic_id = ?1 ORDER BY rowid", old_s,
				     sqlite3_last_insert_rowid(db));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

gboolean
results_merge_from(struct results *r, const char *path, unsigned *copied,
		   unsigned *skipped, GError **err)
{
	g_autoptr(fc_results) in = results_open(path, FALSE, err);
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	sqlite3_stmt *st = NULL;
	int64_t total = 0;
	int rc;

	*copied = *skipped = 0;
	if (!in)
		return FALSE;
	{
		int64_t ok = 0;
		sqlite3_stmt *q = NULL;

		rc = sqlite3_prepare_v2(in->db, "PRAGMA quick_check", -1, &q, NULL);
		if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
			ok = g_strcmp0((const char *)sqlite3_column_text(q, 0), "ok") == 0;
		sqlite3_finalize(q);
		if (!ok) {
			g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_FOREIGN,
				    "%s: the database is damaged (integrity check "
				    "failed); refusing to merge it", path);
			return FALSE;
		}
	}
	if (!query_int(in, "SELECT count(*) FROM run", &total, err))
		return FALSE;
	results_close(g_steal_pointer(&in));

	{
		sqlite3_stmt *a = NULL;

		rc = sqlite3_prepare_v2(r->db, "ATTACH DATABASE ? AS src", -1, &a, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(a, 1, path, -1, SQLITE_STATIC);
			rc = sqlite3_step(a) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		}
		sqlite3_finalize(a);
		if (rc != SQLITE_OK)
			return results_fail(r, err, "cannot attach the input");
	}
	rc = sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(r->db,
			"SELECT s.id FROM src.run s WHERE s.status = 'done' AND NOT EXISTS"
			" (SELECT 1 FROM main.run m WHERE m.status = 'done'"
			"  AND m.run_key = s.run_key) ORDER BY s.id", -1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		g_array_append_val(ids, id);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	for (guint i = 0; rc == SQLITE_OK && i < ids->len; i++) {
		int64_t old_id = g_array_index(ids, int64_t, i);

		rc = exec_id(r->db,
			"INSERT INTO run (run_key, point_key, status, error, scenario,"
			" scenario_text, params, overrides, seed, replication, version,"
			" host, pid, started, ended, wall_s, sim_end_ns, events)"
			" SELECT run_key, point_key, status, error, scenario, scenario_text,"
			" params, overrides, seed, replication, version, host, pid, started,"
			" ended, wall_s, sim_end_ns, events FROM src.run WHERE id = ?1",
			old_id, 0);
		if (rc == SQLITE_OK)
			rc = copy_run_results(r->db, old_id, sqlite3_last_insert_rowid(r->db));
	}
	{
		g_autofree char *what = g_strdup_printf("cannot merge %s", path);
		gboolean ok = results_end_transaction(r, rc, what, err);

		sqlite3_exec(r->db, "DETACH DATABASE src", NULL, NULL, NULL);
		if (!ok)
			return FALSE;
	}
	*copied = ids->len;
	*skipped = (unsigned)total - ids->len;
	return TRUE;
}
