/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The model types that [run] model chooses from (models/keys.c lists them). */
#include "btload.h"
#include "model.h"
#include "mmck.h"
#include "web.h"

const struct model_type *const model_types[] = {
	&mmck_model,
	&web_model,
	&btload_model,
	NULL,
};
