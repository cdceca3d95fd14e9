/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/run.h"

#include <math.h>
#include <string.h>
#include <sys/resource.h>

#include "sim/autoptr.h"
#include "sim/evq.h"
#include "sim/model.h"
#include "sim/progress.h"
#include "sim/recorder.h"
#include "sim/results.h"
#include "sim/value.h"

/*
 * Handlers between two looks at the wall clock, and the wall time between
 * two looks at the buffers and the progress line.  Signals and [run]
 * max_events are the engine's own business (engine_set_interrupt(),
 * engine_set_limit()), looked at before every handler.
 */
#define POLL_EVENTS 64
#define POLL_WALL_US 2000
/* How often a run waiting for another process's claim looks again. */
#define CLAIM_POLL_US (G_USEC_PER_SEC / 5)

void
sim_fail(struct sim_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->failure)
		return;
	va_start(ap, fmt);
	ctx->failure = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	engine_stop(ctx->engine);
}

const struct fc_enum_name sim_platform_names[] = {
	{ "simulator", SIM_PLATFORM_SIMULATOR },
	{ "testbed", SIM_PLATFORM_TESTBED },
	{ NULL, 0 },
};

const struct model_type *
sim_catalog_model(const struct sim_catalog *cat, const struct scenario *sc)
{
	int i;
	size_t n = 0;

	/* No value: the key has no default and was not set. */
	if (scenario_list_len(sc, "run", "model") == 0)
		return NULL;
	i = scenario_enum(sc, "run", "model");
	while (cat->models[n])
		n++;
	g_assert(i >= 0 && (size_t)i < n);
	return cat->models[i];
}

/* Says whether a signal may end the process at once (see run_options). */
static void
allow_exit_at_once(const struct run_options *o, bool allowed)
{
	if (o->exit_at_once)
		*o->exit_at_once = allowed;
}

gboolean
sim_model_reads_group(const struct model_type *mt, const char *group)
{
	if (strcmp(group, "scenario") == 0 || strcmp(group, "run") == 0)
		return TRUE;
	for (size_t i = 0; mt->groups && mt->groups[i]; i++)
		if (strcmp(mt->groups[i], group) == 0)
			return TRUE;
	return mt->reads_group && mt->reads_group(group);
}

/* The groups of the key table that mt reads, as "[a], [b]"; newly allocated. */
static char *
groups_read(const struct model_type *mt, const struct key_table *t)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < t->n; i++) {
		const char *g = t->defs[i].group;

		if (i > 0 && strcmp(g, t->defs[i - 1].group) == 0)
			continue;
		if (strcmp(g, "scenario") == 0 || strcmp(g, "run") == 0 ||
		    !sim_model_reads_group(mt, g))
			continue;
		g_string_append_printf(s, "%s[%s]", s->len ? ", " : "", g);
	}
	return g_string_free(s, FALSE);
}

const struct model_type *
sim_catalog_check(const struct sim_catalog *cat, const struct scenario *sc,
		  GPtrArray *warnings, GError **err)
{
	const struct key_table *t = scenario_keys_table(sc);
	const struct key_def *missing = scenario_missing(sc);
	const struct model_type *mt;
	fc_time_t warmup, duration;

	if (missing) {
		g_autofree char *choices = missing->type == KEY_ENUM ?
			keys_choices(missing, ", ") : NULL;
		const char *file = scenario_file(sc);

		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INVALID,
			    "%s: [%s] %s is not set%s%s%s", *file ? file : "the scenario",
			    missing->group, missing->name,
			    choices ? ": it names what is simulated, one of " : "",
			    choices ? choices : "", choices ? "" : " and has no default");
		return NULL;
	}
	mt = sim_catalog_model(cat, sc);
	for (size_t i = 0; i < t->n; i++) {
		const struct key_def *k = &t->defs[i];
		g_autofree char *reads = NULL;

		if (!scenario_is_set(sc, k->group, k->name) ||
		    sim_model_reads_group(mt, k->group))
			continue;
		reads = groups_read(mt, t);
		scenario_invalid(sc, err, k->group, k->name, "[run] model = %s does not "
				 "read [%s]%s%s%s", mt->name, k->group,
				 *reads ? " (it reads " : "", reads, *reads ? ")" : "");
		return NULL;
	}
	warmup = scenario_duration(sc, "run", "warmup");
	duration = scenario_duration(sc, "run", "duration");
	/* A run ends before FC_TIME_NEVER - 1, where the engine keeps the
	 * events that are beyond the end of time (sim/engine.h). */
	if (duration > FC_TIME_NEVER - 2 || warmup > FC_TIME_NEVER - 2 - duration) {
		scenario_invalid(sc, err, "run", "duration", "warmup + duration is beyond "
				 "the end of time (584 years)");
		return NULL;
	}
	if (mt->check && !mt->check(sc, err))
		return NULL;
	if (!run_check_budget(cat, sc, err))
		return NULL;
	if (warnings && mt->warn)
		mt->warn(sc, warnings);
	return mt;
}

struct driver {
	struct sim_ctx ctx;
	const struct run_options *o;
	uint64_t max_bytes;   /* [run] memory_budget; 0: none */
	const struct scenario *sc;
	int signal;
	gint64 last_poll;
	GError *write_error;
};

/*
 * Fails the run once the process's peak resident memory is beyond [run]
 * memory_budget: the estimate that let the run start may be wrong, and a
 * run must end with a word rather than push the machine into swap or the
 * OOM killer.  The peak (getrusage) is what the kernel measured, so the
 * check costs one system call.
 */
static void
check_memory(struct driver *d)
{
	struct rusage ru;
	uint64_t peak;

	if (!d->max_bytes || getrusage(RUSAGE_SELF, &ru) != 0)
		return;
	peak = (uint64_t)ru.ru_maxrss * 1024; /* Linux: kilobytes */
	if (peak > d->max_bytes)
		sim_fail(&d->ctx, "stopped at simulated time %.9gs: peak memory "
			 "%" G_GUINT64_FORMAT " MiB is beyond [run] memory_budget = %s",
			 fc_time_to_sec(engine_now(d->ctx.engine)), peak >> 20,
			 scenario_value_text(d->sc, "run", "memory_budget"));
}

static void
poll_run(struct engine *e, void *data)
{
	struct driver *d = data;
	gint64 now = g_get_monotonic_time();

	if (now - d->last_poll < POLL_WALL_US)
		return;
	d->last_poll = now;
	check_memory(d);
	if (d->ctx.failure)
		return;
	if (d->ctx.rec && recorder_wants_flush(d->ctx.rec) &&
	    !recorder_flush(d->ctx.rec, &d->write_error)) {
		sim_fail(&d->ctx, "%s", d->write_error->message);
		return;
	}
	progress_run(d->o->progress, engine_now(e), d->ctx.end, engine_executed(e));
}

static unsigned
record_kinds(const struct scenario *sc)
{
	unsigned mask = 0;

	for (size_t i = 0; i < scenario_list_len(sc, "run", "record"); i++)
		mask |= (unsigned)scenario_list_enum(sc, "run", "record", i);
	return mask;
}

gboolean
run_check_budget(const struct sim_catalog *cat, const struct scenario *sc, GError **err)
{
	const struct model_type *mt = sim_catalog_model(cat, sc);
	g_autoptr(fc_budget) b = budget_new();

	if (!mt->estimate)
		return TRUE;
	mt->estimate(sc, fc_time_add(scenario_duration(sc, "run", "warmup"),
				     scenario_duration(sc, "run", "duration")), b);
	return budget_check(b, sc, err);
}

/*
 * A parameter's value as a number in base units (seconds, bytes, bit/s, the
 * number itself), or NaN when it is not a number (text, a choice, a list).
 */
static double
param_number(const struct key_def *k, const char *text)
{
	union value v;
	g_autofree char *why = NULL;

	if (k->flags & KEY_LIST || k->type == KEY_ENUM || k->type == KEY_STRING ||
	    !text || !value_parse(k, text, &v, &why))
		return NAN;
	switch (k->type) {
	case KEY_DURATION:
		return fc_time_to_sec(v.u);
	case KEY_REAL:
	case KEY_RATIO:
		return v.d;
	default:
		return (double)v.u;
	}
}

gboolean
run_claim(struct results *db, const struct scenario *sc, const struct run_claim_info *ci,
	  unsigned flags, struct results_claim *c, GError **err)
{
	const struct key_table *t = scenario_keys_table(sc);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) values = g_ptr_array_new();
	g_autoptr(GPtrArray) sources = g_ptr_array_new();
	g_autoptr(GArray) nums = g_array_new(FALSE, FALSE, sizeof(double));
	g_autofree char *params = scenario_params(sc);
	g_autofree char *point_key = scenario_point_key(sc);

	for (size_t i = 0; i < t->n; i++) {
		const struct key_def *k = &t->defs[i];
		const char *text = scenario_value_text(sc, k->group, k->name);
		double num = param_number(k, text);

		g_ptr_array_add(names, g_strdup_printf("%s.%s", k->group, k->name));
		g_ptr_array_add(values, (gpointer)text);
		g_ptr_array_add(sources, (gpointer)scenario_where(sc, k->group, k->name));
		g_array_append_val(nums, num);
	}
	return results_run_claim(db, &(struct results_run_info){
		.run_key = ci->run_key, .point_key = point_key,
		.scenario = scenario_name(sc), .scenario_text = scenario_text(sc),
		.params = params, .overrides = ci->overrides ? ci->overrides : "",
		.seed = scenario_count(sc, "run", "seed"),
		.replication = ci->replication, .version = ci->version,
		.sweep = ci->sweep, .sweep_hash = ci->sweep_hash,
		.param_names = (const char *const *)names->pdata,
		.param_values = (const char *const *)values->pdata,
		.param_sources = (const char *const *)sources->pdata,
		.param_nums = (const double *)(void *)nums->data,
		.nparams = t->n,
	}, flags, c, err);
}

static gboolean
claim(struct results *db, const struct scenario *sc, const struct run_options *o,
      const char *run_key, struct results_claim *c, GError **err)
{
	unsigned flags = (o->force ? RESULTS_REPLACE_DONE : 0) |
			 (o->rerun_stale ? RESULTS_REPLACE_STALE : 0);

	return run_claim(db, sc, &(struct run_claim_info){
		.run_key = run_key, .overrides = o->overrides, .replication = o->replication,
		.version = o->version, .sweep = o->sweep, .sweep_hash = o->sweep_hash,
	}, flags, c, err);
}

/*
 * Claims the run key, waiting while another live process holds it (unless
 * o->skip_held).  Returns FALSE with err on bad input (the key is done by
 * another version); otherwise TRUE with c->outcome RESULTS_CLAIMED, or
 * *outcome set to how the run ends without running.
 */
static gboolean
claim_or_wait(struct results *db, const struct scenario *sc,
	      const struct run_options *o, struct run_report *rep,
	      struct results_claim *c, bool *settled, GError **err)
{
	bool told = false;

	*settled = false;
	for (;;) {
		gboolean held = TRUE;

		if (!claim(db, sc, o, rep->run_key, c, err))
			return FALSE;
		switch (c->outcome) {
		case RESULTS_CLAIMED:
			return TRUE;
		case RESULTS_IS_DONE:
			rep->outcome = RUN_ALREADY_DONE;
			rep->run_id = c->run_id;
			*settled = true;
			return TRUE;
		case RESULTS_IS_STALE:
			g_set_error(err, RESULTS_ERROR, RESULTS_ERROR_STALE,
				    "%s: run %s is done there by flashcoop %s, and this "
				    "is flashcoop %s; refusing to mix the results of two "
				    "versions (--rerun-stale runs it again and replaces "
				    "it; or write to another file)", o->output,
				    rep->run_key, c->other, o->version);
			g_clear_pointer(&c->other, g_free);
			return FALSE;
		case RESULTS_IS_HELD:
			break;
		}
		if (o->skip_held) {
			rep->outcome = RUN_HELD;
			rep->error = g_steal_pointer(&c->other);
			*settled = true;
			return TRUE;
		}
		if (!told && o->waiting)
			o->waiting(c->other);
		told = true;
		g_clear_pointer(&c->other, g_free);
		/* Polls until the holder ends (its row leaves 'running', or its
		 * process is gone), then claims again. */
		while (held) {
			if (o->interrupt && *o->interrupt) {
				rep->outcome = RUN_INTERRUPTED;
				rep->error = g_strdup("interrupted while waiting for another "
						      "process running the same run");
				*settled = true;
				return TRUE;
			}
			g_usleep(CLAIM_POLL_US);
			if (!results_key_held(db, rep->run_key, &held, err))
				return FALSE;
		}
	}
}

/* The headline of a done run (run_report.headline); newly allocated. */
static char *
headline(struct results *db, const struct model_type *mt, const struct run_report *rep)
{
	double v;

	if (mt->headline_entity &&
	    results_scalar(db, rep->run_id, mt->headline_entity, mt->headline_name, &v))
		return g_strdup_printf("%s %s = %.6g", mt->headline_entity,
				       mt->headline_name, v);
	return g_strdup_printf("%" G_GUINT64_FORMAT " events, %.9gs simulated",
			       rep->events, fc_time_to_sec(rep->sim_end));
}

gboolean
run_scenario(const struct scenario *sc, const struct run_options *o,
	     struct run_report *rep, GError **err)
{
	const struct model_type *mt;
	const struct evq_type *qt = evq_types[scenario_enum(sc, "run", "queue")];
	fc_time_t warmup = scenario_duration(sc, "run", "warmup");
	fc_time_t duration = scenario_duration(sc, "run", "duration");
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(fc_results) db = NULL;
	struct driver d = { .o = o };
	void *model = NULL;
	const char *status = "done";
	g_autoptr(GError) e = NULL;
	gboolean stats = TRUE;
	int64_t done_id = 0;
	struct results_claim c;
	bool settled;

	memset(rep, 0, sizeof *rep);
	g_assert(qt);
	mt = sim_catalog_check(o->catalog, sc, warnings, err);
	if (!mt)
		return FALSE;
	if (scenario_enum(sc, "run", "platform") == SIM_PLATFORM_TESTBED) {
		scenario_invalid(sc, err, "run", "platform", "testbed: "
				 "run it with flashcoop testbed, not in the simulator");
		return FALSE;
	}
	if (o->warn)
		for (guint i = 0; i < warnings->len; i++)
			o->warn(warnings->pdata[i], o->warn_data);
	allow_exit_at_once(o, false);
	db = results_open(o->output, RESULTS_CREATE |
			  (o->no_verify ? RESULTS_NO_VERIFY : 0), err);
	if (!db)
		return FALSE;

	d.max_bytes = scenario_size(sc, "run", "memory_budget");
	d.sc = sc;
	d.ctx = (struct sim_ctx){
		.engine = engine_new(qt),
		.rec = recorder_new(record_kinds(sc)),
		.seed = scenario_count(sc, "run", "seed"),
		.replication = o->replication,
		.warmup = warmup,
		.end = warmup + duration,
	};
	rep->run_key = scenario_run_key(sc, o->replication);
	/*
	 * The model is built before the run's key is claimed: building writes
	 * nothing, so a signal may end it at once and leave no row behind (a
	 * big topology takes seconds), and bad input found while building
	 * records nothing.  The claim then decides whether the run is done,
	 * held or stale; the model goes unused then.
	 */
	allow_exit_at_once(o, true);
	model = mt->create(&d.ctx, sc, err);
	allow_exit_at_once(o, false);
	if (!model)
		goto bad_input;
	if (!claim_or_wait(db, sc, o, rep, &c, &settled, err))
		goto bad_input;
	if (settled) {
		mt->destroy(model);
		recorder_free(d.ctx.rec);
		engine_free(d.ctx.engine);
		return TRUE;
	}
	rep->run_id = c.run_id;
	done_id = c.replaces;
	if (!results_run_warnings(db, rep->run_id, (const char *const *)warnings->pdata,
				  warnings->len, &e) ||
	    !recorder_attach(d.ctx.rec, db, rep->run_id, &e)) {
		d.ctx.failure = g_strdup(e->message);
		g_clear_error(&e);
	}

	engine_set_poll(d.ctx.engine, POLL_EVENTS, poll_run, &d);
	engine_set_limit(d.ctx.engine, scenario_count(sc, "run", "max_events"));
	engine_set_interrupt(d.ctx.engine, o->interrupt);
	if (!d.ctx.failure) {
		switch (engine_run_until(d.ctx.engine, d.ctx.end)) {
		case ENGINE_LIMIT:
			sim_fail(&d.ctx, "stopped after %" G_GUINT64_FORMAT " events "
				 "([run] max_events) at simulated time %.9gs",
				 engine_executed(d.ctx.engine),
				 fc_time_to_sec(engine_now(d.ctx.engine)));
			break;
		case ENGINE_INTERRUPTED:
			d.signal = *o->interrupt;
			break;
		default:
			break;
		}
	}
	progress_clear(o->progress);
	rep->events = engine_executed(d.ctx.engine);
	rep->sim_end = engine_now(d.ctx.engine);

	if (d.ctx.failure) {
		rep->outcome = RUN_FAILED;
		rep->error = g_strdup(d.ctx.failure);
		status = "failed";
		stats = FALSE;
	} else if (d.signal) {
		rep->outcome = RUN_INTERRUPTED;
		rep->error = g_strdup_printf("interrupted by %s at simulated time %.9gs",
					     d.signal == SIGINT ? "SIGINT" :
					     d.signal == SIGTERM ? "SIGTERM" : "a signal",
					     fc_time_to_sec(rep->sim_end));
		status = "interrupted";
		stats = FALSE;
	} else {
		rep->outcome = RUN_DONE;
		mt->finish(model, &d.ctx);
	}
	if (!recorder_finish(d.ctx.rec, stats, status, rep->error, rep->sim_end,
			     rep->events, rep->outcome == RUN_DONE ? done_id : 0, &e)) {
		/* Keep what can be kept: at least say that the run failed. */
		g_autoptr(GError) e2 = NULL;

		rep->outcome = RUN_FAILED;
		g_free(rep->error);
		rep->error = g_strdup(e->message);
		results_run_end(db, rep->run_id, "failed", rep->error, rep->sim_end,
				rep->events, &e2);
	}
	if (rep->outcome == RUN_DONE) {
		rep->headline = headline(db, mt, rep);
		progress_run_done(o->progress, rep->headline);
	}
	mt->destroy(model);
	recorder_free(d.ctx.rec);
	engine_free(d.ctx.engine);
	g_free(d.ctx.failure);
	g_clear_error(&d.write_error);
	return TRUE;

bad_input:
	mt->destroy(model);
	recorder_free(d.ctx.rec);
	engine_free(d.ctx.engine);
	g_free(d.ctx.failure);
	g_clear_pointer(&rep->run_key, g_free);
	return FALSE;
}

void
run_report_clear(struct run_report *rep)
{
	g_clear_pointer(&rep->headline, g_free);
	g_clear_pointer(&rep->error, g_free);
	g_clear_pointer(&rep->run_key, g_free);
}
