/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/progress.h"

#include <stdio.h>
#include <unistd.h>

#include <glib.h>

#define REDRAW_US (G_USEC_PER_SEC / 4)
/* A worker reports its progress to its sweep at most this often. */
#define REPORT_US (G_USEC_PER_SEC / 2)
/* The progress line counts events in millions per second of wall time. */
#define EVENTS_PER_MEVENT 1e6
/* An ETA beyond this many seconds (three years) is shown as "?". */
#define ETA_MAX_S 1e8
#define SEC_PER_MIN 60
#define SEC_PER_HOUR 3600

struct progress {
	enum progress_mode mode;
	bool drawn;
	gint64 start, last, every_us;
	char *who;
};

struct progress *
progress_new(enum progress_mode mode, double every, const char *who)
{
	struct progress *p = g_new0(struct progress, 1);

	p->mode = mode;
	p->start = p->last = g_get_monotonic_time();
	p->every_us = (gint64)(every * G_USEC_PER_SEC);
	p->who = g_strdup(who);
	return p;
}

enum progress_mode
progress_mode_for_stderr(bool quiet)
{
	if (quiet)
		return PROGRESS_NONE;
	return isatty(STDERR_FILENO) ? PROGRESS_TERMINAL : PROGRESS_LINES;
}

void
progress_clear(struct progress *p)
{
	if (p && p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->drawn = false;
	}
}

void
progress_free(struct progress *p)
{
	if (!p)
		return;
	progress_clear(p);
	g_free(p->who);
	g_free(p);
}

/* "1:02:03" or "2:03"; "?" when unknown. */
static void
format_eta(char *buf, size_t len, double s)
{
	unsigned long t;

	if (!(s >= 0) || s > ETA_MAX_S) {
		snprintf(buf, len, "?");
		return;
	}
	t = (unsigned long)(s + 0.5);
	if (t >= SEC_PER_HOUR)
		snprintf(buf, len, "%lu:%02lu:%02lu", t / SEC_PER_HOUR,
			 t / SEC_PER_MIN % SEC_PER_MIN, t % SEC_PER_MIN);
	else
		snprintf(buf, len, "%lu:%02lu", t / SEC_PER_MIN, t % SEC_PER_MIN);
}

/* Whether it is time for the next line or report: every `us` of wall time. */
static bool
due(struct progress *p, gint64 us)
{
	gint64 now = g_get_monotonic_time();

	if (now - p->last < us && (p->mode != PROGRESS_TERMINAL || p->drawn))
		return false;
	p->last = now;
	return true;
}

void
progress_run(struct progress *p, fc_time_t now, fc_time_t end, uint64_t events)
{
	char eta[32];
	double elapsed, frac;

	if (!p || p->mode == PROGRESS_NONE)
		return;
	if (!due(p, p->mode == PROGRESS_TERMINAL ? REDRAW_US :
		 p->mode == PROGRESS_REPORT ? REPORT_US : p->every_us))
		return;
	frac = end ? (double)now / (double)end : 1;
	if (p->mode == PROGRESS_REPORT) {
		fprintf(stderr, PROGRESS_STATUS_PREFIX "progress %.6f\n", frac);
		fflush(stderr);
		return;
	}
	elapsed = (double)(p->last - p->start) / G_USEC_PER_SEC;
	format_eta(eta, sizeof eta, frac > 0 ? elapsed * (1 - frac) / frac : -1);
	fprintf(stderr, "%s%ssimulated %.1fs / %.1fs  %5.1f%%  %.3gM events/s  ETA %s%s",
		p->mode == PROGRESS_TERMINAL ? "\r\033[K" : p->who,
		p->mode == PROGRESS_TERMINAL ? "" : ": ",
		fc_time_to_sec(now), fc_time_to_sec(end), 100 * frac,
		elapsed > 0 ? (double)events / elapsed / EVENTS_PER_MEVENT : 0.0, eta,
		p->mode == PROGRESS_TERMINAL ? "" : "\n");
	fflush(stderr);
	p->drawn = p->mode == PROGRESS_TERMINAL;
}

void
progress_run_done(struct progress *p, const char *headline)
{
	if (!p || p->mode != PROGRESS_REPORT)
		return;
	fprintf(stderr, PROGRESS_STATUS_PREFIX "done %s\n", headline);
	fflush(stderr);
}

/* The ETA of a sweep from the runs finished and the parts of those in flight. */
static void
sweep_eta(const struct progress *p, char *buf, size_t len, double units, unsigned total)
{
	double elapsed = (double)(g_get_monotonic_time() - p->start) / G_USEC_PER_SEC;

	format_eta(buf, len, units > 0 ? elapsed / units * (total - units) : -1);
}

void
progress_sweep(struct progress *p, unsigned done, unsigned failed, unsigned running,
	       unsigned total, double in_flight)
{
	char eta[32];

	if (!p || (p->mode != PROGRESS_TERMINAL && p->mode != PROGRESS_LINES) ||
	    !due(p, p->mode == PROGRESS_TERMINAL ? REDRAW_US : p->every_us))
		return;
	sweep_eta(p, eta, sizeof eta, done + failed + in_flight, total);
	if (p->mode == PROGRESS_LINES) {
		/* Runs may be long: say where the sweep is between them too. */
		fprintf(stderr, "%s: runs %u/%u done, %u failed, %u running  ETA %s\n",
			p->who, done, total, failed, running, eta);
		fflush(stderr);
		return;
	}
	fprintf(stderr, "\r\033[Kruns %u/%u done, %u failed, %u running  ETA %s",
		done, total, failed, running, eta);
	fflush(stderr);
	p->drawn = true;
}

void
progress_sweep_line(struct progress *p, const char *text, unsigned finished,
		    unsigned total, double in_flight)
{
	char eta[32];

	if (!p || p->mode != PROGRESS_LINES)
		return;
	sweep_eta(p, eta, sizeof eta, finished + in_flight, total);
	fprintf(stderr, "%s: %s; ETA %s\n", p->who, text, eta);
	fflush(stderr);
}
