/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The deadlines of a node's peers (core/internal.h): a binary min-heap of
 * the peer slots, ordered by (deadline, slot), with each slot's place in
 * the heap kept so that a deadline moves in O(log n).  The slot breaks
 * ties, so the order never depends on the order of the updates; the due
 * slots are handed back sorted by slot, the order in which a scan of the
 * peers would have met them.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

static bool
before(const struct fc__deadlines *d, uint32_t a, uint32_t b)
{
	return d->at[a] < d->at[b] || (d->at[a] == d->at[b] && a < b);
}

static void
place(struct fc__deadlines *d, size_t k, uint32_t slot)
{
	d->heap[k] = slot;
	d->pos[slot] = (uint32_t)k;
}

static void
sift_up(struct fc__deadlines *d, size_t k)
{
	uint32_t s = d->heap[k];

	while (k > 0) {
		size_t up = (k - 1) / 2;

		if (!before(d, s, d->heap[up]))
			break;
		place(d, k, d->heap[up]);
		k = up;
	}
	place(d, k, s);
}

static void
sift_down(struct fc__deadlines *d, size_t k)
{
	uint32_t s = d->heap[k];

	for (;;) {
		size_t c = 2 * k + 1;

		if (c >= d->n)
			break;
		if (c + 1 < d->n && before(d, d->heap[c + 1], d->heap[c]))
			c++;
		if (!before(d, d->heap[c], s))
			break;
		place(d, k, d->heap[c]);
		k = c;
	}
	place(d, k, s);
}

void
fc__deadlines_init(struct fc__deadlines *d, size_t n)
{
	g_assert(n <= UINT32_MAX);
	d->n = n;
	d->at = g_new(fc_time_t, MAX(n, 1));
	d->heap = g_new(uint32_t, MAX(n, 1));
	d->pos = g_new(uint32_t, MAX(n, 1));
	d->due = g_new(uint32_t, MAX(n, 1));
	/* All at never, in slot order: a heap already. */
	for (size_t i = 0; i < n; i++) {
		d->at[i] = FC_TIME_NEVER;
		place(d, i, (uint32_t)i);
	}
}

void
fc__deadlines_clear(struct fc__deadlines *d)
{
	g_free(d->at);
	g_free(d->heap);
	g_free(d->pos);
	g_free(d->due);
	memset(d, 0, sizeof *d);
}

void
fc__deadlines_set(struct fc__deadlines *d, size_t slot, fc_time_t t)
{
	fc_time_t old = d->at[slot];

	g_assert(slot < d->n);
	if (t == old)
		return;
	d->at[slot] = t;
	if (t < old)
		sift_up(d, d->pos[slot]);
	else
		sift_down(d, d->pos[slot]);
}

fc_time_t
fc__deadlines_first(const struct fc__deadlines *d)
{
	return d->n ? d->at[d->heap[0]] : FC_TIME_NEVER;
}

static int
slot_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

size_t
fc__deadlines_due(struct fc__deadlines *d, fc_time_t now, const uint32_t **slots)
{
	size_t count = 0, top = 0;

	/* The heap's order prunes the walk: below a slot that is not due,
	 * nothing is.  d->due serves as the stack of places to visit, the
	 * found slots filling it from its end. */
	if (d->n && d->at[d->heap[0]] <= now)
		d->due[top++] = 0;
	while (top) {
		size_t k = d->due[--top];
		size_t c = 2 * k + 1;

		d->due[d->n - ++count] = d->heap[k];
		for (size_t j = c; j < c + 2 && j < d->n; j++)
			if (d->at[d->heap[j]] <= now)
				d->due[top++] = (uint32_t)j;
	}
	*slots = d->due + d->n - count;
	qsort(d->due + d->n - count, count, sizeof *d->due, slot_cmp);
	return count;
}
