/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/harness/sitefiles.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "sim/autoptr.h"

char *
tb_object_path(guint32 site, guint32 page, gsize index)
{
	return g_strdup_printf("/s%u/o/%" G_GUINT64_FORMAT, site,
			       ((guint64)page << WEB_PLAN_INDEX_BITS) + index);
}

static gboolean
io_error(GError **err, const char *path, const char *what)
{
	int e = errno;

	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s: %s", path, what,
		    g_strerror(e));
	return FALSE;
}

/* An object's bytes: 64-byte lines naming site, object and offset. */
static gboolean
write_object(const char *path, guint32 site, guint64 id, guint64 bytes, GError **err)
{
	FILE *f = fopen(path, "wb");
	char line[65];

	if (!f)
		return io_error(err, path, "cannot create");
	for (guint64 off = 0; off < bytes; off += 64) {
		size_t n = (size_t)MIN((guint64)64, bytes - off);

		int len = snprintf(line, sizeof line,
				   "site %u object %" G_GUINT64_FORMAT " offset %" G_GUINT64_FORMAT,
				   site, id, off);

		len = CLAMP(len, 0, 63);
		memset(line + len, ' ', (size_t)(63 - len));
		line[63] = '\n';
		if (fwrite(line, 1, n, f) != n) {
			fclose(f);
			return io_error(err, path, "cannot write");
		}
	}
	if (fclose(f) != 0)
		return io_error(err, path, "cannot write");
	return TRUE;
}

gboolean
tb_sites_write(const struct web_plan *p, const char *dir, GError **err)
{
	guint64 total = 0;

	for (unsigned i = 0; i < p->nservers; i++)
		total += p->sites[i].bytes;
	if (total > TB_SITE_BYTES_MAX) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
			    "the sites hold %.1f GiB, more than the testbed writes to disk "
			    "(%.0f GiB): make [site] pages or the object sizes smaller",
			    (double)total / (1 << 30), (double)TB_SITE_BYTES_MAX / (1 << 30));
		return FALSE;
	}
	for (unsigned i = 0; i < p->nservers; i++) {
		const struct web_plan_site *s = &p->sites[i];
		g_autofree char *odir = g_strdup_printf("%s/sites/%u/o", dir, i);

		if (g_mkdir_with_parents(odir, 0755) != 0)
			return io_error(err, odir, "cannot create");
		for (size_t k = 0; k < s->npages; k++) {
			for (size_t o = 0; o < s->pages[k].n; o++) {
				guint64 id = ((guint64)k << WEB_PLAN_INDEX_BITS) + o;
				g_autofree char *path =
					g_strdup_printf("%s/%" G_GUINT64_FORMAT, odir, id);

				if (!write_object(path, i, id, s->pages[k].bytes[o], err))
					return FALSE;
			}
		}
	}
	return TRUE;
}

gboolean
tb_visits_write(const struct web_plan *p, fc_time_t patience, const char *dir, GError **err)
{
	g_autofree char *path = g_build_filename(dir, "plan.tsv", NULL);
	FILE *f = fopen(path, "w");

	if (!f)
		return io_error(err, path, "cannot create");
	fprintf(f, "visit_id\tstart_ms\tname\tpaths\tpatience_ms\tflags\n");
	for (size_t v = 0; v < p->nvisits; v++) {
		const struct web_plan_visit *pv = &p->visits[v];
		const struct web_plan_page *pg = &p->sites[pv->site].pages[pv->page];
		g_autoptr(GString) paths = g_string_new(NULL);

		for (size_t o = 0; o < pg->n; o++) {
			g_autofree char *op = tb_object_path(pv->site, pv->page, o);

			g_string_append_printf(paths, "%s%s", o ? "," : "", op);
		}
		fprintf(f, "%" G_GUINT64_FORMAT "\t%.3f\tsite%u.%s\t%s\t%" G_GUINT64_FORMAT "\t%s\n",
			pv->id, (double)pv->start / FC_MSEC, pv->site, TB_ZONE, paths->str,
			patience / FC_MSEC,
			pv->bittorrent ? (pv->counted ? "bt" : "bt,warmup") :
					 (pv->counted ? "-" : "warmup"));
	}
	if (fclose(f) != 0)
		return io_error(err, path, "cannot write");
	return TRUE;
}
