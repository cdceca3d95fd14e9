/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What flashcoop simulates: the model types that [run] model chooses from
 * and the scenario key table (models/keys.c), as one catalog for the
 * simulator.
 */
#ifndef FLASHCOOP_MODELS_MODELS_H
#define FLASHCOOP_MODELS_MODELS_H

#include "sim/keys.h"
#include "sim/model.h"

/* Every scenario key, in documentation order. */
extern const struct key_table flashcoop_keys;

/* The model types, NULL-terminated. */
extern const struct model_type *const flashcoop_models[];

/*
 * The choices of [run] model: each model type's name, with its index in
 * flashcoop_models as the value (tests/test-choices.c checks that they agree).
 */
extern const struct fc_enum_name flashcoop_model_names[];

/* Both, for sim_main() and the run driver. */
extern const struct sim_catalog flashcoop_catalog;

#endif
