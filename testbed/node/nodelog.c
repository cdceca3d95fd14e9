/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/node/nodelog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct tb_nodelog {
	FILE *f;
	bool ok;
};

struct tb_nodelog *
tb_nodelog_open(const char *path, GError **err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	struct tb_nodelog *l;

	if (fd < 0) {
		g_set_error(err, g_quark_from_static_string("tb-nodelog-error"), errno,
			    "%s: cannot open the log: %s", path, g_strerror(errno));
		return NULL;
	}
	l = g_new0(struct tb_nodelog, 1);
	l->f = fdopen(fd, "a");
	g_assert(l->f);
	setvbuf(l->f, NULL, _IOLBF, 0);
	l->ok = true;
	return l;
}

void
tb_nodelog_free(struct tb_nodelog *l)
{
	if (!l)
		return;
	fclose(l->f);
	g_free(l);
}

static void
figure(GString *s, bool has, double v)
{
	if (has)
		g_string_append_printf(s, "\t%.17g", v);
	else
		g_string_append(s, "\t-");
}

static void
emit(struct tb_nodelog *l, const GString *s)
{
	if (fputs(s->str, l->f) == EOF || fflush(l->f) == EOF)
		l->ok = false;
}

void
tb_nodelog_load(struct tb_nodelog *l, fc_time_t t, const struct tb_load_sample *x)
{
	g_autoptr(GString) s = g_string_new(NULL);

	g_string_append_printf(s, "%" G_GUINT64_FORMAT "\tload", (guint64)t);
	figure(s, x->has_busy, x->busy);
	figure(s, x->has_busy, x->workers);
	figure(s, x->has_waiting, x->waiting);
	figure(s, x->has_waiting, x->backlog);
	figure(s, x->has_uplink, x->uplink_bps);
	figure(s, x->has_uplink, x->uplink_capacity);
	g_string_append_printf(s, "\t%.17g\t%s\n", x->load, fc_state_name(x->state));
	emit(l, s);
}

void
tb_nodelog_event(struct tb_nodelog *l, fc_time_t t, const char *kind, const char *fmt, ...)
{
	g_autoptr(GString) s = g_string_new(NULL);
	g_autofree char *detail = NULL;
	va_list ap;

	va_start(ap, fmt);
	detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	for (char *c = detail; *c; c++)
		if (*c == '\t' || *c == '\n' || *c == '\r')
			*c = ' ';
	g_string_append_printf(s, "%" G_GUINT64_FORMAT "\tevent\t%s\t%s\n", (guint64)t, kind,
			       detail);
	emit(l, s);
}

bool
tb_nodelog_ok(const struct tb_nodelog *l)
{
	return l->ok;
}
