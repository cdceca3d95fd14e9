/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The schedule: which visits start when, on a synthetic clock. */
#include <glib.h>
#include <glib/gstdio.h>

#include "testbed/loadgen/sched.h"
#include "tests/testutil.h"

/* An instant far from 0, as CLOCK_REALTIME gives. */
#define T0 (G_GUINT64_CONSTANT(1700000000) * FC_SEC)

static char *
plan_file(const char *body)
{
	g_autofree char *dir = g_dir_make_tmp("test-lg-sched-XXXXXX", NULL);
	char *p = g_build_filename(dir, "plan.tsv", NULL);
	g_autofree char *text = g_strconcat(LG_PLAN_HEADER "\n", body, NULL);

	g_assert_true(g_file_set_contents(p, text, -1, NULL));
	return p;
}

static void
remove_file(char *p)
{
	g_autofree char *dir = g_path_get_dirname(p);

	g_unlink(p);
	g_rmdir(dir);
	g_free(p);
}

static struct lg_sched *
sched_of(const char *path)
{
	g_autoptr(GError) err = NULL;
	struct lg_plan *plan = lg_plan_open(path, &err);
	struct lg_sched *s;

	g_assert_no_error(err);
	s = lg_sched_new(plan, T0, &err);
	g_assert_no_error(err);
	return s;
}

/* The ids of the visits due at now, as "a,b,c". */
static char *
due(struct lg_sched *s, fc_time_t now)
{
	GString *ids = g_string_new(NULL);
	struct lg_plan_visit v = { 0 };
	g_autoptr(GError) err = NULL;
	int r;

	while ((r = lg_sched_pop(s, now, &v, &err)) > 0) {
		g_assert_cmpuint(T0 + v.start, <=, now);
		g_string_append_printf(ids, "%s%" G_GUINT64_FORMAT, ids->len ? "," : "", v.id);
	}
	g_assert_no_error(err);
	g_assert_cmpint(r, ==, 0);
	lg_plan_visit_clear(&v);
	return g_string_free(ids, FALSE);
}

static void
test_timeline(void)
{
	char *p = plan_file("10\t0\ta.test\t/\t100\t-\n"
			    "11\t0.5\ta.test\t/\t100\t-\n"
			    "12\t1000\ta.test\t/\t100\t-\n"
			    "13\t1000\ta.test\t/\t100\tbt\n"
			    "14\t1000.000001\ta.test\t/\t100\t-\n"
			    "15\t60000\ta.test\t/\t100\t-\n");
	g_autoptr(lg_sched) s = sched_of(p);
	g_autofree char *d0 = NULL, *d1 = NULL, *d2 = NULL, *d3 = NULL, *d4 = NULL,
			*d5 = NULL;

	/* Before the start: nothing. */
	g_assert_cmpuint(lg_sched_next_at(s), ==, T0);
	d0 = due(s, T0 - 1);
	g_assert_cmpstr(d0, ==, "");
	d1 = due(s, T0);
	g_assert_cmpstr(d1, ==, "10");
	g_assert_cmpuint(lg_sched_next_at(s), ==, T0 + 500 * FC_USEC);
	d2 = due(s, T0 + 999 * FC_MSEC);
	g_assert_cmpstr(d2, ==, "11");
	/* Equal starts leave together, in file order; a nanosecond later
	 * waits. */
	d3 = due(s, T0 + FC_SEC);
	g_assert_cmpstr(d3, ==, "12,13");
	g_assert_cmpuint(lg_sched_next_at(s), ==, T0 + FC_SEC + 1);
	/* A late clock gets every visit it passed, in order. */
	d4 = due(s, T0 + 90 * FC_SEC);
	g_assert_cmpstr(d4, ==, "14,15");
	g_assert_cmpuint(lg_sched_next_at(s), ==, FC_TIME_NEVER);
	d5 = due(s, FC_TIME_NEVER - 1);
	g_assert_cmpstr(d5, ==, "");
	g_assert_cmpuint(lg_sched_popped(s), ==, 6);
	remove_file(p);
}

/* A bad line in the middle: the visits before it start, then the error. */
static void
test_bad_line(void)
{
	char *p = plan_file("1\t0\ta.test\t/\t100\t-\n"
			    "2\t5\ta.test\t/\t100\t-\n"
			    "3\t4\ta.test\t/\t100\t-\n");
	g_autoptr(lg_sched) s = sched_of(p);
	g_autoptr(GError) err = NULL;
	struct lg_plan_visit v = { 0 };

	g_assert_cmpint(lg_sched_pop(s, T0 + FC_SEC, &v, &err), ==, 1);
	g_assert_cmpuint(v.id, ==, 1);
	g_assert_cmpint(lg_sched_pop(s, T0 + FC_SEC, &v, &err), ==, -1);
	g_assert_cmpuint(v.id, ==, 2);
	g_assert_nonnull(err);
	g_assert_nonnull(g_strrstr(err->message, "plan.tsv:4: start_ms goes back"));
	lg_plan_visit_clear(&v);
	remove_file(p);
}

static void
test_empty(void)
{
	char *p = plan_file("");
	g_autoptr(lg_sched) s = sched_of(p);
	g_autofree char *d = due(s, FC_TIME_NEVER - 1);

	g_assert_cmpuint(lg_sched_next_at(s), ==, FC_TIME_NEVER);
	g_assert_cmpstr(d, ==, "");
	remove_file(p);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/lg-sched/timeline", test_timeline);
	g_test_add_func("/lg-sched/bad-line", test_bad_line);
	g_test_add_func("/lg-sched/empty", test_empty);
	return g_test_run();
}
