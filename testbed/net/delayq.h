/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The delay line of fc-delay, without I/O: packets go in with the time they
 * arrived and the delay they must suffer, and come out when they are due.
 * The program feeds it the packets NFQUEUE hands over and gives each its
 * verdict when the line pops it; the line itself never reads a clock.
 *
 * Contract:
 * - a packet is due at max(now + delay, due time of the last packet of the
 *   same pair still in the line): packets of one pair (a source and a
 *   destination address, or whatever 64-bit key the caller chooses) never
 *   overtake each other, even when the pair's delay shrinks between them,
 *   as on a real link, whose FIFO a shorter delay cannot reorder;
 * - packets due at the same time come out in the order they went in;
 * - the line holds at most `capacity` packets: a push into a full line is
 *   refused (drop-tail) and counted, and the memory is allocated once, when
 *   the line is made, so a flood cannot grow it.
 *
 * Times are nanoseconds from any origin the caller chooses (a monotonic
 * clock in fc-delay), as in flashcoop/time.h.
 */
#ifndef FLASHCOOP_TESTBED_NET_DELAYQ_H
#define FLASHCOOP_TESTBED_NET_DELAYQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "flashcoop/time.h"

/* The largest capacity tb_delayq_new() accepts (16 Mi packets). */
#define TB_DELAYQ_MAX_CAPACITY ((size_t)1 << 24)

struct tb_delayq;

/* What a line has seen since it was made. */
struct tb_delayq_stats {
	uint64_t pushed;  /* packets accepted into the line */
	uint64_t dropped; /* packets refused because the line was full */
	uint64_t popped;  /* packets handed out */
	size_t max_len;   /* the most packets held at once */
};

/*
 * Makes an empty line for at most capacity packets (1 ..
 * TB_DELAYQ_MAX_CAPACITY; anything else is a programmer error).  Aborts on
 * out-of-memory like g_malloc.
 */
struct tb_delayq *tb_delayq_new(size_t capacity);

/* Frees the line and whatever it still holds; accepts NULL. */
void tb_delayq_free(struct tb_delayq *q);

/* g_autoptr(tb_delayq) */
typedef struct tb_delayq tb_delayq;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_delayq, tb_delayq_free)

/*
 * Puts a packet, identified by the caller's `item`, of pair `pair` into the
 * line at time now, to come out after `delay` (see the contract above for
 * when exactly).  Returns false, and counts a drop, when the line is full;
 * the caller then drops the packet.  now never goes backwards between calls
 * (asserted against the last push and the last pop).
 */
bool tb_delayq_push(struct tb_delayq *q, fc_time_t now, fc_time_t delay, uint64_t pair,
		    uint64_t item);

/* When the earliest packet is due; FC_TIME_NEVER when the line is empty. */
fc_time_t tb_delayq_next_due(const struct tb_delayq *q);

/*
 * Takes out the earliest packet if it is due at or before now, storing its
 * item in *item and its due time in *due (either may be NULL) and
 * returning true; returns false when nothing is due.
 */
bool tb_delayq_pop(struct tb_delayq *q, fc_time_t now, uint64_t *item, fc_time_t *due);

/* Packets held. */
size_t tb_delayq_len(const struct tb_delayq *q);

/* The capacity the line was made with. */
size_t tb_delayq_capacity(const struct tb_delayq *q);

/* The counters so far. */
void tb_delayq_get_stats(const struct tb_delayq *q, struct tb_delayq_stats *stats);

#endif
