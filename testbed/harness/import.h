/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Importing a testbed run into the results database: the run directory
 * that fc-testbed run leaves (run.ini, the daemons' logs, Apache's access
 * logs, the clients' TSVs) becomes a run row with the simulator's
 * parameters (and [run] platform = testbed), and the scalars, vectors,
 * statistics and events a simulated run of the same scenario records,
 * under the same entities and names (testbed/harness/IMPORT.md).
 *
 * Every input file is read and checked before the database is opened, so
 * bad input writes nothing; the run is then claimed, written, ended and (with
 * TB_IMPORT_REPLACE) the run it replaces deleted in one transaction.
 */
#ifndef FLASHCOOP_TESTBED_HARNESS_IMPORT_H
#define FLASHCOOP_TESTBED_HARNESS_IMPORT_H

#include <stdint.h>

#include <glib.h>

#define TB_IMPORT_ERROR (tb_import_error_quark())
GQuark tb_import_error_quark(void);

enum tb_import_error_code {
	TB_IMPORT_ERROR_INPUT, /* a file of the run directory is missing or bad */
	TB_IMPORT_ERROR_DONE,  /* the run key is done in the database already */
	TB_IMPORT_ERROR_HELD,  /* a live process is writing that run key */
};

enum tb_import_flags {
	/* A run key done already is replaced (the old run deleted in the same
	 * transaction), rather than refused. */
	TB_IMPORT_REPLACE = 1 << 0,
};

/*
 * Imports the run directory dir into the results database db_path
 * (created if missing).  TRUE on success; FALSE with err set: TB_IMPORT_ERROR for bad input (the
 * message names the file and its line or key) or a run key done already;
 * RESULTS_ERROR for a database that cannot be opened or written.
 */
gboolean tb_import(const char *dir, const char *db_path, unsigned flags,
		   GError **err);

/* fc-testbed import [--replace] [-o DB] DIR; argv[0] is "import".  Exit
 * status 0, 1 when the database cannot be written, 2 for bad input. */
int tb_cmd_import(int argc, char **argv);

#endif
