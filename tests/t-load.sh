#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The load a server reports to its node (docs/load.md), in the web model
# (tests/data/web-small.ini: clients asking about twice what the origin's
# uplink carries, from 90 s to 330 s): a figure of demand that exceeds 1
# in overload, so that share = feedback redirects the excess; the paper's
# figures of use, at most 1, as an option; each component recorded; and a
# smoothed load that starts from 0, so that a burst at the start does not
# make a flash crowd.
. "$(dirname "$0")/test-lib.sh"

web=$SRC/tests/data/web-small.ini

# share DB: the share of server.0's requests it redirected in the
# samples of (130 s, 330 s], when the crowd is steady.
share() {
	sqlite3 -batch "$1" "SELECT sum(CASE WHEN v.name = 'redirected' THEN d.value END) / sum(d.value)
	  FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.entity = 'server.0' AND v.name IN ('served', 'redirected')
	    AND d.t_ns > 130e9 AND d.t_ns <= 330e9"
}

# mean DB ENTITY NAME: the mean of a series over the same samples.
mean() {
	sqlite3 -batch "$1" "SELECT avg(d.value) FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.entity = '$2' AND v.name = '$3' AND d.t_ns > 130e9 AND d.t_ns <= 330e9"
}

ratio() {
	sqlite3 -batch "$1" "SELECT value FROM scalar WHERE entity = 'site.0' AND name = 'success_ratio'"
}

feedback="--set web.policy=redirect --set coop.share=feedback --set coop.target_load=0.8
	--set web.sample_interval=10s"

# The origin's load is about 2 (twice what its uplink carries): with a
# target of 0.8, share = feedback redirects 1 - 0.8/2 = 0.6 of its
# requests, and the share follows the load it measures, 1 - 0.8/load.
test_expect_success 'load = demand: share = feedback redirects the excess in overload (2.0, 0.8 -> 0.6)' '
	"$FLASHCOOP" run "$web" -q $feedback -o fb.db &&
	s=$(share fb.db) && l=$(mean fb.db server.0 load) &&
	test_expr "$l > 1.8 && $l < 2.3" &&
	test_expr "$s > 0.55 && $s < 0.65" &&
	test_expr "$s - (1 - 0.8 / $l) < 0.03 && (1 - 0.8 / $l) - $s < 0.03" &&
	test_expr "$(ratio fb.db) > 0.99"
'

# The paper's figures are at most 1: the same rule redirects at most
# 1 - 0.8/1 = 0.2, and the uplink stays overloaded.
test_expect_success 'load = paper: figures of use, at most 1; share = feedback redirects at most 0.2' '
	"$FLASHCOOP" run "$web" -q $feedback --set coop.load_form=paper -o fbp.db &&
	s=$(share fbp.db) &&
	test_expr "$s > 0.15 && $s < 0.22" &&
	test_sql fbp.db "SELECT max(d.value) <= 1 FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.name = '\''load'\''" 1 &&
	test_expr "$(ratio fbp.db) < 0.9"
'

# Each component is a series of every server: busy workers, waiting
# connections, uplink use and demand, and the load.  Without a node
# (policy none) the load is the largest figure at the sample: (busy +
# waiting)/workers reaches (150 + 511)/150 = 4.41 when the backlog fills.
test_expect_success 'the load components are recorded per server; without redirects the demand exceeds 1' '
	"$FLASHCOOP" run "$web" -q --set web.policy=none --set web.sample_interval=10s -o none.db 2>/dev/null &&
	test_sql none.db "SELECT count(DISTINCT v.entity) FROM vector v WHERE v.name IN
	  ('\''busy'\'', '\''backlog'\'', '\''uplink_use'\'', '\''uplink_demand'\'', '\''load'\'')
	  GROUP BY v.name" "6
6
6
6
6" &&
	test_sql none.db "SELECT max(d.value) > 1 AND max(d.value) <= (150 + 511) / 150.0
	  FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.entity = '\''server.0'\'' AND v.name = '\''load'\''" 1 &&
	test_expr "$(mean fb.db server.0 uplink_demand) > 1.5"
'

# Copies downloaded from the swarms at time 0 fill the uplinks of the
# five servers that seed them in the first second.  The smoothed load
# starts from 0 (EWMA, 10 s): the report of 1 s, uplink full, makes it
# 1 - e^(-1/10) = 0.095 (a report comes before the sample of the same
# second), and no node enters FLASH before the crowd (60 s, ramp up to
# 90 s).  The load used to start at the first sample, 1, and every node
# entered FLASH at 1 s.
test_expect_success 'a burst at the start puts no node in FLASH' '
	"$FLASHCOOP" run "$web" -q --set coop.spread=predistributed \
		--set coop.predistribution=bittorrent --set web.sample_interval=1s -o burst.db &&
	test_sql burst.db "SELECT count(*) FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.name = '\''uplink_use'\'' AND d.t_ns = 1e9 AND d.value > 0.999999" 5 &&
	test_sql burst.db "SELECT count(*) FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.name = '\''load'\'' AND d.t_ns = 1e9 AND abs(d.value - (1 - exp(-0.1))) < 1e-9" 5 &&
	test_sql burst.db "SELECT min(t_ns) > 60e9 FROM event_log WHERE kind = '\''state'\''
	  AND detail LIKE '\''LOW -> FLASH%'\''" 1
'

test_expect_success 'a load_form that does not exist is bad input (2), named' '
	test_status 2 "$FLASHCOOP" run "$web" -q --set coop.load_form=demands -o bad.db &&
	test_stderr_has load_form &&
	test_path_is_missing bad.db
'

test_done
