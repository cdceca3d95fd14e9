/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The results database: one SQLite file that holds many runs.  The schema is
 * documented in docs/results.md.  A file is recognised as flashcoop's by its
 * SQLite application_id ('FCOP') and user_version (the schema version); any
 * other file, SQLite or not, is refused and left untouched.
 *
 * A run row is written as 'running' before the run starts; its results come
 * in batched transactions (sim/recorder.h), and the transaction that writes
 * the last of them also marks it 'done'.  A failure marks it 'failed' with
 * its message, a signal 'interrupted'; what was written before stays.  At
 * most one run per run key is 'done' (a unique index says so), which is what
 * lets sweeps resume and merges skip duplicates.
 */
#ifndef FLASHCOOP_SIM_RESULTS_H
#define FLASHCOOP_SIM_RESULTS_H

#include <stdint.h>

#include <glib.h>
#include <sqlite3.h>

#include "flashcoop/time.h"

#define RESULTS_ERROR (results_error_quark())
GQuark results_error_quark(void);

enum results_error_code {
	RESULTS_ERROR_OPEN,    /* cannot open or create the file */
	RESULTS_ERROR_FOREIGN, /* not a flashcoop database, or corrupt */
	RESULTS_ERROR_SCHEMA,  /* a flashcoop database of another schema version */
	RESULTS_ERROR_WRITE,   /* a statement failed */
};

#define RESULTS_SCHEMA_VERSION 2

struct results;

/*
 * Opens path, creating it (with the schema) when create is TRUE and it does
 * not exist; NULL with err set on failure.  An existing file is checked
 * (application_id, schema version, integrity of its header) before anything
 * is written to it.
 */
struct results *results_open(const char *path, gboolean create, GError **err);
/* Closes the file; accepts NULL. */
void results_close(struct results *r);

/* The connection, for sim/recorder.c. */
sqlite3 *results_db(struct results *r);

/* Sets err from the connection's last error: "PATH: what: sqlite message". */
gboolean results_fail(struct results *r, GError **err, const char *what);

/*
 * Ends the transaction in progress: commits it when rc is SQLITE_OK, and
 * rolls it back (err set from the failure, as results_fail()) when rc says
 * an earlier step failed or the commit fails.
 */
gboolean results_end_transaction(struct results *r, int rc, const char *what,
				 GError **err);

struct results_run_info {
	const char *run_key, *point_key;
	const char *scenario;      /* its name */
	const char *scenario_text; /* the files as read */
	const char *params;        /* canonical "group.key = value" lines */
	const char *overrides;     /* the --set assignments, one per line */
	uint64_t seed, replication;
	const char *version;
	/* Every key: name "group.key", canonical value, and where it came from. */
	const char *const *param_names, *const *param_values, *const *param_sources;
	size_t nparams;
};

/* Records a new run as 'running', with its parameters; sets *run_id. */
gboolean results_run_begin(struct results *r, const struct results_run_info *info,
			   int64_t *run_id, GError **err);

/*
 * Sets a run's final status ("done", "failed" with error, "interrupted"),
 * simulated end time and event count, inside the transaction in progress if
 * there is one.  Marking done a run key that is already done fails.
 */
gboolean results_run_end(struct results *r, int64_t run_id, const char *status,
			 const char *error, fc_time_t sim_end, uint64_t events,
			 GError **err);

/*
 * Records messages[0..n-1], the warnings about run_id's scenario, in the
 * table run_warning (created if the database predates it); nothing when n
 * is 0.
 */
gboolean results_run_warnings(struct results *r, int64_t run_id,
			      const char *const *messages, size_t n, GError **err);

/*
 * The value of run_id's scalar entity/name in *value; false when there is
 * none (not recorded, NULL, or the database cannot say).
 */
bool results_scalar(struct results *r, int64_t run_id, const char *entity,
		    const char *name, double *value);

/* The id of the done run with run_key in *id, or 0 when there is none. */
gboolean results_find_done(struct results *r, const char *run_key, int64_t *id,
			   GError **err);

/*
 * Deletes run id and all its results, inside the transaction in progress if
 * there is one.
 */
gboolean results_delete_run(struct results *r, int64_t id, GError **err);

/* The run keys that are 'done', as a set of strings. */
GHashTable *results_done_keys(struct results *r, GError **err);

/*
 * Marks 'interrupted' the runs left 'running' on this host by processes that
 * no longer exist (a worker killed with SIGKILL, a machine that went down);
 * sets *reaped to how many, and *live to the runs still running on this
 * host in processes that do exist (workers of a sweep that was killed,
 * finishing their run).
 */
gboolean results_reap_stale(struct results *r, unsigned *reaped, unsigned *live,
			    GError **err);

/*
 * Copies into r the done runs of the database at path whose run keys are not
 * done in r yet, with all their results; one transaction.  *copied and
 * *skipped count runs copied and runs left out (duplicates or not done).
 */
gboolean results_merge_from(struct results *r, const char *path, unsigned *copied,
			    unsigned *skipped, GError **err);

#endif
