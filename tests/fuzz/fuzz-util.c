/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the fuzz targets share (tests/fuzz/fuzz.h). */
#include "tests/fuzz/fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

static char *workdir;
static const uint8_t *input;
static size_t input_len;

void
fuzz_input(const uint8_t *data, size_t size)
{
	input = data;
	input_len = data ? size : 0;
}

_Noreturn void
fuzz_fail(const char *file, int line, const char *expr)
{
	GString *hex = g_string_new(NULL);

	for (size_t i = 0; i < input_len; i++)
		g_string_append_printf(hex, "%02x", input[i]);
	g_printerr("fuzz input (%zu bytes): %s\n", input_len, hex->str);
	g_string_free(hex, TRUE);
	g_assertion_message_expr(G_LOG_DOMAIN, file, line, "fuzz", expr);
	abort();
}

/* Removes the work directory and the files in it (it has no subfolders). */
static void
workdir_remove(void)
{
	GDir *d;
	const char *name;

	if (!workdir)
		return;
	d = g_dir_open(workdir, 0, NULL);
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(workdir, name, NULL);

		g_remove(path);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(workdir);
	g_clear_pointer(&workdir, g_free);
}

const char *
fuzz_workdir(const char *const *fixtures)
{
	/* The fixture lists already written: the targets share the directory
	 * when one process runs several (tests/test-fuzz-corpus.c). */
	static GPtrArray *written;
	g_autoptr(GError) err = NULL;

	if (!workdir) {
		workdir = g_dir_make_tmp("flashcoop-fuzz-XXXXXX", &err);
		if (!workdir)
			g_error("fuzz: cannot make a work directory: %s", err->message);
		atexit(workdir_remove);
		written = g_ptr_array_new();
	}
	if (fixtures && !g_ptr_array_find(written, fixtures, NULL)) {
		for (size_t i = 0; fixtures[i]; i += 2)
			g_free(fuzz_write(workdir, fixtures[i], (const uint8_t *)fixtures[i + 1],
					  strlen(fixtures[i + 1])));
		g_ptr_array_add(written, (gpointer)fixtures);
	}
	return workdir;
}

char *
fuzz_write(const char *dir, const char *name, const uint8_t *data, size_t size)
{
	char *path = g_build_filename(dir, name, NULL);
	/* Plain stdio, not g_file_set_contents(): its fsync would cost more
	 * than the parsing under test. */
	FILE *f = fopen(path, "wb");

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		g_error("fuzz: cannot write %s", path);
	return path;
}

void
fuzz_check_message(const uint8_t *data, size_t size, const char *message)
{
	if (message && *message && !strchr(message, '\n'))
		return;
	fprintf(stderr, "fuzz input (%zu bytes):", size);
	for (size_t i = 0; i < size; i++)
		fprintf(stderr, "%02x", data[i]);
	fprintf(stderr, "\nfuzz: an error message must be one non-empty line, found: %s\n",
		message ? message : "(none)");
	abort();
}
