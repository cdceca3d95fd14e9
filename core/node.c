/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One node: a web server's cooperation logic (flashcoop/core.h).  The state
 * of Fig. 4 is held as a flag (under a flash crowd or not) and a rescue flag
 * per cooperator, so rescuing A says nothing about B; enum fc_state is what
 * these two give together, and it only moves along core/fsm.c's table.
 */
#include "flashcoop/core.h"
#include "internal.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#define REPLAY_SLOTS 64
#define WINDOW_SAMPLES 1024
/* 2^53: the top 53 of 64 random bits over it give a uniform double in [0, 1). */
#define RANDOM_DOUBLE_BITS 53
#define RANDOM_DOUBLE_SCALE 9007199254740992.0

struct seen {
	fc_time_t ts;
	uint64_t nonce;
};

struct peer {
	/* What each message to or from it reads comes first, in few cache
	 * lines: a node has a peer for every other, and the messages of all
	 * to all visit them all in turn. */
	struct fc__mac_key mac; /* the key, prepared */
	/* Replay memory: the last REPLAY_SLOTS messages (seen, at the end),
	 * and a floor. */
	unsigned nseen, seen_head;
	fc_time_t floor;

	/* Liveness. */
	bool up, outstanding;
	unsigned misses;
	fc_time_t next_probe, probe_deadline;
	uint64_t token;

	/* Rescue of its sites by this node. */
	bool rescuing, whole;
	fc_time_t rescue_until;
	GHashTable *fetched; /* objects fetched, as uint64 keys */
	/* What the rescue holds (fc_node_fetch_done()): some object, and
	 * which of the sites whole (whole_held, a flag per site); and the DNS
	 * plan carried out: this node's record added to its sites' names
	 * (listed), its own record removed in a takeover (delisted). */
	bool held, listed, delisted;
	unsigned nwhole_held;
	bool *whole_held;
	GHashTable *token_uses; /* token (GBytes) -> objects it fetched */

	/* What its heartbeats say. */
	double load, spare;
	bool accepting;
	double swrr; /* smooth weighted round robin credit */

	/* Its last HELP_RELEASE: tokens issued up to then start nothing. */
	bool released;
	fc_time_t released_at;

	/* This node asked it for help, or redirected to it, in this flash. */
	bool asked;

	struct fc_peer cfg;  /* key and sites point to copies below */
	uint8_t *key;
	struct fc_site *sites;

	struct seen seen[REPLAY_SLOTS];
};

struct pending {
	struct fc_action a;
	uint8_t data[FC_MSG_MAX];
};

struct fc_node {
	struct fc_config c;
	struct fc_host host;
	struct fc_site *sites;
	struct peer *peers;
	fc_time_t now;
	/* Start plus start_guard: older messages and tokens are refused, as
	 * a restarted node has forgotten which it saw. */
	fc_time_t start_floor;

	/* Load: the smoothed value, as of load_t (the last report, or the
	 * node's start, when it is 0).  The window's samples each cover the
	 * time from the one before (from wfrom, for the oldest) to their t. */
	double load;
	fc_time_t load_start, load_t;
	struct { fc_time_t t; double v; } window[WINDOW_SAMPLES];
	unsigned wn, whead;
	fc_time_t wfrom;

	/* State. */
	enum fc_state state;
	bool flash, accepting;
	fc_time_t flash_until, calm_since;
	unsigned nrescue;

	/* Redirects. */
	double credit;
	size_t rr_next;

	fc_time_t next_heartbeat;

	struct fc__peer_index by_id;

	/* Each peer's earliest deadline (peer_deadline()), kept up to date
	 * by touch() wherever one of them moves, so that neither the expiry
	 * nor a timer scans all the peers. */
	struct fc__deadlines deadlines;

	/* fc_node_expiry(): the earliest deadline, recomputed only when a
	 * deadline may have changed. */
	bool dirty;
	fc_time_t expiry;

	/* Actions not yet drained. */
	GArray *actions;
	guint head;
};

/* ---- Configuration ---- */

const struct fc_enum_name fc_leave_names[] = {
	{ "timer", FC_LEAVE_TIMER },
	{ "hysteresis", FC_LEAVE_HYSTERESIS },
	{ NULL, 0 },
};

const struct fc_enum_name fc_share_names[] = {
	{ "fixed", FC_SHARE_FIXED },
	{ "feedback", FC_SHARE_FEEDBACK },
	{ NULL, 0 },
};

const struct fc_enum_name fc_target_names[] = {
	{ "round_robin", FC_TARGET_ROUND_ROBIN },
	{ "spare", FC_TARGET_SPARE },
	{ "hash", FC_TARGET_HASH },
	{ NULL, 0 },
};

const struct fc_enum_name fc_spread_names[] = {
	{ "objects", FC_SPREAD_OBJECTS },
	{ "site", FC_SPREAD_SITE },
	{ "predistributed", FC_SPREAD_PREDISTRIBUTED },
	{ NULL, 0 },
};

const struct fc_enum_name fc_dns_when_names[] = {
	{ "data", FC_DNS_ON_DATA },
	{ "rescue", FC_DNS_ON_RESCUE },
	{ NULL, 0 },
};

const struct fc_enum_name fc_smoothing_names[] = {
	{ "ewma", FC_SMOOTH_EWMA },
	{ "window", FC_SMOOTH_WINDOW },
	{ NULL, 0 },
};

const struct fc_enum_name fc_probe_mode_names[] = {
	{ "message", FC_PROBE_MESSAGE },
	{ "host", FC_PROBE_HOST },
	{ NULL, 0 },
};

void
fc_config_default(struct fc_config *c)
{
	memset(c, 0, sizeof *c);
	c->flash_threshold = 0.8;
	c->low_water = 0.5;
	c->smoothing = FC_SMOOTH_EWMA;
	c->smooth_time = 10 * FC_SEC;
	c->leave = FC_LEAVE_TIMER;
	c->flash_hold = 30 * FC_MIN;
	c->calm_hold = 5 * FC_MIN;
	c->rescue_hold = 30 * FC_MIN;
	c->protect_threshold = 0.9;
	c->share = FC_SHARE_FIXED;
	c->redirect_share = 0.5;
	c->target_load = 0.7;
	c->max_share = 0.9;
	c->target = FC_TARGET_ROUND_ROBIN;
	c->probe_mode = FC_PROBE_MESSAGE;
	c->probe_interval = 10 * FC_SEC;
	c->probe_jitter = 0.1;
	c->probe_timeout = 2 * FC_SEC;
	c->probe_misses = 3;
	c->heartbeat_interval = 10 * FC_SEC;
	c->replay_window = 30 * FC_SEC;
	c->start_guard = 0;
	c->token_life = 5 * FC_MIN;
	c->token_fetches = 1024;
	c->max_fetches = 65536;
	c->spread = FC_SPREAD_OBJECTS;
	c->dns_when = FC_DNS_ON_DATA;
	c->takeover_dns = true;
}

static bool
in01(double x)
{
	return x >= 0 && x <= 1;
}

int
fc_config_check(const struct fc_config *c)
{
	if (!c || (c->nsites && !c->sites) || (c->npeers && !c->peers))
		return FC_ERR_INVAL;
	if (c->nsites == 0)
		return FC_ERR_CONFIG_NO_SITE;
	if (c->nsites > FC_MAX_SITES)
		return FC_ERR_CONFIG_SITE_ID;
	if (c->npeers > FC_MAX_PEERS)
		return FC_ERR_CONFIG_PEERS;
	if (!(c->flash_threshold > 0) || !(c->low_water > 0) ||
	    c->low_water > c->flash_threshold || !isfinite(c->flash_threshold))
		return FC_ERR_CONFIG_THRESHOLD;
	if (!in01(c->redirect_share) || !in01(c->max_share) || !in01(c->probe_jitter) ||
	    !(c->target_load > 0) || !isfinite(c->target_load) ||
	    !(c->protect_threshold > 0) || !isfinite(c->protect_threshold))
		return FC_ERR_CONFIG_SHARE;
	if (c->smooth_time == 0 || c->flash_hold == 0 || c->calm_hold == 0 ||
	    c->rescue_hold == 0 || c->probe_interval == 0 || c->probe_timeout == 0 ||
	    c->heartbeat_interval == 0 || c->replay_window == 0 || c->token_life == 0)
		return FC_ERR_CONFIG_TIMER;
	if (c->probe_misses < 1)
		return FC_ERR_CONFIG_PROBE;
	if (c->token_fetches < 1 || c->max_fetches < 1)
		return FC_ERR_CONFIG_FETCHES;
	/* Each choice is one its name table knows, so a value added to an
	 * enum and its table is accepted here without another edit. */
	if (!fc_enum_name_of(fc_leave_names, c->leave) ||
	    !fc_enum_name_of(fc_share_names, c->share) ||
	    !fc_enum_name_of(fc_target_names, c->target) ||
	    !fc_enum_name_of(fc_spread_names, c->spread) ||
	    !fc_enum_name_of(fc_dns_when_names, c->dns_when) ||
	    !fc_enum_name_of(fc_smoothing_names, c->smoothing) ||
	    !fc_enum_name_of(fc_probe_mode_names, c->probe_mode))
		return FC_ERR_CONFIG_POLICY;
	for (size_t i = 0; i < c->nsites; i++)
		for (size_t j = 0; j < i; j++)
			if (c->sites[i].id == c->sites[j].id)
				return FC_ERR_CONFIG_SITE_ID;
	for (size_t i = 0; i < c->npeers; i++) {
		const struct fc_peer *p = &c->peers[i];

		if (p->id == c->id)
			return FC_ERR_CONFIG_PEER_ID;
		for (size_t j = 0; j < i; j++)
			if (c->peers[j].id == p->id)
				return FC_ERR_CONFIG_PEER_ID;
		if (!p->key || p->key_len < FC_MIN_KEY)
			return FC_ERR_CONFIG_KEY;
		if (p->nsites && !p->sites)
			return FC_ERR_INVAL;
		for (size_t s = 0; s < p->nsites; s++)
			for (size_t o = 0; o < c->nsites; o++)
				if (p->sites[s].id == c->sites[o].id)
					return FC_ERR_CONFIG_SITE_ID;
	}
	return 0;
}

/* ---- Actions ---- */

static struct pending *
push(struct fc_node *n, enum fc_action_type type, fc_node_id peer, uint32_t site)
{
	struct pending p;

	memset(&p, 0, sizeof p);
	p.a.type = type;
	p.a.peer = peer;
	p.a.site = site;
	g_array_append_val(n->actions, p);
	return &g_array_index(n->actions, struct pending, n->actions->len - 1);
}

bool
fc_node_next_action(struct fc_node *n, struct fc_action *out)
{
	struct pending *p;

	if (!n || !out || n->head >= n->actions->len) {
		if (n && n->head >= n->actions->len && n->head > 0) {
			g_array_set_size(n->actions, 0);
			n->head = 0;
		}
		return false;
	}
	p = &g_array_index(n->actions, struct pending, n->head++);
	*out = p->a;
	if (out->len)
		out->data = p->data;
	return true;
}

static void
send_msg(struct fc_node *n, struct peer *p, struct fc_msg *m)
{
	struct pending *a = push(n, FC_ACT_SEND, p->cfg.id, 0);
	size_t len = 0;
	int rc;

	m->from = n->c.id;
	m->to = p->cfg.id;
	m->timestamp = n->now;
	m->nonce = n->host.rand(n->host.user);
	rc = fc__msg_encode_with(m, &p->mac, a->data, sizeof a->data, &len);
	g_assert(rc == 0);
	a->a.len = len;
	if (m->type == FC_MSG_HELP_REQUEST || m->type == FC_MSG_HELP_RELEASE)
		a->a.site = m->u.help.site;
}

static void
send_help(struct fc_node *n, struct peer *p, enum fc_msg_type type)
{
	for (size_t s = 0; s < n->c.nsites; s++) {
		struct fc_msg m = { .type = type };

		m.u.help.site = n->sites[s].id;
		m.u.help.bytes = n->sites[s].bytes;
		send_msg(n, p, &m);
	}
}

static void
send_heartbeat(struct fc_node *n, struct peer *p)
{
	struct fc_msg m = { .type = FC_MSG_HEARTBEAT };

	m.u.heartbeat.load = n->load;
	m.u.heartbeat.spare = n->load < 1 ? 1 - n->load : 0;
	m.u.heartbeat.accepting = n->accepting;
	send_msg(n, p, &m);
}

static void refresh(struct fc_node *n);

/* The earliest time at which the node's timer has something to do for p. */
static fc_time_t
peer_deadline(const struct peer *p)
{
	fc_time_t t = MIN(p->next_probe, p->probe_deadline);

	return p->rescuing ? MIN(t, p->rescue_until) : t;
}

/* After any change to p's probe or rescue times. */
static void
touch(struct fc_node *n, struct peer *p)
{
	fc__deadlines_set(&n->deadlines, (size_t)(p - n->peers), peer_deadline(p));
}

/* ---- The state machine ---- */

static void
move(struct fc_node *n, enum fc_input in, fc_node_id peer)
{
	size_t count;
	const struct fc_transition *t = fc_transitions(&count);
	enum fc_state from = n->state;

	for (size_t i = 0; i < count; i++) {
		if (t[i].from == from && t[i].input == in) {
			n->state = t[i].to;
			if (t[i].to != from || in == FC_IN_RESCUE_START ||
			    in == FC_IN_RESCUE_END) {
				struct pending *a = push(n, FC_ACT_STATE, peer, 0);

				a->a.from = from;
				a->a.to = t[i].to;
				a->a.input = in;
			}
			return;
		}
	}
	g_error("flashcoop core: no transition from %s on '%s'", fc_state_name(from),
		fc_input_name(in));
}

static struct peer *
find_peer(struct fc_node *n, fc_node_id id)
{
	uint32_t at;

	return fc__peer_index_find(&n->by_id, id, &at) ? &n->peers[at] : NULL;
}

static void
enter_flash(struct fc_node *n)
{
	n->dirty = true;
	n->flash = true;
	n->flash_until = fc_time_add(n->now, n->c.flash_hold);
	n->calm_since = FC_TIME_NEVER;
	n->credit = 0;
	move(n, FC_IN_LOAD_HIGH, 0);
	/* Ask every cooperator believed up (Fig. 4: help request). */
	for (size_t i = 0; i < n->c.npeers; i++) {
		struct peer *p = &n->peers[i];

		if (p->up) {
			send_help(n, p, FC_MSG_HELP_REQUEST);
			p->asked = true;
		}
	}
}

/*
 * Leaves FLASH (Fig. 10): removes the records that the cooperators added to
 * the own sites' names, and tells them the flash crowd is over.
 */
static void
leave_flash(struct fc_node *n)
{
	n->dirty = true;
	n->flash = false;
	n->flash_until = FC_TIME_NEVER;
	n->calm_since = FC_TIME_NEVER;
	move(n, FC_IN_FLASH_OVER, 0);
	for (size_t i = 0; i < n->c.npeers; i++) {
		struct peer *p = &n->peers[i];

		if (!p->asked)
			continue;
		for (size_t s = 0; s < n->c.nsites; s++) {
			struct pending *a = push(n, FC_ACT_DNS_REMOVE, p->cfg.id,
						 n->sites[s].id);

			a->a.address = p->cfg.address;
		}
		send_help(n, p, FC_MSG_HELP_RELEASE);
		p->asked = false;
	}
}

static void
fetch(struct fc_node *n, struct peer *p, uint32_t site, uint64_t object)
{
	struct pending *a = push(n, FC_ACT_FETCH, p->cfg.id, site);

	a->a.object = object;
}

/* Pushes a DNS action for every site of p's, with address. */
static void
dns_all(struct fc_node *n, struct peer *p, enum fc_action_type type, uint32_t address)
{
	for (size_t s = 0; s < p->cfg.nsites; s++)
		push(n, type, p->cfg.id, p->sites[s].id)->a.address = address;
}

/*
 * Brings the DNS records of p's sites where the rescue wants them, after
 * anything that may move them.  This node's record is on the names while
 * it rescues p and can serve: once it holds data (FC_DNS_ON_DATA: some
 * object, or the whole site when it fetches the whole site; a
 * pre-distributed copy at once), or from the rescue's start
 * (FC_DNS_ON_RESCUE).  In a takeover (takeover_dns, p believed down) p's
 * own record is off the names while this node's is on: clients that
 * resolve the name then reach a server that answers.  p's record goes
 * back before this node's goes, so that the name never has none.
 */
static void
plan_dns(struct fc_node *n, struct peer *p)
{
	bool can_serve = p->cfg.holds_copy || n->c.dns_when == FC_DNS_ON_RESCUE ||
			 (p->whole ? p->nwhole_held == p->cfg.nsites : p->held);
	bool listed = p->rescuing && (p->listed || can_serve);
	bool delisted = listed && n->c.takeover_dns && !p->up;

	if (listed && !p->listed)
		dns_all(n, p, FC_ACT_DNS_ADD, n->c.address);
	if (delisted && !p->delisted)
		dns_all(n, p, FC_ACT_DNS_REMOVE, p->cfg.address);
	if (!delisted && p->delisted)
		dns_all(n, p, FC_ACT_DNS_ADD, p->cfg.address);
	if (!listed && p->listed)
		dns_all(n, p, FC_ACT_DNS_REMOVE, n->c.address);
	p->listed = listed;
	p->delisted = delisted;
}

/*
 * Starts (or renews) the rescue of p: serve its content, add this node to
 * its sites' DNS names when it can serve (plan_dns(); Fig. 7 step 8,
 * Fig. 8 step 4).  whole: fetch the whole site (p is down, or the policy
 * says so).
 */
static void
rescue(struct fc_node *n, struct peer *p, bool whole)
{
	bool fresh = !p->rescuing;

	n->dirty = true;
	p->rescue_until = fc_time_add(n->now, n->c.rescue_hold);
	if (fresh) {
		p->rescuing = true;
		n->nrescue++;
	}
	touch(n, p);
	move(n, FC_IN_RESCUE_START, p->cfg.id);
	whole = whole || n->c.spread == FC_SPREAD_SITE;
	if (whole && !p->whole && !p->cfg.holds_copy) {
		p->whole = true;
		for (size_t s = 0; s < p->cfg.nsites; s++)
			fetch(n, p, p->sites[s].id, FC_WHOLE_SITE);
	}
	plan_dns(n, p);
}

/* Ends the rescue of p (Fig. 10): stop serving, delete, leave DNS. */
static void
end_rescue(struct fc_node *n, struct peer *p)
{
	n->dirty = true;
	if (!p->rescuing)
		return;
	p->rescuing = false;
	p->whole = false;
	p->rescue_until = FC_TIME_NEVER;
	touch(n, p);
	g_hash_table_remove_all(p->fetched);
	g_hash_table_remove_all(p->token_uses);
	n->nrescue--;
	plan_dns(n, p);
	p->held = false;
	p->nwhole_held = 0;
	memset(p->whole_held, 0, MAX(p->cfg.nsites, 1) * sizeof *p->whole_held);
	for (size_t s = 0; s < p->cfg.nsites; s++)
		push(n, FC_ACT_DELETE, p->cfg.id, p->sites[s].id);
	move(n, n->nrescue ? FC_IN_RESCUE_END : FC_IN_LAST_RESCUE_END, p->cfg.id);
}

/* ---- Liveness ---- */

static fc_time_t
jittered(struct fc_node *n, fc_time_t interval)
{
	double u = (double)(n->host.rand(n->host.user) >> (64 - RANDOM_DOUBLE_BITS)) /
		   RANDOM_DOUBLE_SCALE;
	double f = 1 + n->c.probe_jitter * (2 * u - 1);
	double d = (double)interval * f;

	return d < 1 ? 1 : (fc_time_t)d;
}

static void
probe_ok(struct fc_node *n, struct peer *p)
{
	n->dirty = true;
	p->outstanding = false;
	p->probe_deadline = FC_TIME_NEVER;
	touch(n, p);
	p->misses = 0;
	if (!p->up) {
		struct pending *a = push(n, FC_ACT_PEER, p->cfg.id, 0);

		p->up = true;
		a->a.up = true;
		plan_dns(n, p); /* its record back, after a takeover */
	}
}

static void
probe_miss(struct fc_node *n, struct peer *p)
{
	n->dirty = true;
	p->outstanding = false;
	p->probe_deadline = FC_TIME_NEVER;
	touch(n, p);
	p->misses++;
	if (p->up && p->misses >= n->c.probe_misses) {
		push(n, FC_ACT_PEER, p->cfg.id, 0)->a.up = false;
		p->up = false;
		/* Fig. 8: the cooperator is down, under a flash crowd: rescue
		 * its whole site. */
		if (p->cfg.nsites)
			rescue(n, p, true);
	}
}

static void
start_probe(struct fc_node *n, struct peer *p)
{
	n->dirty = true;
	p->next_probe = fc_time_add(n->now, jittered(n, n->c.probe_interval));
	if (p->outstanding) {
		touch(n, p);
		return;
	}
	p->outstanding = true;
	if (n->c.probe_mode == FC_PROBE_HOST) {
		push(n, FC_ACT_PROBE, p->cfg.id, 0);
		p->probe_deadline = FC_TIME_NEVER;
	} else {
		struct fc_msg m = { .type = FC_MSG_PROBE };

		p->token = n->host.rand(n->host.user);
		m.u.probe.token = p->token;
		send_msg(n, p, &m);
		p->probe_deadline = fc_time_add(n->now, n->c.probe_timeout);
	}
	touch(n, p);
}

/* ---- The node ---- */

int
fc_node_new(const struct fc_config *c, const struct fc_host *host, fc_time_t now,
	    struct fc_node **out)
{
	struct fc_node *n;
	int rc;

	if (!host || !host->rand || !out)
		return FC_ERR_INVAL;
	rc = fc_config_check(c);
	if (rc)
		return rc;
	n = g_new0(struct fc_node, 1);
	n->c = *c;
	n->host = *host;
	n->now = now;
	n->start_floor = fc_time_add(now, c->start_guard);
	n->sites = g_memdup2(c->sites, c->nsites * sizeof *c->sites);
	n->c.sites = n->sites;
	n->peers = g_new0(struct peer, MAX(c->npeers, 1));
	n->c.peers = NULL;
	fc__deadlines_init(&n->deadlines, c->npeers);
	for (size_t i = 0; i < c->npeers; i++) {
		struct peer *p = &n->peers[i];

		p->cfg = c->peers[i];
		p->key = g_memdup2(c->peers[i].key, c->peers[i].key_len);
		p->sites = g_memdup2(c->peers[i].sites,
				     c->peers[i].nsites * sizeof *c->peers[i].sites);
		p->cfg.key = p->key;
		p->cfg.sites = p->sites;
		fc__mac_key_init(&p->mac, p->key, p->cfg.key_len);
		p->up = true;
		p->accepting = true;
		p->spare = 1;
		p->rescue_until = FC_TIME_NEVER;
		p->probe_deadline = FC_TIME_NEVER;
		p->fetched = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
		p->whole_held = g_new0(bool, MAX(c->peers[i].nsites, 1));
		p->token_uses = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
						      (GDestroyNotify)g_bytes_unref, NULL);
		/* The first probes are spread over one interval. */
		p->next_probe = fc_time_add(now, jittered(n, c->probe_interval) / 2 + 1);
		touch(n, p);
	}
	n->load_start = n->load_t = n->wfrom = now;
	n->state = FC_STATE_LOW;
	n->accepting = true;
	n->flash_until = n->calm_since = FC_TIME_NEVER;
	n->next_heartbeat = fc_time_add(now, c->heartbeat_interval);
	n->actions = g_array_new(FALSE, FALSE, sizeof(struct pending));
	n->dirty = true;
	refresh(n);
	{
		g_autofree fc_node_id *ids = g_new(fc_node_id, MAX(c->npeers, 1));

		for (size_t i = 0; i < c->npeers; i++)
			ids[i] = c->peers[i].id;
		fc__peer_index_init(&n->by_id, ids, c->npeers);
	}
	*out = n;
	return 0;
}

void
fc_node_free(struct fc_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->c.npeers; i++) {
		g_free(n->peers[i].key);
		g_free(n->peers[i].sites);
		g_hash_table_unref(n->peers[i].fetched);
		g_free(n->peers[i].whole_held);
		g_hash_table_unref(n->peers[i].token_uses);
	}
	g_free(n->peers);
	fc__deadlines_clear(&n->deadlines);
	g_free(n->sites);
	g_array_unref(n->actions);
	fc__peer_index_clear(&n->by_id);
	g_free(n);
}

/* Time never goes back for the node: an earlier now counts as the last. */
static void
advance(struct fc_node *n, fc_time_t now)
{
	if (now > n->now)
		n->now = now;
}

/*
 * The smoothed load after a sample m that describes the time since the
 * last report (or since the node started).  Both forms start from a load
 * of 0 at the start, so a first sample weighs only the time it covers: a
 * burst at the first report does not enter unsmoothed.  A report at the
 * same instant as the one before weighs nothing.
 *
 * EWMA: L += (1 - exp(-dt / smooth_time)) (m - L), the exact update of
 * the continuous exponential average of a load held at m for dt.
 * Window: the time-weighted mean over the last smooth_time, in which the
 * time before the start counts as load 0 (when more than WINDOW_SAMPLES
 * reports fall in the window, the mean is over the time the kept ones
 * cover).
 */
static double
smooth(struct fc_node *n, double m)
{
	fc_time_t dt = n->now - n->load_t;

	if (dt == 0)
		return n->load;
	if (n->c.smoothing == FC_SMOOTH_EWMA) {
		double a = -expm1(-(double)dt / (double)n->c.smooth_time);

		n->load += a * (m - n->load);
	} else {
		fc_time_t lo = n->now > n->c.smooth_time ? n->now - n->c.smooth_time : 0;
		fc_time_t from, span;
		double sum = 0;

		if (n->wn == WINDOW_SAMPLES) {
			n->wfrom = n->window[n->whead].t;
			n->whead = (n->whead + 1) % WINDOW_SAMPLES;
			n->wn--;
		}
		n->window[(n->whead + n->wn) % WINDOW_SAMPLES].t = n->now;
		n->window[(n->whead + n->wn) % WINDOW_SAMPLES].v = m;
		n->wn++;
		/* Samples that end before the window are out of it. */
		while (n->window[n->whead].t <= lo) {
			n->wfrom = n->window[n->whead].t;
			n->whead = (n->whead + 1) % WINDOW_SAMPLES;
			n->wn--;
		}
		from = n->wfrom;
		for (unsigned i = 0; i < n->wn; i++) {
			unsigned k = (n->whead + i) % WINDOW_SAMPLES;

			sum += n->window[k].v * (double)(n->window[k].t - MAX(from, lo));
			from = n->window[k].t;
		}
		/* Before the start, the load was 0; samples dropped for room
		 * leave the mean to the time the others cover. */
		span = n->wfrom > lo && n->wfrom != n->load_start ? n->now - n->wfrom :
		       n->c.smooth_time;
		n->load = sum / (double)span;
	}
	n->load_t = n->now;
	return n->load;
}

static int
node_report_load(struct fc_node *n, fc_time_t now, const struct fc_load *loads,
		    size_t count)
{
	double m = 0;
	bool was_accepting;

	if (!n || (count && !loads))
		return FC_ERR_INVAL;
	for (size_t i = 0; i < count; i++) {
		if (!(loads[i].limit > 0) || !(loads[i].value >= 0) ||
		    !isfinite(loads[i].value) || !isfinite(loads[i].limit))
			return FC_ERR_INVAL;
		m = MAX(m, loads[i].value / loads[i].limit);
	}
	advance(n, now);
	n->dirty = true;
	smooth(n, m);
	if (n->load > n->c.flash_threshold) {
		if (!n->flash)
			enter_flash(n);
		else if (n->c.leave == FC_LEAVE_TIMER && n->c.extend_while_high)
			n->flash_until = fc_time_add(n->now, n->c.flash_hold);
		n->calm_since = FC_TIME_NEVER;
	} else if (n->flash && n->c.leave == FC_LEAVE_HYSTERESIS) {
		if (n->load < n->c.low_water) {
			if (n->calm_since == FC_TIME_NEVER)
				n->calm_since = n->now;
		} else {
			n->calm_since = FC_TIME_NEVER;
		}
	}
	was_accepting = n->accepting;
	n->accepting = !(n->c.protect_self && n->load > n->c.protect_threshold);
	if (was_accepting != n->accepting)
		for (size_t i = 0; i < n->c.npeers; i++)
			send_heartbeat(n, &n->peers[i]);
	return 0;
}

double
fc_node_load(const struct fc_node *n)
{
	return n->load;
}

static const struct fc__mac_key *
mac_for(void *user, fc_node_id from)
{
	struct peer *p = find_peer(user, from);

	return p ? &p->mac : NULL;
}

/*
 * Whether (ts, nonce) from p is fresh at now: within the window, not before
 * the node's floor, not seen.  Changes nothing; remember() records it.
 */
static int
check_replay(const struct fc_node *n, const struct peer *p, fc_time_t now, fc_time_t ts,
	     uint64_t nonce)
{
	fc_time_t w = n->c.replay_window;

	if ((ts > now && ts - now > w) || (ts < now && now - ts > w))
		return FC_ERR_MSG_STALE;
	/* Sent before this node started: it may have been seen by the node
	 * that ran before a restart, whose memory is gone. */
	if (ts < n->start_floor)
		return FC_ERR_MSG_STALE;
	if (p->nseen && ts <= p->floor)
		return FC_ERR_MSG_REPLAY;
	for (unsigned i = 0; i < p->nseen; i++) {
		const struct seen *s = &p->seen[(p->seen_head + i) % REPLAY_SLOTS];

		if (s->nonce == nonce && s->ts == ts)
			return FC_ERR_MSG_REPLAY;
	}
	return 0;
}

/* Remembers an accepted (ts, nonce) from p, at the node's now. */
static void
remember(struct fc_node *n, struct peer *p, fc_time_t ts, uint64_t nonce)
{
	fc_time_t w = n->c.replay_window;

	/* Entries older than the window can go: the stale check refuses
	 * anything as old.  Honest senders' messages come in about the order
	 * they were sent, so the oldest are at the head. */
	while (p->nseen && n->now > w && p->seen[p->seen_head].ts < n->now - w) {
		p->seen_head = (p->seen_head + 1) % REPLAY_SLOTS;
		p->nseen--;
	}
	if (p->nseen == REPLAY_SLOTS) {
		/* Forget the oldest, and refuse anything as old from now on. */
		const struct seen *old = &p->seen[p->seen_head];

		p->floor = MAX(p->floor, old->ts);
		p->seen_head = (p->seen_head + 1) % REPLAY_SLOTS;
		p->nseen--;
	}
	p->seen[(p->seen_head + p->nseen) % REPLAY_SLOTS] = (struct seen){ ts, nonce };
	p->nseen++;
}

static bool
peer_has_site(const struct peer *p, uint32_t site)
{
	for (size_t s = 0; s < p->cfg.nsites; s++)
		if (p->sites[s].id == site)
			return true;
	return false;
}

static int
node_recv(struct fc_node *n, fc_time_t now, const uint8_t *buf, size_t len)
{
	struct fc_msg m;
	struct peer *p;
	int rc;

	if (!n)
		return FC_ERR_INVAL;
	if (!buf)
		return FC_ERR_INVAL;
	rc = fc__msg_decode_with(buf, len, n->c.id, mac_for, n, &m);
	if (rc)
		return rc;
	p = find_peer(n, m.from);
	if ((m.type == FC_MSG_HELP_REQUEST || m.type == FC_MSG_HELP_RELEASE) &&
	    !peer_has_site(p, m.u.help.site))
		return FC_ERR_MSG_PAYLOAD;
	/* Judged at the time it would have, but a rejected message does not
	 * move the node's clock: a forged one must not push its timers. */
	rc = check_replay(n, p, MAX(n->now, now), m.timestamp, m.nonce);
	if (rc)
		return rc;
	advance(n, now);
	remember(n, p, m.timestamp, m.nonce);
	switch (m.type) {
	case FC_MSG_HELP_REQUEST:
		/* Never refused, also under a flash crowd (section 4.2.5). */
		rescue(n, p, false);
		break;
	case FC_MSG_HELP_RELEASE:
		/* The tokens p issued up to now belong to the flash crowd that
		 * is over: they must not start the rescue again. */
		p->released_at = p->released ? MAX(p->released_at, m.timestamp) : m.timestamp;
		p->released = true;
		end_rescue(n, p);
		break;
	case FC_MSG_HEARTBEAT:
		p->load = m.u.heartbeat.load;
		p->spare = m.u.heartbeat.spare;
		p->accepting = m.u.heartbeat.accepting;
		break;
	case FC_MSG_PROBE: {
		struct fc_msg ack = { .type = FC_MSG_ACK };

		ack.u.probe.token = m.u.probe.token;
		send_msg(n, p, &ack);
		break;
	}
	case FC_MSG_ACK:
		if (p->outstanding && m.u.probe.token == p->token &&
		    n->c.probe_mode == FC_PROBE_MESSAGE)
			probe_ok(n, p);
		break;
	}
	return 0;
}

static int
node_probe_result(struct fc_node *n, fc_time_t now, fc_node_id peer, bool alive)
{
	struct peer *p;

	if (!n)
		return FC_ERR_INVAL;
	p = find_peer(n, peer);
	if (!p)
		return FC_ERR_UNKNOWN_PEER;
	advance(n, now);
	if (alive)
		probe_ok(n, p);
	else
		probe_miss(n, p);
	return 0;
}

static int
node_fetch_done(struct fc_node *n, fc_time_t now, uint32_t site, uint64_t object, bool ok)
{
	struct peer *p = NULL;
	size_t s = 0;

	if (!n)
		return FC_ERR_INVAL;
	for (size_t i = 0; i < n->c.npeers && !p; i++)
		for (s = 0; s < n->peers[i].cfg.nsites; s++)
			if (n->peers[i].sites[s].id == site) {
				p = &n->peers[i];
				break;
			}
	if (!p)
		return FC_ERR_UNKNOWN_SITE;
	advance(n, now);
	if (!ok || !p->rescuing)
		return 0;
	p->held = true;
	if (object == FC_WHOLE_SITE && !p->whole_held[s]) {
		p->whole_held[s] = true;
		p->nwhole_held++;
	}
	plan_dns(n, p);
	return 0;
}

static bool
candidate(const struct peer *p)
{
	return p->up && p->accepting;
}

/* SplitMix64's finaliser: a well-mixed hash of 64 bits. */
static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The cooperator a redirected request goes to, or NULL for none. */
static struct peer *
pick(struct fc_node *n, const struct fc_request *req)
{
	size_t np = n->c.npeers;
	struct peer *best = NULL;

	switch (n->c.target) {
	case FC_TARGET_ROUND_ROBIN:
		for (size_t k = 0; k < np; k++) {
			struct peer *p = &n->peers[(n->rr_next + k) % np];

			if (candidate(p)) {
				n->rr_next = (size_t)(p - n->peers) + 1;
				return p;
			}
		}
		return NULL;
	case FC_TARGET_SPARE: {
		/* Smooth weighted round robin over the reported spare capacity. */
		double total = 0;

		for (size_t k = 0; k < np; k++) {
			struct peer *p = &n->peers[k];
			double w = p->spare > 0 ? p->spare : 0;

			if (!candidate(p) || w == 0)
				continue;
			p->swrr += w;
			total += w;
			if (!best || p->swrr > best->swrr)
				best = p;
		}
		if (best)
			best->swrr -= total;
		return best;
	}
	case FC_TARGET_HASH: {
		uint64_t best_h = 0;

		for (size_t k = 0; k < np; k++) {
			struct peer *p = &n->peers[k];
			uint64_t h;

			if (!candidate(p))
				continue;
			h = mix(mix(req->object ^ ((uint64_t)req->site << 32)) ^ p->cfg.id);
			if (!best || h > best_h) {
				best = p;
				best_h = h;
			}
		}
		return best;
	}
	}
	return NULL;
}

static double
share_now(const struct fc_node *n)
{
	double s;

	if (n->c.share == FC_SHARE_FIXED)
		return n->c.redirect_share;
	s = n->load > 0 ? 1 - n->c.target_load / n->load : 0;
	return s < 0 ? 0 : s > n->c.max_share ? n->c.max_share : s;
}

/*
 * The redirect token: its issue time (8 bytes, the origin's clock) and the
 * first 16 bytes of HMAC-SHA256("FCRT" origin helper site issued) under the
 * key the two share.
 */
static void
make_token(const struct fc__mac_key *key, fc_node_id origin, fc_node_id helper,
	   uint32_t site, fc_time_t issued, uint8_t out[FC_TOKEN_LEN])
{
	uint8_t data[24], mac[FC_MAC_LEN];

	memcpy(data, "FCRT", 4);
	fc__put32(data + 4, origin);
	fc__put32(data + 8, helper);
	fc__put32(data + 12, site);
	fc__put64(data + 16, issued);
	fc__mac(key, data, sizeof data, mac);
	fc__put64(out, issued);
	memcpy(out + 8, mac, FC_TOKEN_LEN - 8);
}

/* Whether req carries a token of p's that is good now (core.h). */
static bool
token_valid(const struct fc_node *n, const struct peer *p, const struct fc_request *req)
{
	uint8_t want[FC_TOKEN_LEN];
	fc_time_t issued;

	if (!req->token || req->token_len != FC_TOKEN_LEN)
		return false;
	issued = fc__get64(req->token);
	if (issued > n->now && issued - n->now > n->c.replay_window)
		return false; /* from the future, beyond the clocks' difference */
	if (issued < n->now && n->now - issued > n->c.token_life)
		return false; /* expired */
	if (issued < n->start_floor)
		return false; /* before a restart: releases since are forgotten */
	if (p->released && issued <= p->released_at)
		return false; /* its flash crowd is over */
	make_token(&p->mac, p->cfg.id, n->c.id, req->site, issued, want);
	return fc__equal(want, req->token, FC_TOKEN_LEN);
}

/*
 * Fetches req's object of p's site for a request with a valid token, within
 * the bounds of core.h; false when the token has used its fetches.
 */
static bool
fetch_for(struct fc_node *n, struct peer *p, const struct fc_request *req)
{
	gint64 key = (gint64)req->object;
	g_autoptr(GBytes) token = NULL;
	guint uses;

	if (p->whole || p->cfg.holds_copy || req->object == FC_WHOLE_SITE ||
	    g_hash_table_contains(p->fetched, &key))
		return true;
	if (g_hash_table_size(p->fetched) >= n->c.max_fetches) {
		/* One cooperator's rescue has asked for many objects: the
		 * whole site, once, costs less than more of them. */
		p->whole = true;
		for (size_t s = 0; s < p->cfg.nsites; s++)
			fetch(n, p, p->sites[s].id, FC_WHOLE_SITE);
		return true;
	}
	token = g_bytes_new(req->token, FC_TOKEN_LEN);
	uses = GPOINTER_TO_UINT(g_hash_table_lookup(p->token_uses, token));
	if (uses >= n->c.token_fetches)
		return false;
	g_hash_table_insert(p->token_uses, g_bytes_ref(token), GUINT_TO_POINTER(uses + 1));
	g_hash_table_add(p->fetched, g_memdup2(&key, sizeof key));
	fetch(n, p, req->site, req->object);
	return true;
}

static int
node_route(struct fc_node *n, fc_time_t now, const struct fc_request *req,
	      struct fc_route *out)
{
	if (!n || !req || !out)
		return FC_ERR_INVAL;
	advance(n, now);
	memset(out, 0, sizeof *out);
	for (size_t s = 0; s < n->c.nsites; s++) {
		struct peer *p;

		if (n->sites[s].id != req->site)
			continue;
		out->kind = FC_ROUTE_SERVE;
		if (!n->flash)
			return 0;
		/* A share of the requests, spread exactly: a credit that
		 * redirects whenever it reaches one. */
		n->credit += share_now(n);
		if (n->credit < 1)
			return 0;
		p = pick(n, req);
		if (!p) {
			n->credit = 1; /* redirect the next one if a peer comes back */
			return 0;
		}
		n->credit -= 1;
		p->asked = true;
		out->kind = FC_ROUTE_REDIRECT;
		out->peer = p->cfg.id;
		out->address = p->cfg.address;
		make_token(&p->mac, n->c.id, p->cfg.id, req->site, n->now,
			   out->token);
		return 0;
	}
	for (size_t i = 0; i < n->c.npeers; i++) {
		struct peer *p = &n->peers[i];

		if (!peer_has_site(p, req->site))
			continue;
		if (!token_valid(n, p, req)) {
			/* Not sent by p: starts nothing. */
			out->peer = p->cfg.id;
			if (p->rescuing) {
				out->kind = FC_ROUTE_RESCUE;
				out->address = n->c.address;
			} else {
				out->kind = FC_ROUTE_REDIRECT;
				out->address = p->cfg.address;
			}
			return 0;
		}
		/* A redirected request for p's content (section 4.3.3). */
		rescue(n, p, false);
		out->peer = p->cfg.id;
		if (!fetch_for(n, p, req)) {
			/* The token has fetched its share: back to p for a new one. */
			out->kind = FC_ROUTE_REDIRECT;
			out->address = p->cfg.address;
			return 0;
		}
		out->kind = FC_ROUTE_RESCUE;
		out->address = n->c.address;
		return 0;
	}
	out->kind = FC_ROUTE_UNKNOWN;
	return FC_ERR_UNKNOWN_SITE;
}

static int
node_site_changed(struct fc_node *n, fc_time_t now, uint32_t site)
{
	const struct fc_site *s = NULL;

	if (!n)
		return FC_ERR_INVAL;
	for (size_t i = 0; i < n->c.nsites; i++)
		if (n->sites[i].id == site)
			s = &n->sites[i];
	if (!s)
		return FC_ERR_UNKNOWN_SITE;
	advance(n, now);
	if (n->c.spread != FC_SPREAD_PREDISTRIBUTED)
		return 0;
	for (size_t i = 0; i < n->c.npeers; i++) {
		struct peer *p = &n->peers[i];

		if (p->cfg.accepts_copy && s->bytes <= p->cfg.copy_limit)
			push(n, FC_ACT_PUSH, p->cfg.id, site);
	}
	return 0;
}

static fc_time_t
earliest(const struct fc_node *n)
{
	fc_time_t t = n->next_heartbeat;

	if (n->flash && n->c.leave == FC_LEAVE_TIMER)
		t = MIN(t, n->flash_until);
	if (n->flash && n->c.leave == FC_LEAVE_HYSTERESIS && n->calm_since != FC_TIME_NEVER)
		t = MIN(t, fc_time_add(n->calm_since, n->c.calm_hold));
	return MIN(t, fc__deadlines_first(&n->deadlines));
}

/* Called at the end of every call that may move a deadline. */
static void
refresh(struct fc_node *n)
{
	if (n->dirty) {
		n->expiry = earliest(n);
		n->dirty = false;
	}
}

fc_time_t
fc_node_expiry(const struct fc_node *n)
{
	g_assert(!n->dirty);
	return MAX(n->expiry, n->now);
}

static int
node_handle_expiry(struct fc_node *n, fc_time_t now)
{
	const uint32_t *slots;
	size_t due;

	if (!n)
		return FC_ERR_INVAL;
	advance(n, now);
	n->dirty = true;
	now = n->now;
	if (n->flash && n->c.leave == FC_LEAVE_TIMER && now >= n->flash_until)
		leave_flash(n);
	if (n->flash && n->c.leave == FC_LEAVE_HYSTERESIS &&
	    n->calm_since != FC_TIME_NEVER &&
	    now >= fc_time_add(n->calm_since, n->c.calm_hold))
		leave_flash(n);
	/* Only the peers with something due can have anything to do; they
	 * come in the order of the peers, as a scan of all would meet them,
	 * so the random draws and the actions come in the same order. */
	due = fc__deadlines_due(&n->deadlines, now, &slots);
	for (size_t k = 0; k < due; k++) {
		struct peer *p = &n->peers[slots[k]];

		if (p->outstanding && now >= p->probe_deadline)
			probe_miss(n, p);
		if (now >= p->next_probe)
			start_probe(n, p);
		if (p->rescuing && now >= p->rescue_until)
			end_rescue(n, p);
	}
	if (now >= n->next_heartbeat) {
		for (size_t i = 0; i < n->c.npeers; i++)
			send_heartbeat(n, &n->peers[i]);
		n->next_heartbeat = fc_time_add(now, n->c.heartbeat_interval);
	}
	return 0;
}

enum fc_state
fc_node_state(const struct fc_node *n)
{
	return n->state;
}

bool
fc_node_rescuing(const struct fc_node *n, fc_node_id peer)
{
	for (size_t i = 0; i < n->c.npeers; i++)
		if (n->peers[i].cfg.id == peer)
			return n->peers[i].rescuing;
	return false;
}

bool
fc_node_peer_up(const struct fc_node *n, fc_node_id peer)
{
	for (size_t i = 0; i < n->c.npeers; i++)
		if (n->peers[i].cfg.id == peer)
			return n->peers[i].up;
	return false;
}

int
fc_node_report_load(struct fc_node *n, fc_time_t now, const struct fc_load *loads,
		    size_t count)
{
	int rc = node_report_load(n, now, loads, count);

	if (n)
		refresh(n);
	return rc;
}

int
fc_node_recv(struct fc_node *n, fc_time_t now, const uint8_t *buf, size_t len)
{
	int rc = node_recv(n, now, buf, len);

	if (n)
		refresh(n);
	return rc;
}

int
fc_node_probe_result(struct fc_node *n, fc_time_t now, fc_node_id peer, bool alive)
{
	int rc = node_probe_result(n, now, peer, alive);

	if (n)
		refresh(n);
	return rc;
}

int
fc_node_route(struct fc_node *n, fc_time_t now, const struct fc_request *req,
	      struct fc_route *out)
{
	int rc = node_route(n, now, req, out);

	if (n)
		refresh(n);
	return rc;
}

int
fc_node_fetch_done(struct fc_node *n, fc_time_t now, uint32_t site, uint64_t object, bool ok)
{
	int rc = node_fetch_done(n, now, site, object, ok);

	if (n)
		refresh(n);
	return rc;
}

int
fc_node_site_changed(struct fc_node *n, fc_time_t now, uint32_t site)
{
	int rc = node_site_changed(n, now, site);

	if (n)
		refresh(n);
	return rc;
}

int
fc_node_handle_expiry(struct fc_node *n, fc_time_t now)
{
	int rc = node_handle_expiry(n, now);

	if (n)
		refresh(n);
	return rc;
}
