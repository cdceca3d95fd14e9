#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make run`: the default job.  Sweeps the default scenario (one origin, 80
# cooperators, a 100x flash crowd) over the policies none, redirect and
# coop (scenarios/default-policies.sweep) into a fresh results database,
# then draws the figures (tools/figures.sh).
# Usage: tools/run-default.sh PATH/TO/flashcoop RESULTS.db
set -eu

prog=$1
db=$2

rm -f "$db"
"$prog" sweep scenarios/default-policies.sweep -o "$db"
sh tools/figures.sh "$prog" "$db"
