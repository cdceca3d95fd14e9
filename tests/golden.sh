#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Results unchanged: runs the shipped scenarios at small sizes
# (tests/golden/cases) and compares a digest of each result table with
# tests/golden/results.sha256, so a change meant to keep results the same
# is checked byte for byte.  event_log is compared in the order it was
# written; the other tables by their keys.
#
# Usage: tests/golden.sh [--update] [--dump DIR]
#   --update    rewrite results.sha256 from this build (after a change that
#               is meant to change results; say which in the commit)
#   --dump DIR  also keep each table's text in DIR, to diff two builds
# FLASHCOOP names the program (default build/flashcoop).
set -eu

cd "$(dirname "$0")/.."
prog=${FLASHCOOP:-build/flashcoop}
golden=tests/golden/results.sha256
update=no
dump=
while [ $# -gt 0 ]; do
	case $1 in
	--update) update=yes ;;
	--dump) dump=$2; shift ;;
	*) echo "usage: $0 [--update] [--dump DIR]" >&2; exit 2 ;;
	esac
	shift
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
small=$(cat tests/golden/small.sets)

# The queries: one per table, each naming rows by what they are rather
# than by row ids, with reals printed exactly.
q_scalar="SELECT entity, name, printf('%.17g', value) FROM scalar ORDER BY entity, name"
q_vector="SELECT v.entity, v.name, d.t_ns, printf('%.17g', d.value) FROM vector_data d
  JOIN vector v ON v.id = d.vector_id ORDER BY v.entity, v.name, d.rowid"
q_statistic="SELECT entity, name, count, printf('%.17g|%.17g|%.17g|%.17g|%.17g', mean, sd, min, max, sum),
  printf('%.17g|%.17g|%.17g|%.17g|%.17g|%.17g|%.17g|%.17g|%.17g', p01, p05, p10, p25, p50, p75, p90, p95, p99)
  FROM statistic ORDER BY entity, name"
q_bins="SELECT s.entity, s.name, printf('%.17g', b.lower), printf('%.17g', b.upper), b.count
  FROM statistic_bin b JOIN statistic s ON s.id = b.statistic_id ORDER BY s.entity, s.name, b.lower"
q_events="SELECT seq, t_ns, entity, kind, detail FROM event_log ORDER BY seq"

cases=$(grep -v '^#' tests/golden/cases | grep -c .)
echo "1..$cases"
n=0
: > "$tmp/new"
grep -v '^#' tests/golden/cases | grep . | while read -r name scenario rest; do
	n=$((n + 1))
	args=$(printf '%s' "$rest" | sed "s|@small|$small|")
	db=$tmp/$name.db
	# shellcheck disable=SC2086  # args holds --set options, one word each
	if ! "$prog" run "$scenario" -o "$db" -q $args > "$tmp/out" 2>&1; then
		echo "not ok $n - $name: the run failed"
		sed 's/^/# /' "$tmp/out"
		echo "$name run failed" >> "$tmp/new"
		continue
	fi
	line=$name
	for t in scalar vector statistic bins events; do
		eval "q=\$q_$t"
		sqlite3 "$db" "$q" > "$tmp/$name.$t"
		[ -z "$dump" ] || { mkdir -p "$dump"; cp "$tmp/$name.$t" "$dump/"; }
		line="$line $t=$(sha256sum < "$tmp/$name.$t" | cut -c1-16)"
	done
	echo "$line" >> "$tmp/new"
	want=$(grep "^$name " "$golden" 2>/dev/null || true)
	if [ "$update" = yes ] || [ "$line" = "$want" ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name: results differ from $golden"
		echo "#   want: $want"
		echo "#   got:  $line"
	fi
done
if [ "$update" = yes ]; then
	{
		echo "# Digests of the result tables of tests/golden/cases (tests/golden.sh)."
		cat "$tmp/new"
	} > "$golden"
fi
