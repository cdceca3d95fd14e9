/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The progress line: one line on stderr, redrawn at most four times a
 * second, for a terminal only.  A progress made with enabled false does
 * nothing, so callers need not test.
 */
#ifndef FLASHCOOP_SIM_PROGRESS_H
#define FLASHCOOP_SIM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "flashcoop/time.h"

struct progress;

/* enabled: draw at all (stderr is a terminal and --quiet was not given). */
struct progress *progress_new(bool enabled);
/* Clears the line; accepts NULL. */
void progress_free(struct progress *p);

/* A run: simulated time over end time, events per second, ETA. */
void progress_run(struct progress *p, fc_time_t now, fc_time_t end, uint64_t events);

/* A sweep: runs done over total, failures, runs in progress, ETA. */
void progress_sweep(struct progress *p, unsigned done, unsigned failed,
		    unsigned running, unsigned total);

/* Erases the line (before other output). */
void progress_clear(struct progress *p);

#endif
