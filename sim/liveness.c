/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/liveness.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <glib.h>

/*
 * Field 3 (state) and field 22 (starttime) of /proc/PID/stat.  The command
 * name in field 2 may hold spaces and parentheses, so fields are counted
 * from its last ')'.
 */
static bool
read_stat(pid_t pid, char *state, char **ticks)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
	g_autofree char *text = NULL;
	g_auto(GStrv) fields = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return false;
	p = strrchr(text, ')');
	if (!p)
		return false;
	fields = g_strsplit(p + 1, " ", 0);
	/* After ')' comes an empty field, then state (3) ... starttime (22). */
	if (g_strv_length(fields) < 21)
		return false;
	*state = fields[1][0];
	*ticks = g_strdup(fields[20]);
	return true;
}

static char *
boot_id(void)
{
	g_autofree char *id = NULL;

	if (!g_file_get_contents("/proc/sys/kernel/random/boot_id", &id, NULL, NULL))
		return g_strdup("?");
	return g_strdup(g_strstrip(id));
}

char *
liveness_start_of(pid_t pid)
{
	g_autofree char *ticks = NULL, *boot = NULL;
	char state;

	if (!read_stat(pid, &state, &ticks))
		return NULL;
	boot = boot_id();
	return g_strdup_printf("%s/%s", boot, ticks);
}

bool
liveness_alive(const char *host, pid_t pid, const char *start)
{
	g_autofree char *ticks = NULL, *now = NULL;
	char state;

	if (g_strcmp0(host, g_get_host_name()) != 0)
		return true;
	if (pid <= 0)
		return false;
	if (kill(pid, 0) != 0 && errno == ESRCH)
		return false;
	if (!read_stat(pid, &state, &ticks))
		/* No /proc: kill() said the pid exists. */
		return !g_file_test("/proc/self/stat", G_FILE_TEST_EXISTS);
	if (state == 'Z' || state == 'X')
		return false;
	if (!start)
		return true;
	now = liveness_start_of(pid);
	return now && strcmp(now, start) == 0;
}
