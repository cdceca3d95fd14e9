/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/loadgen/location.h"

#include <arpa/inet.h>
#include <string.h>

#include <curl/curl.h>

void
lg_url_clear(struct lg_url *u)
{
	g_free(u->url);
	g_free(u->host);
	g_free(u->target);
	memset(u, 0, sizeof *u);
}

void
lg_url_copy(struct lg_url *dst, const struct lg_url *src)
{
	lg_url_clear(dst);
	*dst = *src;
	dst->url = g_strdup(src->url);
	dst->host = g_strdup(src->host);
	dst->target = g_strdup(src->target);
}

static gboolean
fail(GError **err, const char *what, const char *url)
{
	g_set_error(err, G_URI_ERROR, G_URI_ERROR_FAILED, "%s: '%s'", what, url);
	return FALSE;
}

/* Takes apart the URL h holds into u (cleared first); shown names it in
 * messages. */
static gboolean
from_curlu(CURLU *h, const char *shown, struct lg_url *u, GError **err)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL,
	     *url = NULL;
	gboolean ok = FALSE;
	struct in_addr a;
	guint64 p;

	lg_url_clear(u);
	if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    g_ascii_strcasecmp(scheme, "http") != 0) {
		fail(err, "not an http URL", shown);
		goto out;
	}
	if (curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
		fail(err, "no host in the URL", shown);
		goto out;
	}
	if (host[0] == '[') {
		fail(err, "an IPv6 address, which the testbed does not use", shown);
		goto out;
	}
	if (curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
	    !g_ascii_string_to_unsigned(port, 10, 1, 65535, &p, NULL)) {
		fail(err, "a bad port in the URL", shown);
		goto out;
	}
	if (curl_url_get(h, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		fail(err, "a bad path in the URL", shown);
		goto out;
	}
	if (curl_url_get(h, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
		query = NULL;
	u->host = g_ascii_strdown(host, -1);
	u->port = (guint)p;
	u->target = g_strconcat(path, query ? "?" : "", query ? query : "", NULL);
	u->literal = inet_pton(AF_INET, u->host, &a) == 1;
	u->addr = u->literal ? a.s_addr : 0;
	u->url = u->port == 80 ? g_strdup_printf("http://%s%s", u->host, u->target) :
		 g_strdup_printf("http://%s:%u%s", u->host, u->port, u->target);
	ok = TRUE;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_free(url);
	return ok;
}

gboolean
lg_url_make(struct lg_url *u, const char *host, guint port, const char *target, GError **err)
{
	g_autofree char *s = g_strdup_printf("http://%s:%u%s", host, port, target);
	CURLU *h = curl_url();
	gboolean ok;

	if (curl_url_set(h, CURLUPART_URL, s, 0) != CURLUE_OK) {
		curl_url_cleanup(h);
		lg_url_clear(u);
		return fail(err, "not a valid URL", s);
	}
	ok = from_curlu(h, s, u, err);
	curl_url_cleanup(h);
	return ok;
}

gboolean
lg_redirect_status(long status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 ||
	       status == 308;
}

gboolean
lg_redirect_follow(struct lg_url *cur, guint *count, guint max, const char *location,
		   GError **err)
{
	struct lg_url next = { 0 };
	CURLU *h;
	gboolean ok;

	if (!location || !*location) {
		g_set_error(err, G_URI_ERROR, G_URI_ERROR_FAILED,
			    "a redirect without a Location from %s", cur->url);
		return FALSE;
	}
	if (*count >= max) {
		g_set_error(err, G_URI_ERROR, G_URI_ERROR_FAILED,
			    "more than %u redirects (the last from %s)", max, cur->url);
		return FALSE;
	}
	/* A relative reference is resolved against the URL asked. */
	h = curl_url();
	if (curl_url_set(h, CURLUPART_URL, cur->url, 0) != CURLUE_OK ||
	    curl_url_set(h, CURLUPART_URL, location, 0) != CURLUE_OK) {
		curl_url_cleanup(h);
		return fail(err, "not a valid Location", location);
	}
	ok = from_curlu(h, location, &next, err);
	curl_url_cleanup(h);
	if (!ok)
		return FALSE;
	lg_url_clear(cur);
	*cur = next;
	(*count)++;
	return TRUE;
}
