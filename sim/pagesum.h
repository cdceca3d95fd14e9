/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Page checksums for results databases.  SQLite lets a file reserve bytes
 * at the end of every page for an extension's use; a results database
 * reserves PAGESUM_RESERVE of them and keeps there a checksum of the rest
 * of the page.  A small SQLite VFS (PAGESUM_VFS, a shim over the default
 * one) writes the checksum with every page it writes and checks it with
 * every page it reads, so a flipped bit anywhere in a page that SQLite
 * reads is an error (SQLITE_IOERR_DATA) instead of wrong results or a
 * write into a damaged file.  pagesum_verify() checks every page of a file
 * without SQLite, to refuse a damaged file before writing into it.
 *
 * A file whose header reserves no bytes (a file of another program, or
 * one made by the sqlite3 shell) is read and written through the VFS as
 * it is, without checksums.  Writing into a results database with another
 * program leaves stale checksums, and flashcoop then refuses the file as
 * damaged (docs/results.md).
 */
#ifndef FLASHCOOP_SIM_PAGESUM_H
#define FLASHCOOP_SIM_PAGESUM_H

#include <stdint.h>

#include <glib.h>

/* Bytes reserved at the end of each page: one 64-bit checksum. */
#define PAGESUM_RESERVE 8

/* The VFS name to give sqlite3_open_v2(). */
#define PAGESUM_VFS "flashcoop-pagesum"

/*
 * The checksum of one page of size bytes (its last PAGESUM_RESERVE bytes
 * left out: they hold the checksum), page numbers counting from 1.  Any
 * change confined to one 8-byte word of the page changes it.
 */
uint64_t pagesum_of(const unsigned char *page, size_t size, uint64_t pgno);

/* Registers the VFS once (not as the default); FALSE if SQLite refuses. */
gboolean pagesum_register(void);

/*
 * Checks every page of the SQLite file at path: its size is a whole number
 * of pages, as many as the header says, the header reserves
 * PAGESUM_RESERVE bytes, and each page's checksum holds.  FALSE with *why
 * (newly allocated, one line) naming the first problem.
 */
gboolean pagesum_verify(const char *path, char **why);

#endif
