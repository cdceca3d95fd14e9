#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sweep workers: the same sweep (8 runs of about a second each) at -j1 and
# at -j2, in the same command, best of REPEAT (default 3) each; prints the
# wall times and their ratio, and checks that both give the same results.
# Usage: bench/sweep.sh BUILD_DIR
set -eu

B=$1
prog=$(cd "$B" && pwd)/flashcoop
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

wall() { # command...: prints seconds
	s=$(date +%s.%N)
	"$@"
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.2f", $2 - $1 }'
}

best() { # jobs: best wall time of REPEAT sweeps into fresh files
	b=
	i=0
	while [ $i -lt "${REPEAT:-3}" ]; do
		rm -f "$tmp/j$1.db"
		t=$(wall "$prog" sweep "$tmp/b.sweep" -q -j"$1" -o "$tmp/j$1.db")
		b=$(echo "$t ${b:-$t}" | awk '{ print ($1 < $2) ? $1 : $2 }')
		i=$((i + 1))
	done
	echo "$b"
}

t1=$(best 1)
t2=$(best 2)
same=$(for f in j1 j2; do
	sqlite3 "$tmp/$f.db" "SELECT r.run_key, s.entity, s.name, s.value FROM scalar s
		JOIN run r ON r.id = s.run_id ORDER BY 1, 2, 3" | sha256sum
done | uniq | wc -l)
echo
echo "sweep of 8 runs (about 1 s each), best of ${REPEAT:-3}: -j1 ${t1}s, -j2 ${t2}s, speed-up" \
	"$(echo "$t1 $t2" | awk '{ printf "%.2fx", $1 / $2 }')," \
	"results $( [ "$same" = 1 ] && echo identical || echo DIFFERENT)"
