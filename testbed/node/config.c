/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/node/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "flashcoop/quantity.h"

G_DEFINE_QUARK(tb-node-config-error-quark, tb_node_config_error)

/* Bytes of a configuration file, at most. */
#define CONFIG_MAX_BYTES (1u << 20)

struct parse {
	GKeyFile *kf;
	const char *path;
	GError **err;
};

static bool
fail(struct parse *p, enum tb_node_config_error code, const char *group, const char *key,
     const char *fmt, ...) G_GNUC_PRINTF(5, 6);

static bool
fail(struct parse *p, enum tb_node_config_error code, const char *group, const char *key,
     const char *fmt, ...)
{
	va_list ap;
	g_autofree char *what = NULL;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (key)
		g_set_error(p->err, TB_NODE_CONFIG_ERROR, code, "%s: [%s] %s: %s", p->path, group,
			    key, what);
	else if (group)
		g_set_error(p->err, TB_NODE_CONFIG_ERROR, code, "%s: [%s]: %s", p->path, group,
			    what);
	else
		g_set_error(p->err, TB_NODE_CONFIG_ERROR, code, "%s: %s", p->path, what);
	return false;
}

/* Every key of group is in allowed. */
static bool
known_keys(struct parse *p, const char *group, const char *const *allowed)
{
	g_auto(GStrv) keys = g_key_file_get_keys(p->kf, group, NULL, NULL);

	for (size_t i = 0; keys && keys[i]; i++)
		if (!g_strv_contains(allowed, keys[i]))
			return fail(p, TB_NODE_CONFIG_ERROR_KEY, group, keys[i], "unknown key");
	return true;
}

/*
 * The raw value of a key, NULL when it is absent (then an error when it is
 * required).  *ok says whether the caller may go on.
 */
static char *
raw(struct parse *p, const char *group, const char *key, bool required, bool *ok)
{
	char *v;

	*ok = true;
	if (!g_key_file_has_key(p->kf, group, key, NULL)) {
		if (required)
			*ok = fail(p, TB_NODE_CONFIG_ERROR_KEY, group, key, "missing");
		return NULL;
	}
	v = g_key_file_get_value(p->kf, group, key, NULL);
	g_strstrip(v);
	if (!*v) {
		g_free(v);
		*ok = fail(p, TB_NODE_CONFIG_ERROR_VALUE, group, key, "empty value");
		return NULL;
	}
	return v;
}

static bool
parse_u64_text(const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	guint64 v;

	if (!g_ascii_isdigit(text[0]))
		return false;
	errno = 0;
	v = g_ascii_strtoull(text, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool
get_uint(struct parse *p, const char *group, const char *key, bool required, uint64_t min,
	 uint64_t max, uint64_t *out)
{
	bool ok;
	g_autofree char *v = raw(p, group, key, required, &ok);

	if (!v)
		return ok;
	if (!parse_u64_text(v, max, out) || *out < min)
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, group, key,
			    "expected a whole number from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
			    ", found '%s'", min, max, v);
	return true;
}

static bool
get_real(struct parse *p, const char *group, const char *key, double min, double max,
	 double *out)
{
	bool ok;
	g_autofree char *v = raw(p, group, key, false, &ok);
	char *end;
	double d;

	if (!v)
		return ok;
	d = g_ascii_strtod(v, &end);
	if (*end || end == v || !(d >= min && d <= max))
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, group, key,
			    "expected a number from %g to %g, found '%s'", min, max, v);
	*out = d;
	return true;
}

static bool
get_bool(struct parse *p, const char *group, const char *key, bool *out)
{
	bool ok;
	g_autofree char *v = raw(p, group, key, false, &ok);

	if (!v)
		return ok;
	if (strcmp(v, "true") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0)
		*out = false;
	else
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, group, key,
			    "expected true or false, found '%s'", v);
	return true;
}

static bool
get_duration(struct parse *p, const char *group, const char *key, bool positive,
	     fc_time_t *out)
{
	bool ok;
	g_autofree char *v = raw(p, group, key, false, &ok);
	fc_time_t t;

	if (!v)
		return ok;
	if (!fc_time_parse(v, &t))
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, group, key,
			    "expected a duration such as 30s, 250ms or 2h, found '%s'", v);
	if (positive && t == 0)
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, group, key,
			    "must be more than zero, found '%s'", v);
	*out = t;
	return true;
}

static bool
get_size(struct parse *p, const char *group, const char *key, bool required, uint64_t *out)
{
	bool ok;
	g_autofree char *v = raw(p, group, key, required, &ok);

	if (!v)
		return ok;
	if (!fc_size_parse(v, out))
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, group, key,
			    "expected a size such as 4096B, 64KiB or 1MB, found '%s'", v);
	return true;
}

static bool
get_enum(struct parse *p, const char *group, const char *key,
	 const struct fc_enum_name *table, int *out)
{
	bool ok;
	g_autofree char *v = raw(p, group, key, false, &ok);
	const struct fc_enum_name *e;
	g_autoptr(GString) names = NULL;

	if (!v)
		return ok;
	e = fc_enum_find(table, v);
	if (e) {
		*out = e->value;
		return true;
	}
	names = g_string_new(NULL);
	for (size_t i = 0; table[i].name; i++)
		g_string_append_printf(names, "%s%s", i ? ", " : "", table[i].name);
	return fail(p, TB_NODE_CONFIG_ERROR_VALUE, group, key, "expected one of %s, found '%s'",
		    names->str, v);
}

static bool
get_string(struct parse *p, const char *group, const char *key, bool required, char **out)
{
	bool ok;
	char *v = raw(p, group, key, required, &ok);

	if (v) {
		g_free(*out);
		*out = v;
	}
	return ok;
}

static bool
get_ipv4(struct parse *p, const char *group, const char *key, bool required, uint32_t *out)
{
	bool ok;
	g_autofree char *v = raw(p, group, key, required, &ok);
	struct in_addr a;

	if (!v)
		return ok;
	if (inet_pton(AF_INET, v, &a) != 1)
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, group, key,
			    "expected an IPv4 address such as 10.77.1.2, found '%s'", v);
	*out = ntohl(a.s_addr);
	return true;
}

static bool
get_key_hex(struct parse *p, const char *group, const char *key, uint8_t **out, size_t *len)
{
	bool ok;
	g_autofree char *v = raw(p, group, key, true, &ok);
	size_t n;

	if (!v)
		return ok;
	n = strlen(v);
	if (n % 2 || n / 2 < FC_MIN_KEY || n / 2 > 1024)
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, group, key,
			    "expected %d to 1024 bytes in hex (an even number of hex digits), "
			    "found %zu digits", FC_MIN_KEY, n);
	*out = g_malloc(n / 2);
	*len = n / 2;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = g_ascii_xdigit_value(v[2 * i]), lo = g_ascii_xdigit_value(v[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return fail(p, TB_NODE_CONFIG_ERROR_VALUE, group, key,
				    "'%c%c' at digit %zu is not hex", v[2 * i], v[2 * i + 1],
				    2 * i + 1);
		(*out)[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* "[site 3]" or "[peer 3]": the id after the word. */
static bool
group_id(struct parse *p, const char *group, const char *word, uint64_t *id)
{
	const char *rest = group + strlen(word);

	if (*rest != ' ' || !parse_u64_text(rest + 1, UINT32_MAX, id))
		return fail(p, TB_NODE_CONFIG_ERROR_GROUP, group, NULL,
			    "expected [%s ID] with ID a whole number up to 4294967295", word);
	return true;
}

static const char *const node_keys[] = {
	"id", "address", "udp_port", "socket", "log", "pid_file", "load_interval",
	"listen_port", "backlog", "interface", "uplink", "threads", "publish", "load_form", NULL,
};

static bool
parse_node(struct parse *p, struct tb_node_config *c)
{
	const char *g = "node";
	uint64_t v;

	if (!g_key_file_has_group(p->kf, g))
		return fail(p, TB_NODE_CONFIG_ERROR_GROUP, g, NULL, "missing");
	if (!known_keys(p, g, node_keys))
		return false;
	if (!get_uint(p, g, "id", true, 0, UINT32_MAX, &v))
		return false;
	c->id = (fc_node_id)v;
	if (!get_ipv4(p, g, "address", true, &c->address))
		return false;
	v = 7010;
	if (!get_uint(p, g, "udp_port", false, 1, 65535, &v))
		return false;
	c->udp_port = (uint16_t)v;
	if (!get_string(p, g, "socket", true, &c->socket_path) ||
	    !get_string(p, g, "log", true, &c->log_path) ||
	    !get_string(p, g, "pid_file", false, &c->pid_file))
		return false;
	if (strlen(c->socket_path) >= 108)
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, g, "socket",
			    "a Unix socket path has at most 107 bytes, found %zu",
			    strlen(c->socket_path));
	c->load_interval = FC_SEC;
	if (!get_duration(p, g, "load_interval", true, &c->load_interval))
		return false;
	v = 80;
	if (!get_uint(p, g, "listen_port", false, 0, 65535, &v))
		return false;
	c->listen_port = (uint16_t)v;
	v = 0;
	if (!get_uint(p, g, "backlog", false, 0, INT_MAX, &v))
		return false;
	c->backlog = (unsigned)v;
	if (!get_string(p, g, "interface", false, &c->interface))
		return false;
	if (c->interface && (strlen(c->interface) >= 16 || strchr(c->interface, '/') ||
			     c->interface[0] == '.'))
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, g, "interface",
			    "not an interface name: '%s'", c->interface);
	if (g_key_file_has_key(p->kf, g, "uplink", NULL)) {
		bool ok;
		g_autofree char *u = raw(p, g, "uplink", true, &ok);

		if (!u)
			return false;
		if (!fc_rate_parse(u, &c->uplink_bps) || c->uplink_bps == 0)
			return fail(p, TB_NODE_CONFIG_ERROR_VALUE, g, "uplink",
				    "expected a rate above zero such as 10Mbit/s, found '%s'", u);
	} else if (c->interface) {
		return fail(p, TB_NODE_CONFIG_ERROR_KEY, g, "uplink",
			    "missing (interface is set: the uplink's capacity is needed)");
	}
	v = 4;
	if (!get_uint(p, g, "threads", false, 1, 64, &v))
		return false;
	c->threads = (unsigned)v;
	{
		static const struct fc_enum_name forms[] = {
			{ "paper", 0 }, { "demand", 1 }, { NULL, 0 },
		};
		int e = 0;

		if (!get_enum(p, g, "load_form", forms, &e))
			return false;
		c->load_demand = e == 1;
	}
	return get_bool(p, g, "publish", &c->publish);
}

static const char *const coop_keys[] = {
	"flash_threshold", "low_water", "smoothing", "smooth_time", "leave", "flash_hold",
	"calm_hold", "extend_while_high", "rescue_hold", "protect_self", "protect_threshold",
	"share", "redirect_share", "target_load", "max_share", "target", "probe_mode",
	"probe_interval", "probe_jitter", "probe_timeout", "probe_misses",
	"heartbeat_interval", "replay_window", "start_guard", "token_life", "token_fetches",
	"max_fetches", "spread", "dns_when", "takeover_dns", NULL,
};

static bool
parse_coop(struct parse *p, struct fc_config *f)
{
	const char *g = "coop";
	int e;
	uint64_t v;

	if (!g_key_file_has_group(p->kf, g))
		return true; /* every field keeps the core's default */
	if (!known_keys(p, g, coop_keys))
		return false;
	if (!get_real(p, g, "flash_threshold", 0, 1e6, &f->flash_threshold) ||
	    !get_real(p, g, "low_water", 0, 1e6, &f->low_water))
		return false;
	e = (int)f->smoothing;
	if (!get_enum(p, g, "smoothing", fc_smoothing_names, &e))
		return false;
	f->smoothing = (enum fc_smoothing)e;
	if (!get_duration(p, g, "smooth_time", true, &f->smooth_time))
		return false;
	e = (int)f->leave;
	if (!get_enum(p, g, "leave", fc_leave_names, &e))
		return false;
	f->leave = (enum fc_leave)e;
	if (!get_duration(p, g, "flash_hold", true, &f->flash_hold) ||
	    !get_duration(p, g, "calm_hold", true, &f->calm_hold) ||
	    !get_bool(p, g, "extend_while_high", &f->extend_while_high) ||
	    !get_duration(p, g, "rescue_hold", true, &f->rescue_hold) ||
	    !get_bool(p, g, "protect_self", &f->protect_self) ||
	    !get_real(p, g, "protect_threshold", 0, 1e6, &f->protect_threshold))
		return false;
	e = (int)f->share;
	if (!get_enum(p, g, "share", fc_share_names, &e))
		return false;
	f->share = (enum fc_share)e;
	if (!get_real(p, g, "redirect_share", 0, 1, &f->redirect_share) ||
	    !get_real(p, g, "target_load", 0, 1e6, &f->target_load) ||
	    !get_real(p, g, "max_share", 0, 1, &f->max_share))
		return false;
	e = (int)f->target;
	if (!get_enum(p, g, "target", fc_target_names, &e))
		return false;
	f->target = (enum fc_target)e;
	e = (int)f->probe_mode;
	if (!get_enum(p, g, "probe_mode", fc_probe_mode_names, &e))
		return false;
	f->probe_mode = (enum fc_probe_mode)e;
	if (f->probe_mode == FC_PROBE_HOST)
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, g, "probe_mode",
			    "fc-noded probes its cooperators by message only: 'host' is not "
			    "supported, use 'message'");
	if (!get_duration(p, g, "probe_interval", true, &f->probe_interval) ||
	    !get_real(p, g, "probe_jitter", 0, 1, &f->probe_jitter) ||
	    !get_duration(p, g, "probe_timeout", true, &f->probe_timeout))
		return false;
	v = f->probe_misses;
	if (!get_uint(p, g, "probe_misses", false, 1, 1000, &v))
		return false;
	f->probe_misses = (unsigned)v;
	if (!get_duration(p, g, "heartbeat_interval", true, &f->heartbeat_interval) ||
	    !get_duration(p, g, "replay_window", true, &f->replay_window) ||
	    !get_duration(p, g, "start_guard", false, &f->start_guard) ||
	    !get_duration(p, g, "token_life", true, &f->token_life))
		return false;
	v = f->token_fetches;
	if (!get_uint(p, g, "token_fetches", false, 1, UINT_MAX, &v))
		return false;
	f->token_fetches = (unsigned)v;
	v = f->max_fetches;
	if (!get_uint(p, g, "max_fetches", false, 1, UINT_MAX, &v))
		return false;
	f->max_fetches = (unsigned)v;
	e = (int)f->spread;
	if (!get_enum(p, g, "spread", fc_spread_names, &e))
		return false;
	f->spread = (enum fc_spread)e;
	e = (int)f->dns_when;
	if (!get_enum(p, g, "dns_when", fc_dns_when_names, &e))
		return false;
	f->dns_when = (enum fc_dns_when)e;
	return get_bool(p, g, "takeover_dns", &f->takeover_dns);
}

static const char *const site_keys[] = { "bytes", "owner", "root", NULL };
static const char *const peer_keys[] = {
	"address", "port", "http", "key", "accepts_copy", "copy_limit", "holds_copy", NULL,
};

static bool
parse_site(struct parse *p, const char *g, uint64_t id, struct tb_node_site *s)
{
	uint64_t v;

	if (!known_keys(p, g, site_keys))
		return false;
	s->id = (uint32_t)id;
	if (!get_size(p, g, "bytes", true, &s->bytes))
		return false;
	if (!get_uint(p, g, "owner", true, 0, UINT32_MAX, &v))
		return false;
	s->owner = (fc_node_id)v;
	return get_string(p, g, "root", false, &s->root);
}

static bool
parse_peer(struct parse *p, const char *g, uint64_t id, uint16_t default_port,
	   struct tb_node_peer *q)
{
	uint64_t v;
	char addr[INET_ADDRSTRLEN];
	struct in_addr a;

	if (!known_keys(p, g, peer_keys))
		return false;
	q->id = (fc_node_id)id;
	if (!get_ipv4(p, g, "address", true, &q->address))
		return false;
	v = default_port;
	if (!get_uint(p, g, "port", false, 1, 65535, &v))
		return false;
	q->port = (uint16_t)v;
	if (!get_string(p, g, "http", false, &q->http))
		return false;
	if (q->http && (strlen(q->http) >= 128 || strpbrk(q->http, " /?#@\t")))
		return fail(p, TB_NODE_CONFIG_ERROR_VALUE, g, "http",
			    "expected host or host:port for redirect URLs, found '%s'", q->http);
	if (!q->http) {
		a.s_addr = htonl(q->address);
		inet_ntop(AF_INET, &a, addr, sizeof addr);
		q->http = g_strdup(addr);
	}
	if (!get_key_hex(p, g, "key", &q->key, &q->key_len))
		return false;
	q->copy_limit = UINT64_MAX;
	return get_bool(p, g, "accepts_copy", &q->accepts_copy) &&
	       get_size(p, g, "copy_limit", false, &q->copy_limit) &&
	       get_bool(p, g, "holds_copy", &q->holds_copy);
}

static int
site_cmp(const void *a, const void *b)
{
	const struct tb_node_site *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int
peer_cmp(const void *a, const void *b)
{
	const struct tb_node_peer *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Fills c->fc's sites and peers from c's lists. */
static bool
build_core(struct parse *p, struct tb_node_config *c)
{
	size_t own = 0, k = 0;
	int rc;

	for (size_t i = 1; i < c->nsites; i++)
		if (c->sites[i].id == c->sites[i - 1].id) {
			g_autofree char *g = g_strdup_printf("site %u", c->sites[i].id);

			return fail(p, TB_NODE_CONFIG_ERROR_GROUP, g, NULL, "site %u given twice",
				    c->sites[i].id);
		}
	for (size_t j = 1; j < c->npeers; j++)
		if (c->peers[j].id == c->peers[j - 1].id) {
			g_autofree char *g = g_strdup_printf("peer %u", c->peers[j].id);

			return fail(p, TB_NODE_CONFIG_ERROR_GROUP, g, NULL, "peer %u given twice",
				    c->peers[j].id);
		}
	for (size_t i = 0; i < c->nsites; i++) {
		const struct tb_node_site *s = &c->sites[i];

		if (s->owner != c->id && !tb_node_config_peer(c, s->owner)) {
			g_autofree char *g = g_strdup_printf("site %u", s->id);

			return fail(p, TB_NODE_CONFIG_ERROR_VALUE, g, "owner",
				    "node %u is neither this node ([node] id = %u) nor a [peer]",
				    s->owner, c->id);
		}
		if (s->owner == c->id)
			own++;
	}
	if (own == 0)
		return fail(p, TB_NODE_CONFIG_ERROR_CORE, "node", "id",
			    "no [site] has owner = %u: the node serves no site", c->id);
	c->fc_own_sites = g_new0(struct fc_site, own);
	c->fc_peer_sites = g_new0(struct fc_site, c->nsites - own + 1);
	c->fc_peers = g_new0(struct fc_peer, c->npeers + 1);
	own = 0;
	for (size_t i = 0; i < c->nsites; i++)
		if (c->sites[i].owner == c->id)
			c->fc_own_sites[own++] = (struct fc_site){ c->sites[i].id, c->sites[i].bytes };
	for (size_t j = 0; j < c->npeers; j++) {
		struct fc_peer *fp = &c->fc_peers[j];

		*fp = (struct fc_peer){
			.id = c->peers[j].id,
			.address = c->peers[j].address,
			.key = c->peers[j].key,
			.key_len = c->peers[j].key_len,
			.accepts_copy = c->peers[j].accepts_copy,
			.copy_limit = c->peers[j].copy_limit,
			.holds_copy = c->peers[j].holds_copy,
			.sites = &c->fc_peer_sites[k],
		};
		for (size_t i = 0; i < c->nsites; i++)
			if (c->sites[i].owner == fp->id) {
				c->fc_peer_sites[k++] =
					(struct fc_site){ c->sites[i].id, c->sites[i].bytes };
				fp->nsites++;
			}
	}
	c->fc.id = c->id;
	c->fc.address = c->address;
	c->fc.sites = c->fc_own_sites;
	c->fc.nsites = own;
	c->fc.peers = c->fc_peers;
	c->fc.npeers = c->npeers;
	rc = fc_config_check(&c->fc);
	if (rc)
		return fail(p, TB_NODE_CONFIG_ERROR_CORE, NULL, NULL, "the core refuses it: %s (%s)",
			    fc_strerror(rc), fc_errname(rc));
	return true;
}

static bool
parse_all(struct parse *p, struct tb_node_config *c)
{
	g_auto(GStrv) groups = g_key_file_get_groups(p->kf, NULL);
	g_autoptr(GArray) sites = g_array_new(FALSE, TRUE, sizeof(struct tb_node_site));
	g_autoptr(GArray) peers = g_array_new(FALSE, TRUE, sizeof(struct tb_node_peer));
	bool ok = true;

	if (!parse_node(p, c))
		return false;
	fc_config_default(&c->fc);
	if (!parse_coop(p, &c->fc))
		return false;
	for (size_t i = 0; ok && groups[i]; i++) {
		const char *g = groups[i];
		uint64_t id;

		if (strcmp(g, "node") == 0 || strcmp(g, "coop") == 0 || strcmp(g, "executor") == 0)
			continue;
		if (g_str_has_prefix(g, "site ")) {
			struct tb_node_site s = { 0 };

			ok = group_id(p, g, "site", &id) && parse_site(p, g, id, &s);
			g_array_append_val(sites, s); /* freed with the others on failure */
		} else if (g_str_has_prefix(g, "peer ")) {
			struct tb_node_peer q = { 0 };

			ok = group_id(p, g, "peer", &id) && parse_peer(p, g, id, c->udp_port, &q);
			g_array_append_val(peers, q);
			if (ok && q.id == c->id)
				ok = fail(p, TB_NODE_CONFIG_ERROR_GROUP, g, NULL,
					  "a peer with the node's own id");
		} else {
			ok = fail(p, TB_NODE_CONFIG_ERROR_GROUP, g, NULL,
				  "unknown group (expected node, coop, executor, site ID, peer ID)");
		}
	}
	c->nsites = sites->len;
	c->sites = (struct tb_node_site *)(void *)g_array_free(g_steal_pointer(&sites), FALSE);
	c->npeers = peers->len;
	c->peers = (struct tb_node_peer *)(void *)g_array_free(g_steal_pointer(&peers), FALSE);
	if (!ok)
		return false;
	/* Sorted by id (the key file keeps the file's order); build_core()
	 * refuses an id given twice ([site 5] and [site 05]). */
	if (c->nsites)
		qsort(c->sites, c->nsites, sizeof *c->sites, site_cmp);
	if (c->npeers)
		qsort(c->peers, c->npeers, sizeof *c->peers, peer_cmp);
	return build_core(p, c);
}

struct tb_node_config *
tb_node_config_parse(const char *text, size_t len, const char *path, GError **err)
{
	g_autoptr(tb_node_config) c = g_new0(struct tb_node_config, 1);
	g_autoptr(GError) kerr = NULL;
	struct parse p = { NULL, path, err };

	c->path = g_strdup(path);
	c->keyfile = g_key_file_new();
	p.kf = c->keyfile;
	if (!g_key_file_load_from_data(c->keyfile, text, len, G_KEY_FILE_NONE, &kerr)) {
		g_set_error(err, TB_NODE_CONFIG_ERROR, TB_NODE_CONFIG_ERROR_READ,
			    "%s: not a key file: %s", path, kerr->message);
		return NULL;
	}
	if (!parse_all(&p, c))
		return NULL;
	return g_steal_pointer(&c);
}

struct tb_node_config *
tb_node_config_load(const char *path, GError **err)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) ferr = NULL;
	gsize len;

	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(err, TB_NODE_CONFIG_ERROR, TB_NODE_CONFIG_ERROR_READ,
			    "%s: not a regular file", path);
		return NULL;
	}
	if (!g_file_get_contents(path, &text, &len, &ferr)) {
		g_set_error(err, TB_NODE_CONFIG_ERROR, TB_NODE_CONFIG_ERROR_READ, "%s",
			    ferr->message);
		return NULL;
	}
	if (len > CONFIG_MAX_BYTES) {
		g_set_error(err, TB_NODE_CONFIG_ERROR, TB_NODE_CONFIG_ERROR_READ,
			    "%s: larger than %u bytes", path, CONFIG_MAX_BYTES);
		return NULL;
	}
	return tb_node_config_parse(text, len, path, err);
}

void
tb_node_config_free(struct tb_node_config *c)
{
	if (!c)
		return;
	g_free(c->path);
	g_free(c->socket_path);
	g_free(c->log_path);
	g_free(c->pid_file);
	g_free(c->interface);
	for (size_t i = 0; i < c->nsites; i++)
		g_free(c->sites[i].root);
	g_free(c->sites);
	for (size_t j = 0; j < c->npeers; j++) {
		g_free(c->peers[j].http);
		if (c->peers[j].key)
			memset(c->peers[j].key, 0, c->peers[j].key_len);
		g_free(c->peers[j].key);
	}
	g_free(c->peers);
	g_free(c->fc_own_sites);
	g_free(c->fc_peers);
	g_free(c->fc_peer_sites);
	if (c->keyfile)
		g_key_file_free(c->keyfile);
	g_free(c);
}

const struct tb_node_site *
tb_node_config_site(const struct tb_node_config *c, uint32_t id)
{
	for (size_t i = 0; i < c->nsites; i++)
		if (c->sites[i].id == id)
			return &c->sites[i];
	return NULL;
}

const struct tb_node_peer *
tb_node_config_peer(const struct tb_node_config *c, fc_node_id id)
{
	for (size_t j = 0; j < c->npeers; j++)
		if (c->peers[j].id == id)
			return &c->peers[j];
	return NULL;
}
