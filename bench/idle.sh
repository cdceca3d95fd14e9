#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make bench`: the price of the idle cooperation protocol.  Runs
# scenarios/bench/idle-protocol.ini (100 cooperators, no crowd, 10 simulated
# minutes) under [web] policy none and under each policy that runs the
# nodes (redirect, coop), as alternating pairs (none, then the policy,
# BENCH_IDLE_PAIRS times, default 3), so that both sides of a ratio see the
# same machine load.  Reports the median CPU time (user + system) of each,
# the median wall time beside it, and the ratio of CPU times to none's.
# The nodes' probes, acknowledgements and heartbeats, all to all, are
# nearly all that the policies add here.
#
# Usage: bench/idle.sh BUILD_DIR
set -eu

B=${1:-build}
PAIRS=${BENCH_IDLE_PAIRS:-3}
POLICIES=${BENCH_IDLE_POLICIES:-"redirect coop"}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
src=$(cd "$(dirname "$0")/.." && pwd)
scenario=$src/scenarios/bench/idle-protocol.ini

# run POLICY: appends "cpu_s wall_s" of one run to $dir/POLICY
run() {
	rm -f "$dir/run.db"
	/usr/bin/time -f "%U %S %e" -o "$dir/time" "$B/flashcoop" run "$scenario" \
		--set web.policy="$1" -o "$dir/run.db" -q >/dev/null
	awk '{ printf "%.3f %.3f\n", $1 + $2, $3 }' "$dir/time" >>"$dir/$1"
}

# median FILE COLUMN
median() {
	sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
		END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

for p in $POLICIES; do
	i=0
	while [ "$i" -lt "$PAIRS" ]; do
		i=$((i + 1))
		run none
		run "$p"
	done
done

echo
echo "idle protocol (scenarios/bench/idle-protocol.ini: 100 cooperators, no crowd, 600 s),"
echo "$PAIRS alternating pairs with none per policy; medians"
printf "%-9s %9s %9s %12s\n" policy cpu_s wall_s cpu/none
none_cpu=$(median "$dir/none" 1)
printf "%-9s %9.2f %9.2f %11.2fx\n" none "$none_cpu" "$(median "$dir/none" 2)" 1
for p in $POLICIES; do
	cpu=$(median "$dir/$p" 1)
	awk -v p="$p" -v cpu="$cpu" -v wall="$(median "$dir/$p" 2)" -v none="$none_cpu" 'BEGIN {
		printf "%-9s %9.2f %9.2f %11s\n", p, cpu, wall,
		       (none > 0 ? sprintf("%.1fx", cpu / none) : "-")
	}'
done
