/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The model types that [run] model chooses from (models/keys.c lists them). */
#include "models/models.h"

#include "models/bittorrent/btload.h"
#include "models/mmck/mmck.h"
#include "models/web/web.h"
#include "models/winny/winny.h"
#include "models/world/world.h"

/* The traffic models that populate the world of [run] model = web. */
static const struct traffic_type *const web_world[] = { &web_traffic, &winny_traffic,
							 NULL };

/* The traffic models of [run] model = winny: the overlay alone. */
static const struct traffic_type *const winny_world[] = { &winny_alone_traffic, NULL };

static gboolean
web_check(const struct scenario *sc, GError **err)
{
	return world_model_check(web_world, sc, err);
}

static void
web_estimate(const struct scenario *sc, fc_time_t end, struct budget *b)
{
	world_model_estimate(web_world, sc, end, b);
}

static void *
web_create(struct sim_ctx *ctx, const struct scenario *sc, GError **err)
{
	return world_model_create(web_world, ctx, sc, err);
}

static gboolean
web_reads_group(const char *group)
{
	return world_model_reads_group(web_world, group);
}

static void
web_warn(const struct scenario *sc, GPtrArray *warnings)
{
	world_model_warn(web_world, sc, warnings);
}

static const struct model_type web_model = {
	.name = "web",
	.check = web_check,
	.estimate = web_estimate,
	.create = web_create,
	.finish = world_model_finish,
	.destroy = world_model_destroy,
	.reads_group = web_reads_group,
	.warn = web_warn,
	.headline_entity = "site.0",
	.headline_name = "success_ratio",
};

static gboolean
winny_check(const struct scenario *sc, GError **err)
{
	return world_model_check(winny_world, sc, err);
}

static void
winny_estimate(const struct scenario *sc, fc_time_t end, struct budget *b)
{
	world_model_estimate(winny_world, sc, end, b);
}

static void *
winny_create(struct sim_ctx *ctx, const struct scenario *sc, GError **err)
{
	return world_model_create(winny_world, ctx, sc, err);
}

static gboolean
winny_reads_group(const char *group)
{
	return world_model_reads_group(winny_world, group);
}

static void
winny_warn(const struct scenario *sc, GPtrArray *warnings)
{
	world_model_warn(winny_world, sc, warnings);
}

static const struct model_type winny_model = {
	.name = "winny",
	.check = winny_check,
	.estimate = winny_estimate,
	.create = winny_create,
	.finish = world_model_finish,
	.destroy = world_model_destroy,
	.reads_group = winny_reads_group,
	.warn = winny_warn,
	.headline_entity = "winny",
	.headline_name = "downloads_done",
};

const struct model_type *const flashcoop_models[] = {
	&mmck_model,
	&web_model,
	&btload_model,
	&winny_model,
	NULL,
};

const struct fc_enum_name flashcoop_model_names[] = {
	{ "mmck", 0 },
	{ "web", 1 },
	{ "swarm", 2 },
	{ "winny", 3 },
	{ NULL, 0 },
};

const struct sim_catalog flashcoop_catalog = {
	.models = flashcoop_models,
	.keys = &flashcoop_keys,
};
