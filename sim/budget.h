/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The work budget of a run.  Before a run starts, its model type estimates
 * what the scenario asks for (model_type.estimate, sim/model.h): the
 * events the engine will execute and the peak memory the model will hold,
 * each as a sum of terms that name the keys they come from ("[clients]
 * baseline, shock over [run] duration").  The run driver compares the sums
 * with [run] event_budget and [run] memory_budget and refuses, in one line
 * naming the largest term, a scenario beyond them: a run that would take
 * hours or exhaust the machine is bad input, said before anything is
 * recorded, not a run that is killed later.  An estimate is a real number
 * (it may be astronomically large; it never overflows) and is meant to be
 * right within a small factor (tests/test-budget.c states which), not
 * exact.  During the run, [run] max_events and the memory budget are
 * enforced on what is measured (sim/run.c).
 */
#ifndef FLASHCOOP_SIM_BUDGET_H
#define FLASHCOOP_SIM_BUDGET_H

#include <glib.h>

#include "sim/scenario.h"

struct budget;

/* An empty estimate.  Free with budget_free(), which accepts NULL. */
struct budget *budget_new(void);
void budget_free(struct budget *b);

/*
 * Adds events (>= 0; NaN and infinity count as infinity) to the estimate,
 * caused by the keys that `keys` names (static text, such as "[mmck]
 * arrival_rate over [run] duration").
 */
void budget_add_events(struct budget *b, double events, const char *keys);

/* The same for peak bytes of memory. */
void budget_add_bytes(struct budget *b, double bytes, const char *keys);

/* The sums so far. */
double budget_events(const struct budget *b);
double budget_bytes(const struct budget *b);

/*
 * Compares the estimate with sc's [run] event_budget and memory_budget (0:
 * no limit).  FALSE with err set (SCENARIO_ERROR_INVALID, one line naming
 * the estimate, the largest term's keys and the budget key to raise) when
 * the estimate is beyond either.
 */
gboolean budget_check(const struct budget *b, const struct scenario *sc, GError **err);

#endif
