/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `flashcoop plot`: figures from any results database, drawn by gnuplot as
 * PNG (for screens) or PDF (for papers).  Three kinds:
 *
 *   series  a time series (vector) of one or more runs over simulated time,
 *           with the flash crowd's period shaded and its offered load (the
 *           arrival profile of [clients]) on the right axis when the runs
 *           have one;
 *   scalar  a scalar against a swept parameter: the mean over the done
 *           replications of each point with its 95% confidence interval
 *           (Student t, the point_scalar view), one line per value of a
 *           second parameter (--by);
 *   cdf     the distribution function of a statistic (page times), one
 *           curve per sweep point, pooled over its replications from their
 *           histograms;
 *
 * and `list`, which prints what a database holds to draw.  Parameters are
 * read as the canonical text of the param table and parsed with the key
 * table's value parser (sim/value.h), so a duration goes on an axis in
 * seconds, a rate in bit/s (scaled to a readable unit), a choice as
 * categories in the order of its name table.
 *
 * The figure is written to a temporary file beside the output and renamed
 * over it only when gnuplot succeeded, so a failed drawing leaves the
 * previous figure in place.
 */
#ifndef FLASHCOOP_SIM_PLOT_H
#define FLASHCOOP_SIM_PLOT_H

#include <glib.h>

struct key_table;

#define PLOT_ERROR (plot_error_quark())
GQuark plot_error_quark(void);

enum plot_error_code {
	PLOT_ERROR_INPUT,   /* bad arguments, or nothing to draw in the database */
	PLOT_ERROR_GNUPLOT, /* gnuplot is missing or failed */
};

enum plot_kind {
	PLOT_SERIES,
	PLOT_SCALAR,
	PLOT_CDF,
};

/* What to draw; the strings belong to the caller. */
struct plot_request {
	enum plot_kind kind;
	const char *db;          /* the results database */
	const char *metric;      /* ENTITY.NAME: "site.0.success_ratio" */
	const char *const *runs; /* run ids (series, cdf), NULL-terminated, or NULL */
	const char *const *where; /* "group.key=value" filters, or NULL */
	const char *x, *by;      /* scalar: the parameter on the x axis, and
				    the one that makes the lines (or NULL) */
	const char *output;      /* FILE.png or FILE.pdf */
	const char *script;      /* also write the gnuplot script here, or NULL */
	const char *title;       /* instead of the one from the scenario, or NULL */
	unsigned width, height;  /* PNG pixels; 0: the default */
	gboolean logx, logy;
};

/*
 * Draws the figure req asks for, reading the database and the keys of
 * table; FALSE with err set (PLOT_ERROR_INPUT for bad arguments or an
 * empty selection, RESULTS_ERROR for a database it cannot read,
 * PLOT_ERROR_GNUPLOT when gnuplot fails) otherwise.  *summary is set to a
 * newly allocated one-line description of what was drawn.
 */
gboolean plot_draw(const struct key_table *table, const struct plot_request *req,
		   char **summary, GError **err);

/*
 * What db holds to draw, one item a line: "vector ENTITY.NAME",
 * "scalar ENTITY.NAME", "statistic ENTITY.NAME" and "param NAME: V1, V2..."
 * for the parameters that differ between done runs; newly allocated.
 */
char *plot_list(const char *db, GError **err);

/*
 * `flashcoop plot`: argv[0] is "plot".  Returns the exit status: 0 drawn,
 * 1 gnuplot failed, 2 bad input.
 */
int plot_main(const struct key_table *table, int argc, char **argv);

#endif
