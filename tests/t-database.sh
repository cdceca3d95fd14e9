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

test_expect_success 'point_scalar counts the runs without a value (n_missing)' - <<-\EOT
	for r in 0 1 2 3 4 5; do
		"$FLASHCOOP" run m.ini -q -r $r --set run.warmup=0s --set run.duration=1s \
			--set mmck.arrival_rate=0.7 -o nm.db || exit 1
	done
	test_sql nm.db "SELECT n, n_missing FROM point_scalar
	  WHERE entity = 'station' AND name = 'mean_response_s'" '2|4' &&
	test_sql nm.db "SELECT n, n_missing FROM point_scalar
	  WHERE entity = 'station' AND name = 'arrivals'" '6|0'
EOT

test_expect_success 'parameters are stored in base units beside their text' - <<-\EOT
	"$FLASHCOOP" run m.ini -q --set run.warmup=2min --set mmck.arrival_rate=1.25 -o units.db &&
	test_sql units.db "SELECT value, num FROM param WHERE name = 'run.warmup'" '2min|120.0' &&
	test_sql units.db "SELECT value, num FROM param WHERE name = 'mmck.arrival_rate'" '1.25|1.25' &&
	test_sql units.db "SELECT value, num IS NULL FROM param WHERE name = 'run.model'" 'mmck|1'
EOT

# flip_bit FILE OFFSET BIT: inverts one bit of FILE in place.
flip_bit() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf %03o $((b ^ (1 << $3))))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

test_expect_success 'a bit flipped at a random page: refused (2) in one line, never written (40 trials)' - <<-\EOT
	"$FLASHCOOP" sweep "$SRC"/tests/data/mmck/sw.ini -q -j2 -o clean.db &&
	size=$(wc -c <clean.db) &&
	pages=$((size / 4096)) &&
	awk -v pages=$pages 'BEGIN { srand(13); for (i = 0; i < 40; i++)
	    print int(rand() * pages), int(rand() * 4096), int(rand() * 8) }' >flips &&
	test "$(wc -l <flips)" -eq 40 &&
	while read page byte bit; do
		cp clean.db flip.db &&
		flip_bit flip.db $((page * 4096 + byte)) $bit &&
		md5sum flip.db >flip.md5 &&
		test_status 2 "$FLASHCOOP" run m.ini -q -r 99 -o flip.db &&
		test_stderr_lines 1 &&
		test_stderr_has flip.db &&
		md5sum -c --quiet flip.md5 || { echo "page $page byte $byte bit $bit"; exit 1; }
	done <flips
EOT

test_expect_success '  ... a sweep into a damaged file is refused the same way' - <<-\EOT
	cp clean.db flip.db &&
	flip_bit flip.db $((3 * 4096 + 100)) 0 &&
	md5sum flip.db >flip.md5 &&
	test_status 2 "$FLASHCOOP" sweep "$SRC"/tests/data/mmck/sw.ini -q -o flip.db &&
	test_stderr_lines 1 &&
	test_stderr_has "damaged" &&
	md5sum -c --quiet flip.md5
EOT

# as_nobody COMMAND...: runs COMMAND without root's right to write anything.
as_nobody() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}

test_expect_success 'a read-only database given to run or sweep: one refusal (2), untouched' - <<-\EOT
	chmod 711 "$TEST_ROOT" "$TRASH" &&
	mkdir -p ro && cp clean.db ro/r.db && cp m.ini ro/ &&
	cp "$SRC"/tests/data/mmck/sw.ini ro/ &&
	chmod 755 ro && chmod 444 ro/r.db ro/m.ini ro/sw.ini &&
	md5sum ro/r.db >ro.md5 &&
	test_status 2 as_nobody "$FLASHCOOP" run ro/m.ini -q -r 7 -o ro/r.db &&
	test_stderr_lines 1 &&
	test_stderr_has "read-only" &&
	test_status 2 as_nobody "$FLASHCOOP" sweep ro/sw.ini -q -o ro/r.db &&
	test_stderr_lines 1 &&
	test_stderr_has "read-only" &&
	md5sum -c --quiet ro.md5
EOT

test_expect_success 'each run of a sweep records the sweep and its file hash' - <<-\EOT
	h=$(sha256sum "$SRC"/tests/data/mmck/sw.ini | cut -c1-16) &&
	test_sql clean.db "SELECT DISTINCT sweep || ' ' || sweep_hash FROM run" "sw $h" &&
	test_sql r.db "SELECT count(*) FROM run WHERE sweep IS NOT NULL" 0
EOT

# A copy of the program that calls itself another version: its version
# string patched in place (same length), as a build of other code would be.
test_expect_success 'runs done by another version are refused (2), --rerun-stale replaces them' - <<-\EOT
	v=$("$FLASHCOOP" --version | sed 's/^flashcoop //') &&
	case $v in X*) w="Y${v#?}" ;; *) w="X${v#?}" ;; esac &&
	OLD=$v NEW=$w perl -0777 -pe 's/\Q$ENV{OLD}\E/$ENV{NEW}/g' <"$FLASHCOOP" >other &&
	chmod +x other &&
	test "$(./other --version)" = "flashcoop $w" &&
	./other run m.ini -q -o ver.db &&
	./other sweep "$SRC"/tests/data/mmck/sw.ini -q -o ver.db &&
	md5sum ver.db >ver.md5 &&
	test_status 2 "$FLASHCOOP" run m.ini -q -o ver.db &&
	test_stderr_lines 1 &&
	test_stderr_has "by flashcoop $w, and this is flashcoop $v" &&
	test_status 2 "$FLASHCOOP" sweep "$SRC"/tests/data/mmck/sw.ini -q -o ver.db &&
	test_stderr_lines 1 &&
	test_stderr_has "12 runs of this sweep are done there by another version" &&
	md5sum -c --quiet ver.md5 &&
	"$FLASHCOOP" run m.ini -q --rerun-stale -o ver.db &&
	test_sql ver.db "SELECT version FROM run WHERE sweep IS NULL" "$v" &&
	"$FLASHCOOP" sweep "$SRC"/tests/data/mmck/sw.ini -q -j2 --rerun-stale -o ver.db &&
	test_sql ver.db "SELECT version, count(*) FROM run GROUP BY version" "$v|13"
EOT

test_done
