/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A node's peers by id (core/internal.h): a table by id - base when the
 * ids are dense, else the ids sorted and searched by bisection.  Either
 * way the answer depends only on the ids, never on an order of insertion.
 */
#include "internal.h"

#include <stdlib.h>

#include <glib.h>

/* The dense table is used while it has at most this many slots per peer
 * (plus PEER_INDEX_SLACK): 4 bytes a slot, so a few times the peers' own
 * count at worst, for one load per lookup. */
#define PEER_INDEX_SLOTS_PER_PEER 4
#define PEER_INDEX_SLACK 64

static int
by_id(const void *a, const void *b)
{
	fc_node_id x = ((const struct fc__peer_entry *)a)->id;
	fc_node_id y = ((const struct fc__peer_entry *)b)->id;

	return (x > y) - (x < y);
}

void
fc__peer_index_init(struct fc__peer_index *x, const fc_node_id *ids, size_t n)
{
	fc_node_id lo = UINT32_MAX, hi = 0;
	uint64_t span;

	*x = (struct fc__peer_index){ 0 };
	if (!n)
		return;
	for (size_t i = 0; i < n; i++) {
		lo = MIN(lo, ids[i]);
		hi = MAX(hi, ids[i]);
	}
	span = (uint64_t)hi - lo + 1;
	g_assert(n <= UINT32_MAX - 1);
	/* Below 2^31 slots, an id under base wraps past the table (the
	 * unsigned offset in fc__peer_index_find()). */
	if (span <= (uint64_t)n * PEER_INDEX_SLOTS_PER_PEER + PEER_INDEX_SLACK &&
	    span < (uint64_t)1 << 31) {
		x->base = lo;
		x->span = (size_t)span;
		x->slot = g_new0(uint32_t, x->span);
		for (size_t i = 0; i < n; i++) {
			g_assert(!x->slot[ids[i] - lo]); /* distinct ids */
			x->slot[ids[i] - lo] = (uint32_t)i + 1;
		}
		return;
	}
	x->n = n;
	x->sorted = g_new(struct fc__peer_entry, n);
	for (size_t i = 0; i < n; i++)
		x->sorted[i] = (struct fc__peer_entry){ ids[i], (uint32_t)i };
	qsort(x->sorted, n, sizeof *x->sorted, by_id);
	for (size_t i = 1; i < n; i++)
		g_assert(x->sorted[i - 1].id != x->sorted[i].id); /* distinct ids */
}

void
fc__peer_index_clear(struct fc__peer_index *x)
{
	g_free(x->slot);
	g_free(x->sorted);
	*x = (struct fc__peer_index){ 0 };
}

bool
fc__peer_index_sparse_find(const struct fc__peer_index *x, fc_node_id id, uint32_t *idx)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->sorted[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < x->n && x->sorted[lo].id == id) {
		*idx = x->sorted[lo].idx;
		return true;
	}
	return false;
}
