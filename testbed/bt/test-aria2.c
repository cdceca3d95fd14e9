/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The aria2 client without a daemon: requests built, answers parsed from
 * canned JSON (as aria2 1.36 sends them), the daemon's command line, a
 * call to a port where nothing listens, and the calls that take several
 * requests (wait, remove, select) against a fake aria2 on a loopback
 * port that answers by script.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "testbed/bt/aria2.h"

static void
test_request(void)
{
	g_autofree char *plain = tb_aria2_request(7, "aria2.getVersion", "s3cret", NULL);
	g_autofree char *no_token = tb_aria2_request(8, "aria2.getVersion", NULL, NULL);
	g_autoptr(JsonArray) params = json_array_new();
	g_autofree char *status = NULL;

	g_assert_cmpstr(plain, ==,
			"{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"method\":\"aria2.getVersion\","
			"\"params\":[\"token:s3cret\"]}");
	g_assert_cmpstr(no_token, ==,
			"{\"jsonrpc\":\"2.0\",\"id\":\"8\",\"method\":\"aria2.getVersion\","
			"\"params\":[]}");
	json_array_add_string_element(params, "2089b05ecca3d829");
	status = tb_aria2_request(9, "aria2.tellStatus", "x", params);
	g_assert_cmpstr(status, ==,
			"{\"jsonrpc\":\"2.0\",\"id\":\"9\",\"method\":\"aria2.tellStatus\","
			"\"params\":[\"token:x\",\"2089b05ecca3d829\"]}");
}

static void
test_add_params(void)
{
	static const guint8 torrent[] = "d4:infode\xff\x00";
	g_autoptr(GBytes) t = g_bytes_new_static(torrent, sizeof torrent);
	const guint select[] = { 2, 5 };
	const char *const options[] = { "bt-tracker-interval", "5", "seed-time", "0", NULL };
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonArray) p =
		tb_aria2_add_torrent_params(t, "/run/s2", select, 2, options, &err);
	g_autofree char *text = tb_aria2_request(1, "aria2.addTorrent", "k", p);
	g_autofree char *b64 = g_base64_encode(torrent, sizeof torrent);
	g_autofree char *expected = g_strdup_printf(
		"{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"aria2.addTorrent\","
		"\"params\":[\"token:k\",\"%s\",[],{\"dir\":\"/run/s2\",\"select-file\":\"2,5\","
		"\"bt-tracker-interval\":\"5\",\"seed-time\":\"0\"}]}",
		b64);

	g_assert_no_error(err);
	g_assert_cmpstr(text, ==, expected);

	/* All files, the daemon's directory: an empty option object. */
	{
		g_autoptr(JsonArray) all = tb_aria2_add_torrent_params(t, NULL, NULL, 0, NULL, &err);
		g_autofree char *atext = tb_aria2_request(2, "aria2.addTorrent", NULL, all);

		g_assert_nonnull(strstr(atext, "[],{}]"));
	}
}

static void
test_add_params_bad(void)
{
	g_autoptr(GBytes) t = g_bytes_new_static("de", 2);
	const guint zero[] = { 1, 0 };
	const char *const twice[] = { "dir", "/a", NULL };
	const char *const unnamed[] = { "", "1", NULL };
	g_autoptr(GError) err = NULL;

	g_assert_null(tb_aria2_add_torrent_params(t, NULL, zero, 2, NULL, &err));
	g_assert_error(err, TB_ARIA2_ERROR, TB_ARIA2_ERROR_ARGS);
	g_assert_cmpstr(err->message, ==, "aria2: file index 0 (files are numbered from 1)");
	g_clear_error(&err);
	g_assert_null(tb_aria2_add_torrent_params(t, "/b", NULL, 0, twice, &err));
	g_assert_error(err, TB_ARIA2_ERROR, TB_ARIA2_ERROR_ARGS);
	g_assert_cmpstr(err->message, ==, "aria2: option \"dir\" given twice");
	g_clear_error(&err);
	g_assert_null(tb_aria2_add_torrent_params(t, NULL, NULL, 0, unnamed, &err));
	g_assert_error(err, TB_ARIA2_ERROR, TB_ARIA2_ERROR_ARGS);
}

static void
test_result(void)
{
	static const char ok[] = "{\"id\":\"3\",\"jsonrpc\":\"2.0\",\"result\":\"2089b05ecca3d829\"}";
	static const char rpc_error[] =
		"{\"id\":\"4\",\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,"
		"\"message\":\"GID 2089b05ecca3d829 is not found\"}}";
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonNode) r = tb_aria2_result(ok, sizeof ok - 1, 3, &err);

	g_assert_no_error(err);
	g_assert_cmpstr(json_node_get_string(r), ==, "2089b05ecca3d829");
	g_assert_null(tb_aria2_result(rpc_error, sizeof rpc_error - 1, 4, &err));
	g_assert_error(err, TB_ARIA2_ERROR, TB_ARIA2_ERROR_RPC);
	g_assert_cmpstr(err->message, ==, "GID 2089b05ecca3d829 is not found");
}

static void
test_result_bad(void)
{
	static const struct {
		const char *text;
		const char *message; /* a part of it */
	} cases[] = {
		{ "", "empty answer" },
		{ "<html>Bad Request</html>", "not JSON" },
		{ "[1]", "not a JSON object" },
		{ "{\"id\":\"4\",\"jsonrpc\":\"2.0\",\"result\":\"OK\"}", "its id differs" },
		{ "{\"id\":5,\"jsonrpc\":\"2.0\",\"result\":\"OK\"}", "its id differs" },
		{ "{\"jsonrpc\":\"2.0\",\"result\":\"OK\"}", "its id differs" },
		{ "{\"id\":\"5\",\"jsonrpc\":\"2.0\"}", "without a result or an error" },
		{ "{\"id\":\"5\",\"error\":\"bad\"}", "\"error\" is not an object" },
		{ "{\"id\":\"5\",\"error\":{\"code\":1}}", "an error without a message" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(JsonNode) r = tb_aria2_result(cases[i].text, strlen(cases[i].text), 5, &err);

		if (r || !g_error_matches(err, TB_ARIA2_ERROR, TB_ARIA2_ERROR_PROTOCOL) ||
		    !strstr(err->message, cases[i].message))
			g_error("case %zu: expected a protocol error with \"%s\", got %s", i,
				cases[i].message, r ? "a result" : err->message);
	}
}

/* A tellStatus result of aria2 1.36 fetching file 2 of a three-file
 * torrent, file 2 done, file 3 partly written (it shares a piece). */
static const char status_json[] =
	"{\"id\":\"1\",\"jsonrpc\":\"2.0\",\"result\":{"
	"\"bitfield\":\"60\",\"bittorrent\":{\"announceList\":[[\"http://127.0.0.1:6969/"
	"announce\"]],\"info\":{\"name\":\"site\"},\"mode\":\"multi\"},"
	"\"completedLength\":\"70000\",\"connections\":\"1\",\"dir\":\"/tmp/b\","
	"\"downloadSpeed\":\"0\",\"errorCode\":\"0\",\"errorMessage\":\"\","
	"\"files\":[{\"completedLength\":\"0\",\"index\":\"1\",\"length\":\"50000\","
	"\"path\":\"/tmp/b/site/a\",\"selected\":\"false\",\"uris\":[]},"
	"{\"completedLength\":\"70000\",\"index\":\"2\",\"length\":\"70000\","
	"\"path\":\"/tmp/b/site/sub/b\",\"selected\":\"true\",\"uris\":[]},"
	"{\"completedLength\":\"0\",\"index\":\"3\",\"length\":\"3000\","
	"\"path\":\"/tmp/b/site/sub/c\",\"selected\":\"false\",\"uris\":[]}],"
	"\"gid\":\"2089b05ecca3d829\",\"infoHash\":\"8db394adeebcf558d75d6356acbcd8948b0a9ff4\","
	"\"numPieces\":\"4\",\"numSeeders\":\"1\",\"pieceLength\":\"32768\","
	"\"seeder\":\"true\",\"status\":\"active\",\"totalLength\":\"70000\","
	"\"uploadLength\":\"0\",\"uploadSpeed\":\"0\"}}";

static void
test_status(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonNode) r = tb_aria2_result(status_json, sizeof status_json - 1, 1, &err);
	struct tb_aria2_status *s = tb_aria2_status_from_json(r, &err);
	const struct tb_aria2_file *f;

	g_assert_no_error(err);
	g_assert_cmpstr(s->gid, ==, "2089b05ecca3d829");
	g_assert_cmpstr(s->status, ==, "active");
	g_assert_cmpuint(s->total, ==, 70000);
	g_assert_cmpuint(s->completed, ==, 70000);
	g_assert_cmpuint(s->connections, ==, 1);
	g_assert_cmpuint(s->seeders, ==, 1);
	g_assert_true(s->seeder);
	g_assert_cmpstr(s->dir, ==, "/tmp/b");
	g_assert_cmpstr(s->name, ==, "site");
	g_assert_cmpstr(s->info_hash, ==, "8db394adeebcf558d75d6356acbcd8948b0a9ff4");
	g_assert_null(s->error_code);
	g_assert_cmpuint(s->files->len, ==, 3);
	f = &g_array_index(s->files, struct tb_aria2_file, 1);
	g_assert_cmpuint(f->index, ==, 2);
	g_assert_true(f->selected);
	g_assert_cmpstr(f->path, ==, "/tmp/b/site/sub/b");
	g_assert_false(g_array_index(s->files, struct tb_aria2_file, 0).selected);
	g_assert_false(tb_aria2_file_complete(s, 1));
	g_assert_true(tb_aria2_file_complete(s, 2));
	g_assert_false(tb_aria2_file_complete(s, 3));
	g_assert_false(tb_aria2_file_complete(s, 4));
	tb_aria2_status_free(s);
}

static void
test_status_bad(void)
{
	static const struct {
		const char *from, *to, *message;
	} edits[] = {
		{ "\"gid\":\"2089b05ecca3d829\",", "", "\"gid\" missing" },
		{ "\"totalLength\":\"70000\"", "\"totalLength\":70000", "\"totalLength\" missing or not" },
		{ "\"completedLength\":\"70000\",\"connections\"",
		  "\"completedLength\":\"7e4\",\"connections\"", "\"completedLength\" is \"7e4\"" },
		{ "\"connections\":\"1\"", "\"connections\":\"-1\"", "\"connections\" is \"-1\"" },
		{ "\"index\":\"2\"", "\"index\":\"0\"", "index or lengths" },
		{ "\"completedLength\":\"70000\",\"index\"", "\"completedLength\":\"70001\",\"index\"",
		  "index or lengths" },
		{ "\"files\":[", "\"files\":[1,", "a file is not an object" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(edits); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(GString) text = g_string_new(status_json);
		g_autoptr(JsonNode) r = NULL;
		struct tb_aria2_status *s;

		g_assert_cmpuint(g_string_replace(text, edits[i].from, edits[i].to, 1), ==, 1);
		r = tb_aria2_result(text->str, text->len, 1, &err);
		g_assert_no_error(err);
		s = tb_aria2_status_from_json(r, &err);
		if (s || !g_error_matches(err, TB_ARIA2_ERROR, TB_ARIA2_ERROR_PROTOCOL) ||
		    !strstr(err->message, edits[i].message))
			g_error("edit %zu: expected \"%s\", got %s", i, edits[i].message,
				s ? "a status" : err->message);
	}
}

static gboolean
has(char **argv, const char *arg)
{
	return g_strv_contains((const char *const *)argv, arg);
}

static void
test_argv(void)
{
	const struct tb_aria2_daemon d = { .rpc_port = 6800,
					   .secret = "k",
					   .dir = "/run/s2",
					   .bt_port = 6881,
					   .log_path = "/run/s2/aria2.log",
					   .stop_with = 4242 };
	g_auto(GStrv) argv = tb_aria2_argv(&d);
	static const char *const wanted[] = {
		"--no-conf", "--daemon=false", "--enable-rpc=true", "--rpc-listen-all=false",
		"--rpc-listen-port=6800", "--rpc-secret=k", "--dir=/run/s2",
		"--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
		"--enable-peer-exchange=false", "--listen-port=6881", "--seed-ratio=0.0",
		"--max-concurrent-downloads=1000", "--log=/run/s2/aria2.log",
		"--stop-with-process=4242",
	};

	g_assert_cmpstr(argv[0], ==, "aria2c");
	for (gsize i = 0; i < G_N_ELEMENTS(wanted); i++)
		if (!has(argv, wanted[i]))
			g_error("argv lacks %s", wanted[i]);
	for (gsize i = 0; argv[i]; i++) {
		g_assert_false(g_str_has_prefix(argv[i], "--seed-time"));
		g_assert_false(g_str_has_prefix(argv[i], "--bt-external-ip"));
		g_assert_false(g_str_has_prefix(argv[i], "--bt-tracker-interval"));
	}
}

/* A loopback TCP port that was free a moment ago, and is closed again. */
static guint16
closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
	close(fd);
	return ntohs(a.sin_port);
}

static void
test_no_daemon(void)
{
	g_autofree char *url =
		g_strdup_printf("http://127.0.0.1:%u/jsonrpc", closed_port());
	struct tb_aria2 *c = tb_aria2_new(url, "k", 2000);
	g_autoptr(GError) err = NULL;
	g_autofree char *v = tb_aria2_version(c, &err);

	g_assert_null(v);
	g_assert_error(err, TB_ARIA2_ERROR, TB_ARIA2_ERROR_TRANSPORT);
	g_assert_true(g_str_has_prefix(err->message, "aria2 "));
	g_assert_nonnull(strstr(err->message, ": aria2.getVersion: "));
	tb_aria2_free(c);
	tb_aria2_free(NULL);
}

/* ---- A fake aria2: a JSON-RPC server on a thread, answering by script ---- */

struct fake {
	int fd;
	guint16 port;
	GThread *thread;
	GMutex lock;
	GPtrArray *methods; /* every method asked, in order */
	/* The answer to a request: the JSON of its result, or of an error
	 * object when *is_error is set (g_free). */
	char *(*answer)(struct fake *f, const char *method, guint nth, gboolean *is_error);
	int http_status; /* sent with every answer */
	guint count;	 /* requests answered */
	guint forced;	 /* forceRemove calls seen, for the scripts */
};

/* Reads one HTTP request from fd: its body (g_free), or NULL at EOF. */
static char *
read_request(int fd)
{
	g_autoptr(GString) in = g_string_new(NULL);
	char buf[4096];
	const char *end, *cl;
	gsize need;

	while (!(end = strstr(in->str, "\r\n\r\n"))) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n <= 0)
			return NULL;
		g_string_append_len(in, buf, n);
	}
	cl = g_strstr_len(in->str, end - in->str, "Content-Length: ");
	g_assert_nonnull(cl);
	need = (gsize)(end + 4 - in->str) + (gsize)g_ascii_strtoull(cl + 16, NULL, 10);
	while (in->len < need) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n <= 0)
			return NULL;
		g_string_append_len(in, buf, n);
	}
	return g_strdup(end + 4);
}

static gpointer
fake_serve(gpointer data)
{
	struct fake *f = data;
	int conn;

	while ((conn = accept(f->fd, NULL, NULL)) >= 0) {
		g_autofree char *body = read_request(conn);
		g_autoptr(JsonParser) parser = json_parser_new();
		g_autofree char *result = NULL, *answer = NULL, *http = NULL;
		JsonObject *o;
		const char *method, *id;
		gboolean is_error = FALSE;
		guint nth;

		if (!body) {
			close(conn);
			continue;
		}
		g_assert_true(json_parser_load_from_data(parser, body, -1, NULL));
		o = json_node_get_object(json_parser_get_root(parser));
		method = json_object_get_string_member(o, "method");
		id = json_object_get_string_member(o, "id");
		/* Every request carries the token first. */
		g_assert_cmpstr(json_array_get_string_element(
					json_object_get_array_member(o, "params"), 0),
				==, "token:k");
		g_mutex_lock(&f->lock);
		nth = 0;
		for (guint i = 0; i < f->methods->len; i++)
			nth += strcmp(f->methods->pdata[i], method) == 0;
		g_ptr_array_add(f->methods, g_strdup(method));
		f->forced += strcmp(method, "aria2.forceRemove") == 0;
		result = f->answer(f, method, nth, &is_error);
		f->count++;
		g_mutex_unlock(&f->lock);
		answer = g_strdup_printf("{\"id\":\"%s\",\"jsonrpc\":\"2.0\",\"%s\":%s}", id,
					 is_error ? "error" : "result", result);
		http = g_strdup_printf("HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
				       "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
				       f->http_status, strlen(answer), answer);
		g_assert_cmpint(write(conn, http, strlen(http)), ==, (ssize_t)strlen(http));
		close(conn);
	}
	return NULL;
}

static struct fake *
fake_new(char *(*answer)(struct fake *, const char *, guint, gboolean *))
{
	struct fake *f = g_new0(struct fake, 1);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;

	f->fd = socket(AF_INET, SOCK_STREAM, 0);
	g_assert_cmpint(f->fd, >=, 0);
	g_assert_cmpint(bind(f->fd, (struct sockaddr *)&a, sizeof a), ==, 0);
	g_assert_cmpint(listen(f->fd, 16), ==, 0);
	g_assert_cmpint(getsockname(f->fd, (struct sockaddr *)&a, &len), ==, 0);
	f->port = ntohs(a.sin_port);
	g_mutex_init(&f->lock);
	f->methods = g_ptr_array_new_with_free_func(g_free);
	f->answer = answer;
	f->http_status = 200;
	f->thread = g_thread_new("fake-aria2", fake_serve, f);
	return f;
}

static struct tb_aria2 *
fake_client(struct fake *f, guint timeout_ms)
{
	g_autofree char *url = g_strdup_printf("http://127.0.0.1:%u/jsonrpc", f->port);

	return tb_aria2_new(url, "k", timeout_ms);
}

/* The methods asked, joined with spaces, "aria2." left out. */
static char *
fake_methods(struct fake *f)
{
	g_autoptr(GString) s = g_string_new(NULL);

	g_mutex_lock(&f->lock);
	for (guint i = 0; i < f->methods->len; i++)
		g_string_append_printf(s, "%s%s", i ? " " : "",
				       (const char *)f->methods->pdata[i] + strlen("aria2."));
	g_mutex_unlock(&f->lock);
	return g_string_free(g_steal_pointer(&s), FALSE);
}

static void
fake_free(struct fake *f)
{
	shutdown(f->fd, SHUT_RDWR); /* accept() returns: the thread ends */
	g_thread_join(f->thread);
	close(f->fd);
	g_ptr_array_unref(f->methods);
	g_mutex_clear(&f->lock);
	g_free(f);
}

/* A tellStatus result: one selected file of 100 bytes, `done` of them. */
static char *
status_result(const char *status, guint done, const char *message)
{
	return g_strdup_printf(
		"{\"gid\":\"g1\",\"status\":\"%s\",\"totalLength\":\"100\","
		"\"completedLength\":\"%u\",\"connections\":\"1\",\"dir\":\"/d\","
		"\"errorCode\":\"%s\",\"errorMessage\":\"%s\",\"files\":[{\"index\":\"1\","
		"\"length\":\"100\",\"completedLength\":\"%u\",\"path\":\"/d/x\","
		"\"selected\":\"true\"}]}",
		status, done, message ? "1" : "0", message ? message : "", done);
}

/* Completes on the third status asked. */
static char *
answer_progress(struct fake *f, const char *method, guint nth, gboolean *is_error)
{
	g_assert_cmpstr(method, ==, "aria2.tellStatus");
	return status_result("active", nth >= 2 ? 100 : nth * 30, NULL);
}

static void
test_fake_wait(void)
{
	struct fake *f = fake_new(answer_progress);
	struct tb_aria2 *c = fake_client(f, 2000);
	struct tb_aria2_status *last = NULL;
	g_autoptr(GError) err = NULL;

	g_assert_true(tb_aria2_wait(c, "g1", 5000, 1, &last, &err));
	g_assert_no_error(err);
	g_assert_cmpuint(f->count, ==, 3);
	g_assert_cmpuint(last->completed, ==, 100);
	g_assert_true(tb_aria2_file_complete(last, 1));
	tb_aria2_status_free(last);
	tb_aria2_free(c);
	fake_free(f);
}

static char *
answer_stuck(struct fake *f, const char *method, guint nth, gboolean *is_error)
{
	return status_result("active", 40, NULL);
}

static char *
answer_failed(struct fake *f, const char *method, guint nth, gboolean *is_error)
{
	return status_result(nth == 0 ? "active" : "error", 40, "No peer data is available");
}

static void
test_fake_wait_fails(void)
{
	struct fake *f = fake_new(answer_stuck);
	struct tb_aria2 *c = fake_client(f, 2000);
	g_autoptr(GError) err = NULL;

	g_assert_false(tb_aria2_wait(c, "g1", 50, 5, NULL, &err));
	g_assert_error(err, TB_ARIA2_ERROR, TB_ARIA2_ERROR_TIMEOUT);
	g_assert_nonnull(strstr(err->message, "not complete within 50 ms (40 of 100 bytes"));
	g_clear_error(&err);
	tb_aria2_free(c);
	fake_free(f);

	f = fake_new(answer_failed);
	c = fake_client(f, 2000);
	g_assert_false(tb_aria2_wait(c, "g1", 5000, 1, NULL, &err));
	g_assert_error(err, TB_ARIA2_ERROR, TB_ARIA2_ERROR_FAILED);
	g_assert_nonnull(strstr(err->message, "download g1 is error: No peer data is available"));
	g_assert_cmpuint(f->count, ==, 2);
	tb_aria2_free(c);
	fake_free(f);
}

/* A removal the trackers hold up: active until forceRemove. */
static char *
answer_slow_remove(struct fake *f, const char *method, guint nth, gboolean *is_error)
{
	if (strcmp(method, "aria2.tellStatus") == 0)
		return status_result(f->forced ? "removed" : "active", 100, NULL);
	return g_strdup("\"g1\"");
}

static void
test_fake_remove(void)
{
	struct fake *f = fake_new(answer_slow_remove);
	struct tb_aria2 *c = fake_client(f, 100);
	g_autoptr(GError) err = NULL;
	g_autofree char *methods = NULL;

	g_assert_true(tb_aria2_remove(c, "g1", &err));
	g_assert_no_error(err);
	methods = fake_methods(f);
	/* Asked to leave politely, then forced after the timeout. */
	g_assert_true(g_str_has_prefix(methods, "tellStatus remove tellStatus tellStatus"));
	g_assert_true(g_str_has_suffix(methods, "tellStatus forceRemove tellStatus "
						"removeDownloadResult"));
	tb_aria2_free(c);
	fake_free(f);
}

/* Paused on the second status asked after forcePause. */
static char *
answer_select(struct fake *f, const char *method, guint nth, gboolean *is_error)
{
	if (strcmp(method, "aria2.tellStatus") == 0)
		return status_result(nth >= 1 ? "paused" : "active", 100, NULL);
	if (strcmp(method, "aria2.changeOption") == 0)
		return g_strdup("\"OK\"");
	return g_strdup("\"g1\"");
}

static void
test_fake_select(void)
{
	struct fake *f = fake_new(answer_select);
	struct tb_aria2 *c = fake_client(f, 2000);
	const guint sel[] = { 1, 3 };
	g_autoptr(GError) err = NULL;
	g_autofree char *methods = NULL;

	g_assert_true(tb_aria2_select_files(c, "g1", sel, 2, &err));
	g_assert_no_error(err);
	methods = fake_methods(f);
	g_assert_cmpstr(methods, ==, "forcePause tellStatus tellStatus changeOption unpause");
	tb_aria2_free(c);
	fake_free(f);
}

/* aria2's error objects come with HTTP 400: its message is the error. */
static char *
answer_error(struct fake *f, const char *method, guint nth, gboolean *is_error)
{
	*is_error = TRUE;
	return g_strdup("{\"code\":1,\"message\":\"GID g9 is not found\"}");
}

static void
test_fake_error(void)
{
	struct fake *f = fake_new(answer_error);
	struct tb_aria2 *c = fake_client(f, 2000);
	g_autoptr(GError) err = NULL;
	g_autofree char *expected =
		g_strdup_printf("aria2 http://127.0.0.1:%u/jsonrpc: aria2.tellStatus: GID g9 is "
				"not found",
				f->port);

	f->http_status = 400;
	g_assert_null(tb_aria2_tell_status(c, "g9", &err));
	g_assert_error(err, TB_ARIA2_ERROR, TB_ARIA2_ERROR_RPC);
	g_assert_cmpstr(err->message, ==, expected);
	tb_aria2_free(c);
	fake_free(f);
}

/* Threads sharing one client: every request answered, none mixed up. */
static gpointer
status_many(gpointer data)
{
	for (int i = 0; i < 25; i++) {
		g_autoptr(GError) err = NULL;
		struct tb_aria2_status *s = tb_aria2_tell_status(data, "g1", &err);

		g_assert_no_error(err);
		tb_aria2_status_free(s);
	}
	return NULL;
}

static void
test_fake_threads(void)
{
	struct fake *f = fake_new(answer_stuck);
	struct tb_aria2 *c = fake_client(f, 2000);
	GThread *t[4];

	for (gsize i = 0; i < G_N_ELEMENTS(t); i++)
		t[i] = g_thread_new("client", status_many, c);
	for (gsize i = 0; i < G_N_ELEMENTS(t); i++)
		g_thread_join(t[i]);
	g_assert_cmpuint(f->count, ==, 100);
	tb_aria2_free(c);
	fake_free(f);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/aria2/request", test_request);
	g_test_add_func("/aria2/add-params", test_add_params);
	g_test_add_func("/aria2/add-params-bad", test_add_params_bad);
	g_test_add_func("/aria2/result", test_result);
	g_test_add_func("/aria2/result-bad", test_result_bad);
	g_test_add_func("/aria2/status", test_status);
	g_test_add_func("/aria2/status-bad", test_status_bad);
	g_test_add_func("/aria2/argv", test_argv);
	g_test_add_func("/aria2/no-daemon", test_no_daemon);
	g_test_add_func("/aria2/fake/wait", test_fake_wait);
	g_test_add_func("/aria2/fake/wait-fails", test_fake_wait_fails);
	g_test_add_func("/aria2/fake/remove", test_fake_remove);
	g_test_add_func("/aria2/fake/select", test_fake_select);
	g_test_add_func("/aria2/fake/error", test_fake_error);
	g_test_add_func("/aria2/fake/threads", test_fake_threads);
	return g_test_run();
}
