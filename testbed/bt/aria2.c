/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/bt/aria2.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <curl/curl.h>
#include <glib/gstdio.h>

G_DEFINE_QUARK(tb-aria2-error-quark, tb_aria2_error)

/* The largest answer read from aria2. */
#define ANSWER_MAX (64u << 20)
/* How often a removal is polled. */
#define REMOVE_POLL_US 20000

/* ---- The daemon's command line ---- */

char **
tb_aria2_argv(const struct tb_aria2_daemon *d)
{
	GPtrArray *a = g_ptr_array_new();

	g_assert(d->rpc_port != 0 && d->bt_port != 0 && d->secret && *d->secret && d->dir);
	g_ptr_array_add(a, g_strdup(d->program ? d->program : "aria2c"));
	g_ptr_array_add(a, g_strdup("--no-conf"));
	g_ptr_array_add(a, g_strdup("--daemon=false"));
	g_ptr_array_add(a, g_strdup("--enable-rpc=true"));
	g_ptr_array_add(a, g_strdup("--rpc-listen-all=false"));
	g_ptr_array_add(a, g_strdup_printf("--rpc-listen-port=%u", d->rpc_port));
	g_ptr_array_add(a, g_strdup_printf("--rpc-secret=%s", d->secret));
	g_ptr_array_add(a, g_strdup("--rpc-save-upload-metadata=false"));
	g_ptr_array_add(a, g_strdup("--rpc-max-request-size=64M"));
	g_ptr_array_add(a, g_strdup_printf("--dir=%s", d->dir));
	/* The tracker is the only source of peers. */
	g_ptr_array_add(a, g_strdup("--enable-dht=false"));
	g_ptr_array_add(a, g_strdup("--enable-dht6=false"));
	g_ptr_array_add(a, g_strdup("--bt-enable-lpd=false"));
	g_ptr_array_add(a, g_strdup("--enable-peer-exchange=false"));
	g_ptr_array_add(a, g_strdup_printf("--listen-port=%u", d->bt_port));
	if (d->external_ip)
		g_ptr_array_add(a, g_strdup_printf("--bt-external-ip=%s", d->external_ip));
	if (d->tracker_interval)
		g_ptr_array_add(a, g_strdup_printf("--bt-tracker-interval=%u",
						   d->tracker_interval));
	g_ptr_array_add(a, g_strdup("--bt-tracker-connect-timeout=5"));
	g_ptr_array_add(a, g_strdup("--bt-tracker-timeout=10"));
	/* Seed forever: a ratio of 0 and no seed time. */
	g_ptr_array_add(a, g_strdup("--seed-ratio=0.0"));
	g_ptr_array_add(a, g_strdup("--bt-detach-seed-only=true"));
	g_ptr_array_add(a, g_strdup_printf("--max-concurrent-downloads=%u",
					   d->max_downloads ? d->max_downloads : 1000));
	/* A server adding a torrent of files it holds seeds them. */
	g_ptr_array_add(a, g_strdup("--check-integrity=true"));
	g_ptr_array_add(a, g_strdup("--bt-save-metadata=false"));
	g_ptr_array_add(a, g_strdup("--file-allocation=none"));
	g_ptr_array_add(a, g_strdup("--disable-ipv6=true"));
	g_ptr_array_add(a, g_strdup("--summary-interval=0"));
	g_ptr_array_add(a, g_strdup("--show-console-readout=false"));
	g_ptr_array_add(a, g_strdup("--enable-color=false"));
	g_ptr_array_add(a, g_strdup("--console-log-level=warn"));
	if (d->log_path) {
		g_ptr_array_add(a, g_strdup_printf("--log=%s", d->log_path));
		g_ptr_array_add(a, g_strdup("--log-level=info"));
	}
	if (d->stop_with > 0)
		g_ptr_array_add(a, g_strdup_printf("--stop-with-process=%ld", (long)d->stop_with));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

/* ---- Requests and answers ---- */

char *
tb_aria2_request(guint64 id, const char *method, const char *secret, JsonArray *params)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *ids = g_strdup_printf("%" G_GUINT64_FORMAT, id);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "jsonrpc");
	json_builder_add_string_value(b, "2.0");
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, ids);
	json_builder_set_member_name(b, "method");
	json_builder_add_string_value(b, method);
	json_builder_set_member_name(b, "params");
	json_builder_begin_array(b);
	if (secret) {
		g_autofree char *token = g_strconcat("token:", secret, NULL);

		json_builder_add_string_value(b, token);
	}
	for (guint i = 0; params && i < json_array_get_length(params); i++)
		json_builder_add_value(b, json_node_copy(json_array_get_element(params, i)));
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

static gboolean
args_error(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
args_error(GError **error, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_ARGS, msg);
	return FALSE;
}

JsonArray *
tb_aria2_add_torrent_params(GBytes *torrent, const char *dir, const guint *select,
			    gsize nselect, const char *const *options, GError **error)
{
	g_autoptr(JsonObject) opts = json_object_new();
	g_autoptr(JsonArray) params = json_array_new();
	g_autofree char *b64 = NULL;
	gsize len;
	const guint8 *data = g_bytes_get_data(torrent, &len);

	if (dir)
		json_object_set_string_member(opts, "dir", dir);
	if (nselect > 0) {
		g_autoptr(GString) list = g_string_new(NULL);

		for (gsize i = 0; i < nselect; i++) {
			if (select[i] == 0) {
				args_error(error, "aria2: file index 0 (files are numbered from 1)");
				return NULL;
			}
			g_string_append_printf(list, "%s%u", i ? "," : "", select[i]);
		}
		json_object_set_string_member(opts, "select-file", list->str);
	}
	for (gsize i = 0; options && options[i]; i += 2) {
		if (!*options[i] || !options[i + 1]) {
			args_error(error, "aria2: option \"%s\" without a name or a value",
				   options[i]);
			return NULL;
		}
		if (json_object_has_member(opts, options[i])) {
			args_error(error, "aria2: option \"%s\" given twice", options[i]);
			return NULL;
		}
		json_object_set_string_member(opts, options[i], options[i + 1]);
	}
	b64 = g_base64_encode(data, len);
	json_array_add_string_element(params, b64);
	json_array_add_array_element(params, json_array_new()); /* no web seeds */
	json_array_add_object_element(params, json_object_ref(opts));
	return json_array_ref(params);
}

static gboolean
protocol_error(GError **error, const char *what)
{
	g_set_error(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_PROTOCOL, "%s", what);
	return FALSE;
}

JsonNode *
tb_aria2_result(const char *body, gsize len, guint64 id, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) local = NULL;
	g_autofree char *ids = g_strdup_printf("%" G_GUINT64_FORMAT, id);
	JsonNode *root, *idn, *result;
	JsonObject *o, *err;

	if (len == 0) {
		protocol_error(error, "empty answer");
		return NULL;
	}
	if (len > G_MAXSSIZE || !json_parser_load_from_data(parser, body, (gssize)len, &local)) {
		g_set_error(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_PROTOCOL,
			    "answer is not JSON: %s", local ? local->message : "too long");
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		protocol_error(error, "answer is not a JSON object");
		return NULL;
	}
	o = json_node_get_object(root);
	idn = json_object_get_member(o, "id");
	if (!idn || !JSON_NODE_HOLDS_VALUE(idn) ||
	    json_node_get_value_type(idn) != G_TYPE_STRING ||
	    strcmp(json_node_get_string(idn), ids) != 0) {
		protocol_error(error, "answer to another request (its id differs)");
		return NULL;
	}
	if (json_object_has_member(o, "error")) {
		JsonNode *en = json_object_get_member(o, "error");
		JsonNode *msg;

		if (!JSON_NODE_HOLDS_OBJECT(en)) {
			protocol_error(error, "\"error\" is not an object");
			return NULL;
		}
		err = json_node_get_object(en);
		msg = json_object_get_member(err, "message");
		if (!msg || !JSON_NODE_HOLDS_VALUE(msg) ||
		    json_node_get_value_type(msg) != G_TYPE_STRING) {
			protocol_error(error, "an error without a message");
			return NULL;
		}
		g_set_error_literal(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_RPC,
				    json_node_get_string(msg));
		return NULL;
	}
	result = json_object_get_member(o, "result");
	if (!result) {
		protocol_error(error, "answer without a result or an error");
		return NULL;
	}
	return json_node_copy(result);
}

/* A member that aria2 sends as a string; NULL when it is absent or not a
 * string. */
static const char *
str_member(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

static gboolean
need_str(JsonObject *o, const char *name, const char **out, GError **error)
{
	*out = str_member(o, name);
	if (*out)
		return TRUE;
	g_set_error(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_PROTOCOL,
		    "status: \"%s\" missing or not a string", name);
	return FALSE;
}

/* A decimal string member into *out; absent is fine when !required. */
static gboolean
u64_member(JsonObject *o, const char *name, gboolean required, guint64 *out, GError **error)
{
	const char *s = str_member(o, name);

	if (!s) {
		if (!required && !json_object_has_member(o, name))
			return TRUE;
		return need_str(o, name, &s, error);
	}
	if (!g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT64, out, NULL)) {
		g_set_error(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_PROTOCOL,
			    "status: \"%s\" is \"%s\", not a number", name, s);
		return FALSE;
	}
	return TRUE;
}

static void
file_clear(gpointer p)
{
	struct tb_aria2_file *f = p;

	g_free(f->path);
}

void
tb_aria2_status_free(struct tb_aria2_status *s)
{
	if (!s)
		return;
	g_free(s->gid);
	g_free(s->status);
	g_free(s->dir);
	g_free(s->name);
	g_free(s->info_hash);
	g_free(s->error_code);
	g_free(s->error_message);
	if (s->files)
		g_array_unref(s->files);
	g_free(s);
}

static gboolean
parse_files(struct tb_aria2_status *s, JsonNode *n, GError **error)
{
	JsonArray *arr;

	if (!JSON_NODE_HOLDS_ARRAY(n))
		return protocol_error(error, "status: \"files\" is not an array");
	arr = json_node_get_array(n);
	for (guint i = 0; i < json_array_get_length(arr); i++) {
		JsonNode *fn = json_array_get_element(arr, i);
		struct tb_aria2_file f = { 0 };
		JsonObject *fo;
		const char *path, *selected;
		guint64 index;

		if (!JSON_NODE_HOLDS_OBJECT(fn))
			return protocol_error(error, "status: a file is not an object");
		fo = json_node_get_object(fn);
		if (!u64_member(fo, "index", TRUE, &index, error) ||
		    !u64_member(fo, "length", TRUE, &f.length, error) ||
		    !u64_member(fo, "completedLength", TRUE, &f.completed, error) ||
		    !need_str(fo, "path", &path, error) ||
		    !need_str(fo, "selected", &selected, error))
			return FALSE;
		if (index == 0 || index > G_MAXUINT || f.completed > f.length)
			return protocol_error(error, "status: a file's index or lengths are wrong");
		f.index = (guint)index;
		f.selected = strcmp(selected, "true") == 0;
		f.path = g_strdup(path);
		g_array_append_val(s->files, f);
	}
	return TRUE;
}

struct tb_aria2_status *
tb_aria2_status_from_json(JsonNode *result, GError **error)
{
	struct tb_aria2_status *s;
	JsonObject *o;
	JsonNode *n;
	const char *gid, *status, *x;
	guint64 v;

	if (!result || !JSON_NODE_HOLDS_OBJECT(result)) {
		protocol_error(error, "status: not an object");
		return NULL;
	}
	o = json_node_get_object(result);
	if (!need_str(o, "gid", &gid, error) || !need_str(o, "status", &status, error))
		return NULL;
	s = g_new0(struct tb_aria2_status, 1);
	s->files = g_array_new(FALSE, TRUE, sizeof(struct tb_aria2_file));
	g_array_set_clear_func(s->files, file_clear);
	s->gid = g_strdup(gid);
	s->status = g_strdup(status);
	if (!u64_member(o, "totalLength", TRUE, &s->total, error) ||
	    !u64_member(o, "completedLength", TRUE, &s->completed, error) ||
	    !u64_member(o, "uploadLength", FALSE, &s->uploaded, error) ||
	    !u64_member(o, "downloadSpeed", FALSE, &s->download_speed, error) ||
	    !u64_member(o, "uploadSpeed", FALSE, &s->upload_speed, error))
		goto error;
	v = 0;
	if (!u64_member(o, "connections", FALSE, &v, error))
		goto error;
	s->connections = (guint)MIN(v, (guint64)G_MAXUINT);
	v = 0;
	if (!u64_member(o, "numSeeders", FALSE, &v, error))
		goto error;
	s->seeders = (guint)MIN(v, (guint64)G_MAXUINT);
	x = str_member(o, "seeder");
	s->seeder = x && strcmp(x, "true") == 0;
	s->dir = g_strdup(str_member(o, "dir"));
	s->info_hash = g_strdup(str_member(o, "infoHash"));
	x = str_member(o, "errorCode");
	if (x && strcmp(x, "0") != 0)
		s->error_code = g_strdup(x);
	s->error_message = g_strdup(str_member(o, "errorMessage"));
	n = json_object_get_member(o, "bittorrent");
	if (n && JSON_NODE_HOLDS_OBJECT(n)) {
		JsonNode *info = json_object_get_member(json_node_get_object(n), "info");

		if (info && JSON_NODE_HOLDS_OBJECT(info))
			s->name = g_strdup(str_member(json_node_get_object(info), "name"));
	}
	n = json_object_get_member(o, "files");
	if (n && !parse_files(s, n, error))
		goto error;
	return s;
error:
	tb_aria2_status_free(s);
	return NULL;
}

gboolean
tb_aria2_file_complete(const struct tb_aria2_status *s, guint index)
{
	for (guint i = 0; i < s->files->len; i++) {
		const struct tb_aria2_file *f = &g_array_index(s->files, struct tb_aria2_file, i);

		if (f->index == index)
			return f->completed == f->length;
	}
	return FALSE;
}

/* ---- The client ---- */

struct tb_aria2 {
	char *url, *secret;
	guint timeout_ms;
	GMutex lock; /* over the rest: one request at a time */
	guint64 next_id;
	CURL *curl;
	struct curl_slist *headers;
};

struct tb_aria2 *
tb_aria2_new(const char *url, const char *secret, guint timeout_ms)
{
	struct tb_aria2 *c = g_new0(struct tb_aria2, 1);

	c->url = g_strdup(url);
	c->secret = g_strdup(secret);
	c->timeout_ms = timeout_ms;
	g_mutex_init(&c->lock);
	c->curl = curl_easy_init();
	c->headers = curl_slist_append(NULL, "Content-Type: application/json");
	return c;
}

void
tb_aria2_free(struct tb_aria2 *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	g_mutex_clear(&c->lock);
	g_free(c->url);
	g_free(c->secret);
	g_free(c);
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

/* call() with the client's lock held. */
static JsonNode *
call_locked(struct tb_aria2 *c, const char *method, JsonArray *params, GError **error)
{
	g_autoptr(JsonArray) owned = params;
	g_autoptr(GString) answer = g_string_new(NULL);
	g_autofree char *body = NULL;
	GError *local = NULL;
	guint64 id = ++c->next_id;
	JsonNode *result;
	CURLcode rc;

	if (!c->curl) {
		g_set_error(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_TRANSPORT,
			    "aria2 %s: %s: cannot start libcurl", c->url, method);
		return NULL;
	}
	body = tb_aria2_request(id, method, c->secret, owned);
	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, c->url);
	curl_easy_setopt(c->curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, answer);
	rc = curl_easy_perform(c->curl);
	if (rc != CURLE_OK) {
		g_set_error(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_TRANSPORT, "aria2 %s: %s: %s",
			    c->url, method, curl_easy_strerror(rc));
		return NULL;
	}
	/* aria2 sends its error objects with HTTP 400 or 500: the body says. */
	result = tb_aria2_result(answer->str, answer->len, id, &local);
	if (!result) {
		g_prefix_error(&local, "aria2 %s: %s: ", c->url, method);
		g_propagate_error(error, local);
	}
	return result;
}

/* Calls method with params (consumed; may be NULL): its result, or NULL
 * with error set, its message led by the URL and the method. */
static JsonNode *
call(struct tb_aria2 *c, const char *method, JsonArray *params, GError **error)
{
	JsonNode *result;

	g_mutex_lock(&c->lock);
	result = call_locked(c, method, params, error);
	g_mutex_unlock(&c->lock);
	return result;
}

/* A call whose result is a string (a GID, "OK", ...): that string. */
static char *
call_str(struct tb_aria2 *c, const char *method, JsonArray *params, GError **error)
{
	g_autoptr(JsonNode) r = call(c, method, params, error);

	if (!r)
		return NULL;
	if (!JSON_NODE_HOLDS_VALUE(r) || json_node_get_value_type(r) != G_TYPE_STRING) {
		g_set_error(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_PROTOCOL,
			    "aria2 %s: %s: the result is not a string", c->url, method);
		return NULL;
	}
	return g_strdup(json_node_get_string(r));
}

static JsonArray *
gid_params(const char *gid)
{
	JsonArray *p = json_array_new();

	json_array_add_string_element(p, gid);
	return p;
}

char *
tb_aria2_version(struct tb_aria2 *c, GError **error)
{
	g_autoptr(JsonNode) r = call(c, "aria2.getVersion", NULL, error);
	const char *v;

	if (!r)
		return NULL;
	if (!JSON_NODE_HOLDS_OBJECT(r) || !(v = str_member(json_node_get_object(r), "version"))) {
		g_set_error(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_PROTOCOL,
			    "aria2 %s: aria2.getVersion: no version in the result", c->url);
		return NULL;
	}
	return g_strdup(v);
}

char *
tb_aria2_add_torrent(struct tb_aria2 *c, GBytes *torrent, const char *dir, const guint *select,
		     gsize nselect, const char *const *options, GError **error)
{
	JsonArray *params =
		tb_aria2_add_torrent_params(torrent, dir, select, nselect, options, error);

	if (!params)
		return NULL;
	return call_str(c, "aria2.addTorrent", params, error);
}

struct tb_aria2_status *
tb_aria2_tell_status(struct tb_aria2 *c, const char *gid, GError **error)
{
	g_autoptr(JsonNode) r = call(c, "aria2.tellStatus", gid_params(gid), error);
	GError *local = NULL;
	struct tb_aria2_status *s;

	if (!r)
		return NULL;
	s = tb_aria2_status_from_json(r, &local);
	if (!s) {
		g_prefix_error(&local, "aria2 %s: aria2.tellStatus: ", c->url);
		g_propagate_error(error, local);
	}
	return s;
}

static gboolean
stopped(const char *status)
{
	return strcmp(status, "complete") == 0 || strcmp(status, "error") == 0 ||
	       strcmp(status, "removed") == 0;
}

/* Every selected file of s complete, and at least one selected. */
static gboolean
selected_complete(const struct tb_aria2_status *s)
{
	guint selected = 0;

	for (guint i = 0; i < s->files->len; i++) {
		const struct tb_aria2_file *f = &g_array_index(s->files, struct tb_aria2_file, i);

		if (f->selected && f->completed != f->length)
			return FALSE;
		selected += f->selected;
	}
	return selected > 0;
}

gboolean
tb_aria2_wait(struct tb_aria2 *c, const char *gid, guint timeout_ms, guint poll_ms,
	      struct tb_aria2_status **last, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	struct tb_aria2_status *s = NULL;
	gboolean ok = FALSE;

	for (;;) {
		tb_aria2_status_free(s);
		s = tb_aria2_tell_status(c, gid, error);
		if (!s)
			break;
		/* A download that stopped complete has its files (a seeding one
		 * stays active). */
		if (strcmp(s->status, "complete") == 0 || selected_complete(s)) {
			ok = TRUE;
			break;
		}
		if (stopped(s->status)) {
			g_set_error(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_FAILED,
				    "aria2 %s: download %s is %s%s%s", c->url, gid, s->status,
				    s->error_message && *s->error_message ? ": " : "",
				    s->error_message ? s->error_message : "");
			break;
		}
		if (g_get_monotonic_time() >= deadline) {
			g_set_error(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_TIMEOUT,
				    "aria2 %s: download %s not complete within %u ms (%" G_GUINT64_FORMAT
				    " of %" G_GUINT64_FORMAT " bytes, %u connections)",
				    c->url, gid, timeout_ms, s->completed, s->total, s->connections);
			break;
		}
		g_usleep((gulong)poll_ms * 1000);
	}
	if (last)
		*last = s;
	else
		tb_aria2_status_free(s);
	return ok;
}

/* Polls gid's status until it is `want` (or stopped), within the timeout. */
static gboolean
wait_status(struct tb_aria2 *c, const char *gid, const char *want, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)c->timeout_ms * 1000;

	for (;;) {
		struct tb_aria2_status *s = tb_aria2_tell_status(c, gid, error);
		gboolean there, gone;

		if (!s)
			return FALSE;
		there = strcmp(s->status, want) == 0;
		gone = !there && stopped(s->status);
		if (gone)
			g_set_error(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_FAILED,
				    "aria2 %s: download %s is %s", c->url, gid, s->status);
		tb_aria2_status_free(s);
		if (there)
			return TRUE;
		if (gone)
			return FALSE;
		if (g_get_monotonic_time() > deadline) {
			g_set_error(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_TIMEOUT,
				    "aria2 %s: download %s not %s within %u ms", c->url, gid, want,
				    c->timeout_ms);
			return FALSE;
		}
		g_usleep(REMOVE_POLL_US);
	}
}

gboolean
tb_aria2_select_files(struct tb_aria2 *c, const char *gid, const guint *select, gsize nselect,
		      GError **error)
{
	g_autoptr(JsonObject) opts = json_object_new();
	g_autoptr(GString) list = g_string_new(NULL);
	g_autofree char *paused = NULL, *changed = NULL, *resumed = NULL;
	JsonArray *params;

	for (gsize i = 0; i < nselect; i++) {
		if (select[i] == 0)
			return args_error(error, "aria2: file index 0 (files are numbered from 1)");
		g_string_append_printf(list, "%s%u", i ? "," : "", select[i]);
	}
	if (nselect == 0) {
		/* Every file: 1-N, N from the download's status. */
		struct tb_aria2_status *s = tb_aria2_tell_status(c, gid, error);

		if (!s)
			return FALSE;
		g_string_append_printf(list, "1-%u", MAX(s->files->len, 1u));
		tb_aria2_status_free(s);
	}
	json_object_set_string_member(opts, "select-file", list->str);
	paused = call_str(c, "aria2.forcePause", gid_params(gid), error);
	if (!paused || !wait_status(c, gid, "paused", error))
		return FALSE;
	params = gid_params(gid);
	json_array_add_object_element(params, json_object_ref(opts));
	changed = call_str(c, "aria2.changeOption", params, error);
	/* Resumed also when the change failed, so the download goes on. */
	resumed = call_str(c, "aria2.unpause", gid_params(gid), changed ? error : NULL);
	return changed && resumed;
}

/* Polls gid's status until the download has stopped, within the timeout. */
static gboolean
wait_stopped(struct tb_aria2 *c, const char *gid, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)c->timeout_ms * 1000;

	for (;;) {
		struct tb_aria2_status *s = tb_aria2_tell_status(c, gid, error);
		gboolean done;

		if (!s)
			return FALSE;
		done = stopped(s->status);
		tb_aria2_status_free(s);
		if (done)
			return TRUE;
		if (g_get_monotonic_time() > deadline) {
			g_set_error(error, TB_ARIA2_ERROR, TB_ARIA2_ERROR_TIMEOUT,
				    "aria2 %s: download %s not removed within %u ms", c->url, gid,
				    c->timeout_ms);
			return FALSE;
		}
		g_usleep(REMOVE_POLL_US);
	}
}

gboolean
tb_aria2_remove(struct tb_aria2 *c, const char *gid, GError **error)
{
	struct tb_aria2_status *s = tb_aria2_tell_status(c, gid, error);
	g_autofree char *ok = NULL;
	gboolean active;

	if (!s)
		return FALSE;
	active = !stopped(s->status);
	tb_aria2_status_free(s);
	if (active) {
		g_autofree char *removed = call_str(c, "aria2.remove", gid_params(gid), error);
		g_autoptr(GError) slow = NULL;

		if (!removed)
			return FALSE;
		/* aria2.remove tells the trackers the peer leaves; when that takes
		 * longer than the timeout, forceRemove stops it without them. */
		if (!wait_stopped(c, gid, &slow)) {
			g_autofree char *forced = NULL;

			if (!g_error_matches(slow, TB_ARIA2_ERROR, TB_ARIA2_ERROR_TIMEOUT)) {
				g_propagate_error(error, g_steal_pointer(&slow));
				return FALSE;
			}
			forced = call_str(c, "aria2.forceRemove", gid_params(gid), error);
			if (!forced || !wait_stopped(c, gid, error))
				return FALSE;
		}
	}
	ok = call_str(c, "aria2.removeDownloadResult", gid_params(gid), error);
	return ok != NULL;
}

/* Deletes path (missing is fine); FALSE with error set otherwise. */
static gboolean
unlink_quiet(const char *path, GError **error)
{
	int e;

	if (g_unlink(path) == 0 || errno == ENOENT)
		return TRUE;
	e = errno;
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "aria2: cannot delete %s: %s",
		    path, g_strerror(e));
	return FALSE;
}

gboolean
tb_aria2_remove_files(struct tb_aria2 *c, const char *gid, GError **error)
{
	struct tb_aria2_status *s = tb_aria2_tell_status(c, gid, error);
	g_autofree char *prefix = NULL;
	gboolean ok = TRUE;

	if (!s)
		return FALSE;
	if (!tb_aria2_remove(c, gid, error)) {
		tb_aria2_status_free(s);
		return FALSE;
	}
	if (!s->dir) {
		tb_aria2_status_free(s);
		return protocol_error(error, "aria2: the download has no directory");
	}
	prefix = g_strconcat(s->dir, G_DIR_SEPARATOR_S, NULL);
	for (guint i = 0; ok && i < s->files->len; i++) {
		const struct tb_aria2_file *f = &g_array_index(s->files, struct tb_aria2_file, i);
		g_autofree char *parent = NULL;

		/* Only files under the download's directory. */
		if (!g_str_has_prefix(f->path, prefix) || strstr(f->path, "/../"))
			continue;
		ok = unlink_quiet(f->path, error);
		/* Empty folders up to the download's directory go too. */
		parent = g_path_get_dirname(f->path);
		while (ok && g_str_has_prefix(parent, prefix) && g_rmdir(parent) == 0) {
			char *up = g_path_get_dirname(parent);

			g_free(parent);
			parent = up;
		}
	}
	if (ok && s->name) {
		g_autofree char *control = g_strconcat(prefix, s->name, ".aria2", NULL);

		ok = unlink_quiet(control, error);
	}
	tb_aria2_status_free(s);
	return ok;
}

gboolean
tb_aria2_shutdown(struct tb_aria2 *c, gboolean force, GError **error)
{
	g_autofree char *ok =
		call_str(c, force ? "aria2.forceShutdown" : "aria2.shutdown", NULL, error);

	return ok != NULL;
}
