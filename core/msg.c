/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The wire format of cooperation messages, version 1, big-endian:
 *
 *   0  u8   version (1)
 *   1  u8   type
 *   2  u16  payload length
 *   4  u32  sender id
 *   8  u32  receiver id
 *   12 u64  timestamp, ns (the sender's clock)
 *   20 u64  nonce (random)
 *   28      payload
 *   ..      HMAC-SHA256 over everything before it, with the key the two
 *           nodes share (32 bytes)
 *
 * Payloads: HELP_REQUEST and HELP_RELEASE u32 site, u64 bytes; HEARTBEAT
 * u32 load and u32 spare in millionths, u8 flags (bit 0: accepting
 * redirected load); PROBE and ACK u64 token.
 */
#include "flashcoop/core.h"
#include "internal.h"

#include <string.h>

#include <glib.h>
#include <nettle/hmac.h>
#include <nettle/sha2.h>

#define LOAD_SCALE 1e6
#define LOAD_MAX 4000.0

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
fc__put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

void
fc__put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t
fc__get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* Payload length of a type, or -1 for an unknown type. */
static int
payload_len(unsigned type)
{
	switch (type) {
	case FC_MSG_HELP_REQUEST:
	case FC_MSG_HELP_RELEASE:
		return 12;
	case FC_MSG_HEARTBEAT:
		return 9;
	case FC_MSG_PROBE:
	case FC_MSG_ACK:
		return 8;
	}
	return -1;
}

void
fc__mac_key_init(struct fc__mac_key *k, const uint8_t *key, size_t key_len)
{
	struct hmac_sha256_ctx c;

	/* Nettle hashes the key and its two pads: one block each. */
	hmac_sha256_set_key(&c, key_len, key);
	g_assert(c.inner.count == 1 && c.inner.index == 0);
	memcpy(k->inner, c.inner.state, sizeof k->inner);
	memcpy(k->outer, c.outer.state, sizeof k->outer);
}

/* A SHA-256 context that has hashed one block, to the state st. */
static void
resume(struct sha256_ctx *c, const uint32_t st[SHA256_DIGEST_SIZE / 4])
{
	memcpy(c->state, st, sizeof c->state);
	c->count = 1;
	c->index = 0;
}

/*
 * One SHA-256 compression of a whole block from st, through nettle's
 * public sha256_update(): a context with an empty buffer hashes a full
 * block straight from the input.  (Nettle 3.8 does not export the
 * compression function itself.)
 */
static void
compress(uint32_t st[SHA256_DIGEST_SIZE / 4], const uint8_t block[SHA256_BLOCK_SIZE])
{
	struct sha256_ctx c;

	resume(&c, st);
	sha256_update(&c, SHA256_BLOCK_SIZE, block);
	memcpy(st, c.state, sizeof c.state);
}

/* The last block of a hash of 64 + len bytes whose first 64 are done:
 * data, the 0x80 byte, zeros, and the length in bits. */
static void
final_block(uint8_t block[SHA256_BLOCK_SIZE], const uint8_t *data, size_t len)
{
	memset(block, 0, SHA256_BLOCK_SIZE);
	memcpy(block, data, len);
	block[len] = 0x80;
	fc__put64(block + SHA256_BLOCK_SIZE - 8, (uint64_t)(SHA256_BLOCK_SIZE + len) * 8);
}

void
fc__mac(const struct fc__mac_key *k, const uint8_t *data, size_t len,
	uint8_t out[FC_MAC_LEN])
{
	uint32_t st[SHA256_DIGEST_SIZE / 4];
	uint8_t block[SHA256_BLOCK_SIZE], inner[SHA256_DIGEST_SIZE];

	if (len > SHA256_BLOCK_SIZE - 9) {
		/* Longer data than any message or token: nettle pads. */
		struct sha256_ctx c;

		resume(&c, k->inner);
		sha256_update(&c, len, data);
		sha256_digest(&c, sizeof inner, inner);
		resume(&c, k->outer);
		sha256_update(&c, sizeof inner, inner);
		sha256_digest(&c, FC_MAC_LEN, out);
		return;
	}
	/*
	 * Every cooperation message and token fits, with its padding, in the
	 * one block after the inner pad: the MAC is then two compressions
	 * from the pads' states, with nothing copied but the states.
	 */
	memcpy(st, k->inner, sizeof st);
	final_block(block, data, len);
	compress(st, block);
	for (size_t i = 0; i < G_N_ELEMENTS(st); i++)
		fc__put32(inner + 4 * i, st[i]);
	memcpy(st, k->outer, sizeof st);
	final_block(block, inner, sizeof inner);
	compress(st, block);
	for (size_t i = 0; i < G_N_ELEMENTS(st); i++)
		fc__put32(out + 4 * i, st[i]);
}

static uint32_t
load_units(double v)
{
	if (!(v > 0))
		return 0;
	if (v > LOAD_MAX)
		v = LOAD_MAX;
	return (uint32_t)(v * LOAD_SCALE + 0.5);
}

int
fc_msg_encode(const struct fc_msg *m, const uint8_t *key, size_t key_len,
	      uint8_t *buf, size_t cap, size_t *len)
{
	struct fc__mac_key k;

	if (!m || !key || !buf || !len)
		return FC_ERR_INVAL;
	/* The node's rule (fc_config_check), so that no tool built on the
	 * codec can seal messages with a key an attacker could search. */
	if (key_len < FC_MIN_KEY)
		return FC_ERR_CONFIG_KEY;
	fc__mac_key_init(&k, key, key_len);
	return fc__msg_encode_with(m, &k, buf, cap, len);
}

int
fc__msg_encode_with(const struct fc_msg *m, const struct fc__mac_key *k, uint8_t *buf, size_t cap,
		    size_t *len)
{
	int plen;
	uint8_t *p;

	plen = payload_len(m->type);
	if (plen < 0)
		return FC_ERR_INVAL;
	if (cap < (size_t)(FC_MSG_HEADER + plen + FC_MAC_LEN))
		return FC_ERR_BUFFER;
	buf[0] = FC_WIRE_VERSION;
	buf[1] = (uint8_t)m->type;
	put16(buf + 2, (uint16_t)plen);
	fc__put32(buf + 4, m->from);
	fc__put32(buf + 8, m->to);
	fc__put64(buf + 12, m->timestamp);
	fc__put64(buf + 20, m->nonce);
	p = buf + FC_MSG_HEADER;
	switch (m->type) {
	case FC_MSG_HELP_REQUEST:
	case FC_MSG_HELP_RELEASE:
		fc__put32(p, m->u.help.site);
		fc__put64(p + 4, m->u.help.bytes);
		break;
	case FC_MSG_HEARTBEAT:
		fc__put32(p, load_units(m->u.heartbeat.load));
		fc__put32(p + 4, load_units(m->u.heartbeat.spare));
		p[8] = m->u.heartbeat.accepting ? 1 : 0;
		break;
	case FC_MSG_PROBE:
	case FC_MSG_ACK:
		fc__put64(p, m->u.probe.token);
		break;
	}
	fc__mac(k, buf, FC_MSG_HEADER + (size_t)plen, buf + FC_MSG_HEADER + plen);
	*len = FC_MSG_HEADER + (size_t)plen + FC_MAC_LEN;
	return 0;
}

int
fc__equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

struct key_lookup {
	bool (*key_for)(void *user, fc_node_id from, const uint8_t **key, size_t *key_len);
	void *user;
	struct fc__mac_key key;
	bool short_key; /* key_for gave a key under FC_MIN_KEY bytes */
};

static const struct fc__mac_key *
key_from_lookup(void *user, fc_node_id from)
{
	struct key_lookup *k = user;
	const uint8_t *key;
	size_t key_len;

	if (!k->key_for(k->user, from, &key, &key_len))
		return NULL;
	if (!key || key_len < FC_MIN_KEY) {
		k->short_key = true;
		return NULL;
	}
	fc__mac_key_init(&k->key, key, key_len);
	return &k->key;
}

int
fc_msg_decode(const uint8_t *buf, size_t len, fc_node_id to,
	      bool (*key_for)(void *user, fc_node_id from, const uint8_t **key,
			      size_t *key_len),
	      void *user, struct fc_msg *out)
{
	struct key_lookup k = { .key_for = key_for, .user = user };
	int rc;

	if (!buf || !key_for || !out)
		return FC_ERR_INVAL;
	rc = fc__msg_decode_with(buf, len, to, key_from_lookup, &k, out);
	return k.short_key ? FC_ERR_CONFIG_KEY : rc;
}

int
fc__msg_decode_with(const uint8_t *buf, size_t len, fc_node_id to,
		    const struct fc__mac_key *(*key_for)(void *user, fc_node_id from), void *user,
		    struct fc_msg *out)
{
	const uint8_t *p;
	size_t plen;
	uint8_t want[FC_MAC_LEN];
	const struct fc__mac_key *k;
	int expect;

	if (len < FC_MSG_HEADER + FC_MAC_LEN)
		return FC_ERR_MSG_TRUNCATED;
	if (buf[0] != FC_WIRE_VERSION)
		return FC_ERR_MSG_VERSION;
	plen = get16(buf + 2);
	if (plen > FC_MSG_MAX_PAYLOAD || len > FC_MSG_MAX)
		return FC_ERR_MSG_OVERSIZED;
	if (len < FC_MSG_HEADER + plen + FC_MAC_LEN)
		return FC_ERR_MSG_TRUNCATED;
	if (len > FC_MSG_HEADER + plen + FC_MAC_LEN)
		return FC_ERR_MSG_OVERSIZED;
	if (get32(buf + 8) != to)
		return FC_ERR_MSG_RECEIVER;
	k = key_for(user, get32(buf + 4));
	if (!k)
		return FC_ERR_MSG_SENDER;
	fc__mac(k, buf, FC_MSG_HEADER + plen, want);
	if (!fc__equal(want, buf + FC_MSG_HEADER + plen, FC_MAC_LEN))
		return FC_ERR_MSG_MAC;
	expect = payload_len(buf[1]);
	if (expect < 0)
		return FC_ERR_MSG_TYPE;
	if ((size_t)expect != plen)
		return FC_ERR_MSG_PAYLOAD;

	memset(out, 0, sizeof *out);
	out->type = (enum fc_msg_type)buf[1];
	out->from = get32(buf + 4);
	out->to = get32(buf + 8);
	out->timestamp = fc__get64(buf + 12);
	out->nonce = fc__get64(buf + 20);
	p = buf + FC_MSG_HEADER;
	switch (out->type) {
	case FC_MSG_HELP_REQUEST:
	case FC_MSG_HELP_RELEASE:
		out->u.help.site = get32(p);
		out->u.help.bytes = fc__get64(p + 4);
		break;
	case FC_MSG_HEARTBEAT:
		if (p[8] > 1 || get32(p) > LOAD_MAX * LOAD_SCALE ||
		    get32(p + 4) > LOAD_MAX * LOAD_SCALE)
			return FC_ERR_MSG_PAYLOAD;
		out->u.heartbeat.load = get32(p) / LOAD_SCALE;
		out->u.heartbeat.spare = get32(p + 4) / LOAD_SCALE;
		out->u.heartbeat.accepting = p[8] == 1;
		break;
	case FC_MSG_PROBE:
	case FC_MSG_ACK:
		out->u.probe.token = fc__get64(p);
		break;
	}
	return 0;
}
