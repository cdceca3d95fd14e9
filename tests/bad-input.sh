#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Malformed scenario and sweep files (tests/bad/): each must be refused with
# exit status 2, one line on stderr that names the file and contains the
# text on its first line ("# expect: ..."), and no run recorded.
. "$(dirname "$0")/test-lib.sh"

cd "$SRC" || exit 1
n=0
for f in tests/bad/*.ini tests/bad/*.sweep; do
	n=$((n + 1))
	db=$TRASH/$n.db
	case $f in
	*.sweep) command="sweep -j1" ;;
	*) command=run ;;
	esac
	test_expect_success "$f" '
		cd "$SRC" &&
		expect=$(sed -n "1s/^# expect: //p" "$f") &&
		if [ -z "$expect" ]; then echo "no # expect: line in $f" >&2; exit 1; fi &&
		test_status 2 "$FLASHCOOP" $command "$f" -q -o "$db" &&
		test_stderr_lines 1 &&
		test_stderr_has "$expect" &&
		test_stderr_has tests/bad/ &&
		if [ -e "$db" ]; then test_sql "$db" "SELECT count(*) FROM run" 0; fi
	'
done

test_done
