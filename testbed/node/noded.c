/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/node/noded.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <glib-unix.h>

#include "testbed/node/measure.h"
#include "testbed/node/nodelog.h"
#include "testbed/node/proto.h"

/* Unix-socket clients at once, at most; more are closed at once. */
#define MAX_CLIENTS 4096
/* A SCOREBOARD older than this many load intervals is not reported. */
#define SCOREBOARD_STALE_INTERVALS 3
/* After a failed accept (no descriptors), the socket waits this long. */
#define ACCEPT_RETRY_MS 100

struct client;

struct tb_noded {
	struct tb_node_config *cfg;
	struct tb_executor *ex;
	struct tb_nodelog *log;
	struct fc_node *node;
	GMainContext *ctx;
	fc_time_t last_now;

	GSource *timer; /* at fc_node_expiry() */
	int udp_fd;
	GSource *udp_src;
	int listen_fd;
	GSource *listen_src;
	GSource *listen_retry; /* after a failed accept */
	bool accept_warned;
	GSource *load_src;
	GHashTable *clients; /* struct client * */
	GPtrArray *waiters;  /* struct client * parked in WAIT, in arrival order */

	/* Content held here: "SITE/OBJECT", and "SITE/" followed by "*" for the whole site. */
	GHashTable *have;
	GHashTable *fetching;
	GHashTable *site_gen; /* site -> generation, bumped by DELETE */

	GThreadPool *dns_pool, *content_pool;

	/* The module's last scoreboard. */
	bool has_scoreboard;
	unsigned busy, workers;
	fc_time_t scoreboard_at;
	/* The uplink's last counter. */
	bool has_tx;
	uint64_t tx_bytes;
	fc_time_t tx_at;
	bool measure_warned, uplink_warned;
	/* Under load_form = demand: the bytes of the own sites' objects
	 * (files of [site] root), "SITE/OBJECT" -> size, with a page's HTML
	 * (index 0) weighing the whole page, as web_redirect_bytes(); and
	 * what the redirects sent away since the last load report. */
	GHashTable *redirect_weight;
	uint64_t redirected_bytes;
	bool borrowed; /* cfg and ex are the caller's (a failed tb_noded_new) */
	bool stopping; /* in tb_noded_free: no request is handled any more */
};

/* ---- Time and randomness ---- */

static fc_time_t
now(struct tb_noded *d)
{
	struct timespec ts;
	fc_time_t t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = (fc_time_t)ts.tv_sec * FC_SEC + (fc_time_t)ts.tv_nsec;
	if (t < d->last_now)
		t = d->last_now; /* the node's time never goes back */
	d->last_now = t;
	return t;
}

static uint64_t
host_rand(void *user)
{
	uint64_t v;

	(void)user;
	while (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
		;
	return v;
}

static char *
ipv4_text(uint32_t address)
{
	struct in_addr a = { htonl(address) };
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, buf, sizeof buf);
	return g_strdup(buf);
}

static char *
content_key(uint32_t site, uint64_t object)
{
	if (object == FC_WHOLE_SITE)
		return g_strdup_printf("%u/*", site);
	return g_strdup_printf("%u/%" G_GUINT64_FORMAT, site, (guint64)object);
}

static bool
has_content(struct tb_noded *d, uint32_t site, uint64_t object)
{
	g_autofree char *k = content_key(site, object);
	g_autofree char *all = content_key(site, FC_WHOLE_SITE);

	return g_hash_table_contains(d->have, k) || g_hash_table_contains(d->have, all);
}

static bool
fetch_underway(struct tb_noded *d, uint32_t site, uint64_t object)
{
	g_autofree char *k = content_key(site, object);
	g_autofree char *all = content_key(site, FC_WHOLE_SITE);

	return g_hash_table_contains(d->fetching, k) || g_hash_table_contains(d->fetching, all);
}

static unsigned
site_gen(struct tb_noded *d, uint32_t site)
{
	return GPOINTER_TO_UINT(g_hash_table_lookup(d->site_gen, GUINT_TO_POINTER(site)));
}

static void
destroy_source(GSource **src)
{
	if (*src) {
		g_source_destroy(*src);
		g_source_unref(*src);
		*src = NULL;
	}
}

/* ---- The node's timer ---- */

static void drain(struct tb_noded *d);

static gboolean
timer_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	return cb(data);
}

static GSourceFuncs timer_funcs = { NULL, NULL, timer_dispatch, NULL, NULL, NULL };

static gboolean
on_timer(gpointer data)
{
	struct tb_noded *d = data;

	g_source_set_ready_time(d->timer, -1);
	fc_node_handle_expiry(d->node, now(d));
	drain(d);
	return G_SOURCE_CONTINUE;
}

/* Keeps the timer at the node's deadline. */
static void
arm(struct tb_noded *d)
{
	fc_time_t t = fc_node_expiry(d->node), n = now(d);
	gint64 delay_us;

	if (!d->timer)
		return; /* stopping */
	if (t == FC_TIME_NEVER) {
		g_source_set_ready_time(d->timer, -1);
		return;
	}
	delay_us = t > n ? (gint64)((t - n + FC_USEC - 1) / FC_USEC) : 0;
	g_source_set_ready_time(d->timer, g_get_monotonic_time() + delay_us);
}

/* ---- The executor's jobs ---- */

enum job_kind { JOB_DNS_ADD, JOB_DNS_REMOVE, JOB_FETCH, JOB_REMOVE, JOB_PUSH };

static const char *const job_names[] = { "dns_add", "dns_remove", "fetch", "delete", "push" };

struct job {
	struct tb_noded *d;
	enum job_kind kind;
	uint32_t site;
	uint64_t object;
	fc_node_id peer;
	uint32_t address;
	unsigned gen;     /* FETCH: the site's generation when it began */
	fc_time_t start;
	gboolean ok;
	GError *err;
};

static char *
job_detail(const struct job *j)
{
	g_autofree char *addr = ipv4_text(j->address);
	g_autofree char *obj = j->object == FC_WHOLE_SITE ?
		g_strdup("site") : g_strdup_printf("%" G_GUINT64_FORMAT, (guint64)j->object);

	switch (j->kind) {
	case JOB_DNS_ADD:
	case JOB_DNS_REMOVE:
		return g_strdup_printf("site %u address %s", j->site, addr);
	case JOB_FETCH:
		return g_strdup_printf("site %u object %s from node %u", j->site, obj, j->peer);
	case JOB_REMOVE:
		return g_strdup_printf("site %u", j->site);
	case JOB_PUSH:
		return g_strdup_printf("site %u to node %u", j->site, j->peer);
	}
	g_assert_not_reached();
}

static void release_waiters(struct tb_noded *d, uint32_t site, uint64_t object, bool ok);

/* Back on the main loop: a job has ended. */
static gboolean
job_done(gpointer data)
{
	struct job *j = data;
	struct tb_noded *d = j->d;
	g_autofree char *detail = job_detail(j);
	g_autofree char *kind = g_strdup_printf("%s_%s", job_names[j->kind],
						j->ok ? "done" : "failed");
	fc_time_t t = now(d);

	if (j->ok)
		tb_nodelog_event(d->log, t, kind, "%s in %.3f s", detail,
				 fc_time_to_sec(t - MIN(t, j->start)));
	else
		tb_nodelog_event(d->log, t, kind, "%s: %s", detail, j->err->message);
	if (j->kind == JOB_FETCH) {
		g_autofree char *k = content_key(j->site, j->object);
		/* A DELETE since the fetch began: what it brought is gone too. */
		bool current = j->gen == site_gen(d, j->site);

		g_hash_table_remove(d->fetching, k);
		if (j->ok && current)
			g_hash_table_add(d->have, g_steal_pointer(&k));
		release_waiters(d, j->site, j->object, j->ok && current);
		/* The node hears it: with the data here, its record may go
		 * into the site's name (dns_when = data). */
		if (d->node) {
			fc_node_fetch_done(d->node, t, j->site, j->object, j->ok && current);
			drain(d);
		}
	}
	g_clear_error(&j->err);
	g_free(j);
	return G_SOURCE_REMOVE;
}

/* A job dropped before it began (the daemon stops). */
static void
job_drop(gpointer data)
{
	struct job *j = data;

	g_clear_error(&j->err);
	g_free(j);
}

/* On a worker thread. */
static void
job_run(gpointer data, gpointer user)
{
	struct job *j = data;
	const struct tb_executor *e = j->d->ex;

	(void)user;
	switch (j->kind) {
	case JOB_DNS_ADD:
		j->ok = e->dns_add(e->user, j->site, j->address, &j->err);
		break;
	case JOB_DNS_REMOVE:
		j->ok = e->dns_remove(e->user, j->site, j->address, &j->err);
		break;
	case JOB_FETCH:
		j->ok = e->fetch(e->user, j->site, j->object, j->peer, j->address, &j->err);
		break;
	case JOB_REMOVE:
		j->ok = e->remove(e->user, j->site, &j->err);
		break;
	case JOB_PUSH:
		j->ok = e->push(e->user, j->site, j->peer, j->address, &j->err);
		break;
	}
	if (!j->ok && !j->err)
		g_set_error_literal(&j->err, g_quark_from_static_string("tb-executor-error"), 0,
				    "the executor failed without saying why");
	g_main_context_invoke(j->d->ctx, job_done, j);
}

static void
job_submit(struct tb_noded *d, enum job_kind kind, uint32_t site, uint64_t object,
	   fc_node_id peer, uint32_t address)
{
	struct job *j = g_new0(struct job, 1);
	g_autofree char *detail = NULL;

	*j = (struct job){ d, kind, site, object, peer, address, site_gen(d, site), now(d),
			   FALSE, NULL };
	detail = job_detail(j);
	tb_nodelog_event(d->log, j->start, kind == JOB_FETCH ? "fetch_start" : job_names[kind],
			 "%s", detail);
	g_thread_pool_push(kind == JOB_DNS_ADD || kind == JOB_DNS_REMOVE ? d->dns_pool :
									  d->content_pool,
			   j, NULL);
}

/* As the simulator's fetch_start(): once per object, never the own site. */
static void
fetch_start(struct tb_noded *d, uint32_t site, uint64_t object)
{
	const struct tb_node_site *s = tb_node_config_site(d->cfg, site);
	const struct tb_node_peer *owner = s ? tb_node_config_peer(d->cfg, s->owner) : NULL;

	if (!owner || has_content(d, site, object) || fetch_underway(d, site, object))
		return;
	g_hash_table_add(d->fetching, content_key(site, object));
	job_submit(d, JOB_FETCH, site, object, owner->id, owner->address);
}

/* ---- The node's actions ---- */

static void
send_to(struct tb_noded *d, fc_node_id peer, const uint8_t *data, size_t len)
{
	const struct tb_node_peer *p = tb_node_config_peer(d->cfg, peer);
	struct sockaddr_in to = { .sin_family = AF_INET };

	g_assert(p);
	to.sin_addr.s_addr = htonl(p->address);
	to.sin_port = htons(p->port);
	if (sendto(d->udp_fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to) < 0)
		tb_nodelog_event(d->log, now(d), "send_failed", "node %u: %s", peer,
				 g_strerror(errno));
}

static void
delete_site(struct tb_noded *d, uint32_t site)
{
	GHashTableIter it;
	gpointer k;
	g_autofree char *prefix = g_strdup_printf("%u/", site);

	g_hash_table_iter_init(&it, d->have);
	while (g_hash_table_iter_next(&it, &k, NULL))
		if (g_str_has_prefix(k, prefix))
			g_hash_table_iter_remove(&it);
	g_hash_table_insert(d->site_gen, GUINT_TO_POINTER(site),
			    GUINT_TO_POINTER(site_gen(d, site) + 1));
	release_waiters(d, site, FC_WHOLE_SITE, false);
	job_submit(d, JOB_REMOVE, site, FC_WHOLE_SITE, 0, 0);
}

/* Carries out what the node wants done; returns how many actions. */
static unsigned
carry_out(struct tb_noded *d)
{
	struct fc_action a;
	unsigned count = 0;

	while (fc_node_next_action(d->node, &a)) {
		const struct tb_node_peer *p = tb_node_config_peer(d->cfg, a.peer);

		count++;
		switch (a.type) {
		case FC_ACT_SEND:
			send_to(d, a.peer, a.data, a.len);
			break;
		case FC_ACT_PROBE:
			break; /* probe_mode = message only (config.c refuses host) */
		case FC_ACT_DNS_ADD:
			job_submit(d, JOB_DNS_ADD, a.site, 0, 0, a.address);
			break;
		case FC_ACT_DNS_REMOVE:
			job_submit(d, JOB_DNS_REMOVE, a.site, 0, 0, a.address);
			break;
		case FC_ACT_FETCH:
			fetch_start(d, a.site, a.object);
			break;
		case FC_ACT_DELETE:
			delete_site(d, a.site);
			break;
		case FC_ACT_PUSH:
			g_assert(p);
			job_submit(d, JOB_PUSH, a.site, FC_WHOLE_SITE, a.peer, p->address);
			break;
		case FC_ACT_STATE:
			if (a.peer)
				tb_nodelog_event(d->log, now(d), "state", "%s -> %s: %s (node %u)",
						 fc_state_name(a.from), fc_state_name(a.to),
						 fc_input_name(a.input), a.peer);
			else
				tb_nodelog_event(d->log, now(d), "state", "%s -> %s: %s",
						 fc_state_name(a.from), fc_state_name(a.to),
						 fc_input_name(a.input));
			break;
		case FC_ACT_PEER:
			tb_nodelog_event(d->log, now(d), a.up ? "peer_up" : "peer_down", "node %u",
					 a.peer);
			break;
		}
	}
	return count;
}

static void
drain(struct tb_noded *d)
{
	carry_out(d);
	arm(d);
}

/* ---- Cooperation messages ---- */

static gboolean
on_udp(gint fd, GIOCondition cond, gpointer data)
{
	struct tb_noded *d = data;
	uint8_t buf[FC_MSG_MAX + 1];

	for (;;) {
		struct sockaddr_in from;
		socklen_t flen = sizeof from;
		ssize_t n = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from,
				     &flen);
		int rc;

		if (n < 0)
			break; /* EAGAIN: all read; an error is the next datagram's */
		rc = fc_node_recv(d->node, now(d), buf, (size_t)n);
		if (rc) {
			char addr[INET_ADDRSTRLEN] = "?";

			inet_ntop(AF_INET, &from.sin_addr, addr, sizeof addr);
			tb_nodelog_event(d->log, now(d), "reject", "%s from %s:%u, %zd bytes: %s",
					 fc_errname(rc), addr, ntohs(from.sin_port), n,
					 fc_strerror(rc));
		}
		drain(d);
	}
	return G_SOURCE_CONTINUE;
}

/* ---- Load ---- */

/*
 * The weights a redirect of an own object sends away (load_form =
 * demand): each file ROOT/o/N of an own site weighs its size, and a
 * page's HTML (N with index 0, N = (page << 10) + index) the whole page,
 * since the client fetches the page's objects from where it got the HTML.
 * A site without a root, or a file that is not there, weighs nothing.
 */
static void
redirect_weights(struct tb_noded *d)
{
	const struct tb_node_config *c = d->cfg;

	d->redirect_weight = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (size_t i = 0; i < c->nsites; i++) {
		const struct tb_node_site *st = &c->sites[i];
		g_autofree char *dir = NULL;
		g_autoptr(GDir) gd = NULL;
		g_autoptr(GHashTable) pages = NULL;
		const char *name;

		if (st->owner != c->id || !st->root)
			continue;
		dir = g_build_filename(st->root, "o", NULL);
		gd = g_dir_open(dir, 0, NULL);
		if (!gd)
			continue;
		pages = g_hash_table_new(g_direct_hash, g_direct_equal);
		while ((name = g_dir_read_name(gd))) {
			g_autofree char *path = g_build_filename(dir, name, NULL);
			guint64 object;
			struct stat sb;

			if (!g_ascii_string_to_unsigned(name, 10, 0, G_MAXUINT32, &object, NULL) ||
			    stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
				continue;
			g_hash_table_insert(d->redirect_weight,
					    g_strdup_printf("%u/%" G_GUINT64_FORMAT, st->id, object),
					    GSIZE_TO_POINTER((gsize)sb.st_size));
			g_hash_table_insert(pages, GSIZE_TO_POINTER((gsize)(object >> 10)),
					    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(g_hash_table_lookup(
						    pages, GSIZE_TO_POINTER((gsize)(object >> 10)))) +
							     (gsize)sb.st_size));
		}
		/* The HTML of each page weighs the page. */
		{
			GHashTableIter it;
			gpointer k, v;

			g_hash_table_iter_init(&it, pages);
			while (g_hash_table_iter_next(&it, &k, &v))
				g_hash_table_insert(d->redirect_weight,
						    g_strdup_printf("%u/%" G_GSIZE_FORMAT, st->id,
								    GPOINTER_TO_SIZE(k) << 10),
						    v);
		}
	}
}

static gboolean
on_load(gpointer data)
{
	struct tb_noded *d = data;
	const struct tb_node_config *c = d->cfg;
	struct tb_load_sample s = { 0 };
	struct fc_load loads[3];
	size_t n = 0;
	fc_time_t t = now(d);

	double redirected_bps = 0;

	if (d->has_scoreboard &&
	    t - d->scoreboard_at <= SCOREBOARD_STALE_INTERVALS * c->load_interval) {
		s.has_busy = true;
		s.busy = d->busy;
		s.workers = d->workers;
		if (!c->load_demand)
			loads[n++] = (struct fc_load){ d->busy, d->workers };
	}
	if (c->listen_port) {
		g_autoptr(GError) err = NULL;
		unsigned limit;

		if (tb_measure_accept_queue(c->listen_port, &s.waiting, &limit, &err)) {
			s.has_waiting = true;
			s.backlog = c->backlog ? c->backlog : limit;
			if (c->backlog && !c->load_demand)
				loads[n++] = (struct fc_load){ s.waiting, c->backlog };
			d->measure_warned = false;
		} else if (!d->measure_warned) {
			tb_nodelog_event(d->log, t, "measure_failed", "accept queue: %s",
					 err->message);
			d->measure_warned = true;
		}
	}
	if (c->interface) {
		g_autoptr(GError) err = NULL;
		uint64_t bytes;

		if (tb_measure_tx_bytes(c->interface, &bytes, &err)) {
			if (d->has_tx && t > d->tx_at && bytes >= d->tx_bytes) {
				s.has_uplink = true;
				s.uplink_bps = (double)(bytes - d->tx_bytes) * 8 /
					       fc_time_to_sec(t - d->tx_at);
				s.uplink_capacity = (double)c->uplink_bps;
				redirected_bps = (double)d->redirected_bytes * 8 /
						 fc_time_to_sec(t - d->tx_at);
				if (!c->load_demand)
					loads[n++] = (struct fc_load){ s.uplink_bps,
								       s.uplink_capacity };
			}
			d->has_tx = true;
			d->tx_bytes = bytes;
			d->tx_at = t;
			d->uplink_warned = false;
		} else if (!d->uplink_warned) {
			tb_nodelog_event(d->log, t, "measure_failed", "uplink: %s", err->message);
			d->uplink_warned = true;
		}
	}
	d->redirected_bytes = 0;
	/* The simulator's demand form (web_load_figures()): connections that
	 * want a worker over the workers, and what the uplink carries plus
	 * what the redirects sent away over its capacity. */
	if (c->load_demand && s.has_busy)
		loads[n++] = (struct fc_load){ (double)s.busy + (s.has_waiting ? s.waiting : 0),
					       s.workers };
	if (c->load_demand && s.has_uplink)
		loads[n++] = (struct fc_load){ s.uplink_bps + redirected_bps, s.uplink_capacity };
	if (n) {
		fc_node_report_load(d->node, t, loads, n);
		drain(d);
	}
	s.load = fc_node_load(d->node);
	s.state = fc_node_state(d->node);
	tb_nodelog_load(d->log, t, &s);
	return G_SOURCE_CONTINUE;
}

/* ---- The module's socket ---- */

struct client {
	struct tb_noded *d;
	int fd;
	GSource *src;
	GIOCondition cond; /* what src watches for */
	char in[TB_PROTO_LINE_MAX];
	size_t inlen;
	GString *out;
	/* Parked in WAIT. */
	bool waiting;
	uint32_t wait_site;
	uint64_t wait_object;
	GSource *wait_timer;
	bool closing; /* close once out is written */
};

static void client_free(struct client *cl);
static bool client_step(struct client *cl);
static gboolean on_client(gint fd, GIOCondition cond, gpointer data);

static void
client_watch(struct client *cl, GIOCondition cond)
{
	if (cl->src) {
		g_source_destroy(cl->src);
		g_source_unref(cl->src);
	}
	cl->cond = cond;
	cl->src = g_unix_fd_source_new(cl->fd, cond);
	g_source_set_callback(cl->src, (GSourceFunc)(void (*)(void))on_client, cl, NULL);
	g_source_attach(cl->src, cl->d->ctx);
}

/* Writes what the socket takes of out; false when the client is gone. */
static bool
client_flush(struct client *cl)
{
	while (cl->out->len) {
		ssize_t n = send(cl->fd, cl->out->str, cl->out->len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK;
		g_string_erase(cl->out, 0, n);
	}
	return true;
}

static void
client_reply(struct client *cl, const struct tb_rep *r)
{
	char line[TB_PROTO_LINE_MAX + 1];
	size_t n = tb_rep_format(r, line, sizeof line);

	g_assert(n > 0);
	g_string_append_len(cl->out, line, (gssize)n);
}

static void
client_err(struct client *cl, const char *why)
{
	struct tb_rep r = { .kind = TB_REP_ERR };

	g_strlcpy(r.text, why, sizeof r.text);
	client_reply(cl, &r);
}

/* Ends a WAIT with its reply, then goes on with what the client sent. */
static void
client_unpark(struct client *cl, enum tb_rep_kind kind)
{
	struct tb_rep r = { .kind = kind };

	g_assert(cl->waiting);
	cl->waiting = false;
	if (cl->wait_timer) {
		g_source_destroy(cl->wait_timer);
		g_source_unref(cl->wait_timer);
		cl->wait_timer = NULL;
	}
	g_ptr_array_remove(cl->d->waiters, cl);
	client_reply(cl, &r);
	client_step(cl);
}

static void
release_waiters(struct tb_noded *d, uint32_t site, uint64_t object, bool ok)
{
	g_autoptr(GPtrArray) go = g_ptr_array_new();

	for (guint i = 0; i < d->waiters->len; i++) {
		struct client *cl = d->waiters->pdata[i];

		if (cl->wait_site == site &&
		    (object == FC_WHOLE_SITE || cl->wait_object == object))
			g_ptr_array_add(go, cl);
	}
	for (guint i = 0; i < go->len; i++)
		client_unpark(go->pdata[i], ok ? TB_REP_PRESENT : TB_REP_FAILED);
}

static gboolean
on_wait_timeout(gpointer data)
{
	client_unpark(data, TB_REP_ABSENT);
	return G_SOURCE_REMOVE;
}

static void
handle_route(struct client *cl, const struct tb_req *q)
{
	struct tb_noded *d = cl->d;
	struct fc_request fr = { q->site, q->object, q->has_token ? q->token : NULL,
				 q->has_token ? FC_TOKEN_LEN : 0 };
	struct fc_route r;
	struct tb_rep rep = { 0 };
	const struct tb_node_site *s = tb_node_config_site(d->cfg, q->site);
	bool own = s && s->owner == d->cfg->id;
	int rc = fc_node_route(d->node, now(d), &fr, &r);

	/* A site nobody has is an answer (FC_ROUTE_UNKNOWN), not a failure. */
	if (rc && rc != FC_ERR_UNKNOWN_SITE) {
		client_err(cl, fc_strerror(rc));
		return;
	}
	switch (r.kind) {
	case FC_ROUTE_SERVE:
		rep.kind = TB_REP_SERVE;
		break;
	case FC_ROUTE_REDIRECT: {
		const struct tb_node_peer *p = tb_node_config_peer(d->cfg, r.peer);

		g_assert(p);
		rep.kind = TB_REP_REDIRECT;
		g_strlcpy(rep.host, p->http, sizeof rep.host);
		/* The token goes with a redirect of the own site to a helper. */
		rep.has_token = own;
		if (own && d->redirect_weight) {
			g_autofree char *key = g_strdup_printf("%u/%" PRIu64, q->site, q->object);

			d->redirected_bytes += GPOINTER_TO_SIZE(
				g_hash_table_lookup(d->redirect_weight, key));
		}
		memcpy(rep.token, r.token, FC_TOKEN_LEN);
		break;
	}
	case FC_ROUTE_RESCUE:
		rep.kind = TB_REP_RESCUE;
		rep.peer = r.peer;
		rep.present = has_content(d, q->site, q->object);
		break;
	case FC_ROUTE_UNKNOWN:
		rep.kind = TB_REP_UNKNOWN;
		break;
	}
	client_reply(cl, &rep);
	/* As host.c: a route moves no deadline earlier, so the timer needs a
	 * look only when the node wanted something done. */
	if (carry_out(d))
		arm(d);
	/* A request that will wait needs a fetch under way. */
	if (r.kind == FC_ROUTE_RESCUE && !rep.present &&
	    !fetch_underway(d, q->site, q->object))
		fetch_start(d, q->site, q->object);
}

static void
handle(struct client *cl, const char *line, size_t len)
{
	struct tb_noded *d = cl->d;
	struct tb_req q;
	const char *why = tb_req_parse(line, len, &q);

	if (why) {
		client_err(cl, why);
		return;
	}
	switch (q.kind) {
	case TB_REQ_ROUTE:
		handle_route(cl, &q);
		return;
	case TB_REQ_WAIT:
		if (has_content(d, q.site, q.object)) {
			client_reply(cl, &(struct tb_rep){ .kind = TB_REP_PRESENT });
			return;
		}
		if (!fetch_underway(d, q.site, q.object)) {
			/* Nothing will bring it: its fetch failed, or none began. */
			client_reply(cl, &(struct tb_rep){ .kind = TB_REP_FAILED });
			return;
		}
		cl->waiting = true;
		cl->wait_site = q.site;
		cl->wait_object = q.object;
		g_ptr_array_add(d->waiters, cl);
		cl->wait_timer = g_timeout_source_new(q.timeout_ms);
		g_source_set_callback(cl->wait_timer, on_wait_timeout, cl, NULL);
		g_source_attach(cl->wait_timer, d->ctx);
		return;
	case TB_REQ_SCOREBOARD:
		d->has_scoreboard = true;
		d->busy = q.busy;
		d->workers = q.workers;
		d->scoreboard_at = now(d);
		client_reply(cl, &(struct tb_rep){ .kind = TB_REP_OK });
		return;
	case TB_REQ_STATUS: {
		struct tb_rep r = { .kind = TB_REP_STATE,
				    .load = MIN(fc_node_load(d->node), TB_PROTO_LOAD_MAX) };

		g_strlcpy(r.state, fc_state_name(fc_node_state(d->node)), sizeof r.state);
		client_reply(cl, &r);
		return;
	}
	}
}

/*
 * Handles the complete lines in the input (unless parked in WAIT), writes
 * the replies and watches for what comes next; false when it freed cl.
 */
static bool
client_step(struct client *cl)
{
	GIOCondition want;

	while (!cl->waiting && !cl->closing && !cl->d->stopping) {
		char *nl = memchr(cl->in, '\n', cl->inlen);
		size_t len;

		if (!nl) {
			if (cl->inlen == sizeof cl->in) {
				client_err(cl, "line too long");
				cl->closing = true;
			}
			break;
		}
		len = (size_t)(nl - cl->in) + 1;
		handle(cl, cl->in, len);
		memmove(cl->in, cl->in + len, cl->inlen - len);
		cl->inlen -= len;
	}
	if (!client_flush(cl) || (cl->closing && !cl->out->len)) {
		client_free(cl);
		return false;
	}
	/* Replies first; no reading while parked with a full buffer. */
	if (cl->out->len)
		want = G_IO_OUT;
	else if (cl->waiting && cl->inlen == sizeof cl->in)
		want = G_IO_HUP;
	else
		want = G_IO_IN;
	if (want != cl->cond)
		client_watch(cl, want);
	return true;
}

static gboolean
on_client(gint fd, GIOCondition cond, gpointer data)
{
	struct client *cl = data;

	if (cond & G_IO_IN) {
		while (cl->inlen < sizeof cl->in) {
			ssize_t n = recv(fd, cl->in + cl->inlen, sizeof cl->in - cl->inlen,
					 MSG_DONTWAIT);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n <= 0) {
				client_free(cl);
				return G_SOURCE_REMOVE;
			}
			cl->inlen += (size_t)n;
		}
	} else if (!(cond & G_IO_OUT)) {
		client_free(cl); /* hung up while parked */
		return G_SOURCE_REMOVE;
	}
	/* A source that client_step replaced is not dispatched again. */
	client_step(cl);
	return G_SOURCE_CONTINUE;
}

static void
client_free(struct client *cl)
{
	struct tb_noded *d = cl->d;

	if (cl->waiting)
		g_ptr_array_remove(d->waiters, cl);
	if (cl->wait_timer) {
		g_source_destroy(cl->wait_timer);
		g_source_unref(cl->wait_timer);
	}
	if (cl->src) {
		g_source_destroy(cl->src);
		g_source_unref(cl->src);
	}
	close(cl->fd);
	g_string_free(cl->out, TRUE);
	g_hash_table_remove(d->clients, cl);
	g_free(cl);
}

static void listen_watch(struct tb_noded *d);

static gboolean
on_accept_retry(gpointer data)
{
	struct tb_noded *d = data;

	g_source_unref(d->listen_retry);
	d->listen_retry = NULL;
	listen_watch(d);
	return G_SOURCE_REMOVE;
}

static gboolean
on_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct tb_noded *d = data;

	for (;;) {
		int cfd = accept(fd, NULL, NULL);
		struct client *cl;

		if (cfd < 0 && errno == EINTR)
			continue;
		if (cfd < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			/* Out of descriptors, say: the connection stays queued,
			 * and the socket is left alone for a while rather than
			 * polled in a busy loop. */
			if (!d->accept_warned)
				tb_nodelog_event(d->log, now(d), "accept_failed", "%s (said once)",
						 g_strerror(errno));
			d->accept_warned = true;
			destroy_source(&d->listen_src);
			d->listen_retry = g_timeout_source_new(ACCEPT_RETRY_MS);
			g_source_set_callback(d->listen_retry, on_accept_retry, d, NULL);
			g_source_attach(d->listen_retry, d->ctx);
			return G_SOURCE_REMOVE;
		}
		if (cfd < 0)
			break;
		if (fcntl(cfd, F_SETFL, O_NONBLOCK) < 0 || fcntl(cfd, F_SETFD, FD_CLOEXEC) < 0) {
			close(cfd);
			continue;
		}
		if (g_hash_table_size(d->clients) >= MAX_CLIENTS) {
			close(cfd);
			continue;
		}
		cl = g_new0(struct client, 1);
		cl->d = d;
		cl->fd = cfd;
		cl->out = g_string_new(NULL);
		g_hash_table_add(d->clients, cl);
		client_watch(cl, G_IO_IN);
	}
	return G_SOURCE_CONTINUE;
}

static void
listen_watch(struct tb_noded *d)
{
	d->listen_src = g_unix_fd_source_new(d->listen_fd, G_IO_IN);
	g_source_set_callback(d->listen_src, (GSourceFunc)(void (*)(void))on_accept, d, NULL);
	g_source_attach(d->listen_src, d->ctx);
}

/* ---- Set-up ---- */

static GQuark
noded_quark(void)
{
	return g_quark_from_static_string("tb-noded-error");
}

static bool
bind_udp(struct tb_noded *d, GError **err)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(d->cfg->udp_port) };

	a.sin_addr.s_addr = htonl(INADDR_ANY);
	d->udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->udp_fd < 0 || bind(d->udp_fd, (struct sockaddr *)&a, sizeof a) < 0) {
		g_set_error(err, noded_quark(), errno, "%s: [node] udp_port: cannot bind UDP port %u: %s",
			    d->cfg->path, d->cfg->udp_port, g_strerror(errno));
		return false;
	}
	d->udp_src = g_unix_fd_source_new(d->udp_fd, G_IO_IN);
	g_source_set_callback(d->udp_src, (GSourceFunc)(void (*)(void))on_udp, d, NULL);
	g_source_attach(d->udp_src, d->ctx);
	return true;
}

static bool
bind_unix(struct tb_noded *d, GError **err)
{
	const char *path = d->cfg->socket_path;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int probe;

	g_strlcpy(a.sun_path, path, sizeof a.sun_path);
	/* A socket file that nobody answers on is a killed daemon's. */
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 && connect(probe, (struct sockaddr *)&a, sizeof a) == 0) {
		close(probe);
		g_set_error(err, noded_quark(), EADDRINUSE,
			    "%s: [node] socket: %s: another daemon answers there", d->cfg->path,
			    path);
		return false;
	}
	if (probe >= 0)
		close(probe);
	{
		struct stat st;

		if (lstat(path, &st) == 0) {
			if (!S_ISSOCK(st.st_mode)) {
				g_set_error(err, noded_quark(), EEXIST,
					    "%s: [node] socket: %s exists and is not a socket",
					    d->cfg->path, path);
				return false;
			}
			unlink(path);
		}
	}
	d->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->listen_fd < 0 || bind(d->listen_fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    chmod(path, 0666) < 0 || listen(d->listen_fd, 1024) < 0) {
		g_set_error(err, noded_quark(), errno, "%s: [node] socket: %s: %s", d->cfg->path,
			    path, g_strerror(errno));
		return false;
	}
	listen_watch(d);
	return true;
}

struct tb_noded *
tb_noded_new(struct tb_node_config *c, struct tb_executor *e, GError **err)
{
	struct tb_noded *d = g_new0(struct tb_noded, 1);
	struct fc_host host = { host_rand, NULL };
	guint interval_ms;
	int rc;

	d->cfg = c;
	d->ex = e;
	d->udp_fd = -1;
	d->listen_fd = -1;
	d->ctx = g_main_context_ref_thread_default();
	d->clients = g_hash_table_new(NULL, NULL);
	d->waiters = g_ptr_array_new();
	d->have = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	d->fetching = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	d->site_gen = g_hash_table_new(NULL, NULL);
	if (c->load_demand)
		redirect_weights(d);
	d->log = tb_nodelog_open(c->log_path, err);
	if (!d->log || !bind_udp(d, err) || !bind_unix(d, err))
		goto fail;
	rc = fc_node_new(&c->fc, &host, now(d), &d->node);
	if (rc) {
		g_set_error(err, noded_quark(), 0, "%s: the core refuses it: %s", c->path,
			    fc_strerror(rc));
		goto fail;
	}
	d->dns_pool = g_thread_pool_new_full(job_run, NULL, job_drop, 1, TRUE, NULL);
	d->content_pool = g_thread_pool_new_full(job_run, NULL, job_drop, (gint)c->threads,
						 FALSE, NULL);
	if (!d->dns_pool || !d->content_pool) {
		g_set_error(err, noded_quark(), 0, "cannot start the executor's threads");
		goto fail;
	}
	d->timer = g_source_new(&timer_funcs, sizeof(GSource));
	g_source_set_callback(d->timer, on_timer, d, NULL);
	g_source_attach(d->timer, d->ctx);
	interval_ms = (guint)MAX(1, MIN(c->load_interval / FC_MSEC, G_MAXUINT));
	d->load_src = g_timeout_source_new(interval_ms);
	g_source_set_callback(d->load_src, on_load, d, NULL);
	g_source_attach(d->load_src, d->ctx);
	tb_nodelog_event(d->log, now(d), "start", "node %u pid %ld udp %u", c->id,
			 (long)getpid(), c->udp_port);
	/* As the simulator publishes each site at the start under
	 * predistribution: the node pushes copies to those that consent. */
	for (size_t i = 0; c->publish && i < c->fc.nsites; i++)
		fc_node_site_changed(d->node, now(d), c->fc.sites[i].id);
	drain(d);
	return d;
fail:
	/* What was set up is undone; the caller keeps c and e. */
	d->borrowed = true;
	tb_noded_free(d);
	return NULL;
}

void
tb_noded_free(struct tb_noded *d)
{
	if (!d)
		return;
	d->stopping = true;
	/* Nothing new comes in; the executor's calls in progress end, those
	 * not begun are dropped, and the results come back through the main
	 * context, handled here (a waiting client gets its answer). */
	destroy_source(&d->timer);
	destroy_source(&d->udp_src);
	destroy_source(&d->listen_src);
	destroy_source(&d->listen_retry);
	destroy_source(&d->load_src);
	if (d->dns_pool)
		g_thread_pool_free(d->dns_pool, TRUE, TRUE);
	if (d->content_pool)
		g_thread_pool_free(d->content_pool, TRUE, TRUE);
	while (g_main_context_iteration(d->ctx, FALSE))
		;
	while (g_hash_table_size(d->clients)) {
		GHashTableIter it;
		gpointer k;

		g_hash_table_iter_init(&it, d->clients);
		g_hash_table_iter_next(&it, &k, NULL);
		client_free(k);
	}
	if (d->udp_fd >= 0)
		close(d->udp_fd);
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		unlink(d->cfg->socket_path);
	}
	if (d->log && d->node)
		tb_nodelog_event(d->log, now(d), "stop", "node %u", d->cfg->id);
	tb_nodelog_free(d->log);
	fc_node_free(d->node);
	g_hash_table_unref(d->clients);
	g_ptr_array_unref(d->waiters);
	g_hash_table_unref(d->have);
	g_hash_table_unref(d->fetching);
	g_hash_table_unref(d->site_gen);
	if (d->redirect_weight)
		g_hash_table_unref(d->redirect_weight);
	g_main_context_unref(d->ctx);
	if (!d->borrowed) {
		tb_executor_free(d->ex);
		tb_node_config_free(d->cfg);
	}
	g_free(d);
}

/* ---- The program ---- */

static gboolean
on_signal(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_CONTINUE;
}

static bool
write_pid_file(const char *path, GError **err)
{
	g_autofree char *text = g_strdup_printf("%ld\n", (long)getpid());

	return g_file_set_contents(path, text, -1, err);
}

int
tb_noded_main(int argc, char **argv, tb_executor_new_fn make_executor)
{
	g_autofree char *pid_file = NULL;
	gboolean check = FALSE;
	GOptionEntry entries[] = {
		{ "pid-file", 0, 0, G_OPTION_ARG_FILENAME, &pid_file,
		  "write the process id to FILE (overrides [node] pid_file)", "FILE" },
		{ "check", 0, 0, G_OPTION_ARG_NONE, &check,
		  "check the configuration and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("CONFIG");
	g_autoptr(GError) err = NULL;
	struct tb_node_config *c;
	struct tb_executor *e;
	struct tb_noded *d;
	GMainLoop *loop;
	const char *prog = "fc-noded";

	g_option_context_set_summary(oc, "Hosts one flashcoop node beside a web server "
					 "(testbed/node/README.md).");
	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "%s: %s\n", prog, err->message);
		return 2;
	}
	if (argc != 2) {
		fprintf(stderr, "%s: usage: %s [--pid-file FILE] [--check] CONFIG\n", prog, prog);
		return 2;
	}
	c = tb_node_config_load(argv[1], &err);
	if (!c) {
		fprintf(stderr, "%s: %s\n", prog, err->message);
		return 2;
	}
	e = make_executor(c, &err);
	if (!e) {
		fprintf(stderr, "%s: %s\n", prog, err->message);
		tb_node_config_free(c);
		return 2;
	}
	if (check) {
		tb_executor_free(e);
		tb_node_config_free(c);
		return 0;
	}
	if (pid_file) {
		g_free(c->pid_file);
		c->pid_file = g_strdup(pid_file);
	}
	signal(SIGPIPE, SIG_IGN);
	/* A descriptor per connection of the module: as many as allowed. */
	{
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	d = tb_noded_new(c, e, &err);
	if (!d) {
		fprintf(stderr, "%s: %s\n", prog, err->message);
		tb_executor_free(e);
		tb_node_config_free(c);
		return 2;
	}
	g_free(pid_file);
	pid_file = g_strdup(c->pid_file);
	if (pid_file && !write_pid_file(pid_file, &err)) {
		fprintf(stderr, "%s: pid file: %s\n", prog, err->message);
		tb_noded_free(d);
		return 2;
	}
	loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_signal, loop);
	g_unix_signal_add(SIGINT, on_signal, loop);
	g_main_loop_run(loop);
	tb_noded_free(d);
	g_main_loop_unref(loop);
	if (pid_file)
		unlink(pid_file);
	return 0;
}
