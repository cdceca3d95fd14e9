/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A multi-level radix bucket queue: the default pending-event set.
 *
 * Event times are integers and never earlier than the last one popped, so the
 * queue is a monotone integer priority queue, and a radix heap (Ahuja,
 * Mehlhorn, Orlin and Tarjan, J. ACM 1990) with one byte per level applies:
 *
 * - The queue keeps `last`, a lower bound of every time in it.  An entry of
 *   time t lives at level k = (index of the highest bit where t and last
 *   differ) / 8, in the bucket for digit d = byte k of t.  Level 0 therefore
 *   holds times that differ from last only in the lowest byte, one bucket per
 *   exact time.
 * - Every entry of a lower level is earlier than every entry of a higher one,
 *   and within a level the digit orders the buckets; 256-bit maps of the
 *   non-empty buckets find the earliest bucket with a few bit scans.
 * - pop() takes the front of the earliest level-0 bucket.  When level 0 is
 *   empty, it takes the earliest bucket of the lowest non-empty level, sets
 *   last to the earliest time in it, and spreads that bucket over the levels
 *   below (every entry lands strictly lower, so an entry moves at most seven
 *   times, and in practice two or three: O(1) amortised per event).  A
 *   bucket holding a single entry, common when times are sparse, is not
 *   spread: its entry is the earliest of all and is handed out directly.
 * - Raising last to m keeps every other entry where it belongs, because m
 *   shares every byte above level k with the old last.  So the bucket of a
 *   time is a function of the time and last alone: entries of equal time are
 *   always in the same bucket, where they were appended in push order and are
 *   moved in order.  Ties come out FIFO without storing a sequence number.
 *
 * Buckets are chains of fixed-size blocks, so pushes and moves are sequential
 * writes and a pop is a sequential read; blocks are recycled through a free
 * list.  Compared with a heap, an entry is touched a small constant number of
 * times, in streams, instead of log n times at scattered places, which is what
 * matters once the pending set outgrows the caches.
 *
 * pop() with a limit only ever raises last to the time of an entry it is
 * about to return, never beyond the limit, and an empty queue resets last to
 * zero; hence last never exceeds the engine's clock and any later push (at or
 * after the clock) is valid.
 */
#include "sim/evq.h"

#include <glib.h>

#define LEVELS 8
#define DIGITS 256
#define BLOCK_ENTRIES 31

struct rentry {
	fc_time_t t;
	uint64_t ref;
};

struct rblock {
	struct rblock *next;
	uint32_t begin, end;
	struct rentry e[BLOCK_ENTRIES];
};

struct rbucket {
	struct rblock *head, *tail;
};

struct radix {
	fc_time_t last;
	size_t count;
	uint32_t level_mask;
	uint64_t digit_mask[LEVELS][DIGITS / 64];
	struct rblock *free_blocks;
	struct rbucket bucket[LEVELS][DIGITS];
};

static void *
radix_create(void)
{
	return g_new0(struct radix, 1);
}

static void
free_chain(struct rblock *b)
{
	while (b) {
		struct rblock *next = b->next;

		g_free(b);
		b = next;
	}
}

static void
radix_destroy(void *q)
{
	struct radix *r = q;

	if (!r)
		return;
	for (int k = 0; k < LEVELS; k++)
		for (int d = 0; d < DIGITS; d++)
			free_chain(r->bucket[k][d].head);
	free_chain(r->free_blocks);
	g_free(r);
}

static inline struct rblock *
block_get(struct radix *r)
{
	struct rblock *b = r->free_blocks;

	if (b)
		r->free_blocks = b->next;
	else
		b = g_new(struct rblock, 1);
	b->next = NULL;
	b->begin = b->end = 0;
	return b;
}

static inline void
block_put(struct radix *r, struct rblock *b)
{
	b->next = r->free_blocks;
	r->free_blocks = b;
}

/* Level of time t relative to last (GCC/Clang builtin: one instruction). */
static inline int
level_of(fc_time_t t, fc_time_t last)
{
	uint64_t x = t ^ last;

	return x ? (63 - __builtin_clzll(x)) >> 3 : 0;
}

static inline void
bucket_append(struct radix *r, fc_time_t t, uint64_t ref)
{
	int k = level_of(t, r->last);
	unsigned d = (unsigned)(t >> (8 * k)) & (DIGITS - 1);
	struct rbucket *bk = &r->bucket[k][d];
	struct rblock *tail = bk->tail;

	if (!tail) {
		tail = bk->head = bk->tail = block_get(r);
		r->digit_mask[k][d >> 6] |= UINT64_C(1) << (d & 63);
		r->level_mask |= 1u << k;
	} else if (tail->end == BLOCK_ENTRIES) {
		tail->next = block_get(r);
		tail = bk->tail = tail->next;
	}
	tail->e[tail->end++] = (struct rentry){ t, ref };
}

static inline void
mark_empty(struct radix *r, int k, unsigned d)
{
	r->bucket[k][d].head = r->bucket[k][d].tail = NULL;
	r->digit_mask[k][d >> 6] &= ~(UINT64_C(1) << (d & 63));
	if (!(r->digit_mask[k][0] | r->digit_mask[k][1] |
	      r->digit_mask[k][2] | r->digit_mask[k][3]))
		r->level_mask &= ~(1u << k);
}

static inline unsigned
first_digit(const uint64_t mask[DIGITS / 64])
{
	for (unsigned w = 0;; w++)
		if (mask[w])
			return 64 * w + (unsigned)__builtin_ctzll(mask[w]);
}

static void
radix_push(void *q, fc_time_t t, uint64_t ref)
{
	struct radix *r = q;

	g_assert(t >= r->last);
	bucket_append(r, t, ref);
	r->count++;
}

/*
 * Spreads the earliest bucket of level k > 0 over the lower levels after
 * raising last to its earliest time, unless that time is later than limit.
 */
static bool
redistribute(struct radix *r, int k, fc_time_t limit)
{
	unsigned d = first_digit(r->digit_mask[k]);
	struct rblock *b = r->bucket[k][d].head;
	fc_time_t m = FC_TIME_NEVER;

	for (struct rblock *i = b; i; i = i->next)
		for (uint32_t j = i->begin; j < i->end; j++)
			if (i->e[j].t < m)
				m = i->e[j].t;
	if (m > limit)
		return false;
	mark_empty(r, k, d);
	r->last = m;
	while (b) {
		struct rblock *next = b->next;

		for (uint32_t j = b->begin; j < b->end; j++)
			bucket_append(r, b->e[j].t, b->e[j].ref);
		block_put(r, b);
		b = next;
	}
	return true;
}

static bool
radix_pop(void *q, fc_time_t limit, fc_time_t *t, uint64_t *ref)
{
	struct radix *r = q;

	unsigned d;
	struct rbucket *bk;
	struct rblock *b;
	struct rentry e;

	if (r->count == 0)
		return false;
	while (!(r->level_mask & 1u)) {
		int k = __builtin_ctz(r->level_mask);

		/*
		 * Sparse times leave most buckets with a single entry: that
		 * entry is the earliest of all, so hand it out directly rather
		 * than moving it to level 0 first.
		 */
		d = first_digit(r->digit_mask[k]);
		bk = &r->bucket[k][d];
		b = bk->head;
		if (b == bk->tail && b->end - b->begin == 1) {
			e = b->e[b->begin];
			if (e.t > limit)
				return false;
			r->last = e.t;
			block_put(r, b);
			mark_empty(r, k, d);
			goto out;
		}
		if (!redistribute(r, k, limit))
			return false;
	}

	d = first_digit(r->digit_mask[0]);
	bk = &r->bucket[0][d];
	b = bk->head;
	e = b->e[b->begin];

	if (e.t > limit)
		return false;
	if (++b->begin == b->end) {
		bk->head = b->next;
		block_put(r, b);
		if (!bk->head)
			mark_empty(r, 0, d);
	}
out:
	*t = e.t;
	*ref = e.ref;
	if (--r->count == 0)
		r->last = 0;
	return true;
}

static size_t
radix_size(const void *q)
{
	return ((const struct radix *)q)->count;
}

static void
radix_purge(void *q, evq_keep_fn keep, void *ctx)
{
	struct radix *r = q;

	for (int k = 0; k < LEVELS; k++) {
		for (unsigned d = 0; d < DIGITS; d++) {
			struct rbucket *bk = &r->bucket[k][d];
			struct rblock *b = bk->head, *out = b;
			uint32_t w;

			if (!b)
				continue;
			/* Compact the chain in place: write behind the read. */
			w = out->begin;
			for (; b; b = b->next) {
				for (uint32_t j = b->begin; j < b->end; j++) {
					if (!keep(ctx, b->e[j].ref)) {
						r->count--;
						continue;
					}
					if (w == BLOCK_ENTRIES) {
						out->end = w;
						out = out->next;
						w = out->begin = 0;
					}
					out->e[w++] = b->e[j];
				}
			}
			out->end = w;
			for (struct rblock *rest = out->next, *next; rest; rest = next) {
				next = rest->next;
				block_put(r, rest);
			}
			out->next = NULL;
			bk->tail = out;
			if (out == bk->head && out->begin == out->end) {
				block_put(r, out);
				mark_empty(r, k, d);
			}
		}
	}
	if (r->count == 0)
		r->last = 0;
}

const struct evq_type evq_radix = {
	.name = "radix",
	.summary = "multi-level radix bucket queue, O(1) amortised (default)",
	.create = radix_create,
	.destroy = radix_destroy,
	.push = radix_push,
	.pop = radix_pop,
	.size = radix_size,
	.purge = radix_purge,
};
