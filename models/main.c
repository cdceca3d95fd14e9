/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The flashcoop program: the simulator's command line (sim/cli.h) over the
 * models and scenario keys of this folder.
 */
#include "models/models.h"
#include "sim/cli.h"

int
main(int argc, char **argv)
{
	return sim_main(&flashcoop_catalog, argc, argv);
}
