#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The program as a user meets it: exit codes, error messages, the results
# file, determinism.  TAP output for prove.  FLASHCOOP names the program.
set -u

prog=${FLASHCOOP:-build/flashcoop}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() { # description, then a command that must succeed
	desc=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/out" 2>"$tmp/err"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		sed 's/^/# /' "$tmp/out" "$tmp/err"
		failed=1
	fi
}

status_is() { # expected status, command...
	want=$1
	shift
	"$@" >"$tmp/cmd.out" 2>"$tmp/cmd.err"
	got=$?
	[ "$got" -eq "$want" ] || { echo "status $got, expected $want" >&2; return 1; }
}

err_mentions() { # text
	grep -q -- "$1" "$tmp/cmd.err" || { cat "$tmp/cmd.err" >&2; return 1; }
}

echo "1..10"
ok "--version prints the version" sh -c "'$prog' --version | grep -q '^flashcoop '"
ok "no command is a usage error (2)" status_is 2 "$prog"
ok "an unknown command is a usage error (2)" status_is 2 "$prog" frobnicate
ok "a duration without unit is refused (2) and named" \
	sh -c "'$prog' mmck --duration 10 -o '$tmp/a.db' 2>'$tmp/e'; [ \$? -eq 2 ] && grep -q -- '--duration' '$tmp/e' && [ ! -e '$tmp/a.db' ]"
ok "capacity below servers is refused (2)" status_is 2 "$prog" mmck -c 4 -K 2 -o "$tmp/a.db"

printf 'precious notes\n' >"$tmp/notes.db"
ok "a file that is not a database is refused (2) and left intact" \
	sh -c "'$prog' mmck --duration 100s -o '$tmp/notes.db' 2>/dev/null; [ \$? -eq 2 ] && [ \"\$(cat '$tmp/notes.db')\" = 'precious notes' ]"
sqlite3 "$tmp/other.db" 'CREATE TABLE t(x); INSERT INTO t VALUES (1);'
ok "another program's SQLite database is refused (2)" \
	sh -c "'$prog' mmck --duration 100s -o '$tmp/other.db' 2>'$tmp/e'; [ \$? -eq 2 ] && grep -q 'not a flashcoop' '$tmp/e' && [ \"\$(sqlite3 '$tmp/other.db' 'SELECT count(*) FROM sqlite_master')\" = 1 ]"

ok "two runs go into one file, both done" sh -c "
	'$prog' mmck -q --duration 2000s --seed 5 -o '$tmp/r.db' &&
	'$prog' mmck -q --duration 2000s --seed 5 --replication 1 -o '$tmp/r.db' &&
	[ \"\$(sqlite3 '$tmp/r.db' \"SELECT count(*) FROM run WHERE status = 'done'\")\" = 2 ]"
ok "same seed, same numbers" sh -c "
	'$prog' mmck -q --duration 2000s --seed 5 -o '$tmp/s.db' &&
	a=\$(sqlite3 '$tmp/r.db' 'SELECT name, value FROM scalar WHERE run_id = 1 ORDER BY entity, name') &&
	b=\$(sqlite3 '$tmp/s.db' 'SELECT name, value FROM scalar WHERE run_id = 1 ORDER BY entity, name') &&
	[ -n \"\$a\" ] && [ \"\$a\" = \"\$b\" ]"
ok "another replication, other numbers" sh -c "
	a=\$(sqlite3 '$tmp/r.db' \"SELECT value FROM scalar WHERE run_id = 1 AND name = 'served'\") &&
	b=\$(sqlite3 '$tmp/r.db' \"SELECT value FROM scalar WHERE run_id = 2 AND name = 'served'\") &&
	[ \"\$a\" != \"\$b\" ]"
exit $failed
