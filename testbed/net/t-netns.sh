#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# testbed/net on a real network: netns.sh brings up a router and three
# hosts, and we check the delay fc-delay adds (a UDP round trip between
# hosts i and j takes 2 (d_i + d_j)), that TCP runs at the tbf rate of the
# uplink and of the downlink, that nothing outside 10.77.0.0/16 answers from
# inside, that fc-delay carries a burst of 20000 datagrams without loss,
# and that `down` leaves nothing behind, also after a kill -9 of fc-delay
# or of the script that ran `up`, and that a second `up` with the same
# prefix removes what a killed run left.  It needs root, network
# namespaces and python3 (for the probes: ping and nc are not always
# there), and skips without them.  Every process it starts is stopped by
# its PID, and every namespace is removed, also when a test fails.
#
# The measurements (round trips, transfer rates, fc-delay's lateness and
# CPU time per 1000 packets) are printed as TAP comments at the end.

NET=$(cd "$(dirname "$0")" && pwd)
. "$NET/../../tests/test-lib.sh"

FC_DELAY=${FC_DELAY:-$(dirname "$FLASHCOOP")/testbed/fc-delay}
export FC_DELAY NET
NETNS="sh $NET/netns.sh"
PROBE="python3 $NET/probe.py"
export NETNS PROBE

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "not root: network namespaces need root"
command -v python3 >/dev/null 2>&1 || skip_all "no python3 for the probes"
why=$($NETNS check 2>&1) || skip_all "${why#netns.sh: }"
if [ ! -x "$FC_DELAY" ]; then
	echo "Bail out! fc-delay is not built ($FC_DELAY)"
	exit 1
fi

# One prefix per run of this script, so that parallel runs never collide.
P=tbn$$
export P

# Processes the tests start: their PIDs go into $TRASH/pids/, and the end of
# the script stops whatever is still running and takes every network down.
mkdir "$TRASH/pids"
cleanup() {
	for f in "$TRASH"/pids/*; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill -TERM "$pid" 2>/dev/null
	done
	for d in "$TRASH"/run*; do
		[ -d "$d" ] && $NETNS down "$d" 2>/dev/null
	done
	for ns in $(ip netns list | awk '{ print $1 }' | grep -E "^($P|${P}x)-"); do
		ip netns del "$ns"
	done
	rm -rf "$TEST_ROOT"
}
trap cleanup EXIT

# alive PID: the process runs.  A zombie counts as gone: the processes
# started here outlive the shell that started them, and whoever inherits
# them may reap them late.
alive() {
	# One read: a process reaped between a look at /proc/PID and one at
	# its status would otherwise count as alive.
	st_=$(cat "/proc/$1/status" 2>/dev/null) || return 1
	! printf '%s\n' "$st_" | grep -q '^State:[[:space:]]*Z'
}

# bg NAME NAMESPACE COMMAND...: runs COMMAND in NAMESPACE in the background,
# its PID in pids/NAME, its output in NAME.out.
bg() {
	name=$1
	ns=$2
	shift 2
	ip netns exec "$ns" "$@" >"$TRASH/$name.out" 2>&1 </dev/null &
	echo $! >"$TRASH/pids/$name"
}

# stop NAME: stops a process that bg started.
stop() {
	pid=$(cat "$TRASH/pids/$1")
	kill -TERM "$pid" 2>/dev/null || :
	test_wait_for 5 "! alive $pid"
	rm -f "$TRASH/pids/$1"
}

# no_trace: no namespace of ours, no fc-delay of ours, the root namespace's
# links and qdiscs as they were before the first `up`.
no_trace() {
	left=$(ip netns list | awk '{ print $1 }' | grep -E "^$P-" || :)
	[ -z "$left" ] || { echo "namespaces left: $left" >&2; return 1; }
	for f in "$TRASH"/run*/net/fc-delay.pid; do
		[ -f "$f" ] || continue
		! alive "$(cat "$f")" || { echo "fc-delay $(cat "$f") runs" >&2; return 1; }
	done
	if pgrep -f "fc-delay.*$TRASH" >/dev/null; then
		echo "an fc-delay of this test runs" >&2
		return 1
	fi
	ip -o link show | sed 's/^[0-9]*: //; s/ .*//' >links.now
	tc qdisc show >qdiscs.now
	test_cmp links.before links.now && test_cmp qdiscs.before qdiscs.now
}

# kill_up LINES: starts `up` in run5, kills it with SIGKILL once its state
# file has LINES lines, waits for the ip and tc commands it had started to
# end, and takes the run down from run5 alone.
kill_up() {
	mkdir -p run5
	$NETNS up topo run5 >/dev/null 2>&1 &
	upid=$!
	test_wait_for 10 "test \$(cat run5/net/state 2>/dev/null | wc -l) -ge $1" || return 1
	kill -KILL $upid 2>/dev/null || :
	wait $upid 2>/dev/null || :
	test_wait_for 10 "! pgrep -f -- ' $P-' >/dev/null" || return 1
	$NETNS down run5 || return 1
	no_trace || return 1
	rm -rf run5
}

ip -o link show | sed 's/^[0-9]*: //; s/ .*//' >links.before
tc qdisc show >qdiscs.before

# Host a: 3 Mbit/s up, unshaped down, 5 ms; b: unshaped, 10 ms; c:
# unshaped up, 5 Mbit/s down, 20 ms.
cat >topo <<EOF
# three hosts
prefix $P
a 11 3000000 0 5
b 12 0 0 10
c 13 0 5000000 20
EOF

test_expect_success 'up makes the router, three hosts, their rates and the delay line' '
	$NETNS up topo run1 &&
	printf "%s\n" "a 11 $P-a 10.77.11.2" "b 12 $P-b 10.77.12.2" "c 13 $P-c 10.77.13.2" >want &&
	test_cmp want run1/net/hosts &&
	printf "%s\n" "10.77.11.0/24 5" "10.77.12.0/24 10" "10.77.13.0/24 20" >want &&
	test_cmp want run1/net/delays.tab &&
	test "$(ip netns exec $P-router sysctl -n net.ipv4.ip_forward)" = 1 &&
	ip -n $P-a -4 -o addr show dev eth0 | grep -q "inet 10.77.11.2/24" &&
	ip -n $P-router -4 -o addr show dev c | grep -q "inet 10.77.13.1/24" &&
	ip -n $P-b route show default | grep -q "via 10.77.12.1" &&
	ip -n $P-c -o link show dev lo | grep -q "UP" &&
	ip netns exec $P-a tc qdisc show dev eth0 | grep -q "tbf .* rate 3Mbit" &&
	ip netns exec $P-router tc qdisc show dev c | grep -q "tbf .* rate 5Mbit" &&
	! ip netns exec $P-router tc qdisc show dev a | grep -q tbf &&
	ip netns exec $P-router iptables -S FORWARD | grep -q -- "-j NFQUEUE --queue-num 0" &&
	pid=$(cat run1/net/fc-delay.pid) &&
	alive $pid &&
	# SCHED_FIFO (policy 1), unless the system refused it and fc-delay said so.
	{ test "$(cut -d" " -f41 /proc/$pid/stat)" = 1 ||
	  grep -q "cannot run under SCHED_FIFO" run1/net/fc-delay.log; } &&
	ip route show 10.77.0.0/16 | grep -q "^blackhole"
'

test_expect_success 'a round trip between hosts i and j takes 2 (d_i + d_j)' '
	bg echo_b $P-b $PROBE udp-echo 9000 echo_b.ready &&
	bg echo_c $P-c $PROBE udp-echo 9000 echo_c.ready &&
	test_wait_for 10 "test -s echo_b.ready && test -s echo_c.ready" &&
	ip netns exec $P-a $PROBE rtt 10.77.12.2 9000 30 >rtt_ab &&
	ip netns exec $P-a $PROBE rtt 10.77.13.2 9000 30 >rtt_ac &&
	ip netns exec $P-b $PROBE rtt 10.77.13.2 9000 30 >rtt_bc &&
	stop echo_b && stop echo_c &&
	for pair in ab:30 ac:50 bc:60; do
		want=${pair#*:}
		read -r min median max mdev lost <rtt_${pair%:*} &&
		test "$lost" -eq 0 &&
		test_expr "$min >= $want - 0.2" &&
		test_expr "$median >= $want - 0.2 && $median <= $want * 1.2 + 2" ||
		return 1
	done
'

# The second network holds at most 50 packets: a burst of 2000 datagrams
# that stay 50 ms in the line must be partly dropped, and every datagram
# is either delivered or counted as dropped.
test_expect_success 'a network of another prefix runs beside it; a full line drops and counts' '
	printf "prefix ${P}x\ncapacity 50\na 11 0 0 20\nb 12 0 0 30\n" >topo2 &&
	$NETNS up topo2 runx &&
	bg echo_x ${P}x-b $PROBE udp-echo 9000 echo_x.ready &&
	test_wait_for 10 "test -s echo_x.ready" &&
	ip netns exec ${P}x-a $PROBE rtt 10.77.12.2 9000 10 >rtt_x &&
	read -r min median max mdev lost <rtt_x &&
	test "$lost" -eq 0 &&
	test_expr "$min >= 100 - 0.2 && $median <= 100 * 1.2 + 2" &&
	stop echo_x &&
	bg count_x ${P}x-a $PROBE udp-count 9002 count_x.ready 1 &&
	test_wait_for 10 "test -s count_x.ready" &&
	ip netns exec ${P}x-b $PROBE udp-flood 10.77.11.2 9002 2000 &&
	test_wait_for 10 "test -s count_x.out" &&
	$NETNS down runx &&
	! ip netns list | grep -q "^${P}x-" &&
	stats=$(cat runx/net/fc-delay.stats) &&
	dropped=$(echo "$stats" | sed "s/.* dropped=\([0-9]*\).*/\1/") &&
	test "$dropped" -gt 0 &&
	test "$(($(cat count_x.out) + dropped))" -eq 2000 &&
	echo "$stats" | grep -q " max_queue=50 " &&
	echo "$stats" | grep -q " verdict_errors=0 " &&
	# The first network still runs.
	alive "$(cat run1/net/fc-delay.pid)"
'

# tbf counts whole frames: a 1448-byte segment (TCP with timestamps) costs
# 1514 bytes of the rate.
test_expect_success 'TCP runs at the uplink tbf rate (within 15%)' '
	bg sink_b $P-b $PROBE sink 9001 sink_b.ready &&
	test_wait_for 10 "test -s sink_b.ready" &&
	ip netns exec $P-a $PROBE source 10.77.12.2 9001 1100000 &&
	test_wait_for 10 "test -s sink_b.out" &&
	read -r bytes secs <sink_b.out &&
	test "$bytes" -eq 1100000 &&
	echo "$bytes $secs" >rate_up &&
	test_expr "$bytes * 8 / $secs >= 0.85 * 3000000 * 1448 / 1514" &&
	test_expr "$bytes * 8 / $secs <= 1.15 * 3000000 * 1448 / 1514"
'

test_expect_success 'TCP runs at the downlink tbf rate (within 15%)' '
	bg sink_c $P-c $PROBE sink 9001 sink_c.ready &&
	test_wait_for 10 "test -s sink_c.ready" &&
	ip netns exec $P-b $PROBE source 10.77.13.2 9001 1900000 &&
	test_wait_for 10 "test -s sink_c.out" &&
	read -r bytes secs <sink_c.out &&
	test "$bytes" -eq 1900000 &&
	echo "$bytes $secs" >rate_down &&
	test_expr "$bytes * 8 / $secs >= 0.85 * 5000000 * 1448 / 1514" &&
	test_expr "$bytes * 8 / $secs <= 1.15 * 5000000 * 1448 / 1514"
'

test_expect_success 'nothing outside 10.77.0.0/16 answers from inside' '
	ip netns exec $P-a $PROBE unreachable 192.0.2.1 80 &&
	ip netns exec $P-c $PROBE unreachable 1.1.1.1 443 &&
	for addr in $(ip -4 -o addr show scope global | awk "{ sub(/\\/.*/, \"\", \$4); print \$4 }"); do
		ip netns exec $P-b $PROBE unreachable "$addr" 22 || return 1
	done &&
	! ip netns exec $P-router ip route get 8.8.8.8 2>/dev/null &&
	! ip -n $P-router route show default | grep -q . &&
	ip route get 10.77.11.2 2>&1 | grep -q -i -e blackhole -e "invalid argument"
'

# The flood is paced at 20000/s; fc-delay CPU time over it, from
# /proc/PID/stat (utime + stime, in clock ticks), per 1000 packets.
test_expect_success 'fc-delay carries 20000 datagrams without loss' '
	pid=$(cat run1/net/fc-delay.pid) &&
	bg count_a $P-a $PROBE udp-count 9002 count_a.ready 1 &&
	test_wait_for 10 "test -s count_a.ready" &&
	cpu0=$(awk "{ print \$14 + \$15 }" /proc/$pid/stat) &&
	ip netns exec $P-b $PROBE udp-flood 10.77.11.2 9002 20000 &&
	test_wait_for 10 "test -s count_a.out" &&
	cpu1=$(awk "{ print \$14 + \$15 }" /proc/$pid/stat) &&
	got=$(cat count_a.out) &&
	{ test "$got" -eq 20000 || { echo "counted $got of 20000"; false; }; } &&
	echo "$(( (cpu1 - cpu0) * 1000000 / $(getconf CLK_TCK) / 20 ))" >cpu_per_1000
'

test_expect_success 'down leaves no namespace, no process, no link, no qdisc' '
	pid=$(cat run1/net/fc-delay.pid) &&
	$NETNS down run1 &&
	! alive $pid &&
	no_trace &&
	test -f run1/net/state.down &&
	test_path_is_missing run1/net/state &&
	# fc-delay let everything go and said so.
	read -r stats <run1/net/fc-delay.stats &&
	echo "$stats" >stats1 &&
	packets=$(echo "$stats" | sed "s/.*packets=\\([0-9]*\\).*/\\1/") &&
	accepted=$(echo "$stats" | sed "s/.*accepted=\\([0-9]*\\).*/\\1/") &&
	test "$packets" -ge 20000 && test "$accepted" -eq "$packets" &&
	echo "$stats" | grep -q " dropped=0 " &&
	echo "$stats" | grep -q " enobufs=0 " &&
	# A second down has nothing left to do.
	$NETNS down run1
'

test_expect_success 'a dead fc-delay stops the traffic, and down still cleans up' '
	$NETNS up topo run2 &&
	bg echo_b2 $P-b $PROBE udp-echo 9000 echo_b2.ready &&
	test_wait_for 10 "test -s echo_b2.ready" &&
	ip netns exec $P-a $PROBE rtt 10.77.12.2 9000 2 >before &&
	read -r min median max mdev lost <before && test "$lost" -eq 0 &&
	kill -KILL "$(cat run2/net/fc-delay.pid)" &&
	test_wait_for 5 "! alive $(cat run2/net/fc-delay.pid)" &&
	! ip netns exec $P-a $PROBE rtt 10.77.12.2 9000 2 >after &&
	read -r min median max mdev lost <after && test "$lost" -eq 2 &&
	$NETNS down run2 &&
	test_wait_for 5 "! alive $(cat pids/echo_b2)" &&
	rm pids/echo_b2 &&
	no_trace
'

test_expect_success 'a second up with the same prefix removes what a lost run left' '
	$NETNS up topo run3 &&
	old=$(cat run3/net/fc-delay.pid) &&
	$NETNS up topo run4 2>err &&
	grep -q "removing namespace $P-router left by an earlier run" err &&
	! alive $old &&
	alive "$(cat run4/net/fc-delay.pid)" &&
	test "$(ip netns list | grep -c "^$P-")" -eq 4 &&
	# The down of the lost run leaves the new run alone.
	$NETNS down run3 2>err &&
	grep -q "namespace $P-router now belongs to the run in $TRASH/run4: left alone" err &&
	test "$(ip netns list | grep -c "^$P-")" -eq 4 &&
	alive "$(cat run4/net/fc-delay.pid)" &&
	$NETNS down run4 &&
	no_trace
'

# The kill lands wherever `up` is: after the router, after a host, after
# fc-delay was started.
test_expect_success 'down works from RUNDIR alone after a kill -9 of up' '
	kill_up 2 &&
	kill_up 4 &&
	kill_up 6
'

test_expect_success 'up refuses a bad topology with one line naming file:line' '
	while IFS="|" read -r text msg; do
		printf "prefix $P\na 11 0 0 5\n$text\n" >bad &&
		test_status 2 $NETNS up bad run6 &&
		test_stderr_lines 1 &&
		test_stderr_has "netns.sh: bad:3: $msg" &&
		no_trace || return 1
	done <<-\EOF
	b 12 0 0|expected: HOST K UPLINK_BPS DOWNLINK_BPS DELAY_MS
	a 12 0 0 5|host a given twice
	b 11 0 0 5|K 11 given twice
	b 255 0 0 5|K "255" is not in 1..254
	b 0 0 0 5|K "0" is not in 1..254
	b 12 100 0 5|uplink "100" is not 0 or 8000..10000000000 bits per second
	b 12 0 10Mbit 5|downlink "10Mbit" is not 0 or 8000..10000000000
	b 12 0 0 -1|delay "-1" is not 0..60000 milliseconds
	b 12 0 0 5ms|delay "5ms" is not 0..60000 milliseconds
	router 12 0 0 5|host name "router" is not
	lo 12 0 0 5|host name "lo" is not
	B 12 0 0 5|host name "B" is not
	queue 70000|queue 70000 is outside 0..65535
	capacity 0|capacity 0 is outside 1..1048576
	realtime 100|realtime 100 is outside 0..99
	buffer_ms x|buffer_ms "x" is not a whole number
	prefix other|prefix given twice
	EOF
	printf "a 11 0 0 5\n" >noprefix &&
	test_status 2 $NETNS up noprefix run6 &&
	test_stderr_has "netns.sh: noprefix:1: the topology must start with: prefix NAME" &&
	test_status 2 $NETNS up missing run6 &&
	test_stderr_has "netns.sh: no topology file missing" &&
	test_status 2 $NETNS down nowhere &&
	test_stderr_has "netns.sh: no run directory nowhere"
'

test_expect_success 'fc-delay refuses a bad table or argument with one line, exit 2' '
	printf "10.77.1.0/24 5\n10.77.2.0/24 soon\n" >bad.tab &&
	test_status 2 "$FC_DELAY" bad.tab &&
	test_stderr_lines 1 &&
	test_stderr_has "fc-delay: bad.tab:2: delay '\''soon'\'' is not a number of milliseconds" &&
	test_status 2 "$FC_DELAY" no-such.tab &&
	test_stderr_lines 1 &&
	test_status 2 "$FC_DELAY" -q 70000 bad.tab &&
	test_stderr_has "fc-delay: --queue 70000 is outside 0..65535" &&
	test_status 2 "$FC_DELAY" &&
	test_stderr_lines 1
'

# The measurements, for the record.
for pair in ab ac bc x; do
	[ -f "$TRASH/rtt_$pair" ] &&
		echo "# rtt $pair (ms): min median max mdev lost = $(cat "$TRASH/rtt_$pair")"
done
for r in up down; do
	[ -f "$TRASH/rate_$r" ] && read -r b s <"$TRASH/rate_$r" &&
		echo "# tcp $r: $b bytes in $s s = $(awk "BEGIN { printf \"%.3f\", $b * 8 / $s / 1e6 }") Mbit/s"
done
[ -f "$TRASH/cpu_per_1000" ] &&
	echo "# fc-delay cpu per 1000 packets (udp flood): $(cat "$TRASH/cpu_per_1000") us"
[ -f "$TRASH/stats1" ] && echo "# fc-delay: $(cat "$TRASH/stats1")"
test_done
