#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make bench`: the cost per node of the Winny overlay.  Runs
# scenarios/winny/isp-tap.ini for one simulated hour (no warm-up, scalars
# only, no background traffic) with 10^4 and 10^5 outside peers
# (BENCH_WINNY_NODES to change) and as many files as peers (so that a
# peer finds as many holders of a file at either size), and reports wall time, peak memory, events
# per node and the ratio of each size's time per node to the smallest
# size's, measured in this one command.  Events per node are repeatable;
# times are not (the machine is shared): the ratio is of CPU time (user +
# system), which other programs' load disturbs less than the wall time
# shown beside it.
#
# Usage: bench/winny.sh BUILD_DIR
set -eu

B=${1:-build}
NODES=${BENCH_WINNY_NODES:-"10000 100000"}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
src=$(cd "$(dirname "$0")/.." && pwd)

echo
echo "Winny overlay (scenarios/winny/isp-tap.ini), one simulated hour"
printf "%-8s %9s %9s %10s %12s %12s %10s\n" nodes wall_s cpu_s peak_MB events/node cpu_ms/node ratio
base=
for n in $NODES; do
	/usr/bin/time -f "%e %M %U %S" -o "$dir/time" "$B/flashcoop" run "$src/scenarios/winny/isp-tap.ini" \
		--set winny.outside="$n" --set winny.files="$n" --set run.warmup=0s --set run.duration=1h \
		--set winny.background_rate=0 --set run.record=scalar -o "$dir/$n.db" >"$dir/out" 2>&1
	events=$(sed -n 's/.*, \([0-9]*\) events,.*/\1/p' "$dir/out")
	set -- $(cat "$dir/time")
	cpu=$(echo "$3 $4" | awk '{ print $1 + $2 }')
	awk -v n="$n" -v wall="$1" -v kb="$2" -v cpu="$cpu" -v ev="$events" -v base="$base" 'BEGIN {
		ms = 1000 * cpu / n
		printf "%-8d %9.1f %9.1f %10.1f %12.0f %12.4f %9s\n", n, wall, cpu, kb / 1024, ev / n, ms,
		       base == "" ? "1.00x" : sprintf("%.2fx", ms / base)
	}'
	[ -n "$base" ] || base=$(awk -v n="$n" -v cpu="$cpu" 'BEGIN { print 1000 * cpu / n }')
done
