#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Winny identification from decoy peers (seed 002 §2-1) at a small size:
# what the model records for it (decoys' endpoints, Share beside Winny,
# probes back), and `flashcoop identify` on that run: seed 002's Table 1,
# per window, the same twice, after a merge, and its refusals of bad
# input.  The propagation rule itself is checked by hand in
# tests/test-identify.c; the comparison with the seed at identify.ini's
# size is tests/validate-identify.sh (make validate).
. "$(dirname "$0")/test-lib.sh"

small="--set run.warmup=10min --set run.duration=1h --set winny.outside=1000
	--set winny.inside=30 --set winny.addresses=300 --set winny.share_hosts=10%
	--set winny.share_peers=1000 --set winny.decoys=5"
# The first Share-only host: after the outside Winny peers and the decoys
# in 100.0.0.0/8 (100.0.0.1 is the first outside peer).
share_only=$(( (100 << 24) + 1000 + 5 + 1 ))

test_expect_success 'a run with decoys and Share records what identification needs' '
	"$FLASHCOOP" run -q "$SRC/scenarios/winny/identify.ini" $small -o r1.db &&
	test_sql r1.db "SELECT count(*) FROM event_log WHERE kind = '\''endpoint'\''" 5 &&
	test_sql r1.db "SELECT count(*) > 100 FROM event_log WHERE kind = '\''learned'\''" 1 &&
	test_sql r1.db "SELECT value > 0 FROM scalar WHERE entity = '\''winny'\''
		AND name = '\''probes_back'\''" 1 &&
	test_sql r1.db "SELECT count(*) > 100 FROM flow_log WHERE app = '\''share'\''" 1
'

test_expect_success '  ... Share has ports of its own and never talks to Winny' - <<-EOT
	# No service endpoint is both applications'; some hosts run both.
	test_sql r1.db "SELECT count(*) FROM (SELECT b_ip, b_port FROM flow_log
		GROUP BY b_ip, b_port HAVING count(DISTINCT app) > 1)" 0 &&
	test_sql r1.db "SELECT count(*) > 0 FROM (SELECT b_ip FROM flow_log
		GROUP BY b_ip HAVING count(DISTINCT app) > 1)" 1 &&
	# The Share-only hosts appear in Share connections only.
	test_sql r1.db "SELECT count(*) FROM flow_log WHERE app = 'winny' AND
		((a_ip >= $share_only AND a_ip >> 24 = 100) OR
		 (b_ip >= $share_only AND b_ip >> 24 = 100))" 0 &&
	# Every endpoint a decoy learned is a Winny peer's service port.
	test_sql r1.db "SELECT count(*) FROM event_log e WHERE kind = 'learned' AND
		EXISTS (SELECT 1 FROM flow_log f WHERE f.app = 'share' AND
			e.detail = ((f.b_ip >> 24) || '.' || ((f.b_ip >> 16) & 255) || '.' ||
				    ((f.b_ip >> 8) & 255) || '.' || (f.b_ip & 255) || ':' || f.b_port))" 0
EOT

# row FILE UNIT COLUMN: a column of a unit's row of identify's table
# (3 seen, 4 learned, 5 identified, 6 false positives, 7 FP rate, 8 FN).
row() {
	awk -v u="$2" -v c="$3" '$1 == u { print $c }' "$1"
}

test_expect_success 'identify prints Table 1: method 2 finds no false positive' '
	"$FLASHCOOP" identify r1.db >m2.txt &&
	grep -q "^method 2 (endpoints); relation within 20s" m2.txt &&
	test $(grep -c "^30min (2) \|^1h (1) \|^3h (0) " m2.txt) -eq 3 &&
	test "$(row m2.txt 3h 3)" = - &&
	test "$(row m2.txt 30min 6)" = 0.0 && test "$(row m2.txt 1h 6)" = 0.0 &&
	test_expr "$(row m2.txt 1h 5) > 0.5 * $(row m2.txt 1h 3)"
'

test_expect_success '  ... method 0 labels Share endpoints, method 1 none but misses more' '
	"$FLASHCOOP" identify r1.db --method 0 >m0.txt &&
	"$FLASHCOOP" identify r1.db --method 1 >m1.txt &&
	test_expr "$(row m0.txt 1h 7) > 0" &&
	test "$(row m1.txt 1h 6)" = 0.0 &&
	test_expr "$(row m1.txt 1h 8) > $(row m2.txt 1h 8)"
'

test_expect_success '  ... per window with --window' '
	"$FLASHCOOP" identify r1.db --window 30min >w.txt &&
	grep -q "^0s-30min " w.txt && grep -q "^30min-1h " w.txt &&
	grep -q "^mean of 2 " w.txt &&
	test "$(awk "/^mean of 2 /" w.txt | cut -c18-)" = "$(row m2.txt 30min 0 | cut -c18-)"
'

test_expect_success '  ... the same twice, and from a run done again' '
	"$FLASHCOOP" identify r1.db >again.txt &&
	test_cmp m2.txt again.txt &&
	"$FLASHCOOP" run -q "$SRC/scenarios/winny/identify.ini" $small -o r2.db &&
	test_same_results r1.db r2.db &&
	"$FLASHCOOP" identify r2.db >r2.txt &&
	test_cmp m2.txt r2.txt
'

test_expect_success '  ... and after a merge' '
	"$FLASHCOOP" merge -q m.db r1.db &&
	"$FLASHCOOP" identify m.db --run 1 >merged.txt &&
	test_cmp m2.txt merged.txt
'

# bad_input WHAT ARGS...: identify ARGS exits 2 with one line naming WHAT.
bad_input() {
	what=$1
	shift
	test_status 2 "$FLASHCOOP" identify "$@" &&
	test_stderr_lines 1 &&
	test_stderr_has "$what"
}

test_expect_success 'bad input is refused (2) in one line that says what' - <<-\EOT
	echo "not a database" >text.db &&
	"$FLASHCOOP" run -q "$SRC/scenarios/winny/identify.ini" $small \
		--set winny.decoys=0 -o nodecoy.db 2>/dev/null &&
	"$FLASHCOOP" run -q "$SRC/scenarios/winny/identify.ini" $small \
		--set run.record=scalar,event -o noflow.db &&
	"$FLASHCOOP" run -q "$SRC/scenarios/winny/identify.ini" $small --seed 2 -o m.db &&
	bad_input "missing.db: no such results database" missing.db &&
	bad_input "text.db: not a flashcoop results database" text.db &&
	bad_input "r1.db: no run 9" r1.db --run 9 &&
	bad_input "--run: expected a run id" r1.db --run one &&
	bad_input "--window: expected a duration" r1.db --window 1x &&
	bad_input "--window: must be more than 0s" r1.db --window 0s &&
	bad_input "r1.db: run 1 measured 1h, less than --window 2h" r1.db --window 2h &&
	bad_input "--method: expected 0, 1 or 2, found '3'" r1.db --method 3 &&
	bad_input "--within: expected a duration" r1.db --within soon &&
	bad_input "nodecoy.db: run 1 has no decoy peers" nodecoy.db &&
	bad_input "noflow.db: run 1 has no flow log" noflow.db &&
	bad_input "m.db: 2 runs are done; choose one with --run" m.db &&
	bad_input "expected one results database" &&
	bad_input "did you mean --window?" r1.db --windo 1h
EOT

test_done
