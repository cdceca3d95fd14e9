/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The flashcoop command line: run, sweep, keys, merge and fsm, over the
 * models and scenario keys of a catalog.
 */
#ifndef FLASHCOOP_SIM_CLI_H
#define FLASHCOOP_SIM_CLI_H

struct sim_catalog;

/*
 * Runs the command named by argv[1] and returns the program's exit status:
 * 0 done; 1 a run failed; 2 bad input; 128 + N when signal N stopped it.
 */
int sim_main(const struct sim_catalog *cat, int argc, char **argv);

#endif
