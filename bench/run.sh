#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make bench`: the hold model on the flashcoop engine (each queue), on a bare
# 4-ary heap, and on ns-3's simulator core (Map, Heap and Calendar
# schedulers), at 10^3, 10^5 and 10^6 pending events, all in this one command
# so that the ratios compare runs made under the same machine load.  The
# configurations of a size run in rounds (each once per round, in the same
# order), BENCH_REPEAT rounds (default 3); a ratio is taken within a round
# and the median over the rounds is shown, with the median rates in events
# per CPU second (user + system of the timed part) and per wall second.  A
# run that takes longer than BENCH_TIMEOUT seconds (default 60; ns-3's
# Calendar scheduler at 10^6 pending events) is abandoned, shown as "-",
# and not tried again in the later rounds.
#
# Usage: bench/run.sh BUILD_DIR
set -eu

B=${1:-build}
EVENTS=${BENCH_EVENTS:-2000000}
REPEAT=${BENCH_REPEAT:-3}
TIMEOUT=${BENCH_TIMEOUT:-60}
SIZES=${BENCH_SIZES:-"1000 100000 1000000"}
OURS="radix heap4 plain-heap4"
NS3="map heap calendar"
. "$(dirname "$0")/lib.sh"

results=$(mktemp)
trap 'rm -f "$results"' EXIT

# once SIZE ROUND NAME PROGRAM ARGS...: one run, as a line of $results:
# size round name events_per_cpu_s events_per_s cpu_s wall_s ("-" if failed)
once() {
	n=$1 r=$2 name=$3
	shift 3
	if grep -q "^$n [0-9]* $name -" "$results"; then
		echo "$n $r $name - - - -" >>"$results"
	elif line=$(timeout "$TIMEOUT" "$@" 2>/dev/null); then
		echo "$line" >&2
		echo "$n $r $name $(echo "$line" | kv events_per_cpu_s) $(echo "$line" | kv events_per_s)" \
			"$(echo "$line" | kv cpu_s) $(echo "$line" | kv seconds)" >>"$results"
	else
		echo "$* : timed out or failed" >&2
		echo "$n $r $name - - - -" >>"$results"
	fi
}

load=$(machine_load)
for n in $SIZES; do
	r=0
	while [ "$r" -lt "$REPEAT" ]; do
		r=$((r + 1))
		for q in $OURS; do
			once "$n" "$r" "$q" "$B/bench-hold" --pending "$n" --events "$EVENTS" --queue "$q"
		done
		for s in $NS3; do
			once "$n" "$r" "ns3-$s" "$B/bench-hold-ns3" --pending "$n" --events "$EVENTS" --scheduler "$s"
		done
	done
done

echo
echo "hold model, $EVENTS events per run, medians of $REPEAT rounds, $load;"
echo "rates in 10^6 events per CPU second (per wall second), CPU and wall seconds of the timed part;"
echo "ratios of events per CPU second within each round"
awk -v names="$OURS ns3-map ns3-heap ns3-calendar" -v ns3="ns3-map ns3-heap ns3-calendar" '
function med(list,    a, k, i, j, t) {
	k = split(list, a, " ");
	if (k == 0) return "-";
	for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2;
}
function add(key, v) { if (v != "-") L[key] = L[key] " " v }
{
	if (!($1 in seen)) { seen[$1] = 1; order[++ns] = $1 }
	if ($2 > rounds) rounds = $2;
	rate[$1, $2, $3] = $4;
	add($1 SUBSEP $3 SUBSEP "cpu_rate", $4); add($1 SUBSEP $3 SUBSEP "wall_rate", $5);
	add($1 SUBSEP $3 SUBSEP "cpu", $6); add($1 SUBSEP $3 SUBSEP "wall", $7);
}
END {
	nn = split(names, nm, " "); n3 = split(ns3, s3, " ");
	printf "%-9s %-13s %19s %8s %8s\n", "pending", "queue", "Mev/cpu-s (wall-s)", "cpu_s", "wall_s";
	for (k = 1; k <= ns; k++) {
		p = order[k];
		for (i = 1; i <= nn; i++) {
			q = nm[i]; c = med(L[p, q, "cpu_rate"]);
			if (c == "-") { printf "%-9s %-13s %19s\n", p, q, "-"; continue }
			printf "%-9s %-13s %9.2f (%7.2f) %8.3f %8.3f\n", p, q, c / 1e6,
			       med(L[p, q, "wall_rate"]) / 1e6, med(L[p, q, "cpu"]), med(L[p, q, "wall"]);
		}
		# Ratios within each round, per CPU second.
		rb = ""; rp = "";
		for (r = 1; r <= rounds; r++) {
			ours = rate[p, r, "radix"]; best = 0;
			if (ours == "-" || ours == "") continue;
			for (i = 1; i <= n3; i++) { v = rate[p, r, s3[i]]; if (v != "-" && v + 0 > best) best = v + 0 }
			if (best > 0) rb = rb " " ours / best;
			v = rate[p, r, "plain-heap4"]; if (v != "-" && v + 0 > 0) rp = rp " " ours / v;
		}
		b = med(rb); pl = med(rp);
		printf "%-9s radix / best ns-3 scheduler %s, radix / plain-heap4 %s\n", p,
		       b == "-" ? "-" : sprintf("%.2fx", b), pl == "-" ? "-" : sprintf("%.2fx", pl);
	}
}' "$results"
