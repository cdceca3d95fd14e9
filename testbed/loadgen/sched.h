/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * When visits start: the plan read as a stream, one visit ahead, against
 * the run's start instant.  The caller brings the clock (CLOCK_REALTIME
 * nanoseconds in fc-loadgen, a synthetic one in the tests), so the
 * schedule is a pure function of the plan, the start and the times asked.
 */
#ifndef FLASHCOOP_TESTBED_LOADGEN_SCHED_H
#define FLASHCOOP_TESTBED_LOADGEN_SCHED_H

#include <glib.h>

#include "testbed/loadgen/plan.h"

struct lg_sched;

/* A schedule of plan (taken over) for a run starting at start; reads
 * the first visit: NULL with err set when it is bad. */
struct lg_sched *lg_sched_new(struct lg_plan *plan, fc_time_t start, GError **err);

/* Accepts NULL. */
void lg_sched_free(struct lg_sched *s);

/* The instant the next visit is due, or FC_TIME_NEVER when none is left. */
fc_time_t lg_sched_next_at(const struct lg_sched *s);

/*
 * The next visit when it is due at now (its start <= now) into v
 * (cleared first), and reads the one after it: 1, or 0 when none is due
 * (v cleared), or -1 with err set when the plan's next line is bad (the
 * visit in v is still due and valid).
 */
int lg_sched_pop(struct lg_sched *s, fc_time_t now, struct lg_plan_visit *v, GError **err);

/* Visits handed out so far. */
guint64 lg_sched_popped(const struct lg_sched *s);

typedef struct lg_sched lg_sched;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(lg_sched, lg_sched_free)

#endif
