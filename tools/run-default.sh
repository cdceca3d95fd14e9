#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make run`: the default job.  Sweeps the default scenario (one origin, 80
# cooperators, a 100x flash crowd) over the policies none, redirect and
# coop (scenarios/default-policies.sweep) into its own results database,
# then draws the figures (tools/figures.sh).  Nothing is deleted: runs
# already done in the database by this version are reused, the others are
# run; a file that is not a flashcoop database is refused and left as it
# is.
# Usage: tools/run-default.sh PATH/TO/flashcoop RESULTS.db [FIGURES-DIR]
set -eu

prog=$1
db=$2
out=${3:-figures}

# Runs done by an older build (the version is `git describe --dirty`, so
# any new commit makes one) are run again and replaced, so that the
# figures never mix two versions of the program.
"$prog" sweep scenarios/default-policies.sweep --rerun-stale -o "$db"
sh tools/figures.sh "$prog" "$db" "$out"
