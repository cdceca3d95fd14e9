/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RFC 2136 updates and A queries, built and signed with ldns, over our
 * own sockets so that the wait has one deadline across the UDP attempt,
 * its retransmissions and the TCP fallback.
 */
#include "testbed/dns/dnsupdate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>

G_DEFINE_QUARK(tb-dns-error-quark, tb_dns_error)

/*
 * A lost UDP request (or answer) is sent again after a third of the
 * timeout, at least 100 ms and at most 1 s apart, so that even a short
 * timeout leaves room for two retransmissions.
 */
#define TB_DNS_RESEND_MIN_MS 100
#define TB_DNS_RESEND_MAX_MS 1000

struct tb_dns_request {
	guint8 *wire; /* malloc()ed by ldns */
	size_t len;
	guint16 id;
	ldns_pkt_opcode opcode;
	ldns_rdf *qname;  /* the question's name: the zone of an update */
	ldns_rr_type qtype;
	char *key_name;   /* normalized; NULL when unsigned */
	char *key_secret;
	ldns_rdf *mac;    /* the request's MAC, which the answer's MAC covers */
};

/* ---- names, secrets, rcodes ---- */

char *
tb_dns_name_normalize(const char *name, const char *what, GError **error)
{
	g_autoptr(GString) out = g_string_new(NULL);
	gsize label = 0;

	if (!name || !*name || strcmp(name, ".") == 0) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL, "%s: an empty name", what);
		return NULL;
	}
	for (const char *c = name; *c; c++) {
		if (*c == '.') {
			if (label == 0) {
				g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
					    "%s '%s': an empty label", what, name);
				return NULL;
			}
			label = 0;
		} else if (g_ascii_isalnum(*c) || *c == '-' || *c == '_') {
			if (++label > 63) {
				g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
					    "%s '%s': a label longer than 63 characters", what,
					    name);
				return NULL;
			}
		} else {
			g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
				    "%s '%s': the character '%c' (0x%02x) is not allowed in a "
				    "name", what, name, g_ascii_isprint(*c) ? *c : '?',
				    (unsigned)(guchar)*c);
			return NULL;
		}
		g_string_append_c(out, g_ascii_tolower(*c));
	}
	if (label > 0)
		g_string_append_c(out, '.');
	if (out->len > 254) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
			    "%s '%s': longer than the 253 characters a name may have", what,
			    name);
		return NULL;
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

gboolean
tb_dns_secret_check(const char *secret, GError **error)
{
	gsize len = secret ? strlen(secret) : 0, pad = 0;

	if (len == 0 || len % 4 != 0) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
			    "TSIG secret: not base64 (%s)",
			    len == 0 ? "empty" : "its length is not a multiple of 4");
		return FALSE;
	}
	for (gsize i = 0; i < len; i++) {
		char c = secret[i];

		if (c == '=' && i >= len - 2) {
			pad++;
		} else if (pad > 0 || !(g_ascii_isalnum(c) || c == '+' || c == '/')) {
			g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
				    "TSIG secret: not base64 (character %zu)", i + 1);
			return FALSE;
		}
	}
	if (len / 4 * 3 - pad > 64) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
			    "TSIG secret: %zu bytes, more than the 64 of an HMAC-SHA256 key",
			    len / 4 * 3 - pad);
		return FALSE;
	}
	return TRUE;
}

char *
tb_dns_secret_new(GError **error)
{
	guint8 key[32];

	if (getrandom(key, sizeof key, 0) != (ssize_t)sizeof key) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_NET,
			    "no random bytes for a TSIG secret: %s", g_strerror(errno));
		return NULL;
	}
	return g_base64_encode(key, sizeof key);
}

const char *
tb_dns_rcode_name(unsigned rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", NULL, NULL, NULL,
		NULL, NULL, "BADSIG", "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG",
		"BADTRUNC", "BADCOOKIE",
	};

	if (rcode < G_N_ELEMENTS(names) && names[rcode])
		return names[rcode];
	return "unknown";
}

/* "REFUSED" or, for a code without a name, "rcode 12". */
static char *
rcode_str(unsigned rcode)
{
	const char *n = tb_dns_rcode_name(rcode);

	return strcmp(n, "unknown") == 0 ? g_strdup_printf("rcode %u", rcode) : g_strdup(n);
}

/* ---- requests ---- */

void
tb_dns_request_free(struct tb_dns_request *req)
{
	if (!req)
		return;
	free(req->wire);
	ldns_rdf_deep_free(req->qname);
	ldns_rdf_deep_free(req->mac);
	g_free(req->key_name);
	if (req->key_secret)
		memset(req->key_secret, 0, strlen(req->key_secret));
	g_free(req->key_secret);
	g_free(req);
}

const guint8 *
tb_dns_request_wire(const struct tb_dns_request *req, gsize *len)
{
	*len = req->len;
	return req->wire;
}

/* The key of srv, checked and normalized into req; TRUE if none. */
static gboolean
request_set_key(struct tb_dns_request *req, const struct tb_dns_server *srv, GError **error)
{
	if (!srv->key_name && !srv->key_secret)
		return TRUE;
	if (!srv->key_name || !srv->key_secret) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
			    "TSIG key: a key name needs a secret and a secret a key name");
		return FALSE;
	}
	req->key_name = tb_dns_name_normalize(srv->key_name, "TSIG key name", error);
	if (!req->key_name || !tb_dns_secret_check(srv->key_secret, error))
		return FALSE;
	req->key_secret = g_strdup(srv->key_secret);
	return TRUE;
}

/* Signs pkt if req has a key, keeps its MAC, and puts it on the wire. */
static gboolean
request_finish(struct tb_dns_request *req, ldns_pkt *pkt, GError **error)
{
	ldns_status st;

	req->id = ldns_pkt_id(pkt);
	req->opcode = ldns_pkt_get_opcode(pkt);
	if (req->key_name) {
		st = ldns_pkt_tsig_sign(pkt, req->key_name, req->key_secret, TB_DNS_FUDGE,
					TB_DNS_ALGORITHM, NULL);
		if (st != LDNS_STATUS_OK || !ldns_pkt_tsig(pkt)) {
			g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
				    "cannot sign with the TSIG key %s: %s", req->key_name,
				    ldns_get_errorstr_by_id(st));
			return FALSE;
		}
		req->mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(pkt), 3));
	}
	st = ldns_pkt2wire(&req->wire, pkt, &req->len);
	if (st != LDNS_STATUS_OK) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
			    "cannot write the request: %s", ldns_get_errorstr_by_id(st));
		return FALSE;
	}
	return TRUE;
}

struct tb_dns_request *
tb_dns_request_new_update(const struct tb_dns_server *srv, const char *zone,
			  const char *name, gboolean add, guint32 addr, guint32 ttl,
			  guint16 id, GError **error)
{
	g_autoptr(tb_dns_request) req = g_new0(struct tb_dns_request, 1);
	g_autofree char *z = NULL, *n = NULL;
	guint32 be = htonl(addr);
	ldns_rr *rr;
	ldns_rr_list *up;
	ldns_pkt *pkt;
	gboolean ok;

	z = tb_dns_name_normalize(zone, "zone", error);
	if (!z)
		return NULL;
	n = tb_dns_name_normalize(name, "name", error);
	if (!n)
		return NULL;
	if (strcmp(n, z) != 0 &&
	    !(strlen(n) > strlen(z) && g_str_has_suffix(n, z) &&
	      n[strlen(n) - strlen(z) - 1] == '.')) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
			    "name %s is not in zone %s", n, z);
		return NULL;
	}
	if (add && ttl > G_MAXINT32) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
			    "TTL %" G_GUINT32_FORMAT " beyond the 2147483647 s a TTL may be",
			    ttl);
		return NULL;
	}
	if (!request_set_key(req, srv, error))
		return NULL;

	/*
	 * The update section: "name ttl IN A addr" adds the RR to its RRset;
	 * "name 0 NONE A addr" deletes that RR alone (RFC 2136, 2.5.1 and
	 * 2.5.4).  The zone section is "zone IN SOA"; no prerequisite.
	 */
	rr = ldns_rr_new();
	ldns_rr_set_owner(rr, ldns_dname_new_frm_str(n));
	ldns_rr_set_type(rr, LDNS_RR_TYPE_A);
	ldns_rr_set_class(rr, add ? LDNS_RR_CLASS_IN : LDNS_RR_CLASS_NONE);
	ldns_rr_set_ttl(rr, add ? ttl : 0);
	ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, &be));
	up = ldns_rr_list_new();
	ldns_rr_list_push_rr(up, rr);
	req->qname = ldns_dname_new_frm_str(z);
	req->qtype = LDNS_RR_TYPE_SOA;
	pkt = ldns_update_pkt_new(ldns_rdf_clone(req->qname), LDNS_RR_CLASS_IN, NULL, up,
				  NULL);
	ldns_rr_list_deep_free(up);
	if (!pkt) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
			    "cannot build the update of %s", n);
		return NULL;
	}
	/* ldns_update_pkt_new() sets RD, which means nothing in an update. */
	ldns_pkt_set_rd(pkt, false);
	ldns_pkt_set_id(pkt, id);
	ok = request_finish(req, pkt, error);
	ldns_pkt_free(pkt);
	return ok ? g_steal_pointer(&req) : NULL;
}

struct tb_dns_request *
tb_dns_request_new_query_a(const struct tb_dns_server *srv, const char *name, guint16 id,
			   GError **error)
{
	g_autoptr(tb_dns_request) req = g_new0(struct tb_dns_request, 1);
	g_autofree char *n = tb_dns_name_normalize(name, "name", error);
	ldns_pkt *pkt;
	gboolean ok;

	if (!n || !request_set_key(req, srv, error))
		return NULL;
	req->qname = ldns_dname_new_frm_str(n);
	req->qtype = LDNS_RR_TYPE_A;
	/* No RD: the server is the authority, not a resolver. */
	pkt = ldns_pkt_query_new(ldns_rdf_clone(req->qname), LDNS_RR_TYPE_A,
				 LDNS_RR_CLASS_IN, 0);
	if (!pkt) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
			    "cannot build the query of %s", n);
		return NULL;
	}
	ldns_pkt_set_id(pkt, id);
	ok = request_finish(req, pkt, error);
	ldns_pkt_free(pkt);
	return ok ? g_steal_pointer(&req) : NULL;
}

/* ---- answers ---- */

/*
 * Checks the TSIG of ans (parsed from wire) against req at now_s.  TRUE
 * if it verifies; else FALSE with *why.  *tsig_error is the TSIG RR's
 * error field (0 without a TSIG RR).
 */
static gboolean
answer_verify(const struct tb_dns_request *req, ldns_pkt *ans, const guint8 *wire, gsize len,
	      gint64 now_s, unsigned *tsig_error, char **why)
{
	ldns_rr *t = ldns_pkt_tsig(ans);
	ldns_rdf *key = NULL, *alg = NULL;
	gboolean same_key, mac_ok;
	gint64 signed_at = 0;
	unsigned fudge;
	const guint8 *tb;

	*tsig_error = 0;
	if (!t) {
		*why = g_strdup("the answer is unsigned");
		return FALSE;
	}
	if (ldns_rr_rd_count(t) < 7 || ldns_rdf_size(ldns_rr_rdf(t, 1)) != 6 ||
	    ldns_rdf_size(ldns_rr_rdf(t, 2)) != 2 || ldns_rdf_size(ldns_rr_rdf(t, 5)) != 2) {
		*why = g_strdup("the answer's TSIG record is malformed");
		return FALSE;
	}
	*tsig_error = ldns_rdf2native_int16(ldns_rr_rdf(t, 5));
	/*
	 * The MAC covers neither the TSIG RR's class and TTL nor its original
	 * ID (ldns computes it over the message as received): check them.
	 */
	if (ldns_rr_get_class(t) != LDNS_RR_CLASS_ANY || ldns_rr_ttl(t) != 0 ||
	    ldns_rdf_size(ldns_rr_rdf(t, 4)) != 2 ||
	    ldns_rdf2native_int16(ldns_rr_rdf(t, 4)) != req->id) {
		*why = g_strdup("the answer's TSIG record has a wrong class, TTL or original ID");
		return FALSE;
	}
	key = ldns_dname_new_frm_str(req->key_name);
	alg = ldns_dname_new_frm_str(TB_DNS_ALGORITHM);
	same_key = ldns_dname_compare(ldns_rr_owner(t), key) == 0 &&
		   ldns_dname_compare(ldns_rr_rdf(t, 0), alg) == 0;
	ldns_rdf_deep_free(key);
	ldns_rdf_deep_free(alg);
	if (!same_key) {
		g_autofree char *k = ldns_rdf2str(ldns_rr_owner(t));
		g_autofree char *a = ldns_rdf2str(ldns_rr_rdf(t, 0));

		*why = g_strdup_printf("the answer is signed with another key (%s, %s)",
				       k ? k : "?", a ? a : "?");
		return FALSE;
	}
	if (ldns_rdf_size(ldns_rr_rdf(t, 3)) <= 2) {
		*why = g_strdup("the answer's TSIG record has no MAC");
		return FALSE;
	}
	/*
	 * ldns_pkt_tsig_verify() detaches the TSIG RR while it computes and
	 * leaves it detached when that fails: put it back so that the packet
	 * still owns it.
	 */
	mac_ok = ldns_pkt_tsig_verify(ans, wire, len, req->key_name, req->key_secret, req->mac);
	if (!ldns_pkt_tsig(ans))
		ldns_pkt_set_tsig(ans, t);
	if (!mac_ok) {
		*why = g_strdup("the answer's TSIG MAC does not verify");
		return FALSE;
	}
	tb = ldns_rdf_data(ldns_rr_rdf(t, 1));
	for (int i = 0; i < 6; i++)
		signed_at = signed_at << 8 | tb[i];
	fudge = ldns_rdf2native_int16(ldns_rr_rdf(t, 2));
	if (signed_at > now_s + fudge || signed_at < now_s - fudge) {
		*why = g_strdup_printf("the answer was signed at %" G_GINT64_FORMAT
				       ", %" G_GINT64_FORMAT " s from now, beyond its fudge "
				       "of %u s", signed_at, signed_at - now_s, fudge);
		return FALSE;
	}
	return TRUE;
}

/* Appends the A records of the answer section owned by req's name. */
static void
answer_collect(const struct tb_dns_request *req, ldns_pkt *ans, GArray **addrs, guint32 *ttl)
{
	ldns_rr_list *an = ldns_pkt_answer(ans);
	guint32 min_ttl = 0;
	gboolean any = FALSE;

	if (!*addrs)
		*addrs = g_array_new(FALSE, FALSE, sizeof(guint32));
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		ldns_rdf *a;
		guint32 be, host;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_A ||
		    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
		    ldns_dname_compare(ldns_rr_owner(rr), req->qname) != 0 ||
		    ldns_rr_rd_count(rr) != 1)
			continue;
		a = ldns_rr_rdf(rr, 0);
		if (ldns_rdf_size(a) != 4)
			continue;
		memcpy(&be, ldns_rdf_data(a), 4);
		host = ntohl(be);
		g_array_append_val(*addrs, host);
		if (!any || ldns_rr_ttl(rr) < min_ttl)
			min_ttl = ldns_rr_ttl(rr);
		any = TRUE;
	}
	if (ttl)
		*ttl = min_ttl;
}

/* The checks before the signature: is this an answer to req at all? */
static char *
answer_mismatch(const struct tb_dns_request *req, ldns_pkt *ans)
{
	ldns_rr_list *q = ldns_pkt_question(ans);
	ldns_rr *qr;

	if (ldns_pkt_id(ans) != req->id)
		return g_strdup_printf("an answer with ID %u, not %u", ldns_pkt_id(ans),
				       req->id);
	if (!ldns_pkt_qr(ans))
		return g_strdup("a query, not an answer (QR clear)");
	if (ldns_pkt_get_opcode(ans) != req->opcode)
		return g_strdup_printf("an answer with opcode %d, not %d",
				       (int)ldns_pkt_get_opcode(ans), (int)req->opcode);
	if (!q || ldns_rr_list_rr_count(q) == 0)
		return NULL;
	qr = ldns_rr_list_rr(q, 0);
	if (ldns_rr_list_rr_count(q) != 1 ||
	    ldns_dname_compare(ldns_rr_owner(qr), req->qname) != 0 ||
	    ldns_rr_get_type(qr) != req->qtype || ldns_rr_get_class(qr) != LDNS_RR_CLASS_IN)
		return g_strdup("an answer to another question");
	return NULL;
}

enum tb_dns_verdict
tb_dns_request_check_answer(const struct tb_dns_request *req, const guint8 *wire, gsize len,
			    gint64 now_s, GArray **addrs, guint32 *ttl, GError **error)
{
	ldns_pkt *ans = NULL;
	ldns_status st = ldns_wire2pkt(&ans, wire, len);
	g_autofree char *why = NULL, *rc = NULL;
	enum tb_dns_verdict v;
	unsigned rcode, tsig_error = 0;
	gboolean verified = TRUE;

	if (st != LDNS_STATUS_OK) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_BOGUS,
			    "a garbled answer of %zu bytes: %s", len,
			    ldns_get_errorstr_by_id(st));
		return TB_DNS_ANSWER_IGNORED;
	}
	why = answer_mismatch(req, ans);
	if (why) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_BOGUS, "%s", why);
		ldns_pkt_free(ans);
		return TB_DNS_ANSWER_IGNORED;
	}
	if (ldns_pkt_tc(ans)) {
		ldns_pkt_free(ans);
		return TB_DNS_ANSWER_TRUNCATED;
	}
	if (req->key_name)
		verified = answer_verify(req, ans, wire, len, now_s, &tsig_error, &why);
	rcode = ldns_pkt_get_rcode(ans);
	if (rcode == LDNS_RCODE_NOERROR ||
	    (rcode == LDNS_RCODE_NXDOMAIN && req->opcode == LDNS_PACKET_QUERY)) {
		if (!verified) {
			g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_BOGUS,
				    "a %s answer that fails TSIG verification: %s",
				    tb_dns_rcode_name(rcode), why);
			v = TB_DNS_ANSWER_IGNORED;
		} else {
			if (addrs)
				answer_collect(req, ans, addrs, ttl);
			v = TB_DNS_ANSWER_OK;
		}
	} else {
		/*
		 * An error answer ends the request even when it does not
		 * verify: a server that cannot verify a request answers
		 * unsigned, and a forged error can only make us fail.
		 */
		rc = rcode_str(rcode);
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_RCODE, "%s%s%s%s", rc,
			    tsig_error ? ", TSIG error " : "",
			    tsig_error ? tb_dns_rcode_name(tsig_error) : "",
			    verified ? "" : " (answer not verified)");
		v = TB_DNS_ANSWER_FAILED;
	}
	ldns_pkt_free(ans);
	return v;
}

/* ---- the exchange ---- */

/* The server's socket address; FALSE with error if address is not numeric. */
static gboolean
server_sockaddr(const struct tb_dns_server *srv, struct sockaddr_storage *ss, socklen_t *len,
		GError **error)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (srv->address && inet_pton(AF_INET, srv->address, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(srv->port);
		*len = sizeof *in4;
	} else if (srv->address && inet_pton(AF_INET6, srv->address, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(srv->port);
		*len = sizeof *in6;
	} else {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL,
			    "server address '%s': not a numeric IPv4 or IPv6 address",
			    srv->address ? srv->address : "");
		return FALSE;
	}
	if (srv->port == 0) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_INVAL, "server port 0");
		return FALSE;
	}
	return TRUE;
}

/* Milliseconds left before deadline (monotonic µs), 0 when past. */
static int
ms_left(gint64 deadline)
{
	gint64 left = deadline - g_get_monotonic_time();

	return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

/* Waits until fd is ready for events or deadline; FALSE on timeout or error. */
static gboolean
wait_fd(int fd, short events, gint64 deadline, GError **error)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int left = ms_left(deadline), r;

		if (left == 0)
			break;
		r = poll(&p, 1, left);
		if (r > 0)
			return TRUE;
		if (r < 0 && errno != EINTR) {
			g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_NET, "poll: %s",
				    g_strerror(errno));
			return FALSE;
		}
	}
	g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_TIMEOUT, "no answer in time");
	return FALSE;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void
set_net_error(GError **error, const char *what)
{
	g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_NET, "%s: %s", what, g_strerror(errno));
}

/* Over TCP: one request, one answer, with the two-byte length before each. */
static enum tb_dns_verdict
exchange_tcp(const struct sockaddr_storage *ss, socklen_t sslen,
	     const struct tb_dns_request *req, gint64 deadline, GArray **addrs, guint32 *ttl,
	     GError **error)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	g_autofree guint8 *out = g_malloc(req->len + 2), *in = NULL;
	gsize done = 0, want = 2;
	guint8 lenbuf[2];
	enum tb_dns_verdict v = TB_DNS_ANSWER_IGNORED;
	int soerr = 0;
	socklen_t solen = sizeof soerr;

	if (fd < 0) {
		set_net_error(error, "TCP socket");
		return TB_DNS_ANSWER_IGNORED;
	}
	if (connect(fd, (const struct sockaddr *)ss, sslen) < 0 && errno != EINPROGRESS) {
		set_net_error(error, "TCP connect");
		goto out;
	}
	if (!wait_fd(fd, POLLOUT, deadline, error))
		goto out;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &solen) < 0 || soerr != 0) {
		errno = soerr ? soerr : errno;
		set_net_error(error, "TCP connect");
		goto out;
	}
	out[0] = (guint8)(req->len >> 8);
	out[1] = (guint8)req->len;
	memcpy(out + 2, req->wire, req->len);
	while (done < req->len + 2) {
		ssize_t n = send(fd, out + done, req->len + 2 - done, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (!wait_fd(fd, POLLOUT, deadline, error))
				goto out;
			continue;
		}
		if (n < 0) {
			set_net_error(error, "TCP send");
			goto out;
		}
		done += (gsize)n;
	}
	/* The length, then the message. */
	for (int part = 0; part < 2; part++) {
		guint8 *buf = part == 0 ? lenbuf : in;

		done = 0;
		while (done < want) {
			ssize_t n = recv(fd, buf + done, want - done, 0);

			if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
				if (!wait_fd(fd, POLLIN, deadline, error))
					goto out;
				continue;
			}
			if (n < 0) {
				set_net_error(error, "TCP receive");
				goto out;
			}
			if (n == 0) {
				g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_NET,
					    "the server closed the TCP connection before "
					    "answering");
				goto out;
			}
			done += (gsize)n;
		}
		if (part == 0) {
			want = (gsize)lenbuf[0] << 8 | lenbuf[1];
			in = g_malloc(want ? want : 1);
		}
	}
	v = tb_dns_request_check_answer(req, in, want, g_get_real_time() / G_USEC_PER_SEC,
					addrs, ttl, error);
	if (v == TB_DNS_ANSWER_TRUNCATED) {
		g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_BOGUS,
			    "a truncated answer over TCP");
		v = TB_DNS_ANSWER_IGNORED;
	}
out:
	close_fd(&fd);
	return v;
}

/*
 * Sends req to srv and waits for its answer until timeout_ms has passed:
 * over UDP, sent again as lost now and then, over TCP if the
 * answer is truncated.  Returns OK or FAILED, or IGNORED with error set
 * (timeout, network, bogus).
 */
static enum tb_dns_verdict
exchange(const struct tb_dns_server *srv, const struct tb_dns_request *req, guint timeout_ms,
	 GArray **addrs, guint32 *ttl, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000, resend;
	gint64 resend_us = (gint64)CLAMP(timeout_ms / 3, TB_DNS_RESEND_MIN_MS,
					 TB_DNS_RESEND_MAX_MS) * 1000;
	g_autoptr(GError) ignored = NULL;
	g_autofree guint8 *buf = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen;
	enum tb_dns_verdict v = TB_DNS_ANSWER_IGNORED;
	int fd;

	if (!server_sockaddr(srv, &ss, &sslen, error))
		return TB_DNS_ANSWER_IGNORED;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		set_net_error(error, "UDP socket");
		return TB_DNS_ANSWER_IGNORED;
	}
	/* Connected: the kernel drops datagrams from anyone but the server. */
	if (connect(fd, (struct sockaddr *)&ss, sslen) < 0) {
		/* A blackhole or prohibit route makes connect() fail with EINVAL. */
		set_net_error(error, errno == EINVAL ? "UDP connect (no route to the server?)" :
				     "UDP connect");
		goto out;
	}
	buf = g_malloc(65536);
	resend = 0;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		gint64 now = g_get_monotonic_time();
		int wait;
		ssize_t n;

		if (now >= deadline)
			break;
		if (now >= resend) {
			if (send(fd, req->wire, req->len, 0) < 0 && errno != EINTR &&
			    errno != EAGAIN && errno != ENOBUFS) {
				set_net_error(error, errno == ECONNREFUSED ?
					      "UDP send (nothing listens there)" : "UDP send");
				goto out;
			}
			resend = now + resend_us;
		}
		wait = ms_left(MIN(deadline, resend));
		if (poll(&p, 1, wait) < 0) {
			if (errno == EINTR)
				continue;
			set_net_error(error, "poll");
			goto out;
		}
		if (!(p.revents & (POLLIN | POLLERR)))
			continue;
		n = recv(fd, buf, 65536, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			set_net_error(error, errno == ECONNREFUSED ?
				      "UDP receive (nothing listens there)" : "UDP receive");
			goto out;
		}
		g_clear_error(&ignored);
		v = tb_dns_request_check_answer(req, buf, (gsize)n,
						g_get_real_time() / G_USEC_PER_SEC, addrs, ttl,
						&ignored);
		if (v == TB_DNS_ANSWER_OK)
			goto out;
		if (v == TB_DNS_ANSWER_FAILED) {
			g_propagate_error(error, g_steal_pointer(&ignored));
			goto out;
		}
		if (v == TB_DNS_ANSWER_TRUNCATED) {
			close_fd(&fd);
			return exchange_tcp(&ss, sslen, req, deadline, addrs, ttl, error);
		}
		/* Ignored: not ours or forged; the real answer may still come. */
	}
	v = TB_DNS_ANSWER_IGNORED;
	g_set_error(error, TB_DNS_ERROR, TB_DNS_ERROR_TIMEOUT, "no answer within %u ms%s%s",
		    timeout_ms, ignored ? "; ignored " : "", ignored ? ignored->message : "");
out:
	close_fd(&fd);
	return v;
}

static guint16
random_id(void)
{
	guint16 id;

	if (getrandom(&id, sizeof id, 0) != (ssize_t)sizeof id)
		id = (guint16)g_random_int();
	return id;
}

gboolean
tb_dns_update(const struct tb_dns_server *srv, const char *zone, const char *name,
	      gboolean add, guint32 addr, guint32 ttl, guint timeout_ms, GError **error)
{
	g_autoptr(tb_dns_request) req = NULL;
	char a[INET_ADDRSTRLEN];
	guint32 be = htonl(addr);

	inet_ntop(AF_INET, &be, a, sizeof a);
	req = tb_dns_request_new_update(srv, zone, name, add, addr, ttl, random_id(), error);
	if (!req || exchange(srv, req, timeout_ms, NULL, NULL, error) != TB_DNS_ANSWER_OK) {
		g_prefix_error(error, "%s %s A %s at %s#%u: ", add ? "adding" : "deleting",
			       name ? name : "", a, srv->address ? srv->address : "",
			       srv->port);
		return FALSE;
	}
	return TRUE;
}

gboolean
tb_dns_query_a(const struct tb_dns_server *srv, const char *name, guint timeout_ms,
	       GArray **addrs, guint32 *ttl, GError **error)
{
	g_autoptr(tb_dns_request) req = tb_dns_request_new_query_a(srv, name, random_id(),
								   error);
	g_autoptr(GArray) got = NULL;
	guint32 t = 0;

	if (!req || exchange(srv, req, timeout_ms, &got, &t, error) != TB_DNS_ANSWER_OK) {
		g_prefix_error(error, "query of %s A at %s#%u: ", name ? name : "",
			       srv->address ? srv->address : "", srv->port);
		return FALSE;
	}
	if (!got)
		got = g_array_new(FALSE, FALSE, sizeof(guint32));
	*addrs = g_steal_pointer(&got);
	*ttl = t;
	return TRUE;
}
