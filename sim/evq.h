/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The pending-event set behind the engine, as a small interface so that
 * implementations can be compared on the same workload (bench-hold --queue).
 *
 * A queue holds entries of (time, ref), where ref is an opaque 64-bit value
 * of the engine's.  Contract shared by every implementation:
 * - entries come out in time order, and entries of equal time in the order
 *   they were pushed (FIFO), which is what makes a run deterministic;
 * - a pushed time is never earlier than the time of the last entry popped
 *   (the engine asserts this: nothing is scheduled in the past);
 * - pop() never hands out an entry later than its limit, and then changes
 *   nothing that a later push at any time >= the last popped time depends on.
 *
 * Cancellation is the engine's business: it leaves cancelled entries in the
 * queue, skips them when they come out, and calls purge() to drop them in one
 * pass when they would otherwise pile up.
 */
#ifndef FLASHCOOP_SIM_EVQ_H
#define FLASHCOOP_SIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashcoop/names.h"
#include "flashcoop/time.h"

/* Tells purge() whether an entry is still wanted. */
typedef bool (*evq_keep_fn)(void *ctx, uint64_t ref);

struct evq_type {
	/* Short name used on command lines ("radix", "heap4"). */
	const char *name;
	/* One line for --help. */
	const char *summary;
	/* Returns a new empty queue; aborts on out-of-memory like g_malloc. */
	void *(*create)(void);
	/* Frees a queue and its entries; accepts NULL. */
	void (*destroy)(void *q);
	void (*push)(void *q, fc_time_t t, uint64_t ref);
	/*
	 * Removes the earliest entry if its time is <= limit, storing it in
	 * *t and *ref and returning true; returns false when the queue is
	 * empty or its earliest entry is later than limit.
	 */
	bool (*pop)(void *q, fc_time_t limit, fc_time_t *t, uint64_t *ref);
	size_t (*size)(const void *q);
	/* Drops every entry for which keep() returns false, keeping order. */
	void (*purge)(void *q, evq_keep_fn keep, void *ctx);
};

/*
 * The multi-level radix bucket queue (see evq_radix.c): O(1) push, amortised
 * O(1) pop, and FIFO ties without a sequence number.  The default.
 */
extern const struct evq_type evq_radix;

/* An implicit 4-ary min-heap on (time, push sequence).  O(log n). */
extern const struct evq_type evq_heap4;

/* Every implementation, NULL-terminated, the default first. */
extern const struct evq_type *const evq_types[];

/*
 * The implementations' names, each with its index in evq_types as the value,
 * for [run] queue (flashcoop/names.h).
 */
extern const struct fc_enum_name evq_names[];

/* Looks an implementation up by name; NULL when there is none. */
const struct evq_type *evq_type_find(const char *name);

#endif
