#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The testbed's smoke test: scenarios/testbed/smoke.ini (an origin and 2
# cooperators, a forced flash crowd for 20 s) on real processes in
# network namespaces: the origin goes into FLASH, its cooperators rescue
# it, clients follow redirects with tokens and reach cooperators through
# DNS answers; the results land in the simulator's schema; nothing is left
# running.  Then a node daemon killed mid-run (the run fails with exit
# status 1 and is recorded as failed), and a driver killed with SIGKILL
# mid-run, with `fc-testbed clean` stopping what it left.  Needs root and network namespaces: skips
# (as skipped, not passed) where they cannot be made.
. "$(dirname "$0")/../../tests/test-lib.sh"

TBB=$(dirname "$FLASHCOOP")/testbed
TESTBED=$TBB/fc-testbed
SCENARIO=$SRC/../scenarios/testbed/smoke.ini

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespaces)"
for p in apache2 named ip tc iptables sqlite3; do
	command -v $p >/dev/null 2>&1 || skip_all "$p is not installed (make deps)"
done
[ -x "$TESTBED" ] && [ -x "$TBB/fc-testbed-node" ] || skip_all "fc-testbed is not built"
# Apache's children (www-data) must reach the run's files.
chmod 755 "$TEST_ROOT" "$TRASH"
rc=0
"$TBB/fc-netns.sh" check >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 0 ] || skip_all "network namespaces cannot be made here ($rc)"
[ ! -e /run/flashcoop-testbed/current ] || [ ! -s /run/flashcoop-testbed/current ] ||
	skip_all "another testbed run holds the machine ($(cat /run/flashcoop-testbed/current))"

# Nothing of a run may be left: no namespace of its prefix, no process of
# its list still alive.
nothing_left() {
	if ip netns list | grep -q '^fctb-'; then
		echo "namespaces left: $(ip netns list | grep '^fctb-' | tr '\n' ' ')" >&2
		return 1
	fi
	if [ -f "$1/procs.stopped" ] || [ -f "$1/procs" ]; then
		while read -r pid start name; do
			# One read of its stat: a process may be reaped between two.
			# A zombie has ended (its parent, not ours, has yet to reap
			# it), and so has one that is gone by now.
			st=$(cat /proc/$pid/stat 2>/dev/null) || continue
			if [ "$(echo "$st" | cut -d' ' -f22)" = "${start#*/}" ] &&
				[ "$(echo "$st" | cut -d' ' -f3)" != Z ]; then
				echo "process left: $pid $name" >&2
				return 1
			fi
		done <"$(ls "$1"/procs.stopped "$1"/procs 2>/dev/null | head -1)"
	fi
	return 0
}

test_expect_success 'the smoke scenario runs on the testbed to the end' '
	"$TESTBED" run -d "$TRASH/run" -o "$TRASH/r.db" "$SCENARIO" 2>run.err ||
		{ cat run.err; exit 1; }
	grep -q "results in" run.err
'

test_expect_success 'nothing is left running' '
	nothing_left "$TRASH/run"
'

test_expect_success 'the origin went into FLASH and its cooperators rescued it' '
	grep -q "	event	state	LOW -> FLASH" run/s1/noded.log &&
	grep -q "	event	state	LOW -> RESCUE" run/s2/noded.log &&
	grep -q "	event	state	LOW -> RESCUE" run/s3/noded.log
'

test_expect_success 'cooperators were added to the site in DNS by signed updates' '
	grep -hq "	event	dns_add_done	site 0 address 10.77.[23].2" run/s2/noded.log run/s3/noded.log
'

test_expect_success 'clients followed redirects to cooperators, which fetched from the origin' '
	awk -F"\t" "NR > 1 && \$3 == \"site0.flash.test\" && \$7 == \"ok\" && \$13 > 0" \
		run/clients/visits.tsv | grep -q . &&
	grep -hq "	event	fetch_done	site 0 object" run/s2/noded.log run/s3/noded.log &&
	grep -q "\"/fcfetch/0/o/" run/s1/access.log
'

test_expect_success 'clients reached cooperators through DNS answers alone' '
	# The first server of a visit without redirects is the address DNS gave.
	awk -F"\t" "NR > 1 && \$3 == \"site0.flash.test\" && \$7 == \"ok\" && \$13 == 0 &&
		\$14 ~ /^10\\.77\\.[23]\\.2/" run/clients/visits.tsv | grep -q .
'

test_expect_success 'most visits to the crowded site succeed (a broken serving path gives none)' '
	ok=$(awk -F"\t" "NR > 1 && \$3 == \"site0.flash.test\" && \$7 == \"ok\"" run/clients/visits.tsv | wc -l)
	all=$(awk -F"\t" "NR > 1 && \$3 == \"site0.flash.test\"" run/clients/visits.tsv | wc -l)
	test_expr "$ok >= 0.6 * $all"
'

test_expect_success 'the results are a testbed run in the simulator schema' - <<-\EOF
	test_sql r.db "SELECT status FROM run" done &&
	test_sql r.db "SELECT value FROM param WHERE name = 'run.platform'" testbed &&
	test_sql r.db "SELECT count(*) > 0 FROM event_log WHERE entity = 'server.0'
		AND kind = 'state' AND detail LIKE 'LOW -> FLASH%'" 1 &&
	test_sql r.db "SELECT value > 0 FROM scalar WHERE entity = 'all' AND name = 'redirects'" 1
EOF

test_expect_success 'a daemon that dies mid-run fails the run (1), recorded as failed, all stopped' '
	"$TESTBED" run -d "$TRASH/died" -o "$TRASH/died.db" --set run.duration=20s "$SCENARIO" \
		2>died.err &
	driver=$!
	test_wait_for 60 "grep -q \"the clients start\" died.err"
	sleep 3
	pid=$(awk -F"\t" "\$3 == \"node s2\" { print \$1 }" "$TRASH/died/procs")
	kill -KILL "$pid"
	status=0
	wait $driver || status=$?
	test "$status" -eq 1 &&
	grep -q "the run failed: node s2 died during the run (signal 9" died.err &&
	test_sql died.db "SELECT status, error LIKE '\''node s2 died during the run%'\'' FROM run" "failed|1" &&
	nothing_left "$TRASH/died"
'

test_expect_success 'a driver killed mid-run leaves what fc-testbed clean stops' '
	"$TESTBED" run -d "$TRASH/killed" --no-import "$SCENARIO" 2>killed.err &
	driver=$!
	test_wait_for 60 "grep -q \"the clients start\" killed.err"
	kill -KILL $driver
	wait $driver || :
	ip netns list | grep -q "^fctb-s1" &&
	"$TESTBED" clean 2>clean.err &&
	grep -q "cleaned up after the run in $TRASH/killed" clean.err &&
	nothing_left "$TRASH/killed"
'

test_done
