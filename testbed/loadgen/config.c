/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/loadgen/config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "sim/keyfile.h"

#define GROUP "loadgen"

void
lg_config_init(struct lg_config *c)
{
	*c = (struct lg_config){
		.cache = LG_CACHE_SHARED,
		.rotate = TRUE,
		.port = 80,
		.max_redirects = 5,
		/* Linux gives up on a connection after 6 SYN retries, 127 s. */
		.connect_timeout = 127 * FC_SEC,
		.dns_timeout = 2 * FC_SEC,
		.dns_tries = 3,
		.parallel = 4,
		.max_connections = 8192,
		.user_agent = g_strdup("fc-loadgen"),
	};
}

void
lg_config_clear(struct lg_config *c)
{
	g_free(c->dns_server);
	g_free(c->user_agent);
	g_free(c->source_address);
	g_free(c->results);
	g_free(c->requests);
	memset(c, 0, sizeof *c);
}

static gboolean
ipv4_ok(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

/* "IPv4:port" with a port in 1..65535. */
static gboolean
server_ok(const char *s)
{
	const char *colon = strrchr(s, ':');
	g_autofree char *host = NULL;
	guint64 port;

	if (!colon)
		return FALSE;
	host = g_strndup(s, (gsize)(colon - s));
	return ipv4_ok(host) &&
	       g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL);
}

static gboolean
uint_in(const char *v, guint64 lo, guint64 hi, guint64 *out)
{
	return g_ascii_string_to_unsigned(v, 10, lo, hi, out, NULL);
}

static gboolean
set_key(struct lg_config *c, const char *path, const struct keyfile_entry *e, GError **err)
{
	const char *k = e->key, *v = e->value;
	guint64 x;

#define BADVAL(what) \
	keyfile_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, path, e->line, \
		      "[" GROUP "] %s = '%s': %s", k, v, what)
	if (strcmp(k, "dns_server") == 0) {
		if (!server_ok(v))
			return BADVAL("not IPv4:port");
		g_free(c->dns_server);
		c->dns_server = g_strdup(v);
	} else if (strcmp(k, "resolver_cache") == 0) {
		if (strcmp(v, "shared") == 0)
			c->cache = LG_CACHE_SHARED;
		else if (strcmp(v, "none") == 0)
			c->cache = LG_CACHE_NONE;
		else
			return BADVAL("not shared or none");
	} else if (strcmp(k, "rotate") == 0) {
		if (strcmp(v, "true") == 0)
			c->rotate = TRUE;
		else if (strcmp(v, "false") == 0)
			c->rotate = FALSE;
		else
			return BADVAL("not true or false");
	} else if (strcmp(k, "port") == 0) {
		if (!uint_in(v, 1, 65535, &x))
			return BADVAL("not a port (1 to 65535)");
		c->port = (guint)x;
	} else if (strcmp(k, "max_redirects") == 0) {
		if (!uint_in(v, 0, 100, &x))
			return BADVAL("not an integer from 0 to 100");
		c->max_redirects = (guint)x;
	} else if (strcmp(k, "connect_timeout_ms") == 0) {
		if (!uint_in(v, 1, 3600000, &x))
			return BADVAL("not an integer from 1 to 3600000");
		c->connect_timeout = x * FC_MSEC;
	} else if (strcmp(k, "dns_timeout_ms") == 0) {
		if (!uint_in(v, 1, 600000, &x))
			return BADVAL("not an integer from 1 to 600000");
		c->dns_timeout = x * FC_MSEC;
	} else if (strcmp(k, "dns_tries") == 0) {
		if (!uint_in(v, 1, 20, &x))
			return BADVAL("not an integer from 1 to 20");
		c->dns_tries = (guint)x;
	} else if (strcmp(k, "parallel") == 0) {
		if (!uint_in(v, 1, 256, &x))
			return BADVAL("not an integer from 1 to 256");
		c->parallel = (guint)x;
	} else if (strcmp(k, "max_connections") == 0) {
		if (!uint_in(v, 1, 1000000, &x))
			return BADVAL("not an integer from 1 to 1000000");
		c->max_connections = (guint)x;
	} else if (strcmp(k, "user_agent") == 0) {
		if (!*v || strpbrk(v, "\r\n"))
			return BADVAL("empty or more than one line");
		g_free(c->user_agent);
		c->user_agent = g_strdup(v);
	} else if (strcmp(k, "source_address") == 0) {
		if (!ipv4_ok(v))
			return BADVAL("not an IPv4 address");
		g_free(c->source_address);
		c->source_address = g_strdup(v);
	} else if (strcmp(k, "results") == 0 || strcmp(k, "requests") == 0) {
		char **dst = k[2] == 's' ? &c->results : &c->requests;

		if (!*v)
			return BADVAL("empty");
		g_free(*dst);
		*dst = g_strdup(v);
	} else if (strcmp(k, "start_ns") == 0) {
		if (!uint_in(v, 1, G_MAXUINT64 - 1, &x))
			return BADVAL("not a CLOCK_REALTIME instant in nanoseconds");
		c->has_start = TRUE;
		c->start = x;
	} else {
		return keyfile_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, path, e->line,
				     "unknown key '%s' in [" GROUP "]", k);
	}
#undef BADVAL
	return TRUE;
}

gboolean
lg_config_load(struct lg_config *c, const char *path, GError **err)
{
	static const struct keyfile_codes codes = {
		.io = G_FILE_ERROR_FAILED, .syntax = G_FILE_ERROR_INVAL,
		.duplicate = G_FILE_ERROR_INVAL,
	};
	struct keyfile_codes cd = codes;
	g_autoptr(GPtrArray) entries = NULL;

	cd.domain = G_FILE_ERROR;
	lg_config_init(c);
	entries = keyfile_read(path, &cd, NULL, err);
	if (!entries)
		return FALSE;
	for (guint i = 0; i < entries->len; i++) {
		const struct keyfile_entry *e = entries->pdata[i];

		if (strcmp(e->group, GROUP) != 0)
			return keyfile_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, path,
					     e->line, "unknown group [%s] (only [" GROUP "])",
					     e->group);
		if (e->key && !set_key(c, path, e, err))
			return FALSE;
	}
	if (!c->dns_server)
		return keyfile_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, path, 0,
				     "[" GROUP "] dns_server is missing");
	return TRUE;
}
