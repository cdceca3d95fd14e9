/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading a GLib key file with positions.  GKeyFile parses and unescapes the
 * values; a line scanner beside it records where each group and key is and
 * refuses what GKeyFile would let through quietly: a group or key given
 * twice, a key before any group, locale keys (key[xx]), bytes that are not
 * UTF-8 text.  Scenario and sweep files are both read this way.
 */
#ifndef FLASHCOOP_SIM_KEYFILE_H
#define FLASHCOOP_SIM_KEYFILE_H

#include <glib.h>

/* One group header (key NULL) or one key line, in file order. */
struct keyfile_entry {
	char *group;
	char *key;   /* NULL for a group header */
	char *value; /* unescaped by GKeyFile; NULL for a group header */
	unsigned line;
};

/* The error domain and codes that keyfile_read() reports with. */
struct keyfile_codes {
	GQuark domain;
	int io, syntax, duplicate;
};

/*
 * Reads path into an array of struct keyfile_entry (g_ptr_array_unref()
 * frees it), and its text into *text (newly allocated) when text is not
 * NULL.  On failure returns NULL with err set; messages start with
 * "path:line: ".
 */
GPtrArray *keyfile_read(const char *path, const struct keyfile_codes *codes,
			char **text, GError **err);

/* g_set_error() with "path:line: " in front (no line when line is 0). */
gboolean keyfile_error(GError **err, GQuark domain, int code, const char *path,
		       unsigned line, const char *fmt, ...) G_GNUC_PRINTF(6, 7);

#endif
