#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# One BitTorrent swarm (tests/data/swarm-small.ini): the measured and the
# fluid-model numbers side by side, a tracker outage logged, the same
# results twice.
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'a swarm run records measured and fluid numbers' - <<-\EOT
	"$FLASHCOOP" run -q "$SRC/tests/data/swarm-small.ini" -o bt1.db &&
	"$FLASHCOOP" run -q "$SRC/tests/data/swarm-small.ini" -o bt2.db &&
	test_sql bt1.db "SELECT count(*) FROM scalar WHERE name = 'downloaders_mean' AND value > 0" 2 &&
	test_sql bt1.db "SELECT count(*) FROM vector WHERE entity = 'swarm'" 2 &&
	test_sql bt1.db "SELECT count(*) FROM event_log WHERE entity = 'tracker' AND kind = 'down'" 1 &&
	test_sql bt1.db "SELECT value > 100 FROM scalar WHERE entity = 'swarm' AND name = 'completed'" 1
EOT

test_expect_success '  ... byte for byte' '
	test_same_results bt1.db bt2.db
'

test_done
