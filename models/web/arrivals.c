/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/web/arrivals.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/infile.h"
#include "sim/rng.h"

/* Pieces a ramp is cut into, each with its own bound for thinning. */
#define RAMP_PIECES 64

enum shape {
	SHAPE_CONST,
	SHAPE_LINEAR,
	SHAPE_EXP,
};

/* The rate over [t0, t1): r0 at t0 to r1 at t1 by the shape. */
struct piece {
	fc_time_t t0, t1;
	double r0, r1;
	enum shape shape;
};

struct arrivals {
	GArray *pieces; /* struct piece, in time order, covering [0, NEVER) */
};

G_DEFINE_QUARK(flashcoop-arrivals-error-quark, arrivals_error)

static void
add(struct arrivals *a, fc_time_t t0, fc_time_t t1, double r0, double r1, enum shape s)
{
	struct piece p = { t0, t1, r0, r1, s };

	if (t1 > t0)
		g_array_append_val(a->pieces, p);
}

static double
piece_rate(const struct piece *p, fc_time_t t)
{
	double x = p->t1 == FC_TIME_NEVER ? 0 :
		   (double)(t - p->t0) / (double)(p->t1 - p->t0);

	switch (p->shape) {
	case SHAPE_CONST:
		return p->r0;
	case SHAPE_LINEAR:
		return p->r0 + (p->r1 - p->r0) * x;
	case SHAPE_EXP:
		return p->r0 * pow(p->r1 / p->r0, x);
	}
	return 0;
}

/* Adds a ramp from r0 to r1 over [t0, t1), cut into pieces. */
static void
add_ramp(struct arrivals *a, fc_time_t t0, fc_time_t t1, double r0, double r1,
	 enum arrivals_ramp ramp)
{
	struct piece whole = { t0, t1, r0, r1,
			       ramp == ARRIVALS_LINEAR ? SHAPE_LINEAR : SHAPE_EXP };

	if (t1 <= t0)
		return;
	for (int i = 0; i < RAMP_PIECES; i++) {
		fc_time_t a0 = t0 + (t1 - t0) / RAMP_PIECES * (fc_time_t)i;
		fc_time_t a1 = i == RAMP_PIECES - 1 ? t1 :
			       t0 + (t1 - t0) / RAMP_PIECES * (fc_time_t)(i + 1);

		add(a, a0, a1, piece_rate(&whole, a0), piece_rate(&whole, a1), whole.shape);
	}
}

struct arrivals *
arrivals_new_profile(const struct arrivals_profile *p)
{
	struct arrivals *a = g_new0(struct arrivals, 1);
	double peak = p->baseline * p->shock;
	fc_time_t t = p->start;

	g_assert(p->baseline > 0 && p->shock >= 1);
	a->pieces = g_array_new(FALSE, FALSE, sizeof(struct piece));
	add(a, 0, t, p->baseline, p->baseline, SHAPE_CONST);
	add_ramp(a, t, fc_time_add(t, p->ramp_up), p->baseline, peak, p->ramp);
	t = fc_time_add(t, p->ramp_up);
	add(a, t, fc_time_add(t, p->sustained), peak, peak, SHAPE_CONST);
	t = fc_time_add(t, p->sustained);
	add_ramp(a, t, fc_time_add(t, p->ramp_down), peak, p->baseline, p->ramp);
	t = fc_time_add(t, p->ramp_down);
	add(a, t, FC_TIME_NEVER, p->baseline, p->baseline, SHAPE_CONST);
	return a;
}

struct arrivals *
arrivals_new_trace(const double *counts, size_t n, fc_time_t period, double time_scale,
		   double rate_scale)
{
	struct arrivals *a = g_new0(struct arrivals, 1);
	double len_ns = (double)period * time_scale;
	fc_time_t t = 0;

	g_assert(period > 0 && time_scale > 0 && rate_scale >= 0);
	a->pieces = g_array_new(FALSE, FALSE, sizeof(struct piece));
	for (size_t i = 0; i < n; i++) {
		fc_time_t t1 = rng_time_from_ns(round(len_ns * (double)(i + 1)));
		double r = counts[i] * rate_scale / (len_ns / 1e9);

		add(a, t, t1, r, r, SHAPE_CONST);
		t = MAX(t, t1);
	}
	add(a, t, FC_TIME_NEVER, 0, 0, SHAPE_CONST);
	return a;
}

void
arrivals_free(struct arrivals *a)
{
	if (!a)
		return;
	g_array_unref(a->pieces);
	g_free(a);
}

/* The index of the piece holding t. */
static guint
find(const struct arrivals *a, fc_time_t t)
{
	guint lo = 0, hi = a->pieces->len - 1;

	while (lo < hi) {
		guint mid = (lo + hi + 1) / 2;

		if (g_array_index(a->pieces, struct piece, mid).t0 <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

double
arrivals_rate(const struct arrivals *a, fc_time_t t)
{
	return piece_rate(&g_array_index(a->pieces, struct piece, find(a, t)), t);
}

/* The integral of a piece's rate over [u0, u1) within it, in arrivals. */
static double
piece_integral(const struct piece *p, fc_time_t u0, fc_time_t u1)
{
	double dt = fc_time_to_sec(u1 - u0);
	double ra = piece_rate(p, u0), rb = piece_rate(p, u1);

	switch (p->shape) {
	case SHAPE_CONST:
		return p->r0 * dt;
	case SHAPE_LINEAR:
		return (ra + rb) / 2 * dt;
	case SHAPE_EXP: {
		/* r(s) = ra e^{k s}: the integral is (rb - ra) / k. */
		double k = log(p->r1 / p->r0) / (fc_time_to_sec(p->t1 - p->t0));

		return k == 0 ? ra * dt : (rb - ra) / k;
	}
	}
	return 0;
}

double
arrivals_expected(const struct arrivals *a, fc_time_t t0, fc_time_t t1)
{
	double sum = 0;

	for (guint i = find(a, t0); i < a->pieces->len && t0 < t1; i++) {
		const struct piece *p = &g_array_index(a->pieces, struct piece, i);
		fc_time_t end = MIN(t1, p->t1);

		if (end > t0)
			sum += piece_integral(p, t0, end);
		t0 = end;
	}
	return sum;
}

fc_time_t
arrivals_next(const struct arrivals *a, struct rng_stream *s, fc_time_t after)
{
	gsl_rng *r = rng_stream_gsl(s);
	fc_time_t t = after;

	for (guint i = find(a, t); i < a->pieces->len;) {
		const struct piece *p = &g_array_index(a->pieces, struct piece, i);
		/* Rates are monotone within a piece: the larger end bounds it. */
		double bound = MAX(piece_rate(p, t), p->t1 == FC_TIME_NEVER ? p->r0 :
				   piece_rate(p, p->t1));
		double gap;

		if (bound <= 0) {
			if (p->t1 == FC_TIME_NEVER)
				return FC_TIME_NEVER;
			t = p->t1;
			i++;
			continue;
		}
		gap = ceil(gsl_ran_exponential(r, 1e9 / bound));
		if (gap < 1)
			gap = 1;
		if (gap >= (double)(p->t1 - t)) {
			/* Past the piece: start again at its end (memoryless). */
			if (p->t1 == FC_TIME_NEVER)
				return FC_TIME_NEVER;
			t = p->t1;
			i++;
			continue;
		}
		t += (fc_time_t)gap;
		if (gsl_rng_uniform(r) * bound < piece_rate(p, t))
			return t;
	}
	return FC_TIME_NEVER;
}

double *
arrivals_read_trace(const char *path, size_t *n, GError **err)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) e = NULL;
	g_auto(GStrv) lines = NULL;
	GArray *counts = g_array_new(FALSE, FALSE, sizeof(double));
	gsize len;
	bool csv = false;

	if (!infile_read(path, INFILE_MAX_TRACE, &text, &len, &e)) {
		g_set_error(err, ARRIVALS_ERROR, 0, "%s", e->message);
		g_array_unref(counts);
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		g_set_error(err, ARRIVALS_ERROR, 0, "%s: not a text file", path);
		g_array_unref(counts);
		return NULL;
	}
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		char *line = g_strstrip(lines[i]);
		const char *field = line;
		char *end;
		double v;

		if (!*line)
			continue;
		if (counts->len == 0 && !csv && strchr(line, ',')) {
			csv = true;
			/* A header line names the columns. */
			if (!g_ascii_isdigit(*(strrchr(line, ',') + 1)))
				continue;
		}
		if (csv) {
			const char *comma = strrchr(line, ',');

			if (!comma) {
				g_set_error(err, ARRIVALS_ERROR, 0, "%s:%u: expected "
					    "'period,count', found '%s'", path, i + 1, line);
				g_array_unref(counts);
				return NULL;
			}
			field = comma + 1;
		}
		v = g_ascii_strtod(field, &end);
		while (g_ascii_isspace(*end))
			end++;
		if (end == field || *end || !(v >= 0) || !isfinite(v)) {
			g_set_error(err, ARRIVALS_ERROR, 0, "%s:%u: expected a count "
				    "(a number >= 0), found '%s'", path, i + 1, field);
			g_array_unref(counts);
			return NULL;
		}
		g_array_append_val(counts, v);
	}
	if (counts->len == 0) {
		g_set_error(err, ARRIVALS_ERROR, 0, "%s: no counts", path);
		g_array_unref(counts);
		return NULL;
	}
	*n = counts->len;
	return (double *)(void *)g_array_free(counts, FALSE);
}

const struct fc_enum_name arrivals_ramp_names[] = {
	{ "linear", ARRIVALS_LINEAR }, { "exponential", ARRIVALS_EXPONENTIAL }, { NULL, 0 },
};
