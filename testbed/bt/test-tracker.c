/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tracker: opentracker's configuration files, and announce answers. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "testbed/bt/bencode.h"
#include "testbed/bt/tracker.h"

static void
test_config(void)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *tmp = g_dir_make_tmp("fc-test-tracker-XXXXXX", &err);
	g_autofree char *dir = g_build_filename(tmp, "run", "tracker", NULL);
	g_autofree char *conf = g_build_filename(dir, TB_TRACKER_CONFIG, NULL);
	g_autofree char *wl = g_build_filename(dir, TB_TRACKER_WHITELIST, NULL);
	g_autofree char *text = NULL, *expected = NULL, *list = NULL;
	guint8 hashes[2][TB_INFO_HASH_LEN];
	struct stat st;

	g_assert_no_error(err);
	memset(hashes[0], 0xab, TB_INFO_HASH_LEN);
	for (gsize i = 0; i < TB_INFO_HASH_LEN; i++)
		hashes[1][i] = (guint8)i;
	g_assert_true(tb_tracker_write_config(dir, "10.77.201.2", 6969,
					      (const guint8(*)[TB_INFO_HASH_LEN])hashes, 2, &err));
	g_assert_no_error(err);
	g_file_get_contents(conf, &text, NULL, &err);
	g_assert_no_error(err);
	expected = g_strdup_printf("# opentracker for one testbed run (testbed/bt/tracker.h)\n"
				   "listen.tcp_udp 10.77.201.2:6969\n"
				   "tracker.rootdir %s\n"
				   "tracker.user nobody\n"
				   "access.whitelist whitelist.txt\n",
				   dir);
	g_assert_cmpstr(text, ==, expected);
	g_file_get_contents(wl, &list, NULL, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(list, ==,
			"abababababababababababababababababababab\n"
			"000102030405060708090a0b0c0d0e0f10111213\n");
	/* Readable by the unprivileged user a root opentracker becomes. */
	g_assert_cmpint(g_stat(dir, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0755);
	g_assert_cmpint(g_stat(wl, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0644);

	/* A new whitelist replaces the old one; an empty one is empty. */
	g_assert_true(tb_tracker_write_whitelist(dir, NULL, 0, &err));
	g_clear_pointer(&list, g_free);
	g_file_get_contents(wl, &list, NULL, &err);
	g_assert_cmpstr(list, ==, "");

	g_assert_false(tb_tracker_write_config(dir, "site.flash.test", 6969, NULL, 0, &err));
	g_assert_error(err, TB_TRACKER_ERROR, TB_TRACKER_ERROR_ARGS);
	g_assert_cmpstr(err->message, ==,
			"tracker: listen address \"site.flash.test\" is not an IPv4 address");
	g_clear_error(&err);
	g_assert_false(tb_tracker_write_config(dir, "127.0.0.1", 0, NULL, 0, &err));
	g_assert_error(err, TB_TRACKER_ERROR, TB_TRACKER_ERROR_ARGS);
	g_clear_error(&err);
	g_remove(conf);
	g_remove(wl);
	g_rmdir(dir);
	g_free(g_steal_pointer(&dir));
	dir = g_build_filename(tmp, "run", NULL);
	g_rmdir(dir);
	g_assert_cmpint(g_rmdir(tmp), ==, 0);
}

static void
test_url(void)
{
	g_autofree char *url = tb_tracker_announce_url("10.77.201.2", 6969);

	g_assert_cmpstr(url, ==, "http://10.77.201.2:6969/announce");
}

static void
test_answer(void)
{
	/* opentracker's answer, compact: two peers. */
	static const char compact[] = "d8:completei1e10:downloadedi0e10:incompletei1e"
				      "8:intervali1804e12:min intervali902e5:peers12:"
				      "\x7f\x00\x00\x01\x1a\xe1\x0a\x4d\xc9\x02\xff\xfe"
				      "e";
	static const char dicts[] = "d8:intervali60e5:peersld2:ip8:10.0.0.14:porti80eeee";
	g_autoptr(GError) err = NULL;
	struct tb_announce *a = tb_announce_parse(compact, sizeof compact - 1, &err);
	const struct tb_peer *p;

	g_assert_no_error(err);
	g_assert_cmpint(a->interval, ==, 1804);
	g_assert_cmpint(a->complete, ==, 1);
	g_assert_cmpint(a->incomplete, ==, 1);
	g_assert_cmpuint(a->peers->len, ==, 2);
	p = &g_array_index(a->peers, struct tb_peer, 0);
	g_assert_cmpstr(p->address, ==, "127.0.0.1");
	g_assert_cmpuint(p->port, ==, 6881);
	p = &g_array_index(a->peers, struct tb_peer, 1);
	g_assert_cmpstr(p->address, ==, "10.77.201.2");
	g_assert_cmpuint(p->port, ==, 65534);
	tb_announce_free(a);

	a = tb_announce_parse(dicts, sizeof dicts - 1, &err);
	g_assert_no_error(err);
	g_assert_cmpint(a->complete, ==, -1);
	g_assert_cmpuint(a->peers->len, ==, 1);
	g_assert_cmpstr(g_array_index(a->peers, struct tb_peer, 0).address, ==, "10.0.0.1");
	tb_announce_free(a);
}

static void
test_answer_bad(void)
{
	static const struct {
		const char *text;
		GQuark domain;
		gint code;
		const char *message;
	} cases[] = {
		{ "d14:failure reason63:Requested download is not authorized for use with this "
		  "tracker.e",
		  0, TB_TRACKER_ERROR_REFUSED,
		  "tracker refused: Requested download is not authorized for use with this "
		  "tracker." },
		{ "le", 0, TB_TRACKER_ERROR_ANSWER, "tracker answer: not a dictionary" },
		{ "d5:peers0:e", 0, TB_BENC_ERROR_SCHEMA, "tracker answer: no \"interval\"" },
		{ "d8:intervali1ee", 0, TB_TRACKER_ERROR_ANSWER, "tracker answer: no \"peers\"" },
		{ "d8:intervali1e5:peers5:abcdee", 0, TB_TRACKER_ERROR_ANSWER,
		  "tracker answer: compact peers not a multiple of 6 bytes" },
		{ "d8:intervali1e5:peersld2:ip4:nope4:porti1eeee", 0, TB_TRACKER_ERROR_ANSWER,
		  "tracker answer: a peer's address or port is not one" },
		{ "d8:intervali1e5:peersld2:ip3:1.24:porti1eeee", 0, TB_TRACKER_ERROR_ANSWER, NULL },
		{ "d8:intervali1e5:peersld2:ip7:1.2.3.44:porti0eeee", 0, TB_TRACKER_ERROR_ANSWER,
		  NULL },
		{ "d8:intervali1e5:peersi3ee", 0, TB_TRACKER_ERROR_ANSWER, NULL },
		{ "<html>", 0, TB_BENC_ERROR_SYNTAX, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		GQuark domain = cases[i].code == TB_BENC_ERROR_SCHEMA ||
						cases[i].code == TB_BENC_ERROR_SYNTAX
					? TB_BENC_ERROR
					: TB_TRACKER_ERROR;

		g_assert_null(tb_announce_parse(cases[i].text, strlen(cases[i].text), &err));
		if (!g_error_matches(err, domain, cases[i].code))
			g_error("case %zu: %s", i, err ? err->message : "no error");
		if (cases[i].message)
			g_assert_cmpstr(err->message, ==, cases[i].message);
	}
}

/* A loopback TCP port that was free a moment ago, and is closed again. */
static guint16
closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* Nothing listens: a transport error, quickly. */
static void
test_announce_refused(void)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *url = tb_tracker_announce_url("127.0.0.1", closed_port());
	guint8 hash[TB_INFO_HASH_LEN] = { 0 };

	g_assert_null(tb_tracker_announce(url, hash, "test", 6881, 2000, &err));
	g_assert_error(err, TB_TRACKER_ERROR, TB_TRACKER_ERROR_TRANSPORT);
	g_assert_nonnull(strstr(err->message, url));
	g_clear_error(&err);
	g_assert_null(tb_tracker_announce("udp://127.0.0.1:1/announce", hash, "t", 1, 100, &err));
	g_assert_error(err, TB_TRACKER_ERROR, TB_TRACKER_ERROR_ARGS);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tracker/config", test_config);
	g_test_add_func("/tracker/url", test_url);
	g_test_add_func("/tracker/answer", test_answer);
	g_test_add_func("/tracker/answer-bad", test_answer_bad);
	g_test_add_func("/tracker/announce-refused", test_announce_refused);
	return g_test_run();
}
