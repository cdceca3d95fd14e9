/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A fuzz target for what fc-noded reads from others: the socket protocol's
 * requests and replies (proto.h) and its configuration (config.h).  Built
 * as a libFuzzer program under `make fuzz` (FLASHCOOP_LIBFUZZER), and
 * linked into test-node-proto, which runs the seed corpus
 * testbed/node/corpus/ through it.
 */
#ifndef TESTBED_NODE_FUZZ_NODE_H
#define TESTBED_NODE_FUZZ_NODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Judges one input; aborts (after printing it in hex) when a contract is
 * broken: a line that parses formats back to a line that parses the same;
 * a refused configuration has a one-line message naming the file; an
 * accepted one is one the core accepts.  Returns 0.
 */
int fuzz_node_one(const uint8_t *data, size_t size);

/* Inputs accepted as a request, a reply, a configuration. */
extern unsigned long fuzz_node_requests, fuzz_node_replies, fuzz_node_configs;

#endif
