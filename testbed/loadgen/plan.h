/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The load generator's plan: the clients' visits, one per line of a TSV
 * file that the harness writes from the scenario (testbed/harness/
 * sitefiles.h).  The first line names the columns:
 *
 *   visit_id  start_ms  name  paths  patience_ms  flags
 *
 * visit_id     the simulator's client number (an unsigned integer)
 * start_ms     when the visit starts, in milliseconds from the run's start
 *              (a decimal with at most 6 digits after the point); lines
 *              are in order of start (equal starts allowed)
 * name         the DNS name to resolve (site0.flash.test) or an IPv4 literal
 * paths        the URL paths, comma-separated: the page first, then its
 *              embedded objects; each starts with '/', no blanks
 * patience_ms  the client gives up on a visit not done after this (> 0)
 * flags        "-" or comma-separated words of [a-z0-9_]: "bt" marks a
 *              BitTorrent-capable client (the harness drives it through
 *              aria2), "warmup" a visit before the measured window; other
 *              words are kept as they are
 *
 * The parser is strict: a bad line is an error naming file:line and what
 * is wrong with it.  The file is read as a stream (one visit in memory).
 */
#ifndef FLASHCOOP_TESTBED_LOADGEN_PLAN_H
#define FLASHCOOP_TESTBED_LOADGEN_PLAN_H

#include <stdio.h>

#include <glib.h>

#include "flashcoop/time.h"

/* The header line, without its newline. */
#define LG_PLAN_HEADER "visit_id\tstart_ms\tname\tpaths\tpatience_ms\tflags"

/* At most this many paths in a visit, and this long a name. */
#define LG_PLAN_PATHS_MAX 4096
#define LG_PLAN_NAME_MAX 253

struct lg_plan_visit {
	guint64 id;
	fc_time_t start;    /* from the run's start */
	char *name;
	char **paths;       /* NULL-terminated, npaths >= 1 */
	guint npaths;
	fc_time_t patience;
	char *flags;        /* as written ("-" for none) */
	gboolean bt, warmup;
};

/* Frees what a visit holds and zeroes it; accepts a zeroed one. */
void lg_plan_visit_clear(struct lg_plan_visit *v);

/*
 * Parses one line (without its newline) into v (cleared first).  where
 * ("plan.tsv:12") starts the error message.  FALSE with err set (v left
 * cleared) when the line is bad.
 */
gboolean lg_plan_parse_line(const char *line, const char *where, struct lg_plan_visit *v,
			    GError **err);

struct lg_plan;

/* Opens path and checks its header; NULL with err set. */
struct lg_plan *lg_plan_open(const char *path, GError **err);

/*
 * The next visit into v (cleared first): 1, or 0 at the end of the file,
 * or -1 with err set on a bad line (or a start before the previous one's)
 * or a read error.
 */
int lg_plan_next(struct lg_plan *p, struct lg_plan_visit *v, GError **err);

/* Accepts NULL. */
void lg_plan_free(struct lg_plan *p);

/* Reads all of path: TRUE with *nvisits set when every line is good. */
gboolean lg_plan_check(const char *path, guint64 *nvisits, GError **err);

typedef struct lg_plan lg_plan;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(lg_plan, lg_plan_free)

#endif
