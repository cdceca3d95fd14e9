/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The discrete-event engine: a clock and a set of pending events, each a
 * handler with a data pointer, to be called at a simulated time.
 *
 * Order.  Events run in time order; events scheduled for the same time run in
 * the order they were scheduled.  Together with handlers that never read a
 * wall clock and random numbers that come from seeded streams (rng.h), this
 * makes a run a pure function of its inputs: the same scenario and seed give
 * the same sequence of handler calls, on any machine, with any number of
 * workers running other simulations beside it.
 *
 * State.  An engine is a self-contained value: it has no global or
 * thread-local state, so several engines may live in one process (one per
 * thread, or interleaved in one thread).  One engine is not thread-safe.
 *
 * Errors.  Scheduling in the past or calling run from inside a handler are
 * programmer errors and abort through g_assert.
 *
 * The end of time.  A delay that fc_time_add() saturates, or a time of
 * FC_TIME_NEVER, schedules the event at FC_TIME_NEVER - 1, the last
 * nanosecond, so that a long delay drawn or configured within its key's
 * range means "not in this run" instead of an abort; the run driver ends
 * every run before that nanosecond (sim/run.c).
 */
#ifndef FLASHCOOP_SIM_ENGINE_H
#define FLASHCOOP_SIM_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/evq.h"
#include "flashcoop/time.h"

struct engine;

/*
 * An event handler.  now is the event's time, equal to engine_now(e); the
 * handler may schedule and cancel events, and call engine_stop().
 */
typedef void (*engine_fn)(struct engine *e, void *data, fc_time_t now);

/*
 * Identifies a scheduled event for engine_cancel().  Ids are never reused
 * while the event is pending, and ENGINE_EVENT_NONE is never an id, so a
 * caller may keep ENGINE_EVENT_NONE in a field meaning "no timer armed".
 */
typedef uint64_t engine_event;
#define ENGINE_EVENT_NONE ((engine_event)0)

/* Why engine_run() or engine_run_until() returned. */
enum engine_result {
	ENGINE_EMPTY,   /* no pending event is left */
	ENGINE_UNTIL,   /* the next pending event is later than the limit */
	ENGINE_STOPPED, /* a handler called engine_stop() */
	ENGINE_LIMIT,   /* engine_executed() reached the limit of engine_set_limit() */
	ENGINE_INTERRUPTED, /* the flag of engine_set_interrupt() was set */
};

/*
 * Creates an engine at time 0 with no pending events.  queue selects the
 * pending-event set (evq.h); NULL selects the default.  Free with
 * engine_free(), which accepts NULL.
 */
struct engine *engine_new(const struct evq_type *queue);
void engine_free(struct engine *e);

/* The current simulated time. */
fc_time_t engine_now(const struct engine *e);

/*
 * Schedules fn(e, data, t) at absolute time t, which must be >= engine_now();
 * FC_TIME_NEVER is taken as FC_TIME_NEVER - 1 (the end of time, above).
 * data is not owned by the engine.
 */
engine_event engine_schedule_at(struct engine *e, fc_time_t t, engine_fn fn,
				void *data);

/* Schedules fn at engine_now() + delay, saturated by fc_time_add() (same
 * rules as engine_schedule_at). */
engine_event engine_schedule(struct engine *e, fc_time_t delay, engine_fn fn,
			     void *data);

/*
 * Cancels a pending event and returns true.  Cancelling an event that has
 * already run (including the one now running), was already cancelled, or
 * ENGINE_EVENT_NONE does nothing and returns false.
 */
bool engine_cancel(struct engine *e, engine_event ev);

/* Whether ev is scheduled and has neither run nor been cancelled. */
bool engine_is_pending(const struct engine *e, engine_event ev);

/*
 * Runs events until none is left or a handler calls engine_stop().  The
 * clock is left at the time of the last event run.
 */
enum engine_result engine_run(struct engine *e);

/*
 * Runs every event whose time is <= until, then advances the clock to until
 * (returning ENGINE_UNTIL, or ENGINE_EMPTY when nothing is pending any more);
 * when a handler calls engine_stop(), returns ENGINE_STOPPED right after that
 * handler, with the clock at its time.  until == FC_TIME_NEVER is
 * engine_run().  An until earlier than the clock runs nothing.
 */
enum engine_result engine_run_until(struct engine *e, fc_time_t until);

/*
 * Makes the engine_run*() call in progress return once the current handler
 * returns; pending events stay pending, and a later run resumes with them.
 * Outside a run it does nothing.
 */
void engine_stop(struct engine *e);

/*
 * Calls fn after every `every` handlers during a run (fn NULL: never).  It is
 * the host's window between events: check for a signal, write buffered
 * results, draw progress; fn may call engine_stop().  It must not change the
 * simulation, so that a run gives the same results with or without it.
 */
typedef void (*engine_poll_fn)(struct engine *e, void *data);
void engine_set_poll(struct engine *e, uint32_t every, engine_poll_fn fn, void *data);

/*
 * Makes engine_run*() return ENGINE_LIMIT right after the handler that
 * brings engine_executed() to max (0: no limit), so that a run stops after
 * exactly that many events.  A run that starts at the limit runs nothing.
 */
void engine_set_limit(struct engine *e, uint64_t max);

/*
 * Makes engine_run*() return ENGINE_INTERRUPTED right after the handler in
 * progress once *flag is non-zero (a signal handler sets it); NULL: never.
 * The flag is looked at after every handler, so a stop is as prompt as
 * the slowest handler, whatever the poll period.
 */
void engine_set_interrupt(struct engine *e, volatile sig_atomic_t *flag);

/* Number of events scheduled and neither run nor cancelled. */
size_t engine_pending(const struct engine *e);

/* Number of handlers called since the engine was created. */
uint64_t engine_executed(const struct engine *e);

#endif
