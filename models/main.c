/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The flashcoop program: the simulator's command line (sim/cli.h) over the
 * models and scenario keys of this folder.
 */
#include <igraph/igraph.h>

#include "models/models.h"
#include "sim/cli.h"

int
main(int argc, char **argv)
{
	/* The topology checks igraph's return codes; igraph must not abort. */
	igraph_set_error_handler(igraph_error_handler_ignore);
	return sim_main(&flashcoop_catalog, argc, argv);
}
