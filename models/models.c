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

const struct sim_catalog flashcoop_catalog = {
	.models = model_types,
	.keys = &scenario_keys,
};
