#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make bench`: the hold model on the flashcoop engine (each queue), on a bare
# 4-ary heap, and on ns-3's simulator core (Map, Heap and Calendar
# schedulers), at 10^3, 10^5 and 10^6 pending events, all in this one command
# so that the ratios compare runs made under the same machine load.  Each
# configuration runs BENCH_REPEAT times (default 3) and its best rate counts;
# a run that takes longer than BENCH_TIMEOUT seconds (default 120) is
# abandoned and shown as "-".
#
# Usage: bench/run.sh BUILD_DIR
set -eu

B=${1:-build}
EVENTS=${BENCH_EVENTS:-5000000}
REPEAT=${BENCH_REPEAT:-3}
TIMEOUT=${BENCH_TIMEOUT:-120}
SIZES=${BENCH_SIZES:-"1000 100000 1000000"}
OURS="radix heap4 plain-heap4"
NS3="map heap calendar"

# best PROGRAM ARGS... : the highest events_per_s of REPEAT runs, or "-"
best() {
	b=-
	i=0
	while [ "$i" -lt "$REPEAT" ]; do
		i=$((i + 1))
		line=$(timeout "$TIMEOUT" "$@" 2>/dev/null) || { echo "$* : timed out or failed" >&2; break; }
		echo "$line" >&2
		r=$(printf '%s\n' "$line" | sed -n 's/.*events_per_s=\([0-9]*\).*/\1/p')
		if [ "$b" = - ] || [ "$r" -gt "$b" ]; then b=$r; fi
	done
	echo "$b"
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT

for n in $SIZES; do
	for q in $OURS; do
		echo "$n ours-$q $(best "$B/bench-hold" --pending "$n" --events "$EVENTS" --queue "$q")" >>"$results"
	done
	for s in $NS3; do
		echo "$n ns3-$s $(best "$B/bench-hold-ns3" --pending "$n" --events "$EVENTS" --scheduler "$s")" >>"$results"
	done
done

echo
echo "hold model, $EVENTS events per run, best of $REPEAT; rates in events/s"
awk -v ours="$OURS" -v ns3="$NS3" '
{ rate[$1, $2] = $3; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
END {
	no = split(ours, o, " "); nn = split(ns3, s, " ");
	printf "%-9s", "pending";
	for (i = 1; i <= no; i++) printf " %12s", o[i];
	for (i = 1; i <= nn; i++) printf " %12s", "ns3-" s[i];
	printf " %14s %16s\n", "radix/ns3best", "radix/plainheap";
	for (k = 1; k <= n; k++) {
		p = order[k]; best = 0;
		printf "%-9s", p;
		for (i = 1; i <= no; i++) printf " %12s", rate[p, "ours-" o[i]];
		for (i = 1; i <= nn; i++) {
			r = rate[p, "ns3-" s[i]]; printf " %12s", r;
			if (r != "-" && r + 0 > best) { best = r + 0; bn = s[i] }
		}
		ours_r = rate[p, "ours-radix"]; plain = rate[p, "ours-plain-heap4"];
		if (best > 0 && ours_r != "-") printf " %9.2fx %-4s", ours_r / best, bn;
		else printf " %14s", "-";
		if (plain != "-" && plain + 0 > 0 && ours_r != "-") printf " %15.2fx", ours_r / plain;
		else printf " %16s", "-";
		printf "\n";
	}
}' "$results"
