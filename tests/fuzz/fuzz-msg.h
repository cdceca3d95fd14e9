/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The world of the message fuzz target (fuzz-msg.c): node ME with site A,
 * one cooperator PEER with site B, the key they share, and the time of every
 * input.  tests/test-fuzz-msg.c builds valid messages from it.
 */
#ifndef FLASHCOOP_TESTS_FUZZ_MSG_H
#define FLASHCOOP_TESTS_FUZZ_MSG_H

#include "flashcoop/core.h"

enum { FUZZ_ME = 1, FUZZ_PEER = 2 };

static const uint8_t fuzz_key[32] = "fuzzing-key-fuzzing-key-fuzzing";
static const struct fc_site fuzz_site_a = { 10, 1000 }, fuzz_site_b = { 20, 1000 };
/* The time of every input, and of the node that receives it. */
static const fc_time_t fuzz_now = 1000 * FC_SEC;

#endif
