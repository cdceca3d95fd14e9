#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make run`: the default job.  Until the web flash-crowd models exist, it
# sweeps an M/M/1 station over loads 0.1 to 0.95 with five replications
# (scenarios/mm1-load.sweep) into a fresh SQLite database (build/default.db)
# and draws the simulated mean response time, with 95% confidence
# intervals, against the closed form (build/default.png).
# Usage: tools/run-default.sh PATH/TO/flashcoop
set -eu

prog=$1
dir=$(dirname "$prog")
db=$dir/default.db
png=$dir/default.png
csv=$dir/default.csv

rm -f "$db"
"$prog" sweep scenarios/mm1-load.sweep -o "$db"
sqlite3 -csv "$db" <analysis/mmck.sql >"$csv"
gnuplot -e "data='$csv'; out='$png'" analysis/mmck.gp
echo "load,simulated response (s),95% CI half-width (s),replications,theory (s)"
cat "$csv"
echo "results: $db  figure: $png"
