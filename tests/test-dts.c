/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DTS (core/dts.c) between three cluster nodes and a client, each TCP
 * endpoint played by a small model of a stack (struct ep) that checks
 * what a real one would: segments arrive at the addresses and ports it
 * believes its connection has, in sequence order, with valid checksums,
 * acks of nothing it has not sent, timestamps that never go backwards
 * (PAWS) and echoes of values it sent.  The client's packets reach every
 * node, as on the paper's broadcast segment.  The handover is run with
 * ordinary and wrapping ISNs, with and without timestamps, window scales
 * that agree or differ, both option forms, and with the faults the
 * filter must survive: a FIN before the data, a lost acknowledgment of
 * the FIN, client data during the handover, a source that passes on the
 * wrong bytes, a destination that never answers, forged and damaged
 * packets.
 */
#include <string.h>

#include <glib.h>

#include "flashcoop/dts.h"
#include "tests/testutil.h"

#define V 0x0a000001u   /* the service address */
#define APP 80
#define PROXY 8080
#define IS 0x0a010001u  /* the nodes' internal addresses */
#define ID 0x0a010002u
#define IX 0x0a010003u
#define C 0xc0000201u   /* the client */
#define HPORT 40000     /* the source's handover port */
#define NNODES 3
#define BUF 1600

/* ---- packets ---- */

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static uint32_t
sum16(uint32_t s, const uint8_t *b, size_t n)
{
	for (; n >= 2; b += 2, n -= 2)
		s += rd16(b);
	if (n)
		s += (uint32_t)b[0] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* True when both checksums of an IPv4/TCP packet are right. */
static bool
checksums_ok(const uint8_t *p, size_t len)
{
	size_t ihl = (size_t)(p[0] & 15) * 4;
	if (fold(sum16(0, p, ihl)) != 0)
		return false;
	uint32_t s = sum16(0, p + 12, 8) + 6 + (uint32_t)(len - ihl);
	return fold(sum16(s, p + ihl, len - ihl)) == 0;
}

static void
set_checksums(uint8_t *p, size_t len)
{
	size_t ihl = (size_t)(p[0] & 15) * 4;
	wr16(p + 10, 0);
	wr16(p + 10, fold(sum16(0, p, ihl)));
	uint8_t *t = p + ihl;
	wr16(t + 16, 0);
	uint32_t s = sum16(0, p + 12, 8) + 6 + (uint32_t)(len - ihl);
	wr16(t + 16, fold(sum16(s, t, len - ihl)));
}

struct pkt {
	uint8_t b[BUF];
	size_t len;
};

/* A parsed view, for the checks. */
struct view {
	uint32_t saddr, daddr, seq, ack;
	uint16_t sport, dport, win;
	uint8_t flags;
	const uint8_t *opt, *data;
	size_t olen, dlen;
	bool ts;
	uint32_t tsval, tsecr;
	int nsack;
	uint32_t sack[4][2];
	int ws;  /* -1: none */
	int mss; /* -1: none */
	bool sack_ok;
};

static void
view(const struct pkt *k, struct view *v)
{
	const uint8_t *p = k->b, *t = p + 20;
	memset(v, 0, sizeof *v);
	g_assert_cmpuint(p[0], ==, 0x45);
	g_assert_cmpuint(rd16(p + 2), ==, k->len);
	v->saddr = rd32(p + 12);
	v->daddr = rd32(p + 16);
	v->sport = rd16(t);
	v->dport = rd16(t + 2);
	v->seq = rd32(t + 4);
	v->ack = rd32(t + 8);
	v->flags = t[13];
	v->win = rd16(t + 14);
	size_t doff = (size_t)(t[12] >> 4) * 4;
	v->opt = t + 20;
	v->olen = doff - 20;
	v->data = t + doff;
	v->dlen = k->len - 20 - doff;
	v->ws = -1;
	v->mss = -1;
	for (size_t i = 0; i < v->olen;) {
		uint8_t kind = v->opt[i];
		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		uint8_t l = v->opt[i + 1];
		g_assert_cmpuint(l, >=, 2);
		if (kind == 8) {
			v->ts = true;
			v->tsval = rd32(v->opt + i + 2);
			v->tsecr = rd32(v->opt + i + 6);
		} else if (kind == 5) {
			for (size_t b = 2; b < l; b += 8, v->nsack++) {
				v->sack[v->nsack][0] = rd32(v->opt + i + b);
				v->sack[v->nsack][1] = rd32(v->opt + i + b + 4);
			}
		} else if (kind == 3) {
			v->ws = v->opt[i + 2];
		} else if (kind == 2) {
			v->mss = rd16(v->opt + i + 2);
		} else if (kind == 4) {
			v->sack_ok = true;
		}
		i += l;
	}
}

/* ---- endpoints ---- */

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define ACK 0x10

static bool
lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/* One end of a TCP connection as its stack sees it. */
struct ep {
	const char *name;
	uint32_t addr, raddr;
	uint16_t port, rport;
	uint32_t iss, snd_nxt, snd_una, rcv_nxt;
	bool synced;        /* got the peer's SYN */
	bool use_ts, ts_on; /* offers timestamps; both did */
	bool offer_ws, ws_on;
	uint8_t ws;         /* its own scale */
	uint8_t peer_ws;
	bool offer_sack;
	uint32_t clock;     /* TSval source */
	uint32_t ts_recent, ts_sent_max;
	bool have_recent;
	uint32_t win_field; /* what it advertises, in the header's units */
	uint64_t peer_win;  /* in bytes */
	bool reset, fin_rcvd;
	uint32_t last_sack[2];
	GByteArray *rx;
};

static void
ep_init(struct ep *e, const char *name, uint32_t addr, uint16_t port, uint32_t raddr,
	uint16_t rport, uint32_t iss, bool ts, uint8_t ws)
{
	memset(e, 0, sizeof *e);
	e->name = name;
	e->addr = addr;
	e->port = port;
	e->raddr = raddr;
	e->rport = rport;
	e->iss = iss;
	e->snd_nxt = iss;
	e->snd_una = iss;
	e->use_ts = ts;
	e->offer_ws = true;
	e->ws = ws;
	e->offer_sack = true;
	e->clock = 1000 + (iss >> 20);
	e->win_field = 1000;
	e->rx = g_byte_array_new();
}

static void
ep_clear(struct ep *e)
{
	g_byte_array_unref(e->rx);
}

/* A segment from e: its sequence state, flags, payload and options. */
static void
ep_send(struct ep *e, struct pkt *k, uint8_t flags, const void *data, size_t dlen,
	const uint32_t (*sack)[2], int nsack)
{
	uint8_t *p = k->b, *t = p + 20, o[40];
	size_t n = 0;
	memset(k->b, 0, sizeof k->b);
	if (flags & SYN) {
		o[n++] = 2, o[n++] = 4, wr16(o + n, 1460), n += 2;
		if (e->offer_sack)
			o[n++] = 4, o[n++] = 2;
	}
	if ((flags & SYN) ? e->use_ts : e->ts_on) {
		o[n++] = 8, o[n++] = 10;
		uint32_t val = e->clock++;
		wr32(o + n, val);
		wr32(o + n + 4, e->have_recent ? e->ts_recent : 0);
		n += 8;
		e->ts_sent_max = val;
	}
	if ((flags & SYN) && e->offer_ws)
		o[n++] = 3, o[n++] = 3, o[n++] = e->ws;
	if (nsack) {
		o[n++] = 1, o[n++] = 1;
		o[n++] = 5, o[n++] = (uint8_t)(2 + 8 * nsack);
		for (int i = 0; i < nsack; i++, n += 8)
			wr32(o + n, sack[i][0]), wr32(o + n + 4, sack[i][1]);
	}
	while (n % 4)
		o[n++] = 0;
	g_assert_cmpuint(n, <=, 40);
	p[0] = 0x45;
	k->len = 20 + 20 + n + dlen;
	wr16(p + 2, (uint16_t)k->len);
	p[8] = 64;
	p[9] = 6;
	wr32(p + 12, e->addr);
	wr32(p + 16, e->raddr);
	wr16(t, e->port);
	wr16(t + 2, e->rport);
	uint32_t seq = (flags & SYN) ? e->iss : e->snd_nxt;
	wr32(t + 4, seq);
	wr32(t + 8, (flags & ACK) ? e->rcv_nxt : 0);
	t[12] = (uint8_t)(((20 + n) / 4) << 4);
	t[13] = flags;
	wr16(t + 14, (uint16_t)e->win_field);
	memcpy(t + 20, o, n);
	if (dlen)
		memcpy(t + 20 + n, data, dlen);
	set_checksums(p, k->len);
	uint32_t end = seq + (uint32_t)dlen + !!(flags & SYN) + !!(flags & FIN);
	if (lt(e->snd_nxt, end) || (flags & SYN))
		e->snd_nxt = end;
}

/* A segment arriving at e: everything a stack would check. */
static void
ep_recv(struct ep *e, const struct pkt *k)
{
	struct view v;
	g_assert_true(checksums_ok(k->b, k->len));
	view(k, &v);
	if (v.daddr != e->addr || v.dport != e->port || v.saddr != e->raddr ||
	    v.sport != e->rport)
		g_error("%s got a segment of another connection: %08x:%u -> %08x:%u", e->name,
			v.saddr, v.sport, v.daddr, v.dport);
	if (v.flags & RST) {
		/* RFC 5961: only a reset at exactly RCV.NXT is taken. */
		g_assert_cmphex(v.seq, ==, e->rcv_nxt);
		e->reset = true;
		return;
	}
	if (v.flags & SYN) {
		if (e->synced) {
			g_assert_cmphex(v.seq + 1, ==, e->rcv_nxt);
			return;
		}
		e->synced = true;
		e->rcv_nxt = v.seq + 1;
		e->ts_on = e->use_ts && v.ts;
		e->ws_on = e->offer_ws && v.ws >= 0;
		e->peer_ws = e->ws_on ? (uint8_t)v.ws : 0;
		if (!e->ws_on)
			e->ws = 0;
		if (e->ts_on) {
			e->ts_recent = v.tsval;
			e->have_recent = true;
		}
		e->peer_win = v.win;
		if (v.flags & ACK) {
			g_assert_cmphex(v.ack, ==, e->iss + 1);
			e->snd_una = v.ack;
		}
		return;
	}
	g_assert_true(e->synced);
	if (e->ts_on && v.ts) {
		/* PAWS: a TSval older than the last one is dropped by a real
		   stack; here it is an error of the filter. */
		g_assert_false(lt(v.tsval, e->ts_recent));
		e->ts_recent = v.tsval;
		if (v.flags & ACK)
			g_assert_false(lt(e->ts_sent_max, v.tsecr));
	}
	if (v.flags & ACK) {
		g_assert_false(lt(e->snd_nxt, v.ack));
		if (lt(e->snd_una, v.ack))
			e->snd_una = v.ack;
		e->peer_win = (uint64_t)v.win << e->peer_ws;
	}
	/* SACK blocks (D-SACK ones too) lie within what it sent. */
	for (int i = 0; i < v.nsack; i++) {
		g_assert_false(lt(v.sack[i][0], e->iss + 1));
		g_assert_true(lt(v.sack[i][0], v.sack[i][1]));
		g_assert_false(lt(e->snd_nxt, v.sack[i][1]));
		e->last_sack[0] = v.sack[i][0];
		e->last_sack[1] = v.sack[i][1];
	}
	if (v.dlen || (v.flags & FIN)) {
		/* The tests send in order, except where a test says so. */
		g_assert_cmphex(v.seq, ==, e->rcv_nxt);
		g_byte_array_append(e->rx, v.data, (guint)v.dlen);
		e->rcv_nxt += (uint32_t)v.dlen + !!(v.flags & FIN);
		if (v.flags & FIN)
			e->fin_rcvd = true;
	}
}

/* ---- the cluster ---- */

struct world {
	struct fc_dts *node[NNODES];
	uint32_t internal[NNODES];
	fc_time_t now;
	struct ep client, proxy, hsrc, app;
	int src, dst;     /* node indexes */
	uint16_t cport;
	/* What the client saw of the server side, for the checks. */
	uint32_t client_seen_min_seq;
	int done, taken, failed, failed_reason;
	bool drop_fin_ack; /* lose the destination's next FIN-ACK */
	int client_arrivals; /* segments that reached the client */
};

struct setup {
	uint32_t isn_c, isn_s, isn_x, isn_d;
	bool ts;
	uint8_t ws_proxy, ws_dst;
	enum fc_dts_option option;
};

static void route(struct world *w, int from, struct pkt *k);

/* A packet the filter of node n passed up to its stack. */
static void
stack_in(struct world *w, int n, struct pkt *k)
{
	struct view v;
	view(k, &v);
	if (n == w->src && v.daddr == V && v.dport == PROXY)
		ep_recv(&w->proxy, k);
	else if (n == w->src && v.daddr == w->internal[n] && v.dport == HPORT)
		ep_recv(&w->hsrc, k);
	else if (n == w->dst && v.daddr == V && v.dport == APP)
		ep_recv(&w->app, k);
	else
		g_error("node %d's stack got a segment no socket holds: %08x:%u -> %08x:%u",
			n, v.saddr, v.sport, v.daddr, v.dport);
}

static void
drain(struct world *w, int n)
{
	struct fc_dts_action a;
	while (fc_dts_next_action(w->node[n], &a)) {
		struct pkt k;
		switch (a.type) {
		case FC_DTS_ACT_DELIVER:
			memcpy(k.b, a.packet, a.len);
			k.len = a.len;
			stack_in(w, n, &k);
			break;
		case FC_DTS_ACT_TRANSMIT:
			memcpy(k.b, a.packet, a.len);
			k.len = a.len;
			if (w->drop_fin_ack) {
				w->drop_fin_ack = false;
				break;
			}
			route(w, n, &k);
			break;
		case FC_DTS_ACT_DONE:
			g_assert_cmpint(n, ==, w->src);
			g_assert_cmphex(a.client_addr, ==, C);
			w->done++;
			break;
		case FC_DTS_ACT_TAKEN:
			g_assert_cmpint(n, ==, w->dst);
			g_assert_cmpint(fc_dts_conn_state(w->node[n], a.client_addr, a.client_port),
					==, FC_DTS_DST_DIRECT);
			w->taken++;
			break;
		case FC_DTS_ACT_FAILED:
			w->failed++;
			w->failed_reason = a.reason;
			break;
		}
	}
}

/* A packet on the wire into node n. */
static void
node_in(struct world *w, int n, const struct pkt *orig)
{
	struct pkt k = *orig;
	int rc = fc_dts_inbound(w->node[n], w->now, k.b, &k.len, sizeof k.b);
	g_assert_cmpint(rc, >=, 0);
	if (rc == FC_DTS_ACCEPT)
		stack_in(w, n, &k);
	drain(w, n);
}

/* Delivers a packet sent by node `from` (-1: the client). */
static void
route(struct world *w, int from, struct pkt *k)
{
	struct view v;
	view(k, &v);
	if (v.daddr == C) {
		g_assert_cmpint(from, >=, 0);
		/* The client sees the service address and port only. */
		g_assert_cmphex(v.saddr, ==, V);
		g_assert_cmpuint(v.sport, ==, APP);
		w->client_arrivals++;
		ep_recv(&w->client, k);
		return;
	}
	if (v.daddr == V) {
		/* The broadcast segment: every node sees it. */
		for (int n = 0; n < NNODES; n++)
			node_in(w, n, k);
		return;
	}
	for (int n = 0; n < NNODES; n++)
		if (v.daddr == w->internal[n]) {
			node_in(w, n, k);
			return;
		}
	g_error("a packet to nowhere: %08x", v.daddr);
}

/* A segment sent by an endpoint of node n (-1: the client). */
static void
send_from(struct world *w, int n, struct ep *e, uint8_t flags, const void *data, size_t dlen,
	  const uint32_t (*sack)[2], int nsack)
{
	struct pkt k;
	ep_send(e, &k, flags, data, dlen, sack, nsack);
	if (n < 0) {
		route(w, -1, &k);
		return;
	}
	int rc = fc_dts_outbound(w->node[n], w->now, k.b, &k.len, sizeof k.b);
	g_assert_cmpint(rc, >=, 0);
	if (rc == FC_DTS_ACCEPT)
		route(w, n, &k);
	drain(w, n);
}

static uint16_t
port_for(int node)
{
	for (uint16_t p = 30000;; p++)
		if (fc_dts_hash(C, p) % NNODES == (uint32_t)node)
			return p;
}

/* The four endpoints of a client's connection (w->cport) and its handover. */
static void
endpoints_init(struct world *w, const struct setup *s)
{
	ep_init(&w->client, "client", C, w->cport, V, APP, s->isn_c, s->ts, 7);
	ep_init(&w->proxy, "proxy", V, PROXY, C, w->cport, s->isn_s, s->ts, s->ws_proxy);
	ep_init(&w->hsrc, "source", w->internal[w->src], HPORT, w->internal[w->dst], APP,
		s->isn_x, true, 9);
	ep_init(&w->app, "app", V, APP, C, w->cport, s->isn_d, s->ts, s->ws_dst);
	w->app.clock = 5; /* another machine's clock: far behind */
}

static void
world_init(struct world *w, const struct setup *s, int src, int dst)
{
	memset(w, 0, sizeof *w);
	for (int n = 0; n < NNODES; n++) {
		w->internal[n] = IS + (uint32_t)n;
		struct fc_dts_config c = {
			.service_addr = V, .app_port = APP, .proxy_port = PROXY,
			.internal_addr = w->internal[n], .nnodes = NNODES, .index = (uint32_t)n,
			.option = s->option, .handover_timeout = 5 * FC_SEC,
			.linger = 30 * FC_SEC,
		};
		g_assert_cmpint(fc_dts_new(&c, &w->node[n]), ==, 0);
	}
	w->src = src;
	w->dst = dst;
	w->cport = port_for(src);
	w->now = FC_SEC;
	endpoints_init(w, s);
}

static void
world_clear(struct world *w)
{
	for (int n = 0; n < NNODES; n++)
		fc_dts_free(w->node[n]);
	ep_clear(&w->client);
	ep_clear(&w->proxy);
	ep_clear(&w->hsrc);
	ep_clear(&w->app);
}

/* The usual settings: small ISNs, timestamps, one window scale. */
static const struct setup usual = { 1, 2, 3, 4, true, 7, 7, FC_DTS_OPTION_EXP };

static const char request[] = "GET /index.html HTTP/1.1\r\nHost: flash.test\r\n\r\n";

/* The client connects and sends its request; the proxy reads it. */
static void
connect_and_request(struct world *w)
{
	send_from(w, -1, &w->client, SYN, NULL, 0, NULL, 0);
	g_assert_true(w->proxy.synced);
	send_from(w, w->src, &w->proxy, SYN | ACK, NULL, 0, NULL, 0);
	g_assert_true(w->client.synced);
	w->now += FC_MSEC;
	send_from(w, -1, &w->client, ACK, request, sizeof request - 1, NULL, 0);
	g_assert_cmpmem(w->proxy.rx->data, w->proxy.rx->len, request, sizeof request - 1);
	send_from(w, w->src, &w->proxy, ACK, NULL, 0, NULL, 0);
	for (int n = 0; n < NNODES; n++)
		g_assert_cmpint(fc_dts_conn_state(w->node[n], C, w->cport), ==,
				n == w->src ? FC_DTS_PROXYING : FC_ERR_DTS_NO_CONN);
}

/* The handover begun and its connection's handshake done. */
static void
handover_connect(struct world *w)
{
	g_assert_cmpint(fc_dts_handover(w->node[w->src], w->now, C, w->cport,
					w->internal[w->dst], HPORT), ==, 0);
	g_assert_cmpint(fc_dts_conn_state(w->node[w->src], C, w->cport), ==, FC_DTS_SRC_XFER);
	w->now += FC_MSEC;
	send_from(w, w->src, &w->hsrc, SYN, NULL, 0, NULL, 0);
	/* The destination's stack saw the client's own SYN. */
	g_assert_true(w->app.synced);
	g_assert_cmphex(w->app.rcv_nxt, ==, w->client.iss + 1);
	g_assert_cmpint(fc_dts_conn_state(w->node[w->dst], C, w->cport), ==, FC_DTS_DST_XFER);
	send_from(w, w->dst, &w->app, SYN | ACK, NULL, 0, NULL, 0);
	g_assert_true(w->hsrc.synced);
	/* The source held the window at 0: the destination may not send. */
	g_assert_cmpuint(w->app.peer_win, ==, 0);
}

/* The source's handover connection up to its FIN (not sent). */
static void
handover_data(struct world *w)
{
	handover_connect(w);
	send_from(w, w->src, &w->hsrc, ACK, request, sizeof request - 1, NULL, 0);
	g_assert_cmpmem(w->app.rx->data, w->app.rx->len, request, sizeof request - 1);
	send_from(w, w->dst, &w->app, ACK, NULL, 0, NULL, 0);
	g_assert_cmpuint(w->app.peer_win, ==, 0);
}

static void
handover_fin(struct world *w)
{
	send_from(w, w->src, &w->hsrc, FIN | ACK, NULL, 0, NULL, 0);
}

/* The response, in three segments, and the client's acks of it. */
static void
respond(struct world *w, size_t bytes)
{
	g_autofree char *body = g_malloc(bytes);
	for (size_t i = 0; i < bytes; i++)
		body[i] = (char)('a' + i % 26);
	size_t per = (bytes + 2) / 3;
	for (size_t off = 0; off < bytes; off += per) {
		size_t n = MIN(per, bytes - off);
		w->now += FC_MSEC;
		send_from(w, w->dst, &w->app, ACK, body + off, n, NULL, 0);
	}
	g_assert_cmpmem(w->client.rx->data, w->client.rx->len, body, bytes);
	send_from(w, -1, &w->client, ACK, NULL, 0, NULL, 0);
	g_assert_cmphex(w->app.snd_una, ==, w->app.snd_nxt);
}

static void
full_handover(const struct setup *s)
{
	struct world w;
	world_init(&w, s, 0, 2);
	connect_and_request(&w);
	handover_data(&w);
	handover_fin(&w);

	/* The destination took the connection over; the source forgot it. */
	g_assert_cmpint(w.taken, ==, 1);
	g_assert_cmpint(w.done, ==, 1);
	g_assert_cmpint(w.failed, ==, 0);
	g_assert_cmpint(fc_dts_conn_state(w.node[w.dst], C, w.cport), ==, FC_DTS_DST_DIRECT);
	g_assert_cmpint(fc_dts_conn_state(w.node[w.src], C, w.cport), ==, FC_ERR_DTS_NO_CONN);
	/* Both of the source's sockets were reset locally, at their RCV.NXT. */
	g_assert_true(w.proxy.reset);
	g_assert_true(w.hsrc.reset);
	/* Its next expected byte is the client's next. */
	g_assert_cmphex(w.app.rcv_nxt, ==, w.client.snd_nxt);
	/* The FIN never reached it; the client's window did. */
	g_assert_false(w.app.fin_rcvd);
	g_assert_cmpuint(w.app.peer_win, ==, (uint64_t)w.client.win_field << w.app.peer_ws);
	/* Nothing reached the client during the handover: it got the
	   proxy's SYN-ACK and its ack of the request, nothing since. */
	g_assert_cmpint(w.client_arrivals, ==, 2);

	/* The response, in the sequence space the client knows. */
	uint32_t expect_seq = w.client.rcv_nxt;
	g_assert_cmphex(expect_seq, ==, s->isn_s + 1);
	respond(&w, 3000);
	g_assert_cmphex(w.client.rcv_nxt, ==, s->isn_s + 1 + 3000);

	/* The client's SACK block is moved onto the destination's space. */
	uint32_t block[1][2] = { { s->isn_s + 1 + 100, s->isn_s + 1 + 200 } };
	send_from(&w, -1, &w.client, ACK, NULL, 0, block, 1);
	g_assert_cmphex(w.app.last_sack[0], ==, s->isn_d + 1 + 100);
	g_assert_cmphex(w.app.last_sack[1], ==, s->isn_d + 1 + 200);

	/* A second request goes to the destination alone. */
	struct fc_dts_stats before;
	fc_dts_get_stats(w.node[w.src], &before);
	send_from(&w, -1, &w.client, ACK, "next", 4, NULL, 0);
	g_assert_cmpuint(w.app.rx->len, ==, sizeof request - 1 + 4);
	struct fc_dts_stats after;
	fc_dts_get_stats(w.node[w.src], &after);
	g_assert_cmpuint(after.no_conn, ==, before.no_conn + 1);
	send_from(&w, w.dst, &w.app, ACK, NULL, 0, NULL, 0);

	/* The window the destination advertises reaches the client in the
	   client's units, whatever scale the destination uses. */
	w.app.win_field = 1000;
	send_from(&w, w.dst, &w.app, ACK, NULL, 0, NULL, 0);
	if (s->option == FC_DTS_OPTION_EXP)
		/* (a window the client's smaller scale cannot say is cut to
		   the largest it can) */
		g_assert_cmpuint(w.client.peer_win, ==,
				 MIN(((uint64_t)1000 << w.app.ws) >> w.client.peer_ws, 65535)
				 << w.client.peer_ws);

	/* Close: FIN both ways, then the state lingers and goes. */
	send_from(&w, w.dst, &w.app, FIN | ACK, NULL, 0, NULL, 0);
	send_from(&w, -1, &w.client, FIN | ACK, NULL, 0, NULL, 0);
	send_from(&w, w.dst, &w.app, ACK, NULL, 0, NULL, 0);
	g_assert_true(w.client.fin_rcvd && w.app.fin_rcvd);
	g_assert_cmpint(fc_dts_conn_state(w.node[w.dst], C, w.cport), ==, FC_DTS_CLOSED);
	g_assert_cmpuint(fc_dts_expiry(w.node[w.dst]), ==, w.now + 30 * FC_SEC);
	fc_dts_handle_expiry(w.node[w.dst], w.now + 30 * FC_SEC);
	g_assert_cmpint(fc_dts_conn_state(w.node[w.dst], C, w.cport), ==, FC_ERR_DTS_NO_CONN);
	struct fc_dts_stats st;
	fc_dts_get_stats(w.node[w.dst], &st);
	g_assert_cmpuint(st.conns, ==, 0);
	g_assert_cmpuint(st.taken, ==, 1);
	fc_dts_get_stats(w.node[1], &st);
	g_assert_cmpuint(st.not_mine, ==, 1);
	g_assert_cmpuint(st.conns, ==, 0);
	world_clear(&w);
}

static void
test_plain(void)
{
	struct setup s = { 1000, 2000000, 3000000000u, 77777, true, 7, 7, FC_DTS_OPTION_EXP };
	full_handover(&s);
}

/* Every ISN within a few bytes of 2^32, so that the request, the shifts
   and the response all cross it. */
static void
test_wrap(void)
{
	for (uint32_t a = 0; a < 4; a++) {
		struct setup s = {
			0xffffffffu - 10 * a, 0xffffffffu - 3 * a, 0xfffffff0u + a,
			0xffffffffu - 2000 - a, a % 2 == 0, 7, 7, FC_DTS_OPTION_EXP,
		};
		full_handover(&s);
	}
}

static void
test_no_timestamps(void)
{
	struct setup s = { 5, 6, 7, 8, false, 7, 7, FC_DTS_OPTION_EXP };
	full_handover(&s);
}

static void
test_rescale(void)
{
	/* The client was told scale 2; the destination's stack uses 9. */
	struct setup s = { 11, 22, 33, 44, true, 2, 9, FC_DTS_OPTION_EXP };
	full_handover(&s);
}

static void
test_paper_option(void)
{
	struct setup s = { 0xfffffff0u, 0xffffff00u, 12345, 54321, false, 7, 7,
			   FC_DTS_OPTION_PAPER };
	full_handover(&s);
}

/* The handover SYN on the wire: the options of Table 1 and ours. */
static void
check_syn_option(enum fc_dts_option opt, bool ts)
{
	struct setup s = { 100, 200, 300, 400, ts, 7, 7, opt };
	struct world w;
	world_init(&w, &s, 0, 1);
	connect_and_request(&w);
	g_assert_cmpint(fc_dts_handover(w.node[0], w.now, C, w.cport, w.internal[1], HPORT), ==, 0);
	struct pkt k;
	ep_send(&w.hsrc, &k, SYN, NULL, 0, NULL, 0);
	size_t before = k.len;
	g_assert_cmpint(fc_dts_outbound(w.node[0], w.now, k.b, &k.len, sizeof k.b), ==,
			FC_DTS_ACCEPT);
	g_assert_true(checksums_ok(k.b, k.len));
	g_assert_cmpuint(k.len, <=, before + FC_DTS_HEADROOM);
	struct view v;
	view(&k, &v);
	g_assert_cmphex(v.seq, ==, 100);          /* the client's ISN */
	g_assert_cmpuint(v.win, ==, 0);
	g_assert_cmpint(v.mss, ==, 1460);         /* the client's */
	g_assert_cmpint(v.ws, ==, 7);
	g_assert_true(v.sack_ok);
	g_assert_cmpuint(v.olen, <=, 40);
	g_assert_true(v.ts == ts);
	if (ts)
		g_assert_cmphex(v.tsval, ==, w.client.clock - 1); /* the client's last */
	const uint8_t *o = NULL;
	for (size_t i = 0; i < v.olen;) {
		if (v.opt[i] <= 1) {
			i++;
			continue;
		}
		if (v.opt[i] == (opt == FC_DTS_OPTION_EXP ? FC_DTS_EXP_KIND : FC_DTS_PAPER_KIND))
			o = v.opt + i;
		i += v.opt[i + 1];
	}
	g_assert_nonnull(o);
	if (opt == FC_DTS_OPTION_PAPER) {
		g_assert_cmpuint(o[1], ==, 12);
		g_assert_cmphex(rd32(o + 2), ==, C);
		g_assert_cmpuint(rd16(o + 6), ==, w.cport);
		g_assert_cmphex(rd32(o + 8), ==, 200);
	} else {
		g_assert_cmpuint(o[1], ==, FC_DTS_EXP_LEN);
		g_assert_cmphex(rd16(o + 2), ==, FC_DTS_EXID_DEFAULT);
		g_assert_cmphex(rd32(o + 4), ==, C);
		g_assert_cmpuint(rd16(o + 8), ==, w.cport);
		g_assert_cmphex(rd32(o + 10), ==, 200);
		g_assert_cmpuint(o[18], ==, 7);
	}
	/* A buffer with no room for the options is refused, not overrun. */
	ep_send(&w.hsrc, &k, SYN, NULL, 0, NULL, 0);
	g_assert_cmpint(fc_dts_outbound(w.node[0], w.now, k.b, &k.len, k.len), ==,
			FC_ERR_BUFFER);
	world_clear(&w);
}

static void
test_syn_option(void)
{
	check_syn_option(FC_DTS_OPTION_EXP, true);
	check_syn_option(FC_DTS_OPTION_EXP, false);
	check_syn_option(FC_DTS_OPTION_PAPER, false);
}

/* Exactly one node accepts each client, and the others drop its SYN. */
static void
test_accept_one(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	unsigned per[NNODES] = { 0 };
	for (uint16_t port = 1024; port < 1024 + 600; port++) {
		struct ep e;
		ep_init(&e, "c", C, port, V, APP, port * 7u, false, 0);
		struct pkt k;
		ep_send(&e, &k, SYN, NULL, 0, NULL, 0);
		int accepted = 0;
		for (int n = 0; n < NNODES; n++) {
			struct pkt c = k;
			int rc = fc_dts_inbound(w.node[n], w.now, c.b, &c.len, sizeof c.b);
			if (rc == FC_DTS_ACCEPT) {
				accepted++;
				per[n]++;
				struct view v;
				view(&c, &v);
				g_assert_cmpuint(v.dport, ==, PROXY);
				g_assert_true(checksums_ok(c.b, c.len));
			}
		}
		g_assert_cmpint(accepted, ==, 1);
		ep_clear(&e);
	}
	/* The hash spreads them: each node within 30% of a third. */
	for (int n = 0; n < NNODES; n++) {
		g_assert_cmpuint(per[n], >, 140);
		g_assert_cmpuint(per[n], <, 260);
	}
	world_clear(&w);
}

/* Segments with no state are dropped by every node; packets that are not
   the service's pass untouched; damaged ones are refused. */
static void
test_stray_and_damaged(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	struct ep e;
	ep_init(&e, "c", C, 5555, V, APP, 99, false, 0);
	e.synced = true;
	struct pkt k;
	ep_send(&e, &k, ACK, "x", 1, NULL, 0);
	for (int n = 0; n < NNODES; n++) {
		struct pkt c = k;
		g_assert_cmpint(fc_dts_inbound(w.node[n], w.now, c.b, &c.len, sizeof c.b), ==,
				FC_DTS_DROP);
	}
	/* Another service on the same address, and another address. */
	struct ep other;
	ep_init(&other, "o", C, 5555, V, 22, 99, false, 0);
	ep_send(&other, &k, ACK, "x", 1, NULL, 0);
	struct pkt c = k;
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, c.b, &c.len, sizeof c.b), ==,
			FC_DTS_ACCEPT);
	g_assert_cmpmem(c.b, c.len, k.b, k.len);
	/* A plain connection to an internal address, with no option. */
	struct ep plain;
	ep_init(&plain, "p", IX, 4444, IS, APP, 1, false, 0);
	ep_send(&plain, &k, SYN, NULL, 0, NULL, 0);
	c = k;
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, c.b, &c.len, sizeof c.b), ==,
			FC_DTS_ACCEPT);
	g_assert_cmpmem(c.b, c.len, k.b, k.len);
	/* Damaged: short, a bad header length, an option running off the end. */
	ep_send(&e, &k, ACK, "x", 1, NULL, 0);
	size_t len = 30;
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, k.b, &len, sizeof k.b), ==,
			FC_ERR_DTS_PACKET);
	c = k;
	c.b[0] = 0x44;
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, c.b, &c.len, sizeof c.b), ==,
			FC_ERR_DTS_PACKET);
	c = k;
	c.b[20 + 12] = 0xf0; /* 60 header bytes in a 41-byte segment */
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, c.b, &c.len, sizeof c.b), ==,
			FC_ERR_DTS_PACKET);
	e.use_ts = true;
	ep_send(&e, &k, SYN, NULL, 0, NULL, 0);
	k.b[20 + 20 + 5] = 40; /* the SACK-permitted option claims 40 bytes */
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, k.b, &k.len, sizeof k.b), ==,
			FC_ERR_DTS_PACKET);
	/* Not TCP, and a later fragment: not ours. */
	c = k;
	c.b[9] = 17;
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, c.b, &c.len, sizeof c.b), ==,
			FC_DTS_ACCEPT);
	c = k;
	wr16(c.b + 6, 100);
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, c.b, &c.len, sizeof c.b), ==,
			FC_DTS_ACCEPT);
	/* Nothing leaves with the proxy's port unless a connection has it. */
	struct ep px;
	ep_init(&px, "px", V, PROXY, C, 7777, 5, false, 0);
	ep_send(&px, &k, ACK | RST, NULL, 0, NULL, 0);
	g_assert_cmpint(fc_dts_outbound(w.node[0], w.now, k.b, &k.len, sizeof k.b), ==,
			FC_DTS_DROP);
	ep_clear(&e);
	ep_clear(&other);
	ep_clear(&plain);
	ep_clear(&px);
	world_clear(&w);
}

static void
test_handover_refused(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	struct fc_dts *src = w.node[0];
	g_assert_cmpint(fc_dts_handover(src, w.now, C, w.cport, IS + 1, HPORT), ==,
			FC_ERR_DTS_NO_CONN);
	send_from(&w, -1, &w.client, SYN, NULL, 0, NULL, 0);
	/* Before the proxy answered. */
	g_assert_cmpint(fc_dts_handover(src, w.now, C, w.cport, IS + 1, HPORT), ==,
			FC_ERR_DTS_STATE);
	send_from(&w, 0, &w.proxy, SYN | ACK, NULL, 0, NULL, 0);
	g_assert_cmpint(fc_dts_handover(src, w.now, C, w.cport, IS, HPORT), ==, FC_ERR_INVAL);
	g_assert_cmpint(fc_dts_handover(src, w.now, C, w.cport, IS + 1, 0), ==, FC_ERR_INVAL);
	g_assert_cmpint(fc_dts_handover(src, w.now, C, w.cport, IS + 1, PROXY), ==,
			FC_ERR_INVAL);
	/* The proxy wrote: its sequence space moved on. */
	send_from(&w, -1, &w.client, ACK, request, 10, NULL, 0);
	send_from(&w, 0, &w.proxy, ACK, "HTTP", 4, NULL, 0);
	g_assert_cmpint(fc_dts_handover(src, w.now, C, w.cport, IS + 1, HPORT), ==,
			FC_ERR_DTS_PROXY_WROTE);
	world_clear(&w);

	/* The paper's option has no room for timestamps. */
	struct setup paper = usual;
	paper.option = FC_DTS_OPTION_PAPER;
	world_init(&w, &paper, 0, 1);
	connect_and_request(&w);
	g_assert_cmpint(fc_dts_handover(w.node[0], w.now, C, w.cport, IS + 1, HPORT), ==,
			FC_ERR_DTS_PAPER_TS);
	world_clear(&w);

	struct fc_dts_config bad = { .service_addr = V, .app_port = APP, .proxy_port = APP,
				     .internal_addr = IS, .nnodes = 1 };
	struct fc_dts *d = NULL;
	g_assert_cmpint(fc_dts_new(&bad, &d), ==, FC_ERR_INVAL);
	bad.proxy_port = PROXY;
	bad.index = 1;
	g_assert_cmpint(fc_dts_new(&bad, &d), ==, FC_ERR_INVAL);
	bad.index = 0;
	bad.internal_addr = V;
	g_assert_cmpint(fc_dts_new(&bad, &d), ==, FC_ERR_INVAL);
	g_assert_null(d);
	fc_dts_free(NULL);
}

/* The FIN overtakes the request: dropped, then taken when it comes again
   after the data. */
static void
test_fin_first(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	connect_and_request(&w);
	handover_connect(&w);
	/* Build the data segment, then the FIN, and deliver the FIN first. */
	struct pkt data, fin;
	ep_send(&w.hsrc, &data, ACK, request, sizeof request - 1, NULL, 0);
	ep_send(&w.hsrc, &fin, FIN | ACK, NULL, 0, NULL, 0);
	g_assert_cmpint(fc_dts_outbound(w.node[0], w.now, data.b, &data.len, sizeof data.b), ==,
			FC_DTS_ACCEPT);
	g_assert_cmpint(fc_dts_outbound(w.node[0], w.now, fin.b, &fin.len, sizeof fin.b), ==,
			FC_DTS_ACCEPT);
	struct pkt early = fin;
	g_assert_cmpint(fc_dts_inbound(w.node[1], w.now, early.b, &early.len, sizeof early.b),
			==, FC_DTS_DROP);
	g_assert_cmpint(fc_dts_conn_state(w.node[1], C, w.cport), ==, FC_DTS_DST_XFER);
	node_in(&w, 1, &data);
	g_assert_cmpuint(w.app.rx->len, ==, sizeof request - 1);
	/* The data was delivered, not yet acknowledged: the FIN is held. */
	node_in(&w, 1, &fin);
	g_assert_cmpint(fc_dts_conn_state(w.node[1], C, w.cport), ==, FC_DTS_DST_XFER);
	g_assert_cmpint(w.done, ==, 0);
	g_assert_cmpuint(w.app.peer_win, ==, 0);
	/* The stack's acknowledgment releases it. */
	send_from(&w, 1, &w.app, ACK, NULL, 0, NULL, 0);
	g_assert_cmpint(fc_dts_conn_state(w.node[1], C, w.cport), ==, FC_DTS_DST_DIRECT);
	g_assert_cmpint(w.taken, ==, 1);
	g_assert_cmpint(w.done, ==, 1);
	g_assert_cmpuint(w.app.peer_win, ==, (uint64_t)w.client.win_field << w.app.peer_ws);
	g_assert_cmphex(w.app.rcv_nxt, ==, w.client.snd_nxt);
	respond(&w, 100);
	world_clear(&w);
}

/* The destination's acknowledgment of the FIN is lost; the source sends
   the FIN again and gets it again. */
static void
test_fin_ack_lost(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	connect_and_request(&w);
	handover_data(&w);
	w.drop_fin_ack = true;
	handover_fin(&w);
	g_assert_cmpint(fc_dts_conn_state(w.node[1], C, w.cport), ==, FC_DTS_DST_DIRECT);
	g_assert_cmpint(fc_dts_conn_state(w.node[0], C, w.cport), ==, FC_DTS_SRC_FIN);
	g_assert_cmpint(w.done, ==, 0);
	/* The source retransmits its FIN. */
	w.hsrc.snd_nxt--;
	handover_fin(&w);
	g_assert_cmpint(w.done, ==, 1);
	g_assert_true(w.hsrc.reset && w.proxy.reset);
	respond(&w, 10);
	world_clear(&w);
}

/* Client data during the handover is dropped by both nodes, and reaches
   the destination when the client sends it again. */
static void
test_client_during_handover(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	connect_and_request(&w);
	handover_data(&w);
	size_t before = w.app.rx->len;
	struct pkt k;
	w.client.win_field = 4321;
	ep_send(&w.client, &k, ACK, "more", 4, NULL, 0);
	for (int n = 0; n < NNODES; n++) {
		struct pkt c = k;
		g_assert_cmpint(fc_dts_inbound(w.node[n], w.now, c.b, &c.len, sizeof c.b), ==,
				FC_DTS_DROP);
	}
	handover_fin(&w);
	g_assert_cmpint(w.done, ==, 1);
	/* The window the client advertised last reached the destination. */
	g_assert_cmpuint(w.app.peer_win, ==, (uint64_t)4321 << w.app.peer_ws);
	/* The client retransmits. */
	w.client.snd_nxt -= 4;
	send_from(&w, -1, &w.client, ACK, "more", 4, NULL, 0);
	g_assert_cmpuint(w.app.rx->len, ==, before + 4);
	g_assert_cmphex(w.app.rcv_nxt, ==, w.client.snd_nxt);
	respond(&w, 10);
	world_clear(&w);
}

/* A source that passes on fewer bytes than the proxy read fails the
   handover instead of leaving a hole in the stream. */
static void
test_wrong_bytes(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	connect_and_request(&w);
	handover_connect(&w);
	send_from(&w, 0, &w.hsrc, ACK, request, 5, NULL, 0);
	handover_fin(&w);
	g_assert_cmpint(w.failed, ==, 1);
	g_assert_cmpint(w.failed_reason, ==, FC_ERR_DTS_BYTES);
	g_assert_cmpint(fc_dts_conn_state(w.node[0], C, w.cport), ==, FC_DTS_FAILED);
	/* The client's packets go nowhere at the source now. */
	struct pkt k;
	ep_send(&w.client, &k, ACK, NULL, 0, NULL, 0);
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, k.b, &k.len, sizeof k.b), ==,
			FC_DTS_DROP);
	world_clear(&w);
}

/* A destination that never answers: the handover times out, and the
   source resets its proxy socket locally. */
static void
test_timeout(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	connect_and_request(&w);
	fc_time_t t0 = w.now;
	g_assert_cmpint(fc_dts_handover(w.node[0], t0, C, w.cport, IS + 1, HPORT), ==, 0);
	/* The idle timeout (15 min by default) of the others is later. */
	g_assert_cmpuint(fc_dts_expiry(w.node[0]), ==, t0 + 5 * FC_SEC);
	fc_dts_handle_expiry(w.node[0], t0 + 5 * FC_SEC - 1);
	g_assert_cmpint(fc_dts_conn_state(w.node[0], C, w.cport), ==, FC_DTS_SRC_XFER);
	fc_dts_handle_expiry(w.node[0], t0 + 5 * FC_SEC);
	drain(&w, 0);
	g_assert_cmpint(w.failed, ==, 1);
	g_assert_cmpint(w.failed_reason, ==, FC_ERR_DTS_TIMEOUT);
	g_assert_true(w.proxy.reset);
	g_assert_cmpuint(fc_dts_expiry(w.node[0]), ==, t0 + 35 * FC_SEC);
	fc_dts_handle_expiry(w.node[0], t0 + 35 * FC_SEC);
	g_assert_cmpint(fc_dts_conn_state(w.node[0], C, w.cport), ==, FC_ERR_DTS_NO_CONN);
	g_assert_cmpuint(fc_dts_expiry(w.node[0]), ==, FC_TIME_NEVER);
	world_clear(&w);
}

/* Damaged handover options and forged SYN-ACKs change nothing. */
static void
test_forged(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	connect_and_request(&w);
	g_assert_cmpint(fc_dts_handover(w.node[0], w.now, C, w.cport, IS + 1, HPORT), ==, 0);
	struct pkt k;
	ep_send(&w.hsrc, &k, SYN, NULL, 0, NULL, 0);
	g_assert_cmpint(fc_dts_outbound(w.node[0], w.now, k.b, &k.len, sizeof k.b), ==,
			FC_DTS_ACCEPT);
	/* Our kind with a wrong length, and a window scale out of range. */
	struct view v;
	view(&k, &v);
	size_t at = 0;
	for (size_t i = 0; i < v.olen;)
		if (v.opt[i] <= 1)
			i++;
		else {
			if (v.opt[i] == FC_DTS_EXP_KIND)
				at = (size_t)(v.opt + i - k.b);
			i += v.opt[i + 1];
		}
	g_assert_cmpuint(at, >, 0);
	struct pkt bad = k;
	bad.b[at + 18] = 15;
	set_checksums(bad.b, bad.len);
	g_assert_cmpint(fc_dts_inbound(w.node[1], w.now, bad.b, &bad.len, sizeof bad.b), ==,
			FC_ERR_DTS_PACKET);
	bad = k;
	bad.b[at + 1] = 18;
	g_assert_cmpint(fc_dts_inbound(w.node[1], w.now, bad.b, &bad.len, sizeof bad.b), ==,
			FC_ERR_DTS_PACKET);
	g_assert_cmpint(fc_dts_conn_state(w.node[1], C, w.cport), ==, FC_ERR_DTS_NO_CONN);
	/* Another experiment's option under kind 253 is not ours. */
	bad = k;
	bad.b[at + 2] ^= 0xff;
	g_assert_cmpint(fc_dts_inbound(w.node[1], w.now, bad.b, &bad.len, sizeof bad.b), ==,
			FC_DTS_ACCEPT);
	g_assert_cmpint(fc_dts_conn_state(w.node[1], C, w.cport), ==, FC_ERR_DTS_NO_CONN);
	/* A SYN-ACK from a node that is not the destination. */
	struct ep fake;
	ep_init(&fake, "fake", IX + 5, APP, IS, HPORT, 9, false, 0);
	ep_send(&fake, &k, SYN | ACK, NULL, 0, NULL, 0);
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, k.b, &k.len, sizeof k.b), ==,
			FC_DTS_ACCEPT); /* not a handover's: the stack will reset it */
	g_assert_cmpint(fc_dts_conn_state(w.node[0], C, w.cport), ==, FC_DTS_SRC_XFER);
	ep_clear(&fake);
	world_clear(&w);
}

/* A bit flipped on the wire: the filter refuses the segment instead of
   giving it fresh, valid checksums, and nothing changes. */
static void
test_damaged(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	send_from(&w, -1, &w.client, SYN, NULL, 0, NULL, 0);
	send_from(&w, 0, &w.proxy, SYN | ACK, NULL, 0, NULL, 0);
	struct pkt k;
	ep_send(&w.client, &k, ACK, request, sizeof request - 1, NULL, 0);
	struct pkt bad = k;
	bad.b[bad.len - 5] ^= 0x20;
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, bad.b, &bad.len, sizeof bad.b), ==,
			FC_ERR_DTS_CHECKSUM);
	bad = k;
	bad.b[8] = 3; /* the TTL, under the IP checksum only */
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, bad.b, &bad.len, sizeof bad.b), ==,
			FC_ERR_DTS_CHECKSUM);
	/* The good copy goes through and the handover works. */
	node_in(&w, 0, &k);
	g_assert_cmpmem(w.proxy.rx->data, w.proxy.rx->len, request, sizeof request - 1);
	send_from(&w, 0, &w.proxy, ACK, NULL, 0, NULL, 0);
	handover_data(&w);
	handover_fin(&w);
	g_assert_cmpint(w.taken, ==, 1);
	world_clear(&w);
}

/* The request's second segment overtakes its first: the proxy's stack
   puts them together, the proxy reads all of it, and the handover that
   passes on all of it succeeds. */
static void
test_reordered_request(void)
{
	struct setup s = { 1000, 2000, 3000, 4000, true, 7, 7, FC_DTS_OPTION_EXP };
	struct world w;
	world_init(&w, &s, 0, 1);
	send_from(&w, -1, &w.client, SYN, NULL, 0, NULL, 0);
	send_from(&w, 0, &w.proxy, SYN | ACK, NULL, 0, NULL, 0);
	size_t half = 10;
	struct pkt a, b;
	ep_send(&w.client, &a, ACK, request, half, NULL, 0);
	ep_send(&w.client, &b, ACK, request + half, sizeof request - 1 - half, NULL, 0);
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, b.b, &b.len, sizeof b.b), ==,
			FC_DTS_ACCEPT);
	g_assert_cmpint(fc_dts_inbound(w.node[0], w.now, a.b, &a.len, sizeof a.b), ==,
			FC_DTS_ACCEPT);
	/* (the proxy's stack reassembles: the model takes it whole) */
	w.proxy.rcv_nxt = w.client.snd_nxt;
	send_from(&w, 0, &w.proxy, ACK, NULL, 0, NULL, 0);
	handover_data(&w);
	handover_fin(&w);
	g_assert_cmpint(w.failed, ==, 0);
	g_assert_cmpint(w.taken, ==, 1);
	g_assert_cmphex(w.app.rcv_nxt, ==, w.client.snd_nxt);
	world_clear(&w);
}

/* The source passes on fewer bytes than the proxy acknowledged to the
   client: those bytes would be lost, so the handover fails. */
static void
test_short_of_acked(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	connect_and_request(&w);
	send_from(&w, -1, &w.client, ACK, "more", 4, NULL, 0);
	send_from(&w, 0, &w.proxy, ACK, NULL, 0, NULL, 0);
	handover_data(&w); /* the request, not "more" */
	handover_fin(&w);
	g_assert_cmpint(w.failed, ==, 1);
	g_assert_cmpint(w.failed_reason, ==, FC_ERR_DTS_BYTES);
	world_clear(&w);
}

static uint16_t
port_after(int node, uint16_t after)
{
	for (uint16_t p = after + 1;; p++)
		if (fc_dts_hash(C, p) % NNODES == (uint32_t)node)
			return p;
}

/* The source hands a second client over from the port it used for the
   first, whose closed connection still lingers at the destination: the
   key is the new connection's, and the old one's end leaves it alone. */
static void
test_port_reused(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	connect_and_request(&w);
	handover_data(&w);
	handover_fin(&w);
	g_assert_cmpint(w.taken, ==, 1);
	uint16_t first = w.cport;
	send_from(&w, -1, &w.client, RST | ACK, NULL, 0, NULL, 0);
	g_assert_cmpint(fc_dts_conn_state(w.node[1], C, first), ==, FC_DTS_CLOSED);
	fc_time_t closed_at = w.now;
	w.now = closed_at + 30 * FC_SEC - 10 * FC_MSEC;
	static const struct setup second = { 500, 600, 700, 800, true, 7, 7, FC_DTS_OPTION_EXP };
	ep_clear(&w.client);
	ep_clear(&w.proxy);
	ep_clear(&w.hsrc);
	ep_clear(&w.app);
	w.cport = port_after(0, first);
	endpoints_init(&w, &second);
	w.taken = w.done = 0;
	connect_and_request(&w);
	handover_connect(&w);
	/* The old connection's linger ends in the middle of the new one. */
	fc_dts_handle_expiry(w.node[1], closed_at + 30 * FC_SEC);
	g_assert_cmpint(fc_dts_conn_state(w.node[1], C, first), ==, FC_ERR_DTS_NO_CONN);
	send_from(&w, 0, &w.hsrc, ACK, request, sizeof request - 1, NULL, 0);
	send_from(&w, 1, &w.app, ACK, NULL, 0, NULL, 0);
	handover_fin(&w);
	g_assert_cmpint(w.taken, ==, 1);
	g_assert_cmpint(w.done, ==, 1);
	respond(&w, 100);
	world_clear(&w);
}

/* The destination's filter lets the request through but its stack loses
   it (a full queue): the FIN waits, and the source's retransmission of
   the request completes the handover with nothing lost. */
static void
test_stack_drop(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	connect_and_request(&w);
	handover_connect(&w);
	struct pkt data;
	ep_send(&w.hsrc, &data, ACK, request, sizeof request - 1, NULL, 0);
	struct pkt again = data;
	g_assert_cmpint(fc_dts_outbound(w.node[0], w.now, data.b, &data.len, sizeof data.b), ==,
			FC_DTS_ACCEPT);
	g_assert_cmpint(fc_dts_inbound(w.node[1], w.now, data.b, &data.len, sizeof data.b), ==,
			FC_DTS_ACCEPT);
	/* ... and the stack drops it.  The FIN comes. */
	handover_fin(&w);
	g_assert_cmpint(w.done, ==, 0);
	g_assert_cmpint(fc_dts_conn_state(w.node[1], C, w.cport), ==, FC_DTS_DST_XFER);
	/* The source sends the request again; the stack takes and acks it. */
	w.now += 200 * FC_MSEC;
	g_assert_cmpint(fc_dts_outbound(w.node[0], w.now, again.b, &again.len, sizeof again.b),
			==, FC_DTS_ACCEPT);
	route(&w, 0, &again);
	send_from(&w, 1, &w.app, ACK, NULL, 0, NULL, 0);
	g_assert_cmpint(w.done, ==, 1);
	g_assert_cmphex(w.app.rcv_nxt, ==, w.client.snd_nxt);
	g_assert_cmpmem(w.app.rx->data, w.app.rx->len, request, sizeof request - 1);
	respond(&w, 100);
	world_clear(&w);
}

/* A source stack that offers no options at all: its SYN grows the most
   (the client's options and ours), within FC_DTS_HEADROOM. */
static void
test_growth(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	connect_and_request(&w);
	g_assert_cmpint(fc_dts_handover(w.node[0], w.now, C, w.cport, IS + 1, HPORT), ==, 0);
	w.hsrc.use_ts = w.hsrc.offer_sack = w.hsrc.offer_ws = false;
	struct pkt k;
	ep_send(&w.hsrc, &k, SYN, NULL, 0, NULL, 0);
	size_t before = k.len;
	g_assert_cmpint(fc_dts_outbound(w.node[0], w.now, k.b, &k.len, sizeof k.b), ==,
			FC_DTS_ACCEPT);
	g_assert_cmpuint(k.len - before, <=, FC_DTS_HEADROOM);
	g_assert_cmpuint(k.len, ==, 20 + 20 + 40);
	world_clear(&w);
}

/* Expiry at the end of time, on an empty filter and on a full one. */
static void
test_expiry_never(void)
{
	struct world w;
	world_init(&w, &usual, 0, 1);
	fc_dts_handle_expiry(w.node[0], FC_TIME_NEVER);
	connect_and_request(&w);
	g_assert_cmpint(fc_dts_handover(w.node[0], w.now, C, w.cport, IS + 1, HPORT), ==, 0);
	fc_dts_handle_expiry(w.node[0], FC_TIME_NEVER - 1);
	drain(&w, 0);
	g_assert_cmpint(w.failed, ==, 1);
	g_assert_cmpint(fc_dts_conn_state(w.node[0], C, w.cport), ==, FC_ERR_DTS_NO_CONN);
	fc_dts_handle_expiry(w.node[0], FC_TIME_NEVER);
	g_assert_cmpuint(fc_dts_expiry(w.node[0]), ==, FC_TIME_NEVER);
	world_clear(&w);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/dts/handover", test_plain);
	g_test_add_func("/dts/wrap", test_wrap);
	g_test_add_func("/dts/no-timestamps", test_no_timestamps);
	g_test_add_func("/dts/rescale", test_rescale);
	g_test_add_func("/dts/paper-option", test_paper_option);
	g_test_add_func("/dts/syn-option", test_syn_option);
	g_test_add_func("/dts/accept-one", test_accept_one);
	g_test_add_func("/dts/stray-and-damaged", test_stray_and_damaged);
	g_test_add_func("/dts/refused", test_handover_refused);
	g_test_add_func("/dts/fin-first", test_fin_first);
	g_test_add_func("/dts/fin-ack-lost", test_fin_ack_lost);
	g_test_add_func("/dts/client-during-handover", test_client_during_handover);
	g_test_add_func("/dts/wrong-bytes", test_wrong_bytes);
	g_test_add_func("/dts/timeout", test_timeout);
	g_test_add_func("/dts/forged", test_forged);
	g_test_add_func("/dts/damaged", test_damaged);
	g_test_add_func("/dts/reordered-request", test_reordered_request);
	g_test_add_func("/dts/short-of-acked", test_short_of_acked);
	g_test_add_func("/dts/port-reused", test_port_reused);
	g_test_add_func("/dts/stack-drop", test_stack_drop);
	g_test_add_func("/dts/growth", test_growth);
	g_test_add_func("/dts/expiry-never", test_expiry_never);
	return g_test_run();
}
