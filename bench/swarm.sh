#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make bench`: the cost per peer of a BitTorrent flash crowd.  Runs
# scenarios/swarm-flash.ini (a 4 MiB torrent, peers arriving over ten
# minutes) at 10^3 and 10^4 peers (BENCH_SWARM_PEERS to change), and
# reports wall time, peak memory and events per peer, and the ratio of each
# size's time per peer to the smallest size's, measured in this one command.
# Events per peer are repeatable; times are not (the machine is shared):
# the ratio is of CPU time (user + system), which other programs' load
# disturbs less than the wall time shown beside it.
#
# Usage: bench/swarm.sh BUILD_DIR
set -eu

B=${1:-build}
PEERS=${BENCH_SWARM_PEERS:-"1000 10000"}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
src=$(cd "$(dirname "$0")/.." && pwd)

echo
echo "swarm flash crowd (scenarios/swarm-flash.ini), peers arriving over 600 s"
printf "%-8s %9s %9s %10s %12s %12s %10s\n" peers wall_s cpu_s peak_MB events/peer cpu_ms/peer ratio
base=
for n in $PEERS; do
	rate=$(awk -v n="$n" 'BEGIN { printf "%.6f", n / 600 }')
	/usr/bin/time -f "%e %M %U %S" -o "$dir/time" "$B/flashcoop" run "$src/scenarios/swarm-flash.ini" \
		--set swarm.peers="$n" --set swarm.arrival_rate="$rate" -o "$dir/$n.db" >"$dir/out" 2>&1
	events=$(sed -n 's/.*, \([0-9]*\) events,.*/\1/p' "$dir/out")
	set -- $(cat "$dir/time")
	cpu=$(echo "$3 $4" | awk '{ print $1 + $2 }')
	awk -v n="$n" -v wall="$1" -v kb="$2" -v cpu="$cpu" -v ev="$events" -v base="$base" 'BEGIN {
		ms = 1000 * cpu / n
		printf "%-8d %9.1f %9.1f %10.1f %12.0f %12.3f %9s\n", n, wall, cpu, kb / 1024, ev / n, ms,
		       base == "" ? "1.00x" : sprintf("%.2fx", ms / base)
	}'
	[ -n "$base" ] || base=$(awk -v n="$n" -v cpu="$cpu" 'BEGIN { print 1000 * cpu / n }')
done
