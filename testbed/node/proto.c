/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/node/proto.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define MAX_FIELDS 5

/* A line cut into its fields, each [start, start+len) of the line. */
struct fields {
	size_t n;
	const char *s[MAX_FIELDS];
	size_t len[MAX_FIELDS];
};

static const char *
split(const char *line, size_t len, struct fields *f)
{
	size_t i = 0;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len + 1 > TB_PROTO_LINE_MAX)
		return "line too long";
	if (len == 0)
		return "empty line";
	f->n = 0;
	while (i < len) {
		size_t start = i;

		while (i < len && line[i] != ' ') {
			if (line[i] < 0x21 || line[i] > 0x7e)
				return "a byte that is not printable ASCII";
			i++;
		}
		if (i == start)
			return "an empty field (two spaces, or a space at an end)";
		if (f->n == MAX_FIELDS)
			return "too many fields";
		f->s[f->n] = line + start;
		f->len[f->n] = i - start;
		f->n++;
		if (i < len) {
			i++; /* the space */
			if (i == len)
				return "an empty field (two spaces, or a space at an end)";
		}
	}
	return NULL;
}

static bool
is(const struct fields *f, size_t k, const char *word)
{
	return f->len[k] == strlen(word) && memcmp(f->s[k], word, f->len[k]) == 0;
}

static bool
number(const struct fields *f, size_t k, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (f->len[k] == 0 || f->len[k] > 20)
		return false;
	for (size_t i = 0; i < f->len[k]; i++) {
		unsigned d;

		if (f->s[k][i] < '0' || f->s[k][i] > '9')
			return false;
		d = (unsigned)(f->s[k][i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
token(const struct fields *f, size_t k, uint8_t out[FC_TOKEN_LEN])
{
	if (f->len[k] != 2 * FC_TOKEN_LEN)
		return false;
	for (size_t i = 0; i < FC_TOKEN_LEN; i++) {
		int hi = hexval(f->s[k][2 * i]), lo = hexval(f->s[k][2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static void
token_hex(const uint8_t t[FC_TOKEN_LEN], char out[2 * FC_TOKEN_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < FC_TOKEN_LEN; i++) {
		out[2 * i] = digits[t[i] >> 4];
		out[2 * i + 1] = digits[t[i] & 15];
	}
	out[2 * FC_TOKEN_LEN] = '\0';
}

const char *
tb_req_parse(const char *line, size_t len, struct tb_req *out)
{
	struct fields f;
	const char *why = split(line, len, &f);
	uint64_t a, b;

	if (why)
		return why;
	memset(out, 0, sizeof *out);
	if (is(&f, 0, "ROUTE")) {
		if (f.n != 3 && f.n != 4)
			return "ROUTE wants a site, an object and an optional token";
		out->kind = TB_REQ_ROUTE;
		if (!number(&f, 1, UINT32_MAX, &a))
			return "ROUTE: the site is not a 32-bit number";
		if (!number(&f, 2, UINT64_MAX, &out->object))
			return "ROUTE: the object is not a 64-bit number";
		out->site = (uint32_t)a;
		if (f.n == 4) {
			if (!token(&f, 3, out->token))
				return "ROUTE: the token is not 48 hex digits";
			out->has_token = true;
		}
		return NULL;
	}
	if (is(&f, 0, "WAIT")) {
		if (f.n != 4)
			return "WAIT wants a site, an object and a timeout in ms";
		out->kind = TB_REQ_WAIT;
		if (!number(&f, 1, UINT32_MAX, &a))
			return "WAIT: the site is not a 32-bit number";
		if (!number(&f, 2, UINT64_MAX, &out->object))
			return "WAIT: the object is not a 64-bit number";
		if (!number(&f, 3, TB_PROTO_WAIT_MAX_MS, &b))
			return "WAIT: the timeout is not a number of ms up to 600000";
		out->site = (uint32_t)a;
		out->timeout_ms = (uint32_t)b;
		return NULL;
	}
	if (is(&f, 0, "SCOREBOARD")) {
		if (f.n != 3)
			return "SCOREBOARD wants busy workers and MaxRequestWorkers";
		out->kind = TB_REQ_SCOREBOARD;
		if (!number(&f, 1, UINT32_MAX, &a) || !number(&f, 2, UINT32_MAX, &b))
			return "SCOREBOARD: not two 32-bit numbers";
		if (b == 0 || a > b)
			return "SCOREBOARD: busy must be at most workers, and workers at least 1";
		out->busy = (uint32_t)a;
		out->workers = (uint32_t)b;
		return NULL;
	}
	if (is(&f, 0, "STATUS")) {
		if (f.n != 1)
			return "STATUS takes no arguments";
		out->kind = TB_REQ_STATUS;
		return NULL;
	}
	return "unknown request";
}

/* snprintf into buf; 0 when it does not fit. */
static size_t
put(char *buf, size_t cap, int n)
{
	if (n < 0 || (size_t)n >= cap || (size_t)n + 1 > TB_PROTO_LINE_MAX + 1)
		return 0;
	return (size_t)n;
}

size_t
tb_req_format(const struct tb_req *r, char *buf, size_t cap)
{
	char hex[2 * FC_TOKEN_LEN + 1];

	switch (r->kind) {
	case TB_REQ_ROUTE:
		if (!r->has_token)
			return put(buf, cap, snprintf(buf, cap, "ROUTE %u %llu\n", (unsigned)r->site,
						      (unsigned long long)r->object));
		token_hex(r->token, hex);
		return put(buf, cap, snprintf(buf, cap, "ROUTE %u %llu %s\n", (unsigned)r->site,
					      (unsigned long long)r->object, hex));
	case TB_REQ_WAIT:
		if (r->timeout_ms > TB_PROTO_WAIT_MAX_MS)
			return 0;
		return put(buf, cap, snprintf(buf, cap, "WAIT %u %llu %u\n", (unsigned)r->site,
					      (unsigned long long)r->object,
					      (unsigned)r->timeout_ms));
	case TB_REQ_SCOREBOARD:
		if (r->workers == 0 || r->busy > r->workers)
			return 0;
		return put(buf, cap, snprintf(buf, cap, "SCOREBOARD %u %u\n", (unsigned)r->busy,
					      (unsigned)r->workers));
	case TB_REQ_STATUS:
		return put(buf, cap, snprintf(buf, cap, "STATUS\n"));
	}
	return 0;
}

static bool
copy_word(const struct fields *f, size_t k, char *out, size_t cap)
{
	if (f->len[k] + 1 > cap)
		return false;
	memcpy(out, f->s[k], f->len[k]);
	out[f->len[k]] = '\0';
	return true;
}

static bool
parse_double(const struct fields *f, size_t k, double *out)
{
	char tmp[32], *end;
	double v;

	if (!copy_word(f, k, tmp, sizeof tmp))
		return false;
	v = strtod(tmp, &end);
	if (*end || !isfinite(v) || v < 0 || v > TB_PROTO_LOAD_MAX)
		return false;
	*out = v;
	return true;
}

const char *
tb_rep_parse(const char *line, size_t len, struct tb_rep *out)
{
	struct fields f;
	const char *why;
	uint64_t a;

	memset(out, 0, sizeof *out);
	/* ERR carries free text: the rest of the line. */
	if (len >= 4 && memcmp(line, "ERR ", 4) == 0) {
		size_t n = len - 4;

		if (line[len - 1] == '\n')
			n--;
		if (n + 5 > TB_PROTO_LINE_MAX || n == 0)
			return "ERR: bad length";
		out->kind = TB_REP_ERR;
		memcpy(out->text, line + 4, n);
		out->text[n] = '\0';
		if (memchr(out->text, '\n', n) || strlen(out->text) != n)
			return "ERR: a newline or NUL in the text";
		return NULL;
	}
	why = split(line, len, &f);
	if (why)
		return why;
	if (f.n == 1) {
		static const struct {
			const char *word;
			enum tb_rep_kind kind;
		} bare[] = {
			{ "SERVE", TB_REP_SERVE },     { "UNKNOWN", TB_REP_UNKNOWN },
			{ "PRESENT", TB_REP_PRESENT }, { "ABSENT", TB_REP_ABSENT },
			{ "FAILED", TB_REP_FAILED },   { "OK", TB_REP_OK },
		};

		for (size_t i = 0; i < sizeof bare / sizeof bare[0]; i++)
			if (is(&f, 0, bare[i].word)) {
				out->kind = bare[i].kind;
				return NULL;
			}
		return "unknown reply";
	}
	if (is(&f, 0, "REDIRECT")) {
		if (f.n != 2 && f.n != 3)
			return "REDIRECT wants a host and an optional token";
		out->kind = TB_REP_REDIRECT;
		if (!copy_word(&f, 1, out->host, sizeof out->host))
			return "REDIRECT: host name too long";
		if (f.n == 3) {
			if (!token(&f, 2, out->token))
				return "REDIRECT: the token is not 48 hex digits";
			out->has_token = true;
		}
		return NULL;
	}
	if (is(&f, 0, "RESCUE")) {
		if (f.n != 3)
			return "RESCUE wants a peer and 0 or 1";
		out->kind = TB_REP_RESCUE;
		if (!number(&f, 1, UINT32_MAX, &a))
			return "RESCUE: the peer is not a 32-bit number";
		out->peer = (uint32_t)a;
		if (is(&f, 2, "1"))
			out->present = true;
		else if (!is(&f, 2, "0"))
			return "RESCUE: presence is not 0 or 1";
		return NULL;
	}
	if (is(&f, 0, "STATE")) {
		if (f.n != 3)
			return "STATE wants a state and a load";
		out->kind = TB_REP_STATE;
		if (!copy_word(&f, 1, out->state, sizeof out->state))
			return "STATE: state name too long";
		if (!parse_double(&f, 2, &out->load))
			return "STATE: the load is not a number from 0 to 1e9";
		return NULL;
	}
	return "unknown reply";
}

size_t
tb_rep_format(const struct tb_rep *r, char *buf, size_t cap)
{
	char hex[2 * FC_TOKEN_LEN + 1];

	switch (r->kind) {
	case TB_REP_SERVE:
		return put(buf, cap, snprintf(buf, cap, "SERVE\n"));
	case TB_REP_UNKNOWN:
		return put(buf, cap, snprintf(buf, cap, "UNKNOWN\n"));
	case TB_REP_PRESENT:
		return put(buf, cap, snprintf(buf, cap, "PRESENT\n"));
	case TB_REP_ABSENT:
		return put(buf, cap, snprintf(buf, cap, "ABSENT\n"));
	case TB_REP_FAILED:
		return put(buf, cap, snprintf(buf, cap, "FAILED\n"));
	case TB_REP_OK:
		return put(buf, cap, snprintf(buf, cap, "OK\n"));
	case TB_REP_REDIRECT:
		if (!r->host[0] || strpbrk(r->host, " \n\r\t"))
			return 0;
		if (!r->has_token)
			return put(buf, cap, snprintf(buf, cap, "REDIRECT %s\n", r->host));
		token_hex(r->token, hex);
		return put(buf, cap, snprintf(buf, cap, "REDIRECT %s %s\n", r->host, hex));
	case TB_REP_RESCUE:
		return put(buf, cap, snprintf(buf, cap, "RESCUE %u %d\n", (unsigned)r->peer,
					      r->present ? 1 : 0));
	case TB_REP_STATE:
		if (!r->state[0] || strpbrk(r->state, " \n\r\t") || !isfinite(r->load) ||
		    r->load < 0 || r->load > TB_PROTO_LOAD_MAX)
			return 0;
		return put(buf, cap, snprintf(buf, cap, "STATE %s %.6f\n", r->state, r->load));
	case TB_REP_ERR: {
		size_t n = strlen(r->text), room = TB_PROTO_LINE_MAX - 5; /* "ERR " and \n */

		if (n > room)
			n = room;
		if (n == 0 || cap < n + 6)
			return 0;
		memcpy(buf, "ERR ", 4);
		for (size_t i = 0; i < n; i++)
			buf[4 + i] = (r->text[i] == '\n' || r->text[i] == '\r') ? ' ' : r->text[i];
		buf[4 + n] = '\n';
		buf[5 + n] = '\0';
		return n + 5;
	}
	}
	return 0;
}
