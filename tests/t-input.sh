#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Input files: scenario files, includes, sweep files, sweep bases and
# traces must be regular files of bounded size (sim/infile.h); anything
# else is refused (2) with one line naming the file, before it is read, so
# that /dev/zero never fills memory and a FIFO never blocks.  Every command
# runs under timeout(1): a hang fails the test instead of the suite.
. "$(dirname "$0")/test-lib.sh"

cp "$SRC"/tests/data/mmck/m.ini "$SRC"/tests/data/web-small.ini .
mkfifo fifo
mkdir dir
# Sparse files just past the bounds: 4 MiB for scenario and sweep files,
# 64 MiB for traces.
truncate -s 4194305 big.ini
truncate -s 67108865 big.csv

# refused CMD...: exit 2 within 10 s, one line on stderr.
refused() {
	test_status 2 timeout 10 "$FLASHCOOP" "$@" &&
	test_stderr_lines 1
}

test_expect_success 'a FIFO as the scenario is refused at once (2)' '
	refused run fifo -q -o f.db &&
	test_stderr_has "fifo: not a regular file (a FIFO)" &&
	test_path_is_missing f.db
'

test_expect_success '/dev/zero as the scenario is refused (2)' '
	refused run /dev/zero -q -o z.db &&
	test_stderr_has "/dev/zero: not a regular file (a character device)"
'

test_expect_success 'a directory as the scenario is refused (2)' '
	refused run dir -q -o d.db &&
	test_stderr_has "dir: not a regular file (a directory)"
'

test_expect_success 'a scenario over 4 MiB is refused (2)' '
	refused run big.ini -q -o b.db &&
	test_stderr_has "big.ini: too large: 4194305 bytes, more than the 4 MiB"
'

test_expect_success 'includes of a FIFO, /dev/zero and a large file are refused (2)' - <<-\EOT
	for target in fifo /dev/zero big.ini; do
		printf '[scenario]\ninclude = %s\n[run]\nmodel = mmck\n' "$target" >inc.ini &&
		refused run inc.ini -q -o i.db &&
		test_stderr_has "$target: " || exit 1
	done
	test_path_is_missing i.db
EOT

test_expect_success 'a FIFO, /dev/zero or a directory as the sweep file is refused (2)' - <<-\EOT
	for target in fifo /dev/zero dir big.ini; do
		refused sweep "$target" -q -j1 -o s.db &&
		test_stderr_has "$target: " || exit 1
	done
	test_path_is_missing s.db
EOT

test_expect_success 'a FIFO or /dev/zero as the sweep base is refused (2)' - <<-\EOT
	for target in fifo /dev/zero; do
		printf '[sweep]\nscenario = %s\n[vary]\nmmck.servers = 1, 2\n' "$target" >b.sweep &&
		refused sweep b.sweep -q -j1 -o s.db &&
		test_stderr_has "base scenario: $target: not a regular file" || exit 1
	done
	test_path_is_missing s.db
EOT

test_expect_success 'a FIFO, /dev/zero, a directory or a large file as the trace is refused (2)' - <<-\EOT
	for target in fifo /dev/zero dir big.csv; do
		refused run web-small.ini -q -o t.db --set clients.arrival=trace \
			--set "clients.trace=$target" &&
		test_stderr_has "[clients] trace: $target: " || exit 1
	done
	test_stderr_has "more than the 64 MiB" &&
	test_path_is_missing t.db
EOT

test_expect_success 'SIGTERM while a sweep checks its points ends it at once (143)' - <<-\EOT
	# A million points: checking them all takes far longer than the
	# 5 s this test allows.
	printf '[sweep]\nscenario = m.ini\n[vary]\nmmck.servers = 1..1000 step 1\nmmck.capacity = 1000..1999 step 1\n' >huge.sweep &&
	"$FLASHCOOP" sweep huge.sweep -q -j1 -o h.db 2>h.err &
	pid=$! &&
	test_wait_for 5 "grep -q State /proc/$pid/status" &&
	kill -TERM $pid &&
	st=0 && timeout 5 sh -c "while kill -0 $pid 2>/dev/null; do sleep 0.05; done" || st=$? &&
	test "$st" -eq 0 &&
	{ wait $pid; test $? -eq 143; } &&
	test_path_is_missing h.db
EOT

test_expect_success 'SIGTERM during a run: marked interrupted (143)' - <<-\EOT
	"$FLASHCOOP" run m.ini -q --set run.duration=100000000s -o s.db 2>s.err &
	pid=$!
	test_wait_for 20 'test_sql s.db "SELECT status FROM run" running' ||
		{ kill $pid; exit 1; }
	kill -TERM $pid
	wait $pid && st=0 || st=$?
	test "$st" -eq 143 &&
	test_sql s.db "SELECT status FROM run" interrupted
EOT

test_expect_success 'a run not on a terminal says where it is every --progress-every' - <<-\EOT
	"$FLASHCOOP" run m.ini --set run.duration=2000000s --set mmck.sample_interval=0s \
		--set mmck.log_full=false --progress-every 50ms -o pl.db \
		>pl.out 2>pl.err &&
	grep -q "^flashcoop run: simulated [0-9.]*s / 2000100.0s .*events/s  ETA " pl.err &&
	grep -q "^run 1 done: small, replication 0, .*, station mean_response_s = [0-9.]* -> pl.db$" pl.out
EOT

test_expect_success 'a bad --progress-every is refused (2)' '
	test_status 2 "$FLASHCOOP" run m.ini --progress-every 0s -o x.db &&
	test_stderr_has "flashcoop run: --progress-every: must be more than 0s" &&
	test_path_is_missing x.db
'

# The status lines come every 0.5 s: the run must last several times that
# on a fast machine (2000000 s of the model took 0.47 s).
test_expect_success 'a sweep worker reports progress and its headline in status lines' - <<-\EOT
	"$FLASHCOOP" run m.ini -q --report --set run.duration=10000000s \
		--set mmck.sample_interval=0s --set mmck.log_full=false -o rp.db 2>rp.err &&
	grep -q "^flashcoop-status: progress 0\.[0-9]*$" rp.err &&
	grep -q "^flashcoop-status: done station mean_response_s = [0-9.]*$" rp.err
EOT

test_expect_success 'a sweep not on a terminal says one line per finished run, status lines kept out' - <<-\EOT
	printf '[sweep]\nscenario = m.ini\nreplications = 2\n[vary]\nmmck.servers = 2, 3\n' >pl.sweep &&
	"$FLASHCOOP" sweep pl.sweep -j2 -o ps.db >ps.out 2>ps.err &&
	test "$(grep -c "^flashcoop sweep: run [0-9a-f]\{16\} (mmck.servers=[23], replication [01]) done in [0-9.]*s ([1-4] of 4): station mean_response_s = [0-9.]*; ETA [0-9:?]*$" ps.err)" -eq 4 &&
	! grep -q flashcoop-status ps.err &&
	"$FLASHCOOP" sweep pl.sweep -q -j2 -o ps2.db 2>ps2.err &&
	test ! -s ps2.err
EOT

test_expect_success 'a sweep not on a terminal also says where it is while a long run runs' - <<-\EOT
	printf '[sweep]\nscenario = long.ini\n[vary]\nmmck.servers = 2\n' >long.sweep &&
	printf '[scenario]\ninclude = m.ini\n[run]\nduration = 2000000s\n' >long.ini &&
	printf '[mmck]\nsample_interval = 0s\nlog_full = false\n' >>long.ini &&
	"$FLASHCOOP" sweep long.sweep -j1 --progress-every 50ms -o pe.db 2>pe.err &&
	grep -q "^flashcoop sweep: runs 0/1 done, 0 failed, 1 running  ETA " pe.err &&
	grep -q "^flashcoop sweep: run .* done in .*: station mean_response_s = " pe.err
EOT

test_expect_success 'SIGTERM while a model is being built ends the run at once (143), nothing recorded' - <<-\EOT
	# 5000 routers: building their topology takes seconds.
	"$FLASHCOOP" run web-small.ini -q --set network.latency=topology \
		--set network.routers=5000 --set clients.start=0s -o b.db 2>b.err &
	pid=$!
	# The database is opened just before the model is built.
	test_wait_for 20 'test -s b.db' || { kill $pid; exit 1; }
	sleep 0.2
	kill -TERM $pid
	timeout 3 sh -c "while kill -0 $pid 2>/dev/null; do sleep 0.05; done" || exit 1
	wait $pid && st=0 || st=$?
	test "$st" -eq 143 &&
	test_sql b.db "SELECT count(*) FROM run" 0
EOT

test_done
