/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The measurement point, and the traffic beside the overlay.
 *
 * Seed 002 §2-2 captured every TCP connection on the 1 Gbit/s link between
 * an ISP's stub network and its upstream.  Here each ISP's shared link of
 * the world is such a tap: a connection whose ends are on different sides
 * of it (or in two different stub networks: then it is logged once, at the
 * tap of the side that opened it) goes to the flow_log table with its
 * start, end, endpoints, and bytes and packets each way, counted as on the
 * wire: payload plus WINNY_HEADER_BYTES per packet.  Pure ACKs are not
 * modelled and not counted.  The analysis (analysis/winny-tap.sql) splits
 * each connection into the seed's unidirectional flows and classifies them
 * by size, as the seed did, not by the model's labels.
 *
 * The non-Winny traffic of the stub network's other hosts is what the seed
 * compares Winny against (10% of the flows, 30% of the bytes).  It is
 * generated as Poisson connections through each tap, background_rate per
 * second, between a non-Winny address of the stub network and a host
 * outside; a share background_outbound sends its data out, the rest brings
 * it in.  A connection is a request of background_request bytes one way and
 * a response of a Pareto size (shape background_alpha, mean background_size)
 * the other, carried by the world's network over the ISP link and an access
 * link of background_access for the inside host.
 */
#include "models/winny/internal.h"

#include <math.h>

#include <gsl/gsl_randist.h>

/* Background responses are cut at this size, so that a Pareto draw with
 * a small shape stays a transfer the network can carry. */
#define BACKGROUND_MAX_BYTES ((uint64_t)1 << 34)
/* The well-known port of the background connections' servers (HTTP). */
#define BACKGROUND_SERVER_PORT 80

struct bgconn {
	struct winny *w;
	uint32_t tap;
	uint32_t inside_ip, outside_ip;
	uint16_t client_port;
	bool outbound;
	fc_time_t start;
	net_link access;
	uint64_t bytes;
	guint index; /* in w->bg_flows */
};

bool
tap_crosses(const struct peer *a, const struct peer *b)
{
	return a->inside != b->inside || (a->inside && a->isp != b->isp);
}

uint32_t
tap_packets(uint64_t payload)
{
	return (uint32_t)((payload + WINNY_MSS - 1) / WINNY_MSS);
}

/* The tap records the connections that open during measurement. */
static void
log_row(struct winny *w, struct rec_flow_row *row)
{
	if (row->start < w->ctx->warmup)
		return;
	w->tap_flows++;
	rec_flow(w->ctx->rec, row);
}

void
tap_log(struct winny *w, const struct peer *a, const struct peer *b, enum winny_app app,
	uint16_t a_port, fc_time_t start, fc_time_t end, uint64_t payload_ab,
	uint32_t packets_ab, uint64_t payload_ba, uint32_t packets_ba, const char *kind)
{
	struct rec_flow_row row = {
		.start = start,
		.end = end,
		.tap = a->inside ? a->isp : b->isp,
		.a_ip = a->ip,
		.b_ip = b->ip,
		.a_port = a_port,
		.b_port = overlay_port(b, app),
		.a_inside = a->inside,
		.bytes_ab = payload_ab + (uint64_t)WINNY_HEADER_BYTES * packets_ab,
		.bytes_ba = payload_ba + (uint64_t)WINNY_HEADER_BYTES * packets_ba,
		.packets_ab = packets_ab,
		.packets_ba = packets_ba,
		.app = app == APP_SHARE ? "share" : "winny",
		.kind = kind,
	};

	log_row(w, &row);
}

/* Background traffic. */

static void background_arrival(struct engine *e, void *data, fc_time_t now);

struct bgsource {
	struct winny *w;
	uint32_t tap;
};

static void
bg_remove(struct winny *w, struct bgconn *c)
{
	struct bgconn *last = w->bg_flows->pdata[w->bg_flows->len - 1];

	last->index = c->index;
	g_ptr_array_remove_index_fast(w->bg_flows, c->index);
	world_link_give(w->world, c->access);
	g_free(c);
}

/* Connection c's response has arrived: it is logged and forgotten. */
static void
bg_done(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	struct bgconn *c = data;
	struct winny *w = c->w;
	uint64_t bytes = c->bytes;
	uint64_t req = w->p.background_request;
	uint32_t data_packets = tap_packets(bytes) + WINNY_HANDSHAKE_PACKETS;
	uint32_t req_packets = tap_packets(req) + WINNY_HANDSHAKE_PACKETS;
	struct rec_flow_row row = {
		.start = c->start,
		.end = now,
		.tap = c->tap,
		/* The client opens: inside for a download, outside for an upload. */
		.a_ip = c->outbound ? c->outside_ip : c->inside_ip,
		.b_ip = c->outbound ? c->inside_ip : c->outside_ip,
		.a_port = c->client_port,
		.b_port = BACKGROUND_SERVER_PORT,
		.a_inside = !c->outbound,
		.bytes_ab = req + (uint64_t)WINNY_HEADER_BYTES * req_packets,
		.bytes_ba = bytes + (uint64_t)WINNY_HEADER_BYTES * data_packets,
		.packets_ab = req_packets,
		.packets_ba = data_packets,
		.app = "background",
		.kind = "background",
	};

	(void)n;
	(void)f;
	w->background++;
	w->background_bytes += bytes;
	log_row(w, &row);
	bg_remove(w, c);
}

static void
background_arrival(struct engine *e, void *data, fc_time_t now)
{
	struct bgsource *src = data;
	struct winny *w = src->w;
	gsl_rng *r = rng_stream_gsl(&w->bg_rng[src->tap]);
	const struct winny_params *p = &w->p;
	double alpha = p->background_alpha;
	double scale = (double)p->background_size * (alpha - 1) / alpha;
	double size = gsl_ran_pareto(r, alpha, scale);
	struct bgconn *c = g_new0(struct bgconn, 1);
	net_link path[2];
	uint64_t bytes;

	(void)e;
	engine_schedule(w->e, fc_time_from_sec(gsl_ran_exponential(r, 1 / p->background_rate)),
			background_arrival, src);
	bytes = size < 1 ? 1 : size > (double)BACKGROUND_MAX_BYTES ? BACKGROUND_MAX_BYTES :
		(uint64_t)size;
	c->w = w;
	c->tap = src->tap;
	c->start = now;
	c->outbound = gsl_rng_uniform(r) < p->background_outbound;
	c->inside_ip = WINNY_INSIDE_BASE + (src->tap << 16) + (uint32_t)p->inside + 1 +
		       (uint32_t)gsl_rng_uniform_int(r, p->addresses - p->inside);
	c->outside_ip = WINNY_REMOTE_BASE + (uint32_t)gsl_rng_uniform_int(r, 1u << 24);
	c->client_port = (uint16_t)(WINNY_EPHEMERAL_FIRST +
				    gsl_rng_uniform_int(r, WINNY_EPHEMERAL_PORTS));
	c->access = world_link_take(w->world, p->background_access);
	if (c->outbound) {
		path[0] = c->access;
		path[1] = world_isp_link(w->world, src->tap);
	} else {
		path[0] = world_isp_link(w->world, src->tap);
		path[1] = c->access;
	}
	c->index = w->bg_flows->len;
	g_ptr_array_add(w->bg_flows, c);
	c->bytes = bytes;
	net_flow_start(w->net, path, 2, bytes, bg_done, c);
}

void
background_start(struct winny *w)
{
	size_t isps = world_isps(w->world);
	struct bgsource *src;

	w->bg_flows = g_ptr_array_new();
	if (w->p.background_rate <= 0 || isps == 0)
		return;
	w->bg_rng = g_new(struct rng_stream, isps);
	src = g_new(struct bgsource, isps);
	w->bg_sources = src;
	for (size_t k = 0; k < isps; k++) {
		src[k] = (struct bgsource){ w, (uint32_t)k };
		rng_stream_init(&w->bg_rng[k], w->ctx->seed, w->ctx->replication,
				"winny-background", k);
		engine_schedule(w->e,
				fc_time_from_sec(gsl_ran_exponential(rng_stream_gsl(&w->bg_rng[k]),
								     1 / w->p.background_rate)),
				background_arrival, &src[k]);
	}
}

void
background_stop(struct winny *w)
{
	if (w->bg_flows) {
		for (guint i = 0; i < w->bg_flows->len; i++)
			g_free(w->bg_flows->pdata[i]);
		g_ptr_array_unref(w->bg_flows);
	}
	g_free(w->bg_rng);
	g_free(w->bg_sources);
}
