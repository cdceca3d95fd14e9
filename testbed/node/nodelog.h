/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-noded's log: what the harness imports into the results database.
 * One record per line, fields separated by tabs, the first field the time
 * in nanoseconds of CLOCK_REALTIME (the harness subtracts the run's start),
 * the second the record type:
 *
 *   T  load  BUSY  WORKERS  WAITING  BACKLOG  UPLINK_BPS  UPLINK_CAP  LOAD  STATE
 *   T  event  KIND  DETAIL
 *
 * A figure that was not measured is "-".  README.md lists the event kinds.
 * A DETAIL has no tab and no newline (they are replaced by spaces).  The
 * file is appended to and flushed line by line, so a killed daemon leaves
 * every record it wrote whole.
 */
#ifndef TESTBED_NODE_NODELOG_H
#define TESTBED_NODE_NODELOG_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "flashcoop/core.h"

struct tb_nodelog;

/* One load record; a figure is absent when its has_ flag is false. */
struct tb_load_sample {
	bool has_busy, has_waiting, has_uplink;
	unsigned busy, workers;
	unsigned waiting, backlog;
	double uplink_bps, uplink_capacity;
	double load;
	enum fc_state state;
};

/* Opens path for appending (created 0644); NULL with err on failure. */
struct tb_nodelog *tb_nodelog_open(const char *path, GError **err);
/* Flushes and closes; accepts NULL. */
void tb_nodelog_free(struct tb_nodelog *l);
typedef struct tb_nodelog tb_nodelog;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_nodelog, tb_nodelog_free)

void tb_nodelog_load(struct tb_nodelog *l, fc_time_t t, const struct tb_load_sample *s);
void tb_nodelog_event(struct tb_nodelog *l, fc_time_t t, const char *kind, const char *fmt,
		      ...) G_GNUC_PRINTF(4, 5);

/* Whether every write so far succeeded. */
bool tb_nodelog_ok(const struct tb_nodelog *l);

#endif
