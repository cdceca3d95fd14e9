#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The testbed's network: one router namespace and one namespace per host,
# rates shaped with tbf and delays added by fc-delay on an NFQUEUE.
#
#	netns.sh up TOPOLOGY RUNDIR	build the network described by TOPOLOGY
#	netns.sh down RUNDIR		remove what `up` recorded in RUNDIR
#	netns.sh check			can namespaces be made here?  0 yes, 77 no
#
# TOPOLOGY (a text file; '#' starts a comment, blank lines are ignored):
#
#	prefix NAME		namespace names start with NAME- (required, first;
#				[a-z0-9], 1..12 characters), so that runs with
#				different prefixes never collide
#	queue Q			the NFQUEUE number (default 0; queues are per
#				namespace, so parallel runs may share a number)
#	capacity N		packets fc-delay holds at most (default 8192)
#	buffer_ms MS		the tbf queue of each shaped direction, in
#				milliseconds of its rate (default 50)
#	realtime PRIO		fc-delay's SCHED_FIFO priority (default 10; 0:
#				normal scheduling, with milliseconds of jitter
#				on a busy machine)
#	HOST K UPLINK_BPS DOWNLINK_BPS DELAY_MS
#				one host: name [a-z][a-z0-9]{0,14} (not "router"
#				or "lo"),
#				K in 1..254 (unique), rates in bits per second
#				(0: not shaped; else 8000..10000000000) and its
#				one-way delay in milliseconds (0..60000, decimals
#				allowed)
#
# What `up` makes: namespace PREFIX-router (IPv4 forwarding on, no default
# route: nothing outside 10.77.0.0/16 is reachable) and, per host,
# namespace PREFIX-HOST whose eth0 is 10.77.K.2/24 with a default route via
# 10.77.K.1, the router's end of the veth pair, named HOST.  `lo` is up
# everywhere.  The host's uplink is a tbf on its eth0, its downlink a tbf
# on the router's HOST; burst max(2 frames, 4 ms of the rate), queue
# buffer_ms of the rate.  In the router, every forwarded packet of
# 10.77.0.0/16 goes to NFQUEUE Q, where fc-delay holds it delay(source
# host) + delay(destination host): a ping between hosts i and j sees
# 2 * (d_i + d_j).  Packets to the router's own addresses are not delayed.
# In the root namespace a blackhole route for 10.77.0.0/16 is added when
# missing, so that the range never leaks out of this machine.
#
# The rule has no --queue-bypass and fc-delay binds its queue fail-closed:
# if fc-delay dies, forwarded traffic stops (the kernel drops what it
# queues) instead of flowing on without its delay; `up` waits for fc-delay
# to have bound the queue before adding the rule.
#
# Files in RUNDIR/net/: state (what `up` made, each line written before the
# thing is made, so that `down` works from RUNDIR alone even after a kill -9
# of whoever ran `up`), hosts ("HOST K NAMESPACE ADDRESS" per host),
# delays.tab (fc-delay's table), fc-delay.pid, fc-delay.log (its stderr:
# the counters at exit) and fc-delay.stats (the same counters).
#
# `down` stops fc-delay by its PID (SIGTERM: it lets held packets go and
# writes its counters; SIGKILL after 5 s), stops any process still inside
# the recorded namespaces (by PID, as `ip netns pids` lists them) and deletes
# the namespaces, with them their veths, qdiscs and iptables rules; a
# namespace whose lo carries another run directory as its alias (every
# namespace's lo is labelled with the RUNDIR that made it) belongs to a
# later run of the same prefix and is left alone.  It
# leaves the blackhole route, which protects every run and costs nothing.
# A second `up` with a prefix whose namespaces exist (a run killed before
# its `down`) first removes them in the same way.
#
# Environment: FC_DELAY, the fc-delay program (default: build/testbed/
# fc-delay of the source tree this script is in).
# Exit status: 0, or 2 with one line on stderr for bad input or a setup
# that fails (after undoing what was made), or 77 from `check` when
# namespaces cannot be made here.

set -u

me=netns.sh
here=$(cd "$(dirname "$0")" && pwd)
FC_DELAY=${FC_DELAY:-$here/../../build/testbed/fc-delay}

die() {
	echo "$me: $*" >&2
	exit 2
}

# ---- check ----

# Prints why namespaces cannot be made here, or nothing.
why_not() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "not root"
		return
	fi
	for c in ip tc iptables; do
		command -v "$c" >/dev/null 2>&1 || { echo "no $c command"; return; }
	done
	probe=fcnetcheck$$
	if ! ip netns add "$probe" 2>/dev/null; then
		echo "cannot create a network namespace"
		return
	fi
	ok=
	if ip -n "$probe" link add name p0 type veth peer name p1 2>/dev/null &&
		ip -n "$probe" link set dev p0 up 2>/dev/null &&
		ip netns exec "$probe" tc qdisc add dev p0 root tbf rate 1mbit burst 3028 \
			latency 50ms 2>/dev/null &&
		ip netns exec "$probe" iptables -A FORWARD -j NFQUEUE --queue-num 0 \
			2>/dev/null; then
		ok=1
	fi
	ip netns del "$probe" 2>/dev/null
	[ -n "$ok" ] || echo "veth, tbf or the NFQUEUE target does not work in a namespace"
}

cmd_check() {
	why=$(why_not)
	if [ -n "$why" ]; then
		echo "$me: no network namespaces here: $why" >&2
		exit 77
	fi
	exit 0
}

# ---- topology ----

# Checks TOPOLOGY and prints it normalised ("set KEY VALUE" and
# "host NAME K UP DOWN DELAY_MS" lines), or one error line "FILE:LINE: ...".
parse_topology() {
	awk -v file="$1" '
	function fail(msg) { print file ":" NR ": " msg; bad = 1; exit 2 }
	function uint(s) { return s ~ /^[0-9]+$/ }
	{ sub(/#.*/, "") }
	NF == 0 { next }
	$1 == "prefix" {
		if (NF != 2) fail("expected: prefix NAME")
		if (prefix != "") fail("prefix given twice")
		if (nhosts > 0) fail("prefix must come before the hosts")
		if ($2 !~ /^[a-z0-9]+$/ || length($2) > 12)
			fail("prefix \"" $2 "\" is not 1..12 characters of [a-z0-9]")
		prefix = $2; print "set prefix " $2; next
	}
	$1 == "queue" || $1 == "capacity" || $1 == "buffer_ms" || $1 == "realtime" {
		if (NF != 2) fail("expected: " $1 " NUMBER")
		if (seen[$1]++) fail($1 " given twice")
		if (!uint($2)) fail($1 " \"" $2 "\" is not a whole number")
		if ($1 == "queue" && $2 + 0 > 65535) fail("queue " $2 " is outside 0..65535")
		if ($1 == "capacity" && ($2 + 0 < 1 || $2 + 0 > 1048576))
			fail("capacity " $2 " is outside 1..1048576")
		if ($1 == "buffer_ms" && ($2 + 0 < 1 || $2 + 0 > 10000))
			fail("buffer_ms " $2 " is outside 1..10000")
		if ($1 == "realtime" && $2 + 0 > 99) fail("realtime " $2 " is outside 0..99")
		print "set " $1 " " ($2 + 0); next
	}
	{
		if (NF != 5) fail("expected: HOST K UPLINK_BPS DOWNLINK_BPS DELAY_MS (or prefix, queue, capacity, buffer_ms, realtime)")
		if ($1 !~ /^[a-z][a-z0-9]*$/ || length($1) > 15 || $1 == "router" || $1 == "lo")
			fail("host name \"" $1 "\" is not [a-z][a-z0-9]*, at most 15 characters, not router or lo")
		if (host[$1]++) fail("host " $1 " given twice")
		if (!uint($2) || $2 + 0 < 1 || $2 + 0 > 254) fail("K \"" $2 "\" is not in 1..254")
		if (kused[$2 + 0]++) fail("K " ($2 + 0) " given twice")
		for (i = 3; i <= 4; i++) {
			if (!uint($i) || ($i + 0 != 0 && ($i + 0 < 8000 || $i + 0 > 10000000000)))
				fail((i == 3 ? "uplink" : "downlink") " \"" $i "\" is not 0 or 8000..10000000000 bits per second")
		}
		if ($5 !~ /^[0-9]+(\.[0-9]+)?$/ || $5 + 0 > 60000)
			fail("delay \"" $5 "\" is not 0..60000 milliseconds")
		if (prefix == "") fail("the topology must start with: prefix NAME")
		nhosts++
		print "host " $1 " " ($2 + 0) " " $3 " " $4 " " $5
	}
	END {
		if (bad) exit 2
		if (prefix == "") { print file ": no prefix line"; exit 2 }
		if (nhosts == 0) { print file ": no hosts"; exit 2 }
	}' "$1"
}

# ---- down ----

# True while PID $1 runs (a child of ours that exited stays a zombie
# until it is reaped: that counts as gone).
alive() {
	# One read: a process reaped between a look at /proc/PID and one at
	# its status would otherwise count as alive.
	st_=$(cat "/proc/$1/status" 2>/dev/null) || return 1
	! printf '%s\n' "$st_" | grep -q '^State:[[:space:]]*Z'
}

# Waits up to $2 tenths of a second for PID $1 to be gone.
wait_gone() {
	n=$2
	while alive "$1"; do
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
		n=$((n - 1))
	done
}

# Stops PID $1: SIGTERM, then SIGKILL after 5 s.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || return 0
	wait_gone "$1" 50 && return 0
	kill -KILL "$1" 2>/dev/null
	wait_gone "$1" 20
}

# The run directory that made namespace $1 (the alias of its lo), if any.
netns_owner() {
	ip -n "$1" link show dev lo 2>/dev/null | sed -n 's/^ *alias //p'
}

# Stops every process inside namespace $1 and deletes it.  With a run
# directory $2, only if the namespace is that run's: a later run of the
# same prefix may have replaced it.
remove_netns() {
	[ -e "/run/netns/$1" ] || return 0
	if [ $# -ge 2 ]; then
		owner=$(netns_owner "$1")
		if [ -n "$owner" ] && [ "$owner" != "$2" ]; then
			echo "$me: namespace $1 now belongs to the run in $owner: left alone" >&2
			return 0
		fi
	fi
	for pid in $(ip netns pids "$1" 2>/dev/null); do
		echo "$me: stopping process $pid left in namespace $1" >&2
		stop_pid "$pid"
	done
	ip netns del "$1" 2>/dev/null || {
		echo "$me: cannot delete namespace $1" >&2
		return 1
	}
}

# True when PID $1 runs the fc-delay of run directory $2 (a PID from a
# state file may have been reused since): its arguments name the directory.
is_fc_delay() {
	case $(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) in
	*fc-delay*" $2/net/"*) return 0 ;;
	esac
	return 1
}

cmd_down() {
	[ $# -eq 1 ] || die "usage: netns.sh down RUNDIR"
	[ -d "$1" ] || die "no run directory $1"
	dir=$(cd "$1" && pwd)
	state=$dir/net/state
	[ -f "$state" ] || return 0
	rc=0
	# Processes first, so that fc-delay lets its packets go and says its counters.
	while read -r what arg; do
		if [ "$what" = pid ] && is_fc_delay "$arg" "$dir"; then
			stop_pid "$arg"
		fi
	done <"$state"
	while read -r what arg; do
		if [ "$what" = netns ]; then
			remove_netns "$arg" "$dir" || rc=2
		fi
	done <"$state"
	# An `up` killed while it started fc-delay leaves a child that had not
	# yet become fc-delay when its PID was read above, and that may have
	# entered the router's namespace just before it was deleted.  Once the
	# namespaces are gone nothing new can enter them, so whatever now runs
	# fc-delay on this run's files is that child: stop it by its PID.
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		if is_fc_delay "$pid" "$dir"; then
			echo "$me: stopping fc-delay $pid left by an interrupted up" >&2
			stop_pid "$pid"
		fi
	done
	[ "$rc" -eq 0 ] || exit 2
	mv "$state" "$state.down"
}

# ---- up ----

# Appends a line to the state file (before the thing it names is made).
record() {
	echo "$*" >>"$state"
}

# Runs a command, or fails the setup naming it.
run() {
	err=$("$@" 2>&1 >/dev/null) || fail "$* failed: $(echo "$err" | head -n 1)"
}

fail() {
	echo "$me: $*" >&2
	trap - EXIT INT TERM HUP
	cmd_down "$rundir" 2>/dev/null
	exit 2
}

# tbf on device $2 of namespace $1 at $3 bits per second.
shape() {
	[ "$3" -eq 0 ] && return 0
	burst=$(awk -v r="$3" 'BEGIN { b = int(r / 8 / 250); print (b < 3028 ? 3028 : b) }')
	run ip netns exec "$1" tc qdisc add dev "$2" root tbf rate "${3}bit" burst "$burst" \
		latency "${buffer_ms}ms"
}

cmd_up() {
	[ $# -eq 2 ] || die "usage: netns.sh up TOPOLOGY RUNDIR"
	topo=$1
	rundir=$2
	[ -f "$topo" ] || die "no topology file $topo"
	parsed=$(parse_topology "$topo") || die "$(echo "$parsed" | tail -n 1)"
	why=$(why_not)
	[ -z "$why" ] || die "no network namespaces here: $why"
	[ -x "$FC_DELAY" ] || die "fc-delay not found at $FC_DELAY (build it, or set FC_DELAY)"

	prefix='' queue=0 capacity=8192 buffer_ms=50 realtime=10
	eval "$(echo "$parsed" | awk '$1 == "set" { print $2 "=" $3 }')"
	hosts=$(echo "$parsed" | awk '$1 == "host" { print $2, $3, $4, $5, $6 }')

	mkdir -p "$rundir/net" || die "cannot create $rundir/net"
	rundir=$(cd "$rundir" && pwd)
	state=$rundir/net/state
	# A run that was never taken down in this directory, then any run of
	# this prefix elsewhere (a killed run whose directory is gone).
	if [ -f "$state" ]; then
		cmd_down "$rundir" || die "cannot remove the stale run in $rundir"
	fi
	for ns in $(ip netns list | awk '{ print $1 }' | grep -E "^$prefix-[a-z0-9]+\$"); do
		echo "$me: removing namespace $ns left by an earlier run" >&2
		remove_netns "$ns" || die "cannot remove stale namespace $ns"
	done
	rm -f "$rundir/net/fc-delay.pid" "$rundir/net/fc-delay.ready" \
		"$rundir/net/fc-delay.stats" "$rundir/net/hosts"

	trap 'fail "interrupted"' INT TERM HUP
	record "prefix $prefix"
	router=$prefix-router
	record "netns $router"
	run ip netns add "$router"
	run ip -n "$router" link set dev lo up alias "$rundir"
	run ip netns exec "$router" sysctl -q -w net.ipv4.ip_forward=1

	: >"$rundir/net/delays.tab"
	while read -r name k up down delay; do
		ns=$prefix-$name
		record "netns $ns"
		run ip netns add "$ns"
		run ip -n "$ns" link set dev lo up alias "$rundir"
		run ip -n "$router" link add name "$name" type veth peer name eth0 netns "$ns"
		run ip -n "$router" addr add "10.77.$k.1/24" dev "$name"
		run ip -n "$ns" addr add "10.77.$k.2/24" dev eth0
		run ip -n "$router" link set dev "$name" up
		run ip -n "$ns" link set dev eth0 up
		run ip -n "$ns" route add default via "10.77.$k.1"
		shape "$ns" eth0 "$up"
		shape "$router" "$name" "$down"
		echo "10.77.$k.0/24 $delay" >>"$rundir/net/delays.tab"
		echo "$name $k $ns 10.77.$k.2" >>"$rundir/net/hosts"
	done <<-EOF
	$hosts
	EOF

	# fc-delay, immune to the hangup of whoever ran us; its PID is $!
	# because `ip netns exec` execs it.
	(
		trap '' HUP
		exec ip netns exec "$router" "$FC_DELAY" -q "$queue" -c "$capacity" \
			--realtime "$realtime" \
			--stats "$rundir/net/fc-delay.stats" --ready "$rundir/net/fc-delay.ready" \
			"$rundir/net/delays.tab" </dev/null >/dev/null 2>"$rundir/net/fc-delay.log"
	) &
	pid=$!
	record "pid $pid"
	echo "$pid" >"$rundir/net/fc-delay.pid"
	n=100
	while [ ! -s "$rundir/net/fc-delay.ready" ]; do
		if ! alive "$pid" || [ "$n" -le 0 ]; then
			fail "fc-delay did not start: $(tail -n 1 "$rundir/net/fc-delay.log")"
		fi
		sleep 0.05
		n=$((n - 1))
	done
	run ip netns exec "$router" iptables -A FORWARD -s 10.77.0.0/16 -d 10.77.0.0/16 \
		-j NFQUEUE --queue-num "$queue"

	if ! ip route show 10.77.0.0/16 | grep -q .; then
		record "blackhole"
		ip route add blackhole 10.77.0.0/16 2>/dev/null ||
			ip route show 10.77.0.0/16 | grep -q . ||
			fail "cannot add the blackhole route for 10.77.0.0/16"
	fi
	trap - INT TERM HUP
}

case ${1:-} in
up) shift; cmd_up "$@" ;;
down) shift; cmd_down "$@" ;;
check) cmd_check ;;
*) die "usage: netns.sh up TOPOLOGY RUNDIR | down RUNDIR | check" ;;
esac
