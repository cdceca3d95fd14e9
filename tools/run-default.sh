#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make run`: the default job.  Until the web flash-crowd models exist, it
# simulates an M/M/1 station at loads 0.1 to 0.95, records every run in a
# fresh SQLite database (build/default.db), and draws simulated against
# closed-form response times (build/default.png).
# Usage: tools/run-default.sh PATH/TO/flashcoop
set -eu

prog=$1
dir=$(dirname "$prog")
db=$dir/default.db
png=$dir/default.png
csv=$dir/default.csv

rm -f "$db"
for load in 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 0.95; do
	"$prog" mmck --servers 1 --arrival-rate "$load" --service-rate 1 \
		--warmup 2000s --duration 200000s --seed 1 --quiet -o "$db"
done
sqlite3 -csv "$db" <analysis/mmck.sql >"$csv"
gnuplot -e "data='$csv'; out='$png'" analysis/mmck.gp
echo "load,simulated response (s),theory (s),loss"
cat "$csv"
echo "results: $db  figure: $png"
