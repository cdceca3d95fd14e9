/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/run.h"

#include <string.h>
#include <sys/resource.h>

#include "sim/autoptr.h"
#include "sim/evq.h"
#include "sim/model.h"
#include "sim/progress.h"
#include "sim/recorder.h"
#include "sim/results.h"

/* Handlers between two looks at signals, buffers and the progress line. */
#define POLL_EVENTS 4096

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

const struct model_type *
sim_catalog_model(const struct sim_catalog *cat, const struct scenario *sc)
{
	int i = scenario_enum(sc, "run", "model");
	size_t n = 0;

	while (cat->models[n])
		n++;
	g_assert(i >= 0 && (size_t)i < n);
	return cat->models[i];
}

struct driver {
	struct sim_ctx ctx;
	const struct run_options *o;
	uint64_t max_events;
	uint64_t max_bytes;   /* [run] memory_budget; 0: none */
	const struct scenario *sc;
	int signal;
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

	if (d->o->interrupt && *d->o->interrupt) {
		d->signal = *d->o->interrupt;
		engine_stop(e);
		return;
	}
	if (d->max_events && engine_executed(e) >= d->max_events) {
		sim_fail(&d->ctx, "stopped after %" G_GUINT64_FORMAT " events "
			 "([run] max_events) at simulated time %.9gs",
			 engine_executed(e), fc_time_to_sec(engine_now(e)));
		return;
	}
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

/* Writes the run row with every parameter, and where each came from. */
static gboolean
begin(struct results *db, const struct scenario *sc, const struct run_options *o,
      const char *run_key, int64_t *run_id, GError **err)
{
	const struct key_table *t = scenario_keys_table(sc);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) values = g_ptr_array_new();
	g_autoptr(GPtrArray) sources = g_ptr_array_new();
	g_autofree char *params = scenario_params(sc);
	g_autofree char *point_key = scenario_point_key(sc);

	for (size_t i = 0; i < t->n; i++) {
		const struct key_def *k = &t->defs[i];

		g_ptr_array_add(names, g_strdup_printf("%s.%s", k->group, k->name));
		g_ptr_array_add(values, (gpointer)scenario_value_text(sc, k->group, k->name));
		g_ptr_array_add(sources, (gpointer)scenario_where(sc, k->group, k->name));
	}
	return results_run_begin(db, &(struct results_run_info){
		.run_key = run_key, .point_key = point_key,
		.scenario = scenario_name(sc), .scenario_text = scenario_text(sc),
		.params = params, .overrides = o->overrides ? o->overrides : "",
		.seed = scenario_count(sc, "run", "seed"),
		.replication = o->replication, .version = o->version,
		.param_names = (const char *const *)names->pdata,
		.param_values = (const char *const *)values->pdata,
		.param_sources = (const char *const *)sources->pdata,
		.nparams = t->n,
	}, run_id, err);
}

gboolean
run_scenario(const struct scenario *sc, const struct run_options *o,
	     struct run_report *rep, GError **err)
{
	const struct model_type *mt = sim_catalog_model(o->catalog, sc);
	const struct evq_type *qt = evq_types[scenario_enum(sc, "run", "queue")];
	fc_time_t warmup = scenario_duration(sc, "run", "warmup");
	fc_time_t duration = scenario_duration(sc, "run", "duration");
	g_autoptr(fc_results) db = NULL;
	struct driver d = { .o = o };
	void *model = NULL;
	const char *status = "done";
	g_autoptr(GError) e = NULL;
	gboolean stats = TRUE;
	int64_t done_id = 0;

	memset(rep, 0, sizeof *rep);
	g_assert(mt && qt);
	/* A run ends before FC_TIME_NEVER - 1, where the engine keeps the
	 * events that are beyond the end of time (sim/engine.h). */
	if (duration > FC_TIME_NEVER - 2 || warmup > FC_TIME_NEVER - 2 - duration)
		return scenario_invalid(sc, err, "run", "duration",
					"warmup + duration is beyond the end of time "
					"(584 years)");
	if (mt->check && !mt->check(sc, err))
		return FALSE;
	if (!run_check_budget(o->catalog, sc, err))
		return FALSE;
	db = results_open(o->output, TRUE, err);
	if (!db)
		return FALSE;

	d.max_events = scenario_count(sc, "run", "max_events");
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
	if (!results_find_done(db, rep->run_key, &done_id, err))
		goto bad_input;
	if (done_id && !o->force) {
		rep->outcome = RUN_ALREADY_DONE;
		rep->run_id = done_id;
		recorder_free(d.ctx.rec);
		engine_free(d.ctx.engine);
		return TRUE;
	}
	model = mt->create(&d.ctx, sc, err);
	if (!model)
		goto bad_input;
	if (!begin(db, sc, o, rep->run_key, &rep->run_id, err))
		goto bad_input;
	if (!recorder_attach(d.ctx.rec, db, rep->run_id, &e)) {
		d.ctx.failure = g_strdup(e->message);
		g_clear_error(&e);
	}

	engine_set_poll(d.ctx.engine, POLL_EVENTS, poll_run, &d);
	if (!d.ctx.failure)
		engine_run_until(d.ctx.engine, d.ctx.end);
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
	g_clear_pointer(&rep->error, g_free);
	g_clear_pointer(&rep->run_key, g_free);
}
