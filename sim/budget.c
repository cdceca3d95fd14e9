/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/budget.h"

#include <math.h>

/* One kind of work (events or bytes): its sum and its largest term. */
struct tally {
	double sum, largest;
	const char *largest_keys;
};

struct budget {
	struct tally events, bytes;
};

struct budget *
budget_new(void)
{
	return g_new0(struct budget, 1);
}

void
budget_free(struct budget *b)
{
	g_free(b);
}

static void
tally_add(struct tally *t, double amount, const char *keys)
{
	g_assert(keys);
	/* NaN comes from a product such as 0 * inf: count it as infinite,
	 * since a term that cannot be computed cannot be afforded. */
	if (isnan(amount))
		amount = INFINITY;
	g_assert(amount >= 0);
	t->sum += amount;
	if (!t->largest_keys || amount > t->largest) {
		t->largest = amount;
		t->largest_keys = keys;
	}
}

void
budget_add_events(struct budget *b, double events, const char *keys)
{
	tally_add(&b->events, events, keys);
}

void
budget_add_bytes(struct budget *b, double bytes, const char *keys)
{
	tally_add(&b->bytes, bytes, keys);
}

double
budget_events(const struct budget *b)
{
	return b->events.sum;
}

double
budget_bytes(const struct budget *b)
{
	return b->bytes.sum;
}

/* Bytes for a message: "512 MiB", "3.2e+04 GiB". */
static char *
bytes_text(double bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	while (u + 1 < G_N_ELEMENTS(units) && bytes >= 1024) {
		bytes /= 1024;
		u++;
	}
	return g_strdup_printf("%.3g %s", bytes, units[u]);
}

gboolean
budget_check(const struct budget *b, const struct scenario *sc, GError **err)
{
	uint64_t max_events = scenario_count(sc, "run", "event_budget");
	uint64_t max_bytes = scenario_size(sc, "run", "memory_budget");

	if (max_events && b->events.sum > (double)max_events)
		return scenario_invalid(sc, err, "run", "event_budget",
					"the run asks for about %.2g events, beyond the "
					"budget of %s; the most from %s (%.2g); shorten the "
					"run or raise [run] event_budget (0: no limit)",
					b->events.sum,
					scenario_value_text(sc, "run", "event_budget"),
					b->events.largest_keys, b->events.largest);
	if (max_bytes && b->bytes.sum > (double)max_bytes) {
		g_autofree char *need = bytes_text(b->bytes.sum);
		g_autofree char *most = bytes_text(b->bytes.largest);

		return scenario_invalid(sc, err, "run", "memory_budget",
					"the run needs about %s of memory, beyond the "
					"budget of %s; the most for %s (%s); make the "
					"scenario smaller or raise [run] memory_budget "
					"(0: no limit)", need,
					scenario_value_text(sc, "run", "memory_budget"),
					b->bytes.largest_keys, most);
	}
	return TRUE;
}
