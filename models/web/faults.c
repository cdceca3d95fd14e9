/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Faults on demand ([faults]): a server crashed at a given time, for a
 * while or for good — the origin, one cooperator, or a share of them —
 * whatever its load, so that the takeover of seed 000 Fig. 8 can be
 * studied at a chosen moment; and the DNS authority unavailable for a
 * period (dns_set_down()).  A crash is what an overload crash is
 * (server_crash()): connections lost, the node's state gone, the swarms
 * left; the server comes back with a fresh node.
 */
#include "models/web/internal.h"

#include <math.h>

#include <glib.h>

static void
crash_now(struct engine *e, void *data, fc_time_t now)
{
	struct web *w = data;
	fc_time_t down_for = w->fault.crash_for ? w->fault.crash_for : FC_TIME_NEVER;

	(void)e;
	for (unsigned i = w->fault.first; i < w->fault.first + w->fault.count; i++) {
		g_autofree char *entity = g_strdup_printf("server.%u", i);

		rec_event(w->ctx->rec, now, entity, "fault", down_for == FC_TIME_NEVER ?
			  "crash for the rest of the run" : "crash for %.9gs",
			  fc_time_to_sec(down_for));
		server_crash(w->servers[i].srv, down_for);
	}
}

static void
dns_event(struct engine *e, void *data, fc_time_t now)
{
	struct web *w = data;

	(void)e;
	if (now == w->fault.dns_from)
		rec_event(w->ctx->rec, now, "dns", "down", "the authority answers nothing for %.9gs",
			  fc_time_to_sec(w->fault.dns_until - w->fault.dns_from));
	else
		rec_event(w->ctx->rec, now, "dns", "up", NULL);
}

/* The servers crash = ... names: the first and how many. */
static void
targets(const struct scenario *sc, unsigned *first, unsigned *count)
{
	uint64_t n = scenario_count(sc, "web", "cooperators");

	switch ((enum web_crash)scenario_enum(sc, "faults", "crash")) {
	case WEB_CRASH_NONE:
		*first = *count = 0;
		break;
	case WEB_CRASH_ORIGIN:
		*first = 0;
		*count = 1;
		break;
	case WEB_CRASH_COOPERATOR:
		*first = (unsigned)scenario_count(sc, "faults", "crash_cooperator");
		*count = 1;
		break;
	case WEB_CRASH_COOPERATORS:
		*first = 1;
		*count = (unsigned)floor(scenario_ratio(sc, "faults", "crash_share") * (double)n);
		break;
	}
}

gboolean
web_faults_check(const struct scenario *sc, GError **err)
{
	int crash = scenario_enum(sc, "faults", "crash");
	uint64_t n = scenario_count(sc, "web", "cooperators");
	fc_time_t end = scenario_duration(sc, "run", "warmup") +
			scenario_duration(sc, "run", "duration");
	unsigned first, count;

	if (scenario_duration(sc, "faults", "dns_down_for") > 0 &&
	    scenario_duration(sc, "faults", "dns_down_at") >= end)
		return scenario_invalid(sc, err, "faults", "dns_down_at",
					"the DNS outage starts at %s, when the run has ended "
					"([run] warmup + duration = %.9gs)",
					scenario_value_text(sc, "faults", "dns_down_at"),
					fc_time_to_sec(end));
	if (crash == WEB_CRASH_NONE)
		return TRUE;
	if (scenario_duration(sc, "faults", "crash_at") >= end)
		return scenario_invalid(sc, err, "faults", "crash_at",
					"the crash is at %s, when the run has ended "
					"([run] warmup + duration = %.9gs)",
					scenario_value_text(sc, "faults", "crash_at"),
					fc_time_to_sec(end));
	if (crash == WEB_CRASH_COOPERATOR &&
	    scenario_count(sc, "faults", "crash_cooperator") > n)
		return scenario_invalid(sc, err, "faults", "crash_cooperator",
					"there is no cooperator %s: [web] cooperators = %s",
					scenario_value_text(sc, "faults", "crash_cooperator"),
					scenario_value_text(sc, "web", "cooperators"));
	targets(sc, &first, &count);
	if (crash == WEB_CRASH_COOPERATORS && count == 0)
		return scenario_invalid(sc, err, "faults", "crash_share",
					"floor(%s x %s cooperators) = 0: no cooperator crashes",
					scenario_value_text(sc, "faults", "crash_share"),
					scenario_value_text(sc, "web", "cooperators"));
	return TRUE;
}

void
web_faults_warn(const struct scenario *sc, GPtrArray *warnings)
{
	static const char *const crash_keys[] = { "crash_at", "crash_for", "crash_cooperator",
						  "crash_share" };
	int crash = scenario_enum(sc, "faults", "crash");

	if (scenario_duration(sc, "faults", "dns_down_for") == 0)
		scenario_warn_if_set(sc, warnings, "faults", "dns_down_at",
				     "[faults] dns_down_for is 0s");
	if (crash == WEB_CRASH_NONE) {
		for (size_t i = 0; i < G_N_ELEMENTS(crash_keys); i++)
			scenario_warn_if_set(sc, warnings, "faults", crash_keys[i],
					     "[faults] crash is none");
		return;
	}
	if (crash != WEB_CRASH_COOPERATOR)
		scenario_warn_if_set(sc, warnings, "faults", "crash_cooperator",
				     "[faults] crash is not cooperator");
	if (crash != WEB_CRASH_COOPERATORS)
		scenario_warn_if_set(sc, warnings, "faults", "crash_share",
				     "[faults] crash is not cooperators");
}

void
web_faults_start(struct web *w, const struct scenario *sc)
{
	targets(sc, &w->fault.first, &w->fault.count);
	w->fault.crash_for = scenario_duration(sc, "faults", "crash_for");
	if (w->fault.count)
		engine_schedule_at(w->e, scenario_duration(sc, "faults", "crash_at"), crash_now, w);
	if (scenario_duration(sc, "faults", "dns_down_for") > 0) {
		w->fault.dns_from = scenario_duration(sc, "faults", "dns_down_at");
		w->fault.dns_until = fc_time_add(w->fault.dns_from,
						 scenario_duration(sc, "faults", "dns_down_for"));
		dns_set_down(w->dns, w->fault.dns_from, w->fault.dns_until);
		engine_schedule_at(w->e, w->fault.dns_from, dns_event, w);
		if (w->fault.dns_until < w->ctx->end)
			engine_schedule_at(w->e, w->fault.dns_until, dns_event, w);
	}
}

const struct fc_enum_name web_crash_names[] = {
	{ "none", WEB_CRASH_NONE },
	{ "origin", WEB_CRASH_ORIGIN },
	{ "cooperator", WEB_CRASH_COOPERATOR },
	{ "cooperators", WEB_CRASH_COOPERATORS },
	{ NULL, 0 },
};
