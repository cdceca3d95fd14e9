/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/bt/tracker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <curl/curl.h>
#include <glib/gstdio.h>

#include "testbed/bt/bencode.h"

G_DEFINE_QUARK(tb-tracker-error-quark, tb_tracker_error)

/* The largest tracker answer read. */
#define ANSWER_MAX (1u << 20)

static gboolean
file_error(GError **error, const char *path, const char *what)
{
	int e = errno;

	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "tracker: %s: %s: %s", path,
		    what, g_strerror(e));
	return FALSE;
}

gboolean
tb_tracker_write_whitelist(const char *dir, const guint8 (*hashes)[TB_INFO_HASH_LEN], gsize n,
			   GError **error)
{
	g_autofree char *path = g_build_filename(dir, TB_TRACKER_WHITELIST, NULL);
	g_autoptr(GString) text = g_string_new(NULL);
	char hex[2 * TB_INFO_HASH_LEN + 1];

	for (gsize i = 0; i < n; i++) {
		tb_info_hash_hex(hashes[i], hex);
		g_string_append_printf(text, "%s\n", hex);
	}
	/* Mode 0644 whatever the umask: a root opentracker reads it as
	 * TB_TRACKER_USER. */
	if (!g_file_set_contents_full(path, text->str, (gssize)text->len,
				      G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
		return FALSE;
	if (g_chmod(path, 0644) != 0)
		return file_error(error, path, "cannot make it readable");
	return TRUE;
}

gboolean
tb_tracker_write_config(const char *dir, const char *address, guint16 port,
			const guint8 (*hashes)[TB_INFO_HASH_LEN], gsize n, GError **error)
{
	g_autofree char *path = g_build_filename(dir, TB_TRACKER_CONFIG, NULL);
	g_autofree char *text = NULL;
	g_autofree char *root = g_canonicalize_filename(dir, NULL);
	struct in_addr a;

	if (!address || inet_pton(AF_INET, address, &a) != 1) {
		g_set_error(error, TB_TRACKER_ERROR, TB_TRACKER_ERROR_ARGS,
			    "tracker: listen address \"%s\" is not an IPv4 address",
			    address ? address : "");
		return FALSE;
	}
	if (port == 0) {
		g_set_error(error, TB_TRACKER_ERROR, TB_TRACKER_ERROR_ARGS,
			    "tracker: listen port 0");
		return FALSE;
	}
	if (strpbrk(root, "\n\r")) {
		g_set_error(error, TB_TRACKER_ERROR, TB_TRACKER_ERROR_ARGS,
			    "tracker: directory name with a line break");
		return FALSE;
	}
	if (g_mkdir_with_parents(dir, 0755) != 0)
		return file_error(error, dir, "cannot make the directory");
	if (g_chmod(dir, 0755) != 0)
		return file_error(error, dir, "cannot make it searchable");
	if (!tb_tracker_write_whitelist(dir, hashes, n, error))
		return FALSE;
	/* Relative names: opentracker reads the whitelist after it changed
	 * (or chrooted) into tracker.rootdir. */
	text = g_strdup_printf("# opentracker for one testbed run (testbed/bt/tracker.h)\n"
			       "listen.tcp_udp %s:%u\n"
			       "tracker.rootdir %s\n"
			       "tracker.user %s\n"
			       "access.whitelist %s\n",
			       address, port, root, TB_TRACKER_USER, TB_TRACKER_WHITELIST);
	return g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
					error);
}

char *
tb_tracker_announce_url(const char *address, guint16 port)
{
	return g_strdup_printf("http://%s:%u/announce", address, port);
}

void
tb_announce_free(struct tb_announce *a)
{
	if (!a)
		return;
	if (a->peers)
		g_array_unref(a->peers);
	g_free(a);
}

static gboolean
answer_error(GError **error, const char *what)
{
	g_set_error(error, TB_TRACKER_ERROR, TB_TRACKER_ERROR_ANSWER, "tracker answer: %s", what);
	return FALSE;
}

static gboolean
parse_peers(struct tb_announce *a, const struct tb_benc *peers, GError **error)
{
	if (peers->type == TB_BENC_STR) {
		if (peers->len % 6 != 0)
			return answer_error(error, "compact peers not a multiple of 6 bytes");
		for (gsize i = 0; i < peers->len; i += 6) {
			const guint8 *p = (const guint8 *)peers->s + i;
			struct tb_peer peer = { .port = (guint16)(p[4] << 8 | p[5]) };

			g_snprintf(peer.address, sizeof peer.address, "%u.%u.%u.%u", p[0], p[1],
				   p[2], p[3]);
			g_array_append_val(a->peers, peer);
		}
		return TRUE;
	}
	if (peers->type != TB_BENC_LIST)
		return answer_error(error, "\"peers\" is neither a string nor a list");
	for (guint i = 0; i < tb_benc_count(peers); i++) {
		const struct tb_benc *d = tb_benc_list_item(peers, i);
		const struct tb_benc *ip;
		struct tb_peer peer = { 0 };
		struct in_addr in;
		gint64 port;

		if (!tb_benc_dict_str(d, "ip", "tracker answer: a peer", &ip, error) ||
		    !tb_benc_dict_int(d, "port", "tracker answer: a peer", &port, error))
			return FALSE;
		if (ip->len >= sizeof peer.address || inet_pton(AF_INET, ip->s, &in) != 1 ||
		    port < 1 || port > 65535)
			return answer_error(error, "a peer's address or port is not one");
		memcpy(peer.address, ip->s, ip->len + 1);
		peer.port = (guint16)port;
		g_array_append_val(a->peers, peer);
	}
	return TRUE;
}

struct tb_announce *
tb_announce_parse(const void *data, gsize len, GError **error)
{
	struct tb_benc *top = tb_benc_parse(data, len, error);
	const struct tb_benc *reason, *peers, *x;
	struct tb_announce *a;

	if (!top)
		return NULL;
	if (top->type != TB_BENC_DICT) {
		tb_benc_free(top);
		answer_error(error, "not a dictionary");
		return NULL;
	}
	reason = tb_benc_dict_get(top, "failure reason");
	if (reason) {
		if (reason->type == TB_BENC_STR && g_utf8_validate(reason->s, (gssize)reason->len,
								   NULL)) {
			/* One line: control characters escaped, UTF-8 kept. */
			char high[129];
			for (int i = 0; i < 128; i++)
				high[i] = (char)(0x80 + i);
			high[128] = '\0';
			g_autofree char *text = g_strescape(reason->s, high);
			g_set_error(error, TB_TRACKER_ERROR, TB_TRACKER_ERROR_REFUSED,
				    "tracker refused: %s", text);
		} else
			answer_error(error, "a failure reason that is no text");
		tb_benc_free(top);
		return NULL;
	}
	a = g_new0(struct tb_announce, 1);
	a->peers = g_array_new(FALSE, TRUE, sizeof(struct tb_peer));
	a->complete = a->incomplete = -1;
	if (!tb_benc_dict_int(top, "interval", "tracker answer", &a->interval, error))
		goto error;
	if ((x = tb_benc_dict_get(top, "complete")) && x->type == TB_BENC_INT)
		a->complete = x->i;
	if ((x = tb_benc_dict_get(top, "incomplete")) && x->type == TB_BENC_INT)
		a->incomplete = x->i;
	peers = tb_benc_dict_get(top, "peers");
	if (!peers) {
		answer_error(error, "no \"peers\"");
		goto error;
	}
	if (!parse_peers(a, peers, error))
		goto error;
	tb_benc_free(top);
	return a;
error:
	tb_benc_free(top);
	tb_announce_free(a);
	return NULL;
}

static size_t
collect(char *data, size_t size, size_t nmemb, void *user)
{
	GString *buf = user;
	size_t n = size * nmemb;

	if (buf->len + n > ANSWER_MAX)
		return 0; /* curl fails the transfer */
	g_string_append_len(buf, data, (gssize)n);
	return n;
}

struct tb_announce *
tb_tracker_announce(const char *url, const guint8 hash[TB_INFO_HASH_LEN], const char *peer_id,
		    guint16 port, guint timeout_ms, GError **error)
{
	g_autoptr(GString) body = g_string_new(NULL);
	g_autoptr(GString) full = g_string_new(url);
	char id[21];
	char *escaped;
	CURL *curl;
	CURLcode rc;
	long status = 0;

	if (!g_str_has_prefix(url, "http://")) {
		g_set_error(error, TB_TRACKER_ERROR, TB_TRACKER_ERROR_ARGS,
			    "tracker: announce URL %s is not http://", url);
		return NULL;
	}
	memset(id, '-', 20);
	memcpy(id, peer_id, MIN(strlen(peer_id), (gsize)20));
	id[20] = '\0';
	curl = curl_easy_init();
	if (!curl) {
		g_set_error(error, TB_TRACKER_ERROR, TB_TRACKER_ERROR_TRANSPORT,
			    "tracker: cannot start libcurl");
		return NULL;
	}
	g_string_append_c(full, strchr(url, '?') ? '&' : '?');
	escaped = curl_easy_escape(curl, (const char *)hash, TB_INFO_HASH_LEN);
	g_string_append_printf(full, "info_hash=%s", escaped);
	curl_free(escaped);
	escaped = curl_easy_escape(curl, id, 20);
	g_string_append_printf(full,
			       "&peer_id=%s&port=%u&uploaded=0&downloaded=0&left=0"
			       "&compact=1&event=started",
			       escaped, port);
	curl_free(escaped);
	curl_easy_setopt(curl, CURLOPT_URL, full->str);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK) {
		g_set_error(error, TB_TRACKER_ERROR, TB_TRACKER_ERROR_TRANSPORT, "tracker %s: %s",
			    url, curl_easy_strerror(rc));
		return NULL;
	}
	/* A failure reason may come with an HTTP error status. */
	if (status != 200 && body->len == 0) {
		g_set_error(error, TB_TRACKER_ERROR, TB_TRACKER_ERROR_TRANSPORT,
			    "tracker %s: HTTP status %ld", url, status);
		return NULL;
	}
	return tb_announce_parse(body->str, body->len, error);
}
