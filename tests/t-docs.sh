#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The documentation works as written: every example of docs/sweep.md and
# of the README's first-scenario walkthrough is run, in order, and the
# state machine drawing of the README renders with Graphviz.
#
# In the Markdown, a fenced block after "<!-- file: NAME -->" is written
# to NAME, and a block after "<!-- run -->" is run by sh -e, with
# flashcoop on PATH; each run block is one test.
. "$(dirname "$0")/test-lib.sh"

mkdir bin && ln -s "$FLASHCOOP" bin/flashcoop
PATH=$TRASH/bin:$PATH
export PATH

# doc_blocks FILE.md DIR: splits the marked blocks of FILE.md into DIR as
# NNN.file.NAME and NNN.run, numbered in order.
doc_blocks() {
	mkdir -p "$2"
	awk -v dir="$2" '
		/^<!-- file: .* -->$/ { kind = "file." $3; next }
		/^<!-- run -->$/ { kind = "run"; next }
		/^```/ && inblock { inblock = 0; close(out); next }
		/^```/ && kind != "" { n++; out = sprintf("%s/%03d.%s", dir, n, kind);
				       printf "" >out; inblock = 1; kind = ""; next }
		inblock { print >>out }
	' "$1"
}

# doc_tests FILE.md DIR: a test per run block of FILE.md, in directory DIR,
# after writing the file blocks before it.
doc_tests() {
	doc_blocks "$SRC/$1" "$TEST_ROOT/$2"
	mkdir -p "$2"
	for b in "$TEST_ROOT/$2"/*; do
		case $b in
		*.file.*) cp "$b" "$2/${b##*.file.}" ;;
		*.run)
			test_expect_success "$1: $(grep -v '^#' "$b" | head -1)" "
				cd $2 && sh -e '$b'
			" ;;
		esac
	done
}

test_expect_success 'docs/sweep.md has examples to run' '
	doc_blocks "$SRC/docs/sweep.md" "$TEST_ROOT/count" &&
	test "$(ls "$TEST_ROOT/count" | grep -c run\$)" -ge 7
'

doc_tests docs/sweep.md sweep

test_expect_success 'docs/sweep.md: the results it says' - <<-\EOT
	cd sweep &&
	test_sql load.db "SELECT count(*) FROM run WHERE status = 'done'" 9 &&
	test_sql record.db "SELECT count(*) FROM point" 4 &&
	test_sql ranges.db "SELECT group_concat(value, ' ') FROM (SELECT DISTINCT value
	  FROM point_param WHERE name = 'mmck.arrival_rate' ORDER BY CAST(value AS REAL))" \
	  "0.1 0.3 0.5 0.7 0.9" &&
	test_sql ranges.db "SELECT group_concat(value, ' ') FROM (SELECT DISTINCT value
	  FROM point_param WHERE name = 'run.duration' ORDER BY value)" "1000s 2000s 50min" &&
	test_sql lockstep.db "SELECT count(*) FROM point" 6 &&
	test_same_results load.db cluster.db &&
	test -s load.png && test -s lockstep.png && test -x slurm/sweep.slurm
EOT

test_expect_success '  ... and the error it shows' '
	cd sweep &&
	test_status 2 flashcoop sweep typo.sweep -o typo.db &&
	test_stderr_has "typo.sweep:4: unknown scenario key '\''mmck.arival_rate'\'' in [vary]; did you mean '\''mmck.arrival_rate'\''?" &&
	test_path_is_missing typo.db
'

test_expect_success 'README.md has a first-scenario walkthrough to run' '
	doc_blocks "$SRC/README.md" "$TEST_ROOT/count2" &&
	test "$(ls "$TEST_ROOT/count2" | grep -c run\$)" -ge 3
'

doc_tests README.md first

test_expect_success 'README.md: the walkthrough made its figures' - <<-\EOT
	cd first &&
	test_sql first.db "SELECT count(*) FROM run WHERE status = 'done'" 2 &&
	test_sql sweep.db "SELECT count(*) FROM run WHERE status = 'done'" 6 &&
	test -s success.png && test -s policies.png &&
	test "$(head -c 4 page-times.pdf)" = "%PDF"
EOT

test_expect_success 'flashcoop fsm --dot | dot -Tpng draws the state machine' '
	flashcoop fsm --dot | dot -Tpng -o fsm.png &&
	test "$(od -An -c -j1 -N3 fsm.png | tr -d " ")" = PNG
'

test_done
