#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make bench`: flashcoop's flow network (bench-net, through net.h) against
# SimGrid's max-min solver (bench-net-simgrid: S4U, CM02 with lazy updates,
# no latency, no cross-traffic), on the workloads of bench/bench-flows.h:
# a star of 100, 1000 and 5000 concurrent fetches through one 1 Gbit/s
# uplink, and a swarm of 1000 peers with 4 and with 8 uploads each.
#
# First the parking-lot case that bench-flows.h works out by hand: both
# programs must give its completion times (to the microsecond), or the
# comparison is not of the same thing.  Then BENCH_REPEAT rounds (default
# 3), each running every workload on flashcoop then on SimGrid; the ratio
# of their flow changes (starts + ends) per CPU second is taken within a
# round, and its median over the rounds is shown with the median rates,
# CPU and wall seconds.  Each side runs its own number of changes (SimGrid
# is 1000 times slower on the swarm), and flashcoop runs once more with
# SimGrid's number, to check that both reach the same simulated time: the
# same flows at the same rates.
#
# Usage: bench/net.sh BUILD_DIR
set -eu

B=${1:-build}
REPEAT=${BENCH_REPEAT:-3}
. "$(dirname "$0")/lib.sh"

# label | arguments | changes on flashcoop | changes on SimGrid
WORKLOADS="star-100|--flows 100|40000|40000
star-1000|--flows 1000|10000|10000
star-5000|--flows 5000|2000|2000
swarm-1000x4|--shape swarm --peers 1000 --per-peer 4|200000|1000
swarm-1000x8|--shape swarm --peers 1000 --per-peer 8|100000|600"

results=$(mktemp)
trap 'rm -f "$results" "$results.table"' EXIT
status=0
load=$(machine_load)

fc=$("$B/bench-net" --shape parking)
sg=$("$B/bench-net-simgrid" --shape parking)
echo
echo "flow network: parking lot (expected A=2.5 s, B=1.666666667 s, C=1 s)"
echo "  flashcoop $fc"
echo "  SimGrid   $sg"
if ! printf '%s\n%s\n' "$fc" "$sg" | awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[NR, i] = kv[2] } }
	END { for (i = 2; i <= 4; i++) { d = v[1, i] - v[2, i]; if (d > 1e-6 || d < -1e-6) exit 1 } }'; then
	echo "  the completion times DIFFER: the two programs do not compute the same rates"
	status=1
fi

# run ROUND LABEL SIDE PROGRAM ARGS...: one run into $results as
# "label round side changes_per_cpu_s cpu_s wall_s sim_s"
run() {
	r=$1 label=$2 side=$3
	shift 3
	line=$("$@") || { echo "$* failed" >&2; status=1; return 0; }
	echo "$line" >&2
	echo "$label $r $side $(echo "$line" | kv changes_per_cpu_s) $(echo "$line" | kv cpu_s)" \
		"$(echo "$line" | kv wall_s) $(echo "$line" | kv sim_s)" >>"$results"
}

r=0
while [ "$r" -lt "$REPEAT" ]; do
	r=$((r + 1))
	while IFS='|' read -r label args nfc nsg; do
		# shellcheck disable=SC2086
		run "$r" "$label" fc "$B/bench-net" $args --changes "$nfc"
		# shellcheck disable=SC2086
		run "$r" "$label" sg "$B/bench-net-simgrid" $args --changes "$nsg"
		if [ "$r" = 1 ]; then
			# shellcheck disable=SC2086
			run "$r" "$label" fc-check "$B/bench-net" $args --changes "$nsg"
		fi
	done <<END
$WORKLOADS
END
done

echo
echo "flow network vs SimGrid $(pkg-config --modversion simgrid 2>/dev/null) (CM02, lazy), $load;"
echo "medians of $REPEAT rounds; flow changes (starts + ends) per CPU second, CPU and wall seconds"
awk '
function med(list,    a, k, i, j, t) {
	k = split(list, a, " ");
	if (k == 0) return "-";
	for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2;
}
{
	if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
	if ($3 == "fc-check") { check[$1] = $7; next }
	if ($3 == "sg" && $2 == 1) simsg[$1] = $7;
	rate[$1, $2, $3] = $4;
	L[$1, $3, "rate"] = L[$1, $3, "rate"] " " $4;
	L[$1, $3, "cpu"] = L[$1, $3, "cpu"] " " $5;
	L[$1, $3, "wall"] = L[$1, $3, "wall"] " " $6;
	if ($2 > rounds) rounds = $2;
}
END {
	printf "%-13s %11s %15s %11s %15s %10s %s\n", "workload", "flashcoop", "cpu_s wall_s",
	       "SimGrid", "cpu_s wall_s", "fc/SimGrid", "same simulated time";
	for (k = 1; k <= n; k++) {
		w = order[k]; rs = "";
		for (r = 1; r <= rounds; r++)
			if (rate[w, r, "fc"] > 0 && rate[w, r, "sg"] > 0) rs = rs " " rate[w, r, "fc"] / rate[w, r, "sg"];
		ratio = med(rs);
		# Equal up to the last printed digit: flashcoop ends flows on whole
		# nanoseconds, SimGrid at double dates.
		d = check[w] - simsg[w];
		same = (w in check && w in simsg) ? (d <= 2e-6 && d >= -2e-6 ? "yes (" simsg[w] " s)" : "NO: " check[w] " vs " simsg[w] " s") : "-";
		printf "%-13s %11.0f %7.2f %7.2f %11.0f %7.2f %7.2f %10s %s\n", w,
		       med(L[w, "fc", "rate"]), med(L[w, "fc", "cpu"]), med(L[w, "fc", "wall"]),
		       med(L[w, "sg", "rate"]), med(L[w, "sg", "cpu"]), med(L[w, "sg", "wall"]),
		       ratio == "-" ? "-" : sprintf("%.2fx", ratio), same;
	}
}' "$results" | tee "$results.table"
grep -q " NO: " "$results.table" && status=1

exit "$status"
