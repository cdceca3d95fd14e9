/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The program's choices: every name of every KEY_ENUM key of the key table
 * is accepted, reads back as the value its name table gives it and formats
 * back to itself; the tables that stand for a registry (model types, event
 * queues) agree with it.
 */
#include <glib.h>

#include "flashcoop/names.h"
#include "models/models.h"
#include "sim/autoptr.h"
#include "sim/evq.h"
#include "sim/keys.h"
#include "sim/scenario.h"
#include "tests/testutil.h"

static void
test_round_trip(void)
{
	size_t keys = 0;

	for (size_t i = 0; i < flashcoop_keys.n; i++) {
		const struct key_def *k = &flashcoop_keys.defs[i];
		g_autofree char *dotted = NULL, *choices = NULL;

		if (k->type != KEY_ENUM)
			continue;
		keys++;
		g_assert_nonnull(k->names);
		g_assert_cmpuint(fc_enum_count(k->names), >=, 2);
		dotted = g_strdup_printf("%s.%s", k->group, k->name);
		for (const struct fc_enum_name *c = k->names; c->name; c++) {
			g_autoptr(fc_scenario) sc = scenario_new(&flashcoop_keys);
			g_autoptr(GError) err = NULL;

			/* Names are unique within a table. */
			g_assert_true(fc_enum_find(k->names, c->name) == c);
			if (!scenario_set(sc, dotted, c->name, "test", &err))
				g_error("%s = %s: %s", dotted, c->name, err->message);
			g_assert_cmpstr(scenario_value_text(sc, k->group, k->name), ==, c->name);
			if (k->flags & KEY_LIST) {
				g_assert_cmpuint(scenario_list_len(sc, k->group, k->name), ==, 1);
				g_assert_cmpint(scenario_list_enum(sc, k->group, k->name, 0), ==,
						c->value);
			} else {
				g_assert_cmpint(scenario_enum(sc, k->group, k->name), ==, c->value);
				g_assert_cmpstr(scenario_choice(sc, k->group, k->name), ==, c->name);
			}
		}
		/* The "a|b|c" of the documentation is the table's names. */
		choices = keys_choices(k, "|");
		{
			g_auto(GStrv) parts = g_strsplit(choices, "|", -1);

			g_assert_cmpuint(g_strv_length(parts), ==, fc_enum_count(k->names));
			for (guint j = 0; parts[j]; j++)
				g_assert_cmpstr(parts[j], ==, k->names[j].name);
		}
	}
	g_assert_cmpuint(keys, >, 0);
}

static void
test_models(void)
{
	const struct key_def *k = keys_find(&flashcoop_keys, "run", "model");
	size_t n = 0;

	g_assert_nonnull(k);
	g_assert_true(k->names == flashcoop_model_names);
	while (flashcoop_models[n])
		n++;
	g_assert_cmpuint(fc_enum_count(flashcoop_model_names), ==, n);
	/* Each name is its model type's, at the index it gives: the same set. */
	for (const struct fc_enum_name *c = flashcoop_model_names; c->name; c++) {
		g_assert_cmpint(c->value, >=, 0);
		g_assert_cmpint(c->value, <, (int)n);
		g_assert_cmpstr(flashcoop_models[c->value]->name, ==, c->name);
	}
	for (size_t i = 0; i < n; i++)
		g_assert_nonnull(fc_enum_find(flashcoop_model_names, flashcoop_models[i]->name));
	/* No model, no model type: [run] model has no default. */
	{
		g_autoptr(fc_scenario) sc = scenario_new(&flashcoop_keys);

		g_assert_null(sim_catalog_model(&flashcoop_catalog, sc));
	}
	/* And the run driver finds them through the scenario. */
	for (size_t i = 0; i < n; i++) {
		g_autoptr(fc_scenario) sc = scenario_new(&flashcoop_keys);

		g_assert_true(scenario_set(sc, "run.model", flashcoop_models[i]->name, "test",
					   NULL));
		g_assert_true(sim_catalog_model(&flashcoop_catalog, sc) == flashcoop_models[i]);
	}
}

/*
 * Every group of the key table is read by some model type, and every group
 * a model type says it reads is in the table: a model added without its
 * groups (or with a misspelt one) fails here, not in a user's scenario.
 */
static void
test_groups(void)
{
	for (size_t i = 0; i < flashcoop_keys.n; i++) {
		const char *g = flashcoop_keys.defs[i].group;
		bool read = false;

		for (size_t m = 0; flashcoop_models[m]; m++)
			read = read || sim_model_reads_group(flashcoop_models[m], g);
		if (!read)
			g_error("no model type reads [%s]", g);
	}
	for (size_t m = 0; flashcoop_models[m]; m++)
		for (size_t j = 0; flashcoop_models[m]->groups &&
				   flashcoop_models[m]->groups[j]; j++)
			g_assert_true(keys_group_exists(&flashcoop_keys,
							flashcoop_models[m]->groups[j]));
	/* [run] and [scenario] are everyone's; a model's own group is not
	 * another's. */
	g_assert_true(sim_model_reads_group(flashcoop_models[0], "run"));
	g_assert_true(sim_model_reads_group(flashcoop_models[1], "coop"));
	g_assert_false(sim_model_reads_group(flashcoop_models[0], "coop"));
	g_assert_false(sim_model_reads_group(flashcoop_models[2], "coop"));
}

static void
test_queues(void)
{
	const struct key_def *k = keys_find(&flashcoop_keys, "run", "queue");
	size_t n = 0;

	g_assert_true(k && k->names == evq_names);
	while (evq_types[n])
		n++;
	g_assert_cmpuint(fc_enum_count(evq_names), ==, n);
	for (const struct fc_enum_name *c = evq_names; c->name; c++)
		g_assert_cmpstr(evq_types[c->value]->name, ==, c->name);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/choices/round-trip", test_round_trip);
	g_test_add_func("/choices/models", test_models);
	g_test_add_func("/choices/queues", test_queues);
	g_test_add_func("/choices/groups", test_groups);
	return g_test_run();
}
