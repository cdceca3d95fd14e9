/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Every key of the program's key table (models/keys.c) at the ends of its
 * range: its minimum and maximum (the type's own limits where the table
 * gives none) and one step past each.  A value inside the range must either
 * be refused (exit 2, one line on stderr: a cross-key constraint or the work
 * budget) or give a run that ends, done (0) or failed with its message (1);
 * a value outside must be refused.  A crash, a sanitizer report, a run that
 * outlives its time limit or one that outgrows its memory cap fails the test.
 *
 * The cases come from the table itself, so a new key is walked without a
 * change here.  Each value is tried under the models that read its group
 * (sim_model_reads_group()); a warning that the value has no effect with
 * the base scenario's other keys is allowed besides.  Each case is a
 * `flashcoop run` of a few simulated seconds in a process of its own
 * ($FLASHCOOP, default build/flashcoop), several at once.
 *
 * /ranges/walk walks every key (make validate); /ranges/sample walks every
 * seventh key of the table (the first, the eighth, ...), always the same
 * ones, so that make check stays fast and its result does not depend on
 * the date.  Set RANGES_KEYS to a comma-separated list of group.name to
 * walk only those.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/models.h"
#include "sim/model.h"
#include "sim/value.h"
#include "tests/testutil.h"

/*
 * Wall-clock limit of one case, in seconds: far above what any takes (the
 * slowest, 500 cooperators, takes about 7 s of CPU, three times that under
 * the sanitizers).  Address-space cap of one case without ASan, which
 * reserves terabytes of shadow memory.
 */
#ifdef __SANITIZE_ADDRESS__
#define CASE_TIMEOUT "180"
#else
#define CASE_TIMEOUT "60"
#define CASE_MEMORY ((rlim_t)4 << 30)
#endif

/* The base scenario of each model: a few simulated seconds. */
static const struct {
	const char *model, *text;
} bases[] = {
	{ "mmck",
	  "[run]\nmodel = mmck\nduration = 5s\n"
	  "[mmck]\nsample_interval = 1s\n" },
	{ "swarm",
	  "[run]\nmodel = swarm\nduration = 5s\n"
	  "[swarm]\narrival_rate = 4\nfile_size = 1MiB\nsample_interval = 1s\n" },
	{ "web",
	  "[run]\nmodel = web\nduration = 5s\n"
	  "[web]\ncooperators = 3\nuplink = 2Mbit/s\nsample_interval = 1s\n"
	  "[clients]\nbaseline = 2\nshock = 10\nstart = 0s\nramp_up = 1s\n"
	  "sustained = 2s\nramp_down = 1s\nbittorrent = 30%\n"
	  "[coop]\nload_interval = 500ms\nsmooth_time = 1s\n" },
};

struct walk_case {
	char *model;   /* base scenario */
	char *assign;  /* group.key=value */
	bool inside;   /* the value is inside the key's range */
	char *dir;     /* working directory of the run */
	pid_t pid;
	int status;
};

static void
walk_case_free(gpointer p)
{
	struct walk_case *c = p;

	g_free(c->model);
	g_free(c->assign);
	g_free(c->dir);
	g_free(c);
}

static bool
is_real(const struct key_def *k)
{
	return k->type == KEY_REAL || k->type == KEY_RATIO;
}

/* Whether text is a value of k's type (not its range). */
static bool
parses(const struct key_def *k, const char *text, union value *v)
{
	g_autofree char *why = NULL;

	return value_parse(k, text, v, &why);
}

/* The largest value of k's type that has a text (the type's own limit). */
static union value
type_max(const struct key_def *k)
{
	union value v;

	if (is_real(k)) {
		v.d = DBL_MAX;
		return v;
	}
	/* Durations stop one short of FC_TIME_NEVER, which means never. */
	for (uint64_t u = UINT64_MAX;; u--) {
		g_autofree char *t = value_format(k, (union value){ .u = u });
		union value back;

		if (parses(k, t, &back) && back.u == u)
			return back;
		g_assert_cmpuint(UINT64_MAX - u, <, 4);
	}
}

/* One step from v: up (+1) or down (-1), for k's type. */
static union value
step(const struct key_def *k, union value v, int dir)
{
	/* The value syntax refuses subnormal reals: next to 0 is DBL_MIN. */
	if (is_real(k) && v.d == 0)
		v.d = dir > 0 ? DBL_MIN : -DBL_MIN;
	else if (is_real(k))
		v.d = nextafter(v.d, dir > 0 ? INFINITY : -INFINITY);
	else
		v.u += (uint64_t)(int64_t)dir;
	return v;
}

/*
 * The bound of k at end (0 min, 1 max): the extreme value inside the range
 * and the first value outside it, as texts; the outside one is a text the
 * type cannot even hold where the range is the type's own.
 */
static void
bound_texts(const struct key_def *k, int end, char **inside, char **outside)
{
	const char *b = end == 0 ? k->min : k->max;
	int out_dir = end == 0 ? -1 : 1;
	union value lim;

	if (!b) {
		if (end == 0) {
			lim = is_real(k) ? (union value){ .d = -DBL_MAX } :
				(union value){ .u = 0 };
		} else {
			lim = type_max(k);
		}
		*inside = value_format(k, lim);
		if (is_real(k)) {
			*outside = g_strdup(end == 0 ? "-1e309" : "1e309");
		} else if (end == 0) {
			g_autofree char *one = value_format(k, (union value){ .u = 1 });

			*outside = g_strdup_printf("-%s", one);
		} else {
			/* UINT64_MAX + 1 with the canonical text's unit. */
			g_autofree char *t = value_format(k, lim);
			const char *unit = t + strspn(t, "0123456789");

			*outside = k->type == KEY_DURATION && lim.u < UINT64_MAX ?
				g_strdup("18446744073709551615ns") :
				g_strdup_printf("18446744073709551616%s", unit);
		}
		return;
	}
	{
		bool open = *b == (end == 0 ? '>' : '<');
		g_autofree char *why = NULL;

		if (!value_parse(k, b + open, &lim, &why))
			g_error("%s.%s: bad bound %s", k->group, k->name, b);
		*inside = value_format(k, open ? step(k, lim, -out_dir) : lim);
		*outside = value_format(k, open ? lim : step(k, lim, out_dir));
	}
}

/* Whether the model named model reads group (sim_model_reads_group()). */
static bool
model_reads(const char *model, const char *group)
{
	for (size_t i = 0; flashcoop_models[i]; i++)
		if (!strcmp(flashcoop_models[i]->name, model))
			return sim_model_reads_group(flashcoop_models[i], group);
	g_error("no model %s", model);
}

static void
add_case(GPtrArray *cases, const struct key_def *k, const char *text, bool inside)
{
	for (size_t m = 0; m < G_N_ELEMENTS(bases); m++) {
		struct walk_case *c;

		if (!model_reads(bases[m].model, k->group))
			continue;
		c = g_new0(struct walk_case, 1);
		c->model = g_strdup(bases[m].model);
		c->assign = g_strdup_printf("%s.%s=%s", k->group, k->name, text);
		c->inside = inside;
		g_ptr_array_add(cases, c);
	}
}

/* The cases of key k: both ends of its range and one step past each. */
static void
key_cases(GPtrArray *cases, const struct key_def *k)
{
	switch (k->type) {
	case KEY_STRING:
		/* Free text has no range; the files a key names are checked
		 * as files (tests/bad-input.sh). */
		return;
	case KEY_BOOL:
		add_case(cases, k, "false", true);
		add_case(cases, k, "true", true);
		add_case(cases, k, "2", false);
		return;
	case KEY_ENUM: {
		size_t n = 0;

		while (k->names[n].name)
			n++;
		add_case(cases, k, k->names[0].name, true);
		add_case(cases, k, k->names[n - 1].name, true);
		add_case(cases, k, "no_such_choice", false);
		return;
	}
	default:
		break;
	}
	for (int end = 0; end < 2; end++) {
		g_autofree char *in = NULL, *out = NULL;
		union value v;

		bound_texts(k, end, &in, &out);
		if (!parses(k, in, &v))
			g_error("%s.%s: %s does not parse", k->group, k->name, in);
		add_case(cases, k, in, true);
		add_case(cases, k, out, false);
	}
}

static pid_t
case_start(struct walk_case *c, const char *prog, const char *tmp, size_t i)
{
	g_autofree char *ini = NULL;
	pid_t pid;

	c->dir = g_strdup_printf("%s/%zu", tmp, i);
	g_assert_cmpint(g_mkdir(c->dir, 0700), ==, 0);
	ini = g_build_filename(c->dir, "base.ini", NULL);
	for (size_t m = 0; m < G_N_ELEMENTS(bases); m++)
		if (!strcmp(bases[m].model, c->model))
			g_assert_true(g_file_set_contents(ini, bases[m].text, -1, NULL));
	pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		g_autofree char *err = g_build_filename(c->dir, "stderr", NULL);
		g_autofree char *db = g_build_filename(c->dir, "r.db", NULL);
		FILE *f = freopen(err, "w", stderr);
#ifndef __SANITIZE_ADDRESS__
		struct rlimit rl = { CASE_MEMORY, CASE_MEMORY };

		setrlimit(RLIMIT_AS, &rl);
#endif
		if (!f || !freopen("/dev/null", "w", stdout))
			_exit(126);
		execlp("timeout", "timeout", "-s", "KILL", CASE_TIMEOUT, prog, "run", "-q",
		       "-o", db, ini, "--set", c->assign, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* What is wrong with how c ended, or NULL. */
static char *
case_verdict(const struct walk_case *c)
{
	g_autofree char *path = g_build_filename(c->dir, "stderr", NULL);
	g_autofree char *err = NULL;
	int lines = 0, code;
	g_auto(GStrv) all = NULL;
	GString *said = g_string_new(NULL);

	g_assert_true(g_file_get_contents(path, &err, NULL, NULL));
	/* A warning that a key has no effect with the base scenario's other
	 * keys is not a verdict on the value: only the other lines count. */
	all = g_strsplit(err, "\n", -1);
	for (size_t i = 0; all[i]; i++) {
		if (!*all[i] || g_str_has_prefix(all[i], "flashcoop run: warning: "))
			continue;
		g_string_append_printf(said, "%s\n", all[i]);
		lines++;
	}
	g_free(err);
	err = g_string_free(said, FALSE);
	g_strchomp(err);
	/* timeout(1) sending SIGKILL dies of it too, with the run. */
	if (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGKILL)
		return g_strdup("no end within " CASE_TIMEOUT " s");
	if (!WIFEXITED(c->status))
		return g_strdup_printf("killed by signal %d", WTERMSIG(c->status));
	code = WEXITSTATUS(c->status);
	if (code == 137 || code == 124)
		return g_strdup("no end within " CASE_TIMEOUT " s");
	if (code == 2)
		return lines == 1 ? NULL :
			g_strdup_printf("refused with %d lines: %s", lines, err);
	if (!c->inside)
		return g_strdup_printf("outside the range, yet exit %d: %s", code, err);
	if (code == 0)
		return lines == 0 ? NULL : g_strdup_printf("done, but said: %s", err);
	if (code == 1)
		return lines == 1 ? NULL :
			g_strdup_printf("failed with %d lines: %s", lines, err);
	return g_strdup_printf("exit %d: %s", code, err);
}

/* Whether key number i of the table is walked by this test. */
typedef bool (*key_filter)(size_t i, const struct key_def *k);

static void
walk(key_filter want)
{
	const char *prog = g_getenv("FLASHCOOP");
	const char *only = g_getenv("RANGES_KEYS");
	g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(walk_case_free);
	g_autoptr(GString) failures = g_string_new(NULL);
	g_autofree char *tmp = g_dir_make_tmp("ranges-XXXXXX", NULL);
	g_auto(GStrv) keys = only ? g_strsplit(only, ",", -1) : NULL;
	size_t next = 0, running = 0, jobs = MAX(2, g_get_num_processors());

	if (!prog)
		prog = "build/flashcoop";
	g_assert_nonnull(tmp);
	for (size_t i = 0; i < flashcoop_keys.n; i++) {
		const struct key_def *k = &flashcoop_keys.defs[i];
		g_autofree char *dotted = g_strdup_printf("%s.%s", k->group, k->name);

		if (keys ? g_strv_contains((const char *const *)keys, dotted) : want(i, k))
			key_cases(cases, k);
	}
	g_test_message("%u cases, %zu at once", cases->len, jobs);
	while (next < cases->len || running) {
		int status;
		pid_t pid;

		while (running < jobs && next < cases->len) {
			struct walk_case *c = cases->pdata[next];

			c->pid = case_start(c, prog, tmp, next);
			next++;
			running++;
		}
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		g_assert_cmpint(pid, >, 0);
		for (guint i = 0; i < next; i++) {
			struct walk_case *c = cases->pdata[i];

			if (c->pid == pid) {
				c->status = status;
				c->pid = 0;
				running--;
			}
		}
	}
	for (guint i = 0; i < cases->len; i++) {
		struct walk_case *c = cases->pdata[i];
		g_autofree char *why = case_verdict(c);

		if (why)
			g_string_append_printf(failures, "%s --set %s: %s\n",
					       c->model, c->assign, why);
	}
	{
		g_autofree char *rm = g_strdup_printf("rm -rf '%s'", tmp);

		g_assert_cmpint(system(rm), ==, 0);
	}
	if (failures->len)
		g_test_fail_printf("%s", failures->str);
}

static bool
every_key(size_t i, const struct key_def *k)
{
	return true;
}

/* Every seventh key of the table, always the same. */
static bool
every_seventh_key(size_t i, const struct key_def *k)
{
	return i % 7 == 0;
}

static void
test_walk(void)
{
	walk(every_key);
}

static void
test_sample(void)
{
	walk(every_seventh_key);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/ranges/sample", test_sample);
	if (g_test_slow())
		g_test_add_func("/ranges/walk", test_walk);
	return g_test_run();
}
