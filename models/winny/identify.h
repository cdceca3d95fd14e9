/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Winny traffic identification from decoy peers (seed 002 §2-1), as an
 * analysis of the flow log a run recorded at its taps.
 *
 * The decoys learn (address, service port) endpoints of Winny peers: the
 * seed set.  Winny peers form a bidirectional client/server relation,
 * each side connecting to the other's service port, so the set grows
 * through the flow log until nothing new appears: endpoint (X, p) joins
 * when a connection from host Y of a known endpoint (Y, q) opened to X:p
 * and a connection from host X opened to Y:q.  The relation forms
 * quickly, so the two connections must start at most `within` apart (the
 * refinement seed 002 §2-1-4 proposes; a `within` as long as the window
 * is the rule as §2-1-2 states it).  Hosts that run a second P2P
 * application (Share) would carry the set into that application's
 * overlay, and the seed's two methods keep it out:
 *
 *   IDENT_HOSTS         no fix (method 0): the same rule between hosts,
 *                       any ports; every service port of a host found is
 *                       labelled Winny
 *   IDENT_SINGLE_PORT   method 1: first every connection of a host with
 *                       two or more service ports is dropped, then as
 *                       IDENT_HOSTS (those hosts' Winny ports are lost)
 *   IDENT_ENDPOINTS     method 2: the rule on endpoints as above, so that
 *                       a host's two applications stay apart; and, as the
 *                       seed argues it ("the peer it talks to has one
 *                       service port"), never between two hosts that both
 *                       have two or more service ports: which application
 *                       opened a connection between those cannot be told
 *                       from headers.  (The seed assumes such hosts on one
 *                       side of the measurement point only; with them on
 *                       both sides, the rule without this leaks into
 *                       Share.)
 *
 * Only connections that opened (the acceptor answered) count, and a
 * service endpoint is one that accepted a connection in the window.
 * Each window is analysed alone; results are scored against the model's
 * own labels (which application each service endpoint belongs to).
 */
#ifndef FLASHCOOP_MODELS_WINNY_IDENTIFY_H
#define FLASHCOOP_MODELS_WINNY_IDENTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashcoop/time.h"

enum ident_method {
	IDENT_HOSTS = 0,
	IDENT_SINGLE_PORT = 1,
	IDENT_ENDPOINTS = 2,
};

/* A connection of the flow log, as identification sees it. */
struct ident_flow {
	fc_time_t start;
	uint32_t a_ip;      /* the host that opened it */
	uint32_t b_ip;      /* the host that accepted it, */
	uint16_t b_port;    /* on this service port */
	bool answered;      /* the acceptor sent packets: it opened */
	bool winny;         /* ground truth: b_port is a Winny service port */
};

/* An (address, port) endpoint. */
struct ident_endpoint {
	uint32_t ip;
	uint16_t port;
};

/* What one window's identification found, scored against the truth. */
struct ident_result {
	uint64_t winny_seen; /* Winny service endpoints seen */
	uint64_t learned;    /* of those, learned by the decoys in the window */
	uint64_t identified; /* of those, labelled Winny */
	uint64_t labelled;   /* service endpoints seen labelled Winny */
	uint64_t false_pos;  /* of those, not Winny */
};

/*
 * The hosts that accepted connections on two or more service ports among
 * the n flows, sorted; *out is newly allocated (g_free), the count
 * returned.  The seed finds them over a day of the log, not per window:
 * a host whose second port was not contacted in a window is still known
 * to run two applications.
 */
size_t ident_multi_hosts(const struct ident_flow *flows, size_t n, uint32_t **out);

/*
 * Identifies the Winny endpoints among the n flows of one window, from
 * the endpoints in seeds (the decoys learned them in the window) and
 * those in own (the decoys' own: known, and left out of the score), with
 * method m, the two connections of a relation starting at most within
 * apart, and multi[] (sorted) the hosts known to have two or more service
 * ports (ident_multi_hosts()).  Flows may come in any order; the result
 * does not depend on it.
 */
void ident_window(const struct ident_flow *flows, size_t n,
		  const struct ident_endpoint *seeds, size_t nseeds,
		  const struct ident_endpoint *own, size_t nown,
		  const uint32_t *multi, size_t nmulti,
		  enum ident_method m, fc_time_t within, struct ident_result *out);

/* The false-positive rate (false positives over endpoints labelled) and
 * the false-negative rate (Winny endpoints seen but not labelled, over
 * those seen) of a result; 0 when the denominator is. */
double ident_fp_rate(const struct ident_result *r);
double ident_fn_rate(const struct ident_result *r);

/*
 * `flashcoop identify RESULTS.db [--run N] [--window D] [--method M]
 * [--within D]`:
 * prints seed 002's Table 1 for a run (decoys on, flow and event log
 * recorded); returns the program's exit status (2: bad input).
 */
int winny_identify_main(int argc, char **argv);

#endif
