/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-testbed run: one web scenario on real processes (README.md, "run").
 *
 * The steps, each undone by the teardown whatever happens after it:
 *   1. the lock (one run at a time) and the cleaning of a run that was
 *      killed before it could clean up after itself;
 *   2. the plan (sites and visits, as the simulator draws them), the
 *      network's topology, named's zone, every server's fc-testbed-node and
 *      Apache configuration, the clients' configuration;
 *   3. the namespaces (testbed/net/netns.sh), named, per server its node
 *      daemon and its Apache httpd, each checked to answer;
 *   4. the clients (fc-loadgen) from an agreed instant, the faults at
 *      their times, every process watched;
 *   5. the teardown by PID (every process, the namespaces), run.ini,
 *      and the results into the database (import.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "flashcoop/core.h"
#include "flashcoop/names.h"
#include "models/web/plan.h"
#include "models/web/web.h"
#include "sim/autoptr.h"
#include "sim/scenario.h"
#include "testbed/dns/dnsupdate.h"
#include "testbed/dns/named.h"
#include "testbed/harness/harness.h"
#include "testbed/harness/import.h"
#include "testbed/harness/procs.h"
#include "testbed/harness/sitefiles.h"
#include "testbed/harness/state.h"

/* The network plan: server i is host s(i+1) with K = i + 1. */
#define NET_PREFIX "fctb"
#define K_DNS 200
#define K_CLIENTS 210
#define UDP_PORT 7010
#define KEY_NAME "flashcoop-testbed."
#define APACHE_MODULES "/usr/lib/apache2/modules"

typedef struct web_plan tb_run_plan;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_run_plan, web_plan_free)

struct run {
	const char *cmd;
	char *dir;             /* absolute */
	char *bindir;          /* where fc-testbed and its programs are */
	char *netns_sh;
	struct scenario *sc;
	struct web_plan *plan;
	unsigned n;            /* servers */
	int policy;
	fc_time_t end, patience, latency, client_latency, ttl, load_interval;
	fc_time_t crash_at;    /* of the origin, or FC_TIME_NEVER */
	uint64_t uplink, downlink;
	unsigned workers, backlog, connections;
	char *secret;
	struct tb_procs *procs;
	bool net_up;
	gint64 start_ns, end_ns, killed_ns;
};

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static uint32_t
host_addr(unsigned k)
{
	return 0x0a4d0002u | (k << 8); /* 10.77.K.2 */
}

static char *
addr_str(uint32_t a)
{
	return g_strdup_printf("%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static char *
ns_name(const char *host)
{
	return g_strdup_printf("%s-%s", NET_PREFIX, host);
}

static gint64
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
sleep_ms(unsigned ms)
{
	g_usleep((gulong)ms * 1000);
}

static gboolean
write_file(const char *path, const char *text, GError **err)
{
	if (!g_file_set_contents(path, text, -1, err))
		return FALSE;
	chmod(path, 0644);
	return TRUE;
}

static char *
dur(fc_time_t t)
{
	return g_strdup_printf("%" PRId64 "ns", (int64_t)t);
}

/* ---- what the testbed can run ---- */

/* The scenario's keys the testbed does not carry out: one line naming the
 * key, as the simulator names a bad value. */
static gboolean
check_supported(struct run *r, GError **err)
{
	struct scenario *sc = r->sc;
	const char *why = NULL, *group = NULL, *key = NULL;

	if (r->policy != WEB_POLICY_NONE && r->policy != WEB_POLICY_REDIRECT &&
	    r->policy != WEB_POLICY_COOP) {
		group = "web", key = "policy";
		why = r->policy == WEB_POLICY_MIRROR ?
		      "mirror: the testbed runs none, redirect and coop" :
		      r->policy == WEB_POLICY_BACKSLASH ?
		      "backslash: the testbed runs none, redirect and coop" :
		      "dotslash: the testbed runs none, redirect and coop";
	} else if (scenario_ratio(sc, "clients", "bittorrent") > 0) {
		group = "clients", key = "bittorrent";
		why = "BitTorrent clients are not on the testbed yet: set 0%";
	} else if (scenario_count(sc, "web", "initial_window") != 10) {
		group = "web", key = "initial_window";
		why = "the testbed's servers have Linux's initial window of 10 segments: set 10";
	} else if (scenario_duration(sc, "clients", "attempt_delay") != 0) {
		group = "clients", key = "attempt_delay";
		why = "fc-loadgen tries the next address of an answer only after a connection attempt failed (syn_retries), not after this: set 0s";
	} else if (r->policy == WEB_POLICY_COOP &&
		   scenario_enum(sc, "coop", "transport") == WEB_TRANSPORT_BITTORRENT) {
		group = "coop", key = "transport";
		why = "bittorrent: the testbed's rescuers fetch by HTTP: set http";
	} else if (r->policy == WEB_POLICY_COOP &&
		   scenario_enum(sc, "coop", "spread") == FC_SPREAD_PREDISTRIBUTED) {
		group = "coop", key = "spread";
		why = "predistributed: the testbed cannot push copies: use objects or site";
	} else if (r->plan->node.probe_mode != FC_PROBE_MESSAGE &&
		   r->policy != WEB_POLICY_NONE) {
		group = "coop", key = "probe_mode";
		why = "the testbed's nodes probe by message: set message";
	} else if (scenario_enum(sc, "faults", "crash") != WEB_CRASH_NONE &&
		   scenario_enum(sc, "faults", "crash") != WEB_CRASH_ORIGIN) {
		group = "faults", key = "crash";
		why = "the testbed crashes only the origin";
	} else if (scenario_enum(sc, "faults", "crash") == WEB_CRASH_ORIGIN &&
		   scenario_duration(sc, "faults", "crash_for") != 0) {
		group = "faults", key = "crash_for";
		why = "a crashed origin stays down on the testbed: set 0s";
	} else if (scenario_duration(sc, "faults", "dns_down_for") != 0) {
		group = "faults", key = "dns_down_for";
		why = "the testbed does not take its DNS down";
	} else if (scenario_duration(sc, "web", "crash_after") != 0) {
		group = "web", key = "crash_after";
		why = "servers on the testbed crash only by [faults]: set 0s";
	} else if (scenario_count(sc, "web", "origin_workers") != 0 ||
		   scenario_rate(sc, "web", "origin_uplink") != 0) {
		group = "web", key = scenario_count(sc, "web", "origin_workers") ? "origin_workers"
									    : "origin_uplink";
		why = "every server of the testbed has the same workers and uplink";
	} else if (r->n + 1 > K_DNS - 1) {
		group = "web", key = "cooperators";
		why = "the testbed has room for 198 servers";
	} else if (r->workers > 20000) {
		group = "web", key = "workers";
		why = "Apache's event MPM takes at most 20000 threads in one child";
	}
	if (!why)
		return TRUE;
	g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: [%s] %s: %s",
		    scenario_file(sc), group, key, why);
	return FALSE;
}

/* ---- configuration files ---- */

static void
coop_group(GString *s, const struct fc_config *c)
{
	g_autofree char *st = dur(c->smooth_time), *fh = dur(c->flash_hold),
			*ch = dur(c->calm_hold), *rh = dur(c->rescue_hold),
			*pi = dur(c->probe_interval), *pt = dur(c->probe_timeout),
			*hb = dur(c->heartbeat_interval), *rw = dur(c->replay_window),
			*sg = dur(c->start_guard), *tl = dur(c->token_life);

	g_string_append_printf(s,
		"[coop]\n"
		"flash_threshold = %.17g\nlow_water = %.17g\nsmoothing = %s\nsmooth_time = %s\n"
		"leave = %s\nflash_hold = %s\ncalm_hold = %s\nextend_while_high = %s\n"
		"rescue_hold = %s\nprotect_self = %s\nprotect_threshold = %.17g\n"
		"share = %s\nredirect_share = %.17g\ntarget_load = %.17g\nmax_share = %.17g\n"
		"target = %s\nprobe_mode = message\nprobe_interval = %s\nprobe_jitter = %.17g\n"
		"probe_timeout = %s\nprobe_misses = %u\nheartbeat_interval = %s\n"
		"replay_window = %s\nstart_guard = %s\ntoken_life = %s\ntoken_fetches = %u\n"
		"max_fetches = %u\nspread = %s\ndns_when = %s\ntakeover_dns = %s\n\n",
		c->flash_threshold, c->low_water, fc_enum_name_of(fc_smoothing_names, c->smoothing),
		st, fc_enum_name_of(fc_leave_names, c->leave), fh, ch,
		c->extend_while_high ? "true" : "false", rh, c->protect_self ? "true" : "false",
		c->protect_threshold, fc_enum_name_of(fc_share_names, c->share), c->redirect_share,
		c->target_load, c->max_share, fc_enum_name_of(fc_target_names, c->target), pi,
		c->probe_jitter, pt, c->probe_misses, hb, rw, sg, tl, c->token_fetches,
		c->max_fetches, fc_enum_name_of(fc_spread_names, c->spread),
		fc_enum_name_of(fc_dns_when_names, c->dns_when),
		c->takeover_dns ? "true" : "false");
}

static char *
hex(const uint8_t *b, size_t n)
{
	GString *s = g_string_sized_new(2 * n);

	for (size_t i = 0; i < n; i++)
		g_string_append_printf(s, "%02x", b[i]);
	return g_string_free(s, FALSE);
}

static char *
server_dir(const struct run *r, unsigned i)
{
	g_autofree char *name = g_strdup_printf("s%u", i + 1);

	return g_build_filename(r->dir, name, NULL);
}

/* Server i's node daemon: its node, the core's configuration as the
 * simulator's nodes get it, every site, every other server as a peer,
 * and the executor (DNS updates under coop only, as in the simulator). */
static gboolean
write_node_config(const struct run *r, unsigned i, GError **err)
{
	g_autofree char *sd = server_dir(r, i);
	g_autofree char *path = g_build_filename(sd, "node.ini", NULL);
	g_autofree char *a = addr_str(host_addr(i + 1));
	g_autofree char *dnsa = addr_str(host_addr(K_DNS));
	g_autofree char *li = dur(r->load_interval);
	g_autoptr(GString) s = g_string_new("");

	g_string_append_printf(s,
		"# server.%u (written by fc-testbed run)\n"
		"[node]\nid = %u\naddress = %s\nudp_port = %u\nsocket = %s/noded.sock\n"
		"log = %s/noded.log\nload_interval = %s\nlisten_port = 80\nbacklog = %u\n"
		"interface = eth0\nuplink = %" PRIu64 "bit/s\nthreads = 4\nload_form = %s\n\n",
		i, i + 1, a, UDP_PORT, sd, sd, li, r->backlog, r->uplink,
		scenario_enum(r->sc, "coop", "load_form") == WEB_LOAD_DEMAND ? "demand" : "paper");
	coop_group(s, &r->plan->node);
	for (unsigned j = 0; j < r->n; j++)
		g_string_append_printf(s, "[site %u]\nbytes = %" PRIu64 "B\nowner = %u\n"
				       "root = %s/sites/%u\n\n",
				       j, r->plan->sites[j].bytes, j + 1, r->dir, j);
	for (unsigned j = 0; j < r->n; j++) {
		g_autofree char *pa = NULL, *key = NULL;

		if (j == i)
			continue;
		pa = addr_str(host_addr(j + 1));
		key = hex(web_plan_key(r->plan, i, j), 32);
		g_string_append_printf(s, "[peer %u]\naddress = %s\nkey = %s\n\n", j + 1, pa, key);
	}
	g_string_append_printf(s,
		"[executor]\ndns_server = %s:53\nzone = %s.\nkey_name = %s\n"
		"key_secret = %s\nttl = %" PRId64 "s\nhttp_port = 80\nfetch_path = /fcfetch\n"
		"rescue_root = %s/rescue\nsource_address = %s\ndns_updates = %s\n",
		dnsa, TB_ZONE, KEY_NAME,
		r->secret, (int64_t)(r->ttl / FC_SEC), sd, a,
		r->policy == WEB_POLICY_COOP ? "true" : "false");
	if (!g_file_set_contents(path, s->str, -1, err))
		return FALSE;
	chmod(path, 0600); /* it holds keys */
	return TRUE;
}

/* Server i's Apache httpd: its own ServerRoot, PidFile, Mutex directory
 * and logs; one child of `workers` threads (MaxRequestWorkers = workers),
 * ListenBacklog = backlog; its own site's files under /sI and /fcfetch/I,
 * rescued copies through mod_flashcoop.  The worker MPM, as the
 * simulator's server (models/web/server.h): a thread holds one connection
 * at a time, keep-alive included, and connections wait in the listen
 * backlog while every thread is busy.  The event MPM would hand
 * responses being written and idle keep-alive connections to its listener
 * thread, so that far more than `workers` transfers share the uplink at
 * once (a policy-none run of small.ini: 2826 visits under way, success
 * 0.18 against the simulator's 0.26). */
/*
 * How long an idle connection keeps its thread.  The simulator's server
 * closes a connection as soon as its client has nothing more queued for
 * it (models/web/client.c); a real client's next request on it comes
 * within one round trip of the last response, so three round trips keep
 * every connection the client will use again and free the others soon.
 * (fc-loadgen leaves a visit's idle connections open until the server
 * closes them: with Apache's 5 s, the smoke scenario's 20 workers sat
 * idle and its success ratio fell from 0.93 to 0.30.)
 */
static int64_t
keepalive_ms(const struct run *r)
{
	fc_time_t rtt = 2 * (r->latency + r->client_latency);

	return MAX((int64_t)100, (int64_t)(3 * rtt / FC_MSEC));
}

static gboolean
write_apache_config(const struct run *r, unsigned i, GError **err)
{
	g_autofree char *sd = server_dir(r, i);
	g_autofree char *path = g_build_filename(sd, "httpd.conf", NULL);
	g_autofree char *a = addr_str(host_addr(i + 1));
	g_autoptr(GString) s = g_string_new("");
	g_autofree char *mod = g_build_filename(r->bindir, "mod_flashcoop.so", NULL);
	g_autofree char *wd = g_build_filename(APACHE_MODULES, "mod_watchdog.so", NULL);

	g_string_append_printf(s,
		"# server.%u (written by fc-testbed run)\n"
		"ServerRoot %s\nServerName s%u.%s\nListen %s:80\nListenBacklog %u\n"
		"PidFile %s/httpd.pid\nMutex file:%s default\nErrorLog %s/error.log\n"
		"LogLevel warn\n"
		"LoadModule mpm_worker_module %s/mod_mpm_worker.so\n"
		"LoadModule authz_core_module %s/mod_authz_core.so\n"
		"LoadModule alias_module %s/mod_alias.so\n",
		i, sd, i + 1, TB_ZONE, a, r->backlog, sd, sd, sd, APACHE_MODULES, APACHE_MODULES,
		APACHE_MODULES);
	if (g_file_test(wd, G_FILE_TEST_EXISTS))
		g_string_append_printf(s, "LoadModule watchdog_module %s\n", wd);
	g_string_append_printf(s,
		"LoadModule flashcoop_module %s\n"
		"%s"
		"ServerLimit 1\nStartServers 1\nThreadLimit %u\nThreadsPerChild %u\n"
		"MaxRequestWorkers %u\nMinSpareThreads 1\nMaxSpareThreads %u\n"
		"MaxConnectionsPerChild 0\n"
		"KeepAlive On\nKeepAliveTimeout %" PRId64 "ms\nMaxKeepAliveRequests 0\nTimeout 60\n"
		"WatchdogInterval 1\n"
		"LogFormat \"%%{sec}t.%%{usec_frac}t %%a %%>s %%B %%D \\\"%%U\\\" \\\"%%q\\\"\" fc\n"
		"CustomLog %s/access.log fc\n"
		"DocumentRoot %s/empty\n"
		"<Directory />\n\tRequire all denied\n\tAllowOverride None\n</Directory>\n"
		"<Directory %s/empty>\n\tRequire all granted\n</Directory>\n"
		"Alias /s%u %s/sites/%u\nAlias /fcfetch/%u %s/sites/%u\n"
		"<Directory %s/sites/%u>\n\tRequire all granted\n</Directory>\n"
		"<Directory %s/rescue>\n\tRequire all granted\n</Directory>\n",
		mod, geteuid() == 0 ? "User www-data\nGroup www-data\n" : "", r->workers, r->workers,
		r->workers, r->workers, keepalive_ms(r), sd, r->dir, r->dir, i, r->dir, i, i, r->dir, i, r->dir, i, sd);
	if (r->policy != WEB_POLICY_NONE) {
		g_string_append_printf(s, "FlashcoopSocket %s/noded.sock\n"
				       "FlashcoopRescueRoot %s/rescue\n"
				       "FlashcoopWait %" PRId64 "\n"
				       "FlashcoopLoadInterval %" PRId64 "\n",
				       sd, sd, (int64_t)(r->patience / FC_MSEC),
				       (int64_t)MAX(r->load_interval / FC_MSEC, 1));
		for (unsigned j = 0; j < r->n; j++)
			g_string_append_printf(s, "FlashcoopSite %u /s%u\n", j, j);
	}
	return write_file(path, s->str, err);
}

static gboolean
write_topology(const struct run *r, GError **err)
{
	g_autofree char *path = g_build_filename(r->dir, "topology", NULL);
	g_autoptr(GString) s = g_string_new("");

	g_string_append_printf(s, "# written by fc-testbed run\nprefix %s\n", NET_PREFIX);
	for (unsigned i = 0; i < r->n; i++)
		g_string_append_printf(s, "s%u %u %" PRIu64 " %" PRIu64 " %.6f\n", i + 1, i + 1,
				       r->uplink, r->downlink, fc_time_to_sec(r->latency) * 1e3);
	g_string_append_printf(s, "dns %u 0 0 0\n", K_DNS);
	g_string_append_printf(s, "clients %u 0 0 %.6f\n", K_CLIENTS,
			       fc_time_to_sec(r->client_latency) * 1e3);
	return write_file(path, s->str, err);
}

static gboolean
write_named(const struct run *r, GError **err)
{
	g_autofree char *dir = g_build_filename(r->dir, "dns", NULL);
	g_autofree char *listen = addr_str(host_addr(K_DNS));
	g_autofree char *site0 = g_strdup_printf("site0.%s.", TB_ZONE);
	guint32 origin = host_addr(1);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autofree struct tb_named_host *hosts = g_new0(struct tb_named_host, 2 * r->n);
	size_t nh = 0;
	struct tb_named cfg;

	/* Every other site by its owner; every server by its own name. */
	for (unsigned i = 1; i < r->n; i++) {
		char *name = g_strdup_printf("site%u.%s.", i, TB_ZONE);

		g_ptr_array_add(names, name);
		hosts[nh++] = (struct tb_named_host){ name, host_addr(i + 1) };
	}
	for (unsigned i = 0; i < r->n; i++) {
		char *name = g_strdup_printf("s%u.%s.", i + 1, TB_ZONE);

		g_ptr_array_add(names, name);
		hosts[nh++] = (struct tb_named_host){ name, host_addr(i + 1) };
	}
	cfg = (struct tb_named){
		.listen_address = listen, .port = 53, .zone = TB_ZONE ".", .site = site0,
		.site_addrs = &origin, .n_site_addrs = 1, .ttl = (guint32)(r->ttl / FC_SEC),
		.hosts = hosts, .n_hosts = nh, .key_name = KEY_NAME, .key_secret = r->secret,
	};
	return tb_named_write_config(&cfg, dir, err);
}

/* Linux's SYN timer: the first retransmission after syn_timeout, each
 * next after twice the last; the attempt ends after the last one's. */
static int64_t
connect_timeout_ms(const struct scenario *sc)
{
	double t = fc_time_to_sec(scenario_duration(sc, "clients", "syn_timeout"));
	unsigned retries = (unsigned)scenario_count(sc, "clients", "syn_retries");

	return (int64_t)llround(t * (ldexp(1.0, (int)retries + 1) - 1) * 1e3);
}

static gboolean
write_loadgen(const struct run *r, GError **err)
{
	g_autofree char *dir = g_build_filename(r->dir, "clients", NULL);
	g_autofree char *path = g_build_filename(dir, "loadgen.ini", NULL);
	g_autofree char *dnsa = addr_str(host_addr(K_DNS));
	g_autofree char *text = NULL;

	if (g_mkdir_with_parents(dir, 0755) != 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "%s: cannot create: %s", dir, g_strerror(errno));
		return FALSE;
	}
	text = g_strdup_printf("# written by fc-testbed run\n[loadgen]\ndns_server = %s:53\n"
			       "resolver_cache = shared\nrotate = true\nport = 80\n"
			       "parallel = %u\nconnect_timeout_ms = %" PRId64 "\n"
			       "results = %s/visits.tsv\n",
			       dnsa, r->connections, connect_timeout_ms(r->sc), dir);
	return write_file(path, text, err);
}

/* ---- processes ---- */

static char *
prog(const struct run *r, const char *name)
{
	return g_build_filename(r->bindir, name, NULL);
}

/* Runs the namespaces script; its one error line becomes err. */
static gboolean
netns(const struct run *r, const char *what, GError **err)
{
	g_autofree char *topo = g_build_filename(r->dir, "topology", NULL);
	g_autofree char *log = g_build_filename(r->dir, "netns.log", NULL);
	g_autofree char *delay = prog(r, "fc-delay");
	const char *up[] = { "env", NULL, r->netns_sh, "up", topo, r->dir, NULL };
	const char *down[] = { "env", NULL, r->netns_sh, "down", r->dir, NULL };
	g_autofree char *env = g_strdup_printf("FC_DELAY=%s", delay);
	const char **argv = strcmp(what, "up") == 0 ? up : down;

	argv[1] = env;
	return tb_run(NULL, argv, log, 120000, err);
}

/* Waits until the process `name` has written pid_file, or fails when it
 * ends first or after timeout_ms. */
static gboolean
wait_pid_file(struct run *r, const char *name, const char *pid_file, const char *log,
	      unsigned timeout_ms, GError **err)
{
	for (unsigned waited = 0; waited < timeout_ms; waited += 50) {
		int status;

		if (g_file_test(pid_file, G_FILE_TEST_EXISTS))
			return TRUE;
		if (tb_proc_ended(r->procs, name, &status)) {
			g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
				    "%s ended at its start (%s %d; see %s)", name,
				    WIFEXITED(status) ? "exit status" : "signal",
				    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), log);
			return FALSE;
		}
		if (stop_signal)
			break;
		sleep_ms(50);
	}
	g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s: %s", name,
		    stop_signal ? "interrupted" : "no PID file in time (see its log)");
	return FALSE;
}

/* Waits until a TCP connection from the clients' namespace to addr:80
 * succeeds (bash's /dev/tcp). */
static gboolean
wait_http(struct run *r, unsigned k, const char *log, GError **err)
{
	g_autofree char *ns = ns_name("clients");
	g_autofree char *a = addr_str(host_addr(k));
	g_autofree char *script = g_strdup_printf("exec 3<>/dev/tcp/%s/80", a);
	const char *argv[] = { "bash", "-c", script, NULL };

	for (unsigned tries = 0; tries < 100 && !stop_signal; tries++) {
		g_autoptr(GError) e = NULL;

		if (tb_run(ns, argv, log, 2000, &e))
			return TRUE;
		sleep_ms(100);
	}
	g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
		    "the web server s%u (%s:80) does not answer (see %s)", k, a, log);
	return FALSE;
}

static gboolean
wait_dns(struct run *r, GError **err)
{
	g_autofree char *ns = ns_name("clients");
	g_autofree char *dnsa = addr_str(host_addr(K_DNS));
	g_autofree char *fcdns = prog(r, "fc-dns");
	g_autofree char *log = g_build_filename(r->dir, "dns", "ready.log", NULL);
	g_autofree char *name = g_strdup_printf("site0.%s", TB_ZONE);
	const char *argv[] = { fcdns, "query", "--server", dnsa, "--timeout", "500", name, NULL };

	for (unsigned tries = 0; tries < 40 && !stop_signal; tries++) {
		g_autoptr(GError) e = NULL;

		if (tb_run(ns, argv, log, 3000, &e))
			return TRUE;
		sleep_ms(250);
	}
	g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
		    "named (%s:53) does not answer (see %s/dns/named.log)", dnsa, r->dir);
	return FALSE;
}

static gboolean
start_named(struct run *r, GError **err)
{
	g_autofree char *dir = g_build_filename(r->dir, "dns", NULL);
	g_autofree char *log = g_build_filename(dir, "named.out", NULL);
	g_autofree char *ns = ns_name("dns");
	g_autofree char *listen = addr_str(host_addr(K_DNS));
	struct tb_named cfg = { .listen_address = listen };
	g_auto(GStrv) argv = tb_named_argv(&cfg, dir);

	if (!tb_proc_start(r->procs, "named", ns, (const char *const *)argv, log, NULL, err))
		return FALSE;
	return wait_dns(r, err);
}

static gboolean
start_server(struct run *r, unsigned i, GError **err)
{
	g_autofree char *sd = server_dir(r, i);
	g_autofree char *host = g_strdup_printf("s%u", i + 1);
	g_autofree char *ns = ns_name(host);
	g_autofree char *noded_name = g_strdup_printf("node %s", host);
	g_autofree char *httpd_name = g_strdup_printf("httpd %s", host);
	g_autofree char *noded_log = g_build_filename(sd, "node.out", NULL);
	g_autofree char *noded_pid = g_build_filename(sd, "node.pid", NULL);
	g_autofree char *noded_conf = g_build_filename(sd, "node.ini", NULL);
	g_autofree char *httpd_log = g_build_filename(sd, "httpd.out", NULL);
	g_autofree char *httpd_pid = g_build_filename(sd, "httpd.pid", NULL);
	g_autofree char *httpd_conf = g_build_filename(sd, "httpd.conf", NULL);
	g_autofree char *node = prog(r, "fc-testbed-node");

	if (r->policy != WEB_POLICY_NONE) {
		const char *argv[] = { node, "--pid-file", noded_pid, noded_conf, NULL };

		if (!tb_proc_start(r->procs, noded_name, ns, argv, noded_log, NULL, err) ||
		    !wait_pid_file(r, noded_name, noded_pid, noded_log, 10000, err))
			return FALSE;
	}
	{
		const char *argv[] = { "apache2", "-d", sd, "-f", httpd_conf, "-DFOREGROUND", NULL };

		if (!tb_proc_start(r->procs, httpd_name, ns, argv, httpd_log, NULL, err) ||
		    !wait_pid_file(r, httpd_name, httpd_pid, httpd_log, 10000, err))
			return FALSE;
	}
	return wait_http(r, i + 1, httpd_log, err);
}

/* ---- the run ---- */

/* The origin's machine dies: every process of its namespace killed
 * (Apache's parent and children, the node daemon), then everything it
 * would receive or send dropped inside its namespace, so that clients'
 * SYNs go unanswered as they do to a crashed host (and as the
 * simulator's clients see a server that is down), rather than being
 * reset by its kernel.  (Taking its interface down would not do: the
 * router's neighbour entry fails after a few seconds and clients then
 * get "no route to host" at once.) */
static void
crash_origin(struct run *r)
{
	g_autofree char *ns = ns_name("s1");
	g_autofree char *log = g_build_filename(r->dir, "faults.log", NULL);
	const char *in[] = { "iptables", "-w", "-I", "INPUT", "-j", "DROP", NULL };
	const char *out[] = { "iptables", "-w", "-I", "OUTPUT", "-j", "DROP", NULL };
	g_autoptr(GError) e = NULL;

	r->killed_ns = now_ns();
	tb_proc_signal_group(r->procs, "httpd s1", SIGKILL);
	tb_proc_signal_group(r->procs, "node s1", SIGKILL);
	if (!tb_run(ns, in, log, 5000, &e) || !tb_run(ns, out, log, 5000, &e))
		fprintf(stderr, "%s: warning: %s\n", r->cmd, e->message);
	fprintf(stderr, "%s: the origin crashed at %.1f s\n", r->cmd,
		(double)(r->killed_ns - r->start_ns) / 1e9);
}

/* Watches the processes until the clients are done: the run's failure
 * (one line) in err. */
static gboolean
watch(struct run *r, GError **err)
{
	gint64 crash = r->crash_at == FC_TIME_NEVER ? G_MAXINT64 : r->start_ns + r->crash_at;
	gint64 deadline = r->start_ns + r->end + r->patience + 60 * (gint64)1000000000;
	const char *names[] = { "named", "node s", "httpd s" };
	gint64 next_report = r->start_ns;

	for (;;) {
		gint64 now = now_ns();
		int status;

		if (stop_signal) {
			g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
				    "interrupted by signal %d", (int)stop_signal);
			return FALSE;
		}
		if (now >= crash && !r->killed_ns)
			crash_origin(r);
		if (tb_proc_ended(r->procs, "loadgen", &status)) {
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				return TRUE;
			g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
				    "fc-loadgen ended with %s %d (see %s/clients/loadgen.out)",
				    WIFEXITED(status) ? "exit status" : "signal",
				    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), r->dir);
			return FALSE;
		}
		for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
			for (unsigned i = 0; i < (k == 0 ? 1 : r->n); i++) {
				g_autofree char *name = k == 0 ? g_strdup(names[0])
						      : g_strdup_printf("%s%u", names[k], i + 1);

				if (i == 0 && k > 0 && r->killed_ns)
					continue;
				if (tb_proc_ended(r->procs, name, &status)) {
					g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
						    "%s died during the run (%s %d; see %s)", name,
						    WIFEXITED(status) ? "exit status" : "signal",
						    WIFEXITED(status) ? WEXITSTATUS(status)
								      : WTERMSIG(status),
						    r->dir);
					return FALSE;
				}
			}
		}
		if (now >= deadline) {
			g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
				    "the clients had not finished %.0f s after the run's end",
				    (double)(now - r->start_ns - r->end) / 1e9);
			return FALSE;
		}
		if (now >= next_report && isatty(STDERR_FILENO)) {
			fprintf(stderr, "\r%s: %.0f of %.0f s ", r->cmd,
				(double)MAX(now - r->start_ns, 0) / 1e9, fc_time_to_sec(r->end));
			next_report = now + 1000000000;
		}
		sleep_ms(100);
	}
}

static gboolean
write_run_ini(const struct run *r, const char *scenario_copy, char **sets,
	      uint64_t replication, const GError *failure)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *path = g_build_filename(r->dir, "run.ini", NULL);
	g_autoptr(GError) e = NULL;

	g_key_file_set_string(kf, "run", "scenario", scenario_copy);
	if (sets && sets[0])
		g_key_file_set_string_list(kf, "run", "set", (const char *const *)sets,
					   g_strv_length(sets));
	g_key_file_set_uint64(kf, "run", "replication", replication);
	g_key_file_set_int64(kf, "run", "start_ns", r->start_ns);
	g_key_file_set_int64(kf, "run", "end_ns", r->end_ns);
	g_key_file_set_string(kf, "run", "status", failure ? "failed" : "done");
	if (failure)
		g_key_file_set_string(kf, "run", "error", failure->message);
	for (unsigned i = 0; i < r->n; i++) {
		g_autofree char *group = g_strdup_printf("server %u", i);
		g_autofree char *sd = server_dir(r, i);
		g_autofree char *a = addr_str(host_addr(i + 1));
		g_autofree char *log = g_build_filename(sd, "noded.log", NULL);
		g_autofree char *alog = g_build_filename(sd, "access.log", NULL);

		g_key_file_set_uint64(kf, group, "node", i + 1);
		g_key_file_set_string(kf, group, "address", a);
		if (r->policy != WEB_POLICY_NONE)
			g_key_file_set_string(kf, group, "log", log);
		g_key_file_set_string(kf, group, "access_log", alog);
		g_key_file_set_uint64(kf, group, "workers", r->workers);
		g_key_file_set_uint64(kf, group, "uplink_bps", r->uplink);
		if (i == 0 && r->killed_ns)
			g_key_file_set_int64(kf, group, "killed_ns", r->killed_ns);
	}
	{
		g_autofree char *v = g_build_filename(r->dir, "clients", "visits.tsv", NULL);
		g_autofree char *q = g_build_filename(r->dir, "clients", "visits-requests.tsv", NULL);

		g_key_file_set_string(kf, "clients", "visits", v);
		g_key_file_set_string(kf, "clients", "requests", q);
	}
	if (!g_key_file_save_to_file(kf, path, &e)) {
		fprintf(stderr, "%s: %s\n", r->cmd, e->message);
		return FALSE;
	}
	return TRUE;
}

/* The programs and packages a run needs, checked before anything is made. */
static gboolean
check_programs(struct run *r, GError **err)
{
	static const char *const system[][2] = {
		{ "ip", "iproute2" }, { "tc", "iproute2" }, { "iptables", "iptables" },
		{ "apache2", "apache2" }, { "named", "bind9" }, { "bash", "bash" },
	};
	static const char *const ours[] = { "fc-testbed-node", "fc-loadgen", "fc-delay",
					    "fc-dns", "mod_flashcoop.so" };
	static const char *const mods[] = { "mod_mpm_worker.so", "mod_authz_core.so",
					    "mod_alias.so" };

	for (size_t i = 0; i < G_N_ELEMENTS(system); i++) {
		g_autofree char *p = g_find_program_in_path(system[i][0]);

		if (!p) {
			g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
				    "%s is not installed (Debian package %s; `make deps` installs "
				    "every package the testbed needs)", system[i][0], system[i][1]);
			return FALSE;
		}
	}
	for (size_t i = 0; i < G_N_ELEMENTS(mods); i++) {
		g_autofree char *p = g_build_filename(APACHE_MODULES, mods[i], NULL);

		if (!g_file_test(p, G_FILE_TEST_EXISTS)) {
			g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
				    "%s is missing (Debian package apache2)", p);
			return FALSE;
		}
	}
	for (size_t i = 0; i < G_N_ELEMENTS(ours); i++) {
		g_autofree char *p = prog(r, ours[i]);

		if (!g_file_test(p, G_FILE_TEST_IS_REGULAR)) {
			g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
				    "%s is missing (`make testbed-programs` builds it)", p);
			return FALSE;
		}
	}
	if (!g_file_test(r->netns_sh, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
			    "%s is missing (`make testbed-programs` puts it there)", r->netns_sh);
		return FALSE;
	}
	return TRUE;
}

/* Apache's children run as www-data: every directory above dir must let
 * others through, or every request gets a 403. */
static gboolean
reachable(const char *dir, GError **err)
{
	g_autofree char *d = g_strdup(dir);

	for (;;) {
		struct stat st;
		char *slash;

		if (stat(d, &st) == 0 && !(st.st_mode & S_IXOTH)) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_ACCES,
				    "%s: Apache's children (www-data) cannot reach the run's files: "
				    "%s has mode %04o; give a -d DIR that others may search",
				    dir, d, (unsigned)(st.st_mode & 07777));
			return FALSE;
		}
		slash = strrchr(d, '/');
		if (!slash || slash == d)
			return TRUE;
		*slash = '\0';
	}
}

static char *
self_dir(void)
{
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);

	return exe ? g_path_get_dirname(exe) : g_strdup(".");
}

/* Cleans what a run killed before its teardown left (its processes by
 * the PIDs it recorded, its namespaces). */
static void
clean_left(struct run *r)
{
	g_autofree char *left = tb_state_left();
	g_autoptr(GError) e = NULL;
	unsigned stopped = 0;

	if (!left) {
		if (strcmp(r->cmd, "fc-testbed clean") == 0)
			fprintf(stderr, "%s: nothing to clean\n", r->cmd);
		return;
	}
	if (!tb_procs_clean(left, &stopped, &e))
		fprintf(stderr, "%s: warning: %s\n", r->cmd, e->message);
	if (g_file_test(left, G_FILE_TEST_IS_DIR)) {
		g_autofree char *log = g_build_filename(left, "netns.log", NULL);
		const char *argv[] = { r->netns_sh, "down", left, NULL };

		g_clear_error(&e);
		if (!tb_run(NULL, argv, log, 120000, &e))
			fprintf(stderr, "%s: warning: %s\n", r->cmd, e->message);
	}
	fprintf(stderr, "%s: cleaned up after the run in %s (stopped %u processes)\n", r->cmd,
		left, stopped);
}

/* Each host's TCP counters (listen-queue overflows, retransmissions,
 * time-outs: what the simulator's flows do not have) into its
 * directory, before the namespaces go. */
static void
save_counters(struct run *r)
{
	for (unsigned i = 0; i < r->n + 1; i++) {
		g_autofree char *host = i < r->n ? g_strdup_printf("s%u", i + 1) : g_strdup("clients");
		g_autofree char *ns = ns_name(host);
		g_autofree char *dir = i < r->n ? server_dir(r, i)
						: g_build_filename(r->dir, "clients", NULL);
		g_autofree char *out = g_build_filename(dir, "nstat.txt", NULL);
		const char *argv[] = { "nstat", "-a", "-s", "-z", NULL };
		g_autoptr(GError) e = NULL;

		if (!tb_run(ns, argv, out, 5000, &e))
			fprintf(stderr, "%s: warning: %s\n", r->cmd, e->message);
	}
}

static void
teardown(struct run *r)
{
	if (r->net_up && r->start_ns)
		save_counters(r);
	if (r->procs)
		tb_procs_stop_all(r->procs, 5000);
	if (r->net_up) {
		g_autoptr(GError) e = NULL;

		if (!netns(r, "down", &e))
			fprintf(stderr, "%s: warning: %s\n", r->cmd, e->message);
		r->net_up = false;
	}
}

static gboolean
setup(struct run *r, GError **err)
{
	g_autofree char *empty = g_build_filename(r->dir, "empty", NULL);
	g_autofree char *loadgen = prog(r, "fc-loadgen");
	g_autofree char *lconf = g_build_filename(r->dir, "clients", "loadgen.ini", NULL);
	g_autofree char *plan = g_build_filename(r->dir, "plan.tsv", NULL);
	g_autofree char *lout = g_build_filename(r->dir, "clients", "loadgen.out", NULL);
	g_autofree char *cns = ns_name("clients");
	g_autofree char *start = NULL;
	g_autofree char *syn = NULL;

	if (g_mkdir_with_parents(empty, 0755) != 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "%s: cannot create: %s", empty, g_strerror(errno));
		return FALSE;
	}
	r->secret = tb_dns_secret_new(err);
	if (!r->secret)
		return FALSE;
	if (!tb_sites_write(r->plan, r->dir, err) ||
	    !tb_visits_write(r->plan, r->patience, r->dir, err) || !write_topology(r, err) ||
	    !write_named(r, err) || !write_loadgen(r, err))
		return FALSE;
	for (unsigned i = 0; i < r->n; i++) {
		g_autofree char *sd = server_dir(r, i);
		g_autofree char *rescue = g_build_filename(sd, "rescue", NULL);

		if (g_mkdir_with_parents(rescue, 0755) != 0) {
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
				    "%s: cannot create: %s", rescue, g_strerror(errno));
			return FALSE;
		}
		chmod(sd, 0755);
		if (!write_node_config(r, i, err) || !write_apache_config(r, i, err))
			return FALSE;
	}
	fprintf(stderr, "%s: %u servers, %zu visits; setting up the network\n", r->cmd, r->n,
		r->plan->nvisits);
	r->net_up = true; /* a failed `up` leaves its state file for `down` */
	if (!netns(r, "up", err))
		return FALSE;
	syn = g_strdup_printf("net.ipv4.tcp_syn_retries=%" PRId64,
			      (int64_t)scenario_count(r->sc, "clients", "syn_retries"));
	{
		const char *argv[] = { "sysctl", "-q", "-w", syn, NULL };
		g_autofree char *log = g_build_filename(r->dir, "netns.log", NULL);

		if (!tb_run(cns, argv, log, 5000, err))
			return FALSE;
	}
	if (!start_named(r, err))
		return FALSE;
	for (unsigned i = 0; i < r->n; i++)
		if (stop_signal || !start_server(r, i, err))
			return stop_signal ? (g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
							  "interrupted by signal %d",
							  (int)stop_signal),
					      FALSE)
					   : FALSE;
	/* Every process agrees on the run's time 0, a moment from now. */
	r->start_ns = now_ns() + 1000000000;
	start = g_strdup_printf("--start=%" PRId64, r->start_ns);
	{
		const char *argv[] = { loadgen, start, lconf, plan, NULL };

		if (!tb_proc_start(r->procs, "loadgen", cns, argv, lout, NULL, err))
			return FALSE;
	}
	fprintf(stderr, "%s: the clients start; the run takes %.0f s\n", r->cmd,
		fc_time_to_sec(r->end));
	return TRUE;
}

int
tb_cmd_clean(int argc, char **argv)
{
	struct run r = { .cmd = "fc-testbed clean" };
	g_autoptr(GError) err = NULL;
	int lock;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "%s: takes no arguments\n", r.cmd);
		return TB_EXIT_BAD;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "%s: needs root (it removes network namespaces)\n", r.cmd);
		return TB_EXIT_BAD;
	}
	lock = tb_state_lock(&err);
	if (lock < 0) {
		fprintf(stderr, "%s: %s\n", r.cmd, err->message);
		return TB_EXIT_BAD;
	}
	r.bindir = self_dir();
	r.netns_sh = prog(&r, "fc-netns.sh");
	clean_left(&r);
	tb_state_set(NULL, NULL);
	close(lock);
	g_free(r.bindir);
	g_free(r.netns_sh);
	return 0;
}

int
tb_cmd_run(int argc, char **argv)
{
	g_auto(GStrv) sets = NULL;
	g_autofree char *dir_opt = NULL, *db = NULL;
	gint64 replication = 0;
	gboolean no_import = FALSE, replace = FALSE;
	GOptionEntry entries[] = {
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "override a scenario key; may be repeated", "GROUP.KEY=VALUE" },
		{ "replication", 'r', 0, G_OPTION_ARG_INT64, &replication,
		  "replication number (default 0)", "R" },
		{ "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir_opt,
		  "the run's directory (default: a new one under /var/tmp/flashcoop-testbed)",
		  "DIR" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &db,
		  "the results database (default results.db)", "DB" },
		{ "no-import", 0, 0, G_OPTION_ARG_NONE, &no_import,
		  "leave the results in the run's directory only", NULL },
		{ "replace", 0, 0, G_OPTION_ARG_NONE, &replace,
		  "replace a run of the same key in the database", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("SCENARIO.ini");
	g_autoptr(GError) err = NULL;
	g_autoptr(GError) failure = NULL;
	g_autoptr(tb_run_plan) plan = NULL;
	g_autoptr(fc_scenario) sc = NULL;
	g_autofree char *scenario_copy = NULL, *text = NULL;
	struct run r = { .cmd = "fc-testbed run" };
	struct sigaction sa = { 0 };
	int lock = -1, rc;

	g_option_context_set_summary(oc, "Runs a web scenario on the testbed: real Apache "
				     "servers with the cooperation core, BIND, the clients, in "
				     "network namespaces (as root).  See testbed/harness/README.md.");
	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "%s: %s\n", r.cmd, err->message);
		return TB_EXIT_BAD;
	}
	if (argc != 2 || replication < 0) {
		fprintf(stderr, "%s: %s (see fc-testbed run --help)\n", r.cmd,
			replication < 0 ? "--replication must be 0 or more"
					: "give one scenario file");
		return TB_EXIT_BAD;
	}
	sc = tb_scenario_load("run", argv[1], sets, &err);
	if (!sc)
		goto bad;
	plan = web_plan_new(sc, (uint64_t)replication, &err);
	if (!plan)
		goto bad;
	r.sc = sc;
	r.plan = plan;
	r.n = plan->nservers;
	r.policy = scenario_enum(sc, "web", "policy");
	r.end = plan->end;
	r.patience = scenario_duration(sc, "clients", "patience");
	r.latency = scenario_duration(sc, "web", "latency");
	r.client_latency = scenario_duration(sc, "clients", "latency_median");
	r.ttl = scenario_duration(sc, "dns", "ttl");
	r.load_interval = scenario_duration(sc, "coop", "load_interval");
	r.uplink = scenario_rate(sc, "web", "uplink");
	r.downlink = scenario_rate(sc, "web", "downlink");
	r.workers = (unsigned)scenario_count(sc, "web", "workers");
	r.backlog = (unsigned)scenario_count(sc, "web", "backlog");
	r.connections = (unsigned)scenario_count(sc, "clients", "connections");
	r.crash_at = scenario_enum(sc, "faults", "crash") == WEB_CRASH_ORIGIN
			     ? scenario_duration(sc, "faults", "crash_at") : FC_TIME_NEVER;
	r.bindir = self_dir();
	r.netns_sh = prog(&r, "fc-netns.sh");
	if (!check_supported(&r, &err))
		goto bad;
	if (r.ttl % FC_SEC != 0) {
		g_set_error(&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s: [dns] ttl: DNS carries whole seconds", argv[1]);
		goto bad;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "%s: needs root (it makes network namespaces); run it as root\n",
			r.cmd);
		return TB_EXIT_BAD;
	}
	if (!check_programs(&r, &err))
		goto bad;

	/* The run's directory: Apache's children (www-data) read from it. */
	if (dir_opt) {
		if (g_mkdir_with_parents(dir_opt, 0755) != 0) {
			fprintf(stderr, "%s: %s: cannot create: %s\n", r.cmd, dir_opt,
				g_strerror(errno));
			return TB_EXIT_BAD;
		}
		r.dir = g_canonicalize_filename(dir_opt, NULL);
	} else {
		g_autoptr(GDateTime) now = g_date_time_new_now_local();
		g_autofree char *stamp = g_date_time_format(now, "%Y%m%d-%H%M%S");
		g_autofree char *base = g_strdup_printf("/var/tmp/flashcoop-testbed/%s-r%" PRId64
							"-%s",
							scenario_name(sc), replication, stamp);

		if (g_mkdir_with_parents(base, 0755) != 0) {
			fprintf(stderr, "%s: %s: cannot create: %s\n", r.cmd, base,
				g_strerror(errno));
			return TB_EXIT_BAD;
		}
		r.dir = g_steal_pointer(&base);
	}
	chmod(r.dir, 0755);
	if (!reachable(r.dir, &err))
		goto bad;
	{
		g_autofree char *run_ini = g_build_filename(r.dir, "run.ini", NULL);

		if (g_file_test(run_ini, G_FILE_TEST_EXISTS)) {
			fprintf(stderr, "%s: %s holds a run already; give a new directory\n",
				r.cmd, r.dir);
			return TB_EXIT_BAD;
		}
	}
	/* run.ini names the scenario as given (its includes are found from
	 * there); the copy records what it said. */
	if (!g_file_get_contents(argv[1], &text, NULL, &err))
		goto bad;
	{
		g_autofree char *copy = g_build_filename(r.dir, "scenario.ini", NULL);

		if (!write_file(copy, text, &err))
			goto bad;
	}
	scenario_copy = g_canonicalize_filename(argv[1], NULL);

	lock = tb_state_lock(&err);
	if (lock < 0)
		goto bad;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	clean_left(&r);
	if (!tb_state_set(r.dir, &err)) {
		close(lock);
		goto bad;
	}
	r.procs = tb_procs_new(r.dir);
	fprintf(stderr, "%s: %s in %s\n", r.cmd, scenario_name(sc), r.dir);

	if (!setup(&r, &failure)) {
		/* Set-up failed: nothing ran; exit 2, as bad input does. */
		teardown(&r);
		tb_procs_free(r.procs);
		tb_state_set(NULL, NULL);
		close(lock);
		fprintf(stderr, "%s: %s\n", r.cmd, failure->message);
		return TB_EXIT_BAD;
	}
	watch(&r, &failure);
	/* The run's end is the scenario's, as in the simulator: what the
	 * clients still did afterwards is not counted (visits then under way
	 * are in progress); a run that failed ends when it failed. */
	r.end_ns = CLAMP(now_ns(), r.start_ns, r.start_ns + (gint64)r.end);
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	teardown(&r);
	tb_procs_free(r.procs);
	tb_state_set(NULL, NULL);
	close(lock);
	if (!write_run_ini(&r, scenario_copy, sets, (uint64_t)replication, failure))
		return TB_EXIT_FAILED;
	rc = failure ? TB_EXIT_FAILED : 0;
	if (failure)
		fprintf(stderr, "%s: the run failed: %s\n", r.cmd, failure->message);
	if (!no_import) {
		g_autoptr(GError) e = NULL;

		if (!tb_import(r.dir, db ? db : "results.db", replace ? TB_IMPORT_REPLACE : 0,
			       &e)) {
			/* The run is kept: fc-testbed import DIR records it later. */
			fprintf(stderr, "%s: %s (the run is in %s)\n", r.cmd, e->message, r.dir);
			return TB_EXIT_BAD;
		}
		fprintf(stderr, "%s: results in %s (run directory %s)\n", r.cmd,
			db ? db : "results.db", r.dir);
	}
	g_free(r.dir);
	g_free(r.bindir);
	g_free(r.netns_sh);
	g_free(r.secret);
	return rc;
bad:
	fprintf(stderr, "%s: %s\n", r.cmd, err->message);
	g_free(r.dir);
	g_free(r.bindir);
	g_free(r.netns_sh);
	return TB_EXIT_BAD;
}
