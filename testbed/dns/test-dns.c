/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * testbed/dns without a daemon: the update and query packets as ldns
 * reads them back, the answers that must be accepted and those that must
 * not (forged, garbled, stale, another key, another request), the
 * exchange against a fake server on loopback (retransmission, forged
 * answers ignored, TCP after truncation, timeout), and named's files.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <ldns/ldns.h>

#include "testbed/dns/dnsupdate.h"
#include "testbed/dns/named.h"

#define KEY "flash-key."
#define SECRET "NTwMvLx9IUThOIk8eSfKPf1J0OWNHEQzr9DxID/6Igk="
#define OTHER_SECRET "AAAAvLx9IUThOIk8eSfKPf1J0OWNHEQzr9DxID/6Igk="
#define IP(a, b, c, d) ((guint32)(a) << 24 | (guint32)(b) << 16 | (guint32)(c) << 8 | (d))

static const struct tb_dns_server signed_srv = {
	.address = "127.0.0.1", .port = 53, .key_name = "flash-key", .key_secret = SECRET,
};
static const struct tb_dns_server unsigned_srv = { .address = "127.0.0.1", .port = 53 };

static gint64
now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static ldns_pkt *
parse_wire(const guint8 *wire, gsize len)
{
	ldns_pkt *pkt = NULL;

	g_assert_cmpint(ldns_wire2pkt(&pkt, wire, len), ==, LDNS_STATUS_OK);
	return pkt;
}

static ldns_pkt *
parse(const struct tb_dns_request *req)
{
	gsize len;
	const guint8 *wire = tb_dns_request_wire(req, &len);

	return parse_wire(wire, len);
}

static char *
rr_str(const ldns_rr *rr)
{
	char *s = ldns_rr2str(rr), *out;

	g_strchomp(s);
	out = g_strdup(s);
	free(s);
	return out;
}

static void
assert_zone_section(ldns_pkt *pkt)
{
	ldns_rr *z;

	g_assert_cmpint(ldns_pkt_get_opcode(pkt), ==, LDNS_PACKET_UPDATE);
	g_assert_false(ldns_pkt_qr(pkt));
	g_assert_false(ldns_pkt_rd(pkt));
	g_assert_cmpuint(ldns_pkt_qdcount(pkt), ==, 1);
	z = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	g_assert_cmpint(ldns_rr_get_type(z), ==, LDNS_RR_TYPE_SOA);
	g_assert_cmpint(ldns_rr_get_class(z), ==, LDNS_RR_CLASS_IN);
	{
		g_autofree char *o = NULL;
		char *s = ldns_rdf2str(ldns_rr_owner(z));

		o = g_strdup(s);
		free(s);
		g_assert_cmpstr(o, ==, "flash.test.");
	}
}

/* Zone, no prerequisite, one RR to add, and a TSIG RR that verifies. */
static void
test_update_add(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_dns_request) req =
		tb_dns_request_new_update(&signed_srv, "Flash.Test", "site.flash.test.", TRUE,
					  IP(10, 77, 2, 2), 5, 4242, &err);
	ldns_pkt *pkt;
	ldns_rr *t;
	g_autofree char *up = NULL;
	gsize len;
	const guint8 *wire;

	g_assert_no_error(err);
	pkt = parse(req);
	g_assert_cmpuint(ldns_pkt_id(pkt), ==, 4242);
	assert_zone_section(pkt);
	g_assert_cmpuint(ldns_pkt_ancount(pkt), ==, 0); /* prerequisites */
	g_assert_cmpuint(ldns_pkt_nscount(pkt), ==, 1); /* updates */
	up = rr_str(ldns_rr_list_rr(ldns_pkt_authority(pkt), 0));
	g_assert_cmpstr(up, ==, "site.flash.test.\t5\tIN\tA\t10.77.2.2");
	/* The TSIG RR is the only additional record. */
	g_assert_cmpuint(ldns_pkt_arcount(pkt), ==, 0);
	t = ldns_pkt_tsig(pkt);
	g_assert_nonnull(t);
	{
		char *s = ldns_rdf2str(ldns_rr_owner(t));

		g_assert_cmpstr(s, ==, KEY);
		free(s);
		s = ldns_rdf2str(ldns_rr_rdf(t, 0));
		g_assert_cmpstr(s, ==, TB_DNS_ALGORITHM);
		free(s);
	}
	g_assert_cmpuint(ldns_rdf2native_int16(ldns_rr_rdf(t, 2)), ==, TB_DNS_FUDGE);
	g_assert_cmpuint(ldns_rdf_size(ldns_rr_rdf(t, 3)), ==, 2 + 32); /* HMAC-SHA256 */
	g_assert_cmpuint(ldns_rdf2native_int16(ldns_rr_rdf(t, 5)), ==, 0);
	/* The MAC is right for our key and wrong for another. */
	wire = tb_dns_request_wire(req, &len);
	g_assert_true(ldns_pkt_tsig_verify(pkt, wire, len, KEY, SECRET, NULL));
	g_assert_false(ldns_pkt_tsig_verify(pkt, wire, len, KEY, OTHER_SECRET, NULL));
	if (!ldns_pkt_tsig(pkt))
		ldns_pkt_set_tsig(pkt, t);
	ldns_pkt_free(pkt);
}

/* Deleting one RR: class NONE, TTL 0 (RFC 2136, 2.5.4). */
static void
test_update_delete(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_dns_request) req =
		tb_dns_request_new_update(&signed_srv, "flash.test.", "s3.flash.test", FALSE,
					  IP(10, 77, 4, 2), 5, 1, &err);
	ldns_pkt *pkt;
	ldns_rr *rr;

	g_assert_no_error(err);
	pkt = parse(req);
	assert_zone_section(pkt);
	g_assert_cmpuint(ldns_pkt_ancount(pkt), ==, 0);
	g_assert_cmpuint(ldns_pkt_nscount(pkt), ==, 1);
	rr = ldns_rr_list_rr(ldns_pkt_authority(pkt), 0);
	g_assert_cmpint(ldns_rr_get_class(rr), ==, LDNS_RR_CLASS_NONE);
	g_assert_cmpint(ldns_rr_get_type(rr), ==, LDNS_RR_TYPE_A);
	g_assert_cmpuint(ldns_rr_ttl(rr), ==, 0);
	g_assert_cmpuint(ldns_rdf_size(ldns_rr_rdf(rr, 0)), ==, 4);
	g_assert_cmpmem(ldns_rdf_data(ldns_rr_rdf(rr, 0)), 4, "\x0a\x4d\x04\x02", 4);
	g_assert_nonnull(ldns_pkt_tsig(pkt));
	ldns_pkt_free(pkt);
}

/* Without a key: the same update, no TSIG RR. */
static void
test_update_unsigned(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_dns_request) req =
		tb_dns_request_new_update(&unsigned_srv, "flash.test.", "site.flash.test.",
					  TRUE, IP(10, 77, 2, 2), 5, 7, &err);
	ldns_pkt *pkt;

	g_assert_no_error(err);
	pkt = parse(req);
	g_assert_cmpuint(ldns_pkt_nscount(pkt), ==, 1);
	g_assert_null(ldns_pkt_tsig(pkt));
	g_assert_cmpuint(ldns_pkt_arcount(pkt), ==, 0);
	ldns_pkt_free(pkt);
}

static void
assert_bad_update(const struct tb_dns_server *srv, const char *zone, const char *name,
		  guint32 ttl, const char *msg)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_dns_request) req =
		tb_dns_request_new_update(srv, zone, name, TRUE, 1, ttl, 1, &err);

	g_assert_null(req);
	g_assert_error(err, TB_DNS_ERROR, TB_DNS_ERROR_INVAL);
	if (!strstr(err->message, msg))
		g_error("'%s' lacks '%s'", err->message, msg);
}

static void
test_update_bad(void)
{
	struct tb_dns_server s = signed_srv;

	assert_bad_update(&s, "flash.test.", "site.other.test.", 5, "not in zone");
	assert_bad_update(&s, "flash.test.", "xflash.test.", 5, "not in zone");
	assert_bad_update(&s, "flash..test", "site.flash.test.", 5, "an empty label");
	assert_bad_update(&s, "flash.test.", "si te.flash.test.", 5, "character ' '");
	assert_bad_update(&s, "", "site.flash.test.", 5, "an empty name");
	assert_bad_update(&s, "flash.test.", "site.flash.test.", 0x80000000u, "TTL");
	s.key_secret = "not base64!";
	assert_bad_update(&s, "flash.test.", "site.flash.test.", 5, "not base64");
	s.key_secret = NULL;
	assert_bad_update(&s, "flash.test.", "site.flash.test.", 5, "needs a secret");
}

/* A query of an A record: RD clear, signed when there is a key. */
static void
test_query(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_dns_request) req =
		tb_dns_request_new_query_a(&signed_srv, "site.flash.test", 99, &err);
	ldns_pkt *pkt;
	ldns_rr *q;

	g_assert_no_error(err);
	pkt = parse(req);
	g_assert_cmpint(ldns_pkt_get_opcode(pkt), ==, LDNS_PACKET_QUERY);
	g_assert_false(ldns_pkt_rd(pkt));
	g_assert_cmpuint(ldns_pkt_qdcount(pkt), ==, 1);
	q = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	g_assert_cmpint(ldns_rr_get_type(q), ==, LDNS_RR_TYPE_A);
	g_assert_nonnull(ldns_pkt_tsig(pkt));
	ldns_pkt_free(pkt);
}

/* ---- answers ---- */

enum forge {
	FORGE_NONE = 0,
	FORGE_UNSIGNED = 1 << 0,
	FORGE_WRONG_SECRET = 1 << 1,
	FORGE_OTHER_KEY = 1 << 2,
	FORGE_OTHER_MAC = 1 << 3, /* signed as the answer to another request */
	FORGE_TC = 1 << 4,
	FORGE_NO_QR = 1 << 5,
	FORGE_BADSIG = 1 << 6,   /* what a server sends when our MAC fails */
	FORGE_ID = 1 << 7,
	FORGE_QUESTION = 1 << 8,
};

/* The request's MAC, read back from its wire. */
static ldns_rdf *
request_mac(const struct tb_dns_request *req)
{
	ldns_pkt *pkt = parse(req);
	ldns_rdf *mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(pkt), 3));

	ldns_pkt_free(pkt);
	return mac;
}

/* The same, from the request's bytes as a server receives them. */
static ldns_rdf *
wire_mac(const guint8 *w, gsize wlen)
{
	ldns_pkt *pkt = parse_wire(w, wlen);
	ldns_rdf *mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(pkt), 3));

	ldns_pkt_free(pkt);
	return mac;
}

/* A TSIG RR with an error and no MAC, unsigned, as BIND answers BADSIG. */
static ldns_rr *
tsig_error_rr(guint16 id, guint16 error)
{
	ldns_rr *t = ldns_rr_new();
	guint8 *tm = g_malloc0(6);
	gint64 now = now_s();

	for (int i = 5; i >= 0; i--, now >>= 8)
		tm[i] = (guint8)now;
	ldns_rr_set_owner(t, ldns_dname_new_frm_str(KEY));
	ldns_rr_set_type(t, LDNS_RR_TYPE_TSIG);
	ldns_rr_set_class(t, LDNS_RR_CLASS_ANY);
	ldns_rr_set_ttl(t, 0);
	ldns_rr_push_rdf(t, ldns_dname_new_frm_str(TB_DNS_ALGORITHM));
	ldns_rr_push_rdf(t, ldns_rdf_new(LDNS_RDF_TYPE_TSIGTIME, 6, tm));
	ldns_rr_push_rdf(t, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, TB_DNS_FUDGE));
	ldns_rr_push_rdf(t, ldns_native2rdf_int16_data(0, NULL));
	ldns_rr_push_rdf(t, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, id));
	ldns_rr_push_rdf(t, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, error));
	ldns_rr_push_rdf(t, ldns_native2rdf_int16_data(0, NULL));
	return t;
}

/*
 * The server's answer to req, rcode and the answer records given (zone
 * file lines, NULL-terminated), forged as asked; its wire in *len.
 */
static guint8 *
answer_wire(const guint8 *w, gsize wlen, unsigned rcode, const char *const *rrs,
	    unsigned forge, gsize *len)
{
	ldns_pkt *pkt = parse_wire(w, wlen);
	ldns_rdf *mac = NULL;
	guint8 *wire = NULL, *out;
	size_t n;

	if (ldns_pkt_tsig(pkt)) {
		mac = wire_mac(w, wlen);
		ldns_rr_free(ldns_pkt_tsig(pkt));
		ldns_pkt_set_tsig(pkt, NULL);
	}
	if (forge & FORGE_OTHER_MAC) {
		/* Another request with the same ID, and so another MAC. */
		g_autoptr(tb_dns_request) other = tb_dns_request_new_update(
			&signed_srv, "flash.test", "s9.flash.test", TRUE, 9, 5,
			ldns_pkt_id(pkt), NULL);

		ldns_rdf_deep_free(mac);
		mac = request_mac(other);
	}
	/* An update's answer keeps only the zone section; a query's, its question. */
	if (ldns_pkt_get_opcode(pkt) == LDNS_PACKET_UPDATE) {
		ldns_rr_list_deep_free(ldns_pkt_authority(pkt));
		ldns_pkt_set_authority(pkt, ldns_rr_list_new());
		ldns_pkt_set_nscount(pkt, 0);
	}
	for (const char *const *s = rrs; s && *s; s++) {
		ldns_rr *rr = NULL;

		g_assert_cmpint(ldns_rr_new_frm_str(&rr, *s, 0, NULL, NULL), ==, LDNS_STATUS_OK);
		ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr);
	}
	if (forge & FORGE_QUESTION) {
		ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);

		ldns_rdf_deep_free(ldns_rr_owner(q));
		ldns_rr_set_owner(q, ldns_dname_new_frm_str("other.flash.test."));
	}
	ldns_pkt_set_qr(pkt, !(forge & FORGE_NO_QR));
	ldns_pkt_set_aa(pkt, true);
	ldns_pkt_set_rcode(pkt, (guint8)rcode);
	ldns_pkt_set_tc(pkt, (forge & FORGE_TC) != 0);
	if (forge & FORGE_ID)
		ldns_pkt_set_id(pkt, (guint16)(ldns_pkt_id(pkt) + 1));
	if (forge & FORGE_BADSIG) {
		ldns_pkt_set_tsig(pkt, tsig_error_rr(ldns_pkt_id(pkt), 16 /* BADSIG */));
	} else if (mac && !(forge & FORGE_UNSIGNED)) {
		g_assert_cmpint(ldns_pkt_tsig_sign(pkt, (forge & FORGE_OTHER_KEY) ? "other-key." : KEY,
						   (forge & FORGE_WRONG_SECRET) ? OTHER_SECRET : SECRET,
						   TB_DNS_FUDGE, TB_DNS_ALGORITHM, mac),
				==, LDNS_STATUS_OK);
	}
	g_assert_cmpint(ldns_pkt2wire(&wire, pkt, &n), ==, LDNS_STATUS_OK);
	out = g_memdup2(wire, n);
	free(wire);
	*len = n;
	ldns_rdf_deep_free(mac);
	ldns_pkt_free(pkt);
	return out;
}

static guint8 *
answer(const struct tb_dns_request *req, unsigned rcode, const char *const *rrs,
       unsigned forge, gsize *len)
{
	gsize wlen;
	const guint8 *w = tb_dns_request_wire(req, &wlen);

	return answer_wire(w, wlen, rcode, rrs, forge, len);
}

static struct tb_dns_request *
signed_update(void)
{
	g_autoptr(GError) err = NULL;
	struct tb_dns_request *req = tb_dns_request_new_update(
		&signed_srv, "flash.test", "site.flash.test", TRUE, IP(10, 77, 2, 2), 5, 777, &err);

	g_assert_no_error(err);
	return req;
}

/* Judges an answer; checks the verdict and that the message says msg. */
static void
assert_verdict(const struct tb_dns_request *req, const guint8 *wire, gsize len, gint64 now,
	       enum tb_dns_verdict want, const char *msg)
{
	g_autoptr(GError) err = NULL;
	enum tb_dns_verdict v = tb_dns_request_check_answer(req, wire, len, now, NULL, NULL, &err);

	if (v != want)
		g_error("verdict %d, expected %d (%s)", v, want, err ? err->message : "no error");
	if (want == TB_DNS_ANSWER_OK || want == TB_DNS_ANSWER_TRUNCATED) {
		g_assert_no_error(err);
		return;
	}
	g_assert_nonnull(err);
	if (!strstr(err->message, msg))
		g_error("'%s' lacks '%s'", err->message, msg);
}

static void
check_forged(unsigned rcode, unsigned forge, enum tb_dns_verdict want, const char *msg)
{
	g_autoptr(tb_dns_request) req = signed_update();
	gsize len;
	g_autofree guint8 *wire = answer(req, rcode, NULL, forge, &len);

	assert_verdict(req, wire, len, now_s(), want, msg);
}

static void
test_answer_ok(void)
{
	check_forged(LDNS_RCODE_NOERROR, FORGE_NONE, TB_DNS_ANSWER_OK, NULL);
}

/* A NOERROR that is not the verified answer to our request never counts. */
static void
test_answer_forged(void)
{
	check_forged(LDNS_RCODE_NOERROR, FORGE_UNSIGNED, TB_DNS_ANSWER_IGNORED, "unsigned");
	check_forged(LDNS_RCODE_NOERROR, FORGE_WRONG_SECRET, TB_DNS_ANSWER_IGNORED,
		     "MAC does not verify");
	check_forged(LDNS_RCODE_NOERROR, FORGE_OTHER_KEY, TB_DNS_ANSWER_IGNORED, "another key");
	check_forged(LDNS_RCODE_NOERROR, FORGE_OTHER_MAC, TB_DNS_ANSWER_IGNORED,
		     "MAC does not verify");
	check_forged(LDNS_RCODE_NOERROR, FORGE_ID, TB_DNS_ANSWER_IGNORED, "with ID 778");
	check_forged(LDNS_RCODE_NOERROR, FORGE_NO_QR, TB_DNS_ANSWER_IGNORED, "QR clear");
	check_forged(LDNS_RCODE_NOERROR, FORGE_QUESTION, TB_DNS_ANSWER_IGNORED,
		     "another question");
	check_forged(LDNS_RCODE_NOERROR, FORGE_BADSIG, TB_DNS_ANSWER_IGNORED, "no MAC");
}

/* Garbled bytes: cut short, flipped, random; the real answer must verify first. */
static void
test_answer_garbled(void)
{
	g_autoptr(tb_dns_request) req = signed_update();
	gsize len;
	g_autofree guint8 *wire = answer(req, LDNS_RCODE_NOERROR, NULL, FORGE_NONE, &len);
	g_autofree guint8 *bad = g_memdup2(wire, len);
	guint8 noise[64];
	GRand *r = g_rand_new_with_seed(18);

	assert_verdict(req, wire, len, now_s(), TB_DNS_ANSWER_OK, NULL);
	assert_verdict(req, wire, len / 2, now_s(), TB_DNS_ANSWER_IGNORED, "garbled");
	assert_verdict(req, wire, 5, now_s(), TB_DNS_ANSWER_IGNORED, "garbled");
	assert_verdict(req, wire, 0, now_s(), TB_DNS_ANSWER_IGNORED, "garbled");
	/* Every byte flipped in turn: never accepted. */
	for (gsize i = 0; i < len; i++) {
		g_autoptr(GError) err = NULL;

		memcpy(bad, wire, len);
		bad[i] ^= 0x5a;
		if (tb_dns_request_check_answer(req, bad, len, now_s(), NULL, NULL, &err) ==
		    TB_DNS_ANSWER_OK)
			g_error("byte %zu of %zu flipped, and the answer was accepted", i, len);
	}
	for (int k = 0; k < 200; k++) {
		g_autoptr(GError) err = NULL;

		for (gsize i = 0; i < sizeof noise; i++)
			noise[i] = (guint8)g_rand_int(r);
		noise[0] = (guint8)(777 >> 8);
		noise[1] = (guint8)(777 & 0xff);
		g_assert_cmpint(tb_dns_request_check_answer(req, noise, sizeof noise, now_s(), NULL,
							    NULL, &err), ==, TB_DNS_ANSWER_IGNORED);
	}
	g_rand_free(r);
}

/* An answer signed more than the fudge away from now is a replay. */
static void
test_answer_stale(void)
{
	g_autoptr(tb_dns_request) req = signed_update();
	gsize len;
	g_autofree guint8 *wire = answer(req, LDNS_RCODE_NOERROR, NULL, FORGE_NONE, &len);

	assert_verdict(req, wire, len, now_s() + TB_DNS_FUDGE - 5, TB_DNS_ANSWER_OK, NULL);
	assert_verdict(req, wire, len, now_s() + TB_DNS_FUDGE + 10, TB_DNS_ANSWER_IGNORED,
		       "beyond its fudge");
	assert_verdict(req, wire, len, now_s() - TB_DNS_FUDGE - 10, TB_DNS_ANSWER_IGNORED,
		       "beyond its fudge");
}

/* Error answers end the request, signed or not, with the rcode named. */
static void
test_answer_errors(void)
{
	check_forged(LDNS_RCODE_REFUSED, FORGE_NONE, TB_DNS_ANSWER_FAILED, "REFUSED");
	check_forged(LDNS_RCODE_REFUSED, FORGE_UNSIGNED, TB_DNS_ANSWER_FAILED,
		     "REFUSED (answer not verified)");
	check_forged(LDNS_RCODE_NOTAUTH, FORGE_BADSIG, TB_DNS_ANSWER_FAILED,
		     "NOTAUTH, TSIG error BADSIG (answer not verified)");
	check_forged(LDNS_RCODE_NOTZONE, FORGE_NONE, TB_DNS_ANSWER_FAILED, "NOTZONE");
	check_forged(12, FORGE_NONE, TB_DNS_ANSWER_FAILED, "rcode 12");
	/* A truncated answer sends us to TCP; an error to another request is ignored. */
	check_forged(LDNS_RCODE_NOERROR, FORGE_TC, TB_DNS_ANSWER_TRUNCATED, NULL);
	check_forged(LDNS_RCODE_REFUSED, FORGE_ID, TB_DNS_ANSWER_IGNORED, "with ID");
	g_assert_cmpstr(tb_dns_rcode_name(17), ==, "BADKEY");
	g_assert_cmpstr(tb_dns_rcode_name(5), ==, "REFUSED");
	g_assert_cmpstr(tb_dns_rcode_name(300), ==, "unknown");
}

/* A query's answer: the A records of the name, the smallest TTL. */
static void
test_answer_query(void)
{
	static const char *const rrs[] = {
		"site.flash.test. 5 IN A 10.77.1.2",
		"site.flash.test. 4 IN A 10.77.2.2",
		"other.flash.test. 1 IN A 10.77.9.9",
		NULL,
	};
	g_autoptr(GError) err = NULL;
	g_autoptr(tb_dns_request) req =
		tb_dns_request_new_query_a(&signed_srv, "SITE.flash.test.", 5, &err);
	g_autoptr(GArray) addrs = NULL;
	g_autofree guint8 *wire = NULL, *nx = NULL;
	guint32 ttl = 99;
	gsize len;

	g_assert_no_error(err);
	wire = answer(req, LDNS_RCODE_NOERROR, rrs, FORGE_NONE, &len);
	g_assert_cmpint(tb_dns_request_check_answer(req, wire, len, now_s(), &addrs, &ttl, &err),
			==, TB_DNS_ANSWER_OK);
	g_assert_no_error(err);
	g_assert_cmpuint(addrs->len, ==, 2);
	g_assert_cmphex(g_array_index(addrs, guint32, 0), ==, IP(10, 77, 1, 2));
	g_assert_cmphex(g_array_index(addrs, guint32, 1), ==, IP(10, 77, 2, 2));
	g_assert_cmpuint(ttl, ==, 4);
	/* NXDOMAIN: no address. */
	g_clear_pointer(&addrs, g_array_unref);
	nx = answer(req, LDNS_RCODE_NXDOMAIN, NULL, FORGE_NONE, &len);
	g_assert_cmpint(tb_dns_request_check_answer(req, nx, len, now_s(), &addrs, &ttl, &err),
			==, TB_DNS_ANSWER_OK);
	g_assert_cmpuint(addrs->len, ==, 0);
	g_assert_cmpuint(ttl, ==, 0);
	/* A forged answer with addresses adds none. */
	g_clear_pointer(&addrs, g_array_unref);
	g_free(wire);
	wire = answer(req, LDNS_RCODE_NOERROR, rrs, FORGE_UNSIGNED, &len);
	g_assert_cmpint(tb_dns_request_check_answer(req, wire, len, now_s(), &addrs, &ttl, &err),
			==, TB_DNS_ANSWER_IGNORED);
	g_assert_null(addrs);
}

static void
test_names(void)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "flash.test", "flash.test." },
		{ "Flash.TEST.", "flash.test." },
		{ "s_1-a.flash.test", "s_1-a.flash.test." },
	};
	static const char *const bad[] = { "", ".", "a..b", ".a", "a b", "a/b", "é.test" };
	g_autofree char *long_label = g_strnfill(64, 'a');
	g_autofree char *long_name = NULL;
	GString *ln = g_string_new(NULL);

	for (gsize i = 0; i < G_N_ELEMENTS(ok); i++) {
		g_autoptr(GError) err = NULL;
		g_autofree char *n = tb_dns_name_normalize(ok[i].in, "name", &err);

		g_assert_no_error(err);
		g_assert_cmpstr(n, ==, ok[i].out);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) err = NULL;

		g_assert_null(tb_dns_name_normalize(bad[i], "zone", &err));
		g_assert_error(err, TB_DNS_ERROR, TB_DNS_ERROR_INVAL);
		g_assert_true(g_str_has_prefix(err->message, "zone"));
	}
	g_assert_null(tb_dns_name_normalize(long_label, "name", NULL));
	for (int i = 0; i < 26; i++)
		g_string_append(ln, "abcdefghi.");
	long_name = g_string_free(ln, FALSE);
	g_assert_null(tb_dns_name_normalize(long_name, "name", NULL));
	long_name[249] = '\0'; /* 25 labels: 250 characters with the dot */
	{
		g_autofree char *n = tb_dns_name_normalize(long_name, "name", NULL);

		g_assert_cmpuint(strlen(n), ==, 250);
	}
}

static void
test_secret(void)
{
	g_autofree char *s = NULL;
	g_autoptr(GError) err = NULL;

	s = tb_dns_secret_new(&err);
	g_assert_no_error(err);
	g_assert_cmpuint(strlen(s), ==, 44);
	g_assert_true(tb_dns_secret_check(s, NULL));
	g_assert_true(tb_dns_secret_check(SECRET, NULL));
	g_assert_true(tb_dns_secret_check("AA==", NULL));
	g_assert_false(tb_dns_secret_check("", NULL));
	g_assert_false(tb_dns_secret_check("AAA", NULL));
	g_assert_false(tb_dns_secret_check("A=AA", NULL));
	g_assert_false(tb_dns_secret_check("AA:A", NULL));
	g_assert_false(tb_dns_secret_check(NULL, NULL));
}

/* ---- the exchange, against a fake server on loopback ---- */

enum fake_mode {
	FAKE_SILENT,        /* never answers */
	FAKE_FORGE_ONLY,    /* answers with an unsigned NOERROR */
	FAKE_FORGE_FIRST,   /* a forged NOERROR, then the real answer */
	FAKE_TRUNCATE,      /* truncated over UDP, the answer over TCP */
	FAKE_DROP_FIRST,    /* loses the first request, answers the second */
};

struct fake {
	enum fake_mode mode;
	int udp, tcp;
	guint16 port;
	gint stop;
	int udp_requests, tcp_requests;
	GThread *thread;
};

static void
fake_send(int fd, const struct sockaddr_in *to, const guint8 *w, gsize wlen, unsigned forge)
{
	gsize len;
	g_autofree guint8 *a = answer_wire(w, wlen, LDNS_RCODE_NOERROR, NULL, forge, &len);

	g_assert_cmpint(sendto(fd, a, len, 0, (const struct sockaddr *)to, sizeof *to), ==,
			(ssize_t)len);
}

static void
fake_tcp(struct fake *f)
{
	int c = accept(f->tcp, NULL, NULL);
	guint8 buf[4096], out[4098];
	gsize got = 0, need = 2, len;
	g_autofree guint8 *a = NULL;

	g_assert_cmpint(c, >=, 0);
	while (got < need) {
		ssize_t n = recv(c, buf + got, need - got, 0);

		g_assert_cmpint(n, >, 0);
		got += (gsize)n;
		if (got == 2 && need == 2)
			need = 2 + ((gsize)buf[0] << 8 | buf[1]);
	}
	f->tcp_requests++;
	a = answer_wire(buf + 2, need - 2, LDNS_RCODE_NOERROR, NULL, FORGE_NONE, &len);
	out[0] = (guint8)(len >> 8);
	out[1] = (guint8)len;
	memcpy(out + 2, a, len);
	g_assert_cmpint(send(c, out, len + 2, 0), ==, (ssize_t)(len + 2));
	close(c);
}

static gpointer
fake_run(gpointer data)
{
	struct fake *f = data;

	while (!g_atomic_int_get(&f->stop)) {
		struct pollfd p[2] = { { .fd = f->udp, .events = POLLIN },
				       { .fd = f->tcp, .events = POLLIN } };
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		guint8 buf[4096];
		ssize_t n;

		if (poll(p, 2, 20) <= 0)
			continue;
		if (p[1].revents & POLLIN)
			fake_tcp(f);
		if (!(p[0].revents & POLLIN))
			continue;
		n = recvfrom(f->udp, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
		g_assert_cmpint(n, >, 0);
		f->udp_requests++;
		switch (f->mode) {
		case FAKE_SILENT:
			break;
		case FAKE_FORGE_ONLY:
			fake_send(f->udp, &from, buf, (gsize)n, FORGE_UNSIGNED);
			break;
		case FAKE_FORGE_FIRST:
			fake_send(f->udp, &from, buf, (gsize)n, FORGE_UNSIGNED);
			fake_send(f->udp, &from, buf, (gsize)n, FORGE_WRONG_SECRET);
			fake_send(f->udp, &from, buf, (gsize)n, FORGE_NONE);
			break;
		case FAKE_TRUNCATE:
			fake_send(f->udp, &from, buf, (gsize)n, FORGE_TC);
			break;
		case FAKE_DROP_FIRST:
			if (f->udp_requests > 1)
				fake_send(f->udp, &from, buf, (gsize)n, FORGE_NONE);
			break;
		}
	}
	return NULL;
}

/* A UDP and a TCP socket on the same free loopback port, and their thread. */
static struct fake *
fake_start(enum fake_mode mode)
{
	struct fake *f = g_new0(struct fake, 1);

	f->mode = mode;
	for (int tries = 0; tries < 20; tries++) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t al = sizeof a;

		f->udp = socket(AF_INET, SOCK_DGRAM, 0);
		g_assert_cmpint(bind(f->udp, (struct sockaddr *)&a, sizeof a), ==, 0);
		g_assert_cmpint(getsockname(f->udp, (struct sockaddr *)&a, &al), ==, 0);
		f->tcp = socket(AF_INET, SOCK_STREAM, 0);
		if (bind(f->tcp, (struct sockaddr *)&a, sizeof a) == 0 && listen(f->tcp, 4) == 0) {
			f->port = ntohs(a.sin_port);
			f->thread = g_thread_new("fake-dns", fake_run, f);
			return f;
		}
		close(f->udp);
		close(f->tcp);
	}
	g_error("no free loopback port for the fake server");
}

static void
fake_stop(struct fake *f)
{
	g_atomic_int_set(&f->stop, 1);
	g_thread_join(f->thread);
	close(f->udp);
	close(f->tcp);
	g_free(f);
}

static gboolean
fake_update(struct fake *f, guint timeout_ms, GError **err)
{
	struct tb_dns_server s = signed_srv;

	s.port = f->port;
	return tb_dns_update(&s, "flash.test.", "site.flash.test.", TRUE, IP(10, 77, 2, 2), 5,
			     timeout_ms, err);
}

/* Forged answers before the real one are passed over. */
static void
test_exchange_forged_first(void)
{
	struct fake *f = fake_start(FAKE_FORGE_FIRST);
	g_autoptr(GError) err = NULL;

	g_assert_true(fake_update(f, 5000, &err));
	g_assert_no_error(err);
	fake_stop(f);
}

/* Only forged answers: the update is not done, and the error says why. */
static void
test_exchange_forged_only(void)
{
	struct fake *f = fake_start(FAKE_FORGE_ONLY);
	g_autoptr(GError) err = NULL;

	g_assert_false(fake_update(f, 300, &err));
	g_assert_error(err, TB_DNS_ERROR, TB_DNS_ERROR_TIMEOUT);
	g_assert_nonnull(strstr(err->message, "no answer within 300 ms; ignored a NOERROR "
					      "answer that fails TSIG verification: the answer "
					      "is unsigned"));
	g_assert_true(g_str_has_prefix(err->message, "adding site.flash.test. A 10.77.2.2 at "
						     "127.0.0.1#"));
	fake_stop(f);
}

/* Truncated over UDP: asked again over TCP, within the same deadline. */
static void
test_exchange_tcp(void)
{
	struct fake *f = fake_start(FAKE_TRUNCATE);
	g_autoptr(GError) err = NULL;

	g_assert_true(fake_update(f, 5000, &err));
	g_assert_no_error(err);
	g_assert_cmpint(f->udp_requests, ==, 1);
	g_assert_cmpint(f->tcp_requests, ==, 1);
	fake_stop(f);
}

/* A lost request is sent again, here after 300 ms (a third of the timeout). */
static void
test_exchange_resend(void)
{
	struct fake *f = fake_start(FAKE_DROP_FIRST);
	g_autoptr(GError) err = NULL;

	g_assert_true(fake_update(f, 900, &err));
	g_assert_no_error(err);
	g_assert_cmpint(f->udp_requests, ==, 2);
	fake_stop(f);
}

static void
test_exchange_timeout(void)
{
	struct fake *f = fake_start(FAKE_SILENT);
	g_autoptr(GError) err = NULL;
	gint64 t0 = g_get_monotonic_time(), dt;

	g_assert_false(fake_update(f, 200, &err));
	dt = g_get_monotonic_time() - t0;
	g_assert_error(err, TB_DNS_ERROR, TB_DNS_ERROR_TIMEOUT);
	g_assert_nonnull(strstr(err->message, "no answer within 200 ms"));
	g_assert_cmpint(dt, >=, 200000);
	g_assert_cmpint(dt, <, 2000000);
	fake_stop(f);
}

/* Nothing listens: ICMP port unreachable ends the wait at once. */
static void
test_exchange_refused(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct tb_dns_server s = signed_srv;
	g_autoptr(GError) err = NULL;

	g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &al), ==, 0);
	close(fd);
	s.port = ntohs(a.sin_port);
	g_assert_false(tb_dns_update(&s, "flash.test", "site.flash.test", FALSE, 1, 0, 5000,
				     &err));
	g_assert_error(err, TB_DNS_ERROR, TB_DNS_ERROR_NET);
	g_assert_nonnull(strstr(err->message, "nothing listens there"));
}

static void
test_exchange_bad_server(void)
{
	struct tb_dns_server s = signed_srv;
	g_autoptr(GError) err = NULL;
	g_autoptr(GArray) addrs = NULL;
	guint32 ttl;

	s.address = "localhost";
	g_assert_false(tb_dns_query_a(&s, "site.flash.test", 100, &addrs, &ttl, &err));
	g_assert_error(err, TB_DNS_ERROR, TB_DNS_ERROR_INVAL);
	g_assert_nonnull(strstr(err->message, "not a numeric IPv4 or IPv6 address"));
	g_assert_null(addrs);
}

/* ---- named's files ---- */

static char *
read_text(const char *dir, const char *file)
{
	g_autofree char *path = g_build_filename(dir, file, NULL);
	char *text = NULL;
	g_autoptr(GError) err = NULL;

	g_file_get_contents(path, &text, NULL, &err);
	g_assert_no_error(err);
	return text;
}

static void
assert_has(const char *text, const char *want)
{
	if (!strstr(text, want))
		g_error("lacks '%s':\n%s", want, text);
}

static void
rm_dir(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *n;

	while (d && (n = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, n, NULL);

		g_unlink(p);
	}
	g_rmdir(dir);
}

static const guint32 site_addrs[] = { IP(10, 77, 1, 2) };
static const struct tb_named_host hosts[] = {
	{ "s1.flash.test", IP(10, 77, 1, 2) },
	{ "S2.flash.test.", IP(10, 77, 2, 2) },
};

static struct tb_named
named_cfg(void)
{
	return (struct tb_named){
		.listen_address = "10.77.200.2", .port = 53, .zone = "flash.test",
		.site = "site.flash.test.", .site_addrs = site_addrs, .n_site_addrs = 1,
		.ttl = 5, .hosts = hosts, .n_hosts = 2, .key_name = "flash-key",
		.key_secret = SECRET,
	};
}

static void
test_named_write(void)
{
	g_autofree char *tmp = g_dir_make_tmp("tb-dns-XXXXXX", NULL);
	g_autofree char *dir = g_build_filename(tmp, "run", "dns", NULL);
	g_autofree char *jnl = g_build_filename(dir, TB_NAMED_JOURNAL, NULL);
	g_autofree char *keyf = g_build_filename(dir, TB_NAMED_KEY, NULL);
	g_autofree char *conf = NULL, *zone = NULL, *key = NULL, *cmd = NULL;
	g_autofree char *parent = g_build_filename(tmp, "run", NULL);
	g_auto(GStrv) argv = NULL;
	struct tb_named cfg = named_cfg();
	g_autoptr(GError) err = NULL;
	GStatBuf st;

	g_assert_true(tb_named_write_config(&cfg, dir, &err));
	g_assert_no_error(err);
	conf = read_text(dir, TB_NAMED_CONF);
	assert_has(conf, "listen-on port 53 { 10.77.200.2; };");
	assert_has(conf, "listen-on-v6 port 53 { none; };");
	assert_has(conf, "recursion no;");
	assert_has(conf, "controls { };");
	assert_has(conf, "allow-update { key \"flash-key.\"; };");
	g_autofree char *want_dir = g_strdup_printf("directory \"%s\";", dir);
	assert_has(conf, want_dir);
	g_autofree char *want_pid = g_strdup_printf("pid-file \"%s/named.pid\";", dir);
	assert_has(conf, want_pid);
	g_autofree char *want_jnl = g_strdup_printf("journal \"%s\";", jnl);
	assert_has(conf, want_jnl);
	g_assert_null(strstr(conf, "/etc/"));
	g_assert_null(strstr(conf, "/var/"));
	zone = read_text(dir, TB_NAMED_ZONE);
	assert_has(zone, "flash.test.\tIN\tSOA\tns.flash.test. hostmaster.flash.test. 1 3600 "
			 "600 86400 5\n");
	assert_has(zone, "flash.test.\tIN\tNS\tns.flash.test.\n");
	assert_has(zone, "ns.flash.test.\tIN\tA\t10.77.200.2\n");
	assert_has(zone, "site.flash.test.\t5\tIN\tA\t10.77.1.2\n");
	assert_has(zone, "s1.flash.test.\t5\tIN\tA\t10.77.1.2\n");
	assert_has(zone, "s2.flash.test.\t5\tIN\tA\t10.77.2.2\n");
	key = read_text(dir, TB_NAMED_KEY);
	assert_has(key, "key \"flash-key.\" {\n\talgorithm hmac-sha256;\n\tsecret \"" SECRET "\";");
	g_assert_cmpint(g_stat(keyf, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	argv = tb_named_argv(&cfg, dir);
	cmd = g_strjoinv(" ", argv);
	g_autofree char *want_cmd = g_strdup_printf("named -f -n 1 -4 -c %s/named.conf", dir);
	g_assert_cmpstr(cmd, ==, want_cmd);

	/* Written again: the journal of the last run is gone. */
	g_assert_true(g_file_set_contents(jnl, "old updates", -1, NULL));
	g_assert_true(tb_named_write_config(&cfg, dir, &err));
	g_assert_false(g_file_test(jnl, G_FILE_TEST_EXISTS));
	rm_dir(dir);
	rm_dir(parent);
	rm_dir(tmp);
}

static void
assert_bad_named(const struct tb_named *cfg, const char *dir, const char *msg)
{
	g_autoptr(GError) err = NULL;

	if (tb_named_write_config(cfg, dir, &err))
		g_error("accepted, expected an error saying %s", msg);
	g_assert_nonnull(err);
	if (!strstr(err->message, msg))
		g_error("'%s' lacks '%s'", err->message, msg);
}

static void
test_named_bad(void)
{
	g_autofree char *tmp = g_dir_make_tmp("tb-dns-XXXXXX", NULL);
	g_autofree char *quoted = g_build_filename(tmp, "a\"b", NULL);
	struct tb_named_host out[] = { { "s1.other.test", 1 } };
	struct tb_named cfg = named_cfg();

	assert_bad_named(&cfg, quoted, "cannot name a path with a quote");
	assert_bad_named(&cfg, "", "no directory");
	cfg.listen_address = "ns.flash.test";
	assert_bad_named(&cfg, tmp, "named listen address 'ns.flash.test'");
	cfg = named_cfg();
	cfg.port = 0;
	assert_bad_named(&cfg, tmp, "port");
	cfg = named_cfg();
	cfg.site = "site.other.test";
	assert_bad_named(&cfg, tmp, "site name site.other.test. is not in zone flash.test.");
	cfg = named_cfg();
	cfg.hosts = out;
	cfg.n_hosts = 1;
	assert_bad_named(&cfg, tmp, "server name s1.other.test. is not in zone");
	cfg = named_cfg();
	cfg.key_secret = "no-pe";
	assert_bad_named(&cfg, tmp, "TSIG secret");
	cfg = named_cfg();
	cfg.ttl = 0x80000000u;
	assert_bad_named(&cfg, tmp, "TTL");
	/* Nothing was written by the refusals. */
	g_assert_false(g_file_test(quoted, G_FILE_TEST_EXISTS));
	{
		g_autofree char *conf = g_build_filename(tmp, TB_NAMED_CONF, NULL);

		g_assert_false(g_file_test(conf, G_FILE_TEST_EXISTS));
	}
	rm_dir(tmp);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tb-dns/update/add", test_update_add);
	g_test_add_func("/tb-dns/update/delete", test_update_delete);
	g_test_add_func("/tb-dns/update/unsigned", test_update_unsigned);
	g_test_add_func("/tb-dns/update/bad", test_update_bad);
	g_test_add_func("/tb-dns/query/request", test_query);
	g_test_add_func("/tb-dns/answer/ok", test_answer_ok);
	g_test_add_func("/tb-dns/answer/forged", test_answer_forged);
	g_test_add_func("/tb-dns/answer/garbled", test_answer_garbled);
	g_test_add_func("/tb-dns/answer/stale", test_answer_stale);
	g_test_add_func("/tb-dns/answer/errors", test_answer_errors);
	g_test_add_func("/tb-dns/answer/query", test_answer_query);
	g_test_add_func("/tb-dns/names", test_names);
	g_test_add_func("/tb-dns/secret", test_secret);
	g_test_add_func("/tb-dns/exchange/forged-first", test_exchange_forged_first);
	g_test_add_func("/tb-dns/exchange/forged-only", test_exchange_forged_only);
	g_test_add_func("/tb-dns/exchange/tcp", test_exchange_tcp);
	g_test_add_func("/tb-dns/exchange/resend", test_exchange_resend);
	g_test_add_func("/tb-dns/exchange/timeout", test_exchange_timeout);
	g_test_add_func("/tb-dns/exchange/refused", test_exchange_refused);
	g_test_add_func("/tb-dns/exchange/bad-server", test_exchange_bad_server);
	g_test_add_func("/tb-dns/named/write", test_named_write);
	g_test_add_func("/tb-dns/named/bad", test_named_bad);
	return g_test_run();
}
