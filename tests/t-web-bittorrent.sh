#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The web model with clients that fetch pages through BitTorrent
# themselves: deterministic, conserving, the clients serving each other,
# still getting their pages when every server is down (Figs. 6, 9), and
# the same clients under every policy.
. "$(dirname "$0")/test-lib.sh"

web=$SRC/tests/data/web-small.ini
conserved=$(cat "$SRC/tests/data/web-conserved.sql")

test_expect_success 'web model with BitTorrent clients: same seed twice, identical results' '
	"$FLASHCOOP" run "$web" -q --set clients.bittorrent=30% --set clients.shock=40 -o wb1.db &&
	"$FLASHCOOP" run "$web" -q --set clients.bittorrent=30% --set clients.shock=40 -o wb2.db &&
	test_same_results wb1.db wb2.db
'

test_expect_success 'web model with BitTorrent clients: sessions and bytes conserved, clients serve each other' - <<-\EOT
	test_sql wb1.db "$conserved" 1 &&
	test_sql wb1.db "SELECT (SELECT value FROM scalar WHERE entity = 'clients' AND name = 'bt_bytes_sent')
	  > 10 * (SELECT value FROM scalar WHERE entity = 'origin' AND name = 'bt_bytes_sent')" 1 &&
	test_sql wb1.db "SELECT (SELECT value FROM scalar WHERE entity = 'site.0' AND name = 'bt_pages_ok')
	  > 0.95 * (SELECT value FROM scalar WHERE entity = 'site.0' AND name = 'bt_sessions')" 1 &&
	test_sql wb1.db "SELECT max(d.value) > 100 FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.name = 'replicas_clients'" 1
EOT

test_expect_success 'web model: with every server down, BitTorrent clients still get their pages (Figs. 6, 9)' - <<-\EOT
	"$FLASHCOOP" run "$web" -q --set clients.bittorrent=10% --set clients.sustained=120s \
		--set web.cooperators=0 --set web.crash_after=5s --set web.reboot_delay=120s -o wd.db &&
	test_sql wd.db "SELECT value >= 1 FROM scalar WHERE entity = 'origin' AND name = 'crashes'" 1 &&
	test_sql wd.db "SELECT b.value > 100 AND bo.value > 0.95 * b.value
	  AND (ao.value - bo.value) < 0.2 * (a.value - b.value)
	  FROM scalar a, scalar ao, scalar b, scalar bo
	  WHERE a.entity = 'site.0' AND a.name = 'dark_sessions'
	  AND ao.entity = 'site.0' AND ao.name = 'dark_pages_ok'
	  AND b.entity = 'site.0' AND b.name = 'bt_dark_sessions'
	  AND bo.entity = 'site.0' AND bo.name = 'bt_dark_pages_ok'" 1
EOT

# The clients are the same under every policy: BitTorrent clients take the
# site from the swarm its origin seeds under none and redirect, every
# mirror too under mirror; sessions and bytes are conserved, nearly every
# BitTorrent client gets its page, and the clients upload several times
# what the origin does.  Under mirror every server seeds site 0's torrent.
test_expect_success 'BitTorrent clients under every policy: the same population, served by the swarm' - <<-\EOT
	for p in none redirect mirror; do
		"$FLASHCOOP" run "$web" -q --set web.policy=$p --set clients.bittorrent=30% \
			--set clients.shock=40 -o p-$p.db 2>/dev/null &&
		test_sql p-$p.db "$conserved" 1 &&
		test_sql p-$p.db "SELECT b.value > 1000 AND bo.value > 0.95 * b.value
		  FROM scalar b, scalar bo WHERE b.entity = 'site.0' AND b.name = 'bt_sessions'
		  AND bo.entity = 'site.0' AND bo.name = 'bt_pages_ok'" 1 &&
		test_sql p-$p.db "SELECT (SELECT value FROM scalar WHERE entity = 'clients' AND name = 'bt_bytes_sent')
		  > 3 * (SELECT value FROM scalar WHERE entity = 'origin' AND name = 'bt_bytes_sent')" 1 &&
		test_sql p-$p.db "SELECT value FROM scalar WHERE entity = 'site.0' AND name = 'bt_sessions'" \
			"$(sqlite3 wb1.db "SELECT value FROM scalar WHERE entity = 'site.0' AND name = 'bt_sessions'")" ||
		exit 1
	done &&
	test_sql p-none.db "SELECT value = 0 FROM scalar WHERE entity = 'site.0' AND name = 'bt_bytes_cooperators'" 1 &&
	test_sql p-mirror.db "SELECT value > 0 FROM scalar WHERE entity = 'site.0' AND name = 'bt_bytes_cooperators'" 1
EOT

test_done
