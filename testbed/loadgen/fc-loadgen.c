/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-loadgen: the testbed's clients (testbed/loadgen/README.md).
 *
 *   fc-loadgen [--start=NS] CONFIG PLAN [RESULTS]
 *
 * Executes the visits of PLAN in real time from the start instant
 * (--start, else the config's start_ns, else now; CLOCK_REALTIME
 * nanoseconds), with the settings of CONFIG, and writes a line per visit
 * to RESULTS (else the config's results) and a line per request to the
 * config's requests (else RESULTS with "-requests" before ".tsv").  On
 * SIGINT or SIGTERM it stops, writes the visits under way as stopped and
 * exits.  It prints one summary line on stdout.
 *
 * Exit status: 0 done (or stopped by a signal), 1 the run failed, 2 bad
 * input or setup.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>

#include "testbed/loadgen/config.h"
#include "testbed/loadgen/loadgen.h"
#include "testbed/loadgen/plan.h"
#include "testbed/loadgen/sched.h"

#define EXIT_FAILED 1
#define EXIT_BAD 2

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The requests file beside the visits file. */
static char *
requests_path(const char *results)
{
	if (g_str_has_suffix(results, ".tsv"))
		return g_strdup_printf("%.*s-requests.tsv", (int)strlen(results) - 4, results);
	return g_strconcat(results, "-requests", NULL);
}

static FILE *
open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "fc-loadgen: %s: cannot create: %s\n", path, g_strerror(errno));
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	return f;
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* As many descriptors as we may (a connection each); a warning when that
 * is fewer than the connections allowed. */
static void
raise_nofile(guint max_connections)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < (rlim_t)max_connections + 64)
		fprintf(stderr, "fc-loadgen: warning: %llu open files at most (ulimit -n), too few "
				"for max_connections = %u: connections will fail\n",
			(unsigned long long)rl.rlim_cur, max_connections);
}

int
main(int argc, char **argv)
{
	g_autofree char *start_arg = NULL;
	GOptionEntry entries[] = {
		{ "start", 0, 0, G_OPTION_ARG_STRING, &start_arg,
		  "the run's start, CLOCK_REALTIME nanoseconds (default: the config's "
		  "start_ns, else now)", "NS" },
		{ NULL },
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("CONFIG PLAN [RESULTS]");
	g_autoptr(GError) err = NULL;
	g_autofree char *reqpath = NULL;
	struct lg_config c;
	struct lg_plan *plan;
	struct lg_sched *sched;
	g_autoptr(lg_run) run = NULL;
	const char *results;
	const struct lg_stats *st;
	FILE *visits = NULL, *requests = NULL;
	guint64 nvisits;
	fc_time_t t0;
	double cpu0;
	gboolean ok;
	struct sigaction sa = { .sa_handler = on_signal };

	g_option_context_set_summary(oc, "Executes a plan of visits against the testbed's "
				     "servers (testbed/loadgen/README.md).");
	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "fc-loadgen: %s\n", err->message);
		return EXIT_BAD;
	}
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "fc-loadgen: give a config, a plan and maybe a results file "
				"(see fc-loadgen --help)\n");
		return EXIT_BAD;
	}
	if (!lg_config_load(&c, argv[1], &err)) {
		fprintf(stderr, "fc-loadgen: %s\n", err->message);
		lg_config_clear(&c);
		return EXIT_BAD;
	}
	if (start_arg) {
		guint64 ns;

		if (!g_ascii_string_to_unsigned(start_arg, 10, 1, G_MAXUINT64 - 1, &ns, NULL)) {
			fprintf(stderr, "fc-loadgen: --start '%s' is not a CLOCK_REALTIME "
					"instant in nanoseconds\n", start_arg);
			lg_config_clear(&c);
			return EXIT_BAD;
		}
		c.has_start = TRUE;
		c.start = ns;
	}
	results = argc == 4 ? argv[3] : c.results;
	if (!results) {
		fprintf(stderr, "fc-loadgen: %s: no results file: give one on the command "
				"line or as [loadgen] results\n", argv[1]);
		lg_config_clear(&c);
		return EXIT_BAD;
	}
	/* The whole plan is checked before anything starts. */
	if (!lg_plan_check(argv[2], &nvisits, &err) ||
	    !(plan = lg_plan_open(argv[2], &err))) {
		fprintf(stderr, "fc-loadgen: %s\n", err->message);
		lg_config_clear(&c);
		return EXIT_BAD;
	}
	reqpath = c.requests ? g_strdup(c.requests) : requests_path(results);
	visits = open_out(results);
	requests = visits ? open_out(reqpath) : NULL;
	if (!requests) {
		if (visits)
			fclose(visits);
		lg_plan_free(plan);
		lg_config_clear(&c);
		return EXIT_BAD;
	}
	if (!c.has_start) {
		c.has_start = TRUE;
		c.start = lg_realtime();
	}
	sched = lg_sched_new(plan, c.start, &err);
	if (sched)
		run = lg_run_new(&c, sched, visits, requests, &err);
	else
		lg_plan_free(plan);
	if (run)
		raise_nofile(c.max_connections);
	lg_config_clear(&c);
	if (!run) {
		fprintf(stderr, "fc-loadgen: %s\n", err->message);
		fclose(visits);
		fclose(requests);
		return EXIT_BAD;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	t0 = lg_realtime();
	cpu0 = cpu_seconds();
	ok = lg_run_run(run, &stop, &err);
	st = lg_run_stats(run);
	{
		double cpu = cpu_seconds() - cpu0;

		printf("fc-loadgen: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " visits "
		       "started (%" G_GUINT64_FORMAT " ok, %" G_GUINT64_FORMAT " abandoned, %"
		       G_GUINT64_FORMAT " failed, %" G_GUINT64_FORMAT " stopped, %"
		       G_GUINT64_FORMAT " bt), %" G_GUINT64_FORMAT " requests, %"
		       G_GUINT64_FORMAT " redirects, %" G_GUINT64_FORMAT " lookups, %"
		       G_GUINT64_FORMAT " bytes in %.1f s; at most %u visits and %u transfers "
		       "at once, %.1f ms late at most, %.1f ms the longest turn of the loop; CPU %.2f s, "
		       "%.3f s per 1000 requests%s\n",
		       st->started, nvisits, st->ok, st->abandoned, st->failed, st->stopped,
		       st->bt, st->requests, st->redirects, st->lookups, st->bytes,
		       (double)(lg_realtime() - t0) / 1e9, st->live_max, st->transfers_max,
		       (double)st->late_max / 1e6, (double)st->busy_max / 1e6, cpu,
		       st->requests ? cpu * 1000 / (double)st->requests : 0.0,
		       stop ? "; stopped by a signal" : "");
	}
	if (fclose(visits) != 0 || fclose(requests) != 0) {
		fprintf(stderr, "fc-loadgen: %s: cannot write: %s\n", results, g_strerror(errno));
		return EXIT_FAILED;
	}
	if (!ok) {
		fprintf(stderr, "fc-loadgen: %s\n", err->message);
		return EXIT_FAILED;
	}
	return 0;
}
