/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading an input file whole, safely: scenario files, their includes,
 * sweep files, sweep bases and traces.  The file must be a regular file no
 * larger than a bound that the caller gives; anything else (a directory, a
 * FIFO, a device such as /dev/zero or a terminal, a file over the bound)
 * is refused with one line naming the file, before a byte of it is read.
 * The file is opened without blocking (O_NONBLOCK) and checked with
 * fstat() on that descriptor, so a FIFO never blocks and a file swapped
 * between the check and the read is still the one checked.
 */
#ifndef FLASHCOOP_SIM_INFILE_H
#define FLASHCOOP_SIM_INFILE_H

#include <glib.h>

/*
 * The bound on a scenario or sweep file and on each file it includes:
 * 4 MiB, a hundred times the longest sweep file a person writes, and
 * enough for a [vary] list of 100,000 values (the most a sweep takes).
 */
#define INFILE_MAX_TEXT ((gsize)4 << 20)

/*
 * The bound on a trace of counts: 64 MiB, a count per second for more
 * than three months as CSV.
 */
#define INFILE_MAX_TRACE ((gsize)64 << 20)

#define INFILE_ERROR (infile_error_quark())
GQuark infile_error_quark(void);

enum infile_error_code {
	INFILE_ERROR_OPEN,     /* it cannot be opened or read (errno's message) */
	INFILE_ERROR_NOT_FILE, /* a directory, FIFO, device or socket */
	INFILE_ERROR_TOO_BIG,  /* larger than the bound */
};

/*
 * Reads the regular file at path, of at most max bytes, into *contents
 * (newly allocated, with a terminating NUL beyond *len).  Returns FALSE
 * with err set ("PATH: not a regular file (a FIFO)", "PATH: too large:
 * 5000000 bytes, more than the 4 MiB an input file may have", "PATH: No
 * such file or directory") and *contents untouched otherwise.
 */
gboolean infile_read(const char *path, gsize max, char **contents, gsize *len,
		     GError **err);

#endif
