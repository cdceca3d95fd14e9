#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Winny-style overlay (models/winny/): alone behind a tap, at a small
# size; its flow log and what it must satisfy whatever the calibration; the
# same results twice; beside the web model's flash crowd on shared ISP
# links.  The comparison with seed 002's Figs. 5-7 at the measurement's own
# size is tests/validate-winny.sh (make validate).
. "$(dirname "$0")/test-lib.sh"

small="--set run.warmup=0s --set run.duration=30min --set winny.outside=800
	--set winny.inside=30 --set winny.addresses=300 --set winny.background_rate=20"

test_expect_success 'a Winny run logs the connections that cross the tap' '
	"$FLASHCOOP" run -q "$SRC/scenarios/winny/isp-tap.ini" $small -o w1.db &&
	test_sql w1.db "SELECT count(*) > 1000 FROM flow_log WHERE app = '\''winny'\''" 1 &&
	test_sql w1.db "SELECT count(*) > 1000 FROM flow_log WHERE app = '\''background'\''" 1 &&
	test_sql w1.db "SELECT group_concat(kind) FROM (SELECT DISTINCT kind FROM flow_log ORDER BY kind)" \
		"background,control,search,transfer"
'

test_expect_success '  ... each row crosses the tap and opens with a SYN' '
	# One end in the stub network 10.0.0.0/16, the other outside it; the
	# opener always sent a packet; a way with bytes has packets of 40 B
	# headers at least; nothing ends before it starts.
	test_sql w1.db "SELECT count(*) FROM flow_log WHERE
		(a_inside AND (a_ip >> 16 != 2560 OR b_ip >> 16 = 2560)) OR
		(NOT a_inside AND (b_ip >> 16 != 2560 OR a_ip >> 16 = 2560)) OR
		packets_ab = 0 OR bytes_ab < 40 * packets_ab OR bytes_ba < 40 * packets_ba OR
		end_ns < start_ns OR b_port < 1 OR b_port > 65535" 0 &&
	# Winny peers use one service port each, never the background port 80.
	test_sql w1.db "SELECT count(*) FROM (SELECT b_ip FROM flow_log
		WHERE app = '\''winny'\'' GROUP BY b_ip HAVING count(DISTINCT b_port) > 1)" 0
'

test_expect_success '  ... the network carried what the transfers and background say' '
	test_sql w1.db "SELECT (SELECT value FROM scalar WHERE entity = '\''all'\'' AND name = '\''bytes_delivered'\'')
		= (SELECT sum(value) FROM scalar WHERE (entity = '\''winny'\'' AND name = '\''transfer_bytes'\'')
		   OR (entity = '\''background'\'' AND name = '\''bytes'\''))" 1 &&
	test_sql w1.db "SELECT value > 20 FROM scalar WHERE entity = '\''winny'\'' AND name = '\''downloads_done'\''" 1
'

test_expect_success '  ... every download left a key: flows of 64 KiB blocks' '
	# A transfer carries whole 64 KiB blocks, unless cut: its payload (bytes
	# less 40 per packet) is a multiple of 65536 or it was cut by the slot
	# time or a departure; most are whole.
	test_sql w1.db "SELECT avg((bytes_ba - 40 * packets_ba) % 65536 = 0) > 0.5
		FROM flow_log WHERE kind = '\''transfer'\'' AND packets_ba > 3" 1
'

test_expect_success '  ... byte for byte, flow log included' '
	"$FLASHCOOP" run -q "$SRC/scenarios/winny/isp-tap.ini" $small -o w2.db &&
	test_same_results w1.db w2.db
'

test_expect_success 'the analysis recomputes the seed'\''s figures from the log' '
	test_sqlite3 w1.db "CREATE TEMP TABLE sel AS SELECT id AS run_id FROM run" \
		".read $SRC/analysis/winny-tap.sql" \
		"SELECT name FROM winny_check WHERE value IS NULL OR value < 0" \
		"SELECT count(*) > 100 FROM fig5_ccdf" \
		"SELECT count(DISTINCT class || dir) FROM fig6_gap" \
		"SELECT count(*) FROM fig7_rank WHERE share_bytes > 1.000001" >out &&
	printf "1\n4\n0\n" >want &&
	test_cmp want out
'

test_expect_success 'Winny and the flash crowd share the ISP links' '
	# The default flash crowd at a small size, its clients behind two ISP
	# links of 8 Mbit/s (the servers uplinks are wider), with and without
	# 100 Winny peers behind each.
	set -- --set network.isps=2 --set network.isp_link=8Mbit/s --set web.uplink=100Mbit/s \
		--set run.record=scalar,statistic,flow &&
	wsets="--set winny.enabled=true --set winny.inside=100 --set winny.outside=1000
		--set winny.addresses=500 --set winny.downloads=30" &&
	(cd "$SRC" && "$FLASHCOOP" run -q scenarios/default.ini $(cat tests/golden/small.sets) \
		"$@" -o "$TRASH/web.db" &&
	 "$FLASHCOOP" run -q scenarios/default.ini $(cat tests/golden/small.sets) \
		"$@" $wsets -o "$TRASH/web-winny.db") &&
	test_sql web.db "SELECT count(*) FROM flow_log" 0 &&
	test_sql web-winny.db "SELECT count(*) > 100 FROM flow_log WHERE kind = '\''transfer'\''" 1 &&
	# Winny transfers crossed the links the clients use: page times grew.
	a=$(test_sqlite3 web.db "SELECT mean FROM statistic WHERE entity = '\''site.0'\'' AND name = '\''page_time_s'\''") &&
	b=$(test_sqlite3 web-winny.db "SELECT mean FROM statistic WHERE entity = '\''site.0'\'' AND name = '\''page_time_s'\''") &&
	echo "mean page time without Winny $a s, with $b s" &&
	awk -v a="$a" -v b="$b" "BEGIN { exit !(b > a) }"
'

test_done
