/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The installed data directory (see sim/datadir.h). */
#include "sim/datadir.h"

#include <glib.h>

char *
datadir_get(void)
{
	const char *env = g_getenv("FLASHCOOP_DATADIR");
	g_autofree char *exe = NULL, *bindir = NULL, *dir = NULL;

	if (env && *env)
		return g_file_test(env, G_FILE_TEST_IS_DIR) ? g_strdup(env) : NULL;
	exe = g_file_read_link("/proc/self/exe", NULL);
	if (!exe)
		return NULL;
	bindir = g_path_get_dirname(exe);
	dir = g_build_filename(bindir, "..", "share", "flashcoop", NULL);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
		return NULL;
	return g_steal_pointer(&dir);
}

char *
datadir_find(const char *rel)
{
	g_autofree char *dir = NULL;
	const char *const sub[] = { "", "scenarios" };

	if (g_path_is_absolute(rel))
		return NULL;
	dir = datadir_get();
	for (size_t i = 0; dir && i < G_N_ELEMENTS(sub); i++) {
		g_autofree char *p = g_build_filename(dir, sub[i], rel, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
			return g_steal_pointer(&p);
	}
	return NULL;
}

char *
datadir_resolve(const char *path)
{
	char *found;

	if (g_path_is_absolute(path) || g_file_test(path, G_FILE_TEST_EXISTS))
		return g_strdup(path);
	found = datadir_find(path);
	return found ? found : g_strdup(path);
}
