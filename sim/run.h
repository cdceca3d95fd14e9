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

#include "sim/evq.h"
#include "sim/keys.h"
#include "sim/recorder.h"
#include "sim/scenario.h"

/*
 * The keys the simulator itself reads, [scenario] and [run], as key_def
 * initialisers for the program's key table to begin with.  [run] model
 * chooses among the program's model types: its name table and its one-line
 * meaning are the program's.  It has no default: a scenario names what it
 * simulates, since the keys of one model mean nothing to another.
 */
#define SIM_KEYS(model_names, model_doc) \
	/* What the scenario is: stored with each run, no effect on results. */ \
	{ "scenario", "name", KEY_STRING, KEY_META, NULL, "", NULL, NULL, NULL, \
	  "short name stored with each run (empty: the file name without .ini)" }, \
	{ "scenario", "description", KEY_STRING, KEY_META, NULL, "", NULL, NULL, NULL, \
	  "free text describing the scenario" }, \
	{ "scenario", "include", KEY_STRING, KEY_META, NULL, "", NULL, NULL, NULL, \
	  "base scenario read first, whose keys this file overrides (path relative to this file)" }, \
	\
	/* How the run goes. */ \
	{ "run", "model", KEY_ENUM, 0, NULL, NULL, NULL, NULL, (model_names), \
	  (model_doc) }, \
	{ "run", "platform", KEY_ENUM, 0, NULL, "simulator", NULL, NULL, sim_platform_names, \
	  "where the run happens: in the simulator (flashcoop run, sweep), or on the testbed's real processes (flashcoop testbed)" }, \
	{ "run", "seed", KEY_COUNT, 0, "seed", "1", NULL, NULL, NULL, \
	  "master seed of the random streams (each run also has a replication number)" }, \
	{ "run", "warmup", KEY_DURATION, 0, NULL, "0s", NULL, NULL, NULL, \
	  "simulated time before measurement starts" }, \
	{ "run", "duration", KEY_DURATION, 0, NULL, "1h", ">0s", NULL, NULL, \
	  "simulated time measured after the warm-up; the run ends at warmup + duration" }, \
	{ "run", "max_events", KEY_COUNT, 0, "events", "0", NULL, NULL, NULL, \
	  "mark the run failed once it has executed this many events (0: no limit)" }, \
	{ "run", "event_budget", KEY_COUNT, KEY_META, "events", "1000000000", NULL, NULL, NULL, \
	  "refuse, before it starts, a run whose model estimates more events than this (about 10 minutes at a million events per second; 0: no limit)" }, \
	{ "run", "memory_budget", KEY_SIZE, KEY_META, NULL, "4GiB", NULL, NULL, NULL, \
	  "refuse, before it starts, a run whose model estimates more memory than this, and fail a run whose peak resident memory grows beyond it (0B: no limit)" }, \
	{ "run", "record", KEY_ENUM, KEY_LIST, NULL, "scalar, vector, statistic, event", \
	  NULL, NULL, recorder_kind_names, \
	  "kinds of results written to the database; leave out what a sweep does not need" }, \
	{ "run", "queue", KEY_ENUM, KEY_META, NULL, "radix", NULL, NULL, evq_names, \
	  "pending-event set of the engine; results are identical with either" }

struct progress;
struct sim_catalog;

/* [run] platform: a run in the simulator, or on the testbed (testbed/),
 * whose runs share the simulator's results schema. */
enum sim_platform { SIM_PLATFORM_SIMULATOR, SIM_PLATFORM_TESTBED };
extern const struct fc_enum_name sim_platform_names[];

enum run_outcome {
	RUN_DONE,
	RUN_FAILED,
	RUN_INTERRUPTED,
	RUN_ALREADY_DONE, /* its run key is done in the database: not run again */
	RUN_HELD,         /* o->skip_held: another live process is running it */
};

struct run_options {
	const struct sim_catalog *catalog; /* the models sc chooses from */
	const char *output;       /* results database; created if missing */
	uint64_t replication;
	const char *overrides;    /* the --set assignments, one per line */
	const char *version;      /* the program's */
	bool force;               /* run even if done; the new run replaces it */
	bool rerun_stale;         /* run even if done by another version, and
				     replace that run; otherwise that is bad input */
	/* When another live process holds the run key (is running it): FALSE,
	 * wait for it to end, then run it unless it got done; TRUE, give up at
	 * once with RUN_HELD (a sweep's worker: the sweep comes back to it). */
	bool skip_held;
	bool no_verify;           /* skip the whole-file check (a sweep did it) */
	const char *sweep, *sweep_hash; /* the sweep it belongs to, or NULL */
	/* Called once when the run starts waiting for another process; may be
	 * NULL. */
	void (*waiting)(const char *holder);
	struct progress *progress; /* NULL: none */
	/* Set by a signal handler to the signal's number; NULL: never. */
	volatile sig_atomic_t *interrupt;
	/*
	 * NULL, or a flag that the driver sets to 1 while nothing is being
	 * written (checking the scenario, building the model) and to 0 from
	 * the moment it opens the database, except while building: a
	 * program's signal handler may end the process at once while it is 1,
	 * since there is nothing to save then.  The caller sets it to 1
	 * while it reads its files.
	 */
	volatile sig_atomic_t *exit_at_once;
	/*
	 * NULL, or called once per warning about the scenario (a key set
	 * that has no effect, sim/model.h), before the run starts; the
	 * warnings are also recorded with the run (table run_warning).
	 */
	void (*warn)(const char *message, void *data);
	void *warn_data;
};

struct run_report {
	enum run_outcome outcome;
	int64_t run_id;           /* RUN_ALREADY_DONE: the done run */
	char *error;         /* RUN_FAILED, RUN_INTERRUPTED; RUN_HELD: who holds
				it; free it */
	char *run_key;       /* free it */
	uint64_t events;
	fc_time_t sim_end;
	/* RUN_DONE: the model's headline scalar, "site.0 success_ratio =
	 * 0.973", or the events and simulated time; free it. */
	char *headline;
};

/*
 * Runs sc.  Returns FALSE with err set when the input is bad (the scenario
 * does not hold together, the database is not flashcoop's): then no run is
 * recorded.  Otherwise returns TRUE and says in *rep how the run ended.
 */
gboolean run_scenario(const struct scenario *sc, const struct run_options *o,
		      struct run_report *rep, GError **err);

/*
 * The estimate of sc's work by its model type (model_type.estimate)
 * against [run] event_budget and memory_budget (sim/budget.h): FALSE with
 * err set, one line, when it is beyond them.  sim_catalog_check() calls
 * it after the model's check, so both run_scenario() and a sweep (for
 * every point, before any runs) refuse such a run.
 */
gboolean run_check_budget(const struct sim_catalog *cat, const struct scenario *sc,
			  GError **err);

/* Frees what *rep holds. */
void run_report_clear(struct run_report *rep);

/* What a run row records beside the scenario's parameters. */
struct run_claim_info {
	const char *run_key;
	const char *overrides;   /* the --set assignments, one per line; NULL: none */
	uint64_t replication;
	const char *version;
	const char *sweep, *sweep_hash; /* or NULL */
};

/*
 * Claims ci->run_key in db for sc with the run row and every parameter:
 * its text, where it came from and its number in base units
 * (results_run_claim() with flags).  A simulated run claims its key
 * through it, and so does a testbed run's import.
 */
struct results;
struct results_claim;
gboolean run_claim(struct results *db, const struct scenario *sc,
		   const struct run_claim_info *ci, unsigned flags, struct results_claim *c,
		   GError **err);

#endif
