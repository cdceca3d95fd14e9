/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/recorder.h"

#include <math.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/results.h"

/* Rows buffered before the driver is asked to write them. */
#define FLUSH_ROWS 100000
#define HISTOGRAM_BINS 32

struct rec_vector {
	struct recorder *rec;
	char *entity, *name;
	int64_t id; /* 0 until written */
};

struct rec_stat {
	struct recorder *rec;
	char *entity, *name;
	GArray *samples; /* double */
};

struct vpoint {
	struct rec_vector *v;
	fc_time_t t;
	double value;
};

struct event_row {
	fc_time_t t;
	char *entity, *kind, *detail;
};

struct scalar_row {
	char *entity, *name;
	double value;
};

enum stmt {
	ST_VECTOR, ST_VDATA, ST_EVENT, ST_SCALAR, ST_STAT, ST_BIN, ST_FLOW, ST_N,
};

static const char *const stmt_sql[ST_N] = {
	[ST_VECTOR] = "INSERT INTO vector (run_id, entity, name) VALUES (?, ?, ?)",
	[ST_VDATA] = "INSERT INTO vector_data VALUES (?, ?, ?)",
	[ST_EVENT] = "INSERT INTO event_log VALUES (?, ?, ?, ?, ?, ?)",
	[ST_SCALAR] = "INSERT INTO scalar VALUES (?, ?, ?, ?)",
	[ST_STAT] = "INSERT INTO statistic (run_id, entity, name, count, mean, sd,"
		    " min, max, sum, p01, p05, p10, p25, p50, p75, p90, p95, p99)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_BIN] = "INSERT INTO statistic_bin VALUES (?, ?, ?, ?)",
	[ST_FLOW] = "INSERT INTO flow_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
};

struct recorder {
	unsigned kinds;
	struct results *db;
	int64_t run_id;
	sqlite3_stmt *st[ST_N];
	GPtrArray *vectors, *stats;
	GArray *vpoints, *events, *scalars, *flows;
	uint64_t event_seq, flow_seq;
};

const struct fc_enum_name recorder_kind_names[] = {
	{ "scalar", REC_SCALAR },
	{ "vector", REC_VECTOR },
	{ "statistic", REC_STATISTIC },
	{ "event", REC_EVENT },
	{ "flow", REC_FLOW },
	{ NULL, 0 },
};

struct recorder *
recorder_new(unsigned kinds)
{
	struct recorder *rec = g_new0(struct recorder, 1);

	rec->kinds = kinds;
	rec->vectors = g_ptr_array_new();
	rec->stats = g_ptr_array_new();
	rec->vpoints = g_array_new(FALSE, FALSE, sizeof(struct vpoint));
	rec->events = g_array_new(FALSE, FALSE, sizeof(struct event_row));
	rec->scalars = g_array_new(FALSE, FALSE, sizeof(struct scalar_row));
	rec->flows = g_array_new(FALSE, FALSE, sizeof(struct rec_flow_row));
	return rec;
}

static void
clear_events(struct recorder *rec)
{
	for (guint i = 0; i < rec->events->len; i++) {
		struct event_row *e = &g_array_index(rec->events, struct event_row, i);

		g_free(e->entity);
		g_free(e->kind);
		g_free(e->detail);
	}
	g_array_set_size(rec->events, 0);
}

static void
clear_scalars(struct recorder *rec)
{
	for (guint i = 0; i < rec->scalars->len; i++) {
		struct scalar_row *s = &g_array_index(rec->scalars, struct scalar_row, i);

		g_free(s->entity);
		g_free(s->name);
	}
	g_array_set_size(rec->scalars, 0);
}

void
recorder_free(struct recorder *rec)
{
	if (!rec)
		return;
	for (int i = 0; i < ST_N; i++)
		sqlite3_finalize(rec->st[i]);
	for (guint i = 0; i < rec->vectors->len; i++) {
		struct rec_vector *v = rec->vectors->pdata[i];

		g_free(v->entity);
		g_free(v->name);
		g_free(v);
	}
	for (guint i = 0; i < rec->stats->len; i++) {
		struct rec_stat *s = rec->stats->pdata[i];

		g_free(s->entity);
		g_free(s->name);
		g_array_unref(s->samples);
		g_free(s);
	}
	clear_events(rec);
	clear_scalars(rec);
	g_ptr_array_unref(rec->vectors);
	g_ptr_array_unref(rec->stats);
	g_array_unref(rec->vpoints);
	g_array_unref(rec->events);
	g_array_unref(rec->scalars);
	g_array_unref(rec->flows);
	g_free(rec);
}

gboolean
recorder_attach(struct recorder *rec, struct results *db, int64_t run_id, GError **err)
{
	rec->db = db;
	rec->run_id = run_id;
	for (int i = 0; i < ST_N; i++)
		if (sqlite3_prepare_v3(results_db(db), stmt_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &rec->st[i],
				       NULL) != SQLITE_OK)
			return results_fail(db, err, "cannot prepare the result statements");
	return TRUE;
}

bool
recorder_wants_flush(const struct recorder *rec)
{
	return rec->vpoints->len + rec->events->len + rec->scalars->len +
	       rec->flows->len >= FLUSH_ROWS;
}

/* Steps a bound statement and resets it; SQLITE_OK or the error. */
static int
step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Writes the buffered rows; inside a transaction that the caller holds. */
static int
write_rows(struct recorder *rec)
{
	sqlite3 *db = results_db(rec->db);
	int rc = SQLITE_OK;

	for (guint i = 0; rc == SQLITE_OK && i < rec->vectors->len; i++) {
		struct rec_vector *v = rec->vectors->pdata[i];
		sqlite3_stmt *st = rec->st[ST_VECTOR];

		if (v->id)
			continue;
		sqlite3_bind_int64(st, 1, rec->run_id);
		sqlite3_bind_text(st, 2, v->entity, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, v->name, -1, SQLITE_STATIC);
		rc = step(st);
		v->id = sqlite3_last_insert_rowid(db);
	}
	for (guint i = 0; rc == SQLITE_OK && i < rec->vpoints->len; i++) {
		struct vpoint *p = &g_array_index(rec->vpoints, struct vpoint, i);
		sqlite3_stmt *st = rec->st[ST_VDATA];

		sqlite3_bind_int64(st, 1, p->v->id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)p->t);
		if (isnan(p->value))
			sqlite3_bind_null(st, 3);
		else
			sqlite3_bind_double(st, 3, p->value);
		rc = step(st);
	}
	for (guint i = 0; rc == SQLITE_OK && i < rec->events->len; i++) {
		struct event_row *e = &g_array_index(rec->events, struct event_row, i);
		sqlite3_stmt *st = rec->st[ST_EVENT];

		sqlite3_bind_int64(st, 1, rec->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)++rec->event_seq);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)e->t);
		sqlite3_bind_text(st, 4, e->entity, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, e->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, e->detail, -1, SQLITE_STATIC);
		rc = step(st);
	}
	for (guint i = 0; rc == SQLITE_OK && i < rec->scalars->len; i++) {
		struct scalar_row *s = &g_array_index(rec->scalars, struct scalar_row, i);
		sqlite3_stmt *st = rec->st[ST_SCALAR];

		sqlite3_bind_int64(st, 1, rec->run_id);
		sqlite3_bind_text(st, 2, s->entity, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, s->name, -1, SQLITE_STATIC);
		if (isnan(s->value))
			sqlite3_bind_null(st, 4);
		else
			sqlite3_bind_double(st, 4, s->value);
		rc = step(st);
	}
	for (guint i = 0; rc == SQLITE_OK && i < rec->flows->len; i++) {
		struct rec_flow_row *f = &g_array_index(rec->flows, struct rec_flow_row, i);
		sqlite3_stmt *st = rec->st[ST_FLOW];

		sqlite3_bind_int64(st, 1, rec->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)++rec->flow_seq);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)f->start);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)f->end);
		sqlite3_bind_int64(st, 5, f->tap);
		sqlite3_bind_int64(st, 6, f->a_ip);
		sqlite3_bind_int(st, 7, f->a_port);
		sqlite3_bind_int64(st, 8, f->b_ip);
		sqlite3_bind_int(st, 9, f->b_port);
		sqlite3_bind_int(st, 10, f->a_inside);
		sqlite3_bind_int64(st, 11, (sqlite3_int64)f->bytes_ab);
		sqlite3_bind_int64(st, 12, (sqlite3_int64)f->bytes_ba);
		sqlite3_bind_int64(st, 13, f->packets_ab);
		sqlite3_bind_int64(st, 14, f->packets_ba);
		sqlite3_bind_text(st, 15, f->app, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 16, f->kind, -1, SQLITE_STATIC);
		rc = step(st);
	}
	if (rc == SQLITE_OK) {
		g_array_set_size(rec->flows, 0);
		g_array_set_size(rec->vpoints, 0);
		clear_events(rec);
		clear_scalars(rec);
	}
	return rc;
}

static void
bind_real(sqlite3_stmt *st, int col, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_double(st, col, v);
}

/* Summarises one distribution into statistic and statistic_bin. */
static int
write_stat(struct recorder *rec, struct rec_stat *s)
{
	static const double q[] = { 0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99 };
	sqlite3_stmt *st = rec->st[ST_STAT];
	double *x = (double *)(void *)s->samples->data;
	size_t n = s->samples->len;
	double mean = NAN, sd = NAN, lo = NAN, hi = NAN, sum = 0;
	int64_t id;
	int rc;

	if (n > 0) {
		gsl_sort(x, 1, n);
		mean = gsl_stats_mean(x, 1, n);
		sd = n > 1 ? gsl_stats_sd_m(x, 1, n, mean) : NAN;
		lo = x[0];
		hi = x[n - 1];
		for (size_t i = 0; i < n; i++)
			sum += x[i];
	}
	sqlite3_bind_int64(st, 1, rec->run_id);
	sqlite3_bind_text(st, 2, s->entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)n);
	bind_real(st, 5, mean);
	bind_real(st, 6, sd);
	bind_real(st, 7, lo);
	bind_real(st, 8, hi);
	bind_real(st, 9, n ? sum : NAN);
	for (size_t i = 0; i < G_N_ELEMENTS(q); i++)
		bind_real(st, 10 + (int)i,
			  n ? gsl_stats_quantile_from_sorted_data(x, 1, n, q[i]) : NAN);
	rc = step(st);
	if (rc != SQLITE_OK || n == 0)
		return rc;
	id = sqlite3_last_insert_rowid(results_db(rec->db));

	/* Equal-width bins over [min, max]; a constant sample is one bin. */
	{
		int bins = hi > lo ? HISTOGRAM_BINS : 1;
		double width = hi > lo ? (hi - lo) / bins : 0;
		size_t i = 0;

		for (int b = 0; rc == SQLITE_OK && b < bins; b++) {
			double lower = lo + b * width;
			double upper = b == bins - 1 ? hi : lo + (b + 1) * width;
			int64_t count = 0;

			while (i < n && (x[i] < upper || b == bins - 1)) {
				count++;
				i++;
			}
			st = rec->st[ST_BIN];
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_double(st, 2, lower);
			sqlite3_bind_double(st, 3, upper);
			sqlite3_bind_int64(st, 4, count);
			rc = step(st);
		}
	}
	return rc;
}

static gboolean
in_transaction(struct recorder *rec, bool stats, const char *status, const char *error,
	       fc_time_t sim_end, uint64_t events, int64_t replaces, GError **err)
{
	sqlite3 *db = results_db(rec->db);
	int rc;

	for (int i = 0; i < ST_N; i++)
		if (!rec->st[i])
			return results_fail(rec->db, err, "the result statements are not ready");
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = write_rows(rec);
	for (guint i = 0; stats && rc == SQLITE_OK && i < rec->stats->len; i++)
		rc = write_stat(rec, rec->stats->pdata[i]);
	if (rc == SQLITE_OK && replaces && !results_delete_run(rec->db, replaces, err)) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return FALSE;
	}
	if (rc == SQLITE_OK && status &&
	    !results_run_end(rec->db, rec->run_id, status, error, sim_end, events, err)) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return FALSE;
	}
	return results_end_transaction(rec->db, rc, "cannot write results", err);
}

gboolean
recorder_write(struct recorder *rec, bool with_statistics, GError **err)
{
	int rc = SQLITE_OK;

	g_assert(rec->db);
	for (int i = 0; i < ST_N; i++)
		if (!rec->st[i])
			return results_fail(rec->db, err, "the result statements are not ready");
	rc = write_rows(rec);
	for (guint i = 0; with_statistics && rc == SQLITE_OK && i < rec->stats->len; i++)
		rc = write_stat(rec, rec->stats->pdata[i]);
	if (rc != SQLITE_OK)
		return results_fail(rec->db, err, "cannot write results");
	return TRUE;
}

gboolean
recorder_flush(struct recorder *rec, GError **err)
{
	g_assert(rec->db);
	return in_transaction(rec, false, NULL, NULL, 0, 0, 0, err);
}

gboolean
recorder_finish(struct recorder *rec, bool with_statistics, const char *status,
		const char *error, fc_time_t sim_end, uint64_t events, int64_t replaces,
		GError **err)
{
	g_assert(rec->db);
	return in_transaction(rec, with_statistics, status, error, sim_end, events,
			      replaces, err);
}

void
rec_scalar(struct recorder *rec, const char *entity, const char *name, double value)
{
	struct scalar_row s;

	if (!rec || !(rec->kinds & REC_SCALAR))
		return;
	s = (struct scalar_row){ g_strdup(entity), g_strdup(name), value };
	g_array_append_val(rec->scalars, s);
}

struct rec_vector *
rec_vector_new(struct recorder *rec, const char *entity, const char *name)
{
	struct rec_vector *v;

	if (!rec || !(rec->kinds & REC_VECTOR))
		return NULL;
	v = g_new0(struct rec_vector, 1);
	*v = (struct rec_vector){ rec, g_strdup(entity), g_strdup(name), 0 };
	g_ptr_array_add(rec->vectors, v);
	return v;
}

void
rec_vector_add(struct rec_vector *v, fc_time_t t, double value)
{
	struct vpoint p;

	if (!v)
		return;
	p = (struct vpoint){ v, t, value };
	g_array_append_val(v->rec->vpoints, p);
}

struct rec_stat *
rec_stat_new(struct recorder *rec, const char *entity, const char *name)
{
	struct rec_stat *s;

	if (!rec || !(rec->kinds & REC_STATISTIC))
		return NULL;
	s = g_new0(struct rec_stat, 1);
	*s = (struct rec_stat){ rec, g_strdup(entity), g_strdup(name),
				g_array_new(FALSE, FALSE, sizeof(double)) };
	g_ptr_array_add(rec->stats, s);
	return s;
}

void
rec_stat_add(struct rec_stat *s, double value)
{
	if (s)
		g_array_append_val(s->samples, value);
}

void
rec_flow(struct recorder *rec, const struct rec_flow_row *row)
{
	if (rec && (rec->kinds & REC_FLOW))
		g_array_append_val(rec->flows, *row);
}

void
rec_event(struct recorder *rec, fc_time_t t, const char *entity, const char *kind,
	  const char *detail_fmt, ...)
{
	struct event_row e;
	va_list ap;

	if (!rec || !(rec->kinds & REC_EVENT))
		return;
	e.t = t;
	e.entity = g_strdup(entity);
	e.kind = g_strdup(kind);
	va_start(ap, detail_fmt);
	e.detail = detail_fmt ? g_strdup_vprintf(detail_fmt, ap) : NULL;
	va_end(ap);
	g_array_append_val(rec->events, e);
}
