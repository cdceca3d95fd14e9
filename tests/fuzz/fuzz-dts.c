/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A fuzz target for the DTS filter (core/dts.c): the input is a script of
 * packets into and out of two nodes of a cluster, handover calls and time
 * steps, and the contract of flashcoop/dts.h is checked on every step: a
 * verdict or one of the packet errors comes back; a packet grows by at
 * most FC_DTS_HEADROOM and never past the buffer; a packet the filter
 * changed has valid checksums and an IP length equal to its length; every
 * packet in an action is a valid segment without payload; the filter
 * never holds more connections than allowed and forgets them all once
 * time runs past every timeout.
 *
 * Script records: an op byte, then for packets a 2-byte big-endian length
 * and the packet.  Ops: bit 1 picks the node, bit 0 the direction
 * (0 inbound, 1 outbound); 0xfe advances time by the next byte in seconds
 * and handles expiry; 0xff asks node 0 to hand the client (next 4 + 2
 * bytes: address, port) over to node 1.
 */
#include "tests/fuzz/fuzz.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "flashcoop/dts.h"

#define V 0x0a000001u
#define APP 80
#define PROXY 8080
#define I0 0x0a010001u
#define I1 0x0a010002u
#define MAXC 8

unsigned long fuzz_dts_accepted;

static uint32_t
sum16(uint32_t s, const uint8_t *b, size_t n)
{
	for (; n >= 2; b += 2, n -= 2)
		s += (uint32_t)(b[0] << 8 | b[1]);
	if (n)
		s += (uint32_t)b[0] << 8;
	return s;
}

static bool
ok_sum(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

/* A well-formed IPv4/TCP datagram of `len` bytes with right checksums. */
static bool
valid_packet(const uint8_t *p, size_t len)
{
	if (len < 40 || p[0] >> 4 != 4 || p[9] != 6)
		return false;
	size_t ihl = (size_t)(p[0] & 15) * 4;
	if ((size_t)(p[2] << 8 | p[3]) != len || ihl < 20 || len < ihl + 20)
		return false;
	if (!ok_sum(sum16(0, p, ihl)))
		return false;
	return ok_sum(sum16(sum16(0, p + 12, 8) + 6 + (uint32_t)(len - ihl), p + ihl, len - ihl));
}

static void
drain(struct fc_dts *d)
{
	struct fc_dts_action a;

	while (fc_dts_next_action(d, &a)) {
		if (a.type == FC_DTS_ACT_DELIVER || a.type == FC_DTS_ACT_TRANSMIT)
			FUZZ_CHECK((a.len == 40 || a.len == 52) && valid_packet(a.packet, a.len));
		else
			FUZZ_CHECK(!a.packet);
		if (a.type == FC_DTS_ACT_FAILED)
			FUZZ_CHECK(a.reason < 0 && fc_strerror(a.reason) != NULL);
	}
}

int
fuzz_dts_one(const uint8_t *data, size_t size)
{
	struct fc_dts *node[2];
	fc_time_t now = FC_SEC;
	bool changed_any = false;

	fuzz_input(data, size);
	for (int n = 0; n < 2; n++) {
		struct fc_dts_config c = {
			.service_addr = V, .app_port = APP, .proxy_port = PROXY,
			.internal_addr = n ? I1 : I0, .nnodes = 1, .index = 0,
			.option = FC_DTS_OPTION_EXP, .max_conns = MAXC,
			.handover_timeout = 2 * FC_SEC, .idle_timeout = 100 * FC_SEC,
			.linger = 3 * FC_SEC,
			/* Node 0 checks checksums, as a host should; node 1
			   trusts them, so that mutated packets reach its
			   rewriting paths. */
			.trust_checksums = n == 1,
		};
		FUZZ_CHECK(fc_dts_new(&c, &node[n]) == 0);
	}
	size_t i = 0;
	while (i < size) {
		uint8_t op = data[i++];
		if (op == 0xfe) {
			if (i >= size)
				break;
			now += (fc_time_t)data[i++] * FC_SEC;
			for (int n = 0; n < 2; n++) {
				fc_dts_handle_expiry(node[n], now);
				FUZZ_CHECK(fc_dts_expiry(node[n]) > now);
				drain(node[n]);
			}
			continue;
		}
		if (op == 0xff) {
			if (i + 6 > size)
				break;
			uint32_t a = (uint32_t)data[i] << 24 | (uint32_t)data[i + 1] << 16 |
				     (uint32_t)data[i + 2] << 8 | data[i + 3];
			uint16_t port = (uint16_t)(data[i + 4] << 8 | data[i + 5]);
			i += 6;
			int rc = fc_dts_handover(node[0], now, a, port, I1, 40000);
			FUZZ_CHECK(rc <= 0);
			if (rc == 0)
				FUZZ_CHECK(fc_dts_conn_state(node[0], a, port) == FC_DTS_SRC_XFER);
			drain(node[0]);
			continue;
		}
		if (i + 2 > size)
			break;
		size_t len = (size_t)data[i] << 8 | data[i + 1];
		i += 2;
		if (len > size - i)
			len = size - i;
		uint8_t buf[65535 + FC_DTS_HEADROOM];
		memcpy(buf, data + i, len);
		i += len;
		struct fc_dts *d = node[(op >> 1) & 1];
		size_t out = len;
		int rc = (op & 1) ? fc_dts_outbound(d, now, buf, &out, len + FC_DTS_HEADROOM)
				  : fc_dts_inbound(d, now, buf, &out, len + FC_DTS_HEADROOM);
		FUZZ_CHECK(rc == FC_DTS_ACCEPT || rc == FC_DTS_DROP || rc == FC_ERR_DTS_PACKET ||
			   rc == FC_ERR_DTS_CHECKSUM || rc == FC_ERR_BUFFER);
		FUZZ_CHECK(out <= len + FC_DTS_HEADROOM);
		if (rc == FC_DTS_ACCEPT && (out != len || memcmp(buf, data + i - len, len) != 0)) {
			/* Rewritten: whole and valid.  (Bytes past the IP
			   length may be dropped: the datagram ends there.) */
			FUZZ_CHECK(valid_packet(buf, out));
			changed_any = true;
		}
		struct fc_dts_stats st;
		fc_dts_get_stats(d, &st);
		FUZZ_CHECK(st.conns <= MAXC);
		drain(d);
	}
	/* Past every timeout, nothing is left. */
	for (int n = 0; n < 2; n++) {
		fc_dts_handle_expiry(node[n], now + 1000 * FC_SEC);
		struct fc_dts_stats st;
		fc_dts_get_stats(node[n], &st);
		FUZZ_CHECK(st.conns == 0);
		FUZZ_CHECK(fc_dts_expiry(node[n]) == FC_TIME_NEVER);
		drain(node[n]);
		fc_dts_free(node[n]);
	}
	if (changed_any)
		fuzz_dts_accepted++;
	return 0;
}

#ifdef FLASHCOOP_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_dts_one(data, size);
}
#endif
