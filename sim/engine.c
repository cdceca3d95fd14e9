/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Events live in a slot table (handler, data, generation); the queue holds
 * only (time, ref) with ref = generation << 32 | slot index.  The generation
 * is odd while the slot holds a pending event and is bumped when the event
 * runs or is cancelled, so a ref names exactly one scheduling of a slot: a
 * cancelled event's queue entry becomes stale and is skipped when it comes
 * out, and cancelling an event that already ran finds a generation that no
 * longer matches.  Freed slots are reused last-in first-out, so the slot that
 * a handler frees is the one its own scheduling call reuses, still in cache.
 *
 * Stale entries are counted; when they outnumber the live ones (and are many)
 * the queue is purged in one pass, so heavy cancellation (timers re-armed on
 * every rate change) costs O(1) amortised and bounded memory.
 */
#include "sim/engine.h"

#include <glib.h>

/* Purge stale entries once there are at least this many, and more than live. */
#define PURGE_MIN_STALE 1024

struct slot {
	engine_fn fn;
	void *data;
	uint32_t gen;
	uint32_t next_free;
};

#define NO_SLOT UINT32_MAX

struct engine {
	fc_time_t now;
	const struct evq_type *qt;
	void *q;
	struct slot *slots;
	uint32_t nslots, cap, free_head;
	size_t live, stale;
	uint64_t executed, limit;
	volatile sig_atomic_t *interrupt;
	bool running, stopping;
	engine_poll_fn poll;
	void *poll_data;
	uint32_t poll_every, poll_left;
};

static inline uint32_t
ref_slot(uint64_t ref)
{
	return (uint32_t)ref;
}

static inline uint32_t
ref_gen(uint64_t ref)
{
	return (uint32_t)(ref >> 32);
}

struct engine *
engine_new(const struct evq_type *queue)
{
	struct engine *e = g_new0(struct engine, 1);

	e->qt = queue ? queue : evq_types[0];
	e->q = e->qt->create();
	e->free_head = NO_SLOT;
	return e;
}

void
engine_free(struct engine *e)
{
	if (!e)
		return;
	e->qt->destroy(e->q);
	g_free(e->slots);
	g_free(e);
}

fc_time_t
engine_now(const struct engine *e)
{
	return e->now;
}

static uint32_t
slot_alloc(struct engine *e)
{
	uint32_t i = e->free_head;

	if (i != NO_SLOT) {
		e->free_head = e->slots[i].next_free;
		return i;
	}
	if (e->nslots == e->cap) {
		g_assert(e->cap < NO_SLOT);
		e->cap = e->cap ? (e->cap > NO_SLOT / 2 ? NO_SLOT : 2 * e->cap) : 64;
		e->slots = g_renew(struct slot, e->slots, e->cap);
	}
	e->slots[e->nslots].gen = 0;
	return e->nslots++;
}

static inline void
slot_release(struct engine *e, uint32_t i)
{
	struct slot *s = &e->slots[i];

	s->gen++; /* even: free */
	s->fn = NULL;
	s->next_free = e->free_head;
	e->free_head = i;
}

engine_event
engine_schedule_at(struct engine *e, fc_time_t t, engine_fn fn, void *data)
{
	uint32_t i;
	struct slot *s;
	uint64_t ref;

	g_assert(t >= e->now);
	g_assert(fn != NULL);
	if (t == FC_TIME_NEVER)
		t = FC_TIME_NEVER - 1;
	i = slot_alloc(e);
	s = &e->slots[i];
	s->gen++; /* odd: pending */
	s->fn = fn;
	s->data = data;
	ref = (uint64_t)s->gen << 32 | i;
	e->qt->push(e->q, t, ref);
	e->live++;
	return ref;
}

engine_event
engine_schedule(struct engine *e, fc_time_t delay, engine_fn fn, void *data)
{
	return engine_schedule_at(e, fc_time_add(e->now, delay), fn, data);
}

static bool
ref_is_live(const struct engine *e, uint64_t ref)
{
	uint32_t i = ref_slot(ref), gen = ref_gen(ref);

	return (gen & 1u) && i < e->nslots && e->slots[i].gen == gen;
}

bool
engine_is_pending(const struct engine *e, engine_event ev)
{
	return ref_is_live(e, ev);
}

static bool
keep_live(void *ctx, uint64_t ref)
{
	return ref_is_live(ctx, ref);
}

bool
engine_cancel(struct engine *e, engine_event ev)
{
	if (!ref_is_live(e, ev))
		return false;
	slot_release(e, ref_slot(ev));
	e->live--;
	e->stale++;
	if (e->stale >= PURGE_MIN_STALE && e->stale > e->live) {
		e->qt->purge(e->q, keep_live, e);
		g_assert(e->qt->size(e->q) == e->live);
		e->stale = 0;
	}
	return true;
}

enum engine_result
engine_run_until(struct engine *e, fc_time_t until)
{
	fc_time_t t;
	uint64_t ref;

	g_assert(!e->running);
	e->running = true;
	e->stopping = false;
	for (;;) {
		uint32_t i;
		struct slot *s;
		engine_fn fn;
		void *data;

		/* The limit and the interrupt flag are looked at before each
		 * handler: one load and one compare, cheap beside a handler. */
		if (e->limit && e->executed >= e->limit) {
			e->running = false;
			return ENGINE_LIMIT;
		}
		if (e->interrupt && *e->interrupt) {
			e->running = false;
			return ENGINE_INTERRUPTED;
		}
		if (!e->qt->pop(e->q, until, &t, &ref))
			break;
		i = ref_slot(ref);
		s = &e->slots[i];
		if (s->gen != ref_gen(ref)) {
			e->stale--; /* cancelled */
			continue;
		}
		/* The queue's contract, and the one thing that must never fail. */
		g_assert(t >= e->now);
		e->now = t;
		fn = s->fn;
		data = s->data;
		slot_release(e, i);
		e->live--;
		e->executed++;
		fn(e, data, t);
		if (e->poll && --e->poll_left == 0) {
			e->poll_left = e->poll_every;
			e->poll(e, e->poll_data);
		}
		if (e->stopping) {
			e->running = false;
			return ENGINE_STOPPED;
		}
	}
	e->running = false;
	if (until != FC_TIME_NEVER && until > e->now)
		e->now = until;
	return e->live ? ENGINE_UNTIL : ENGINE_EMPTY;
}

enum engine_result
engine_run(struct engine *e)
{
	return engine_run_until(e, FC_TIME_NEVER);
}

void
engine_set_poll(struct engine *e, uint32_t every, engine_poll_fn fn, void *data)
{
	g_assert(every > 0 || !fn);
	e->poll = fn;
	e->poll_data = data;
	e->poll_every = e->poll_left = every;
}

void
engine_set_limit(struct engine *e, uint64_t max)
{
	e->limit = max;
}

void
engine_set_interrupt(struct engine *e, volatile sig_atomic_t *flag)
{
	e->interrupt = flag;
}

void
engine_stop(struct engine *e)
{
	if (e->running)
		e->stopping = true;
}

size_t
engine_pending(const struct engine *e)
{
	return e->live;
}

uint64_t
engine_executed(const struct engine *e)
{
	return e->executed;
}

