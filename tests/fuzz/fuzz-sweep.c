/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A fuzz target for the sweep parser: the input is a sweep file, read with
 * the program's catalog as `flashcoop sweep` reads it (every point built
 * and checked, nothing run).  Its private directory holds two base
 * scenarios it may name, mm1.ini and web.ini.  The input must be accepted,
 * or refused with one line of error; a crash, a sanitizer report, a hang or
 * a runaway allocation is a failure.
 */
#include "tests/fuzz/fuzz.h"

#include <glib.h>

#include "models/models.h"
#include "sim/sweep.h"

static const char *const fixtures[] = {
	"mm1.ini",
	"[run]\nmodel = mmck\nduration = 100s\n[mmck]\narrival_rate = 0.5\n",
	"web.ini",
	"[run]\nmodel = web\nduration = 10min\n[web]\ncooperators = 3\n",
	NULL,
};

unsigned long fuzz_sweep_accepted;

int
fuzz_sweep_one(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_workdir(fixtures);
	g_autofree char *path = fuzz_write(dir, "fuzz.sweep", data, size);
	g_autoptr(GError) err = NULL;
	struct sweep *sw = sweep_load(&flashcoop_catalog, path, &err);

	if (!sw)
		fuzz_check_message(data, size, err ? err->message : NULL);
	else
		fuzz_sweep_accepted++;
	sweep_free(sw);
	return 0;
}

#ifdef FLASHCOOP_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_sweep_one(data, size);
}
#endif
