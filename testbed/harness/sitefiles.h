/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The testbed's run directory, as the harness writes it from a web
 * scenario's plan (models/web/plan.h):
 *
 *   sites/I/o/ID   site I's objects, ID = (page << 10) + index, each of the
 *                  size the simulator drew, filled with a pattern that
 *                  names the site, the object and the offset (so no two
 *                  objects share a piece)
 *   plan.tsv       the clients' visits, for fc-loadgen (see
 *                  testbed/loadgen/README.md): visit_id, start_ms, name,
 *                  paths, patience_ms, flags
 *
 * Site I is reached by the DNS name "siteI.<zone>"; server I (host
 * number I + 1 in the network plan) by "sI+1.<zone>".
 */
#ifndef FLASHCOOP_TESTBED_HARNESS_SITEFILES_H
#define FLASHCOOP_TESTBED_HARNESS_SITEFILES_H

#include <glib.h>

#include "models/web/plan.h"

/* The zone every name of the testbed lives in. */
#define TB_ZONE "flash.test"

/* At most this many bytes of site files, all sites together. */
#define TB_SITE_BYTES_MAX ((guint64)4 << 30)

/* Writes sites/ under dir; FALSE with err set (the path that failed). */
gboolean tb_sites_write(const struct web_plan *p, const char *dir, GError **err);

/* The URL path of an object of site: "/sSITE/o/ID" (mod_flashcoop's
 * FlashcoopSite SITE /sSITE; the file is sites/SITE/o/ID). */
char *tb_object_path(guint32 site, guint32 page, gsize index);

/* Writes dir/plan.tsv: every visit, patience as given. */
gboolean tb_visits_write(const struct web_plan *p, fc_time_t patience, const char *dir,
			 GError **err);

#endif
