/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-testbed: the testbed's driver (testbed/harness/README.md).
 *
 *   fc-testbed plan SCENARIO.ini DIR   writes the sites and the clients'
 *                                      visits that the simulator draws
 *                                      for the scenario into DIR
 *
 * Exit status: 0 done, 1 the run failed, 2 bad input or setup.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <igraph/igraph.h>

#include "models/models.h"
#include "models/web/plan.h"
#include "sim/autoptr.h"
#include "sim/model.h"
#include "sim/scenario.h"
#include "testbed/harness/harness.h"
#include "testbed/harness/import.h"
#include "testbed/harness/sitefiles.h"

#define EXIT_BAD TB_EXIT_BAD

typedef struct web_plan tb_web_plan;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_web_plan, web_plan_free)

struct scenario *
tb_scenario_load(const char *cmd, const char *path, char **sets, GError **err)
{
	g_autoptr(fc_scenario) sc = scenario_load(flashcoop_catalog.keys, path, err);
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	const struct model_type *mt;

	if (!sc)
		return NULL;
	for (size_t i = 0; sets && sets[i]; i++)
		if (!scenario_assign(sc, sets[i], "--set", err))
			return NULL;
	mt = sim_catalog_check(&flashcoop_catalog, sc, warnings, err);
	if (!mt)
		return NULL;
	if (strcmp(mt->name, "web") != 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s: [run] model = %s: the testbed runs only web scenarios",
			    path, mt->name);
		return NULL;
	}
	for (guint i = 0; i < warnings->len; i++)
		fprintf(stderr, "fc-testbed %s: warning: %s\n", cmd,
			(const char *)warnings->pdata[i]);
	return g_steal_pointer(&sc);
}

static int
cmd_plan(int argc, char **argv)
{
	g_auto(GStrv) sets = NULL;
	gint64 replication = 0;
	GOptionEntry entries[] = {
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "override a scenario key; may be repeated", "GROUP.KEY=VALUE" },
		{ "replication", 'r', 0, G_OPTION_ARG_INT64, &replication,
		  "replication number (default 0)", "R" },
		{ NULL },
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("SCENARIO.ini DIR");
	g_autoptr(GError) err = NULL;
	g_autoptr(fc_scenario) sc = NULL;
	g_autoptr(tb_web_plan) p = NULL;

	g_option_context_set_summary(oc, "Writes the sites and the clients' visits the "
				     "simulator draws for the scenario into DIR.");
	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "fc-testbed plan: %s\n", err->message);
		return EXIT_BAD;
	}
	if (argc != 3 || replication < 0) {
		fprintf(stderr, "fc-testbed plan: %s (see fc-testbed plan --help)\n",
			replication < 0 ? "--replication must be 0 or more"
					: "give a scenario file and a directory");
		return EXIT_BAD;
	}
	sc = tb_scenario_load("plan", argv[1], sets, &err);
	if (!sc)
		goto bad;
	p = web_plan_new(sc, (uint64_t)replication, &err);
	if (!p)
		goto bad;
	if (g_mkdir_with_parents(argv[2], 0755) != 0) {
		fprintf(stderr, "fc-testbed plan: %s: cannot create: %s\n", argv[2],
			g_strerror(errno));
		return EXIT_BAD;
	}
	if (!tb_sites_write(p, argv[2], &err) ||
	    !tb_visits_write(p, scenario_duration(sc, "clients", "patience"), argv[2], &err))
		goto bad;
	return 0;
bad:
	fprintf(stderr, "fc-testbed plan: %s\n", err->message);
	return EXIT_BAD;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: fc-testbed [run] [OPTION...] SCENARIO.ini   run it on the testbed (root)\n"
		   "       fc-testbed plan [OPTION...] SCENARIO.ini DIR  only its sites and visits\n"
		   "       fc-testbed clean    stop what a killed run left\n"
		   "The testbed's driver (testbed/harness/README.md); COMMAND --help for the options.\n");
}

int
main(int argc, char **argv)
{
	igraph_set_error_handler(igraph_error_handler_ignore);
	if (argc < 2) {
		usage(stderr);
		return EXIT_BAD;
	}
	if (strcmp(argv[1], "plan") == 0)
		return cmd_plan(argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0)
		return tb_cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "clean") == 0)
		return tb_cmd_clean(argc - 1, argv + 1);
	/* `flashcoop testbed SCENARIO.ini ...`: run is the default. */
	if (argv[1][0] != '-' && g_str_has_suffix(argv[1], ".ini"))
		return tb_cmd_run(argc, argv);
	if (strcmp(argv[1], "import") == 0)
		return tb_cmd_import(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "fc-testbed: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_BAD;
}
