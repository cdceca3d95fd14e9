#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# testbed/dns against a real BIND9: named started from the files of
# `fc-dns write-config` on 127.0.0.1 and a free high port (no root, no
# network), signed updates that add and delete A records (seen by our
# query and by dig, TTL as set), unsigned and wrongly signed updates
# refused, and the zone back to its start when a run writes its directory
# again or starts from a fresh one.  named is started and stopped by its
# PID; the EXIT trap stops it after a failure too.  Skips without named.

. "$(dirname "$0")/../../tests/test-lib.sh"

# fc-dns lives beside the flashcoop program, in $(B)/testbed/.
FC_DNS=${FC_DNS:-$(dirname "$FLASHCOOP")/testbed/fc-dns}
export FC_DNS

if ! command -v named >/dev/null 2>&1; then
	echo "1..0 # SKIP named (bind9) is not installed"
	exit 0
fi
if [ ! -x "$FC_DNS" ]; then
	echo "Bail out! $FC_DNS is not built (make testbed-programs)"
	exit 1
fi

# The named processes this script started, by PID, stopped on exit.
NAMED_PIDS=$TEST_ROOT/named.pids
: >"$NAMED_PIDS"
NAMED_PID=

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
	done <"$NAMED_PIDS"
	if [ "${TEST_KEEP:-}" = 1 ]; then
		echo "# kept $TEST_ROOT"
	else
		rm -rf "$TEST_ROOT"
	fi
}
trap cleanup EXIT

SECRET=$("$FC_DNS" keygen) || exit 1
KEY=flash-key.:$SECRET
echo "$KEY" >"$TRASH/key"

# start_named DIR: writes the run's files into DIR for a random free port
# and starts named on it; the port goes to $TRASH/port.
start_named() {
	tries=0
	while [ "$tries" -lt 8 ]; do
		tries=$((tries + 1))
		port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		"$FC_DNS" write-config "$1" --listen "127.0.0.1:$port" --zone flash.test. \
			--site site.flash.test. --site-addr 10.77.1.2 \
			--host s1.flash.test.=10.77.1.2 --host s2.flash.test.=10.77.2.2 \
			--ttl 5 --key "$KEY" >"$TRASH/named-cmd" || return 1
		named -f -n 1 -4 -c "$1/named.conf" </dev/null >"$1.stderr" 2>&1 &
		NAMED_PID=$!
		echo "$NAMED_PID" >>"$NAMED_PIDS"
		n=0
		while [ "$n" -lt 100 ] && kill -0 "$NAMED_PID" 2>/dev/null; do
			if "$FC_DNS" query --server "127.0.0.1:$port" --timeout 200 \
				ns.flash.test >/dev/null 2>&1; then
				echo "$port" >"$TRASH/port"
				echo "$NAMED_PID" >"$TRASH/named.pid"
				return 0
			fi
			sleep 0.05
			n=$((n + 1))
		done
		# Died (the port was taken) or never answered: another port.
		stop_pid "$NAMED_PID"
	done
	echo "named did not start; its last words:" >&2
	cat "$1.stderr" "$1/named.log" >&2 2>/dev/null
	return 1
}

# Helpers for the test bodies (they run in subshells: state is in files).
srv() { echo "127.0.0.1:$(cat "$TRASH/port")"; }
q() { "$FC_DNS" query --server "$(srv)" "$1" | sort; }
upd() { "$FC_DNS" update --server "$(srv)" --zone flash.test. "$@"; }

start_named "$TRASH/run1" || {
	echo "Bail out! cannot start named"
	exit 1
}

test_expect_success 'write-config writes what named-checkconf accepts' '
	test "$(cat named-cmd)" = "named -f -n 1 -4 -c $TRASH/run1/named.conf" &&
	test "$(cat run1/named.pid)" = "$(cat named.pid)" &&
	if command -v named-checkconf >/dev/null; then
		named-checkconf -z run1/named.conf
	fi &&
	test "$(stat -c %a run1/tsig.key)" = 600
'

test_expect_success 'named serves the initial zone, TTL as written' '
	test "$(q site.flash.test.)" = "$(printf "10.77.1.2\t5")" &&
	test "$(q s2.flash.test.)" = "$(printf "10.77.2.2\t5")" &&
	test "$(q nothing.flash.test.)" = ""
'

test_expect_success 'a signed update adds an A record' '
	upd --key "$(cat key)" --ttl 5 add site.flash.test. 10.77.2.2 &&
	test "$(q site.flash.test.)" = "$(printf "10.77.1.2\t5\n10.77.2.2\t5")" &&
	# Again: a no-op, still NOERROR.
	upd --key "$(cat key)" --ttl 5 add site.flash.test. 10.77.2.2 &&
	test "$(q site.flash.test. | wc -l)" = 2
'

test_expect_success 'the added record has the TTL given, for dig too' '
	upd --key "$(cat key)" --ttl 42 add s7.flash.test 10.77.7.2 &&
	test "$(q s7.flash.test.)" = "$(printf "10.77.7.2\t42")" &&
	if command -v dig >/dev/null; then
		dig +norecurse +noall +answer -p "$(cat port)" @127.0.0.1 s7.flash.test A >dig.out &&
		test "$(awk "{ print \$2, \$5 }" dig.out)" = "42 10.77.7.2"
	fi
'

test_expect_success 'a signed update deletes that record and leaves the others' '
	upd --key "$(cat key)" delete site.flash.test. 10.77.1.2 &&
	test "$(q site.flash.test.)" = "$(printf "10.77.2.2\t5")" &&
	# Deleting what is not there is a no-op.
	upd --key "$(cat key)" delete site.flash.test. 10.77.1.2 &&
	upd --key "$(cat key)" delete s7.flash.test. 10.77.7.2 &&
	test "$(q s7.flash.test.)" = ""
'

test_expect_success 'a signed query verifies the signed answer' '
	"$FC_DNS" query --server "$(srv)" --key "$(cat key)" site.flash.test >out &&
	test "$(cat out)" = "$(printf "10.77.2.2\t5")"
'

test_expect_success 'an unsigned update is refused (REFUSED), nothing changes' '
	test_status 1 upd --ttl 5 add site.flash.test. 10.77.66.2 &&
	test_stderr_has "adding site.flash.test. A 10.77.66.2 at 127.0.0.1#$(cat port): REFUSED" &&
	test_stderr_lines 1 &&
	test "$(q site.flash.test.)" = "$(printf "10.77.2.2\t5")"
'

test_expect_success 'an update signed with a wrong secret is refused (NOTAUTH, BADSIG)' '
	test_status 1 upd --key "flash-key.:AAAA$(cut -d: -f2 key)" --ttl 5 \
		add site.flash.test. 10.77.66.2 &&
	test_stderr_has "NOTAUTH, TSIG error BADSIG" &&
	test_status 1 upd --key "flash-key.:AAAA$(cut -d: -f2 key)" \
		delete site.flash.test. 10.77.2.2 &&
	test_stderr_has "NOTAUTH, TSIG error BADSIG" &&
	test "$(q site.flash.test.)" = "$(printf "10.77.2.2\t5")"
'

test_expect_success 'an update signed with an unknown key is refused (NOTAUTH, BADKEY)' '
	test_status 1 upd --key "other-key.:$(cut -d: -f2 key)" --ttl 5 \
		add site.flash.test. 10.77.66.2 &&
	test_stderr_has "NOTAUTH, TSIG error BADKEY" &&
	test "$(q site.flash.test.)" = "$(printf "10.77.2.2\t5")"
'

test_expect_success 'nsupdate without the key is refused as well' '
	if command -v nsupdate >/dev/null; then
		printf "server 127.0.0.1 %s\nzone flash.test.\nupdate add site.flash.test. 5 A 10.77.66.2\nsend\n" \
			"$(cat port)" >nsu.txt &&
		! nsupdate nsu.txt 2>nsu.err &&
		grep -q REFUSED nsu.err &&
		test "$(q site.flash.test.)" = "$(printf "10.77.2.2\t5")"
	fi
'

test_expect_success 'an update of a zone named does not serve: NOTAUTH' '
	test_status 1 "$FC_DNS" update --server "$(srv)" --key "$(cat key)" --zone other.test \
		--ttl 5 add site.other.test 10.77.66.2 &&
	test_stderr_has ": NOTAUTH" &&
	test_stderr_lines 1
'

test_expect_success 'bad arguments: one line, exit 2, nothing sent' '
	test_status 2 upd --key "$(cat key)" --ttl 5 add site.flash.test. 10.77.1 &&
	test_stderr_has "fc-dns update: '\''10.77.1'\'' is not an IPv4 address" &&
	test_stderr_lines 1 &&
	test_status 2 upd --key "$(cat key)" add site.flash.test. 10.77.1.9 &&
	test_stderr_has "add needs --ttl" &&
	test_status 2 upd --key "flash-key.:not base64!" --ttl 5 add site.flash.test. 10.77.1.9 &&
	test_stderr_has "--key: TSIG secret: not base64" &&
	test_stderr_lines 1 &&
	test_status 2 upd --key "$(cat key)" --ttl 5 add site.other.test. 10.77.1.9 &&
	test_stderr_has "name site.other.test. is not in zone flash.test." &&
	test_status 2 "$FC_DNS" update --server localhost:53 --zone flash.test --ttl 5 \
		add site.flash.test 10.77.1.9 &&
	test_stderr_has "--server: expected ADDR or ADDR:PORT" &&
	test_status 2 "$FC_DNS" frobnicate &&
	test_stderr_has "unknown command '\''frobnicate'\''" &&
	test_status 2 "$FC_DNS" write-config wc --listen 127.0.0.1 --zone flash.test \
		--site www.other.test --ttl 5 --key "$(cat key)" &&
	test_stderr_has "site name www.other.test. is not in zone flash.test." &&
	test_stderr_lines 1 &&
	test "$(q site.flash.test.)" = "$(printf "10.77.2.2\t5")"
'

# The run ends: named is stopped by its PID; its journal holds the updates.
stop_pid "$NAMED_PID"

test_expect_success 'named stopped by its PID, updates in its journal' '
	! kill -0 "$(cat named.pid)" 2>/dev/null &&
	test -s run1/zone.db.jnl &&
	test_path_is_missing run1/named.pid
'

# A second run in the same directory: write-config deletes the journal.
start_named "$TRASH/run1" || {
	echo "Bail out! cannot start named again"
	exit 1
}

test_expect_success 'a run in the same directory starts from the zone as written' '
	test "$(q site.flash.test.)" = "$(printf "10.77.1.2\t5")" &&
	test "$(q s7.flash.test.)" = ""
'
stop_pid "$NAMED_PID"

# And a run in a fresh directory.
start_named "$TRASH/run2" || {
	echo "Bail out! cannot start named in a fresh directory"
	exit 1
}

test_expect_success 'a run in a fresh directory starts from the zone as written' '
	test "$(q site.flash.test.)" = "$(printf "10.77.1.2\t5")" &&
	upd --key "$(cat key)" --ttl 5 add site.flash.test. 10.77.3.2 &&
	test "$(q site.flash.test. | wc -l)" = 2
'
stop_pid "$NAMED_PID"

test_expect_success 'no named of ours is left running' '
	while read -r pid; do
		! kill -0 "$pid" 2>/dev/null || exit 1
	done <"$NAMED_PIDS"
'

test_done
