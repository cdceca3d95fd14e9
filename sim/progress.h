/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Progress, wherever the program runs.  On a terminal, one line on stderr,
 * redrawn at most four times a second.  Elsewhere (make, CI, a cluster
 * job), whole lines: a single run says where it is every `every` seconds
 * of wall time, and a sweep says one line per finished run.  A sweep's
 * workers report to their sweep through status lines on stderr
 * (PROGRESS_REPORT), which the sweep reads and never shows.  A progress
 * made with PROGRESS_NONE does nothing, so callers need not test.
 */
#ifndef FLASHCOOP_SIM_PROGRESS_H
#define FLASHCOOP_SIM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "flashcoop/time.h"

enum progress_mode {
	PROGRESS_NONE,     /* --quiet */
	PROGRESS_TERMINAL, /* stderr is a terminal: one line, redrawn */
	PROGRESS_LINES,    /* stderr is a file or a pipe: whole lines */
	PROGRESS_REPORT,   /* a sweep's worker: status lines for the sweep */
};

/*
 * A status line of PROGRESS_REPORT starts with this; what follows is
 * "progress FRACTION" (simulated time over end time, from 0 to 1) or
 * "done HEADLINE".
 */
#define PROGRESS_STATUS_PREFIX "flashcoop-status: "

/* Seconds of wall time between two lines of a run in PROGRESS_LINES. */
#define PROGRESS_LINE_EVERY_S 10.0

struct progress;

/*
 * A progress in mode; every is the wall time between two lines of a run in
 * PROGRESS_LINES (seconds, > 0).  who starts each line ("flashcoop run").
 */
struct progress *progress_new(enum progress_mode mode, double every, const char *who);
/* Clears the line; accepts NULL. */
void progress_free(struct progress *p);

/* The mode for a command: none when quiet, else by whether stderr is a
 * terminal. */
enum progress_mode progress_mode_for_stderr(bool quiet);

/* A run: simulated time over end time, events per second, ETA. */
void progress_run(struct progress *p, fc_time_t now, fc_time_t end, uint64_t events);

/* A run ended with the headline of its results (PROGRESS_REPORT). */
void progress_run_done(struct progress *p, const char *headline);

/*
 * A sweep: runs done over total, failures, runs in progress and the ETA;
 * in_flight is the sum of the fractions of simulated time that the runs
 * in progress have done, so the ETA moves while a long run is running.
 * In PROGRESS_LINES, a line every `every` seconds.
 */
void progress_sweep(struct progress *p, unsigned done, unsigned failed,
		    unsigned running, unsigned total, double in_flight);

/*
 * A sweep's run finished: in PROGRESS_LINES, one line of text and the ETA
 * (from finished runs out of total and in_flight, as above); nothing
 * otherwise.
 */
void progress_sweep_line(struct progress *p, const char *text, unsigned finished,
			 unsigned total, double in_flight);

/* Erases the line (before other output). */
void progress_clear(struct progress *p);

#endif
