/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libflashcoop-core as a protocol library: error table, configuration
 * checks, the wire codec and each of its rejections, every transition of
 * Fig. 4, the operating cases of Figs. 5-10 as timed inputs with the exact
 * actions expected, and randomized runs that check invariants.  Synthetic
 * time only.
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "flashcoop/core.h"
#include "tests/testutil.h"

/* ---- A small world: nodes A, B, C with sites 10, 20, 30. ---- */

#define NN 3
static const fc_node_id ids[NN] = { 1, 2, 3 };
static const char names[NN] = { 'A', 'B', 'C' };
static const struct fc_site sites[NN][1] = { { { 10, 1000000 } }, { { 20, 2000000 } },
					     { { 30, 3000000 } } };

struct world {
	struct fc_node *node[NN];
	uint8_t keys[NN][NN][32];
	struct fc_peer peers[NN][NN - 1];
	struct fc_config cfg[NN];
	GPtrArray *log;
	bool deliver;
	uint64_t rng;
	/* What the invariant checks count. */
	GHashTable *dns;     /* "node site address" -> count added - removed */
	int rescue_ends[NN][NN], deletes[NN][NN];
};

static uint64_t
rnd(void *user)
{
	struct world *w = user;
	uint64_t z = (w->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
idx(fc_node_id id)
{
	for (int i = 0; i < NN; i++)
		if (ids[i] == id)
			return i;
	return -1;
}

static char
name_of(fc_node_id id)
{
	int i = idx(id);

	return i < 0 ? '?' : names[i];
}

/* Addresses are 100 + id, so that logs can name them. */
static char
addr_name(uint32_t address)
{
	return name_of(address - 100);
}

static void
base_config(struct fc_config *c)
{
	fc_config_default(c);
	c->probe_mode = FC_PROBE_HOST;
	c->probe_interval = 1000 * FC_DAY; /* no probes unless a test asks */
	c->heartbeat_interval = 1000 * FC_DAY;
	c->smoothing = FC_SMOOTH_WINDOW;
	c->smooth_time = 1; /* the load is the last sample */
	c->flash_hold = 600 * FC_SEC;
	c->rescue_hold = 900 * FC_SEC;
}

static struct world *
world_new(void (*tweak)(struct fc_config *c, int i))
{
	struct world *w = g_new0(struct world, 1);
	struct fc_host host = { rnd, w };

	w->log = g_ptr_array_new_with_free_func(g_free);
	w->deliver = true;
	w->rng = 42;
	w->dns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (int i = 0; i < NN; i++)
		for (int j = 0; j < NN; j++)
			memset(w->keys[i][j], 0x40 + MIN(i, j) * 8 + MAX(i, j), 32);
	for (int i = 0; i < NN; i++) {
		int k = 0;

		for (int j = 0; j < NN; j++) {
			if (j == i)
				continue;
			w->peers[i][k++] = (struct fc_peer){
				.id = ids[j], .address = 100 + ids[j],
				.key = w->keys[i][j], .key_len = 32,
				.sites = sites[j], .nsites = 1,
			};
		}
		base_config(&w->cfg[i]);
		w->cfg[i].id = ids[i];
		w->cfg[i].address = 100 + ids[i];
		w->cfg[i].sites = sites[i];
		w->cfg[i].nsites = 1;
		w->cfg[i].peers = w->peers[i];
		w->cfg[i].npeers = NN - 1;
		if (tweak)
			tweak(&w->cfg[i], i);
		/* Each site's name starts with its origin's record. */
		g_hash_table_insert(w->dns, g_strdup_printf("%u %c", sites[i][0].id, names[i]),
				    GINT_TO_POINTER(1));
		g_assert_cmpint(fc_node_new(&w->cfg[i], &host, 0, &w->node[i]), ==, 0);
	}
	return w;
}

static void
world_free(struct world *w)
{
	for (int i = 0; i < NN; i++)
		fc_node_free(w->node[i]);
	g_ptr_array_unref(w->log);
	g_hash_table_unref(w->dns);
	g_free(w);
}

static const char *
msg_name(uint8_t type)
{
	switch (type) {
	case FC_MSG_HELP_REQUEST: return "HELP_REQUEST";
	case FC_MSG_HELP_RELEASE: return "HELP_RELEASE";
	case FC_MSG_HEARTBEAT: return "HEARTBEAT";
	case FC_MSG_PROBE: return "PROBE";
	case FC_MSG_ACK: return "ACK";
	}
	return "?";
}

static void
dns_count(struct world *w, int i, uint32_t site, uint32_t address, int delta)
{
	g_autofree char *k = g_strdup_printf("%u %c", site, addr_name(address));
	int v = GPOINTER_TO_INT(g_hash_table_lookup(w->dns, k)) + delta;

	(void)i;
	if (delta < 0 && v < 0)
		v = 0; /* removing a record that is not there is harmless */
	g_hash_table_insert(w->dns, g_steal_pointer(&k), GINT_TO_POINTER(v));
}

/*
 * Drains every node's actions into the log, delivering messages (when
 * w->deliver) and draining again, until all are quiet.
 */
static void
settle(struct world *w, fc_time_t now)
{
	bool busy = true;

	while (busy) {
		busy = false;
		for (int i = 0; i < NN; i++) {
			struct fc_action a;

			while (fc_node_next_action(w->node[i], &a)) {
				char who = names[i];
				char *line = NULL;

				busy = true;
				switch (a.type) {
				case FC_ACT_SEND:
					line = g_strdup_printf("%c send %s to %c", who,
							       msg_name(a.data[1]),
							       name_of(a.peer));
					if (w->deliver) {
						int j = idx(a.peer);
						uint8_t copy[FC_MSG_MAX];
						size_t len = a.len;

						memcpy(copy, a.data, len);
						g_assert_cmpint(fc_node_recv(w->node[j], now,
									    copy, len),
								==, 0);
					}
					break;
				case FC_ACT_PROBE:
					line = g_strdup_printf("%c probe %c", who, name_of(a.peer));
					break;
				case FC_ACT_DNS_ADD:
					line = g_strdup_printf("%c dns add %u %c", who, a.site,
							       addr_name(a.address));
					dns_count(w, i, a.site, a.address, 1);
					break;
				case FC_ACT_DNS_REMOVE:
					line = g_strdup_printf("%c dns remove %u %c", who, a.site,
							       addr_name(a.address));
					dns_count(w, i, a.site, a.address, -1);
					break;
				case FC_ACT_FETCH:
					if (a.object == FC_WHOLE_SITE)
						line = g_strdup_printf("%c fetch %u all from %c",
								       who, a.site, name_of(a.peer));
					else
						line = g_strdup_printf("%c fetch %u/%" G_GUINT64_FORMAT
								       " from %c", who, a.site,
								       a.object, name_of(a.peer));
					break;
				case FC_ACT_DELETE:
					line = g_strdup_printf("%c delete %u", who, a.site);
					w->deletes[i][idx(a.peer)]++;
					break;
				case FC_ACT_PUSH:
					line = g_strdup_printf("%c push %u to %c", who, a.site,
							       name_of(a.peer));
					break;
				case FC_ACT_STATE:
					line = g_strdup_printf("%c %s -> %s%s%c", who,
							       fc_state_name(a.from),
							       fc_state_name(a.to),
							       a.peer ? " for " : "",
							       a.peer ? name_of(a.peer) : ' ');
					g_strchomp(line);
					if (a.input == FC_IN_RESCUE_END ||
					    a.input == FC_IN_LAST_RESCUE_END)
						w->rescue_ends[i][idx(a.peer)]++;
					break;
				case FC_ACT_PEER:
					line = g_strdup_printf("%c peer %c %s", who, name_of(a.peer),
							       a.up ? "up" : "down");
					break;
				}
				g_ptr_array_add(w->log, line);
			}
		}
	}
}

/* Checks the log since mark against expected (NULL-terminated). */
static void
expect(struct world *w, guint *mark, const char *const *expected)
{
	guint n = 0;

	for (; expected[n]; n++) {
		if (*mark + n >= w->log->len)
			g_error("missing action %u: '%s'", n, expected[n]);
		if (strcmp(w->log->pdata[*mark + n], expected[n]) != 0)
			g_error("action %u: '%s', expected '%s'", n,
				(char *)w->log->pdata[*mark + n], expected[n]);
	}
	if (*mark + n != w->log->len)
		g_error("unexpected action '%s'", (char *)w->log->pdata[*mark + n]);
	*mark = w->log->len;
}

static void
load(struct world *w, int i, fc_time_t now, double v)
{
	struct fc_load l = { v * 100, 100 };

	g_assert_cmpint(fc_node_report_load(w->node[i], now, &l, 1), ==, 0);
	settle(w, now);
}

static struct fc_route
route_token(struct world *w, int i, fc_time_t now, uint32_t site, uint64_t object,
	    const uint8_t *token)
{
	struct fc_request req = { site, object, token, token ? FC_TOKEN_LEN : 0 };
	struct fc_route r;

	g_assert_cmpint(fc_node_route(w->node[i], now, &req, &r), ==, 0);
	settle(w, now);
	return r;
}

static struct fc_route
route(struct world *w, int i, fc_time_t now, uint32_t site, uint64_t object)
{
	return route_token(w, i, now, site, object, NULL);
}

/*
 * The redirect token that `origin` would give a client it sends to
 * `helper`, written here from the format in core.h rather than taken from
 * the library, so that the format is pinned.
 */
static void
mint(struct world *w, int origin, int helper, uint32_t site, fc_time_t issued,
     uint8_t token[FC_TOKEN_LEN])
{
	uint8_t data[24], mac[32];
	gsize n = sizeof mac;
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, w->keys[origin][helper], 32);

	memcpy(data, "FCRT", 4);
	for (int k = 0; k < 4; k++) {
		data[4 + k] = (uint8_t)(ids[origin] >> (24 - 8 * k));
		data[8 + k] = (uint8_t)(ids[helper] >> (24 - 8 * k));
		data[12 + k] = (uint8_t)(site >> (24 - 8 * k));
	}
	for (int k = 0; k < 8; k++)
		data[16 + k] = token[k] = (uint8_t)(issued >> (56 - 8 * k));
	g_hmac_update(h, data, sizeof data);
	g_hmac_get_digest(h, mac, &n);
	g_hmac_unref(h);
	memcpy(token + 8, mac, FC_TOKEN_LEN - 8);
}

/* A client that `origin` redirected to `helper` asks it for object. */
static struct fc_route
redirected(struct world *w, int origin, int helper, fc_time_t now, uint64_t object)
{
	uint8_t token[FC_TOKEN_LEN];

	mint(w, origin, helper, sites[origin][0].id, now, token);
	return route_token(w, helper, now, sites[origin][0].id, object, token);
}

/* The host's fetch of object (FC_WHOLE_SITE: the site) has ended. */
static void
fetched(struct world *w, int i, fc_time_t now, uint32_t site, uint64_t object, bool ok)
{
	g_assert_cmpint(fc_node_fetch_done(w->node[i], now, site, object, ok), ==, 0);
	settle(w, now);
}

static void
expire(struct world *w, fc_time_t now)
{
	for (int i = 0; i < NN; i++) {
		if (fc_node_expiry(w->node[i]) <= now)
			g_assert_cmpint(fc_node_handle_expiry(w->node[i], now), ==, 0);
	}
	settle(w, now);
}

/* ---- Errors and configuration ---- */

static void
test_errors(void)
{
	static const int codes[] = {
#define CODE(name, value, msg) value,
		FC_ERRNO_MAP(CODE)
#undef CODE
	};
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (size_t i = 0; i < G_N_ELEMENTS(codes); i++) {
		g_assert_cmpint(codes[i], <, 0);
		g_assert_nonnull(fc_errname(codes[i]));
		g_assert_true(g_str_has_prefix(fc_errname(codes[i]), "FC_ERR_"));
		g_assert_cmpstr(fc_strerror(codes[i]), !=, "unknown error");
		g_assert_false(g_hash_table_contains(seen, fc_strerror(codes[i])));
		g_hash_table_add(seen, (gpointer)fc_strerror(codes[i]));
	}
	g_assert_cmpstr(fc_errname(FC_ERR_MSG_MAC), ==, "FC_ERR_MSG_MAC");
	g_assert_cmpstr(fc_strerror(0), ==, "success");
	g_assert_cmpstr(fc_strerror(-9999), ==, "unknown error");
	g_assert_null(fc_errname(-9999));
}

static void
test_config(void)
{
	struct world *w = world_new(NULL);
	struct fc_config c = w->cfg[0];
	struct fc_peer peers[2];
	uint8_t shortkey[8] = { 0 };

	g_assert_cmpint(fc_config_check(&c), ==, 0);
#define BAD(field, value, code)                                  \
	do {                                                     \
		struct fc_config d = c;                          \
		d.field = value;                                 \
		g_assert_cmpint(fc_config_check(&d), ==, code);  \
	} while (0)
	BAD(nsites, 0, FC_ERR_CONFIG_NO_SITE);
	BAD(npeers, FC_MAX_PEERS + 1, FC_ERR_CONFIG_PEERS);
	BAD(flash_threshold, 0, FC_ERR_CONFIG_THRESHOLD);
	BAD(low_water, 0.9, FC_ERR_CONFIG_THRESHOLD);
	BAD(redirect_share, 1.5, FC_ERR_CONFIG_SHARE);
	BAD(probe_jitter, -0.1, FC_ERR_CONFIG_SHARE);
	BAD(flash_hold, 0, FC_ERR_CONFIG_TIMER);
	BAD(replay_window, 0, FC_ERR_CONFIG_TIMER);
	BAD(probe_misses, 0, FC_ERR_CONFIG_PROBE);
	BAD(target, (enum fc_target)7, FC_ERR_CONFIG_POLICY);
	BAD(id, ids[1], FC_ERR_CONFIG_PEER_ID);
#undef BAD
	memcpy(peers, c.peers, sizeof peers);
	c.peers = peers;
	peers[1].id = peers[0].id;
	g_assert_cmpint(fc_config_check(&c), ==, FC_ERR_CONFIG_PEER_ID);
	memcpy(peers, w->cfg[0].peers, sizeof peers);
	peers[0].key = shortkey;
	peers[0].key_len = sizeof shortkey;
	g_assert_cmpint(fc_config_check(&c), ==, FC_ERR_CONFIG_KEY);
	memcpy(peers, w->cfg[0].peers, sizeof peers);
	peers[0].sites = sites[0]; /* the node's own site */
	g_assert_cmpint(fc_config_check(&c), ==, FC_ERR_CONFIG_SITE_ID);
	g_assert_cmpint(fc_config_check(NULL), ==, FC_ERR_INVAL);
	{
		struct fc_node *n = NULL;
		struct fc_host nohost = { NULL, NULL };

		g_assert_cmpint(fc_node_new(&w->cfg[0], &nohost, 0, &n), ==, FC_ERR_INVAL);
		g_assert_null(n);
	}
	world_free(w);
}

/* ---- The codec ---- */

static const uint8_t key_ab[32] = "0123456789abcdef0123456789abcdef";

static bool
key_lookup(void *user, fc_node_id from, const uint8_t **key, size_t *len)
{
	(void)user;
	if (from != 1)
		return false;
	*key = key_ab;
	*len = sizeof key_ab;
	return true;
}

static size_t
encode(const struct fc_msg *m, uint8_t *buf)
{
	size_t len = 0;

	g_assert_cmpint(fc_msg_encode(m, key_ab, sizeof key_ab, buf, FC_MSG_MAX, &len), ==, 0);
	return len;
}

/* Recomputes the MAC of a message edited in place (with its length). */
static void
reseal(uint8_t *buf, size_t len)
{
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, key_ab, sizeof key_ab);
	gsize n = FC_MAC_LEN;

	g_hmac_update(h, buf, (gssize)(len - FC_MAC_LEN));
	g_hmac_get_digest(h, buf + len - FC_MAC_LEN, &n);
	g_hmac_unref(h);
}

static int
decode(const uint8_t *buf, size_t len, struct fc_msg *out)
{
	return fc_msg_decode(buf, len, 2, key_lookup, NULL, out);
}

static void
test_codec_roundtrip(void)
{
	struct fc_msg in[5] = {
		{ .type = FC_MSG_HELP_REQUEST, .u.help = { 10, 123456789 } },
		{ .type = FC_MSG_HELP_RELEASE, .u.help = { 4000000000u, 0 } },
		{ .type = FC_MSG_HEARTBEAT, .u.heartbeat = { 0.731, 0.269, true } },
		{ .type = FC_MSG_PROBE, .u.probe = { 0xfedcba9876543210ULL } },
		{ .type = FC_MSG_ACK, .u.probe = { 1 } },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(in); i++) {
		uint8_t buf[FC_MSG_MAX];
		struct fc_msg out;
		size_t len;

		in[i].from = 1;
		in[i].to = 2;
		in[i].timestamp = 1234567890123ULL + i;
		in[i].nonce = 0x1122334455667788ULL * (i + 1);
		len = encode(&in[i], buf);
		g_assert_cmpuint(len, <=, FC_MSG_MAX);
		g_assert_cmpint(decode(buf, len, &out), ==, 0);
		g_assert_cmpint(out.type, ==, in[i].type);
		g_assert_cmpuint(out.from, ==, 1);
		g_assert_cmpuint(out.to, ==, 2);
		g_assert_cmpuint(out.timestamp, ==, in[i].timestamp);
		g_assert_cmpuint(out.nonce, ==, in[i].nonce);
		if (in[i].type == FC_MSG_HEARTBEAT) {
			g_assert_cmpfloat_with_epsilon(out.u.heartbeat.load, 0.731, 1e-6);
			g_assert_cmpfloat_with_epsilon(out.u.heartbeat.spare, 0.269, 1e-6);
			g_assert_true(out.u.heartbeat.accepting);
		} else if (in[i].type == FC_MSG_PROBE || in[i].type == FC_MSG_ACK) {
			g_assert_cmpuint(out.u.probe.token, ==, in[i].u.probe.token);
		} else {
			g_assert_cmpuint(out.u.help.site, ==, in[i].u.help.site);
			g_assert_cmpuint(out.u.help.bytes, ==, in[i].u.help.bytes);
		}
	}
	{
		uint8_t small[40];
		size_t len;

		g_assert_cmpint(fc_msg_encode(&in[0], key_ab, sizeof key_ab, small,
					      sizeof small, &len), ==, FC_ERR_BUFFER);
	}
}

static void
test_codec_rejections(void)
{
	struct fc_msg m = { .type = FC_MSG_HELP_REQUEST, .from = 1, .to = 2,
			    .timestamp = 5, .nonce = 9, .u.help = { 10, 100 } };
	uint8_t buf[FC_MSG_MAX + 16], bad[FC_MSG_MAX + 16];
	struct fc_msg out;
	size_t len = encode(&m, buf);

	/* Every prefix is truncated; nothing reads beyond it (ASan watches). */
	for (size_t l = 0; l < len; l++) {
		uint8_t *copy = g_memdup2(buf, MAX(l, 1));

		g_assert_cmpint(decode(copy, l, &out), ==, FC_ERR_MSG_TRUNCATED);
		g_free(copy);
	}
	memcpy(bad, buf, len);
	bad[len] = 0;
	g_assert_cmpint(decode(bad, len + 1, &out), ==, FC_ERR_MSG_OVERSIZED);
	memcpy(bad, buf, len);
	bad[2] = 0x7f; /* a payload length beyond the limit */
	g_assert_cmpint(decode(bad, len, &out), ==, FC_ERR_MSG_OVERSIZED);
	memcpy(bad, buf, len);
	bad[0] = 2;
	g_assert_cmpint(decode(bad, len, &out), ==, FC_ERR_MSG_VERSION);
	g_assert_cmpint(fc_msg_decode(buf, len, 3, key_lookup, NULL, &out), ==,
			FC_ERR_MSG_RECEIVER);
	memcpy(bad, buf, len);
	bad[7] = 9; /* sender 9: no key */
	g_assert_cmpint(decode(bad, len, &out), ==, FC_ERR_MSG_SENDER);
	memcpy(bad, buf, len);
	bad[FC_MSG_HEADER + 3] ^= 1; /* another site, same MAC */
	g_assert_cmpint(decode(bad, len, &out), ==, FC_ERR_MSG_MAC);
	memcpy(bad, buf, len);
	bad[len - 1] ^= 0x80;
	g_assert_cmpint(decode(bad, len, &out), ==, FC_ERR_MSG_MAC);
	memcpy(bad, buf, len);
	bad[1] = 77;
	reseal(bad, len);
	g_assert_cmpint(decode(bad, len, &out), ==, FC_ERR_MSG_TYPE);
	memcpy(bad, buf, len);
	bad[1] = FC_MSG_PROBE; /* 12 payload bytes where a probe has 8 */
	reseal(bad, len);
	g_assert_cmpint(decode(bad, len, &out), ==, FC_ERR_MSG_PAYLOAD);
	{
		struct fc_msg hb = { .type = FC_MSG_HEARTBEAT, .from = 1, .to = 2 };
		size_t l = encode(&hb, bad);

		bad[FC_MSG_HEADER + 8] = 2; /* unknown flag */
		reseal(bad, l);
		g_assert_cmpint(decode(bad, l, &out), ==, FC_ERR_MSG_PAYLOAD);
	}
	/* A key of the right length but the wrong bytes. */
	{
		uint8_t other[32];
		size_t l;

		memset(other, 7, sizeof other);
		g_assert_cmpint(fc_msg_encode(&m, other, sizeof other, bad, FC_MSG_MAX, &l),
				==, 0);
		g_assert_cmpint(decode(bad, l, &out), ==, FC_ERR_MSG_MAC);
	}
}

/* Stale and replayed messages are the node's to refuse. */
static void
test_node_rejections(void)
{
	struct world *w = world_new(NULL);
	struct fc_msg m = { .type = FC_MSG_HELP_REQUEST, .from = ids[1], .to = ids[0],
			    .u.help = { 20, 1 } };
	uint8_t buf[FC_MSG_MAX];
	size_t len;
	fc_time_t now = 1000 * FC_SEC;

	m.timestamp = now - 31 * FC_SEC; /* the window is 30 s */
	m.nonce = 1;
	g_assert_cmpint(fc_msg_encode(&m, w->keys[0][1], 32, buf, sizeof buf, &len), ==, 0);
	g_assert_cmpint(fc_node_recv(w->node[0], now, buf, len), ==, FC_ERR_MSG_STALE);
	m.timestamp = now + 31 * FC_SEC;
	g_assert_cmpint(fc_msg_encode(&m, w->keys[0][1], 32, buf, sizeof buf, &len), ==, 0);
	g_assert_cmpint(fc_node_recv(w->node[0], now, buf, len), ==, FC_ERR_MSG_STALE);
	g_assert_cmpint(fc_node_state(w->node[0]), ==, FC_STATE_LOW);

	m.timestamp = now - 5 * FC_SEC;
	g_assert_cmpint(fc_msg_encode(&m, w->keys[0][1], 32, buf, sizeof buf, &len), ==, 0);
	g_assert_cmpint(fc_node_recv(w->node[0], now, buf, len), ==, 0);
	g_assert_true(fc_node_rescuing(w->node[0], ids[1]));
	g_assert_cmpint(fc_node_recv(w->node[0], now + FC_SEC, buf, len), ==,
			FC_ERR_MSG_REPLAY);
	/* A help request for a site the sender does not have. */
	m.u.help.site = 30;
	m.nonce = 2;
	g_assert_cmpint(fc_msg_encode(&m, w->keys[0][1], 32, buf, sizeof buf, &len), ==, 0);
	g_assert_cmpint(fc_node_recv(w->node[0], now, buf, len), ==, FC_ERR_MSG_PAYLOAD);
	/* The key B shares with C does not work for A. */
	m.u.help.site = 20;
	m.nonce = 3;
	g_assert_cmpint(fc_msg_encode(&m, w->keys[1][2], 32, buf, sizeof buf, &len), ==, 0);
	g_assert_cmpint(fc_node_recv(w->node[0], now, buf, len), ==, FC_ERR_MSG_MAC);
	/* After more messages than the node remembers (64) the first is
	 * forgotten, yet still refused. */
	for (int i = 0; i < 300; i++) {
		struct fc_msg hb = { .type = FC_MSG_HEARTBEAT, .from = ids[1], .to = ids[0],
				     .timestamp = now - 4 * FC_SEC + (fc_time_t)i,
				     .nonce = 1000 + (uint64_t)i };

		g_assert_cmpint(fc_msg_encode(&hb, w->keys[0][1], 32, buf, sizeof buf,
					      &len), ==, 0);
		g_assert_cmpint(fc_node_recv(w->node[0], now, buf, len), ==, 0);
	}
	m.u.help.site = 20;
	m.nonce = 1;
	m.timestamp = now - 5 * FC_SEC;
	g_assert_cmpint(fc_msg_encode(&m, w->keys[0][1], 32, buf, sizeof buf, &len), ==, 0);
	g_assert_cmpint(fc_node_recv(w->node[0], now, buf, len), ==, FC_ERR_MSG_REPLAY);
	world_free(w);
}

/* ---- Fig. 4: every transition of the table ---- */

static void
send_release(struct world *w, int to, int from, fc_time_t now)
{
	struct fc_msg m = { .type = FC_MSG_HELP_RELEASE, .from = ids[from], .to = ids[to],
			    .timestamp = now, .nonce = rnd(w) };
	uint8_t buf[FC_MSG_MAX];
	size_t len;

	m.u.help.site = sites[from][0].id;
	g_assert_cmpint(fc_msg_encode(&m, w->keys[to][from], 32, buf, sizeof buf, &len),
			==, 0);
	g_assert_cmpint(fc_node_recv(w->node[to], now, buf, len), ==, 0);
	settle(w, now);
}

static void
test_transitions(void)
{
	size_t count;
	const struct fc_transition *t = fc_transitions(&count);
	bool covered[4][FC_IN_COUNT] = { { false } };

	for (size_t i = 0; i < count; i++) {
		struct world *w = world_new(NULL);
		fc_time_t now = FC_SEC;
		bool flash = t[i].from == FC_STATE_FLASH || t[i].from == FC_STATE_FLASH_RESCUE;
		bool resc = t[i].from == FC_STATE_RESCUE || t[i].from == FC_STATE_FLASH_RESCUE;

		w->deliver = false; /* A alone */
		if (flash)
			load(w, 0, now, 0.95);
		if (resc) {
			redirected(w, 1, 0, now, 1);
			if (t[i].input == FC_IN_RESCUE_END)
				redirected(w, 2, 0, now, 1);
		}
		g_assert_cmpint(fc_node_state(w->node[0]), ==, t[i].from);
		switch (t[i].input) {
		case FC_IN_LOAD_HIGH:
			load(w, 0, now + FC_SEC, 0.95);
			break;
		case FC_IN_FLASH_OVER:
			now += w->cfg[0].flash_hold;
			g_assert_cmpuint(fc_node_expiry(w->node[0]), ==, now);
			expire(w, now);
			break;
		case FC_IN_RESCUE_START:
			redirected(w, resc ? 2 : 1, 0, now, 1);
			break;
		case FC_IN_RESCUE_END:
		case FC_IN_LAST_RESCUE_END:
			send_release(w, 0, 1, now + FC_SEC);
			break;
		case FC_IN_COUNT:
			g_assert_not_reached();
		}
		if (fc_node_state(w->node[0]) != t[i].to)
			g_error("%s on '%s' gave %s, the table says %s",
				fc_state_name(t[i].from), fc_input_name(t[i].input),
				fc_state_name(fc_node_state(w->node[0])),
				fc_state_name(t[i].to));
		covered[t[i].from][t[i].input] = true;
		world_free(w);
	}
	/* The table covers what Fig. 4 draws. */
	g_assert_true(covered[FC_STATE_LOW][FC_IN_LOAD_HIGH]);
	g_assert_true(covered[FC_STATE_LOW][FC_IN_RESCUE_START]);
	g_assert_true(covered[FC_STATE_FLASH][FC_IN_FLASH_OVER]);
	g_assert_true(covered[FC_STATE_FLASH][FC_IN_RESCUE_START]);
	g_assert_true(covered[FC_STATE_RESCUE][FC_IN_LOAD_HIGH]);
	g_assert_true(covered[FC_STATE_RESCUE][FC_IN_LAST_RESCUE_END]);
	g_assert_true(covered[FC_STATE_FLASH_RESCUE][FC_IN_FLASH_OVER]);
	g_assert_true(covered[FC_STATE_FLASH_RESCUE][FC_IN_LAST_RESCUE_END]);
}

/* ---- Figs. 5-10 ---- */

/* Figs. 5 and 6: low load; the origin serves (a .torrent is a request too). */
static void
test_fig5_fig6_low(void)
{
	struct world *w = world_new(NULL);
	guint mark = 0;
	static const char *const none[] = { NULL };

	load(w, 0, FC_SEC, 0.3);
	for (uint64_t obj = 0; obj < 5; obj++)
		g_assert_cmpint(route(w, 0, 2 * FC_SEC, 10, obj).kind, ==, FC_ROUTE_SERVE);
	expect(w, &mark, none);
	g_assert_cmpint(fc_node_state(w->node[0]), ==, FC_STATE_LOW);
	world_free(w);
}

static void
tweak_dns_on_rescue(struct fc_config *c, int i)
{
	(void)i;
	c->dns_when = FC_DNS_ON_RESCUE;
}

/*
 * Fig. 7: flash crowd, origin alive: help requests, redirects, rescue.
 * The paper's order: a cooperator adds its record (step 8) once it has
 * fetched (step 6) and can serve (step 7); with dns_when = rescue, as
 * soon as it is asked.
 */
static void
fig7_flash_alive(enum fc_dns_when when)
{
	struct world *w = world_new(when == FC_DNS_ON_RESCUE ? tweak_dns_on_rescue : NULL);
	guint mark = 0;
	struct fc_route r;
	uint8_t token[FC_TOKEN_LEN];
	static const char *const enter_data[] = {
		"A LOW -> FLASH",
		"A send HELP_REQUEST to B", "A send HELP_REQUEST to C",
		"B LOW -> RESCUE for A", "C LOW -> RESCUE for A", NULL,
	};
	static const char *const enter_rescue[] = {
		"A LOW -> FLASH",
		"A send HELP_REQUEST to B", "A send HELP_REQUEST to C",
		"B LOW -> RESCUE for A", "B dns add 10 B",
		"C LOW -> RESCUE for A", "C dns add 10 C", NULL,
	};
	static const char *const fetch[] = {
		"B RESCUE -> RESCUE for A", "B fetch 10/7 from A", NULL,
	};
	static const char *const again[] = { "B RESCUE -> RESCUE for A", NULL };
	static const char *const listed[] = { "B dns add 10 B", NULL };
	static const char *const none[] = { NULL };

	load(w, 0, 10 * FC_SEC, 0.95);
	expect(w, &mark, when == FC_DNS_ON_RESCUE ? enter_rescue : enter_data);
	/* Half the requests (the paper's fixed share), in turn to B and C. */
	g_assert_cmpint(route(w, 0, 11 * FC_SEC, 10, 7).kind, ==, FC_ROUTE_SERVE);
	r = route(w, 0, 11 * FC_SEC, 10, 7);
	g_assert_cmpint(r.kind, ==, FC_ROUTE_REDIRECT);
	g_assert_cmpuint(r.peer, ==, ids[1]);
	g_assert_cmpuint(r.address, ==, 102);
	{
		uint8_t want[FC_TOKEN_LEN];

		mint(w, 0, 1, 10, 11 * FC_SEC, want);
		g_assert_cmpmem(r.token, FC_TOKEN_LEN, want, FC_TOKEN_LEN);
		memcpy(token, r.token, FC_TOKEN_LEN);
	}
	g_assert_cmpint(route(w, 0, 11 * FC_SEC, 10, 8).kind, ==, FC_ROUTE_SERVE);
	r = route(w, 0, 11 * FC_SEC, 10, 8);
	g_assert_cmpuint(r.peer, ==, ids[2]);
	/* Steps 4-7: the redirected client asks B, which fetches and serves. */
	r = route_token(w, 1, 12 * FC_SEC, 10, 7, token);
	g_assert_cmpint(r.kind, ==, FC_ROUTE_RESCUE);
	g_assert_cmpuint(r.peer, ==, ids[0]);
	expect(w, &mark, fetch);
	route_token(w, 1, 13 * FC_SEC, 10, 7, token); /* asked for already */
	expect(w, &mark, again);
	/* A failed fetch changes nothing; the first that ends well is step 7,
	 * and step 8 follows; later ones add nothing. */
	fetched(w, 1, 14 * FC_SEC, 10, 7, false);
	expect(w, &mark, none);
	fetched(w, 1, 15 * FC_SEC, 10, 7, true);
	expect(w, &mark, when == FC_DNS_ON_RESCUE ? none : listed);
	fetched(w, 1, 16 * FC_SEC, 10, 8, true);
	expect(w, &mark, none);
	g_assert_cmpint(fc_node_fetch_done(w->node[1], 16 * FC_SEC, 20, 1, true), ==,
			FC_ERR_UNKNOWN_SITE);
	g_assert_cmpint(fc_node_state(w->node[0]), ==, FC_STATE_FLASH);
	g_assert_cmpint(fc_node_state(w->node[1]), ==, FC_STATE_RESCUE);
	world_free(w);
}

static void
test_fig7_flash_alive(void)
{
	fig7_flash_alive(FC_DNS_ON_DATA);
}

static void
test_fig7_dns_on_rescue(void)
{
	fig7_flash_alive(FC_DNS_ON_RESCUE);
}

/*
 * Fig. 8: the origin went down; a cooperator's probes find it (step 1) and
 * it takes over the whole site: fetches it (steps 2-3), adds its record
 * (step 4) and, with takeover_dns, removes the dead origin's, which it puts
 * back when the origin answers again.
 */
static void
fig8_origin_down(bool takeover_dns)
{
	struct world *w = world_new(NULL);
	guint mark = 0;
	fc_time_t now = 0;
	static const char *const probe[] = { "B probe A", "B probe C", NULL };
	static const char *const down[] = {
		"B peer A down", "B LOW -> RESCUE for A", "B fetch 10 all from A", NULL,
	};
	static const char *const takeover[] = { "B dns add 10 B", "B dns remove 10 A", NULL };
	static const char *const add_only[] = { "B dns add 10 B", NULL };
	static const char *const none[] = { NULL };

	fc_node_free(w->node[1]);
	w->cfg[1].probe_interval = 10 * FC_SEC;
	w->cfg[1].probe_jitter = 0;
	w->cfg[1].takeover_dns = takeover_dns;
	g_assert_cmpint(fc_node_new(&w->cfg[1], &(struct fc_host){ rnd, w }, 0,
				    &w->node[1]), ==, 0);
	for (int miss = 0; miss < 3; miss++) {
		now = fc_node_expiry(w->node[1]);
		g_assert_cmpint(fc_node_handle_expiry(w->node[1], now), ==, 0);
		settle(w, now);
		expect(w, &mark, probe);
		g_assert_cmpint(fc_node_probe_result(w->node[1], now + FC_SEC, ids[0], false),
				==, 0);
		g_assert_cmpint(fc_node_probe_result(w->node[1], now + FC_SEC, ids[2], true),
				==, 0);
		settle(w, now);
		if (miss < 2) {
			expect(w, &mark, none);
			g_assert_true(fc_node_peer_up(w->node[1], ids[0]));
		}
	}
	expect(w, &mark, down);
	g_assert_false(fc_node_peer_up(w->node[1], ids[0]));
	/* Clients sent to B are served as A's rescue; no more fetches. */
	g_assert_cmpint(route(w, 1, now + 2 * FC_SEC, 10, 3).kind, ==, FC_ROUTE_RESCUE);
	expect(w, &mark, none);
	/* One object is not the whole site: B is not yet in the name. */
	fetched(w, 1, now + 3 * FC_SEC, 10, 3, true);
	expect(w, &mark, none);
	fetched(w, 1, now + 4 * FC_SEC, 10, FC_WHOLE_SITE, true);
	expect(w, &mark, takeover_dns ? takeover : add_only);
	/* A answers again: up, and the rescue runs its course. */
	now = fc_node_expiry(w->node[1]);
	g_assert_cmpint(fc_node_handle_expiry(w->node[1], now), ==, 0);
	g_assert_cmpint(fc_node_probe_result(w->node[1], now, ids[0], true), ==, 0);
	g_assert_cmpint(fc_node_probe_result(w->node[1], now, ids[2], true), ==, 0);
	settle(w, now);
	{
		static const char *const up[] = { "B probe A", "B probe C", "B peer A up",
						  "B dns add 10 A", NULL };
		static const char *const up_only[] = { "B probe A", "B probe C", "B peer A up",
						       NULL };

		expect(w, &mark, takeover_dns ? up : up_only);
	}
	g_assert_true(fc_node_rescuing(w->node[1], ids[0]));
	world_free(w);
}

static void
test_fig8_origin_down(void)
{
	fig8_origin_down(true);
}

static void
test_fig8_keep_record(void)
{
	fig8_origin_down(false);
}

/*
 * A takeover's rescue that ends while the origin is still down puts the
 * origin's record back before it takes its own away: the name is never
 * left without a record.
 */
static void
test_fig8_rescue_ends_down(void)
{
	struct world *w = world_new(NULL);
	guint mark;
	fc_time_t now;
	static const char *const end[] = {
		"B dns add 10 A", "B dns remove 10 B", "B delete 10",
		"B RESCUE -> LOW for A", NULL,
	};

	w->deliver = false;
	for (int miss = 0; miss < 3; miss++)
		g_assert_cmpint(fc_node_probe_result(w->node[1], FC_SEC, ids[0], false), ==, 0);
	settle(w, FC_SEC);
	fetched(w, 1, 2 * FC_SEC, 10, FC_WHOLE_SITE, true);
	g_assert_cmpint(GPOINTER_TO_INT(g_hash_table_lookup(w->dns, "10 A")), ==, 0);
	mark = w->log->len;
	now = 1 * FC_SEC + w->cfg[1].rescue_hold;
	/* The node's own probes (interval 1000 days) do not come first. */
	g_assert_cmpuint(fc_node_expiry(w->node[1]), ==, now);
	g_assert_cmpint(fc_node_handle_expiry(w->node[1], now), ==, 0);
	settle(w, now);
	expect(w, &mark, end);
	g_assert_false(fc_node_peer_up(w->node[1], ids[0]));
	g_assert_cmpint(GPOINTER_TO_INT(g_hash_table_lookup(w->dns, "10 A")), ==, 1);
	g_assert_cmpint(GPOINTER_TO_INT(g_hash_table_lookup(w->dns, "10 B")), ==, 0);
	world_free(w);
}

/*
 * Fig. 9: under a flash crowd a BitTorrent client takes the .torrent and
 * the peers from the tracker, not from the servers; when it does ask a
 * server for the .torrent, that is an ordinary request: the origin serves
 * or redirects it like any other, and a rescuer that DNS sent it to serves
 * it, starting nothing.
 */
static void
test_fig9_bittorrent(void)
{
	struct world *w = world_new(NULL);
	guint mark;
	const uint64_t torrent = 0; /* the .torrent, one object of the site */
	static const char *const none[] = { NULL };

	load(w, 0, FC_SEC, 0.95);
	redirected(w, 0, 1, 2 * FC_SEC, 5);
	mark = w->log->len;
	g_assert_cmpint(route(w, 0, 3 * FC_SEC, 10, torrent).kind, ==, FC_ROUTE_SERVE);
	g_assert_cmpint(route(w, 0, 3 * FC_SEC, 10, torrent).kind, ==, FC_ROUTE_REDIRECT);
	g_assert_cmpint(route(w, 1, 3 * FC_SEC, 10, torrent).kind, ==, FC_ROUTE_RESCUE);
	expect(w, &mark, none);
	world_free(w);
}

/* Fig. 10: the flash interval passes; records go, copies are deleted. */
static void
test_fig10_recovery(void)
{
	struct world *w = world_new(NULL);
	guint mark;
	fc_time_t t0 = 10 * FC_SEC;
	static const char *const leave[] = {
		"A FLASH -> LOW",
		"A dns remove 10 B", "A send HELP_RELEASE to B",
		"A dns remove 10 C", "A send HELP_RELEASE to C",
		"B dns remove 10 B", "B delete 10", "B RESCUE -> LOW for A",
		"C delete 10", "C RESCUE -> LOW for A", NULL,
	};

	/* B fetched and served, and so is in the name; C was asked but never
	 * served (it removes no record it did not add; A removes both). */
	load(w, 0, t0, 0.95);
	redirected(w, 0, 1, t0 + FC_SEC, 1);
	fetched(w, 1, t0 + 2 * FC_SEC, 10, 1, true);
	mark = w->log->len;
	g_assert_cmpuint(fc_node_expiry(w->node[0]), ==, t0 + w->cfg[0].flash_hold);
	expire(w, t0 + w->cfg[0].flash_hold);
	expect(w, &mark, leave);
	for (int i = 0; i < NN; i++)
		g_assert_cmpint(fc_node_state(w->node[i]), ==, FC_STATE_LOW);
	world_free(w);
}

/* Fig. 4: rescue is per cooperator; a node under a flash crowd still
 * rescues, and a rescue also ends by its own timer. */
static void
test_rescue_per_peer(void)
{
	struct world *w = world_new(NULL);
	guint mark;
	static const char *const timer[] = {
		"A delete 20", "A FLASH+RESCUE -> FLASH for B", NULL,
	};

	w->deliver = false;
	load(w, 0, FC_SEC, 0.95);
	redirected(w, 1, 0, 2 * FC_SEC, 1);
	g_assert_cmpint(fc_node_state(w->node[0]), ==, FC_STATE_FLASH_RESCUE);
	g_assert_true(fc_node_rescuing(w->node[0], ids[1]));
	g_assert_false(fc_node_rescuing(w->node[0], ids[2]));
	mark = w->log->len;
	/* The flash hold is 600 s, the rescue hold 900 s: make the rescue end
	 * first by keeping the flash alive. */
	fc_node_free(w->node[0]);
	w->cfg[0].extend_while_high = true;
	g_assert_cmpint(fc_node_new(&w->cfg[0], &(struct fc_host){ rnd, w }, 0,
				    &w->node[0]), ==, 0);
	load(w, 0, FC_SEC, 0.95);
	redirected(w, 1, 0, 2 * FC_SEC, 1);
	for (fc_time_t t = 100 * FC_SEC; t < 902 * FC_SEC; t += 100 * FC_SEC)
		load(w, 0, t, 0.95);
	mark = w->log->len;
	expire(w, 902 * FC_SEC);
	expect(w, &mark, timer);
	world_free(w);
}

/* Only the key holder can start a rescue through a redirect. */
static void
test_redirect_token(void)
{
	struct world *w = world_new(NULL);
	uint8_t t[FC_TOKEN_LEN], bad[FC_TOKEN_LEN];
	fc_time_t now = 100 * FC_SEC;
	struct fc_route r;
	guint mark = 0;
	static const char *const none[] = { NULL };

	w->deliver = false;
	/* No token: redirected to the owner, nothing started. */
	r = route(w, 1, now, 10, 1);
	g_assert_cmpint(r.kind, ==, FC_ROUTE_REDIRECT);
	g_assert_cmpuint(r.peer, ==, ids[0]);
	g_assert_cmpuint(r.address, ==, 101);
	expect(w, &mark, none);
	/* Forged (C's key with B), expired, for another site, for another
	 * helper, from too far in the future, cut short: all start nothing. */
	mint(w, 2, 1, 10, now - FC_SEC, bad);
	g_assert_cmpint(route_token(w, 1, now, 10, 1, bad).kind, ==, FC_ROUTE_REDIRECT);
	mint(w, 0, 1, 10, now - w->cfg[1].token_life - 1, bad);
	g_assert_cmpint(route_token(w, 1, now, 10, 1, bad).kind, ==, FC_ROUTE_REDIRECT);
	mint(w, 0, 1, 30, now - FC_SEC, bad);
	g_assert_cmpint(route_token(w, 1, now, 10, 1, bad).kind, ==, FC_ROUTE_REDIRECT);
	mint(w, 0, 2, 10, now - FC_SEC, bad);
	g_assert_cmpint(route_token(w, 1, now, 10, 1, bad).kind, ==, FC_ROUTE_REDIRECT);
	mint(w, 0, 1, 10, now + w->cfg[1].replay_window + 1, bad);
	g_assert_cmpint(route_token(w, 1, now, 10, 1, bad).kind, ==, FC_ROUTE_REDIRECT);
	mint(w, 0, 1, 10, now - FC_SEC, t);
	{
		struct fc_request req = { 10, 1, t, FC_TOKEN_LEN - 1 };

		g_assert_cmpint(fc_node_route(w->node[1], now, &req, &r), ==, 0);
		g_assert_cmpint(r.kind, ==, FC_ROUTE_REDIRECT);
	}
	memcpy(bad, t, sizeof bad);
	bad[FC_TOKEN_LEN - 1] ^= 1;
	g_assert_cmpint(route_token(w, 1, now, 10, 1, bad).kind, ==, FC_ROUTE_REDIRECT);
	expect(w, &mark, none);
	g_assert_false(fc_node_rescuing(w->node[1], ids[0]));
	/* The real one. */
	g_assert_cmpint(route_token(w, 1, now, 10, 1, t).kind, ==, FC_ROUTE_RESCUE);
	g_assert_true(fc_node_rescuing(w->node[1], ids[0]));
	/* A site nobody has. */
	{
		struct fc_request req = { 99, 1, NULL, 0 };

		g_assert_cmpint(fc_node_route(w->node[1], now, &req, &r), ==,
				FC_ERR_UNKNOWN_SITE);
		g_assert_cmpint(r.kind, ==, FC_ROUTE_UNKNOWN);
	}
	world_free(w);
}

/* ---- Attacks: what a network attacker or a client holding tokens tries ---- */

/* How many log lines from mark on start with prefix. */
static unsigned
count_log(struct world *w, guint mark, const char *prefix)
{
	unsigned n = 0;

	for (guint i = mark; i < w->log->len; i++)
		n += g_str_has_prefix(w->log->pdata[i], prefix);
	return n;
}

/* B's HELP_REQUEST to A, stamped ts, sealed with their key. */
static size_t
help_request(struct world *w, fc_time_t ts, uint64_t nonce, uint8_t buf[FC_MSG_MAX])
{
	struct fc_msg m = { .type = FC_MSG_HELP_REQUEST, .from = ids[1], .to = ids[0],
			    .timestamp = ts, .nonce = nonce, .u.help = { 20, 1 } };
	size_t len = 0;

	g_assert_cmpint(fc_msg_encode(&m, w->keys[0][1], 32, buf, FC_MSG_MAX, &len), ==, 0);
	return len;
}

/* Restarts node i at now, its memory gone, as a host does after a crash. */
static void
restart(struct world *w, int i, fc_time_t now)
{
	fc_node_free(w->node[i]);
	g_assert_cmpint(fc_node_new(&w->cfg[i], &(struct fc_host){ rnd, w }, now,
				    &w->node[i]), ==, 0);
}

/*
 * A message captured before A restarts, replayed after: A's replay memory
 * is gone and the timestamp is still inside the window, but the message is
 * older than the node and refused.  One stamped after the start is fine.
 */
static void
test_attack_replay_after_restart(void)
{
	struct world *w = world_new(NULL);
	uint8_t captured[FC_MSG_MAX], fresh[FC_MSG_MAX];
	size_t len = help_request(w, 100 * FC_SEC, 77, captured), flen;
	guint mark;

	w->deliver = false;
	g_assert_cmpint(fc_node_recv(w->node[0], 100 * FC_SEC, captured, len), ==, 0);
	g_assert_true(fc_node_rescuing(w->node[0], ids[1]));
	settle(w, 100 * FC_SEC);
	restart(w, 0, 105 * FC_SEC);
	mark = w->log->len;
	g_assert_cmpint(fc_node_recv(w->node[0], 106 * FC_SEC, captured, len), ==,
			FC_ERR_MSG_STALE);
	settle(w, 106 * FC_SEC);
	g_assert_cmpuint(w->log->len, ==, mark);
	g_assert_false(fc_node_rescuing(w->node[0], ids[1]));
	flen = help_request(w, 106 * FC_SEC, 78, fresh);
	g_assert_cmpint(fc_node_recv(w->node[0], 106 * FC_SEC, fresh, flen), ==, 0);
	g_assert_true(fc_node_rescuing(w->node[0], ids[1]));

	/* A sender whose clock runs 20 s ahead: its message captured at 100 s
	 * is stamped 120 s, after a restart at 105 s.  start_guard covers
	 * that difference. */
	len = help_request(w, 120 * FC_SEC, 79, captured);
	w->cfg[0].start_guard = 20 * FC_SEC;
	restart(w, 0, 105 * FC_SEC);
	g_assert_cmpint(fc_node_recv(w->node[0], 106 * FC_SEC, captured, len), ==,
			FC_ERR_MSG_STALE);
	g_assert_false(fc_node_rescuing(w->node[0], ids[1]));
	flen = help_request(w, 126 * FC_SEC, 80, fresh);
	g_assert_cmpint(fc_node_recv(w->node[0], 126 * FC_SEC, fresh, flen), ==, 0);
	settle(w, 126 * FC_SEC);
	world_free(w);
}

/* A rejected message, however far in the future its arrival, leaves the
 * node's clock, and so its next deadline, where they were. */
static void
test_attack_rejected_keeps_clock(void)
{
	struct world *w = world_new(NULL);
	uint8_t buf[FC_MSG_MAX];
	size_t len = help_request(w, 10 * FC_SEC, 1, buf);
	fc_time_t before = fc_node_expiry(w->node[0]);

	g_assert_cmpuint(before, <, 1000 * FC_DAY + 1);
	/* Stale at a late arrival; a forged MAC; a replay. */
	g_assert_cmpint(fc_node_recv(w->node[0], 2000 * FC_DAY, buf, len), ==,
			FC_ERR_MSG_STALE);
	g_assert_cmpuint(fc_node_expiry(w->node[0]), ==, before);
	buf[len - 1] ^= 1;
	g_assert_cmpint(fc_node_recv(w->node[0], 2000 * FC_DAY, buf, len), ==, FC_ERR_MSG_MAC);
	g_assert_cmpuint(fc_node_expiry(w->node[0]), ==, before);
	buf[len - 1] ^= 1;
	g_assert_cmpint(fc_node_recv(w->node[0], 10 * FC_SEC, buf, len), ==, 0);
	before = fc_node_expiry(w->node[0]); /* the rescue's end, 910 s */
	g_assert_cmpuint(before, ==, 910 * FC_SEC);
	g_assert_cmpint(fc_node_recv(w->node[0], 2000 * FC_SEC, buf, len), ==,
			FC_ERR_MSG_STALE);
	g_assert_cmpint(fc_node_recv(w->node[0], 11 * FC_SEC, buf, len), ==, FC_ERR_MSG_REPLAY);
	g_assert_cmpuint(fc_node_expiry(w->node[0]), ==, before);
	settle(w, 11 * FC_SEC);
	world_free(w);
}

/*
 * A client keeps the token of a redirect and uses it again after the
 * origin's flash crowd is over (HELP_RELEASE): it must not start the rescue
 * again, nor add the helper to the origin's DNS name.  A token of the next
 * flash crowd does.  A restart of the helper does not bring old tokens
 * back either.
 */
static void
test_attack_token_after_release(void)
{
	struct world *w = world_new(NULL);
	uint8_t token[FC_TOKEN_LEN];
	struct fc_route r;
	guint mark;

	load(w, 0, 10 * FC_SEC, 0.95); /* A: FLASH, asks B and C */
	route(w, 0, 11 * FC_SEC, 10, 7);
	r = route(w, 0, 11 * FC_SEC, 10, 7);
	memcpy(token, r.token, FC_TOKEN_LEN);
	g_assert_cmpint(route_token(w, 1, 12 * FC_SEC, 10, 7, token).kind, ==, FC_ROUTE_RESCUE);
	send_release(w, 1, 0, 20 * FC_SEC);
	g_assert_false(fc_node_rescuing(w->node[1], ids[0]));
	mark = w->log->len;
	for (uint64_t obj = 7; obj < 12; obj++) {
		r = route_token(w, 1, 21 * FC_SEC, 10, obj, token);
		g_assert_cmpint(r.kind, ==, FC_ROUTE_REDIRECT);
		g_assert_cmpuint(r.address, ==, 101);
	}
	g_assert_cmpuint(w->log->len, ==, mark); /* no state, no DNS add, no fetch */
	g_assert_false(fc_node_rescuing(w->node[1], ids[0]));
	/* A token issued after the release (a new flash crowd) works. */
	{
		uint8_t next[FC_TOKEN_LEN];

		mint(w, 0, 1, 10, 21 * FC_SEC, next);
		g_assert_cmpint(route_token(w, 1, 22 * FC_SEC, 10, 7, next).kind, ==,
				FC_ROUTE_RESCUE);
		g_assert_cmpuint(count_log(w, mark, "B dns add 10 B"), ==, 0);
		fetched(w, 1, 22 * FC_SEC, 10, 7, true);
		g_assert_cmpuint(count_log(w, mark, "B dns add 10 B"), ==, 1);
	}
	/* B restarts: the release is forgotten, but tokens issued before the
	 * restart are refused all the same. */
	restart(w, 1, 30 * FC_SEC);
	mark = w->log->len;
	g_assert_cmpint(route_token(w, 1, 31 * FC_SEC, 10, 7, token).kind, ==,
			FC_ROUTE_REDIRECT);
	settle(w, 31 * FC_SEC);
	g_assert_cmpuint(w->log->len, ==, mark);
	world_free(w);
}

static void
tweak_few_fetches(struct fc_config *c, int i)
{
	(void)i;
	c->max_fetches = 50;
}

/*
 * A client with one valid token asks the helper for 10,000 different
 * objects: the helper fetches token_fetches of them and sends the rest back
 * to the origin.  Many tokens together fetch at most max_fetches objects of
 * one rescue, then the whole site once.
 */
static void
test_attack_fetch_flood(void)
{
	struct world *w = world_new(NULL);
	uint8_t token[FC_TOKEN_LEN];
	unsigned rescued = 0, back = 0;
	guint mark;

	w->deliver = false;
	mint(w, 0, 1, 10, 10 * FC_SEC, token);
	mark = w->log->len;
	for (uint64_t obj = 0; obj < 10000; obj++) {
		struct fc_route r = route_token(w, 1, 11 * FC_SEC, 10, obj, token);

		rescued += r.kind == FC_ROUTE_RESCUE;
		back += r.kind == FC_ROUTE_REDIRECT && r.address == 101;
	}
	g_assert_cmpuint(w->cfg[1].token_fetches, ==, 1024);
	g_assert_cmpuint(count_log(w, mark, "B fetch 10/"), ==, 1024);
	g_assert_cmpuint(rescued, ==, 1024);
	g_assert_cmpuint(back, ==, 10000 - 1024);
	/* What was fetched is still served for the token. */
	g_assert_cmpint(route_token(w, 1, 12 * FC_SEC, 10, 5, token).kind, ==, FC_ROUTE_RESCUE);
	world_free(w);

	w = world_new(tweak_few_fetches);
	w->deliver = false;
	mark = w->log->len;
	for (uint64_t obj = 0; obj < 10000; obj++) {
		/* A fresh token every ten objects, as many clients would have. */
		mint(w, 0, 1, 10, 10 * FC_SEC + obj / 10, token);
		g_assert_cmpint(route_token(w, 1, 11 * FC_SEC, 10, obj, token).kind, ==,
				FC_ROUTE_RESCUE);
	}
	g_assert_cmpuint(count_log(w, mark, "B fetch 10/"), ==, 50);
	g_assert_cmpuint(count_log(w, mark, "B fetch 10 all from A"), ==, 1);
	/* Both bounds are at least 1. */
	w->cfg[0].max_fetches = 0;
	g_assert_cmpint(fc_config_check(&w->cfg[0]), ==, FC_ERR_CONFIG_FETCHES);
	w->cfg[0].max_fetches = 1;
	w->cfg[0].token_fetches = 0;
	g_assert_cmpint(fc_config_check(&w->cfg[0]), ==, FC_ERR_CONFIG_FETCHES);
	world_free(w);
}

/* The codec refuses keys the node refuses: shorter than FC_MIN_KEY bytes. */
static const uint8_t *short_key;
static size_t short_key_len;

static bool
short_key_lookup(void *user, fc_node_id from, const uint8_t **key, size_t *len)
{
	(void)user;
	(void)from;
	*key = short_key;
	*len = short_key_len;
	return true;
}

static void
test_attack_short_keys(void)
{
	struct fc_msg m = { .type = FC_MSG_PROBE, .from = 1, .to = 2, .u.probe = { 5 } };
	uint8_t buf[FC_MSG_MAX];
	struct fc_msg out;
	size_t len;

	for (size_t kl = 1; kl < FC_MIN_KEY; kl++) {
		GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, key_ab, kl);
		gsize n = FC_MAC_LEN;

		g_assert_cmpint(fc_msg_encode(&m, key_ab, kl, buf, sizeof buf, &len), ==,
				FC_ERR_CONFIG_KEY);
		/* A message sealed by hand with the short key is not decoded. */
		len = encode(&m, buf);
		g_hmac_update(h, buf, (gssize)(len - FC_MAC_LEN));
		g_hmac_get_digest(h, buf + len - FC_MAC_LEN, &n);
		g_hmac_unref(h);
		short_key = key_ab;
		short_key_len = kl;
		g_assert_cmpint(fc_msg_decode(buf, len, 2, short_key_lookup, NULL, &out), ==,
				FC_ERR_CONFIG_KEY);
	}
	g_assert_cmpint(fc_msg_encode(&m, key_ab, 0, buf, sizeof buf, &len), ==,
			FC_ERR_CONFIG_KEY);
	short_key = NULL;
	short_key_len = 32;
	len = encode(&m, buf);
	g_assert_cmpint(fc_msg_decode(buf, len, 2, short_key_lookup, NULL, &out), ==,
			FC_ERR_CONFIG_KEY);
	g_assert_cmpint(fc_msg_encode(&m, key_ab, FC_MIN_KEY, buf, sizeof buf, &len), ==, 0);
	short_key = key_ab;
	short_key_len = FC_MIN_KEY;
	g_assert_cmpint(fc_msg_decode(buf, len, 2, short_key_lookup, NULL, &out), ==, 0);
}

/* ---- Policies ---- */

static void
tweak_hash(struct fc_config *c, int i)
{
	(void)i;
	c->target = FC_TARGET_HASH;
	c->redirect_share = 1;
}

static void
test_hash_target(void)
{
	struct world *w = world_new(tweak_hash);

	w->deliver = false;
	load(w, 0, FC_SEC, 0.95);
	for (uint64_t obj = 0; obj < 50; obj++) {
		struct fc_route a = route(w, 0, 2 * FC_SEC, 10, obj);
		struct fc_route b = route(w, 0, 3 * FC_SEC, 10, obj);

		g_assert_cmpint(a.kind, ==, FC_ROUTE_REDIRECT);
		g_assert_cmpuint(a.peer, ==, b.peer);
	}
	/* B down: its objects move, C's stay. */
	for (int k = 0; k < 3; k++)
		fc_node_probe_result(w->node[0], 4 * FC_SEC, ids[1], false);
	for (uint64_t obj = 0; obj < 50; obj++)
		g_assert_cmpuint(route(w, 0, 5 * FC_SEC, 10, obj).peer, ==, ids[2]);
	world_free(w);
}

static void
tweak_feedback(struct fc_config *c, int i)
{
	(void)i;
	c->share = FC_SHARE_FEEDBACK;
	c->target_load = 0.6;
	c->target = FC_TARGET_SPARE;
}

static void
test_feedback_share(void)
{
	struct world *w = world_new(tweak_feedback);
	int redirected = 0, to_b = 0;

	load(w, 0, FC_SEC, 1.2); /* share = 1 - 0.6/1.2 = 0.5 */
	/* B reports load 0.75 (spare 0.25), C 0.25 (spare 0.75). */
	load(w, 1, FC_SEC, 0.75);
	load(w, 2, FC_SEC, 0.25);
	fc_node_handle_expiry(w->node[1], 1000 * FC_DAY);
	fc_node_handle_expiry(w->node[2], 1000 * FC_DAY);
	settle(w, 1000 * FC_DAY - 20 * FC_SEC); /* within the replay window */
	for (int i = 0; i < 400; i++) {
		struct fc_route r = route(w, 0, 1000 * FC_DAY, 10, (uint64_t)i);

		if (r.kind == FC_ROUTE_REDIRECT) {
			redirected++;
			to_b += r.peer == ids[1];
		}
	}
	g_assert_cmpint(redirected, ==, 200);
	g_assert_cmpint(to_b, ==, 50); /* a quarter of the spare is B's */
	world_free(w);
}

static void
tweak_predistribute(struct fc_config *c, int i)
{
	c->spread = FC_SPREAD_PREDISTRIBUTED;
	if (i == 0) {
		/* B takes copies up to 5 MB, C none. */
		struct fc_peer *p = (struct fc_peer *)c->peers;

		p[0].accepts_copy = true;
		p[0].copy_limit = 5000000;
	}
	if (i == 1) {
		struct fc_peer *p = (struct fc_peer *)c->peers;

		p[0].holds_copy = true; /* B holds A's site */
	}
}

static void
test_predistribution(void)
{
	struct world *w = world_new(tweak_predistribute);
	guint mark = 0;
	static const char *const push[] = { "A push 10 to B", NULL };
	static const char *const served[] = { "B LOW -> RESCUE for A", "B dns add 10 B", NULL };

	g_assert_cmpint(fc_node_site_changed(w->node[0], FC_SEC, 10), ==, 0);
	settle(w, FC_SEC);
	expect(w, &mark, push);
	g_assert_cmpint(fc_node_site_changed(w->node[0], FC_SEC, 99), ==, FC_ERR_UNKNOWN_SITE);
	/* B holds the copy: rescuing A fetches nothing. */
	g_assert_cmpint(redirected(w, 0, 1, 2 * FC_SEC, 4).kind, ==, FC_ROUTE_RESCUE);
	expect(w, &mark, served);
	world_free(w);
}

static void
tweak_hysteresis(struct fc_config *c, int i)
{
	(void)i;
	c->leave = FC_LEAVE_HYSTERESIS;
	c->calm_hold = 60 * FC_SEC;
}

static void
test_hysteresis(void)
{
	struct world *w = world_new(tweak_hysteresis);

	w->deliver = false;
	load(w, 0, FC_SEC, 0.95);
	load(w, 0, 10 * FC_SEC, 0.6);  /* between low water and threshold */
	g_assert_cmpuint(fc_node_expiry(w->node[0]), >, 1000 * FC_SEC);
	load(w, 0, 20 * FC_SEC, 0.3);  /* calm from 20 s */
	g_assert_cmpuint(fc_node_expiry(w->node[0]), ==, 80 * FC_SEC);
	load(w, 0, 50 * FC_SEC, 0.9);  /* not calm after all */
	load(w, 0, 55 * FC_SEC, 0.2);
	g_assert_cmpuint(fc_node_expiry(w->node[0]), ==, 115 * FC_SEC);
	expire(w, 115 * FC_SEC);
	g_assert_cmpint(fc_node_state(w->node[0]), ==, FC_STATE_LOW);
	world_free(w);
}

static void
tweak_ewma(struct fc_config *c, int i)
{
	(void)i;
	c->smoothing = FC_SMOOTH_EWMA;
	c->smooth_time = 10 * FC_SEC;
	c->flash_threshold = 0.8;
	c->share = FC_SHARE_FEEDBACK;
	c->target_load = 0.8;
	c->max_share = 0.9;
}

static void
tweak_window(struct fc_config *c, int i)
{
	(void)i;
	c->smooth_time = 10 * FC_SEC; /* smoothing = window (base_config) */
	c->flash_threshold = 0.8;
}

/*
 * The EWMA starts from 0 at the node's start (t = 0): a first report of
 * load 1 at 1 s weighs 1 - e^(-1/10) = 0.0952, and one burst there, with
 * load 0 after it, never reaches the threshold of 0.8.  A sustained load
 * of 1 reported every second gives 1 - e^(-t/10), above 0.8 from
 * t > 10 ln 5 = 16.09 s: FLASH at the report of 17 s, not 16 s.  Loads
 * above 1 stay: 2 sustained for 100 s is 2 (1 - e^-10) = 1.99991, and
 * share = feedback then redirects 1 - 0.8/1.99991 = 0.59998 of the
 * requests.
 */
static void
test_load_ewma(void)
{
	struct world *w = world_new(tweak_ewma);
	int redirected = 0;

	w->deliver = false;
	load(w, 0, FC_SEC, 1.0);
	g_assert_cmpfloat_with_epsilon(fc_node_load(w->node[0]), 1 - exp(-0.1), 1e-12);
	for (int t = 2; t <= 120; t++) {
		load(w, 0, (fc_time_t)t * FC_SEC, 0);
		g_assert_cmpint(fc_node_state(w->node[0]), ==, FC_STATE_LOW);
	}
	world_free(w);

	w = world_new(tweak_ewma);
	w->deliver = false;
	for (int t = 1; t <= 16; t++)
		load(w, 0, (fc_time_t)t * FC_SEC, 1.0);
	g_assert_cmpfloat_with_epsilon(fc_node_load(w->node[0]), 1 - exp(-1.6), 1e-12);
	g_assert_cmpint(fc_node_state(w->node[0]), ==, FC_STATE_LOW);
	load(w, 0, 17 * FC_SEC, 1.0);
	g_assert_cmpint(fc_node_state(w->node[0]), ==, FC_STATE_FLASH);
	world_free(w);

	w = world_new(tweak_ewma);
	w->deliver = false;
	for (int t = 1; t <= 100; t++)
		load(w, 0, (fc_time_t)t * FC_SEC, 2.0);
	g_assert_cmpfloat_with_epsilon(fc_node_load(w->node[0]), 2 * (1 - exp(-10)), 1e-9);
	/* The same instant again weighs nothing. */
	load(w, 0, 100 * FC_SEC, 0);
	g_assert_cmpfloat_with_epsilon(fc_node_load(w->node[0]), 2 * (1 - exp(-10)), 1e-9);
	for (int i = 0; i < 1000; i++)
		redirected += route(w, 0, 100 * FC_SEC, 10, (uint64_t)i).kind == FC_ROUTE_REDIRECT;
	g_assert_cmpint(redirected, >=, 599);
	g_assert_cmpint(redirected, <=, 601);
	world_free(w);
}

/*
 * The window is the time-weighted mean of the last 10 s, the time before
 * the start counting as 0: load 1 at 1 s is 1 s of 1 over 10 s, 0.1.
 * Load 1 every second reaches 0.8 at 8 s (not above the threshold) and
 * 0.9 at 9 s: FLASH there.  Uneven reports weigh the time they cover:
 * 1 at 2 s (0..2 s), 0 at 10 s (2..10 s) is 2/10 = 0.2; 0.5 at 11 s keeps
 * 1..2 s of the first, (1 + 0 + 0.5)/10 = 0.15.  A burst of 7.9 at the
 * first report is 0.79, under the threshold, and gone after 11 s.
 */
static void
test_load_window(void)
{
	struct world *w = world_new(tweak_window);

	w->deliver = false;
	load(w, 0, FC_SEC, 1.0);
	g_assert_cmpfloat_with_epsilon(fc_node_load(w->node[0]), 0.1, 1e-12);
	for (int t = 2; t <= 8; t++)
		load(w, 0, (fc_time_t)t * FC_SEC, 1.0);
	g_assert_cmpfloat_with_epsilon(fc_node_load(w->node[0]), 0.8, 1e-12);
	g_assert_cmpint(fc_node_state(w->node[0]), ==, FC_STATE_LOW);
	load(w, 0, 9 * FC_SEC, 1.0);
	g_assert_cmpint(fc_node_state(w->node[0]), ==, FC_STATE_FLASH);
	world_free(w);

	w = world_new(tweak_window);
	w->deliver = false;
	load(w, 0, 2 * FC_SEC, 1.0);
	load(w, 0, 10 * FC_SEC, 0);
	g_assert_cmpfloat_with_epsilon(fc_node_load(w->node[0]), 0.2, 1e-12);
	load(w, 0, 11 * FC_SEC, 0.5);
	g_assert_cmpfloat_with_epsilon(fc_node_load(w->node[0]), 0.15, 1e-12);
	load(w, 0, 11 * FC_SEC, 5.0); /* the same instant: no weight */
	g_assert_cmpfloat_with_epsilon(fc_node_load(w->node[0]), 0.15, 1e-12);
	world_free(w);

	/* A burst of 7.9 at the first report is 0.79: no flash crowd. */
	w = world_new(tweak_window);
	w->deliver = false;
	for (int t = 1; t <= 20; t++) {
		load(w, 0, (fc_time_t)t * FC_SEC, t == 1 ? 7.9 : 0);
		g_assert_cmpint(fc_node_state(w->node[0]), ==, FC_STATE_LOW);
	}
	g_assert_cmpfloat_with_epsilon(fc_node_load(w->node[0]), 0, 1e-12);
	world_free(w);
}

static void
tweak_message_probes(struct fc_config *c, int i)
{
	(void)i;
	c->probe_mode = FC_PROBE_MESSAGE;
	c->probe_interval = 10 * FC_SEC;
	c->probe_jitter = 0;
	c->probe_misses = 2;
}

/* Probes by message: answered while delivered, a miss per timeout after. */
static void
test_message_probes(void)
{
	struct world *w = world_new(tweak_message_probes);
	fc_time_t now = 0;

	for (int k = 0; k < 5; k++) {
		now += 10 * FC_SEC;
		expire(w, now);
	}
	for (int i = 0; i < NN; i++)
		for (int j = 0; j < NN; j++)
			if (i != j)
				g_assert_true(fc_node_peer_up(w->node[i], ids[j]));
	/* Two probes unanswered (10 s apart, 2 s timeout each): down. */
	w->deliver = false;
	for (int k = 0; k < 25; k++) {
		now += FC_SEC;
		expire(w, now);
	}
	g_assert_false(fc_node_peer_up(w->node[0], ids[1]));
	g_assert_true(fc_node_rescuing(w->node[0], ids[1]));
	world_free(w);
}

/* ---- Randomized invariants ---- */

static void
tweak_random(struct fc_config *c, int i)
{
	c->probe_interval = 20 * FC_SEC;
	c->heartbeat_interval = 15 * FC_SEC;
	c->flash_hold = 120 * FC_SEC;
	c->rescue_hold = 200 * FC_SEC;
	c->target = (enum fc_target)(i % 3);
	c->leave = i == 2 ? FC_LEAVE_HYSTERESIS : FC_LEAVE_TIMER;
	c->calm_hold = 30 * FC_SEC;
	c->protect_self = i == 1;
}

static void
random_run(guint32 seed)
{
	struct world *w = world_new(tweak_random);
	GRand *r = g_rand_new_with_seed(seed);
	fc_time_t now = 0;

	w->rng = seed;
	for (int step = 0; step < 3000; step++) {
		int i = g_rand_int_range(r, 0, NN);
		int op = g_rand_int_range(r, 0, 10);

		now += (fc_time_t)g_rand_int_range(r, 1, 3000) * FC_MSEC;
		w->deliver = g_rand_int_range(r, 0, 10) > 0;
		if (op < 3) {
			load(w, i, now, g_rand_double_range(r, 0, step < 2000 ? 1.3 : 0.4));
		} else if (op < 7) {
			int s = g_rand_int_range(r, 0, NN);
			struct fc_route rt = route(w, i, now, sites[s][0].id,
						   (uint64_t)g_rand_int_range(r, 0, 20));

			if (rt.kind == FC_ROUTE_REDIRECT && s == i) {
				g_assert_true(fc_node_peer_up(w->node[i], rt.peer));
				/* The client follows the redirect, mostly. */
				if (g_rand_int_range(r, 0, 4) > 0)
					route_token(w, idx(rt.peer), now, sites[s][0].id, 1,
						    rt.token);
			}
		} else if (op < 8) {
			int j = g_rand_int_range(r, 0, NN);

			if (j != i)
				fc_node_probe_result(w->node[i], now, ids[j],
						     g_rand_int_range(r, 0, 3) > 0);
			settle(w, now);
		} else if (op < 9) {
			int j = g_rand_int_range(r, 0, NN);

			if (j != i)
				fetched(w, i, now, sites[j][0].id,
					g_rand_int_range(r, 0, 3) ? 1 : FC_WHOLE_SITE,
					g_rand_int_range(r, 0, 4) > 0);
		}
		expire(w, now);
		for (int k = 0; k < NN; k++)
			g_assert_cmpuint(fc_node_expiry(w->node[k]), >=, now);
	}
	/* Quiet: no load, every peer answers, time passes all timers. */
	w->deliver = true;
	for (int k = 0; k < 200; k++) {
		now += 5 * FC_SEC;
		for (int i = 0; i < NN; i++) {
			load(w, i, now, 0);
			for (int j = 0; j < NN; j++)
				if (j != i)
					fc_node_probe_result(w->node[i], now, ids[j], true);
		}
		expire(w, now);
	}
	for (int i = 0; i < NN; i++) {
		g_assert_cmpint(fc_node_state(w->node[i]), ==, FC_STATE_LOW);
		for (int j = 0; j < NN; j++)
			g_assert_cmpint(w->rescue_ends[i][j], ==, w->deletes[i][j]);
	}
	{
		GHashTableIter it;
		gpointer k, v;

		g_hash_table_iter_init(&it, w->dns);
		/* Each name has its origin's record again, and no other. */
		while (g_hash_table_iter_next(&it, &k, &v)) {
			int want = 0;

			for (int o = 0; o < NN; o++) {
				g_autofree char *own = g_strdup_printf("%u %c", sites[o][0].id,
								       names[o]);

				if (strcmp(k, own) == 0)
					want = 1;
			}
			if (GPOINTER_TO_INT(v) != want)
				g_error("seed %u: DNS record %s counted %d, not %d", seed,
					(char *)k, GPOINTER_TO_INT(v), want);
		}
	}
	g_rand_free(r);
	world_free(w);
}

static void
test_random(void)
{
	for (guint32 seed = 1; seed <= 20; seed++)
		random_run(seed);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/core/errors", test_errors);
	g_test_add_func("/core/config", test_config);
	g_test_add_func("/core/codec/roundtrip", test_codec_roundtrip);
	g_test_add_func("/core/codec/rejections", test_codec_rejections);
	g_test_add_func("/core/node/rejections", test_node_rejections);
	g_test_add_func("/core/fsm/transitions", test_transitions);
	g_test_add_func("/core/fig5-6/low-load", test_fig5_fig6_low);
	g_test_add_func("/core/fig7/flash-origin-alive", test_fig7_flash_alive);
	g_test_add_func("/core/fig7/dns-on-rescue", test_fig7_dns_on_rescue);
	g_test_add_func("/core/fig8/origin-down", test_fig8_origin_down);
	g_test_add_func("/core/fig8/keep-record", test_fig8_keep_record);
	g_test_add_func("/core/fig8/rescue-ends-down", test_fig8_rescue_ends_down);
	g_test_add_func("/core/fig9/bittorrent-access", test_fig9_bittorrent);
	g_test_add_func("/core/fig10/recovery", test_fig10_recovery);
	g_test_add_func("/core/rescue-per-peer", test_rescue_per_peer);
	g_test_add_func("/core/redirect-token", test_redirect_token);
	g_test_add_func("/core/attack/replay-after-restart", test_attack_replay_after_restart);
	g_test_add_func("/core/attack/rejected-keeps-clock", test_attack_rejected_keeps_clock);
	g_test_add_func("/core/attack/token-after-release", test_attack_token_after_release);
	g_test_add_func("/core/attack/fetch-flood", test_attack_fetch_flood);
	g_test_add_func("/core/attack/short-keys", test_attack_short_keys);
	g_test_add_func("/core/policy/hash-target", test_hash_target);
	g_test_add_func("/core/policy/feedback-spare", test_feedback_share);
	g_test_add_func("/core/policy/predistribution", test_predistribution);
	g_test_add_func("/core/policy/hysteresis", test_hysteresis);
	g_test_add_func("/core/load/ewma", test_load_ewma);
	g_test_add_func("/core/load/window", test_load_window);
	g_test_add_func("/core/liveness/message-probes", test_message_probes);
	g_test_add_func("/core/random-invariants", test_random);
	return g_test_run();
}
