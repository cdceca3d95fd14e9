/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * g_autoptr() for our types and for the libraries' own: one place that
 * registers them.  g_autoptr(fc_scenario) sc = scenario_load(...);
 */
#ifndef FLASHCOOP_SIM_AUTOPTR_H
#define FLASHCOOP_SIM_AUTOPTR_H

#include <glib.h>
#include <sqlite3.h>

#include "sim/budget.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "sim/sweep.h"

typedef struct budget fc_budget;
typedef struct scenario fc_scenario;
typedef struct results fc_results;
typedef struct sweep fc_sweep;
typedef sqlite3_stmt fc_sqlite3_stmt;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(fc_budget, budget_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(fc_scenario, scenario_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(fc_results, results_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(fc_sweep, sweep_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(fc_sqlite3_stmt, sqlite3_finalize)

#endif
