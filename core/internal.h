/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared between the core's own files; not installed. */
#ifndef FLASHCOOP_CORE_INTERNAL_H
#define FLASHCOOP_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "flashcoop/core.h"

#define FC__HIDDEN __attribute__((visibility("hidden")))

/* HMAC-SHA256 of data under key. */
FC__HIDDEN void fc__mac(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
	     uint8_t out[FC_MAC_LEN]);

/* HMAC-SHA256 of data from a keyed template (g_hmac_new'ed once per key):
 * copying it skips hashing the key pads again. */
struct _GHmac;
FC__HIDDEN void fc__mac_from(struct _GHmac *tmpl, const uint8_t *data, size_t len,
			     uint8_t out[FC_MAC_LEN]);

/* fc_msg_encode() and fc_msg_decode() with keyed templates. */
FC__HIDDEN int fc__msg_encode_with(const struct fc_msg *m, struct _GHmac *tmpl,
				   uint8_t *buf, size_t cap, size_t *len);
FC__HIDDEN int fc__msg_decode_with(const uint8_t *buf, size_t len, fc_node_id to,
				   struct _GHmac *(*tmpl_for)(void *user, fc_node_id from),
				   void *user, struct fc_msg *out);

/* Compares n bytes in time that does not depend on where they differ. */
FC__HIDDEN int fc__equal(const uint8_t *a, const uint8_t *b, size_t n);

FC__HIDDEN void fc__put32(uint8_t *p, uint32_t v);
FC__HIDDEN void fc__put64(uint8_t *p, uint64_t v);
FC__HIDDEN uint64_t fc__get64(const uint8_t *p);

#endif
