/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DTS filter (flashcoop/dts.h).  Notation, all arithmetic mod 2^32:
 *
 *   isn_c  the client's ISN; isn_s  the ISN this cluster gave the client;
 *   isn_x  the source stack's ISN on the handover connection;
 *   isn_d  the destination stack's ISN.
 *
 * The source shifts what its stack sends on the handover connection by
 * -d_src (d_src = isn_x - isn_c), so the destination's stack sees the
 * client's sequence space itself and needs no shift that way; acks coming
 * back get +d_src.  The destination shifts what its stack sends by
 * d_dst = isn_s - isn_d and what it receives (acks, SACK blocks) by
 * -d_dst, for the connection's whole life.  Timestamps: the source sends
 * the client's last TSval (frozen) so that the destination's PAWS check
 * accepts the client's later ones; the destination adds tau to its TSvals
 * (tau puts its first one just after the last the client saw) and takes
 * tau from the echoes it receives.
 *
 * Each connection is found by the client's (address, port) and, while a
 * handover runs, by the handover connection's (remote address, local
 * port, remote port).  Expiry uses three lists, each ordered by deadline
 * because each has one timeout: live connections by last packet (a touch
 * moves one to the tail), handovers by start, closed ones by close.
 */
#include <string.h>

#include <glib.h>

#include "flashcoop/dts.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

#define OPT_EOL 0
#define OPT_NOP 1
#define OPT_MSS 2
#define OPT_WS 3
#define OPT_SACK_OK 4
#define OPT_SACK 5
#define OPT_TS 8

/* Flags in the experimental option. */
#define XF_TS 0x01
#define XF_SACK 0x02
#define XF_WS 0x04

enum list_id { L_LIVE, L_XFER, L_CLOSED, NLISTS };

struct conn {
	enum fc_dts_state state;
	bool source;
	uint32_t caddr;
	uint16_t cport;
	/* The handover connection: the other node's internal address, this
	   node's port and the other's (source: p and app_port; destination:
	   app_port and p). */
	bool has_alias;
	uint32_t peer_addr;
	uint16_t local_port, remote_port;

	uint32_t isn_c, isn_s, isn_x, isn_d;
	uint32_t d_src, d_dst;
	bool have_isn_s, have_isn_x, have_isn_d;

	/* What the client offered in its SYN, and what it negotiated with the
	   proxy (both sides offered). */
	uint16_t mss_c;
	bool c_ws, c_ts, c_sack;
	uint8_t ws_c;
	bool ws_on, ts_on, sack_on;
	uint8_t ws_s;         /* the scale the client was told */

	/* Source side. */
	uint32_t client_win;  /* the client's last window field */
	uint32_t client_tsval;
	bool have_client_tsval;
	uint32_t proxy_tsval; /* the last TSval the client got */
	uint32_t client_end;  /* the end of the client's bytes seen, in any order */
	uint32_t proxy_acked; /* the most the proxy's stack acknowledged to the
				 client: bytes the client holds delivered */
	uint32_t proxy_nxt;   /* its SND.NXT */
	bool proxy_wrote;
	uint32_t own_tsval;   /* the source stack's last TSval on the handover */
	uint32_t dst_nxt;     /* the destination's next sequence, as presented */
	uint32_t fin_seq;     /* where the source's FIN sits (client space) */

	/* Destination side. */
	uint32_t tau;
	uint32_t ts_last_s;   /* from the option: the last TSval the client saw */
	uint8_t ws_d;         /* the destination stack's own scale */
	bool rescale;
	uint32_t dst_acked;   /* the destination stack's RCV.NXT */
	bool have_dst_acked;
	uint32_t fwd_nxt;     /* the end of the source's bytes delivered to it
				 without a gap */
	/* The source's FIN, taken but held until the stack acknowledged
	   every byte before it. */
	bool fin_held;
	uint32_t fin_ack;     /* its ack, in the destination's space */
	uint32_t fin_wire_ack; /* as the source sent it */
	uint16_t fin_win;     /* the client's window it carried */
	uint32_t fin_tsval, fin_tsecr;
	bool fin_ts;

	bool fin_in, fin_out;
	fc_time_t deadline_base; /* last packet, handover start, or close */
	enum list_id list;
	GList link;
};

struct action {
	struct fc_dts_action a;
	uint8_t *packet;
};

struct fc_dts {
	struct fc_dts_config c;
	GHashTable *by_client; /* uint64 key -> struct conn */
	GHashTable *by_alias;
	GQueue lists[NLISTS];
	fc_time_t timeout[NLISTS];
	GQueue actions;        /* struct action *, in order */
	struct action *current; /* the one handed out last */
	struct fc_dts_stats st;
};

/* ---- sequence arithmetic ---- */

static inline bool
seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool
seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/* ---- byte access, network order ---- */

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- packets ---- */

/* A parsed IPv4/TCP packet; offsets into its bytes. */
struct seg {
	uint8_t *p;
	size_t len;     /* the datagram's length (IP total length) */
	size_t ihl;     /* IP header bytes */
	size_t th;      /* offset of the TCP header */
	size_t doff;    /* TCP header bytes */
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	size_t plen;    /* payload bytes */
	/* Options: offsets of the option (its kind byte), 0 if absent. */
	size_t o_mss, o_ws, o_sack_ok, o_ts, o_dts;
	size_t o_sack[4];
	int nsack;
};

/* The TCP payload's length in sequence space (SYN and FIN count one). */
static uint32_t
seg_span(const struct seg *s)
{
	return (uint32_t)s->plen + !!(s->flags & TH_SYN) + !!(s->flags & TH_FIN);
}

/*
 * Reads an IPv4 packet.  Returns 1 for a TCP segment it filled in, 0 for a
 * packet that is not one (another protocol, a fragment after the first:
 * not ours), or FC_ERR_DTS_PACKET.
 */
static int
seg_parse(const struct fc_dts *d, uint8_t *p, size_t len, struct seg *s)
{
	memset(s, 0, sizeof *s);
	if (len < 20 || p[0] >> 4 != 4)
		return len >= 1 && p[0] >> 4 != 4 ? 0 : FC_ERR_DTS_PACKET;
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	size_t tot = get16(p + 2);
	if (ihl < 20 || tot < ihl || tot > len)
		return FC_ERR_DTS_PACKET;
	if (p[9] != 6)
		return 0;
	uint16_t frag = get16(p + 6);
	if (frag & 0x1fff)
		return 0;
	if (frag & 0x2000) {
		/* A first fragment of TCP to or from us: we cannot rewrite a
		   segment we do not hold whole. */
		uint32_t sa = get32(p + 12), da = get32(p + 16);
		if (sa == d->c.service_addr || da == d->c.service_addr ||
		    sa == d->c.internal_addr || da == d->c.internal_addr)
			return FC_ERR_DTS_PACKET;
		return 0;
	}
	if (tot - ihl < 20)
		return FC_ERR_DTS_PACKET;
	uint8_t *t = p + ihl;
	size_t doff = (size_t)(t[12] >> 4) * 4;
	if (doff < 20 || doff > tot - ihl)
		return FC_ERR_DTS_PACKET;
	s->p = p;
	s->len = tot;
	s->ihl = ihl;
	s->th = ihl;
	s->doff = doff;
	s->saddr = get32(p + 12);
	s->daddr = get32(p + 16);
	s->sport = get16(t);
	s->dport = get16(t + 2);
	s->seq = get32(t + 4);
	s->ack = get32(t + 8);
	s->flags = t[13];
	s->win = get16(t + 14);
	s->plen = tot - ihl - doff;
	for (size_t i = 20; i < doff;) {
		uint8_t kind = t[i];
		if (kind == OPT_EOL)
			break;
		if (kind == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= doff || t[i + 1] < 2 || i + t[i + 1] > doff)
			return FC_ERR_DTS_PACKET;
		uint8_t olen = t[i + 1];
		size_t at = ihl + i;
		switch (kind) {
		case OPT_MSS:
			if (olen != 4)
				return FC_ERR_DTS_PACKET;
			s->o_mss = at;
			break;
		case OPT_WS:
			if (olen != 3)
				return FC_ERR_DTS_PACKET;
			s->o_ws = at;
			break;
		case OPT_SACK_OK:
			if (olen != 2)
				return FC_ERR_DTS_PACKET;
			s->o_sack_ok = at;
			break;
		case OPT_TS:
			if (olen != 10)
				return FC_ERR_DTS_PACKET;
			s->o_ts = at;
			break;
		case OPT_SACK:
			if ((olen - 2) % 8 != 0 || olen < 10)
				return FC_ERR_DTS_PACKET;
			for (size_t b = 2; b < olen && s->nsack < 4; b += 8)
				s->o_sack[s->nsack++] = at + b;
			break;
		case FC_DTS_PAPER_KIND:
			if (d->c.option == FC_DTS_OPTION_PAPER) {
				if (olen != FC_DTS_PAPER_LEN)
					return FC_ERR_DTS_PACKET;
				s->o_dts = at;
			}
			break;
		case FC_DTS_EXP_KIND:
			if (d->c.option == FC_DTS_OPTION_EXP && olen >= 4 &&
			    get16(t + i + 2) == d->c.exid) {
				if (olen != FC_DTS_EXP_LEN)
					return FC_ERR_DTS_PACKET;
				s->o_dts = at;
			}
			break;
		default:
			break;
		}
		i += olen;
	}
	return 1;
}

/* The Internet checksum of a buffer, folded into sum (not complemented). */
static uint32_t
csum_add(uint32_t sum, const uint8_t *b, size_t n)
{
	for (; n >= 2; b += 2, n -= 2)
		sum += get16(b);
	if (n)
		sum += (uint32_t)b[0] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Whether both checksums of the datagram s was parsed from are right. */
static bool
seg_checksums_ok(const struct seg *s)
{
	size_t tl = s->len - s->ihl;

	if (csum_fold(csum_add(0, s->p, s->ihl)) != 0)
		return false;
	return csum_fold(csum_add(csum_add(0, s->p + 12, 8) + 6 + (uint32_t)tl, s->p + s->th,
				  tl)) == 0;
}

/*
 * Every packet the filter rewrites gets new checksums, so a packet damaged
 * on the way must be refused before: it would leave looking whole.
 */
static int
verified(const struct fc_dts *d, const struct seg *s)
{
	return d->c.trust_checksums || seg_checksums_ok(s) ? 0 : FC_ERR_DTS_CHECKSUM;
}

/* Writes the header fields of s back and recomputes both checksums. */
static void
seg_write(struct seg *s)
{
	uint8_t *p = s->p, *t = p + s->th;
	put32(p + 12, s->saddr);
	put32(p + 16, s->daddr);
	put16(t, s->sport);
	put16(t + 2, s->dport);
	put32(t + 4, s->seq);
	put32(t + 8, s->ack);
	t[13] = s->flags;
	put16(t + 14, s->win);
	put16(p + 10, 0);
	put16(p + 10, csum_fold(csum_add(0, p, s->ihl)));
	size_t tl = s->len - s->ihl;
	uint32_t sum = csum_add(0, p + 12, 8);
	sum += 6 + (uint32_t)tl;
	put16(t + 16, 0);
	put16(t + 16, csum_fold(csum_add(sum, t, tl)));
}

static void
ts_get(const struct seg *s, uint32_t *val, uint32_t *ecr)
{
	*val = get32(s->p + s->o_ts + 2);
	*ecr = get32(s->p + s->o_ts + 6);
}

static void
ts_put(struct seg *s, uint32_t val, uint32_t ecr)
{
	put32(s->p + s->o_ts + 2, val);
	put32(s->p + s->o_ts + 6, ecr);
}

/* The window scale a SYN announces, 0 without one; RFC 7323 reads a
   value over 14 as 14. */
static uint8_t
ws_of(const struct seg *s)
{
	return s->o_ws ? MIN(s->p[s->o_ws + 2], 14) : 0;
}

/* Adds delta to both edges of every SACK block. */
static void
sack_shift(struct seg *s, uint32_t delta)
{
	for (int i = 0; i < s->nsack; i++) {
		uint8_t *b = s->p + s->o_sack[i];
		put32(b, get32(b) + delta);
		put32(b + 4, get32(b + 4) + delta);
	}
}

/* ---- connections ---- */

static uint64_t
client_key(uint32_t addr, uint16_t port)
{
	return (uint64_t)addr << 16 | port;
}

static uint64_t
alias_key(uint32_t remote, uint16_t local_port, uint16_t remote_port)
{
	return (uint64_t)remote << 32 | (uint64_t)local_port << 16 | remote_port;
}

uint32_t
fc_dts_hash(uint32_t client_addr, uint16_t client_port)
{
	uint8_t b[6];
	put32(b, client_addr);
	put16(b + 4, client_port);
	uint32_t h = 2166136261u;
	for (int i = 0; i < 6; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

/*
 * Puts c on list l with deadline base `base`.  Each list stays ordered by
 * base: a base is almost always the latest (now), and an earlier one (a
 * hand-over that failed at its deadline, handled late) walks back from
 * the tail to its place.
 */
static void
conn_list(struct fc_dts *d, struct conn *c, enum list_id l, fc_time_t base)
{
	GQueue *q = &d->lists[l];
	GList *at;

	g_queue_unlink(&d->lists[c->list], &c->link);
	c->list = l;
	c->deadline_base = base;
	at = q->tail;
	while (at && ((struct conn *)at->data)->deadline_base > base)
		at = at->prev;
	if (at)
		g_queue_insert_after_link(q, at, &c->link);
	else
		g_queue_push_head_link(q, &c->link);
}

/* A packet of a live connection: it moves to the tail of the live list. */
static void
conn_touch(struct fc_dts *d, struct conn *c, fc_time_t now)
{
	if (c->list == L_LIVE)
		conn_list(d, c, L_LIVE, now);
}

static void
conn_free(struct fc_dts *d, struct conn *c)
{
	g_queue_unlink(&d->lists[c->list], &c->link);
	if (c->has_alias) {
		uint64_t k = alias_key(c->peer_addr, c->local_port, c->remote_port);
		/* A later connection may have taken the key over. */
		if (g_hash_table_lookup(d->by_alias, &k) == c)
			g_hash_table_remove(d->by_alias, &k);
	}
	uint64_t k = client_key(c->caddr, c->cport);
	g_hash_table_remove(d->by_client, &k);
	d->st.conns--;
	g_free(c);
}

static struct conn *
conn_new(struct fc_dts *d, fc_time_t now, uint32_t caddr, uint16_t cport)
{
	struct conn *c = g_new0(struct conn, 1);
	c->caddr = caddr;
	c->cport = cport;
	c->link.data = c;
	c->list = L_LIVE;
	c->deadline_base = now;
	g_queue_push_tail_link(&d->lists[L_LIVE], &c->link);
	uint64_t *k = g_new(uint64_t, 1);
	*k = client_key(caddr, cport);
	g_hash_table_insert(d->by_client, k, c);
	d->st.conns++;
	return c;
}

static void
conn_alias(struct fc_dts *d, struct conn *c, uint32_t peer, uint16_t local_port,
	   uint16_t remote_port)
{
	uint64_t *k = g_new(uint64_t, 1);
	struct conn *old;

	*k = alias_key(peer, local_port, remote_port);
	/* The source used the port again for a new hand-over while an
	   older connection of that port lingers here: the key is the new
	   one's now. */
	old = g_hash_table_lookup(d->by_alias, k);
	if (old && old != c)
		old->has_alias = false;
	c->has_alias = true;
	c->peer_addr = peer;
	c->local_port = local_port;
	c->remote_port = remote_port;
	g_hash_table_insert(d->by_alias, k, c);
}

static struct conn *
by_client(const struct fc_dts *d, uint32_t addr, uint16_t port)
{
	uint64_t k = client_key(addr, port);
	return g_hash_table_lookup(d->by_client, &k);
}

static struct conn *
by_alias(const struct fc_dts *d, uint32_t remote, uint16_t local_port, uint16_t remote_port)
{
	uint64_t k = alias_key(remote, local_port, remote_port);
	return g_hash_table_lookup(d->by_alias, &k);
}

/* ---- actions ---- */

static struct action *
action_push(struct fc_dts *d, enum fc_dts_action_type type, const struct conn *c)
{
	struct action *a = g_new0(struct action, 1);
	a->a.type = type;
	a->a.client_addr = c->caddr;
	a->a.client_port = c->cport;
	g_queue_push_tail(&d->actions, a);
	return a;
}

/* Queues a segment with no payload: no options, or a timestamp option
   when ts is not NULL ({TSval, TSecr}). */
static void
action_segment(struct fc_dts *d, enum fc_dts_action_type type, const struct conn *c,
	       uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
	       uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, const uint32_t *ts)
{
	struct action *a = action_push(d, type, c);
	size_t len = ts ? 52 : 40;

	a->packet = g_malloc0(len);
	a->packet[0] = 0x45;
	put16(a->packet + 2, (uint16_t)len);
	put16(a->packet + 6, 0x4000); /* DF */
	a->packet[8] = 64;
	a->packet[9] = 6;
	a->packet[20 + 12] = (uint8_t)(((len - 20) / 4) << 4);
	struct seg s = {
		.p = a->packet, .len = len, .ihl = 20, .th = 20, .doff = len - 20,
		.saddr = saddr, .daddr = daddr, .sport = sport, .dport = dport,
		.seq = seq, .ack = ack, .flags = flags, .win = win,
	};
	if (ts) {
		uint8_t *o = a->packet + 40;
		o[0] = OPT_NOP;
		o[1] = OPT_NOP;
		o[2] = OPT_TS;
		o[3] = 10;
		put32(o + 4, ts[0]);
		put32(o + 8, ts[1]);
	}
	seg_write(&s);
	a->a.packet = a->packet;
	a->a.len = len;
}

static void
conn_fail(struct fc_dts *d, struct conn *c, fc_time_t now, int reason)
{
	struct action *a = action_push(d, FC_DTS_ACT_FAILED, c);
	a->a.reason = reason;
	c->state = FC_DTS_FAILED;
	d->st.failed++;
	conn_list(d, c, L_CLOSED, now);
}

static void
conn_close_if_done(struct fc_dts *d, struct conn *c, fc_time_t now, const struct seg *s)
{
	if (s->flags & TH_RST || (c->fin_in && c->fin_out)) {
		c->state = FC_DTS_CLOSED;
		conn_list(d, c, L_CLOSED, now);
	}
}

/* ---- the source ---- */

/* A client segment for a connection this node accepted. */
static int
src_from_client(struct fc_dts *d, struct conn *c, fc_time_t now, struct seg *s)
{
	if (s->flags & TH_SYN) {
		/* A retransmitted SYN while the proxy answers; anything else
		   is a stray. */
		if (c->state != FC_DTS_PROXYING || s->seq != c->isn_c)
			return FC_DTS_DROP;
	}
	if (!(s->flags & TH_SYN))
		c->client_win = s->win;
	if (s->o_ts && c->ts_on) {
		uint32_t v, e;
		ts_get(s, &v, &e);
		if (!c->have_client_tsval || seq_lt(c->client_tsval, v))
			c->client_tsval = v;
		c->have_client_tsval = true;
	}
	switch (c->state) {
	case FC_DTS_PROXYING:
		if (seq_lt(c->client_end, s->seq + (uint32_t)s->plen))
			c->client_end = s->seq + (uint32_t)s->plen;
		s->dport = d->c.proxy_port;
		seg_write(s);
		if (s->flags & TH_RST) {
			c->state = FC_DTS_CLOSED;
			conn_list(d, c, L_CLOSED, now);
		} else {
			conn_touch(d, c, now);
		}
		d->st.rewritten++;
		return FC_DTS_ACCEPT;
	case FC_DTS_SRC_XFER:
	case FC_DTS_SRC_FIN:
		/* Noted above; the client retransmits any data to the
		   destination once it has taken over. */
		return FC_DTS_DROP;
	default:
		return FC_DTS_DROP;
	}
}

/* The proxy's stack answering the client. */
static int
src_from_proxy(struct fc_dts *d, struct conn *c, fc_time_t now, struct seg *s)
{
	if (c->state != FC_DTS_PROXYING)
		return FC_DTS_DROP; /* its close, after the handover began */
	if (s->flags & TH_SYN) {
		if (!(s->flags & TH_ACK) || s->ack != c->isn_c + 1)
			return FC_DTS_DROP;
		c->isn_s = s->seq;
		c->have_isn_s = true;
		c->proxy_nxt = s->seq + 1;
		c->proxy_acked = s->ack;
		c->ws_on = c->c_ws && s->o_ws;
		c->ws_s = c->ws_on ? ws_of(s) : 0;
		c->ts_on = c->c_ts && s->o_ts;
		c->sack_on = c->c_sack && s->o_sack_ok;
	} else if (c->have_isn_s) {
		uint32_t end = s->seq + (uint32_t)s->plen + !!(s->flags & TH_FIN);
		if (seq_lt(c->proxy_nxt, end)) {
			c->proxy_wrote = true;
			c->proxy_nxt = end;
		}
		if (s->flags & TH_ACK && seq_lt(c->proxy_acked, s->ack) &&
		    seq_leq(s->ack, c->client_end))
			c->proxy_acked = s->ack;
	}
	if (s->o_ts && c->ts_on) {
		uint32_t v, e;
		ts_get(s, &v, &e);
		c->proxy_tsval = v;
	}
	s->sport = d->c.app_port;
	seg_write(s);
	d->st.rewritten++;
	if (s->flags & TH_RST) {
		c->state = FC_DTS_CLOSED;
		conn_list(d, c, L_CLOSED, now);
	} else {
		conn_touch(d, c, now);
	}
	return FC_DTS_ACCEPT;
}

/*
 * Replaces the options of the source's handover SYN by the client's
 * negotiated ones and the handover option.  Returns 0 or FC_ERR_BUFFER.
 */
static int
src_syn_options(struct fc_dts *d, struct conn *c, struct seg *s, size_t cap)
{
	uint8_t o[40];
	size_t n = 0;
	o[n++] = OPT_MSS;
	o[n++] = 4;
	put16(o + n, c->mss_c);
	n += 2;
	if (c->sack_on) {
		o[n++] = OPT_SACK_OK;
		o[n++] = 2;
	}
	if (c->ts_on) {
		o[n++] = OPT_TS;
		o[n++] = 10;
		put32(o + n, c->client_tsval);
		put32(o + n + 4, 0);
		n += 8;
	}
	if (c->ws_on) {
		o[n++] = OPT_WS;
		o[n++] = 3;
		o[n++] = c->ws_c;
	}
	if (d->c.option == FC_DTS_OPTION_EXP) {
		o[n++] = FC_DTS_EXP_KIND;
		o[n++] = FC_DTS_EXP_LEN;
		put16(o + n, d->c.exid);
		put32(o + n + 2, c->caddr);
		put16(o + n + 6, c->cport);
		put32(o + n + 8, c->isn_s);
		put32(o + n + 12, c->proxy_tsval);
		o[n + 16] = c->ws_s;
		o[n + 17] = (uint8_t)((c->ts_on ? XF_TS : 0) | (c->sack_on ? XF_SACK : 0) |
				      (c->ws_on ? XF_WS : 0));
		n += 18;
	} else {
		o[n++] = FC_DTS_PAPER_KIND;
		o[n++] = FC_DTS_PAPER_LEN;
		put32(o + n, c->caddr);
		put16(o + n + 4, c->cport);
		put32(o + n + 6, c->isn_s);
		n += 10;
	}
	while (n % 4)
		o[n++] = OPT_EOL;
	g_assert(n <= 40);
	size_t old = s->doff - 20, payload = s->plen;
	size_t newlen = s->len - old + n;
	if (newlen > cap || newlen > 65535)
		return FC_ERR_BUFFER;
	uint8_t *t = s->p + s->th;
	memmove(t + 20 + n, t + s->doff, payload);
	memcpy(t + 20, o, n);
	s->doff = 20 + n;
	t[12] = (uint8_t)((s->doff / 4) << 4 | (t[12] & 0x0f));
	s->len = newlen;
	put16(s->p + 2, (uint16_t)newlen);
	s->o_ts = c->ts_on ? s->th + 20 + 4 + (c->sack_on ? 2 : 0) : 0;
	s->nsack = 0;
	return 0;
}

/* The source's stack sending on its handover connection. */
static int
src_handover_out(struct fc_dts *d, struct conn *c, fc_time_t now, struct seg *s, size_t cap)
{
	if (c->state != FC_DTS_SRC_XFER && c->state != FC_DTS_SRC_FIN)
		return FC_DTS_DROP;
	uint32_t own = 0, ecr = 0;
	if (s->o_ts)
		ts_get(s, &own, &ecr);
	if (s->flags & TH_SYN) {
		if (s->flags & TH_ACK)
			return FC_DTS_DROP;
		c->isn_x = s->seq;
		c->have_isn_x = true;
		c->d_src = c->isn_x - c->isn_c;
		int rc = src_syn_options(d, c, s, cap);
		if (rc < 0)
			return rc;
	} else if (!c->have_isn_x) {
		return FC_DTS_DROP;
	}
	if (s->o_ts) {
		c->own_tsval = own;
		/* The client's clock, which the destination's PAWS check
		   will see from the client itself afterwards. */
		if (c->ts_on)
			ts_put(s, c->client_tsval, (s->flags & TH_SYN) ? 0 : ecr);
	}
	s->seq -= c->d_src;
	s->win = 0;
	if (s->flags & TH_RST) {
		seg_write(s);
		conn_fail(d, c, now, FC_ERR_DTS_RESET);
		return FC_DTS_ACCEPT;
	}
	if (s->flags & TH_FIN) {
		uint32_t fin = s->seq + (uint32_t)s->plen;
		/*
		 * The source must have passed on every byte the client was
		 * told had arrived, and no byte the client has not sent: the
		 * destination's next byte is then one the client still has.
		 * (Bytes the proxy read beyond what it acknowledged the
		 * destination gets twice, which TCP allows.)
		 */
		if (seq_lt(fin, c->proxy_acked) || seq_lt(c->client_end, fin)) {
			conn_fail(d, c, now, FC_ERR_DTS_BYTES);
			return FC_DTS_DROP;
		}
		c->fin_seq = fin;
		c->state = FC_DTS_SRC_FIN;
		/* The window the client last advertised, for the
		   destination to take as the client's. */
		s->win = (uint16_t)c->client_win;
	}
	seg_write(s);
	d->st.rewritten++;
	return FC_DTS_ACCEPT;
}

/* The destination answering the source's handover connection. */
static int
src_handover_in(struct fc_dts *d, struct conn *c, fc_time_t now, struct seg *s)
{
	if (c->state != FC_DTS_SRC_XFER && c->state != FC_DTS_SRC_FIN)
		return FC_DTS_DROP;
	uint32_t end = s->seq + seg_span(s);
	if (seq_lt(c->dst_nxt, end) || (s->flags & TH_SYN))
		c->dst_nxt = end;
	if (s->flags & TH_RST) {
		if (s->flags & TH_ACK)
			s->ack += c->d_src;
		seg_write(s);
		conn_fail(d, c, now, FC_ERR_DTS_RESET);
		return FC_DTS_ACCEPT;
	}
	if (c->state == FC_DTS_SRC_FIN && s->flags & TH_ACK && s->ack == c->fin_seq + 1) {
		/*
		 * The destination took the connection.  Reset both sockets
		 * here, locally: the handover one (this segment, turned into
		 * a reset its stack accepts, at exactly its RCV.NXT) and the
		 * proxy's (at the proxy's RCV.NXT).  Nothing reaches the
		 * client.
		 */
		s->flags = TH_RST;
		s->ack = 0;
		s->win = 0;
		seg_write(s);
		action_segment(d, FC_DTS_ACT_DELIVER, c, c->caddr, c->cport, d->c.service_addr,
			       d->c.proxy_port, c->fin_seq, 0, TH_RST, 0, NULL);
		action_push(d, FC_DTS_ACT_DONE, c);
		d->st.done++;
		conn_free(d, c);
		return FC_DTS_ACCEPT;
	}
	if (s->flags & TH_ACK)
		s->ack += c->d_src;
	sack_shift(s, c->d_src);
	if (s->o_ts) {
		uint32_t v, e;
		ts_get(s, &v, &e);
		ts_put(s, v, c->own_tsval);
	}
	seg_write(s);
	d->st.rewritten++;
	return FC_DTS_ACCEPT;
}

/* ---- the destination ---- */

/* The source's handover SYN: a new connection to take over. */
static int
dst_syn(struct fc_dts *d, fc_time_t now, struct seg *s)
{
	const uint8_t *o = s->p + s->o_dts;
	uint32_t caddr, isn_s, ts_last = 0;
	uint16_t cport;
	uint8_t ws_s = 0, flags = 0;
	if (d->c.option == FC_DTS_OPTION_EXP) {
		caddr = get32(o + 4);
		cport = get16(o + 8);
		isn_s = get32(o + 10);
		ts_last = get32(o + 14);
		ws_s = o[18];
		flags = o[19];
	} else {
		caddr = get32(o + 2);
		cport = get16(o + 6);
		isn_s = get32(o + 8);
	}
	if (caddr == 0 || cport == 0 || ws_s > 14)
		return FC_ERR_DTS_PACKET;
	struct conn *c = by_client(d, caddr, cport);
	if (c) {
		/* The same SYN again, before our answer got through. */
		if (c->source || c->state != FC_DTS_DST_XFER || c->isn_c != s->seq ||
		    c->peer_addr != s->saddr || c->remote_port != s->sport)
			return FC_DTS_DROP;
	} else {
		if (d->st.conns >= d->c.max_conns) {
			d->st.refused++;
			return FC_DTS_DROP;
		}
		c = conn_new(d, now, caddr, cport);
		c->state = FC_DTS_DST_XFER;
		c->isn_c = s->seq;
		c->fwd_nxt = s->seq + 1;
		c->isn_s = isn_s;
		c->have_isn_s = true;
		c->ts_last_s = ts_last;
		c->ws_s = ws_s;
		c->ts_on = flags & XF_TS;
		c->sack_on = flags & XF_SACK;
		c->ws_on = flags & XF_WS;
		conn_alias(d, c, s->saddr, d->c.app_port, s->sport);
		conn_list(d, c, L_XFER, now);
	}
	/* The handover option means nothing to the stack. */
	memset(s->p + s->o_dts, OPT_NOP, s->p[s->o_dts + 1]);
	s->saddr = caddr;
	s->sport = cport;
	s->daddr = d->c.service_addr;
	seg_write(s);
	d->st.rewritten++;
	return FC_DTS_ACCEPT;
}

/* What reaches the destination's stack for a connection it holds: acks,
   SACK blocks and timestamp echoes moved onto its own spaces. */
static void
dst_translate_in(struct conn *c, struct seg *s)
{
	if (s->flags & TH_ACK && c->have_isn_d)
		s->ack -= c->d_dst;
	if (c->have_isn_d)
		sack_shift(s, (uint32_t)0 - c->d_dst);
	if (s->o_ts && c->have_isn_d) {
		uint32_t v, e;
		ts_get(s, &v, &e);
		ts_put(s, v, e - c->tau);
	}
}

/*
 * The destination's stack holds every byte before the source's FIN: the
 * client's window reaches it, the source gets its FIN acknowledged, and
 * from now on the client's packets come straight to the stack.
 */
static void
dst_take(struct fc_dts *d, struct conn *c, fc_time_t now)
{
	uint32_t ts[2] = { c->fin_tsval, c->fin_tsecr };

	action_segment(d, FC_DTS_ACT_DELIVER, c, c->caddr, c->cport, d->c.service_addr,
		       d->c.app_port, c->fin_seq, c->fin_ack, TH_ACK, c->fin_win,
		       c->fin_ts ? ts : NULL);
	action_segment(d, FC_DTS_ACT_TRANSMIT, c, d->c.internal_addr, d->c.app_port,
		       c->peer_addr, c->remote_port, c->fin_wire_ack, c->fin_seq + 1, TH_ACK, 0,
		       NULL);
	c->fin_held = false;
	c->state = FC_DTS_DST_DIRECT;
	conn_list(d, c, L_LIVE, now);
	action_push(d, FC_DTS_ACT_TAKEN, c);
	d->st.taken++;
}

/* A segment of the source's handover connection, at the destination. */
static int
dst_from_source(struct fc_dts *d, struct conn *c, fc_time_t now, struct seg *s)
{
	if (c->state == FC_DTS_DST_DIRECT || c->state == FC_DTS_CLOSED) {
		/* Our acknowledgment of its FIN was lost: again. */
		if (s->flags & TH_FIN)
			action_segment(d, FC_DTS_ACT_TRANSMIT, c, d->c.internal_addr,
				       d->c.app_port, c->peer_addr, c->remote_port,
				       s->ack, s->seq + (uint32_t)s->plen + 1, TH_ACK, 0, NULL);
		return FC_DTS_DROP;
	}
	if (c->state != FC_DTS_DST_XFER)
		return FC_DTS_DROP;
	uint32_t wire_ack = s->ack;
	dst_translate_in(c, s);
	s->saddr = c->caddr;
	s->sport = c->cport;
	s->daddr = d->c.service_addr;
	if (s->flags & TH_RST) {
		seg_write(s);
		conn_fail(d, c, now, FC_ERR_DTS_RESET);
		return FC_DTS_ACCEPT;
	}
	uint32_t end = s->seq + (uint32_t)s->plen;
	/* The bytes before it reached the stack: it acknowledged them, or
	   we delivered them without a gap. */
	uint32_t have = c->fwd_nxt;
	if (c->have_dst_acked && seq_lt(have, c->dst_acked))
		have = c->dst_acked;
	bool in_order = seq_leq(s->seq, have);
	if (in_order && seq_lt(c->fwd_nxt, end))
		c->fwd_nxt = end;
	if (s->flags & TH_FIN) {
		uint32_t fin = end;
		/* In order only, and once. */
		if (!in_order || seq_lt(fin, have) || c->fin_held)
			return FC_DTS_DROP;
		/*
		 * The stack would half-close on the FIN: strip it, and hold
		 * the switch until the stack has acknowledged every byte
		 * before it (a byte the filter let through may still be lost
		 * to a full queue; the source resends it while it waits for
		 * our acknowledgment of its FIN).  What the FIN carried, the
		 * client's window (the source put it in the window field) and
		 * timestamps, goes to the stack then, as a window update.
		 */
		c->fin_held = true;
		c->fin_seq = fin;
		c->fin_wire_ack = wire_ack;
		c->fin_ack = s->ack;
		c->fin_win = s->win;
		c->fin_ts = s->o_ts != 0;
		if (s->o_ts)
			ts_get(s, &c->fin_tsval, &c->fin_tsecr);
		s->flags &= (uint8_t)~TH_FIN;
		s->win = 0;
		seg_write(s);
		d->st.rewritten++;
		if (c->have_dst_acked && seq_leq(fin, c->dst_acked))
			dst_take(d, c, now);
		return s->plen ? FC_DTS_ACCEPT : FC_DTS_DROP;
	}
	seg_write(s);
	d->st.rewritten++;
	return FC_DTS_ACCEPT;
}

/* A client segment for a connection this node took over. */
static int
dst_from_client(struct fc_dts *d, struct conn *c, fc_time_t now, struct seg *s)
{
	if (c->state != FC_DTS_DST_DIRECT && c->state != FC_DTS_CLOSED)
		return FC_DTS_DROP; /* the source still holds it */
	if (s->flags & TH_SYN)
		return FC_DTS_DROP;
	dst_translate_in(c, s);
	if (s->flags & TH_FIN)
		c->fin_in = true;
	seg_write(s);
	d->st.rewritten++;
	if (c->state == FC_DTS_DST_DIRECT) {
		conn_touch(d, c, now);
		conn_close_if_done(d, c, now, s);
	}
	return FC_DTS_ACCEPT;
}

/* The destination's stack sending, to the client as it believes. */
static int
dst_out(struct fc_dts *d, struct conn *c, fc_time_t now, struct seg *s)
{
	if (c->state == FC_DTS_FAILED)
		return FC_DTS_DROP;
	uint32_t v = 0, e = 0;
	if (s->o_ts)
		ts_get(s, &v, &e);
	if (s->flags & TH_SYN) {
		if (c->state != FC_DTS_DST_XFER || !(s->flags & TH_ACK) ||
		    (c->have_isn_d && s->seq != c->isn_d))
			return FC_DTS_DROP;
		if (!c->have_isn_d) {
			/* Once: a SYN-ACK sent again keeps the offsets. */
			c->isn_d = s->seq;
			c->d_dst = c->isn_s - c->isn_d;
			c->have_isn_d = true;
			c->ws_d = ws_of(s);
			c->rescale = d->c.option == FC_DTS_OPTION_EXP && c->ws_on &&
				     c->ws_d != c->ws_s;
			c->tau = s->o_ts ? c->ts_last_s + 1 - v : 0;
		}
	} else if (!c->have_isn_d) {
		return FC_DTS_DROP;
	}
	if (s->flags & TH_ACK && (!c->have_dst_acked || seq_lt(c->dst_acked, s->ack))) {
		c->dst_acked = s->ack;
		c->have_dst_acked = true;
	}
	s->seq += c->d_dst;
	if (s->o_ts)
		ts_put(s, v + c->tau, e);
	if (c->state == FC_DTS_DST_XFER) {
		/* Until the FIN, the connection's other end is the source. */
		s->saddr = d->c.internal_addr;
		s->daddr = c->peer_addr;
		s->dport = c->remote_port;
	} else {
		if (c->rescale && !(s->flags & TH_SYN)) {
			uint64_t w = ((uint64_t)s->win << c->ws_d) >> c->ws_s;
			s->win = (uint16_t)MIN(w, 65535);
		}
		if (s->flags & TH_FIN)
			c->fin_out = true;
	}
	seg_write(s);
	d->st.rewritten++;
	if (c->state == FC_DTS_DST_DIRECT) {
		conn_touch(d, c, now);
		conn_close_if_done(d, c, now, s);
	} else if (c->fin_held && seq_leq(c->fin_seq, c->dst_acked)) {
		/* This acknowledgment covers the bytes before the held FIN. */
		dst_take(d, c, now);
	}
	return FC_DTS_ACCEPT;
}

/* ---- entry points ---- */

/* A client's SYN to the service. */
static int
client_syn(struct fc_dts *d, fc_time_t now, struct seg *s, struct conn *c)
{
	if (s->flags & TH_ACK)
		return FC_DTS_DROP;
	if (c) {
		if (c->source && c->state == FC_DTS_PROXYING)
			return src_from_client(d, c, now, s);
		if (c->state != FC_DTS_CLOSED && c->state != FC_DTS_FAILED)
			return FC_DTS_DROP;
		conn_free(d, c); /* the port is used again */
	}
	if (d->c.nnodes > 1 && fc_dts_hash(s->saddr, s->sport) % d->c.nnodes != d->c.index) {
		d->st.not_mine++;
		return FC_DTS_DROP;
	}
	if (d->st.conns >= d->c.max_conns) {
		d->st.refused++;
		return FC_DTS_DROP;
	}
	c = conn_new(d, now, s->saddr, s->sport);
	c->source = true;
	c->state = FC_DTS_PROXYING;
	c->isn_c = s->seq;
	c->client_end = s->seq + 1;
	c->mss_c = s->o_mss ? get16(s->p + s->o_mss + 2) : 536;
	c->c_ws = s->o_ws;
	c->ws_c = ws_of(s);
	c->c_ts = s->o_ts;
	c->c_sack = s->o_sack_ok;
	c->client_win = s->win;
	if (s->o_ts) {
		uint32_t e;
		ts_get(s, &c->client_tsval, &e);
		c->have_client_tsval = true;
	}
	s->dport = d->c.proxy_port;
	seg_write(s);
	d->st.rewritten++;
	return FC_DTS_ACCEPT;
}

static int
verdict(struct fc_dts *d, int v)
{
	if (v == FC_DTS_DROP)
		d->st.dropped++;
	return v;
}

int
fc_dts_inbound(struct fc_dts *d, fc_time_t now, uint8_t *pkt, size_t *len, size_t cap)
{
	struct seg s;
	d->st.packets++;
	int rc = seg_parse(d, pkt, *len, &s);
	if (rc <= 0)
		return rc;
	if (s.daddr == d->c.service_addr && s.dport == d->c.app_port) {
		struct conn *c = by_client(d, s.saddr, s.sport);
		if (!c && !(s.flags & TH_SYN)) {
			d->st.no_conn++;
			rc = FC_DTS_DROP;
		} else if ((rc = verified(d, &s)) < 0) {
			/* refused whole */
		} else if (s.flags & TH_SYN)
			rc = client_syn(d, now, &s, c);
		else if (c->source)
			rc = src_from_client(d, c, now, &s);
		else
			rc = dst_from_client(d, c, now, &s);
	} else if (s.daddr == d->c.internal_addr) {
		struct conn *c = by_alias(d, s.saddr, s.dport, s.sport);
		bool syn = s.dport == d->c.app_port && (s.flags & (TH_SYN | TH_ACK)) == TH_SYN &&
			   s.o_dts;
		if (!c && !syn)
			return FC_DTS_ACCEPT;
		if ((rc = verified(d, &s)) < 0)
			return rc;
		if (!c)
			rc = dst_syn(d, now, &s);
		else if (c->source)
			rc = src_handover_in(d, c, now, &s);
		else if (s.flags & TH_SYN)
			rc = (s.flags & TH_ACK) || !s.o_dts ? FC_DTS_DROP : dst_syn(d, now, &s);
		else
			rc = dst_from_source(d, c, now, &s);
	} else {
		return FC_DTS_ACCEPT;
	}
	if (rc >= 0)
		*len = s.len;
	return rc < 0 ? rc : verdict(d, rc);
}

int
fc_dts_outbound(struct fc_dts *d, fc_time_t now, uint8_t *pkt, size_t *len, size_t cap)
{
	struct seg s;
	d->st.packets++;
	int rc = seg_parse(d, pkt, *len, &s);
	if (rc <= 0)
		return rc;
	if (s.saddr == d->c.service_addr && s.sport == d->c.proxy_port) {
		struct conn *c = by_client(d, s.daddr, s.dport);
		/* Nothing may leave with the proxy's port on it. */
		if (!c || !c->source)
			rc = FC_DTS_DROP;
		else if ((rc = verified(d, &s)) >= 0)
			rc = src_from_proxy(d, c, now, &s);
	} else if (s.saddr == d->c.service_addr && s.sport == d->c.app_port) {
		struct conn *c = by_client(d, s.daddr, s.dport);
		if (!c || c->source)
			return FC_DTS_ACCEPT;
		if ((rc = verified(d, &s)) >= 0)
			rc = dst_out(d, c, now, &s);
	} else if (s.saddr == d->c.internal_addr) {
		struct conn *c = by_alias(d, s.daddr, s.sport, s.dport);
		if (!c || !c->source)
			return FC_DTS_ACCEPT;
		if ((rc = verified(d, &s)) >= 0)
			rc = src_handover_out(d, c, now, &s, cap);
	} else {
		return FC_DTS_ACCEPT;
	}
	if (rc >= 0)
		*len = s.len;
	return rc < 0 ? rc : verdict(d, rc);
}

int
fc_dts_handover(struct fc_dts *d, fc_time_t now, uint32_t client_addr, uint16_t client_port,
		uint32_t dest_addr, uint16_t local_port)
{
	struct conn *c = by_client(d, client_addr, client_port);
	if (!c)
		return FC_ERR_DTS_NO_CONN;
	if (!c->source || c->state != FC_DTS_PROXYING || !c->have_isn_s)
		return FC_ERR_DTS_STATE;
	if (c->proxy_wrote)
		return FC_ERR_DTS_PROXY_WROTE;
	if (c->ts_on && d->c.option == FC_DTS_OPTION_PAPER)
		return FC_ERR_DTS_PAPER_TS;
	if (dest_addr == d->c.internal_addr || dest_addr == d->c.service_addr ||
	    local_port == 0 || local_port == d->c.proxy_port || local_port == d->c.app_port ||
	    by_alias(d, dest_addr, local_port, d->c.app_port))
		return FC_ERR_INVAL;
	conn_alias(d, c, dest_addr, local_port, d->c.app_port);
	c->state = FC_DTS_SRC_XFER;
	conn_list(d, c, L_XFER, now);
	d->st.handovers++;
	return 0;
}

int
fc_dts_conn_state(const struct fc_dts *d, uint32_t client_addr, uint16_t client_port)
{
	struct conn *c = by_client(d, client_addr, client_port);
	return c ? (int)c->state : FC_ERR_DTS_NO_CONN;
}

static fc_time_t
list_deadline(const struct fc_dts *d, enum list_id l)
{
	GList *h = d->lists[l].head;
	if (!h)
		return FC_TIME_NEVER;
	return fc_time_add(((struct conn *)h->data)->deadline_base, d->timeout[l]);
}

fc_time_t
fc_dts_expiry(const struct fc_dts *d)
{
	fc_time_t t = FC_TIME_NEVER;
	for (int l = 0; l < NLISTS; l++)
		t = MIN(t, list_deadline(d, (enum list_id)l));
	return t;
}

void
fc_dts_handle_expiry(struct fc_dts *d, fc_time_t now)
{
	fc_time_t at;
	while ((at = list_deadline(d, L_XFER)) != FC_TIME_NEVER && at <= now) {
		struct conn *c = d->lists[L_XFER].head->data;
		if (c->source) {
			/* The proxy's socket goes; so does the handover's,
			   if its destination ever answered. */
			action_segment(d, FC_DTS_ACT_DELIVER, c, c->caddr, c->cport,
				       d->c.service_addr, d->c.proxy_port, c->proxy_acked, 0,
				       TH_RST, 0, NULL);
			if (c->have_isn_x)
				action_segment(d, FC_DTS_ACT_DELIVER, c, c->peer_addr,
					       c->remote_port, d->c.internal_addr,
					       c->local_port, c->dst_nxt, 0, TH_RST, 0, NULL);
		} else if (c->have_dst_acked) {
			action_segment(d, FC_DTS_ACT_DELIVER, c, c->caddr, c->cport,
				       d->c.service_addr, d->c.app_port, c->dst_acked, 0,
				       TH_RST, 0, NULL);
		}
		/* It failed at its deadline, however late this call is:
		   the linger counts from then. */
		conn_fail(d, c, at, FC_ERR_DTS_TIMEOUT);
	}
	while ((at = list_deadline(d, L_LIVE)) != FC_TIME_NEVER && at <= now)
		conn_free(d, d->lists[L_LIVE].head->data);
	while ((at = list_deadline(d, L_CLOSED)) != FC_TIME_NEVER && at <= now)
		conn_free(d, d->lists[L_CLOSED].head->data);
}

static void
action_free(struct action *a)
{
	if (a) {
		g_free(a->packet);
		g_free(a);
	}
}

bool
fc_dts_next_action(struct fc_dts *d, struct fc_dts_action *out)
{
	action_free(d->current);
	d->current = g_queue_pop_head(&d->actions);
	if (!d->current)
		return false;
	*out = d->current->a;
	return true;
}

void
fc_dts_get_stats(const struct fc_dts *d, struct fc_dts_stats *out)
{
	*out = d->st;
}

const char *
fc_dts_state_name(int state)
{
	static const char *const names[] = {
		[FC_DTS_PROXYING] = "PROXYING", [FC_DTS_SRC_XFER] = "SRC_XFER",
		[FC_DTS_SRC_FIN] = "SRC_FIN",   [FC_DTS_DST_XFER] = "DST_XFER",
		[FC_DTS_DST_DIRECT] = "DST_DIRECT", [FC_DTS_CLOSED] = "CLOSED",
		[FC_DTS_FAILED] = "FAILED",
	};
	if (state < 0 || state >= (int)G_N_ELEMENTS(names))
		return NULL;
	return names[state];
}

int
fc_dts_new(const struct fc_dts_config *c, struct fc_dts **out)
{
	if (!c || !c->service_addr || !c->internal_addr || c->service_addr == c->internal_addr ||
	    !c->app_port || !c->proxy_port || c->app_port == c->proxy_port || c->nnodes == 0 ||
	    c->index >= c->nnodes ||
	    (c->option != FC_DTS_OPTION_EXP && c->option != FC_DTS_OPTION_PAPER))
		return FC_ERR_INVAL;
	struct fc_dts *d = g_new0(struct fc_dts, 1);
	d->c = *c;
	if (!d->c.exid)
		d->c.exid = FC_DTS_EXID_DEFAULT;
	if (!d->c.max_conns)
		d->c.max_conns = 65536;
	d->timeout[L_XFER] = c->handover_timeout ? c->handover_timeout : 10 * FC_SEC;
	d->timeout[L_LIVE] = c->idle_timeout ? c->idle_timeout : 15 * FC_MIN;
	d->timeout[L_CLOSED] = c->linger ? c->linger : 60 * FC_SEC;
	d->by_client = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	d->by_alias = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	for (int l = 0; l < NLISTS; l++)
		g_queue_init(&d->lists[l]);
	g_queue_init(&d->actions);
	*out = d;
	return 0;
}

void
fc_dts_free(struct fc_dts *d)
{
	if (!d)
		return;
	for (int l = 0; l < NLISTS; l++)
		while (d->lists[l].head)
			conn_free(d, d->lists[l].head->data);
	g_hash_table_destroy(d->by_client);
	g_hash_table_destroy(d->by_alias);
	action_free(d->current);
	struct action *a;
	while ((a = g_queue_pop_head(&d->actions)))
		action_free(a);
	g_free(d);
}
