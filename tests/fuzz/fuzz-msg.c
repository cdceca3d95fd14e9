/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A fuzz target for the message decoder and the node's receive path.
 * Each input goes to fc_msg_decode() and to a fresh node's fc_node_recv(),
 * and the contract of flashcoop/core.h is checked on what comes out: the
 * decoder accepts only messages from the one cooperator, to this node,
 * of a known type; the node rejects what the decoder rejects, with the
 * same code; a rejected message changes nothing; an accepted one, sent
 * again, is a replay; every action names the cooperator, every message
 * the node sends decodes at the cooperator, every state change is in the
 * transition table.  A violation fails the program (an abort, which is
 * also what libFuzzer reports), after printing the input in hex.
 */
#include "tests/fuzz/fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "flashcoop/core.h"
#include "tests/fuzz/fuzz-msg.h"

unsigned long fuzz_msg_accepted;

/* The node's fuzz_key for the cooperator; the cooperator's for the node. */
static bool
key_for(void *user, fc_node_id from, const uint8_t **k, size_t *len)
{
	fc_node_id want = *(const fc_node_id *)user;

	if (from != want)
		return false;
	*k = fuzz_key;
	*len = sizeof fuzz_key;
	return true;
}

static uint64_t
fixed_rand(void *user)
{
	uint64_t *s = user;

	return *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
}

/* A fresh node, so that each input is judged alone. */
static struct fc_node *
node_make(uint64_t *rand_state)
{
	struct fc_peer peer = { .id = FUZZ_PEER, .address = FUZZ_PEER, .key = fuzz_key, .key_len = sizeof fuzz_key,
				.sites = &fuzz_site_b, .nsites = 1 };
	struct fc_config c;
	struct fc_host host = { fixed_rand, rand_state };
	struct fc_node *n = NULL;

	fc_config_default(&c);
	c.id = FUZZ_ME;
	c.sites = &fuzz_site_a;
	c.nsites = 1;
	c.peers = &peer;
	c.npeers = 1;
	FUZZ_CHECK(fc_node_new(&c, &host, fuzz_now, &n) == 0);
	return n;
}

/* What a rejected message must leave as it was. */
struct snapshot {
	enum fc_state state;
	bool rescuing, peer_up;
	fc_time_t expiry;
	double load;
};

static struct snapshot
snapshot_take(const struct fc_node *n)
{
	return (struct snapshot){ fc_node_state(n), fc_node_rescuing(n, FUZZ_PEER),
				  fc_node_peer_up(n, FUZZ_PEER), fc_node_expiry(n),
				  fc_node_load(n) };
}

static bool
snapshot_equal(const struct snapshot *a, const struct snapshot *b)
{
	return a->state == b->state && a->rescuing == b->rescuing &&
	       a->peer_up == b->peer_up && a->expiry == b->expiry && a->load == b->load;
}

static bool
in_transitions(enum fc_state from, enum fc_input in, enum fc_state to)
{
	size_t n;
	const struct fc_transition *t = fc_transitions(&n);

	for (size_t i = 0; i < n; i++)
		if (t[i].from == from && t[i].input == in && t[i].to == to)
			return true;
	return false;
}

/* Drains the node's actions, checking each; returns how many there were. */
static unsigned
check_actions(struct fc_node *n, enum fc_state state)
{
	struct fc_action a;
	unsigned count = 0;
	fc_node_id me = FUZZ_ME;

	while (fc_node_next_action(n, &a)) {
		struct fc_msg m;

		count++;
		switch (a.type) {
		case FC_ACT_SEND:
			FUZZ_CHECK(a.peer == FUZZ_PEER);
			FUZZ_CHECK(a.len <= FC_MSG_MAX);
			FUZZ_CHECK(fc_msg_decode(a.data, a.len, FUZZ_PEER, key_for, &me, &m) == 0);
			FUZZ_CHECK(m.from == FUZZ_ME && m.to == FUZZ_PEER);
			break;
		case FC_ACT_STATE:
			FUZZ_CHECK(a.from == state);
			FUZZ_CHECK(in_transitions(a.from, a.input, a.to));
			state = a.to;
			break;
		case FC_ACT_DNS_ADD:
		case FC_ACT_DNS_REMOVE:
			FUZZ_CHECK(a.site == fuzz_site_a.id || a.site == fuzz_site_b.id);
			break;
		case FC_ACT_PROBE:
		case FC_ACT_FETCH:
		case FC_ACT_DELETE:
		case FC_ACT_PUSH:
		case FC_ACT_PEER:
			FUZZ_CHECK(a.peer == FUZZ_PEER);
			break;
		default:
			FUZZ_CHECK(!"an action type core.h does not list");
		}
	}
	FUZZ_CHECK(state == fc_node_state(n));
	return count;
}

/*
 * Judges one message, given in a buffer of exactly size bytes, arriving at
 * `at` at a node started at fuzz_now.
 */
static void
judge(const uint8_t *copy, size_t size, fc_time_t at)
{
	uint64_t rand_state = 1;
	fc_node_id peer = FUZZ_PEER;
	struct fc_node *n;
	struct snapshot before, after;
	struct fc_msg m;
	int decoded, rc;

	fuzz_input(copy, size);

	decoded = fc_msg_decode(copy, size, FUZZ_ME, key_for, &peer, &m);
	FUZZ_CHECK(decoded <= 0);
	if (decoded == 0) {
		FUZZ_CHECK(m.from == FUZZ_PEER && m.to == FUZZ_ME);
		FUZZ_CHECK(m.type >= FC_MSG_HELP_REQUEST && m.type <= FC_MSG_ACK);
		if (m.type == FC_MSG_HEARTBEAT)
			FUZZ_CHECK(m.u.heartbeat.load >= 0 && m.u.heartbeat.load <= 4000 &&
				   m.u.heartbeat.spare >= 0 && m.u.heartbeat.spare <= 4000);
	} else {
		FUZZ_CHECK(fc_errname(decoded) != NULL);
	}

	n = node_make(&rand_state);
	check_actions(n, FC_STATE_LOW);
	before = snapshot_take(n);
	rc = fc_node_recv(n, at, copy, size);
	FUZZ_CHECK(rc <= 0 && (rc == 0 || fc_errname(rc) != NULL));
	if (decoded != 0) {
		FUZZ_CHECK(rc == decoded);
	} else {
		FUZZ_CHECK(rc == 0 || rc == FC_ERR_MSG_PAYLOAD || rc == FC_ERR_MSG_STALE ||
			   rc == FC_ERR_MSG_REPLAY);
	}
	if (rc != 0) {
		/* A rejected message changes nothing. */
		FUZZ_CHECK(check_actions(n, before.state) == 0);
		after = snapshot_take(n);
		FUZZ_CHECK(snapshot_equal(&before, &after));
	} else {
		fuzz_msg_accepted++;
		check_actions(n, before.state);
		FUZZ_CHECK(fc_node_expiry(n) >= at);
		/* The same message again is a replay, and changes nothing. */
		before = snapshot_take(n);
		FUZZ_CHECK(fc_node_recv(n, at, copy, size) == FC_ERR_MSG_REPLAY);
		FUZZ_CHECK(check_actions(n, before.state) == 0);
		after = snapshot_take(n);
		FUZZ_CHECK(snapshot_equal(&before, &after));
	}
	fc_node_free(n);
	fuzz_input(NULL, 0);
}

/*
 * Judges the input as it came, at the node's start, and again sealed with
 * the key the node shares with its cooperator, 20 s later (after the node's
 * first deadline, so that a rejected message that moved the node's clock
 * would show in its expiry): mutations rarely get past the MAC, and a
 * cooperator that holds the key yet sends anything must not break the node
 * either.
 */
int
fuzz_msg_one(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes, so that ASan sees any overread. */
	uint8_t *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	judge(copy, size, fuzz_now);
	if (size >= FC_MSG_HEADER + FC_MAC_LEN) {
		GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, fuzz_key, sizeof fuzz_key);
		gsize n = FC_MAC_LEN;

		g_hmac_update(h, copy, (gssize)(size - FC_MAC_LEN));
		g_hmac_get_digest(h, copy + size - FC_MAC_LEN, &n);
		g_hmac_unref(h);
		judge(copy, size, fuzz_now + 20 * FC_SEC);
	}
	free(copy);
	return 0;
}

#ifdef FLASHCOOP_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_msg_one(data, size);
}
#endif
