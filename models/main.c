/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The flashcoop program: the simulator's command line (sim/cli.h) over the
 * models and scenario keys of this folder.  `flashcoop testbed ...` runs
 * the testbed's driver, fc-testbed (testbed/harness/), which links the
 * same models but also the testbed's libraries: it is found beside the
 * program (testbed/fc-testbed in the build tree, or
 * ../libexec/flashcoop/fc-testbed once installed).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <igraph/igraph.h>

#include "models/models.h"
#include "sim/cli.h"

static int
run_testbed(int argc, char **argv)
{
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = exe ? g_path_get_dirname(exe) : NULL;
	const char *const rel[] = { "testbed/fc-testbed", "../libexec/flashcoop/fc-testbed" };
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	for (size_t i = 0; dir && i < G_N_ELEMENTS(rel); i++) {
		g_autofree char *p = g_build_filename(dir, rel[i], NULL);

		if (!g_file_test(p, G_FILE_TEST_IS_EXECUTABLE))
			continue;
		g_ptr_array_add(args, p);
		for (int a = 2; a < argc; a++)
			g_ptr_array_add(args, argv[a]);
		g_ptr_array_add(args, NULL);
		execv(p, (char **)args->pdata);
		fprintf(stderr, "flashcoop testbed: %s: %s\n", p, g_strerror(errno));
		return 2;
	}
	fprintf(stderr, "flashcoop testbed: the testbed's driver (fc-testbed) is not built "
		"beside %s: build it with make\n", exe ? exe : "the program");
	return 2;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "testbed") == 0)
		return run_testbed(argc, argv);
	/* The topology checks igraph's return codes; igraph must not abort. */
	igraph_set_error_handler(igraph_error_handler_ignore);
	return sim_main(&flashcoop_catalog, argc, argv);
}
