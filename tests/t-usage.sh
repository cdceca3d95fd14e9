#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The command line as a user meets it: --version and --help, usage errors
# (exit status 2), bad values refused with where they came from, and the
# documentation the program writes about itself.
. "$(dirname "$0")/test-lib.sh"

cp "$SRC"/tests/data/mmck/m.ini .

test_expect_success '--version prints the version' '
	"$FLASHCOOP" --version >out &&
	grep "^flashcoop " out
'

test_expect_success 'no command is a usage error (2)' '
	test_status 2 "$FLASHCOOP"
'

test_expect_success 'an unknown command is a usage error (2)' '
	test_status 2 "$FLASHCOOP" frobnicate
'

test_expect_success 'every command has --help' '
	for c in run sweep keys merge fsm; do
		"$FLASHCOOP" $c --help >out &&
		grep -q Usage out || { echo "$c --help lacks Usage"; exit 1; }
	done
'

test_expect_success 'run without a scenario is a usage error (2)' '
	test_status 2 "$FLASHCOOP" run
'

test_expect_success 'a bad value is refused (2) with file, line, group and key' '
	test_status 2 "$FLASHCOOP" run m.ini --set run.duration=10 -o bad.db &&
	test_stderr_has "--set: [run] duration: expected a duration" &&
	test_path_is_missing bad.db
'

test_expect_success 'a misspelt --set key gets a suggestion' - <<-\EOT
	test_status 2 "$FLASHCOOP" run m.ini --set mmck.server=3 -o bad.db &&
	test_stderr_has "did you mean 'mmck.servers'"
EOT

test_expect_success 'values that do not fit together are refused (2), naming both' '
	test_status 2 "$FLASHCOOP" run m.ini --set mmck.capacity=1 -o bad.db &&
	test_stderr_has capacity &&
	test_stderr_has m.ini:8
'

test_expect_success 'fsm --dot draws every transition of the core table' - <<-\EOT
	"$FLASHCOOP" fsm --dot >fsm.dot &&
	head -1 fsm.dot | grep -q "^digraph" &&
	"$FLASHCOOP" fsm >fsm.txt &&
	test "$(grep -c -- "->" fsm.dot)" -eq "$(wc -l <fsm.txt)" &&
	grep -qF '"LOW" -> "FLASH" [label="load above threshold"]' fsm.dot
EOT

test_expect_success 'keys --markdown is docs/scenario.md' '
	"$FLASHCOOP" keys --markdown >keys.md &&
	test_cmp "$SRC/docs/scenario.md" keys.md
'

test_expect_success 'a misspelt command gets a suggestion (2)' '
	test_status 2 "$FLASHCOOP" swep x.sweep &&
	test_stderr_lines 1 &&
	test_stderr_has "flashcoop: unknown command '\''swep'\''; did you mean '\''sweep'\''?"
'

test_expect_success 'a misspelt option gets a suggestion (2)' '
	test_status 2 "$FLASHCOOP" run m.ini --forse -o x.db &&
	test_stderr_has "flashcoop run: Unknown option --forse; did you mean --force?" &&
	test_status 2 "$FLASHCOOP" sweep -j2 x.sweep --outptu=x.db &&
	test_stderr_has "flashcoop sweep: Unknown option --outptu=x.db; did you mean --output?" &&
	test_path_is_missing x.db
'

test_expect_success 'run of a .sweep file points to flashcoop sweep (2)' '
	printf "[sweep]\nscenario = m.ini\n" >s.sweep &&
	test_status 2 "$FLASHCOOP" run s.sweep -o x.db &&
	test_stderr_has "flashcoop run: s.sweep is a sweep file; run it with flashcoop sweep s.sweep" &&
	test_path_is_missing x.db
'

test_expect_success 'sweep of a scenario points to flashcoop run (2)' '
	test_status 2 "$FLASHCOOP" sweep m.ini -o x.db &&
	test_stderr_has "flashcoop sweep: m.ini:1: [scenario] is a group of a scenario, not of a sweep file: run it with flashcoop run m.ini" &&
	test_path_is_missing x.db
'

test_expect_success 'a misspelt --emit kind gets a suggestion (2)' '
	test_status 2 "$FLASHCOOP" sweep s.sweep --emit slrum dir &&
	test_stderr_has "--emit: expected parallel or slurm, found '\''slrum'\''; did you mean '\''slurm'\''?"
'

test_expect_success 'a misspelt choice gets a suggestion (2)' '
	test_status 2 "$FLASHCOOP" run m.ini --set run.queue=radx -o x.db &&
	test_stderr_has "expected one of radix, heap4, found '\''radx'\''; did you mean '\''radix'\''?"
'

test_expect_success 'sweep -j beyond 256 is lowered to 256, with a word' - <<-\EOT
	printf '[sweep]\nscenario = m.ini\n[vary]\nmmck.servers = 1, 2\n' >j.sweep &&
	test_status 0 "$FLASHCOOP" sweep j.sweep -q -j 2147483647 -o j.db &&
	test_stderr_has "flashcoop sweep: -j 2147483647 is more workers than make sense; using 256" &&
	test_sql j.db "SELECT count(*) FROM run WHERE status = 'done'" 2
EOT

test_expect_success 'a megabyte-long unknown key costs little and is quoted short (2)' - <<-\EOT
	{
		printf '[run]\nmodel = mmck\n[mmck]\n' &&
		head -c 1000000 /dev/zero | tr '\0' x &&
		printf ' = 1\n'
	} >long.ini &&
	test_status 2 timeout 5 "$FLASHCOOP" run long.ini -o x.db &&
	test_stderr_has "long.ini:4: unknown key 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' in [mmck]" &&
	test "$(wc -c <"$TEST_ROOT/cmd.err")" -lt 200 &&
	long=$(head -c 100000 /dev/zero | tr '\0' y) &&
	test_status 2 timeout 5 "$FLASHCOOP" run m.ini --set "mmck.$long=1" -o x.db &&
	test_stderr_has "unknown key 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy...' in [mmck]" &&
	test "$(wc -c <"$TEST_ROOT/cmd.err")" -lt 200
EOT

test_expect_success 'a megabyte-long line, value or group is quoted short (2)' - <<-\EOT
	long=$(head -c 1000000 /dev/zero | tr '\0' z) &&
	printf '[run]\nmodel = mmck\n%s\n' "$long" >line.ini &&
	test_status 2 "$FLASHCOOP" run line.ini -o x.db &&
	test_stderr_has "line.ini:3: expected 'key = value', '[group]' or a '#' comment, found 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...'" &&
	printf '[run]\nmodel = mmck\nduration = %s\n' "$long" >value.ini &&
	test_status 2 "$FLASHCOOP" run value.ini -o x.db &&
	test_stderr_has "found 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...'" &&
	printf '[%s]\n' "$long" >group.ini &&
	test_status 2 "$FLASHCOOP" run group.ini -o x.db &&
	test_stderr_has "unknown group [zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...]" &&
	test "$(wc -c <"$TEST_ROOT/cmd.err")" -lt 200
EOT

test_expect_success 'Mbps, kbps, Gbps and bps are bits per second' - <<-\EOT
	test_status 0 "$FLASHCOOP" run "$SRC/tests/data/swarm-small.ini" -q -o b.db \
		--set swarm.upload=1Mbps --set swarm.download=8000kbps \
		--set swarm.initial_seed_upload=2000000bps --set run.duration=10s &&
	test_sql b.db "SELECT group_concat(value, ' ') FROM (SELECT value FROM param
		WHERE name IN ('swarm.upload', 'swarm.download', 'swarm.initial_seed_upload')
		ORDER BY name)" "8Mbit/s 2Mbit/s 1Mbit/s" &&
	test_status 0 "$FLASHCOOP" run "$SRC/tests/data/swarm-small.ini" -q -o b.db \
		--set swarm.upload=1Gbps --set run.duration=10s &&
	test_sql b.db "SELECT value FROM param p JOIN run r ON r.id = p.run_id
		WHERE name = 'swarm.upload' AND r.id = 2" "1Gbit/s"
EOT

test_expect_success 'an unsure rate unit is never corrected to bytes (2)' '
	test_status 2 "$FLASHCOOP" run "$SRC/tests/data/swarm-small.ini" --set swarm.upload=100MBps -o x.db &&
	test_stderr_has "unknown unit '\''MBps'\'' (" &&
	test_stderr_has "write bit/s for bits, B/s for bytes)" &&
	! grep -q "did you mean" "$TEST_ROOT/cmd.err"
'

test_expect_success 'keys with no effect under the policy are warned about and recorded' - <<-\EOT
	test_status 0 "$FLASHCOOP" run "$SRC/tests/data/web-small.ini" -q --set web.policy=none \
		--set run.duration=2min -o w.db &&
	test_stderr_has "flashcoop run: warning: $SRC/tests/data/web-small.ini:21: [coop] flash_hold has no effect: [web] policy = none has no cooperation nodes" &&
	test_stderr_lines 2 &&
	test_sql w.db "SELECT count(*) FROM run_warning w JOIN run r ON r.id = w.run_id
		WHERE w.message LIKE '%[coop] rescue_hold has no effect%'" 1 &&
	test_status 0 "$FLASHCOOP" run "$SRC/tests/data/web-small.ini" -q --set run.duration=2min \
		--set coop.target_load=0.5 -o w.db &&
	test_stderr_has "--set: [coop] target_load has no effect: [coop] share is fixed, not feedback" &&
	test_stderr_lines 1 &&
	test_status 0 "$FLASHCOOP" run "$SRC/tests/data/web-small.ini" -q --set run.duration=2min \
		--set web.policy=redirect --set bittorrent.piece_size=64KiB -o w.db &&
	test_stderr_has "--set: [bittorrent] piece_size has no effect: no swarm runs" &&
	test_stderr_lines 1
EOT

test_expect_success 'a sweep warns once per warning, before it runs' - <<-\EOT
	printf '[sweep]\nscenario = %s\n[vary]\nweb.policy = none, mirror\nrun.duration = 2min\n' \
		"$SRC/tests/data/web-small.ini" >w.sweep &&
	test_status 0 "$FLASHCOOP" sweep w.sweep -q -j2 -o ws.db &&
	test "$(grep -c "flash_hold has no effect: \[web\] policy = none" "$TEST_ROOT/cmd.err")" -eq 1 &&
	test "$(grep -c "flash_hold has no effect: \[web\] policy = mirror" "$TEST_ROOT/cmd.err")" -eq 1 &&
	test_sql ws.db "SELECT count(DISTINCT run_id) FROM run_warning" 2
EOT

test_expect_success 'a run replaced with --force takes its warnings along; merge copies them' - <<-\EOT
	test_status 0 "$FLASHCOOP" run "$SRC/tests/data/web-small.ini" -q --set web.policy=none \
		--set run.duration=2min -o wf.db &&
	n=$(sqlite3 wf.db "SELECT count(*) FROM run_warning") &&
	test "$n" -gt 1 &&
	test_status 0 "$FLASHCOOP" run "$SRC/tests/data/web-small.ini" -q --set web.policy=none \
		--set run.duration=2min --force -o wf.db &&
	test_sql wf.db "SELECT count(*) FROM run_warning w JOIN run r ON r.id = w.run_id" "$n" &&
	test_sql wf.db "SELECT count(*) FROM run_warning" "$n" &&
	test_status 0 "$FLASHCOOP" merge wm.db wf.db &&
	test_sql wm.db "SELECT count(*) FROM run_warning w JOIN run r ON r.id = w.run_id" "$n" &&
	test_status 0 "$FLASHCOOP" merge wm2.db ws.db &&
	test_sql wm2.db "SELECT count(DISTINCT w.run_id) FROM run_warning w JOIN run r ON r.id = w.run_id" 2 &&
	test "$(sqlite3 ws.db "SELECT message FROM run_warning ORDER BY rowid")" = \
		"$(sqlite3 wm2.db "SELECT message FROM run_warning ORDER BY rowid")"
EOT

test_done
