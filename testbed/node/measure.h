/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The load figures fc-noded measures itself, in its own network namespace:
 * the accept queue of the web server's listening socket (what `ss -lnt`
 * shows as Recv-Q: connections the kernel completed and the server has
 * not accepted yet) through NETLINK_SOCK_DIAG, and the bytes sent by an
 * interface from /sys/class/net/IF/statistics/tx_bytes.
 */
#ifndef TESTBED_NODE_MEASURE_H
#define TESTBED_NODE_MEASURE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

/*
 * The accept queues of the TCP sockets listening on port (IPv4 and IPv6,
 * any address), summed into *queue, and their backlog limits summed into
 * *limit.  FALSE with err when the kernel cannot be asked, or when
 * nothing listens on port.
 */
gboolean tb_measure_accept_queue(uint16_t port, unsigned *queue, unsigned *limit,
				 GError **err);

/* The bytes interface has sent since it came up.  FALSE with err when
 * there is no such interface or its counter cannot be read. */
gboolean tb_measure_tx_bytes(const char *interface, uint64_t *bytes, GError **err);

#endif
