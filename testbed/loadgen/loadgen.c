/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/loadgen/loadgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include <ares.h>
#include <curl/curl.h>

#include "testbed/loadgen/dnscache.h"
#include "testbed/loadgen/location.h"

/* epoll's data: the descriptor and whose it is. */
#define TAG_CURL ((guint64)1 << 32)
#define TAG_ARES ((guint64)2 << 32)

/* The loop looks at the stop flag at least this often. */
#define WAIT_MAX_MS 100

/* Idle connections libcurl keeps beside those in use (see cache_size()). */
#define IDLE_SLACK 256

enum outcome { O_OK, O_ABANDONED, O_FAILED, O_STOPPED, O_BT };

static const char *const outcome_names[] = { "ok", "abandoned", "failed", "stopped", "bt" };

enum tstate { T_NEW, T_RESOLVING, T_READY };

struct visit;
struct lookup;

/* A host:port a visit fetches from, and the address it uses now. */
struct target {
	struct visit *v;
	guint index;             /* in v->targets */
	char *host;
	guint port;
	enum tstate state;
	struct lg_addrs addrs;
	guint pin;               /* addrs.a[pin] is the address in use */
	fc_time_t dns_ns;        /* how long its resolution took */
	struct lookup *lookup;   /* while resolving */
	GQueue waiting;          /* struct req, until resolved */
	struct curl_slist *resolve, *connect_to;
	guint32 loaded;          /* the pins libcurl's cache has (bit i: pin i) */
};

/* One object's request, and the requests it leads to (redirects, the
 * next address). */
struct req {
	struct visit *v;
	struct target *t;
	guint object;
	struct lg_url url;
	guint redirects;
	guint pin;               /* the target's pin it was sent with */
	CURL *easy;
	fc_time_t started, dns_ns;
	GList link;              /* in v->ready or v->running (never freed by
				    GQueue: only the *_link calls touch it) */
	struct curl_slist *resolve; /* its own, with names to forget */
	char errbuf[CURL_ERROR_SIZE];
};

struct visit {
	struct lg_run *r;
	guint64 seq;
	struct lg_plan_visit pv;
	fc_time_t planned, started, page_done;
	GSequenceIter *deadline;
	GPtrArray *targets;
	GQueue ready;            /* struct req waiting for a slot */
	GQueue running;          /* struct req in libcurl */
	guint remaining, done, requests, redirects;
	guint64 bytes;
	GString *servers;
};

/* A name being resolved, and the targets waiting for it. */
struct lookup {
	struct lg_run *r;
	char *name;
	fc_time_t started;
	GPtrArray *targets;
	gboolean shared;         /* in r->lookups */
};

struct lg_run {
	struct lg_config c;
	struct lg_sched *sched;
	FILE *visits_out, *requests_out;
	CURLM *multi;
	ares_channel ares;
	gboolean ares_ok;
	int ep;
	struct lg_dnscache *cache;
	GHashTable *lookups;     /* name -> struct lookup, shared cache only */
	GHashTable *live;        /* struct visit */
	GSequence *deadlines;    /* struct visit, by deadline then seq */
	GPtrArray *idle;         /* easy handles to reuse */
	GPtrArray *unpin;        /* "-name:port": pins of ended visits that
				    libcurl's cache is to forget */
	fc_time_t curl_deadline, now;
	guint64 seq;
	guint transfers;
	long maxconnects;        /* libcurl's connection cache, as set */
	struct lg_stats st;
	gboolean write_failed;
};

fc_time_t
lg_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (fc_time_t)ts.tv_sec * FC_SEC + (fc_time_t)ts.tv_nsec;
}

static void req_submit(struct req *q);
static void visit_end(struct visit *v, enum outcome o, const char *reason);

/* ---- Output ---- */

/* A reason as one TSV field: no tabs or newlines. */
static void
put_field(FILE *f, const char *s)
{
	if (!s || !*s) {
		fputc('-', f);
		return;
	}
	for (; *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static void
req_write(struct req *q, long status, const char *error)
{
	struct lg_run *r = q->v->r;
	FILE *f = r->requests_out;
	curl_off_t connect = 0, ttfb = 0, bytes = 0;
	long conns = 0;
	char *ip = NULL;

	if (!f)
		return;
	if (q->easy) {
		curl_easy_getinfo(q->easy, CURLINFO_CONNECT_TIME_T, &connect);
		curl_easy_getinfo(q->easy, CURLINFO_STARTTRANSFER_TIME_T, &ttfb);
		curl_easy_getinfo(q->easy, CURLINFO_SIZE_DOWNLOAD_T, &bytes);
		curl_easy_getinfo(q->easy, CURLINFO_NUM_CONNECTS, &conns);
		curl_easy_getinfo(q->easy, CURLINFO_PRIMARY_IP, &ip);
	}
	fprintf(f, "%" G_GUINT64_FORMAT "\t%u\t", q->v->pv.id, q->object);
	put_field(f, q->url.url);
	fputc('\t', f);
	put_field(f, ip);
	fprintf(f, "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT
		"\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%ld\t%" G_GUINT64_FORMAT
		"\t%ld\t%u\t",
		q->started, r->now, q->dns_ns, (guint64)connect * FC_USEC,
		(guint64)ttfb * FC_USEC, status, (guint64)bytes, conns, q->redirects);
	put_field(f, error);
	fputc('\n', f);
}

static void
visit_write(struct visit *v, enum outcome o, const char *reason)
{
	FILE *f = v->r->visits_out;

	fprintf(f, "%" G_GUINT64_FORMAT "\t%s\t%s\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT
		"\t%" G_GUINT64_FORMAT "\t%s\t",
		v->pv.id, v->pv.flags, v->pv.name, v->planned, v->started, v->r->now,
		outcome_names[o]);
	put_field(f, reason);
	fprintf(f, "\t%u\t%u\t%u\t%" G_GUINT64_FORMAT "\t%u\t", v->pv.npaths, v->done,
		v->requests, v->bytes, v->redirects);
	put_field(f, v->servers->str);
	if (v->page_done)
		fprintf(f, "\t%" G_GUINT64_FORMAT, v->page_done - v->started);
	else
		fputs("\t-", f);
	fprintf(f, "\t%" G_GUINT64_FORMAT "\n", v->r->now - v->started);
	/* A visit's lines are out once it is over: a reader may follow the
	 * files during the run, and a crash loses only the visits under way. */
	if (v->r->requests_out)
		fflush(v->r->requests_out);
	fflush(f);
}

/* ---- Easy handles ---- */

static void cache_size(struct lg_run *r);

static size_t
discard(char *data, size_t size, size_t n, void *user)
{
	(void)data;
	(void)user;
	return size * n;
}

static CURL *
easy_get(struct lg_run *r)
{
	CURL *e;

	if (r->idle->len) {
		e = g_ptr_array_steal_index_fast(r->idle, r->idle->len - 1);
		curl_easy_reset(e);
	} else {
		e = curl_easy_init();
		g_assert(e);
	}
	return e;
}

/* Takes q's handle out of libcurl, keeps it for another request. */
static void
easy_put(struct lg_run *r, struct req *q)
{
	if (!q->easy)
		return;
	curl_multi_remove_handle(r->multi, q->easy);
	r->transfers--;
	cache_size(r);
	g_ptr_array_add(r->idle, q->easy);
	q->easy = NULL;
	curl_slist_free_all(q->resolve);
	q->resolve = NULL;
}

/* ---- Requests ---- */

static struct req *
req_new(struct visit *v, guint object, const struct lg_url *url)
{
	struct req *q = g_new0(struct req, 1);

	q->v = v;
	q->object = object;
	lg_url_copy(&q->url, url);
	q->link.data = q;
	return q;
}

static void
req_free(struct req *q)
{
	curl_slist_free_all(q->resolve);
	lg_url_clear(&q->url);
	g_free(q);
}

/* The name under which t's address number pin is known to libcurl. */
static char *
pin_name(const struct target *t, guint pin)
{
	return g_strdup_printf("v%" G_GUINT64_FORMAT "t%ua%u.pin", t->v->seq, t->index, pin);
}

/*
 * The target's address in use, pinned for libcurl under a name of the
 * visit's own.  libcurl's cache keeps such an entry until it is told to
 * forget it (when the visit is over): its DNS cache timeout is off, as
 * pruning by age walks the whole cache at the end of every transfer.
 */
static void
target_pin(struct target *t)
{
	char addr[INET_ADDRSTRLEN];
	g_autofree char *name = pin_name(t, t->pin);
	g_autofree char *rs = NULL, *ct = NULL;

	inet_ntop(AF_INET, &t->addrs.a[t->pin], addr, sizeof addr);
	rs = g_strdup_printf("%s:%u:%s", name, t->port, addr);
	ct = g_strdup_printf("::%s:", name);
	curl_slist_free_all(t->resolve);
	curl_slist_free_all(t->connect_to);
	t->resolve = curl_slist_append(NULL, rs);
	t->connect_to = curl_slist_append(NULL, ct);
}

/*
 * Sizes libcurl's connection cache to the connections in use and a few
 * idle ones: when it is full, a connection that comes back closes the
 * oldest idle one.  A visit reuses a connection at once or never, and no
 * other visit may, so the connections a visit leaves open (after a
 * redirect, say) are closed soon.  (libcurl's own closing of idle
 * connections by age, CURLOPT_MAXAGE_CONN, walks every connection again
 * for each one it closes: at a few hundred visits a second it stalled the
 * loop for half a second at a time.)
 */
static void
cache_size(struct lg_run *r)
{
	long want = (long)r->transfers + IDLE_SLACK;

	if (want > r->maxconnects + IDLE_SLACK / 4 || want < r->maxconnects - IDLE_SLACK / 4) {
		r->maxconnects = want;
		curl_multi_setopt(r->multi, CURLMOPT_MAXCONNECTS, want);
	}
}

/* Hands q to libcurl. */
static void
req_launch(struct req *q)
{
	struct visit *v = q->v;
	struct lg_run *r = v->r;
	struct target *t = q->t;
	CURL *e = easy_get(r);

	q->easy = e;
	q->pin = t->pin;
	q->started = r->now;
	q->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, q->url.url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, q);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, q->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_USERAGENT, r->c.user_agent);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(r->c.connect_timeout / FC_MSEC));
	curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, -1L);
	if (r->unpin->len) {
		/* This transfer also makes libcurl forget the ended visits' pins. */
		q->resolve = curl_slist_append(NULL, t->resolve->data);
		for (guint i = 0; i < r->unpin->len; i++)
			q->resolve = curl_slist_append(q->resolve, r->unpin->pdata[i]);
		g_ptr_array_set_size(r->unpin, 0);
	}
	t->loaded |= 1u << t->pin;
	curl_easy_setopt(e, CURLOPT_RESOLVE, q->resolve ? q->resolve : t->resolve);
	curl_easy_setopt(e, CURLOPT_CONNECT_TO, t->connect_to);
	curl_easy_setopt(e, CURLOPT_IPRESOLVE, (long)CURL_IPRESOLVE_V4);
	if (r->c.source_address) {
		g_autofree char *itf = g_strdup_printf("host!%s", r->c.source_address);

		curl_easy_setopt(e, CURLOPT_INTERFACE, itf);
	}
	/* The visit's last requests close their connections when done: no
	 * other client would use them. */
	if (g_queue_is_empty(&v->ready) && (q->object > 0 || v->pv.npaths == 1))
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	g_queue_push_tail_link(&v->running, &q->link);
	v->requests++;
	r->st.requests++;
	r->transfers++;
	cache_size(r);
	r->st.transfers_max = MAX(r->st.transfers_max, r->transfers);
	curl_multi_add_handle(r->multi, e);
}

/* Starts what the visit may: at most `parallel` requests at once. */
static void
visit_pump(struct visit *v)
{
	while (v->running.length < v->r->c.parallel && !g_queue_is_empty(&v->ready)) {
		GList *l = g_queue_pop_head_link(&v->ready);

		req_launch(l->data);
	}
}

/* The target's addresses are known: its requests are ready. */
static void
target_ready(struct target *t, fc_time_t dns_ns)
{
	struct req *q;

	uint32_t first;

	t->state = T_READY;
	t->dns_ns = dns_ns;
	t->addrs.next = 0;
	t->pin = 0;
	lg_addrs_next(&t->addrs, &first);
	target_pin(t);
	while ((q = g_queue_pop_head(&t->waiting))) {
		q->dns_ns = dns_ns;
		g_queue_push_tail_link(&t->v->ready, &q->link);
	}
}

static void lookup_start(struct target *t);

static struct target *
target_for(struct visit *v, const struct lg_url *u)
{
	struct target *t;

	for (guint i = 0; i < v->targets->len; i++) {
		t = v->targets->pdata[i];
		if (t->port == u->port && strcmp(t->host, u->host) == 0)
			return t;
	}
	t = g_new0(struct target, 1);
	t->v = v;
	t->index = v->targets->len;
	t->host = g_strdup(u->host);
	t->port = u->port;
	g_queue_init(&t->waiting);
	g_ptr_array_add(v->targets, t);
	return t;
}

static void
target_free(struct target *t)
{
	struct req *q;

	if (t->lookup)
		g_ptr_array_remove(t->lookup->targets, t);
	for (guint i = 0; i < LG_ADDRS_MAX; i++) {
		if (t->loaded & (1u << i)) {
			g_autofree char *name = pin_name(t, i);

			g_ptr_array_add(t->v->r->unpin,
					g_strdup_printf("-%s:%u", name, t->port));
		}
	}
	while ((q = g_queue_pop_head(&t->waiting)))
		req_free(q);
	curl_slist_free_all(t->resolve);
	curl_slist_free_all(t->connect_to);
	g_free(t->host);
	g_free(t);
}

/* Sends q to its URL's host: now, or once the name is resolved. */
static void
req_submit(struct req *q)
{
	struct visit *v = q->v;
	struct target *t = target_for(v, &q->url);

	q->t = t;
	q->dns_ns = 0;
	switch (t->state) {
	case T_NEW:
		if (q->url.literal) {
			t->addrs = (struct lg_addrs){ .a = { q->url.addr }, .n = 1 };
			target_ready(t, 0);
			g_queue_push_tail_link(&v->ready, &q->link);
			break;
		}
		g_queue_push_tail(&t->waiting, q);
		t->state = T_RESOLVING;
		if (v->r->c.cache == LG_CACHE_SHARED &&
		    lg_dnscache_get(v->r->cache, t->host, v->r->now, &t->addrs)) {
			target_ready(t, 0);
			break;
		}
		lookup_start(t);
		return; /* the visit may be over */
	case T_RESOLVING:
		g_queue_push_tail(&t->waiting, q);
		return;
	case T_READY:
		g_queue_push_tail_link(&v->ready, &q->link);
		break;
	}
	visit_pump(v);
}

/* ---- DNS ---- */

static void
lookup_done(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct lookup *lk = arg;
	struct lg_run *r = lk->r;
	g_autoptr(GPtrArray) targets = g_steal_pointer(&lk->targets);
	uint32_t a[LG_ADDRS_MAX];
	guint n = 0;
	int ttl = G_MAXINT;

	(void)timeouts;
	if (lk->shared)
		g_hash_table_remove(r->lookups, lk->name);
	if (status == ARES_SUCCESS && res) {
		for (struct ares_addrinfo_node *nd = res->nodes; nd && n < LG_ADDRS_MAX;
		     nd = nd->ai_next) {
			if (nd->ai_family != AF_INET)
				continue;
			a[n++] = ((struct sockaddr_in *)(void *)nd->ai_addr)->sin_addr.s_addr;
			ttl = MIN(ttl, MAX(nd->ai_ttl, 0));
		}
	}
	if (res)
		ares_freeaddrinfo(res);
	if (status == ARES_EDESTRUCTION) {
		g_free(lk->name);
		g_free(lk);
		return;
	}
	r->now = lg_realtime();
	if (n > 0 && r->c.cache == LG_CACHE_SHARED)
		lg_dnscache_put(r->cache, lk->name, a, n, (guint32)ttl, r->now);
	for (guint i = 0; i < targets->len; i++) {
		struct target *t = targets->pdata[i];
		struct visit *v = t->v;

		t->lookup = NULL;
		if (n == 0) {
			g_autofree char *why = g_strdup_printf(
				"dns: %s: %s", lk->name,
				status == ARES_SUCCESS ? "no address" : ares_strerror(status));

			visit_end(v, O_FAILED, why);
			continue;
		}
		/* Each client gets the answer in the order the cache gives it. */
		if (r->c.cache != LG_CACHE_SHARED ||
		    !lg_dnscache_get(r->cache, lk->name, r->now, &t->addrs)) {
			t->addrs.n = n;
			t->addrs.next = 0;
			memcpy(t->addrs.a, a, n * sizeof *a);
		}
		target_ready(t, r->now - lk->started);
		visit_pump(v);
	}
	g_free(lk->name);
	g_free(lk);
}

/* Resolves t's host, or waits for the lookup of it under way. */
static void
lookup_start(struct target *t)
{
	struct lg_run *r = t->v->r;
	gboolean shared = r->c.cache == LG_CACHE_SHARED;
	struct lookup *lk = shared ? g_hash_table_lookup(r->lookups, t->host) : NULL;
	struct ares_addrinfo_hints hints = { .ai_family = AF_INET, .ai_flags = ARES_AI_NOSORT };

	if (!lk) {
		lk = g_new0(struct lookup, 1);
		lk->r = r;
		lk->name = g_strdup(t->host);
		lk->started = r->now;
		lk->targets = g_ptr_array_new();
		lk->shared = shared;
		if (shared)
			g_hash_table_insert(r->lookups, lk->name, lk);
		g_ptr_array_add(lk->targets, t);
		t->lookup = lk;
		r->st.lookups++;
		/* The answer may come at once (a bad name): t may be gone after. */
		ares_getaddrinfo(r->ares, lk->name, NULL, &hints, lookup_done, lk);
		return;
	}
	g_ptr_array_add(lk->targets, t);
	t->lookup = lk;
}

/* ---- Visits ---- */

static gint
deadline_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
	const struct visit *x = a, *y = b;
	fc_time_t dx = fc_time_add(x->started, x->pv.patience),
		  dy = fc_time_add(y->started, y->pv.patience);

	(void)data;
	if (dx != dy)
		return dx < dy ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
visit_start(struct lg_run *r, struct lg_plan_visit *pv)
{
	struct visit *v = g_new0(struct visit, 1);
	g_autoptr(GError) err = NULL;
	struct lg_url url = { 0 };

	v->r = r;
	v->seq = r->seq++;
	v->pv = *pv;
	memset(pv, 0, sizeof *pv);
	v->planned = fc_time_add(r->c.start, v->pv.start);
	v->started = r->now;
	v->targets = g_ptr_array_new_with_free_func((GDestroyNotify)target_free);
	g_queue_init(&v->ready);
	g_queue_init(&v->running);
	v->remaining = v->pv.npaths;
	v->servers = g_string_new(NULL);
	r->st.started++;
	r->st.late_max = MAX(r->st.late_max, r->now > v->planned ? r->now - v->planned : 0);
	g_hash_table_add(r->live, v);
	r->st.live = g_hash_table_size(r->live);
	r->st.live_max = MAX(r->st.live_max, r->st.live);
	if (v->pv.bt) {
		visit_end(v, O_BT, "driven through aria2");
		return;
	}
	v->deadline = g_sequence_insert_sorted(r->deadlines, v, deadline_cmp, NULL);
	if (!lg_url_make(&url, v->pv.name, r->c.port, v->pv.paths[0], &err)) {
		visit_end(v, O_FAILED, err->message);
		return;
	}
	req_submit(req_new(v, 0, &url));
	lg_url_clear(&url);
}

static void
visit_free(struct visit *v)
{
	GList *l;

	/* Its links are the requests' own: popped, not freed. */
	while ((l = g_queue_pop_head_link(&v->ready)))
		req_free(l->data);
	g_ptr_array_unref(v->targets);
	g_string_free(v->servers, TRUE);
	lg_plan_visit_clear(&v->pv);
	g_free(v);
}

/* The visit is over: cancels what it has under way, writes it, frees it. */
static void
visit_end(struct visit *v, enum outcome o, const char *reason)
{
	struct lg_run *r = v->r;
	GList *l;

	while ((l = g_queue_pop_head_link(&v->running))) {
		struct req *q = l->data;
		curl_off_t bytes = 0;

		curl_easy_getinfo(q->easy, CURLINFO_SIZE_DOWNLOAD_T, &bytes);
		v->bytes += (guint64)bytes;
		r->st.bytes += (guint64)bytes;
		req_write(q, 0, "cancelled");
		easy_put(r, q);
		req_free(q);
	}
	if (v->deadline)
		g_sequence_remove(v->deadline);
	v->deadline = NULL;
	visit_write(v, o, o == O_OK ? NULL : reason);
	switch (o) {
	case O_OK: r->st.ok++; break;
	case O_ABANDONED: r->st.abandoned++; break;
	case O_FAILED: r->st.failed++; break;
	case O_STOPPED: r->st.stopped++; break;
	case O_BT: r->st.bt++; break;
	}
	g_hash_table_remove(r->live, v);
	r->st.live = g_hash_table_size(r->live);
	visit_free(v);
}

/* Whether a transfer ended before a connection was made. */
static gboolean
connect_failed(CURLcode rc, CURL *e)
{
	curl_off_t connect = 0;

	if (rc == CURLE_COULDNT_CONNECT)
		return TRUE;
	curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect);
	return rc == CURLE_OPERATION_TIMEDOUT && connect == 0;
}

/* q's transfer is over with rc: what comes next. */
static void
req_done(struct req *q, CURLcode rc)
{
	struct visit *v = q->v;
	struct lg_run *r = v->r;
	struct target *t = q->t;
	long status = 0;
	curl_off_t bytes = 0;
	char *ip = NULL;
	g_autoptr(GError) err = NULL;

	g_queue_unlink(&v->running, &q->link);
	curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(q->easy, CURLINFO_SIZE_DOWNLOAD_T, &bytes);
	v->bytes += (guint64)bytes;
	r->st.bytes += (guint64)bytes;
	if (rc != CURLE_OK) {
		char addr[INET_ADDRSTRLEN];
		g_autofree char *why = NULL;
		uint32_t next;

		/* libcurl's message names the pinned name: name the address. */
		inet_ntop(AF_INET, &t->addrs.a[q->pin], addr, sizeof addr);
		why = g_strdup_printf("%s (%s:%u for %s: %s)", curl_easy_strerror(rc), addr,
				      t->port, q->url.url, q->errbuf);

		req_write(q, 0, why);
		if (connect_failed(rc, q->easy)) {
			/* The next address, unless another request moved on. */
			if (q->pin == t->pin && lg_addrs_next(&t->addrs, &next)) {
				t->pin = t->addrs.next - 1;
				target_pin(t);
			}
			if (q->pin != t->pin) {
				easy_put(r, q);
				g_queue_push_head_link(&v->ready, &q->link);
				visit_pump(v);
				return;
			}
		}
		easy_put(r, q);
		req_free(q);
		visit_end(v, O_FAILED, why);
		return;
	}
	req_write(q, status, NULL);
	curl_easy_getinfo(q->easy, CURLINFO_PRIMARY_IP, &ip);
	if (ip && *ip) {
		g_autofree char *needle = g_strdup_printf(",%s,", ip);
		g_autofree char *hay = g_strdup_printf(",%s,", v->servers->str);

		if (!strstr(hay, needle))
			g_string_append_printf(v->servers, "%s%s", v->servers->len ? "," : "", ip);
	}
	if (lg_redirect_status(status)) {
		struct curl_header *h = NULL;
		const char *loc = curl_easy_header(q->easy, "Location", 0, CURLH_HEADER, -1,
						   &h) == CURLHE_OK ? h->value : NULL;

		if (!lg_redirect_follow(&q->url, &q->redirects, r->c.max_redirects, loc, &err)) {
			g_autofree char *why = g_strdup_printf("redirect: %s", err->message);

			easy_put(r, q);
			req_free(q);
			visit_end(v, O_FAILED, why);
			return;
		}
		v->redirects++;
		r->st.redirects++;
		easy_put(r, q);
		req_submit(q);
		return;
	}
	if (status < 200 || status > 299) {
		g_autofree char *why = g_strdup_printf("http %ld from %s", status, q->url.url);

		easy_put(r, q);
		req_free(q);
		visit_end(v, O_FAILED, why);
		return;
	}
	v->done++;
	v->remaining--;
	if (q->object == 0) {
		v->page_done = r->now;
		/* The page is here: its objects, from the server that sent it. */
		for (guint i = 1; i < v->pv.npaths; i++) {
			struct lg_url u = { 0 };

			if (!lg_url_make(&u, q->url.host, q->url.port, v->pv.paths[i], &err)) {
				easy_put(r, q);
				req_free(q);
				visit_end(v, O_FAILED, err->message);
				return;
			}
			g_queue_push_tail_link(&v->ready, &req_new(v, i, &u)->link);
			lg_url_clear(&u);
		}
	}
	easy_put(r, q);
	req_free(q);
	if (v->remaining == 0) {
		visit_end(v, O_OK, NULL);
		return;
	}
	/* Objects queued above go to the page's target, which is ready. */
	for (GList *l = v->ready.head; l; l = l->next) {
		struct req *o = l->data;

		if (!o->t)
			o->t = target_for(v, &o->url);
	}
	visit_pump(v);
}

static void
drain(struct lg_run *r)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(r->multi, &left))) {
		struct req *q = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&q);
		r->now = lg_realtime();
		req_done(q, m->data.result);
	}
}

/* ---- The loop ---- */

static int
curl_sock(CURL *e, curl_socket_t s, int what, void *user, void *sockp)
{
	struct lg_run *r = user;
	struct epoll_event ev = { .data.u64 = TAG_CURL | (guint32)s };

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(r->ep, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	/* libcurl keeps our mark on a socket until it removes it. */
	if (sockp) {
		epoll_ctl(r->ep, EPOLL_CTL_MOD, s, &ev);
	} else {
		epoll_ctl(r->ep, EPOLL_CTL_ADD, s, &ev);
		curl_multi_assign(r->multi, s, r);
	}
	return 0;
}

static int
curl_timer(CURLM *m, long ms, void *user)
{
	struct lg_run *r = user;

	(void)m;
	r->curl_deadline = ms < 0 ? FC_TIME_NEVER : lg_realtime() + (fc_time_t)ms * FC_MSEC;
	return 0;
}

static void
ares_sock(void *user, ares_socket_t s, int readable, int writable)
{
	struct lg_run *r = user;
	struct epoll_event ev = { .data.u64 = TAG_ARES | (guint32)s };

	if (!readable && !writable) {
		epoll_ctl(r->ep, EPOLL_CTL_DEL, s, NULL);
		return;
	}
	ev.events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);
	if (epoll_ctl(r->ep, EPOLL_CTL_MOD, s, &ev) != 0 && errno == ENOENT)
		epoll_ctl(r->ep, EPOLL_CTL_ADD, s, &ev);
}

static gboolean
setup_error(GError **err, const char *what, const char *why)
{
	g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", what, why);
	return FALSE;
}

static gboolean
ares_setup(struct lg_run *r, GError **err)
{
	struct ares_options o = {
		.flags = ARES_FLAG_NOSEARCH,
		.timeout = (int)(r->c.dns_timeout / FC_MSEC),
		.tries = (int)r->c.dns_tries,
		.ndots = 1,
		.ndomains = 0,
		.lookups = (char *)"b",
		.sock_state_cb = ares_sock,
		.sock_state_cb_data = r,
	};
	int rc = ares_library_init(ARES_LIB_INIT_ALL);

	if (rc != ARES_SUCCESS)
		return setup_error(err, "c-ares", ares_strerror(rc));
	rc = ares_init_options(&r->ares, &o,
			       ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
			       ARES_OPT_NDOTS | ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS |
			       ARES_OPT_SOCK_STATE_CB);
	if (rc != ARES_SUCCESS)
		return setup_error(err, "c-ares", ares_strerror(rc));
	r->ares_ok = TRUE;
	if (r->c.source_address) {
		struct in_addr a;

		/* Queries leave from the clients' address too. */
		if (inet_pton(AF_INET, r->c.source_address, &a) == 1)
			ares_set_local_ip4(r->ares, ntohl(a.s_addr));
	}
	rc = ares_set_servers_ports_csv(r->ares, r->c.dns_server);
	if (rc != ARES_SUCCESS)
		return setup_error(err, r->c.dns_server, ares_strerror(rc));
	return TRUE;
}

struct lg_run *
lg_run_new(const struct lg_config *c, struct lg_sched *sched, FILE *visits, FILE *requests,
	   GError **err)
{
	g_autoptr(lg_run) r = g_new0(struct lg_run, 1);

	r->c = *c;
	r->c.dns_server = g_strdup(c->dns_server);
	r->c.user_agent = g_strdup(c->user_agent);
	r->c.source_address = g_strdup(c->source_address);
	r->c.results = g_strdup(c->results);
	r->c.requests = g_strdup(c->requests);
	r->sched = sched;
	r->visits_out = visits;
	r->requests_out = requests;
	r->ep = -1;
	r->curl_deadline = FC_TIME_NEVER;
	r->cache = lg_dnscache_new(c->rotate);
	r->lookups = g_hash_table_new(g_str_hash, g_str_equal);
	r->live = g_hash_table_new(NULL, NULL);
	r->deadlines = g_sequence_new(NULL);
	r->idle = g_ptr_array_new_with_free_func((GDestroyNotify)curl_easy_cleanup);
	r->unpin = g_ptr_array_new_with_free_func(g_free);
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	if (r->ep < 0) {
		setup_error(err, "epoll", g_strerror(errno));
		return NULL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		setup_error(err, "libcurl", "cannot initialise");
		return NULL;
	}
	r->multi = curl_multi_init();
	if (!r->multi) {
		setup_error(err, "libcurl", "cannot create a multi handle");
		return NULL;
	}
	curl_multi_setopt(r->multi, CURLMOPT_SOCKETFUNCTION, curl_sock);
	curl_multi_setopt(r->multi, CURLMOPT_SOCKETDATA, r);
	curl_multi_setopt(r->multi, CURLMOPT_TIMERFUNCTION, curl_timer);
	curl_multi_setopt(r->multi, CURLMOPT_TIMERDATA, r);
	curl_multi_setopt(r->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)c->max_connections);
	cache_size(r);
	if (!ares_setup(r, err))
		return NULL;
	fputs(LG_VISITS_HEADER "\n", visits);
	if (requests)
		fputs(LG_REQUESTS_HEADER "\n", requests);
	return g_steal_pointer(&r);
}

const struct lg_stats *
lg_run_stats(const struct lg_run *r)
{
	return &r->st;
}

static gint
visit_seq_cmp(gconstpointer a, gconstpointer b)
{
	const struct visit *x = *(struct visit *const *)a, *y = *(struct visit *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Ends every visit under way: stopped and written, or just freed. */
static void
end_all(struct lg_run *r, gboolean write)
{
	GHashTableIter it;
	gpointer key;
	g_autoptr(GPtrArray) all = g_ptr_array_new();

	g_hash_table_iter_init(&it, r->live);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_ptr_array_add(all, key);
	g_ptr_array_sort(all, visit_seq_cmp);
	/* In order of start, so that the file reads in time order. */
	for (guint i = 0; i < all->len; i++) {
		struct visit *v = all->pdata[i];

		if (write) {
			visit_end(v, O_STOPPED, "the load generator was stopped");
		} else {
			GList *l;

			while ((l = g_queue_pop_head_link(&v->running))) {
				easy_put(r, l->data);
				req_free(l->data);
			}
			if (v->deadline)
				g_sequence_remove(v->deadline);
			g_hash_table_remove(r->live, v);
			visit_free(v);
		}
	}
}

void
lg_run_free(struct lg_run *r)
{
	if (!r)
		return;
	if (r->live)
		end_all(r, FALSE);
	if (r->ares_ok)
		ares_destroy(r->ares);
	if (r->multi)
		curl_multi_cleanup(r->multi);
	if (r->idle)
		g_ptr_array_unref(r->idle);
	if (r->unpin)
		g_ptr_array_unref(r->unpin);
	if (r->ep >= 0)
		close(r->ep);
	if (r->deadlines)
		g_sequence_free(r->deadlines);
	if (r->live)
		g_hash_table_unref(r->live);
	if (r->lookups)
		g_hash_table_unref(r->lookups);
	lg_dnscache_free(r->cache);
	lg_sched_free(r->sched);
	lg_config_clear(&r->c);
	g_free(r);
}

/* Milliseconds from now to t, rounded up, at most WAIT_MAX_MS. */
static int
wait_ms(fc_time_t now, fc_time_t t)
{
	if (t <= now)
		return 0;
	return (int)MIN((t - now + FC_MSEC - 1) / FC_MSEC, (fc_time_t)WAIT_MAX_MS);
}

gboolean
lg_run_run(struct lg_run *r, volatile sig_atomic_t *stop, GError **err)
{
	struct epoll_event evs[256];
	struct lg_plan_visit pv = { 0 };
	fc_time_t busy_from = lg_realtime(), busy;
	int running;

	for (;;) {
		fc_time_t next, ares_at = FC_TIME_NEVER;
		struct timeval tv;
		int n, rc;

		r->now = lg_realtime();
		if (*stop)
			break;
		/* The visits due. */
		while ((rc = lg_sched_pop(r->sched, r->now, &pv, err)) > 0)
			visit_start(r, &pv);
		if (rc < 0) {
			lg_plan_visit_clear(&pv);
			end_all(r, TRUE);
			return FALSE;
		}
		/* The patience that ran out. */
		r->now = lg_realtime();
		while (g_sequence_get_length(r->deadlines) > 0) {
			struct visit *v = g_sequence_get(g_sequence_get_begin_iter(r->deadlines));

			if (fc_time_add(v->started, v->pv.patience) > r->now)
				break;
			visit_end(v, O_ABANDONED, "patience ran out");
		}
		if (lg_sched_next_at(r->sched) == FC_TIME_NEVER && g_hash_table_size(r->live) == 0)
			break;
		next = MIN(lg_sched_next_at(r->sched), r->curl_deadline);
		if (g_sequence_get_length(r->deadlines) > 0) {
			struct visit *v = g_sequence_get(g_sequence_get_begin_iter(r->deadlines));

			next = MIN(next, fc_time_add(v->started, v->pv.patience));
		}
		if (ares_timeout(r->ares, NULL, &tv))
			ares_at = r->now + (fc_time_t)tv.tv_sec * FC_SEC +
				  (fc_time_t)tv.tv_usec * FC_USEC;
		next = MIN(next, ares_at);
		busy = lg_realtime() - busy_from;
		r->st.busy_max = MAX(r->st.busy_max, busy);
		n = epoll_wait(r->ep, evs, G_N_ELEMENTS(evs), wait_ms(r->now, next));
		busy_from = lg_realtime();
		if (n < 0 && errno != EINTR) {
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
				    "epoll_wait: %s", g_strerror(errno));
			return FALSE;
		}
		r->now = lg_realtime();
		for (int i = 0; i < n; i++) {
			int fd = (int)(guint32)evs[i].data.u64;
			guint32 e = evs[i].events;

			if ((evs[i].data.u64 & ~(guint64)G_MAXUINT32) == TAG_ARES) {
				ares_process_fd(r->ares,
						e & (EPOLLIN | EPOLLERR | EPOLLHUP) ? fd : ARES_SOCKET_BAD,
						e & (EPOLLOUT | EPOLLERR) ? fd : ARES_SOCKET_BAD);
			} else {
				int what = (e & (EPOLLIN | EPOLLHUP) ? CURL_CSELECT_IN : 0) |
					   (e & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
					   (e & EPOLLERR ? CURL_CSELECT_ERR : 0);

				curl_multi_socket_action(r->multi, fd, what, &running);
				drain(r);
			}
		}
		r->now = lg_realtime();
		if (r->now >= ares_at)
			ares_process_fd(r->ares, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		if (r->now >= r->curl_deadline) {
			r->curl_deadline = FC_TIME_NEVER;
			curl_multi_socket_action(r->multi, CURL_SOCKET_TIMEOUT, 0, &running);
			drain(r);
		}
		if (ferror(r->visits_out) || (r->requests_out && ferror(r->requests_out))) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_IO,
				    "cannot write the results");
			end_all(r, FALSE);
			return FALSE;
		}
	}
	end_all(r, TRUE);
	return TRUE;
}
