/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A fuzz target for the message decoder and the node's receive path.
 * LLVMFuzzerTestOneInput() is the libFuzzer entry point (build with clang
 * -fsanitize=fuzzer,address to fuzz for real).  Without libFuzzer, main()
 * runs the inputs named on the command line, or else a fixed-seed stream of
 * mutated valid messages and random bytes; under `make SANITIZE=...` it is
 * a short fuzzing run with ASan and UBSan watching every read.  Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "flashcoop/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[32] = "fuzzing-key-fuzzing-key-fuzzing";
static const struct fc_site site_a = { 10, 1000 }, site_b = { 20, 1000 };

static bool
key_for(void *user, fc_node_id from, const uint8_t **k, size_t *len)
{
	(void)user;
	if (from != 2)
		return false;
	*k = key;
	*len = sizeof key;
	return true;
}

static uint64_t
fixed_rand(void *user)
{
	uint64_t *s = user;

	return *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
}

static struct fc_node *node;
static uint64_t rand_state = 1;

static void
make_node(void)
{
	struct fc_peer peer = { .id = 2, .address = 2, .key = key, .key_len = sizeof key,
				.sites = &site_b, .nsites = 1 };
	struct fc_config c;
	struct fc_host host = { fixed_rand, &rand_state };

	fc_config_default(&c);
	c.id = 1;
	c.sites = &site_a;
	c.nsites = 1;
	c.peers = &peer;
	c.npeers = 1;
	if (fc_node_new(&c, &host, 0, &node) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fc_msg m;
	struct fc_action a;
	/* A copy of exactly size bytes, so that ASan sees any overread. */
	uint8_t *copy = malloc(size ? size : 1);

	if (!node)
		make_node();
	memcpy(copy, data, size);
	if (fc_msg_decode(copy, size, 1, key_for, NULL, &m) == 0 && m.from != 2)
		abort();
	fc_node_recv(node, 1000 * FC_SEC, copy, size);
	while (fc_node_next_action(node, &a))
		if (a.type == FC_ACT_SEND && a.len > FC_MSG_MAX)
			abort();
	free(copy);
	return 0;
}

static size_t
valid(GRand *r, uint8_t *buf)
{
	struct fc_msg m = { .from = 2, .to = 1, .timestamp = 1000 * FC_SEC,
			    .nonce = g_rand_int(r) };
	size_t len = 0;

	m.type = (enum fc_msg_type)g_rand_int_range(r, 1, 6);
	m.u.help.site = g_rand_boolean(r) ? 20 : g_rand_int(r);
	if (m.type == FC_MSG_HEARTBEAT)
		m.u.heartbeat.load = g_rand_double_range(r, 0, 2);
	fc_msg_encode(&m, key, sizeof key, buf, FC_MSG_MAX, &len);
	return len;
}

int
main(int argc, char **argv)
{
	unsigned long runs = 200000;
	unsigned long n = 0;

	if (argc > 1 && strcmp(argv[1], "--runs") != 0) {
		for (int i = 1; i < argc; i++) {
			gchar *data;
			gsize len;

			if (!g_file_get_contents(argv[i], &data, &len, NULL)) {
				fprintf(stderr, "cannot read %s\n", argv[i]);
				return 2;
			}
			LLVMFuzzerTestOneInput((const uint8_t *)data, len);
			g_free(data);
			n++;
		}
	} else {
		GRand *r = g_rand_new_with_seed(20261121);

		if (argc > 2)
			runs = strtoul(argv[2], NULL, 10);
		for (; n < runs; n++) {
			uint8_t buf[FC_MSG_MAX * 2];
			size_t len;

			if (n % 4 == 0) {
				len = (size_t)g_rand_int_range(r, 0, (gint32)sizeof buf);
				for (size_t i = 0; i < len; i++)
					buf[i] = (uint8_t)g_rand_int(r);
			} else {
				len = valid(r, buf);
				switch (g_rand_int_range(r, 0, 4)) {
				case 0: /* flip bits */
					for (int k = g_rand_int_range(r, 1, 4); k > 0; k--)
						buf[g_rand_int_range(r, 0, (gint32)len)] ^=
							(uint8_t)(1u << g_rand_int_range(r, 0, 8));
					break;
				case 1: /* cut */
					len = (size_t)g_rand_int_range(r, 0, (gint32)len);
					break;
				case 2: /* grow */
					while (len < sizeof buf && g_rand_boolean(r))
						buf[len++] = (uint8_t)g_rand_int(r);
					break;
				default: /* a header field */
					buf[g_rand_int_range(r, 0, FC_MSG_HEADER)] =
						(uint8_t)g_rand_int(r);
					break;
				}
			}
			LLVMFuzzerTestOneInput(buf, len);
		}
		g_rand_free(r);
	}
	fc_node_free(node);
	printf("1..1\nok 1 - /core/fuzz/msg: %lu inputs, no crash\n", n);
	return 0;
}
