#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# fc-testbed import: a hand-written run directory of two servers and 14
# visits, whose scalars, vectors and events are worked out by hand below,
# imported next to a simulated run of the same scenario; a second import
# refused, --replace; bad input refused with nothing written.
. "$(dirname "$0")/../../tests/test-lib.sh"

TESTBED=${TESTBED:-$(dirname "$FLASHCOOP")/testbed/fc-testbed}

# The run starts at S = 1796000000 s (CLOCK_REALTIME) and lasts 12 s.
# ns X: the instant S + X seconds in nanoseconds; ap X: in Apache's %{sec}t.%{usec_frac}t.
ns() { awk -v x="$1" 'BEGIN { s = int(x); if (s > x) s--; printf "%d%09d\n", 1796000000 + s, (x - s) * 1e9 + 0.5 }'; }
ap() { awk -v x="$1" 'BEGIN { s = int(x); if (s > x) s--; printf "%d.%06d\n", 1796000000 + s, (x - s) * 1e6 + 0.5 }'; }

cat >tb.ini <<-\EOF_INI
	[run]
	model = web
	seed = 3
	warmup = 2s
	duration = 10s
	[web]
	cooperators = 1
	policy = coop
	sample_interval = 2s
	uplink = 10Mbit/s
	[coop]
	transport = http
	[clients]
	baseline = 2
	shock = 10
	start = 3s
	ramp_up = 1s
	sustained = 4s
	ramp_down = 1s
	other_sites = 1
	[site]
	pages = 5
	[faults]
	crash = origin
	crash_at = 8s
EOF_INI

mkdir -p run/s0 run/s1 run/clients
cp tb.ini run/scenario.ini
cat >run/run.ini <<EOF_INI
[run]
scenario = scenario.ini
set = run.seed=4;
replication = 0
start_ns = $(ns 0)
end_ns = $(ns 12)
status = done
[server 0]
node = 1
address = 10.77.1.2
log = s0/noded.log
access_log = s0/access.log
workers = 50
uplink_bps = 10000000
killed_ns = $(ns 8)
[server 1]
node = 2
address = 10.77.2.2
log = s1/noded.log
access_log = s1/access.log
workers = 50
uplink_bps = 10000000
[clients]
visits = clients/visits.tsv
requests = clients/visits-requests.tsv
EOF_INI

T='	'
# The origin's daemon: loads at 1, 3, 4 and 5 s (busy not measured in the
# last), FLASH at 3.5 s, a DNS record for the cooperator at 5 s.
cat >run/s0/noded.log <<EOF_LOG
$(ns -1)${T}event${T}start${T}node 1 pid 100 udp 7010
$(ns 1)${T}load${T}5${T}50${T}0${T}511${T}1000000${T}10000000${T}0.1${T}LOW
$(ns 3)${T}load${T}45${T}50${T}10${T}511${T}9000000${T}10000000${T}0.9${T}LOW
$(ns 3.5)${T}event${T}state${T}LOW -> FLASH: load above threshold
$(ns 4)${T}load${T}50${T}50${T}100${T}511${T}10000000${T}10000000${T}1.2${T}FLASH
$(ns 5)${T}event${T}dns_add${T}site 0 address 10.77.2.2
$(ns 5)${T}load${T}-${T}-${T}20${T}511${T}-${T}-${T}1.1${T}FLASH
$(ns 13)${T}event${T}stop${T}node 1
EOF_LOG
# The cooperator: rescues the origin at 3.6 s, fetches an object, ends the
# rescue at 7 s, sees the origin down at 8.5 s and rescues it again at 9 s
# (1 s after the origin was killed: time_to_rescue_s).
cat >run/s1/noded.log <<EOF_LOG
$(ns 0.5)${T}event${T}peer_up${T}node 1
$(ns 2)${T}load${T}2${T}50${T}0${T}511${T}100000${T}10000000${T}0.05${T}LOW
$(ns 3.6)${T}event${T}state${T}LOW -> RESCUE: help request, redirected request or peer down (node 1)
$(ns 4)${T}event${T}fetch_start${T}site 0 object 1024 from node 1
$(ns 4.2)${T}event${T}fetch_done${T}site 0 object 1024 from node 1
$(ns 7)${T}event${T}state${T}RESCUE -> LOW: the last rescue ends
$(ns 8.5)${T}event${T}peer_down${T}node 1
$(ns 9)${T}event${T}state${T}LOW -> RESCUE: help request, redirected request or peer down (node 1)
EOF_LOG
# Apache: the origin serves 5000 B to the cooperator's fetch (its bytes
# count from here), one redirect; a request before the start and one for
# another path do not count.  What the servers sent to clients counts from
# the clients' requests below, not from these lines.
cat >run/s0/access.log <<EOF_LOG
$(ap -5) 10.77.210.2 200 999 100 "/s0/o/0" ""
$(ap 1) 10.77.210.2 200 1000 100 "/s0/o/0" ""
$(ap 1.1) 10.77.210.2 200 2000 100 "/s0/o/1" ""
$(ap 3) 10.77.210.2 302 - 50 "/s0/o/0" ""
$(ap 4.1) 10.77.2.2 200 5000 300 "/fcfetch/0/o/1024" ""
$(ap 5) 10.77.210.2 200 800 10 "/server-status" "auto"
EOF_LOG
cat >run/s1/access.log <<EOF_LOG
$(ap 3.1) 10.77.210.2 200 1000 100 "/s0/o/0" "fctok=00ff"
$(ap 3.2) 10.77.210.2 200 2000 100 "/s0/o/1" ""
$(ap 6) 10.77.210.2 200 700 100 "/s1/o/0" ""
EOF_LOG

# The visits: ID FLAGS SITE START END OUTCOME REASON (seconds from the start).
cat >visits.spec <<\EOF_SPEC
1 warmup 0 1.0 1.2 ok -
2 - 0 2.5 3.5 ok -
3 - 0 3.0 3.5 ok -
4 - 0 4.0 9.0 abandoned patience_ran_out
5 - 0 5.0 5.5 failed http_503_from_http://site0.flash.test/s0/o/0
6 - 0 6.0 6.2 failed dns:_site0.flash.test:_Domain_name_not_found
7 - 0 8.5 8.9 failed Couldn't_connect_to_server_(10.77.1.2:80)
8 - 0 9.0 10.0 ok -
9 - 1 5.5 6.0 ok -
10 - 1 7.0 7.5 failed redirect:_more_than_5_redirects
11 - 0 11.0 12.5 stopped the_load_generator_was_stopped
12 bt 0 4.0 4.0 bt driven_through_aria2
13 warmup 0 1.5 1.9 failed dns:_site0.flash.test:_Domain_name_not_found
14 - 0 10.5 11.5 ok -
EOF_SPEC
while read -r id flags site start end outcome reason; do
	time=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%d", (b - a) * 1e9 + 0.5 }')
	printf '%s\t%s\tsite%s.flash.test\t%s\t%s\t%s\t%s\t%s\t2\t2\t2\t3000\t0\t-\t-\t%s\n' \
		"$id" "$flags" "$site" "$(ns "$start")" "$(ns "$start")" "$(ns "$end")" \
		"$outcome" "$(echo "$reason" | tr _ ' ')" "$time"
done <visits.spec >run/clients/visits.tsv
# The pages of the ok visits: 1 and 3 from the origin, 2 redirected to the
# cooperator, 8 and 14 from the cooperator, 9 from server 1 (site 1's origin).
# Each brought 1000 B: site 0's origin sent 4000 B (the 302's and the
# 503's bodies too) and 2 whole objects, its cooperator 3000 B and 3, and
# server 1 1000 B of its own site 1.
req() { printf '%s\t0\thttp://site%s.flash.test/s%s/o/0\t%s\t%s\t%s\t0\t1000\t2000\t%s\t1000\t1\t0\t-\n' \
	"$1" "$2" "$2" "$3" "$(ns 1)" "$(ns 2)" "$4"; }
{
	req 1 0 10.77.1.2 200
	req 2 0 10.77.1.2 302
	req 2 0 10.77.2.2 200
	req 3 0 10.77.1.2 200
	req 5 0 10.77.1.2 503
	req 8 0 10.77.2.2 200
	req 9 1 10.77.2.2 200
	req 14 0 10.77.2.2 200
} >run/clients/visits-requests.tsv

scalar() { echo "SELECT printf('%.6g', value) FROM scalar WHERE run_id = $1 AND entity = '$2' AND name = '$3'"; }
dump() { sqlite3 "$1" .dump; }

test_expect_success 'a simulated run and the imported run of the same scenario' '
	"$FLASHCOOP" run -q --set run.seed=4 tb.ini -o r.db &&
	"$TESTBED" import -o r.db run &&
	test_sql r.db "SELECT id, status, replication FROM run ORDER BY id" "1|done|0
2|done|0" &&
	test_sql r.db "SELECT value FROM param WHERE run_id = 2 AND name = '\''run.platform'\''" testbed &&
	test_sql r.db "SELECT overrides FROM run WHERE id = 2" "run.seed=4
run.platform=testbed" &&
	test_sql r.db "SELECT count(*) FROM param a JOIN param b ON a.name = b.name
		WHERE a.run_id = 1 AND b.run_id = 2 AND a.value IS NOT b.value" 1 &&
	test_sql r.db "SELECT (SELECT point_key FROM run WHERE id = 1) != point_key FROM run WHERE id = 2" 1 &&
	test_sql r.db "SELECT sim_end_ns, wall_s, started FROM run WHERE id = 2" \
		"12000000000|12.0|2026-11-30T00:53:20Z"
'

test_expect_success 'the scalars, worked out by hand' '
	for q in "site.0 sessions 9" "site.0 pages_ok 4" "site.0 pages_impatient 1" \
		"site.0 pages_not_found 1" "site.0 pages_no_server 2" "site.0 success_ratio 0.5" \
		"site.0 pages_origin 1" "site.0 pages_cooperators 3" "site.0 pages_bittorrent 0" \
		"site.others sessions 2" "site.others pages_ok 1" "site.others pages_not_found 1" \
		"site.others pages_no_server 0" "site.others success_ratio 0.5" \
		"site.others pages_origin 1" "site.others pages_cooperators 0" \
		"origin bytes_sent 9000" "cooperators bytes_sent 4000" "origin crashes 1" \
		"all crashes 1" "all redirects 1" "all sessions_in_progress 1" \
		"site.0 http_bytes_origin 4000" "site.0 fetch_bytes_origin 5000" \
		"site.0 objects_origin 2" "site.0 http_bytes_cooperators 3000" \
		"site.0 objects_cooperators 3" "site.0 fetch_bytes_cooperators 0" \
		"site.others http_bytes_origin 1000" "site.others objects_origin 1" \
		"site.others http_bytes_cooperators 0" \
		"origin crash_s 8" "origin time_to_rescue_s 1" "origin time_to_service_s 2"
	do
		set -- $q &&
		test_sql r.db "$(scalar 2 $1 $2)" "$3" || exit 1
	done &&
	test_sql r.db "SELECT entity, count, mean, min, max, p50 FROM statistic WHERE run_id = 2 ORDER BY entity" \
		"site.0|4|0.875|0.5|1.0|1.0
site.others|1|0.5|0.5|0.5|0.5"
'

test_expect_success 'the vectors: counts per interval, the last load line at each sample' '
	vec() { echo "SELECT group_concat((d.t_ns / 1000000000) || '\'':'\'' || d.value, '\'' '\'')
		FROM vector_data d JOIN vector v ON v.id = d.vector_id
		WHERE v.run_id = 2 AND v.entity = '\''$1'\'' AND v.name = '\''$2'\'' ORDER BY d.rowid"; } &&
	test_sql r.db "$(vec server.0 connections)" "2:2.0 4:1.0 6:1.0 8:0.0 10:0.0 12:0.0" &&
	test_sql r.db "$(vec server.0 served)" "2:2.0 4:0.0 6:1.0 8:0.0 10:0.0 12:0.0" &&
	test_sql r.db "$(vec server.0 redirected)" "2:0.0 4:1.0 6:0.0 8:0.0 10:0.0 12:0.0" &&
	test_sql r.db "$(vec server.1 served)" "2:0.0 4:2.0 6:1.0 8:0.0 10:0.0 12:0.0" &&
	test_sql r.db "$(vec server.0 busy)" "2:5.0 4:50.0" &&
	test_sql r.db "$(vec server.0 backlog)" "2:0.0 4:100.0 6:20.0 8:20.0 10:20.0 12:20.0" &&
	test_sql r.db "$(vec server.0 load)" "2:0.1 4:1.2 6:1.1 8:1.1 10:1.1 12:1.1" &&
	test_sql r.db "$(vec server.0 uplink_use)" "2:0.1 4:1.0" &&
	test_sql r.db "$(vec server.1 state)" "0:0.0 3:2.0 7:0.0 9:2.0" &&
	test_sql r.db "$(vec site.0 pages_ok)" "2:1.0 4:2.0 6:0.0 8:0.0 10:1.0 12:1.0" &&
	test_sql r.db "$(vec site.0 pages_failed)" "2:1.0 4:0.0 6:1.0 8:1.0 10:2.0 12:0.0" &&
	test_sql r.db "$(vec site.0 success_ratio)" "2:0.5 4:1.0 6:0.0 8:0.0 10:0.333333333333333 12:1.0" &&
	test_sql r.db "$(vec site.0 page_time_p50_s)" "2:0.2 4:0.75 10:1.0 12:1.0" &&
	test_sql r.db "SELECT count(*) FROM vector WHERE run_id = 2 AND name IN (\"dropped\", \"uplink_demand\")" 0
'

test_expect_success 'the events, in time order, with the simulator'\''s entities' '
	test_sql r.db "SELECT t_ns / 100000000, entity, kind, ifnull(detail, \"-\") FROM event_log WHERE run_id = 2 ORDER BY seq" \
"0|server.0|start|server.0 pid 100 udp 7010
5|server.1|peer_up|server.0
35|server.0|state|LOW -> FLASH: load above threshold
36|server.1|state|LOW -> RESCUE: help request, redirected request or peer down (server.0)
40|server.1|fetch_start|site 0 object 1024 from server.0
42|server.1|fetch_done|site 0 object 1024 from server.0
50|server.0|dns_add|site 0 address 10.77.2.2
70|server.1|state|RESCUE -> LOW: the last rescue ends
80|server.0|crash|-
85|server.1|peer_down|server.0
90|server.1|state|LOW -> RESCUE: help request, redirected request or peer down (server.0)"
'

# What the testbed cannot measure: SYNs lost (dropped), the DNS authority's
# queries, sessions while no server of the site was up; and the cost of the
# simulator's flow model.
cat >missing.txt <<\EOF
all|dns_authority_queries
all|dropped
network|flows_rated
network|recomputations
origin|dropped
site.0|dark_pages_ok
site.0|dark_sessions
site.others|dark_pages_ok
site.others|dark_sessions
EOF

test_expect_success 'the same scalars as the simulated run, but for what the testbed cannot measure' '
	sqlite3 r.db "SELECT entity, name FROM scalar WHERE run_id = 1 EXCEPT
		SELECT entity, name FROM scalar WHERE run_id = 2 ORDER BY 1, 2" >only-sim &&
	test_cmp missing.txt only-sim &&
	test_sql r.db "SELECT count(*) FROM (SELECT entity, name FROM scalar WHERE run_id = 2 EXCEPT
		SELECT entity, name FROM scalar WHERE run_id = 1)" 0 &&
	test_sql r.db "SELECT count(*) FROM (SELECT entity, name FROM statistic WHERE run_id = 1 EXCEPT
		SELECT entity, name FROM statistic WHERE run_id = 2)" 0
'

test_expect_success 'a second import is refused and changes nothing; --replace replaces it' '
	dump r.db >before &&
	test_status 2 "$TESTBED" import -o r.db run &&
	test_stderr_has "is done there already as run 2" &&
	test_stderr_lines 1 &&
	dump r.db >after &&
	test_cmp before after &&
	"$TESTBED" import --replace -o r.db run &&
	test_sql r.db "SELECT id, status FROM run ORDER BY id" "1|done
3|done" &&
	test_sql r.db "SELECT count(*) FROM scalar WHERE run_id = 2" 0 &&
	test_sql r.db "$(scalar 3 site.0 sessions)" 9
'

# bad_case NAME FILE COMMAND: a copy of the run directory changed by
# COMMAND (run in the copy) is refused in one line naming FILE, and the
# database is left as it was.
bad_case() {
	rm -rf "bad-$1" && cp -r run "bad-$1" &&
	(cd "bad-$1" && eval "$3") &&
	dump r.db >before &&
	test_status 2 "$TESTBED" import --replace -o r.db "bad-$1" &&
	test_stderr_has "$2" &&
	test_stderr_lines 1 &&
	dump r.db >after &&
	test_cmp before after
}

test_expect_success 'a garbled load line is refused, naming its file and line' '
	bad_case load "s0/noded.log:3: a load line has 10 fields, found 9" \
		"sed -i \"3s/\tLOW\$//\" s0/noded.log"
'

test_expect_success 'a visit with a column too many is refused, naming its line' '
	bad_case visits "clients/visits.tsv:4: expected 16 tab-separated columns, found 17" \
		"sed -i \"4s/\$/\textra/\" clients/visits.tsv"
'

test_expect_success 'a missing key of run.ini is refused, naming it' '
	bad_case key "run.ini: [run] start_ns is missing" "sed -i /^start_ns/d run.ini"
'

test_expect_success 'a missing server log is refused, naming it' '
	bad_case log "s1/noded.log: cannot read: No such file or directory" "rm s1/noded.log"
'

test_expect_success 'a garbled access log line is refused, naming its line' '
	bad_case access "s1/access.log:2: expected TIME CLIENT STATUS BYTES USEC" \
		"sed -i \"2s/ 200 / x /\" s1/access.log"
'

test_expect_success 'a failed run is recorded failed, with vectors and events but no summaries' '
	rm -rf failed && cp -r run failed &&
	sed -i "s/^status = done/status = failed\nerror = fc-noded of server 1 died (exit 1)/; s/^end_ns = .*/end_ns = $(ns 7)/; /^killed_ns/d" failed/run.ini &&
	"$TESTBED" import -o f.db failed &&
	test_sql f.db "SELECT status, error, sim_end_ns FROM run" "failed|fc-noded of server 1 died (exit 1)|7000000000" &&
	test_sql f.db "SELECT count(*) FROM scalar" 0 &&
	test_sql f.db "SELECT count(*) FROM statistic" 0 &&
	test_sql f.db "SELECT max(t_ns) FROM vector_data JOIN vector ON id = vector_id WHERE name = '\''connections'\''" 6000000000 &&
	test_sql f.db "SELECT max(t_ns) FROM event_log" 7000000000
'

test_expect_success 'a scenario of another model is refused' '
	rm -rf mm && cp -r run mm && printf "[run]\nmodel = mmck\n" >mm/scenario.ini &&
	test_status 2 "$TESTBED" import -o m.db mm &&
	test_stderr_has "the testbed runs only web scenarios" &&
	test_stderr_lines 1 &&
	test_path_is_missing m.db
'

test_done
