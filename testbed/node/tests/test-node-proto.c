/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The line protocol between mod_flashcoop and fc-noded (proto.h). */
#include <glib.h>
#include <string.h>

#include "testbed/node/fuzz-node.h"
#include "testbed/node/proto.h"

static const char token_hex[] = "00112233445566778899aabbccddeeff0123456789abcdef";

static void
test_requests_round_trip(void)
{
	static const char *const lines[] = {
		"ROUTE 0 17\n",
		"ROUTE 4294967295 18446744073709551615\n",
		"ROUTE 3 0 00112233445566778899aabbccddeeff0123456789abcdef\n",
		"WAIT 1 2 10000\n",
		"WAIT 1 2 0\n",
		"SCOREBOARD 0 150\n",
		"SCOREBOARD 150 150\n",
		"STATUS\n",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
		struct tb_req q;
		char buf[TB_PROTO_LINE_MAX + 1];
		const char *why = tb_req_parse(lines[i], strlen(lines[i]), &q);

		g_assert_null(why);
		g_assert_cmpuint(tb_req_format(&q, buf, sizeof buf), ==, strlen(lines[i]));
		g_assert_cmpstr(buf, ==, lines[i]);
	}
}

static void
test_request_fields(void)
{
	struct tb_req q;

	g_assert_null(tb_req_parse("ROUTE 3 42 " "00112233445566778899AABBCCDDEEFF0123456789ABCDEF",
				   59, &q));
	g_assert_cmpint(q.kind, ==, TB_REQ_ROUTE);
	g_assert_cmpuint(q.site, ==, 3);
	g_assert_cmpuint(q.object, ==, 42);
	g_assert_true(q.has_token);
	g_assert_cmpuint(q.token[0], ==, 0x00);
	g_assert_cmpuint(q.token[1], ==, 0x11);
	g_assert_cmpuint(q.token[23], ==, 0xef);
	g_assert_null(tb_req_parse("WAIT 5 6 600000", 15, &q));
	g_assert_cmpuint(q.timeout_ms, ==, 600000);
	g_assert_null(tb_req_parse("SCOREBOARD 7 9\n", 15, &q));
	g_assert_cmpuint(q.busy, ==, 7);
	g_assert_cmpuint(q.workers, ==, 9);
}

static void
test_bad_requests(void)
{
	static const char *const bad[] = {
		"", "\n", "ROUTE", "ROUTE 1", "ROUTE 1 2 3 4", "ROUTE -1 2", "ROUTE +1 2",
		"ROUTE 4294967296 1", "ROUTE 1 18446744073709551616", "ROUTE 1 2 0011",
		"ROUTE 1 2 00112233445566778899aabbccddeeff0123456789abcdeg",
		"ROUTE  1 2", "ROUTE 1 2 ", " ROUTE 1 2", "ROUTE 1\t2", "route 1 2",
		"WAIT 1 2", "WAIT 1 2 600001", "WAIT 1 2 x", "SCOREBOARD 3 2",
		"SCOREBOARD 0 0", "SCOREBOARD 1", "STATUS now", "HELLO", "ROUTE 1 2\r\n",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct tb_req q;

		if (!tb_req_parse(bad[i], strlen(bad[i]), &q))
			g_error("accepted: '%s'", bad[i]);
	}
}

static void
test_long_line(void)
{
	char line[TB_PROTO_LINE_MAX + 8];
	struct tb_req q;

	memset(line, '1', sizeof line);
	memcpy(line, "ROUTE 1 ", 8);
	/* TB_PROTO_LINE_MAX bytes with the newline is the most. */
	line[TB_PROTO_LINE_MAX - 1] = '\n';
	g_assert_nonnull(tb_req_parse(line, TB_PROTO_LINE_MAX, &q)); /* too big a number */
	g_assert_cmpstr(tb_req_parse(line, TB_PROTO_LINE_MAX + 1, &q), ==, "line too long");
}

static void
test_replies_round_trip(void)
{
	static const char *const lines[] = {
		"SERVE\n", "UNKNOWN\n", "PRESENT\n", "ABSENT\n", "FAILED\n", "OK\n",
		"REDIRECT 10.77.3.2\n", "REDIRECT 127.0.0.1:8081\n",
		"REDIRECT s2.flash.test 00112233445566778899aabbccddeeff0123456789abcdef\n",
		"RESCUE 2 0\n", "RESCUE 7 1\n", "STATE FLASH+RESCUE 0.950000\n",
		"STATE LOW 0.000000\n", "ERR unknown request\n",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
		struct tb_rep r;
		char buf[TB_PROTO_LINE_MAX + 1];
		const char *why = tb_rep_parse(lines[i], strlen(lines[i]), &r);

		if (why)
			g_error("'%s': %s", lines[i], why);
		g_assert_cmpuint(tb_rep_format(&r, buf, sizeof buf), ==, strlen(lines[i]));
		g_assert_cmpstr(buf, ==, lines[i]);
	}
}

static void
test_reply_fields(void)
{
	struct tb_rep r;
	char line[128];

	g_snprintf(line, sizeof line, "REDIRECT 10.77.3.2 %s\n", token_hex);
	g_assert_null(tb_rep_parse(line, strlen(line), &r));
	g_assert_cmpint(r.kind, ==, TB_REP_REDIRECT);
	g_assert_cmpstr(r.host, ==, "10.77.3.2");
	g_assert_true(r.has_token);
	g_assert_cmpuint(r.token[23], ==, 0xef);
	g_assert_null(tb_rep_parse("RESCUE 9 1", 10, &r));
	g_assert_cmpuint(r.peer, ==, 9);
	g_assert_true(r.present);
	g_assert_null(tb_rep_parse("STATE FLASH 1.25\n", 17, &r));
	g_assert_cmpstr(r.state, ==, "FLASH");
	g_assert_cmpfloat(r.load, ==, 1.25);
}

static void
test_bad_replies(void)
{
	static const char *const bad[] = {
		"", "SERVE 1", "REDIRECT", "REDIRECT a b c", "REDIRECT host 0011",
		"RESCUE 1", "RESCUE 1 2", "RESCUE x 1", "STATE FLASH", "STATE FLASH -1",
		"STATE FLASH nan", "STATE FLASH inf", "STATE FLASH 1000000001", "STATE FLASH 1x", "ERR ", "NOPE",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct tb_rep r;

		if (!tb_rep_parse(bad[i], strlen(bad[i]), &r))
			g_error("accepted: '%s'", bad[i]);
	}
}

static void
test_format_limits(void)
{
	struct tb_rep r = { .kind = TB_REP_ERR };
	struct tb_req q = { .kind = TB_REQ_SCOREBOARD, .busy = 3, .workers = 2 };
	char buf[TB_PROTO_LINE_MAX + 1];
	size_t n;

	/* An ERR text is cut to fit one line, its newlines made spaces. */
	memset(r.text, 'x', sizeof r.text - 1);
	r.text[0] = '\n';
	n = tb_rep_format(&r, buf, sizeof buf);
	g_assert_cmpuint(n, ==, TB_PROTO_LINE_MAX);
	g_assert_cmpint(buf[4], ==, ' ');
	g_assert_null(memchr(buf, '\n', n - 1));
	g_assert_null(tb_rep_parse(buf, n, &r));
	/* Invalid values are not written, nor anything into too small a buffer. */
	g_assert_cmpuint(tb_req_format(&q, buf, sizeof buf), ==, 0);
	q = (struct tb_req){ .kind = TB_REQ_STATUS };
	g_assert_cmpuint(tb_req_format(&q, buf, 7), ==, 0);
	g_assert_cmpuint(tb_req_format(&q, buf, 8), ==, 7);
	r = (struct tb_rep){ .kind = TB_REP_REDIRECT };
	g_assert_cmpuint(tb_rep_format(&r, buf, sizeof buf), ==, 0); /* no host */
	g_strlcpy(r.host, "a b", sizeof r.host);
	g_assert_cmpuint(tb_rep_format(&r, buf, sizeof buf), ==, 0);
}

/*
 * Random bytes and every prefix of valid lines, each in a buffer of its
 * exact length (so that ASan sees a read past it): no crash, and what
 * parses formats back to a line that parses the same.
 */
static void
test_garbage(void)
{
	static const char *const seeds[] = {
		"ROUTE 3 0 00112233445566778899aabbccddeeff0123456789abcdef\n",
		"REDIRECT 10.77.3.2 00112233445566778899aabbccddeeff0123456789abcdef\n",
		"WAIT 1 2 10000\n", "STATE FLASH 0.5\n", "ERR x\n", "RESCUE 2 1\n",
	};
	GRand *rng = g_rand_new_with_seed(7);

	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)g_rand_int_range(rng, 0, 300);
		char *buf = g_malloc(len ? len : 1);
		struct tb_req q, q2;
		struct tb_rep r, r2;
		char out[TB_PROTO_LINE_MAX + 1];

		if (i % 2 && len) {
			const char *seed = seeds[i % G_N_ELEMENTS(seeds)];

			len = MIN(len, strlen(seed));
			memcpy(buf, seed, len);
			if (g_rand_boolean(rng))
				buf[g_rand_int_range(rng, 0, (gint32)len)] =
					(char)g_rand_int_range(rng, 0, 256);
		} else {
			for (size_t k = 0; k < len; k++)
				buf[k] = (char)g_rand_int_range(rng, 0, 256);
		}
		if (!tb_req_parse(buf, len, &q)) {
			size_t n = tb_req_format(&q, out, sizeof out);

			g_assert_cmpuint(n, >, 0);
			g_assert_null(tb_req_parse(out, n, &q2));
			g_assert_cmpmem(&q, sizeof q, &q2, sizeof q2);
		}
		if (!tb_rep_parse(buf, len, &r)) {
			size_t n = tb_rep_format(&r, out, sizeof out);

			g_assert_cmpuint(n, >, 0);
			g_assert_null(tb_rep_parse(out, n, &r2));
			g_assert_cmpint(r.kind, ==, r2.kind);
		}
		g_free(buf);
	}
	g_rand_free(rng);
}

/* The seed corpus through the fuzz target (run from the top of the source
 * tree, as make check does): every seed keeps its contract, and the seeds
 * reach requests, replies and configurations. */
static void
test_corpus(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GDir) d = g_dir_open("testbed/node/corpus", 0, &err);
	const char *name;
	guint n = 0;

	g_assert_no_error(err);
	while ((name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename("testbed/node/corpus", name, NULL);
		g_autofree char *data = NULL;
		gsize len;

		g_file_get_contents(path, &data, &len, &err);
		g_assert_no_error(err);
		g_assert_cmpint(fuzz_node_one((const guint8 *)data, len), ==, 0);
		n++;
	}
	g_assert_cmpuint(n, >=, 8);
	g_assert_cmpuint(fuzz_node_requests, >=, 3);
	g_assert_cmpuint(fuzz_node_replies, >=, 4);
	g_assert_cmpuint(fuzz_node_configs, >=, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/node-proto/requests-round-trip", test_requests_round_trip);
	g_test_add_func("/node-proto/request-fields", test_request_fields);
	g_test_add_func("/node-proto/bad-requests", test_bad_requests);
	g_test_add_func("/node-proto/long-line", test_long_line);
	g_test_add_func("/node-proto/replies-round-trip", test_replies_round_trip);
	g_test_add_func("/node-proto/reply-fields", test_reply_fields);
	g_test_add_func("/node-proto/bad-replies", test_bad_replies);
	g_test_add_func("/node-proto/format-limits", test_format_limits);
	g_test_add_func("/node-proto/garbage", test_garbage);
	g_test_add_func("/node-proto/corpus", test_corpus);
	return g_test_run();
}
