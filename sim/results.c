/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/results.h"

#include <math.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <gsl/gsl_cdf.h>

#include "sim/autoptr.h"
#include "sim/liveness.h"
#include "sim/pagesum.h"

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

/* Keep docs/results.md in step with this. */
static const char schema[] =
	"CREATE TABLE IF NOT EXISTS run ("
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
	"  sweep TEXT,"
	"  sweep_hash TEXT,"
	"  host TEXT NOT NULL,"
	"  pid INTEGER NOT NULL,"
	"  proc_start TEXT,"
	"  started TEXT NOT NULL,"
	"  ended TEXT,"
	"  wall_s REAL,"
	"  sim_end_ns INTEGER,"
	"  events INTEGER);"
	"CREATE UNIQUE INDEX IF NOT EXISTS run_done_key ON run (run_key) WHERE status = 'done';"
	"CREATE INDEX IF NOT EXISTS run_point ON run (point_key);"
	"CREATE INDEX IF NOT EXISTS run_key ON run (run_key);"
	"CREATE TABLE IF NOT EXISTS param ("
	"  run_id INTEGER NOT NULL REFERENCES run (id),"
	"  name TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  num REAL,"
	"  PRIMARY KEY (run_id, name)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS scalar ("
	"  run_id INTEGER NOT NULL REFERENCES run (id),"
	"  entity TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  value REAL,"
	"  PRIMARY KEY (run_id, entity, name)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS vector ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES run (id),"
	"  entity TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  UNIQUE (run_id, entity, name));"
	"CREATE TABLE IF NOT EXISTS vector_data ("
	"  vector_id INTEGER NOT NULL REFERENCES vector (id),"
	"  t_ns INTEGER NOT NULL,"
	"  value REAL);"
	"CREATE INDEX IF NOT EXISTS vector_data_vector ON vector_data (vector_id);"
	"CREATE TABLE IF NOT EXISTS statistic ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES run (id),"
	"  entity TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  mean REAL, sd REAL, min REAL, max REAL, sum REAL,"
	"  p01 REAL, p05 REAL, p10 REAL, p25 REAL, p50 REAL,"
	"  p75 REAL, p90 REAL, p95 REAL, p99 REAL,"
	"  UNIQUE (run_id, entity, name));"
	"CREATE TABLE IF NOT EXISTS statistic_bin ("
	"  statistic_id INTEGER NOT NULL REFERENCES statistic (id),"
	"  lower REAL NOT NULL,"
	"  upper REAL NOT NULL,"
	"  count INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS statistic_bin_statistic ON statistic_bin (statistic_id);"
	"CREATE TABLE IF NOT EXISTS event_log ("
	"  run_id INTEGER NOT NULL REFERENCES run (id),"
	"  seq INTEGER NOT NULL,"
	"  t_ns INTEGER NOT NULL,"
	"  entity TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  detail TEXT,"
	"  PRIMARY KEY (run_id, seq)) WITHOUT ROWID;"
	/* Connections seen at a tap (models/winny): a opened it, b accepted. */
	"CREATE TABLE IF NOT EXISTS flow_log ("
	"  run_id INTEGER NOT NULL REFERENCES run (id),"
	"  seq INTEGER NOT NULL,"
	"  start_ns INTEGER NOT NULL,"
	"  end_ns INTEGER NOT NULL,"
	"  tap INTEGER NOT NULL,"
	"  a_ip INTEGER NOT NULL,"
	"  a_port INTEGER NOT NULL,"
	"  b_ip INTEGER NOT NULL,"
	"  b_port INTEGER NOT NULL,"
	"  a_inside INTEGER NOT NULL,"
	"  bytes_ab INTEGER NOT NULL,"
	"  bytes_ba INTEGER NOT NULL,"
	"  packets_ab INTEGER NOT NULL,"
	"  packets_ba INTEGER NOT NULL,"
	"  app TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  PRIMARY KEY (run_id, seq)) WITHOUT ROWID;"
	/* The warnings about a run's scenario (keys set that have no effect). */
	"CREATE TABLE IF NOT EXISTS run_warning ("
	"  run_id INTEGER NOT NULL REFERENCES run (id),"
	"  message TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS run_warning_run ON run_warning (run_id);"
	"CREATE TABLE IF NOT EXISTS t_quantile ("
	"  df INTEGER PRIMARY KEY,"
	"  q975 REAL NOT NULL);"
	/*
	 * What a sweep point is: its key and the parameters of its runs.  The
	 * runs of one point made by two versions of the program are two rows,
	 * never mixed.
	 */
	"CREATE VIEW IF NOT EXISTS point AS"
	"  SELECT point_key, min(scenario) AS scenario, count(*) AS runs, version"
	"  FROM run WHERE status = 'done' GROUP BY point_key, version;"
	"CREATE VIEW IF NOT EXISTS point_param AS"
	"  SELECT DISTINCT r.point_key, p.name, p.value, p.num"
	"  FROM param p JOIN run r ON r.id = p.run_id WHERE r.status = 'done';"
	/*
	 * Mean, standard deviation, n and 95% confidence half-width of every
	 * scalar over the done replications of each point (and version), and
	 * n_missing, the done runs of the point without a value (NULL, or no
	 * row at all); the deviations are taken from the mean in a second
	 * pass, not from sums of squares.
	 */
	"CREATE VIEW IF NOT EXISTS point_scalar AS"
	"  WITH pr AS ("
	"    SELECT id, point_key, version FROM run WHERE status = 'done'),"
	"  pn AS ("
	"    SELECT point_key, version, count(*) AS runs FROM pr"
	"    GROUP BY point_key, version),"
	"  s AS ("
	"    SELECT pr.point_key, pr.version, x.entity, x.name, x.value"
	"    FROM scalar x JOIN pr ON pr.id = x.run_id),"
	"  m AS ("
	"    SELECT point_key, version, entity, name, count(value) AS n,"
	"      avg(value) AS mean"
	"    FROM s GROUP BY point_key, version, entity, name),"
	"  v AS ("
	"    SELECT m.point_key, m.version, m.entity, m.name, m.n, m.mean,"
	"      CASE WHEN m.n > 1 THEN"
	"        sqrt(sum((s.value - m.mean) * (s.value - m.mean)) / (m.n - 1))"
	"      END AS sd"
	"    FROM m JOIN s USING (point_key, version, entity, name)"
	"    GROUP BY m.point_key, m.version, m.entity, m.name)"
	"  SELECT v.point_key, v.entity, v.name, v.n, v.mean, v.sd,"
	"    v.sd / sqrt(v.n) * (SELECT q975 FROM t_quantile"
	"      WHERE df = min(v.n - 1, " G_STRINGIFY(T_TABLE_MAX_DF) ")) AS ci95,"
	"    pn.runs - v.n AS n_missing, v.version"
	"  FROM v JOIN pn USING (point_key, version);";

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

/* Sets err for a file that is damaged: "PATH: the database is damaged (why)". */
static gboolean
damaged(GError **err, const char *path, const char *why)
{
	g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_FOREIGN,
		    "%s: the database is damaged (%s); refusing to use it", path, why);
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
		int code = sqlite3_extended_errcode(r->db);

		if (code == SQLITE_IOERR_DATA || code == SQLITE_CORRUPT)
			return damaged(err, r->path, sqlite3_errmsg(r->db));
		if (code == SQLITE_BUSY || code == SQLITE_IOERR || code == SQLITE_CANTOPEN) {
			g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_WRITE,
				    "%s: cannot read it: %s", r->path, sqlite3_errmsg(r->db));
			return FALSE;
		}
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_FOREIGN,
			    "%s: not a flashcoop results database, or a damaged one "
			    "(%s); refusing to use it", r->path, sqlite3_errmsg(r->db));
		return FALSE;
	}
	return TRUE;
}

/*
 * Creates the schema in one transaction that first looks whether another
 * process made it meanwhile (two runs creating one new file at once): the
 * second finds the tables there and leaves them.
 */
static gboolean
create_schema(struct results *r, GError **err)
{
	sqlite3_stmt *st = NULL;
	g_autofree char *sql = g_strdup_printf("%s PRAGMA application_id = %d;"
					       " PRAGMA user_version = %d;",
					       schema, APPLICATION_ID,
					       RESULTS_SCHEMA_VERSION);
	int reserve = PAGESUM_RESERVE;
	int rc;

	/* Only takes effect while the file is empty: the first writer's wins. */
	sqlite3_file_control(r->db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
	rc = sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(r->db, "SELECT count(*) FROM sqlite_master", -1,
					&st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_int64(st, 0) > 0) {
		sqlite3_finalize(st);
		return results_end_transaction(r, SQLITE_OK, "cannot create the schema",
					       err);
	}
	sqlite3_finalize(st);
	st = NULL;
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

/*
 * Checks every page's checksum, under a read transaction so that no other
 * process commits while the file is read.
 */
static gboolean
verify_pages(struct results *r, GError **err)
{
	g_autofree char *why = NULL;
	int64_t n = 0;
	gboolean ok;

	if (sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return results_fail(r, err, "cannot read it");
	if (!query_int(r, "SELECT count(*) FROM sqlite_master", &n, err)) {
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		return FALSE;
	}
	ok = pagesum_verify(r->path, &why);
	sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
	return ok ? TRUE : damaged(err, r->path, why);
}

/* Whether the file (and its folder, for the journal) can be written. */
static gboolean
check_writable(struct results *r, GError **err)
{
	g_autofree char *dir = g_path_get_dirname(r->path);

	if (sqlite3_db_readonly(r->db, "main") == 1 || access(r->path, W_OK) != 0) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_OPEN,
			    "%s: the database is read-only; refusing to use it "
			    "(give a file that can be written)", r->path);
		return FALSE;
	}
	if (access(dir, W_OK) != 0) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_OPEN,
			    "%s: its folder is read-only, so SQLite cannot keep its "
			    "journal beside it; refusing to use it", r->path);
		return FALSE;
	}
	return TRUE;
}

struct results *
results_open(const char *path, unsigned flags, GError **err)
{
	g_autoptr(fc_results) r = g_new0(struct results, 1);
	int64_t app = 0, version = 0;
	gboolean create = (flags & RESULTS_CREATE) != 0;
	gboolean read_only = FALSE;
	GStatBuf sb;
	int rc;

	r->path = g_strdup(path);
	if (!pagesum_register()) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_OPEN,
			    "%s: cannot set up SQLite's page checksums", path);
		return NULL;
	}
	if (g_stat(path, &sb) != 0) {
		if (!create) {
			g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_OPEN,
				    "%s: no such results database", path);
			return NULL;
		}
	} else if (!S_ISREG(sb.st_mode)) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_OPEN,
			    "%s: not a regular file; refusing to use it", path);
		return NULL;
	}
	rc = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE |
			     (create ? SQLITE_OPEN_CREATE : 0), PAGESUM_VFS);
	if (rc != SQLITE_OK && (flags & RESULTS_READ)) {
		sqlite3_close(r->db);
		r->db = NULL;
		read_only = TRUE;
		rc = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, PAGESUM_VFS);
	}
	if (rc != SQLITE_OK) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_OPEN, "%s: cannot open: %s",
			    path, r->db ? sqlite3_errmsg(r->db) : "out of memory");
		return NULL;
	}
	read_only = read_only || sqlite3_db_readonly(r->db, "main") == 1 ||
		    access(path, W_OK) != 0;
	/* Workers of a sweep write into one file: wait for each other. */
	sqlite3_busy_timeout(r->db, BUSY_TIMEOUT_MS);
	if (!(flags & RESULTS_READ) && !check_writable(r, err))
		return NULL;
	if (g_stat(path, &sb) == 0 && sb.st_size == 0 && create && !read_only &&
	    !create_schema(r, err))
		return NULL;
	if (!query_int(r, "PRAGMA application_id", &app, err) ||
	    !query_int(r, "PRAGMA user_version", &version, err))
		return NULL;
	if (app != APPLICATION_ID) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_FOREIGN,
			    "%s: %s, but not a flashcoop results database; refusing "
			    "to use it", path, g_stat(path, &sb) == 0 && sb.st_size == 0 ?
			    "an empty file" : "an SQLite database");
		return NULL;
	}
	if (version != RESULTS_SCHEMA_VERSION) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_SCHEMA,
			    "%s: results schema version %" G_GINT64_FORMAT
			    ", this flashcoop reads and writes version %d", path, version,
			    RESULTS_SCHEMA_VERSION);
		return NULL;
	}
	if (!(flags & RESULTS_NO_VERIFY) && g_stat(path, &sb) == 0 &&
	    sb.st_size <= RESULTS_VERIFY_MAX_BYTES && !verify_pages(r, err))
		return NULL;
	if (!read_only) {
		unsigned reaped;

		if (!results_reap_stale(r, &reaped, err))
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

/* Inserts the run row as 'running', and its parameters. */
static int
insert_run(struct results *r, const struct results_run_info *info, int64_t *run_id)
{
	sqlite3_stmt *st = NULL;
	g_autofree char *started = utc_now();
	g_autofree char *proc_start = liveness_start_of(getpid());
	int rc = sqlite3_prepare_v2(r->db,
			"INSERT INTO run (run_key, point_key, status, scenario,"
			" scenario_text, params, overrides, seed, replication, version,"
			" sweep, sweep_hash, host, pid, proc_start, started)"
			" VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
		sqlite3_bind_text(st, 10, info->sweep, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, info->sweep_hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 12, g_get_host_name(), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 13, getpid());
		sqlite3_bind_text(st, 14, proc_start, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 15, started, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == SQLITE_OK) {
		*run_id = sqlite3_last_insert_rowid(r->db);
		rc = sqlite3_prepare_v2(r->db, "INSERT INTO param (run_id, name, value,"
					" source, num) VALUES (?, ?, ?, ?, ?)", -1, &st, NULL);
	}
	for (size_t i = 0; rc == SQLITE_OK && i < info->nparams; i++) {
		sqlite3_bind_int64(st, 1, *run_id);
		sqlite3_bind_text(st, 2, info->param_names[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, info->param_values[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, info->param_sources[i], -1, SQLITE_STATIC);
		if (info->param_nums && !isnan(info->param_nums[i]))
			sqlite3_bind_double(st, 5, info->param_nums[i]);
		else
			sqlite3_bind_null(st, 5);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

static int
mark_interrupted(sqlite3 *db, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db,
		"UPDATE run SET status = 'interrupted', error = 'the process running "
		"it ended before it finished' WHERE id = ? AND status = 'running'",
		-1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

/* The row's process, as a string for messages. */
static char *
holder_text(sqlite3_stmt *st, int col)
{
	return g_strdup_printf("pid %" G_GINT64_FORMAT " on %s since %s",
			       (gint64)sqlite3_column_int64(st, col + 1),
			       (const char *)sqlite3_column_text(st, col),
			       (const char *)sqlite3_column_text(st, col + 3));
}

/* Whether the process of a row (columns host, pid, proc_start from col) lives. */
static bool
row_alive(sqlite3_stmt *st, int col)
{
	return liveness_alive((const char *)sqlite3_column_text(st, col),
			      (pid_t)sqlite3_column_int64(st, col + 1),
			      (const char *)sqlite3_column_text(st, col + 2));
}

/*
 * Looks at the 'running' rows of run_key: sets *holder when one's process
 * lives, and marks the others interrupted (inside the caller's transaction
 * when reap is TRUE).
 */
static int
check_running(struct results *r, const char *run_key, gboolean reap, char **holder)
{
	sqlite3_stmt *st = NULL;
	g_autoptr(GArray) dead = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int rc = sqlite3_prepare_v2(r->db, "SELECT id, host, pid, proc_start, started"
				    " FROM run WHERE run_key = ? AND status = 'running'"
				    " ORDER BY id", -1, &st, NULL);

	*holder = NULL;
	if (rc == SQLITE_OK)
		sqlite3_bind_text(st, 1, run_key, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		rc = SQLITE_OK;
		if (!row_alive(st, 1))
			g_array_append_val(dead, id);
		else if (!*holder)
			*holder = holder_text(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	rc = SQLITE_OK;
	for (guint i = 0; reap && rc == SQLITE_OK && i < dead->len; i++)
		rc = mark_interrupted(r->db, g_array_index(dead, int64_t, i));
	return rc;
}

gboolean
results_run_claim(struct results *r, const struct results_run_info *info,
		  unsigned flags, struct results_claim *c, GError **err)
{
	sqlite3_stmt *st = NULL;
	bool in_tx = flags & RESULTS_CLAIM_IN_TRANSACTION;
	int rc = in_tx ? SQLITE_OK : sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	memset(c, 0, sizeof *c);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(r->db, "SELECT id, version FROM run"
					" WHERE run_key = ? AND status = 'done'", -1, &st,
					NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, info->run_key, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const char *v = (const char *)sqlite3_column_text(st, 1);
			gboolean same = g_strcmp0(v, info->version) == 0;

			c->run_id = sqlite3_column_int64(st, 0);
			if (flags & RESULTS_REPLACE_DONE ||
			    (!same && flags & RESULTS_REPLACE_STALE)) {
				c->replaces = c->run_id;
			} else {
				c->outcome = same ? RESULTS_IS_DONE : RESULTS_IS_STALE;
				c->other = same ? NULL : g_strdup(v);
			}
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_OK && c->outcome == RESULTS_CLAIMED)
		rc = check_running(r, info->run_key, TRUE, &c->other);
	if (rc == SQLITE_OK && c->outcome == RESULTS_CLAIMED && c->other)
		c->outcome = RESULTS_IS_HELD;
	if (rc == SQLITE_OK && c->outcome == RESULTS_CLAIMED)
		rc = insert_run(r, info, &c->run_id);
	if (in_tx && rc != SQLITE_OK) {
		g_clear_pointer(&c->other, g_free);
		return results_fail(r, err, "cannot record the run");
	}
	if (!in_tx && !results_end_transaction(r, rc, "cannot record the run", err)) {
		g_clear_pointer(&c->other, g_free);
		return FALSE;
	}
	return TRUE;
}

gboolean
results_key_held(struct results *r, const char *run_key, gboolean *held, GError **err)
{
	g_autofree char *holder = NULL;

	if (check_running(r, run_key, FALSE, &holder) != SQLITE_OK)
		return results_fail(r, err, "cannot read the runs");
	*held = holder != NULL;
	return TRUE;
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
	rc = sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
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
		"DELETE FROM flow_log WHERE run_id = ?1",
		"DELETE FROM param WHERE run_id = ?1",
		"DELETE FROM run_warning WHERE run_id = ?1",
		"DELETE FROM run WHERE id = ?1",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(sql); i++)
		if (exec_id(r->db, sql[i], id, 0) != SQLITE_OK)
			return results_fail(r, err, "cannot delete the run it replaces");
	return TRUE;
}

GHashTable *
results_done_keys(struct results *r, GError **err)
{
	GHashTable *keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(r->db, "SELECT run_key, version FROM run"
				    " WHERE status = 'done'", -1, &st, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		g_hash_table_insert(keys, g_strdup((const char *)sqlite3_column_text(st, 0)),
				    g_strdup((const char *)sqlite3_column_text(st, 1)));
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
results_reap_stale(struct results *r, unsigned *n, GError **err)
{
	sqlite3_stmt *st = NULL;
	g_autoptr(GArray) dead = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int rc = sqlite3_prepare_v2(r->db,
		"SELECT id, host, pid, proc_start FROM run WHERE status = 'running'"
		" AND host = ? ORDER BY id", -1, &st, NULL);

	*n = 0;
	if (rc == SQLITE_OK)
		sqlite3_bind_text(st, 1, g_get_host_name(), -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (!row_alive(st, 1))
			g_array_append_val(dead, id);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return results_fail(r, err, "cannot read the runs");
	if (dead->len == 0)
		return TRUE;
	/* Only written to when there is something to mark. */
	rc = sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (guint i = 0; rc == SQLITE_OK && i < dead->len; i++) {
		rc = mark_interrupted(r->db, g_array_index(dead, int64_t, i));
		*n += rc == SQLITE_OK;
	}
	return results_end_transaction(r, rc, "cannot mark stale runs", err);
}

/* Copies run old_id of the attached database src as run new_id. */
static int
copy_run_results(sqlite3 *db, int64_t old_id, int64_t new_id)
{
	static const char *const flat[] = {
		"INSERT INTO param (run_id, name, value, source, num)"
		" SELECT ?2, name, value, source, num FROM src.param"
		" WHERE run_id = ?1",
		"INSERT INTO scalar SELECT ?2, entity, name, value FROM src.scalar"
		" WHERE run_id = ?1",
		"INSERT INTO event_log SELECT ?2, seq, t_ns, entity, kind, detail"
		" FROM src.event_log WHERE run_id = ?1",
		"INSERT INTO flow_log SELECT ?2, seq, start_ns, end_ns, tap, a_ip, a_port,"
		" b_ip, b_port, a_inside, bytes_ab, bytes_ba, packets_ab, packets_ba, app, kind"
		" FROM src.flow_log WHERE run_id = ?1",
		"INSERT INTO run_warning (run_id, message) SELECT ?2, message"
		" FROM src.run_warning WHERE run_id = ?1 ORDER BY rowid",
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
	g_autoptr(fc_results) in = results_open(path, RESULTS_READ, err);
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
			" sweep, sweep_hash, host, pid, proc_start, started, ended, wall_s,"
			" sim_end_ns, events)"
			" SELECT run_key, point_key, status, error, scenario, scenario_text,"
			" params, overrides, seed, replication, version, sweep, sweep_hash,"
			" host, pid, proc_start, started, ended, wall_s, sim_end_ns, events"
			" FROM src.run WHERE id = ?1",
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
