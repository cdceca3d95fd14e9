#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The key index model (models/winny/index.c, run.model = winny-index):
# cases small enough to compute by hand, the rules of the key table, the
# same results twice, bad input, and the figures.  The reproductions of
# seed 002's Figs. 10 and 13 at the seed's settings are
# tests/validate-winny-index.sh (make validate).
. "$(dirname "$0")/test-lib.sh"

# Three nodes: one fast relay F, the uploader U and the survey peer S.
# Each opens one link upstream (F has nowhere to go), so every node is
# within 2 hops of every other and the survey's query (3 hops) reaches U
# whenever U has a link.  U puts its key on its links every second, so
# the largest TTL found is within 1 s of the full TTL (100 s here).  The
# decoys take U's slots from 200 s on; its last link ends by 200 s +
# link_life_max (20 s), after which nobody gets a fresh key: the TTL the
# survey finds falls by exactly 1 a second (TTL + t constant) and no key
# is left once the last copy's 100 s are out, before 200 + 20 + 1 + 100 s.
tiny="--set run.duration=400s --set run.warmup=0s --set index.fast=1 --set index.middle=0
	--set index.slow=0 --set index.downloaders=0 --set index.survey=true --set index.files=1
	--set index.up_links=1 --set index.down_links=2 --set index.ttl=100s
	--set index.link_life=10s --set index.link_life_max=20s --set index.query_interval=5s
	--set index.control=decoys --set index.control_start=200s"

ttl_sql="SELECT d.t_ns / 1e9 AS t, d.value AS ttl FROM vector v JOIN vector_data d
	ON d.vector_id = v.id WHERE v.entity = 'survey' AND v.name = 'ttl'"

test_expect_success 'three nodes: before control, the TTL found is within 1 s of the full TTL' '
	printf "[run]\nmodel = winny-index\n" >ix.ini &&
	"$FLASHCOOP" run -q ix.ini $tiny -o tiny.db &&
	test_sql tiny.db "SELECT count(*) >= 35, min(ttl) > 99, max(ttl) <= 100 FROM ($ttl_sql) WHERE t < 200" "1|1|1"
'

test_expect_success '  ... after it, the TTL falls by exactly 1 a second' '
	test_sql tiny.db "SELECT count(*) >= 10, max(ttl + t) - min(ttl + t) < 1e-6,
		min(ttl + t) >= 200 + 99, max(ttl + t) <= 200 + 20 + 1 + 100
		FROM ($ttl_sql) WHERE t > 222" "1|1|1|1"
'

test_expect_success '  ... and the survey finds nothing once the last copy is out' '
	test_sql tiny.db "SELECT count(*) FROM ($ttl_sql) WHERE t > 200 + 20 + 1 + 100" 0 &&
	test_sql tiny.db "SELECT count(*) > 0, sum(d.value) FROM vector v JOIN vector_data d
		ON d.vector_id = v.id WHERE v.entity = '\''survey'\'' AND v.name = '\''files_found'\''
		AND d.t_ns > 321e9" "1|0.0" &&
	test_sql tiny.db "SELECT value > 0 FROM scalar WHERE entity = '\''index'\'' AND name = '\''keys_to_decoys'\''" 1
'

test_expect_success '  ... without control the keys stay fresh to the end' '
	"$FLASHCOOP" run -q ix.ini $tiny --set index.control=none \
		--set index.control_start=0s -o none.db &&
	test_sql none.db "SELECT count(*) >= 75, min(ttl) > 99 FROM ($ttl_sql)" "1|1"
'

# The testbed of Fig. 13 without control: every download completes, in at
# least the time the uploader's uplink needs for the five of them at once
# (5 x 64 MiB over 10 Mbit/s: 268 s) less what the first ones got alone,
# and no download ever tried a location that does not exist.
test_expect_success 'poisoning: without threads every download completes' '
	"$FLASHCOOP" run -q "$SRC/scenarios/winny/poisoning.ini" --set index.threads=0 \
		--set run.duration=30min -o p0.db &&
	test_sql p0.db "SELECT value FROM scalar WHERE entity = '\''download'\'' AND name IN
		('\''done'\'', '\''missing'\'', '\''fake_connects'\'') ORDER BY name" "5.0
0.0
0.0" &&
	test_sql p0.db "SELECT count, max > 268 * 0.6, max < 400 FROM statistic
		WHERE entity = '\''download'\'' AND name = '\''time_s'\''" "5|1|1"
'

# Dummy keys everywhere: 20 threads injecting 10 a second each, a minute
# before the downloaders start.  Under "latest" the uploader keeps the
# dummy as soon as one reaches it and diffuses it as its own: the
# downloaders find only dummies (and pay for their unanswered SYNs), the
# genuine key is gone from every node, and nothing completes, whether a
# downloader goes by its own key table or tries every location found.
test_expect_success 'poisoning: a flood of dummies stops the downloads' '
	"$FLASHCOOP" run -q "$SRC/scenarios/winny/poisoning.ini" --set index.threads=20 \
		--set index.thread_rate=10 --set index.rewrite=latest --set index.download_start=60s \
		--set run.duration=30min -o pl.db &&
	test_sql pl.db "SELECT value FROM scalar WHERE entity = '\''download'\'' AND name = '\''done'\''" 0.0 &&
	test_sql pl.db "SELECT value > 0 FROM scalar WHERE entity = '\''download'\'' AND name = '\''fake_connects'\''" 1 &&
	test_sql pl.db "SELECT max(d.value) FROM vector v JOIN vector_data d ON d.vector_id = v.id
		WHERE v.name = '\''genuine_holders'\'' AND d.t_ns > 600e9" 0.0 &&
	"$FLASHCOOP" run -q "$SRC/scenarios/winny/poisoning.ini" --set index.threads=20 \
		--set index.thread_rate=10 --set index.rewrite=latest --set index.download_start=60s \
		--set index.pick=all --set run.duration=30min -o pa.db &&
	test_sql pa.db "SELECT value FROM scalar WHERE entity = '\''download'\'' AND name = '\''done'\''" 0.0
'

test_expect_success 'the same seed gives the same results' '
	"$FLASHCOOP" run -q "$SRC/scenarios/winny/poisoning.ini" --set index.threads=3 \
		--set run.duration=30min -o s1.db &&
	"$FLASHCOOP" run -q "$SRC/scenarios/winny/poisoning.ini" --set index.threads=3 \
		--set run.duration=30min -o s2.db &&
	test_same_results s1.db s2.db
'

test_expect_success 'bad input: one line naming the key, exit status 2' '
	test_status 2 "$FLASHCOOP" run ix.ini --set index.control=decoy -o bad.db &&
	test_stderr_has "[index] control" && test_stderr_lines 1 &&
	test_status 2 "$FLASHCOOP" run ix.ini --set index.leak=1 -o bad.db &&
	test_stderr_has "[index] leak" && test_stderr_lines 1 &&
	test_status 2 "$FLASHCOOP" run ix.ini --set index.link_life=5min -o bad.db &&
	test_stderr_has "link_life_max" && test_stderr_lines 1
'

if command -v gnuplot >/dev/null 2>&1; then
	test_expect_success 'the figures are drawn from the runs' '
		sh "$SRC/tools/winny-index-figures.sh" tiny.db figs >out.txt &&
		test -s figs/winny-control.png && test -s figs/winny-control.pdf &&
		sh "$SRC/tools/winny-index-figures.sh" p0.db figs >out.txt &&
		test -s figs/winny-poisoning.png &&
		test_status 2 sh "$SRC/tools/winny-index-figures.sh" nothere.db figs &&
		test_stderr_has "nothere.db"
	'
fi

test_done
