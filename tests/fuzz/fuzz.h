/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The fuzz targets: each judges one input and aborts (which libFuzzer
 * reports as a crash) when the program's contract is broken.  Built twice:
 * with clang's libFuzzer (`make fuzz`, FLASHCOOP_LIBFUZZER defined, each
 * file then also defines LLVMFuzzerTestOneInput) and into the test suite,
 * where tests/test-fuzz-corpus.c runs the committed seed corpora through
 * them and tests/test-fuzz-msg.c a fixed-seed stream of messages.
 */
#ifndef FLASHCOOP_TESTS_FUZZ_H
#define FLASHCOOP_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The input a target judges now (NULL: none), printed in hex when a check
   fails. */
void fuzz_input(const uint8_t *data, size_t size);

/* Prints the input and fails the program (an abort, which libFuzzer
   reports as a crash), naming the check that did not hold. */
_Noreturn void fuzz_fail(const char *file, int line, const char *expr);

#define FUZZ_CHECK(expr)                                          \
	do {                                                      \
		if (!(expr))                                      \
			fuzz_fail(__FILE__, __LINE__, #expr);      \
	} while (0)

/* The message decoder and a fresh node's receive path (fuzz-msg.c). */
int fuzz_msg_one(const uint8_t *data, size_t size);
/* Inputs fuzz_msg_one() saw the node accept: the fuzzing reached past the MAC. */
extern unsigned long fuzz_msg_accepted;

/* The input as a scenario file, up to the model's check (fuzz-scenario.c). */
int fuzz_scenario_one(const uint8_t *data, size_t size);
/* Inputs that passed the model's check. */
extern unsigned long fuzz_scenario_accepted;

/* The input as a sweep file over fixed base scenarios (fuzz-sweep.c). */
int fuzz_sweep_one(const uint8_t *data, size_t size);
/* Inputs that loaded, every point checked. */
extern unsigned long fuzz_sweep_accepted;

/* A script of packets through two DTS filters (fuzz-dts.c). */
int fuzz_dts_one(const uint8_t *data, size_t size);
/* Scripts in which the filters rewrote a packet. */
extern unsigned long fuzz_dts_accepted;

/*
 * A private directory for the files the targets write, made once per
 * process and removed at exit, with the files of `fixtures` (name, text,
 * ..., NULL) written into it the first time that list is given.  Returns
 * its path (static storage).
 */
const char *fuzz_workdir(const char *const *fixtures);

/* Writes data to dir/name; aborts when it cannot. */
char *fuzz_write(const char *dir, const char *name, const uint8_t *data, size_t size);

/*
 * Aborts, after printing the input (in hex) and what was expected, unless
 * an error to be reported to a user is one non-empty line.
 */
void fuzz_check_message(const uint8_t *data, size_t size, const char *message);

#endif
