/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the commands of fc-testbed share (main.c has the dispatch).
 */
#ifndef FLASHCOOP_TESTBED_HARNESS_HARNESS_H
#define FLASHCOOP_TESTBED_HARNESS_HARNESS_H

#include <glib.h>

#include "sim/scenario.h"

#define TB_EXIT_FAILED 1
#define TB_EXIT_BAD 2

/*
 * Loads the web scenario at path with the --set assignments and checks it
 * as the simulator would; warnings go to stderr prefixed with
 * "fc-testbed CMD".  NULL with err set for a scenario that is not a web
 * scenario or that the simulator refuses.
 */
struct scenario *tb_scenario_load(const char *cmd, const char *path, char **sets,
				  GError **err);

/* fc-testbed run and fc-testbed clean (run.c). */
int tb_cmd_run(int argc, char **argv);
int tb_cmd_clean(int argc, char **argv);

#endif
