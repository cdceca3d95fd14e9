/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The real executor without a network: its [executor] group read back,
 * the defaults, bad groups each with its exact message; push refused;
 * remove of a copy, of none, and of a folder it did not make; a whole-site
 * fetch of a site whose objects are not known.  t-exec.sh runs the rest
 * against a real named and web server.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "testbed/exec/exec.h"

#define SECRET "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAxMjM="

/* A scratch directory for rescue roots, removed at the end. */
static char *scratch;

static const char node[] =
	"[node]\nid = 4\naddress = 127.0.0.1\nsocket = s\nlog = l\n"
	"[site 9]\nbytes = 1B\nowner = 4\n";

/* The executor of node plus group, or NULL with err. */
static struct tb_executor *
make(const char *group, GError **err)
{
	g_autofree char *text = g_strconcat(node, group, NULL);
	g_autoptr(tb_node_config) c = tb_node_config_parse(text, strlen(text), "x.ini", err);

	g_assert_nonnull(c);
	return tb_executor_real_new(c, err);
}

static void
test_full(void)
{
	g_autofree char *group = g_strdup_printf(
		"[executor]\n"
		"dns_server = 10.77.200.2:5353\n"
		"zone = Flash.Example\n"
		"key_name = Flash-Key\n"
		"key_secret = " SECRET "\n"
		"ttl = 2min\n"
		"dns_timeout = 1500ms\n"
		"http_port = 8080\n"
		"fetch_path = /a/b-c.d_e~f\n"
		"fetch_timeout = 2500ms\n"
		"rescue_root = %s/./\n"
		"source_address = 10.77.1.2\ndns_updates = false\n", scratch);
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_executor) e = make(group, &err);
	const struct tb_exec_settings *s;

	g_assert_no_error(err);
	s = tb_exec_settings(e);
	g_assert_cmpstr(s->dns_address, ==, "10.77.200.2");
	g_assert_cmpuint(s->dns_port, ==, 5353);
	g_assert_cmpstr(s->zone, ==, "flash.example.");
	g_assert_cmpstr(s->key_name, ==, "flash-key.");
	g_assert_cmpstr(s->key_secret, ==, SECRET);
	g_assert_cmpuint(s->ttl, ==, 120);
	g_assert_cmpuint(s->dns_timeout_ms, ==, 1500);
	g_assert_cmpuint(s->http_port, ==, 8080);
	g_assert_cmpstr(s->fetch_path, ==, "/a/b-c.d_e~f");
	g_assert_cmpuint(s->fetch_timeout_ms, ==, 2500);
	g_assert_cmpstr(s->rescue_root, ==, scratch);
	g_assert_cmpstr(s->source_address, ==, "10.77.1.2");
	g_assert_false(s->dns_updates);
}

static void
test_defaults(void)
{
	g_autofree char *group = g_strdup_printf(
		"[executor]\ndns_server = 127.0.0.1:53\nkey_name = k\nkey_secret = " SECRET "\n"
		"rescue_root = %s\n", scratch);
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_executor) e = make(group, &err);
	const struct tb_exec_settings *s;

	g_assert_no_error(err);
	s = tb_exec_settings(e);
	g_assert_cmpstr(s->zone, ==, "flash.test.");
	g_assert_cmpstr(s->key_name, ==, "k.");
	g_assert_cmpuint(s->ttl, ==, 5);
	g_assert_cmpuint(s->dns_timeout_ms, ==, 2000);
	g_assert_cmpuint(s->http_port, ==, 80);
	g_assert_cmpstr(s->fetch_path, ==, "/fcfetch");
	g_assert_cmpuint(s->fetch_timeout_ms, ==, 30000);
	g_assert_null(s->source_address);
	g_assert_true(s->dns_updates);
}

static void
test_bad(void)
{
	/* Each case replaces or adds one line of a good group (KEY = VALUE;
	 * a VALUE of NULL takes the key out). */
	static const struct {
		const char *key, *value, *message;
	} cases[] = {
		{ "dns_sever", "127.0.0.1:53",
		  "x.ini: [executor] dns_sever: unknown key (the executor reads dns_server, "
		  "zone, key_name, key_secret, ttl, dns_timeout, http_port, fetch_path, "
		  "fetch_timeout, rescue_root, source_address, dns_updates)" },
		{ "dns_updates", "no",
		  "x.ini: [executor] dns_updates: expected true or false, found 'no'" },
		{ "dns_server", NULL, "x.ini: [executor] dns_server: missing" },
		{ "dns_server", "127.0.0.1",
		  "x.ini: [executor] dns_server: expected IPV4:PORT such as 10.77.200.2:53, "
		  "found '127.0.0.1'" },
		{ "dns_server", "127.0.0.1:0",
		  "x.ini: [executor] dns_server: expected IPV4:PORT such as 10.77.200.2:53, "
		  "found '127.0.0.1:0'" },
		{ "dns_server", "localhost:53",
		  "x.ini: [executor] dns_server: expected IPV4:PORT such as 10.77.200.2:53, "
		  "found 'localhost:53'" },
		{ "dns_server", "", "x.ini: [executor] dns_server: empty value" },
		{ "zone", "flash..test",
		  "x.ini: [executor] zone: zone 'flash..test': an empty label" },
		{ "key_name", NULL, "x.ini: [executor] key_name: missing" },
		{ "key_name", "flash key",
		  "x.ini: [executor] key_name: key_name 'flash key': the character ' ' (0x20) "
		  "is not allowed in a name" },
		{ "key_secret", NULL, "x.ini: [executor] key_secret: missing" },
		{ "key_secret", "not base64!",
		  "x.ini: [executor] key_secret: TSIG secret: not base64 (its length is not a "
		  "multiple of 4)" },
		{ "ttl", "5", "x.ini: [executor] ttl: expected whole seconds such as 5s, up to "
		  "2147483647s, found '5'" },
		{ "ttl", "1500ms", "x.ini: [executor] ttl: expected whole seconds such as 5s, up "
		  "to 2147483647s, found '1500ms'" },
		{ "dns_timeout", "10ms", "x.ini: [executor] dns_timeout: expected whole "
		  "milliseconds from 100ms to 1min, found '10ms'" },
		{ "http_port", "65536", "x.ini: [executor] http_port: expected a port from 1 to "
		  "65535, found '65536'" },
		{ "http_port", "http", "x.ini: [executor] http_port: expected a port from 1 to "
		  "65535, found 'http'" },
		{ "fetch_path", "fcfetch",
		  "x.ini: [executor] fetch_path: expected a URL path such as /fcfetch (letters, "
		  "digits, '-', '.', '_', '~' between single slashes, none at the end), found "
		  "'fcfetch'" },
		{ "fetch_path", "/fc/",
		  "x.ini: [executor] fetch_path: expected a URL path such as /fcfetch (letters, "
		  "digits, '-', '.', '_', '~' between single slashes, none at the end), found "
		  "'/fc/'" },
		{ "fetch_path", "/a/../b",
		  "x.ini: [executor] fetch_path: expected a URL path such as /fcfetch (letters, "
		  "digits, '-', '.', '_', '~' between single slashes, none at the end), found "
		  "'/a/../b'" },
		{ "fetch_path", "/a?b",
		  "x.ini: [executor] fetch_path: expected a URL path such as /fcfetch (letters, "
		  "digits, '-', '.', '_', '~' between single slashes, none at the end), found "
		  "'/a?b'" },
		{ "fetch_timeout", "0s", "x.ini: [executor] fetch_timeout: expected whole "
		  "milliseconds from 1ms to 1h, found '0s'" },
		{ "fetch_timeout", "2h", "x.ini: [executor] fetch_timeout: expected whole "
		  "milliseconds from 1ms to 1h, found '2h'" },
		{ "fetch_timeout", "1500us", "x.ini: [executor] fetch_timeout: expected whole "
		  "milliseconds from 1ms to 1h, found '1500us'" },
		{ "rescue_root", NULL, "x.ini: [executor] rescue_root: missing" },
		{ "rescue_root", "rescue",
		  "x.ini: [executor] rescue_root: expected an absolute path, found 'rescue'" },
		{ "rescue_root", "/nonexistent/flashcoop-rescue",
		  "x.ini: [executor] rescue_root: no such directory: "
		  "'/nonexistent/flashcoop-rescue'" },
		{ "source_address", "10.77.1",
		  "x.ini: [executor] source_address: expected an IPv4 address such as "
		  "10.77.1.2, found '10.77.1'" },
	};
	const char *keys[] = { "dns_server", "key_name", "key_secret", "rescue_root" };
	const char *values[] = { "127.0.0.1:53", "k", SECRET, scratch };

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GString) group = g_string_new("[executor]\n");
		g_autoptr(GError) err = NULL;
		g_autoptr(tb_executor) e = NULL;
		gboolean replaced = FALSE;
		int code;

		for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
			if (strcmp(keys[k], cases[i].key) == 0) {
				replaced = TRUE;
				if (!cases[i].value)
					continue;
				g_string_append_printf(group, "%s = %s\n", keys[k],
						       cases[i].value);
			} else {
				g_string_append_printf(group, "%s = %s\n", keys[k], values[k]);
			}
		}
		if (!replaced)
			g_string_append_printf(group, "%s = %s\n", cases[i].key, cases[i].value);
		e = make(group->str, &err);
		g_assert_null(e);
		/* Unknown and missing keys are KEY errors, the rest VALUE. */
		code = cases[i].value && strcmp(cases[i].key, "dns_sever") != 0 ?
		       TB_NODE_CONFIG_ERROR_VALUE : TB_NODE_CONFIG_ERROR_KEY;
		g_assert_error(err, TB_NODE_CONFIG_ERROR, code);
		g_assert_cmpstr(err->message, ==, cases[i].message);
	}
}

/* Without a group at all the first required key is missing. */
static void
test_no_group(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_executor) e = make("", &err);

	g_assert_null(e);
	g_assert_error(err, TB_NODE_CONFIG_ERROR, TB_NODE_CONFIG_ERROR_KEY);
	g_assert_cmpstr(err->message, ==, "x.ini: [executor] dns_server: missing");
}

/* An executor whose rescue root is a fresh folder under scratch. */
static struct tb_executor *
make_in(const char *name, char **root)
{
	g_autofree char *group = NULL;
	g_autoptr(GError) err = NULL;
	struct tb_executor *e;

	*root = g_build_filename(scratch, name, NULL);
	g_assert_cmpint(g_mkdir(*root, 0755), ==, 0);
	group = g_strdup_printf("[executor]\ndns_server = 127.0.0.1:53\nkey_name = k\n"
				"key_secret = " SECRET "\nrescue_root = %s\n", *root);
	e = make(group, &err);
	g_assert_no_error(err);
	return e;
}

static void
put(const char *root, const char *rel, const char *content)
{
	g_autofree char *path = g_build_filename(root, rel, NULL);
	g_autofree char *dir = g_path_get_dirname(path);
	g_autoptr(GError) err = NULL;

	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_file_set_contents(path, content, -1, &err);
	g_assert_no_error(err);
}

static gboolean
exists(const char *root, const char *rel)
{
	g_autofree char *path = g_build_filename(root, rel, NULL);

	return g_file_test(path, G_FILE_TEST_EXISTS);
}

static void
test_remove(void)
{
	g_autofree char *root = NULL;
	g_autoptr(tb_executor) e = make_in("remove", &root);
	g_autoptr(GError) err = NULL;
	g_autofree char *msg = NULL;

	put(root, "3/o/0", "zero");
	put(root, "3/o/17", "seventeen");
	put(root, "3/o/.5.AbCdEf", "a fetch's temporary file");
	put(root, "4/o/1", "another site");
	g_assert_true(e->remove(e->user, 3, &err));
	g_assert_no_error(err);
	g_assert_false(exists(root, "3"));
	g_assert_true(exists(root, "4/o/1"));
	/* Nothing there: done as well, twice. */
	g_assert_true(e->remove(e->user, 3, &err));
	g_assert_true(e->remove(e->user, 8, &err));
	g_assert_no_error(err);
	/* Something a fetch does not make is left alone, and said. */
	put(root, "4/o/sub/x", "not ours");
	g_assert_false(e->remove(e->user, 4, &err));
	msg = g_strdup_printf("removing %s/4: %s/4/o/sub is not a regular file, left alone",
			      root, root);
	g_assert_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE);
	g_assert_cmpstr(err->message, ==, msg);
	g_assert_true(exists(root, "4/o/sub/x"));
	g_clear_error(&err);
	put(root, "5/other", "not ours either");
	g_assert_false(e->remove(e->user, 5, &err));
	g_free(msg);
	msg = g_strdup_printf("removing %s/5: %s", root, g_strerror(ENOTEMPTY));
	g_assert_cmpstr(err->message, ==, msg);
}

static void
test_push(void)
{
	g_autofree char *root = NULL;
	g_autoptr(tb_executor) e = make_in("push", &root);
	g_autoptr(GError) err = NULL;

	g_assert_false(e->push(e->user, 9, 2, 0x7f000001, &err));
	g_assert_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_PUSH);
	g_assert_cmpstr(err->message, ==,
			"push is not supported on the testbed: over HTTP a copy of site 9 "
			"cannot be written into node 2's rescue root unless that node fetches it "
			"(spread = predistributed is refused by the harness)");
}

/* A whole-site fetch lists the site's own files first: without a root,
 * or with a name that is no object, it fails before any transfer. */
static void
test_whole_site_unknown(void)
{
	g_autofree char *rescue = g_build_filename(scratch, "whole", NULL);
	g_autofree char *site = g_build_filename(scratch, "site7", NULL);
	g_autofree char *group = NULL, *msg = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_executor) e = NULL;

	g_assert_cmpint(g_mkdir(rescue, 0755), ==, 0);
	put(site, "o/1", "one");
	put(site, "o/index.html", "no object");
	group = g_strdup_printf("[site 7]\nbytes = 1B\nowner = 5\nroot = %s\n"
				"[site 8]\nbytes = 1B\nowner = 5\n"
				"[peer 5]\naddress = 127.0.0.2\n"
				"key = 000102030405060708090a0b0c0d0e0f\n"
				"[executor]\ndns_server = 127.0.0.1:53\nkey_name = k\n"
				"key_secret = " SECRET "\nrescue_root = %s\n", site, rescue);
	e = make(group, &err);
	g_assert_no_error(err);
	g_assert_false(e->fetch(e->user, 8, FC_WHOLE_SITE, 5, 0x7f000002, &err));
	g_assert_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE);
	g_assert_cmpstr(err->message, ==,
			"site 8 has no root in the configuration: its objects are not known");
	g_clear_error(&err);
	g_assert_false(e->fetch(e->user, 7, FC_WHOLE_SITE, 5, 0x7f000002, &err));
	msg = g_strdup_printf("site 7: %s/o/index.html is not an object (a name that is a "
			      "decimal number)", site);
	g_assert_cmpstr(err->message, ==, msg);
	g_assert_false(exists(rescue, "7"));
}

static void
remove_tree(const char *path)
{
	g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(path, name, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
			remove_tree(p);
		else
			g_unlink(p);
	}
	g_rmdir(path);
}

int
main(int argc, char **argv)
{
	int status;

	g_test_init(&argc, &argv, NULL);
	scratch = g_dir_make_tmp("test-exec.XXXXXX", NULL);
	g_assert_nonnull(scratch);
	g_test_add_func("/exec/full", test_full);
	g_test_add_func("/exec/defaults", test_defaults);
	g_test_add_func("/exec/bad", test_bad);
	g_test_add_func("/exec/no-group", test_no_group);
	g_test_add_func("/exec/remove", test_remove);
	g_test_add_func("/exec/push", test_push);
	g_test_add_func("/exec/whole-site-unknown", test_whole_site_unknown);
	status = g_test_run();
	remove_tree(scratch);
	g_free(scratch);
	return status;
}
