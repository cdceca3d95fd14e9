/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/progress.h"

#include <stdio.h>

#include <glib.h>

#define REDRAW_US (G_USEC_PER_SEC / 4)
/* The progress line counts events in millions per second of wall time. */
#define EVENTS_PER_MEVENT 1e6
/* An ETA beyond this many seconds (three years) is shown as "?". */
#define ETA_MAX_S 1e8
#define SEC_PER_MIN 60
#define SEC_PER_HOUR 3600

struct progress {
	bool enabled, drawn;
	gint64 start, last;
};

struct progress *
progress_new(bool enabled)
{
	struct progress *p = g_new0(struct progress, 1);

	p->enabled = enabled;
	p->start = g_get_monotonic_time();
	return p;
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
	progress_clear(p);
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

static bool
due(struct progress *p)
{
	gint64 now;

	if (!p || !p->enabled)
		return false;
	now = g_get_monotonic_time();
	if (p->drawn && now - p->last < REDRAW_US)
		return false;
	p->last = now;
	return true;
}

void
progress_run(struct progress *p, fc_time_t now, fc_time_t end, uint64_t events)
{
	char eta[32];
	double elapsed, frac;

	if (!due(p))
		return;
	elapsed = (double)(p->last - p->start) / G_USEC_PER_SEC;
	frac = end ? (double)now / (double)end : 1;
	format_eta(eta, sizeof eta, frac > 0 ? elapsed * (1 - frac) / frac : -1);
	fprintf(stderr, "\r\033[Ksimulated %.1fs / %.1fs  %5.1f%%  %.3gM events/s  ETA %s",
		fc_time_to_sec(now), fc_time_to_sec(end), 100 * frac, elapsed > 0 ? (double)events / elapsed / EVENTS_PER_MEVENT : 0.0, eta);
	fflush(stderr);
	p->drawn = true;
}

void
progress_sweep(struct progress *p, unsigned done, unsigned failed, unsigned running,
	       unsigned total)
{
	char eta[32];
	double elapsed;
	unsigned finished = done + failed;

	if (!due(p))
		return;
	elapsed = (double)(p->last - p->start) / G_USEC_PER_SEC;
	format_eta(eta, sizeof eta,
		   finished ? elapsed / finished * (total - finished) : -1);
	fprintf(stderr, "\r\033[Kruns %u/%u done, %u failed, %u running  ETA %s",
		done, total, failed, running, eta);
	fflush(stderr);
	p->drawn = true;
}
