/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The flashcoop program.  Exit status: 0 done, 1 a run failed, 2 bad input
 * (usage, parameters, results database).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <gsl/gsl_errno.h>

#include "mmck.h"
#include "results.h"
#include "version.h"

#define EXIT_BAD_INPUT 2

static int
usage(FILE *f)
{
	fprintf(f,
		"Usage: flashcoop COMMAND [OPTION...]\n"
		"\n"
		"Commands:\n"
		"  mmck      simulate an M/M/c/K station and record it beside its\n"
		"            closed-form solution (validates engine and random streams)\n"
		"\n"
		"Options:\n"
		"  --version  print the version\n"
		"  --help     this text; COMMAND --help for a command's options\n");
	return f == stderr ? EXIT_BAD_INPUT : 0;
}

static gboolean
parse_duration(const char *name, const char *text, fc_time_t *out, GError **err)
{
	if (fc_time_parse(text, out))
		return TRUE;
	g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "%s: expected a duration such as 30s, 1.5ms or 2h, found '%s'",
		    name, text);
	return FALSE;
}

static int
cmd_mmck(int argc, char **argv)
{
	gint servers = 1, capacity = 0;
	gint64 seed = 1, replication = 0;
	double lambda = 0.8, mu = 1.0;
	/* GOption does not free a default it overwrites: NULL means default. */
	g_autofree char *warmup = NULL, *duration = NULL, *output = NULL;
	gboolean quiet = FALSE;
	GOptionEntry entries[] = {
		{ "servers", 'c', 0, G_OPTION_ARG_INT, &servers, "servers, c (default 1)", "C" },
		{ "capacity", 'K', 0, G_OPTION_ARG_INT, &capacity,
		  "customers in the system at most, K >= C (default C + 1000)", "K" },
		{ "arrival-rate", 'l', 0, G_OPTION_ARG_DOUBLE, &lambda,
		  "arrivals per second, lambda (default 0.8)", "RATE" },
		{ "service-rate", 'u', 0, G_OPTION_ARG_DOUBLE, &mu,
		  "services per second per server, mu (default 1)", "RATE" },
		{ "warmup", 'w', 0, G_OPTION_ARG_STRING, &warmup,
		  "time before statistics start (default 1000s)", "DURATION" },
		{ "duration", 'd', 0, G_OPTION_ARG_STRING, &duration,
		  "measured time after the warm-up (default 100000s)", "DURATION" },
		{ "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "master seed (default 1)", "N" },
		{ "replication", 'r', 0, G_OPTION_ARG_INT64, &replication,
		  "replication number (default 0)", "R" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "results database (default results.db)", "FILE" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "print nothing", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx =
		g_option_context_new("- simulate an M/M/c/K station");
	g_autoptr(GError) err = NULL;
	struct mmck_params p = { 0 };
	struct mmck_result res;
	struct mmck_theory th;
	struct results *db;
	int64_t run_id;
	g_autofree char *params = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err))
		goto bad;
	if (argc > 1) {
		g_set_error(&err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "unexpected argument '%s'", argv[1]);
		goto bad;
	}
	if (servers < 1 || capacity < 0 || seed < 0 || replication < 0) {
		g_set_error_literal(&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--servers must be >= 1; --capacity, --seed and "
				    "--replication must not be negative");
		goto bad;
	}
	if (!warmup)
		warmup = g_strdup("1000s");
	if (!duration)
		duration = g_strdup("100000s");
	if (!output)
		output = g_strdup("results.db");
	p.servers = (unsigned)servers;
	p.capacity = capacity ? (unsigned)capacity : p.servers + 1000;
	p.arrival_rate = lambda;
	p.service_rate = mu;
	p.seed = (uint64_t)seed;
	p.replication = (uint64_t)replication;
	if (!parse_duration("--warmup", warmup, &p.warmup, &err) ||
	    !parse_duration("--duration", duration, &p.duration, &err) ||
	    !mmck_params_check(&p, &err))
		goto bad;

	db = results_open(output, &err);
	if (!db)
		goto bad;
	params = g_strdup_printf("servers=%u\ncapacity=%u\narrival_rate=%.17g\n"
				 "service_rate=%.17g\nwarmup=%s\nduration=%s\n",
				 p.servers, p.capacity, lambda, mu, warmup, duration);
	if (!results_run_begin(db, &(struct results_run_info){
		    .scenario = "mmck", .params = params, .seed = p.seed,
		    .replication = p.replication, .version = FLASHCOOP_VERSION },
		    &run_id, &err)) {
		results_close(db);
		goto bad;
	}
	mmck_simulate(&p, &res);
	mmck_theory(&p, &th);
	{
		static const char *const names[] = {
			"mean_in_system", "mean_response_s", "loss_ratio",
			"throughput", "utilisation", "arrivals", "served", "lost",
		};
		const double sim[] = {
			res.mean_in_system, res.mean_response_s, res.loss_ratio,
			res.throughput, res.utilisation, (double)res.arrivals,
			(double)res.served, (double)res.lost,
		};
		const double theory[] = {
			th.mean_in_system, th.mean_response_s, th.loss_ratio,
			th.throughput, th.utilisation,
		};

		if (!results_scalars(db, run_id, "station", names, sim,
				     G_N_ELEMENTS(names), &err) ||
		    !results_scalars(db, run_id, "theory", names, theory,
				     G_N_ELEMENTS(theory), &err) ||
		    !results_run_end(db, run_id, "done", NULL,
				     p.warmup + p.duration, res.events, &err)) {
			fprintf(stderr, "flashcoop: %s\n", err->message);
			results_close(db);
			return 1;
		}
	}
	results_close(db);
	if (!quiet)
		printf("run %" G_GINT64_FORMAT " -> %s\n"
		       "                 simulated    M/M/%u/%u theory\n"
		       "mean in system  %12.5g  %12.5g\n"
		       "response (s)    %12.5g  %12.5g\n"
		       "loss ratio      %12.5g  %12.5g\n"
		       "utilisation     %12.5g  %12.5g\n",
		       run_id, output, p.servers, p.capacity,
		       res.mean_in_system, th.mean_in_system,
		       res.mean_response_s, th.mean_response_s,
		       res.loss_ratio, th.loss_ratio,
		       res.utilisation, th.utilisation);
	return 0;
bad:
	fprintf(stderr, "flashcoop mmck: %s\n", err->message);
	return EXIT_BAD_INPUT;
}

int
main(int argc, char **argv)
{
	gsl_set_error_handler_off();
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--version") == 0) {
		printf("flashcoop %s\n", FLASHCOOP_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "mmck") == 0)
		return cmd_mmck(argc - 1, argv + 1);
	fprintf(stderr, "flashcoop: unknown command '%s' (try flashcoop --help)\n",
		argv[1]);
	return EXIT_BAD_INPUT;
}
