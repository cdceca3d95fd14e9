/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/world/net.h"

#include <math.h>
#include <string.h>

#include <glib.h>

/* No link: a flow whose bottleneck is not yet known. */
#define NO_LINK ((net_link)UINT32_MAX)

/*
 * The largest of a set of values kept as values come and go: the largest
 * and how many hold it; once the last of those leaves, it is stale until
 * recounted from the set (top_get()).
 */
struct top {
	double v;
	unsigned n;
	bool stale;
};

struct link {
	/* What a recomputation reads most, first. */
	net_link id;
	bool dirty;         /* in the net's dirty list */
	bool touched;       /* fill(): in the list of links whose share moved */
	double cap;         /* bits per second */
	double rem;         /* fill(): capacity left */
	/* The sum and the largest of its flows' rates, kept as rates change
	 * (in fill()), so that checking a neighbour's bottleneck costs O(1)
	 * instead of a walk over a shared link's flows. */
	double sum;
	struct top max;
	unsigned unfrozen;  /* fill(): flows not yet given a rate */
	guint s_head;       /*   its S flows: a list through net->slots */
	guint cpos;         /*   its index in comp_links */
	guint hver;         /*   its entry in the heap that is current */
	uint64_t walked;    /* widen(): stamp of the last walk of its flows */
	uint64_t epoch;     /* of the last component search that saw it */
	GPtrArray *flows;   /* struct net_flow on it */
	/* The flows it is the bottleneck of (their bneck), and the smallest
	 * of their rates, kept like max.  Flows bottlenecked at one link have
	 * one rate, so while the link is full and none of its flows is faster
	 * than that, all of them still have their bottleneck there: one
	 * comparison instead of a check of each (widen()).  Kept as the
	 * largest of their rates negated. */
	GPtrArray *wit;
	struct top wmin;
};

/* Links a flow keeps inside itself; a longer path is allocated apart. */
#define FLOW_INLINE_LINKS 4

struct net_flow {
	struct net *net;
	net_link *links;    /* inline_links, or allocated when longer */
	guint *pos;         /* its index in each link's flows (likewise) */
	size_t nlinks;
	uint64_t bytes;
	double bits_total, bits_done;
	fc_time_t t_last;   /* bits_done is as of this time */
	double rate, prev_rate;
	engine_event done_ev;
	net_done_fn done;
	void *data;
	uint64_t epoch;     /* == the net's: in S */
	/* A saturated link where no flow is faster, or NO_LINK.  An id, not
	 * a pointer: links are added (and their array moved) as flows run. */
	net_link bneck;
	guint wpos;         /* its index in bneck->wit */
	bool frozen, joining;
	bool seeded;        /* in the net's seeds, waiting for a flush */
	bool resched;       /* in the net's resched list */
	double sched_rate;  /* the rate its done_ev was placed at */
	/* Its rate fell after done_ev was placed: the event stays where it
	 * is, early, and when it comes it is placed again at due, where the
	 * rate and progress at the fall put it (move_done(), complete()). */
	bool early;
	fc_time_t due;
	net_link inline_links[FLOW_INLINE_LINKS];
	guint inline_pos[FLOW_INLINE_LINKS];
};

/* A flow of S on one of its links, and the next on that link's list. */
struct slot {
	struct net_flow *f;
	guint next;
};

#define NO_SLOT G_MAXUINT

/* A link's equal share when it was pushed; current while ver is its hver. */
struct hent {
	double share;
	guint cpos, ver;
};

struct net {
	struct engine *e;
	GArray *links;      /* struct link */
	size_t nflows;
	uint64_t epoch;
	uint64_t delivered, recomputations, rated;
	GPtrArray *comp_links, *comp_flows, *join; /* scratch */
	GArray *slots;      /* scratch: struct slot, S flows listed by link */
	GArray *share;      /* scratch: each link's equal share (fill_scan()) */
	GArray *heap;       /* scratch: struct hent, links by equal share (fill_heap()) */
	GPtrArray *touched; /* scratch: links whose share moved (fill()) */
	uint64_t walk;      /* widen(): which links it walked, by stamp */
	/* Links changed while a completion's done function runs: their rates
	 * are recomputed once, after it (see complete()). */
	GArray *dirty;      /* net_link */
	GPtrArray *seeds;   /* flows started meanwhile (their seeded set) */
	/* Flows whose rate moved while a done function ran: their completion
	 * events are placed once, after it, and not at all if their rate
	 * came back (a flow started to learn its rate, then cancelled). */
	GPtrArray *resched;
	unsigned defer;
	bool eager;         /* net_set_eager_moves() */
};

static void
top_reset(struct top *t)
{
	*t = (struct top){ -INFINITY, 0, false };
}

static void
top_take(struct top *t, double x)
{
	if (t->stale)
		return;
	if (x > t->v) {
		t->v = x;
		t->n = 1;
	} else if (x == t->v) {
		t->n++;
	}
}

static void
top_drop(struct top *t, double x)
{
	if (!t->stale && x == t->v && --t->n == 0)
		t->stale = true;
}

/* The largest of sign times the rates of flows, recounted if stale. */
static double
top_get(struct top *t, const GPtrArray *flows, double sign)
{
	if (t->stale) {
		top_reset(t);
		for (guint j = 0; j < flows->len; j++)
			top_take(t, sign * ((const struct net_flow *)flows->pdata[j])->rate);
	}
	return t->v;
}

struct net *
net_new(struct engine *e)
{
	struct net *n = g_new0(struct net, 1);

	n->e = e;
	n->links = g_array_new(FALSE, TRUE, sizeof(struct link));
	n->comp_links = g_ptr_array_new();
	n->comp_flows = g_ptr_array_new();
	n->join = g_ptr_array_new();
	n->slots = g_array_new(FALSE, FALSE, sizeof(struct slot));
	n->share = g_array_new(FALSE, FALSE, sizeof(double));
	n->heap = g_array_new(FALSE, FALSE, sizeof(struct hent));
	n->touched = g_ptr_array_new();
	n->dirty = g_array_new(FALSE, FALSE, sizeof(net_link));
	n->seeds = g_ptr_array_new();
	n->resched = g_ptr_array_new();
	return n;
}

static void
flow_free(struct net_flow *f)
{
	if (f->links != f->inline_links) {
		g_free(f->links);
		g_free(f->pos);
	}
	g_free(f);
}

void
net_free(struct net *n)
{
	g_autoptr(GPtrArray) all = NULL;

	if (!n)
		return;
	/* Each flow once: from its first link; freed after the walk. */
	all = g_ptr_array_new_with_free_func((GDestroyNotify)flow_free);
	for (guint i = 0; i < n->links->len; i++) {
		struct link *l = &g_array_index(n->links, struct link, i);

		for (guint j = 0; j < l->flows->len; j++) {
			struct net_flow *f = l->flows->pdata[j];

			if (f->links[0] == i) {
				engine_cancel(n->e, f->done_ev);
				g_ptr_array_add(all, f);
			}
		}
	}
	for (guint i = 0; i < n->links->len; i++) {
		g_ptr_array_unref(g_array_index(n->links, struct link, i).flows);
		g_ptr_array_unref(g_array_index(n->links, struct link, i).wit);
	}
	g_array_unref(n->links);
	g_ptr_array_unref(n->comp_links);
	g_ptr_array_unref(n->comp_flows);
	g_ptr_array_unref(n->join);
	g_array_unref(n->slots);
	g_array_unref(n->share);
	g_array_unref(n->heap);
	g_ptr_array_unref(n->touched);
	g_array_unref(n->dirty);
	g_ptr_array_unref(n->seeds);
	g_ptr_array_unref(n->resched);
	g_free(n);
}

net_link
net_link_add(struct net *n, uint64_t bits_per_s)
{
	struct link l = { 0 };

	g_assert(bits_per_s > 0);
	l.cap = (double)bits_per_s;
	l.id = n->links->len;
	l.flows = g_ptr_array_new();
	l.wit = g_ptr_array_new();
	top_reset(&l.max);
	top_reset(&l.wmin);
	g_array_append_val(n->links, l);
	return n->links->len - 1;
}

static struct link *
link_at(const struct net *n, net_link id)
{
	return &g_array_index(n->links, struct link, id);
}

void
net_link_set(struct net *n, net_link id, uint64_t bits_per_s)
{
	struct link *l = link_at(n, id);

	g_assert(bits_per_s > 0 && l->flows->len == 0);
	l->cap = (double)bits_per_s;
}

/* Brings bits_done up to now at the current rate. */
static void
advance(struct net_flow *f, fc_time_t now)
{
	if (now > f->t_last) {
		f->bits_done += f->rate * (double)(now - f->t_last) / 1e9;
		if (f->bits_done > f->bits_total)
			f->bits_done = f->bits_total;
		f->t_last = now;
	}
}

static void complete(struct engine *e, void *data, fc_time_t now);

/*
 * Rates are recomputed locally.  The flows whose rates may change form
 * the set S, which starts from the flows just added (recompute_now());
 * every other flow keeps its rate and the capacity it uses.  Progressive filling gives S the max-min rates of what is left,
 * and the result is checked against the flows around S: if one of them has
 * lost its bottleneck (its link is no longer full, or an S flow there is now
 * faster) or makes an S flow's bottleneck wrong (it is faster there), it
 * joins S and S is filled again.  When nothing joins, every flow has a
 * saturated link on which no flow is faster (the flows far from S kept the
 * links they had), which is the characterisation of the unique max-min
 * allocation.  In a swarm, where uplinks or downlinks are the bottleneck,
 * S stays a few hops wide however large the component.
 *
 * The check costs little: each flow records a link where it is
 * bottlenecked (bneck), and only the flows recorded at the links S
 * crosses can have lost theirs, since every other link kept its flows and
 * their rates.  Those of one link are passed together while the link is
 * full and none of its flows is faster than the slowest of them.
 */

#define NET_EPS 1e-9

/* Adds f to S: its progress is brought to now at the rate it had. */
static void
s_add(struct net *n, struct net_flow *f, fc_time_t now)
{
	uint64_t ep = n->epoch;

	f->epoch = ep;
	advance(f, now);
	f->prev_rate = f->rate;
	g_ptr_array_add(n->comp_flows, f);
	for (size_t k = 0; k < f->nlinks; k++) {
		struct link *m = link_at(n, f->links[k]);

		if (m->epoch != ep) {
			m->epoch = ep;
			m->cpos = n->comp_links->len;
			g_ptr_array_add(n->comp_links, m);
		}
	}
}

/* f's rate stops counting on link l. */
static void
link_drop_rate(struct link *l, double r)
{
	l->sum -= r;
	top_drop(&l->max, r);
}

/* f's rate r starts counting on link l. */
static void
link_take_rate(struct link *l, double r)
{
	l->sum += r;
	top_take(&l->max, r);
}

/* The largest rate on l. */
static double
link_max(struct link *l)
{
	return top_get(&l->max, l->flows, 1);
}

/* The smallest rate of the flows bottlenecked at l (infinite if none). */
static double
link_wmin(struct link *l)
{
	return -top_get(&l->wmin, l->wit, -1);
}

/* f no longer has a recorded bottleneck. */
static void
wit_remove(struct net *n, struct net_flow *f)
{
	struct link *l;
	struct net_flow *last;

	if (f->bneck == NO_LINK)
		return;
	l = link_at(n, f->bneck);
	last = l->wit->pdata[l->wit->len - 1];
	l->wit->pdata[f->wpos] = last;
	last->wpos = f->wpos;
	g_ptr_array_set_size(l->wit, l->wit->len - 1);
	top_drop(&l->wmin, -f->rate);
	if (l->wit->len == 0)
		top_reset(&l->wmin);
	f->bneck = NO_LINK;
}

/* Records l as f's bottleneck. */
static void
wit_set(struct net *n, struct net_flow *f, struct link *l)
{
	if (f->bneck == l->id)
		return;
	wit_remove(n, f);
	f->bneck = l->id;
	f->wpos = l->wit->len;
	g_ptr_array_add(l->wit, f);
	top_take(&l->wmin, -f->rate);
}

static bool
hent_before(const struct hent *a, const struct hent *b)
{
	return a->share < b->share || (a->share == b->share && a->cpos < b->cpos);
}

static void
heap_push(GArray *h, struct hent e)
{
	struct hent *v;
	guint i;

	g_array_append_val(h, e);
	v = (struct hent *)(void *)h->data;
	for (i = h->len - 1; i > 0 && hent_before(&e, &v[(i - 1) / 2]); i = (i - 1) / 2)
		v[i] = v[(i - 1) / 2];
	v[i] = e;
}

/* Puts e at slot i of a heap of n entries v and sifts it down. */
static void
heap_sift_down(struct hent *v, guint n, guint i, struct hent e)
{
	for (;;) {
		guint c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && hent_before(&v[c + 1], &v[c]))
			c++;
		if (!hent_before(&v[c], &e))
			break;
		v[i] = v[c];
		i = c;
	}
	v[i] = e;
}

static struct hent
heap_pop(GArray *h)
{
	struct hent *v = (struct hent *)(void *)h->data, top = v[0];

	heap_sift_down(v, h->len - 1, 0, v[h->len - 1]);
	g_array_set_size(h, h->len - 1);
	return top;
}

/* The equal share of l's capacity left among its flows without a rate. */
static double
equal_share(const struct link *l)
{
	return l->unfrozen > 0 ? MAX(l->rem, 0.0) / l->unfrozen : INFINITY;
}

/* Pushes l's equal share as its current heap entry. */
static void
push_share(struct net *n, struct link *l)
{
	l->hver++;
	heap_push(n->heap, (struct hent){ equal_share(l), l->cpos, l->hver });
}

/*
 * Gives l's S flows that have no rate yet the rate share, on the books of
 * the links they cross and of the filling.  The equal shares that moved
 * go to sh (by cpos) if given, else the links whose share moved (l aside)
 * are left in n->touched.  Returns how many flows it froze.
 */
static guint
freeze_link(struct net *n, struct link *l, double share, const struct slot *slot, double *sh)
{
	guint frozen = 0;

	g_ptr_array_set_size(n->touched, 0);
	for (guint j = l->s_head; j != NO_SLOT; j = slot[j].next) {
		struct net_flow *f = slot[j].f;

		if (f->frozen)
			continue;
		f->frozen = true;
		frozen++;
		/* Its rate on the books of the links it crosses, and the
		 * filling's, in one pass. */
		for (size_t k = 0; k < f->nlinks; k++) {
			struct link *m = link_at(n, f->links[k]);

			if (share != f->rate) {
				link_drop_rate(m, f->rate);
				link_take_rate(m, share);
			}
			m->rem -= share;
			m->unfrozen--;
			if (sh) {
				sh[m->cpos] = m->unfrozen > 0 ? MAX(m->rem, 0.0) / m->unfrozen :
					      INFINITY;
			} else if (m != l && !m->touched) {
				m->touched = true;
				g_ptr_array_add(n->touched, m);
			}
		}
		if (f->bneck != l->id) {
			wit_remove(n, f);
			f->rate = share;
			wit_set(n, f, l);
		} else if (share != f->rate) {
			top_drop(&l->wmin, -f->rate);
			top_take(&l->wmin, -share);
			f->rate = share;
		}
	}
	for (guint i = 0; i < n->touched->len; i++)
		((struct link *)n->touched->pdata[i])->touched = false;
	return frozen;
}

/*
 * Filling rounds over a few links: each round finds the smallest equal
 * share in a dense array and freezes the links that offer no more.
 */
#define SCAN_LINKS_MAX 128

static void
fill_scan(struct net *n, const struct slot *slot, guint left)
{
	double *sh;

	g_array_set_size(n->share, n->comp_links->len);
	sh = (double *)(void *)n->share->data;
	for (guint i = 0; i < n->comp_links->len; i++)
		sh[i] = equal_share(n->comp_links->pdata[i]);
	while (left > 0) {
		double share = INFINITY;

		for (guint i = 0; i < n->comp_links->len; i++)
			share = MIN(share, sh[i]);
		g_assert(isfinite(share));
		for (guint i = 0; i < n->comp_links->len; i++) {
			struct link *l;

			if (sh[i] > share)
				continue;
			l = n->comp_links->pdata[i];
			left -= freeze_link(n, l, share, slot, sh);
		}
	}
}

/*
 * Filling over many links (an ISP link's component has thousands, and as
 * many levels): the links by equal share in a heap, so that a step costs
 * the log of their number instead of a scan of them all.
 */
static void
fill_heap(struct net *n, const struct slot *slot, guint left)
{
	struct hent *v;

	/* All links at once, then ordered bottom-up: linear, where pushing
	 * them one by one costs a log each (a saturated uplink's component
	 * is often filled in one step). */
	g_array_set_size(n->heap, 0);
	for (guint i = 0; i < n->comp_links->len; i++) {
		struct link *l = n->comp_links->pdata[i];

		if (l->unfrozen > 0) {
			struct hent e = { equal_share(l), l->cpos, ++l->hver };

			g_array_append_val(n->heap, e);
		}
	}
	v = (struct hent *)(void *)n->heap->data;
	for (guint i = n->heap->len / 2; i-- > 0;)
		heap_sift_down(v, n->heap->len, i, v[i]);
	while (left > 0) {
		struct hent top;
		struct link *l;

		g_assert(n->heap->len > 0);
		top = heap_pop(n->heap);
		l = n->comp_links->pdata[top.cpos];
		if (top.ver != l->hver || l->unfrozen == 0)
			continue;
		left -= freeze_link(n, l, top.share, slot, NULL);
		for (guint i = 0; i < n->touched->len; i++) {
			struct link *m = n->touched->pdata[i];

			if (m->unfrozen > 0)
				push_share(n, m);
		}
	}
}

/*
 * Max-min rates for the flows of S by progressive filling over what the
 * others leave of each link: the link offering the smallest equal share
 * fixes the rate of its S flows, which then use that much of every link
 * they cross; repeat.  Each flow remembers the link that fixed it.
 */
static void
fill(struct net *n)
{
	guint left = n->comp_flows->len, nslot = 0;
	struct slot *slot;

	/* What the flows outside S leave of each link is its capacity less
	 * their rates: the link's rate sum less its S flows' rates.  Walking
	 * S, not the links' flows, keeps a shared link's hundreds of other
	 * flows out of it; the same walk lists S by link. */
	for (guint i = 0; i < n->comp_links->len; i++) {
		struct link *l = n->comp_links->pdata[i];

		l->rem = l->cap - l->sum;
		l->unfrozen = 0;
		l->s_head = NO_SLOT;
	}
	for (guint i = 0; i < n->comp_flows->len; i++)
		nslot += ((struct net_flow *)n->comp_flows->pdata[i])->nlinks;
	g_array_set_size(n->slots, nslot);
	slot = (struct slot *)(void *)n->slots->data;
	nslot = 0;
	for (guint i = 0; i < n->comp_flows->len; i++) {
		struct net_flow *f = n->comp_flows->pdata[i];

		f->frozen = false;
		for (size_t k = 0; k < f->nlinks; k++) {
			struct link *m = link_at(n, f->links[k]);

			m->rem += f->rate;
			m->unfrozen++;
			slot[nslot] = (struct slot){ f, m->s_head };
			m->s_head = nslot++;
		}
	}
	if (n->comp_links->len <= SCAN_LINKS_MAX)
		fill_scan(n, slot, left);
	else
		fill_heap(n, slot, left);
}

/* Whether f is bottlenecked at m: m is full and no flow there is faster. */
static bool
bottleneck_at(struct link *m, double rate)
{
	return m->sum >= m->cap * (1 - NET_EPS) && rate >= link_max(m) * (1 - NET_EPS);
}

/* A saturated link of f's on which no flow is faster, or NULL. */
static struct link *
find_bottleneck(struct net *n, struct net_flow *f)
{
	for (size_t k = 0; k < f->nlinks; k++) {
		struct link *m = link_at(n, f->links[k]);

		if (bottleneck_at(m, f->rate))
			return m;
	}
	return NULL;
}

static void
join_s(struct net *n, struct net_flow *g)
{
	g->joining = true;
	g_ptr_array_add(n->join, g);
}

/* Flows outside S that the last fill got wrong; true if any joined S. */
static bool
widen(struct net *n, fc_time_t now)
{
	uint64_t ep = n->epoch;
	GPtrArray *join = n->join;

	g_ptr_array_set_size(join, 0);
	/*
	 * A flow outside S keeps its rate; it may have lost its bottleneck
	 * only if that link is one where S changed something.  So the flows
	 * recorded as bottlenecked at the links of S are checked, the others
	 * not (their links' flows and rates are as they were).  An
	 * overloaded link (rounding) sends all its flows into S.
	 */
	for (guint i = 0; i < n->comp_links->len; i++) {
		struct link *l = n->comp_links->pdata[i];

		if (l->sum > l->cap * (1 + NET_EPS)) {
			for (guint j = 0; j < l->flows->len; j++) {
				struct net_flow *g = l->flows->pdata[j];

				if (g->epoch != ep && !g->joining)
					join_s(n, g);
			}
			continue;
		}
		if (l->wit->len == 0 || bottleneck_at(l, link_wmin(l)))
			continue;
		/* Backwards: a flow moved to another link's list is replaced
		 * by the last, already looked at. */
		for (guint j = l->wit->len; j-- > 0;) {
			struct net_flow *g = l->wit->pdata[j];
			struct link *b;

			if (g->epoch == ep || g->joining)
				continue;
			b = find_bottleneck(n, g);
			if (!b)
				join_s(n, g);
			else if (b != l)
				wit_set(n, g, b);
		}
	}
	/* The S flows bottlenecked at one link were given one share there,
	 * so each link is walked once. */
	n->walk++;
	for (guint i = 0; i < n->comp_flows->len; i++) {
		struct net_flow *f = n->comp_flows->pdata[i];
		struct link *l = link_at(n, f->bneck);

		if (l->walked == n->walk || link_max(l) <= f->rate * (1 + NET_EPS))
			continue;
		l->walked = n->walk;
		for (guint j = 0; j < l->flows->len; j++) {
			struct net_flow *g = l->flows->pdata[j];

			if (g->epoch != ep && !g->joining && g->rate > f->rate * (1 + NET_EPS))
				join_s(n, g);
		}
	}
	for (guint i = 0; i < join->len; i++) {
		struct net_flow *g = join->pdata[i];

		g->joining = false;
		s_add(n, g, now);
	}
	return join->len > 0;
}

/* When f ends at its rate and progress as of now: FC_TIME_NEVER if it
 * gets no rate or would end after the end of time. */
static fc_time_t
done_at(const struct net_flow *f, fc_time_t now)
{
	double left = f->bits_total - f->bits_done;
	double ns;

	if (left <= 0)
		return now;
	if (f->rate <= 0)
		return FC_TIME_NEVER;
	ns = ceil(left * 1e9 / f->rate);
	return ns >= (double)(FC_TIME_NEVER - now) ? FC_TIME_NEVER : now + (fc_time_t)ns;
}

/* Places f's completion event at done_at(): none at FC_TIME_NEVER. */
static void
place_done(struct net *n, struct net_flow *f, fc_time_t now)
{
	fc_time_t at = done_at(f, now);

	engine_cancel(n->e, f->done_ev);
	f->done_ev = at == FC_TIME_NEVER ? 0 : engine_schedule_at(n->e, at, complete, f);
	f->sched_rate = f->rate;
	f->early = false;
}

/*
 * Moves f's completion event where its rate puts it, or, when the rate
 * only fell, leaves the event where it is and notes where it belongs: the
 * event comes early and moves itself once (complete()), instead of a
 * cancel and a new event at every fall.  On a full link each flow that
 * joins slows every flow there, and each that leaves speeds them up
 * again: this halves the moves.
 */
static void
move_done(struct net *n, struct net_flow *f, fc_time_t now)
{
	n->rated++;
	if (!n->eager && f->done_ev && f->rate > 0 && f->rate < f->sched_rate) {
		f->early = true;
		f->due = done_at(f, now);
		return;
	}
	place_done(n, f, now);
}

/* Moves each flow of S's completion event to where its rate puts it; while
 * a done function runs, lists it for after. */
static void
reschedule(struct net *n, fc_time_t now)
{
	for (guint i = 0; i < n->comp_flows->len; i++) {
		struct net_flow *f = n->comp_flows->pdata[i];

		/* Same rate, same completion time: leave its event alone. */
		if (f->rate == f->prev_rate && f->done_ev)
			continue;
		if (n->defer > 0) {
			if (!f->resched) {
				f->resched = true;
				g_ptr_array_add(n->resched, f);
			}
			continue;
		}
		move_done(n, f, now);
	}
	n->recomputations++;
}

/* The events of the flows listed while a done function ran. */
static void
place_listed(struct net *n, fc_time_t now)
{
	for (guint i = 0; i < n->resched->len; i++) {
		struct net_flow *f = n->resched->pdata[i];

		f->resched = false;
		if (f->rate == f->sched_rate && f->done_ev && !f->early)
			continue;
		move_done(n, f, now);
	}
	g_ptr_array_set_size(n->resched, 0);
}

/*
 * Recomputes rates after a change on links (a flow added or removed
 * there), at now; seeds are the flows added.  S starts from the seeds
 * alone: a new flow takes what its links have spare, and where one is
 * full, the flows faster than it there join (widen()); a removed flow's
 * links are checked for the flows bottlenecked there.  The flows of a
 * link that is not full (an ISP link with room, a downlink) are left out
 * unless the change reaches them.
 */
static void
recompute_now(struct net *n, const net_link *links, size_t nlinks,
	      struct net_flow *const *seeds, size_t nseeds, fc_time_t now)
{
	n->epoch++;
	g_ptr_array_set_size(n->comp_links, 0);
	g_ptr_array_set_size(n->comp_flows, 0);
	for (size_t i = 0; i < nlinks; i++) {
		struct link *l = link_at(n, links[i]);

		if (l->epoch != n->epoch) {
			l->epoch = n->epoch;
			l->cpos = n->comp_links->len;
			g_ptr_array_add(n->comp_links, l);
		}
	}
	for (size_t i = 0; i < nseeds; i++)
		s_add(n, seeds[i], now);
	for (;;) {
		if (n->comp_flows->len > 0)
			fill(n);
		if (!widen(n, now))
			break;
	}
	if (n->comp_flows->len > 0)
		reschedule(n, now);
}

/* Recomputes the rates around the links changed since the last time. */
static void
flush(struct net *n)
{
	if (n->dirty->len == 0)
		return;
	/* recompute_now() adds nothing to the lists it reads: no done
	 * function runs inside it. */
	for (guint i = 0; i < n->dirty->len; i++)
		link_at(n, g_array_index(n->dirty, net_link, i))->dirty = false;
	for (guint i = 0; i < n->seeds->len; i++)
		((struct net_flow *)n->seeds->pdata[i])->seeded = false;
	recompute_now(n, (const net_link *)(void *)n->dirty->data, n->dirty->len,
		      (struct net_flow *const *)n->seeds->pdata, n->seeds->len,
		      engine_now(n->e));
	g_array_set_size(n->dirty, 0);
	g_ptr_array_set_size(n->seeds, 0);
}

/*
 * Rates after a change on links: at once, or, while a completion's done
 * function runs, once after it, together with what that function changes.
 * A finished block whose next request starts on the same path then costs
 * one recomputation that moves nothing, instead of two that move the
 * completion of every flow around it twice.  Reading a rate flushes first
 * (net_flow_rate(), net_link_load()); progress needs no flush, since no
 * time passes while the list is pending.
 */
static void
recompute(struct net *n, const net_link *links, size_t nlinks, struct net_flow *seed,
	  fc_time_t now)
{
	if (n->defer == 0) {
		recompute_now(n, links, nlinks, &seed, seed ? 1 : 0, now);
		return;
	}
	if (seed) {
		seed->seeded = true;
		g_ptr_array_add(n->seeds, seed);
	}
	for (size_t i = 0; i < nlinks; i++) {
		struct link *l = link_at(n, links[i]);

		if (!l->dirty) {
			l->dirty = true;
			g_array_append_val(n->dirty, links[i]);
		}
	}
}

static void
detach(struct net *n, struct net_flow *f)
{
	wit_remove(n, f);
	for (size_t k = 0; k < f->nlinks; k++) {
		struct link *l = link_at(n, f->links[k]);
		guint at = f->pos[k];
		struct net_flow *last = l->flows->pdata[l->flows->len - 1];

		g_assert(l->flows->pdata[at] == f);
		link_drop_rate(l, f->rate);
		/* The last flow of the link takes f's place. */
		if (last != f) {
			for (size_t m = 0; m < last->nlinks; m++)
				if (last->links[m] == f->links[k])
					last->pos[m] = at;
			l->flows->pdata[at] = last;
		}
		g_ptr_array_set_size(l->flows, l->flows->len - 1);
		/* An empty link's books restart exact, so rounding cannot pile up. */
		if (l->flows->len == 0) {
			l->sum = 0;
			top_reset(&l->max);
		}
	}
	n->nflows--;
}

struct net_flow *
net_flow_start(struct net *n, const net_link *links, size_t nlinks, uint64_t bytes,
	       net_done_fn done, void *data)
{
	struct net_flow *f = g_new0(struct net_flow, 1);
	fc_time_t now = engine_now(n->e);

	g_assert(nlinks > 0 && bytes > 0);
	f->net = n;
	if (nlinks <= FLOW_INLINE_LINKS) {
		f->links = f->inline_links;
		f->pos = f->inline_pos;
		memcpy(f->links, links, nlinks * sizeof *links);
	} else {
		f->links = g_memdup2(links, nlinks * sizeof *links);
		f->pos = g_new(guint, nlinks);
	}
	f->nlinks = nlinks;
	f->bytes = bytes;
	f->bits_total = (double)bytes * 8;
	f->t_last = now;
	f->bneck = NO_LINK;
	f->done = done;
	f->data = data;
	for (size_t k = 0; k < nlinks; k++) {
		struct link *l = link_at(n, links[k]);

		g_assert(links[k] < n->links->len);
		for (size_t m = 0; m < k; m++)
			g_assert(links[m] != links[k]);
		f->pos[k] = l->flows->len;
		g_ptr_array_add(l->flows, f);
		link_take_rate(l, 0);
	}
	n->nflows++;
	recompute(n, links, nlinks, f, now);
	return f;
}

void
net_hold(struct net *n)
{
	n->defer++;
}

void
net_release(struct net *n)
{
	g_assert(n->defer > 0);
	if (--n->defer == 0) {
		flush(n);
		place_listed(n, engine_now(n->e));
	}
}

static void
complete(struct engine *e, void *data, fc_time_t now)
{
	struct net_flow *f = data;
	struct net *n = f->net;

	f->done_ev = 0;
	if (f->early && f->due > now) {
		/* Its rate fell since the event was placed (move_done()). */
		f->early = false;
		f->sched_rate = f->rate;
		f->done_ev = f->due == FC_TIME_NEVER ? 0 :
			     engine_schedule_at(e, f->due, complete, f);
		return;
	}
	detach(n, f);
	n->delivered += f->bytes;
	net_hold(n);
	recompute(n, f->links, f->nlinks, NULL, now);
	if (f->done)
		f->done(n, f, f->data, now);
	net_release(n);
	flow_free(f);
}

uint64_t
net_flow_cancel(struct net *n, struct net_flow *f)
{
	fc_time_t now = engine_now(n->e);
	uint64_t got;

	advance(f, now);
	got = (uint64_t)(f->bits_done / 8);
	if (got > f->bytes)
		got = f->bytes;
	engine_cancel(n->e, f->done_ev);
	/* A flow started and cancelled in one done function was never rated. */
	if (f->seeded)
		g_ptr_array_remove(n->seeds, f);
	if (f->resched)
		g_ptr_array_remove(n->resched, f);
	detach(n, f);
	n->delivered += got;
	recompute(n, f->links, f->nlinks, NULL, now);
	flow_free(f);
	return got;
}

void
net_flow_shrink(struct net *n, struct net_flow *f, uint64_t bytes)
{
	fc_time_t now = engine_now(n->e);

	g_assert(bytes <= f->bytes && bytes >= net_flow_received(n, f));
	advance(f, now);
	f->bytes = bytes;
	f->bits_total = (double)bytes * 8;
	place_done(n, f, now);
}

double
net_flow_rate(const struct net_flow *f)
{
	flush(f->net);
	return f->rate;
}

uint64_t
net_flow_received(struct net *n, const struct net_flow *f)
{
	double bits = f->bits_done + f->rate * (double)(engine_now(n->e) - f->t_last) / 1e9;
	uint64_t got = (uint64_t)(MIN(bits, f->bits_total) / 8);

	return got;
}

/* Links of more flows than this get their capacity as the estimate. */
#define NET_PROBE_FLOWS 256

/* The level at which l's flows, cut to it where faster, and one more flow
 * at it fill l. */
static double
link_level(struct link *l)
{
	guint m = l->flows->len, below = 0;
	double level;

	if (m == 0)
		return l->cap;
	/* Room for the new flow beside the fastest: the others keep theirs. */
	if (l->cap - l->sum >= link_max(l))
		return l->cap - l->sum;
	if (m > NET_PROBE_FLOWS)
		return l->cap;
	/* Rising from every flow cut to an equal share: the flows found
	 * slower than the level keep their rates, which lifts it for the
	 * rest; when no more are found, that is the level.  Each round finds
	 * at least one more flow or stops. */
	level = l->cap / (double)(m + 1);
	for (;;) {
		guint n_below = 0;
		double used = 0;

		for (guint i = 0; i < m; i++) {
			double r = ((const struct net_flow *)l->flows->pdata[i])->rate;

			if (r < level) {
				n_below++;
				used += r;
			}
		}
		if (n_below <= below)
			break;
		below = n_below;
		/* Never lower (rounding): the set below only grows, so this
		 * ends within m rounds. */
		level = MAX(level, (l->cap - used) / (double)(m - below + 1));
	}
	return MAX(level, 0.0);
}

double
net_path_rate(struct net *n, const net_link *links, size_t nlinks)
{
	double rate = INFINITY;

	flush(n);
	for (size_t k = 0; k < nlinks; k++)
		rate = MIN(rate, link_level(link_at(n, links[k])));
	return rate;
}

size_t
net_flows(const struct net *n)
{
	return n->nflows;
}

double
net_link_load(struct net *n, net_link id)
{
	const struct link *l;

	flush(n);
	l = link_at(n, id);
	/* The books kept as rates change; rounding may put them a hair
	 * outside [0, capacity], which no link carries. */
	return CLAMP(l->sum, 0.0, l->cap);
}

uint64_t
net_bytes_delivered(const struct net *n)
{
	return n->delivered;
}

uint64_t
net_recomputations(const struct net *n)
{
	return n->recomputations;
}

void
net_set_eager_moves(struct net *n, bool eager)
{
	n->eager = eager;
}

uint64_t
net_flows_rated(const struct net *n)
{
	return n->rated;
}
