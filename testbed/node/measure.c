/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/node/measure.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#define TCP_LISTEN_STATE 10 /* TCP_LISTEN in the kernel's enum */

static GQuark
measure_quark(void)
{
	return g_quark_from_static_string("tb-measure-error");
}

/* Asks for the listening sockets of one family; adds what listens on port. */
static gboolean
dump_family(int fd, uint8_t family, uint16_t port, unsigned *queue, unsigned *limit,
	    unsigned *found, GError **err)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union {
		char bytes[16384];
		struct nlmsghdr align;
	} buf;

	memset(&msg, 0, sizeof msg);
	msg.nlh.nlmsg_len = sizeof msg;
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.nlh.nlmsg_seq = family;
	msg.req.sdiag_family = family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = 1u << TCP_LISTEN_STATE;
	msg.req.id.idiag_sport = htons(port);
	if (sendto(fd, &msg, sizeof msg, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
		g_set_error(err, measure_quark(), errno, "sock_diag request: %s",
			    g_strerror(errno));
		return FALSE;
	}
	for (;;) {
		ssize_t n = recv(fd, buf.bytes, sizeof buf.bytes, 0);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			g_set_error(err, measure_quark(), errno, "sock_diag answer: %s",
				    g_strerror(errno));
			return FALSE;
		}
		for (h = &buf.align; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			const struct inet_diag_msg *d;

			if (h->nlmsg_type == NLMSG_DONE)
				return TRUE;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				/* No IPv6 in this kernel or namespace: nothing listens there. */
				if (family == AF_INET6 && e->error == -ENOENT)
					return TRUE;
				g_set_error(err, measure_quark(), -e->error, "sock_diag: %s",
					    g_strerror(-e->error));
				return FALSE;
			}
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof *d))
				continue;
			d = NLMSG_DATA(h);
			/* The kernel filters by state; the port is checked here. */
			if (d->idiag_state != TCP_LISTEN_STATE || ntohs(d->id.idiag_sport) != port)
				continue;
			*queue += d->idiag_rqueue;
			*limit += d->idiag_wqueue;
			(*found)++;
		}
		if (n == 0)
			return TRUE;
	}
}

gboolean
tb_measure_accept_queue(uint16_t port, unsigned *queue, unsigned *limit, GError **err)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	unsigned q = 0, l = 0, found = 0;
	gboolean ok;

	if (fd < 0) {
		g_set_error(err, measure_quark(), errno, "NETLINK_SOCK_DIAG socket: %s",
			    g_strerror(errno));
		return FALSE;
	}
	ok = dump_family(fd, AF_INET, port, &q, &l, &found, err) &&
	     dump_family(fd, AF_INET6, port, &q, &l, &found, err);
	close(fd);
	if (!ok)
		return FALSE;
	if (!found) {
		g_set_error(err, measure_quark(), ENOENT, "nothing listens on TCP port %u",
			    (unsigned)port);
		return FALSE;
	}
	*queue = q;
	*limit = l;
	return TRUE;
}

gboolean
tb_measure_tx_bytes(const char *interface, uint64_t *bytes, GError **err)
{
	g_autofree char *path =
		g_strdup_printf("/sys/class/net/%s/statistics/tx_bytes", interface);
	g_autofree char *text = NULL;
	g_autoptr(GError) ferr = NULL;
	char *end;
	guint64 v;

	if (!g_file_get_contents(path, &text, NULL, &ferr)) {
		g_set_error(err, measure_quark(), ENOENT, "interface %s: %s", interface,
			    ferr->message);
		return FALSE;
	}
	g_strstrip(text);
	errno = 0;
	v = g_ascii_strtoull(text, &end, 10);
	if (errno || end == text || *end) {
		g_set_error(err, measure_quark(), EINVAL, "%s: not a number: '%s'", path, text);
		return FALSE;
	}
	*bytes = v;
	return TRUE;
}
