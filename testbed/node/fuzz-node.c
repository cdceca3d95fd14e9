/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/node/fuzz-node.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "testbed/node/config.h"
#include "testbed/node/proto.h"

unsigned long fuzz_node_requests, fuzz_node_replies, fuzz_node_configs;

static const uint8_t *input;
static size_t input_len;

static G_NORETURN void
fuzz_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz input (%zu bytes):", input_len);
	for (size_t i = 0; i < input_len; i++)
		fprintf(stderr, "%02x", input[i]);
	fprintf(stderr, "\n");
	g_assertion_message_expr(G_LOG_DOMAIN, __FILE__, line, "fuzz_node_one", what);
}

#define CHECK(expr)                                \
	do {                                       \
		if (!(expr))                       \
			fuzz_fail(__LINE__, #expr); \
	} while (0)

static void
check_request(const char *text, size_t len)
{
	struct tb_req q, q2;
	char out[TB_PROTO_LINE_MAX + 1];
	size_t n;

	if (tb_req_parse(text, len, &q))
		return;
	fuzz_node_requests++;
	n = tb_req_format(&q, out, sizeof out);
	CHECK(n > 0 && n <= TB_PROTO_LINE_MAX && out[n - 1] == '\n');
	CHECK(tb_req_parse(out, n, &q2) == NULL);
	CHECK(memcmp(&q, &q2, sizeof q) == 0);
}

static void
check_reply(const char *text, size_t len)
{
	struct tb_rep r, r2;
	char out[TB_PROTO_LINE_MAX + 1], again[TB_PROTO_LINE_MAX + 1];
	size_t n;

	if (tb_rep_parse(text, len, &r))
		return;
	fuzz_node_replies++;
	n = tb_rep_format(&r, out, sizeof out);
	CHECK(n > 0 && n <= TB_PROTO_LINE_MAX && out[n - 1] == '\n');
	CHECK(tb_rep_parse(out, n, &r2) == NULL);
	CHECK(r.kind == r2.kind);
	/* Formatting is a fixed point from there. */
	CHECK(tb_rep_format(&r2, again, sizeof again) == n);
	CHECK(memcmp(out, again, n) == 0);
}

static void
check_config(const char *text, size_t len)
{
	g_autoptr(GError) err = NULL;
	tb_node_config *c = tb_node_config_parse(text, len, "fuzz.ini", &err);

	if (!c) {
		CHECK(err != NULL);
		CHECK(g_str_has_prefix(err->message, "fuzz.ini: "));
		CHECK(strchr(err->message, '\n') == NULL);
		return;
	}
	fuzz_node_configs++;
	CHECK(err == NULL);
	CHECK(fc_config_check(&c->fc) == 0);
	CHECK(c->fc.nsites >= 1 && c->socket_path && c->log_path);
	for (size_t j = 0; j < c->npeers; j++)
		CHECK(c->peers[j].key_len >= FC_MIN_KEY && c->peers[j].http);
	tb_node_config_free(c);
}

int
fuzz_node_one(const uint8_t *data, size_t size)
{
	input = data;
	input_len = size;
	check_request((const char *)data, size);
	check_reply((const char *)data, size);
	check_config((const char *)data, size);
	return 0;
}

#ifdef FLASHCOOP_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_node_one(data, size);
}
#endif
