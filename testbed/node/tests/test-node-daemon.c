/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Two fc-noded processes on loopback with the log-only executor: one is
 * driven into FLASH by scoreboard reports on its socket; its help request
 * reaches the other, which rescues a redirected request carrying the token
 * once its fetch is done; a forged message is refused and changes nothing.
 * The daemons run in real time, so each check waits for what it expects,
 * with a generous deadline, rather than for a fixed time.
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flashcoop/core.h"
#include "testbed/node/proto.h"

#define DEADLINE_US (10 * G_USEC_PER_SEC)

static char *noded_path;

#define KEY12 "5f3c1a9e0b7d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e"

struct daemon {
	char *config, *socket, *log, *pid_file, *stderr_path;
	rlim_t nofile; /* its descriptors, at most; 0: as inherited */
	uint16_t udp;
	GPid pid;
};

struct fixture {
	char *dir;
	struct daemon n1, n2;
};

/* A UDP port free now (the kernel's choice). */
static uint16_t
free_udp_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
	close(fd);
	return ntohs(a.sin_port);
}

static void
write_config(const struct fixture *f, struct daemon *d, unsigned id, const struct daemon *peer,
	     unsigned peer_id, const char *executor)
{
	g_autofree char *text = g_strdup_printf(
		"[node]\nid = %u\naddress = 127.0.0.1\nudp_port = %u\nsocket = %s\nlog = %s\n"
		"load_interval = 100ms\nlisten_port = 0\n"
		"[coop]\nsmoothing = window\nsmooth_time = 300ms\nflash_threshold = 0.8\n"
		"low_water = 0.5\nredirect_share = 1\nprobe_interval = 1s\n"
		"heartbeat_interval = 1s\n"
		"[site 0]\nbytes = 1MiB\nowner = 1\n"
		"[site 1]\nbytes = 1MiB\nowner = 2\n"
		"[peer %u]\naddress = 127.0.0.1\nport = %u\nhttp = 127.0.0.1:%u\nkey = " KEY12 "\n"
		"%s",
		id, d->udp, d->socket, d->log, peer_id, peer->udp, 8000 + peer_id, executor);
	g_autoptr(GError) err = NULL;

	g_assert_true(g_file_set_contents(d->config, text, -1, &err));
}

static void
daemon_paths(struct fixture *f, struct daemon *d, const char *name)
{
	d->config = g_strdup_printf("%s/%s.ini", f->dir, name);
	d->socket = g_strdup_printf("%s/%s.sock", f->dir, name);
	d->log = g_strdup_printf("%s/%s.log", f->dir, name);
	d->pid_file = g_strdup_printf("%s/%s.pid", f->dir, name);
	d->stderr_path = g_strdup_printf("%s/%s.err", f->dir, name);
	d->udp = free_udp_port();
}

/*
 * In the child: its stderr to a file, and SIGTERM when the test dies, so
 * that a failed test leaves no daemon behind (nor holds prove's pipe).
 */
static void
child_setup(gpointer data)
{
	const struct daemon *d = data;
	int fd = open(d->stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (d->nofile) {
		struct rlimit rl = { d->nofile, d->nofile };

		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
daemon_start(struct daemon *d)
{
	g_autoptr(GError) err = NULL;
	char *argv[] = { noded_path, (char *)"--pid-file", d->pid_file, d->config, NULL };

	g_assert_true(g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, child_setup, d,
				    &d->pid, &err));
	g_assert_no_error(err);
}

/* Stops it by its pid; returns its exit status. */
static int
daemon_stop(struct daemon *d)
{
	int status = -1;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, SIGTERM);
	g_assert_cmpint(waitpid(d->pid, &status, 0), ==, d->pid);
	d->pid = 0;
	return status;
}

static void
daemon_clear(struct daemon *d)
{
	/* Every test ends with a clean stop (under the sanitizers, a leak or
	 * an error at exit is a failing status). */
	if (d->pid > 0) {
		int status = daemon_stop(d);

		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			g_autofree char *err = NULL;

			g_file_get_contents(d->stderr_path, &err, NULL, NULL);
			g_error("fc-noded ended with status %d: %s", status, err ? err : "");
		}
	}
	g_unlink(d->config);
	g_unlink(d->socket);
	g_unlink(d->log);
	g_unlink(d->pid_file);
	g_unlink(d->stderr_path);
	g_free(d->stderr_path);
	g_free(d->config);
	g_free(d->socket);
	g_free(d->log);
	g_free(d->pid_file);
}

static int
connect_socket(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timeval tv = { 10, 0 };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	g_strlcpy(a.sun_path, path, sizeof a.sun_path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends a request line on fd and returns the reply line, without newline. */
static char *
ask_fd(int fd, const char *request)
{
	char line[TB_PROTO_LINE_MAX + 1];
	size_t got = 0;

	g_assert_cmpint(send(fd, request, strlen(request), MSG_NOSIGNAL), ==,
			(ssize_t)strlen(request));
	while (got == 0 || line[got - 1] != '\n') {
		ssize_t n = recv(fd, line + got, sizeof line - 1 - got, 0);

		if (n <= 0)
			g_error("no reply to %s(%s)", request, n < 0 ? g_strerror(errno) : "closed");
		got += (size_t)n;
	}
	line[got - 1] = '\0';
	return g_strdup(line);
}

static char *
ask(const struct daemon *d, const char *request)
{
	int fd = connect_socket(d->socket);
	char *reply;

	g_assert_cmpint(fd, >=, 0);
	reply = ask_fd(fd, request);
	close(fd);
	return reply;
}

static void
wait_for_socket(struct daemon *d)
{
	gint64 end = g_get_monotonic_time() + DEADLINE_US;
	int fd;

	while ((fd = connect_socket(d->socket)) < 0) {
		int status;

		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			g_autofree char *err = NULL;

			g_file_get_contents(d->stderr_path, &err, NULL, NULL);
			d->pid = 0;
			g_error("fc-noded exited with status %d before listening: %s", status,
				err ? err : "");
		}
		if (g_get_monotonic_time() > end)
			g_error("fc-noded does not listen on %s", d->socket);
		g_usleep(10000);
	}
	close(fd);
}

/* Whether the log has a line containing text. */
static bool
log_has(const struct daemon *d, const char *text)
{
	g_autofree char *log = NULL;

	return g_file_get_contents(d->log, &log, NULL, NULL) && strstr(log, text);
}

static void
wait_for_log(const struct daemon *d, const char *text)
{
	gint64 end = g_get_monotonic_time() + DEADLINE_US;

	while (!log_has(d, text)) {
		if (g_get_monotonic_time() > end) {
			g_autofree char *log = NULL;

			g_file_get_contents(d->log, &log, NULL, NULL);
			g_error("%s never shows '%s'; it has:\n%s", d->log, text, log ? log : "");
		}
		g_usleep(20000);
	}
}

/* What a test adds to each daemon's file (a group given again is merged);
 * with site_files, node 1's site 0 gets a root with two objects of page 0,
 * 1000 and 3000 bytes. */
struct extra {
	const char *n1, *n2;
	rlim_t n1_nofile;
	bool site_files;
};

static const struct extra plain = { "", "[executor]\nfetch_delay = 500ms\n", 0, false };

static void
setup(struct fixture *f, gconstpointer data)
{
	const struct extra *x = data ? data : &plain;
	g_autoptr(GError) err = NULL;

	f->dir = g_dir_make_tmp("test-node-daemon.XXXXXX", &err);
	g_assert_no_error(err);
	daemon_paths(f, &f->n1, "n1");
	daemon_paths(f, &f->n2, "n2");
	f->n1.nofile = x->n1_nofile;
	if (x->site_files) {
		g_autofree char *o = g_build_filename(f->dir, "site0", "o", NULL);
		g_autofree char *o0 = g_build_filename(o, "0", NULL);
		g_autofree char *o1 = g_build_filename(o, "1", NULL);
		g_autofree char *zeros = g_malloc0(3000);
		g_autofree char *n1 = g_strdup_printf("%s[site 0]\nroot = %s/site0\n", x->n1,
						      f->dir);

		g_assert_cmpint(g_mkdir_with_parents(o, 0755), ==, 0);
		g_assert_true(g_file_set_contents(o0, zeros, 1000, NULL));
		g_assert_true(g_file_set_contents(o1, zeros, 3000, NULL));
		write_config(f, &f->n1, 1, &f->n2, 2, n1);
	} else {
		write_config(f, &f->n1, 1, &f->n2, 2, x->n1);
	}
	write_config(f, &f->n2, 2, &f->n1, 1, x->n2);
	daemon_start(&f->n1);
	daemon_start(&f->n2);
	wait_for_socket(&f->n1);
	wait_for_socket(&f->n2);
}

static void
teardown(struct fixture *f, gconstpointer data)
{
	daemon_clear(&f->n1);
	daemon_clear(&f->n2);
	if (((const struct extra *)(data ? data : &plain))->site_files) {
		g_autofree char *site = g_build_filename(f->dir, "site0", NULL);
		g_autofree char *o = g_build_filename(site, "o", NULL);
		g_autofree char *o0 = g_build_filename(o, "0", NULL);
		g_autofree char *o1 = g_build_filename(o, "1", NULL);

		g_unlink(o0);
		g_unlink(o1);
		g_rmdir(o);
		g_rmdir(site);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
}

static void
assert_reply(const struct daemon *d, const char *request, const char *expected)
{
	g_autofree char *reply = ask(d, request);

	g_assert_cmpstr(reply, ==, expected);
}

/* Sends a HELP_REQUEST for site 0 from node 1 to node 2 under key. */
static void
send_help(const struct fixture *f, const uint8_t *key, size_t key_len)
{
	struct fc_msg m = { .type = FC_MSG_HELP_REQUEST, .from = 1, .to = 2,
			    .timestamp = (fc_time_t)g_get_real_time() * FC_USEC, .nonce = 77,
			    .u.help = { 0, 1 << 20 } };
	uint8_t buf[FC_MSG_MAX];
	size_t len;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(f->n2.udp) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	g_assert_cmpint(fc_msg_encode(&m, key, key_len, buf, sizeof buf, &len), ==, 0);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to), ==,
			(ssize_t)len);
	/* And a datagram too short to be a message at all. */
	g_assert_cmpint(sendto(fd, "hello", 5, 0, (struct sockaddr *)&to, sizeof to), ==, 5);
	close(fd);
}

static void
test_forged(struct fixture *f, gconstpointer data)
{
	static const uint8_t wrong[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

	(void)data;
	assert_reply(&f->n2, "STATUS\n", "STATE LOW 0.000000");
	send_help(f, wrong, sizeof wrong);
	wait_for_log(&f->n2, "\tevent\treject\tFC_ERR_MSG_MAC from 127.0.0.1:");
	wait_for_log(&f->n2, "\tevent\treject\tFC_ERR_MSG_TRUNCATED from 127.0.0.1:");
	/* Nothing changed: no rescue, and a request for site 0 goes home. */
	assert_reply(&f->n2, "STATUS\n", "STATE LOW 0.000000");
	g_assert_false(log_has(&f->n2, "\tstate\t"));
	{
		g_autofree char *reply = ask(&f->n2, "ROUTE 0 5\n");

		g_assert_cmpstr(reply, ==, "REDIRECT 127.0.0.1:8001");
	}
}

/* Every worker of node 1 busy: FLASH within a few load intervals. */
static void
flash(struct fixture *f)
{
	gint64 end = g_get_monotonic_time() + DEADLINE_US;

	for (;;) {
		g_autofree char *status = NULL;

		assert_reply(&f->n1, "SCOREBOARD 10 10\n", "OK");
		status = ask(&f->n1, "STATUS\n");
		if (g_str_has_prefix(status, "STATE FLASH "))
			break;
		if (g_get_monotonic_time() > end)
			g_error("node 1 never enters FLASH: %s", status);
		g_usleep(20000);
	}
}

static void
test_flash_and_rescue(struct fixture *f, gconstpointer data)
{
	g_autofree char *redirect = NULL, *with_token = NULL;
	const char *token;
	int fd;

	(void)data;
	/* Low load: the own site is served here. */
	assert_reply(&f->n1, "SCOREBOARD 1 10\n", "OK");
	assert_reply(&f->n1, "ROUTE 0 5\n", "SERVE");
	flash(f);
	wait_for_log(&f->n1, "\tevent\tstate\tLOW -> FLASH: ");
	/* Its help request reaches node 2, which rescues site 0. */
	wait_for_log(&f->n2, "\tevent\tstate\tLOW -> RESCUE: ");
	g_assert_true(log_has(&f->n1, "\tload\t10\t10\t-\t-\t-\t-\t1\tFLASH\n"));
	/* Its own site's requests now go to node 2, with a token. */
	redirect = ask(&f->n1, "ROUTE 0 5\n");
	g_assert_true(g_str_has_prefix(redirect, "REDIRECT 127.0.0.1:8002 "));
	token = redirect + strlen("REDIRECT 127.0.0.1:8002 ");
	g_assert_cmpuint(strlen(token), ==, 2 * FC_TOKEN_LEN);
	/* Node 2 serves it as a rescue once its fetch (500 ms) is done. */
	with_token = g_strdup_printf("ROUTE 0 5 %s\n", token);
	fd = connect_socket(f->n2.socket);
	g_assert_cmpint(fd, >=, 0);
	{
		g_autofree char *r1 = ask_fd(fd, with_token);
		g_autofree char *r2 = ask_fd(fd, "WAIT 0 5 1\n");
		g_autofree char *r3 = ask_fd(fd, "WAIT 0 5 10000\n");
		g_autofree char *r4 = ask_fd(fd, with_token);
		g_autofree char *r5 = ask_fd(fd, "ROUTE 0 6\n");

		g_assert_cmpstr(r1, ==, "RESCUE 1 0");
		g_assert_cmpstr(r2, ==, "ABSENT");
		g_assert_cmpstr(r3, ==, "PRESENT");
		g_assert_cmpstr(r4, ==, "RESCUE 1 1");
		/* Without a token, still a rescue of site 0 while one is under way. */
		g_assert_cmpstr(r5, ==, "RESCUE 1 0");
	}
	close(fd);
	g_assert_true(log_has(&f->n2, "\tevent\tfetch_start\tsite 0 object 5 from node 1\n"));
	wait_for_log(&f->n2, "\tevent\tfetch_done\tsite 0 object 5 from node 1 in ");
	/* The daemons stop cleanly, saying so, and remove their files. */
	g_assert_cmpint(daemon_stop(&f->n1), ==, 0);
	g_assert_cmpint(daemon_stop(&f->n2), ==, 0);
	g_assert_true(log_has(&f->n1, "\tevent\tstop\tnode 1\n"));
	g_assert_true(log_has(&f->n2, "\tevent\tstop\tnode 2\n"));
	g_assert_false(g_file_test(f->n1.socket, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(f->n1.pid_file, G_FILE_TEST_EXISTS));
}

static const struct extra failing = {
	"", "[executor]\nfetch_delay = 200ms\nfetch_fail = true\n", 0, false
};

static void
test_fetch_fails(struct fixture *f, gconstpointer data)
{
	g_autofree char *redirect = NULL, *request = NULL;
	int fd;

	(void)data;
	flash(f);
	wait_for_log(&f->n2, "\tevent\tstate\tLOW -> RESCUE: ");
	redirect = ask(&f->n1, "ROUTE 0 7\n");
	g_assert_true(g_str_has_prefix(redirect, "REDIRECT 127.0.0.1:8002 "));
	request = g_strdup_printf("ROUTE 0 7 %s\n", redirect + strlen("REDIRECT 127.0.0.1:8002 "));
	fd = connect_socket(f->n2.socket);
	{
		g_autofree char *r1 = ask_fd(fd, request);
		g_autofree char *r2 = ask_fd(fd, "WAIT 0 7 10000\n");
		/* Nothing is under way any more: no wait. */
		g_autofree char *r3 = ask_fd(fd, "WAIT 0 7 10000\n");

		g_assert_cmpstr(r1, ==, "RESCUE 1 0");
		g_assert_cmpstr(r2, ==, "FAILED");
		g_assert_cmpstr(r3, ==, "FAILED");
	}
	close(fd);
	g_assert_true(log_has(&f->n2, "\tevent\tfetch_failed\tsite 0 object 7 from node 1: "
				     "the log-only executor fails every fetch (fetch_fail = true)\n"));
}

/* Node 1 publishes its site at the start and pushes a copy to node 2,
 * which consents; node 2's own site is too big for node 1's limit. */
static const struct extra pushing = {
	"[node]\npublish = true\n[coop]\nspread = predistributed\n"
	"[peer 2]\naccepts_copy = true\n",
	"[node]\npublish = true\ninterface = lo\nuplink = 100Gbit/s\n"
	"[coop]\nspread = predistributed\n"
	"[peer 1]\naccepts_copy = true\ncopy_limit = 1KiB\n",
	0, false,
};

/* A load record with the uplink measured: its rate, then the capacity. */
static bool
log_has_uplink(const struct daemon *d)
{
	g_autofree char *log = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(d->log, &log, NULL, NULL))
		return false;
	lines = g_strsplit(log, "\n", -1);
	for (size_t i = 0; lines[i]; i++) {
		g_auto(GStrv) f = g_strsplit(lines[i], "\t", -1);
		char *end;

		if (g_strv_length(f) == 10 && strcmp(f[1], "load") == 0 &&
		    strcmp(f[7], "100000000000") == 0 && g_ascii_strtod(f[6], &end) >= 0 &&
		    *end == '\0' && end != f[6])
			return true;
	}
	return false;
}

static void
test_push(struct fixture *f, gconstpointer data)
{
	(void)data;
	wait_for_log(&f->n1, "\tevent\tpush\tsite 0 to node 2\n");
	wait_for_log(&f->n1, "\tevent\tpush_done\tsite 0 to node 2 in ");
	g_assert_false(log_has(&f->n2, "\tevent\tpush"));
	/* Node 2 measures lo's rate against the capacity it was given. */
	{
		gint64 end = g_get_monotonic_time() + DEADLINE_US;

		while (!log_has_uplink(&f->n2)) {
			if (g_get_monotonic_time() > end)
				g_error("no load record with the uplink in %s", f->n2.log);
			g_usleep(20000);
		}
	}
}

static void
test_clients(struct fixture *f, gconstpointer data)
{
	enum { N = 64 };
	int fds[N];
	char partial[] = "STAT";

	(void)data;
	/* Many clients at once, one of them sending half a line: the others
	 * are answered meanwhile, and then it is too. */
	for (int i = 0; i < N; i++) {
		fds[i] = connect_socket(f->n1.socket);
		g_assert_cmpint(fds[i], >=, 0);
	}
	g_assert_cmpint(send(fds[0], partial, 4, 0), ==, 4);
	for (int i = N - 1; i > 0; i--) {
		g_autofree char *r = ask_fd(fds[i], i % 2 ? "STATUS\n" : "ROUTE 0 1\n");

		g_assert_cmpstr(r, ==, i % 2 ? "STATE LOW 0.000000" : "SERVE");
	}
	{
		g_autofree char *r = ask_fd(fds[0], "US\n");
		g_autofree char *bad = ask_fd(fds[0], "ROUTE 0\n");
		g_autofree char *unknown = ask_fd(fds[0], "ROUTE 9 1\n");

		g_assert_cmpstr(r, ==, "STATE LOW 0.000000");
		g_assert_cmpstr(bad, ==,
				"ERR ROUTE wants a site, an object and an optional token");
		g_assert_cmpstr(unknown, ==, "UNKNOWN");
	}
	for (int i = 0; i < N; i++)
		close(fds[i]);
	/* A WAIT with nothing under way fails at once. */
	assert_reply(&f->n1, "WAIT 1 3 5000\n", "FAILED");
}

/* Node 1 with few descriptors: GLib's, the log, two sockets, a few clients. */
static const struct extra few_fds = { "", "", 24, false };

static void
test_out_of_descriptors(struct fixture *f, gconstpointer data)
{
	enum { N = 40 };
	int fds[N];

	(void)data;
	/* More clients than descriptors: those beyond wait in the backlog
	 * while the daemon says so once and does not spin. */
	for (int i = 0; i < N; i++) {
		fds[i] = connect_socket(f->n1.socket);
		g_assert_cmpint(fds[i], >=, 0);
	}
	wait_for_log(&f->n1, "\tevent\taccept_failed\t");
	for (int i = 0; i < N; i++)
		close(fds[i]);
	/* Once they are gone, it answers again. */
	{
		gint64 end = g_get_monotonic_time() + DEADLINE_US;

		for (;;) {
			g_autofree char *r = ask(&f->n1, "STATUS\n");

			if (g_str_has_prefix(r, "STATE "))
				break;
			g_assert_cmpint(g_get_monotonic_time(), <, end);
		}
	}
}

/* Runs fc-noded ARGS... to its end: its exit status, and its stderr. */
static int
run_noded(char **err, const char *a1, const char *a2)
{
	g_autoptr(GError) gerr = NULL;
	char *argv[] = { noded_path, (char *)a1, (char *)a2, NULL };
	int status;

	g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
				   NULL, err, &status, &gerr));
	g_assert_no_error(gerr);
	g_assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
test_bad_setup(struct fixture *f, gconstpointer data)
{
	g_autofree char *bad = g_strdup_printf("%s/bad.ini", f->dir);
	g_autofree char *err = NULL;
	g_autofree char *text = NULL, *bad_text = NULL;

	(void)data;
	/* --check: a good file passes, a bad one is one line and status 2. */
	g_assert_cmpint(run_noded(&err, "--check", f->n1.config), ==, 0);
	g_assert_cmpstr(err, ==, "");
	g_clear_pointer(&err, g_free);
	g_assert_true(g_file_get_contents(f->n1.config, &text, NULL, NULL));
	bad_text = g_strconcat(text, "[coop]\nflash_treshold = 2\n", NULL);
	g_assert_true(g_file_set_contents(bad, bad_text, -1, NULL));
	g_assert_cmpint(run_noded(&err, "--check", bad), ==, 2);
	{
		g_autofree char *want = g_strdup_printf("fc-noded: %s: [coop] flash_treshold: "
							"unknown key\n", bad);

		g_assert_cmpstr(err, ==, want);
	}
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(run_noded(&err, bad, NULL), ==, 2);
	g_clear_pointer(&err, g_free);
	/* A second daemon on the same socket, or the same UDP port, stops
	 * at once, saying why; the first runs on. */
	g_assert_cmpint(run_noded(&err, f->n1.config, NULL), ==, 2);
	g_assert_true(g_str_has_prefix(err, "fc-noded: "));
	g_assert_nonnull(strstr(err, "[node] udp_port: cannot bind UDP port"));
	g_clear_pointer(&err, g_free);
	assert_reply(&f->n1, "STATUS\n", "STATE LOW 0.000000");
	g_assert_cmpint(run_noded(&err, "--pid-file", NULL), ==, 2);
	g_clear_pointer(&err, g_free);
	g_unlink(bad);
}

/* Node 1 reports the simulator's demand form: once in FLASH it redirects
 * every request of its site (redirect_share = 1), and what the redirects
 * send away (page 0's HTML weighs the page, 4000 bytes) counts on its
 * uplink, so its load passes 1, where the paper form stops. */
static const struct extra demand = {
	"[node]\nload_form = demand\ninterface = lo\nuplink = 8Mbit/s\n",
	"[executor]\nfetch_delay = 500ms\n", 0, true,
};

/* The last load line's LOAD field in d's log, or -1. */
static double
last_load(const struct daemon *d)
{
	g_autofree char *log = NULL;
	g_auto(GStrv) lines = NULL;
	double load = -1;

	if (!g_file_get_contents(d->log, &log, NULL, NULL))
		return -1;
	lines = g_strsplit(log, "\n", -1);
	for (size_t i = 0; lines[i]; i++) {
		g_auto(GStrv) f = g_strsplit(lines[i], "\t", -1);

		if (g_strv_length(f) == 10 && strcmp(f[1], "load") == 0)
			load = g_ascii_strtod(f[8], NULL);
	}
	return load;
}

static void
test_demand(struct fixture *f, gconstpointer data)
{
	gint64 end = g_get_monotonic_time() + DEADLINE_US;

	(void)data;
	flash(f);
	/* 250 pages of 4000 bytes in 100 ms would be 80 Mbit/s: ten times
	 * the uplink, on top of the busy workers' 1. */
	while (last_load(&f->n1) < 1.5) {
		for (int i = 0; i < 50; i++) {
			g_autofree char *r = ask(&f->n1, "ROUTE 0 0\n");

			g_assert_true(g_str_has_prefix(r, "REDIRECT 127.0.0.1:8002 "));
		}
		assert_reply(&f->n1, "SCOREBOARD 10 10\n", "OK");
		if (g_get_monotonic_time() > end)
			g_error("node 1's load stays at %g under demand", last_load(&f->n1));
	}
	/* An object that is not the HTML weighs its own file, one without a
	 * file nothing: neither is an error. */
	{
		g_autofree char *r1 = ask(&f->n1, "ROUTE 0 1\n");
		g_autofree char *r2 = ask(&f->n1, "ROUTE 0 9\n");

		g_assert_true(g_str_has_prefix(r1, "REDIRECT 127.0.0.1:8002 "));
		g_assert_true(g_str_has_prefix(r2, "REDIRECT 127.0.0.1:8002 "));
	}
}

int
main(int argc, char **argv)
{
	g_autofree char *dir = g_path_get_dirname(argv[0]);

	g_test_init(&argc, &argv, NULL);
	noded_path = g_getenv("FC_NODED") ? g_strdup(g_getenv("FC_NODED")) :
					    g_build_filename(dir, "..", "fc-noded", NULL);
	signal(SIGPIPE, SIG_IGN);
	g_test_add("/node-daemon/forged", struct fixture, NULL, setup, test_forged, teardown);
	g_test_add("/node-daemon/flash-and-rescue", struct fixture, NULL, setup,
		   test_flash_and_rescue, teardown);
	g_test_add("/node-daemon/clients", struct fixture, NULL, setup, test_clients, teardown);
	g_test_add("/node-daemon/fetch-fails", struct fixture, &failing, setup, test_fetch_fails,
		   teardown);
	g_test_add("/node-daemon/push", struct fixture, &pushing, setup, test_push, teardown);
	g_test_add("/node-daemon/bad-setup", struct fixture, NULL, setup, test_bad_setup,
		   teardown);
	g_test_add("/node-daemon/demand", struct fixture, &demand, setup, test_demand, teardown);
	g_test_add("/node-daemon/out-of-descriptors", struct fixture, &few_fds, setup,
		   test_out_of_descriptors, teardown);
	{
		int rc = g_test_run();

		g_free(noded_path);
		return rc;
	}
}
