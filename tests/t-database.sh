#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The results database: what a run records, which files the program
# refuses to write into (and leaves as they were), runs not repeated, and
# the same scenario and seed giving the same results whatever the event
# queue.
. "$(dirname "$0")/test-lib.sh"

cp "$SRC"/tests/data/mmck/m.ini .

test_expect_success 'a file that is not a database is refused (2) and left intact' '
	printf "precious notes\n" >notes.db &&
	test_status 2 "$FLASHCOOP" run m.ini -q -o notes.db &&
	test_stderr_has "not a flashcoop" &&
	test "$(cat notes.db)" = "precious notes"
'

test_expect_success 'another program'\''s SQLite database is refused (2) and left intact' '
	sqlite3 other.db "CREATE TABLE t(x); INSERT INTO t VALUES (1);" &&
	test_status 2 "$FLASHCOOP" run m.ini -q -o other.db &&
	test_stderr_has "not a flashcoop" &&
	test_sql other.db "SELECT count(*) FROM sqlite_master" 1
'

test_expect_success 'a damaged database (truncated, or its header overwritten) is refused (2), untouched' '
	"$FLASHCOOP" run m.ini -q -o r0.db &&
	head -c 5000 r0.db >trunc.db &&
	cp r0.db head.db &&
	printf "garbage garbage garbage garbage garbage garbage garbage" |
		dd of=head.db conv=notrunc 2>/dev/null &&
	md5sum trunc.db head.db >before.md5 &&
	test_status 2 "$FLASHCOOP" run m.ini -q --force -o trunc.db &&
	test_stderr_has damaged &&
	test_status 2 "$FLASHCOOP" run m.ini -q --force -o head.db &&
	test_stderr_has damaged &&
	md5sum -c --quiet before.md5
'

test_expect_success 'a run records params, scalars, a vector, a statistic and events' - <<-\EOT
	"$FLASHCOOP" run m.ini -q -o r.db &&
	test_sql r.db "SELECT status || count(*) FROM run" done1 &&
	test_sql r.db "SELECT value FROM param WHERE name = 'mmck.servers'" 2 &&
	test_sql r.db "SELECT source FROM param WHERE name = 'mmck.servers'" m.ini:8 &&
	test_sql r.db "SELECT count(*) > 10 FROM scalar" 1 &&
	test_sql r.db "SELECT count(*) FROM vector_data" 400 &&
	test_sql r.db "SELECT count > 1000 FROM statistic WHERE name = 'response_s'" 1 &&
	test_sql r.db "SELECT count(*) > 0 FROM event_log WHERE kind = 'full'" 1
EOT

test_expect_success 'the same run again is not repeated (0), --force replaces it' '
	test_status 0 "$FLASHCOOP" run m.ini -o r.db &&
	test_stdout_has "nothing to do" &&
	"$FLASHCOOP" run m.ini -q --force -o r.db &&
	test_sql r.db "SELECT group_concat(id) FROM run" 2
'

test_expect_success 'another replication gives other numbers' - <<-\EOT
	"$FLASHCOOP" run m.ini -q -r 1 -o r.db &&
	test_sql r.db "SELECT count(DISTINCT value) FROM scalar WHERE name = 'served'" 2
EOT

test_expect_success 'same scenario and seed, twice' - <<-\EOT
	"$FLASHCOOP" run m.ini -q -o d1.db &&
	"$FLASHCOOP" run m.ini -q -o d2.db &&
	test_sql d1.db "SELECT status FROM run" done &&
	test_sql d2.db "SELECT status FROM run" done
EOT

test_expect_success '  ... identical scalars, vectors, statistics and events' '
	test_same_results d1.db d2.db
'

test_expect_success 'the event queue does not change results' - <<-\EOT
	"$FLASHCOOP" run m.ini -q --set run.queue=heap4 -o d3.db &&
	test_sql d3.db "SELECT value FROM param WHERE name = 'run.queue'" heap4
EOT

test_expect_success '  ... radix and heap4 dumps are equal' '
	test_same_results d1.db d3.db
'

test_expect_success '[run] max_events fails the run (1) and says why' - <<-\EOT
	test_status 1 "$FLASHCOOP" run m.ini -q --set run.max_events=5000 -o f.db &&
	test_stderr_has max_events &&
	test_sql f.db "SELECT status FROM run" failed &&
	test_sql f.db "SELECT error LIKE '%max_events%' FROM run" 1 &&
	test_sql f.db "SELECT events FROM run" 5000 &&
	test_stderr_has "stopped after 5000 events ([run] max_events)"
EOT

test_done
