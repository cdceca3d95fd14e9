/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared between the core's own files; not installed. */
#ifndef FLASHCOOP_CORE_INTERNAL_H
#define FLASHCOOP_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "flashcoop/core.h"

#define FC__HIDDEN __attribute__((visibility("hidden")))

#include <nettle/hmac.h>

/*
 * A key made ready for HMAC-SHA256: the hash states after its inner and
 * outer pads, computed once per key, so that a MAC costs the two
 * compressions of the data and of the inner digest, with no allocation.
 * The same bytes as RFC 2104 with SHA-256 (GLib's GHmac, say) give.
 */
struct fc__mac_key {
	struct hmac_sha256_ctx ctx;
};

/* Prepares k for key (any length; a key over 64 bytes is hashed first). */
FC__HIDDEN void fc__mac_key_init(struct fc__mac_key *k, const uint8_t *key, size_t key_len);

/* HMAC-SHA256 of data under k.  k is written to (its running state) but
 * comes back as fc__mac_key_init() left it. */
FC__HIDDEN void fc__mac(struct fc__mac_key *k, const uint8_t *data, size_t len,
			uint8_t out[FC_MAC_LEN]);

/* fc_msg_encode() and fc_msg_decode() with prepared keys. */
FC__HIDDEN int fc__msg_encode_with(const struct fc_msg *m, struct fc__mac_key *k,
				   uint8_t *buf, size_t cap, size_t *len);
FC__HIDDEN int fc__msg_decode_with(const uint8_t *buf, size_t len, fc_node_id to,
				   struct fc__mac_key *(*key_for)(void *user, fc_node_id from),
				   void *user, struct fc_msg *out);

/* Compares n bytes in time that does not depend on where they differ. */
FC__HIDDEN int fc__equal(const uint8_t *a, const uint8_t *b, size_t n);

FC__HIDDEN void fc__put32(uint8_t *p, uint32_t v);
FC__HIDDEN void fc__put64(uint8_t *p, uint64_t v);
FC__HIDDEN uint64_t fc__get64(const uint8_t *p);

#endif
