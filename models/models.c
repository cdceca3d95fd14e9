/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The model types that [run] model chooses from (models/keys.c lists them). */
#include "models/models.h"

#include "models/bittorrent/btload.h"
#include "models/mmck/mmck.h"
#include "models/web/web.h"

const struct model_type *const model_types[] = {
	&mmck_model,
	&web_model,
	&btload_model,
	NULL,
};

const struct fc_enum_name model_names[] = {
	{ "mmck", 0 },
	{ "web", 1 },
	{ "swarm", 2 },
	{ NULL, 0 },
};

const struct sim_catalog flashcoop_catalog = {
	.models = model_types,
	.keys = &scenario_keys,
};
