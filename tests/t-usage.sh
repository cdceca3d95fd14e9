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
	test_stderr_has m.ini:7
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

test_done
