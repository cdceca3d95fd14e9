/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The flow-level network: every transfer in the simulator (web objects now,
 * BitTorrent pieces and Winny-style traffic later) is a flow of a number of
 * bytes over a path of links (the sender's uplink, shared links such as an
 * ISP link, the receiver's downlink).  Rates are max-min fair: no flow can
 * get faster without slowing one that is no faster than it.  They are
 * recomputed when a flow starts or ends, over the flows around it whose
 * rates can change (see net.c), and the completion events of those flows
 * only are moved.  Changes made by a flow's done function are recomputed
 * once, after it returns (or when it reads a rate).
 *
 * Byte counts are exact integers: a flow's progress is kept in bits, and it
 * completes at the first nanosecond at which all its bits have arrived.
 */
#ifndef FLASHCOOP_MODELS_WORLD_NET_H
#define FLASHCOOP_MODELS_WORLD_NET_H

#include <stddef.h>
#include <stdint.h>

#include "sim/engine.h"
#include "flashcoop/time.h"

struct net;
struct net_flow;

typedef uint32_t net_link;

/* Called when a flow's last byte has arrived; the flow is freed after. */
typedef void (*net_done_fn)(struct net *n, struct net_flow *f, void *data, fc_time_t now);

/* A network on engine e. */
struct net *net_new(struct engine *e);
/* Frees it and its flows (without calling their done functions); accepts NULL. */
void net_free(struct net *n);

/* A link of capacity bits per second (> 0); returns its id. */
net_link net_link_add(struct net *n, uint64_t bits_per_s);

/* Sets the capacity of a link that carries no flow (to reuse it). */
void net_link_set(struct net *n, net_link l, uint64_t bits_per_s);

/*
 * Starts a flow of bytes (> 0) over links[0..nlinks-1] (at least one, no
 * link twice) at the engine's current time; done is called when it
 * completes.  The returned handle is valid until done runs or the flow is
 * cancelled.
 */
struct net_flow *net_flow_start(struct net *n, const net_link *links, size_t nlinks,
				uint64_t bytes, net_done_fn done, void *data);

/*
 * Changes made between net_hold() and the matching net_release() (pairs
 * nest) are recomputed once, at the release, as those a flow's done
 * function makes are: an event that starts or ends several flows costs
 * one recomputation.  Reading a rate in between recomputes first.
 */
void net_hold(struct net *n);
void net_release(struct net *n);

/* Stops a flow now; its done function is not called.  Returns the bytes
 * that had arrived. */
uint64_t net_flow_cancel(struct net *n, struct net_flow *f);

/*
 * The flow now carries only its first `bytes` (no fewer than have arrived,
 * no more than it had): it ends sooner, at the rate it has, which does not
 * change (max-min rates do not depend on sizes).  A request cancelled at
 * its tail, say.
 */
void net_flow_shrink(struct net *n, struct net_flow *f, uint64_t bytes);

/* The flow's current rate in bits per second. */
double net_flow_rate(const struct net_flow *f);

/* Bytes of the flow that have arrived by the engine's current time. */
uint64_t net_flow_received(struct net *n, const struct net_flow *f);

/*
 * An estimate of the rate a new flow over links[0..nlinks-1] would get,
 * without starting it: the smallest over its links of the level x at which
 * the link's flows, each cut to x if faster, and the new flow at x fill
 * the link.  It is never below the max-min rate the flow would get (below
 * that rate, progressive filling goes the same with and without it, so no
 * slower flow gives anything up); on a link of more than 256 flows the
 * link's capacity is taken instead of the level.
 */
double net_path_rate(struct net *n, const net_link *links, size_t nlinks);

/* Flows in progress. */
size_t net_flows(const struct net *n);

/* Sum of the rates of the flows on a link, bits per second (at most its
 * capacity). */
double net_link_load(struct net *n, net_link l);

/* Bytes of completed and cancelled flows: sent (= asked for, when
 * completed) and received, for conservation checks. */
uint64_t net_bytes_delivered(const struct net *n);

/* Rate recomputations done, and flows whose rate they set, for benchmarks. */
uint64_t net_recomputations(const struct net *n);
uint64_t net_flows_rated(const struct net *n);

/*
 * For tests: move a flow's completion event at every change of its rate,
 * the straightforward way, instead of leaving it early when the rate only
 * fell (net.c, move_done()).  The completion times are the same.
 */
void net_set_eager_moves(struct net *n, bool eager);

#endif
