/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A run of the load generator: the visits of a schedule executed in real
 * time, in one thread.  libcurl's multi interface (its socket API) and
 * c-ares share one epoll loop; names are resolved by c-ares against the
 * configured DNS server, kept in the clients' cache for their TTL
 * (testbed/loadgen/dnscache.h) and pinned in every request
 * (CURLOPT_CONNECT_TO to a name of the visit's own that CURLOPT_RESOLVE
 * maps to the address), so libcurl never resolves a name itself and a
 * connection is reused only by the visit that opened it, to the same
 * address: every visit is a client of its own.
 *
 * A visit resolves its name, fetches its page (the first path), then the
 * other paths from the server that sent the page, at most `parallel` at
 * once.  A 301/302/303/307/308 is followed by hand (a new request, to a
 * new name or an IPv4 literal maybe), up to max_redirects per object.  A
 * name with several addresses is tried in order: the next address when
 * the connection fails.  Nothing else is tried again: SYNs are resent by
 * the kernel until connect_timeout.  A visit not done within its
 * patience (from its start) is abandoned: its transfers are cancelled.
 *
 * Results are written as visits end, one line per request and one per
 * visit (testbed/loadgen/README.md describes the columns).  All instants
 * are CLOCK_REALTIME nanoseconds.
 */
#ifndef FLASHCOOP_TESTBED_LOADGEN_LOADGEN_H
#define FLASHCOOP_TESTBED_LOADGEN_LOADGEN_H

#include <signal.h>
#include <stdio.h>

#include <glib.h>

#include "testbed/loadgen/config.h"
#include "testbed/loadgen/sched.h"

/* The header lines of the two results files (without newline). */
#define LG_VISITS_HEADER \
	"visit_id\tflags\tname\tplanned_ns\tstart_ns\tend_ns\toutcome\treason\tobjects\t" \
	"done\trequests\tbytes\tredirects\tservers\tpage_ns\ttime_ns"
#define LG_REQUESTS_HEADER \
	"visit_id\tobject\turl\tserver\tstart_ns\tend_ns\tdns_ns\tconnect_ns\tttfb_ns\t" \
	"status\tbytes\tnew_conn\tredirects\terror"

/* What a run has done so far. */
struct lg_stats {
	guint64 started, ok, abandoned, failed, stopped, bt;
	guint64 requests, bytes, redirects, lookups;
	guint live, live_max;        /* visits under way, now and at most */
	guint transfers_max;         /* requests in libcurl at once, at most */
	fc_time_t late_max;          /* the latest a visit started after its time */
	fc_time_t busy_max;          /* the longest turn of the loop, waiting aside */
};

struct lg_run;

/*
 * A run of sched (taken over) with c, writing visit lines to visits and
 * request lines to requests (NULL: none); both get their header now.  NULL
 * with err set when libcurl, c-ares or epoll cannot be set up.
 */
struct lg_run *lg_run_new(const struct lg_config *c, struct lg_sched *sched, FILE *visits,
			  FILE *requests, GError **err);

/*
 * Runs until every visit of the schedule is over, or until *stop becomes
 * non-zero (a signal handler sets it; the loop looks at it at least every
 * 100 ms): then the visits under way are stopped and written with the
 * outcome "stopped".  FALSE with err set when the plan turns out bad or
 * the loop fails.
 */
gboolean lg_run_run(struct lg_run *r, volatile sig_atomic_t *stop, GError **err);

const struct lg_stats *lg_run_stats(const struct lg_run *r);

/* Stops what is under way (without writing it) and frees; accepts NULL. */
void lg_run_free(struct lg_run *r);

/* CLOCK_REALTIME in nanoseconds. */
fc_time_t lg_realtime(void);

typedef struct lg_run lg_run;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(lg_run, lg_run_free)

#endif
