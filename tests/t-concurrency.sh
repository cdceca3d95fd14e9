#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Several processes writing into one results database: creating it at
# once, sweeping the same file at once, a run held by a live process, and
# 'running' rows of dead processes marked interrupted.  Tests wait for what
# the database or a file shows, never for a time.
. "$(dirname "$0")/test-lib.sh"

cp "$SRC"/tests/data/mmck/m.ini "$SRC"/tests/data/mmck/sw.ini \
	"$SRC"/tests/data/mmck/long.ini .

# True when DB holds every run of sw.ini done exactly once, and nothing else.
sweep_complete() {
	test_sql "$1" "SELECT count(*), count(DISTINCT run_key) FROM run WHERE status = 'done'" "12|12" &&
	test_sql "$1" "SELECT count(*) FROM run WHERE status <> 'done'" 0
}

test_expect_success 'three runs creating one new database at once all succeed (5 trials)' '
	for i in 1 2 3 4 5; do
		rm -f new.db &&
		{ "$FLASHCOOP" run m.ini -q -o new.db 2>e1 & p1=$!; } &&
		{ "$FLASHCOOP" run m.ini -q -r 1 -o new.db 2>e2 & p2=$!; } &&
		{ "$FLASHCOOP" run m.ini -q -r 2 -o new.db 2>e3 & p3=$!; } &&
		wait $p1 && wait $p2 && wait $p3 &&
		test ! -s e1 && test ! -s e2 && test ! -s e3 &&
		test_sql new.db "SELECT group_concat(status) FROM run" done,done,done || exit 1
	done
'

test_expect_success 'the same run started twice at once is done once, both succeed (5 trials)' '
	for i in 1 2 3 4 5; do
		rm -f same.db &&
		{ "$FLASHCOOP" run m.ini -q -o same.db & p1=$!; } &&
		{ "$FLASHCOOP" run m.ini -q -o same.db & p2=$!; } &&
		wait $p1 && wait $p2 &&
		test_sql same.db "SELECT group_concat(status) FROM run" done || exit 1
	done
'

test_expect_success 'two sweeps of one file into one database at once: each run done once' '
	for i in 1 2 3; do
		rm -f two.db &&
		{ "$FLASHCOOP" sweep sw.ini -j2 -o two.db >o1 2>e1 & p1=$!; } &&
		{ "$FLASHCOOP" sweep sw.ini -j2 -o two.db >o2 2>e2 & p2=$!; } &&
		wait $p1 && wait $p2 &&
		sweep_complete two.db &&
		! grep -q failed e1 e2 || exit 1
	done
'

test_expect_success 'three sweeps at once: each run done once, the others say who did it' '
	for i in 1 2 3; do
		rm -f three.db &&
		{ "$FLASHCOOP" sweep sw.ini -j2 -o three.db >o1 2>e1 & p1=$!; } &&
		{ "$FLASHCOOP" sweep sw.ini -j1 -o three.db >o2 2>e2 & p2=$!; } &&
		{ "$FLASHCOOP" sweep sw.ini -j2 -o three.db >o3 2>e3 & p3=$!; } &&
		wait $p1 && wait $p2 && wait $p3 &&
		sweep_complete three.db &&
		! grep -q failed e1 e2 e3 || exit 1
		# Every run counted once over the three summaries.
		n=$(sed -n "s/.*: \([0-9]*\) done, .*/\1/p" o1 o2 o3 | awk "{ n += \$1 } END { print n }") &&
		test "$n" -eq 12 || exit 1
	done
'

test_expect_success 'a run held by a live process: a worker hands it back (3), a run waits' - <<-\EOT
	"$FLASHCOOP" run long.ini -q -o held.db 2>first.err &
	p1=$!
	test_wait_for 20 'test_sql held.db "SELECT status FROM run" running' ||
		{ kill $p1; exit 1; }
	test_status 3 "$FLASHCOOP" run long.ini -q --worker -o held.db &&
	test_stderr_has "pid $p1 on" &&
	"$FLASHCOOP" run long.ini -o held.db >second.out 2>second.err &
	p2=$!
	test_wait_for 20 'grep -q "waiting for it to end" second.err' ||
		{ kill $p1 $p2; exit 1; }
	test_sql held.db "SELECT count(*) FROM run" 1 &&
	"$FLASHCOOP" run long.ini -o held.db 2>third.err &
	p3=$!
	test_wait_for 20 'grep -q "waiting for it to end" third.err' ||
		{ kill $p1 $p2 $p3; exit 1; }
	kill -INT $p3
	wait $p3 && st=0 || st=$?
	test "$st" -eq 130 &&
	grep -q "interrupted while waiting for another process running the same run; nothing recorded" third.err &&
	test_sql held.db "SELECT count(*) FROM run" 1 &&
	kill -INT $p1 &&
	{ wait $p1 || :; } &&
	test_wait_for 20 "test_sql held.db \"SELECT count(*) FROM run WHERE status = 'running' AND pid = $p2\" 1" ||
		{ kill $p2; exit 1; }
	kill -INT $p2
	wait $p2 && st=0 || st=$?
	test "$st" -eq 130 &&
	test_sql held.db "SELECT group_concat(status) FROM run" interrupted,interrupted
EOT

test_expect_success 'a running row whose process was killed is marked interrupted by the next command (runs)' - <<-\EOT
	"$FLASHCOOP" run long.ini -q -o stale.db &
	pid=$!
	test_wait_for 20 'test_sql stale.db "SELECT status FROM run" running' ||
		{ kill $pid; exit 1; }
	kill -KILL $pid
	{ wait $pid || :; }
	test_sql stale.db "SELECT status FROM run" running &&
	"$FLASHCOOP" runs stale.db >list &&
	grep -q "^1  *interrupted " list &&
	"$FLASHCOOP" run m.ini -q -o stale.db &&
	test_sql stale.db "SELECT group_concat(status) FROM run" interrupted,done &&
	test_sql stale.db "SELECT error FROM run WHERE id = 1" \
		"the process running it ended before it finished"
EOT

test_done
