/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The core's HMAC-SHA256 from prepared keys (core/internal.h) against
 * GLib's GHmac, the straightforward computation it replaced: random keys
 * of every length around the block size, random data, keys reused and
 * interleaved (a prepared key must come back as it was after each MAC),
 * and whole messages sealed by fc_msg_encode(), byte for byte.
 */
#include <glib.h>
#include <string.h>

#include "core/internal.h"
#include "flashcoop/core.h"
#include "tests/testutil.h"

#define KEYS 8
#define ROUNDS 4000
#define MAX_KEY 150  /* bytes: past SHA-256's 64-byte block, which hashes the key first */
#define MAX_DATA 300 /* bytes: several blocks */

static void
ghmac(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
      uint8_t out[FC_MAC_LEN])
{
	g_autoptr(GHmac) h = g_hmac_new(G_CHECKSUM_SHA256, key, key_len);
	gsize n = FC_MAC_LEN;

	g_hmac_update(h, data, (gssize)len);
	g_hmac_get_digest(h, out, &n);
	g_assert_cmpuint(n, ==, FC_MAC_LEN);
}

static void
fill(GRand *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)g_rand_int_range(r, 0, 256);
}

static void
test_random(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(20240601);
	struct fc__mac_key k[KEYS];
	uint8_t key[KEYS][MAX_KEY];
	size_t key_len[KEYS];

	for (int i = 0; i < KEYS; i++) {
		/* Lengths 1 and 64, 65 too: the edges of RFC 2104's rules. */
		static const size_t edge[] = { 1, 63, 64, 65 };

		key_len[i] = i < 4 ? edge[i] : (size_t)g_rand_int_range(r, 1, MAX_KEY + 1);
		fill(r, key[i], key_len[i]);
		fc__mac_key_init(&k[i], key[i], key_len[i]);
	}
	for (int round = 0; round < ROUNDS; round++) {
		int i = g_rand_int_range(r, 0, KEYS);
		size_t len = (size_t)g_rand_int_range(r, 0, MAX_DATA + 1);
		uint8_t data[MAX_DATA], want[FC_MAC_LEN], got[FC_MAC_LEN];

		fill(r, data, len);
		ghmac(key[i], key_len[i], data, len, want);
		fc__mac(&k[i], data, len, got);
		g_assert_cmpmem(got, FC_MAC_LEN, want, FC_MAC_LEN);
	}
}

static bool
key_for(void *user, fc_node_id from, const uint8_t **key, size_t *key_len)
{
	const uint8_t *k = user;

	(void)from;
	*key = k + 1;
	*key_len = k[0];
	return true;
}

/* Whole messages: each sealed under a fresh key, MAC as GHmac gives it. */
static void
test_messages(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(7);

	for (int round = 0; round < ROUNDS; round++) {
		static const enum fc_msg_type types[] = {
			FC_MSG_HELP_REQUEST, FC_MSG_HELP_RELEASE, FC_MSG_HEARTBEAT,
			FC_MSG_PROBE, FC_MSG_ACK,
		};
		uint8_t kb[1 + MAX_KEY], buf[FC_MSG_MAX], want[FC_MAC_LEN];
		struct fc_msg m = { 0 }, back;
		size_t len;

		kb[0] = (uint8_t)g_rand_int_range(r, FC_MIN_KEY, MAX_KEY + 1);
		fill(r, kb + 1, kb[0]);
		m.type = types[g_rand_int_range(r, 0, G_N_ELEMENTS(types))];
		m.from = g_rand_int(r);
		m.to = g_rand_int(r);
		m.timestamp = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
		m.nonce = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
		m.u.help.site = g_rand_int(r);
		m.u.help.bytes = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
		if (m.type == FC_MSG_HEARTBEAT) {
			m.u.heartbeat.load = g_rand_double_range(r, 0, 2);
			m.u.heartbeat.spare = g_rand_double(r);
			m.u.heartbeat.accepting = g_rand_boolean(r);
		}
		if (m.type == FC_MSG_PROBE || m.type == FC_MSG_ACK)
			m.u.probe.token = m.nonce ^ m.timestamp;
		g_assert_cmpint(fc_msg_encode(&m, kb + 1, kb[0], buf, sizeof buf, &len), ==, 0);
		ghmac(kb + 1, kb[0], buf, len - FC_MAC_LEN, want);
		g_assert_cmpmem(buf + len - FC_MAC_LEN, FC_MAC_LEN, want, FC_MAC_LEN);
		g_assert_cmpint(fc_msg_decode(buf, len, m.to, key_for, kb, &back), ==, 0);
		/* One bit off in the MAC: refused. */
		buf[len - 1 - (size_t)g_rand_int_range(r, 0, FC_MAC_LEN)] ^=
			(uint8_t)(1u << g_rand_int_range(r, 0, 8));
		g_assert_cmpint(fc_msg_decode(buf, len, m.to, key_for, kb, &back), ==,
				FC_ERR_MSG_MAC);
	}
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/mac/ghmac/random", test_random);
	g_test_add_func("/mac/ghmac/messages", test_messages);
	return g_test_run();
}
