#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Per-site accounting of the web model: the bytes and pages of each group
# of sites by the role of who served them add up to the totals, and the
# query of docs/results.md gives the cooperators' share of the flash site.
. "$(dirname "$0")/test-lib.sh"

cp "$SRC"/tests/data/web-small.ini .

# total DB ENTITY NAMES...: the sum of the scalars NAMES of ENTITY.
total() {
	db=$1 entity=$2
	shift 2
	names=$(printf "'%s'," "$@")
	test_sqlite3 "$db" "SELECT printf('%d', sum(value)) FROM scalar
	  WHERE entity = '$entity' AND name IN (${names%,})"
}

test_expect_success 'setup: coop with BitTorrent clients, and redirect' '
	"$FLASHCOOP" run web-small.ini -q -o coop.db --set clients.bittorrent=30% &&
	"$FLASHCOOP" run web-small.ini -q -o redir.db --set web.policy=redirect
'

for db in coop redir; do
	test_expect_success "$db: HTTP bytes by site add up to the servers' bytes_sent" "
		a=\$(total $db.db site.0 http_bytes_origin http_bytes_cooperators \
			fetch_bytes_origin fetch_bytes_cooperators) &&
		b=\$(total $db.db site.others http_bytes_origin http_bytes_cooperators \
			fetch_bytes_origin fetch_bytes_cooperators) &&
		c=\$(total $db.db origin bytes_sent) && d=\$(total $db.db cooperators bytes_sent) &&
		test_expr \"\$a + \$b == \$c + \$d && \$a > 0 && \$b > 0\"
	"
	test_expect_success "$db: pages by who served them add up to pages_ok" "
		for g in site.0 site.others; do
			test \"\$(total $db.db \$g pages_origin pages_cooperators pages_bittorrent)\" = \
			     \"\$(total $db.db \$g pages_ok)\" || return 1
		done
	"
done

test_expect_success 'coop: BitTorrent bytes by site add up to the bt_bytes_sent of all roles' '
	a=$(total coop.db site.0 bt_bytes_origin bt_bytes_cooperators bt_bytes_clients) &&
	b=$(total coop.db site.others bt_bytes_origin bt_bytes_cooperators bt_bytes_clients) &&
	c=$(total coop.db origin bt_bytes_sent) && d=$(total coop.db cooperators bt_bytes_sent) &&
	e=$(total coop.db clients bt_bytes_sent) &&
	test_expr "$a + $b == $c + $d + $e && $(total coop.db site.0 bt_bytes_clients) > 0"
'

test_expect_success 'the flash site: its origin is server.0, its cooperators the others' '
	test "$(total redir.db site.0 http_bytes_origin fetch_bytes_origin)" = \
	     "$(total redir.db origin bytes_sent)" &&
	test_expr "$(total redir.db site.0 fetch_bytes_origin) > 0"
'

test_expect_success 'the query of docs/results.md: the cooperators'"'"' share of site 0' '
	sed -n "/tested by tests\/t-accounting.sh/,/^\`\`\`\$/p" "$SRC"/docs/results.md |
		sed "1,2d;\$d" >share.sql &&
	grep -q "cooperators_share" share.sql &&
	got=$(test_sqlite3 coop.db <share.sql) &&
	want=$(test_sqlite3 coop.db "SELECT 1, (SELECT sum(value) FROM scalar
	  WHERE entity = '\''site.0'\'' AND name IN
	  ('\''http_bytes_cooperators'\'', '\''bt_bytes_cooperators'\''))
	  / (SELECT sum(value) FROM scalar WHERE entity = '\''site.0'\'' AND
	  (name LIKE '\''http_bytes_%'\'' OR name LIKE '\''bt_bytes_%'\''))") &&
	test "$got" = "$want" &&
	test_expr "$(echo "$got" | cut -d"|" -f2) > 0 && $(echo "$got" | cut -d"|" -f2) < 1"
'

test_done
