/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A testbed run directory into the simulator's results schema
 * (testbed/harness/IMPORT.md says what is read and how it maps).
 *
 * Everything is read into a recorder (sim/recorder.h) that is not attached
 * yet, so a bad line anywhere stops the import before the database is even
 * opened; the recorder then writes the rows inside the one transaction that
 * claims the run key and ends the run.  The recorder is the simulator's own,
 * so statistics (quantiles, histograms) come out exactly as a simulated
 * run's.
 */
#include "testbed/harness/import.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <sqlite3.h>

#include "flashcoop/core.h"
#include "models/models.h"
#include "sim/autoptr.h"
#include "sim/model.h"
#include "sim/recorder.h"
#include "sim/results.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "version.h"

#define EXIT_FAILED 1
#define EXIT_BAD 2

G_DEFINE_QUARK(tb-import-error-quark, tb_import_error)

typedef struct recorder tb_recorder;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_recorder, recorder_free)

/* The roles of a server towards a site, as the web model's finish_by_site. */
enum { ROLE_ORIGIN, ROLE_COOPERATORS };
static const char *const role_names[] = { "origin", "cooperators" };

/* One `load` line of a daemon's log; NAN for a figure not measured. */
struct load_line {
	fc_time_t t;
	double busy, waiting, load, uplink_use;
};

/* An event to record, kept until all are read and put in time order. */
struct event {
	fc_time_t t;
	uint64_t order; /* reading order: ties keep it */
	unsigned server;
	char *kind, *detail;
};

struct server {
	unsigned idx;
	uint32_t node;
	char *address, *log, *access_log;
	bool killed;
	fc_time_t killed_t;
	GArray *loads; /* struct load_line, in time order */
	/* Per sample interval, from the access log. */
	uint64_t *connections, *served, *redirected;
	uint64_t bytes_sent, redirects;
};

/* Per group of sites (site.0, site.others), as the web model's struct group. */
struct group {
	const char *entity;
	uint64_t arrived, done, impatient, no_server, not_found;
	uint64_t http_bytes[2], fetch_bytes[2], objects[2], pages_by[2];
	struct rec_stat *page_time;
	/* Per sample interval: pages done and given up, and the page times. */
	uint64_t *interval_ok, *interval_failed;
	GArray **interval_times;
};

struct import {
	const char *dir;
	char *ini_path;
	GKeyFile *ini;
	struct scenario *sc;
	GString *overrides;
	uint64_t replication;
	int64_t start_ns, end_ns;
	bool failed;
	char *error;
	fc_time_t sample_interval, warmup, limit; /* limit: the last sample's bound */
	size_t nsamples;
	unsigned nservers;
	struct server *servers;
	GHashTable *by_address; /* address -> server index + 1 */
	GHashTable *by_node;    /* node id -> server index + 1 */
	struct group groups[2];
	GArray *events;         /* struct event */
	uint64_t event_order;
	uint64_t lines;         /* log lines read, the run's event count */
	uint64_t in_progress, bt_visits;
	bool bt_share;          /* the scenario has BitTorrent clients */
	fc_time_t origin_crash, origin_rescued, origin_served;
	struct recorder *rec;
	GPtrArray *warnings;
};

static gboolean
bad(GError **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
bad(GError **err, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(err, TB_IMPORT_ERROR, TB_IMPORT_ERROR_INPUT, msg);
	g_free(msg);
	return FALSE;
}

static void
import_clear(struct import *im)
{
	g_free(im->ini_path);
	if (im->ini)
		g_key_file_free(im->ini);
	scenario_free(im->sc);
	if (im->overrides)
		g_string_free(im->overrides, TRUE);
	g_free(im->error);
	for (unsigned i = 0; im->servers && i < im->nservers; i++) {
		struct server *s = &im->servers[i];

		g_free(s->address);
		g_free(s->log);
		g_free(s->access_log);
		if (s->loads)
			g_array_unref(s->loads);
		g_free(s->connections);
		g_free(s->served);
		g_free(s->redirected);
	}
	g_free(im->servers);
	if (im->by_address)
		g_hash_table_unref(im->by_address);
	if (im->by_node)
		g_hash_table_unref(im->by_node);
	for (int g = 0; g < 2; g++) {
		struct group *gr = &im->groups[g];

		g_free(gr->interval_ok);
		g_free(gr->interval_failed);
		for (size_t k = 0; gr->interval_times && k < im->nsamples; k++)
			g_array_unref(gr->interval_times[k]);
		g_free(gr->interval_times);
	}
	for (guint i = 0; im->events && i < im->events->len; i++) {
		struct event *e = &g_array_index(im->events, struct event, i);

		g_free(e->kind);
		g_free(e->detail);
	}
	if (im->events)
		g_array_unref(im->events);
	recorder_free(im->rec);
	if (im->warnings)
		g_ptr_array_unref(im->warnings);
}

/* ---- Small parsers ---- */

static bool
parse_u64(const char *text, uint64_t *out)
{
	return text && *text && g_ascii_isdigit(*text) &&
	       g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT64, out, NULL);
}

static bool
parse_i64(const char *text, int64_t *out)
{
	return text && *text &&
	       g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, out, NULL);
}

static bool
parse_real(const char *text, double *out)
{
	char *end;

	if (!text || !*text || g_ascii_isspace(*text))
		return false;
	errno = 0;
	*out = g_ascii_strtod(text, &end);
	return *end == '\0' && errno == 0 && isfinite(*out);
}

/* A path of the run directory: absolute as written, else relative to dir. */
static char *
dir_path(const struct import *im, const char *p)
{
	return g_path_is_absolute(p) ? g_strdup(p) : g_build_filename(im->dir, p, NULL);
}

/* Time t (CLOCK_REALTIME ns) relative to the run's start, at 0 at least. */
static fc_time_t
rel(const struct import *im, int64_t t)
{
	return t <= im->start_ns ? 0 : (fc_time_t)(t - im->start_ns);
}

/* The sample interval a relative time falls in, (k - 1) x interval < t <=
 * k x interval counting in sample k, as the web model's samples count what
 * happened since the previous one; -1 beyond the last sample. */
static ssize_t
bucket(const struct import *im, fc_time_t t)
{
	size_t k = t == 0 ? 1 : (size_t)((t - 1) / im->sample_interval) + 1;

	return k > im->nsamples ? -1 : (ssize_t)k - 1;
}

/*
 * Reads path line by line, calling fn for each with its number; one line
 * with a missing final newline is accepted.  Errors name the file.
 */
typedef gboolean (*line_fn)(struct import *im, void *data, const char *path,
			    unsigned long lineno, char *line, GError **err);

static gboolean
each_line(struct import *im, const char *path, line_fn fn, void *data, GError **err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	gboolean ok = TRUE;

	if (!f)
		return bad(err, "%s: cannot read: %s", path, g_strerror(errno));
	while (ok && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (memchr(line, '\0', (size_t)n) || (n > 0 && line[n - 1] == '\r')) {
			ok = bad(err, "%s:%lu: a NUL byte or a CR line end", path, lineno);
			break;
		}
		im->lines++;
		ok = fn(im, data, path, lineno, line, err);
	}
	if (ok && ferror(f))
		ok = bad(err, "%s: cannot read: %s", path, g_strerror(errno));
	free(line);
	fclose(f);
	return ok;
}

/* ---- run.ini ---- */

static gboolean
ini_string(struct import *im, const char *group, const char *key, bool required,
	   char **out, GError **err)
{
	g_autoptr(GError) e = NULL;

	*out = g_key_file_get_string(im->ini, group, key, &e);
	if (*out && !**out)
		g_clear_pointer(out, g_free);
	if (!*out && required)
		return bad(err, "%s: [%s] %s is missing", im->ini_path, group, key);
	return TRUE;
}

static gboolean
ini_i64(struct import *im, const char *group, const char *key, bool required,
	bool *present, int64_t *out, GError **err)
{
	g_autofree char *text = NULL;

	if (!ini_string(im, group, key, required, &text, err))
		return FALSE;
	if (present)
		*present = text != NULL;
	if (text && !parse_i64(text, out))
		return bad(err, "%s: [%s] %s: expected a whole number, found '%s'",
			   im->ini_path, group, key, text);
	return TRUE;
}

/* The scenario with the run's --set assignments and [run] platform = testbed. */
static gboolean
load_scenario(struct import *im, GError **err)
{
	g_autofree char *file = NULL, *path = NULL;
	g_auto(GStrv) sets = NULL;
	g_autoptr(GError) e = NULL;
	const struct model_type *mt;
	int64_t replication;

	if (!ini_string(im, "run", "scenario", true, &file, err))
		return FALSE;
	path = dir_path(im, file);
	if (g_key_file_has_key(im->ini, "run", "set", NULL)) {
		sets = g_key_file_get_string_list(im->ini, "run", "set", NULL, &e);
		if (!sets)
			return bad(err, "%s: [run] set: %s", im->ini_path, e->message);
	}
	if (!ini_i64(im, "run", "replication", true, NULL, &replication, err))
		return FALSE;
	if (replication < 0)
		return bad(err, "%s: [run] replication: expected 0 or more", im->ini_path);
	im->replication = (uint64_t)replication;
	im->sc = scenario_load(flashcoop_catalog.keys, path, &e);
	if (!im->sc)
		return bad(err, "%s", e->message);
	im->overrides = g_string_new(NULL);
	for (size_t i = 0; sets && sets[i]; i++) {
		if (!*sets[i])
			continue;
		if (!scenario_assign(im->sc, sets[i], "--set", &e))
			return bad(err, "%s: [run] set: %s", im->ini_path, e->message);
		g_string_append_printf(im->overrides, "%s\n", sets[i]);
	}
	/* The platform is the only parameter in which the run differs from a
	 * simulated one, so it is recorded as an override. */
	if (scenario_enum(im->sc, "run", "platform") != SIM_PLATFORM_TESTBED) {
		if (!scenario_set(im->sc, "run.platform", "testbed", "--set", &e))
			return bad(err, "%s", e->message);
		g_string_append(im->overrides, "run.platform=testbed\n");
	}
	im->warnings = g_ptr_array_new_with_free_func(g_free);
	mt = sim_catalog_check(&flashcoop_catalog, im->sc, im->warnings, &e);
	if (!mt)
		return bad(err, "%s", e->message);
	if (strcmp(mt->name, "web") != 0)
		return bad(err, "%s: [run] model = %s: the testbed runs only web scenarios",
			   path, mt->name);
	im->sample_interval = scenario_duration(im->sc, "web", "sample_interval");
	im->warmup = scenario_duration(im->sc, "run", "warmup");
	im->nservers = (unsigned)scenario_count(im->sc, "web", "cooperators") + 1;
	/* As the web model's bt_share: BitTorrent clients only with cooperation. */
	im->bt_share = scenario_choice(im->sc, "web", "policy") &&
		       strcmp(scenario_choice(im->sc, "web", "policy"), "coop") == 0 &&
		       scenario_ratio(im->sc, "clients", "bittorrent") > 0;
	return TRUE;
}

static gboolean
read_run_ini(struct import *im, GError **err)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *status = NULL;
	g_auto(GStrv) groups = NULL;
	fc_time_t end;

	im->ini_path = g_build_filename(im->dir, "run.ini", NULL);
	im->ini = g_key_file_new();
	if (!g_key_file_load_from_file(im->ini, im->ini_path, G_KEY_FILE_NONE, &e))
		return bad(err, "%s: %s", im->ini_path, e->message);
	if (!load_scenario(im, err) ||
	    !ini_i64(im, "run", "start_ns", true, NULL, &im->start_ns, err) ||
	    !ini_i64(im, "run", "end_ns", true, NULL, &im->end_ns, err) ||
	    !ini_string(im, "run", "status", true, &status, err))
		return FALSE;
	if (im->start_ns <= 0 || im->end_ns < im->start_ns)
		return bad(err, "%s: [run] end_ns: before start_ns", im->ini_path);
	if (strcmp(status, "failed") == 0) {
		im->failed = true;
		if (!ini_string(im, "run", "error", true, &im->error, err))
			return FALSE;
	} else if (strcmp(status, "done") != 0) {
		return bad(err, "%s: [run] status: expected done or failed, found '%s'",
			   im->ini_path, status);
	}
	/* Samples as the web model takes them: every sample interval up to the
	 * scenario's end, and not beyond the run's if it ended early. */
	end = fc_time_add(im->warmup, scenario_duration(im->sc, "run", "duration"));
	im->limit = MIN(end, (fc_time_t)(im->end_ns - im->start_ns));
	im->nsamples = (size_t)(im->limit / im->sample_interval);

	bool no_nodes = g_strcmp0(scenario_choice(im->sc, "web", "policy"), "none") == 0;
	im->servers = g_new0(struct server, im->nservers);
	im->by_address = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, NULL);
	im->by_node = g_hash_table_new(NULL, NULL);
	for (unsigned i = 0; i < im->nservers; i++) {
		struct server *s = &im->servers[i];
		g_autofree char *group = g_strdup_printf("server %u", i);
		g_autofree char *log = NULL, *access = NULL;
		int64_t node, killed;
		bool has_killed;

		if (!g_key_file_has_group(im->ini, group))
			return bad(err, "%s: [%s] is missing: the scenario has %u servers",
				   im->ini_path, group, im->nservers);
		s->idx = i;
		if (!ini_i64(im, group, "node", true, NULL, &node, err) ||
		    !ini_string(im, group, "address", true, &s->address, err) ||
		    /* Under policy none there is no node daemon, and no log. */
		    !ini_string(im, group, "log", !no_nodes, &log, err) ||
		    !ini_string(im, group, "access_log", true, &access, err) ||
		    !ini_i64(im, group, "killed_ns", false, &has_killed, &killed, err))
			return FALSE;
		if (node < 1 || node > G_MAXUINT32 ||
		    g_hash_table_contains(im->by_node, GUINT_TO_POINTER((guint)node)))
			return bad(err, "%s: [%s] node: expected a node id of its own "
				   "(1..2^32-1), found %" G_GINT64_FORMAT, im->ini_path, group, node);
		if (g_hash_table_contains(im->by_address, s->address))
			return bad(err, "%s: [%s] address: %s is another server's", im->ini_path,
				   group, s->address);
		s->node = (uint32_t)node;
		g_hash_table_insert(im->by_node, GUINT_TO_POINTER(s->node),
				    GUINT_TO_POINTER(i + 1));
		g_hash_table_insert(im->by_address, s->address, GUINT_TO_POINTER(i + 1));
		s->log = log ? dir_path(im, log) : NULL;
		s->access_log = dir_path(im, access);
		if (has_killed) {
			if (killed < im->start_ns || killed > im->end_ns)
				return bad(err, "%s: [%s] killed_ns: not within the run", im->ini_path,
					   group);
			s->killed = true;
			s->killed_t = rel(im, killed);
		}
		s->loads = g_array_new(FALSE, FALSE, sizeof(struct load_line));
		s->connections = g_new0(uint64_t, im->nsamples);
		s->served = g_new0(uint64_t, im->nsamples);
		s->redirected = g_new0(uint64_t, im->nsamples);
	}
	groups = g_key_file_get_groups(im->ini, NULL);
	for (size_t i = 0; groups[i]; i++) {
		unsigned idx;
		char tail;

		if (sscanf(groups[i], "server %u%c", &idx, &tail) == 1 && idx >= im->nservers)
			return bad(err, "%s: [%s]: the scenario has %u servers", im->ini_path,
				   groups[i], im->nservers);
	}
	return TRUE;
}

/* ---- The daemons' logs ---- */

/*
 * The daemon's detail with "node N" written as the simulator writes it,
 * "server.I", for the nodes of the run; newly allocated.
 */
static char *
entity_detail(const struct import *im, const char *detail)
{
	GString *out = g_string_new(NULL);
	const char *p = detail;

	while (*p) {
		const char *hit = strstr(p, "node ");
		const char *q;
		uint64_t id = 0;
		gpointer idx;

		if (!hit) {
			g_string_append(out, p);
			break;
		}
		g_string_append_len(out, p, hit - p);
		q = hit + 5;
		while (g_ascii_isdigit(*q) && id <= G_MAXUINT32)
			id = id * 10 + (uint64_t)(*q++ - '0');
		if (q > hit + 5 && (hit == detail || !g_ascii_isalnum(hit[-1])) &&
		    !g_ascii_isalnum(*q) && id <= G_MAXUINT32 &&
		    (idx = g_hash_table_lookup(im->by_node, GUINT_TO_POINTER((guint)id)))) {
			g_string_append_printf(out, "server.%u", GPOINTER_TO_UINT(idx) - 1);
			p = q;
		} else {
			g_string_append_len(out, hit, 5);
			p = hit + 5;
		}
	}
	return g_string_free(out, FALSE);
}

static void
add_event(struct import *im, fc_time_t t, unsigned server, const char *kind,
	  char *detail)
{
	struct event e = { t, im->event_order++, server, g_strdup(kind), detail };

	g_array_append_val(im->events, e);
}

/* A figure of a load line, or NAN for '-'. */
static bool
load_figure(const char *text, double *out)
{
	if (strcmp(text, "-") == 0) {
		*out = NAN;
		return true;
	}
	return parse_real(text, out) && *out >= 0;
}

static gboolean
log_line(struct import *im, void *data, const char *path, unsigned long lineno,
	 char *line, GError **err)
{
	struct server *s = data;
	g_auto(GStrv) f = g_strsplit(line, "\t", 0);
	guint n = g_strv_length(f);
	int64_t t;

	if (n < 2 || !parse_i64(f[0], &t) || t <= 0)
		return bad(err, "%s:%lu: expected a time in nanoseconds and a record type",
			   path, lineno);
	if (strcmp(f[1], "load") == 0) {
		struct load_line l;
		double workers, backlog, cap;
		const struct fc_enum_name *st;

		if (n != 10)
			return bad(err, "%s:%lu: a load line has 10 fields, found %u", path,
				   lineno, n);
		if (!load_figure(f[2], &l.busy) || !load_figure(f[3], &workers) ||
		    !load_figure(f[4], &l.waiting) || !load_figure(f[5], &backlog) ||
		    !load_figure(f[6], &l.uplink_use) || !load_figure(f[7], &cap) ||
		    !parse_real(f[8], &l.load) || l.load < 0 ||
		    isnan(l.busy) != isnan(workers) || isnan(l.waiting) != isnan(backlog) ||
		    isnan(l.uplink_use) != isnan(cap) || cap == 0)
			return bad(err, "%s:%lu: a load line's figures are not numbers (or '-' "
				   "in pairs)", path, lineno);
		st = fc_enum_find(fc_state_names, f[9]);
		if (!st)
			return bad(err, "%s:%lu: unknown state '%s'", path, lineno, f[9]);
		if (s->loads->len &&
		    (fc_time_t)rel(im, t) < g_array_index(s->loads, struct load_line,
							  s->loads->len - 1).t)
			return bad(err, "%s:%lu: the time goes back", path, lineno);
		if (t > im->end_ns)
			return TRUE;
		l.t = rel(im, t);
		l.uplink_use = isnan(cap) ? NAN : l.uplink_use / cap;
		g_array_append_val(s->loads, l);
		return TRUE;
	}
	if (strcmp(f[1], "event") == 0) {
		const char *kind = n > 2 ? f[2] : "";

		if (n < 3 || n > 4 || !*kind)
			return bad(err, "%s:%lu: an event line is TIME, event, KIND and DETAIL",
				   path, lineno);
		for (const char *c = kind; *c; c++)
			if (!g_ascii_islower(*c) && *c != '_')
				return bad(err, "%s:%lu: a bad event kind '%s'", path, lineno, kind);
		if (t > im->end_ns)
			return TRUE;
		add_event(im, rel(im, t), s->idx, kind,
			  n == 4 && *f[3] ? entity_detail(im, f[3]) : NULL);
		return TRUE;
	}
	return bad(err, "%s:%lu: unknown record type '%s'", path, lineno, f[1]);
}

/*
 * A state event's detail, "FROM -> TO: INPUT" and maybe " (node PEER)",
 * here already "(server.I)": the state it goes to, the input and the peer
 * (-1 when none).  False when it is not of that form.
 */
static bool
parse_state_detail(const char *detail, int *to, char **input, int *peer)
{
	const char *arrow = detail ? strstr(detail, " -> ") : NULL;
	const char *colon = arrow ? strstr(arrow + 4, ": ") : NULL;
	g_autofree char *to_name = NULL;
	const struct fc_enum_name *st;
	const char *in = colon ? colon + 2 : NULL;
	const char *paren;
	size_t len;

	if (!colon)
		return false;
	to_name = g_strndup(arrow + 4, (size_t)(colon - arrow - 4));
	st = fc_enum_find(fc_state_names, to_name);
	if (!st)
		return false;
	*to = st->value;
	*peer = -1;
	len = strlen(in);
	paren = strstr(in, " (server.");
	if (paren && in[len - 1] == ')') {
		unsigned p;

		if (sscanf(paren, " (server.%u)", &p) == 1) {
			*peer = (int)p;
			len = (size_t)(paren - in);
		}
	}
	*input = g_strndup(in, len);
	return true;
}

/* ---- Access logs ---- */

/* "/sS/..." a client request, "/fcfetch/S/..." a cooperator's fetch. */
static bool
path_site(const char *path, const char *prefix, unsigned *site)
{
	const char *p;
	uint64_t v = 0;

	if (!g_str_has_prefix(path, prefix))
		return false;
	p = path + strlen(prefix);
	if (!g_ascii_isdigit(*p))
		return false;
	while (g_ascii_isdigit(*p) && v <= G_MAXUINT32)
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (*p != '/' || v > G_MAXUINT32)
		return false;
	*site = (unsigned)v;
	return true;
}

/* Apache's "%{sec}t%{usec_frac}t": seconds, a dot, microseconds. */
static bool
parse_apache_time(const char *text, int64_t *ns)
{
	const char *dot = strchr(text, '.');
	g_autofree char *sec = NULL;
	uint64_t s, us;

	if (!dot || strlen(dot + 1) != 6)
		return false;
	sec = g_strndup(text, (size_t)(dot - text));
	if (!parse_u64(sec, &s) || !parse_u64(dot + 1, &us) || s > G_MAXINT64 / FC_SEC - 1)
		return false;
	*ns = (int64_t)(s * FC_SEC + us * FC_USEC);
	return true;
}

static gboolean
access_line(struct import *im, void *data, const char *path, unsigned long lineno,
	    char *line, GError **err)
{
	struct server *s = data;
	char *q1 = strchr(line, '"');
	g_auto(GStrv) f = NULL;
	char *p_end, *q2, *q_end;
	uint64_t status, bytes = 0, usec;
	int64_t t;
	unsigned site;
	bool fetch;
	struct group *gr;
	ssize_t k;
	int role;

	/* TIME CLIENT STATUS BYTES USEC "PATH" "QUERY" */
	p_end = q1 ? strchr(q1 + 1, '"') : NULL;
	q2 = p_end ? p_end + 1 : NULL;
	q_end = q2 && q2[0] == ' ' && q2[1] == '"' ? strchr(q2 + 2, '"') : NULL;
	if (!q1 || q1 == line || q1[-1] != ' ' || !q_end || q_end[1] != '\0')
		return bad(err, "%s:%lu: expected TIME CLIENT STATUS BYTES USEC \"PATH\" "
			   "\"QUERY\"", path, lineno);
	q1[-1] = '\0';
	*p_end = '\0';
	f = g_strsplit(line, " ", 0);
	if (g_strv_length(f) != 5 || !parse_apache_time(f[0], &t) || !*f[1] ||
	    !parse_u64(f[2], &status) || status < 100 || status > 999 ||
	    (strcmp(f[3], "-") != 0 && !parse_u64(f[3], &bytes)) || !parse_u64(f[4], &usec))
		return bad(err, "%s:%lu: expected TIME CLIENT STATUS BYTES USEC \"PATH\" "
			   "\"QUERY\"", path, lineno);
	if (path_site(q1 + 1, "/fcfetch/", &site))
		fetch = true;
	else if (path_site(q1 + 1, "/s", &site))
		fetch = false;
	else
		return TRUE; /* neither a site's object nor a fetch: not counted */
	if (site >= im->nservers)
		return bad(err, "%s:%lu: site %u: the scenario has sites 0..%u", path, lineno,
			   site, im->nservers - 1);
	/* What came before the start or after the end is not the run's. */
	if (t < im->start_ns || t > im->end_ns)
		return TRUE;
	gr = &im->groups[site == 0 ? 0 : 1];
	role = s->idx == site ? ROLE_ORIGIN : ROLE_COOPERATORS;
	/* The clients' bytes and objects come from what the clients received
	 * (request_line): %B also counts what a server wrote into the socket
	 * for a client that had gone (an abandoned visit, a request held for a
	 * rescued copy that came after the client gave up).  A fetch's bytes
	 * all arrive unless the fetch fails. */
	if (fetch) {
		s->bytes_sent += bytes;
		gr->fetch_bytes[role] += bytes;
	}
	s->redirects += status == 302;
	k = bucket(im, rel(im, t));
	if (k >= 0) {
		s->connections[k]++;
		s->served[k] += status == 200;
		s->redirected[k] += status == 302;
	}
	return TRUE;
}

/* ---- The clients' TSVs ---- */

#define VISIT_COLUMNS 16
#define REQUEST_COLUMNS 14

/* What the requests say of a visit: the page's server and the site asked. */
struct visit_req {
	int page_server; /* index of the server that sent the page, or -1 */
	int site;        /* from the first request's path, or -1 */
};

/* The path of an http:// URL, up to its query. */
static char *
url_path(const char *url)
{
	const char *p = strstr(url, "://");
	const char *q;

	if (!p)
		return NULL;
	p = strchr(p + 3, '/');
	if (!p)
		return NULL;
	q = strchr(p, '?');
	return q ? g_strndup(p, (size_t)(q - p)) : g_strdup(p);
}

static gboolean
request_line(struct import *im, void *data, const char *path, unsigned long lineno,
	     char *line, GError **err)
{
	GHashTable *reqs = data;
	g_auto(GStrv) f = g_strsplit(line, "\t", 0);
	g_autofree char *upath = NULL;
	uint64_t id, object, status;
	struct visit_req *vr;
	unsigned site;

	if (lineno == 1 && g_str_has_prefix(line, "visit_id\t"))
		return TRUE; /* fc-loadgen's header */
	if (g_strv_length(f) != REQUEST_COLUMNS)
		return bad(err, "%s:%lu: expected %d tab-separated columns, found %u", path,
			   lineno, REQUEST_COLUMNS, g_strv_length(f));
	if (!parse_u64(f[0], &id) || !parse_u64(f[1], &object) || !parse_u64(f[9], &status))
		return bad(err, "%s:%lu: visit_id, object and status must be whole numbers",
			   path, lineno);
	vr = g_hash_table_lookup(reqs, &id);
	if (!vr) {
		uint64_t *key = g_new(uint64_t, 1);

		*key = id;
		vr = g_new(struct visit_req, 1);
		vr->page_server = vr->site = -1;
		g_hash_table_insert(reqs, key, vr);
	}
	upath = url_path(f[2]);
	if (vr->site < 0 && upath && path_site(upath, "/s", &site))
		vr->site = (int)site;
	/* What a server sent to the clients is what they received, by the
	 * run's end, as the simulator counts a transfer cut short. */
	if (upath && path_site(upath, "/s", &site) && site < im->nservers) {
		gpointer idx = g_hash_table_lookup(im->by_address, f[3]);
		uint64_t bytes, end;

		if (!parse_u64(f[10], &bytes) || !parse_u64(f[5], &end))
			return bad(err, "%s:%lu: end_ns and bytes must be whole numbers", path,
				   lineno);
		if (idx && end <= (uint64_t)im->end_ns) {
			struct server *sv = &im->servers[GPOINTER_TO_UINT(idx) - 1];
			struct group *gr = &im->groups[site == 0 ? 0 : 1];
			int role = sv->idx == site ? ROLE_ORIGIN : ROLE_COOPERATORS;

			sv->bytes_sent += bytes;
			gr->http_bytes[role] += bytes;
			gr->objects[role] += status == 200 && strcmp(f[13], "-") == 0;
		}
	}
	if (object == 0 && status >= 200 && status <= 299) {
		gpointer idx = g_hash_table_lookup(im->by_address, f[3]);

		if (!idx)
			return bad(err, "%s:%lu: server %s is none of %s's servers", path, lineno,
				   f[3], im->ini_path);
		vr->page_server = (int)GPOINTER_TO_UINT(idx) - 1;
	}
	return TRUE;
}

/* The simulator's failure categories (SESSION_*) for a failed visit's reason. */
enum failure { F_NO_SERVER, F_NOT_FOUND };

static enum failure
failure_of(const char *reason)
{
	/* A server answered, but not with the object: 404 and 503 in the
	 * simulator, any error status here, and a redirect that cannot be
	 * followed.  Otherwise no address or no connection: DNS, connect,
	 * reset, time-outs of libcurl. */
	if (g_str_has_prefix(reason, "http ") || g_str_has_prefix(reason, "redirect: "))
		return F_NOT_FOUND;
	return F_NO_SERVER;
}

static bool
has_flag(const char *flags, const char *flag)
{
	g_auto(GStrv) f = g_strsplit(flags, ",", 0);

	return g_strv_contains((const char *const *)f, flag);
}

struct visits_ctx {
	GHashTable *reqs;   /* visit id -> struct visit_req */
	GHashTable *seen;   /* visit ids */
};

static gboolean
visit_line(struct import *im, void *data, const char *path, unsigned long lineno,
	   char *line, GError **err)
{
	struct visits_ctx *vc = data;
	g_auto(GStrv) f = g_strsplit(line, "\t", 0);
	uint64_t id, planned, start, end, time_ns;
	const char *outcome;
	struct visit_req *vr;
	struct group *gr;
	unsigned site;
	bool counted;
	fc_time_t t_end;
	ssize_t k;
	double page_s;

	if (lineno == 1 && g_str_has_prefix(line, "visit_id\t"))
		return TRUE; /* fc-loadgen's header */
	if (g_strv_length(f) != VISIT_COLUMNS)
		return bad(err, "%s:%lu: expected %d tab-separated columns, found %u", path,
			   lineno, VISIT_COLUMNS, g_strv_length(f));
	if (!parse_u64(f[0], &id) || !parse_u64(f[3], &planned) ||
	    !parse_u64(f[4], &start) || !parse_u64(f[5], &end) ||
	    !parse_u64(f[15], &time_ns) || end < start)
		return bad(err, "%s:%lu: visit_id, planned_ns, start_ns, end_ns and time_ns "
			   "must be whole numbers, the end not before the start", path, lineno);
	if (g_hash_table_contains(vc->seen, &id))
		return bad(err, "%s:%lu: visit %" G_GUINT64_FORMAT " again", path, lineno, id);
	g_hash_table_add(vc->seen, g_memdup2(&id, sizeof id));
	outcome = f[6];
	if (strcmp(outcome, "ok") != 0 && strcmp(outcome, "abandoned") != 0 &&
	    strcmp(outcome, "failed") != 0 && strcmp(outcome, "stopped") != 0 &&
	    strcmp(outcome, "bt") != 0)
		return bad(err, "%s:%lu: unknown outcome '%s'", path, lineno, outcome);
	/* BitTorrent clients are aria2's, not imported. */
	if (strcmp(outcome, "bt") == 0) {
		im->bt_visits++;
		return TRUE;
	}
	vr = g_hash_table_lookup(vc->reqs, &id);
	if (sscanf(f[2], "site%u.", &site) != 1) {
		if (!vr || vr->site < 0)
			return bad(err, "%s:%lu: cannot tell the site of visit %" G_GUINT64_FORMAT
				   " (name %s, no request path /sS/)", path, lineno, id, f[2]);
		site = (unsigned)vr->site;
	}
	if (site >= im->nservers)
		return bad(err, "%s:%lu: site %u: the scenario has sites 0..%u", path, lineno,
			   site, im->nservers - 1);
	/* Visits planned after the end are not the run's. */
	if ((int64_t)planned > im->end_ns || rel(im, (int64_t)planned) > im->limit)
		return TRUE;
	gr = &im->groups[site == 0 ? 0 : 1];
	counted = !has_flag(f[1], "warmup");
	gr->arrived += counted;
	t_end = rel(im, (int64_t)end);
	/* Not over by the end: under way, as the simulator leaves it. */
	if (strcmp(outcome, "stopped") == 0 || (int64_t)end > im->end_ns || t_end > im->limit) {
		im->in_progress++;
		return TRUE;
	}
	k = bucket(im, t_end);
	page_s = (double)time_ns / FC_SEC;
	if (strcmp(outcome, "ok") == 0) {
		if (!vr || vr->page_server < 0)
			return bad(err, "%s:%lu: visit %" G_GUINT64_FORMAT " is ok but no request "
				   "of its page succeeded", path, lineno, id);
		if (k >= 0) {
			gr->interval_ok[k]++;
			g_array_append_val(gr->interval_times[k], page_s);
		}
		if (site == 0 && im->origin_crash != FC_TIME_NEVER &&
		    im->origin_served == FC_TIME_NEVER && t_end > im->origin_crash)
			im->origin_served = t_end;
		if (counted) {
			gr->done++;
			gr->pages_by[(unsigned)vr->page_server == site ? ROLE_ORIGIN :
				     ROLE_COOPERATORS]++;
			rec_stat_add(gr->page_time, page_s);
		}
		return TRUE;
	}
	if (k >= 0)
		gr->interval_failed[k]++;
	if (!counted)
		return TRUE;
	if (strcmp(outcome, "abandoned") == 0)
		gr->impatient++;
	else if (failure_of(f[7]) == F_NOT_FOUND)
		gr->not_found++;
	else
		gr->no_server++;
	return TRUE;
}

/* ---- Recording ---- */

static int
event_cmp(gconstpointer a, gconstpointer b)
{
	const struct event *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * The events in time order (ties in reading order), the state vectors and
 * the origin's rescue: a cooperator's first rescue of the origin after its
 * crash, as the web model's log_state() sees it.
 */
static void
record_events(struct import *im)
{
	struct rec_vector **state = g_new0(struct rec_vector *, im->nservers);
	const char *rescue_start = fc_input_name(FC_IN_RESCUE_START);

	for (unsigned i = 0; i < im->nservers; i++) {
		g_autofree char *entity = g_strdup_printf("server.%u", i);

		state[i] = rec_vector_new(im->rec, entity, "state");
		rec_vector_add(state[i], 0, FC_STATE_LOW);
	}
	g_array_sort(im->events, event_cmp);
	for (guint i = 0; i < im->events->len; i++) {
		struct event *e = &g_array_index(im->events, struct event, i);
		g_autofree char *entity = g_strdup_printf("server.%u", e->server);
		g_autofree char *input = NULL;
		int to, peer;

		if (e->detail)
			rec_event(im->rec, e->t, entity, e->kind, "%s", e->detail);
		else
			rec_event(im->rec, e->t, entity, e->kind, NULL);
		if (strcmp(e->kind, "state") != 0 ||
		    !parse_state_detail(e->detail, &to, &input, &peer))
			continue;
		rec_vector_add(state[e->server], e->t, to);
		if (peer == 0 && strcmp(input, rescue_start) == 0 &&
		    im->origin_crash != FC_TIME_NEVER && e->t >= im->origin_crash &&
		    im->origin_rescued == FC_TIME_NEVER)
			im->origin_rescued = e->t;
	}
	g_free(state);
}

/* The figures of the load lines, each sample taking the last line at or
 * before it. */
static void
record_server_vectors(struct import *im, struct server *s)
{
	g_autofree char *entity = g_strdup_printf("server.%u", s->idx);
	struct rec_vector *conn = rec_vector_new(im->rec, entity, "connections");
	struct rec_vector *served = rec_vector_new(im->rec, entity, "served");
	struct rec_vector *redir = rec_vector_new(im->rec, entity, "redirected");
	struct rec_vector *busy = rec_vector_new(im->rec, entity, "busy");
	struct rec_vector *backlog = rec_vector_new(im->rec, entity, "backlog");
	struct rec_vector *load = rec_vector_new(im->rec, entity, "load");
	struct rec_vector *uplink = rec_vector_new(im->rec, entity, "uplink_use");
	guint j = 0;

	for (size_t k = 0; k < im->nsamples; k++) {
		fc_time_t t = (fc_time_t)(k + 1) * im->sample_interval;
		const struct load_line *l = NULL;

		rec_vector_add(conn, t, (double)s->connections[k]);
		rec_vector_add(served, t, (double)s->served[k]);
		rec_vector_add(redir, t, (double)s->redirected[k]);
		while (j < s->loads->len && g_array_index(s->loads, struct load_line, j).t <= t)
			j++;
		if (j == 0)
			continue;
		l = &g_array_index(s->loads, struct load_line, j - 1);
		if (!isnan(l->busy))
			rec_vector_add(busy, t, l->busy);
		if (!isnan(l->waiting))
			rec_vector_add(backlog, t, l->waiting);
		rec_vector_add(load, t, l->load);
		if (!isnan(l->uplink_use))
			rec_vector_add(uplink, t, l->uplink_use);
	}
}

static void
record_group_vectors(struct import *im, struct group *gr)
{
	struct rec_vector *ok = rec_vector_new(im->rec, gr->entity, "pages_ok");
	struct rec_vector *failed = rec_vector_new(im->rec, gr->entity, "pages_failed");
	struct rec_vector *ratio = rec_vector_new(im->rec, gr->entity, "success_ratio");
	struct rec_vector *p50 = rec_vector_new(im->rec, gr->entity, "page_time_p50_s");
	struct rec_vector *p90 = rec_vector_new(im->rec, gr->entity, "page_time_p90_s");
	struct rec_vector *p99 = rec_vector_new(im->rec, gr->entity, "page_time_p99_s");

	for (size_t k = 0; k < im->nsamples; k++) {
		fc_time_t t = (fc_time_t)(k + 1) * im->sample_interval;
		uint64_t total = gr->interval_ok[k] + gr->interval_failed[k];
		double *x = (double *)(void *)gr->interval_times[k]->data;
		size_t n = gr->interval_times[k]->len;

		rec_vector_add(ok, t, (double)gr->interval_ok[k]);
		rec_vector_add(failed, t, (double)gr->interval_failed[k]);
		rec_vector_add(ratio, t, total ? (double)gr->interval_ok[k] / total : NAN);
		if (n) {
			gsl_sort(x, 1, n);
			rec_vector_add(p50, t, gsl_stats_quantile_from_sorted_data(x, 1, n, 0.5));
			rec_vector_add(p90, t, gsl_stats_quantile_from_sorted_data(x, 1, n, 0.9));
			rec_vector_add(p99, t, gsl_stats_quantile_from_sorted_data(x, 1, n, 0.99));
		}
	}
}

/* The summaries, as the web model's web_finish() and finish_by_site(). */
static void
record_scalars(struct import *im)
{
	uint64_t coop_bytes = 0, redirects = 0, crashes = 0;

	for (int g = 0; g < 2; g++) {
		const struct group *gr = &im->groups[g];
		uint64_t failed = gr->impatient + gr->no_server + gr->not_found;

		rec_scalar(im->rec, gr->entity, "sessions", (double)gr->arrived);
		rec_scalar(im->rec, gr->entity, "pages_ok", (double)gr->done);
		rec_scalar(im->rec, gr->entity, "pages_impatient", (double)gr->impatient);
		rec_scalar(im->rec, gr->entity, "pages_no_server", (double)gr->no_server);
		rec_scalar(im->rec, gr->entity, "pages_not_found", (double)gr->not_found);
		rec_scalar(im->rec, gr->entity, "success_ratio",
			   gr->done + failed ? (double)gr->done / (double)(gr->done + failed) : NAN);
	}
	for (unsigned i = 0; i < im->nservers; i++) {
		if (i > 0)
			coop_bytes += im->servers[i].bytes_sent;
		redirects += im->servers[i].redirects;
		crashes += im->servers[i].killed;
	}
	rec_scalar(im->rec, "origin", "bytes_sent", (double)im->servers[0].bytes_sent);
	rec_scalar(im->rec, "origin", "crashes", (double)im->servers[0].killed);
	rec_scalar(im->rec, "cooperators", "bytes_sent", (double)coop_bytes);
	rec_scalar(im->rec, "all", "redirects", (double)redirects);
	rec_scalar(im->rec, "all", "crashes", (double)crashes);
	rec_scalar(im->rec, "all", "sessions_in_progress", (double)im->in_progress);
	/* Every byte the servers sent; the testbed's clients send none. */
	rec_scalar(im->rec, "all", "bytes_delivered",
		   (double)(im->servers[0].bytes_sent + coop_bytes));
	if (im->origin_crash != FC_TIME_NEVER) {
		rec_scalar(im->rec, "origin", "crash_s", fc_time_to_sec(im->origin_crash));
		rec_scalar(im->rec, "origin", "time_to_rescue_s",
			   im->origin_rescued == FC_TIME_NEVER ? NAN :
			   fc_time_to_sec(im->origin_rescued - im->origin_crash));
		rec_scalar(im->rec, "origin", "time_to_service_s",
			   im->origin_served == FC_TIME_NEVER ? NAN :
			   fc_time_to_sec(im->origin_served - im->origin_crash));
	}
	for (int g = 0; g < 2; g++) {
		struct group *gr = &im->groups[g];

		for (int r = 0; r < 2; r++) {
			g_autofree char *http = g_strdup_printf("http_bytes_%s", role_names[r]);
			g_autofree char *fetch = g_strdup_printf("fetch_bytes_%s", role_names[r]);
			g_autofree char *obj = g_strdup_printf("objects_%s", role_names[r]);
			g_autofree char *pages = g_strdup_printf("pages_%s", role_names[r]);

			rec_scalar(im->rec, gr->entity, http, (double)gr->http_bytes[r]);
			rec_scalar(im->rec, gr->entity, fetch, (double)gr->fetch_bytes[r]);
			rec_scalar(im->rec, gr->entity, obj, (double)gr->objects[r]);
			rec_scalar(im->rec, gr->entity, pages, (double)gr->pages_by[r]);
		}
		/* A scenario without BitTorrent clients has no page through a
		 * swarm; with them, aria2's results are not imported (yet). */
		if (!im->bt_share)
			rec_scalar(im->rec, gr->entity, "pages_bittorrent", 0);
	}
}

static unsigned
record_kinds(const struct scenario *sc)
{
	unsigned mask = 0;

	for (size_t i = 0; i < scenario_list_len(sc, "run", "record"); i++)
		mask |= (unsigned)scenario_list_enum(sc, "run", "record", i);
	return mask;
}

/* Reads the whole run directory into im->rec; nothing is written. */
static gboolean
read_run(struct import *im, GError **err)
{
	g_autofree char *visits = NULL, *requests = NULL, *vpath = NULL, *rpath = NULL;
	g_autoptr(GHashTable) reqs = NULL, seen = NULL;
	struct visits_ctx vc;

	if (!read_run_ini(im, err) ||
	    !ini_string(im, "clients", "visits", true, &visits, err) ||
	    !ini_string(im, "clients", "requests", true, &requests, err))
		return FALSE;
	im->rec = recorder_new(record_kinds(im->sc));
	im->events = g_array_new(FALSE, FALSE, sizeof(struct event));
	im->origin_crash = im->origin_rescued = im->origin_served = FC_TIME_NEVER;
	if (im->servers[0].killed)
		im->origin_crash = im->servers[0].killed_t;
	for (int g = 0; g < 2; g++) {
		struct group *gr = &im->groups[g];

		gr->entity = g == 0 ? "site.0" : "site.others";
		gr->page_time = rec_stat_new(im->rec, gr->entity, "page_time_s");
		gr->interval_ok = g_new0(uint64_t, im->nsamples);
		gr->interval_failed = g_new0(uint64_t, im->nsamples);
		gr->interval_times = g_new0(GArray *, im->nsamples);
		for (size_t k = 0; k < im->nsamples; k++)
			gr->interval_times[k] = g_array_new(FALSE, FALSE, sizeof(double));
	}
	for (unsigned i = 0; i < im->nservers; i++) {
		struct server *s = &im->servers[i];

		if ((s->log && !each_line(im, s->log, log_line, s, err)) ||
		    !each_line(im, s->access_log, access_line, s, err))
			return FALSE;
		if (s->killed)
			add_event(im, s->killed_t, i, "crash", NULL);
	}
	reqs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	rpath = dir_path(im, requests);
	vpath = dir_path(im, visits);
	if (!each_line(im, rpath, request_line, reqs, err))
		return FALSE;
	vc = (struct visits_ctx){ reqs, seen };
	/* The events first: the origin's rescue and crash are known before
	 * the visits tell when it served again. */
	record_events(im);
	if (!each_line(im, vpath, visit_line, &vc, err))
		return FALSE;
	for (unsigned i = 0; i < im->nservers; i++)
		record_server_vectors(im, &im->servers[i]);
	for (int g = 0; g < 2; g++)
		record_group_vectors(im, &im->groups[g]);
	/* A failed run has no summaries, as in the simulator. */
	if (!im->failed)
		record_scalars(im);
	return TRUE;
}

/* ---- Writing ---- */

/* An instant of CLOCK_REALTIME as ISO 8601 UTC; newly allocated. */
static char *
iso_time(int64_t ns)
{
	g_autoptr(GDateTime) d0 = g_date_time_new_from_unix_utc(ns / FC_SEC);
	g_autoptr(GDateTime) d = g_date_time_add(d0, (ns % FC_SEC) / FC_USEC);

	return g_date_time_format_iso8601(d);
}

/* Claims the run key inside the transaction in progress, as a simulated
 * run claims its own (run_claim()). */
static gboolean
claim(struct import *im, struct results *db, const char *run_key, unsigned flags,
      struct results_claim *c, GError **err)
{
	return run_claim(db, im->sc, &(struct run_claim_info){
		.run_key = run_key, .overrides = im->overrides->str,
		.replication = im->replication, .version = FLASHCOOP_VERSION,
	}, flags | RESULTS_CLAIM_IN_TRANSACTION, c, err);
}

/* The run's warnings, its real start and end, and its wall time. */
static int
write_run_extras(struct import *im, sqlite3 *db, int64_t run_id)
{
	g_autoptr(fc_sqlite3_stmt) st = NULL;
	g_autofree char *started = iso_time(im->start_ns);
	g_autofree char *ended = iso_time(im->end_ns);
	int rc = sqlite3_prepare_v2(db, "INSERT INTO run_warning (run_id, message)"
				    " VALUES (?, ?)", -1, &st, NULL);

	for (guint i = 0; rc == SQLITE_OK && i < im->warnings->len; i++) {
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, im->warnings->pdata[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
	}
	g_clear_pointer(&st, sqlite3_finalize);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "UPDATE run SET started = ?, ended = ?, wall_s = ?"
					" WHERE id = ?", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, started, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, ended, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 3, (double)(im->end_ns - im->start_ns) / FC_SEC);
		sqlite3_bind_int64(st, 4, run_id);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	return rc;
}

/* Claims, writes and ends the run in one transaction. */
static gboolean
write_run(struct import *im, const char *db_path, unsigned flags, GError **err)
{
	g_autoptr(fc_results) db = results_open(db_path, RESULTS_CREATE, err);
	g_autofree char *run_key = NULL;
	struct results_claim c;
	gboolean ok;
	sqlite3 *sq;

	if (!db)
		return FALSE;
	sq = results_db(db);
	run_key = scenario_run_key(im->sc, im->replication);
	if (sqlite3_exec(sq, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return results_fail(db, err, "cannot begin a transaction");
	if (!claim(im, db, run_key, flags & TB_IMPORT_REPLACE ? RESULTS_REPLACE_DONE : 0,
		   &c, err))
		goto rollback;
	switch (c.outcome) {
	case RESULTS_CLAIMED:
		break;
	case RESULTS_IS_DONE:
	case RESULTS_IS_STALE:
		g_set_error(err, TB_IMPORT_ERROR, TB_IMPORT_ERROR_DONE,
			    "%s: run %s (%s, replication %" G_GUINT64_FORMAT ") is done there "
			    "already as run %" G_GINT64_FORMAT "; refusing to import it again "
			    "(--replace replaces it)", db_path, run_key, scenario_name(im->sc),
			    im->replication, c.run_id);
		g_free(c.other);
		goto rollback;
	case RESULTS_IS_HELD:
		g_set_error(err, TB_IMPORT_ERROR, TB_IMPORT_ERROR_HELD,
			    "%s: run %s is being written by another process (%s)", db_path,
			    run_key, c.other);
		g_free(c.other);
		goto rollback;
	}
	if (!recorder_attach(im->rec, db, c.run_id, err) ||
	    !recorder_write(im->rec, !im->failed, err) ||
	    (c.replaces && !results_delete_run(db, c.replaces, err)) ||
	    !results_run_end(db, c.run_id, im->failed ? "failed" : "done", im->error,
			     (fc_time_t)(im->end_ns - im->start_ns), im->lines, err))
		goto rollback;
	ok = results_end_transaction(db, write_run_extras(im, sq, c.run_id),
				     "cannot record the run", err);
	/* Its statements go before the connection closes. */
	g_clear_pointer(&im->rec, recorder_free);
	return ok;
rollback:
	sqlite3_exec(sq, "ROLLBACK", NULL, NULL, NULL);
	g_clear_pointer(&im->rec, recorder_free);
	return FALSE;
}

gboolean
tb_import(const char *dir, const char *db_path, unsigned flags, GError **err)
{
	struct import im = { .dir = dir };
	gboolean ok = read_run(&im, err) && write_run(&im, db_path, flags, err);

	import_clear(&im);
	return ok;
}

int
tb_cmd_import(int argc, char **argv)
{
	gboolean replace = FALSE;
	g_autofree char *output = NULL;
	GOptionEntry entries[] = {
		{ "replace", 0, 0, G_OPTION_ARG_NONE, &replace,
		  "replace the run if it is imported already", NULL },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "results database, created if missing (default results.db)", "FILE" },
		{ NULL },
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("DIR");
	g_autoptr(GError) err = NULL;

	g_option_context_set_summary(oc, "Imports the testbed run in DIR into a results "
				     "database, as a simulated run of its scenario records it.");
	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "fc-testbed import: %s\n", err->message);
		return EXIT_BAD;
	}
	if (argc != 2) {
		fprintf(stderr, "fc-testbed import: give one run directory (see fc-testbed "
			"import --help)\n");
		return EXIT_BAD;
	}
	if (!tb_import(argv[1], output ? output : "results.db",
		       replace ? TB_IMPORT_REPLACE : 0, &err)) {
		fprintf(stderr, "fc-testbed import: %s\n", err->message);
		return g_error_matches(err, RESULTS_ERROR, RESULTS_ERROR_WRITE) ? EXIT_FAILED
									: EXIT_BAD;
	}
	return 0;
}
