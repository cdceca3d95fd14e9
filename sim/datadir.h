/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Where an installed flashcoop keeps its shared files: the scenarios,
 * the figure scripts and the documentation (`make install` puts them in
 * PREFIX/share/flashcoop).  The directory is $FLASHCOOP_DATADIR when set,
 * else ../share/flashcoop beside the running program (found through
 * /proc/self/exe), so that an installation works wherever it is put,
 * staged under a DESTDIR or moved.  In the source tree there is none, and
 * paths are taken as they are.  A scenario's `[scenario] include` that is
 * not beside the scenario is looked for there too (sim/scenario.c).
 */
#ifndef FLASHCOOP_SIM_DATADIR_H
#define FLASHCOOP_SIM_DATADIR_H

/* The data directory, newly allocated, or NULL when there is none. */
char *datadir_get(void);

/*
 * The installed file at relative path rel: DATADIR/rel or
 * DATADIR/scenarios/rel, whichever is a file, first; newly allocated, or
 * NULL when there is none (or no data directory).
 */
char *datadir_find(const char *rel);

/*
 * The file a command-line path names: path itself when it exists or is
 * absolute; else, when the data directory holds it, DATADIR/path or
 * DATADIR/scenarios/path (so that `flashcoop run scenarios/default.ini`
 * and `flashcoop run default.ini` work from any directory); else path,
 * for the caller's own "no such file" error.  Newly allocated.
 */
char *datadir_resolve(const char *path);

#endif
