/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DTS, Distributed TCP Splicing (seed paper 003): handing a live TCP
 * connection from the cluster node that accepted it to another node, by
 * rewriting TCP headers below the stacks of both, with no extra round trip
 * for the client and no help from it, the server application or either
 * stack.
 *
 * The setting is a broadcast single-address cluster: every node holds the
 * service address and sees every packet sent to it; each node also has an
 * address of its own inside the cluster.  One filter (struct fc_dts) runs
 * on each node and sees every IPv4 packet the node receives (inbound,
 * before its stack) and sends (outbound, after its stack).  A connection
 * goes through these steps (the paper's section 2, with the four gaps it
 * leaves open closed as section 2 of seeds-002-003-004.md proposes):
 *
 * 1. The client's SYN to the service address and application port reaches
 *    every node; exactly one accepts it (a hash of the client's address and
 *    port, taken modulo the number of nodes, picks the node).  Its filter
 *    sends the connection to the proxy port, where a proxy reads the
 *    request; the proxy must never write to the client.
 * 2. The proxy picks a destination node and calls fc_dts_handover() with a
 *    local port, then opens a TCP connection from this node's internal
 *    address and that port to the destination's internal address and the
 *    application port, writes every byte it read from the client (from the
 *    first on) and closes it.  The filter rewrites that connection so that
 *    its sequence numbers are the client's (the SYN shows the client's
 *    ISN) and its SYN carries the client's negotiated options and the
 *    handover option: the client's address and port, the ISN the client
 *    got from this node, and (in the default, experimental form) the last
 *    timestamp the client saw and the window scale it was told.  Every
 *    segment it sends advertises a zero window, so the destination's stack
 *    sends nothing while it cannot reach the client; the FIN carries the
 *    client's last window instead.
 * 3. The destination's filter presents that connection to its stack as the
 *    client's own (addresses and ports rewritten), with its stack's sequence
 *    numbers shifted onto the ISN the client knows and its timestamps onto
 *    the clock the client has seen.  When the source's FIN arrives in order
 *    the filter strips it (the stack would half-close) and waits until the
 *    stack has acknowledged every byte before it; then it delivers a window
 *    update from the client, acknowledges the FIN to the source itself,
 *    and from then on the destination talks to the client directly: its
 *    stack's next expected byte is the client's next.
 * 4. When the source's filter sees that acknowledgment it resets both of
 *    its own sockets locally (nothing reaches the client), forgets the
 *    connection, and drops the client's later packets as every other node
 *    does.
 *
 * Client segments that reach the source or the destination while the
 * handover runs are dropped (the source notes their window and
 * timestamp); the client retransmits any data among them to the
 * destination once it has taken over.  The cluster is assumed to share one TCP configuration
 * (options offered, timestamp clock rate); with the experimental option a
 * destination whose window scale differs from the one the client was told
 * rescales its windows.  The internal network is trusted: a handover SYN is
 * not authenticated.
 *
 * Packets are whole IPv4 datagrams (header included) in network byte
 * order, rewritten in place with their IP and TCP checksums recomputed; a
 * packet may grow by up to FC_DTS_HEADROOM bytes (the handover SYN's
 * options), so buffers passed in should have that much room beyond the
 * packet.  Addresses and ports in the API are in host byte order.  The
 * filter is sans-I/O and time-injected like the rest of the core: every
 * call takes `now`, fc_dts_expiry() says when it next wants
 * fc_dts_handle_expiry(), and what it wants done besides the verdict on
 * the packet at hand (packets to deliver to the local stack or to send,
 * handovers that ended) comes out as actions drained with
 * fc_dts_next_action().  No clock, no I/O, no global state.
 */
#ifndef FLASHCOOP_DTS_H
#define FLASHCOOP_DTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashcoop/core.h"
#include "flashcoop/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes by which a packet may grow when the filter rewrites it (the
   handover SYN's options, at most TCP's 40 bytes of them). */
#define FC_DTS_HEADROOM 40
/* The option kind of the paper's Table 1, and its length. */
#define FC_DTS_PAPER_KIND 32
#define FC_DTS_PAPER_LEN 12
/* The shared experimental kind (RFC 4727, RFC 6994) and our option's length. */
#define FC_DTS_EXP_KIND 253
#define FC_DTS_EXP_LEN 20
/* The default experiment identifier ("DT"); not registered with IANA. */
#define FC_DTS_EXID_DEFAULT 0x4454

/* Which option the handover SYN carries. */
enum fc_dts_option {
	/*
	 * Kind 253 with a 16-bit ExID (RFC 6994), 20 bytes: client address
	 * and port, the ISN the client got, the last timestamp the client
	 * saw, the window scale it was told and which options it negotiated.
	 */
	FC_DTS_OPTION_EXP,
	/*
	 * The paper's kind 32, 12 bytes: client address and port and ISN
	 * only.  It has no room for timestamps, so a connection whose client
	 * negotiated them cannot be handed over with it (FC_ERR_DTS_PAPER_TS),
	 * and both nodes must use the same window scale.  Kind 32 is not
	 * assigned to this use by IANA.
	 */
	FC_DTS_OPTION_PAPER,
};

struct fc_dts_config {
	uint32_t service_addr;  /* the address every node holds */
	uint16_t app_port;      /* the server application's port */
	uint16_t proxy_port;    /* where this node's proxy listens; != app_port */
	uint32_t internal_addr; /* this node's own address inside the cluster */
	/*
	 * This node accepts a new client connection when
	 * fc_dts_hash(client) % nnodes == index (so nnodes = 1 accepts all).
	 */
	uint32_t nnodes;
	uint32_t index;
	enum fc_dts_option option;
	uint16_t exid;          /* FC_DTS_OPTION_EXP only; 0 means the default */
	/* A handover not finished this long after it began fails; 0: 10 s. */
	fc_time_t handover_timeout;
	/* A connection with no packet for this long is forgotten; 0: 15 min. */
	fc_time_t idle_timeout;
	/* State kept after a connection closed or failed, to translate
	   retransmissions and drop stragglers; 0: 60 s. */
	fc_time_t linger;
	/* Connections held at most (new client SYNs beyond are dropped);
	   0: 65536. */
	size_t max_conns;
	/*
	 * The host has checked the packets' checksums itself (or does not
	 * care, as a fuzzer): the filter then skips its own check.  By
	 * default a packet it would rewrite with a wrong IP or TCP checksum
	 * is refused (FC_ERR_DTS_CHECKSUM), since the new checksums would
	 * hide the damage.
	 */
	bool trust_checksums;
};

/* Where a connection stands on this node. */
enum fc_dts_state {
	FC_DTS_PROXYING,   /* source: the proxy reads the request */
	FC_DTS_SRC_XFER,   /* source: sending the request to the destination */
	FC_DTS_SRC_FIN,    /* source: FIN sent, waiting for the destination */
	FC_DTS_DST_XFER,   /* destination: receiving the request */
	FC_DTS_DST_DIRECT, /* destination: talking to the client itself */
	FC_DTS_CLOSED,     /* closed or reset; kept for the linger time */
	FC_DTS_FAILED,     /* the handover failed; client packets dropped */
};

/* What to do with the packet the filter was given. */
enum fc_dts_verdict {
	FC_DTS_ACCEPT = 0, /* let it go its way (deliver it, or transmit it) */
	FC_DTS_DROP = 1,
};

enum fc_dts_action_type {
	FC_DTS_ACT_DELIVER,  /* hand `packet` to the local stack, as received */
	FC_DTS_ACT_TRANSMIT, /* send `packet` */
	FC_DTS_ACT_DONE,     /* source: the client's connection now lives at the
				destination; this node forgot it */
	FC_DTS_ACT_TAKEN,    /* destination: this node now talks to the client */
	FC_DTS_ACT_FAILED,   /* the handover of the client's connection failed
				(`reason`, an error code) */
};

struct fc_dts_action {
	enum fc_dts_action_type type;
	uint32_t client_addr;
	uint16_t client_port;
	int reason;            /* FAILED */
	const uint8_t *packet; /* DELIVER, TRANSMIT: a whole IPv4 datagram */
	size_t len;
};

struct fc_dts_stats {
	uint64_t packets;      /* given to the filter, both ways */
	uint64_t rewritten;
	uint64_t dropped;
	uint64_t no_conn;      /* non-SYN client segments with no state: dropped */
	uint64_t not_mine;     /* client SYNs another node accepts: dropped */
	uint64_t refused;      /* client SYNs over max_conns: dropped */
	uint64_t handovers;    /* begun here as the source */
	uint64_t done;         /* finished here as the source */
	uint64_t taken;        /* taken over here as the destination */
	uint64_t failed;
	size_t conns;          /* held now */
};

struct fc_dts;

/*
 * A filter for one node.  Returns 0, or FC_ERR_INVAL for a configuration
 * that cannot work (no service address or ports, app_port == proxy_port,
 * internal_addr == service_addr, nnodes 0 or index >= nnodes, an unknown
 * option).  *out is set only on success.
 */
int fc_dts_new(const struct fc_dts_config *c, struct fc_dts **out);
/* Frees the filter and everything it holds; NULL is fine. */
void fc_dts_free(struct fc_dts *d);

/* The hash that decides which node accepts a client (FNV-1a of its
   address and port); the same on every node. */
uint32_t fc_dts_hash(uint32_t client_addr, uint16_t client_port);

/*
 * A packet arriving at the node, before its stack.  `pkt` holds `*len`
 * bytes and has room for `cap`; it is rewritten in place and *len updated.
 * Returns a verdict (>= 0), or a negative error for a packet the filter
 * cannot read (FC_ERR_DTS_PACKET), would rewrite but arrived damaged
 * (FC_ERR_DTS_CHECKSUM) or cannot grow (FC_ERR_BUFFER): drop those.
 * Packets that concern no DTS connection are accepted unchanged.
 */
int fc_dts_inbound(struct fc_dts *d, fc_time_t now, uint8_t *pkt, size_t *len, size_t cap);
/* The same for a packet the node's stack sends. */
int fc_dts_outbound(struct fc_dts *d, fc_time_t now, uint8_t *pkt, size_t *len, size_t cap);

/*
 * Begins handing the connection of client (addr, port), which the proxy
 * holds here, to the node whose internal address is dest_addr.  The host
 * then connects from (internal_addr, local_port) to (dest_addr, app_port),
 * writes every byte the proxy read and closes.  Errors:
 * FC_ERR_DTS_NO_CONN (no such connection here), FC_ERR_DTS_STATE (not in
 * FC_DTS_PROXYING, or its handshake is not complete), FC_ERR_DTS_PROXY_WROTE
 * (the proxy sent the client data: the sequence spaces no longer line up),
 * FC_ERR_DTS_PAPER_TS (the paper's option and a client with timestamps),
 * FC_ERR_INVAL (dest_addr is this node, or local_port is 0, the proxy port
 * or already used by another handover).
 */
int fc_dts_handover(struct fc_dts *d, fc_time_t now, uint32_t client_addr,
		    uint16_t client_port, uint32_t dest_addr, uint16_t local_port);

/* The state of the connection of client (addr, port) here, or
   FC_ERR_DTS_NO_CONN. */
int fc_dts_conn_state(const struct fc_dts *d, uint32_t client_addr, uint16_t client_port);

/* When the filter next wants fc_dts_handle_expiry(), or FC_TIME_NEVER. */
fc_time_t fc_dts_expiry(const struct fc_dts *d);
/* Times out handovers and forgets idle and closed connections. */
void fc_dts_handle_expiry(struct fc_dts *d, fc_time_t now);

/*
 * The next action, in the order they arose; false when there is none.
 * Pointers in *out stay valid until the next call on the filter.
 */
bool fc_dts_next_action(struct fc_dts *d, struct fc_dts_action *out);

void fc_dts_get_stats(const struct fc_dts *d, struct fc_dts_stats *out);

/* The name of a state ("DST_DIRECT"), or NULL. */
const char *fc_dts_state_name(int state);

#ifdef __cplusplus
}
#endif

#endif
