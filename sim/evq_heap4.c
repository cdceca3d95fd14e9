/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An implicit 4-ary min-heap ordered by (time, push sequence).  A 4-ary heap
 * is shallower than a binary one and its four children share a cache line or
 * two, which makes it the usual fast comparison-based event queue; it is kept
 * as the reference that the radix queue is measured and cross-checked against.
 */
#include "sim/evq.h"

#include <glib.h>

struct heap_entry {
	fc_time_t t;
	uint64_t seq;
	uint64_t ref;
};

struct heap4 {
	struct heap_entry *v;
	size_t n, cap;
	uint64_t next_seq;
};

static inline bool
entry_before(const struct heap_entry *a, const struct heap_entry *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void *
heap4_create(void)
{
	return g_new0(struct heap4, 1);
}

static void
heap4_destroy(void *q)
{
	struct heap4 *h = q;

	if (!h)
		return;
	g_free(h->v);
	g_free(h);
}

static void
sift_up(struct heap4 *h, size_t i, struct heap_entry e)
{
	while (i > 0) {
		size_t parent = (i - 1) / 4;

		if (!entry_before(&e, &h->v[parent]))
			break;
		h->v[i] = h->v[parent];
		i = parent;
	}
	h->v[i] = e;
}

static void
sift_down(struct heap4 *h, size_t i, struct heap_entry e)
{
	size_t n = h->n;

	for (;;) {
		size_t first = 4 * i + 1, best;

		if (first >= n)
			break;
		best = first;
		for (size_t c = first + 1; c < first + 4 && c < n; c++)
			if (entry_before(&h->v[c], &h->v[best]))
				best = c;
		if (!entry_before(&h->v[best], &e))
			break;
		h->v[i] = h->v[best];
		i = best;
	}
	h->v[i] = e;
}

static void
heap4_push(void *q, fc_time_t t, uint64_t ref)
{
	struct heap4 *h = q;
	struct heap_entry e = { t, h->next_seq++, ref };

	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->v = g_renew(struct heap_entry, h->v, h->cap);
	}
	sift_up(h, h->n++, e);
}

static bool
heap4_pop(void *q, fc_time_t limit, fc_time_t *t, uint64_t *ref)
{
	struct heap4 *h = q;

	if (h->n == 0 || h->v[0].t > limit)
		return false;
	*t = h->v[0].t;
	*ref = h->v[0].ref;
	if (--h->n > 0)
		sift_down(h, 0, h->v[h->n]);
	return true;
}

static size_t
heap4_size(const void *q)
{
	return ((const struct heap4 *)q)->n;
}

static void
heap4_purge(void *q, evq_keep_fn keep, void *ctx)
{
	struct heap4 *h = q;
	size_t kept = 0;

	for (size_t i = 0; i < h->n; i++)
		if (keep(ctx, h->v[i].ref))
			h->v[kept++] = h->v[i];
	h->n = kept;
	/* Floyd's bottom-up construction; the sequence numbers keep FIFO ties. */
	for (size_t i = kept / 4 + 1; i-- > 0;)
		if (i < kept)
			sift_down(h, i, h->v[i]);
}

const struct evq_type evq_heap4 = {
	.name = "heap4",
	.summary = "implicit 4-ary min-heap on (time, sequence), O(log n)",
	.create = heap4_create,
	.destroy = heap4_destroy,
	.push = heap4_push,
	.pop = heap4_pop,
	.size = heap4_size,
	.purge = heap4_purge,
};
