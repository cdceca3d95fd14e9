/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One run: a scenario, a replication number and a results database.  The
 * driver checks the scenario, builds the model, records the run, runs it,
 * writes its results in batches and marks it done, failed or interrupted.
 */
#ifndef FLASHCOOP_SIM_RUN_H
#define FLASHCOOP_SIM_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "sim/scenario.h"

struct progress;
struct sim_catalog;

enum run_outcome {
	RUN_DONE,
	RUN_FAILED,
	RUN_INTERRUPTED,
	RUN_ALREADY_DONE, /* its run key is done in the database: not run again */
};

struct run_options {
	const struct sim_catalog *catalog; /* the models sc chooses from */
	const char *output;       /* results database; created if missing */
	uint64_t replication;
	const char *overrides;    /* the --set assignments, one per line */
	const char *version;      /* the program's */
	bool force;               /* run even if done; the new run replaces it */
	struct progress *progress; /* NULL: none */
	/* Set by a signal handler to the signal's number; NULL: never. */
	volatile sig_atomic_t *interrupt;
};

struct run_report {
	enum run_outcome outcome;
	int64_t run_id;           /* RUN_ALREADY_DONE: the done run */
	char *error;         /* RUN_FAILED, RUN_INTERRUPTED; free it */
	char *run_key;       /* free it */
	uint64_t events;
	fc_time_t sim_end;
};

/*
 * Runs sc.  Returns FALSE with err set when the input is bad (the scenario
 * does not hold together, the database is not flashcoop's): then no run is
 * recorded.  Otherwise returns TRUE and says in *rep how the run ended.
 */
gboolean run_scenario(const struct scenario *sc, const struct run_options *o,
		      struct run_report *rep, GError **err);

/* Frees what *rep holds. */
void run_report_clear(struct run_report *rep);

#endif
