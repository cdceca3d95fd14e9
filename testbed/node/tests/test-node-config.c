/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fc-noded's configuration (config.h) and the log-only executor's group. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "testbed/node/config.h"
#include "testbed/node/executor.h"

#define KEY_A "000102030405060708090a0b0c0d0e0f"
#define KEY_B "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00"

static const char good[] =
	"[node]\n"
	"id = 1\n"
	"address = 10.77.1.2\n"
	"udp_port = 7011\n"
	"socket = /tmp/n1.sock\n"
	"log = /tmp/n1.log\n"
	"pid_file = /tmp/n1.pid\n"
	"load_interval = 500ms\n"
	"listen_port = 8080\n"
	"backlog = 511\n"
	"interface = eth0\n"
	"uplink = 10Mbit/s\n"
	"threads = 2\n"
	"publish = true\n"
	"load_form = demand\n"
	"\n"
	"[coop]\n"
	"flash_threshold = 0.7\n"
	"low_water = 0.4\n"
	"smoothing = window\n"
	"smooth_time = 5s\n"
	"leave = hysteresis\n"
	"flash_hold = 2min\n"
	"calm_hold = 30s\n"
	"extend_while_high = true\n"
	"rescue_hold = 1min\n"
	"protect_self = true\n"
	"protect_threshold = 0.95\n"
	"share = feedback\n"
	"redirect_share = 0.3\n"
	"target_load = 0.6\n"
	"max_share = 0.8\n"
	"target = spare\n"
	"probe_mode = message\n"
	"probe_interval = 2s\n"
	"probe_jitter = 0.2\n"
	"probe_timeout = 700ms\n"
	"probe_misses = 2\n"
	"heartbeat_interval = 3s\n"
	"replay_window = 20s\n"
	"start_guard = 1s\n"
	"token_life = 90s\n"
	"token_fetches = 10\n"
	"max_fetches = 100\n"
	"spread = site\n"
	"\n"
	"[site 0]\n"
	"bytes = 4MiB\n"
	"owner = 1\n"
	"root = /srv/site0\n"
	"\n"
	"[site 5]\n"
	"bytes = 1000B\n"
	"owner = 3\n"
	"\n"
	"[peer 3]\n"
	"address = 10.77.4.2\n"
	"http = 10.77.4.2:8080\n"
	"key = " KEY_A "\n"
	"accepts_copy = true\n"
	"copy_limit = 1GiB\n"
	"\n"
	"[peer 2]\n"
	"address = 10.77.3.2\n"
	"port = 7012\n"
	"key = " KEY_B "\n"
	"\n"
	"[executor]\n"
	"fetch_delay = 10ms\n";

static void
test_good(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_node_config) c = tb_node_config_parse(good, strlen(good), "g.ini", &err);
	const struct fc_config *f;

	g_assert_no_error(err);
	g_assert_nonnull(c);
	g_assert_cmpuint(c->id, ==, 1);
	g_assert_cmphex(c->address, ==, 0x0a4d0102);
	g_assert_cmpuint(c->udp_port, ==, 7011);
	g_assert_cmpstr(c->socket_path, ==, "/tmp/n1.sock");
	g_assert_cmpstr(c->log_path, ==, "/tmp/n1.log");
	g_assert_cmpstr(c->pid_file, ==, "/tmp/n1.pid");
	g_assert_cmpuint(c->load_interval, ==, 500 * FC_MSEC);
	g_assert_cmpuint(c->listen_port, ==, 8080);
	g_assert_cmpuint(c->backlog, ==, 511);
	g_assert_cmpstr(c->interface, ==, "eth0");
	g_assert_cmpuint(c->uplink_bps, ==, 10000000);
	g_assert_cmpuint(c->threads, ==, 2);
	g_assert_true(c->publish);
	g_assert_true(c->load_demand);
	/* Sites and peers sorted by id. */
	g_assert_cmpuint(c->nsites, ==, 2);
	g_assert_cmpuint(c->sites[0].id, ==, 0);
	g_assert_cmpuint(c->sites[0].bytes, ==, 4 << 20);
	g_assert_cmpstr(c->sites[0].root, ==, "/srv/site0");
	g_assert_cmpuint(c->sites[1].owner, ==, 3);
	g_assert_null(c->sites[1].root);
	g_assert_cmpuint(c->npeers, ==, 2);
	g_assert_cmpuint(c->peers[0].id, ==, 2);
	g_assert_cmpuint(c->peers[0].port, ==, 7012);
	g_assert_cmpstr(c->peers[0].http, ==, "10.77.3.2"); /* the address by default */
	g_assert_cmpuint(c->peers[0].key_len, ==, 17);
	g_assert_cmpuint(c->peers[0].key[16], ==, 0x00);
	g_assert_cmpuint(c->peers[1].port, ==, 7011); /* the node's own by default */
	g_assert_cmpstr(c->peers[1].http, ==, "10.77.4.2:8080");
	g_assert_cmpuint(c->peers[1].key[15], ==, 0x0f);

	f = &c->fc;
	g_assert_cmpuint(f->id, ==, 1);
	g_assert_cmpuint(f->nsites, ==, 1);
	g_assert_cmpuint(f->sites[0].id, ==, 0);
	g_assert_cmpuint(f->npeers, ==, 2);
	g_assert_cmpuint(f->peers[0].id, ==, 2);
	g_assert_cmpuint(f->peers[0].nsites, ==, 0);
	g_assert_false(f->peers[0].accepts_copy);
	g_assert_cmpuint(f->peers[1].id, ==, 3);
	g_assert_cmpuint(f->peers[1].nsites, ==, 1);
	g_assert_cmpuint(f->peers[1].sites[0].id, ==, 5);
	g_assert_cmpuint(f->peers[1].sites[0].bytes, ==, 1000);
	g_assert_true(f->peers[1].accepts_copy);
	g_assert_cmpuint(f->peers[1].copy_limit, ==, G_GUINT64_CONSTANT(1) << 30);
	g_assert_cmpfloat(f->flash_threshold, ==, 0.7);
	g_assert_cmpfloat(f->low_water, ==, 0.4);
	g_assert_cmpint(f->smoothing, ==, FC_SMOOTH_WINDOW);
	g_assert_cmpuint(f->smooth_time, ==, 5 * FC_SEC);
	g_assert_cmpint(f->leave, ==, FC_LEAVE_HYSTERESIS);
	g_assert_cmpuint(f->flash_hold, ==, 2 * FC_MIN);
	g_assert_cmpuint(f->calm_hold, ==, 30 * FC_SEC);
	g_assert_true(f->extend_while_high);
	g_assert_cmpuint(f->rescue_hold, ==, FC_MIN);
	g_assert_true(f->protect_self);
	g_assert_cmpfloat(f->protect_threshold, ==, 0.95);
	g_assert_cmpint(f->share, ==, FC_SHARE_FEEDBACK);
	g_assert_cmpfloat(f->redirect_share, ==, 0.3);
	g_assert_cmpfloat(f->target_load, ==, 0.6);
	g_assert_cmpfloat(f->max_share, ==, 0.8);
	g_assert_cmpint(f->target, ==, FC_TARGET_SPARE);
	g_assert_cmpint(f->probe_mode, ==, FC_PROBE_MESSAGE);
	g_assert_cmpuint(f->probe_interval, ==, 2 * FC_SEC);
	g_assert_cmpfloat(f->probe_jitter, ==, 0.2);
	g_assert_cmpuint(f->probe_timeout, ==, 700 * FC_MSEC);
	g_assert_cmpuint(f->probe_misses, ==, 2);
	g_assert_cmpuint(f->heartbeat_interval, ==, 3 * FC_SEC);
	g_assert_cmpuint(f->replay_window, ==, 20 * FC_SEC);
	g_assert_cmpuint(f->start_guard, ==, FC_SEC);
	g_assert_cmpuint(f->token_life, ==, 90 * FC_SEC);
	g_assert_cmpuint(f->token_fetches, ==, 10);
	g_assert_cmpuint(f->max_fetches, ==, 100);
	g_assert_cmpint(f->spread, ==, FC_SPREAD_SITE);
	g_assert_cmpint(fc_config_check(f), ==, 0);
}

/* The smallest file: every other key keeps its default. */
static void
test_defaults(void)
{
	static const char text[] = "[node]\nid = 4\naddress = 127.0.0.1\nsocket = s\nlog = l\n"
				   "[site 9]\nbytes = 1B\nowner = 4\n";
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_node_config) c = tb_node_config_parse(text, strlen(text), "d.ini", &err);
	struct fc_config def;

	g_assert_no_error(err);
	fc_config_default(&def);
	g_assert_cmpuint(c->udp_port, ==, 7010);
	g_assert_cmpuint(c->load_interval, ==, FC_SEC);
	g_assert_cmpuint(c->listen_port, ==, 80);
	g_assert_cmpuint(c->backlog, ==, 0);
	g_assert_null(c->interface);
	g_assert_null(c->pid_file);
	g_assert_false(c->publish);
	g_assert_false(c->load_demand);
	g_assert_cmpuint(c->npeers, ==, 0);
	g_assert_cmpfloat(c->fc.flash_threshold, ==, def.flash_threshold);
	g_assert_cmpuint(c->fc.flash_hold, ==, def.flash_hold);
	g_assert_cmpint(c->fc.target, ==, def.target);
}

/* The good file with one line replaced (or, with `from` NULL, added). */
struct bad_case {
	const char *from, *to;
	const char *message; /* what the error says, whole */
};

static void
test_bad(void)
{
	static const struct bad_case cases[] = {
		{ "udp_port = 7011\n", "udp_prot = 7011\n", "b.ini: [node] udp_prot: unknown key" },
		{ "id = 1\n", "", "b.ini: [node] id: missing" },
		{ "id = 1\n", "id = one\n",
		  "b.ini: [node] id: expected a whole number from 0 to 4294967295, found 'one'" },
		{ "id = 1\n", "id = -1\n",
		  "b.ini: [node] id: expected a whole number from 0 to 4294967295, found '-1'" },
		{ "address = 10.77.1.2\n", "address = 10.77.1\n",
		  "b.ini: [node] address: expected an IPv4 address such as 10.77.1.2, found '10.77.1'" },
		{ "udp_port = 7011\n", "udp_port = 70000\n",
		  "b.ini: [node] udp_port: expected a whole number from 1 to 65535, found '70000'" },
		{ "load_interval = 500ms\n", "load_interval = 500\n",
		  "b.ini: [node] load_interval: expected a duration such as 30s, 250ms or 2h, found '500'" },
		{ "load_interval = 500ms\n", "load_interval = 0s\n",
		  "b.ini: [node] load_interval: must be more than zero, found '0s'" },
		{ "uplink = 10Mbit/s\n", "uplink = 10Mbps/s\n",
		  "b.ini: [node] uplink: expected a rate above zero such as 10Mbit/s, found '10Mbps/s'" },
		{ "uplink = 10Mbit/s\n", "",
		  "b.ini: [node] uplink: missing (interface is set: the uplink's capacity is needed)" },
		{ "socket = /tmp/n1.sock\n", "socket = \n", "b.ini: [node] socket: empty value" },
		{ "threads = 2\n", "threads = 0\n",
		  "b.ini: [node] threads: expected a whole number from 1 to 64, found '0'" },
		{ "publish = true\n", "publish = 1\n",
		  "b.ini: [node] publish: expected true or false, found '1'" },
		{ "load_form = demand\n", "load_form = use\n",
		  "b.ini: [node] load_form: expected one of paper, demand, found 'use'" },
		{ "flash_threshold = 0.7\n", "flash_threshold = high\n",
		  "b.ini: [coop] flash_threshold: expected a number from 0 to 1e+06, found 'high'" },
		{ "smoothing = window\n", "smoothing = median\n",
		  "b.ini: [coop] smoothing: expected one of ewma, window, found 'median'" },
		{ "target = spare\n", "target = random\n",
		  "b.ini: [coop] target: expected one of round_robin, spare, hash, found 'random'" },
		{ "leave = hysteresis\n", "leave = never\n",
		  "b.ini: [coop] leave: expected one of timer, hysteresis, found 'never'" },
		{ "share = feedback\n", "share = half\n",
		  "b.ini: [coop] share: expected one of fixed, feedback, found 'half'" },
		{ "spread = site\n", "spread = all\n",
		  "b.ini: [coop] spread: expected one of objects, site, predistributed, found 'all'" },
		{ "probe_mode = message\n", "probe_mode = host\n",
		  "b.ini: [coop] probe_mode: fc-noded probes its cooperators by message only: "
		  "'host' is not supported, use 'message'" },
		{ "extend_while_high = true\n", "extend_while_high = yes\n",
		  "b.ini: [coop] extend_while_high: expected true or false, found 'yes'" },
		{ "redirect_share = 0.3\n", "redirect_share = 1.5\n",
		  "b.ini: [coop] redirect_share: expected a number from 0 to 1, found '1.5'" },
		{ "probe_misses = 2\n", "probe_misses = 0\n",
		  "b.ini: [coop] probe_misses: expected a whole number from 1 to 1000, found '0'" },
		{ "flash_hold = 2min\n", "flash_hold = 2 minutes\n",
		  "b.ini: [coop] flash_hold: expected a duration such as 30s, 250ms or 2h, found '2 minutes'" },
		{ "low_water = 0.4\n", "flash_treshold = 0.4\n",
		  "b.ini: [coop] flash_treshold: unknown key" },
		{ "low_water = 0.4\n", "low_water = 0.9\n",
		  "b.ini: the core refuses it: load thresholds must satisfy 0 < low <= high "
		  "(FC_ERR_CONFIG_THRESHOLD)" },
		{ "bytes = 4MiB\n", "bytes = 4\n",
		  "b.ini: [site 0] bytes: expected a size such as 4096B, 64KiB or 1MB, found '4'" },
		{ "owner = 3\n", "owner = 8\n",
		  "b.ini: [site 5] owner: node 8 is neither this node ([node] id = 1) nor a [peer]" },
		{ "owner = 1\n", "owner = 2\n",
		  "b.ini: [node] id: no [site] has owner = 1: the node serves no site" },
		{ "root = /srv/site0\n", "docroot = /srv/site0\n",
		  "b.ini: [site 0] docroot: unknown key" },
		{ "[site 5]\n", "[site five]\n",
		  "b.ini: [site five]: expected [site ID] with ID a whole number up to 4294967295" },
		{ "[site 5]\n", "[site 00]\n", "b.ini: [site 0]: site 0 given twice" },
		{ "[peer 2]\n", "[peer 1]\n", "b.ini: [peer 1]: a peer with the node's own id" },
		{ "[peer 2]\n", "[peer 03]\n", "b.ini: [peer 3]: peer 3 given twice" },
		{ "[peer 2]\n", "[peers 2]\n",
		  "b.ini: [peers 2]: unknown group (expected node, coop, executor, site ID, peer ID)" },
		{ "[coop]\n", "[cop]\n",
		  "b.ini: [cop]: unknown group (expected node, coop, executor, site ID, peer ID)" },
		{ "key = " KEY_B "\n", "key = 0011\n",
		  "b.ini: [peer 2] key: expected 16 to 1024 bytes in hex (an even number of hex "
		  "digits), found 4 digits" },
		{ "key = " KEY_B "\n", "key = f0f1f2f3f4f5f6f7f8f9fafbfcfdfeffzz\n",
		  "b.ini: [peer 2] key: 'zz' at digit 33 is not hex" },
		{ "key = " KEY_B "\n", "", "b.ini: [peer 2] key: missing" },
		{ "http = 10.77.4.2:8080\n", "http = http://10.77.4.2/\n",
		  "b.ini: [peer 3] http: expected host or host:port for redirect URLs, found "
		  "'http://10.77.4.2/'" },
		{ "copy_limit = 1GiB\n", "copy_limit = lots\n",
		  "b.ini: [peer 3] copy_limit: expected a size such as 4096B, 64KiB or 1MB, found 'lots'" },
		{ "[node]\n", "[nod]\n", "b.ini: [node]: missing" },
		{ "[node]\n", "node\n", NULL }, /* not a key file: GLib's message */
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct bad_case *k = &cases[i];
		g_autoptr(GString) text = g_string_new(good);
		g_autoptr(GError) err = NULL;
		g_autoptr(tb_node_config) c = NULL;
		const char *at = strstr(text->str, k->from);

		g_assert_nonnull(at);
		g_string_erase(text, at - text->str, (gssize)strlen(k->from));
		g_string_insert(text, at - text->str, k->to);
		c = tb_node_config_parse(text->str, text->len, "b.ini", &err);
		if (c)
			g_error("case %zu (%s): accepted", i, k->to);
		g_assert_error(err, TB_NODE_CONFIG_ERROR, err->code);
		g_assert_null(strchr(err->message, '\n'));
		if (k->message)
			g_assert_cmpstr(err->message, ==, k->message);
		else
			g_assert_true(g_str_has_prefix(err->message, "b.ini: not a key file: "));
	}
}

static void
test_load_file(void)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *dir = g_dir_make_tmp("test-node-config.XXXXXX", &err);
	g_autofree char *path = g_build_filename(dir, "n.ini", NULL);
	tb_node_config *c;

	g_assert_no_error(err);
	c = tb_node_config_load(path, &err);
	g_assert_null(c);
	g_assert_error(err, TB_NODE_CONFIG_ERROR, TB_NODE_CONFIG_ERROR_READ);
	g_clear_error(&err);
	g_assert_true(g_file_set_contents(path, good, -1, &err));
	c = tb_node_config_load(path, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(c->path, ==, path);
	tb_node_config_free(c);
	c = tb_node_config_load(dir, &err); /* a directory */
	g_assert_null(c);
	g_assert_error(err, TB_NODE_CONFIG_ERROR, TB_NODE_CONFIG_ERROR_READ);
	g_unlink(path);
	g_rmdir(dir);
}

static void
test_log_executor(void)
{
	static const struct {
		const char *group, *message;
	} cases[] = {
		{ "[executor]\nfetch_delay = 10ms\nfetch_fail = true\n", NULL },
		{ "[executor]\nfetch_dely = 10ms\n",
		  "x.ini: [executor] fetch_dely: unknown key (the log-only executor reads "
		  "fetch_delay and fetch_fail)" },
		{ "[executor]\nfetch_delay = 10\n",
		  "x.ini: [executor] fetch_delay: expected a duration up to 1min such as 250ms, "
		  "found '10'" },
		{ "[executor]\nfetch_fail = 1\n",
		  "x.ini: [executor] fetch_fail: expected true or false, found '1'" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = g_strconcat("[node]\nid = 4\naddress = 127.0.0.1\n"
						    "socket = s\nlog = l\n[site 9]\nbytes = 1B\n"
						    "owner = 4\n", cases[i].group, NULL);
		g_autoptr(GError) err = NULL;
		g_autoptr(tb_node_config) c = tb_node_config_parse(text, strlen(text), "x.ini",
								    &err);
		g_autoptr(tb_executor) e = NULL;

		g_assert_no_error(err);
		e = tb_executor_log_new(c, &err);
		if (!cases[i].message) {
			g_assert_no_error(err);
			g_assert_nonnull(e);
			g_assert_true(e->dns_add(e->user, 0, 1, &err));
			g_assert_false(e->fetch(e->user, 0, 1, 2, 3, &err));
			g_assert_nonnull(err);
		} else {
			g_assert_null(e);
			g_assert_cmpstr(err->message, ==, cases[i].message);
		}
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/node-config/good", test_good);
	g_test_add_func("/node-config/defaults", test_defaults);
	g_test_add_func("/node-config/bad", test_bad);
	g_test_add_func("/node-config/load-file", test_load_file);
	g_test_add_func("/node-config/log-executor", test_log_executor);
	return g_test_run();
}
