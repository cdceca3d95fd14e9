/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/loadgen/plan.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

/* Sets err to "where: what"; FALSE. */
G_GNUC_PRINTF(3, 4) static gboolean
bad(GError **err, const char *where, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *what = NULL;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", where, what);
	return FALSE;
}

void
lg_plan_visit_clear(struct lg_plan_visit *v)
{
	g_free(v->name);
	g_strfreev(v->paths);
	g_free(v->flags);
	memset(v, 0, sizeof *v);
}

/* An unsigned decimal integer, all of s. */
static gboolean
parse_u64(const char *s, guint64 *out)
{
	guint64 x = 0;

	if (!*s)
		return FALSE;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (G_MAXUINT64 - 9) / 10)
			return FALSE;
		x = x * 10 + (guint64)(*s - '0');
	}
	*out = x;
	return TRUE;
}

/* Milliseconds as a decimal with at most 6 digits after the point, into
 * nanoseconds (at most about 584 years). */
static gboolean
parse_ms(const char *s, fc_time_t *out)
{
	const char *dot = strchr(s, '.');
	g_autofree char *whole = g_strndup(s, dot ? (gsize)(dot - s) : strlen(s));
	guint64 ms, frac = 0;
	int digits = 0;

	if (!parse_u64(whole, &ms) || ms > G_MAXUINT64 / FC_MSEC - 1)
		return FALSE;
	if (dot) {
		for (const char *c = dot + 1; *c; c++, digits++) {
			if (*c < '0' || *c > '9' || digits == 6)
				return FALSE;
			frac = frac * 10 + (guint64)(*c - '0');
		}
		if (digits == 0)
			return FALSE;
		for (; digits < 6; digits++)
			frac *= 10;
	}
	*out = ms * FC_MSEC + frac;
	return TRUE;
}

static gboolean
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > LG_PLAN_NAME_MAX || s[0] == '.' || s[0] == '-')
		return FALSE;
	for (const char *c = s; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '.' && *c != '-')
			return FALSE;
	return strstr(s, "..") == NULL;
}

/* A URL path: '/' then printable characters other than blanks and ','. */
static gboolean
path_ok(const char *s)
{
	if (s[0] != '/')
		return FALSE;
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
			return FALSE;
	return TRUE;
}

static gboolean
word_ok(const char *s)
{
	if (!*s)
		return FALSE;
	for (const char *c = s; *c; c++)
		if (!g_ascii_islower(*c) && !g_ascii_isdigit(*c) && *c != '_')
			return FALSE;
	return TRUE;
}

gboolean
lg_plan_parse_line(const char *line, const char *where, struct lg_plan_visit *v,
		   GError **err)
{
	g_auto(GStrv) f = g_strsplit(line, "\t", -1);
	g_auto(GStrv) flags = NULL;
	guint nf = g_strv_length(f);
	guint64 patience_ns;

	lg_plan_visit_clear(v);
	if (!*line)
		return bad(err, where, "an empty line");
	if (nf != 6)
		return bad(err, where, "%u columns, expected 6: visit_id start_ms name paths "
			   "patience_ms flags", nf);
	if (!parse_u64(f[0], &v->id))
		return bad(err, where, "visit_id '%s' is not an unsigned integer", f[0]);
	if (!parse_ms(f[1], &v->start))
		return bad(err, where, "start_ms '%s' is not a number of milliseconds "
			   "(at most 6 decimals)", f[1]);
	if (!name_ok(f[2]))
		return bad(err, where, "name '%s' is not a DNS name or an IPv4 address", f[2]);
	if (!parse_ms(f[4], &patience_ns) || patience_ns == 0)
		return bad(err, where, "patience_ms '%s' is not a positive number of "
			   "milliseconds", f[4]);
	v->paths = g_strsplit(f[3], ",", -1);
	v->npaths = g_strv_length(v->paths);
	if (v->npaths > LG_PLAN_PATHS_MAX) {
		bad(err, where, "%u paths, more than %d", v->npaths, LG_PLAN_PATHS_MAX);
		goto bad;
	}
	for (guint i = 0; i < v->npaths; i++) {
		if (!path_ok(v->paths[i])) {
			bad(err, where, "path %u '%s' does not start with '/' or has a blank "
			    "or a control character", i + 1, v->paths[i]);
			goto bad;
		}
	}
	if (v->npaths == 0) {
		bad(err, where, "no paths");
		goto bad;
	}
	if (!*f[5]) {
		bad(err, where, "flags '' is empty (\"-\" for none)");
		goto bad;
	}
	if (strcmp(f[5], "-") != 0) {
		flags = g_strsplit(f[5], ",", -1);
		for (guint i = 0; flags[i]; i++) {
			if (!word_ok(flags[i])) {
				bad(err, where, "flags '%s': '%s' is not a word of [a-z0-9_]",
				    f[5], flags[i]);
				goto bad;
			}
			if (strcmp(flags[i], "bt") == 0)
				v->bt = TRUE;
			else if (strcmp(flags[i], "warmup") == 0)
				v->warmup = TRUE;
		}
	}
	v->name = g_strdup(f[2]);
	v->patience = patience_ns;
	v->flags = g_strdup(f[5]);
	return TRUE;
bad:
	lg_plan_visit_clear(v);
	return FALSE;
}

struct lg_plan {
	char *path;
	FILE *f;
	char *line;
	size_t cap;
	guint64 lineno;
	fc_time_t last_start;
};

void
lg_plan_free(struct lg_plan *p)
{
	if (!p)
		return;
	if (p->f)
		fclose(p->f);
	free(p->line);
	g_free(p->path);
	g_free(p);
}

/* The next line without its newline: 1, 0 at the end, -1 on an error. */
static int
read_line(struct lg_plan *p, GError **err)
{
	ssize_t n;

	errno = 0;
	n = getline(&p->line, &p->cap, p->f);
	if (n < 0) {
		if (ferror(p->f)) {
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
				    "%s: cannot read: %s", p->path, g_strerror(errno));
			return -1;
		}
		return 0;
	}
	p->lineno++;
	if (n > 0 && p->line[n - 1] == '\n')
		p->line[--n] = '\0';
	if (n > 0 && p->line[n - 1] == '\r') {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%" G_GUINT64_FORMAT
			    ": the line ends with a carriage return (CRLF line ends)",
			    p->path, p->lineno);
		return -1;
	}
	if ((size_t)n != strlen(p->line)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%" G_GUINT64_FORMAT
			    ": a NUL byte in the line", p->path, p->lineno);
		return -1;
	}
	return 1;
}

struct lg_plan *
lg_plan_open(const char *path, GError **err)
{
	g_autoptr(lg_plan) p = g_new0(struct lg_plan, 1);
	int r;

	p->path = g_strdup(path);
	p->f = fopen(path, "r");
	if (!p->f) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "%s: cannot open: %s", path, g_strerror(errno));
		return NULL;
	}
	r = read_line(p, err);
	if (r < 0)
		return NULL;
	if (r == 0 || strcmp(p->line, LG_PLAN_HEADER) != 0) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s:1: the header is not \"%s\" (tab-separated)", path,
			    "visit_id start_ms name paths patience_ms flags");
		return NULL;
	}
	return g_steal_pointer(&p);
}

int
lg_plan_next(struct lg_plan *p, struct lg_plan_visit *v, GError **err)
{
	g_autofree char *where = NULL;
	int r = read_line(p, err);

	lg_plan_visit_clear(v);
	if (r <= 0)
		return r;
	where = g_strdup_printf("%s:%" G_GUINT64_FORMAT, p->path, p->lineno);
	if (!lg_plan_parse_line(p->line, where, v, err))
		return -1;
	if (v->start < p->last_start) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: start_ms goes back in time (%.3f after %.3f): the plan must "
			    "be in order of start", where, (double)v->start / FC_MSEC,
			    (double)p->last_start / FC_MSEC);
		lg_plan_visit_clear(v);
		return -1;
	}
	p->last_start = v->start;
	return 1;
}

gboolean
lg_plan_check(const char *path, guint64 *nvisits, GError **err)
{
	g_autoptr(lg_plan) p = lg_plan_open(path, err);
	struct lg_plan_visit v = { 0 };
	guint64 n = 0;
	int r;

	if (!p)
		return FALSE;
	while ((r = lg_plan_next(p, &v, err)) > 0)
		n++;
	lg_plan_visit_clear(&v);
	if (r < 0)
		return FALSE;
	*nvisits = n;
	return TRUE;
}
