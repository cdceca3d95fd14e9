/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The model types that [run] model chooses from (models/keys.c lists them). */
#include "models/models.h"

#include "models/bittorrent/btload.h"
#include "models/handover/handover.h"
#include "models/mmck/mmck.h"
#include "models/web/web.h"
#include "models/winny/identify.h"
#include "models/winny/winny.h"
#include "models/world/world.h"

/* The traffic models that populate the world of [run] model = web. */
static const struct traffic_type *const web_world[] = { &web_traffic, &winny_traffic,
							 NULL };

/* The traffic models of [run] model = winny: the overlay alone. */
static const struct traffic_type *const winny_world[] = { &winny_alone_traffic, NULL };
/* The traffic model of [run] model = winny-index: the key index alone. */
static const struct traffic_type *const index_world[] = { &winny_index_traffic, NULL };

/*
 * A model type made of a world and the traffic types `types`: the run
 * driver's callbacks (sim/model.h) take no user data, so each world model
 * gets its own small functions that pass its list on.
 */
#define WORLD_MODEL_TYPE(prefix, label, types, headline_ent, headline_nam)                \
	static gboolean prefix##_check(const struct scenario *sc, GError **err)     \
	{                                                                          \
		return world_model_check(types, sc, err);                          \
	}                                                                          \
	static void prefix##_estimate(const struct scenario *sc, fc_time_t end,    \
				      struct budget *b)                             \
	{                                                                          \
		world_model_estimate(types, sc, end, b);                           \
	}                                                                          \
	static void *prefix##_create(struct sim_ctx *ctx, const struct scenario *sc, \
				     GError **err)                                  \
	{                                                                          \
		return world_model_create(types, ctx, sc, err);                    \
	}                                                                          \
	static gboolean prefix##_reads_group(const char *group)                    \
	{                                                                          \
		return world_model_reads_group(types, group);                      \
	}                                                                          \
	static void prefix##_warn(const struct scenario *sc, GPtrArray *warnings)   \
	{                                                                          \
		world_model_warn(types, sc, warnings);                             \
	}                                                                          \
	static const struct model_type prefix##_model = {                          \
		.name = label,                                                     \
		.check = prefix##_check,                                           \
		.estimate = prefix##_estimate,                                     \
		.create = prefix##_create,                                         \
		.finish = world_model_finish,                                      \
		.destroy = world_model_destroy,                                    \
		.reads_group = prefix##_reads_group,                               \
		.warn = prefix##_warn,                                             \
		.headline_entity = headline_ent,                                   \
		.headline_name = headline_nam,                                     \
	}

WORLD_MODEL_TYPE(web, "web", web_world, "site.0", "success_ratio");
WORLD_MODEL_TYPE(winny, "winny", winny_world, "winny", "downloads_done");
WORLD_MODEL_TYPE(winny_index, "winny-index", index_world, "download", "done");

const struct model_type *const flashcoop_models[] = {
	&mmck_model,
	&web_model,
	&btload_model,
	&winny_model,
	&handover_model,
	&winny_index_model,
	NULL,
};

const struct fc_enum_name flashcoop_model_names[] = {
	{ "mmck", 0 },
	{ "web", 1 },
	{ "swarm", 2 },
	{ "winny", 3 },
	{ "handover", 4 },
	{ "winny-index", 5 },
	{ NULL, 0 },
};

/* The commands that analyse what a model recorded. */
static const struct sim_command flashcoop_commands[] = {
	{ "identify", "DB", "find Winny endpoints from decoy peers (seed 002's Table 1)",
	  winny_identify_main },
	{ NULL, NULL, NULL, NULL },
};

const struct sim_catalog flashcoop_catalog = {
	.models = flashcoop_models,
	.keys = &flashcoop_keys,
	.commands = flashcoop_commands,
};
