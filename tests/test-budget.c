/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The work budget (sim/budget.h): the sums and the one-line refusal, and
 * each model's estimate of its events against the events its runs execute.
 *
 * /budget/estimate runs every case of tests/golden/cases (the shipped
 * scenarios at small sizes; @small expands to tests/golden/small.sets)
 * and scenarios/mm1.ini, and requires the estimate of events to lie
 * within a factor of ESTIMATE_FACTOR of the events executed, either way.
 * With -m slow (make validate) it also runs scenarios/default.ini for the
 * first 10 of its 30 minutes (the flash crowd's rise and peak; a minute
 * and a half instead of five) and scenarios/swarm-flash.ini with 10,000
 * of its 100,000 peers (20 s instead of six minutes).  Run from the top of the source tree.
 */
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/models.h"
#include "sim/autoptr.h"
#include "sim/budget.h"
#include "sim/model.h"
#include "sim/run.h"
#include "tests/testutil.h"

/* How far an estimate of events may be from the events executed. */
#define ESTIMATE_FACTOR 3.0

static void
test_sums(void)
{
	g_autoptr(fc_budget) b = budget_new();

	g_assert_cmpfloat(budget_events(b), ==, 0);
	budget_add_events(b, 10, "a");
	budget_add_events(b, 30, "b");
	budget_add_bytes(b, 1e300, "c");
	budget_add_bytes(b, 1e300, "d");
	g_assert_cmpfloat(budget_events(b), ==, 40);
	g_assert_cmpfloat(budget_bytes(b), ==, 2e300);
	budget_add_events(b, NAN, "e");
	g_assert_true(isinf(budget_events(b)));
}

/* A refusal is one line with the estimate, the largest term and the key. */
static void
test_refusal(void)
{
	g_autoptr(fc_scenario) sc = scenario_new(&flashcoop_keys);
	g_autoptr(fc_budget) b = budget_new();
	g_autoptr(GError) err = NULL;

	budget_add_events(b, 3e8, "[x] small");
	budget_add_events(b, 6e8, "[x] large");
	g_assert_true(budget_check(b, sc, &err));
	budget_add_events(b, 1e8, "[x] third");
	g_assert_true(budget_check(b, sc, &err)); /* the budget itself */
	budget_add_events(b, 2e8, "[x] last");
	g_assert_false(budget_check(b, sc, &err));
	g_assert_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INVALID);
	g_assert_null(strchr(err->message, '\n'));
	g_assert_nonnull(strstr(err->message, "[run] event_budget"));
	g_assert_nonnull(strstr(err->message, "about 1.2e+09 events"));
	g_assert_nonnull(strstr(err->message, "[x] large (6e+08)"));
	g_clear_error(&err);

	g_assert_true(scenario_assign(sc, "run.event_budget=0", "--set", &err));
	g_assert_true(budget_check(b, sc, &err));
	budget_add_bytes(b, 5.0 * (1 << 30), "[x] memory");
	g_assert_false(budget_check(b, sc, &err));
	g_assert_nonnull(strstr(err->message, "about 5 GiB of memory"));
	g_assert_nonnull(strstr(err->message, "[run] memory_budget"));
	g_clear_error(&err);
	g_assert_true(scenario_assign(sc, "run.memory_budget=8GiB", "--set", &err));
	g_assert_true(budget_check(b, sc, &err));
}

/* Runs path with the --set assignments of args; checks the estimate. */
static void
check_case(const char *name, const char *path, char **args, const char *dir)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(fc_scenario) sc = scenario_load(&flashcoop_keys, path, &err);
	g_autoptr(fc_budget) b = budget_new();
	g_autofree char *db = g_build_filename(dir, name, NULL);
	const struct model_type *mt;
	struct run_report rep;
	double est, ratio;

	g_assert_no_error(err);
	for (size_t i = 0; args && args[i]; i++) {
		if (!strcmp(args[i], "--set") && args[i + 1]) {
			g_assert_true(scenario_assign(sc, args[i + 1], "--set", &err));
			i++;
		}
	}
	/* Scalars only: what is recorded does not change the events. */
	g_assert_true(scenario_assign(sc, "run.record=scalar", "--set", &err));
	mt = sim_catalog_model(&flashcoop_catalog, sc);
	g_assert_nonnull(mt->estimate);
	mt->estimate(sc, scenario_duration(sc, "run", "warmup") +
		     scenario_duration(sc, "run", "duration"), b);
	est = budget_events(b);
	g_assert_true(run_scenario(sc, &(struct run_options){
		.catalog = &flashcoop_catalog, .output = db, .version = "test",
	}, &rep, &err));
	g_assert_no_error(err);
	g_assert_cmpint(rep.outcome, ==, RUN_DONE);
	ratio = est / (double)rep.events;
	g_test_message("%-14s events %10" G_GUINT64_FORMAT " estimate %12.0f ratio %.2f",
		       name, rep.events, est, ratio);
	if (ratio > ESTIMATE_FACTOR || ratio < 1 / ESTIMATE_FACTOR)
		g_test_fail_printf("%s: estimate of %.0f events for %" G_GUINT64_FORMAT
				   " executed, not within a factor of %g", name, est,
				   rep.events, ESTIMATE_FACTOR);
	run_report_clear(&rep);
}

static void
test_estimate(void)
{
	g_autofree char *cases = NULL, *small = NULL;
	g_autofree char *dir = g_dir_make_tmp("budget-XXXXXX", NULL);
	g_auto(GStrv) lines = NULL;
	g_autofree char *rm = NULL;

	g_assert_true(g_file_get_contents("tests/golden/cases", &cases, NULL, NULL));
	g_assert_true(g_file_get_contents("tests/golden/small.sets", &small, NULL, NULL));
	g_strstrip(small);
	lines = g_strsplit(cases, "\n", -1);
	for (size_t i = 0; lines[i]; i++) {
		g_auto(GStrv) words = NULL;
		g_autoptr(GString) line = g_string_new(lines[i]);

		if (!*lines[i] || lines[i][0] == '#')
			continue;
		g_string_replace(line, "@small", small, 0);
		words = g_strsplit_set(line->str, " ", -1);
		check_case(words[0], words[1], words + 2, dir);
	}
	check_case("mm1.ini", "scenarios/mm1.ini", NULL, dir);
	if (g_test_slow()) {
		g_auto(GStrv) ten = g_strsplit("--set run.duration=10min", " ", -1);

		check_case("default.ini", "scenarios/default.ini", ten, dir);
		g_auto(GStrv) peers = g_strsplit("--set swarm.peers=10000", " ", -1);

		check_case("swarm-flash.ini", "scenarios/swarm-flash.ini", peers, dir);
	}
	rm = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_cmpint(system(rm), ==, 0);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/budget/sums", test_sums);
	g_test_add_func("/budget/refusal", test_refusal);
	g_test_add_func("/budget/estimate", test_estimate);
	return g_test_run();
}
