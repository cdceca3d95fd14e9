/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Parameter sweeps.  A sweep file names a base scenario, the keys to vary
 * and the number of replications:
 *
 *   [sweep]
 *   scenario = base.ini        # relative to the sweep file
 *   replications = 10
 *
 *   [vary]                     # each key is one dimension of the product
 *   mmck.servers = 1, 2, 4
 *   mmck.arrival_rate = 0.1..0.9 step 0.1
 *
 *   [lockstep load]            # these keys change together: one dimension
 *   mmck.arrival_rate = 0.5, 1.0
 *   mmck.service_rate = 1, 2
 *
 * The runs are the product of the dimensions times the replications.  Every
 * point is built and checked before anything runs, so a bad value anywhere
 * is reported at once with its line.  Each run has a stable key (a hash of
 * its effective parameters and replication); runs already done in the
 * results database are skipped, so running a sweep again resumes it.  Each
 * run records the sweep's name and the hash of its file.  Runs done there
 * by another version of the program are refused unless --rerun-stale.  A
 * run that another live process is running (another sweep of the same file
 * into the same database) is handed back by its worker; the sweep waits for
 * such runs at the end and runs those the other process did not finish.
 */
#ifndef FLASHCOOP_SIM_SWEEP_H
#define FLASHCOOP_SIM_SWEEP_H

#include <signal.h>
#include <stdint.h>

#include <glib.h>

#define SWEEP_ERROR (sweep_error_quark())
GQuark sweep_error_quark(void);

enum sweep_error_code {
	SWEEP_ERROR_IO,
	SWEEP_ERROR_SYNTAX,
	SWEEP_ERROR_DUPLICATE,
	SWEEP_ERROR_UNKNOWN,
	SWEEP_ERROR_VALUE,
	SWEEP_ERROR_MISSING,
	SWEEP_ERROR_TOO_BIG,
};

struct sweep_run {
	char **sets;           /* "group.key=value", NULL-terminated */
	uint64_t replication;
	char *run_key, *point_key;
};

struct sweep {
	char *path;
	char *scenario_path;   /* as the sweep file gives it, made relative to cwd */
	uint64_t replications;
	size_t points;
	GPtrArray *runs;       /* struct sweep_run, point by point */
	/* Warnings about the points (keys set that have no effect), each
	 * once, in the order first met; newly allocated strings. */
	GPtrArray *warnings;
};

struct sim_catalog;

/*
 * Reads a sweep file and builds every run, checking each point against the
 * models of cat; NULL with err on bad input.
 */
struct sweep *sweep_load(const struct sim_catalog *cat, const char *path, GError **err);
/* Accepts NULL. */
void sweep_free(struct sweep *sw);

/*
 * `flashcoop sweep`: argv[0] is "sweep"; version is the program's, which
 * its runs record.  Returns the exit status; sig is set by the program's
 * signal handler.  exit_at_once is 1 on entry: the handler ends the
 * process at once while the sweep file is read and its points checked;
 * sweep_main sets it to 0 before it opens the database.
 */
int sweep_main(const struct sim_catalog *cat, const char *version, int argc,
	       char **argv, volatile sig_atomic_t *sig,
	       volatile sig_atomic_t *exit_at_once);

#endif
