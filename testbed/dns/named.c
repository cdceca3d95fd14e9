/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/dns/named.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <string.h>

#include "testbed/dns/dnsupdate.h"

/* dir as an absolute path that named.conf can quote; NULL with error. */
static char *
named_dir(const char *dir, GError **error)
{
	g_autofree char *abs = NULL;

	if (!dir || !*dir) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL, "named: no directory given");
		return NULL;
	}
	abs = g_canonicalize_filename(dir, NULL);
	for (const char *c = abs; *c; c++) {
		if (*c == '"' || *c == '\\' || g_ascii_iscntrl(*c)) {
			g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
				    "named directory '%s': named.conf cannot name a path with "
				    "a quote, backslash or control character", dir);
			return NULL;
		}
	}
	return g_steal_pointer(&abs);
}

/* name, normalized, if it lies in zone (normalized); NULL with error. */
static char *
name_in_zone(const char *name, const char *zone, const char *what, GError **error)
{
	g_autofree char *n = tb_dns_name_normalize(name, what, error);
	gsize nl, zl = strlen(zone);

	if (!n)
		return NULL;
	nl = strlen(n);
	if (strcmp(n, zone) != 0 &&
	    !(nl > zl && strcmp(n + nl - zl, zone) == 0 && n[nl - zl - 1] == '.')) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL, "%s %s is not in zone %s",
			    what, n, zone);
		return NULL;
	}
	return g_steal_pointer(&n);
}

static void
append_a(GString *z, const char *name, guint32 ttl, guint32 addr)
{
	char a[INET_ADDRSTRLEN];
	guint32 be = htonl(addr);

	inet_ntop(AF_INET, &be, a, sizeof a);
	g_string_append_printf(z, "%s\t%" G_GUINT32_FORMAT "\tIN\tA\t%s\n", name, ttl, a);
}

static gboolean
write_file(const char *dir, const char *file, const char *text, int mode, GError **error)
{
	g_autofree char *path = g_build_filename(dir, file, NULL);

	return g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode,
					error);
}

gboolean
tb_named_write_config(const struct tb_named *cfg, const char *dir, GError **error)
{
	g_autofree char *d = NULL, *zone = NULL, *site = NULL, *key = NULL, *ns = NULL,
		*journal = NULL;
	g_autoptr(GString) conf = g_string_new(NULL);
	g_autoptr(GString) z = g_string_new(NULL);
	g_autoptr(GString) k = g_string_new(NULL);
	struct in6_addr a6;
	struct in_addr a4;
	gboolean v6;

	d = named_dir(dir, error);
	if (!d)
		return FALSE;
	if (cfg->listen_address && inet_pton(AF_INET, cfg->listen_address, &a4) == 1) {
		v6 = FALSE;
	} else if (cfg->listen_address && inet_pton(AF_INET6, cfg->listen_address, &a6) == 1) {
		v6 = TRUE;
	} else {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
			    "named listen address '%s': not a numeric IPv4 or IPv6 address",
			    cfg->listen_address ? cfg->listen_address : "");
		return FALSE;
	}
	if (cfg->port == 0) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL, "named port: 0");
		return FALSE;
	}
	if (cfg->ttl > G_MAXINT32) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
			    "TTL %" G_GUINT32_FORMAT " beyond the 2147483647 s a TTL may be",
			    cfg->ttl);
		return FALSE;
	}
	zone = tb_dns_name_normalize(cfg->zone, "zone", error);
	if (!zone)
		return FALSE;
	site = name_in_zone(cfg->site, zone, "site name", error);
	if (!site)
		return FALSE;
	key = tb_dns_name_normalize(cfg->key_name, "TSIG key name", error);
	if (!key || !tb_dns_secret_check(cfg->key_secret, error))
		return FALSE;
	ns = g_strconcat("ns.", zone, NULL);

	/* The zone: every name absolute, so $ORIGIN plays no part. */
	g_string_append_printf(z,
		"; The zone of one testbed run, written by tb_named_write_config().\n"
		"$TTL %" G_GUINT32_FORMAT "\n"
		"%s\tIN\tSOA\t%s hostmaster.%s 1 3600 600 86400 %" G_GUINT32_FORMAT "\n"
		"%s\tIN\tNS\t%s\n"
		"%s\tIN\t%s\t%s\n",
		cfg->ttl, zone, ns, zone, cfg->ttl, zone, ns, ns, v6 ? "AAAA" : "A",
		cfg->listen_address);
	for (gsize i = 0; i < cfg->n_site_addrs; i++)
		append_a(z, site, cfg->ttl, cfg->site_addrs[i]);
	for (gsize i = 0; i < cfg->n_hosts; i++) {
		g_autofree char *h = name_in_zone(cfg->hosts[i].name, zone, "server name", error);

		if (!h)
			return FALSE;
		append_a(z, h, cfg->ttl, cfg->hosts[i].addr);
	}

	g_string_append_printf(k, "key \"%s\" {\n\talgorithm hmac-sha256;\n\tsecret \"%s\";\n};\n",
			       key, cfg->key_secret);

	g_string_append_printf(conf,
		"// named for one testbed run, written by tb_named_write_config().\n"
		"// Start: named -f -n 1 %s -c %s/" TB_NAMED_CONF "\n"
		"include \"%s/" TB_NAMED_KEY "\";\n"
		"\n"
		"options {\n"
		"\tdirectory \"%s\";\n"
		"\tpid-file \"%s/" TB_NAMED_PID "\";\n"
		"\tlock-file \"%s/named.lock\";\n"
		"\tsession-keyfile \"%s/session.key\";\n"
		"\tmanaged-keys-directory \"%s\";\n"
		"\tbindkeys-file \"%s/bind.keys\";\n"
		"\tdump-file \"%s/named_dump.db\";\n"
		"\tstatistics-file \"%s/named.stats\";\n"
		"\tmemstatistics-file \"%s/named.memstats\";\n"
		"\trecursing-file \"%s/named.recursing\";\n"
		"\tsecroots-file \"%s/named.secroots\";\n"
		"\tgeoip-directory none;\n"
		"\tlisten-on port %u { %s; };\n"
		"\tlisten-on-v6 port %u { %s; };\n"
		"\trecursion no;\n"
		"\tallow-query { any; };\n"
		"\tallow-transfer { none; };\n"
		"\tnotify no;\n"
		"\tdnssec-validation no;\n"
		"};\n"
		"\n"
		"// No control channel: named is stopped by its PID.\n"
		"controls { };\n"
		"\n"
		"logging {\n"
		"\tchannel run_log {\n"
		"\t\tfile \"%s/" TB_NAMED_LOG "\";\n"
		"\t\tseverity info;\n"
		"\t\tprint-time yes;\n"
		"\t\tprint-category yes;\n"
		"\t\tprint-severity yes;\n"
		"\t};\n"
		"\tcategory default { run_log; };\n"
		"\tcategory update { run_log; };\n"
		"\tcategory update-security { run_log; };\n"
		"\tcategory security { run_log; };\n"
		"};\n"
		"\n"
		"zone \"%s\" {\n"
		"\ttype primary;\n"
		"\tfile \"%s/" TB_NAMED_ZONE "\";\n"
		"\tjournal \"%s/" TB_NAMED_JOURNAL "\";\n"
		"\tallow-update { key \"%s\"; };\n"
		"};\n",
		v6 ? "-6" : "-4", d, d, d, d, d, d, d, d, d, d, d, d, d,
		(unsigned)cfg->port, v6 ? "none" : cfg->listen_address,
		(unsigned)cfg->port, v6 ? cfg->listen_address : "none",
		d, zone, d, d, key);

	if (g_mkdir_with_parents(d, 0755) < 0) {
		int e = errno;

		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s", d,
			    g_strerror(e));
		return FALSE;
	}
	journal = g_build_filename(d, TB_NAMED_JOURNAL, NULL);
	if (g_unlink(journal) < 0 && errno != ENOENT) {
		int e = errno;

		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
			    "%s: cannot delete the old journal: %s", journal, g_strerror(e));
		return FALSE;
	}
	return write_file(d, TB_NAMED_KEY, k->str, 0600, error) &&
	       write_file(d, TB_NAMED_ZONE, z->str, 0644, error) &&
	       write_file(d, TB_NAMED_CONF, conf->str, 0644, error);
}

char **
tb_named_argv(const struct tb_named *cfg, const char *dir)
{
	g_autofree char *abs = g_canonicalize_filename(dir, NULL);
	struct in6_addr a6;
	gboolean v6 = cfg->listen_address &&
		      inet_pton(AF_INET6, cfg->listen_address, &a6) == 1;
	GPtrArray *a = g_ptr_array_new();

	g_ptr_array_add(a, g_strdup("named"));
	g_ptr_array_add(a, g_strdup("-f"));
	g_ptr_array_add(a, g_strdup("-n"));
	g_ptr_array_add(a, g_strdup("1"));
	g_ptr_array_add(a, g_strdup(v6 ? "-6" : "-4"));
	g_ptr_array_add(a, g_strdup("-c"));
	g_ptr_array_add(a, g_build_filename(abs, TB_NAMED_CONF, NULL));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}
