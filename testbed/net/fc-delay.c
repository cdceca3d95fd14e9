/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-delay: a delay line for forwarded packets, because this kernel has no
 * netem.  It binds an NFQUEUE, reads the delay table (delaytab.h: one line
 * "PREFIX/LEN DELAY_MS" per host subnet), holds every packet the queue
 * hands over for delay(source subnet) + delay(destination subnet), and
 * accepts it when it is due.  Packets of one (source, destination) pair
 * keep their order (delayq.h); verdicts of different pairs go out of id
 * order, which NFQUEUE allows.
 *
 *	fc-delay [-q QUEUE] [-c CAPACITY] [--realtime PRIO] [--stats FILE]
 *		 [--ready FILE] TABLE
 *
 * The kernel copies only the IPv4 header of each packet to us (copy range
 * 20 bytes); the packet itself waits in the kernel until its verdict.  The
 * queue is configured fail-closed: when fc-delay is not bound (not started
 * yet, or dead) the kernel drops what the rule sends to the queue, so a dead
 * delay line shows as a network that carries nothing rather than as one
 * without delay.  When CAPACITY packets are held a new one is dropped
 * (drop-tail) and counted; the kernel's queue is sized above CAPACITY so
 * that the drop is ours and counted here.
 *
 * Verdicts due at one wake-up go to the kernel in one write.  On a busy
 * machine the scheduler, not the line, makes most of the jitter: with
 * --realtime PRIO fc-delay runs under SCHED_FIFO, ahead of every normal
 * process (the kernel's real-time throttling still leaves the others 5% of
 * a CPU if it ever spun); a refusal is reported and fc-delay goes on at
 * normal priority.
 *
 * SIGTERM or SIGINT: every held packet is accepted at once, the counters
 * are written (one line "key=value ..." to stderr, and to FILE with
 * --stats) and fc-delay exits 0.  --ready FILE is written with the PID once
 * the queue is bound, for whoever waits for the line to be in place.
 * Exit status 2: bad arguments, a bad table (one line naming file:line), or
 * a queue that cannot be bound; 1: a failure while running.
 *
 * Counters: packets (handed over by the kernel), accepted, dropped (line
 * full), max_queue (most packets held at once), enobufs (times the kernel
 * could not hand packets over because our socket was full: those packets
 * were dropped), verdict_errors (verdicts the kernel refused or that could
 * not be sent), late_mean_us and late_max_us (how long after its due time
 * a packet got its verdict: the jitter fc-delay adds), late_over_1ms,
 * cpu_us (user + system CPU time of the process).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include <gio/gio.h>
#include <glib.h>

#include "testbed/net/delaytab.h"
#include "testbed/net/delayq.h"

#define COPY_RANGE 20 /* an IPv4 header without options: both addresses */
#define RCVBUF (8 * 1024 * 1024)
#define VERDICT_BATCH 256 /* verdicts sent in one message at most */

/* One verdict as the kernel reads it: netlink header, nfnetlink header, attribute. */
struct verdict_msg {
	struct nlmsghdr nlh;
	struct nfgenmsg nfg;
	struct nlattr attr;
	struct nfqnl_msg_verdict_hdr vh;
};

struct delay {
	struct tb_delaytab *table;
	struct tb_delayq *line;
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	guint16 queue;
	fc_time_t armed; /* what the timer is set to; 0: unknown */
	struct verdict_msg verdicts[VERDICT_BATCH];
	size_t n_verdicts;
	uint64_t packets;
	uint64_t accepted;
	size_t n_accepted_pending; /* of the verdicts not sent yet */
	uint64_t enobufs;
	uint64_t verdict_errors;
	uint64_t timed; /* packets released on time, not by the exit */
	uint64_t late_sum;
	uint64_t late_max;
	uint64_t late_over_1ms;
};

static fc_time_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (fc_time_t)ts.tv_sec * FC_SEC + (fc_time_t)ts.tv_nsec;
}

/*
 * Sends the verdicts gathered so far, all in one write: the kernel reads the
 * netlink messages of a write one after the other.  A verdict the kernel
 * refuses comes back as an error message, which the next read skips.
 */
static void
verdict_flush(struct delay *d)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t len = d->n_verdicts * sizeof d->verdicts[0];

	if (d->n_verdicts == 0)
		return;
	while (sendto(nfq_fd(d->h), d->verdicts, len, 0, (struct sockaddr *)&kernel,
		      sizeof kernel) < 0) {
		if (errno == EINTR)
			continue;
		d->verdict_errors += d->n_verdicts;
		d->accepted -= d->n_accepted_pending;
		break;
	}
	d->n_verdicts = 0;
	d->n_accepted_pending = 0;
}

/* Adds the verdict for packet id to the batch. */
static void
verdict_add(struct delay *d, uint32_t id, uint32_t verdict)
{
	struct verdict_msg *m;

	if (d->n_verdicts == VERDICT_BATCH)
		verdict_flush(d);
	m = &d->verdicts[d->n_verdicts++];
	memset(m, 0, sizeof *m);
	m->nlh.nlmsg_len = sizeof *m;
	m->nlh.nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT;
	m->nlh.nlmsg_flags = NLM_F_REQUEST;
	m->nfg.nfgen_family = AF_UNSPEC;
	m->nfg.version = NFNETLINK_V0;
	m->nfg.res_id = htons(d->queue);
	m->attr.nla_len = sizeof m->attr + sizeof m->vh;
	m->attr.nla_type = NFQA_VERDICT_HDR;
	m->vh.verdict = htonl(verdict);
	m->vh.id = htonl(id);
	if (verdict == NF_ACCEPT) {
		d->accepted++;
		d->n_accepted_pending++;
	}
}

/* One packet from the kernel: into the line, or dropped when it is full. */
static int
on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data)
{
	struct delay *d = data;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	unsigned char *payload;
	uint32_t id, src = 0, dst = 0;
	fc_time_t delay = 0;
	int n;

	if (!ph)
		return 0;
	id = ntohl(ph->packet_id);
	d->packets++;
	n = nfq_get_payload(nfa, &payload);
	if (n >= COPY_RANGE && (payload[0] >> 4) == 4) {
		memcpy(&src, payload + 12, 4);
		memcpy(&dst, payload + 16, 4);
		src = ntohl(src);
		dst = ntohl(dst);
		delay = tb_delaytab_delay(d->table, src, dst);
	}
	if (!tb_delayq_push(d->line, now_ns(), delay, (uint64_t)src << 32 | dst, id))
		verdict_add(d, id, NF_DROP);
	return 0;
}

/* Accepts every packet due by now. */
static void
release_due(struct delay *d, fc_time_t now)
{
	uint64_t id;
	fc_time_t due;

	while (tb_delayq_pop(d->line, now, &id, &due)) {
		fc_time_t late = now - due;

		verdict_add(d, (uint32_t)id, NF_ACCEPT);
		if (now == FC_TIME_NEVER)
			continue; /* the release at exit: no lateness to speak of */
		d->timed++;
		d->late_sum += late;
		if (late > d->late_max)
			d->late_max = late;
		if (late > FC_MSEC)
			d->late_over_1ms++;
	}
}

/* Counts the kernel's refusals of our verdicts among the messages read. */
static void
count_errors(struct delay *d, const char *buf, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;

	for (; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
		const struct nlmsgerr *e = NLMSG_DATA(nlh);

		if (nlh->nlmsg_type == NLMSG_ERROR &&
		    nlh->nlmsg_len >= NLMSG_LENGTH(sizeof *e) && e->error != 0)
			d->verdict_errors++;
	}
}

/* Reads what the kernel has queued for us, without blocking. */
static bool
read_packets(struct delay *d, int fd, GError **error)
{
	static char buf[256 * 1024] __attribute__((aligned));

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				d->enobufs++;
				continue;
			}
			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
				    "reading the queue: %s", g_strerror(errno));
			return false;
		}
		count_errors(d, buf, (size_t)n);
		nfq_handle_packet(d->h, buf, (int)n);
	}
}

static bool
arm_timer(int tfd, fc_time_t due, GError **error)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (due != FC_TIME_NEVER) {
		/* it_value 0 would disarm: a due time of 0 becomes 1 ns. */
		due = due ? due : 1;
		its.it_value.tv_sec = (time_t)(due / FC_SEC);
		its.it_value.tv_nsec = (long)(due % FC_SEC);
	}
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "timerfd: %s",
			    g_strerror(errno));
		return false;
	}
	return true;
}

static char *
stats_line(const struct delay *d)
{
	struct tb_delayq_stats s;
	struct rusage ru;
	uint64_t cpu_us;

	tb_delayq_get_stats(d->line, &s);
	getrusage(RUSAGE_SELF, &ru);
	cpu_us = (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec +
		 (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
	return g_strdup_printf(
		"packets=%" G_GUINT64_FORMAT " accepted=%" G_GUINT64_FORMAT
		" dropped=%" G_GUINT64_FORMAT " max_queue=%zu enobufs=%" G_GUINT64_FORMAT
		" verdict_errors=%" G_GUINT64_FORMAT " late_mean_us=%.1f late_max_us=%.1f"
		" late_over_1ms=%" G_GUINT64_FORMAT " cpu_us=%" G_GUINT64_FORMAT,
		d->packets, d->accepted, s.dropped, s.max_len, d->enobufs, d->verdict_errors,
		d->timed ? (double)d->late_sum / (double)d->timed / 1e3 : 0.0,
		(double)d->late_max / 1e3, d->late_over_1ms, cpu_us);
}

/* Binds queue number `queue` with room for `capacity` held packets. */
static bool
bind_queue(struct delay *d, guint16 queue, size_t capacity, GError **error)
{
	d->h = nfq_open();
	if (!d->h) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "cannot open nfnetlink (root, or CAP_NET_ADMIN, needed): %s",
			    g_strerror(errno));
		return false;
	}
	d->qh = nfq_create_queue(d->h, queue, on_packet, d);
	if (!d->qh) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY,
			    "cannot bind NFQUEUE %u (bound by another program?): %s", queue,
			    g_strerror(errno));
		return false;
	}
	if (nfq_set_mode(d->qh, NFQNL_COPY_PACKET, COPY_RANGE) < 0 ||
	    nfq_set_queue_maxlen(d->qh, (uint32_t)(capacity + capacity / 4 + 256)) < 0 ||
	    nfq_set_queue_flags(d->qh, NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO,
				NFQA_CFG_F_GSO) < 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "cannot configure NFQUEUE %u: %s", queue, g_strerror(errno));
		return false;
	}
	/* A socket overrun drops packets; recv() then says ENOBUFS and we count it. */
	nfnl_rcvbufsiz(nfq_nfnlh(d->h), RCVBUF);
	return true;
}

static bool
write_file(const char *path, const char *text, GError **error)
{
	return g_file_set_contents(path, text, -1, error);
}

/* The loop: packets in, due packets out, until a signal. */
static bool
run(struct delay *d, int sfd, GError **error)
{
	int fd = nfq_fd(d->h);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	bool ok = true;

	if (tfd < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "timerfd: %s",
			    g_strerror(errno));
		return false;
	}
	d->armed = FC_TIME_NEVER; /* a new timerfd is disarmed */
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = tfd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};
		fc_time_t next = tb_delayq_next_due(d->line);

		/*
		 * The timer is set only when the earliest due time changes.
		 * Once it has fired it is always set again (the packet it was
		 * for is gone), which also clears its readiness: no read().
		 */
		if (next != d->armed) {
			if (!(ok = arm_timer(tfd, next, error)))
				break;
			d->armed = next;
		}
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "poll: %s",
				    g_strerror(errno));
			ok = false;
			break;
		}
		if (p[2].revents)
			break;
		if (p[1].revents)
			d->armed = 0;
		if (p[0].revents && !(ok = read_packets(d, fd, error)))
			break;
		release_due(d, now_ns());
		verdict_flush(d);
	}
	close(tfd);
	return ok;
}

int
main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *stats_path = NULL;
	g_autofree char *ready_path = NULL;
	g_autofree char *line = NULL;
	struct delay d = { 0 };
	gint queue = 0, capacity = 8192, realtime = 0;
	sigset_t mask;
	int sfd;
	bool ok;
	GOptionEntry entries[] = {
		{ "queue", 'q', 0, G_OPTION_ARG_INT, &queue,
		  "the NFQUEUE number to bind (0..65535, default 0)", "QUEUE" },
		{ "capacity", 'c', 0, G_OPTION_ARG_INT, &capacity,
		  "packets held at most; more are dropped (default 8192)", "N" },
		{ "realtime", 0, 0, G_OPTION_ARG_INT, &realtime,
		  "run under SCHED_FIFO at priority PRIO (1..99; 0: no, the default)", "PRIO" },
		{ "stats", 0, 0, G_OPTION_ARG_FILENAME, &stats_path,
		  "write the counters to FILE at exit", "FILE" },
		{ "ready", 0, 0, G_OPTION_ARG_FILENAME, &ready_path,
		  "write the PID to FILE once the queue is bound", "FILE" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};

	ctx = g_option_context_new("TABLE - delay the packets of an NFQUEUE");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(
		ctx, "TABLE has lines \"PREFIX/LEN DELAY_MS\"; a packet is held "
		     "delay(source) + delay(destination).\n");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "fc-delay: %s\n", error->message);
		return 2;
	}
	if (argc != 2) {
		fprintf(stderr, "fc-delay: expected one argument, the delay table (see --help)\n");
		return 2;
	}
	if (queue < 0 || queue > 65535) {
		fprintf(stderr, "fc-delay: --queue %d is outside 0..65535\n", queue);
		return 2;
	}
	if (capacity < 1 || capacity > (1 << 20)) {
		fprintf(stderr, "fc-delay: --capacity %d is outside 1..%d\n", capacity, 1 << 20);
		return 2;
	}
	if (realtime < 0 || realtime > 99) {
		fprintf(stderr, "fc-delay: --realtime %d is outside 0..99\n", realtime);
		return 2;
	}
	d.table = tb_delaytab_load(argv[1], &error);
	if (!d.table) {
		fprintf(stderr, "fc-delay: %s\n", error->message);
		return 2;
	}

	/* The signals that stop us arrive through a descriptor, between packets. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		fprintf(stderr, "fc-delay: signalfd: %s\n", g_strerror(errno));
		return 2;
	}

	d.line = tb_delayq_new((size_t)capacity);
	d.queue = (guint16)queue;
	if (!bind_queue(&d, (guint16)queue, (size_t)capacity, &error)) {
		fprintf(stderr, "fc-delay: %s\n", error->message);
		return 2;
	}
	if (realtime > 0) {
		struct sched_param sp = { .sched_priority = realtime };

		/* Not fatal: the line still works, with the scheduler's jitter. */
		if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
			fprintf(stderr,
				"fc-delay: cannot run under SCHED_FIFO (%s): normal priority\n",
				g_strerror(errno));
	}
	if (ready_path) {
		g_autofree char *pid = g_strdup_printf("%ld\n", (long)getpid());

		if (!write_file(ready_path, pid, &error)) {
			fprintf(stderr, "fc-delay: %s\n", error->message);
			return 2;
		}
	}

	ok = run(&d, sfd, &error);
	/* Whatever is still held goes on now: a stopped line must not eat packets. */
	release_due(&d, FC_TIME_NEVER);
	verdict_flush(&d);
	line = stats_line(&d);
	fprintf(stderr, "fc-delay: %s\n", line);
	if (stats_path) {
		g_autofree char *text = g_strconcat(line, "\n", NULL);
		g_autoptr(GError) werr = NULL;

		if (!write_file(stats_path, text, &werr)) {
			fprintf(stderr, "fc-delay: %s\n", werr->message);
			ok = false;
		}
	}
	if (!ok && error)
		fprintf(stderr, "fc-delay: %s\n", error->message);
	nfq_destroy_queue(d.qh);
	nfq_close(d.h);
	tb_delayq_free(d.line);
	tb_delaytab_free(d.table);
	close(sfd);
	return ok ? 0 : 1;
}
