/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/pagesum.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

/* The SQLite file header: magic, page size at 16, reserved bytes at 20,
 * page count at 28 (valid when the change counter at 24 equals the
 * "version valid for" number at 92). */
#define HEADER_BYTES 100
static const char magic[] = "SQLite format 3";

/*
 * The checksum of one page without its last PAGESUM_RESERVE bytes, seeded
 * with its page number so that a page written at the wrong place is caught
 * too.  Each step is a bijection of the running state for a fixed word
 * (xor, then a multiplication by an odd constant), so any change confined
 * to one 8-byte word always changes the result: every single flipped bit
 * is found.
 */
uint64_t
pagesum_of(const unsigned char *page, size_t size, uint64_t pgno)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ pgno;

	for (size_t i = 0; i + 8 <= size - PAGESUM_RESERVE; i += 8) {
		uint64_t w;

		memcpy(&w, page + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
	}
	return h ^ (h >> 31);
}

static uint64_t
stored_sum(const unsigned char *page, size_t size)
{
	uint64_t s = 0;

	for (int i = 0; i < 8; i++)
		s |= (uint64_t)page[size - PAGESUM_RESERVE + i] << (8 * i);
	return s;
}

static void
store_sum(unsigned char *page, size_t size, uint64_t s)
{
	for (int i = 0; i < 8; i++)
		page[size - PAGESUM_RESERVE + i] = (unsigned char)(s >> (8 * i));
}

/* The page size a header gives (1 stands for 65536), 0 if invalid. */
static uint32_t
header_page_size(const unsigned char *h)
{
	uint32_t n = (uint32_t)h[16] << 8 | h[17];

	if (n == 1)
		return 65536;
	return n >= 512 && (n & (n - 1)) == 0 ? n : 0;
}

/* ---- The VFS shim. ---- */

struct ps_file {
	sqlite3_file base;
	sqlite3_file *real;   /* the default VFS's file, just after this struct */
	int main_db;          /* only main database files carry checksums */
	uint32_t page_size;   /* from the header, 0 until read */
	int reserve;          /* reserved bytes from the header, -1 until read */
};

static sqlite3_vfs ps_vfs;

static sqlite3_vfs *
root_vfs(void)
{
	return ps_vfs.pAppData;
}

static void
learn_header(struct ps_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	const unsigned char *h = buf;

	if (off != 0 || amt < HEADER_BYTES || memcmp(h, magic, sizeof magic) != 0)
		return;
	f->page_size = header_page_size(h);
	f->reserve = h[20];
}

/* Whether a read or write of amt bytes at off is one whole checked page. */
static int
checked_page(const struct ps_file *f, int amt, sqlite3_int64 off)
{
	return f->main_db && f->reserve == PAGESUM_RESERVE && f->page_size &&
	       (uint32_t)amt == f->page_size && off % amt == 0;
}

static int
ps_close(sqlite3_file *file)
{
	struct ps_file *f = (struct ps_file *)file;

	return f->real->pMethods->xClose(f->real);
}

static int
ps_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	struct ps_file *f = (struct ps_file *)file;
	int rc = f->real->pMethods->xRead(f->real, buf, amt, off);

	if (rc != SQLITE_OK || !f->main_db)
		return rc;
	learn_header(f, buf, amt, off);
	if (checked_page(f, amt, off) &&
	    pagesum_of(buf, (size_t)amt, (uint64_t)(off / amt) + 1) !=
	    stored_sum(buf, (size_t)amt))
		return SQLITE_IOERR_DATA;
	return SQLITE_OK;
}

static int
ps_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
	struct ps_file *f = (struct ps_file *)file;
	unsigned char *copy;
	int rc;

	if (f->main_db)
		learn_header(f, buf, amt, off);
	if (!checked_page(f, amt, off))
		return f->real->pMethods->xWrite(f->real, buf, amt, off);
	/* The caller's page stays as it was: the sum goes into a copy. */
	copy = sqlite3_malloc(amt);
	if (!copy)
		return SQLITE_IOERR_NOMEM;
	memcpy(copy, buf, (size_t)amt);
	store_sum(copy, (size_t)amt, pagesum_of(copy, (size_t)amt, (uint64_t)(off / amt) + 1));
	rc = f->real->pMethods->xWrite(f->real, copy, amt, off);
	sqlite3_free(copy);
	return rc;
}

static int
ps_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct ps_file *f = (struct ps_file *)file;

	return f->real->pMethods->xTruncate(f->real, size);
}

static int
ps_sync(sqlite3_file *file, int flags)
{
	struct ps_file *f = (struct ps_file *)file;

	return f->real->pMethods->xSync(f->real, flags);
}

static int
ps_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct ps_file *f = (struct ps_file *)file;

	return f->real->pMethods->xFileSize(f->real, size);
}

static int
ps_lock(sqlite3_file *file, int level)
{
	struct ps_file *f = (struct ps_file *)file;

	return f->real->pMethods->xLock(f->real, level);
}

static int
ps_unlock(sqlite3_file *file, int level)
{
	struct ps_file *f = (struct ps_file *)file;

	return f->real->pMethods->xUnlock(f->real, level);
}

static int
ps_check_reserved_lock(sqlite3_file *file, int *out)
{
	struct ps_file *f = (struct ps_file *)file;

	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int
ps_file_control(sqlite3_file *file, int op, void *arg)
{
	struct ps_file *f = (struct ps_file *)file;

	return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int
ps_sector_size(sqlite3_file *file)
{
	struct ps_file *f = (struct ps_file *)file;

	return f->real->pMethods->xSectorSize(f->real);
}

static int
ps_device_characteristics(sqlite3_file *file)
{
	struct ps_file *f = (struct ps_file *)file;

	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/*
 * Version 1 methods: no shared memory (results databases use a rollback
 * journal, not WAL) and no memory-mapped reads, which would pass by
 * ps_read() and its check.
 */
static const sqlite3_io_methods ps_io = {
	.iVersion = 1,
	.xClose = ps_close,
	.xRead = ps_read,
	.xWrite = ps_write,
	.xTruncate = ps_truncate,
	.xSync = ps_sync,
	.xFileSize = ps_file_size,
	.xLock = ps_lock,
	.xUnlock = ps_unlock,
	.xCheckReservedLock = ps_check_reserved_lock,
	.xFileControl = ps_file_control,
	.xSectorSize = ps_sector_size,
	.xDeviceCharacteristics = ps_device_characteristics,
};

static int
ps_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	struct ps_file *f = (struct ps_file *)file;
	sqlite3_vfs *root = root_vfs();
	int rc;

	(void)vfs;
	memset(f, 0, sizeof *f);
	f->real = (sqlite3_file *)(f + 1);
	f->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
	f->reserve = -1;
	rc = root->xOpen(root, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		if (f->real->pMethods)
			f->real->pMethods->xClose(f->real);
		f->base.pMethods = NULL;
		return rc;
	}
	f->base.pMethods = &ps_io;
	return SQLITE_OK;
}

/* The rest of the VFS is the default one's. */
static int
ps_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return root_vfs()->xDelete(root_vfs(), name, sync_dir);
}

static int
ps_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return root_vfs()->xAccess(root_vfs(), name, flags, out);
}

static int
ps_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return root_vfs()->xFullPathname(root_vfs(), name, n, out);
}

static int
ps_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return root_vfs()->xRandomness(root_vfs(), n, out);
}

static int
ps_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return root_vfs()->xSleep(root_vfs(), us);
}

static int
ps_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return root_vfs()->xCurrentTime(root_vfs(), out);
}

static int
ps_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return root_vfs()->xGetLastError ? root_vfs()->xGetLastError(root_vfs(), n, out) : 0;
}

static int
ps_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return root_vfs()->xCurrentTimeInt64(root_vfs(), out);
}

gboolean
pagesum_register(void)
{
	static gsize done;
	static gboolean ok;

	if (g_once_init_enter(&done)) {
		sqlite3_vfs *root = sqlite3_vfs_find(NULL);

		ok = root && root->iVersion >= 2;
		if (ok) {
			ps_vfs = (sqlite3_vfs){
				.iVersion = 2,
				.szOsFile = (int)sizeof(struct ps_file) + root->szOsFile,
				.mxPathname = root->mxPathname,
				.zName = PAGESUM_VFS,
				.pAppData = root,
				.xOpen = ps_open,
				.xDelete = ps_delete,
				.xAccess = ps_access,
				.xFullPathname = ps_full_pathname,
				.xDlOpen = NULL,
				.xRandomness = ps_randomness,
				.xSleep = ps_sleep,
				.xCurrentTime = ps_current_time,
				.xGetLastError = ps_get_last_error,
				.xCurrentTimeInt64 = ps_current_time_int64,
			};
			ok = sqlite3_vfs_register(&ps_vfs, 0) == SQLITE_OK;
		}
		g_once_init_leave(&done, 1);
	}
	return ok;
}

/* ---- Checking a whole file. ---- */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

gboolean
pagesum_verify(const char *path, char **why)
{
	FILE *f = fopen(path, "rb");
	unsigned char head[HEADER_BYTES];
	g_autofree unsigned char *page = NULL;
	uint32_t size;
	uint64_t pages = 0;
	size_t got;

	if (!f) {
		*why = g_strdup_printf("cannot read it: %s", g_strerror(errno));
		return FALSE;
	}
	if (fread(head, 1, sizeof head, f) != sizeof head ||
	    memcmp(head, magic, sizeof magic) != 0 || !(size = header_page_size(head))) {
		fclose(f);
		*why = g_strdup("its SQLite header is damaged");
		return FALSE;
	}
	if (head[20] != PAGESUM_RESERVE) {
		fclose(f);
		*why = g_strdup_printf("its pages reserve %u bytes, not the %d of its "
				       "checksums", head[20], PAGESUM_RESERVE);
		return FALSE;
	}
	page = g_malloc(size);
	rewind(f);
	while ((got = fread(page, 1, size, f)) == size) {
		pages++;
		if (pagesum_of(page, size, pages) != stored_sum(page, size)) {
			fclose(f);
			*why = g_strdup_printf("page %" G_GUINT64_FORMAT " fails its "
					       "checksum", pages);
			return FALSE;
		}
	}
	fclose(f);
	if (got != 0) {
		*why = g_strdup_printf("it ends inside page %" G_GUINT64_FORMAT
				       " (truncated?)", pages + 1);
		return FALSE;
	}
	if (be32(head + 24) == be32(head + 92) && be32(head + 28) != pages) {
		*why = g_strdup_printf("its header says %u pages, the file has %"
				       G_GUINT64_FORMAT " (truncated?)", be32(head + 28), pages);
		return FALSE;
	}
	return TRUE;
}
