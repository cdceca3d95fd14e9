/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Winny-style P2P traffic (seed 002 §2-2): an overlay of peers with search
 * links and transfer links, keys diffused over the search links, periodic
 * queries and downloads in 64 KiB blocks, every download leaving a cached
 * copy that serves others.  Its transfers are flows of the world's network,
 * so they share the access and ISP links with whatever else runs there;
 * every connection that crosses an ISP's shared link (the tap) goes to the
 * flow_log table, from which seed 002's Figs. 5-7 are recomputed
 * (analysis/winny-tap.sql).  docs/winny.md describes the model and where
 * each parameter comes from.
 *
 * [run] model = winny runs the overlay alone; the web model runs it beside
 * the flash crowd when [winny] enabled = true.
 */
#ifndef FLASHCOOP_MODELS_WINNY_WINNY_H
#define FLASHCOOP_MODELS_WINNY_WINNY_H

#include <stdbool.h>

#include "flashcoop/names.h"
#include "models/world/world.h"
#include "sim/scenario.h"

/* The overlay as a traffic model of the world; enabled by [winny] enabled. */
extern const struct traffic_type winny_traffic;

/* The same, always enabled: what [run] model = winny runs. */
extern const struct traffic_type winny_alone_traffic;

/*
 * The key index of such an overlay, key by key, under an operator's
 * control: decoy peers on the uploader's search links, or dummy keys of
 * its file IDs (seed 002 §3, models/winny/index.c).  What [run] model =
 * winny-index runs.
 */
extern const struct traffic_type winny_index_traffic;

/* The choices of [index] control. */
extern const struct fc_enum_name index_control_names[];
/* The choices of [index] rewrite. */
extern const struct fc_enum_name index_rewrite_names[];
/* The choices of [index] pick. */
extern const struct fc_enum_name index_pick_names[];

#endif
