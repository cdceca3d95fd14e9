/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What models record, and how it reaches the results database.  Models call
 * the rec_*() functions from their event handlers; nothing is written there:
 * rows are buffered, and the run driver writes them in batched transactions
 * between events (recorder_flush()) and at the end (recorder_finish()).
 *
 * Every rec_*() function accepts a NULL recorder or handle and then does
 * nothing, so a model can run without a database (the validation tests do);
 * a kind of result that the scenario leaves out of [run] record gives NULL
 * handles the same way.
 *
 * Entities name what a value belongs to ("origin", "server.12", "site.3");
 * names say what it is ("served", "page_time_s").  A scalar or a statistic
 * is recorded once per entity and name.
 */
#ifndef FLASHCOOP_SIM_RECORDER_H
#define FLASHCOOP_SIM_RECORDER_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "flashcoop/names.h"
#include "flashcoop/time.h"

struct results;
struct recorder;
struct rec_vector;
struct rec_stat;

enum rec_kind {
	REC_SCALAR = 1 << 0,
	REC_VECTOR = 1 << 1,
	REC_STATISTIC = 1 << 2,
	REC_EVENT = 1 << 3,
	REC_FLOW = 1 << 4,
};

/* The kinds' names for [run] record: "scalar", "vector", "statistic",
 * "event", "flow". */
extern const struct fc_enum_name recorder_kind_names[];

/* A recorder that keeps the kinds in mask; it buffers until attached. */
struct recorder *recorder_new(unsigned kinds);
/* Frees it and its handles, discarding what was not written; accepts NULL. */
void recorder_free(struct recorder *rec);

/* Directs the rows to run run_id of db; db must outlive the recorder. */
gboolean recorder_attach(struct recorder *rec, struct results *db, int64_t run_id,
			 GError **err);

/* Whether enough rows are buffered that they should be written now. */
bool recorder_wants_flush(const struct recorder *rec);

/* Writes the buffered rows in one transaction. */
gboolean recorder_flush(struct recorder *rec, GError **err);

/*
 * Writes the buffered rows, the statistics when with_statistics, and the
 * run's end (results_run_end()) in one transaction, so a run is 'done' only
 * with all its results.  When replaces is not 0, that run is deleted in the
 * same transaction (a run done again with --force).
 */
gboolean recorder_finish(struct recorder *rec, bool with_statistics,
			 const char *status, const char *error, fc_time_t sim_end,
			 uint64_t events, int64_t replaces, GError **err);

/*
 * Writes the buffered rows, and the statistics when with_statistics, inside
 * the caller's transaction (it begins and ends none): for a program that
 * writes a whole run, its claim and its end in one transaction (the
 * testbed's importer, testbed/harness/import.h).
 */
gboolean recorder_write(struct recorder *rec, bool with_statistics, GError **err);

/* A single value. */
void rec_scalar(struct recorder *rec, const char *entity, const char *name,
		double value);

/* A time series: (t, value) points, in the order they are added. */
struct rec_vector *rec_vector_new(struct recorder *rec, const char *entity,
				  const char *name);
void rec_vector_add(struct rec_vector *v, fc_time_t t, double value);

/*
 * A distribution: every sample is kept, and count, mean, standard deviation,
 * extremes, quantiles and a 32-bin histogram are written when the run ends.
 */
struct rec_stat *rec_stat_new(struct recorder *rec, const char *entity,
			      const char *name);
void rec_stat_add(struct rec_stat *s, double value);

/* A discrete event (a state change, a crash), with free-form detail. */
void rec_event(struct recorder *rec, fc_time_t t, const char *entity,
	       const char *kind, const char *detail_fmt, ...) G_GNUC_PRINTF(5, 6);

/*
 * One TCP connection seen at a measurement point (a tap on a shared link),
 * for the flow_log table: a is the side that opened it (sent the SYN), b the
 * side that accepted it (b_port is its service port).  Addresses are IPv4
 * numbers.  Bytes and packets count what crossed the tap each way: payload
 * plus 40 bytes of IP and TCP header per packet.  app and kind are the
 * model's own labels (the ground truth an analysis is checked against);
 * app and kind must be string literals or outlive the recorder.
 */
struct rec_flow_row {
	fc_time_t start, end;
	uint32_t tap;
	uint32_t a_ip, b_ip;
	uint16_t a_port, b_port;
	bool a_inside;       /* whether a is inside the tap's stub network */
	uint64_t bytes_ab, bytes_ba;
	uint32_t packets_ab, packets_ba;
	const char *app, *kind;
};

void rec_flow(struct recorder *rec, const struct rec_flow_row *row);

#endif
