/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fc-loadgen's plan and config parsers: good files, and each bad case. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "testbed/loadgen/config.h"
#include "testbed/loadgen/plan.h"
#include "tests/testutil.h"

#define H LG_PLAN_HEADER "\n"

struct fixture {
	char *dir;
};

static void
fx_setup(struct fixture *f, gconstpointer data)
{
	(void)data;
	f->dir = g_dir_make_tmp("test-lg-parse-XXXXXX", NULL);
	g_assert_nonnull(f->dir);
}

static void
fx_teardown(struct fixture *f, gconstpointer data)
{
	g_autoptr(GDir) d = g_dir_open(f->dir, 0, NULL);
	const char *name;

	(void)data;
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(f->dir, name, NULL);

		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
}

static char *
write_file(struct fixture *f, const char *name, const char *text)
{
	char *p = g_build_filename(f->dir, name, NULL);

	g_assert_true(g_file_set_contents(p, text, -1, NULL));
	return p;
}

static void
test_plan_good(struct fixture *f, gconstpointer data)
{
	g_autofree char *p = write_file(f, "plan.tsv",
		H "7\t0.000\tsite0.flash.test\t/o/0,/o/1,/o/2\t30000\t-\n"
		  "8\t12.5\tsite1.flash.test\t/o/1024\t1500.25\tbt,warmup\n"
		  "9\t12.5\t10.77.1.2\t/x?a=b\t1\tfuture_flag\n");
	g_autoptr(GError) err = NULL;
	g_autoptr(lg_plan) plan = lg_plan_open(p, &err);
	struct lg_plan_visit v = { 0 };
	guint64 n = 0;

	(void)data;
	g_assert_no_error(err);
	g_assert_cmpint(lg_plan_next(plan, &v, &err), ==, 1);
	g_assert_cmpuint(v.id, ==, 7);
	g_assert_cmpuint(v.start, ==, 0);
	g_assert_cmpstr(v.name, ==, "site0.flash.test");
	g_assert_cmpuint(v.npaths, ==, 3);
	g_assert_cmpstr(v.paths[2], ==, "/o/2");
	g_assert_cmpuint(v.patience, ==, 30 * FC_SEC);
	g_assert_false(v.bt);
	g_assert_false(v.warmup);
	g_assert_cmpstr(v.flags, ==, "-");
	g_assert_cmpint(lg_plan_next(plan, &v, &err), ==, 1);
	g_assert_cmpuint(v.start, ==, 12500 * FC_USEC);
	g_assert_cmpuint(v.patience, ==, 1500250 * FC_USEC);
	g_assert_true(v.bt);
	g_assert_true(v.warmup);
	g_assert_cmpint(lg_plan_next(plan, &v, &err), ==, 1);
	g_assert_cmpstr(v.name, ==, "10.77.1.2");
	g_assert_cmpstr(v.paths[0], ==, "/x?a=b");
	g_assert_false(v.bt);
	g_assert_cmpint(lg_plan_next(plan, &v, &err), ==, 0);
	g_assert_no_error(err);
	lg_plan_visit_clear(&v);
	g_assert_true(lg_plan_check(p, &n, &err));
	g_assert_cmpuint(n, ==, 3);
}

/* A line that must be refused, and a piece of the message. */
static const struct {
	const char *line, *msg;
} bad_lines[] = {
	{ "1\t0\tsite.test\t/a\t100", "5 columns" },
	{ "1\t0\tsite.test\t/a\t100\t-\textra", "7 columns" },
	{ "", "an empty line" },
	{ "x\t0\tsite.test\t/a\t100\t-", "visit_id 'x'" },
	{ "-1\t0\tsite.test\t/a\t100\t-", "visit_id '-1'" },
	{ "99999999999999999999\t0\tsite.test\t/a\t100\t-", "visit_id" },
	{ "1\t-5\tsite.test\t/a\t100\t-", "start_ms '-5'" },
	{ "1\t1.\tsite.test\t/a\t100\t-", "start_ms '1.'" },
	{ "1\t1.1234567\tsite.test\t/a\t100\t-", "start_ms" },
	{ "1\t1e3\tsite.test\t/a\t100\t-", "start_ms '1e3'" },
	{ "1\t\tsite.test\t/a\t100\t-", "start_ms ''" },
	{ "1\t0\t\t/a\t100\t-", "name ''" },
	{ "1\t0\tsite..test\t/a\t100\t-", "name 'site..test'" },
	{ "1\t0\tsite_x.test\t/a\t100\t-", "name 'site_x.test'" },
	{ "1\t0\t.site\t/a\t100\t-", "name '.site'" },
	{ "1\t0\tsite.test\ta\t100\t-", "path 1 'a'" },
	{ "1\t0\tsite.test\t/a,\t100\t-", "path 2 ''" },
	{ "1\t0\tsite.test\t/a,/b c\t100\t-", "path 2 '/b c'" },
	{ "1\t0\tsite.test\t\t100\t-", "no paths" },
	{ "1\t0\tsite.test\t/a\t0\t-", "patience_ms '0'" },
	{ "1\t0\tsite.test\t/a\tsoon\t-", "patience_ms 'soon'" },
	{ "1\t0\tsite.test\t/a\t100\t", "flags ''" },
	{ "1\t0\tsite.test\t/a\t100\tBT", "flags 'BT'" },
	{ "1\t0\tsite.test\t/a\t100\tbt,", "flags 'bt,'" },
};

static void
test_plan_bad_lines(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(bad_lines); i++) {
		g_autoptr(GError) err = NULL;
		struct lg_plan_visit v = { 0 };

		if (!lg_plan_parse_line(bad_lines[i].line, "p.tsv:4", &v, &err)) {
			g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL);
			if (!g_str_has_prefix(err->message, "p.tsv:4: ") ||
			    !strstr(err->message, bad_lines[i].msg))
				g_error("line %" G_GSIZE_FORMAT ": message '%s' lacks '%s'", i,
					err->message, bad_lines[i].msg);
			g_assert_null(v.name);
			g_assert_null(v.paths);
		} else {
			g_error("line %" G_GSIZE_FORMAT " ('%s') was accepted", i,
				bad_lines[i].line);
		}
		g_assert_null(strchr(err->message, '\n'));
	}
}

static void
test_plan_bad_files(struct fixture *f, gconstpointer data)
{
	static const struct {
		const char *text, *msg;
	} files[] = {
		{ "", "x.tsv:1: the header" },
		{ "visit_id start_ms name paths patience_ms flags\n", "x.tsv:1: the header" },
		{ H "1\t5\ta.test\t/a\t9\t-\n2\t4.999\ta.test\t/a\t9\t-\n",
		  "x.tsv:3: start_ms goes back in time" },
		{ H "1\t5\ta.test\t/a\t9\t-\n2\t5\ta.test\t/a\t9\t-\n\n", "x.tsv:4: an empty line" },
		{ H "1\t5\ta.test\t/a\t9\t-\r\n", "x.tsv:2: the line ends with a carriage return" },
	};

	(void)data;
	for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *p = write_file(f, "x.tsv", files[i].text);
		g_autoptr(GError) err = NULL;
		guint64 n = 0;

		g_assert_false(lg_plan_check(p, &n, &err));
		g_assert_nonnull(err);
		if (!strstr(err->message, files[i].msg))
			g_error("file %" G_GSIZE_FORMAT ": message '%s' lacks '%s'", i,
				err->message, files[i].msg);
		g_assert_true(g_str_has_prefix(err->message, p));
	}
	{
		g_autofree char *p = g_build_filename(f->dir, "missing.tsv", NULL);
		g_autoptr(GError) err = NULL;
		guint64 n;

		g_assert_false(lg_plan_check(p, &n, &err));
		g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	}
}

static void
test_config_good(struct fixture *f, gconstpointer data)
{
	g_autofree char *p = write_file(f, "lg.ini",
		"# a comment\n[loadgen]\ndns_server = 10.77.200.2:53\n"
		"resolver_cache = none\nrotate = false\nport = 8080\nmax_redirects = 0\n"
		"connect_timeout_ms = 2500\ndns_timeout_ms = 300\ndns_tries = 1\n"
		"parallel = 6\nmax_connections = 100\nuser_agent = Mozilla/5.0 (test)\n"
		"source_address = 10.77.210.2\nresults = r.tsv\nrequests = q.tsv\n"
		"start_ns = 1700000000123456789\n");
	g_autofree char *q = write_file(f, "min.ini", "[loadgen]\ndns_server=127.0.0.1:5300\n");
	g_autoptr(GError) err = NULL;
	struct lg_config c;

	(void)data;
	g_assert_true(lg_config_load(&c, p, &err));
	g_assert_no_error(err);
	g_assert_cmpstr(c.dns_server, ==, "10.77.200.2:53");
	g_assert_cmpint(c.cache, ==, LG_CACHE_NONE);
	g_assert_false(c.rotate);
	g_assert_cmpuint(c.port, ==, 8080);
	g_assert_cmpuint(c.max_redirects, ==, 0);
	g_assert_cmpuint(c.connect_timeout, ==, 2500 * FC_MSEC);
	g_assert_cmpuint(c.dns_timeout, ==, 300 * FC_MSEC);
	g_assert_cmpuint(c.dns_tries, ==, 1);
	g_assert_cmpuint(c.parallel, ==, 6);
	g_assert_cmpuint(c.max_connections, ==, 100);
	g_assert_cmpstr(c.user_agent, ==, "Mozilla/5.0 (test)");
	g_assert_cmpstr(c.source_address, ==, "10.77.210.2");
	g_assert_cmpstr(c.results, ==, "r.tsv");
	g_assert_cmpstr(c.requests, ==, "q.tsv");
	g_assert_true(c.has_start);
	g_assert_cmpuint(c.start, ==, G_GUINT64_CONSTANT(1700000000123456789));
	lg_config_clear(&c);
	/* The defaults. */
	g_assert_true(lg_config_load(&c, q, &err));
	g_assert_cmpint(c.cache, ==, LG_CACHE_SHARED);
	g_assert_true(c.rotate);
	g_assert_cmpuint(c.port, ==, 80);
	g_assert_cmpuint(c.max_redirects, ==, 5);
	g_assert_cmpuint(c.connect_timeout, ==, 127 * FC_SEC);
	g_assert_cmpuint(c.parallel, ==, 4);
	g_assert_null(c.source_address);
	g_assert_null(c.results);
	g_assert_false(c.has_start);
	lg_config_clear(&c);
}

static void
test_config_bad(struct fixture *f, gconstpointer data)
{
	static const struct {
		const char *text, *msg;
	} files[] = {
		{ "[loadgen]\nport = 80\n", "c.ini: [loadgen] dns_server is missing" },
		{ "[loadgen]\ndns_server = 10.77.200.2\n", "c.ini:2: [loadgen] dns_server" },
		{ "[loadgen]\ndns_server = bind:53\n", "not IPv4:port" },
		{ "[loadgen]\ndns_server = 10.77.200.2:0\n", "not IPv4:port" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\ndns_sever = 1.2.3.4:53\n",
		  "c.ini:3: unknown key 'dns_sever'" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\n[clients]\n", "c.ini:3: unknown group [clients]" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\nresolver_cache = some\n", "resolver_cache" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\nrotate = yes\n", "not true or false" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\nport = 65536\n", "port = '65536'" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\nmax_redirects = -1\n", "max_redirects" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\nconnect_timeout_ms = 0\n", "connect_timeout_ms" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\ndns_timeout_ms = 1s\n", "dns_timeout_ms" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\ndns_tries = 0\n", "dns_tries" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\nparallel = 0\n", "c.ini:3: [loadgen] parallel" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\nmax_connections = 2000000\n", "max_connections" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\nuser_agent =\n", "user_agent" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\nsource_address = ::1\n", "source_address" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\nresults =\n", "results" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\nstart_ns = 1.5\n", "start_ns" },
		{ "[loadgen]\ndns_server = 1.2.3.4:53\nparallel = 2\nparallel = 3\n", "c.ini:4" },
		{ "dns_server = 1.2.3.4:53\n", "c.ini:1" },
		{ "[loadgen\n", "c.ini" },
	};

	(void)data;
	for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *p = write_file(f, "c.ini", files[i].text);
		g_autoptr(GError) err = NULL;
		struct lg_config c;

		g_assert_false(lg_config_load(&c, p, &err));
		lg_config_clear(&c);
		g_assert_nonnull(err);
		if (!strstr(err->message, files[i].msg) || !strstr(err->message, p))
			g_error("file %" G_GSIZE_FORMAT ": message '%s' lacks '%s'", i,
				err->message, files[i].msg);
		g_assert_null(strchr(err->message, '\n'));
	}
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add("/lg-parse/plan-good", struct fixture, NULL, fx_setup, test_plan_good,
		   fx_teardown);
	g_test_add_func("/lg-parse/plan-bad-lines", test_plan_bad_lines);
	g_test_add("/lg-parse/plan-bad-files", struct fixture, NULL, fx_setup,
		   test_plan_bad_files, fx_teardown);
	g_test_add("/lg-parse/config-good", struct fixture, NULL, fx_setup, test_config_good,
		   fx_teardown);
	g_test_add("/lg-parse/config-bad", struct fixture, NULL, fx_setup, test_config_bad,
		   fx_teardown);
	return g_test_run();
}
