/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The flashcoop command line, for the models of a catalog (the program's
 * main is models/main.c).  Exit status: 0 done; 1 a run failed; 2 bad input
 * (usage, scenario, sweep file, database); 128 + N when signal N
 * interrupted it (what was recorded before stays, marked interrupted).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <gsl/gsl_errno.h>

#include "sim/cli.h"
#include "sim/autoptr.h"
#include "sim/export.h"
#include "flashcoop/core.h"
#include "sim/keys.h"
#include "sim/datadir.h"
#include "sim/model.h"
#include "sim/plot.h"
#include "sim/progress.h"
#include "sim/results.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/sweep.h"
#include "sim/value.h"
#include "version.h"

#define EXIT_FAILED 1
#define EXIT_BAD_INPUT 2
/* `run --worker` only: another live process is running this run; a sweep's
 * worker gives it back to the sweep, which comes back to it later. */
#define EXIT_HELD 3
/* `run --worker` only: another process did this run since the sweep looked. */
#define EXIT_DONE_ELSEWHERE 4
/* A run ended by signal N exits with this plus N, as in the shell. */
#define EXIT_SIGNAL_BASE 128

/* The global state of the signal handler: which signal asked us to stop. */
static volatile sig_atomic_t got_signal;
/*
 * Whether a signal ends the process at once: while files are read, a
 * sweep is checked or a model is built, nothing is being written, so
 * there is nothing to save and no reason to wait (run_options.exit_at_once).
 */
static volatile sig_atomic_t exit_at_once = 1;

static void
on_signal(int sig)
{
	if (exit_at_once)
		_exit(EXIT_SIGNAL_BASE + sig);
	if (!got_signal)
		got_signal = sig;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int
usage(const struct sim_catalog *cat, FILE *f)
{
	fprintf(f,
		"Usage: flashcoop COMMAND [OPTION...]\n"
		"\n"
		"Commands:\n"
		"  run SCENARIO.ini   run one scenario into a results database\n"
		"  sweep SWEEP.ini    run every point of a parameter sweep, with replications\n"
		"  keys               list every scenario key (--markdown: docs/scenario.md)\n"
		"  merge OUT.db IN.db...  combine results databases without duplicates\n"
		"  runs DB            list the runs of a results database\n"
		"  export DB          scalars, vectors or statistics as CSV or JSON\n"
		"  fsm                the core's state machine (--dot: Graphviz)\n"
		"  plot KIND DB       draw a figure from a results database (gnuplot)\n");
	for (const struct sim_command *c = cat->commands; c && c->name; c++) {
		g_autofree char *head = g_strdup_printf("%s %s", c->name, c->args);

		fprintf(f, "  %-18s %s\n", head, c->summary);
	}
	fprintf(f,
		"  testbed SCENARIO.ini  run a web scenario on real processes (root; also\n"
		"                     testbed plan|clean; see testbed/harness/README.md)\n"
		"\n"
		"Options:\n"
		"  --version  print the version\n"
		"  --help     this text; COMMAND --help for a command's options\n"
		"\n"
		"Exit status: 0 done, 1 a run failed, 2 bad input, 128+N stopped by\n"
		"signal N (the runs it cut short are marked interrupted).\n");
	return f == stderr ? EXIT_BAD_INPUT : 0;
}

/* Parses argv with entries; prints the error and returns FALSE on failure. */
static gboolean
parse_options(const char *cmd, const char *args, const char *summary,
	      GOptionEntry *entries, int *argc, char ***argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new(args);
	g_autoptr(GError) err = NULL;

	g_auto(GStrv) given = g_strdupv(*argv);

	g_option_context_set_summary(ctx, summary);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		const char *near = err->code == G_OPTION_ERROR_UNKNOWN_OPTION ?
			keys_suggest_option(entries, given) : NULL;

		fprintf(stderr, "flashcoop %s: %s%s%s%s\n", cmd, err->message,
			near ? "; did you mean --" : "", near ? near : "", near ? "?" : "");
		return FALSE;
	}
	return TRUE;
}

static gboolean
parse_replication(const char *text, uint64_t *out, GError **err)
{
	guint64 v;

	if (!text) {
		*out = 0;
		return TRUE;
	}
	if (!g_ascii_isdigit(*text) ||
	    !g_ascii_string_to_unsigned(text, 10, 0, G_MAXINT64, &v, NULL)) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--replication: expected a whole number such as 0 or 7, "
			    "found '%s'", text);
		return FALSE;
	}
	*out = v;
	return TRUE;
}

static void
say_waiting(const char *holder)
{
	fprintf(stderr, "flashcoop run: another process (%s) is running this run; "
		"waiting for it to end\n", holder);
}

/* A warning about the scenario, on stderr (run_options.warn). */
static void
print_warning(const char *message, void *data)
{
	(void)data;
	fprintf(stderr, "flashcoop run: warning: %s\n", message);
}

static int
cmd_run(const struct sim_catalog *cat, int argc, char **argv)
{
	g_auto(GStrv) sets = NULL;
	g_autofree char *output = NULL, *seed = NULL, *replication = NULL;
	g_autofree char *sweep_name = NULL, *sweep_hash = NULL, *every = NULL;
	gboolean quiet = FALSE, force = FALSE, rerun_stale = FALSE, worker = FALSE;
	gboolean report = FALSE;
	GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "results database, created if missing (default results.db)", "FILE" },
		{ "force", 'f', 0, G_OPTION_ARG_NONE, &force,
		  "run even if this run (same parameters and replication) is done in "
		  "FILE; the new run replaces it when it is done", NULL },
		{ "rerun-stale", 0, 0, G_OPTION_ARG_NONE, &rerun_stale,
		  "run even if this run is done in FILE by another version of "
		  "flashcoop, and replace it (otherwise that is refused)", NULL },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "override a scenario key; may be repeated", "GROUP.KEY=VALUE" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &seed,
		  "master seed (same as --set run.seed=N)", "N" },
		{ "replication", 'r', 0, G_OPTION_ARG_STRING, &replication,
		  "replication number (default 0)", "R" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "no progress line, no summary", NULL },
		{ "progress-every", 0, 0, G_OPTION_ARG_STRING, &every,
		  "when stderr is not a terminal, a progress line this often "
		  "(default 10s)", "DURATION" },
		/* How a sweep runs its workers (sim/sweep.c). */
		{ "worker", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &worker,
		  "a sweep's worker: exit 3 at once if another process runs this "
		  "run, 4 if it is done already, and leave the whole-file check "
		  "to the sweep", NULL },
		{ "sweep-name", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING,
		  &sweep_name, "the sweep this run belongs to", "NAME" },
		{ "sweep-hash", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING,
		  &sweep_hash, "the hash of its sweep file", "HASH" },
		/* A sweep's worker: status lines for the sweep (sim/progress.h). */
		{ "report", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &report, NULL, NULL },
		{ NULL },
	};
	g_autoptr(GError) err = NULL;
	g_autoptr(fc_scenario) sc = NULL;
	double every_s = PROGRESS_LINE_EVERY_S;
	g_autoptr(GString) overrides = g_string_new(NULL);
	g_autofree char *path = NULL;
	struct progress *progress;
	struct run_report rep;
	struct run_options o = { 0 };
	int status;

	if (!parse_options("run", "SCENARIO.ini", "Runs one scenario and records it "
			   "in a results database.", entries, &argc, &argv))
		return EXIT_BAD_INPUT;
	if (argc != 2) {
		fprintf(stderr, "flashcoop run: %s (see flashcoop run --help)\n",
			argc < 2 ? "no scenario file given" : "more than one scenario file given");
		return EXIT_BAD_INPUT;
	}
	if (g_str_has_suffix(argv[1], ".sweep")) {
		fprintf(stderr, "flashcoop run: %s is a sweep file; run it with "
			"flashcoop sweep %s\n", argv[1], argv[1]);
		return EXIT_BAD_INPUT;
	}
	path = datadir_resolve(argv[1]);
	sc = scenario_load(cat->keys, path, &err);
	if (!sc)
		goto bad;
	for (size_t i = 0; sets && sets[i]; i++) {
		if (!scenario_assign(sc, sets[i], "--set", &err))
			goto bad;
		g_string_append_printf(overrides, "%s\n", sets[i]);
	}
	if (seed) {
		if (!scenario_set(sc, "run.seed", seed, "--seed", &err))
			goto bad;
		g_string_append_printf(overrides, "run.seed=%s\n", seed);
	}
	if (!parse_replication(replication, &o.replication, &err))
		goto bad;
	if (every) {
		fc_time_t t;
		g_autofree char *why = NULL;

		if (!value_parse_duration(every, &t, &why) || t == 0) {
			fprintf(stderr, "flashcoop run: --progress-every: %s\n",
				why ? why : "must be more than 0s");
			return EXIT_BAD_INPUT;
		}
		every_s = fc_time_to_sec(t);
	}

	o.catalog = cat;
	o.output = output ? output : "results.db";
	o.overrides = overrides->str;
	o.version = FLASHCOOP_VERSION;
	o.force = force;
	o.rerun_stale = rerun_stale;
	o.skip_held = worker;
	o.no_verify = worker;
	o.sweep = sweep_name;
	o.sweep_hash = sweep_hash;
	o.waiting = quiet ? NULL : say_waiting;
	o.interrupt = &got_signal;
	o.exit_at_once = &exit_at_once;
	o.warn = print_warning;
	progress = progress_new(report ? PROGRESS_REPORT : progress_mode_for_stderr(quiet),
			       every_s, "flashcoop run");
	o.progress = progress;
	if (!run_scenario(sc, &o, &rep, &err)) {
		progress_free(progress);
		goto bad;
	}
	progress_free(progress);
	switch (rep.outcome) {
	case RUN_DONE:
		if (!quiet)
			printf("run %" G_GINT64_FORMAT " done: %s, replication %"
			       G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT " events, "
			       "%.9gs simulated, %s -> %s\n", rep.run_id,
			       scenario_name(sc), o.replication, rep.events,
			       fc_time_to_sec(rep.sim_end), rep.headline, o.output);
		status = 0;
		break;
	case RUN_ALREADY_DONE:
		if (worker) {
			status = EXIT_DONE_ELSEWHERE;
			break;
		}
		if (!quiet)
			printf("this run (key %s) is done already in %s as run %" G_GINT64_FORMAT "; "
			       "nothing to do (--force runs it again)\n",
			       rep.run_key, o.output, rep.run_id);
		status = 0;
		break;
	case RUN_HELD:
		fprintf(stderr, "flashcoop run: another process (%s) is running this "
			"run; left to it\n", rep.error);
		status = EXIT_HELD;
		break;
	case RUN_FAILED:
		fprintf(stderr, "flashcoop run: run %" G_GINT64_FORMAT " failed: %s\n",
			rep.run_id, rep.error);
		status = EXIT_FAILED;
		break;
	default:
		if (!rep.run_id)
			/* Stopped while waiting for another process: nothing recorded. */
			fprintf(stderr, "flashcoop run: %s; nothing recorded\n", rep.error);
		else
			fprintf(stderr, "flashcoop run: run %" G_GINT64_FORMAT " %s; what "
				"it recorded so far is in %s\n", rep.run_id, rep.error,
				o.output);
		status = EXIT_SIGNAL_BASE + got_signal;
		break;
	}
	run_report_clear(&rep);
	return status;
bad:
	fprintf(stderr, "flashcoop run: %s\n", err->message);
	return EXIT_BAD_INPUT;
}

static int
cmd_keys(const struct sim_catalog *cat, int argc, char **argv)
{
	gboolean markdown = FALSE;
	GOptionEntry entries[] = {
		{ "markdown", 'm', 0, G_OPTION_ARG_NONE, &markdown,
		  "print docs/scenario.md", NULL },
		{ NULL },
	};
	g_autofree char *text = NULL;

	if (!parse_options("keys", "", "Lists every scenario key: group, key, type, "
			   "unit, default, range and meaning.", entries, &argc, &argv))
		return EXIT_BAD_INPUT;
	if (argc > 1) {
		fprintf(stderr, "flashcoop keys: unexpected argument '%s'\n", argv[1]);
		return EXIT_BAD_INPUT;
	}
	text = markdown ? keys_markdown(cat->keys) : keys_text(cat->keys);
	fputs(text, stdout);
	return 0;
}

/* The core's state machine (seed 000 Fig. 4) as Graphviz DOT, from the
 * table the core itself follows. */
static int
cmd_fsm(int argc, char **argv)
{
	gboolean dot = FALSE;
	GOptionEntry entries[] = {
		{ "dot", 0, 0, G_OPTION_ARG_NONE, &dot, "print Graphviz DOT", NULL },
		{ NULL },
	};
	size_t n;
	const struct fc_transition *t = fc_transitions(&n);

	if (!parse_options("fsm", "", "Prints the cooperation state machine of "
			   "libflashcoop-core, from the transition table it follows.",
			   entries, &argc, &argv))
		return EXIT_BAD_INPUT;
	if (argc > 1) {
		fprintf(stderr, "flashcoop fsm: unexpected argument '%s'\n", argv[1]);
		return EXIT_BAD_INPUT;
	}
	if (!dot) {
		for (size_t i = 0; i < n; i++)
			printf("%-13s --[%s]--> %s\n", fc_state_name(t[i].from),
			       fc_input_name(t[i].input), fc_state_name(t[i].to));
		return 0;
	}
	printf("digraph flashcoop_fsm {\n"
	       "\trankdir=LR;\n"
	       "\tnode [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
	       "\tedge [fontname=\"Helvetica\", fontsize=10];\n"
	       "\t\"%s\" [style=\"rounded,bold\"];\n", fc_state_name(FC_STATE_LOW));
	for (size_t i = 0; i < n; i++)
		printf("\t\"%s\" -> \"%s\" [label=\"%s\"];\n", fc_state_name(t[i].from),
		       fc_state_name(t[i].to), fc_input_name(t[i].input));
	printf("}\n");
	return 0;
}

static int
cmd_merge(int argc, char **argv)
{
	gboolean quiet = FALSE;
	GOptionEntry entries[] = {
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "print nothing", NULL },
		{ NULL },
	};
	g_autoptr(GError) err = NULL;
	g_autoptr(fc_results) out = NULL;
	unsigned copied = 0, skipped = 0;

	if (!parse_options("merge", "OUT.db IN.db...", "Copies the done runs of each "
			   "IN.db into OUT.db (created if missing), leaving out runs "
			   "whose run key is already done there.", entries, &argc, &argv))
		return EXIT_BAD_INPUT;
	if (argc < 3) {
		fprintf(stderr, "flashcoop merge: expected OUT.db and at least one "
			"IN.db (see flashcoop merge --help)\n");
		return EXIT_BAD_INPUT;
	}
	/* Every input is checked before anything is written. */
	for (int i = 2; i < argc; i++) {
		g_autoptr(fc_results) in = NULL;
		g_autofree char *a = realpath(argv[1], NULL), *b = realpath(argv[i], NULL);

		if (a && b && strcmp(a, b) == 0) {
			fprintf(stderr, "flashcoop merge: %s is both the output and an "
				"input\n", argv[i]);
			return EXIT_BAD_INPUT;
		}
		in = results_open(argv[i], RESULTS_READ, &err);
		if (!in) {
			fprintf(stderr, "flashcoop merge: %s\n", err->message);
			return EXIT_BAD_INPUT;
		}
	}
	out = results_open(argv[1], RESULTS_CREATE, &err);
	if (!out) {
		fprintf(stderr, "flashcoop merge: %s\n", err->message);
		return EXIT_BAD_INPUT;
	}
	for (int i = 2; i < argc; i++) {
		unsigned c, s;

		if (!results_merge_from(out, argv[i], &c, &s, &err)) {
			fprintf(stderr, "flashcoop merge: %s\n", err->message);
			return err->code == RESULTS_ERROR_WRITE ? EXIT_FAILED : EXIT_BAD_INPUT;
		}
		copied += c;
		skipped += s;
	}
	if (!quiet)
		printf("merged %u runs into %s (%u left out: already there or not done)\n",
		       copied, argv[1], skipped);
	return 0;
}

int
sim_main(const struct sim_catalog *cat, int argc, char **argv)
{
	gsl_set_error_handler_off();
	if (argc < 2)
		return usage(cat, stderr);
	if (strcmp(argv[1], "--version") == 0) {
		printf("flashcoop %s\n", FLASHCOOP_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(cat, stdout);
	if (strcmp(argv[1], "run") == 0) {
		install_signals();
		return cmd_run(cat, argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "sweep") == 0) {
		install_signals();
		return sweep_main(cat, FLASHCOOP_VERSION, argc - 1, argv + 1, &got_signal,
				  &exit_at_once);
	}
	if (strcmp(argv[1], "keys") == 0)
		return cmd_keys(cat, argc - 1, argv + 1);
	if (strcmp(argv[1], "merge") == 0)
		return cmd_merge(argc - 1, argv + 1);
	if (strcmp(argv[1], "fsm") == 0)
		return cmd_fsm(argc - 1, argv + 1);
	if (strcmp(argv[1], "runs") == 0)
		return export_runs_main(cat, argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return export_main(cat, argc - 1, argv + 1);
	if (strcmp(argv[1], "plot") == 0)
		return plot_main(cat->keys, argc - 1, argv + 1);
	for (const struct sim_command *c = cat->commands; c && c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->main(argc - 1, argv + 1);
	{
		static const char *const builtin[] = { "run", "sweep", "keys", "merge",
						       "fsm", "runs", "export",
						       "plot", "help" };
		g_autoptr(GPtrArray) commands = g_ptr_array_new();
		const char *near;

		for (size_t i = 0; i < G_N_ELEMENTS(builtin); i++)
			g_ptr_array_add(commands, (gpointer)builtin[i]);
		for (const struct sim_command *c = cat->commands; c && c->name; c++)
			g_ptr_array_add(commands, (gpointer)c->name);
		near = keys_suggest(argv[1], (const char *const *)commands->pdata,
				    commands->len);
		g_autofree char *shown = keys_shorten(argv[1]);

		if (near)
			fprintf(stderr, "flashcoop: unknown command '%s'; did you mean "
				"'%s'?\n", shown, near);
		else
			fprintf(stderr, "flashcoop: unknown command '%s' (try flashcoop "
				"--help)\n", shown);
	}
	return EXIT_BAD_INPUT;
}
