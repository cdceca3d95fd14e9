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
 *
 * LLVMFuzzerTestOneInput() is the libFuzzer entry point (build with clang
 * -fsanitize=fuzzer,address to fuzz for real).  Without libFuzzer, main()
 * runs the inputs named on the command line, or else a fixed-seed stream of
 * valid messages, mutated ones and random bytes (--runs N of them); under
 * `make SANITIZE=...` it is a short fuzzing run with ASan and UBSan
 * watching every read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "flashcoop/core.h"
#include "tests/testutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { ME = 1, PEER = 2 };

static const uint8_t key[32] = "fuzzing-key-fuzzing-key-fuzzing";
static const struct fc_site site_a = { 10, 1000 }, site_b = { 20, 1000 };
/* The time of every input, and of the node that receives it. */
static const fc_time_t now = 1000 * FC_SEC;

/* The input under test, printed when a check fails. */
static const uint8_t *input;
static size_t input_len;
/* How many inputs the node accepted: the fuzzing must reach past the MAC. */
static unsigned long accepted;

static G_NORETURN void
fuzz_fail(int line, const char *expr)
{
	GString *hex = g_string_new(NULL);

	for (size_t i = 0; i < input_len; i++)
		g_string_append_printf(hex, "%02x", input[i]);
	g_printerr("fuzz input (%zu bytes): %s\n", input_len, hex->str);
	g_string_free(hex, TRUE);
	g_assertion_message_expr(G_LOG_DOMAIN, __FILE__, line, "fuzz", expr);
}

#define FUZZ_CHECK(expr) \
	do { \
		if (!(expr)) \
			fuzz_fail(__LINE__, #expr); \
	} while (0)

/* The node's key for the cooperator; the cooperator's for the node. */
static bool
key_for(void *user, fc_node_id from, const uint8_t **k, size_t *len)
{
	fc_node_id want = *(const fc_node_id *)user;

	if (from != want)
		return false;
	*k = key;
	*len = sizeof key;
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
	struct fc_peer peer = { .id = PEER, .address = PEER, .key = key, .key_len = sizeof key,
				.sites = &site_b, .nsites = 1 };
	struct fc_config c;
	struct fc_host host = { fixed_rand, rand_state };
	struct fc_node *n = NULL;

	fc_config_default(&c);
	c.id = ME;
	c.sites = &site_a;
	c.nsites = 1;
	c.peers = &peer;
	c.npeers = 1;
	FUZZ_CHECK(fc_node_new(&c, &host, now, &n) == 0);
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
	return (struct snapshot){ fc_node_state(n), fc_node_rescuing(n, PEER),
				  fc_node_peer_up(n, PEER), fc_node_expiry(n),
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
	fc_node_id me = ME;

	while (fc_node_next_action(n, &a)) {
		struct fc_msg m;

		count++;
		switch (a.type) {
		case FC_ACT_SEND:
			FUZZ_CHECK(a.peer == PEER);
			FUZZ_CHECK(a.len <= FC_MSG_MAX);
			FUZZ_CHECK(fc_msg_decode(a.data, a.len, PEER, key_for, &me, &m) == 0);
			FUZZ_CHECK(m.from == ME && m.to == PEER);
			break;
		case FC_ACT_STATE:
			FUZZ_CHECK(a.from == state);
			FUZZ_CHECK(in_transitions(a.from, a.input, a.to));
			state = a.to;
			break;
		case FC_ACT_DNS_ADD:
		case FC_ACT_DNS_REMOVE:
			FUZZ_CHECK(a.site == site_a.id || a.site == site_b.id);
			break;
		case FC_ACT_PROBE:
		case FC_ACT_FETCH:
		case FC_ACT_DELETE:
		case FC_ACT_PUSH:
		case FC_ACT_PEER:
			FUZZ_CHECK(a.peer == PEER);
			break;
		default:
			FUZZ_CHECK(!"an action type core.h does not list");
		}
	}
	FUZZ_CHECK(state == fc_node_state(n));
	return count;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes, so that ASan sees any overread. */
	uint8_t *copy = malloc(size ? size : 1);
	uint64_t rand_state = 1;
	fc_node_id peer = PEER;
	struct fc_node *n;
	struct snapshot before, after;
	struct fc_msg m;
	int decoded, rc;

	memcpy(copy, data, size);
	input = copy;
	input_len = size;

	decoded = fc_msg_decode(copy, size, ME, key_for, &peer, &m);
	FUZZ_CHECK(decoded <= 0);
	if (decoded == 0) {
		FUZZ_CHECK(m.from == PEER && m.to == ME);
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
	rc = fc_node_recv(n, now, copy, size);
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
		accepted++;
		check_actions(n, before.state);
		FUZZ_CHECK(fc_node_expiry(n) >= now);
		/* The same message again is a replay, and changes nothing. */
		before = snapshot_take(n);
		FUZZ_CHECK(fc_node_recv(n, now, copy, size) == FC_ERR_MSG_REPLAY);
		FUZZ_CHECK(check_actions(n, before.state) == 0);
		after = snapshot_take(n);
		FUZZ_CHECK(snapshot_equal(&before, &after));
	}
	fc_node_free(n);
	input = NULL;
	free(copy);
	return 0;
}

/* A valid message from the cooperator, of a random type. */
static size_t
valid(GRand *r, uint8_t *buf)
{
	struct fc_msg m = { .from = PEER, .to = ME, .timestamp = now,
			    .nonce = g_rand_int(r) };
	size_t len = 0;

	m.type = (enum fc_msg_type)g_rand_int_range(r, FC_MSG_HELP_REQUEST, FC_MSG_ACK + 1);
	m.u.help.site = g_rand_boolean(r) ? site_b.id : g_rand_int(r);
	if (m.type == FC_MSG_HEARTBEAT) {
		m.u.heartbeat.load = g_rand_double_range(r, 0, 2);
		m.u.heartbeat.spare = g_rand_double_range(r, 0, 1);
		m.u.heartbeat.accepting = g_rand_boolean(r);
	}
	g_assert_cmpint(fc_msg_encode(&m, key, sizeof key, buf, FC_MSG_MAX, &len), ==, 0);
	return len;
}

static unsigned long runs = 200000;

/*
 * A fixed-seed stream: a quarter random bytes, the rest valid messages,
 * of which a fifth are sent as they are and the others mutated.
 */
static void
test_stream(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(20261121);

	accepted = 0;
	for (unsigned long k = 0; k < runs; k++) {
		uint8_t buf[FC_MSG_MAX * 2];
		size_t len;

		if (k % 4 == 0) {
			len = (size_t)g_rand_int_range(r, 0, (gint32)sizeof buf);
			for (size_t i = 0; i < len; i++)
				buf[i] = (uint8_t)g_rand_int(r);
		} else {
			len = valid(r, buf);
			switch (g_rand_int_range(r, 0, 5)) {
			case 0: /* as it is */
				break;
			case 1: /* flip bits */
				for (int b = g_rand_int_range(r, 1, 4); b > 0; b--)
					buf[g_rand_int_range(r, 0, (gint32)len)] ^=
						(uint8_t)(1u << g_rand_int_range(r, 0, 8));
				break;
			case 2: /* cut */
				len = (size_t)g_rand_int_range(r, 0, (gint32)len);
				break;
			case 3: /* grow */
				while (len < sizeof buf && g_rand_boolean(r))
					buf[len++] = (uint8_t)g_rand_int(r);
				break;
			default: /* a header field */
				buf[g_rand_int_range(r, 0, FC_MSG_HEADER)] = (uint8_t)g_rand_int(r);
				break;
			}
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	g_test_message("%lu inputs, %lu accepted", runs, accepted);
	/* Else only the decoder's rejections were fuzzed, not the node. */
	if (runs >= 100)
		g_assert_cmpuint(accepted, >, runs / 20);
}

static char **files;

static void
test_files(void)
{
	for (char **f = files; *f; f++) {
		g_autofree gchar *data = NULL;
		gsize len;
		g_autoptr(GError) err = NULL;

		g_file_get_contents(*f, &data, &len, &err);
		g_assert_no_error(err);
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	}
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	if (argc > 2 && strcmp(argv[1], "--runs") == 0) {
		runs = strtoul(argv[2], NULL, 10);
		argc = 1;
	}
	if (argc > 1) {
		files = argv + 1;
		g_test_add_func("/core/fuzz/msg/files", test_files);
	} else {
		g_test_add_func("/core/fuzz/msg/stream", test_stream);
	}
	return g_test_run();
}
