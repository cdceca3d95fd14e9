/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The delay line: a binary min-heap on (due time, push sequence), which
 * gives time order with FIFO ties, and a table of the pairs that have
 * packets in the line, which keeps each pair's latest due time so that a
 * later packet of the pair is never due before it.  A pair leaves the table
 * with its last packet: the due time of a packet already popped is at most
 * the time it was popped, so it could not hold back any later packet, and
 * the table never holds more pairs than the line holds packets.  The table
 * is open addressing with linear probing, at most half full, and deletes by
 * shifting back (no tombstones), so its size is fixed when the line is made.
 */
#include "testbed/net/delayq.h"

struct entry {
	fc_time_t due;
	uint64_t seq;
	uint64_t item;
	uint64_t pair;
};

struct pair_slot {
	uint64_t key;
	fc_time_t last_due;
	uint32_t count; /* packets of the pair in the line; 0: the slot is free */
};

struct tb_delayq {
	struct entry *heap;
	size_t len;
	size_t capacity;
	struct pair_slot *pairs;
	size_t pair_mask; /* table size - 1, a power of two >= 2 * capacity */
	uint64_t seq;
	fc_time_t last_now;
	struct tb_delayq_stats stats;
};

struct tb_delayq *
tb_delayq_new(size_t capacity)
{
	struct tb_delayq *q;
	size_t size = 2;

	g_assert(capacity >= 1 && capacity <= TB_DELAYQ_MAX_CAPACITY);
	while (size < 2 * capacity)
		size *= 2;
	q = g_new0(struct tb_delayq, 1);
	q->heap = g_new(struct entry, capacity);
	q->capacity = capacity;
	q->pairs = g_new0(struct pair_slot, size);
	q->pair_mask = size - 1;
	return q;
}

void
tb_delayq_free(struct tb_delayq *q)
{
	if (!q)
		return;
	g_free(q->heap);
	g_free(q->pairs);
	g_free(q);
}

/* The pair's home slot: a 64-bit mix (splitmix64's finaliser) of the key. */
static size_t
pair_home(const struct tb_delayq *q, uint64_t key)
{
	key ^= key >> 30;
	key *= UINT64_C(0xbf58476d1ce4e5b9);
	key ^= key >> 27;
	key *= UINT64_C(0x94d049bb133111eb);
	key ^= key >> 31;
	return (size_t)key & q->pair_mask;
}

/* The slot of the pair, or the free slot where it would go. */
static struct pair_slot *
pair_find(struct tb_delayq *q, uint64_t key)
{
	size_t i = pair_home(q, key);

	while (q->pairs[i].count != 0 && q->pairs[i].key != key)
		i = (i + 1) & q->pair_mask;
	return &q->pairs[i];
}

/* Frees a slot, shifting back the entries of its probe run behind it. */
static void
pair_remove(struct tb_delayq *q, struct pair_slot *slot)
{
	size_t hole = (size_t)(slot - q->pairs);
	size_t i = hole;

	for (;;) {
		size_t home;

		i = (i + 1) & q->pair_mask;
		if (q->pairs[i].count == 0)
			break;
		home = pair_home(q, q->pairs[i].key);
		/* Move i into the hole unless its home lies in (hole, i]. */
		if (((i - home) & q->pair_mask) >= ((i - hole) & q->pair_mask)) {
			q->pairs[hole] = q->pairs[i];
			hole = i;
		}
	}
	q->pairs[hole].count = 0;
}

static bool
entry_before(const struct entry *a, const struct entry *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

bool
tb_delayq_push(struct tb_delayq *q, fc_time_t now, fc_time_t delay, uint64_t pair,
	       uint64_t item)
{
	struct pair_slot *slot;
	struct entry e;
	size_t i;

	g_assert(now >= q->last_now);
	q->last_now = now;
	if (q->len == q->capacity) {
		q->stats.dropped++;
		return false;
	}
	e.due = fc_time_add(now, delay);
	e.seq = q->seq++;
	e.item = item;
	e.pair = pair;
	slot = pair_find(q, pair);
	if (slot->count == 0) {
		slot->key = pair;
		slot->last_due = e.due;
	} else if (slot->last_due > e.due) {
		e.due = slot->last_due;
	} else {
		slot->last_due = e.due;
	}
	slot->count++;

	/* Sift up. */
	i = q->len++;
	while (i > 0 && entry_before(&e, &q->heap[(i - 1) / 2])) {
		q->heap[i] = q->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	q->heap[i] = e;
	q->stats.pushed++;
	if (q->len > q->stats.max_len)
		q->stats.max_len = q->len;
	return true;
}

fc_time_t
tb_delayq_next_due(const struct tb_delayq *q)
{
	return q->len ? q->heap[0].due : FC_TIME_NEVER;
}

bool
tb_delayq_pop(struct tb_delayq *q, fc_time_t now, uint64_t *item, fc_time_t *due)
{
	struct pair_slot *slot;
	struct entry top, last;
	size_t i = 0;

	g_assert(now >= q->last_now);
	q->last_now = now;
	if (q->len == 0 || q->heap[0].due > now)
		return false;
	top = q->heap[0];
	last = q->heap[--q->len];

	/* Sift the last entry down from the root. */
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= q->len)
			break;
		if (c + 1 < q->len && entry_before(&q->heap[c + 1], &q->heap[c]))
			c++;
		if (!entry_before(&q->heap[c], &last))
			break;
		q->heap[i] = q->heap[c];
		i = c;
	}
	if (q->len > 0)
		q->heap[i] = last;

	slot = pair_find(q, top.pair);
	g_assert(slot->count > 0);
	if (--slot->count == 0)
		pair_remove(q, slot);
	q->stats.popped++;
	if (item)
		*item = top.item;
	if (due)
		*due = top.due;
	return true;
}

size_t
tb_delayq_len(const struct tb_delayq *q)
{
	return q->len;
}

size_t
tb_delayq_capacity(const struct tb_delayq *q)
{
	return q->capacity;
}

void
tb_delayq_get_stats(const struct tb_delayq *q, struct tb_delayq_stats *stats)
{
	*stats = q->stats;
}
