#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# testbed/bt with the real daemons, all on 127.0.0.1 and free high ports (no
# root needed): fc-bt makes a torrent of a three-file site (aria2c -S reads
# the same info-hash), writes opentracker's configuration with that torrent
# on the whitelist, and opentracker refuses a torrent that is not on it
# until the whitelist is rewritten and opentracker told with SIGHUP.
# aria2c A (started with tb_aria2_argv()'s command line) seeds the site;
# aria2c B, driven over JSON-RPC, fetches only file 2 (select-file), waits
# for it through its status, and holds the same bytes; removing it with
# its files leaves nothing; added again, it fetches file 2 and then, its
# selection changed, file 3 too.  aria2's errors (a wrong secret, an unknown
# GID) come back as one line and exit 1.  Every process is stopped by its
# PID, also when a test fails; skips without opentracker or aria2c.

BT=$(cd "$(dirname "$0")" && pwd)
. "$BT/../../tests/test-lib.sh"

FCBT=${FCBT:-$(dirname "$FLASHCOOP")/testbed/fc-bt}
export FCBT

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
command -v opentracker >/dev/null 2>&1 || skip_all "opentracker is not installed"
command -v aria2c >/dev/null 2>&1 || skip_all "aria2c is not installed"
command -v ss >/dev/null 2>&1 || skip_all "ss (iproute2) is not installed"
if [ ! -x "$FCBT" ]; then
	echo "Bail out! fc-bt is not built ($FCBT)"
	exit 1
fi

# The processes the tests start: PIDs in $TRASH/pids/NAME; the end of the
# script stops those still running.
mkdir "$TRASH/pids"
cleanup() {
	for f in "$TRASH"/pids/*; do
		[ -f "$f" ] || continue
		kill -TERM "$(cat "$f")" 2>/dev/null
	done
	if [ "${TEST_KEEP:-}" = 1 ]; then
		echo "# kept $TEST_ROOT"
	else
		rm -rf "$TEST_ROOT"
	fi
}
trap cleanup EXIT

# alive PID: the process runs (a zombie counts as gone).
alive() {
	# One read: a process reaped between a look at /proc/PID and one at
	# its status would otherwise count as alive.
	st_=$(cat "/proc/$1/status" 2>/dev/null) || return 1
	! printf '%s\n' "$st_" | grep -q '^State:[[:space:]]*Z'
}

# Five ports no socket uses now (TCP nor UDP), none the same.
pick_ports() {
	chosen=
	while [ "$(echo $chosen | wc -w)" -lt 5 ]; do
		p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		case " $chosen " in *" $p "*) continue ;; esac
		[ -z "$(ss -Htuan "sport = :$p")" ] || continue
		chosen="$chosen $p"
	done
	echo $chosen
}
# shellcheck disable=SC2046  # five words
set -- $(pick_ports)
TRACKER_PORT=$1 A_RPC=$2 A_BT=$3 B_RPC=$4 B_BT=$5
ANNOUNCE=http://127.0.0.1:$TRACKER_PORT/announce
A_URL=http://127.0.0.1:$A_RPC/jsonrpc
B_URL=http://127.0.0.1:$B_RPC/jsonrpc
export TRACKER_PORT A_RPC A_BT B_RPC B_BT ANNOUNCE A_URL B_URL

# start NAME ARGV-FILE: runs the command whose arguments are the lines of
# ARGV-FILE in the background, its PID in pids/NAME, output in NAME.out.
start() {
	(
		IFS='
'
		set -f
		# shellcheck disable=SC2046  # one argument a line
		exec $(cat "$2")
	) >"$TRASH/$1.out" 2>&1 </dev/null &
	echo $! >"$TRASH/pids/$1"
}

# stop NAME: TERM to its PID, and wait up to 10 s for it to be gone.
stop() {
	pid=$(cat "$TRASH/pids/$1")
	kill -TERM "$pid" 2>/dev/null || true
	test_wait_for 10 "! alive $pid"
}

# rpc A|B COMMAND ARG...: fc-bt's JSON-RPC command on daemon A or B.
rpc() {
	case $1 in
	A) url=$A_URL secret=secret-a ;;
	B) url=$B_URL secret=secret-b ;;
	esac
	cmd=$2
	shift 2
	"$FCBT" "$cmd" --url "$url" --secret "$secret" "$@"
}

# field NAME: the value of NAME in an rpc-status or info listing on stdin.
field() {
	awk -F'\t' -v k="$1" '$1 == k { print $2 }'
}

test_expect_success 'a torrent of three files, the info-hash aria2c reads' '
	mkdir -p a/site b &&
	head -c 300000 /dev/urandom >a/site/one &&
	head -c 200000 /dev/urandom >a/site/two &&
	head -c 100000 /dev/urandom >a/site/three &&
	"$FCBT" torrent -l 65536 -a "$ANNOUNCE" -o site.torrent a/site one two three >hash &&
	grep -qx "[0-9a-f]\{40\}" hash &&
	aria2c -S site.torrent >shown &&
	grep -q "^Info Hash: $(cat hash)\$" shown &&
	"$FCBT" info site.torrent >info &&
	test "$(field pieces <info)" = 10 &&
	grep -qx "file	2	200000	two" info
'

test_expect_success 'opentracker listens with the torrent on its whitelist' '
	"$FCBT" tracker-config tracker 127.0.0.1 "$TRACKER_PORT" site.torrent &&
	grep -qx "$(cat hash)" tracker/whitelist.txt &&
	printf "%s\n" opentracker -f "$TRASH/tracker/opentracker.conf" >tracker.argv &&
	start tracker tracker.argv &&
	test_wait_for 10 "\"\$FCBT\" announce \"\$ANNOUNCE\" site.torrent --port \$A_BT"
'

test_expect_success 'the tracker refuses a torrent that is not on the whitelist' '
	mkdir -p c/other &&
	head -c 5000 /dev/urandom >c/other/x &&
	"$FCBT" torrent -l 16384 -a "$ANNOUNCE" -o other.torrent c/other x >other.hash &&
	test_status 1 "$FCBT" announce "$ANNOUNCE" other.torrent &&
	test_stderr_has "fc-bt: tracker refused: Requested download is not authorized" &&
	test_stderr_lines 1
'

test_expect_success 'aria2c A and B answer over JSON-RPC' '
	"$FCBT" aria2-argv --rpc-port "$A_RPC" --secret secret-a --dir "$TRASH/a" \
		--bt-port "$A_BT" --log "$TRASH/a.log" --stop-with $$ >a.argv &&
	"$FCBT" aria2-argv --rpc-port "$B_RPC" --secret secret-b --dir "$TRASH/b" \
		--bt-port "$B_BT" --log "$TRASH/b.log" --stop-with $$ >b.argv &&
	grep -qx -- --enable-dht=false a.argv &&
	grep -qx -- "--stop-with-process=$$" a.argv &&
	start aria2-a a.argv &&
	start aria2-b b.argv &&
	test_wait_for 10 "rpc A rpc-version" &&
	test_wait_for 10 "rpc B rpc-version" &&
	rpc A rpc-version | grep -qx "1\.[0-9.]*"
'

test_expect_success 'a wrong secret and an unknown GID are aria2 errors, exit 1' '
	test_status 1 "$FCBT" rpc-version --url "$A_URL" --secret wrong &&
	test_stderr_has "fc-bt: aria2 $A_URL: aria2.getVersion: Unauthorized" &&
	test_stderr_lines 1 &&
	test_status 1 rpc A rpc-status 0123456789abcdef &&
	test_stderr_has "GID 0123456789abcdef is not found" &&
	test_status 2 rpc B rpc-add --select 0 site.torrent &&
	test_stderr_has "is not a file number"
'

test_expect_success 'A seeds the site it holds' '
	rpc A rpc-add site.torrent >a.gid &&
	test_wait_for 30 "rpc A rpc-status \$(cat a.gid) | grep -qx \"seeder	1\"" &&
	rpc A rpc-status "$(cat a.gid)" >a.status &&
	test "$(field completed <a.status)" = 600000 &&
	test "$(field info_hash <a.status)" = "$(cat hash)"
'

test_expect_success 'B fetches only file 2 over BitTorrent, the same bytes' '
	rpc B rpc-add --dir "$TRASH/b" --select 2 site.torrent >b.gid &&
	rpc B rpc-wait --within 60 "$(cat b.gid)" &&
	cmp a/site/two b/site/two &&
	rpc B rpc-status "$(cat b.gid)" >b.status &&
	grep -q "^file	2	1	200000	200000	$TRASH/b/site/two\$" b.status &&
	grep -q "^file	1	0	[0-9]*	300000	" b.status &&
	grep -q "^file	3	0	[0-9]*	100000	" b.status &&
	! grep -q "^file	1	0	300000	" b.status
'

test_expect_success 'removing B with its files leaves nothing; aria2 and the tracker forget it' '
	"$FCBT" announce "$ANNOUNCE" site.torrent --port "$A_BT" >before &&
	grep -qx "peer	127.0.0.1:$B_BT" before &&
	rpc B rpc-remove --files "$(cat b.gid)" &&
	"$FCBT" announce "$ANNOUNCE" site.torrent --port "$A_BT" >after &&
	! grep -q "peer	127.0.0.1:$B_BT" after &&
	test_path_is_missing b/site &&
	test_path_is_missing b/site.aria2 &&
	test_status 1 rpc B rpc-status "$(cat b.gid)" &&
	test_stderr_has "is not found" &&
	test -f a/site/two
'

test_expect_success 'B fetches file 2 again after the removal, then file 3 as well' '
	rpc B rpc-add --select 2 site.torrent >b2.gid &&
	rpc B rpc-wait --within 60 "$(cat b2.gid)" &&
	cmp a/site/two b/site/two &&
	rpc B rpc-select "$(cat b2.gid)" 2,3 &&
	rpc B rpc-wait --within 60 "$(cat b2.gid)" &&
	cmp a/site/three b/site/three &&
	cmp a/site/two b/site/two &&
	rpc B rpc-status "$(cat b2.gid)" >b2.status &&
	grep -q "^file	3	1	100000	100000	" b2.status &&
	grep -q "^file	1	0	" b2.status &&
	rpc B rpc-remove "$(cat b2.gid)" &&
	test -f b/site/two
'

test_expect_success 'a rewritten whitelist and SIGHUP: the tracker accepts the other torrent' '
	"$FCBT" whitelist tracker site.torrent "$(cat other.hash)" &&
	kill -HUP "$(cat pids/tracker)" &&
	test_wait_for 10 "\"\$FCBT\" announce \"\$ANNOUNCE\" other.torrent --port \$B_BT"
'

test_expect_success 'the daemons shut down over JSON-RPC, the tracker by its PID' '
	rpc A rpc-shutdown &&
	rpc B rpc-shutdown --force &&
	test_wait_for 20 "! alive \$(cat pids/aria2-a)" &&
	test_wait_for 20 "! alive \$(cat pids/aria2-b)" &&
	stop tracker &&
	for f in pids/*; do ! alive "$(cat "$f")" || exit 1; done
'

test_done
