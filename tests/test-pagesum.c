/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Page checksums: every single flipped bit of a page changes its checksum,
 * the page number is part of it, and through the VFS a written page reads
 * back while a page damaged on disk is an error, and pagesum_verify()
 * names it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "sim/pagesum.h"
#include "tests/testutil.h"

#define PAGE 4096

static void
test_every_bit(void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(7);
	unsigned char page[PAGE];
	uint64_t sum;

	for (size_t i = 0; i < PAGE; i++)
		page[i] = (unsigned char)g_rand_int_range(rand, 0, 256);
	sum = pagesum_of(page, PAGE, 3);
	for (size_t i = 0; i < PAGE - PAGESUM_RESERVE; i++) {
		for (int b = 0; b < 8; b++) {
			page[i] ^= (unsigned char)(1u << b);
			g_assert_cmpuint(pagesum_of(page, PAGE, 3), !=, sum);
			page[i] ^= (unsigned char)(1u << b);
		}
	}
	/* The reserved bytes are not part of the sum. */
	page[PAGE - 1] ^= 1;
	g_assert_cmpuint(pagesum_of(page, PAGE, 3), ==, sum);
	g_assert_cmpuint(pagesum_of(page, PAGE, 4), !=, sum);
}

/* Flips one bit of the file at off. */
static void
flip(const char *path, long off)
{
	FILE *f = fopen(path, "r+b");
	int c;

	g_assert_nonnull(f);
	g_assert_cmpint(fseek(f, off, SEEK_SET), ==, 0);
	c = fgetc(f);
	g_assert_cmpint(fseek(f, off, SEEK_SET), ==, 0);
	fputc(c ^ 0x10, f);
	fclose(f);
}

static void
test_vfs(void)
{
	g_autofree char *dir = g_dir_make_tmp("pagesum-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "t.db", NULL);
	g_autofree char *why = NULL;
	sqlite3 *db = NULL;
	int reserve = PAGESUM_RESERVE;
	sqlite3_stmt *st = NULL;
	int rc;

	g_assert_true(pagesum_register());
	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
					SQLITE_OPEN_CREATE, PAGESUM_VFS), ==, SQLITE_OK);
	sqlite3_file_control(db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
	g_assert_cmpint(sqlite3_exec(db, "CREATE TABLE t (x);"
				     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
				     " SELECT i + 1 FROM n WHERE i < 2000)"
				     "INSERT INTO t SELECT i * 1.5 FROM n;", NULL, NULL,
				     NULL), ==, SQLITE_OK);
	sqlite3_close(db);
	g_assert_true(pagesum_verify(path, &why));

	/* A bit flipped in a stored number: SQLite's own checks cannot see it. */
	flip(path, 2 * PAGE + 3000);
	g_assert_false(pagesum_verify(path, &why));
	g_assert_cmpstr(why, ==, "page 3 fails its checksum");
	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, PAGESUM_VFS),
			==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT sum(x) FROM t", -1, &st, NULL),
			==, SQLITE_OK);
	rc = sqlite3_step(st);
	g_assert_cmpint(rc, !=, SQLITE_ROW);
	g_assert_cmpint(sqlite3_extended_errcode(db), ==, SQLITE_IOERR_DATA);
	sqlite3_finalize(st);
	sqlite3_close(db);

	/* Truncated to a whole number of pages: the header's count says so. */
	flip(path, 2 * PAGE + 3000);
	g_assert_true(pagesum_verify(path, &why));
	g_assert_cmpint(truncate(path, 2 * PAGE), ==, 0);
	g_clear_pointer(&why, g_free);
	g_assert_false(pagesum_verify(path, &why));
	g_assert_nonnull(strstr(why, "truncated"));
	g_unlink(path);
	g_rmdir(dir);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/pagesum/every-bit", test_every_bit);
	g_test_add_func("/pagesum/vfs", test_vfs);
	return g_test_run();
}
