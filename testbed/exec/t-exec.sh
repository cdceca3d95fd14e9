#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The real executor against a real named and a real web server, both on
# 127.0.0.1 at free high ports (no root, no network): exec-drive calls
# the executor's functions as the node would.  Signed updates add and
# remove siteS's A record (seen by a query), a wrong secret is refused
# with its rcode; fetches give byte-identical copies (one of 300 KiB),
# the whole site comes whole, a 404, a short body, a refused port and a
# server that never answers fail with the URL and the reason and leave no
# file; four fetches run at once on four threads; a remove during a fetch
# makes it leave nothing; remove deletes the copy; the source address is
# the one configured; push is refused; fc-testbed-node reads the group.
# named and the web server are started and stopped by their PIDs, by the
# EXIT trap after a failure too.  Skips without named or python3.

# The owner's web server, found before test-lib.sh moves into $TRASH.
SERVER=$(cd "$(dirname "$0")" && pwd)/t-exec-server.py

. "$(dirname "$0")/../../tests/test-lib.sh"

BUILD=$(dirname "$FLASHCOOP")
FC_DNS=$BUILD/testbed/fc-dns
DRIVE=$BUILD/testbed/tests/exec-drive
NODE=$BUILD/testbed/fc-testbed-node
export FC_DNS DRIVE NODE

if ! command -v named >/dev/null 2>&1; then
	echo "1..0 # SKIP named (bind9) is not installed"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed"
	exit 0
fi
for p in "$FC_DNS" "$DRIVE" "$NODE"; do
	if [ ! -x "$p" ]; then
		echo "Bail out! $p is not built (make testbed-programs)"
		exit 1
	fi
done

# Every process this script started, by PID, stopped on exit.
PIDS=$TEST_ROOT/pids
: >"$PIDS"

stop_pid() {
	kill -0 "$1" 2>/dev/null || return 0
	kill -TERM "$1" 2>/dev/null
	n=0
	while kill -0 "$1" 2>/dev/null && [ "$n" -lt 100 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

cleanup() {
	while read -r pid; do
		stop_pid "$pid"
	done <"$PIDS"
	if [ "${TEST_KEEP:-}" = 1 ]; then
		echo "# kept $TEST_ROOT"
	else
		rm -rf "$TEST_ROOT"
	fi
}
trap cleanup EXIT

SECRET=$("$FC_DNS" keygen) || exit 1
echo "$SECRET" >"$TRASH/secret"

# named for zone flash.test. with site0's initial record, as t-dns.sh
# starts it: a random free port, tried again when taken.
start_named() {
	tries=0
	while [ "$tries" -lt 8 ]; do
		tries=$((tries + 1))
		port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		"$FC_DNS" write-config "$TRASH/dns" --listen "127.0.0.1:$port" \
			--zone flash.test. --site site0.flash.test. --site-addr 10.77.1.2 \
			--ttl 5 --key "flash-key.:$SECRET" >/dev/null || return 1
		named -f -n 1 -4 -c "$TRASH/dns/named.conf" </dev/null >"$TRASH/named.stderr" 2>&1 &
		pid=$!
		echo "$pid" >>"$PIDS"
		n=0
		while [ "$n" -lt 100 ] && kill -0 "$pid" 2>/dev/null; do
			if "$FC_DNS" query --server "127.0.0.1:$port" --timeout 200 \
				ns.flash.test >/dev/null 2>&1; then
				echo "$port" >"$TRASH/dns-port"
				echo "$pid" >"$TRASH/named.pid"
				return 0
			fi
			sleep 0.05
			n=$((n + 1))
		done
		stop_pid "$pid"
	done
	cat "$TRASH/named.stderr" "$TRASH/dns/named.log" >&2 2>/dev/null
	return 1
}

# The owner's files: site 0 (five objects, one of 300 KiB), site 3 (four,
# answered 1 s late), site 7 (answered short).
mkdir -p "$TRASH/www/0/o" "$TRASH/www/3/o" "$TRASH/www/7/o" "$TRASH/rescue" \
	"$TRASH/rescue2"
head -c 307200 /dev/urandom >"$TRASH/www/0/o/1"
head -c 1000 /dev/urandom >"$TRASH/www/0/o/0"
head -c 1 /dev/urandom >"$TRASH/www/0/o/2"
head -c 65536 /dev/urandom >"$TRASH/www/0/o/10"
: >"$TRASH/www/0/o/11"
for i in 0 1 2 3; do
	head -c 20000 /dev/urandom >"$TRASH/www/3/o/$i"
done
head -c 10000 /dev/urandom >"$TRASH/www/7/o/0"

start_server() {
	python3 "$SERVER" --root "$TRASH/www" --port-file "$TRASH/http-port" \
		--log "$TRASH/http.log" --delay-site 3 1.0 --short-site 7 \
		--stall-port-file "$TRASH/stall-port" \
		--closed-port-file "$TRASH/closed-port" 2>"$TRASH/http.stderr" &
	pid=$!
	echo "$pid" >>"$PIDS"
	echo "$pid" >"$TRASH/http.pid"
	n=0
	while [ "$n" -lt 200 ] && kill -0 "$pid" 2>/dev/null; do
		[ -s "$TRASH/http-port" ] && return 0
		sleep 0.05
		n=$((n + 1))
	done
	cat "$TRASH/http.stderr" >&2
	return 1
}

start_named || {
	echo "Bail out! cannot start named"
	exit 1
}
start_server || {
	echo "Bail out! cannot start the python3 web server"
	exit 1
}

# config NAME [KEY=VALUE]...: node 2's configuration in NAME.ini, whose
# [executor] has the keys below, some replaced or added by the arguments.
config() {
	name=$1
	shift
	{
		cat <<-INI
		[node]
		id = 2
		address = 127.0.0.1
		socket = $TRASH/$name.sock
		log = $TRASH/$name.log

		[site 0]
		bytes = 373737B
		owner = 1
		root = $TRASH/www/0

		[site 3]
		bytes = 80000B
		owner = 1

		[site 5]
		bytes = 1MiB
		owner = 2

		[peer 1]
		address = 127.0.0.1
		key = 000102030405060708090a0b0c0d0e0f

		[executor]
		INI
		# A later KEY=VALUE replaces an earlier one of the same key.
		for kv in "dns_server=127.0.0.1:$(cat "$TRASH/dns-port")" \
			"key_name=flash-key." "key_secret=$SECRET" "ttl=7s" \
			"http_port=$(cat "$TRASH/http-port")" "fetch_timeout=2s" \
			"rescue_root=$TRASH/rescue" "$@"; do
			echo "$kv"
		done | awk '{ i = index($0, "="); key = substr($0, 1, i - 1)
			if (!(key in v)) order[++n] = key; v[key] = substr($0, i + 1) }
			END { for (j = 1; j <= n; j++) print order[j] " = " v[order[j]] }'
	} >"$TRASH/$name.ini"
}
config exec
config wrongkey "key_secret=AAAA$SECRET"
config source "source_address=127.0.0.2" "rescue_root=$TRASH/rescue2"
config stall "http_port=$(cat "$TRASH/stall-port")"
config closed "http_port=$(cat "$TRASH/closed-port")"

q() { "$FC_DNS" query --server "127.0.0.1:$(cat dns-port)" "$1" | sort; }
url() { echo "http://127.0.0.1:$(cat http-port)/fcfetch/$1/o/$2"; }
# No temporary file is left beside the copies.
no_temp() { test -z "$(find rescue rescue2 -name '.*' -type f)"; }

test_expect_success 'the executor reads its group (exec-drive check, fc-testbed-node --check)' '
	"$DRIVE" exec.ini check >out &&
	grep -qx "zone flash.test." out &&
	grep -qx "ttl 7" out &&
	grep -qx "fetch_path /fcfetch" out &&
	grep -qx "fetch_timeout 2000" out &&
	"$NODE" --check exec.ini &&
	sed "s/^ttl = 7s/tl = 7s/" exec.ini >bad.ini &&
	test_status 2 "$NODE" --check bad.ini &&
	test_stderr_has "bad.ini: [executor] tl: unknown key (the executor reads" &&
	test_stderr_lines 1
'

# An RRset has one TTL (RFC 2181, 5.2): BIND gives the whole set the TTL
# of the record added, so the zone's record goes from 5 s to 7 s too.
test_expect_success 'dns_add adds site0 A, with the ttl set; a query sees it' '
	test "$(q site0.flash.test.)" = "$(printf "10.77.1.2\t5")" &&
	"$DRIVE" exec.ini dns-add 0 10.77.2.2 &&
	test "$(q site0.flash.test.)" = "$(printf "10.77.1.2\t7\n10.77.2.2\t7")" &&
	"$DRIVE" exec.ini dns-add 4 10.77.4.2 &&
	test "$(q site4.flash.test.)" = "$(printf "10.77.4.2\t7")"
'

test_expect_success 'dns_remove removes exactly that record' '
	"$DRIVE" exec.ini dns-remove 0 10.77.1.2 &&
	test "$(q site0.flash.test.)" = "$(printf "10.77.2.2\t7")" &&
	"$DRIVE" exec.ini dns-remove 0 10.77.1.2 &&
	"$DRIVE" exec.ini dns-remove 4 10.77.4.2 &&
	test "$(q site4.flash.test.)" = ""
'

test_expect_success 'a wrong key_secret fails, the rcode named, nothing changes' '
	test_status 1 "$DRIVE" wrongkey.ini dns-add 0 10.77.9.2 &&
	test_stderr_has "adding site0.flash.test. A 10.77.9.2 at 127.0.0.1#$(cat dns-port): NOTAUTH, TSIG error BADSIG" &&
	test_stderr_lines 1 &&
	test_status 1 "$DRIVE" wrongkey.ini dns-remove 0 10.77.2.2 &&
	test_stderr_has "deleting site0.flash.test. A 10.77.2.2 at 127.0.0.1#$(cat dns-port): NOTAUTH, TSIG error BADSIG" &&
	test "$(q site0.flash.test.)" = "$(printf "10.77.2.2\t7")"
'

test_expect_success 'fetch of one object (300 KiB): a byte-identical copy, readable by all' '
	"$DRIVE" exec.ini fetch 0 1 127.0.0.1 >out &&
	grep -q "^ok 0 1 " out &&
	cmp www/0/o/1 rescue/0/o/1 &&
	test "$(stat -c %a rescue/0/o/1)" = 644 &&
	test "$(ls rescue/0/o)" = 1 &&
	no_temp &&
	grep -qx "127.0.0.1 /fcfetch/0/o/1 200" http.log
'

test_expect_success 'a whole-site fetch brings every object of the site root, byte-identical' '
	"$DRIVE" exec.ini fetch 0 site 127.0.0.1 >out &&
	grep -q "^ok 0 site " out &&
	diff -r www/0 rescue/0 &&
	no_temp &&
	for n in 0 1 2 10 11; do
		grep -qx "127.0.0.1 /fcfetch/0/o/$n 200" http.log || exit 1
	done
'

test_expect_success 'a 404 fails naming the URL and the status, and leaves no file' '
	test_status 1 "$DRIVE" exec.ini fetch 0 99 127.0.0.1 &&
	test_stderr_has "GET $(url 0 99): HTTP 404" &&
	test_stderr_lines 1 &&
	test_path_is_missing rescue/0/o/99 &&
	no_temp
'

test_expect_success 'a short body fails naming the URL and both lengths, and leaves no file' '
	test_status 1 "$DRIVE" exec.ini fetch 7 0 127.0.0.1 &&
	test_stderr_has "GET $(url 7 0): HTTP 200 with a short body: 5000 of the 10000 bytes of its Content-Length" &&
	test_path_is_missing rescue/7/o/0 &&
	no_temp
'

test_expect_success 'a whole-site fetch fails if one object fails, naming it' '
	mkdir -p site9/o && : >site9/o/0 && : >site9/o/1 &&
	sed "s|^root = .*|root = $TRASH/site9|; s/^\[site 0\]/[site 9]/" exec.ini >s9.ini &&
	test_status 1 "$DRIVE" s9.ini fetch 9 site 127.0.0.1 &&
	test_stderr_has "site 9, object 1 of 2: GET $(url 9 0): HTTP 404" &&
	no_temp
'

test_expect_success 'a server that is down: refused, tried again, fails within the timeout' '
	test_status 1 "$DRIVE" closed.ini fetch 0 2 127.0.0.1 &&
	test_stderr_has "2 tries, no time left for the next one: GET http://127.0.0.1:$(cat closed-port)/fcfetch/0/o/2: Failed to connect to 127.0.0.1 port $(cat closed-port)" &&
	test_stderr_lines 1 &&
	ms=$(awk "/^failed/ { print \$4 }" "$TEST_ROOT/cmd.out") &&
	test "$ms" -ge 1000 && test "$ms" -lt 2000 &&
	no_temp
'

test_expect_success 'a server that never answers: the transfer ends at fetch_timeout' '
	test_status 1 "$DRIVE" stall.ini fetch 0 2 127.0.0.1 &&
	test_stderr_has "GET http://127.0.0.1:$(cat stall-port)/fcfetch/0/o/2: not done within the fetch_timeout of 2000 ms (0 bytes came): " &&
	test_stderr_lines 1 &&
	ms=$(awk "/^failed/ { print \$4 }" "$TEST_ROOT/cmd.out") &&
	test "$ms" -ge 1900 && test "$ms" -lt 3000 &&
	test_path_is_missing rescue/0/o/2.x &&
	no_temp
'

test_expect_success 'four fetches on four threads at once (each answered 1 s late)' '
	"$DRIVE" exec.ini fetch 3 0 127.0.0.1 3 1 127.0.0.1 3 2 127.0.0.1 3 3 127.0.0.1 >out &&
	test "$(grep -c "^ok 3 " out)" = 4 &&
	for i in 0 1 2 3; do
		cmp www/3/o/$i rescue/3/o/$i || exit 1
		ms=$(awk "\$1 == \"ok\" && \$3 == $i { print \$4 }" out)
		test "$ms" -ge 1000 || exit 1
	done &&
	all=$(awk "/^all/ { print \$2 }" out) &&
	test "$all" -lt 2500 &&
	no_temp
'

test_expect_success 'a remove during a fetch: the fetch fails and leaves nothing' '
	test_status 1 "$DRIVE" exec.ini fetch-remove 3 2 127.0.0.1 300 &&
	test_stderr_has "GET $(url 3 2): site 3'"'"'s copy was removed meanwhile" &&
	test_path_is_missing rescue/3 &&
	# The fetch after it is a new one and brings the object.
	"$DRIVE" exec.ini fetch 3 2 127.0.0.1 >out &&
	cmp www/3/o/2 rescue/3/o/2
'

test_expect_success 'remove deletes the copy, and is done when there is none' '
	test -f rescue/0/o/1 &&
	"$DRIVE" exec.ini remove 0 &&
	test_path_is_missing rescue/0 &&
	"$DRIVE" exec.ini remove 0 &&
	test -f rescue/3/o/2
'

test_expect_success 'source_address binds the fetch: the server sees it' '
	"$DRIVE" source.ini fetch 0 0 127.0.0.1 >out &&
	cmp www/0/o/0 rescue2/0/o/0 &&
	grep -qx "127.0.0.2 /fcfetch/0/o/0 200" http.log
'

test_expect_success 'push is refused with the reason' '
	test_status 1 "$DRIVE" exec.ini push 5 1 127.0.0.1 &&
	test_stderr_has "push is not supported on the testbed: over HTTP a copy of site 5" &&
	test_stderr_lines 1
'

stop_pid "$(cat "$TRASH/http.pid")"
stop_pid "$(cat "$TRASH/named.pid")"

test_expect_success 'no process of ours is left running' '
	while read -r pid; do
		! kill -0 "$pid" 2>/dev/null || exit 1
	done <"$PIDS"
'

test_done
