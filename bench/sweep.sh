#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sweep workers: the same sweep (8 runs of about a second each) at -j1 and
# at -j2, in alternating pairs (-j1 -j2 -j1 -j2 ..., REPEAT pairs, default
# 3), into fresh files; checks that both give the same results.
#
# On a machine that other programs keep busy, the wall-clock speed-up
# measures the idle cores more than the sweep (with both cores taken it is
# 1.00x whatever the sweep does), so beside it this prints what does not
# depend on the load:
#   - CPU seconds (user + system of the sweep and its workers): -j2 must
#     not cost more than -j1;
#   - runs in flight: the runs' own wall times (from the results) summed
#     over the sweep's wall time, about 1 at -j1 and 2 at -j2 when the
#     sweep keeps both workers busy, however slowly each of them runs;
#   - from these two, the speed-up on idle cores: a run would then take its
#     CPU time, and the sweep its CPU time over the runs in flight, so the
#     estimate is (CPU -j1 / CPU -j2) * (in flight -j2 / in flight -j1).
# Usage: bench/sweep.sh BUILD_DIR
set -eu

B=$1
REPEAT=${REPEAT:-3}
prog=$(cd "$B" && pwd)/flashcoop
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/b.ini" <<'END'
[run]
model = mmck
duration = 7000000s
record = scalar
[mmck]
servers = 2
capacity = 50
END
cat >"$tmp/b.sweep" <<'END'
[sweep]
scenario = b.ini
replications = 4
[vary]
run.seed = 1, 2
END

# sweep JOBS: one sweep into a fresh j$JOBS.db; appends
# "jobs wall_s cpu_s runs_in_flight" to $tmp/times
sweep() {
	rm -f "$tmp/j$1.db"
	bench_time "$tmp/t" "$prog" sweep "$tmp/b.sweep" -q -j"$1" -o "$tmp/j$1.db"
	read -r wall cpu <"$tmp/t"
	runs=$(sqlite3 "$tmp/j$1.db" "SELECT total(wall_s) FROM run WHERE status = 'done'")
	echo "$1 $wall $cpu $(echo "$runs $wall" | awk '{ printf "%.2f", $1 / $2 }')" >>"$tmp/times"
}

load=$(machine_load)
i=0
while [ $i -lt "$REPEAT" ]; do
	sweep 1
	sweep 2
	i=$((i + 1))
done
same=$(for f in j1 j2; do
	sqlite3 "$tmp/$f.db" "SELECT r.run_key, s.entity, s.name, s.value FROM scalar s
		JOIN run r ON r.id = s.run_id ORDER BY 1, 2, 3" | sha256sum
done | uniq | wc -l)

col() { # jobs field: that field of the runs at jobs, one per line
	awk -v j="$1" -v f="$2" '$1 == j { print $f }' "$tmp/times"
}
# Ratios within each pair (the k-th -j1 sweep with the k-th -j2 sweep).
ratio() { # field: -j1 / -j2 of that field, per pair
	awk -v f="$1" '$1 == 1 { a[++n] = $f } $1 == 2 { b[++m] = $f }
		END { for (k = 1; k <= n && k <= m; k++) print a[k] / b[k] }' "$tmp/times"
}
idle() { # the speed-up on idle cores estimated from each pair
	awk '$1 == 1 { c1[++n] = $3; f1[n] = $4 } $1 == 2 { c2[++m] = $3; f2[m] = $4 }
		END { for (k = 1; k <= n && k <= m; k++) print (c1[k] / c2[k]) * (f2[k] / f1[k]) }' "$tmp/times"
}
echo
echo "sweep of 8 runs (about 1 s each), medians of $REPEAT pairs, $load:"
for j in 1 2; do
	echo "  -j$j: wall $(col $j 2 | median) s, CPU $(col $j 3 | median) s," \
		"runs in flight $(col $j 4 | median)"
done
echo "  -j1/-j2: wall (speed-up here) $(ratio 2 | median | awk '{ printf "%.2fx", $1 }')," \
	"CPU $(ratio 3 | median | awk '{ printf "%.2fx", $1 }')," \
	"speed-up on idle cores (estimated) $(idle | median | awk '{ printf "%.2fx", $1 }');" \
	"results $( [ "$same" = 1 ] && echo identical || echo DIFFERENT)"
