/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared between the core's own files; not installed. */
#ifndef FLASHCOOP_CORE_INTERNAL_H
#define FLASHCOOP_CORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashcoop/core.h"

#define FC__HIDDEN __attribute__((visibility("hidden")))

#include <nettle/sha2.h>

/*
 * A key made ready for HMAC-SHA256: the SHA-256 states after its inner and
 * outer pads, computed once per key, so that a MAC costs the compressions
 * of the data and of the inner digest (two, for a cooperation message),
 * with no allocation.  64 bytes, one cache line: a node holds one per
 * peer, and each message touches one.  The same bytes as RFC 2104 with
 * SHA-256 (GLib's GHmac, say) give.
 */
struct fc__mac_key {
	uint32_t inner[SHA256_DIGEST_SIZE / 4];
	uint32_t outer[SHA256_DIGEST_SIZE / 4];
};

/* Prepares k for key (any length; a key over 64 bytes is hashed first). */
FC__HIDDEN void fc__mac_key_init(struct fc__mac_key *k, const uint8_t *key, size_t key_len);

/* HMAC-SHA256 of data under k. */
FC__HIDDEN void fc__mac(const struct fc__mac_key *k, const uint8_t *data, size_t len,
			uint8_t out[FC_MAC_LEN]);

/* fc_msg_encode() and fc_msg_decode() with prepared keys. */
FC__HIDDEN int fc__msg_encode_with(const struct fc_msg *m, const struct fc__mac_key *k,
				   uint8_t *buf, size_t cap, size_t *len);
FC__HIDDEN int fc__msg_decode_with(const uint8_t *buf, size_t len, fc_node_id to,
				   const struct fc__mac_key *(*key_for)(void *user, fc_node_id from),
				   void *user, struct fc_msg *out);

/*
 * The deadlines of n slots (a node's peers), each a time or FC_TIME_NEVER,
 * so that the earliest is known without a scan of all of them
 * (core/deadlines.c).  _init() sets every slot to never; _set() moves one
 * in O(log n); _first() is the earliest in O(1); _due() gives the slots
 * whose deadline is at or before now, in increasing slot order, in
 * O(k log k) for k of them (the array is the structure's own, good until
 * the next _due() or _clear(); _set() leaves it alone).
 */
struct fc__deadlines {
	size_t n;
	fc_time_t *at;  /* by slot */
	uint32_t *heap; /* slots, a min-heap on (at, slot) */
	uint32_t *pos;  /* by slot: its place in heap */
	uint32_t *due;  /* room for _due()'s answer */
};

FC__HIDDEN void fc__deadlines_init(struct fc__deadlines *d, size_t n);
FC__HIDDEN void fc__deadlines_clear(struct fc__deadlines *d);
FC__HIDDEN void fc__deadlines_set(struct fc__deadlines *d, size_t slot, fc_time_t t);
FC__HIDDEN fc_time_t fc__deadlines_first(const struct fc__deadlines *d);
FC__HIDDEN size_t fc__deadlines_due(struct fc__deadlines *d, fc_time_t now,
				    const uint32_t **slots);

/*
 * A node's peers by id (core/peers.c): id -> the peer's index, without a
 * hash table.  When the ids fill most of their range (the simulator numbers
 * its servers 1..n, a deployment its few cooperators), a table indexed by
 * id - base gives the index in one load; otherwise the ids are kept sorted
 * and searched by bisection.  Ids must be distinct (fc_node_new() checks).
 */
struct fc__peer_entry {
	fc_node_id id;
	uint32_t idx;
};

struct fc__peer_index {
	fc_node_id base;              /* the smallest id */
	size_t span;                  /* dense: ids base..base + span - 1; else 0 */
	uint32_t *slot;               /* dense: by id - base, the index + 1, 0 none */
	size_t n;                     /* sparse: entries */
	struct fc__peer_entry *sorted; /* sparse: by id */
};

FC__HIDDEN void fc__peer_index_init(struct fc__peer_index *x, const fc_node_id *ids, size_t n);
FC__HIDDEN void fc__peer_index_clear(struct fc__peer_index *x);
FC__HIDDEN bool fc__peer_index_sparse_find(const struct fc__peer_index *x, fc_node_id id,
					   uint32_t *idx);

/* Sets *idx to the index of the peer id and returns true, or returns
 * false when no peer has that id. */
static inline bool
fc__peer_index_find(const struct fc__peer_index *x, fc_node_id id, uint32_t *idx)
{
	if (x->span) {
		/* Unsigned: an id below base wraps far past span. */
		uint64_t off = (uint64_t)(uint32_t)(id - x->base);

		if (off >= x->span || !x->slot[off])
			return false;
		*idx = x->slot[off] - 1;
		return true;
	}
	return fc__peer_index_sparse_find(x, id, idx);
}

/* Compares n bytes in time that does not depend on where they differ. */
FC__HIDDEN int fc__equal(const uint8_t *a, const uint8_t *b, size_t n);

FC__HIDDEN void fc__put32(uint8_t *p, uint32_t v);
FC__HIDDEN void fc__put64(uint8_t *p, uint64_t v);
FC__HIDDEN uint64_t fc__get64(const uint8_t *p);

#endif
