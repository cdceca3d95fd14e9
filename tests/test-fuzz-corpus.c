/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The committed seed corpora (tests/fuzz/corpus/<target>/) through their
 * fuzz targets (tests/fuzz/fuzz.h), so that every check passes the targets'
 * contract on each seed, and a target or corpus that rots fails here before
 * `make fuzz-ci` meets it.  Each corpus must hold a handful of files, and
 * the seeds must reach past the first refusals: the scenario and sweep
 * corpora hold inputs that load, the message corpus messages the node
 * accepts.
 */
#include <string.h>

#include <glib.h>

#include "tests/fuzz/fuzz.h"
#include "tests/testutil.h"

struct target {
	const char *name;
	int (*one)(const uint8_t *data, size_t size);
	unsigned long *accepted;
};

static const struct target targets[] = {
	{ "msg", fuzz_msg_one, &fuzz_msg_accepted },
	{ "scenario", fuzz_scenario_one, &fuzz_scenario_accepted },
	{ "sweep", fuzz_sweep_one, &fuzz_sweep_accepted },
	{ "dts", fuzz_dts_one, &fuzz_dts_accepted },
};

static gint
path_compare(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus files of a target, sorted; fails unless there are some. */
static GPtrArray *
corpus(const char *name)
{
	g_autofree char *dir = g_build_filename("tests", "fuzz", "corpus", name, NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &err);
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	const char *f;

	g_assert_no_error(err);
	while ((f = g_dir_read_name(d)))
		g_ptr_array_add(files, g_build_filename(dir, f, NULL));
	g_ptr_array_sort(files, path_compare);
	g_assert_cmpuint(files->len, >=, 3);
	g_assert_cmpuint(files->len, <=, 40);
	return files;
}

static void
test_target(gconstpointer data)
{
	const struct target *t = data;
	g_autoptr(GPtrArray) files = corpus(t->name);
	unsigned long accepted_before = *t->accepted;

	for (guint i = 0; i < files->len; i++) {
		g_autofree char *text = NULL;
		gsize len;
		g_autoptr(GError) err = NULL;

		g_file_get_contents(files->pdata[i], &text, &len, &err);
		g_assert_no_error(err);
		g_assert_cmpuint(len, <=, 4096);
		g_assert_cmpint(t->one((const uint8_t *)text, len), ==, 0);
	}
	/* The seeds reach past the parser's or the MAC's first refusal. */
	g_assert_cmpuint(*t->accepted - accepted_before, >=, 3);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	for (size_t i = 0; i < G_N_ELEMENTS(targets); i++) {
		g_autofree char *path = g_strdup_printf("/fuzz/corpus/%s", targets[i].name);

		g_test_add_data_func(path, &targets[i], test_target);
	}
	return g_test_run();
}
