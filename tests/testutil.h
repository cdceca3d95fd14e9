/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the GTest programs under tests/ share: their start-up, and the
 * statistical checks a model validation makes against theory.  Linked
 * into every test program; not a test itself.
 */
#ifndef FLASHCOOP_TESTUTIL_H
#define FLASHCOOP_TESTUTIL_H

#include <stddef.h>

/*
 * Starts a test program: g_test_init() (TAP output for prove), and GSL's
 * error handler switched off, so that a GSL error is a return code the
 * code under test must handle rather than an abort.  Call it first in
 * main(), before adding the tests.
 */
void testutil_init(int *argc, char ***argv);

/*
 * Fails the test unless `theory` lies inside the two-sided 99.8%
 * Student-t confidence interval of the mean of x[0..n) (n >= 2
 * independent replications).  `what` names the measure in the message;
 * with --verbose the interval is printed whether it holds or not.
 */
void testutil_assert_in_interval(const char *what, const double *x, size_t n,
				 double theory);

#endif
