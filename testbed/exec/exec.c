/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/exec/exec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <glib/gstdio.h>

#include "flashcoop/time.h"
#include "testbed/dns/dnsupdate.h"

G_DEFINE_QUARK(tb-exec-error-quark, tb_exec_error)

#define GROUP "executor"

struct real_exec {
	struct tb_exec_settings s;
	struct tb_dns_server dns;
	/* site id -> its own files' root ("[site S] root"), for whole-site
	 * fetches; copied, so the executor does not depend on the config. */
	GHashTable *roots;
	/*
	 * Guards the rescue root's directories and the generations: a fetch
	 * makes ROOT/S/o and its temporary file, and renames that file into
	 * place, under it; a remove runs entirely under it.  The transfers
	 * themselves run outside it, on up to [node] threads threads.
	 */
	GMutex lock;
	/* site id -> how many removes it has seen: a fetch that began under
	 * an older generation does not put its file in place. */
	GHashTable *generation;
};

/* ---- [executor] ---- */

struct parse {
	const struct tb_node_config *c;
	GError **err;
};

static gboolean
fail(struct parse *p, enum tb_node_config_error code, const char *key, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

static gboolean
fail(struct parse *p, enum tb_node_config_error code, const char *key, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *what = NULL;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(p->err, TB_NODE_CONFIG_ERROR, code, "%s: [" GROUP "] %s: %s", p->c->path,
		    key, what);
	return FALSE;
}

/* The stripped value of key, NULL when absent (an error when required) or
 * empty (always an error); *ok says whether the caller may go on. */
static char *
raw(struct parse *p, const char *key, gboolean required, gboolean *ok)
{
	char *v;

	*ok = TRUE;
	if (!g_key_file_has_key(p->c->keyfile, GROUP, key, NULL)) {
		if (required)
			*ok = fail(p, TB_NODE_CONFIG_ERROR_KEY, key, "missing");
		return NULL;
	}
	v = g_key_file_get_value(p->c->keyfile, GROUP, key, NULL);
	g_strstrip(v);
	if (!*v) {
		g_free(v);
		*ok = fail(p, TB_NODE_CONFIG_ERROR_VALUE, key, "empty value");
		return NULL;
	}
	return v;
}

static gboolean
parse_ipv4(const char *text, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, text, &a) != 1)
		return FALSE;
	*out = ntohl(a.s_addr);
	return TRUE;
}

static gboolean
parse_port(const char *text, uint16_t *out)
{
	char *end;
	guint64 v;

	if (!g_ascii_isdigit(text[0]))
		return FALSE;
	errno = 0;
	v = g_ascii_strtoull(text, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return FALSE;
	*out = (uint16_t)v;
	return TRUE;
}

static gboolean
get_dns_server(struct parse *p, struct tb_exec_settings *s)
{
	const char *key = "dns_server";
	gboolean ok;
	g_autofree char *v = raw(p, key, TRUE, &ok);
	const char *colon;
	g_autofree char *host = NULL;
	uint32_t addr;

	if (!v)
		return ok;
	colon = strrchr(v, ':');
	if (colon)
		host = g_strndup(v, (gsize)(colon - v));
	if (!colon || !parse_ipv4(host, &addr) || !parse_port(colon + 1, &s->dns_port))
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, key,
			    "expected IPV4:PORT such as 10.77.200.2:53, found '%s'", v);
	s->dns_address = g_steal_pointer(&host);
	return TRUE;
}

/* A domain name (zone, key_name), normalized by testbed/dns. */
static gboolean
get_name(struct parse *p, const char *key, gboolean required, const char *def, char **out)
{
	gboolean ok;
	g_autofree char *v = raw(p, key, required, &ok);
	g_autoptr(GError) e = NULL;

	if (!ok)
		return FALSE;
	*out = tb_dns_name_normalize(v ? v : def, key, &e);
	if (!*out)
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, key, "%s", e->message);
	return TRUE;
}

/* A duration of whole `unit`s (FC_SEC, FC_MSEC) from min to max. */
static gboolean
get_duration(struct parse *p, const char *key, fc_time_t unit, fc_time_t min, fc_time_t max,
	     const char *what, fc_time_t *out)
{
	gboolean ok;
	g_autofree char *v = raw(p, key, FALSE, &ok);
	fc_time_t t;

	if (!v)
		return ok;
	if (!fc_time_parse(v, &t) || t % unit || t < min || t > max)
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, key, "expected %s, found '%s'", what, v);
	*out = t;
	return TRUE;
}

/* The path under which the owners' web servers serve their sites' own
 * files: what goes into a URL as it is, without escaping. */
static gboolean
get_fetch_path(struct parse *p, struct tb_exec_settings *s)
{
	const char *key = "fetch_path";
	gboolean ok;
	g_autofree char *v = raw(p, key, FALSE, &ok);
	gboolean good;

	if (!v) {
		if (ok)
			s->fetch_path = g_strdup("/fcfetch");
		return ok;
	}
	good = v[0] == '/' && v[1] && !g_str_has_suffix(v, "/") && !strstr(v, "//") &&
	       !strstr(v, "/./") && !strstr(v, "/../") && !g_str_has_suffix(v, "/.") &&
	       !g_str_has_suffix(v, "/..");
	for (const char *c = v; good && *c; c++)
		good = g_ascii_isalnum(*c) || strchr("/-._~", *c);
	if (!good)
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, key,
			    "expected a URL path such as /fcfetch (letters, digits, '-', '.', "
			    "'_', '~' between single slashes, none at the end), found '%s'", v);
	s->fetch_path = g_steal_pointer(&v);
	return TRUE;
}

static gboolean
get_rescue_root(struct parse *p, struct tb_exec_settings *s)
{
	const char *key = "rescue_root";
	gboolean ok;
	g_autofree char *v = raw(p, key, TRUE, &ok);

	if (!v)
		return ok;
	if (!g_path_is_absolute(v))
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, key,
			    "expected an absolute path, found '%s'", v);
	if (!g_file_test(v, G_FILE_TEST_IS_DIR))
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, key, "no such directory: '%s'", v);
	/* Without a final slash or "." parts, so that the paths in messages
	 * read as the files are. */
	s->rescue_root = g_canonicalize_filename(v, NULL);
	return TRUE;
}

static gboolean
read_settings(struct parse *p, struct tb_exec_settings *s)
{
	static const char *const known[] = {
		"dns_server", "zone", "key_name", "key_secret", "ttl", "dns_timeout",
		"http_port", "fetch_path", "fetch_timeout", "rescue_root", "source_address",
		"dns_updates", NULL,
	};
	g_auto(GStrv) keys = g_key_file_get_keys(p->c->keyfile, GROUP, NULL, NULL);
	fc_time_t ttl = 5 * FC_SEC, dns_timeout = 2 * FC_SEC, fetch_timeout = 30 * FC_SEC;
	gboolean ok;
	g_autofree char *secret = NULL, *port = NULL, *src = NULL;
	g_autoptr(GError) e = NULL;
	uint32_t addr;

	for (size_t i = 0; keys && keys[i]; i++)
		if (!g_strv_contains(known, keys[i]))
			return fail(p, TB_NODE_CONFIG_ERROR_KEY, keys[i],
				    "unknown key (the executor reads dns_server, zone, key_name, "
				    "key_secret, ttl, dns_timeout, http_port, fetch_path, "
				    "fetch_timeout, rescue_root, source_address, dns_updates)");
	if (!get_dns_server(p, s) || !get_name(p, "zone", FALSE, "flash.test.", &s->zone) ||
	    !get_name(p, "key_name", TRUE, NULL, &s->key_name))
		return FALSE;
	secret = raw(p, "key_secret", TRUE, &ok);
	if (!ok)
		return FALSE;
	if (!tb_dns_secret_check(secret, &e))
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, "key_secret", "%s", e->message);
	s->key_secret = g_steal_pointer(&secret);
	if (!get_duration(p, "ttl", FC_SEC, 0, (fc_time_t)G_MAXINT32 * FC_SEC,
			  "whole seconds such as 5s, up to 2147483647s", &ttl) ||
	    !get_duration(p, "dns_timeout", FC_MSEC, 100 * FC_MSEC, FC_MIN,
			  "whole milliseconds from 100ms to 1min", &dns_timeout) ||
	    !get_duration(p, "fetch_timeout", FC_MSEC, FC_MSEC, FC_HOUR,
			  "whole milliseconds from 1ms to 1h", &fetch_timeout))
		return FALSE;
	{
		g_autofree char *v = raw(p, "dns_updates", FALSE, &ok);

		if (!ok)
			return FALSE;
		if (v && strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return fail(p, TB_NODE_CONFIG_ERROR_VALUE, "dns_updates",
				    "expected true or false, found '%s'", v);
		s->dns_updates = !v || strcmp(v, "true") == 0;
	}
	s->ttl = (uint32_t)(ttl / FC_SEC);
	s->dns_timeout_ms = (unsigned)(dns_timeout / FC_MSEC);
	s->fetch_timeout_ms = (unsigned)(fetch_timeout / FC_MSEC);
	s->http_port = 80;
	port = raw(p, "http_port", FALSE, &ok);
	if (!ok)
		return FALSE;
	if (port && !parse_port(port, &s->http_port))
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, "http_port",
			    "expected a port from 1 to 65535, found '%s'", port);
	if (!get_fetch_path(p, s) || !get_rescue_root(p, s))
		return FALSE;
	src = raw(p, "source_address", FALSE, &ok);
	if (!ok)
		return FALSE;
	if (src && !parse_ipv4(src, &addr))
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, "source_address",
			    "expected an IPv4 address such as 10.77.1.2, found '%s'", src);
	s->source_address = g_steal_pointer(&src);
	return TRUE;
}

static void
settings_clear(struct tb_exec_settings *s)
{
	g_free(s->dns_address);
	g_free(s->zone);
	g_free(s->key_name);
	g_free(s->key_secret);
	g_free(s->fetch_path);
	g_free(s->rescue_root);
	g_free(s->source_address);
}

/* ---- DNS ---- */

static char *
site_name(const struct real_exec *x, uint32_t site)
{
	return g_strdup_printf("site%" G_GUINT32_FORMAT ".%s", site, x->s.zone);
}

static gboolean
dns_change(struct real_exec *x, uint32_t site, uint32_t address, gboolean add, GError **err)
{
	g_autofree char *name = NULL;

	/* Under the redirect policy the simulator carries out no DNS action. */
	if (!x->s.dns_updates)
		return TRUE;
	name = site_name(x, site);
	/* tb_dns_update()'s message names the update, the server and the
	 * rcode ("adding site0.flash.test. A 10.77.1.2 at ...#53: REFUSED"). */
	return tb_dns_update(&x->dns, x->s.zone, name, add, address, x->s.ttl,
			     x->s.dns_timeout_ms, err);
}

static gboolean
real_dns_add(void *user, uint32_t site, uint32_t address, GError **err)
{
	return dns_change(user, site, address, TRUE, err);
}

static gboolean
real_dns_remove(void *user, uint32_t site, uint32_t address, GError **err)
{
	return dns_change(user, site, address, FALSE, err);
}

/* ---- fetch ---- */

static uint64_t
generation_of(struct real_exec *x, uint32_t site)
{
	gpointer v = g_hash_table_lookup(x->generation, GUINT_TO_POINTER(site));

	return GPOINTER_TO_SIZE(v);
}

/* Where one transfer's body goes, and how much of it came. */
struct sink {
	int fd;
	uint64_t bytes;
	int write_errno;
};

static size_t
sink_write(char *data, size_t size, size_t n, void *user)
{
	struct sink *k = user;
	size_t len = size * n, done = 0;

	while (done < len) {
		ssize_t w = write(k->fd, data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			k->write_errno = errno;
			return 0; /* curl ends the transfer with CURLE_WRITE_ERROR */
		}
		done += (size_t)w;
	}
	k->bytes += len;
	return len;
}

/* A temporary file in dir for object's copy (mode 0644: the web server
 * reads it under its own user once renamed), or -1 with err. */
static int
temp_open(const char *dir, uint64_t object, char **path, GError **err)
{
	int fd;

	*path = g_strdup_printf("%s/.%" G_GUINT64_FORMAT ".XXXXXX", dir, object);
	fd = g_mkstemp_full(*path, O_RDWR | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;

		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE, "cannot create %s: %s", *path,
			    g_strerror(e));
		g_clear_pointer(path, g_free);
		return -1;
	}
	return fd;
}

/*
 * One try of GET url into fd, the transfer bounded by timeout_ms (what is
 * left of fetch_timeout_ms, which the message names).  TRUE
 * when the answer is a 200 whose body, all of it, is in fd (*bytes of
 * it); else FALSE with err, *refused set when no connection was made.
 */
static gboolean
get_once(CURL *h, const char *url, int fd, long timeout_ms, unsigned fetch_timeout_ms,
	 gboolean *refused, uint64_t *bytes, GError **err)
{
	char why[CURL_ERROR_SIZE] = "";
	struct sink k = { .fd = fd };
	CURLcode rc;
	long status = 0;
	curl_off_t length = -1;

	*refused = FALSE;
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE,
			    "cannot rewind the temporary file: %s", g_strerror(errno));
		return FALSE;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &k);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, why);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	*bytes = k.bytes;
	if (rc == CURLE_WRITE_ERROR && k.write_errno) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE,
			    "GET %s: cannot write the copy: %s", url, g_strerror(k.write_errno));
		return FALSE;
	}
	if (rc == CURLE_PARTIAL_FILE && status == 200 && length >= 0) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_HTTP,
			    "GET %s: HTTP 200 with a short body: %" G_GUINT64_FORMAT " of the "
			    "%" CURL_FORMAT_CURL_OFF_T " bytes of its Content-Length",
			    url, k.bytes, length);
		return FALSE;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_TRANSFER,
			    "GET %s: not done within the fetch_timeout of %u ms (%" G_GUINT64_FORMAT
			    " bytes came): %s", url, fetch_timeout_ms, k.bytes,
			    why[0] ? why : curl_easy_strerror(rc));
		return FALSE;
	}
	if (rc != CURLE_OK) {
		*refused = rc == CURLE_COULDNT_CONNECT;
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_TRANSFER, "GET %s: %s", url,
			    why[0] ? why : curl_easy_strerror(rc));
		return FALSE;
	}
	if (status != 200) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_HTTP, "GET %s: HTTP %ld", url,
			    status);
		return FALSE;
	}
	/* Apache's static files always carry their length; without it a body
	 * cut short by a closed connection would look whole. */
	if (length < 0) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_HTTP,
			    "GET %s: HTTP 200 without a Content-Length", url);
		return FALSE;
	}
	if ((uint64_t)length != k.bytes) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_HTTP,
			    "GET %s: HTTP 200 with %" G_GUINT64_FORMAT " bytes of body for a "
			    "Content-Length of %" CURL_FORMAT_CURL_OFF_T, url, k.bytes, length);
		return FALSE;
	}
	return TRUE;
}

/* A new easy handle with the options every transfer of this executor
 * shares. */
static CURL *
handle_new(struct real_exec *x, GError **err)
{
	CURL *h = curl_easy_init();

	if (!h) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_TRANSFER,
			    "libcurl cannot make a transfer handle");
		return NULL;
	}
	/* Worker threads: no signals for timeouts (the address is numeric,
	 * so no resolver needs them). */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	/* Never through a proxy from the environment: the owner is on the
	 * testbed's own network. */
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "flashcoop-testbed-exec");
	if (x->s.source_address) {
		g_autofree char *iface = g_strdup_printf("host!%s", x->s.source_address);

		curl_easy_setopt(h, CURLOPT_INTERFACE, iface);
	}
	return h;
}

/*
 * Object `object` of site into ROOT/site/o/object from owner_address,
 * through handle h: tried again when refused (TB_EXEC_FETCH_TRIES, with
 * doubling pauses), every try within fetch_timeout of the first; the file
 * appears whole or not at all, and not if the site was removed since gen.
 */
static gboolean
fetch_object(struct real_exec *x, CURL *h, uint32_t site, uint64_t object,
	     uint32_t owner_address, uint64_t gen, GError **err)
{
	char addr[INET_ADDRSTRLEN];
	struct in_addr a = { .s_addr = htonl(owner_address) };
	g_autofree char *url = NULL, *dir = NULL, *path = NULL, *tmp = NULL;
	gint64 deadline = g_get_monotonic_time() + (gint64)x->s.fetch_timeout_ms * 1000;
	gint64 pause_us = (gint64)TB_EXEC_RETRY_FIRST_MS * 1000;
	gboolean ok = FALSE, refused = FALSE;
	uint64_t bytes = 0;
	int fd, tries = 0;

	inet_ntop(AF_INET, &a, addr, sizeof addr);
	url = g_strdup_printf("http://%s:%u%s/%" G_GUINT32_FORMAT "/o/%" G_GUINT64_FORMAT, addr,
			      (unsigned)x->s.http_port, x->s.fetch_path, site, object);
	dir = g_strdup_printf("%s/%" G_GUINT32_FORMAT "/o", x->s.rescue_root, site);
	path = g_strdup_printf("%s/%" G_GUINT64_FORMAT, dir, object);

	g_mutex_lock(&x->lock);
	if (generation_of(x, site) != gen) {
		g_mutex_unlock(&x->lock);
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_REMOVED,
			    "GET %s: site %" G_GUINT32_FORMAT "'s copy was removed meanwhile", url,
			    site);
		return FALSE;
	}
	if (g_mkdir_with_parents(dir, 0755) < 0) {
		int e = errno;

		g_mutex_unlock(&x->lock);
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE, "cannot make %s: %s", dir,
			    g_strerror(e));
		return FALSE;
	}
	fd = temp_open(dir, object, &tmp, err);
	g_mutex_unlock(&x->lock);
	if (fd < 0)
		return FALSE;

	for (;;) {
		g_autoptr(GError) e = NULL;
		gint64 left_ms = (deadline - g_get_monotonic_time()) / 1000;

		tries++;
		ok = get_once(h, url, fd, MAX(left_ms, 1), x->s.fetch_timeout_ms, &refused,
			      &bytes, &e);
		if (ok)
			break;
		/* Only a refused connection is tried again, as the simulator's
		 * host does when the owner does not accept; not past the
		 * deadline. */
		if (!refused || tries >= TB_EXEC_FETCH_TRIES ||
		    g_get_monotonic_time() + pause_us >= deadline) {
			if (refused)
				g_prefix_error(&e, "%d %s, %s: ", tries,
					       tries == 1 ? "try" : "tries",
					       tries >= TB_EXEC_FETCH_TRIES ? "giving up" :
					       "no time left for the next one");
			g_propagate_error(err, g_steal_pointer(&e));
			break;
		}
		g_usleep((gulong)pause_us);
		pause_us *= 2;
	}

	if (ok && fsync(fd) < 0) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE, "cannot write %s: %s", tmp,
			    g_strerror(errno));
		ok = FALSE;
	}
	close(fd);
	g_mutex_lock(&x->lock);
	if (ok && generation_of(x, site) != gen) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_REMOVED,
			    "GET %s: site %" G_GUINT32_FORMAT "'s copy was removed meanwhile", url,
			    site);
		ok = FALSE;
	}
	if (ok && rename(tmp, path) < 0) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE, "cannot rename %s to %s: %s",
			    tmp, path, g_strerror(errno));
		ok = FALSE;
	}
	/* A remove may have taken the temporary file already: ENOENT is
	 * fine here. */
	if (!ok)
		g_unlink(tmp);
	g_mutex_unlock(&x->lock);
	return ok;
}

static gint
u64_compare(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The object numbers of site's own files, root/o/N, ascending. */
static GArray *
site_objects(struct real_exec *x, uint32_t site, GError **err)
{
	const char *root = g_hash_table_lookup(x->roots, GUINT_TO_POINTER(site));
	g_autofree char *dir = NULL;
	g_autoptr(GDir) d = NULL;
	g_autoptr(GArray) objects = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	const char *name;

	if (!root) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE,
			    "site %" G_GUINT32_FORMAT " has no root in the configuration: its "
			    "objects are not known", site);
		return NULL;
	}
	dir = g_build_filename(root, "o", NULL);
	d = g_dir_open(dir, 0, err);
	if (!d) {
		g_prefix_error(err, "site %" G_GUINT32_FORMAT "'s objects: ", site);
		return NULL;
	}
	while ((name = g_dir_read_name(d))) {
		guint64 n;

		if (!g_ascii_string_to_unsigned(name, 10, 0, G_MAXUINT64 - 1, &n, NULL) ||
		    (name[0] == '0' && name[1])) {
			g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE,
				    "site %" G_GUINT32_FORMAT ": %s/%s is not an object (a name "
				    "that is a decimal number)", site, dir, name);
			return NULL;
		}
		g_array_append_val(objects, n);
	}
	g_array_sort(objects, u64_compare);
	return g_steal_pointer(&objects);
}

static gboolean
real_fetch(void *user, uint32_t site, uint64_t object, fc_node_id owner, uint32_t owner_address,
	   GError **err)
{
	struct real_exec *x = user;
	g_autoptr(GArray) objects = NULL;
	uint64_t gen;
	CURL *h;
	gboolean ok = TRUE;

	(void)owner;
	g_mutex_lock(&x->lock);
	gen = generation_of(x, site);
	g_mutex_unlock(&x->lock);
	if (object == FC_WHOLE_SITE) {
		objects = site_objects(x, site, err);
		if (!objects)
			return FALSE;
	} else {
		objects = g_array_new(FALSE, FALSE, sizeof(uint64_t));
		g_array_append_val(objects, object);
	}
	h = handle_new(x, err);
	if (!h)
		return FALSE;
	/* One handle for the whole site: its objects come over the same
	 * connection, as a browser's would. */
	for (guint i = 0; ok && i < objects->len; i++) {
		uint64_t n = g_array_index(objects, uint64_t, i);

		ok = fetch_object(x, h, site, n, owner_address, gen, err);
		if (!ok && object == FC_WHOLE_SITE)
			g_prefix_error(err, "site %" G_GUINT32_FORMAT ", object %u of %u: ", site,
				       i + 1, objects->len);
	}
	curl_easy_cleanup(h);
	return ok;
}

/* ---- remove and push ---- */

/* Deletes what a fetch leaves in ROOT/site: the regular files of o/, o/
 * and the site's folder; anything else there is an error. */
static gboolean
remove_copy(struct real_exec *x, uint32_t site, GError **err)
{
	g_autofree char *top = g_strdup_printf("%s/%" G_GUINT32_FORMAT, x->s.rescue_root, site);
	g_autofree char *dir = g_build_filename(top, "o", NULL);
	g_autoptr(GError) e = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &e);
	const char *name;

	if (!d && !g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE, "removing %s: %s", top,
			    e->message);
		return FALSE;
	}
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *f = g_build_filename(dir, name, NULL);
		GStatBuf st;

		if (g_lstat(f, &st) < 0) {
			if (errno == ENOENT)
				continue;
			g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE, "removing %s: %s",
				    f, g_strerror(errno));
			return FALSE;
		}
		if (!S_ISREG(st.st_mode)) {
			g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE,
				    "removing %s: %s is not a regular file, left alone", top, f);
			return FALSE;
		}
		if (g_unlink(f) < 0 && errno != ENOENT) {
			g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE, "removing %s: %s",
				    f, g_strerror(errno));
			return FALSE;
		}
	}
	if ((g_rmdir(dir) < 0 && errno != ENOENT) || (g_rmdir(top) < 0 && errno != ENOENT)) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_FILE, "removing %s: %s", top,
			    g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

static gboolean
real_remove(void *user, uint32_t site, GError **err)
{
	struct real_exec *x = user;
	gboolean ok;

	g_mutex_lock(&x->lock);
	/* A fetch in flight began under the old generation: it leaves no file. */
	g_hash_table_insert(x->generation, GUINT_TO_POINTER(site),
			    GSIZE_TO_POINTER(generation_of(x, site) + 1));
	ok = remove_copy(x, site, err);
	g_mutex_unlock(&x->lock);
	return ok;
}

static gboolean
real_push(void *user, uint32_t site, fc_node_id peer, uint32_t peer_address, GError **err)
{
	(void)user;
	(void)peer_address;
	g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_PUSH,
		    "push is not supported on the testbed: over HTTP a copy of site %"
		    G_GUINT32_FORMAT " cannot be written into node %" G_GUINT32_FORMAT
		    "'s rescue root unless that node fetches it (spread = predistributed "
		    "is refused by the harness)", site, (guint32)peer);
	return FALSE;
}

/* ---- the executor ---- */

static void
real_free(void *user)
{
	struct real_exec *x = user;

	if (!x)
		return;
	settings_clear(&x->s);
	g_clear_pointer(&x->roots, g_hash_table_unref);
	g_clear_pointer(&x->generation, g_hash_table_unref);
	g_mutex_clear(&x->lock);
	g_free(x);
}

static gboolean
curl_ready(GError **err)
{
	static gsize once;
	static CURLcode rc;

	/* curl_global_init() is not thread-safe and must run once per
	 * process, before any handle. */
	if (g_once_init_enter(&once)) {
		rc = curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&once, 1);
	}
	if (rc != CURLE_OK) {
		g_set_error(err, TB_EXEC_ERROR, TB_EXEC_ERROR_TRANSFER,
			    "libcurl cannot start: %s", curl_easy_strerror(rc));
		return FALSE;
	}
	return TRUE;
}

struct tb_executor *
tb_executor_real_new(const struct tb_node_config *c, GError **err)
{
	struct real_exec *x = g_new0(struct real_exec, 1);
	struct parse p = { c, err };
	struct tb_executor *e;

	g_mutex_init(&x->lock);
	x->roots = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	x->generation = g_hash_table_new(NULL, NULL);
	if (!read_settings(&p, &x->s) || !curl_ready(err)) {
		real_free(x);
		return NULL;
	}
	x->dns = (struct tb_dns_server){
		.address = x->s.dns_address, .port = x->s.dns_port,
		.key_name = x->s.key_name, .key_secret = x->s.key_secret,
	};
	for (size_t i = 0; i < c->nsites; i++)
		if (c->sites[i].root)
			g_hash_table_insert(x->roots, GUINT_TO_POINTER(c->sites[i].id),
					    g_strdup(c->sites[i].root));
	e = g_new0(struct tb_executor, 1);
	*e = (struct tb_executor){
		.dns_add = real_dns_add, .dns_remove = real_dns_remove, .fetch = real_fetch,
		.remove = real_remove, .push = real_push, .free = real_free, .user = x,
	};
	return e;
}

const struct tb_exec_settings *
tb_exec_settings(const struct tb_executor *e)
{
	g_assert(e && e->free == real_free);
	return &((const struct real_exec *)e->user)->s;
}
