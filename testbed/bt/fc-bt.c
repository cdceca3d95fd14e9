/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-bt: the testbed's BitTorrent pieces (testbed/bt/) as a command, for
 * scripts and for trying things by hand.  `fc-bt help` lists the commands.
 * Exit status: 0 done, 1 the operation failed (a tracker refused, aria2
 * answered an error, a wait timed out), 2 bad usage or input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "testbed/bt/aria2.h"
#include "testbed/bt/torrent.h"
#include "testbed/bt/tracker.h"

#define DEFAULT_URL "http://127.0.0.1:6800/jsonrpc"

static const char usage_text[] =
	"usage: fc-bt COMMAND [OPTION...] ARG...\n"
	"  torrent -l BYTES -a URL -o OUT [-n NAME] [-p] ROOT FILE...\n"
	"                     make a torrent of ROOT's FILEs (in that order); print its info-hash\n"
	"  info TORRENT       print a torrent's info-hash, name, pieces and files\n"
	"  tracker-config DIR ADDRESS PORT [HASH|TORRENT...]\n"
	"                     write opentracker's configuration and whitelist into DIR\n"
	"  whitelist DIR [HASH|TORRENT...]   rewrite DIR's whitelist (then SIGHUP opentracker)\n"
	"  announce URL HASH|TORRENT [--port P] [--timeout MS]\n"
	"                     announce to a tracker; print its peers (1: refused)\n"
	"  aria2-argv --rpc-port P --secret S --dir D --bt-port P [--log F]\n"
	"             [--external-ip A] [--tracker-interval S] [--stop-with PID]\n"
	"                     print the aria2c command line, one argument a line\n"
	"  rpc-version | rpc-add TORRENT [--dir D] [--select 1,2] [--option NAME=VALUE]\n"
	"  | rpc-status GID | rpc-wait GID [--within S] | rpc-select GID 1,2\n"
	"  | rpc-remove GID [--files]\n"
	"  | rpc-shutdown [--force]\n"
	"                     aria2 JSON-RPC; each takes --url URL (default " DEFAULT_URL ")\n"
	"                     --secret S and --timeout MS (default 5000)\n";

static int
bad(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* One line on stderr; exit status 2. */
static int
bad(const char *fmt, ...)
{
	va_list ap;

	fputs("fc-bt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/* An operation's failure: the error's message, exit status 1 (2 when it
 * is bad input). */
static int
failed(const GError *e)
{
	gboolean input = e->domain == TB_TORRENT_ERROR || e->domain == G_FILE_ERROR ||
			 (e->domain == TB_ARIA2_ERROR && e->code == TB_ARIA2_ERROR_ARGS) ||
			 (e->domain == TB_TRACKER_ERROR && e->code == TB_TRACKER_ERROR_ARGS);

	fprintf(stderr, "fc-bt: %s\n", e->message);
	return input ? 2 : 1;
}

/* Parses options into entries; leaves the positional arguments in
 * argc and argv (argv[0] the command). */
static gboolean
parse_options(const char *cmd, GOptionEntry *entries, int *argc, char ***argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
	g_autoptr(GError) err = NULL;

	g_option_context_set_help_enabled(ctx, FALSE);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		bad("%s: %s", cmd, err->message);
		return FALSE;
	}
	return TRUE;
}

static gboolean
parse_port(const char *what, const char *s, guint16 *out)
{
	guint64 v;

	if (!s || !g_ascii_string_to_unsigned(s, 10, 1, 65535, &v, NULL)) {
		bad("%s \"%s\" is not a port (1..65535)", what, s ? s : "");
		return FALSE;
	}
	*out = (guint16)v;
	return TRUE;
}

/* An info-hash given as 40 hex digits or as a torrent file. */
static gboolean
hash_arg(const char *arg, guint8 hash[TB_INFO_HASH_LEN], int *status)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_torrent) t = NULL;

	if (tb_info_hash_parse(arg, hash))
		return TRUE;
	t = tb_torrent_load(arg, &err);
	if (!t) {
		*status = bad("%s is neither 40 hex digits nor a torrent: %s", arg, err->message);
		return FALSE;
	}
	memcpy(hash, t->info_hash, TB_INFO_HASH_LEN);
	return TRUE;
}

static int
hashes_args(int n, char **args, GArray *out)
{
	int status = 0;

	for (int i = 0; i < n; i++) {
		guint8 h[TB_INFO_HASH_LEN];

		if (!hash_arg(args[i], h, &status))
			return status;
		g_array_append_vals(out, h, 1);
	}
	return 0;
}

static int
cmd_torrent(int argc, char **argv)
{
	gint64 piece = 0;
	g_autofree char *announce = NULL, *out = NULL, *name = NULL;
	gboolean priv = FALSE;
	GOptionEntry entries[] = {
		{ "piece-length", 'l', 0, G_OPTION_ARG_INT64, &piece, NULL, NULL },
		{ "announce", 'a', 0, G_OPTION_ARG_STRING, &announce, NULL, NULL },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, NULL, NULL },
		{ "name", 'n', 0, G_OPTION_ARG_STRING, &name, NULL, NULL },
		{ "private", 'p', 0, G_OPTION_ARG_NONE, &priv, NULL, NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) bytes = NULL;
	guint8 hash[TB_INFO_HASH_LEN];
	char hex[2 * TB_INFO_HASH_LEN + 1];
	struct tb_torrent_spec spec;

	if (!parse_options("torrent", entries, &argc, &argv))
		return 2;
	if (argc < 3 || !announce || !out || piece <= 0 || piece > G_MAXUINT)
		return bad("torrent: wants -l BYTES -a URL -o OUT ROOT FILE...");
	spec = (struct tb_torrent_spec){ .root_dir = argv[1],
					 .files = (const char *const *)argv + 2,
					 .nfiles = (gsize)argc - 2,
					 .piece_length = (guint)piece,
					 .announce = announce,
					 .name = name,
					 .private_flag = priv };
	bytes = tb_torrent_build(&spec, hash, &err);
	if (!bytes ||
	    !g_file_set_contents(out, g_bytes_get_data(bytes, NULL),
				 (gssize)g_bytes_get_size(bytes), &err))
		return failed(err);
	tb_info_hash_hex(hash, hex);
	printf("%s\n", hex);
	return 0;
}

static int
cmd_info(int argc, char **argv)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_torrent) t = NULL;
	char hex[2 * TB_INFO_HASH_LEN + 1];

	if (argc != 2)
		return bad("info: wants TORRENT");
	t = tb_torrent_load(argv[1], &err);
	if (!t)
		return bad("%s", err->message);
	tb_info_hash_hex(t->info_hash, hex);
	printf("info_hash\t%s\nname\t%s\nannounce\t%s\npiece_length\t%" G_GUINT64_FORMAT
	       "\npieces\t%u\ntotal_length\t%" G_GUINT64_FORMAT "\nprivate\t%d\n",
	       hex, t->name, t->announce ? t->announce : "", t->piece_length, t->npieces,
	       t->total_length, t->private_flag);
	for (guint i = 0; i < t->files->len; i++) {
		const struct tb_torrent_file *f = &g_array_index(t->files, struct tb_torrent_file, i);

		printf("file\t%u\t%" G_GUINT64_FORMAT "\t%s\n", i + 1, f->length, f->path);
	}
	return 0;
}

static int
cmd_tracker_config(int argc, char **argv)
{
	g_autoptr(GArray) hashes = g_array_new(FALSE, FALSE, TB_INFO_HASH_LEN);
	g_autoptr(GError) err = NULL;
	guint16 port;
	int status;

	if (argc < 4)
		return bad("tracker-config: wants DIR ADDRESS PORT [HASH|TORRENT...]");
	if (!parse_port("tracker-config: port", argv[3], &port))
		return 2;
	if ((status = hashes_args(argc - 4, argv + 4, hashes)) != 0)
		return status;
	if (!tb_tracker_write_config(argv[1], argv[2], port, (const void *)hashes->data,
				     hashes->len, &err))
		return failed(err);
	return 0;
}

static int
cmd_whitelist(int argc, char **argv)
{
	g_autoptr(GArray) hashes = g_array_new(FALSE, FALSE, TB_INFO_HASH_LEN);
	g_autoptr(GError) err = NULL;
	int status;

	if (argc < 2)
		return bad("whitelist: wants DIR [HASH|TORRENT...]");
	if ((status = hashes_args(argc - 2, argv + 2, hashes)) != 0)
		return status;
	if (!tb_tracker_write_whitelist(argv[1], (const void *)hashes->data, hashes->len, &err))
		return failed(err);
	return 0;
}

static int
cmd_announce(int argc, char **argv)
{
	g_autofree char *port_s = NULL;
	gint timeout = 5000;
	GOptionEntry entries[] = {
		{ "port", 0, 0, G_OPTION_ARG_STRING, &port_s, NULL, NULL },
		{ "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, NULL, NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GError) err = NULL;
	guint8 hash[TB_INFO_HASH_LEN];
	guint16 port = 6881;
	g_autoptr(tb_announce) a = NULL;
	int status = 0;

	if (!parse_options("announce", entries, &argc, &argv))
		return 2;
	if (argc != 3)
		return bad("announce: wants URL HASH|TORRENT");
	if (port_s && !parse_port("announce: --port", port_s, &port))
		return 2;
	if (timeout <= 0)
		return bad("announce: --timeout %d is not positive", timeout);
	if (!hash_arg(argv[2], hash, &status))
		return status;
	a = tb_tracker_announce(argv[1], hash, "-FC0001-fc-bt", port, (guint)timeout, &err);
	if (!a)
		return failed(err);
	printf("interval\t%" G_GINT64_FORMAT "\ncomplete\t%" G_GINT64_FORMAT
	       "\nincomplete\t%" G_GINT64_FORMAT "\n",
	       a->interval, a->complete, a->incomplete);
	for (guint i = 0; i < a->peers->len; i++) {
		const struct tb_peer *p = &g_array_index(a->peers, struct tb_peer, i);

		printf("peer\t%s:%u\n", p->address, p->port);
	}
	return 0;
}

static int
cmd_aria2_argv(int argc, char **argv)
{
	g_autofree char *rpc_port = NULL, *bt_port = NULL, *secret = NULL, *dir = NULL;
	g_autofree char *log = NULL, *ext = NULL;
	gint interval = 0, stop_with = 0;
	GOptionEntry entries[] = {
		{ "rpc-port", 0, 0, G_OPTION_ARG_STRING, &rpc_port, NULL, NULL },
		{ "bt-port", 0, 0, G_OPTION_ARG_STRING, &bt_port, NULL, NULL },
		{ "secret", 0, 0, G_OPTION_ARG_STRING, &secret, NULL, NULL },
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, NULL, NULL },
		{ "log", 0, 0, G_OPTION_ARG_FILENAME, &log, NULL, NULL },
		{ "external-ip", 0, 0, G_OPTION_ARG_STRING, &ext, NULL, NULL },
		{ "tracker-interval", 0, 0, G_OPTION_ARG_INT, &interval, NULL, NULL },
		{ "stop-with", 0, 0, G_OPTION_ARG_INT, &stop_with, NULL, NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	struct tb_aria2_daemon d = { 0 };
	g_auto(GStrv) args = NULL;

	if (!parse_options("aria2-argv", entries, &argc, &argv))
		return 2;
	if (argc != 1 || !secret || !*secret || !dir)
		return bad("aria2-argv: wants --rpc-port P --secret S --dir D --bt-port P");
	if (!parse_port("aria2-argv: --rpc-port", rpc_port, &d.rpc_port) ||
	    !parse_port("aria2-argv: --bt-port", bt_port, &d.bt_port))
		return 2;
	if (interval < 0 || stop_with < 0)
		return bad("aria2-argv: negative --tracker-interval or --stop-with");
	d.secret = secret;
	d.dir = dir;
	d.log_path = log;
	d.external_ip = ext;
	d.tracker_interval = (guint)interval;
	d.stop_with = (pid_t)stop_with;
	args = tb_aria2_argv(&d);
	for (gsize i = 0; args[i]; i++)
		printf("%s\n", args[i]);
	return 0;
}

/* ---- aria2 over JSON-RPC ---- */

struct rpc_opts {
	char *url, *secret;
	gint timeout;
};

static struct tb_aria2 *
rpc_client(const char *cmd, struct rpc_opts *o, GOptionEntry *own, int *argc, char ***argv)
{
	GOptionEntry common[] = {
		{ "url", 0, 0, G_OPTION_ARG_STRING, &o->url, NULL, NULL },
		{ "secret", 0, 0, G_OPTION_ARG_STRING, &o->secret, NULL, NULL },
		{ "timeout", 0, 0, G_OPTION_ARG_INT, &o->timeout, NULL, NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
	g_autoptr(GError) err = NULL;

	o->timeout = 5000;
	g_option_context_set_help_enabled(ctx, FALSE);
	g_option_context_add_main_entries(ctx, common, NULL);
	if (own)
		g_option_context_add_main_entries(ctx, own, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		bad("%s: %s", cmd, err->message);
		return NULL;
	}
	if (o->timeout <= 0) {
		bad("%s: --timeout %d is not positive", cmd, o->timeout);
		return NULL;
	}
	return tb_aria2_new(o->url ? o->url : DEFAULT_URL, o->secret, (guint)o->timeout);
}

static void
rpc_opts_clear(struct rpc_opts *o)
{
	g_free(o->url);
	g_free(o->secret);
}

static void
print_status(const struct tb_aria2_status *s)
{
	printf("gid\t%s\nstatus\t%s\ntotal\t%" G_GUINT64_FORMAT "\ncompleted\t%" G_GUINT64_FORMAT
	       "\nuploaded\t%" G_GUINT64_FORMAT "\nconnections\t%u\nseeders\t%u\nseeder\t%d\n",
	       s->gid, s->status, s->total, s->completed, s->uploaded, s->connections, s->seeders,
	       s->seeder);
	if (s->info_hash)
		printf("info_hash\t%s\n", s->info_hash);
	if (s->error_code)
		printf("error\t%s\t%s\n", s->error_code, s->error_message ? s->error_message : "");
	for (guint i = 0; i < s->files->len; i++) {
		const struct tb_aria2_file *f = &g_array_index(s->files, struct tb_aria2_file, i);

		printf("file\t%u\t%d\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%s\n", f->index,
		       f->selected, f->completed, f->length, f->path);
	}
}

/* The files to select, "1,3": FALSE (after saying why) when not that. */
static gboolean
parse_select(const char *cmd, const char *s, GArray *out)
{
	g_auto(GStrv) parts = g_strsplit(s, ",", -1);

	for (gsize i = 0; parts[i]; i++) {
		guint64 v;

		if (!g_ascii_string_to_unsigned(parts[i], 10, 1, G_MAXUINT, &v, NULL)) {
			bad("%s: file list \"%s\": \"%s\" is not a file number (from 1)", cmd,
			    s, parts[i]);
			return FALSE;
		}
		guint index = (guint)v;

		g_array_append_val(out, index);
	}
	return TRUE;
}

static int
cmd_rpc(int argc, char **argv)
{
	const char *cmd = argv[0];
	struct rpc_opts o = { 0 };
	g_autofree char *dir = NULL, *select = NULL;
	g_auto(GStrv) options = NULL;
	gboolean files = FALSE, force = FALSE;
	gint within = 60;
	GOptionEntry add_entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, NULL, NULL },
		{ "select", 0, 0, G_OPTION_ARG_STRING, &select, NULL, NULL },
		{ "option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options, NULL, NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionEntry wait_entries[] = {
		{ "within", 0, 0, G_OPTION_ARG_INT, &within, NULL, NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionEntry remove_entries[] = {
		{ "files", 0, 0, G_OPTION_ARG_NONE, &files, NULL, NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionEntry shutdown_entries[] = {
		{ "force", 0, 0, G_OPTION_ARG_NONE, &force, NULL, NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionEntry *own = strcmp(cmd, "rpc-add") == 0	       ? add_entries
			    : strcmp(cmd, "rpc-wait") == 0     ? wait_entries
			    : strcmp(cmd, "rpc-remove") == 0   ? remove_entries
			    : strcmp(cmd, "rpc-shutdown") == 0 ? shutdown_entries
							       : NULL;
	struct tb_aria2 *c = rpc_client(cmd, &o, own, &argc, &argv);
	g_autoptr(GError) err = NULL;
	int status = 0;

	if (!c) {
		rpc_opts_clear(&o);
		return 2;
	}
	if (strcmp(cmd, "rpc-version") == 0 && argc == 1) {
		g_autofree char *v = tb_aria2_version(c, &err);

		if (v)
			printf("%s\n", v);
	} else if (strcmp(cmd, "rpc-add") == 0 && argc == 2) {
		g_autoptr(GArray) sel = g_array_new(FALSE, FALSE, sizeof(guint));
		g_autoptr(GPtrArray) opts = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GBytes) torrent = NULL;
		g_autofree char *data = NULL, *gid = NULL;
		gsize len;

		if (select && !parse_select(cmd, select, sel))
			status = 2;
		for (gsize i = 0; status == 0 && options && options[i]; i++) {
			const char *eq = strchr(options[i], '=');

			if (!eq || eq == options[i]) {
				status = bad("rpc-add: --option \"%s\" is not NAME=VALUE",
					     options[i]);
				break;
			}
			g_ptr_array_add(opts, g_strndup(options[i], (gsize)(eq - options[i])));
			g_ptr_array_add(opts, g_strdup(eq + 1));
		}
		g_ptr_array_add(opts, NULL);
		if (status == 0 && g_file_get_contents(argv[1], &data, &len, &err)) {
			torrent = g_bytes_new_take(g_steal_pointer(&data), len);
			gid = tb_aria2_add_torrent(c, torrent, dir, (const guint *)sel->data,
						   sel->len, (const char *const *)opts->pdata, &err);
			if (gid)
				printf("%s\n", gid);
		}
	} else if (strcmp(cmd, "rpc-status") == 0 && argc == 2) {
		g_autoptr(tb_aria2_status) s = tb_aria2_tell_status(c, argv[1], &err);

		if (s)
			print_status(s);
	} else if (strcmp(cmd, "rpc-wait") == 0 && argc == 2) {
		if (within <= 0)
			status = bad("rpc-wait: --within %d is not positive", within);
		else
			tb_aria2_wait(c, argv[1], (guint)within * 1000, 100, NULL, &err);
	} else if (strcmp(cmd, "rpc-select") == 0 && argc == 3) {
		g_autoptr(GArray) sel = g_array_new(FALSE, FALSE, sizeof(guint));

		if (!parse_select(cmd, argv[2], sel))
			status = 2;
		else
			tb_aria2_select_files(c, argv[1], (const guint *)sel->data, sel->len, &err);
	} else if (strcmp(cmd, "rpc-remove") == 0 && argc == 2) {
		if (files)
			tb_aria2_remove_files(c, argv[1], &err);
		else
			tb_aria2_remove(c, argv[1], &err);
	} else if (strcmp(cmd, "rpc-shutdown") == 0 && argc == 1) {
		tb_aria2_shutdown(c, force, &err);
	} else {
		status = bad("%s: wrong number of arguments (fc-bt help)", cmd);
	}
	if (err)
		status = failed(err);
	tb_aria2_free(c);
	rpc_opts_clear(&o);
	return status;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} cmds[] = {
		{ "torrent", cmd_torrent },
		{ "info", cmd_info },
		{ "tracker-config", cmd_tracker_config },
		{ "whitelist", cmd_whitelist },
		{ "announce", cmd_announce },
		{ "aria2-argv", cmd_aria2_argv },
		{ "rpc-version", cmd_rpc },
		{ "rpc-add", cmd_rpc },
		{ "rpc-status", cmd_rpc },
		{ "rpc-wait", cmd_rpc },
		{ "rpc-select", cmd_rpc },
		{ "rpc-remove", cmd_rpc },
		{ "rpc-shutdown", cmd_rpc },
	};

	if (argc < 2)
		return bad("no command (fc-bt help lists them)");
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(cmds); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 1, argv + 1);
	return bad("no command \"%s\" (fc-bt help lists them)", argv[1]);
}
