#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# fc-bt without daemons: bad usage and bad input give one line naming what
# is wrong and exit 2; an operation that fails (nothing listens) exit 1.

BT=$(cd "$(dirname "$0")" && pwd)
. "$BT/../../tests/test-lib.sh"

FCBT=${FCBT:-$(dirname "$FLASHCOOP")/testbed/fc-bt}
export FCBT
if [ ! -x "$FCBT" ]; then
	echo "Bail out! fc-bt is not built ($FCBT)"
	exit 1
fi

test_expect_success 'setup: a site and its torrent' '
	mkdir -p site/d &&
	printf "hello" >site/a &&
	printf "world" >site/d/b &&
	"$FCBT" torrent -l 16384 -a http://127.0.0.1:6969/announce -o t.torrent site a d/b >hash &&
	"$FCBT" info t.torrent >info &&
	grep -qx "info_hash	$(cat hash)" info &&
	grep -qx "file	2	5	d/b" info
'

test_expect_success 'usage errors: one line, exit 2' '
	test_status 2 "$FCBT" &&
	test_stderr_has "fc-bt: no command" && test_stderr_lines 1 &&
	test_status 2 "$FCBT" frobnicate &&
	test_stderr_has "no command \"frobnicate\"" && test_stderr_lines 1 &&
	test_status 2 "$FCBT" torrent -l 16384 site a &&
	test_stderr_lines 1 &&
	test_status 2 "$FCBT" info &&
	test_stderr_lines 1 &&
	test_status 2 "$FCBT" rpc-status &&
	test_stderr_has "rpc-status: wrong number of arguments" && test_stderr_lines 1 &&
	test_status 2 "$FCBT" rpc-version --timeout 0 &&
	test_stderr_lines 1 &&
	test_status 2 "$FCBT" torrent --bogus &&
	test_stderr_has "torrent: Unknown option --bogus" && test_stderr_lines 1 &&
	"$FCBT" help | grep -q "^usage: fc-bt"
'

test_expect_success 'bad torrents asked for: one line naming it, exit 2' '
	test_status 2 "$FCBT" torrent -l 1000 -a http://x/announce -o x.torrent site a &&
	test_stderr_has "piece length 1000 is not a power of two" && test_stderr_lines 1 &&
	test_status 2 "$FCBT" torrent -l 16384 -a http://x/announce -o x.torrent site nothing &&
	test_stderr_has "site/nothing" && test_stderr_lines 1 &&
	test_status 2 "$FCBT" torrent -l 16384 -a http://x/announce -o x.torrent site ../etc &&
	test_stderr_has "\"../etc\"" && test_stderr_lines 1 &&
	test_status 2 "$FCBT" torrent -l 16384 -a magnet:x -o x.torrent site a &&
	test_stderr_has "announce URL" && test_stderr_lines 1 &&
	test_path_is_missing x.torrent
'

test_expect_success 'a garbled torrent: one line with the path and the byte, exit 2' '
	head -c 100 t.torrent >cut.torrent &&
	test_status 2 "$FCBT" info cut.torrent &&
	test_stderr_has "cut.torrent: bencode: byte" && test_stderr_lines 1 &&
	printf "d4:infod4:name1:xee" >noinfo.torrent &&
	test_status 2 "$FCBT" info noinfo.torrent &&
	test_stderr_has "noinfo.torrent: torrent: info: no \"piece length\"" &&
	test_stderr_lines 1
'

test_expect_success 'tracker configuration: bad address, port or hash, exit 2' '
	test_status 2 "$FCBT" tracker-config tr 10.77.201 6969 &&
	test_stderr_has "listen address \"10.77.201\" is not an IPv4 address" &&
	test_status 2 "$FCBT" tracker-config tr 10.77.201.2 70000 &&
	test_stderr_has "port (1..65535)" &&
	test_status 2 "$FCBT" tracker-config tr 10.77.201.2 6969 abc &&
	test_stderr_has "abc is neither 40 hex digits nor a torrent" && test_stderr_lines 1 &&
	"$FCBT" tracker-config tr 10.77.201.2 6969 t.torrent 00112233445566778899aabbccddeeff00112233 &&
	printf "%s\n%s\n" "$(cat hash)" 00112233445566778899aabbccddeeff00112233 >expected &&
	test_cmp expected tr/whitelist.txt &&
	grep -qx "listen.tcp_udp 10.77.201.2:6969" tr/opentracker.conf
'

test_expect_success 'aria2 command line: what is required, exit 2 without it' '
	test_status 2 "$FCBT" aria2-argv --rpc-port 6800 --dir /tmp &&
	test_stderr_lines 1 &&
	test_status 2 "$FCBT" aria2-argv --rpc-port 0 --bt-port 6881 --secret s --dir /tmp &&
	test_stderr_has "--rpc-port \"0\" is not a port" &&
	"$FCBT" aria2-argv --rpc-port 6800 --bt-port 6881 --secret s --dir /srv/x >argv &&
	head -n 1 argv | grep -qx aria2c &&
	grep -qx -- --rpc-listen-port=6800 argv &&
	grep -qx -- --listen-port=6881 argv &&
	grep -qx -- --seed-ratio=0.0 argv
'

test_expect_success 'nothing listening: one line, exit 1' '
	test_status 1 "$FCBT" rpc-version --url http://127.0.0.1:1/jsonrpc --timeout 2000 &&
	test_stderr_has "fc-bt: aria2 http://127.0.0.1:1/jsonrpc: aria2.getVersion: " &&
	test_stderr_lines 1 &&
	test_status 1 "$FCBT" announce http://127.0.0.1:1/announce t.torrent --timeout 2000 &&
	test_stderr_has "fc-bt: tracker http://127.0.0.1:1/announce: " &&
	test_stderr_lines 1
'

test_done
