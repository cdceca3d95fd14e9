#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The program as a user meets it: commands, exit codes, error messages, the
# results file, signals, sweeps, resuming, merging, determinism.  TAP output
# for prove.  FLASHCOOP names the program; run from the source tree.
set -u

prog=${FLASHCOOP:-build/flashcoop}
case $prog in /*) ;; *) prog=$(pwd)/$prog ;; esac
src=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() { # description, then a command that must succeed
	desc=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/out" 2>"$tmp/err"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		sed 's/^/# /' "$tmp/out" "$tmp/err"
		failed=1
	fi
}

status_is() { # expected status, command...
	want=$1
	shift
	"$@" >"$tmp/cmd.out" 2>"$tmp/cmd.err"
	got=$?
	[ "$got" -eq "$want" ] || { echo "status $got, expected $want" >&2; cat "$tmp/cmd.err" >&2; return 1; }
}

err_has() { # text that stderr of the last status_is must contain
	grep -qF -- "$1" "$tmp/cmd.err" || { echo "stderr lacks: $1" >&2; cat "$tmp/cmd.err" >&2; return 1; }
}

# Everything a run records, keyed by run key and names (not by row ids), in
# a stable order: equal dumps mean identical results.
dump() {
	sqlite3 "$1" "
	SELECT 'S', r.run_key, r.point_key, r.replication, r.sim_end_ns, r.events FROM run r
	  WHERE r.status = 'done' ORDER BY r.run_key;
	SELECT 'X', r.run_key, x.entity, x.name, x.value FROM scalar x JOIN run r ON r.id = x.run_id
	  ORDER BY 2, 3, 4;
	SELECT 'V', r.run_key, v.entity, v.name, d.t_ns, d.value FROM vector_data d
	  JOIN vector v ON v.id = d.vector_id JOIN run r ON r.id = v.run_id ORDER BY 2, 3, 4, d.rowid;
	SELECT 'T', r.run_key, s.entity, s.name, s.count, s.mean, s.sd, s.min, s.max, s.p50, s.p99
	  FROM statistic s JOIN run r ON r.id = s.run_id ORDER BY 2, 3, 4;
	SELECT 'B', r.run_key, s.entity, s.name, b.lower, b.upper, b.count FROM statistic_bin b
	  JOIN statistic s ON s.id = b.statistic_id JOIN run r ON r.id = s.run_id ORDER BY 2, 3, 4, b.rowid;
	SELECT 'E', r.run_key, e.seq, e.t_ns, e.entity, e.kind, e.detail FROM event_log e
	  JOIN run r ON r.id = e.run_id ORDER BY 2, 3;"
}

cd "$tmp" || exit 1
cat >m.ini <<'EOF'
[scenario]
name = small
[run]
warmup = 100s
duration = 20000s
[mmck]
servers = 2
capacity = 6
arrival_rate = 1.5
sample_interval = 50s
log_full = true
EOF
cat >long.ini <<'EOF'
[scenario]
include = m.ini
[run]
duration = 100000000s
EOF
cat >sw.ini <<'EOF'
[sweep]
scenario = m.ini
replications = 2
[vary]
mmck.arrival_rate = 0.5..1.5 step 0.5
[lockstep]
mmck.servers = 1, 2
mmck.capacity = 4, 8
EOF
# Runs of about a second each, for resuming after SIGKILL.
cat >slow.ini <<'EOF'
[scenario]
include = m.ini
[run]
duration = 3000000s
[mmck]
sample_interval = 0s
EOF
cat >slow-sw.ini <<'EOF'
[sweep]
scenario = slow.ini
replications = 3
[vary]
mmck.arrival_rate = 0.5, 1.0
EOF

echo "1..49"
ok "--version prints the version" sh -c "'$prog' --version | grep -q '^flashcoop '"
ok "no command is a usage error (2)" status_is 2 "$prog"
ok "an unknown command is a usage error (2)" status_is 2 "$prog" frobnicate
ok "every command has --help" sh -c "for c in run sweep keys merge fsm; do '$prog' \$c --help | grep -q Usage || exit 1; done"
ok "run without a scenario is a usage error (2)" status_is 2 "$prog" run

ok "a bad value is refused (2) with file, line, group and key" \
	sh -c "'$prog' run m.ini --set run.duration=10 -o bad.db 2>e; [ \$? -eq 2 ] && grep -q -- '--set: \[run\] duration: expected a duration' e && [ ! -e bad.db ]"
ok "a misspelt --set key gets a suggestion" \
	sh -c "'$prog' run m.ini --set mmck.server=3 -o bad.db 2>e; [ \$? -eq 2 ] && grep -q \"did you mean 'mmck.servers'\" e"
ok "values that do not fit together are refused (2), naming both" \
	sh -c "'$prog' run m.ini --set mmck.capacity=1 -o bad.db 2>e; [ \$? -eq 2 ] && grep -q 'capacity' e && grep -q 'm.ini:7' e"

printf 'precious notes\n' >notes.db
ok "a file that is not a database is refused (2) and left intact" \
	sh -c "'$prog' run m.ini -q -o notes.db 2>e; [ \$? -eq 2 ] && grep -q 'not a flashcoop' e && [ \"\$(cat notes.db)\" = 'precious notes' ]"
sqlite3 other.db 'CREATE TABLE t(x); INSERT INTO t VALUES (1);'
ok "another program's SQLite database is refused (2) and left intact" \
	sh -c "'$prog' run m.ini -q -o other.db 2>e; [ \$? -eq 2 ] && grep -q 'not a flashcoop' e && [ \"\$(sqlite3 other.db 'SELECT count(*) FROM sqlite_master')\" = 1 ]"

ok "a damaged database (truncated, or its header overwritten) is refused (2), untouched" sh -c "
	'$prog' run m.ini -q -o r0.db && head -c 5000 r0.db >trunc.db && cp r0.db head.db &&
	printf 'garbage garbage garbage garbage garbage garbage garbage' | dd of=head.db conv=notrunc 2>/dev/null &&
	a=\$(md5sum trunc.db head.db) &&
	'$prog' run m.ini -q --force -o trunc.db 2>e1; [ \$? -eq 2 ] &&
	'$prog' run m.ini -q --force -o head.db 2>e2; [ \$? -eq 2 ] &&
	grep -q 'damaged' e1 && grep -q 'damaged' e2 && [ \"\$(md5sum trunc.db head.db)\" = \"\$a\" ]"

ok "a run records params, scalars, a vector, a statistic and events" sh -c "
	'$prog' run m.ini -q -o r.db &&
	[ \"\$(sqlite3 r.db \"SELECT status || count(*) FROM run\")\" = done1 ] &&
	[ \"\$(sqlite3 r.db \"SELECT value FROM param WHERE name = 'mmck.servers'\")\" = 2 ] &&
	[ \"\$(sqlite3 r.db \"SELECT source FROM param WHERE name = 'mmck.servers'\")\" = m.ini:7 ] &&
	[ \"\$(sqlite3 r.db 'SELECT count(*) > 10 FROM scalar')\" = 1 ] &&
	[ \"\$(sqlite3 r.db 'SELECT count(*) FROM vector_data')\" = 400 ] &&
	[ \"\$(sqlite3 r.db \"SELECT count > 1000 FROM statistic WHERE name = 'response_s'\")\" = 1 ] &&
	[ \"\$(sqlite3 r.db \"SELECT count(*) > 0 FROM event_log WHERE kind = 'full'\")\" = 1 ]"
ok "the same run again is not repeated (0), --force replaces it" sh -c "
	'$prog' run m.ini -o r.db | grep -q 'nothing to do' &&
	'$prog' run m.ini -q --force -o r.db &&
	[ \"\$(sqlite3 r.db 'SELECT group_concat(id) FROM run')\" = 2 ]"
ok "another replication gives other numbers" sh -c "
	'$prog' run m.ini -q -r 1 -o r.db &&
	[ \"\$(sqlite3 r.db \"SELECT count(DISTINCT value) FROM scalar WHERE name = 'served'\")\" = 2 ]"
ok "same scenario and seed, twice" sh -c "
	'$prog' run m.ini -q -o d1.db && '$prog' run m.ini -q -o d2.db"
dump d1.db >d1.txt; dump d2.db >d2.txt
ok "  ... identical scalars, vectors, statistics and events" sh -c "[ -s d1.txt ] && cmp d1.txt d2.txt"
ok "the event queue does not change results" sh -c "
	'$prog' run m.ini -q --set run.queue=heap4 -o d3.db"
dump d3.db >d3.txt
ok "  ... radix and heap4 dumps are equal" cmp d1.txt d3.txt

ok "[run] max_events fails the run (1) and says why" sh -c "
	'$prog' run m.ini -q --set run.max_events=5000 -o f.db 2>e; [ \$? -eq 1 ] &&
	grep -q 'max_events' e &&
	[ \"\$(sqlite3 f.db \"SELECT status FROM run\")\" = failed ] &&
	[ \"\$(sqlite3 f.db \"SELECT error LIKE '%max_events%' FROM run\")\" = 1 ]"

"$prog" run long.ini -q -o int.db 2>int.err &
pid=$!
sleep 1
kill -INT $pid
wait $pid
st=$?
ok "SIGINT stops a run (130), marked interrupted, its rows kept" sh -c "
	[ $st -eq 130 ] && [ \"\$(sqlite3 int.db 'SELECT status FROM run')\" = interrupted ] &&
	[ \"\$(sqlite3 int.db 'SELECT count(*) > 0 FROM vector_data')\" = 1 ] &&
	grep -q SIGINT int.err"

web=$src/tests/data/web-small.ini
# 1 when a web run's sessions all ended or are in progress, and the network
# delivered exactly what the servers and the swarms sent.
conserved="SELECT (SELECT sum(value) FROM scalar WHERE name = 'sessions')
  - (SELECT sum(value) FROM scalar WHERE name IN ('pages_ok', 'pages_impatient', 'pages_no_server', 'pages_not_found'))
  - (SELECT value FROM scalar WHERE name = 'sessions_in_progress') = 0
  AND (SELECT value FROM scalar WHERE entity = 'all' AND name = 'bytes_delivered')
  - (SELECT sum(value) FROM scalar WHERE name IN ('bytes_sent', 'bt_bytes_sent')) = 0"
"$prog" run "$web" -q -o w1.db && "$prog" run "$web" -q -o w2.db
dump w1.db >w1.txt; dump w2.db >w2.txt
ok "web model: same seed twice, identical results" sh -c "[ -s w1.txt ] && cmp w1.txt w2.txt"
ok "web model: sessions and bytes are conserved" sh -c "
	[ \"\$(sqlite3 w1.db \"$conserved\")\" = 1 ]"
ok "web model: no worker stays held once the flash crowd is over" sh -c "
	[ \"\$(sqlite3 w1.db \"SELECT max(d.value) <= 5 FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.name = 'busy' AND d.t_ns = (SELECT max(t_ns) FROM vector_data)\")\" = 1 ]"
"$prog" run "$web" -q --set web.crash_after=5s --set coop.flash_threshold=50 \
	--set coop.spread=predistributed -o wc.db
ok "web model: a crashed origin is found down by probes and rescued (Fig. 8)" sh -c "
	[ \"\$(sqlite3 wc.db \"SELECT value FROM scalar WHERE entity = 'origin' AND name = 'crashes'\")\" = 1.0 ] &&
	[ \"\$(sqlite3 wc.db \"SELECT value > 20 AND value < 40 FROM scalar WHERE entity = 'origin' AND name = 'time_to_rescue_s'\")\" = 1 ] &&
	[ \"\$(sqlite3 wc.db \"SELECT value < 60 FROM scalar WHERE entity = 'origin' AND name = 'time_to_service_s'\")\" = 1 ] &&
	[ \"\$(sqlite3 wc.db \"SELECT count(*) FROM event_log WHERE kind = 'peer_down' AND detail = 'server.0'\")\" = 5 ]"
"$prog" run "$web" -q --set network.isps=4 --set network.isp_link=10Mbit/s -o wi.db
ok "web model: narrow ISP links shared by their clients slow the pages; bytes conserved" sh -c "
	a=\$(sqlite3 wi.db \"SELECT p50 FROM statistic WHERE entity = 'site.0'\") &&
	b=\$(sqlite3 w1.db \"SELECT p50 FROM statistic WHERE entity = 'site.0'\") &&
	awk -v a=\"\$a\" -v b=\"\$b\" 'BEGIN { exit !(a > 2 * b) }' &&
	[ \"\$(sqlite3 wi.db \"SELECT (SELECT value FROM scalar WHERE entity = 'all' AND name = 'bytes_delivered')
	  - (SELECT sum(value) FROM scalar WHERE name IN ('bytes_sent', 'bt_bytes_sent'))\")\" = 0.0 ]"
"$prog" run "$web" -q --set web.policy=none -o wn.db
ok "web model: cooperation serves more of the flash crowd than none" sh -c "
	a=\$(sqlite3 w1.db \"SELECT value FROM scalar WHERE entity = 'site.0' AND name = 'success_ratio'\") &&
	b=\$(sqlite3 wn.db \"SELECT value FROM scalar WHERE entity = 'site.0' AND name = 'success_ratio'\") &&
	awk -v a=\"\$a\" -v b=\"\$b\" 'BEGIN { exit !(a > 0.95 && b < 0.9) }' &&
	[ \"\$(sqlite3 w1.db \"SELECT count(*) > 0 FROM event_log WHERE kind = 'state' AND detail LIKE 'LOW -> FLASH%'\")\" = 1 ]"
"$prog" run "$web" -q --set network.latency=topology -o wt1.db && "$prog" run "$web" -q --set network.latency=topology -o wt2.db
dump wt1.db >wt1.txt; dump wt2.db >wt2.txt
ok "web model on an igraph topology: deterministic, and farther than access latencies alone" sh -c "
	[ -s wt1.txt ] && cmp wt1.txt wt2.txt &&
	a=\$(sqlite3 wt1.db \"SELECT p50 FROM statistic WHERE entity = 'site.0'\") &&
	b=\$(sqlite3 w1.db \"SELECT p50 FROM statistic WHERE entity = 'site.0'\") &&
	awk -v a=\"\$a\" -v b=\"\$b\" 'BEGIN { exit !(a > b) }'"
ok "web model: rescuers fetch through the swarm and leave it as their rescue ends (Fig. 10)" sh -c "
	[ \"\$(sqlite3 w1.db \"SELECT count(*) > 0 FROM event_log WHERE kind = 'bt_join'\")\" = 1 ] &&
	[ \"\$(sqlite3 w1.db \"SELECT (SELECT count(*) FROM event_log WHERE kind = 'bt_join')
	  - (SELECT count(*) FROM event_log WHERE kind = 'bt_leave')\")\" = 0 ] &&
	[ \"\$(sqlite3 w1.db \"SELECT count(*) FROM event_log l WHERE l.kind = 'bt_leave' AND NOT EXISTS
	  (SELECT 1 FROM event_log s WHERE s.entity = l.entity AND s.kind = 'state' AND s.t_ns = l.t_ns
	   AND s.detail LIKE '%rescue ends%')\")\" = 0 ] &&
	[ \"\$(sqlite3 w1.db \"SELECT d.value FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.name = 'replicas_servers' ORDER BY d.t_ns DESC LIMIT 1\")\" = 1.0 ]"
"$prog" run "$web" -q --set web.crash_after=5s --set coop.flash_threshold=50 \
	--set coop.spread=predistributed --set coop.predistribution=bittorrent -o wp.db
ok "web model: copies predistributed through the swarms before the flash crowd serve the rescue" sh -c "
	[ \"\$(sqlite3 wp.db \"SELECT count = 30 AND max < 60 FROM statistic WHERE name = 'copy_time_s'\")\" = 1 ] &&
	[ \"\$(sqlite3 wp.db \"SELECT value < 60 FROM scalar WHERE entity = 'origin' AND name = 'time_to_service_s'\")\" = 1 ] &&
	[ \"\$(sqlite3 wp.db \"SELECT count(*) FROM event_log WHERE kind = 'bt_join'\")\" = 0 ] &&
	[ \"\$(sqlite3 wp.db \"$conserved\")\" = 1 ]"
"$prog" run "$web" -q --set coop.transport=http -o wh.db
ok "web model: with transport = http rescuers fetch from the origin, no swarm" sh -c "
	[ \"\$(sqlite3 wh.db \"SELECT count(*) FROM scalar WHERE entity = 'bittorrent'\")\" = 0 ] &&
	[ \"\$(sqlite3 wh.db \"SELECT value > 0.95 FROM scalar WHERE entity = 'site.0' AND name = 'success_ratio'\")\" = 1 ]"
bt="--set clients.bittorrent=30% --set clients.shock=40"
"$prog" run "$web" -q $bt -o wb1.db && "$prog" run "$web" -q $bt -o wb2.db
dump wb1.db >wb1.txt; dump wb2.db >wb2.txt
ok "web model with BitTorrent clients: same seed twice, identical results" sh -c "[ -s wb1.txt ] && cmp wb1.txt wb2.txt"
ok "web model with BitTorrent clients: sessions and bytes conserved, clients serve each other" sh -c "
	[ \"\$(sqlite3 wb1.db \"$conserved\")\" = 1 ] &&
	[ \"\$(sqlite3 wb1.db \"SELECT (SELECT value FROM scalar WHERE entity = 'clients' AND name = 'bt_bytes_sent')
	  > 10 * (SELECT value FROM scalar WHERE entity = 'origin' AND name = 'bt_bytes_sent')\")\" = 1 ] &&
	[ \"\$(sqlite3 wb1.db \"SELECT (SELECT value FROM scalar WHERE entity = 'site.0' AND name = 'bt_pages_ok')
	  > 0.95 * (SELECT value FROM scalar WHERE entity = 'site.0' AND name = 'bt_sessions')\")\" = 1 ] &&
	[ \"\$(sqlite3 wb1.db \"SELECT max(d.value) > 100 FROM vector_data d JOIN vector v ON v.id = d.vector_id
	  WHERE v.name = 'replicas_clients'\")\" = 1 ]"
"$prog" run "$web" -q --set clients.bittorrent=10% --set clients.sustained=120s --set web.cooperators=0 \
	--set web.crash_after=5s --set web.reboot_delay=120s -o wd.db
ok "web model: with every server down, BitTorrent clients still get their pages (Figs. 6, 9)" sh -c "
	[ \"\$(sqlite3 wd.db \"SELECT value >= 1 FROM scalar WHERE entity = 'origin' AND name = 'crashes'\")\" = 1 ] &&
	[ \"\$(sqlite3 wd.db \"SELECT b.value > 100 AND bo.value > 0.95 * b.value
	  AND (ao.value - bo.value) < 0.2 * (a.value - b.value)
	  FROM scalar a, scalar ao, scalar b, scalar bo
	  WHERE a.entity = 'site.0' AND a.name = 'dark_sessions' AND ao.entity = 'site.0' AND ao.name = 'dark_pages_ok'
	  AND b.entity = 'site.0' AND b.name = 'bt_dark_sessions' AND bo.entity = 'site.0' AND bo.name = 'bt_dark_pages_ok'\")\" = 1 ]"
printf '[run]\nmodel = web\n[clients]\narrival = trace\ntrace = nowhere.csv\n' >badtrace.ini
ok "web model: a missing trace file is bad input (2), named" sh -c "
	'$prog' run badtrace.ini -q -o bt.db 2>e; [ \$? -eq 2 ] && grep -q 'badtrace.ini:5: \[clients\] trace' e && grep -q nowhere.csv e &&
	[ \"\$(sqlite3 bt.db 'SELECT count(*) FROM run')\" = 0 ]"

ok "fsm --dot draws every transition of the core's table" sh -c "
	'$prog' fsm --dot >fsm.dot && head -1 fsm.dot | grep -q '^digraph' &&
	[ \$(grep -c -- '->' fsm.dot) -eq \$('$prog' fsm | wc -l) ] &&
	grep -q '\"LOW\" -> \"FLASH\" \[label=\"load above threshold\"\]' fsm.dot"
ok "keys --markdown is docs/scenario.md" sh -c "'$prog' keys --markdown | cmp - '$src/docs/scenario.md'"

ok "a sweep at -j1 runs 12 runs" sh -c "'$prog' sweep sw.ini -q -j1 -o s1.db && [ \"\$(sqlite3 s1.db \"SELECT count(*) FROM run WHERE status = 'done'\")\" = 12 ]"
ok "  ... at -j2 gives identical results" sh -c "'$prog' sweep sw.ini -q -j2 -o s2.db"
dump s1.db >s1.txt; dump s2.db >s2.txt
ok "  ... byte for byte" sh -c "[ -s s1.txt ] && cmp s1.txt s2.txt"
ok "  ... 6 points with 2 replications each in the statistics view" sh -c "
	[ \"\$(sqlite3 s1.db \"SELECT count(*), min(n), max(n) FROM point_scalar WHERE entity = 'station' AND name = 'served'\")\" = '6|2|2' ]"
ok "running the sweep again runs nothing" sh -c "'$prog' sweep sw.ini -o s1.db | grep -q '12 already done, 0 to run'"

"$prog" sweep slow-sw.ini -q -j2 -o k.db &
pid=$!
sleep 1.5
kill -KILL $pid
wait $pid 2>/dev/null
sleep 0.5
ok "SIGKILL of a sweep halfway, then --resume: every run done exactly once" sh -c "
	'$prog' sweep slow-sw.ini -q --resume -j2 -o k.db &&
	[ \"\$(sqlite3 k.db \"SELECT count(*), count(DISTINCT run_key) FROM run WHERE status = 'done'\")\" = '6|6' ] &&
	[ \"\$(sqlite3 k.db \"SELECT count(*) FROM run WHERE status = 'running'\")\" = 0 ]"

ok "--emit parallel writes one job per run" sh -c "
	'$prog' sweep sw.ini --emit parallel jobs >/dev/null && [ \$(wc -l <jobs/jobs.txt) -eq 12 ]"
sh jobs/jobs.txt && "$prog" merge -q merged.db jobs/runs/*.db && dump merged.db >merged.txt
ok "  ... the jobs, run by sh and merged, equal the local sweep" cmp s1.txt merged.txt
ok "  ... merging again adds no duplicates" sh -c "
	'$prog' merge merged.db jobs/runs/*.db s2.db | grep -q 'merged 0 runs' &&
	[ \"\$(sqlite3 merged.db 'SELECT count(*) FROM run')\" = 12 ]"
ok "--emit slurm writes a job-array script over the same jobs" sh -c "
	'$prog' sweep sw.ini --emit slurm sl >/dev/null && grep -q '^#SBATCH --array=1-12\$' sl/sweep.slurm &&
	sh -n sl/sweep.slurm && [ \$(wc -l <sl/jobs.txt) -eq 12 ] &&
	SLURM_ARRAY_TASK_ID=3 sh sl/sweep.slurm && [ \$(ls sl/runs | wc -l) -eq 1 ]"
ok "merge refuses (2) a foreign input and writes nothing" sh -c "
	'$prog' merge m2.db s1.db notes.db 2>e; [ \$? -eq 2 ] && [ ! -e m2.db ] && grep -q notes.db e"
# One BitTorrent swarm: the measured and the fluid numbers side by side,
# every byte the flows sent accounted for, the same results twice.
cat >bt.ini <<'EOF2'
[run]
model = swarm
warmup = 100s
duration = 500s
[swarm]
arrival_rate = 0.5
[bittorrent]
tracker_down_at = 200s
tracker_down_for = 60s
EOF2
ok "a swarm run records measured and fluid numbers" sh -c "
	'$prog' run -q bt.ini -o bt1.db && '$prog' run -q bt.ini -o bt2.db &&
	[ \"\$(sqlite3 bt1.db \"SELECT count(*) FROM scalar WHERE name = 'downloaders_mean' AND value > 0\")\" = 2 ] &&
	[ \"\$(sqlite3 bt1.db \"SELECT count(*) FROM vector WHERE entity = 'swarm'\")\" = 2 ] &&
	[ \"\$(sqlite3 bt1.db \"SELECT count(*) FROM event_log WHERE entity = 'tracker' AND kind = 'down'\")\" = 1 ] &&
	[ \"\$(sqlite3 bt1.db \"SELECT value > 100 FROM scalar WHERE entity = 'swarm' AND name = 'completed'\")\" = 1 ]"
dump bt1.db >bt1.txt
dump bt2.db >bt2.txt
ok "  ... byte for byte" sh -c "[ -s bt1.txt ] && cmp bt1.txt bt2.txt"
exit $failed
