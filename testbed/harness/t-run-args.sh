#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# fc-testbed run refuses, before it makes anything, what the testbed does
# not carry out: one line naming the key, exit 2.  Needs no root.
. "$(dirname "$0")/../../tests/test-lib.sh"

TESTBED=${TESTBED:-$(dirname "$FLASHCOOP")/testbed/fc-testbed}
SMOKE=$SRC/../scenarios/testbed/smoke.ini

refused() {
	test_status 2 "$TESTBED" run -d "$TRASH/never" "$@" "$SMOKE" &&
	# Warnings about keys without effect, as the simulator gives, then one line.
	test_expr "$(grep -vc "^fc-testbed run: warning: " "$TEST_ROOT/cmd.err") == 1" &&
	test_path_is_missing "$TRASH/never"
}

test_expect_success 'the mirror policy is refused' '
	refused --set web.policy=mirror &&
	test_stderr_has "smoke.ini: [web] policy: mirror: the testbed runs none, redirect and coop"
'
test_expect_success 'the baselines from the literature are refused' '
	refused --set web.policy=dotslash &&
	test_stderr_has "smoke.ini: [web] policy: dotslash: the testbed runs none, redirect and coop"
'
test_expect_success 'BitTorrent clients are refused' '
	refused --set clients.bittorrent=10% &&
	test_stderr_has "[clients] bittorrent: BitTorrent clients are not on the testbed yet"
'
test_expect_success 'BitTorrent clients are refused under policy none too' '
	refused --set clients.bittorrent=10% --set web.policy=none &&
	test_stderr_has "[clients] bittorrent: BitTorrent clients are not on the testbed yet"
'
test_expect_success 'an initial window other than Linux'"'"'s is refused' '
	refused --set web.initial_window=4 &&
	test_stderr_has "[web] initial_window: the testbed'"'"'s servers have Linux'"'"'s initial window of 10 segments: set 10"
'
test_expect_success 'the clients'"'"' fallback to the next address is refused' '
	refused --set clients.attempt_delay=250ms &&
	test_stderr_has "[clients] attempt_delay: fc-loadgen tries the next address of an answer only after a connection attempt failed (syn_retries), not after this: set 0s"
'
test_expect_success 'fetches through BitTorrent are refused' '
	refused --set coop.transport=bittorrent &&
	test_stderr_has "[coop] transport: bittorrent: the testbed'"'"'s rescuers fetch by HTTP"
'
test_expect_success 'a crash other than the origin'"'"'s is refused' '
	refused --set faults.crash=cooperators --set faults.crash_at=10s &&
	test_stderr_has "[faults] crash: the testbed crashes only the origin"
'
test_expect_success 'a rebooting origin is refused' '
	refused --set faults.crash=origin --set faults.crash_at=10s --set faults.crash_for=5s &&
	test_stderr_has "[faults] crash_for: a crashed origin stays down"
'
test_expect_success 'a TTL of a fraction of a second is refused' '
	refused --set dns.ttl=1500ms &&
	test_stderr_has "[dns] ttl: DNS carries whole seconds"
'
test_expect_success 'a typo in a key is refused as the simulator refuses it' '
	refused --set web.polcy=none &&
	test_stderr_has "polcy"
'
test_expect_success 'a scenario of another model is refused' '
	printf "[run]\nmodel = mmck\n" >m.ini &&
	test_status 2 "$TESTBED" run -d "$TRASH/never" m.ini &&
	test_stderr_has "the testbed runs only web scenarios"
'
test_expect_success 'run without a scenario says how to call it' '
	test_status 2 "$TESTBED" run &&
	test_stderr_has "give one scenario file"
'
test_done
