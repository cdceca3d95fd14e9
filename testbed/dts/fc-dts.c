/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-dts: one node of a DTS cluster on real packets.  It runs the core's
 * DTS filter (flashcoop/dts.h) on every TCP packet the node receives and
 * sends, through an NFQUEUE, and the proxy that reads each request and
 * hands its connection to the node the request names.
 *
 *	fc-dts --service ADDR --nodes ADDR,ADDR,... --index I [--queue Q]
 *	       [--app-port 80] [--proxy-port 8080] [--option exp|paper]
 *	       [--mark MARK] [--log FILE] [--stats FILE] [--ready FILE]
 *	fc-dts --accepts CLIENT-ADDR PORT NNODES
 *
 * --nodes lists the nodes' internal addresses in index order; this node is
 * number I.  The rules that send packets here (raw table, so before any
 * connection tracking) must skip packets that carry MARK (default 0xd75):
 * fc-dts sends the segments the filter makes with that mark on a raw
 * socket, so that they reach the local stack or the wire without coming
 * back to the queue.
 *
 * The proxy listens on the proxy port.  It reads a request up to its empty
 * line, takes the destination from a path that starts with /nK/ (node K;
 * otherwise the next node after this one), opens a connection from this
 * node's internal address to the destination's application port, writes
 * every byte it read and closes it; the filter does the rest.  A request
 * for this node itself is refused (the proxy closes the connection): a
 * handover needs another node.  A request not read and passed on within
 * 30 s is given up.
 *
 * The log (--log) has one line per event, tab-separated: monotonic
 * nanoseconds, event (accept, handover, done, failed, taken, refused,
 * error), client address:port, detail.  SIGTERM or SIGINT ends the program;
 * the filter's counters go to --stats ("key=value ..." on one line).
 * --ready FILE gets the PID once the queue is bound and the proxy listens.
 * `--accepts` prints the index of the node that accepts a client.  Exit
 * status 2: bad arguments, or a queue or port that cannot be bound.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <netinet/in.h>

#include <glib-unix.h>
#include <glib.h>

#include "flashcoop/dts.h"

#define RCVBUF (4 * 1024 * 1024)
#define MAX_REQUEST 65536
#define PROXIED_TIMEOUT_S 30 /* to read a request and pass it on */

struct proxied {
	struct node *n;
	int fd;       /* the proxy's socket, until the handover begins */
	int hfd;      /* the handover connection's */
	guint watch;
	guint timer;  /* the whole of it must be done in time */
	GString *req;
	size_t sent;
	uint32_t caddr;
	uint16_t cport;
	uint32_t dest;
};

struct node {
	struct fc_dts *dts;
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	int raw;
	int listen_fd;
	uint32_t service, self;
	uint32_t *nodes;
	guint nnodes, index;
	uint16_t app_port, proxy_port;
	FILE *log;
	GMainLoop *loop;
	GHashTable *proxied; /* struct proxied *, as a set */
	uint64_t queue_errors, raw_errors;
};

static fc_time_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (fc_time_t)ts.tv_sec * FC_SEC + (fc_time_t)ts.tv_nsec;
}

static void
logf_event(struct node *n, const char *event, uint32_t caddr, uint16_t cport,
	   const char *detail)
{
	if (!n->log)
		return;
	struct in_addr a = { htonl(caddr) };
	fprintf(n->log, "%" G_GUINT64_FORMAT "\t%s\t%s:%u\t%s\n", now_ns(), event,
		inet_ntoa(a), cport, detail ? detail : "");
	fflush(n->log);
}

static void
proxied_free(struct proxied *p)
{
	if (p->watch)
		g_source_remove(p->watch);
	if (p->timer)
		g_source_remove(p->timer);
	if (p->fd >= 0)
		close(p->fd);
	if (p->hfd >= 0)
		close(p->hfd);
	g_string_free(p->req, TRUE);
	g_free(p);
}

static void
proxied_end(struct proxied *p)
{
	g_hash_table_remove(p->n->proxied, p);
	proxied_free(p);
}

/* Sends a segment the filter made, past the queue (it carries the mark). */
static void
raw_send(struct node *n, const uint8_t *pkt, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	memcpy(&to.sin_addr, pkt + 16, 4);
	if (sendto(n->raw, pkt, len, 0, (struct sockaddr *)&to, sizeof to) < 0)
		n->raw_errors++;
}

static void
drain_actions(struct node *n)
{
	struct fc_dts_action a;
	while (fc_dts_next_action(n->dts, &a)) {
		switch (a.type) {
		case FC_DTS_ACT_DELIVER:
		case FC_DTS_ACT_TRANSMIT:
			raw_send(n, a.packet, a.len);
			break;
		case FC_DTS_ACT_DONE:
			logf_event(n, "done", a.client_addr, a.client_port, NULL);
			break;
		case FC_DTS_ACT_TAKEN:
			logf_event(n, "taken", a.client_addr, a.client_port, NULL);
			break;
		case FC_DTS_ACT_FAILED:
			logf_event(n, "failed", a.client_addr, a.client_port, fc_errname(a.reason));
			break;
		}
	}
}

static int
on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data)
{
	struct node *n = data;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	unsigned char *payload;
	static uint8_t buf[65535 + FC_DTS_HEADROOM];
	(void)msg;

	if (!ph)
		return 0;
	uint32_t id = ntohl(ph->packet_id);
	int len = nfq_get_payload(nfa, &payload);
	if (len < 0) {
		nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
		return 0;
	}
	size_t out = (size_t)len;
	memcpy(buf, payload, out);
	int rc = ph->hook == NF_INET_LOCAL_OUT
			 ? fc_dts_outbound(n->dts, now_ns(), buf, &out, sizeof buf)
			 : fc_dts_inbound(n->dts, now_ns(), buf, &out, sizeof buf);
	if (rc < 0) {
		n->queue_errors++;
		logf_event(n, "error", 0, 0, fc_errname(rc));
		nfq_set_verdict(qh, id, NF_DROP, 0, NULL);
	} else if (rc == FC_DTS_DROP) {
		nfq_set_verdict(qh, id, NF_DROP, 0, NULL);
	} else if (out != (size_t)len || memcmp(buf, payload, out) != 0) {
		nfq_set_verdict(qh, id, NF_ACCEPT, (uint32_t)out, buf);
	} else {
		nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
	}
	drain_actions(n);
	return 0;
}

static gboolean
on_queue(int fd, GIOCondition cond, gpointer data)
{
	struct node *n = data;
	static char buf[256 * 1024] __attribute__((aligned));
	(void)cond;

	for (;;) {
		ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			break;
		}
		nfq_handle_packet(n->h, buf, (int)r);
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
on_timer(gpointer data)
{
	struct node *n = data;
	fc_time_t now = now_ns();
	if (fc_dts_expiry(n->dts) <= now) {
		fc_dts_handle_expiry(n->dts, now);
		drain_actions(n);
	}
	return G_SOURCE_CONTINUE;
}

/* The handover connection can be written: the request goes, then the FIN. */
static gboolean
on_handover_writable(int fd, GIOCondition cond, gpointer data)
{
	struct proxied *p = data;
	(void)cond;
	int err = 0;
	socklen_t el = sizeof err;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
		logf_event(p->n, "error", p->caddr, p->cport, g_strerror(err ? err : errno));
		p->watch = 0;
		proxied_end(p);
		return G_SOURCE_REMOVE;
	}
	while (p->sent < p->req->len) {
		ssize_t w = send(fd, p->req->str + p->sent, p->req->len - p->sent, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return G_SOURCE_CONTINUE;
			logf_event(p->n, "error", p->caddr, p->cport, g_strerror(errno));
			p->watch = 0;
			proxied_end(p);
			return G_SOURCE_REMOVE;
		}
		p->sent += (size_t)w;
	}
	/* All of it: close, and the filter takes the FIN from here. */
	p->watch = 0;
	proxied_end(p);
	return G_SOURCE_REMOVE;
}

/* Which node a request names: /nK/... gives K; otherwise the next node. */
static guint
destination(const struct node *n, const char *req)
{
	const char *sp = strchr(req, ' ');
	if (sp && sp[1] == '/' && sp[2] == 'n') {
		char *end;
		unsigned long k = strtoul(sp + 3, &end, 10);
		if (end != sp + 3 && *end == '/' && k < n->nnodes)
			return (guint)k;
	}
	return (n->index + 1) % n->nnodes;
}

static void
begin_handover(struct proxied *p)
{
	struct node *n = p->n;
	guint k = destination(n, p->req->str);
	if (k == n->index) {
		logf_event(n, "refused", p->caddr, p->cport, "the request names this node");
		proxied_end(p);
		return;
	}
	p->dest = n->nodes[k];
	int h = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in local = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(n->self) };
	socklen_t sl = sizeof local;
	if (h < 0 || bind(h, (struct sockaddr *)&local, sizeof local) < 0 ||
	    getsockname(h, (struct sockaddr *)&local, &sl) < 0) {
		logf_event(n, "error", p->caddr, p->cport, g_strerror(errno));
		if (h >= 0)
			close(h);
		proxied_end(p);
		return;
	}
	p->hfd = h;
	int rc = fc_dts_handover(n->dts, now_ns(), p->caddr, p->cport, p->dest,
				 ntohs(local.sin_port));
	if (rc < 0) {
		logf_event(n, "error", p->caddr, p->cport, fc_errname(rc));
		proxied_end(p);
		return;
	}
	char detail[64];
	g_snprintf(detail, sizeof detail, "node %u port %u bytes %zu", k, ntohs(local.sin_port),
		   p->req->len);
	logf_event(n, "handover", p->caddr, p->cport, detail);
	/* The proxy's socket goes silently: what its stack sends now is
	   dropped by the filter, which resets it locally at the end. */
	close(p->fd);
	p->fd = -1;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(n->app_port),
				  .sin_addr.s_addr = htonl(p->dest) };
	if (connect(h, (struct sockaddr *)&to, sizeof to) < 0 && errno != EINPROGRESS) {
		logf_event(n, "error", p->caddr, p->cport, g_strerror(errno));
		proxied_end(p);
		return;
	}
	p->watch = g_unix_fd_add(h, G_IO_OUT, on_handover_writable, p);
}

/* The client's request, as far as it has come. */
static gboolean
on_proxy_readable(int fd, GIOCondition cond, gpointer data)
{
	struct proxied *p = data;
	char buf[16384];
	(void)cond;
	for (;;) {
		ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (r > 0) {
			g_string_append_len(p->req, buf, r);
			if (p->req->len > MAX_REQUEST)
				break;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		/* Closed or failed before a whole request. */
		p->watch = 0;
		proxied_end(p);
		return G_SOURCE_REMOVE;
	}
	if (p->req->len > MAX_REQUEST) {
		logf_event(p->n, "refused", p->caddr, p->cport, "request too long");
		p->watch = 0;
		proxied_end(p);
		return G_SOURCE_REMOVE;
	}
	if (strstr(p->req->str, "\r\n\r\n")) {
		p->watch = 0;
		begin_handover(p);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/* A client that never finishes its request, or a destination that never
   answers, must not hold a socket for ever. */
static gboolean
on_proxied_timeout(gpointer data)
{
	struct proxied *p = data;

	p->timer = 0;
	logf_event(p->n, "refused", p->caddr, p->cport, "not done in time");
	proxied_end(p);
	return G_SOURCE_REMOVE;
}

static gboolean
on_accept(int fd, GIOCondition cond, gpointer data)
{
	struct node *n = data;
	(void)cond;
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		int c = accept4(fd, (struct sockaddr *)&from, &fl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			break;
		struct proxied *p = g_new0(struct proxied, 1);
		p->n = n;
		p->fd = c;
		p->hfd = -1;
		p->req = g_string_new(NULL);
		p->caddr = ntohl(from.sin_addr.s_addr);
		p->cport = ntohs(from.sin_port);
		g_hash_table_add(n->proxied, p);
		logf_event(n, "accept", p->caddr, p->cport, NULL);
		p->watch = g_unix_fd_add(c, G_IO_IN | G_IO_HUP | G_IO_ERR, on_proxy_readable, p);
		p->timer = g_timeout_add_seconds(PROXIED_TIMEOUT_S, on_proxied_timeout, p);
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
on_signal(gpointer data)
{
	g_main_loop_quit(((struct node *)data)->loop);
	return G_SOURCE_REMOVE;
}

static bool
parse_addr(const char *s, uint32_t *out)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

static int
fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static int
fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fc-dts: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 2;
}

static int
accepts(char **argv)
{
	uint32_t a;
	char *end;
	unsigned long port = strtoul(argv[1], &end, 10), nn;
	if (!parse_addr(argv[0], &a))
		return fail("--accepts: \"%s\" is not an IPv4 address", argv[0]);
	if (*end || port == 0 || port > 65535)
		return fail("--accepts: port \"%s\" is not in 1..65535", argv[1]);
	nn = strtoul(argv[2], &end, 10);
	if (*end || nn == 0 || nn > 1024)
		return fail("--accepts: \"%s\" nodes is not in 1..1024", argv[2]);
	printf("%lu\n", (unsigned long)(fc_dts_hash(a, (uint16_t)port) % nn));
	return 0;
}

int
main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *service = NULL, *nodes = NULL, *option = NULL, *log_path = NULL,
			*stats_path = NULL, *ready_path = NULL;
	gint index = -1, queue = 0, app_port = 80, proxy_port = 8080, mark = 0xd75;
	gboolean accepts_mode = FALSE;
	GOptionEntry entries[] = {
		{ "service", 0, 0, G_OPTION_ARG_STRING, &service, "the cluster's shared address",
		  "ADDR" },
		{ "nodes", 0, 0, G_OPTION_ARG_STRING, &nodes,
		  "the nodes' internal addresses, in index order", "ADDR,ADDR,..." },
		{ "index", 0, 0, G_OPTION_ARG_INT, &index, "this node's index in --nodes", "I" },
		{ "queue", 'q', 0, G_OPTION_ARG_INT, &queue, "the NFQUEUE to bind (default 0)",
		  "Q" },
		{ "app-port", 0, 0, G_OPTION_ARG_INT, &app_port,
		  "the server application's port (default 80)", "PORT" },
		{ "proxy-port", 0, 0, G_OPTION_ARG_INT, &proxy_port,
		  "the proxy's port (default 8080)", "PORT" },
		{ "option", 0, 0, G_OPTION_ARG_STRING, &option,
		  "the handover option: exp (kind 253, the default) or paper (kind 32)", "FORM" },
		{ "mark", 0, 0, G_OPTION_ARG_INT, &mark,
		  "the mark on segments fc-dts sends itself (default 0xd75)", "MARK" },
		{ "log", 0, 0, G_OPTION_ARG_FILENAME, &log_path, "the event log", "FILE" },
		{ "stats", 0, 0, G_OPTION_ARG_FILENAME, &stats_path,
		  "write the counters to FILE at exit", "FILE" },
		{ "ready", 0, 0, G_OPTION_ARG_FILENAME, &ready_path,
		  "write the PID to FILE once running", "FILE" },
		{ "accepts", 0, 0, G_OPTION_ARG_NONE, &accepts_mode,
		  "print which node accepts CLIENT-ADDR PORT among NNODES", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};

	ctx = g_option_context_new("- one node of a DTS cluster on real packets");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error))
		return fail("%s", error->message);
	if (accepts_mode) {
		if (argc != 4)
			return fail("--accepts takes CLIENT-ADDR PORT NNODES");
		return accepts(argv + 1);
	}
	if (argc != 1)
		return fail("unexpected argument \"%s\" (see --help)", argv[1]);

	struct node n = { .raw = -1, .listen_fd = -1 };
	if (!service || !parse_addr(service, &n.service))
		return fail("--service: \"%s\" is not an IPv4 address", service ? service : "");
	if (!nodes)
		return fail("--nodes is required");
	g_auto(GStrv) list = g_strsplit(nodes, ",", -1);
	n.nnodes = g_strv_length(list);
	if (n.nnodes < 2 || n.nnodes > 1024)
		return fail("--nodes: %u addresses; a cluster has 2..1024 nodes", n.nnodes);
	n.nodes = g_new(uint32_t, n.nnodes);
	for (guint i = 0; i < n.nnodes; i++)
		if (!parse_addr(list[i], &n.nodes[i]))
			return fail("--nodes: \"%s\" is not an IPv4 address", list[i]);
	if (index < 0 || (guint)index >= n.nnodes)
		return fail("--index %d is not in 0..%u", index, n.nnodes - 1);
	n.index = (guint)index;
	n.self = n.nodes[index];
	if (queue < 0 || queue > 65535)
		return fail("--queue %d is outside 0..65535", queue);
	if (app_port < 1 || app_port > 65535 || proxy_port < 1 || proxy_port > 65535 ||
	    app_port == proxy_port)
		return fail("--app-port %d and --proxy-port %d must be distinct ports", app_port,
			    proxy_port);
	n.app_port = (uint16_t)app_port;
	n.proxy_port = (uint16_t)proxy_port;
	enum fc_dts_option form = FC_DTS_OPTION_EXP;
	if (option && strcmp(option, "paper") == 0)
		form = FC_DTS_OPTION_PAPER;
	else if (option && strcmp(option, "exp") != 0)
		return fail("--option \"%s\" is not exp or paper", option);

	struct fc_dts_config c = {
		.service_addr = n.service, .app_port = n.app_port, .proxy_port = n.proxy_port,
		.internal_addr = n.self, .nnodes = n.nnodes, .index = n.index, .option = form,
	};
	int rc = fc_dts_new(&c, &n.dts);
	if (rc < 0)
		return fail("the filter refuses this configuration: %s", fc_strerror(rc));
	if (log_path && !(n.log = fopen(log_path, "a")))
		return fail("cannot open %s: %s", log_path, g_strerror(errno));

	n.raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (n.raw < 0 || setsockopt(n.raw, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0)
		return fail("cannot open a raw socket with a mark (root needed): %s",
			    g_strerror(errno));
	n.h = nfq_open();
	if (!n.h)
		return fail("cannot open nfnetlink (root needed): %s", g_strerror(errno));
	n.qh = nfq_create_queue(n.h, (uint16_t)queue, on_packet, &n);
	if (!n.qh)
		return fail("cannot bind NFQUEUE %d: %s", queue, g_strerror(errno));
	if (nfq_set_mode(n.qh, NFQNL_COPY_PACKET, 0xffff) < 0)
		return fail("cannot configure NFQUEUE %d: %s", queue, g_strerror(errno));
	nfnl_rcvbufsiz(nfq_nfnlh(n.h), RCVBUF);

	n.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(n.proxy_port) };
	if (n.listen_fd < 0 ||
	    setsockopt(n.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(n.listen_fd, (struct sockaddr *)&any, sizeof any) < 0 ||
	    listen(n.listen_fd, 128) < 0)
		return fail("cannot listen on port %u: %s", n.proxy_port, g_strerror(errno));

	n.proxied = g_hash_table_new(g_direct_hash, g_direct_equal);
	n.loop = g_main_loop_new(NULL, FALSE);
	g_unix_fd_add(nfq_fd(n.h), G_IO_IN, on_queue, &n);
	g_unix_fd_add(n.listen_fd, G_IO_IN, on_accept, &n);
	g_timeout_add(50, on_timer, &n);
	g_unix_signal_add(SIGTERM, on_signal, &n);
	g_unix_signal_add(SIGINT, on_signal, &n);
	if (ready_path) {
		g_autofree char *pid = g_strdup_printf("%ld\n", (long)getpid());
		if (!g_file_set_contents(ready_path, pid, -1, &error))
			return fail("%s", error->message);
	}
	g_main_loop_run(n.loop);

	struct fc_dts_stats st;
	fc_dts_get_stats(n.dts, &st);
	g_autofree char *line = g_strdup_printf(
		"packets=%" G_GUINT64_FORMAT " rewritten=%" G_GUINT64_FORMAT
		" dropped=%" G_GUINT64_FORMAT " no_conn=%" G_GUINT64_FORMAT
		" not_mine=%" G_GUINT64_FORMAT " handovers=%" G_GUINT64_FORMAT
		" done=%" G_GUINT64_FORMAT " taken=%" G_GUINT64_FORMAT " failed=%" G_GUINT64_FORMAT
		" conns=%zu packet_errors=%" G_GUINT64_FORMAT " raw_errors=%" G_GUINT64_FORMAT,
		st.packets, st.rewritten, st.dropped, st.no_conn, st.not_mine, st.handovers,
		st.done, st.taken, st.failed, st.conns, n.queue_errors, n.raw_errors);
	if (stats_path) {
		g_autofree char *text = g_strconcat(line, "\n", NULL);
		g_file_set_contents(stats_path, text, -1, NULL);
	}
	GHashTableIter it;
	gpointer key;
	g_hash_table_iter_init(&it, n.proxied);
	while (g_hash_table_iter_next(&it, &key, NULL))
		proxied_free(key);
	g_hash_table_destroy(n.proxied);
	g_main_loop_unref(n.loop);
	nfq_destroy_queue(n.qh);
	nfq_close(n.h);
	close(n.raw);
	close(n.listen_fd);
	fc_dts_free(n.dts);
	g_free(n.nodes);
	if (n.log)
		fclose(n.log);
	return 0;
}
