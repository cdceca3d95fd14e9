/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mod_flashcoop: the web server's side of a flashcoop node.  The node
 * itself lives in fc-noded, a daemon beside the server (noded.h); this
 * module asks it, on its Unix socket (proto.h), where each request for an
 * object of a cooperating site goes, and reports the scoreboard's load to
 * it through mod_watchdog, from a singleton watchdog in one child (under a
 * forked MPM, mod_watchdog runs no watchdog in the parent).
 *
 *   FlashcoopSocket PATH        the daemon's socket (nothing happens without it)
 *   FlashcoopSite ID PREFIX     URL paths PREFIX/o/<object> are objects of site ID
 *   FlashcoopRescueRoot DIR     rescued copies: DIR/<site>/o/<object>
 *   FlashcoopWait MS            how long a rescued request waits for its object (10000)
 *   FlashcoopLoadInterval MS    how often the scoreboard is reported (1000)
 *
 * For a request PREFIX/o/N (its query's own fctok=HEX taken out and handed
 * to the daemon as the redirect token), the daemon's answer decides:
 * SERVE: served as usual; REDIRECT: 302 to http://HOST/path?...&fctok=HEX;
 * RESCUE: served from the rescue root once the daemon says the object is
 * there (the wait is on the local socket; 503 when it does not come);
 * UNKNOWN: 404.  When the daemon cannot be reached the request is served
 * as usual, and the error is logged once per process.
 *
 * The scoreboard report needs mod_watchdog (compiled into Debian's apache2;
 * elsewhere `LoadModule watchdog_module`; a start-up error without it), and
 * WatchdogInterval no longer than the load interval.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ap_config.h"
#include "ap_mpm.h"
#include "apr_optional.h"
#include "apr_strings.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "httpd.h"
#include "mod_watchdog.h"
#include "scoreboard.h"

#include "testbed/node/proto.h"

module AP_MODULE_DECLARE_DATA flashcoop_module;

#define ROUTE_TIMEOUT_MS 2000
#define WATCHDOG_NAME "_flashcoop_"

struct fc_site_prefix {
	uint32_t id;
	const char *prefix; /* no trailing slash */
};

struct fc_conf {
	const char *socket;
	const char *rescue_root;
	apr_array_header_t *sites; /* struct fc_site_prefix */
	int wait_ms;
	int load_interval_ms;
};

/* Whether this process has said that the daemon is unreachable. */
static int unreachable_logged;

static APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *wd_get_instance;
static APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *wd_register_callback;

static void *
create_server_conf(apr_pool_t *p, server_rec *s)
{
	struct fc_conf *c = apr_pcalloc(p, sizeof *c);

	(void)s;
	c->sites = apr_array_make(p, 4, sizeof(struct fc_site_prefix));
	c->wait_ms = 10000;
	c->load_interval_ms = 1000;
	return c;
}

static struct fc_conf *
conf_of(server_rec *s)
{
	return ap_get_module_config(s->module_config, &flashcoop_module);
}

static const char *
set_socket(cmd_parms *cmd, void *dummy, const char *arg)
{
	(void)dummy;
	if (strlen(arg) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return "FlashcoopSocket: path too long for a Unix socket";
	conf_of(cmd->server)->socket = arg;
	return NULL;
}

static const char *
set_rescue_root(cmd_parms *cmd, void *dummy, const char *arg)
{
	(void)dummy;
	conf_of(cmd->server)->rescue_root = arg;
	return NULL;
}

static const char *
set_site(cmd_parms *cmd, void *dummy, const char *id, const char *prefix)
{
	struct fc_conf *c = conf_of(cmd->server);
	struct fc_site_prefix *sp;
	char *end;
	unsigned long v;
	size_t n = strlen(prefix);

	(void)dummy;
	errno = 0;
	v = strtoul(id, &end, 10);
	if (!*id || *end || errno || v > UINT32_MAX || id[0] == '-' || id[0] == '+')
		return apr_psprintf(cmd->pool, "FlashcoopSite: site id '%s' is not a number", id);
	if (prefix[0] != '/')
		return apr_psprintf(cmd->pool, "FlashcoopSite: prefix '%s' does not start with /",
				    prefix);
	while (n > 0 && prefix[n - 1] == '/')
		n--;
	sp = apr_array_push(c->sites);
	sp->id = (uint32_t)v;
	sp->prefix = apr_pstrndup(cmd->pool, prefix, n);
	return NULL;
}

static const char *
set_ms(cmd_parms *cmd, int *out, const char *arg, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (!*arg || *end || errno || v < 1 || v > max)
		return apr_psprintf(cmd->pool, "%s: expected milliseconds from 1 to %ld, found '%s'",
				    cmd->cmd->name, max, arg);
	*out = (int)v;
	return NULL;
}

static const char *
set_wait(cmd_parms *cmd, void *dummy, const char *arg)
{
	(void)dummy;
	return set_ms(cmd, &conf_of(cmd->server)->wait_ms, arg, TB_PROTO_WAIT_MAX_MS);
}

static const char *
set_load_interval(cmd_parms *cmd, void *dummy, const char *arg)
{
	(void)dummy;
	return set_ms(cmd, &conf_of(cmd->server)->load_interval_ms, arg, 3600000);
}

static const command_rec commands[] = {
	AP_INIT_TAKE1("FlashcoopSocket", set_socket, NULL, RSRC_CONF,
		      "the Unix socket of fc-noded"),
	AP_INIT_TAKE2("FlashcoopSite", set_site, NULL, RSRC_CONF,
		      "a site id and its URL prefix"),
	AP_INIT_TAKE1("FlashcoopRescueRoot", set_rescue_root, NULL, RSRC_CONF,
		      "where rescued copies appear: DIR/<site>/o/<object>"),
	AP_INIT_TAKE1("FlashcoopWait", set_wait, NULL, RSRC_CONF,
		      "how long a rescued request waits for its object, in ms"),
	AP_INIT_TAKE1("FlashcoopLoadInterval", set_load_interval, NULL, RSRC_CONF,
		      "how often the scoreboard is reported, in ms"),
	{ NULL },
};

/* ---- The daemon's socket ---- */

/* A connected socket with timeouts, or -1 (errno set). */
static int
daemon_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un a;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	strncpy(a.sun_path, path, sizeof a.sun_path - 1);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0 ||
	    connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
set_timeout(int fd, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/*
 * Sends a request and reads its reply; 0, or -1 with errno (EPROTO for a
 * reply that does not parse).  One request at a time, so a reply is all
 * that the daemon has sent.
 */
static int
daemon_ask(int fd, const struct tb_req *q, struct tb_rep *rep)
{
	char line[TB_PROTO_LINE_MAX + 1];
	size_t len = tb_req_format(q, line, sizeof line), got = 0;

	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = send(fd, line + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	while (got == 0 || line[got - 1] != '\n') {
		ssize_t n;

		if (got == TB_PROTO_LINE_MAX) {
			errno = EPROTO;
			return -1;
		}
		n = recv(fd, line + got, TB_PROTO_LINE_MAX - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ECONNRESET;
			return -1;
		}
		got += (size_t)n;
	}
	if (tb_rep_parse(line, got, rep)) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/* ---- Requests ---- */

/* The site and object of a path PREFIX/o/DIGITS, or 0 when it is none. */
static int
match_object(const struct fc_conf *c, const char *uri, uint32_t *site, uint64_t *object)
{
	const struct fc_site_prefix *sp = (const struct fc_site_prefix *)c->sites->elts;

	for (int i = 0; i < c->sites->nelts; i++) {
		size_t n = strlen(sp[i].prefix);
		const char *rest = uri + n;
		uint64_t v = 0;

		if (strncmp(uri, sp[i].prefix, n) != 0 || strncmp(rest, "/o/", 3) != 0)
			continue;
		rest += 3;
		if (!*rest)
			continue;
		for (; *rest; rest++) {
			if (*rest < '0' || *rest > '9' || v > (UINT64_MAX - 9) / 10) {
				v = UINT64_MAX;
				break;
			}
			v = v * 10 + (uint64_t)(*rest - '0');
		}
		if (*rest || v == UINT64_MAX)
			continue;
		*site = sp[i].id;
		*object = v;
		return 1;
	}
	return 0;
}

/*
 * Takes fctok=HEX out of args: returns the other arguments (NULL when none
 * is left) and sets *token to the value of the last fctok, or NULL.
 */
static char *
strip_token(apr_pool_t *p, const char *args, const char **token)
{
	char *copy, *state, *part;
	char *rest = NULL;

	*token = NULL;
	if (!args || !*args)
		return NULL;
	copy = apr_pstrdup(p, args);
	for (part = apr_strtok(copy, "&", &state); part; part = apr_strtok(NULL, "&", &state)) {
		if (strncmp(part, "fctok=", 6) == 0) {
			*token = part + 6;
			continue;
		}
		rest = rest ? apr_pstrcat(p, rest, "&", part, NULL) : apr_pstrdup(p, part);
	}
	return rest;
}

static void
log_unreachable(request_rec *r, const struct fc_conf *c, int err)
{
	if (unreachable_logged)
		return;
	unreachable_logged = 1;
	ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
		      "flashcoop: fc-noded at %s cannot be reached (%s): serving requests "
		      "as usual (said once per process)", c->socket, strerror(err));
}

static int
serve_rescued(request_rec *r, const struct fc_conf *c, int fd, uint32_t site,
	      uint64_t object, int present)
{
	if (!c->rescue_root) {
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
			      "flashcoop: a rescued request, and no FlashcoopRescueRoot");
		return HTTP_SERVICE_UNAVAILABLE;
	}
	if (!present) {
		struct tb_req q = { .kind = TB_REQ_WAIT, .site = site, .object = object,
				    .timeout_ms = (uint32_t)c->wait_ms };
		struct tb_rep rep;

		if (set_timeout(fd, c->wait_ms + ROUTE_TIMEOUT_MS) < 0 ||
		    daemon_ask(fd, &q, &rep) < 0) {
			ap_log_rerror(APLOG_MARK, APLOG_ERR, errno, r,
				      "flashcoop: waiting for site %u object %" APR_UINT64_T_FMT,
				      site, (apr_uint64_t)object);
			return HTTP_SERVICE_UNAVAILABLE;
		}
		if (rep.kind != TB_REP_PRESENT)
			return HTTP_SERVICE_UNAVAILABLE;
	}
	r->filename = apr_psprintf(r->pool, "%s/%u/o/%" APR_UINT64_T_FMT, c->rescue_root, site,
				   (apr_uint64_t)object);
	r->canonical_filename = r->filename;
	return OK;
}

static int
translate(request_rec *r)
{
	const struct fc_conf *c = conf_of(r->server);
	struct tb_req q = { .kind = TB_REQ_ROUTE };
	struct tb_rep rep;
	const char *token;
	char *args;
	int fd, rc;

	if (!c->socket || r->main || r->prev || !r->uri ||
	    !match_object(c, r->uri, &q.site, &q.object))
		return DECLINED;
	args = strip_token(r->pool, r->args, &token);
	if (token) {
		struct tb_req probe;
		char line[TB_PROTO_LINE_MAX];

		/* A token that is not ours is no token (the node refuses it). */
		snprintf(line, sizeof line, "ROUTE 0 0 %.60s", token);
		if (!tb_req_parse(line, strlen(line), &probe) && probe.has_token) {
			q.has_token = true;
			memcpy(q.token, probe.token, FC_TOKEN_LEN);
		}
	}
	r->args = args;
	fd = daemon_connect(c->socket, ROUTE_TIMEOUT_MS);
	if (fd < 0 || daemon_ask(fd, &q, &rep) < 0) {
		log_unreachable(r, c, errno);
		if (fd >= 0)
			close(fd);
		return DECLINED;
	}
	switch (rep.kind) {
	case TB_REP_SERVE:
		rc = DECLINED;
		break;
	case TB_REP_REDIRECT: {
		char hex[2 * FC_TOKEN_LEN + 1];
		const char *loc = apr_pstrcat(r->pool, "http://", rep.host,
					      ap_escape_uri(r->pool, r->uri), NULL);

		if (rep.has_token) {
			for (int i = 0; i < FC_TOKEN_LEN; i++)
				snprintf(hex + 2 * i, 3, "%02x", rep.token[i]);
			loc = apr_pstrcat(r->pool, loc, "?", args ? args : "", args ? "&" : "",
					  "fctok=", hex, NULL);
		} else if (args) {
			loc = apr_pstrcat(r->pool, loc, "?", args, NULL);
		}
		apr_table_setn(r->headers_out, "Location", loc);
		rc = HTTP_MOVED_TEMPORARILY;
		break;
	}
	case TB_REP_RESCUE:
		rc = serve_rescued(r, c, fd, q.site, q.object, rep.present);
		break;
	case TB_REP_UNKNOWN:
		rc = HTTP_NOT_FOUND;
		break;
	default:
		ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
			      "flashcoop: fc-noded answered %s: serving as usual",
			      rep.kind == TB_REP_ERR ? rep.text : "out of turn");
		rc = DECLINED;
		break;
	}
	close(fd);
	return rc;
}

/* ---- The scoreboard, from one child ---- */

static apr_status_t
watchdog_report(int state, void *data, apr_pool_t *pool)
{
	server_rec *s = data;
	const struct fc_conf *c = conf_of(s);
	int server_limit = 0, thread_limit = 0, max_daemons = 0, threads = 0;
	unsigned busy = 0, workers;
	struct tb_req q = { .kind = TB_REQ_SCOREBOARD };
	struct tb_rep rep;
	int fd;

	(void)pool;
	if (state != AP_WATCHDOG_STATE_RUNNING || !ap_scoreboard_image)
		return APR_SUCCESS;
	ap_mpm_query(AP_MPMQ_HARD_LIMIT_DAEMONS, &server_limit);
	ap_mpm_query(AP_MPMQ_HARD_LIMIT_THREADS, &thread_limit);
	ap_mpm_query(AP_MPMQ_MAX_DAEMONS, &max_daemons);
	ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
	if (threads < 1)
		threads = 1;
	if (thread_limit < 1)
		thread_limit = 1;
	workers = (unsigned)(max_daemons > 0 ? max_daemons : 1) * (unsigned)threads;
	/* Busy as mod_status counts it: neither ready nor dead nor starting. */
	for (int i = 0; i < server_limit; i++) {
		for (int j = 0; j < thread_limit; j++) {
			worker_score *ws = ap_get_scoreboard_worker_from_indexes(i, j);
			int st = ws->status;

			if (st != SERVER_READY && st != SERVER_DEAD && st != SERVER_STARTING &&
			    st != SERVER_IDLE_KILL)
				busy++;
		}
	}
	q.busy = busy < workers ? busy : workers;
	q.workers = workers;
	fd = daemon_connect(c->socket, ROUTE_TIMEOUT_MS);
	if (fd < 0 || daemon_ask(fd, &q, &rep) < 0 || rep.kind != TB_REP_OK) {
		if (!unreachable_logged)
			ap_log_error(APLOG_MARK, APLOG_ERR, errno, s,
				     "flashcoop: cannot report the scoreboard to fc-noded at %s "
				     "(said once)", c->socket);
		unreachable_logged = 1;
	}
	if (fd >= 0)
		close(fd);
	return APR_SUCCESS;
}

static int
post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
	const struct fc_conf *c = conf_of(s);
	ap_watchdog_t *wd;
	apr_status_t rv;

	(void)plog;
	(void)ptemp;
	if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG || !c->socket)
		return OK;
	wd_get_instance = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
	wd_register_callback = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
	if (!wd_get_instance || !wd_register_callback) {
		ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
			     "flashcoop: FlashcoopSocket needs mod_watchdog to report the "
			     "scoreboard: load mod_watchdog (LoadModule watchdog_module)");
		return HTTP_INTERNAL_SERVER_ERROR;
	}
	/* mod_watchdog runs no watchdog in the parent under a forked MPM
	 * (prefork, worker, event): a singleton in one child reports. */
	rv = wd_get_instance(&wd, WATCHDOG_NAME, 0, 1, pconf);
	if (rv == APR_SUCCESS)
		rv = wd_register_callback(wd, apr_time_from_msec(c->load_interval_ms), s,
					  watchdog_report);
	if (rv != APR_SUCCESS) {
		ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
			     "flashcoop: cannot register the scoreboard report with mod_watchdog");
		return HTTP_INTERNAL_SERVER_ERROR;
	}
	return OK;
}

static void
register_hooks(apr_pool_t *p)
{
	static const char *const after_us[] = { "mod_watchdog.c", NULL };

	(void)p;
	ap_hook_translate_name(translate, NULL, NULL, APR_HOOK_FIRST);
	/* Before mod_watchdog's post_config, which starts the instances. */
	ap_hook_post_config(post_config, NULL, after_us, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA flashcoop_module = {
	STANDARD20_MODULE_STUFF,
	NULL,               /* per-directory config */
	NULL,               /* merge per-directory */
	create_server_conf, /* per-server config */
	NULL,               /* merge per-server: virtual hosts inherit nothing */
	commands,
	register_hooks,
	AP_MODULE_FLAG_NONE,
};
