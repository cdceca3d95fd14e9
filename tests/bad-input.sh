#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Malformed scenario and sweep files (tests/bad/): each must be refused with
# exit status 2, one line on stderr that names the file and contains the
# text on its first line ("# expect: ..."), and no run recorded.  TAP output
# for prove; run from the source tree.  FLASHCOOP names the program.
set -u

prog=${FLASHCOOP:-build/flashcoop}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

set -- tests/bad/*.ini tests/bad/*.sweep
echo "1..$#"
n=0
failed=0
for f in "$@"; do
	n=$((n + 1))
	expect=$(sed -n '1s/^# expect: //p' "$f")
	db=$tmp/$n.db
	case $f in
	*.sweep) "$prog" sweep "$f" -q -j1 -o "$db" >"$tmp/out" 2>"$tmp/err" ;;
	*) "$prog" run "$f" -q -o "$db" >"$tmp/out" 2>"$tmp/err" ;;
	esac
	st=$?
	why=
	if [ -z "$expect" ]; then
		why="no '# expect:' line"
	elif [ $st -ne 2 ]; then
		why="exit status $st, expected 2"
	elif [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
		why="not one line on stderr"
	elif ! grep -qF -- "$expect" "$tmp/err"; then
		why="the message lacks: $expect"
	elif ! grep -qF -- "tests/bad/" "$tmp/err"; then
		why="the message does not name the file"
	elif [ -e "$db" ] && [ "$(sqlite3 "$db" 'SELECT count(*) FROM run')" != 0 ]; then
		why="a run was recorded"
	fi
	if [ -z "$why" ]; then
		echo "ok $n - $f"
	else
		echo "not ok $n - $f: $why"
		sed 's/^/# /' "$tmp/err"
		failed=1
	fi
done
exit $failed
