/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A fuzz target for the scenario parser: the input is a scenario file, read
 * as `flashcoop run` reads it, with the program's key table and models,
 * up to and including sim_catalog_check() (the model's check, its work
 * estimate and warnings) — everything before a results database is
 * opened.  The input must be accepted, or refused with one line of error;
 * a crash, a sanitizer report, a hang or a runaway allocation is a
 * failure.  The file lies in a private directory next to a fixture that it
 * may include (base.ini).
 */
#include "tests/fuzz/fuzz.h"

#include <glib.h>

#include "models/models.h"
#include "sim/autoptr.h"
#include "sim/model.h"
#include "sim/run.h"
#include "sim/scenario.h"

static const char *const fixtures[] = {
	"base.ini",
	"[run]\nmodel = mmck\nduration = 100s\n[mmck]\narrival_rate = 0.5\n",
	NULL,
};

unsigned long fuzz_scenario_accepted;

int
fuzz_scenario_one(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_workdir(fixtures);
	g_autofree char *path = fuzz_write(dir, "scenario.ini", data, size);
	g_autoptr(GError) err = NULL;
	g_autoptr(fc_scenario) sc = scenario_load(flashcoop_catalog.keys, path, &err);
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);

	if (!sc) {
		fuzz_check_message(data, size, err ? err->message : NULL);
		return 0;
	}
	/* What run_scenario() checks before it opens the database. */
	if (!sim_catalog_check(&flashcoop_catalog, sc, warnings, &err)) {
		fuzz_check_message(data, size, err ? err->message : NULL);
		return 0;
	}
	fuzz_scenario_accepted++;
	return 0;
}

#ifdef FLASHCOOP_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_scenario_one(data, size);
}
#endif
