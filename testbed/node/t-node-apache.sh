#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# mod_flashcoop in real Apache servers on 127.0.0.1, each beside its
# fc-noded with the log-only executor: an object is served; the
# scoreboard reaches the daemon through mod_watchdog; once the origin is
# pushed into FLASH through its socket, a request is redirected with a
# token to the cooperator, which serves it from its rescued copy; with
# the daemon gone, requests are served as usual.  Needs apache2, no root
# (as root the children run as www-data).  Every process is stopped by
# its PID.  (bash: the HTTP requests go through /dev/tcp.)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/test-lib.sh"

TBB=${TB_BUILD:-$ROOT/build/testbed}
MODS=/usr/lib/apache2/modules

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
command -v apache2 >/dev/null 2>&1 || skip_all "apache2 is not installed"
command -v ss >/dev/null 2>&1 || skip_all "ss (iproute2) is not installed"
for f in "$TBB/fc-noded" "$TBB/fc-nodectl" "$TBB/mod_flashcoop.so" \
	"$MODS/mod_mpm_event.so" "$MODS/mod_authz_core.so"; do
	[ -e "$f" ] || skip_all "$f is missing"
done
apache2 -l | grep -q mod_watchdog.c || [ -e "$MODS/mod_watchdog.so" ] ||
	skip_all "no mod_watchdog"

# The PIDs of what this script started, stopped in the EXIT trap.
PIDS=""
stop_all() {
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $PIDS; do
		for _ in $(seq 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$p" 2>/dev/null
	done
	PIDS=""
}
trap 'stop_all; [ "${TEST_KEEP:-}" = 1 ] || rm -rf "$TEST_ROOT"' EXIT

# Apache's children (www-data, as root) must reach the files and sockets.
chmod 755 "$TEST_ROOT" "$TRASH"

# A port that no TCP or UDP socket uses now, in any state, below the
# kernel's ephemeral range (whose ports come and go with connections).
EPHEMERAL=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
free_port() {
	p=$((10000 + RANDOM % (EPHEMERAL - 10000)))
	while [ -n "$(ss -Htuan "( sport = :$p )")" ]; do
		p=$((p + 1))
		[ "$p" -lt "$EPHEMERAL" ] || p=10000
	done
	echo "$p"
}
HA=$(free_port); HB=$(free_port)
while [ "$HB" = "$HA" ]; do HB=$(free_port); done
UA=$(free_port); UB=$(free_port)
while [ "$UB" = "$UA" ] || [ "$UA" = "$HA" ] || [ "$UA" = "$HB" ]; do UA=$(free_port); done
while [ "$UB" = "$UA" ] || [ "$UB" = "$HA" ] || [ "$UB" = "$HB" ]; do UB=$(free_port); done
KEY=8a1f0c3d5e7b9a2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c

# node_config DIR ID PEER HTTP-PORT UDP-PORT PEER-HTTP-PORT PEER-UDP-PORT
node_config() {
	cat >"$1/noded.ini" <<-INI
	[node]
	id = $2
	address = 127.0.0.1
	udp_port = $5
	socket = $1/noded.sock
	log = $1/noded.log
	pid_file = $1/noded.pid
	load_interval = 100ms
	listen_port = $4
	backlog = 511
	[coop]
	smoothing = window
	smooth_time = 300ms
	flash_threshold = 0.5
	low_water = 0.3
	redirect_share = 1
	probe_interval = 1s
	heartbeat_interval = 1s
	[site 0]
	bytes = 1MiB
	owner = 1
	[site 1]
	bytes = 1MiB
	owner = 2
	[peer $3]
	address = 127.0.0.1
	port = $7
	http = 127.0.0.1:$6
	key = $KEY
	INI
}

# apache_config DIR PORT
apache_config() {
	user=""
	[ "$(id -u)" -eq 0 ] && user="User www-data
Group www-data"
	cat >"$1/httpd.conf" <<-CONF
	ServerRoot $1
	ServerName 127.0.0.1
	Listen 127.0.0.1:$2
	PidFile $1/httpd.pid
	Mutex file:$1 default
	DefaultRuntimeDir $1
	ErrorLog $1/error.log
	LogLevel warn
	$user
	LoadModule mpm_event_module $MODS/mod_mpm_event.so
	LoadModule authz_core_module $MODS/mod_authz_core.so
	LoadModule flashcoop_module $TBB/mod_flashcoop.so
	StartServers 1
	ServerLimit 1
	ThreadsPerChild 10
	MaxRequestWorkers 10
	WatchdogInterval 1
	DocumentRoot $1/htdocs
	<Directory $1/htdocs>
		Require all granted
	</Directory>
	<Directory $1/rescue>
		Require all granted
	</Directory>
	FlashcoopSocket $1/noded.sock
	FlashcoopSite 0 /s0
	FlashcoopSite 1 /s1
	FlashcoopRescueRoot $1/rescue
	FlashcoopWait 5000
	FlashcoopLoadInterval 1000
	CONF
}

# http_get PORT PATH: the status line and the headers of a GET, then the
# body, as the server sent them (HTTP/1.0, so the server closes).
http_get() {
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
	tr -d '\r' <&3
	exec 3<&-
}

for h in a b; do
	mkdir -p "$h/htdocs/s0/o" "$h/htdocs/s1/o" "$h/rescue/0/o" "$h/logs"
done
echo "object 1 of site 0" >a/htdocs/s0/o/1
echo "object 1 of site 1" >b/htdocs/s1/o/1
# What node b's executor would have fetched (the log-only one fetches nothing).
echo "rescued object 1 of site 0" >b/rescue/0/o/1
chmod -R a+rX a b
node_config "$TRASH/a" 1 2 "$HA" "$UA" "$HB" "$UB"
node_config "$TRASH/b" 2 1 "$HB" "$UB" "$HA" "$UA"
apache_config "$TRASH/a" "$HA"
apache_config "$TRASH/b" "$HB"

# Started here, not in a test body (a subshell), so that the trap knows
# every PID.
start_noded() {
	"$TBB/fc-noded" "$TRASH/$1/noded.ini" 2>"$TRASH/$1/noded.err" &
	PIDS="$PIDS $!"
	echo $! >"$TRASH/$1/noded.started"
}
start_apache() {
	apache2 -d "$TRASH/$1" -f "$TRASH/$1/httpd.conf" -DFOREGROUND 2>"$TRASH/$1/apache.err" &
	PIDS="$PIDS $!"
	echo $! >"$TRASH/$1/apache.started"
}
start_noded a
start_noded b
start_apache a
start_apache b

test_expect_success 'the daemons and the servers start' '
	{ test_wait_for 30 "[ -S a/noded.sock ] && [ -S b/noded.sock ]" &&
	  test_wait_for 30 "http_get $HA /s0/o/1 | grep -q \"^HTTP/1.1 \"" &&
	  test_wait_for 30 "http_get $HB /s1/o/1 | grep -q \"^HTTP/1.1 \""; } || {
		tail -n 5 ./*/noded.err ./*/apache.err ./*/error.log >&2
		false
	}
'

test_expect_success 'an object of the own site is served' '
	http_get "$HA" /s0/o/1 >out &&
	grep -q "^HTTP/1.1 200 " out &&
	grep -q "^object 1 of site 0$" out
'

test_expect_success 'the scoreboard reaches the daemon (10 workers)' '
	test_wait_for 10 "grep -qP \"\\tload\\t\\d+\\t10\\t\\d+\\t511\\t\" a/noded.log"
'

test_expect_success 'a path that is not an object is none of the module'"'"'s business' '
	http_get "$HA" /nothing >out &&
	grep -q "^HTTP/1.1 404 " out
'

test_expect_success 'pushed into FLASH through its socket, the origin says so' '
	for _ in $(seq 200); do
		"$TBB/fc-nodectl" a/noded.sock SCOREBOARD 10 10 >/dev/null
		"$TBB/fc-nodectl" a/noded.sock STATUS | grep -q "^STATE FLASH" && break
		sleep 0.02
	done &&
	"$TBB/fc-nodectl" a/noded.sock STATUS | grep -q "^STATE FLASH" &&
	test_wait_for 10 "grep -q \"state.LOW -> RESCUE\" b/noded.log"
'

test_expect_success 'a request is redirected to the cooperator with a token' '
	http_get "$HA" "/s0/o/1?x=1" >out &&
	grep -q "^HTTP/1.1 302 " out &&
	grep -qE "^Location: http://127\.0\.0\.1:$HB/s0/o/1\?x=1&fctok=[0-9a-f]{48}$" out
'

test_expect_success 'the cooperator serves the redirected request from its rescued copy' '
	loc=$(sed -n "s|^Location: http://127.0.0.1:$HB||p" out) &&
	http_get "$HB" "$loc" >out2 &&
	grep -q "^HTTP/1.1 200 " out2 &&
	grep -q "^rescued object 1 of site 0$" out2 &&
	grep -q "fetch_done.site 0 object 1 from node 1" b/noded.log
'

test_expect_success 'without the token, a request for site 0 at the cooperator is still rescued' '
	http_get "$HB" /s0/o/1 >out3 &&
	grep -q "^HTTP/1.1 200 " out3 &&
	grep -q "^rescued object 1 of site 0$" out3
'

test_expect_success 'with its daemon gone, the server serves as usual and says so once' '
	kill -TERM "$(cat a/noded.started)" &&
	test_wait_for 10 "[ ! -e a/noded.sock ]" &&
	http_get "$HA" /s0/o/1 >out4 && http_get "$HA" /s0/o/1 >>out4 &&
	[ "$(grep -c "^HTTP/1.1 200 " out4)" -eq 2 ] &&
	[ "$(grep -c "fc-noded at .* cannot be reached" a/error.log)" -ge 1 ]
'

started=$(cat a/noded.started b/noded.started a/apache.started b/apache.started | tr "\n" " ")
stop_all
test_expect_success 'everything stopped by its PID, and left no socket behind' '
	for p in '"$started"'; do
		! kill -0 "$p" 2>/dev/null || { echo "$p still runs" >&2; exit 1; }
	done &&
	test_path_is_missing b/noded.sock && test_path_is_missing a/httpd.pid &&
	grep -q "event.stop.node 2" b/noded.log
'
test_done
