/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-noded: the host of one libflashcoop-core node beside a real web
 * server, as models/web/host.c hosts one in the simulator.  On the GLib
 * main loop it keeps the node's timer at fc_node_expiry(), hears the
 * cooperation messages on UDP, sends the node's messages to its
 * cooperators, hands DNS and content actions to an executor (executor.h)
 * on worker threads, reports the load every load interval (busy workers
 * over MaxRequestWorkers from mod_flashcoop, the accept queue over the
 * backlog, the uplink's rate over its capacity), answers mod_flashcoop's
 * route queries on a Unix socket (proto.h), and writes its log
 * (nodelog.h).  Its time is CLOCK_REALTIME in nanoseconds, never going
 * back.
 */
#ifndef TESTBED_NODE_NODED_H
#define TESTBED_NODE_NODED_H

#include <glib.h>

#include "testbed/node/config.h"
#include "testbed/node/executor.h"

struct tb_noded;

/*
 * A daemon for configuration c and executor e (it takes both): opens its
 * log, binds its UDP port and its Unix socket (mode 0666; a stale socket
 * file left by a killed daemon is replaced, a live one is an error), starts
 * the node and attaches its sources to the thread-default main context.
 * NULL with err on failure (what and where, one line).
 */
struct tb_noded *tb_noded_new(struct tb_node_config *c, struct tb_executor *e, GError **err);

/*
 * Stops it: waits for the executor's calls in progress, drops those not
 * begun, logs "stop", closes everything and removes its socket file.
 * Accepts NULL.
 */
void tb_noded_free(struct tb_noded *d);
typedef struct tb_noded tb_noded;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_noded, tb_noded_free)

/*
 * The whole program: `fc-noded [--pid-file FILE] [--check] CONFIG`, with
 * the executor that make_executor builds.  Runs until SIGTERM or SIGINT;
 * returns the exit status (0, or 2 for bad usage, configuration or
 * set-up, after one line on stderr naming the program).
 */
int tb_noded_main(int argc, char **argv, tb_executor_new_fn make_executor);

#endif
