/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-nodectl SOCKET REQUEST...: sends one request line (proto.h) to
 * fc-noded's socket, the words joined by spaces, and prints the reply.
 * Exit status: 0 for a reply, 1 for an ERR reply, 2 when the daemon cannot
 * be reached or the request is malformed.  For scripts and tests:
 *   fc-nodectl run/n1.sock STATUS
 *   fc-nodectl run/n1.sock SCOREBOARD 150 150
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "testbed/node/proto.h"

#define TIMEOUT_S 30

int
main(int argc, char **argv)
{
	char line[TB_PROTO_LINE_MAX + 2];
	size_t len = 0, got = 0;
	struct tb_req q;
	struct tb_rep rep;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timeval tv = { TIMEOUT_S, 0 };
	const char *why;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: fc-nodectl SOCKET REQUEST...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (len + n + 2 > TB_PROTO_LINE_MAX) {
			fprintf(stderr, "fc-nodectl: request too long\n");
			return 2;
		}
		if (i > 2)
			line[len++] = ' ';
		memcpy(line + len, argv[i], n);
		len += n;
	}
	line[len++] = '\n';
	why = tb_req_parse(line, len, &q);
	if (why) {
		fprintf(stderr, "fc-nodectl: bad request: %s\n", why);
		return 2;
	}
	if (strlen(argv[1]) >= sizeof a.sun_path) {
		fprintf(stderr, "fc-nodectl: %s: path too long for a socket\n", argv[1]);
		return 2;
	}
	strcpy(a.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    connect(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    send(fd, line, len, MSG_NOSIGNAL) != (ssize_t)len) {
		fprintf(stderr, "fc-nodectl: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	while (got == 0 || line[got - 1] != '\n') {
		ssize_t n = got < TB_PROTO_LINE_MAX ?
				    recv(fd, line + got, TB_PROTO_LINE_MAX - got, 0) : -1;

		if (n <= 0) {
			fprintf(stderr, "fc-nodectl: %s: no reply (%s)\n", argv[1],
				n < 0 ? strerror(errno) : "closed");
			return 2;
		}
		got += (size_t)n;
	}
	close(fd);
	line[got] = '\0';
	why = tb_rep_parse(line, got, &rep);
	if (why) {
		fprintf(stderr, "fc-nodectl: %s: a reply that does not parse: %s\n", argv[1], why);
		return 2;
	}
	fputs(line, stdout);
	return rep.kind == TB_REP_ERR ? 1 : 0;
}
