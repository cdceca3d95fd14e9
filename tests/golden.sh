#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Results unchanged: runs the shipped scenarios at small sizes
# (tests/golden/cases) and compares a digest of each result table
# (results_sql in tests/test-lib.sh) with tests/golden/results.sha256, so a
# change meant to keep results the same is checked byte for byte.
#
# Usage: tests/golden.sh [--update] [--dump DIR]
#   --update    rewrite results.sha256 from this build (after a change that
#               is meant to change results; say which in the commit)
#   --dump DIR  also keep each table's text in DIR, to diff two builds
# FLASHCOOP names the program (default build/flashcoop).
update=no
dump=
while [ $# -gt 0 ]; do
	case $1 in
	--update) update=yes ;;
	--dump) dump=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift ;;
	*) echo "usage: $0 [--update] [--dump DIR]" >&2; exit 2 ;;
	esac
	shift
done

. "$(dirname "$0")/test-lib.sh"

golden=$SRC/tests/golden/results.sha256
small=$(cat "$SRC/tests/golden/small.sets")
: >"$TEST_ROOT/new"

# golden_case NAME SCENARIO [--set ...]: runs the case, appends its digests
# to $TEST_ROOT/new and, unless updating, compares them with the recorded.
golden_case() {
	name=$1
	scenario=$2
	shift 2
	(cd "$SRC" && "$FLASHCOOP" run "$scenario" -o "$TRASH/$name.db" -q "$@")
	line=$name
	for t in scalar vector statistic bins events flows; do
		test_sqlite3 "$name.db" "$(results_sql $t "''")" >"$name.$t"
		[ -z "$dump" ] || { mkdir -p "$dump" && cp "$name.$t" "$dump/"; }
		# The flow log is left out of the line where a case has none,
		# so the models that keep none keep their lines.
		[ "$t" = flows ] && [ ! -s "$name.$t" ] && continue
		line="$line $t=$(sha256sum <"$name.$t" | cut -c1-16)"
	done
	echo "$line" >>"$TEST_ROOT/new"
	[ "$update" = yes ] && return 0
	want=$(grep "^$name " "$golden" || true)
	[ "$line" = "$want" ] && return 0
	echo "results differ from $golden" >&2
	echo "want: $want" >&2
	echo "got:  $line" >&2
	return 1
}

while read -r name scenario rest; do
	case $name in '#'* | '') continue ;; esac
	args=$(printf '%s' "$rest" | sed "s|@small|$small|")
	test_expect_success "$name" "golden_case $name $scenario $args"
done <"$SRC/tests/golden/cases"

if [ "$update" = yes ]; then
	{
		echo "# Digests of the result tables of tests/golden/cases (tests/golden.sh)."
		cat "$TEST_ROOT/new"
	} >"$golden"
fi
test_done
