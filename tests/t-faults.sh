#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Faults on demand ([faults]): the origin killed at 300 s, without a
# flash crowd (2 clients/s), so that only the crash moves the nodes: the
# cooperators' probes find it down, they rescue its site from the copies
# they hold (seed 000 Fig. 8), add their DNS records, and clients get
# pages again.  Times by hand: probes every 10 s without jitter, the
# first at 5 s + 1 ns (half an interval, plus 1 ns), so at 295, 305, 315,
# 325 s (+ 1 ns); the one of 295 s is answered; those of 305, 315 and
# 325 s time out 2 s later, and the third miss (probe_misses = 3) marks
# the origin down at 327 s + 1 ns.
. "$(dirname "$0")/test-lib.sh"

web=$SRC/tests/data/web-small.ini
calm="--set clients.shock=1 --set clients.baseline=2 --set coop.probe_jitter=0
	--set coop.spread=predistributed --set web.sample_interval=10s
	--set faults.crash=origin --set faults.crash_at=300s"

# success DB FROM TO: site.0's pages got over pages asked in the samples
# of (FROM, TO] seconds.
success() {
	sqlite3 -batch "$1" "SELECT sum(CASE WHEN v.name = 'pages_ok' THEN d.value END) / sum(d.value)
	  FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.entity = 'site.0' AND v.name IN ('pages_ok', 'pages_failed')
	    AND d.t_ns > $2e9 AND d.t_ns <= $3e9"
}

test_expect_success 'the origin killed at 300 s: probes find it down at 327 s, the cooperators rescue it (Fig. 8)' - <<-\EOT
	"$FLASHCOOP" run "$web" -q $calm -o crash.db &&
	test_sql crash.db "SELECT t_ns, kind, detail FROM event_log WHERE entity = 'server.0'
	  AND kind IN ('fault', 'crash', 'reboot') ORDER BY seq" "300000000000|fault|crash for the rest of the run
300000000000|crash|" &&
	test_sql crash.db "SELECT count(*), min(t_ns), max(t_ns) FROM event_log
	  WHERE kind = 'peer_down' AND detail = 'server.0'" "5|327000000001|327000000001" &&
	test_sql crash.db "SELECT count(*), min(t_ns), max(t_ns) FROM event_log WHERE kind = 'state'
	  AND detail = 'LOW -> RESCUE: help request, redirected request or peer down (server.0)'" \
		"5|327000000001|327000000001" &&
	test_sql crash.db "SELECT name, value FROM scalar WHERE entity = 'origin'
	  AND name IN ('crashes', 'crash_s', 'time_to_rescue_s') ORDER BY name" "crash_s|300.0
crashes|1.0
time_to_rescue_s|27.000000001"
EOT

# The rescuers hold copies, so each adds its record at once and removes
# the dead origin's (takeover_dns); the updates take effect [dns]
# update_delay = 1 s later: the first rescuer's record in, the origin's
# out, then the four others'.  Clients whose resolvers' answers (TTL 60 s)
# expire find the rescuers, and a client whose answer still names the dead
# origin first tries the next address after [clients] attempt_delay
# (RFC 8305); only the sticky resolvers' clients (5%, holding the origin
# alone for 10 min) still fail.  With neither the removal nor the fallback
# (takeover_dns = false, attempt_delay = 0s) a client kept to the dead
# origin, and fewer pages came in 400-600 s.
test_expect_success '... pages before, none while undetected, most again after the rescue' - <<-\EOT
	test_sql crash.db "SELECT group_concat(value, ' ') FROM (SELECT d.value FROM vector_data d
	  JOIN vector v ON v.id = d.vector_id WHERE v.entity = 'site.0' AND v.name = 'dns_records'
	  AND t_ns = 328000000001 ORDER BY d.rowid)" "2.0 1.0 2.0 3.0 4.0 5.0" &&
	test_expr "$(success crash.db 60 300) > 0.99" &&
	test_sql crash.db "SELECT sum(d.value) FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.entity = 'site.0' AND v.name = 'pages_ok' AND d.t_ns > 300e9 AND d.t_ns <= 320e9" 0.0 &&
	test_expr "$(success crash.db 400 600) > 0.93" &&
	"$FLASHCOOP" run "$web" -q $calm --set clients.attempt_delay=0s \
		--set coop.takeover_dns=false -o nofallback.db &&
	test_expr "$(success nofallback.db 400 600) < 0.85" &&
	test_sql crash.db "SELECT value > 28 AND value < 40 FROM scalar WHERE entity = 'origin'
	  AND name = 'time_to_service_s'" 1
EOT

# Back after 60 s with a fresh node: the next probes (365 s + 1 ns) are
# answered after a round trip of 2 x (2 x 5 ms) and the origin is up again;
# the rescuers put its record back (in force 1 s later) and keep theirs
# while their rescues last.
test_expect_success 'crash_for = 60s: the origin reboots at 360 s and the probes find it up at 365.02 s' - <<-\EOT
	"$FLASHCOOP" run "$web" -q $calm --set faults.crash_for=60s -o back.db &&
	test_sql back.db "SELECT t_ns, kind FROM event_log WHERE entity = 'server.0'
	  AND kind IN ('crash', 'reboot') ORDER BY seq" "300000000000|crash
360000000000|reboot" &&
	test_sql back.db "SELECT count(*), min(t_ns), max(t_ns) FROM event_log
	  WHERE kind = 'peer_up' AND detail = 'server.0'" "5|365020000001|365020000001" &&
	test_sql back.db "SELECT t_ns, value FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.entity = 'site.0' AND v.name = 'dns_records' AND t_ns > 328000000001" \
		"366020000001|6.0" &&
	test_expr "$(success back.db 400 600) > 0.95"
EOT

test_expect_success 'a share of the cooperators: the first floor(share x 5) crash' - <<-\EOT
	"$FLASHCOOP" run "$web" -q --set faults.crash=cooperators --set faults.crash_share=50% \
		--set faults.crash_at=100s -o coops.db &&
	test_sql coops.db "SELECT group_concat(entity) FROM (SELECT entity FROM event_log
	  WHERE kind = 'crash' AND t_ns = 100e9 ORDER BY seq)" "server.1,server.2" &&
	"$FLASHCOOP" run "$web" -q --set faults.crash=cooperator --set faults.crash_cooperator=4 \
		--set faults.crash_at=100s --set faults.crash_for=30s -o coop4.db &&
	test_sql coop4.db "SELECT group_concat(e, ', ') FROM (SELECT entity || ' ' || kind || ' ' ||
	  (t_ns / 1000000000) AS e FROM event_log WHERE kind IN ('crash', 'reboot') ORDER BY seq)" \
		"server.4 crash 100, server.4 reboot 130"
EOT

# Per role: the origin alone gets 20 workers and a 1 Gbit/s uplink (the
# crowd, 40 Mbit/s, then uses 4% of it), or is spared by crash_after.
test_expect_success 'per role: the origin has its own workers and uplink, and crash_after spares a role' - <<-\EOT
	q="SELECT (SELECT value FROM scalar WHERE entity = 'origin' AND name = 'crashes'),
	  (SELECT max(d.value) FROM vector_data d JOIN vector v ON v.id = d.vector_id
	   WHERE v.entity = 'server.0' AND v.name = 'busy'),
	  (SELECT max(d.value) < 0.1 FROM vector_data d JOIN vector v ON v.id = d.vector_id
	   WHERE v.entity = 'server.0' AND v.name = 'uplink_use')" &&
	"$FLASHCOOP" run "$web" -q --set web.policy=none --set web.crash_after=5s -o all.db 2>/dev/null &&
	test_sql all.db "$q" "1.0|150.0|0" &&
	"$FLASHCOOP" run "$web" -q --set web.policy=none --set web.crash_after=5s \
		--set web.crash_roles=cooperators -o spared.db 2>/dev/null &&
	test_sql spared.db "$q" "0.0|150.0|0" &&
	"$FLASHCOOP" run "$web" -q --set web.policy=none --set web.origin_workers=20 \
		--set web.origin_uplink=1Gbit/s -o big.db 2>/dev/null &&
	test_sql big.db "$q" "0.0|20.0|1" &&
	test_sql big.db "SELECT value FROM scalar WHERE entity = 'site.0' AND name = 'success_ratio'" 1.0
EOT

# sum DB NAME FROM TO: the site.0 series NAME summed over the samples of
# (FROM, TO] seconds.
sum() {
	sqlite3 -batch "$1" "SELECT sum(d.value) FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.entity = 'site.0' AND v.name = '$2' AND d.t_ns > $3e9 AND d.t_ns <= $4e9"
}

# The DNS authority down from 100 s to 160 s: resolvers whose answers
# (TTL 60 s) expire get none, and their clients fail; those still holding
# an answer get their pages.  No page fails outside the outage.
test_expect_success 'the DNS authority down for 60 s: lookups that miss the caches fail, only then' - <<-\EOT
	"$FLASHCOOP" run "$web" -q --set clients.shock=1 --set clients.baseline=2 \
		--set web.sample_interval=10s --set faults.dns_down_at=100s \
		--set faults.dns_down_for=60s -o dns.db &&
	test_sql dns.db "SELECT t_ns, kind FROM event_log WHERE entity = 'dns' ORDER BY seq" \
		"100000000000|down
160000000000|up" &&
	test_expr "$(sum dns.db pages_failed 100 160) > 20 && $(sum dns.db pages_ok 100 160) > 0" &&
	test_sql dns.db "SELECT sum(d.value) FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.entity = 'site.0' AND v.name = 'pages_failed' AND (d.t_ns <= 100e9 OR d.t_ns > 170e9)" 0.0 &&
	test_sql dns.db "SELECT value > 0 FROM scalar WHERE entity = 'all' AND name = 'dns_failed_queries'" 1
EOT

# The rescuers' updates of 327 s + 1 ns wait for the authority, back at
# 400 s: their 5 records in, the dead origin's out.
test_expect_success '... and dynamic updates sent while it is down take effect when it is back' - <<-\EOT
	"$FLASHCOOP" run "$web" -q $calm --set faults.dns_down_at=320s --set faults.dns_down_for=80s \
		-o dnscrash.db &&
	test_sql dnscrash.db "SELECT min(t_ns), max(value) FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.entity = 'site.0' AND v.name = 'dns_records' AND t_ns > 0" "400000000000|5.0" &&
	test_expr "$(sum dnscrash.db pages_ok 300 400) == 0 && $(success dnscrash.db 450 600) > 0.93"
EOT

test_expect_success 'a fault key with crash = none is warned about' '
	"$FLASHCOOP" run "$web" -q --set faults.crash_at=100s -o warn.db 2>err &&
	grep -q "crash_at has no effect: \[faults\] crash is none" err
'

test_done
