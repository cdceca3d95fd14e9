/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Scenario parsing against a key table of the tests' own, which has a key of
 * every type: values, canonical forms, ranges, lists, includes, overrides,
 * provenance and the stable keys.  The program's own files are checked by
 * tests/bad-input.sh and the tests/t-*.sh scripts.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sim/autoptr.h"
#include "sim/keys.h"
#include "sim/scenario.h"
#include "tests/testutil.h"

static const struct fc_enum_name policies[] = {
	{ "none", 10 }, { "mirror", 11 }, { "redirect", 12 }, { "coop", 13 }, { NULL, 0 },
};

static const struct key_def defs[] = {
	{ "net", "delay", KEY_DURATION, 0, NULL, "10ms", NULL, "1h", NULL, "one-way delay" },
	{ "net", "buffer", KEY_SIZE, 0, NULL, "64KiB", "1B", NULL, NULL, "buffer" },
	{ "net", "uplink", KEY_RATE, 0, NULL, "100Mbit/s", ">0bit/s", NULL, NULL, "uplink" },
	{ "net", "loss", KEY_RATIO, 0, NULL, "0", "0", "1", NULL, "loss ratio" },
	{ "net", "hosts", KEY_COUNT, 0, "hosts", "10", "1", "1000", NULL, "hosts" },
	{ "net", "alpha", KEY_REAL, 0, NULL, "1.1", ">0", NULL, NULL, "Pareto shape" },
	{ "net", "fast", KEY_BOOL, 0, NULL, "false", NULL, NULL, NULL, "fast path" },
	{ "net", "policy", KEY_ENUM, 0, NULL, "none", NULL, NULL, policies,
	  "policy" },
	{ "net", "sizes", KEY_SIZE, KEY_LIST, NULL, "1kB, 2kB", NULL, "1MB", NULL, "sizes" },
	{ "net", "note", KEY_STRING, KEY_META, NULL, "", NULL, NULL, NULL, "a note" },
	{ "scenario", "include", KEY_STRING, KEY_META, NULL, "", NULL, NULL, NULL, "base" },
	{ "scenario", "name", KEY_STRING, KEY_META, NULL, "", NULL, NULL, NULL, "name" },
};
static const struct key_table table = { defs, G_N_ELEMENTS(defs) };

static char *dir;

static char *
write_file(const char *name, const char *text)
{
	char *path = g_build_filename(dir, name, NULL);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static void
set_ok(struct scenario *sc, const char *key, const char *value)
{
	g_autoptr(GError) err = NULL;

	if (!scenario_set(sc, key, value, "test", &err))
		g_error("%s = %s: %s", key, value, err->message);
}

static void
set_bad(struct scenario *sc, const char *key, const char *value, const char *msg)
{
	g_autoptr(GError) err = NULL;

	if (scenario_set(sc, key, value, "test", &err))
		g_error("%s = %s was accepted", key, value);
	if (!strstr(err->message, msg))
		g_error("%s = %s: '%s' lacks '%s'", key, value, err->message, msg);
}

static void
test_defaults(void)
{
	g_autoptr(fc_scenario) sc = scenario_new(&table);

	g_assert_cmpuint(scenario_duration(sc, "net", "delay"), ==, 10 * FC_MSEC);
	g_assert_cmpuint(scenario_size(sc, "net", "buffer"), ==, 65536);
	g_assert_cmpuint(scenario_rate(sc, "net", "uplink"), ==, 100000000);
	g_assert_cmpfloat(scenario_ratio(sc, "net", "loss"), ==, 0);
	g_assert_cmpuint(scenario_count(sc, "net", "hosts"), ==, 10);
	g_assert_cmpfloat(scenario_real(sc, "net", "alpha"), ==, 1.1);
	g_assert_false(scenario_bool(sc, "net", "fast"));
	g_assert_cmpstr(scenario_choice(sc, "net", "policy"), ==, "none");
	g_assert_cmpint(scenario_enum(sc, "net", "policy"), ==, 10);
	g_assert_cmpuint(scenario_list_len(sc, "net", "sizes"), ==, 2);
	g_assert_cmpuint(scenario_list_u64(sc, "net", "sizes", 1), ==, 2000);
	g_assert_cmpstr(scenario_where(sc, "net", "hosts"), ==, "default");
	g_assert_false(scenario_is_set(sc, "net", "hosts"));
	g_assert_cmpstr(scenario_name(sc), ==, "default");
}

static void
test_values(void)
{
	g_autoptr(fc_scenario) sc = scenario_new(&table);

	set_ok(sc, "net.delay", " 1.5ms ");
	g_assert_cmpuint(scenario_duration(sc, "net", "delay"), ==, 1500 * FC_USEC);
	g_assert_cmpstr(scenario_value_text(sc, "net", "delay"), ==, "1500us");
	set_ok(sc, "net.delay", "60s");
	g_assert_cmpstr(scenario_value_text(sc, "net", "delay"), ==, "1min");
	set_ok(sc, "net.buffer", "1.5MiB");
	g_assert_cmpuint(scenario_size(sc, "net", "buffer"), ==, 1572864);
	g_assert_cmpstr(scenario_value_text(sc, "net", "buffer"), ==, "1536KiB");
	set_ok(sc, "net.uplink", "2MB/s");
	g_assert_cmpuint(scenario_rate(sc, "net", "uplink"), ==, 16000000);
	g_assert_cmpstr(scenario_value_text(sc, "net", "uplink"), ==, "16Mbit/s");
	set_ok(sc, "net.loss", "30%");
	g_assert_cmpfloat(scenario_ratio(sc, "net", "loss"), ==, 0.3);
	g_assert_cmpstr(scenario_value_text(sc, "net", "loss"), ==, "0.3");
	set_ok(sc, "net.loss", "0.25");
	g_assert_cmpfloat(scenario_ratio(sc, "net", "loss"), ==, 0.25);
	set_ok(sc, "net.alpha", "1e-3");
	g_assert_cmpstr(scenario_value_text(sc, "net", "alpha"), ==, "0.001");
	set_ok(sc, "net.fast", "true");
	g_assert_true(scenario_bool(sc, "net", "fast"));
	set_ok(sc, "net.policy", "coop");
	g_assert_cmpstr(scenario_choice(sc, "net", "policy"), ==, "coop");
	g_assert_cmpint(scenario_enum(sc, "net", "policy"), ==, 13);
	set_ok(sc, "net.sizes", "1kB,  64KiB ,1MB");
	g_assert_cmpuint(scenario_list_len(sc, "net", "sizes"), ==, 3);
	g_assert_cmpuint(scenario_list_u64(sc, "net", "sizes", 2), ==, 1000000);
	g_assert_cmpstr(scenario_value_text(sc, "net", "sizes"), ==, "1kB, 64KiB, 1MB");
	set_ok(sc, "net.sizes", "");
	g_assert_cmpuint(scenario_list_len(sc, "net", "sizes"), ==, 0);
	g_assert_cmpstr(scenario_where(sc, "net", "sizes"), ==, "test");
	g_assert_true(scenario_is_set(sc, "net", "sizes"));
}

static void
test_bad_values(void)
{
	g_autoptr(fc_scenario) sc = scenario_new(&table);

	set_bad(sc, "net.delay", "2h", "it must be <= 1h");
	set_bad(sc, "net.buffer", "0B", "it must be >= 1B");
	set_bad(sc, "net.buffer", "64 KB", "unknown unit 'KB'; did you mean 'kB'?");
	set_bad(sc, "net.buffer", "0.1B", "not a whole number of bytes");
	set_bad(sc, "net.uplink", "0bit/s", "it must be > 0bit/s");
	set_bad(sc, "net.uplink", "100MBps", "unknown unit 'MBps' (");
	set_bad(sc, "net.uplink", "100", "the unit is missing");
	set_bad(sc, "net.loss", "130%", "it must be <= 1");
	set_bad(sc, "net.loss", "-0.1", "it must be >= 0");
	set_bad(sc, "net.loss", "lots", "expected a ratio such as 0.3 or 30%");
	set_bad(sc, "net.hosts", "1001", "it must be <= 1000");
	set_bad(sc, "net.alpha", "0", "it must be > 0");
	set_bad(sc, "net.fast", "maybe", "expected true or false");
	set_bad(sc, "net.policy", "redirekt", "did you mean 'redirect'?");
	set_bad(sc, "net.sizes", "1kB, 2MB", "2MB is out of range");
	set_bad(sc, "net.sizes", "1kB,", "item 2 is empty");
	set_bad(sc, "net.host", "3", "did you mean 'net.hosts'?");
	set_bad(sc, "nett.hosts", "3", "did you mean 'net.hosts'?");
	set_bad(sc, "hosts", "3", "expected group.key");
	set_bad(sc, "scenario.include", "x.ini", "only be given in a file");
	/* A refused value leaves the old one. */
	g_assert_cmpuint(scenario_count(sc, "net", "hosts"), ==, 10);
}

static void
test_include(void)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *base = write_file("base.ini",
		"# base\n[net]\nhosts = 20\ndelay = 5ms\n");
	g_autofree char *top = write_file("top.ini",
		"[scenario]\ninclude = base.ini\n\n[net]\ndelay = 7ms\n");
	g_autoptr(fc_scenario) sc = scenario_load(&table, top, &err);
	g_autofree char *where_hosts = g_strdup_printf("%s:3", base);
	g_autofree char *where_delay = g_strdup_printf("%s:5", top);

	g_assert_no_error(err);
	g_assert_cmpuint(scenario_count(sc, "net", "hosts"), ==, 20);
	g_assert_cmpuint(scenario_duration(sc, "net", "delay"), ==, 7 * FC_MSEC);
	g_assert_cmpstr(scenario_where(sc, "net", "hosts"), ==, where_hosts);
	g_assert_cmpstr(scenario_where(sc, "net", "delay"), ==, where_delay);
	g_assert_cmpstr(scenario_name(sc), ==, "top");
	g_assert_nonnull(strstr(scenario_text(sc), "delay = 7ms"));
	g_assert_nonnull(strstr(scenario_text(sc), "hosts = 20"));
}

static void
test_keys_stable(void)
{
	g_autoptr(fc_scenario) a = scenario_new(&table);
	g_autoptr(fc_scenario) b = NULL;
	g_autofree char *ka = NULL, *kb = NULL, *ra0 = NULL, *ra1 = NULL;
	g_autofree char *kb2 = NULL, *kb3 = NULL;

	set_ok(a, "net.delay", "60s");
	b = scenario_copy(a);
	set_ok(b, "net.delay", "1min");
	ka = scenario_point_key(a);
	kb = scenario_point_key(b);
	g_assert_cmpuint(strlen(ka), ==, 16);
	/* Units are normalised: 60s and 1min are one point. */
	g_assert_cmpstr(ka, ==, kb);
	/* A note does not change results, so it does not change the key. */
	set_ok(b, "net.note", "hello");
	kb2 = scenario_point_key(b);
	g_assert_cmpstr(ka, ==, kb2);
	set_ok(b, "net.hosts", "11");
	kb3 = scenario_point_key(b);
	g_assert_cmpstr(ka, !=, kb3);
	ra0 = scenario_run_key(a, 0);
	ra1 = scenario_run_key(a, 1);
	g_assert_cmpstr(ra0, !=, ra1);
	g_assert_cmpstr(ra0, !=, ka);
	/* The copy is independent. */
	g_assert_cmpuint(scenario_count(a, "net", "hosts"), ==, 10);
}

static void
test_markdown(void)
{
	g_autofree char *md = keys_markdown(&table);
	g_autofree char *text = keys_text(&table);

	g_assert_nonnull(strstr(md, "## [net]"));
	g_assert_nonnull(strstr(md, "| `policy` | choice | none\\|mirror\\|redirect\\|coop |"));
	g_assert_nonnull(strstr(md, "| `uplink` | rate |"));
	g_assert_nonnull(strstr(md, "> 0bit/s"));
	g_assert_nonnull(strstr(text, "sizes              list of size"));
}

static void
test_suggest(void)
{
	static const char *const words[] = { "cooperators", "origin", "servers" };

	g_assert_cmpstr(keys_suggest("cooperator", words, 3), ==, "cooperators");
	g_assert_cmpstr(keys_suggest("coopreators", words, 3), ==, "cooperators");
	g_assert_cmpstr(keys_suggest("Origin", words, 3), ==, "origin");
	g_assert_null(keys_suggest("bandwidth", words, 3));
	g_assert_null(keys_suggest("x", words, 3));
	/* A name far longer than any candidate is out of reach at once. */
	{
		g_autofree char *huge = g_strnfill(1 << 24, 'c');

		g_assert_null(keys_suggest(huge, words, 3));
	}
}

/* Messages quote at most KEYS_QUOTE_MAX characters of a name or value. */
static void
test_shorten(void)
{
	g_autofree char *a = keys_shorten("servers");
	g_autofree char *b = g_strnfill(KEYS_QUOTE_MAX, 'x');
	g_autofree char *c = keys_shorten(b);
	g_autofree char *d = g_strnfill(KEYS_QUOTE_MAX + 1, 'y');
	g_autofree char *e = keys_shorten(d);
	g_autofree char *f = NULL;
	GString *utf8 = g_string_new(NULL);

	g_assert_cmpstr(a, ==, "servers");
	g_assert_cmpstr(c, ==, b);
	g_assert_cmpuint(strlen(e), ==, KEYS_QUOTE_MAX + 3);
	g_assert_true(g_str_has_suffix(e, "y..."));
	/* Cut between characters, never inside one. */
	for (int i = 0; i < KEYS_QUOTE_MAX + 5; i++)
		g_string_append(utf8, "\xc3\xa9");
	f = keys_shorten(utf8->str);
	g_assert_true(g_utf8_validate(f, -1, NULL));
	g_assert_cmpuint(g_utf8_strlen(f, -1), ==, KEYS_QUOTE_MAX + 3);
	g_string_free(utf8, TRUE);
}

int
main(int argc, char **argv)
{
	int rc;

	testutil_init(&argc, &argv);
	{
		g_autoptr(GError) err = NULL;

		/* XXXXXX: g_dir_make_tmp's template for a unique name. */
		dir = g_dir_make_tmp("test-scenario-XXXXXX", &err);
		g_assert_no_error(err);
	}
	g_test_add_func("/scenario/defaults", test_defaults);
	g_test_add_func("/scenario/values", test_values);
	g_test_add_func("/scenario/bad-values", test_bad_values);
	g_test_add_func("/scenario/include", test_include);
	g_test_add_func("/scenario/keys-stable", test_keys_stable);
	g_test_add_func("/scenario/markdown", test_markdown);
	g_test_add_func("/scenario/suggest", test_suggest);
	g_test_add_func("/scenario/shorten", test_shorten);
	rc = g_test_run();
	{
		g_autofree char *a = g_build_filename(dir, "base.ini", NULL);
		g_autofree char *b = g_build_filename(dir, "top.ini", NULL);

		g_unlink(a);
		g_unlink(b);
		g_rmdir(dir);
	}
	g_free(dir);
	return rc;
}
