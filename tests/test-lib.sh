# SPDX-License-Identifier: GPL-3.0-or-later
#
# A small TAP test library for the shell tests, after Git's t/test-lib.sh.
# A test script sources it, states its tests and ends with test_done:
#
#	#!/bin/sh
#	. "$(dirname "$0")/test-lib.sh"
#
#	test_expect_success 'a run records its parameters' '
#		"$FLASHCOOP" run m.ini -q -o r.db &&
#		test_sql r.db "SELECT value FROM param WHERE name = '\''mmck.servers'\''" 2
#	'
#	test_done
#
# A body that quotes SQL strings reads better from a here-document, as in
# Git: `test_expect_success 'desc' - <<-\EOF` then the body, then EOF.
#
# Each body is eval'd in a subshell, with `set -e`, in the script's own
# scratch directory ($TRASH), which every test of the script shares and
# which is removed when the script exits (kept with TEST_KEEP=1).  So a
# test sees the files earlier tests left, but not their shell variables.
# A test passes when its body returns 0; then it prints "ok N - desc",
# else "not ok N - desc" followed by the body's stdout and stderr as "# "
# lines, then the body itself.  The plan "1..N" is printed by test_done,
# which exits 1 if any test failed.
#
# Because of `set -e`, a command expected to fail must go through
# test_status (or `! cmd`), not be followed by a check of $?.
#
# Variables: FLASHCOOP, the program (absolute; default build/flashcoop
# from the directory the script is run in); SRC, the source tree; TRASH,
# the scratch directory.  Scripts run from anywhere and share nothing, so
# prove may run them in parallel.

set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
FLASHCOOP=${FLASHCOOP:-build/flashcoop}
case $FLASHCOOP in
/*) ;;
*) FLASHCOOP=$(pwd)/$FLASHCOOP ;;
esac
export FLASHCOOP SRC

# The script's private directory: TRASH for the tests, the rest for the
# library's own files (captured output, the last command's stdout/stderr).
TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/flashcoop-$(basename "$0" .sh).XXXXXX") || exit 1
TRASH=$TEST_ROOT/trash
mkdir "$TRASH" || exit 1
export TRASH
if [ "${TEST_KEEP:-}" = 1 ]; then
	trap 'echo "# kept $TEST_ROOT"' EXIT
else
	trap 'rm -rf "$TEST_ROOT"' EXIT
fi
# A signal ends the script through its EXIT trap.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM
cd "$TRASH" || exit 1

test_count=0
test_failed=0

# Runs one test body; returns its status, its output in $TEST_ROOT/out.
# Call it as a command of its own and test $? after: as the condition of
# an `if` or part of an && list, it would run the body with `set -e`
# switched off.
test_run_() {
	(
		cd "$TRASH" || exit 1
		set -e
		eval "$1"
	) >"$TEST_ROOT/out" 2>&1 </dev/null
}

# The body itself, or stdin when it is "-".
test_body_() {
	if [ "$1" = - ]; then cat; else printf '%s\n' "$1"; fi
}

# test_expect_success DESCRIPTION BODY: BODY must succeed.
test_expect_success() {
	[ $# -eq 2 ] || { echo "bug in the test script: test_expect_success wants 2 arguments" >&2; exit 2; }
	test_count=$((test_count + 1))
	test_body=$(test_body_ "$2")
	test_run_ "$test_body"
	# shellcheck disable=SC2181  # see test_run_
	if [ $? -eq 0 ]; then
		echo "ok $test_count - $1"
	else
		echo "not ok $test_count - $1"
		sed 's/^/# /' "$TEST_ROOT/out"
		printf '%s\n' "$test_body" | sed 's/^/#\t| /'
		# prove shows a script's stderr but not its TAP comments: the
		# reason goes there too, so that a log of make check says it.
		{
			echo "$(basename "$0"): not ok $test_count - $1"
			tail -n 30 "$TEST_ROOT/out" | sed 's/^/#   /'
		} >&2
		test_failed=$((test_failed + 1))
	fi
}

# test_expect_failure DESCRIPTION BODY: a known breakage, as Git's: BODY
# is expected to fail until the issue named in DESCRIPTION is fixed.  It
# is reported as a TAP TODO (prove counts it, does not fail on it) with
# its output, and a body that succeeds says that the breakage vanished.
test_expect_failure() {
	[ $# -eq 2 ] || { echo "bug in the test script: test_expect_failure wants 2 arguments" >&2; exit 2; }
	test_count=$((test_count + 1))
	test_body=$(test_body_ "$2")
	test_run_ "$test_body"
	# shellcheck disable=SC2181  # see test_run_
	if [ $? -eq 0 ]; then
		echo "ok $test_count - $1 # TODO known breakage vanished"
	else
		echo "not ok $test_count - $1 # TODO known breakage"
		sed 's/^/# /' "$TEST_ROOT/out"
	fi
}

# test_done: the plan, and the script's status.
test_done() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ] || echo "# failed $test_failed of $test_count"
	[ "$test_failed" -eq 0 ]
	exit
}

# ---- Helpers for test bodies: each prints why on stderr when it fails. ----

# test_status CODE COMMAND...: COMMAND exits with CODE.  Its stdout and
# stderr are kept for test_stdout_has, test_stderr_has, test_stderr_lines.
test_status() {
	want=$1
	shift
	"$@" >"$TEST_ROOT/cmd.out" 2>"$TEST_ROOT/cmd.err" && got=0 || got=$?
	[ "$got" -eq "$want" ] && return 0
	echo "exit status $got, expected $want: $*" >&2
	sed 's/^/stderr: /' "$TEST_ROOT/cmd.err" >&2
	return 1
}

# test_stderr_has TEXT: the stderr of the last test_status contains TEXT.
test_stderr_has() {
	grep -qF -- "$1" "$TEST_ROOT/cmd.err" && return 0
	echo "stderr lacks: $1" >&2
	sed 's/^/stderr: /' "$TEST_ROOT/cmd.err" >&2
	return 1
}

# test_stdout_has TEXT: the stdout of the last test_status contains TEXT.
test_stdout_has() {
	grep -qF -- "$1" "$TEST_ROOT/cmd.out" && return 0
	echo "stdout lacks: $1" >&2
	sed 's/^/stdout: /' "$TEST_ROOT/cmd.out" >&2
	return 1
}

# test_stderr_lines N: the stderr of the last test_status has N lines.
test_stderr_lines() {
	got=$(wc -l <"$TEST_ROOT/cmd.err")
	[ "$got" -eq "$1" ] && return 0
	echo "stderr has $got lines, expected $1" >&2
	sed 's/^/stderr: /' "$TEST_ROOT/cmd.err" >&2
	return 1
}

# test_sqlite3 DB [SQL]: sqlite3 in batch mode, waiting up to 10 s for a
# database that a running program has locked rather than failing at once.
test_sqlite3() {
	sqlite3 -batch -cmd ".timeout 10000" "$@"
}

# test_sql DB QUERY EXPECTED: sqlite3 prints EXPECTED for QUERY on DB
# (rows on lines, columns joined by |).  The database must exist: the
# query never creates one.
test_sql() {
	if [ ! -f "$1" ]; then
		echo "test_sql: no database $1" >&2
		return 1
	fi
	# On stdin, so that a query may begin with a comment ("-- ...").
	got=$(printf '%s\n' "$2" | test_sqlite3 "$1" 2>&1) || {
		echo "test_sql: sqlite3 failed on $1: $got" >&2
		return 1
	}
	[ "$got" = "$3" ] && return 0
	printf 'test_sql on %s:\n  query:    %s\n  expected: %s\n  got:      %s\n' \
		"$1" "$2" "$3" "$got" >&2
	return 1
}

# test_cmp EXPECTED ACTUAL: the files are equal (diff shown if not).
test_cmp() {
	cmp -s "$1" "$2" && return 0
	diff -u "$1" "$2" | head -40 >&2
	return 1
}

# test_expr EXPR: the awk expression EXPR (numbers compared as numbers)
# is true, as in test_expr "$a > 2 * $b".
test_expr() {
	awk "BEGIN { exit !($1) }" && return 0
	echo "false: $1" >&2
	return 1
}

# test_path_is_missing PATH: nothing is there.
test_path_is_missing() {
	[ ! -e "$1" ] && return 0
	echo "$1 exists, expected nothing" >&2
	return 1
}

# test_wait_for SECONDS COMMAND: polls COMMAND (eval'd, its output kept
# quiet) every 50 ms until it succeeds; fails after SECONDS, showing the
# last attempt's output.  For waiting on something observable (a run row
# turning 'running', a file appearing) instead of sleeping.
test_wait_for() {
	tries=$(($1 * 20))
	while :; do
		(eval "$2") >"$TEST_ROOT/wait.out" 2>&1 </dev/null && return 0
		tries=$((tries - 1))
		if [ "$tries" -le 0 ]; then
			echo "timed out after $1 s waiting for: $2" >&2
			sed 's/^/last try: /' "$TEST_ROOT/wait.out" >&2
			return 1
		fi
		sleep 0.05
	done
}

# results_sql TABLE RUN: the query that prints one kind of result --
# scalar, vector, statistic, bins, events or flows -- keyed by names rather than
# row ids, reals printed exactly, each row led by RUN, an SQL expression of
# the run row r (r.run_key, or '' for a database of one run).  event_log
# comes in the order it was written.
results_sql() {
	case $1 in
	scalar) echo "SELECT $2, x.entity, x.name, printf('%.17g', x.value)
	  FROM scalar x JOIN run r ON r.id = x.run_id ORDER BY 1, 2, 3" ;;
	vector) echo "SELECT $2, v.entity, v.name, d.t_ns, printf('%.17g', d.value)
	  FROM vector_data d JOIN vector v ON v.id = d.vector_id JOIN run r ON r.id = v.run_id
	  ORDER BY 1, 2, 3, d.rowid" ;;
	statistic) echo "SELECT $2, s.entity, s.name, s.count,
	  printf('%.17g|%.17g|%.17g|%.17g|%.17g', s.mean, s.sd, s.min, s.max, s.sum),
	  printf('%.17g|%.17g|%.17g|%.17g|%.17g|%.17g|%.17g|%.17g|%.17g',
	         s.p01, s.p05, s.p10, s.p25, s.p50, s.p75, s.p90, s.p95, s.p99)
	  FROM statistic s JOIN run r ON r.id = s.run_id ORDER BY 1, 2, 3" ;;
	bins) echo "SELECT $2, s.entity, s.name, printf('%.17g', b.lower), printf('%.17g', b.upper),
	  b.count FROM statistic_bin b JOIN statistic s ON s.id = b.statistic_id
	  JOIN run r ON r.id = s.run_id ORDER BY 1, 2, 3, b.lower" ;;
	events) echo "SELECT $2, e.seq, e.t_ns, e.entity, e.kind, e.detail
	  FROM event_log e JOIN run r ON r.id = e.run_id ORDER BY 1, 2" ;;
	flows) echo "SELECT $2, f.seq, f.start_ns, f.end_ns, f.tap, f.a_ip, f.a_port, f.b_ip,
	  f.b_port, f.a_inside, f.bytes_ab, f.bytes_ba, f.packets_ab, f.packets_ba, f.app, f.kind
	  FROM flow_log f JOIN run r ON r.id = f.run_id ORDER BY 1, 2" ;;
	*) echo "results_sql: no table $1" >&2; return 1 ;;
	esac
}

# results_dump DB: everything the done runs in DB recorded, run by run: equal
# dumps mean identical results.
results_dump() {
	test_sqlite3 "$1" "SELECT 'S', r.run_key, r.point_key, r.replication, r.sim_end_ns, r.events
	  FROM run r WHERE r.status = 'done' ORDER BY r.run_key" || return 1
	for t in scalar vector statistic bins events flows; do
		test_sqlite3 "$1" "$(results_sql $t r.run_key)" || return 1
	done
}

# test_same_results DB1 DB2: the two databases hold identical, non-empty
# results (results_dump).
test_same_results() {
	results_dump "$1" >"$TEST_ROOT/dump1" && results_dump "$2" >"$TEST_ROOT/dump2" || return 1
	if [ ! -s "$TEST_ROOT/dump1" ]; then
		echo "no results in $1" >&2
		return 1
	fi
	test_cmp "$TEST_ROOT/dump1" "$TEST_ROOT/dump2"
}
