/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Winny traffic identification from decoy peers (seed 002 §2-1, Table 1):
 * the propagation of models/winny/identify.h, and the command that runs it
 * over a run's flow log.
 *
 * Every set here is a sorted array searched by bisection, and the
 * propagation is a fixpoint: whatever order the queue takes, the set it
 * ends with is the same, so the output depends on the flow log alone.
 */
#include "models/winny/identify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <sqlite3.h>

#include "sim/autoptr.h"
#include "sim/keys.h"
#include "sim/results.h"
#include "sim/value.h"

#define EXIT_FAILED 1
#define EXIT_BAD_INPUT 2
/* How far apart the two connections of a relation start, by default: a
 * Winny peer connects back within seconds (seed 002 §2-1-4: the relation
 * forms quickly; the model's peers after [winny] callback_delay, 2 s on
 * average).  Longer lets coincidences between a host's two applications
 * pass for a relation. */
#define IDENT_WITHIN_DEFAULT (20 * FC_SEC)

/* ---- the propagation ---- */

/* A connection reduced to who opened it, where and when: host a to
 * b:port at start. */
struct conn {
	uint32_t a, b;
	uint16_t port;
	fc_time_t start;
};

static uint64_t
endpoint_key(uint32_t ip, uint16_t port)
{
	return (uint64_t)ip << 16 | port;
}

static int
cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static int
cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

static int
cmp_conn(const void *x, const void *y)
{
	const struct conn *a = x, *b = y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return a->start < b->start ? -1 : a->start > b->start;
}

/* Whether a and b are the same opener, acceptor and port. */
static bool
same_pair(const struct conn *a, const struct conn *b)
{
	return a->a == b->a && a->b == b->b && a->port == b->port;
}

/* Sorts arr (n elements of size) and drops repeats; returns the new n. */
static size_t
sort_unique(void *arr, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *p = arr;
	size_t k = 0;

	if (n == 0)
		return 0;
	qsort(arr, n, size, cmp);
	for (size_t i = 1; i < n; i++)
		if (cmp(p + k * size, p + i * size) != 0) {
			k++;
			if (k != i)
				memcpy(p + k * size, p + i * size, size);
		}
	return k + 1;
}

/* The index of *key among the n sorted elements of size at keys, or -1. */
static ptrdiff_t
find_sorted(const void *keys, size_t n, size_t size, const void *key,
	    int (*cmp)(const void *, const void *))
{
	const char *f;

	/* bsearch() wants a valid base even for no elements. */
	if (n == 0)
		return -1;
	f = bsearch(key, keys, n, size, cmp);
	return f ? (f - (const char *)keys) / (ptrdiff_t)size : -1;
}

static ptrdiff_t
find_u64(const uint64_t *keys, size_t n, uint64_t key)
{
	return find_sorted(keys, n, sizeof key, &key, cmp_u64);
}

static ptrdiff_t
find_u32(const uint32_t *keys, size_t n, uint32_t key)
{
	return find_sorted(keys, n, sizeof key, &key, cmp_u32);
}

/* The first of the sorted connections that is not before key, or n. */
static size_t
lower_bound(const struct conn *c, size_t n, const struct conn *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_conn(&c[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first connection opened by host a, or n. */
static size_t
first_from(const struct conn *c, size_t n, uint32_t a)
{
	struct conn key = { a, 0, 0, 0 };

	return lower_bound(c, n, &key);
}

/* Whether every connection host a opened to host b went to one port. */
static bool
one_port(const struct conn *c, size_t n, uint32_t a, uint32_t b)
{
	struct conn lo = { a, b, 0, 0 }, hi = { a, b, UINT16_MAX, FC_TIME_NEVER };
	size_t i = lower_bound(c, n, &lo), j = lower_bound(c, n, &hi);

	/* j may stop at an exact match of hi, which is still (a, b). */
	if (j < n && same_pair(&c[j], &hi))
		j++;
	return i == j || c[i].port == c[j - 1].port;
}

/*
 * The bidirectional relation: host y opened a connection to x:p and x
 * one to y:q, the two starting at most `within` apart.  Both runs of
 * connections are sorted by start, so one pass over them decides.
 */
static bool
related(const struct conn *c, size_t n, uint32_t y, uint32_t x, uint16_t p, uint16_t q,
	fc_time_t within)
{
	struct conn k1 = { y, x, p, 0 }, k2 = { x, y, q, 0 };
	size_t i = lower_bound(c, n, &k1), j = lower_bound(c, n, &k2);

	while (i < n && same_pair(&c[i], &k1) && j < n && same_pair(&c[j], &k2)) {
		fc_time_t a = c[i].start, b = c[j].start;

		if ((a > b ? a - b : b - a) <= within)
			return true;
		if (a < b)
			i++;
		else
			j++;
	}
	return false;
}

/*
 * Method 2: endpoint (X, p) joins from a known (Y, q) when Y opened a
 * connection to X:p and X one to Y:q (related()); when each talked to
 * one port of the other only, so that the pair cannot mix two
 * applications; and unless both X and Y are among the sorted multi[],
 * the hosts with two or more service ports (their connections to each
 * other could be either application's).  known[] is over the sorted
 * endpoint keys ep[]; the queue starts with what is known.
 */
static void
propagate_endpoints(const struct conn *c, size_t nc, const uint64_t *ep, size_t nep,
		    const uint32_t *multi, size_t nmulti, fc_time_t within, bool *known)
{
	GArray *queue = g_array_new(FALSE, FALSE, sizeof(size_t));

	for (size_t i = 0; i < nep; i++)
		if (known[i])
			g_array_append_val(queue, i);
	for (guint qi = 0; qi < queue->len; qi++) {
		uint64_t yk = ep[g_array_index(queue, size_t, qi)];
		uint32_t y = (uint32_t)(yk >> 16);
		uint16_t q = (uint16_t)(yk & 0xffff);
		bool y_multi = find_u32(multi, nmulti, y) >= 0;

		for (size_t i = first_from(c, nc, y); i < nc && c[i].a == y; i++) {
			ptrdiff_t x;

			if (i > 0 && same_pair(&c[i - 1], &c[i]))
				continue;
			x = find_u64(ep, nep, endpoint_key(c[i].b, c[i].port));
			if (x < 0 || known[x])
				continue;
			if (y_multi && find_u32(multi, nmulti, c[i].b) >= 0)
				continue;
			if (!related(c, nc, y, c[i].b, c[i].port, q, within) ||
			    !one_port(c, nc, y, c[i].b) || !one_port(c, nc, c[i].b, y))
				continue;
			known[x] = true;
			g_array_append_val(queue, x);
		}
	}
	g_array_unref(queue);
}

/*
 * Methods 0 and 1: host X joins from a known host Y when each opened a
 * connection to the other (any ports).  c holds one connection per
 * (opener, acceptor) pair, port 0.
 */
static void
propagate_hosts(const struct conn *c, size_t nc, const uint32_t *hosts, size_t nh,
		fc_time_t within, bool *known)
{
	GArray *queue = g_array_new(FALSE, FALSE, sizeof(size_t));

	for (size_t i = 0; i < nh; i++)
		if (known[i])
			g_array_append_val(queue, i);
	for (guint qi = 0; qi < queue->len; qi++) {
		uint32_t y = hosts[g_array_index(queue, size_t, qi)];

		for (size_t i = first_from(c, nc, y); i < nc && c[i].a == y; i++) {
			ptrdiff_t x;

			if (i > 0 && same_pair(&c[i - 1], &c[i]))
				continue;
			x = find_u32(hosts, nh, c[i].b);
			if (x < 0 || known[x] || !related(c, nc, y, c[i].b, 0, 0, within))
				continue;
			known[x] = true;
			g_array_append_val(queue, x);
		}
	}
	g_array_unref(queue);
}

/*
 * The service endpoints that accepted one of the n flows, sorted, each
 * key shifted left by one with the lowest bit set when it is Winny's (an
 * endpoint the model labels both ways counts as Winny's); returns how
 * many.
 */
static size_t
service_endpoints(const struct ident_flow *flows, size_t n, uint64_t *seen)
{
	size_t nseen = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		if (flows[i].answered)
			seen[nseen++] = endpoint_key(flows[i].b_ip, flows[i].b_port) << 1 |
					flows[i].winny;
	nseen = sort_unique(seen, nseen, sizeof *seen, cmp_u64);
	for (size_t i = 0; i < nseen; i++) {
		if (k > 0 && seen[k - 1] >> 1 == seen[i] >> 1)
			seen[k - 1] |= seen[i] & 1;
		else
			seen[k++] = seen[i];
	}
	return k;
}

size_t
ident_multi_hosts(const struct ident_flow *flows, size_t n, uint32_t **out)
{
	uint64_t *seen = g_new(uint64_t, n + 1);
	uint32_t *multi = g_new(uint32_t, n + 1);
	size_t nseen = service_endpoints(flows, n, seen), nmulti = 0;

	for (size_t i = 1; i < nseen; i++) {
		uint32_t ip = (uint32_t)(seen[i] >> 17);

		if (ip == (uint32_t)(seen[i - 1] >> 17) &&
		    (nmulti == 0 || multi[nmulti - 1] != ip))
			multi[nmulti++] = ip;
	}
	g_free(seen);
	*out = multi;
	return nmulti;
}

/* Counts service endpoint k (Winny's or not, labelled Winny or not) in
 * out, unless it is a decoy's own (in the sorted ownk). */
static void
score(struct ident_result *out, uint64_t k, bool winny, bool lab, const uint64_t *ownk,
      size_t nownk, const uint64_t *seedk, size_t nseedk)
{
	if (find_u64(ownk, nownk, k) >= 0)
		return;
	out->winny_seen += winny;
	out->learned += winny && find_u64(seedk, nseedk, k) >= 0;
	out->identified += winny && lab;
	out->labelled += lab;
	out->false_pos += lab && !winny;
}

void
ident_window(const struct ident_flow *flows, size_t n,
	     const struct ident_endpoint *seeds, size_t nseeds,
	     const struct ident_endpoint *own, size_t nown,
	     const uint32_t *multi, size_t nmulti,
	     enum ident_method m, fc_time_t within, struct ident_result *out)
{
	/* The service endpoints seen, and which are Winny's. */
	uint64_t *seen = g_new(uint64_t, n + 1);
	uint64_t *ownk = g_new(uint64_t, nown + 1);
	uint64_t *seedk = g_new(uint64_t, nseeds + 1);
	struct conn *c = g_new(struct conn, n + 1);
	size_t nseen = service_endpoints(flows, n, seen), nownk = 0, nseedk = 0, nc = 0;
	bool *known;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < nown; i++)
		ownk[nownk++] = endpoint_key(own[i].ip, own[i].port);
	nownk = sort_unique(ownk, nownk, sizeof *ownk, cmp_u64);
	for (size_t i = 0; i < nseeds; i++)
		seedk[nseedk++] = endpoint_key(seeds[i].ip, seeds[i].port);
	nseedk = sort_unique(seedk, nseedk, sizeof *seedk, cmp_u64);
	for (size_t i = 0; i < n; i++) {
		const struct ident_flow *f = &flows[i];

		if (!f->answered)
			continue;
		/* Method 1 drops every connection of those hosts. */
		if (m == IDENT_SINGLE_PORT && nmulti &&
		    (find_u32(multi, nmulti, f->a_ip) >= 0 ||
		     find_u32(multi, nmulti, f->b_ip) >= 0))
			continue;
		c[nc++] = (struct conn){ f->a_ip, f->b_ip, m == IDENT_ENDPOINTS ? f->b_port : 0,
					 f->start };
	}
	nc = sort_unique(c, nc, sizeof *c, cmp_conn);

	if (m == IDENT_ENDPOINTS) {
		/* Every endpoint: those seen, the seeds and the decoys'. */
		uint64_t *ep = g_new(uint64_t, nseen + nseeds + nown + 1);
		size_t nep = 0;

		for (size_t i = 0; i < nseen; i++)
			ep[nep++] = seen[i] >> 1;
		for (size_t i = 0; i < nseeds; i++)
			ep[nep++] = endpoint_key(seeds[i].ip, seeds[i].port);
		for (size_t i = 0; i < nown; i++)
			ep[nep++] = endpoint_key(own[i].ip, own[i].port);
		nep = sort_unique(ep, nep, sizeof *ep, cmp_u64);
		known = g_new0(bool, nep + 1);
		for (size_t i = 0; i < nseeds; i++)
			known[find_u64(ep, nep, endpoint_key(seeds[i].ip, seeds[i].port))] = true;
		for (size_t i = 0; i < nown; i++)
			known[find_u64(ep, nep, endpoint_key(own[i].ip, own[i].port))] = true;
		propagate_endpoints(c, nc, ep, nep, multi, nmulti, within, known);
		for (size_t i = 0; i < nseen; i++) {
			uint64_t k = seen[i] >> 1;

			score(out, k, seen[i] & 1, known[find_u64(ep, nep, k)], ownk, nownk, seedk,
			      nseedk);
		}
		g_free(ep);
	} else {
		/* Every host: those in the connections and the seeds'. */
		uint32_t *hosts = g_new(uint32_t, 2 * nc + nseeds + nown + 1);
		size_t nh = 0;

		for (size_t i = 0; i < nc; i++)
			if (i == 0 || !same_pair(&c[i - 1], &c[i])) {
				hosts[nh++] = c[i].a;
				hosts[nh++] = c[i].b;
			}
		nh = sort_unique(hosts, nh, sizeof *hosts, cmp_u32);
		known = g_new0(bool, nh + 1);
		for (size_t i = 0; i < nseeds + nown; i++) {
			const struct ident_endpoint *e = i < nseeds ? &seeds[i] : &own[i - nseeds];
			ptrdiff_t h = find_u32(hosts, nh, e->ip);

			if (h >= 0)
				known[h] = true;
		}
		propagate_hosts(c, nc, hosts, nh, within, known);
		for (size_t i = 0; i < nseen; i++) {
			uint64_t k = seen[i] >> 1;
			ptrdiff_t h = find_u32(hosts, nh, (uint32_t)(k >> 16));

			score(out, k, seen[i] & 1, h >= 0 && known[h], ownk, nownk, seedk, nseedk);
		}
		g_free(hosts);
	}
	g_free(known);
	g_free(seen);
	g_free(ownk);
	g_free(seedk);
	g_free(c);
}

double
ident_fp_rate(const struct ident_result *r)
{
	return r->labelled ? (double)r->false_pos / (double)r->labelled : 0;
}

double
ident_fn_rate(const struct ident_result *r)
{
	return r->winny_seen ? 1 - (double)r->identified / (double)r->winny_seen : 0;
}

/* ---- flashcoop identify ---- */

/* A run's flow log and decoys, as read from the results database. */
struct ident_run {
	int64_t id;
	char *scenario;
	int64_t replication;
	fc_time_t start, length;      /* of the measurement */
	GArray *flows;                /* struct ident_flow */
	GArray *learned;              /* struct ident_endpoint, with... */
	GArray *learned_t;            /* ...the times they were learned */
	GArray *own;                  /* struct ident_endpoint */
};

static void
ident_run_clear(struct ident_run *r)
{
	g_free(r->scenario);
	if (r->flows)
		g_array_unref(r->flows);
	if (r->learned)
		g_array_unref(r->learned);
	if (r->learned_t)
		g_array_unref(r->learned_t);
	if (r->own)
		g_array_unref(r->own);
}

static int
bad(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Prints "flashcoop identify: MESSAGE" and returns the bad-input status. */
static int
bad(const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "flashcoop identify: %s\n", msg);
	return EXIT_BAD_INPUT;
}

static int
sql_failed(sqlite3 *db, const char *path)
{
	fprintf(stderr, "flashcoop identify: %s: %s\n", path, sqlite3_errmsg(db));
	return EXIT_FAILED;
}

/* Parses ADDRESS:PORT as a decoy's event writes it. */
static bool
parse_endpoint(const char *text, struct ident_endpoint *e)
{
	unsigned a, b, c, d, port;
	char end;

	if (!text || sscanf(text, "%u.%u.%u.%u:%u%c", &a, &b, &c, &d, &port, &end) != 5 ||
	    a > 255 || b > 255 || c > 255 || d > 255 || port > 65535)
		return false;
	e->ip = a << 24 | b << 16 | c << 8 | d;
	e->port = (uint16_t)port;
	return true;
}

/* Chooses the run (id, or the only done one when id is 0) and reads its
 * measurement; returns 0 or the exit status after a message. */
static int
run_choose(sqlite3 *db, const char *path, int64_t id, struct ident_run *r)
{
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	int64_t done = 0;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, status, scenario, replication FROM run"
			       " WHERE (?1 = 0 AND status = 'done') OR id = ?1 ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_failed(db, path);
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(st, 1);

		if (id && strcmp(status, "done") != 0)
			return bad("%s: run %" G_GINT64_FORMAT " is %s, not done", path, id,
				   status);
		if (done++ == 0) {
			r->id = sqlite3_column_int64(st, 0);
			r->scenario = g_strdup((const char *)sqlite3_column_text(st, 2));
			r->replication = sqlite3_column_int64(st, 3);
		}
	}
	if (rc != SQLITE_DONE)
		return sql_failed(db, path);
	if (id && done == 0)
		return bad("%s: no run %" G_GINT64_FORMAT " (flashcoop runs %s lists its runs)",
			   path, id, path);
	if (done == 0)
		return bad("%s: no run is done", path);
	if (done > 1)
		return bad("%s: %" G_GINT64_FORMAT " runs are done; choose one with --run "
			   "(flashcoop runs %s lists them)", path, done, path);
	g_clear_pointer(&st, sqlite3_finalize);
	/* The measurement, from the run's own parameters. */
	if (sqlite3_prepare_v2(db, "SELECT name, value FROM param WHERE run_id = ?"
			       " AND name IN ('run.warmup', 'run.duration')", -1, &st,
			       NULL) != SQLITE_OK)
		return sql_failed(db, path);
	sqlite3_bind_int64(st, 1, r->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		fc_time_t t;
		g_autofree char *why = NULL;

		if (!value_parse_duration((const char *)sqlite3_column_text(st, 1), &t, &why))
			return bad("%s: run %" G_GINT64_FORMAT ": %s: %s", path, r->id, name, why);
		if (strcmp(name, "run.warmup") == 0)
			r->start = t;
		else
			r->length = t;
	}
	if (rc != SQLITE_DONE)
		return sql_failed(db, path);
	if (r->length == 0)
		return bad("%s: run %" G_GINT64_FORMAT " has no measurement ([run] duration)",
			   path, r->id);
	return 0;
}

/* Reads the run's flow log and its decoys' events; 0 or the exit status. */
static int
run_read(sqlite3 *db, const char *path, struct ident_run *r)
{
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	int rc;

	r->flows = g_array_new(FALSE, FALSE, sizeof(struct ident_flow));
	r->learned = g_array_new(FALSE, FALSE, sizeof(struct ident_endpoint));
	r->learned_t = g_array_new(FALSE, FALSE, sizeof(fc_time_t));
	r->own = g_array_new(FALSE, FALSE, sizeof(struct ident_endpoint));
	if (sqlite3_prepare_v2(db, "SELECT start_ns, a_ip, b_ip, b_port, packets_ba > 0,"
			       " app = 'winny' FROM flow_log WHERE run_id = ? ORDER BY seq",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_failed(db, path);
	sqlite3_bind_int64(st, 1, r->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ident_flow f = {
			.start = (fc_time_t)sqlite3_column_int64(st, 0),
			.a_ip = (uint32_t)sqlite3_column_int64(st, 1),
			.b_ip = (uint32_t)sqlite3_column_int64(st, 2),
			.b_port = (uint16_t)sqlite3_column_int64(st, 3),
			.answered = sqlite3_column_int(st, 4) != 0,
			.winny = sqlite3_column_int(st, 5) != 0,
		};

		g_array_append_val(r->flows, f);
	}
	if (rc != SQLITE_DONE)
		return sql_failed(db, path);
	if (r->flows->len == 0)
		return bad("%s: run %" G_GINT64_FORMAT " has no flow log (record it with "
			   "[run] record = flow)", path, r->id);
	g_clear_pointer(&st, sqlite3_finalize);
	if (sqlite3_prepare_v2(db, "SELECT t_ns, kind, detail FROM event_log WHERE run_id = ?"
			       " AND entity LIKE 'decoy.%' AND kind IN ('learned', 'endpoint')"
			       " ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
		return sql_failed(db, path);
	sqlite3_bind_int64(st, 1, r->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fc_time_t t = (fc_time_t)sqlite3_column_int64(st, 0);
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		const char *detail = (const char *)sqlite3_column_text(st, 2);
		struct ident_endpoint e;

		if (!parse_endpoint(detail, &e))
			return bad("%s: run %" G_GINT64_FORMAT ": a decoy's event has '%s' "
				   "where an ADDRESS:PORT belongs", path, r->id,
				   detail ? detail : "");
		if (strcmp(kind, "endpoint") == 0) {
			g_array_append_val(r->own, e);
		} else {
			g_array_append_val(r->learned, e);
			g_array_append_val(r->learned_t, t);
		}
	}
	if (rc != SQLITE_DONE)
		return sql_failed(db, path);
	if (r->own->len == 0)
		return bad("%s: run %" G_GINT64_FORMAT " has no decoy peers (set [winny] "
			   "decoys, and record events: [run] record = event)", path, r->id);
	return 0;
}

/* The span over which hosts with two or more service ports are found
 * (seed 002 §2-1-3 cut its 48-hour log into two days for this). */
#define IDENT_DAY FC_DAY

/* The hosts with two or more service ports in each day of the
 * measurement, for run_windows(). */
struct ident_days {
	size_t n;
	uint32_t **multi;
	size_t *nmulti;
};

static void
days_find(const struct ident_run *r, struct ident_days *d)
{
	GArray **flows;

	d->n = (size_t)((r->length + IDENT_DAY - 1) / IDENT_DAY);
	d->multi = g_new0(uint32_t *, d->n);
	d->nmulti = g_new0(size_t, d->n);
	flows = g_new0(GArray *, d->n);
	for (size_t k = 0; k < d->n; k++)
		flows[k] = g_array_new(FALSE, FALSE, sizeof(struct ident_flow));
	for (guint i = 0; i < r->flows->len; i++) {
		const struct ident_flow *f = &g_array_index(r->flows, struct ident_flow, i);

		if (f->start >= r->start && f->start - r->start < r->length)
			g_array_append_val(flows[(f->start - r->start) / IDENT_DAY], *f);
	}
	for (size_t k = 0; k < d->n; k++) {
		d->nmulti[k] = ident_multi_hosts((struct ident_flow *)(void *)flows[k]->data,
						 flows[k]->len, &d->multi[k]);
		g_array_unref(flows[k]);
	}
	g_free(flows);
}

static void
days_clear(struct ident_days *d)
{
	for (size_t k = 0; k < d->n; k++)
		g_free(d->multi[k]);
	g_free(d->multi);
	g_free(d->nmulti);
}

/* The hosts with two or more service ports in the days that [from, to)
 * of the measurement overlaps, sorted, into multi. */
static void
days_multi(const struct ident_days *d, fc_time_t from, fc_time_t to, GArray *multi)
{
	g_array_set_size(multi, 0);
	for (size_t k = (size_t)(from / IDENT_DAY); k < d->n && k * IDENT_DAY < to; k++)
		g_array_append_vals(multi, d->multi[k], (guint)d->nmulti[k]);
	g_array_set_size(multi, (guint)sort_unique(multi->data, multi->len, sizeof(uint32_t),
						   cmp_u32));
}

/* The results of every whole window of length len, in order. */
static GArray *
run_windows(const struct ident_run *r, const struct ident_days *days, fc_time_t len,
	    enum ident_method m, fc_time_t within)
{
	size_t nwin = (size_t)(r->length / len);
	GArray *res = g_array_sized_new(FALSE, TRUE, sizeof(struct ident_result), (guint)nwin);
	GArray **flows = g_new0(GArray *, nwin + 1);
	GArray **seeds = g_new0(GArray *, nwin + 1);
	GArray *multi = g_array_new(FALSE, FALSE, sizeof(uint32_t));

	for (size_t k = 0; k < nwin; k++) {
		flows[k] = g_array_new(FALSE, FALSE, sizeof(struct ident_flow));
		seeds[k] = g_array_new(FALSE, FALSE, sizeof(struct ident_endpoint));
	}
	for (guint i = 0; i < r->flows->len; i++) {
		const struct ident_flow *f = &g_array_index(r->flows, struct ident_flow, i);
		size_t k;

		if (f->start < r->start)
			continue;
		k = (size_t)((f->start - r->start) / len);
		if (k < nwin)
			g_array_append_val(flows[k], *f);
	}
	for (guint i = 0; i < r->learned->len; i++) {
		fc_time_t t = g_array_index(r->learned_t, fc_time_t, i);
		size_t k;

		if (t < r->start)
			continue;
		k = (size_t)((t - r->start) / len);
		if (k < nwin)
			g_array_append_val(seeds[k], g_array_index(r->learned,
								   struct ident_endpoint, i));
	}
	for (size_t k = 0; k < nwin; k++) {
		struct ident_result x;

		days_multi(days, k * len, (k + 1) * len, multi);
		ident_window((struct ident_flow *)(void *)flows[k]->data, flows[k]->len,
			     (struct ident_endpoint *)(void *)seeds[k]->data, seeds[k]->len,
			     (struct ident_endpoint *)(void *)r->own->data, r->own->len,
			     (uint32_t *)(void *)multi->data, multi->len, m, within, &x);
		g_array_append_val(res, x);
		g_array_unref(flows[k]);
		g_array_unref(seeds[k]);
	}
	g_array_unref(multi);
	g_free(flows);
	g_free(seeds);
	return res;
}

/* One row of the table: counts and rates of a window, or their means
 * over windows. */
struct ident_row {
	double winny_seen, learned, identified, false_pos, fp_rate, fn_rate;
};

static void
row_of(const struct ident_result *x, struct ident_row *row)
{
	*row = (struct ident_row){
		.winny_seen = (double)x->winny_seen,
		.learned = x->winny_seen ? (double)x->learned / (double)x->winny_seen : 0,
		.identified = (double)x->identified,
		.false_pos = (double)x->false_pos,
		.fp_rate = ident_fp_rate(x),
		.fn_rate = ident_fn_rate(x),
	};
}

static void
row_mean(const GArray *res, struct ident_row *m)
{
	double n = res->len;

	memset(m, 0, sizeof *m);
	for (guint i = 0; i < res->len; i++) {
		struct ident_row x;

		row_of(&g_array_index(res, struct ident_result, i), &x);
		m->winny_seen += x.winny_seen / n;
		m->learned += x.learned / n;
		m->identified += x.identified / n;
		m->false_pos += x.false_pos / n;
		m->fp_rate += x.fp_rate / n;
		m->fn_rate += x.fn_rate / n;
	}
}

static const char *const method_names[] = {
	"0 (hosts, no fix)",
	"1 (hosts, those with two or more service ports dropped)",
	"2 (endpoints)",
};

#define ROW_FORMAT "%-16s %10s %8s %10s %10s %10s %9s\n"

/* A row; counts with `decimals` decimals (0 for one window, 1 for means). */
static void
row_print(const char *label, const struct ident_row *x, int decimals)
{
	char a[32], b[32], c[32], d[32], e[32], f[32];

	g_snprintf(a, sizeof a, "%.*f", decimals, x->winny_seen);
	g_snprintf(b, sizeof b, "%.3f", x->learned);
	g_snprintf(c, sizeof c, "%.*f", decimals, x->identified);
	g_snprintf(d, sizeof d, "%.*f", decimals, x->false_pos);
	g_snprintf(e, sizeof e, "%.6f", x->fp_rate);
	g_snprintf(f, sizeof f, "%.4f", x->fn_rate);
	printf(ROW_FORMAT, label, a, b, c, d, e, f);
}

int
winny_identify_main(int argc, char **argv)
{
	g_autofree char *window = NULL, *method = NULL, *run = NULL, *within_text = NULL;
	GOptionEntry entries[] = {
		{ "run", 'r', 0, G_OPTION_ARG_STRING, &run,
		  "the run to analyse (default: the only done run)", "N" },
		{ "window", 0, 0, G_OPTION_ARG_STRING, &window,
		  "analyse windows of this length, each alone, and print each "
		  "(default: the means for 30min, 1h and 3h, as seed 002's Table 1)",
		  "DURATION" },
		{ "method", 0, 0, G_OPTION_ARG_STRING, &method,
		  "0: propagate between hosts (no fix); 1: the same without the "
		  "hosts that have two or more service ports; 2: between endpoints "
		  "(default)", "0|1|2" },
		{ "within", 0, 0, G_OPTION_ARG_STRING, &within_text,
		  "the two connections of a bidirectional relation start at most this "
		  "far apart (default 20s; as long as the window: anywhere in it)",
		  "DURATION" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("RESULTS.db");
	g_autoptr(GError) err = NULL;
	g_auto(GStrv) given = g_strdupv(argv);
	g_autoptr(fc_results) db = NULL;
	struct ident_run r = { 0 };
	struct ident_days days;
	fc_time_t lens[3] = { 30 * FC_MIN, FC_HOUR, 3 * FC_HOUR };
	size_t nlens = 3;
	guint64 id = 0;
	enum ident_method m = IDENT_ENDPOINTS;
	fc_time_t within = IDENT_WITHIN_DEFAULT;
	int status;

	g_option_context_set_summary(ctx, "Identifies the Winny endpoints in a run's flow log "
				     "from what its decoy peers\nlearned, by the bidirectional "
				     "client/server relation (seed 002, section 2-1),\nand prints "
				     "the false-positive and false-negative rates per analysis "
				     "window\n(Table 1).  The run needs [winny] decoys and [run] "
				     "record = event, flow.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		const char *near = err->code == G_OPTION_ERROR_UNKNOWN_OPTION ?
			keys_suggest_option(entries, given) : NULL;

		return bad("%s%s%s%s", err->message, near ? "; did you mean --" : "",
			   near ? near : "", near ? "?" : "");
	}
	if (argc != 2)
		return bad("expected one results database (see flashcoop identify --help)");
	if (run && (!g_ascii_isdigit(*run) ||
		    !g_ascii_string_to_unsigned(run, 10, 1, G_MAXINT64, &id, NULL)))
		return bad("--run: expected a run id such as 1 or 17, found '%s'", run);
	if (method) {
		if (strcmp(method, "0") == 0)
			m = IDENT_HOSTS;
		else if (strcmp(method, "1") == 0)
			m = IDENT_SINGLE_PORT;
		else if (strcmp(method, "2") == 0)
			m = IDENT_ENDPOINTS;
		else
			return bad("--method: expected 0, 1 or 2, found '%s'", method);
	}
	if (window) {
		g_autofree char *why = NULL;

		if (!value_parse_duration(window, &lens[0], &why))
			return bad("--window: %s", why);
		if (lens[0] == 0)
			return bad("--window: must be more than 0s");
		nlens = 1;
	}
	if (within_text) {
		g_autofree char *why = NULL;

		if (!value_parse_duration(within_text, &within, &why))
			return bad("--within: %s", why);
	}
	db = results_open(argv[1], RESULTS_READ, &err);
	if (!db)
		return bad("%s", err->message);
	status = run_choose(results_db(db), argv[1], (int64_t)id, &r);
	if (status == 0 && window && lens[0] > r.length) {
		g_autofree char *w = value_format_duration(lens[0]);
		g_autofree char *l = value_format_duration(r.length);

		status = bad("%s: run %" G_GINT64_FORMAT " measured %s, less than --window %s",
			     argv[1], r.id, l, w);
	}
	if (status == 0)
		status = run_read(results_db(db), argv[1], &r);
	if (status != 0) {
		ident_run_clear(&r);
		return status;
	}

	{
		g_autofree char *from = value_format_duration(r.start);
		g_autofree char *length = value_format_duration(r.length);

		g_autofree uint64_t *keys = g_new(uint64_t, r.learned->len + 1);
		size_t nkeys = 0;

		for (guint i = 0; i < r.learned->len; i++) {
			const struct ident_endpoint *e = &g_array_index(r.learned,
									struct ident_endpoint, i);

			keys[nkeys++] = endpoint_key(e->ip, e->port);
		}
		nkeys = sort_unique(keys, nkeys, sizeof *keys, cmp_u64);
		printf("run %" G_GINT64_FORMAT " (%s, replication %" G_GINT64_FORMAT "): %s "
		       "measured from %s; %u decoys learned %zu endpoints\n", r.id, r.scenario,
		       r.replication, length, from, r.own->len, nkeys);
		g_autofree char *w = value_format_duration(within);

		printf("method %s; relation within %s\n", method_names[m], w);
	}
	printf(ROW_FORMAT, window ? "window" : "unit (windows)", "winny seen", "learned",
	       "identified", "false pos.", "FP rate", "FN rate");
	days_find(&r, &days);
	for (size_t i = 0; i < nlens; i++) {
		g_autoptr(GArray) res = NULL;
		g_autofree char *len = value_format_duration(lens[i]);
		struct ident_row row;
		char label[64];

		if (lens[i] > r.length) {
			g_snprintf(label, sizeof label, "%s (0)", len);
			printf(ROW_FORMAT, label, "-", "-", "-", "-", "-", "-");
			continue;
		}
		res = run_windows(&r, &days, lens[i], m, within);
		for (guint k = 0; window && k < res->len; k++) {
			g_autofree char *a = value_format_duration(k * lens[i]);
			g_autofree char *b = value_format_duration((k + 1) * lens[i]);

			g_snprintf(label, sizeof label, "%s-%s", a, b);
			row_of(&g_array_index(res, struct ident_result, k), &row);
			row_print(label, &row, 0);
		}
		row_mean(res, &row);
		if (window)
			g_snprintf(label, sizeof label, "mean of %u", res->len);
		else
			g_snprintf(label, sizeof label, "%s (%u)", len, res->len);
		row_print(label, &row, 1);
	}
	days_clear(&days);
	ident_run_clear(&r);
	return 0;
}
