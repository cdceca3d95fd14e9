/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What fc-noded measures itself (measure.h), on loopback sockets. */
#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testbed/node/measure.h"

/* A TCP listener on 127.0.0.1 with that backlog; its port in *port. */
static int
listener(int backlog, uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	g_assert_cmpint(fd, >=, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
	g_assert_cmpint(listen(fd, backlog), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int
connect_to(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(connect(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
	return fd;
}

static void
test_accept_queue(void)
{
	g_autoptr(GError) err = NULL;
	uint16_t port;
	int lfd = listener(8, &port), c[3];
	unsigned queue = 99, limit = 0;

	g_assert_true(tb_measure_accept_queue(port, &queue, &limit, &err));
	g_assert_no_error(err);
	g_assert_cmpuint(queue, ==, 0);
	g_assert_cmpuint(limit, ==, 8);
	/* Connections the kernel completed and nobody accepted wait in it. */
	for (int i = 0; i < 3; i++)
		c[i] = connect_to(port);
	g_assert_true(tb_measure_accept_queue(port, &queue, &limit, &err));
	g_assert_cmpuint(queue, ==, 3);
	close(accept(lfd, NULL, NULL));
	g_assert_true(tb_measure_accept_queue(port, &queue, &limit, &err));
	g_assert_cmpuint(queue, ==, 2);
	for (int i = 0; i < 3; i++)
		close(c[i]);
	close(lfd);
	/* Nothing listens there any more. */
	g_assert_false(tb_measure_accept_queue(port, &queue, &limit, &err));
	g_assert_nonnull(strstr(err->message, "nothing listens on TCP port"));
}

static void
test_tx_bytes(void)
{
	g_autoptr(GError) err = NULL;
	uint64_t before = 0, after = 0;
	uint16_t port;
	int lfd, c, s;
	char buf[4096] = { 0 };

	g_assert_true(tb_measure_tx_bytes("lo", &before, &err));
	g_assert_no_error(err);
	/* Bytes through loopback count as sent by lo. */
	lfd = listener(1, &port);
	c = connect_to(port);
	s = accept(lfd, NULL, NULL);
	g_assert_cmpint(send(c, buf, sizeof buf, 0), ==, (ssize_t)sizeof buf);
	g_assert_cmpint(recv(s, buf, sizeof buf, MSG_WAITALL), ==, (ssize_t)sizeof buf);
	g_assert_true(tb_measure_tx_bytes("lo", &after, &err));
	g_assert_cmpuint(after - before, >=, sizeof buf);
	close(s);
	close(c);
	close(lfd);
	g_assert_false(tb_measure_tx_bytes("no-such-if0", &after, &err));
	g_assert_nonnull(strstr(err->message, "interface no-such-if0"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/node-measure/accept-queue", test_accept_queue);
	g_test_add_func("/node-measure/tx-bytes", test_tx_bytes);
	return g_test_run();
}
