/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A fuzz target for the bencode reader and what reads through it: the
 * torrent reader and the tracker-answer reader (fuzz-bencode.c).  Built
 * as a libFuzzer program under `make fuzz` (FLASHCOOP_LIBFUZZER), and
 * linked into test-bencode, which runs the seed corpus
 * testbed/bt/corpus/ through it.
 */
#ifndef FLASHCOOP_TESTBED_BT_FUZZ_BENCODE_H
#define FLASHCOOP_TESTBED_BT_FUZZ_BENCODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Judges one input; aborts (after printing it in hex) when a contract is
 * broken: an accepted value must encode back to the input's bytes, a
 * refusal must carry a one-line message, a torrent read must be
 * consistent (one hash per piece, file offsets adding up).  Returns 0.
 */
int fuzz_bencode_one(const uint8_t *data, size_t size);

/* Inputs the bencode reader accepted, and of those, torrents read. */
extern unsigned long fuzz_bencode_accepted, fuzz_bencode_torrents;

#endif
