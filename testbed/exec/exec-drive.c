/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * exec-drive: calls the real executor's functions directly, for
 * t-exec.sh (no daemon, no node: the calls the node would make).
 *
 *   exec-drive CONFIG check
 *   exec-drive CONFIG dns-add SITE ADDR | dns-remove SITE ADDR
 *   exec-drive CONFIG fetch SITE OBJECT|site OWNER_ADDR [SITE OBJECT OWNER_ADDR]...
 *   exec-drive CONFIG fetch-remove SITE OBJECT OWNER_ADDR DELAY_MS
 *   exec-drive CONFIG remove SITE
 *   exec-drive CONFIG push SITE PEER PEER_ADDR
 *
 * check prints the settings, one "key value" line each.  fetch runs
 * every SITE OBJECT OWNER_ADDR triple on a thread of its own, all at
 * once, and prints per fetch "ok|failed SITE OBJECT MS" (its wall-clock
 * time), then "all MS"; fetch-remove starts one fetch, removes the site
 * after DELAY_MS while it runs, and prints the fetch's outcome.  Every
 * failure's message goes to stderr, one line each.  Exit status 0 when
 * every call succeeded, 1 when one failed, 2 for bad usage or a bad
 * configuration.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "testbed/exec/exec.h"
#include "testbed/node/config.h"
#include "testbed/node/executor.h"

static G_GNUC_NORETURN void
usage(const char *why)
{
	fprintf(stderr, "exec-drive: %s\n", why);
	exit(2);
}

static uint64_t
number(const char *text, uint64_t max, const char *what)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(text, 10, 0, max, &v, NULL)) {
		g_autofree char *why = g_strdup_printf("%s: expected a number, found '%s'",
						       what, text);
		usage(why);
	}
	return v;
}

static uint32_t
address(const char *text)
{
	struct in_addr a;

	if (inet_pton(AF_INET, text, &a) != 1) {
		g_autofree char *why = g_strdup_printf("'%s' is not an IPv4 address", text);
		usage(why);
	}
	return ntohl(a.s_addr);
}

struct job {
	struct tb_executor *e;
	uint32_t site;
	uint64_t object;
	uint32_t owner;
	gboolean ok;
	GError *err;
	gint64 ms;
};

static gpointer
job_run(gpointer data)
{
	struct job *j = data;
	gint64 t0 = g_get_monotonic_time();

	j->ok = j->e->fetch(j->e->user, j->site, j->object, 0, j->owner, &j->err);
	j->ms = (g_get_monotonic_time() - t0) / 1000;
	return NULL;
}

static void
job_parse(struct job *j, struct tb_executor *e, char **arg)
{
	j->e = e;
	j->site = (uint32_t)number(arg[0], G_MAXUINT32, "SITE");
	j->object = strcmp(arg[1], "site") == 0 ? FC_WHOLE_SITE :
		    number(arg[1], G_MAXUINT64 - 1, "OBJECT");
	j->owner = address(arg[2]);
}

static int
job_report(struct job *j)
{
	if (j->object == FC_WHOLE_SITE)
		printf("%s %u site %" G_GINT64_FORMAT "\n", j->ok ? "ok" : "failed", j->site,
		       j->ms);
	else
		printf("%s %u %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n",
		       j->ok ? "ok" : "failed", j->site, j->object, j->ms);
	if (!j->ok)
		fprintf(stderr, "%s\n", j->err->message);
	g_clear_error(&j->err);
	return j->ok ? 0 : 1;
}

static int
fetch(struct tb_executor *e, int n, char **arg)
{
	g_autofree struct job *jobs = NULL;
	g_autofree GThread **threads = NULL;
	gint64 t0 = g_get_monotonic_time();
	int status = 0;

	if (n == 0 || n % 3)
		usage("fetch wants SITE OBJECT OWNER_ADDR triples");
	jobs = g_new0(struct job, n / 3);
	threads = g_new0(GThread *, n / 3);
	for (int i = 0; i < n / 3; i++)
		job_parse(&jobs[i], e, arg + 3 * i);
	for (int i = 0; i < n / 3; i++)
		threads[i] = g_thread_new("fetch", job_run, &jobs[i]);
	for (int i = 0; i < n / 3; i++) {
		g_thread_join(threads[i]);
		status |= job_report(&jobs[i]);
	}
	printf("all %" G_GINT64_FORMAT "\n", (g_get_monotonic_time() - t0) / 1000);
	return status;
}

static int
fetch_remove(struct tb_executor *e, char **arg)
{
	struct job j;
	GThread *t;
	g_autoptr(GError) err = NULL;
	int status;

	job_parse(&j, e, arg);
	j.ok = FALSE;
	j.err = NULL;
	t = g_thread_new("fetch", job_run, &j);
	g_usleep((gulong)number(arg[3], 60000, "DELAY_MS") * 1000);
	if (!e->remove(e->user, j.site, &err)) {
		fprintf(stderr, "%s\n", err->message);
		g_thread_join(t);
		return 1;
	}
	g_thread_join(t);
	status = job_report(&j);
	return status;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_node_config) c = NULL;
	g_autoptr(tb_executor) e = NULL;
	const char *cmd;
	gboolean ok;

	if (argc < 3)
		usage("usage: exec-drive CONFIG COMMAND ARG...");
	c = tb_node_config_load(argv[1], &err);
	if (c)
		e = tb_executor_real_new(c, &err);
	if (!e) {
		fprintf(stderr, "%s\n", err->message);
		return 2;
	}
	cmd = argv[2];
	if (strcmp(cmd, "check") == 0 && argc == 3) {
		const struct tb_exec_settings *s = tb_exec_settings(e);

		printf("dns_server %s:%u\nzone %s\nkey_name %s\nkey_secret %s\nttl %u\n"
		       "dns_timeout %u\nhttp_port %u\nfetch_path %s\nfetch_timeout %u\n"
		       "rescue_root %s\nsource_address %s\n",
		       s->dns_address, (unsigned)s->dns_port, s->zone, s->key_name,
		       s->key_secret, (unsigned)s->ttl, s->dns_timeout_ms, (unsigned)s->http_port,
		       s->fetch_path, s->fetch_timeout_ms, s->rescue_root,
		       s->source_address ? s->source_address : "-");
		return 0;
	}
	if ((strcmp(cmd, "dns-add") == 0 || strcmp(cmd, "dns-remove") == 0) && argc == 5) {
		uint32_t site = (uint32_t)number(argv[3], G_MAXUINT32, "SITE");
		uint32_t a = address(argv[4]);

		ok = cmd[4] == 'a' ? e->dns_add(e->user, site, a, &err) :
		     e->dns_remove(e->user, site, a, &err);
	} else if (strcmp(cmd, "fetch") == 0) {
		return fetch(e, argc - 3, argv + 3);
	} else if (strcmp(cmd, "fetch-remove") == 0 && argc == 7) {
		return fetch_remove(e, argv + 3);
	} else if (strcmp(cmd, "remove") == 0 && argc == 4) {
		ok = e->remove(e->user, (uint32_t)number(argv[3], G_MAXUINT32, "SITE"), &err);
	} else if (strcmp(cmd, "push") == 0 && argc == 6) {
		ok = e->push(e->user, (uint32_t)number(argv[3], G_MAXUINT32, "SITE"),
			     (fc_node_id)number(argv[4], G_MAXUINT32, "PEER"), address(argv[5]),
			     &err);
	} else {
		usage("unknown command or wrong number of arguments");
	}
	if (!ok) {
		fprintf(stderr, "%s\n", err->message);
		return 1;
	}
	return 0;
}
