/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-dns: the testbed's DNS from the command line, for the harness's
 * scripts and for debugging.
 *
 *   fc-dns update --server ADDR[:PORT] [--key NAME:SECRET] --zone ZONE
 *                 [--ttl SECONDS] [--timeout MS] add|delete NAME ADDR
 *   fc-dns query --server ADDR[:PORT] [--key NAME:SECRET] [--timeout MS] NAME
 *   fc-dns write-config DIR --listen ADDR[:PORT] --zone ZONE --site NAME
 *                 [--site-addr ADDR]... [--host NAME=ADDR]... --ttl SECONDS
 *                 --key NAME:SECRET
 *   fc-dns keygen
 *
 * query prints one line per address: the address, a tab, the TTL.
 * write-config prints the command that starts named.  Exit status: 0
 * done, 1 the server refused or did not answer, 2 bad arguments.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "testbed/dns/dnsupdate.h"
#include "testbed/dns/named.h"

#define DEFAULT_TIMEOUT_MS 2000

static int
usage_error(const char *cmd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static int
usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "fc-dns %s: %s (see fc-dns %s --help)\n", cmd, msg, cmd);
	return 2;
}

/* The exit status for a failed call: 2 for our bad argument, 1 otherwise. */
static int
fail(const char *cmd, const GError *err)
{
	fprintf(stderr, "fc-dns %s: %s\n", cmd, err->message);
	return g_error_matches(err, TB_DNS_ERROR, TB_DNS_ERROR_INVAL) ? 2 : 1;
}

/* "10.0.0.1", "10.0.0.1:53", "::1", "[::1]:53" into address and port. */
static gboolean
parse_hostport(const char *s, guint16 default_port, char **addr, guint16 *port)
{
	g_autofree char *a = NULL;
	const char *p = NULL;
	struct in6_addr a6;
	struct in_addr a4;
	guint64 n;

	if (!s)
		return FALSE;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end)
			return FALSE;
		a = g_strndup(s + 1, (gsize)(end - s - 1));
		if (end[1] == ':')
			p = end + 2;
		else if (end[1])
			return FALSE;
	} else if (strchr(s, ':') && strchr(s, ':') == strrchr(s, ':')) {
		a = g_strndup(s, (gsize)(strchr(s, ':') - s));
		p = strchr(s, ':') + 1;
	} else {
		a = g_strdup(s);
	}
	if (inet_pton(AF_INET, a, &a4) != 1 && inet_pton(AF_INET6, a, &a6) != 1)
		return FALSE;
	if (p) {
		if (!g_ascii_string_to_unsigned(p, 10, 1, 65535, &n, NULL))
			return FALSE;
		*port = (guint16)n;
	} else {
		*port = default_port;
	}
	*addr = g_steal_pointer(&a);
	return TRUE;
}

static gboolean
parse_ipv4(const char *s, guint32 *addr)
{
	struct in_addr a;

	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return FALSE;
	*addr = ntohl(a.s_addr);
	return TRUE;
}

/* "NAME:SECRET" into its parts (base64 has no colon). */
static gboolean
parse_key(const char *s, char **name, char **secret)
{
	const char *colon = s ? strchr(s, ':') : NULL;

	if (!colon || colon == s || !colon[1])
		return FALSE;
	*name = g_strndup(s, (gsize)(colon - s));
	*secret = g_strdup(colon + 1);
	return TRUE;
}

static gboolean
parse_uint(const char *s, guint64 max, guint64 *v)
{
	return s && g_ascii_string_to_unsigned(s, 10, 0, max, v, NULL);
}

/* Parses the options of a subcommand; prints the error itself. */
static gboolean
parse_options(const char *cmd, const char *args, const char *summary, GOptionEntry *entries,
	      int *argc, char ***argv)
{
	g_autofree char *prg = g_strdup_printf("fc-dns %s", cmd);
	g_autoptr(GOptionContext) ctx = g_option_context_new(args);
	g_autoptr(GError) err = NULL;

	/* The usage line reads "fc-dns update [OPTION…] add|delete NAME ADDR". */
	g_set_prgname(prg);
	g_option_context_set_summary(ctx, summary);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		fprintf(stderr, "fc-dns %s: %s\n", cmd, err->message);
		return FALSE;
	}
	return TRUE;
}

/* --server and --key into srv; the strings are kept in the out arguments. */
static int
parse_server(const char *cmd, const char *server, const char *key, struct tb_dns_server *srv,
	     char **addr, char **key_name, char **key_secret)
{
	if (!server)
		return usage_error(cmd, "no --server given");
	if (!parse_hostport(server, 53, addr, &srv->port))
		return usage_error(cmd, "--server: expected ADDR or ADDR:PORT ([ADDR]:PORT for "
				   "IPv6), a numeric address, found '%s'", server);
	srv->address = *addr;
	if (key) {
		g_autoptr(GError) err = NULL;

		if (!parse_key(key, key_name, key_secret))
			return usage_error(cmd, "--key: expected NAME:SECRET, found '%s'", key);
		if (!tb_dns_secret_check(*key_secret, &err))
			return usage_error(cmd, "--key: %s", err->message);
		srv->key_name = *key_name;
		srv->key_secret = *key_secret;
	}
	return 0;
}

static int
cmd_update(int argc, char **argv)
{
	g_autofree char *server = NULL, *key = NULL, *zone = NULL, *ttl_s = NULL,
		*timeout_s = NULL, *addr = NULL, *key_name = NULL, *key_secret = NULL;
	GOptionEntry entries[] = {
		{ "server", 's', 0, G_OPTION_ARG_STRING, &server,
		  "the DNS server (port 53 if not given)", "ADDR[:PORT]" },
		{ "key", 'k', 0, G_OPTION_ARG_STRING, &key,
		  "the TSIG key (hmac-sha256), secret in base64; unsigned without",
		  "NAME:SECRET" },
		{ "zone", 'z', 0, G_OPTION_ARG_STRING, &zone, "the zone to update", "ZONE" },
		{ "ttl", 't', 0, G_OPTION_ARG_STRING, &ttl_s, "the TTL of an added record",
		  "SECONDS" },
		{ "timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_s,
		  "how long to wait for the answer (default 2000)", "MS" },
		{ NULL },
	};
	struct tb_dns_server srv = { 0 };
	g_autoptr(GError) err = NULL;
	guint64 ttl = 0, timeout = DEFAULT_TIMEOUT_MS;
	guint32 a;
	gboolean add;
	int rc;

	if (!parse_options("update", "add|delete NAME ADDR",
			   "Adds an A record to a zone, or deletes it, by a signed RFC 2136 "
			   "update.", entries, &argc, &argv))
		return 2;
	if (argc != 4)
		return usage_error("update", "expected add|delete NAME ADDR, found %d "
				   "argument%s", argc - 1, argc == 2 ? "" : "s");
	if (strcmp(argv[1], "add") == 0)
		add = TRUE;
	else if (strcmp(argv[1], "delete") == 0)
		add = FALSE;
	else
		return usage_error("update", "expected add or delete, found '%s'", argv[1]);
	if (!parse_ipv4(argv[3], &a))
		return usage_error("update", "'%s' is not an IPv4 address", argv[3]);
	rc = parse_server("update", server, key, &srv, &addr, &key_name, &key_secret);
	if (rc)
		return rc;
	if (!zone)
		return usage_error("update", "no --zone given");
	if (add && !ttl_s)
		return usage_error("update", "add needs --ttl");
	if (ttl_s && !parse_uint(ttl_s, G_MAXINT32, &ttl))
		return usage_error("update", "--ttl: expected seconds, 0 to 2147483647, found "
				   "'%s'", ttl_s);
	if (timeout_s && (!parse_uint(timeout_s, 3600000, &timeout) || timeout == 0))
		return usage_error("update", "--timeout: expected milliseconds, 1 to 3600000, "
				   "found '%s'", timeout_s);
	if (!tb_dns_update(&srv, zone, argv[2], add, a, (guint32)ttl, (guint)timeout, &err))
		return fail("update", err);
	return 0;
}

static int
cmd_query(int argc, char **argv)
{
	g_autofree char *server = NULL, *key = NULL, *timeout_s = NULL, *addr = NULL,
		*key_name = NULL, *key_secret = NULL;
	GOptionEntry entries[] = {
		{ "server", 's', 0, G_OPTION_ARG_STRING, &server,
		  "the DNS server (port 53 if not given)", "ADDR[:PORT]" },
		{ "key", 'k', 0, G_OPTION_ARG_STRING, &key,
		  "sign the query and verify the answer with this TSIG key", "NAME:SECRET" },
		{ "timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_s,
		  "how long to wait for the answer (default 2000)", "MS" },
		{ NULL },
	};
	struct tb_dns_server srv = { 0 };
	g_autoptr(GError) err = NULL;
	g_autoptr(GArray) addrs = NULL;
	guint64 timeout = DEFAULT_TIMEOUT_MS;
	guint32 ttl;
	int rc;

	if (!parse_options("query", "NAME",
			   "Prints the A records of NAME, one per line with its TTL.", entries,
			   &argc, &argv))
		return 2;
	if (argc != 2)
		return usage_error("query", "expected one NAME, found %d arguments", argc - 1);
	rc = parse_server("query", server, key, &srv, &addr, &key_name, &key_secret);
	if (rc)
		return rc;
	if (timeout_s && (!parse_uint(timeout_s, 3600000, &timeout) || timeout == 0))
		return usage_error("query", "--timeout: expected milliseconds, 1 to 3600000, "
				   "found '%s'", timeout_s);
	if (!tb_dns_query_a(&srv, argv[1], (guint)timeout, &addrs, &ttl, &err))
		return fail("query", err);
	for (guint i = 0; i < addrs->len; i++) {
		guint32 be = htonl(g_array_index(addrs, guint32, i));
		char s[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &be, s, sizeof s);
		printf("%s\t%" G_GUINT32_FORMAT "\n", s, ttl);
	}
	return 0;
}

static int
cmd_write_config(int argc, char **argv)
{
	g_autofree char *listen = NULL, *zone = NULL, *site = NULL, *ttl_s = NULL,
		*key = NULL, *addr = NULL, *key_name = NULL, *key_secret = NULL;
	g_auto(GStrv) site_addrs = NULL, hosts = NULL;
	GOptionEntry entries[] = {
		{ "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
		  "the only address and port named listens on (port 53 if not given)",
		  "ADDR[:PORT]" },
		{ "zone", 'z', 0, G_OPTION_ARG_STRING, &zone, "the zone", "ZONE" },
		{ "site", 0, 0, G_OPTION_ARG_STRING, &site, "the site's name", "NAME" },
		{ "site-addr", 0, 0, G_OPTION_ARG_STRING_ARRAY, &site_addrs,
		  "an initial A record of the site; may be repeated", "ADDR" },
		{ "host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &hosts,
		  "a server's own name and address; may be repeated", "NAME=ADDR" },
		{ "ttl", 't', 0, G_OPTION_ARG_STRING, &ttl_s, "the TTL of every record",
		  "SECONDS" },
		{ "key", 'k', 0, G_OPTION_ARG_STRING, &key,
		  "the TSIG key (hmac-sha256) allowed to update the zone", "NAME:SECRET" },
		{ NULL },
	};
	g_autoptr(GArray) sa = g_array_new(FALSE, FALSE, sizeof(guint32));
	g_autoptr(GArray) ha = g_array_new(FALSE, FALSE, sizeof(struct tb_named_host));
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) err = NULL;
	g_auto(GStrv) cmd = NULL;
	g_autofree char *cmdline = NULL;
	struct tb_named cfg = { 0 };
	guint64 ttl;

	if (!parse_options("write-config", "DIR",
			   "Writes named.conf, the zone and the TSIG key of a run's named "
			   "into DIR, deletes the zone's journal, and prints the command "
			   "that starts named.", entries, &argc, &argv))
		return 2;
	if (argc != 2)
		return usage_error("write-config", "expected one DIR, found %d arguments",
				   argc - 1);
	if (!listen || !parse_hostport(listen, 53, &addr, &cfg.port))
		return usage_error("write-config", "--listen: expected ADDR or ADDR:PORT "
				   "([ADDR]:PORT for IPv6), found '%s'", listen ? listen : "");
	cfg.listen_address = addr;
	if (!zone || !site)
		return usage_error("write-config", "no --%s given", zone ? "site" : "zone");
	cfg.zone = zone;
	cfg.site = site;
	if (!ttl_s)
		return usage_error("write-config", "no --ttl given");
	if (!parse_uint(ttl_s, G_MAXINT32, &ttl))
		return usage_error("write-config", "--ttl: expected seconds, 0 to 2147483647, "
				   "found '%s'", ttl_s);
	cfg.ttl = (guint32)ttl;
	if (!key)
		return usage_error("write-config", "no --key given");
	if (!parse_key(key, &key_name, &key_secret))
		return usage_error("write-config", "--key: expected NAME:SECRET, found '%s'",
				   key);
	cfg.key_name = key_name;
	cfg.key_secret = key_secret;
	for (char **s = site_addrs; s && *s; s++) {
		guint32 a;

		if (!parse_ipv4(*s, &a))
			return usage_error("write-config", "--site-addr: '%s' is not an IPv4 "
					   "address", *s);
		g_array_append_val(sa, a);
	}
	for (char **s = hosts; s && *s; s++) {
		const char *eq = strchr(*s, '=');
		struct tb_named_host h;

		if (!eq || eq == *s || !parse_ipv4(eq + 1, &h.addr))
			return usage_error("write-config", "--host: expected NAME=ADDR with an "
					   "IPv4 address, found '%s'", *s);
		h.name = g_strndup(*s, (gsize)(eq - *s));
		g_ptr_array_add(names, (char *)h.name);
		g_array_append_val(ha, h);
	}
	cfg.site_addrs = (const guint32 *)(void *)sa->data;
	cfg.n_site_addrs = sa->len;
	cfg.hosts = (const struct tb_named_host *)(void *)ha->data;
	cfg.n_hosts = ha->len;
	if (!tb_named_write_config(&cfg, argv[1], &err)) {
		fprintf(stderr, "fc-dns write-config: %s\n", err->message);
		return 2;
	}
	cmd = tb_named_argv(&cfg, argv[1]);
	cmdline = g_strjoinv(" ", cmd);
	printf("%s\n", cmdline);
	return 0;
}

static int
cmd_keygen(int argc, char **argv)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *secret = NULL;
	GOptionEntry entries[] = { { NULL } };

	if (!parse_options("keygen", "", "Prints a new TSIG secret (32 random bytes, base64).",
			   entries, &argc, &argv))
		return 2;
	if (argc != 1)
		return usage_error("keygen", "unexpected argument '%s'", argv[1]);
	secret = tb_dns_secret_new(&err);
	if (!secret)
		return fail("keygen", err);
	printf("%s\n", secret);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} cmds[] = {
		{ "update", cmd_update },
		{ "query", cmd_query },
		{ "write-config", cmd_write_config },
		{ "keygen", cmd_keygen },
	};

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: fc-dns update|query|write-config|keygen [OPTION...]\n"
		       "The testbed's DNS: signed dynamic updates and queries of the run's\n"
		       "BIND, and its configuration.  fc-dns COMMAND --help for each.\n");
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "fc-dns: no command given (update, query, write-config or "
			"keygen)\n");
		return 2;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(cmds); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "fc-dns: unknown command '%s' (update, query, write-config or "
		"keygen)\n", argv[1]);
	return 2;
}
