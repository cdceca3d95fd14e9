#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make bench`: a 2-hour flash crowd of about 10^6 clients with 100
# cooperators (scenarios/bench/million.ini), without BitTorrent clients,
# against its target of 30 s on one core under every policy.  Runs it once
# under none, redirect and coop, one after the other on one core, and
# reports each run's wall and CPU time, its peak memory and its ratio to
# the target.  One round only (about 1.5 minutes): the times move with the
# machine's load (shown); the runs' events are printed beside them, which
# do not.
#
# Usage: bench/million.sh BUILD_DIR
set -eu

B=${1:-build}
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

echo
echo "10^6 clients in 2 hours, 100 cooperators, no BitTorrent clients (scenarios/bench/million.ini);"
echo "$(machine_load) before it"
printf "%-9s %9s %9s %9s %12s %10s\n" policy wall_s cpu_s peak_MB events target_30s
for p in none redirect coop; do
	rm -f "$dir/m.db"
	/usr/bin/time -f "%e %U %S %M" -o "$dir/raw" "$B/flashcoop" run -q \
		"$src/scenarios/bench/million.ini" --set web.policy="$p" -o "$dir/m.db" 2>/dev/null
	events=$(sqlite3 "$dir/m.db" "SELECT events FROM run")
	tail -n 1 "$dir/raw" | awk -v p="$p" -v ev="$events" '{
		printf "%-9s %9.1f %9.1f %9.0f %12s %9.2fx\n", p, $1, $2 + $3, $4 / 1024, ev, $1 / 30
	}'
done
