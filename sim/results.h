/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The results database: one SQLite file that holds many runs.  The schema is
 * documented in docs/results.md.  A file is recognised as flashcoop's by its
 * SQLite application_id ('FCOP') and user_version (the schema version); any
 * other file, SQLite or not, is refused and left untouched.
 *
 * A run row is written as 'running' before the run starts, and is the
 * claim of its run key by the process that writes it (results_run_claim());
 * its results come in batched transactions (sim/recorder.h), and the
 * transaction that writes the last of them also marks it 'done'.  A failure
 * marks it 'failed' with its message, a signal 'interrupted'; what was
 * written before stays.  At most one run per run key is 'done' (a unique
 * index says so), which is what lets sweeps resume and merges skip
 * duplicates.  Every page carries a checksum (sim/pagesum.h), so a damaged
 * file is refused instead of written into.
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
	RESULTS_ERROR_STALE,   /* done runs of another program version */
};

#define RESULTS_SCHEMA_VERSION 5

/*
 * Files up to this size have every page's checksum checked when they are
 * opened (about a second per GiB); beyond it, only the pages SQLite reads
 * are checked (docs/results.md says why).
 */
#define RESULTS_VERIFY_MAX_BYTES ((int64_t)1 << 30)

struct results;

enum results_open_flags {
	RESULTS_CREATE = 1 << 0,    /* create the file with the schema if missing */
	RESULTS_READ = 1 << 1,      /* only to read: a read-only file is accepted */
	RESULTS_NO_VERIFY = 1 << 2, /* skip the whole-file page check (a sweep's
				       workers: the sweep made it) */
};

/*
 * Opens path (flags from enum results_open_flags); NULL with err set on
 * failure.  Creating the schema is one transaction, safe when several
 * processes create the same new file at once.  An existing file is
 * checked before anything is written to it: SQLite header, application_id,
 * schema version, write permission (unless RESULTS_READ) and the checksum
 * of every page (sim/pagesum.h) up to RESULTS_VERIFY_MAX_BYTES.  Then runs
 * left 'running' by processes of this host that are gone are marked
 * 'interrupted' (when the file can be written).
 */
struct results *results_open(const char *path, unsigned flags, GError **err);
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
	const char *sweep, *sweep_hash; /* the sweep it belongs to, or NULL */
	/* Every key: name "group.key", canonical value, the value as a number
	 * in base units (NaN when it is not a number), and where it came from. */
	const char *const *param_names, *const *param_values, *const *param_sources;
	const double *param_nums;
	size_t nparams;
};

enum results_claim_outcome {
	RESULTS_CLAIMED,  /* a new 'running' row of this process holds the key */
	RESULTS_IS_DONE,  /* the key is done, by this version */
	RESULTS_IS_STALE, /* the key is done, by another version */
	RESULTS_IS_HELD,  /* a live process holds the key: it is running it */
};

/* What results_run_claim() may replace. */
enum results_claim_flags {
	RESULTS_REPLACE_DONE = 1 << 0,  /* a done run, whatever its version */
	RESULTS_REPLACE_STALE = 1 << 1, /* a done run of another version */
	/* Inside the caller's transaction: neither begun nor ended here, so
	 * the caller may write the whole run and end it before committing
	 * (and roll the claim back with the rest). */
	RESULTS_CLAIM_IN_TRANSACTION = 1 << 2,
};

struct results_claim {
	enum results_claim_outcome outcome;
	int64_t run_id;   /* CLAIMED: the new run; IS_DONE, IS_STALE: the done one */
	int64_t replaces; /* CLAIMED: the done run to replace when done, or 0 */
	char *other;      /* IS_STALE: the done run's version; IS_HELD: who holds
			     it ("pid 12 on host since 2026-..."); free it */
};

/*
 * Claims info->run_key for this process, in one transaction: when the key
 * is done (and flags do not allow replacing that run) or a live process
 * holds it, nothing is written and *c says so; rows of the key left
 * 'running' by a process that is gone are marked 'interrupted'; otherwise
 * the run is recorded as 'running' with its parameters and this process's
 * identity (host, pid, start time; sim/liveness.h), which is the claim.
 */
gboolean results_run_claim(struct results *r, const struct results_run_info *info,
			   unsigned flags, struct results_claim *c, GError **err);

/* Whether a live process holds run_key ('running' rows; see above). */
gboolean results_key_held(struct results *r, const char *run_key, gboolean *held,
			  GError **err);

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
 * table run_warning; nothing when n is 0.
 */
gboolean results_run_warnings(struct results *r, int64_t run_id,
			      const char *const *messages, size_t n, GError **err);

/*
 * The value of run_id's scalar entity/name in *value; false when there is
 * none (not recorded, NULL, or the database cannot say).
 */
bool results_scalar(struct results *r, int64_t run_id, const char *entity,
		    const char *name, double *value);

/*
 * Deletes run id and all its results, inside the transaction in progress if
 * there is one.
 */
gboolean results_delete_run(struct results *r, int64_t id, GError **err);

/* The run keys that are 'done', each mapped to the version that did it. */
GHashTable *results_done_keys(struct results *r, GError **err);

/*
 * Marks 'interrupted' the runs left 'running' on this host by processes that
 * no longer exist (a worker killed with SIGKILL, a machine that went down);
 * sets *reaped to how many.  results_open() does it already.
 */
gboolean results_reap_stale(struct results *r, unsigned *reaped, GError **err);

/*
 * Copies into r the done runs of the database at path whose run keys are not
 * done in r yet, with all their results; one transaction.  *copied and
 * *skipped count runs copied and runs left out (duplicates or not done).
 */
gboolean results_merge_from(struct results *r, const char *path, unsigned *copied,
			    unsigned *skipped, GError **err);

#endif
