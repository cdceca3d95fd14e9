/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libflashcoop-core: the cooperation logic of one web server ("node") in a
 * group of servers that rescue each other from flash crowds (seed paper 000,
 * sections 4.2 and 4.3): load measurement and flash-crowd detection, the
 * state machine of its Fig. 4, the redirect policy, liveness checks of the
 * cooperators, the Dynamic DNS plan, the spreading of site data, and the
 * authenticated messages the nodes exchange.
 *
 * The library is sans-I/O and time-injected.  It never reads a clock, never
 * does I/O, keeps no global state and never prints.  Every call takes `now`
 * (nanoseconds from an origin the host chooses; see flashcoop/time.h).
 * fc_node_expiry() says when the node next wants to be called back, and
 * fc_node_handle_expiry() is that call.  What the node wants done — send a
 * message, probe a cooperator, change DNS, fetch or delete content — comes
 * out as actions that the host drains with fc_node_next_action() and carries
 * out.  Randomness comes from the host (struct fc_host).
 *
 * Errors are negative int codes from one table (FC_ERRNO_MAP);
 * fc_strerror() and fc_errname() describe them.  Functions returning int
 * return 0 on success.  Memory: the node copies what it keeps from the
 * configuration; pointers inside an action stay valid until the next call
 * on the node.
 */
#ifndef FLASHCOOP_CORE_H
#define FLASHCOOP_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flashcoop/names.h"
#include "flashcoop/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Errors ---- */

/* X(name, value, message) */
#define FC_ERRNO_MAP(X)                                                          \
	X(INVAL, -1, "invalid argument")                                         \
	X(CONFIG_NO_SITE, -10, "the node serves no site")                        \
	X(CONFIG_PEERS, -11, "too many cooperators (more than FC_MAX_PEERS)")    \
	X(CONFIG_PEER_ID, -12, "a cooperator's id is the node's own, or repeated") \
	X(CONFIG_KEY, -13, "a shared key is shorter than FC_MIN_KEY bytes")      \
	X(CONFIG_THRESHOLD, -14, "load thresholds must satisfy 0 < low <= high") \
	X(CONFIG_TIMER, -15, "a timer or interval is zero")                      \
	X(CONFIG_SHARE, -16, "a share or ratio is outside 0..1")                 \
	X(CONFIG_SITE_ID, -17, "a site id is repeated")                          \
	X(CONFIG_POLICY, -18, "unknown policy value")                            \
	X(CONFIG_PROBE, -19, "probe misses before down must be at least 1")      \
	X(CONFIG_FETCHES, -20, "fetch limits must be at least 1")                \
	X(UNKNOWN_PEER, -30, "no cooperator with that id")                       \
	X(UNKNOWN_SITE, -31, "no site with that id")                             \
	X(MSG_TRUNCATED, -40, "message shorter than its header says")            \
	X(MSG_OVERSIZED, -41, "message longer than allowed")                     \
	X(MSG_VERSION, -42, "unknown wire-format version")                       \
	X(MSG_RECEIVER, -43, "message addressed to another node")                \
	X(MSG_SENDER, -44, "message from a node that is not a cooperator")       \
	X(MSG_MAC, -45, "message authentication failed")                         \
	X(MSG_TYPE, -46, "unknown message type")                                 \
	X(MSG_PAYLOAD, -47, "malformed message payload")                         \
	X(MSG_STALE, -48, "message timestamp outside the accepted window")       \
	X(MSG_REPLAY, -49, "message already received")                           \
	X(BUFFER, -50, "output buffer too small")                               \
	X(DTS_PACKET, -60, "malformed IPv4/TCP packet")                          \
	X(DTS_NO_CONN, -61, "no DTS connection for that client here")            \
	X(DTS_STATE, -62, "the DTS connection is not in a state that allows it") \
	X(DTS_PROXY_WROTE, -63, "the proxy sent data to the client")             \
	X(DTS_PAPER_TS, -64, "the paper's DTS option cannot carry timestamps")   \
	X(DTS_TIMEOUT, -65, "the handover did not finish in time")               \
	X(DTS_RESET, -66, "a side of the handover connection reset it")          \
	X(DTS_BYTES, -67, "the source's bytes do not end where the client's delivered ones do") \
	X(DTS_CHECKSUM, -68, "IPv4 or TCP checksum wrong")

enum fc_error {
#define FC_ERRNO_ENUM(name, value, msg) FC_ERR_##name = value,
	FC_ERRNO_MAP(FC_ERRNO_ENUM)
#undef FC_ERRNO_ENUM
};

/* The message of an error code ("unknown error" for others); static text. */
const char *fc_strerror(int code);
/* The name of an error code ("FC_ERR_MSG_MAC"); static text, or NULL. */
const char *fc_errname(int code);

/* ---- Limits ---- */

#define FC_MAX_PEERS 1024
#define FC_MAX_SITES 256
#define FC_MIN_KEY 16     /* bytes of a shared key, at least */
#define FC_MAC_LEN 32     /* HMAC-SHA256 */
#define FC_MSG_HEADER 28  /* bytes before the payload */
#define FC_MSG_MAX_PAYLOAD 64
#define FC_MSG_MAX (FC_MSG_HEADER + FC_MSG_MAX_PAYLOAD + FC_MAC_LEN)
#define FC_WIRE_VERSION 1
#define FC_TOKEN_LEN 24 /* a redirect token: issue time and a truncated MAC */
/* fc_request.object when the whole site is meant. */
#define FC_WHOLE_SITE UINT64_MAX

typedef uint32_t fc_node_id;

/* ---- Configuration ---- */

struct fc_site {
	uint32_t id;       /* unique among all nodes' sites */
	uint64_t bytes;    /* size of the whole site */
};

struct fc_peer {
	fc_node_id id;
	uint32_t address;  /* its IPv4 address, for DNS records */
	const uint8_t *key;  /* shared with this cooperator, >= FC_MIN_KEY bytes */
	size_t key_len;
	bool accepts_copy;   /* consents to hold a pre-distributed copy of the
				node's sites (FC_SPREAD_PREDISTRIBUTED) */
	uint64_t copy_limit; /* of at most this many bytes */
	bool holds_copy;     /* this node holds a pre-distributed copy of the
				cooperator's sites: a rescue fetches nothing */
	const struct fc_site *sites; /* the sites it serves */
	size_t nsites;
};

/* How the node leaves the flash-crowd state. */
enum fc_leave {
	FC_LEAVE_TIMER,      /* after flash_hold from entering (the paper) */
	FC_LEAVE_HYSTERESIS, /* once load stayed under low_water for calm_hold */
};

/* How much of the own site's traffic is redirected in FLASH. */
enum fc_share {
	FC_SHARE_FIXED,    /* redirect_share of the requests (the paper) */
	FC_SHARE_FEEDBACK, /* the excess above target_load: 1 - target/load;
			      load must be a figure of demand that counts the
			      requests redirected (struct fc_load), or the
			      redirects lower the load the share comes from */
};

/* To whom a redirected request goes. */
enum fc_target {
	FC_TARGET_ROUND_ROBIN, /* cooperators in turn (the paper) */
	FC_TARGET_SPARE,       /* in proportion to the spare capacity they report */
	FC_TARGET_HASH,        /* rendezvous hash of the object: one object, one helper */
};

/* How a rescuer gets the data (section 4.2.3). */
enum fc_spread {
	FC_SPREAD_OBJECTS, /* on demand, only the redirected objects (the paper) */
	FC_SPREAD_SITE,    /* on demand, the whole site */
	FC_SPREAD_PREDISTRIBUTED, /* copies pushed when the site changes, to
				     the cooperators that consent */
};

/* When a rescuer adds its A record to the rescued site's name. */
enum fc_dns_when {
	FC_DNS_ON_DATA,    /* once it holds data of the site and can serve it
			      (the paper: Fig. 7 step 8 after steps 6-7, Fig. 8
			      step 4 after step 3): after the host reports a
			      fetch done (fc_node_fetch_done()), of the whole
			      site when it fetches the whole site; at once when
			      it holds a pre-distributed copy */
	FC_DNS_ON_RESCUE,  /* as soon as the rescue starts, before any data */
};

/* How the load samples are smoothed. */
enum fc_smoothing {
	FC_SMOOTH_EWMA,   /* exponential, time constant smooth_time */
	FC_SMOOTH_WINDOW, /* mean of the samples of the last smooth_time */
};

/* How cooperators are probed. */
enum fc_probe_mode {
	FC_PROBE_MESSAGE, /* the core sends PROBE and waits for ACK */
	FC_PROBE_HOST,    /* FC_ACT_PROBE: the host pings, connects or GETs */
};

/*
 * The names of the choices above, as a host's configuration writes them
 * (flashcoop/names.h): "timer", "hysteresis"; "fixed", "feedback";
 * "round_robin", "spare", "hash"; "objects", "site", "predistributed";
 * "data", "rescue"; "ewma", "window"; "message", "host".
 */
extern const struct fc_enum_name fc_leave_names[];
extern const struct fc_enum_name fc_share_names[];
extern const struct fc_enum_name fc_target_names[];
extern const struct fc_enum_name fc_spread_names[];
extern const struct fc_enum_name fc_dns_when_names[];
extern const struct fc_enum_name fc_smoothing_names[];
extern const struct fc_enum_name fc_probe_mode_names[];

struct fc_config {
	fc_node_id id;
	uint32_t address;
	const struct fc_site *sites; /* the node's own sites */
	size_t nsites;
	const struct fc_peer *peers; /* its cooperators */
	size_t npeers;

	/* Load (section 4.2.1). */
	double flash_threshold;  /* enter FLASH above this smoothed load */
	double low_water;        /* hysteresis: calm below this */
	enum fc_smoothing smoothing;
	fc_time_t smooth_time;

	/* State machine (Fig. 4). */
	enum fc_leave leave;
	fc_time_t flash_hold;    /* FC_LEAVE_TIMER: time in FLASH */
	fc_time_t calm_hold;     /* FC_LEAVE_HYSTERESIS: calm this long */
	bool extend_while_high;  /* FC_LEAVE_TIMER: restart while load is high */
	fc_time_t rescue_hold;   /* time rescuing a cooperator after the last cause */
	bool protect_self;       /* a rescuer tells others to stop sending new */
	double protect_threshold;/*   redirected load above this load */

	/* Redirects (section 4.2.2). */
	enum fc_share share;
	double redirect_share;   /* FC_SHARE_FIXED */
	double target_load;      /* FC_SHARE_FEEDBACK */
	double max_share;        /* FC_SHARE_FEEDBACK: at most this share */
	enum fc_target target;

	/* Liveness (section 4.2.1) and heartbeats. */
	enum fc_probe_mode probe_mode;
	fc_time_t probe_interval;
	double probe_jitter;     /* each interval is drawn in (1 +- jitter) */
	fc_time_t probe_timeout; /* FC_PROBE_MESSAGE: no ACK by then is a miss */
	unsigned probe_misses;   /* down after this many misses in a row */
	fc_time_t heartbeat_interval;

	/* Messages. */
	fc_time_t replay_window; /* accepted timestamp skew, and replay memory */
	fc_time_t start_guard;   /* messages stamped before the node's start
				    plus this are refused (see fc_node_new) */
	fc_time_t token_life;    /* a redirect token is good this long */
	unsigned token_fetches;  /* a rescuer fetches at most this many objects
				    for the requests of one redirect token */
	unsigned max_fetches;    /* and at most this many objects of one rescued
				    cooperator; past it, the whole site */

	/* Spreading data (section 4.2.3). */
	enum fc_spread spread;

	/* Dynamic DNS (section 4.3.3). */
	enum fc_dns_when dns_when;
	bool takeover_dns;       /* a rescuer that serves a site in place of a
				    cooperator believed down (Fig. 8) removes
				    that cooperator's record from the site's
				    name, and puts it back when the cooperator
				    is up again or the rescue ends */
};

/*
 * Fills c with the paper's behaviour (fixed interval, fixed share of 0.5,
 * round robin, on-demand objects) and plausible thresholds and timers
 * (start_guard 0, token_fetches 1024, max_fetches 65536), records added
 * when the data is held and a dead cooperator's record removed in a
 * takeover (dns_when FC_DNS_ON_DATA, takeover_dns); the id, address,
 * sites and peers are left empty for the host to set.
 */
void fc_config_default(struct fc_config *c);

/*
 * Checks c: 0, FC_ERR_INVAL for NULL pointers, or the FC_ERR_CONFIG_*
 * code of the first problem found.  It keeps no reference to c.
 */
int fc_config_check(const struct fc_config *c);

/* ---- The host ---- */

struct fc_host {
	/* 64 random bits (nonces, probe jitter); must not be NULL. */
	uint64_t (*rand)(void *user);
	void *user;
};

/* ---- States (Fig. 4) ---- */

enum fc_state {
	FC_STATE_LOW,          /* low load, rescuing nobody */
	FC_STATE_FLASH,        /* under a flash crowd */
	FC_STATE_RESCUE,       /* rescuing one or more cooperators */
	FC_STATE_FLASH_RESCUE, /* both */
};

/* What moves the state machine. */
enum fc_input {
	FC_IN_LOAD_HIGH,      /* smoothed load rose above the threshold */
	FC_IN_FLASH_OVER,     /* the flash interval passed, or calm long enough */
	FC_IN_RESCUE_START,   /* help request, redirected request or peer down */
	FC_IN_RESCUE_END,     /* a rescue ended and others remain */
	FC_IN_LAST_RESCUE_END,/* the last rescue ended */
	FC_IN_COUNT
};

struct fc_transition {
	enum fc_state from;
	enum fc_input input;
	enum fc_state to;
};

/*
 * The transition table that every node follows (static, not to be freed);
 * sets *n to its length.  A node never moves along a pair that is not in it.
 */
const struct fc_transition *fc_transitions(size_t *n);
/* The states' names: "LOW", "FLASH", "RESCUE", "FLASH+RESCUE". */
extern const struct fc_enum_name fc_state_names[];
/* The name of s in fc_state_names, "?" for others; static text. */
const char *fc_state_name(enum fc_state s);
/* A short description of an input, for logs and figures; static text. */
const char *fc_input_name(enum fc_input in);

/* ---- Messages ---- */

enum fc_msg_type {
	FC_MSG_HELP_REQUEST = 1, /* site: please rescue it */
	FC_MSG_HELP_RELEASE = 2, /* site: the flash crowd is over */
	FC_MSG_HEARTBEAT = 3,    /* load, spare, accepting */
	FC_MSG_PROBE = 4,        /* token */
	FC_MSG_ACK = 5,          /* token of the probe it answers */
};

struct fc_msg {
	enum fc_msg_type type;
	fc_node_id from, to;
	fc_time_t timestamp;
	uint64_t nonce;
	union {
		struct { uint32_t site; uint64_t bytes; } help;   /* REQUEST, RELEASE */
		struct { double load, spare; bool accepting; } heartbeat;
		struct { uint64_t token; } probe;                 /* PROBE, ACK */
	} u;
};

/*
 * Encodes m, authenticated with key, into buf (FC_MSG_MAX bytes always
 * suffice); sets *len.  Loads are carried in millionths, clamped to 0..4000.
 * FC_ERR_CONFIG_KEY for a key shorter than FC_MIN_KEY bytes, as the node
 * refuses it.
 */
int fc_msg_encode(const struct fc_msg *m, const uint8_t *key, size_t key_len,
		  uint8_t *buf, size_t cap, size_t *len);

/*
 * Decodes and authenticates buf as a message to `to` (checks in this order:
 * size, version, receiver, MAC, type, payload).  It does not look at time
 * or replays: fc_node_recv() does.  It never reads outside buf[0..len).
 * The key is looked up by the sender id through key_for, which returns
 * false for an unknown sender (FC_ERR_MSG_SENDER); a key shorter than
 * FC_MIN_KEY bytes is FC_ERR_CONFIG_KEY, and nothing is authenticated
 * with it.
 */
int fc_msg_decode(const uint8_t *buf, size_t len, fc_node_id to,
		  bool (*key_for)(void *user, fc_node_id from, const uint8_t **key,
				  size_t *key_len),
		  void *user, struct fc_msg *out);

/* ---- Actions ---- */

enum fc_action_type {
	FC_ACT_SEND,       /* deliver data[0..len) to peer */
	FC_ACT_PROBE,      /* FC_PROBE_HOST: probe peer, then fc_node_probe_result() */
	FC_ACT_DNS_ADD,    /* add an A record `address` to site's name */
	FC_ACT_DNS_REMOVE, /* remove it */
	FC_ACT_FETCH,      /* fetch site's object (FC_WHOLE_SITE: all of it),
			      owned by peer, through BitTorrent; then serve it */
	FC_ACT_DELETE,     /* stop serving site, delete its copy, tell the tracker */
	FC_ACT_PUSH,       /* pre-distribute the whole of site to peer */
	FC_ACT_STATE,      /* for logs: the state changed from `from` to `to`
			      by `input` (peer is the cooperator concerned) */
	FC_ACT_PEER,       /* for logs: peer is now believed up (up) or down */
};

struct fc_action {
	enum fc_action_type type;
	fc_node_id peer;
	uint32_t site;
	uint64_t object;
	uint32_t address;
	const uint8_t *data;
	size_t len;
	enum fc_state from, to;
	enum fc_input input;
	bool up;
};

/* ---- The node ---- */

struct fc_node;

/*
 * A node from a checked configuration (copied), starting LOW at now with
 * every cooperator believed up.  Sets *out; returns 0, or an error of
 * fc_config_check(), or FC_ERR_INVAL for a NULL argument or host->rand.
 *
 * A node keeps nothing across a restart, so it refuses what it cannot tell
 * from the past: messages stamped, and redirect tokens issued, before
 * now + start_guard.  A message captured before a restart is therefore not
 * accepted after it, provided the sender's clock was not ahead of the
 * node's by more than the time the restart took plus start_guard.  With
 * clocks synchronised (NTP: milliseconds) start_guard 0 suffices; a host
 * whose clocks may differ by more than its restart time sets start_guard to
 * that difference, and the node then hears nothing for that long.
 */
int fc_node_new(const struct fc_config *c, const struct fc_host *host, fc_time_t now,
		struct fc_node **out);
/* Frees it; accepts NULL. */
void fc_node_free(struct fc_node *n);

/*
 * One figure the host measures against its configured limit.  The value
 * may exceed the limit: a figure of demand (connections wanting a worker,
 * busy plus waiting, over MaxRequestWorkers; bits per second asked of the
 * uplink over its capacity) says by how much the server is overloaded,
 * which share = feedback needs to redirect the excess.  A figure of use
 * (busy workers over MaxRequestWorkers, the paper's "current value over
 * limit") stays at most 1.  The host chooses; the node only takes ratios.
 */
struct fc_load {
	double value, limit; /* busy workers and MaxRequestWorkers, say */
};

/*
 * Reports the current load figures, as they were over the time since the
 * last report (or since the node started); the sample is the largest
 * value/limit ratio, and the load is the samples smoothed (smoothing,
 * smooth_time) from a load of 0 at the node's start: a first sample
 * weighs only the time it covers, and a report at the same instant as the
 * last weighs nothing.  Loads above 1 are kept as they are.  A smoothed
 * load above flash_threshold enters FLASH: help requests go to every
 * cooperator believed up, and redirects start.  FC_ERR_INVAL for a limit
 * not above 0, a negative value, or one not finite.
 */
int fc_node_report_load(struct fc_node *n, fc_time_t now, const struct fc_load *loads,
			size_t count);

/* The smoothed load (0 until a report covers some time). */
double fc_node_load(const struct fc_node *n);

/*
 * A message received from the network (buf is only read, and only within
 * len).  Returns 0 when accepted and acted on, or the reason it was
 * rejected: an fc_msg_decode() code, FC_ERR_MSG_PAYLOAD for a help message
 * about a site the sender does not have, FC_ERR_MSG_STALE for a timestamp
 * more than replay_window away from now or before the node started (see
 * fc_node_new), FC_ERR_MSG_REPLAY for a message seen before (or older than
 * any the node still remembers).  A rejected message changes nothing, not
 * even the node's clock.
 */
int fc_node_recv(struct fc_node *n, fc_time_t now, const uint8_t *buf, size_t len);

/*
 * The result of a probe of peer made by the host (FC_PROBE_HOST, after
 * FC_ACT_PROBE; a host may also report what it learns otherwise).  A success
 * makes peer up; probe_misses failures in a row make it down, which starts
 * the rescue of its whole site (Fig. 8).  FC_ERR_UNKNOWN_PEER for an id that
 * is not a cooperator.
 */
int fc_node_probe_result(struct fc_node *n, fc_time_t now, fc_node_id peer, bool alive);

/*
 * A fetch the node asked for (FC_ACT_FETCH, or one the host made for a
 * request routed FC_ROUTE_RESCUE) has ended: ok when the object (or, for
 * FC_WHOLE_SITE, the whole site) is now held here and can be served.  With
 * dns_when FC_DNS_ON_DATA, the first such fetch of a rescue adds this
 * node's record to the site's name (the whole site, when the rescue
 * fetches the whole site).  A fetch that failed, or one for a site no
 * longer rescued, changes nothing.  FC_ERR_UNKNOWN_SITE for a site that
 * no cooperator has.
 */
int fc_node_fetch_done(struct fc_node *n, fc_time_t now, uint32_t site, uint64_t object,
		       bool ok);

/*
 * A request and where it should go.  token is what a redirect carried (the
 * host puts fc_route.token into the redirect URL and hands it back here
 * when the client follows it); NULL when there is none.
 */
struct fc_request {
	uint32_t site;
	uint64_t object;
	const uint8_t *token;
	size_t token_len;
};

enum fc_route_kind {
	FC_ROUTE_SERVE,    /* serve it here, from the own site */
	FC_ROUTE_REDIRECT, /* answer with a redirect to peer (address), carrying
			      token when it goes to a helper */
	FC_ROUTE_RESCUE,   /* serve it here as the rescuer of peer's site */
	FC_ROUTE_UNKNOWN,  /* a site that neither this node nor a cooperator has */
};

struct fc_route {
	enum fc_route_kind kind;
	fc_node_id peer;
	uint32_t address;
	uint8_t token[FC_TOKEN_LEN]; /* FC_ROUTE_REDIRECT to a helper */
};

/*
 * Decides where a request goes.  A request for a cooperator P's site that
 * carries a valid token means P redirected it here (section 4.3.3, steps
 * 4-8: the redirect is also a call for help): the node rescues P if it
 * does not already, never refusing, and fetches the object unless it has.
 * Without a valid token such a request starts nothing — a rescue or a DNS
 * change needs the key P shares — and is served as a rescue if one is
 * under way, else redirected to P.
 *
 * A token is valid for requests of P's site, at this node, from its issue
 * (replay_window of clock difference allowed) until token_life later; not
 * if issued before the node started, nor if issued at or before the
 * timestamp of the last HELP_RELEASE P sent: a release ends the flash crowd
 * the token was issued in.  The fetches are bounded: the requests of one
 * token fetch at most token_fetches objects (a request beyond that is
 * redirected back to P, which issues a new token), and one rescue of P
 * fetches at most max_fetches objects, after which the node fetches P's
 * whole site once instead.
 */
int fc_node_route(struct fc_node *n, fc_time_t now, const struct fc_request *req,
		  struct fc_route *out);

/*
 * The own site `site` changed: with FC_SPREAD_PREDISTRIBUTED, FC_ACT_PUSH
 * for every cooperator that accepts copies of that size; otherwise nothing.
 * FC_ERR_UNKNOWN_SITE for a site that is not the node's.
 */
int fc_node_site_changed(struct fc_node *n, fc_time_t now, uint32_t site);

/* When the node wants fc_node_handle_expiry(); FC_TIME_NEVER for never.
 * Never earlier than the last `now` given to the node. */
fc_time_t fc_node_expiry(const struct fc_node *n);

/* Runs what is due at now (timers, probes, heartbeats). */
int fc_node_handle_expiry(struct fc_node *n, fc_time_t now);

/*
 * Takes the next pending action into *out, in the order the node decided
 * them; false when there is none.  out->data (FC_ACT_SEND) points into the
 * node and stays valid until the next call on it.
 */
bool fc_node_next_action(struct fc_node *n, struct fc_action *out);

/* State inspection, for hosts and tests: the state of Fig. 4, whether the
 * node rescues peer, whether it believes peer up (false for unknown ids). */
enum fc_state fc_node_state(const struct fc_node *n);
bool fc_node_rescuing(const struct fc_node *n, fc_node_id peer);
bool fc_node_peer_up(const struct fc_node *n, fc_node_id peer);

#ifdef __cplusplus
}
#endif

#endif
