/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Dynamic DNS for the testbed: RFC 2136 updates of one A record, signed
 * with TSIG (RFC 8945, hmac-sha256), sent to the run's BIND over UDP (TCP
 * when the answer is truncated), and a lookup of a name's A records.
 *
 * An update adds or deletes one RR (name, A, address) and touches nothing
 * else: adding an RR that is there, or deleting one that is not, is a
 * no-op that the server answers with NOERROR, so DNS_ADD and DNS_REMOVE
 * actions may be repeated.  The update carries no prerequisite.
 *
 * An answer counts only if it is the answer to this request: same ID,
 * QR set, same opcode, the question (zone) echoed if present, and, when
 * the request was signed, a TSIG RR of the same key and algorithm whose
 * MAC verifies against the request's MAC and whose time is within the
 * fudge of ours.  A NOERROR answer that fails these checks is ignored (a
 * forgery must not make an update look done) and the wait goes on; an
 * error answer (REFUSED, NOTAUTH with TSIG error BADSIG ...) ends the wait
 * even unsigned, as a server answers a request it could not verify
 * unsigned (RFC 8945, 5.3.2).
 *
 * Over UDP the request is sent again every third of timeout_ms (at least
 * 100 ms, at most 1 s apart) until an answer comes, as a datagram may be
 * lost on a shaped link; the server takes the copies as one (adding an RR
 * twice is adding it once).
 *
 * The functions block for at most timeout_ms, keep no state between calls
 * and touch no global state, so they may run in a worker thread.
 */
#ifndef FLASHCOOP_TESTBED_DNSUPDATE_H
#define FLASHCOOP_TESTBED_DNSUPDATE_H

#include <glib.h>

/* The TSIG fudge we sign with and accept: 300 s, as RFC 8945 recommends. */
#define TB_DNS_FUDGE 300

/* The only TSIG algorithm used. */
#define TB_DNS_ALGORITHM "hmac-sha256."

#define TB_DNS_ERROR (tb_dns_error_quark())
GQuark tb_dns_error_quark(void);

enum tb_dns_error_code {
	TB_DNS_ERROR_INVAL,   /* a bad argument: name, address, key, secret */
	TB_DNS_ERROR_NET,     /* a socket error: unreachable, connection refused */
	TB_DNS_ERROR_TIMEOUT, /* no valid answer within the timeout */
	TB_DNS_ERROR_RCODE,   /* the server answered with an error rcode */
	TB_DNS_ERROR_BOGUS,   /* an answer that is not the answer to our request */
};

/*
 * Where updates and queries go.  address is a numeric IPv4 or IPv6
 * address; key_name (a domain name, with or without its final dot) and
 * key_secret (base64) are the TSIG key, or both NULL to send unsigned.
 * The strings belong to the caller.
 */
struct tb_dns_server {
	const char *address;
	guint16 port;
	const char *key_name;
	const char *key_secret;
};

/*
 * Sends a signed update to srv: add (add TRUE) the RR "name ttl IN A
 * addr" to zone, or delete that RR (add FALSE; ttl unused), and waits
 * for the answer at most timeout_ms.  addr is in host byte order; name
 * must lie in zone (both domain names, final dot optional).  TRUE on
 * NOERROR.  Otherwise FALSE with error: TB_DNS_ERROR_RCODE whose message
 * names the rcode and, if any, the TSIG error ("NOTAUTH, TSIG error
 * BADSIG"), TB_DNS_ERROR_TIMEOUT, TB_DNS_ERROR_NET, or
 * TB_DNS_ERROR_INVAL for bad arguments (nothing sent).
 */
gboolean tb_dns_update(const struct tb_dns_server *srv, const char *zone, const char *name,
		       gboolean add, guint32 addr, guint32 ttl, guint timeout_ms,
		       GError **error);

/*
 * Asks srv for the A records of name (signed if srv has a key, and the
 * answer then verified).  On success *addrs is a new array of guint32 in
 * host byte order, in the server's order, and *ttl the smallest TTL among
 * them; a name without A records (NODATA or NXDOMAIN) gives an empty
 * array and *ttl 0.  Errors as tb_dns_update().
 */
gboolean tb_dns_query_a(const struct tb_dns_server *srv, const char *name, guint timeout_ms,
			GArray **addrs, guint32 *ttl, GError **error);

/*
 * A new TSIG secret: 32 random bytes (the HMAC-SHA256 block the key
 * should fill) in base64, from the kernel's random source.  NULL with
 * error if that fails.
 */
char *tb_dns_secret_new(GError **error);

/*
 * Checks that secret is base64 (RFC 4648, padded) of 1 to 64 bytes.
 * FALSE with error naming what is wrong.
 */
gboolean tb_dns_secret_check(const char *secret, GError **error);

/*
 * A domain name in the form the wire functions want: ASCII letters,
 * digits, '-' and '_' in labels of 1 to 63 characters, at most 253 in all,
 * lower-cased, with the final dot added.  NULL with error otherwise; what
 * names the argument in the message ("zone", "key name").
 */
char *tb_dns_name_normalize(const char *name, const char *what, GError **error);

/* ---- The request and answer checks, exposed for the tests ---- */

/* A request on the wire, with what its answer is checked against. */
struct tb_dns_request;

/* What an answer to a request is. */
enum tb_dns_verdict {
	TB_DNS_ANSWER_OK,      /* the verified answer, NOERROR */
	TB_DNS_ANSWER_FAILED,  /* an answer with an error rcode: the request failed */
	TB_DNS_ANSWER_IGNORED, /* not an answer to this request, or forged: wait on */
	TB_DNS_ANSWER_TRUNCATED, /* ours, truncated: ask again over TCP */
};

/*
 * The update of tb_dns_update() as a request with the given message id,
 * signed with srv's key, if it has one, at the present time (ldns reads
 * the clock).  NULL with error for bad arguments.
 */
struct tb_dns_request *tb_dns_request_new_update(const struct tb_dns_server *srv,
						 const char *zone, const char *name,
						 gboolean add, guint32 addr, guint32 ttl,
						 guint16 id, GError **error);

/* The query of tb_dns_query_a() as a request; as above. */
struct tb_dns_request *tb_dns_request_new_query_a(const struct tb_dns_server *srv,
						  const char *name, guint16 id, GError **error);

/* The request's bytes on the wire (owned by the request). */
const guint8 *tb_dns_request_wire(const struct tb_dns_request *req, gsize *len);

/*
 * Judges the bytes wire[0..len) received as the answer to req at the time
 * now_s.  For TB_DNS_ANSWER_FAILED and TB_DNS_ANSWER_IGNORED, error says
 * why (for FAILED, as tb_dns_update() describes).  For TB_DNS_ANSWER_OK,
 * if addrs is not NULL, the A records of the answer section whose owner is
 * the question's name are appended to *addrs (guint32, host order; the
 * array is created if *addrs is NULL) and *ttl is set to their smallest
 * TTL (0 without any).
 */
enum tb_dns_verdict tb_dns_request_check_answer(const struct tb_dns_request *req,
						const guint8 *wire, gsize len, gint64 now_s,
						GArray **addrs, guint32 *ttl, GError **error);

/* Frees req; NULL is accepted. */
void tb_dns_request_free(struct tb_dns_request *req);
typedef struct tb_dns_request tb_dns_request;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_dns_request, tb_dns_request_free)

/* The mnemonic of a DNS rcode ("REFUSED") or TSIG error ("BADSIG"). */
const char *tb_dns_rcode_name(unsigned rcode);

#endif
