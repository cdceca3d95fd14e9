/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/harness/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>

int
tb_state_lock(GError **err)
{
	const char *path = TB_STATE_DIR "/lock";
	int fd;

	if (g_mkdir_with_parents(TB_STATE_DIR, 0755) != 0 ||
	    (fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "%s: cannot create: %s", path, g_strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		g_autofree char *holder = NULL;

		g_file_get_contents(path, &holder, NULL, NULL);
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_EXIST,
			    "another testbed run holds %s (pid %s): one run at a time", path,
			    holder && *holder ? g_strchomp(holder) : "?");
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) == 0)
		dprintf(fd, "%d\n", (int)getpid());
	return fd;
}

char *
tb_state_left(void)
{
	char *dir = NULL;

	if (!g_file_get_contents(TB_STATE_DIR "/current", &dir, NULL, NULL))
		return NULL;
	g_strchomp(dir);
	if (!*dir) {
		g_free(dir);
		return NULL;
	}
	return dir;
}

gboolean
tb_state_set(const char *dir, GError **err)
{
	if (!dir) {
		if (g_unlink(TB_STATE_DIR "/current") != 0 && errno != ENOENT) {
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
				    "%s: cannot remove: %s", TB_STATE_DIR "/current",
				    g_strerror(errno));
			return FALSE;
		}
		return TRUE;
	}
	return g_file_set_contents(TB_STATE_DIR "/current", dir, -1, err);
}
