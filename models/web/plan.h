/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a testbed replays of a web scenario: the sites, the visits, the
 * pair keys and the nodes' configuration exactly as the web model draws
 * them from the scenario and its seed, without simulating anything.  The
 * arrivals, each client's page and kind, and each site's objects come from
 * their own random streams (sim/rng.h), which the policy does not touch,
 * so the testbed's clients are the simulator's clients, one for one.
 */
#ifndef FLASHCOOP_MODELS_WEB_PLAN_H
#define FLASHCOOP_MODELS_WEB_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "flashcoop/core.h"
#include "flashcoop/time.h"
#include "sim/scenario.h"

/* Objects are named (page << WEB_PLAN_INDEX_BITS) + index, the HTML being
 * index 0, as in the simulator. */
#define WEB_PLAN_INDEX_BITS 10

struct web_plan_page {
	uint64_t *bytes; /* [0] is the HTML, then its embedded objects */
	size_t n;
};

struct web_plan_site {
	struct web_plan_page *pages;
	size_t npages;
	uint64_t bytes; /* all its objects */
};

struct web_plan_visit {
	fc_time_t start;  /* from the start of the run */
	uint64_t id;      /* the simulator's client number */
	uint32_t site;    /* 0 is the flash crowd's site */
	uint32_t page;
	bool bittorrent;  /* a BitTorrent-capable client */
	bool counted;     /* started in the measured window (after warmup) */
};

struct web_plan {
	uint64_t seed, replication;
	fc_time_t warmup, end;
	unsigned nservers;            /* the origin (0) and the cooperators */
	struct web_plan_site *sites;  /* one per server: site i is server i's */
	struct web_plan_visit *visits;/* in order of start */
	size_t nvisits;
	uint8_t (*keys)[32];          /* nservers x nservers, symmetric */
	struct fc_config node;        /* the nodes' common configuration (no
					 id, address, sites or peers) */
};

/*
 * The plan of sc (a web scenario that sim_catalog_check() accepted) for
 * replication `replication`.  NULL with err set when the model cannot be
 * built from it (a trace file that cannot be read, say).
 */
struct web_plan *web_plan_new(const struct scenario *sc, uint64_t replication, GError **err);

/* Accepts NULL. */
void web_plan_free(struct web_plan *p);

/* The key that servers i and j share. */
const uint8_t *web_plan_key(const struct web_plan *p, unsigned i, unsigned j);

#endif
