/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Every scenario key, once.  Parsing, validation, defaults, `flashcoop keys`
 * and docs/scenario.md all come from this table; a model reads its keys by
 * name through sim/scenario.h and asserts that they are here.
 */
#include "keys.h"

#include <glib.h>

static const struct key_def defs[] = {
	/* What the scenario is: stored with each run, no effect on results. */
	{ "scenario", "name", KEY_STRING, KEY_META, NULL, "", NULL, NULL, NULL,
	  "short name stored with each run (empty: the file name without .ini)" },
	{ "scenario", "description", KEY_STRING, KEY_META, NULL, "", NULL, NULL, NULL,
	  "free text describing the scenario" },
	{ "scenario", "include", KEY_STRING, KEY_META, NULL, "", NULL, NULL, NULL,
	  "base scenario read first, whose keys this file overrides (path relative to this file)" },

	/* How the run goes. */
	{ "run", "model", KEY_ENUM, 0, NULL, "mmck", NULL, NULL, "mmck",
	  "what is simulated: mmck is an M/M/c/K station with a closed-form solution" },
	{ "run", "seed", KEY_COUNT, 0, "seed", "1", NULL, NULL, NULL,
	  "master seed of the random streams (each run also has a replication number)" },
	{ "run", "warmup", KEY_DURATION, 0, NULL, "0s", NULL, NULL, NULL,
	  "simulated time before measurement starts" },
	{ "run", "duration", KEY_DURATION, 0, NULL, "1h", ">0s", NULL, NULL,
	  "simulated time measured after the warm-up; the run ends at warmup + duration" },
	{ "run", "max_events", KEY_COUNT, 0, "events", "0", NULL, NULL, NULL,
	  "mark the run failed once it has executed this many events (0: no limit)" },
	{ "run", "record", KEY_ENUM, KEY_LIST, NULL, "scalar, vector, statistic, event",
	  NULL, NULL, "scalar|vector|statistic|event",
	  "kinds of results written to the database; leave out what a sweep does not need" },
	{ "run", "queue", KEY_ENUM, KEY_META, NULL, "radix", NULL, NULL, "radix|heap4",
	  "pending-event set of the engine; results are identical with either" },

	/* The M/M/c/K station (run.model = mmck). */
	{ "mmck", "servers", KEY_COUNT, 0, "servers", "1", "1", "1000000", NULL,
	  "servers c, each serving one customer at a time" },
	{ "mmck", "capacity", KEY_COUNT, 0, "customers", "1001", "1", "100000000", NULL,
	  "customers K in the system at most, in service and waiting; K >= servers" },
	{ "mmck", "arrival_rate", KEY_REAL, 0, "1/s", "0.8", ">0", "1e9", NULL,
	  "Poisson arrival rate lambda, customers per second" },
	{ "mmck", "service_rate", KEY_REAL, 0, "1/s", "1", ">0", "1e9", NULL,
	  "service rate mu of one server, customers per second" },
	{ "mmck", "sample_interval", KEY_DURATION, 0, NULL, "0s", NULL, NULL, NULL,
	  "period of the 'in_system' time series during measurement (0s: none)" },
	{ "mmck", "log_full", KEY_BOOL, 0, NULL, "false", NULL, NULL, NULL,
	  "write an event_log row each time the station fills up or has room again" },
};

const struct key_table scenario_keys = { defs, G_N_ELEMENTS(defs) };
