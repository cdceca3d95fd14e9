#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sweeps: every point times its replications, the same results whatever
# the number of workers, nothing run twice, and the jobs written for a
# cluster (--emit) giving, once merged, what the local sweep gave.
. "$(dirname "$0")/test-lib.sh"

cp "$SRC"/tests/data/mmck/m.ini "$SRC"/tests/data/mmck/sw.ini .

test_expect_success 'a sweep at -j1 runs 12 runs' - <<-\EOT
	"$FLASHCOOP" sweep sw.ini -q -j1 -o s1.db &&
	test_sql s1.db "SELECT count(*) FROM run WHERE status = 'done'" 12
EOT

test_expect_success '  ... at -j2 gives identical results' - <<-\EOT
	"$FLASHCOOP" sweep sw.ini -q -j2 -o s2.db &&
	test_sql s2.db "SELECT count(*) FROM run WHERE status = 'done'" 12
EOT

test_expect_success '  ... byte for byte' '
	test_same_results s1.db s2.db
'

test_expect_success '  ... 6 points with 2 replications each in the statistics view' - <<-\EOT
	test_sql s1.db "SELECT count(*), min(n), max(n) FROM point_scalar
	  WHERE entity = 'station' AND name = 'served'" '6|2|2'
EOT

test_expect_success 'running the sweep again runs nothing' '
	test_status 0 "$FLASHCOOP" sweep sw.ini -o s1.db &&
	test_stdout_has "12 already done, 0 to run"
'

test_expect_success '--emit parallel writes one job per run' '
	"$FLASHCOOP" sweep sw.ini --emit parallel jobs >/dev/null &&
	test "$(wc -l <jobs/jobs.txt)" -eq 12
'

test_expect_success '  ... the jobs, run by sh and merged, equal the local sweep' '
	sh jobs/jobs.txt &&
	"$FLASHCOOP" merge -q merged.db jobs/runs/*.db &&
	test_same_results s1.db merged.db
'

test_expect_success '  ... merging again adds no duplicates' '
	test_status 0 "$FLASHCOOP" merge merged.db jobs/runs/*.db s2.db &&
	test_stdout_has "merged 0 runs" &&
	test_sql merged.db "SELECT count(*) FROM run" 12
'

test_expect_success '--emit slurm writes a job-array script over the same jobs' '
	"$FLASHCOOP" sweep sw.ini --emit slurm sl >/dev/null &&
	grep -q "^#SBATCH --array=1-12\$" sl/sweep.slurm &&
	sh -n sl/sweep.slurm &&
	test "$(wc -l <sl/jobs.txt)" -eq 12 &&
	SLURM_ARRAY_TASK_ID=3 sh sl/sweep.slurm &&
	test "$(ls sl/runs | wc -l)" -eq 1
'

test_expect_success 'merge refuses (2) a foreign input and writes nothing' '
	printf "precious notes\n" >notes.db &&
	test_status 2 "$FLASHCOOP" merge m2.db s1.db notes.db &&
	test_path_is_missing m2.db &&
	test_stderr_has notes.db
'

test_done
