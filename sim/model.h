/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the run driver (sim/run.c) needs from a model, and what a model gets
 * from it.  A model type is chosen by [run] model; the driver checks the
 * scenario with it, builds it on a fresh engine, runs the engine to
 * warmup + duration, and asks the model for its summaries if the run got
 * there.  Models never see the database: they record through sim/recorder.h.
 */
#ifndef FLASHCOOP_SIM_MODEL_H
#define FLASHCOOP_SIM_MODEL_H

#include <stdint.h>

#include <glib.h>

#include "sim/budget.h"
#include "sim/engine.h"
#include "sim/keys.h"
#include "flashcoop/time.h"
#include "sim/recorder.h"
#include "sim/scenario.h"

/* One run as a model sees it. */
struct sim_ctx {
	struct engine *engine;
	struct recorder *rec;      /* may be NULL: record nothing */
	uint64_t seed, replication; /* for rng_stream_init() */
	fc_time_t warmup, end;     /* measurement is [warmup, end) */
	char *failure;             /* set through sim_fail() */
};

/*
 * Marks the run failed with a message (the first one counts) and stops the
 * engine; for conditions a model finds during the run that make its results
 * meaningless.
 */
void sim_fail(struct sim_ctx *ctx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

struct model_type {
	const char *name; /* a choice of [run] model */
	/*
	 * Checks that the scenario's values fit together (each value alone
	 * was checked against the key table); errors through
	 * scenario_invalid().  May be NULL.
	 */
	gboolean (*check)(const struct scenario *sc, GError **err);
	/*
	 * Estimates the work of a run of sc that ends at `end` (warmup +
	 * duration): adds to b the events the engine will execute and the
	 * peak bytes the model will hold, each term naming its keys
	 * (sim/budget.h).  Called after check, before anything is built or
	 * recorded; it may read the files the scenario names, and must not
	 * fail.  May be NULL: no estimate, and the run is guarded only by
	 * [run] max_events and the memory budget as it runs.
	 */
	void (*estimate)(const struct scenario *sc, fc_time_t end, struct budget *b);
	/*
	 * Builds the model and schedules its first events.  NULL with err
	 * set when the scenario cannot be built (a file it names is missing,
	 * say): that is bad input, and no run is recorded.
	 */
	void *(*create)(struct sim_ctx *ctx, const struct scenario *sc, GError **err);
	/* The run reached ctx->end: record the summaries. */
	void (*finish)(void *model, struct sim_ctx *ctx);
	/* Accepts NULL. */
	void (*destroy)(void *model);
	/*
	 * The scenario groups the model reads besides [scenario] and [run],
	 * NULL-terminated: a key set in any other group is an error that
	 * names the model.  A model made of parts (a world and its traffic
	 * types) says it through reads_group instead, and leaves groups NULL.
	 */
	const char *const *groups;
	gboolean (*reads_group)(const char *group);
	/*
	 * Appends to warnings (newly allocated strings, through
	 * scenario_warn_if_set()) one message per key that was set but has
	 * no effect with the scenario's other values (a [coop] key under
	 * web.policy = none, say).  May be NULL.
	 */
	void (*warn)(const struct scenario *sc, GPtrArray *warnings);
	/*
	 * The scalar that sums a run up in one number, shown in progress
	 * lines ("site.0 success_ratio = 0.973"): its entity and name; NULL:
	 * none.
	 */
	const char *headline_entity, *headline_name;
};

/*
 * A command of the program besides the simulator's own (run, sweep, ...),
 * such as an analysis that belongs to a model: its name, its arguments
 * and one line for `flashcoop --help`, and its main, which gets argv from
 * the command's name on and returns the exit status (2: bad input).
 */
struct sim_command {
	const char *name, *args, *summary;
	int (*main)(int argc, char **argv);
};

/*
 * What a program simulates: its model types and its scenario key table.
 * The simulator knows no model by name; the program's main
 * (models/main.c) hands it the catalog, so sim/ never depends on models/.
 */
struct sim_catalog {
	/* NULL-terminated, in the order of [run] model's name table values */
	const struct model_type *const *models;
	const struct key_table *keys;
	/* The program's own commands, ended by one whose name is NULL; may
	 * be NULL. */
	const struct sim_command *commands;
};

/*
 * The model type that sc's [run] model chooses, or NULL when it is not set
 * (sim_catalog_check() says so to the user).  The key's name table (the
 * program's) gives each name its model type's index in cat->models.
 */
const struct model_type *sim_catalog_model(const struct sim_catalog *cat,
					   const struct scenario *sc);

/*
 * Whether the model type reads the scenario group ([scenario] and [run]
 * are everyone's).
 */
gboolean sim_model_reads_group(const struct model_type *mt, const char *group);

/*
 * Everything that can be known about sc before a run starts: every key
 * without a default is set ([run] model, whose absence lists the models),
 * no key is set in a group that the chosen model does not read, warmup +
 * duration is within time, the model's own check (which reads the files
 * the model would read) and its work estimate against [run] event_budget
 * and memory_budget (run_check_budget() in sim/run.h).  Returns the
 * model type, or NULL with err set.  When warnings is not NULL, the
 * model's warnings are appended to it (newly allocated strings).  The run
 * driver and sweeps both call it, so a point that would be refused by
 * `flashcoop run` is refused by the sweep before anything runs.
 */
const struct model_type *sim_catalog_check(const struct sim_catalog *cat,
					   const struct scenario *sc,
					   GPtrArray *warnings, GError **err);

#endif
