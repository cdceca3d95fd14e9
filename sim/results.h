/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The results database: one SQLite file that holds many runs, each with its
 * metadata and scalars.  A file is recognised as flashcoop's by its SQLite
 * application_id ('FCOP'); any other file, SQLite or not, is refused and left
 * untouched.  Each call that writes is its own transaction, so a run that is
 * cut short leaves the rows written before it, and its status says so.
 *
 * Schema (version 1):
 *   run(id, status, error, scenario, params, seed, replication, version,
 *       started, ended, sim_end_ns, events)
 *       status is 'running', 'done', 'failed' or 'interrupted'; started and
 *       ended are UTC wall times in ISO 8601; params is the run's effective
 *       parameters as "key=value" lines.
 *   scalar(run_id, entity, name, value)
 */
#ifndef FLASHCOOP_SIM_RESULTS_H
#define FLASHCOOP_SIM_RESULTS_H

#include <stdint.h>

#include <glib.h>

#include "flashcoop/time.h"

#define RESULTS_ERROR (results_error_quark())
GQuark results_error_quark(void);

enum results_error_code {
	RESULTS_ERROR_OPEN,    /* cannot open or create the file */
	RESULTS_ERROR_FOREIGN, /* not a flashcoop database, or corrupt */
	RESULTS_ERROR_SCHEMA,  /* a flashcoop database of another schema version */
	RESULTS_ERROR_WRITE,   /* a statement failed */
};

struct results;

/* Opens or creates path; NULL with err set on failure. */
struct results *results_open(const char *path, GError **err);
/* Closes the file; accepts NULL. */
void results_close(struct results *r);

struct results_run_info {
	const char *scenario; /* a name */
	const char *params;   /* "key=value" lines */
	uint64_t seed, replication;
	const char *version;
};

/* Records a new run as 'running'; stores its id in *run_id. */
gboolean results_run_begin(struct results *r, const struct results_run_info *info,
			   int64_t *run_id, GError **err);

/* Adds scalars in one transaction: names[i] = values[i], for one entity. */
gboolean results_scalars(struct results *r, int64_t run_id, const char *entity,
			 const char *const *names, const double *values, size_t n,
			 GError **err);

/*
 * Marks a run finished: status "done", "failed" (with error) or
 * "interrupted", with its simulated end time and event count.
 */
gboolean results_run_end(struct results *r, int64_t run_id, const char *status,
			 const char *error, fc_time_t sim_end, uint64_t events,
			 GError **err);

#endif
