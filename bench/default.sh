#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make bench`: the default job's time, against its target of 60 s.  Runs
# the sweep `make run` runs (scenarios/default-policies.sweep: the default
# scenario under none, redirect and coop) into a fresh file, at -j2 as on
# the 2-core machines it is meant for, and reports its wall time, its CPU
# time (user + system of the sweep and its workers) and each run's wall
# time as the sweep measured it, with the ratio of each to none's.  The
# coop run is the long pole: the sweep's wall time is about its own.
# One round only (about 90 s): the ratios are within one command, the
# absolute times move with the machine's load (shown).
#
# Usage: bench/default.sh BUILD_DIR
set -eu

B=${1:-build}
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

load=$(machine_load)
bench_time "$dir/time" "$B/flashcoop" sweep "$src/scenarios/default-policies.sweep" \
	-j2 -o "$dir/default.db" --progress-every=1h >/dev/null 2>"$dir/log"
read -r wall cpu <"$dir/time"

echo
echo "the default job (scenarios/default-policies.sweep at -j2, what make run runs);"
echo "$load before it"
printf "sweep: %.1f s wall (target 60 s), %.1f s CPU\n" "$wall" "$cpu"
printf "%-9s %9s %12s\n" policy wall_s wall/none
# "... run ID (web.policy=P, replication 0) done in Xs (...": P and X.
sed -n 's/.*web\.policy=\([a-z]*\),.* done in \([0-9.]*\)s.*/\1 \2/p' "$dir/log" >"$dir/runs"
none=$(awk '$1 == "none" { print $2 }' "$dir/runs")
for p in none redirect coop; do
	awk -v p="$p" -v none="$none" '$1 == p {
		printf "%-9s %9.1f %11s\n", p, $2, (none > 0 ? sprintf("%.1fx", $2 / none) : "-")
	}' "$dir/runs"
done
