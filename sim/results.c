/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "results.h"

#include <sqlite3.h>

/* 'FCOP' */
#define APPLICATION_ID 0x46434f50
#define SCHEMA_VERSION 1

struct results {
	sqlite3 *db;
	char *path;
};

G_DEFINE_QUARK(flashcoop-results-error-quark, results_error)

static const char schema[] =
	"CREATE TABLE run ("
	"  id INTEGER PRIMARY KEY,"
	"  status TEXT NOT NULL CHECK (status IN ('running','done','failed','interrupted')),"
	"  error TEXT,"
	"  scenario TEXT NOT NULL,"
	"  params TEXT NOT NULL,"
	"  seed INTEGER NOT NULL,"
	"  replication INTEGER NOT NULL,"
	"  version TEXT NOT NULL,"
	"  started TEXT NOT NULL,"
	"  ended TEXT,"
	"  sim_end_ns INTEGER,"
	"  events INTEGER);"
	"CREATE TABLE scalar ("
	"  run_id INTEGER NOT NULL REFERENCES run(id),"
	"  entity TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  value REAL,"
	"  PRIMARY KEY (run_id, entity, name));";

static gboolean
fail(GError **err, int code, struct results *r, const char *what)
{
	g_set_error(err, RESULTS_ERROR, code, "%s: %s: %s", r->path, what,
		    sqlite3_errmsg(r->db));
	return FALSE;
}

static gboolean
pragma_int(struct results *r, const char *sql, int64_t *out, GError **err)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return fail(err, RESULTS_ERROR_FOREIGN, r,
			    "not a flashcoop results database (or it is damaged)");
	return TRUE;
}

struct results *
results_open(const char *path, GError **err)
{
	struct results *r = g_new0(struct results, 1);
	int64_t app = 0, version = 0, tables = 0;

	r->path = g_strdup(path);
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		fail(err, RESULTS_ERROR_OPEN, r, "cannot open");
		results_close(r);
		return NULL;
	}
	sqlite3_busy_timeout(r->db, 10000);
	if (!pragma_int(r, "PRAGMA application_id", &app, err) ||
	    !pragma_int(r, "PRAGMA user_version", &version, err) ||
	    !pragma_int(r, "SELECT count(*) FROM sqlite_master", &tables, err)) {
		results_close(r);
		return NULL;
	}
	if (app == 0 && tables == 0) {
		char *sql = g_strdup_printf("BEGIN; %s PRAGMA application_id = %d;"
					    " PRAGMA user_version = %d; COMMIT;",
					    schema, APPLICATION_ID, SCHEMA_VERSION);
		int rc = sqlite3_exec(r->db, sql, NULL, NULL, NULL);

		g_free(sql);
		if (rc != SQLITE_OK) {
			fail(err, RESULTS_ERROR_OPEN, r, "cannot create the schema");
			results_close(r);
			return NULL;
		}
	} else if (app != APPLICATION_ID) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_FOREIGN,
			    "%s: an SQLite database, but not a flashcoop results "
			    "database; refusing to write into it", path);
		results_close(r);
		return NULL;
	} else if (version != SCHEMA_VERSION) {
		g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_SCHEMA,
			    "%s: results schema version %" G_GINT64_FORMAT
			    ", this flashcoop writes version %d", path, version,
			    SCHEMA_VERSION);
		results_close(r);
		return NULL;
	}
	return r;
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
	GDateTime *now = g_date_time_new_now_utc();
	char *s = g_date_time_format_iso8601(now);

	g_date_time_unref(now);
	return s;
}

gboolean
results_run_begin(struct results *r, const struct results_run_info *info,
		  int64_t *run_id, GError **err)
{
	sqlite3_stmt *st = NULL;
	g_autofree char *started = utc_now();
	int rc = sqlite3_prepare_v2(r->db,
		"INSERT INTO run (status, scenario, params, seed, replication,"
		" version, started) VALUES ('running', ?, ?, ?, ?, ?, ?)",
		-1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, info->scenario, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, info->params, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)info->seed);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)info->replication);
		sqlite3_bind_text(st, 5, info->version, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 6, started, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(err, RESULTS_ERROR_WRITE, r, "cannot record the run");
	*run_id = sqlite3_last_insert_rowid(r->db);
	return TRUE;
}

gboolean
results_scalars(struct results *r, int64_t run_id, const char *entity,
		const char *const *names, const double *values, size_t n,
		GError **err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(r->db,
			"INSERT INTO scalar (run_id, entity, name, value) VALUES (?, ?, ?, ?)",
			-1, &st, NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, entity, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, names[i], -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 4, values[i]);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		fail(err, RESULTS_ERROR_WRITE, r, "cannot record scalars");
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		return FALSE;
	}
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
		" events = ? WHERE id = ?", -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, status, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, error, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, ended, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)sim_end);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)events);
		sqlite3_bind_int64(st, 6, run_id);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(err, RESULTS_ERROR_WRITE, r, "cannot finish the run");
	return TRUE;
}
