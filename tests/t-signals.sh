#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Signals: a run stopped by SIGINT keeps what it recorded, marked
# interrupted; a sweep killed outright resumes with every run done exactly
# once.  The tests wait for what the database shows, never for a time.
. "$(dirname "$0")/test-lib.sh"

cp "$SRC"/tests/data/mmck/m.ini "$SRC"/tests/data/mmck/long.ini \
	"$SRC"/tests/data/mmck/slow.ini "$SRC"/tests/data/mmck/slow-sw.ini .

test_expect_success 'SIGINT stops a run (130), marked interrupted, its rows kept' - <<-\EOT
	"$FLASHCOOP" run long.ini -q -o int.db 2>int.err &
	pid=$!
	test_wait_for 20 'test_sql int.db "SELECT (SELECT status FROM run), (SELECT count(*) > 0 FROM vector_data)" "running|1"' ||
		{ kill $pid; exit 1; }
	kill -INT $pid
	wait $pid && st=0 || st=$?
	test "$st" -eq 130 &&
	test_sql int.db "SELECT status FROM run" interrupted &&
	test_sql int.db "SELECT count(*) > 0 FROM vector_data" 1 &&
	grep -q SIGINT int.err
EOT

# True when no run is marked running by a process that is still alive.
no_live_runs() {
	for p in $(test_sqlite3 "$1" "SELECT pid FROM run WHERE status = 'running'"); do
		! kill -0 "$p" 2>/dev/null || return 1
	done
}

test_expect_success 'SIGKILL of a sweep halfway, then --resume: every run done exactly once' - <<-\EOT
	"$FLASHCOOP" sweep slow-sw.ini -q -j2 -o k.db &
	pid=$!
	test_wait_for 30 'test_sql k.db "SELECT count(*) > 0 FROM run WHERE status = '\''done'\''" 1' ||
		{ kill $pid; exit 1; }
	kill -KILL $pid
	wait $pid 2>/dev/null || :
	test_sql k.db "SELECT count(*) < 6 FROM run WHERE status = 'done'" 1 &&
	test_wait_for 30 'no_live_runs k.db' &&
	"$FLASHCOOP" sweep slow-sw.ini -q --resume -j2 -o k.db &&
	test_sql k.db "SELECT count(*), count(DISTINCT run_key) FROM run WHERE status = 'done'" "6|6" &&
	test_sql k.db "SELECT count(*) FROM run WHERE status = 'running'" 0
EOT

test_done
