#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Values inside the key table's ranges that used to overflow: cross-key
# constraints refused in one line (exit 2), and extreme but legitimate
# values that run to the end.  tests/test-ranges.c walks every key at the
# ends of its range.
. "$(dirname "$0")/test-lib.sh"

cp "$SRC"/tests/data/swarm-small.ini "$SRC"/tests/data/web-small.ini .
cp "$SRC"/tests/data/mmck/m.ini .
short='--set run.warmup=0s --set run.duration=20s'
# web-small.ini's crowd starts at 60s, after a short run ends, which web
# refuses: these runs see its baseline only, as they did before that check.
webshort="$short --set clients.shock=1"

test_expect_success 'a block larger than a piece is refused (2)' '
	test_status 2 "$FLASHCOOP" run swarm-small.ini -o r.db $short \
		--set bittorrent.piece_size=16KiB --set bittorrent.block_size=32KiB &&
	test_stderr_has "[bittorrent] block_size: 32KiB is larger than a piece" &&
	test_stderr_lines 1 &&
	test_path_is_missing r.db
'

test_expect_success 'a piece of more than 64 blocks is refused (2)' '
	test_status 2 "$FLASHCOOP" run web-small.ini -o r.db $webshort \
		--set bittorrent.block_size=1KiB &&
	test_stderr_has "[bittorrent] piece_size: 256KiB is more than 64 blocks" &&
	test_stderr_lines 1
'

test_expect_success 'a torrent of 2^32 pieces is refused (2)' '
	test_status 2 "$FLASHCOOP" run swarm-small.ini -o r.db $short \
		--set swarm.file_size=1024TiB &&
	test_stderr_has "2^32 pieces" &&
	test_stderr_lines 1
'

test_expect_success 'a file larger than 1024 TiB is out of range (2)' '
	test_status 2 "$FLASHCOOP" run swarm-small.ini -o r.db $short \
		--set swarm.file_size=1025TiB &&
	test_stderr_has "it must be <= 1024TiB"
'

# Each of these delays used to overflow a time and abort the run.
for set in clients.patience=18446744073709551614ns \
	clients.torrent_timeout=18446744073709551614ns \
	clients.syn_timeout=18446744073709551614ns \
	dns.update_delay=18446744073709551614ns \
	bittorrent.min_announce_interval=18446744073709551614ns \
	bittorrent.optimistic_interval=18446744073709551614ns \
	clients.downlink_median=18446744073709551615bit/s
do
	test_expect_success "web runs to its end with $set" "
		timeout 60 \"\$FLASHCOOP\" run web-small.ini -q -o r.db $webshort --set clients.bittorrent=30% \
			--set web.backlog=0 --set $set 2>err &&
		test ! -s err
	"
done

test_expect_success 'a run must end before the last nanosecond' '
	test_status 2 "$FLASHCOOP" run m.ini -o end.db --set run.warmup=0s \
		--set run.duration=18446744073709551614ns &&
	test_stderr_has "beyond the end of time" &&
	timeout 10 "$FLASHCOOP" run m.ini -q -o end.db --set run.warmup=0s \
		--set run.duration=18446744073709551613ns --set mmck.arrival_rate=1e-300 \
		--set mmck.sample_interval=0s &&
	test_sql end.db "SELECT status FROM run" done
'

test_expect_success 'an arrival rate of 1e-300 per second runs (no arrival)' '
	timeout 10 "$FLASHCOOP" run m.ini -q -o tiny.db --set mmck.arrival_rate=1e-300 &&
	test_sql tiny.db "SELECT status FROM run" done
'

test_expect_success 'a run beyond the event budget is refused (2), naming the keys' '
	test_status 2 "$FLASHCOOP" run m.ini -o big.db --set mmck.arrival_rate=1e9 &&
	test_stderr_lines 1 &&
	test_stderr_has "[run] event_budget: the run asks for about 2e+13 events" &&
	test_stderr_has "[mmck] arrival_rate over [run] duration" &&
	test_path_is_missing big.db
'

test_expect_success 'raising [run] event_budget runs the refused scenario' '
	test_status 2 "$FLASHCOOP" run m.ini -q -o big.db --set mmck.arrival_rate=1e9 \
		--set run.warmup=0s --set run.duration=1ms --set run.event_budget=1000 &&
	test_stderr_has "about 1e+06 events" &&
	"$FLASHCOOP" run m.ini -q -o big.db --set mmck.arrival_rate=1e9 \
		--set run.warmup=0s --set run.duration=1ms --set run.event_budget=0 2>err &&
	test ! -s err &&
	test_sql big.db "SELECT count(*) FROM run WHERE status = '\''done'\''" 1
'

test_expect_success '1-byte pieces are refused (2): every event would walk a million pieces' '
	test_status 2 "$FLASHCOOP" run swarm-small.ini -o big.db --set swarm.file_size=1MiB \
		--set bittorrent.piece_size=1B --set bittorrent.block_size=1B &&
	test_stderr_lines 1 &&
	test_stderr_has "[run] event_budget" &&
	test_stderr_has "[bittorrent] piece_size"
'

test_expect_success 'a run beyond the memory budget is refused (2)' '
	test_status 2 "$FLASHCOOP" run web-small.ini -o big.db --set clients.resolvers=1000000 \
		--set web.cooperators=500 &&
	test_stderr_lines 1 &&
	test_stderr_has "[run] memory_budget: the run needs about" &&
	test_stderr_has "[clients] resolvers, [web] cooperators"
'

test_expect_success 'a run whose memory grows beyond the budget fails (1) and says so' '
	test_status 1 "$FLASHCOOP" run m.ini -o mem.db --set run.memory_budget=1MiB &&
	test_stderr_has "is beyond [run] memory_budget = 1MiB" &&
	test_sql mem.db "SELECT status, error LIKE '\''%memory_budget%'\'' FROM run" "failed|1"
'

test_expect_success 'a sweep with a point beyond the budget runs nothing (2)' - <<-\EOT
	printf '[sweep]\nscenario = m.ini\nreplications = 1\n[vary]\nmmck.arrival_rate = 0.5, 1e9\n' >big.sweep &&
	test_status 2 "$FLASHCOOP" sweep big.sweep -o sweep.db &&
	test_stderr_lines 1 &&
	test_stderr_has "the point mmck.arrival_rate=1000000000" &&
	test_stderr_has "[run] event_budget" &&
	test_path_is_missing sweep.db
EOT

test_done
