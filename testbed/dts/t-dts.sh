#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# DTS on real packets: three nodes that all hold the service address
# 10.78.0.1 on one broadcast segment (a bridge that never learns, so that
# every frame reaches every node), each with its own internal address on a
# second bridge, each running Apache on port 80 and fc-dts (the core's
# filter on an NFQUEUE, and the proxy).  A client fetches a file of node 2
# with curl from a port that node 0 accepts: node 0's proxy reads the
# request and hands the live connection to node 2, whose Apache answers
# it.  The client's capture must show one connection in its own sequence
# spaces with every byte, and the nodes' logs the handover.  Needs root,
# network namespaces, Apache, curl and python3; skips without them.  Every
# process is stopped by its PID and every namespace removed, also when a
# test fails; a blackhole route keeps 10.78.0.0/16 from leaving the host.

. "$(dirname "$0")/../../tests/test-lib.sh"

TBB=$(dirname "$FLASHCOOP")/testbed
FC_DTS=$TBB/fc-dts
CAPTURE="python3 $SRC/../testbed/dts/capture.py"
MODS=/usr/lib/apache2/modules

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "not root: network namespaces need root"
for c in ip iptables apache2 curl python3; do
	command -v $c >/dev/null 2>&1 || skip_all "no $c"
done
[ -x "$FC_DTS" ] || skip_all "fc-dts is not built"
for m in mod_mpm_event.so mod_authz_core.so; do
	[ -e "$MODS/$m" ] || skip_all "$MODS/$m is missing"
done

P=dts$$
NODES=10.78.1.1,10.78.1.2,10.78.1.3
SHARED_MAC=02:78:00:00:00:01
CLIENT_MAC=02:78:00:00:00:64

PIDS=""
BLACKHOLE=""
cleanup() {
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $PIDS; do
		for _ in $(seq 100); do
			st_=$(cat /proc/$p/status 2>/dev/null) || break
			! printf '%s\n' "$st_" | grep -q '^State:[[:space:]]*Z' || break
			sleep 0.05
		done
		kill -KILL "$p" 2>/dev/null
	done
	for ns in $(ip netns list | awk '{ print $1 }' | grep -E "^$P-"); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns"
	done
	[ -z "$BLACKHOLE" ] || ip route del blackhole 10.78.0.0/16 2>/dev/null
	[ "${TEST_KEEP:-}" = 1 ] || rm -rf "$TEST_ROOT"
}
trap cleanup EXIT

# Apache's children (www-data) must reach the files.
chmod 755 "$TEST_ROOT" "$TRASH"

# Nothing of 10.78.0.0/16 leaves the host.
if ! ip route show 10.78.0.0/16 | grep -q .; then
	ip route add blackhole 10.78.0.0/16 && BLACKHOLE=1
fi

# bg NS NAME COMMAND...: runs COMMAND in namespace NS, PID remembered.
bg() {
	ns=$1
	name=$2
	shift 2
	ip netns exec "$ns" "$@" >"$TRASH/$name.out" 2>&1 </dev/null &
	PIDS="$PIDS $!"
}

# The network: a hub for the service segment, a switch for the internal one.
setup_net() {
	sw=$P-sw
	ip netns add $sw &&
	ip -n $sw link set lo up &&
	ip -n $sw link add br0 type bridge ageing_time 0 &&
	ip -n $sw link add br1 type bridge &&
	ip -n $sw link set br0 up && ip -n $sw link set br1 up &&
	ip netns add $P-cl &&
	ip -n $sw link add c0 type veth peer name eth0 netns $P-cl &&
	ip -n $sw link set c0 master br0 up &&
	ip -n $P-cl link set lo up &&
	ip -n $P-cl link set eth0 address $CLIENT_MAC &&
	ip -n $P-cl addr add 10.78.0.100/24 dev eth0 &&
	ip -n $P-cl link set eth0 up &&
	ip -n $P-cl neigh add 10.78.0.1 lladdr $SHARED_MAC dev eth0 nud permanent || return 1
	for i in 0 1 2; do
		ns=$P-n$i
		ip netns add $ns &&
		ip netns exec $ns sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 &&
		ip netns exec $ns sysctl -q -w net.ipv4.conf.all.rp_filter=0 &&
		ip netns exec $ns sysctl -q -w net.ipv4.conf.default.rp_filter=0 &&
		ip -n $sw link add s$i type veth peer name eth0 netns $ns &&
		ip -n $sw link add i$i type veth peer name eth1 netns $ns &&
		ip -n $sw link set s$i master br0 up &&
		ip -n $sw link set i$i master br1 up &&
		ip -n $ns link set lo up &&
		ip -n $ns link set eth0 address $SHARED_MAC &&
		ip -n $ns addr add 10.78.0.1/24 dev eth0 &&
		ip -n $ns addr add 10.78.1.$((i + 1))/24 dev eth1 &&
		ip -n $ns link set eth0 up && ip -n $ns link set eth1 up &&
		ip netns exec $ns sysctl -q -w net.ipv4.conf.eth0.rp_filter=0 &&
		ip netns exec $ns sysctl -q -w net.ipv4.conf.eth1.rp_filter=0 &&
		ip netns exec $ns sysctl -q -w net.ipv4.conf.lo.rp_filter=0 &&
		ip -n $ns neigh add 10.78.0.100 lladdr $CLIENT_MAC dev eth0 nud permanent &&
		ip netns exec $ns iptables -t raw -A PREROUTING -p tcp -m mark ! --mark 0xd75 \
			-j NFQUEUE --queue-num 0 &&
		ip netns exec $ns iptables -t raw -A OUTPUT -p tcp -m mark ! --mark 0xd75 \
			-j NFQUEUE --queue-num 0 || return 1
	done
}

# Apache for node I: its files say which node it is.
setup_apache() {
	d=$TRASH/n$1
	mkdir -p "$d/htdocs/n$1" &&
	python3 -c "import sys; sys.stdout.write(('node $1 ' * 40000)[:262144])" \
		>"$d/htdocs/n$1/big.bin" &&
	cat >"$d/httpd.conf" <<-CONF
	ServerRoot $d
	ServerName node$1
	Listen 80
	PidFile $d/httpd.pid
	Mutex file:$d default
	DefaultRuntimeDir $d
	ErrorLog $d/error.log
	LogLevel warn
	User www-data
	Group www-data
	LoadModule mpm_event_module $MODS/mod_mpm_event.so
	LoadModule authz_core_module $MODS/mod_authz_core.so
	StartServers 1
	ServerLimit 1
	ThreadsPerChild 10
	MaxRequestWorkers 10
	LogFormat "%a %{remote}p %r %>s %B" dts
	CustomLog $d/access.log dts
	DocumentRoot $d/htdocs
	<Directory $d/htdocs>
		Require all granted
	</Directory>
	CONF
	chmod -R a+rX "$d"
}

# port_for NODE: a client port that NODE accepts.
port_for() {
	p=41000
	while [ "$("$FC_DTS" --accepts 10.78.0.100 $p 3)" != "$1" ]; do
		p=$((p + 1))
	done
	echo $p
}

test_expect_success 'three nodes on one broadcast segment, Apache and fc-dts on each' '
	setup_net &&
	for i in 0 1 2; do
		setup_apache $i &&
		bg $P-n$i apache$i apache2 -d "$TRASH/n$i" -f "$TRASH/n$i/httpd.conf" -DFOREGROUND &&
		bg $P-n$i dts$i "$FC_DTS" --service 10.78.0.1 --nodes $NODES --index $i \
			--log "$TRASH/dts$i.log" --stats "$TRASH/dts$i.stats" \
			--ready "$TRASH/dts$i.ready" || return 1
	done &&
	test_wait_for 10 "test -s dts0.ready && test -s dts1.ready && test -s dts2.ready" &&
	for i in 0 1 2; do
		test_wait_for 10 "ip netns exec $P-n$i ss -Hltn sport = :80 | grep -q ." || return 1
	done
'

# fetch NAME ACCEPTOR DEST: the client fetches node DEST's file from a port
# node ACCEPTOR accepts, with the capture running.
fetch() {
	port=$(port_for $2) &&
	echo $port >$1.port &&
	bg $P-cl cap_$1 $CAPTURE capture eth0 $1.cap $1.capready &&
	test_wait_for 10 "test -s $1.capready" &&
	ip netns exec $P-cl curl -sS --max-time 20 --local-port $port -o $1.body \
		-w "%{http_code} %{num_connects} %{size_header} %{size_download}\n" \
		http://10.78.0.1/n$3/big.bin >$1.curl &&
	sleep 0.3 &&
	kill -TERM "$(echo $PIDS | awk "{ print \$NF }")" &&
	test_wait_for 10 "grep -q ^drops $1.cap"
}

test_expect_success 'a request that node 0 accepts is served by node 2 over the same connection' '
	fetch a 0 2 &&
	read -r code conns hsize bsize <a.curl &&
	test "$code" = 200 &&
	test "$conns" = 1 &&
	test "$bsize" = 262144 &&
	cmp a.body n2/htdocs/n2/big.bin &&
	# Node 2 served it and saw the client itself, address and port.
	test_wait_for 5 "grep -q \"^10.78.0.100 $(cat a.port) GET /n2/big.bin HTTP/1.1 200\" n2/access.log" &&
	! grep -q big.bin n0/access.log n1/access.log
'

test_expect_success 'the client saw one connection, in its own sequence spaces, with every byte' '
	read -r code conns hsize bsize <a.curl &&
	$CAPTURE check a.cap 10.78.0.100 "$(cat a.port)" 10.78.0.1 80 $((hsize + bsize)) >a.check &&
	cat a.check >&2 &&
	# The check can fail: a byte fewer, or another port, does.
	! $CAPTURE check a.cap 10.78.0.100 "$(cat a.port)" 10.78.0.1 80 \
		$((hsize + bsize - 1)) >/dev/null 2>&1 &&
	! $CAPTURE check a.cap 10.78.0.100 $(($(cat a.port) + 1)) 10.78.0.1 80 \
		$((hsize + bsize)) >/dev/null 2>&1
'

test_expect_success 'node 0 handed the connection over, node 2 took it, node 1 only dropped' '
	port=$(cat a.port) &&
	grep -q "	handover	10.78.0.100:$port	node 2 " dts0.log &&
	test_wait_for 5 "grep -q \"	done	10.78.0.100:$port	\" dts0.log" &&
	grep -q "	taken	10.78.0.100:$port	" dts2.log &&
	! grep -q "	failed	\|	error	" dts0.log dts1.log dts2.log &&
	! test -s dts1.log
'

test_expect_success 'another pair: node 2 accepts, node 1 serves' '
	fetch b 2 1 &&
	read -r code conns hsize bsize <b.curl &&
	test "$code" = 200 && test "$conns" = 1 &&
	cmp b.body n1/htdocs/n1/big.bin &&
	$CAPTURE check b.cap 10.78.0.100 "$(cat b.port)" 10.78.0.1 80 $((hsize + bsize)) >b.check &&
	test_wait_for 5 "grep -q \"	done	10.78.0.100:$(cat b.port)	\" dts2.log"
'

test_expect_success 'the filters counted one handover each and no damaged packet' '
	for i in 0 1 2; do
		kill -TERM "$(cat dts$i.ready)" || return 1
	done &&
	test_wait_for 10 "test -s dts0.stats && test -s dts1.stats && test -s dts2.stats" &&
	cat dts0.stats dts1.stats dts2.stats >&2 &&
	grep -q " handovers=1 done=1 " dts0.stats &&
	grep -q " taken=1 " dts2.stats &&
	grep -q " handovers=1 done=1 taken=1 " dts2.stats &&
	grep -q " taken=1 " dts1.stats &&
	! grep -q "packet_errors=[1-9]\|raw_errors=[1-9]\|failed=[1-9]" dts0.stats dts1.stats dts2.stats
'

test_done
