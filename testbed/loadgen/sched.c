/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/loadgen/sched.h"

#include <string.h>

struct lg_sched {
	struct lg_plan *plan;
	fc_time_t start;
	struct lg_plan_visit next;
	gboolean has_next;
	guint64 popped;
};

/* Reads the visit after the current one. */
static gboolean
advance(struct lg_sched *s, GError **err)
{
	int r = lg_plan_next(s->plan, &s->next, err);

	s->has_next = r > 0;
	return r >= 0;
}

struct lg_sched *
lg_sched_new(struct lg_plan *plan, fc_time_t start, GError **err)
{
	g_autoptr(lg_sched) s = g_new0(struct lg_sched, 1);

	s->plan = plan;
	s->start = start;
	if (!advance(s, err))
		return NULL;
	return g_steal_pointer(&s);
}

void
lg_sched_free(struct lg_sched *s)
{
	if (!s)
		return;
	lg_plan_visit_clear(&s->next);
	lg_plan_free(s->plan);
	g_free(s);
}

fc_time_t
lg_sched_next_at(const struct lg_sched *s)
{
	if (!s->has_next)
		return FC_TIME_NEVER;
	return fc_time_add(s->start, s->next.start);
}

int
lg_sched_pop(struct lg_sched *s, fc_time_t now, struct lg_plan_visit *v, GError **err)
{
	lg_plan_visit_clear(v);
	if (lg_sched_next_at(s) > now)
		return 0;
	*v = s->next;
	memset(&s->next, 0, sizeof s->next);
	s->popped++;
	return advance(s, err) ? 1 : -1;
}

guint64
lg_sched_popped(const struct lg_sched *s)
{
	return s->popped;
}
