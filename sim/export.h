/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading results out of a database, as OMNeT++'s opp_scavetool does:
 * `flashcoop runs DB` lists the runs, `flashcoop export DB` writes the
 * scalars, vectors or statistics of the selected runs as CSV or JSON, with
 * the runs' parameters as columns (numbers in base units: seconds, bytes,
 * bit/s).  Both select runs the same way: --status, --sweep, and --where
 * KEY=VALUE (a scenario key, the value in any spelling its type accepts).
 * docs/analysis.md shows both, beside the same questions in SQL.
 */
#ifndef FLASHCOOP_SIM_EXPORT_H
#define FLASHCOOP_SIM_EXPORT_H

struct sim_catalog;

/* `flashcoop runs`: argv[0] is "runs".  Returns the exit status. */
int export_runs_main(const struct sim_catalog *cat, int argc, char **argv);

/* `flashcoop export`: argv[0] is "export".  Returns the exit status. */
int export_main(const struct sim_catalog *cat, int argc, char **argv);

#endif
