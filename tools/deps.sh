#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the Debian packages that flashcoop needs and that are missing,
# saying which and why.  Usage: tools/deps.sh [--bench | --fuzz]
#   (no option)  what `make`, `make run` and `make check` need
#   --bench      also what `make bench` needs (ns-3 and SimGrid for the comparisons)
#   --fuzz       also what `make fuzz` needs (clang and its libFuzzer)
# Runs apt-get as root, or through sudo.  On a system without apt-get it lists
# what is missing and fails.
set -eu

missing=""
why=""

need_pc() { # pkg-config module, Debian package
	if ! pkg-config --exists "$1" 2>/dev/null; then
		missing="$missing $2"
		why="$why\n  $2 (pkg-config module $1)"
	fi
}
need_cmd() { # command, Debian package
	if ! command -v "$1" >/dev/null 2>&1; then
		missing="$missing $2"
		why="$why\n  $2 (command $1)"
	fi
}

need_cmd cc gcc
need_cmd make make
need_cmd pkg-config pkg-config
need_cmd prove perl
need_pc glib-2.0 libglib2.0-dev
# The core computes its HMAC-SHA256 with nettle (prepared keys, SHA-NI).
need_pc nettle nettle-dev
need_pc igraph libigraph-dev
need_pc gsl libgsl-dev
need_pc sqlite3 libsqlite3-dev
need_cmd sqlite3 sqlite3
need_cmd gnuplot gnuplot-nox
# flashcoop fsm --dot | dot -Tpng: the state machine drawn.
need_cmd dot graphviz
# The man page is checked by rendering it (make check).
need_cmd groff groff-base
# The testbed (testbed/): its programs are built and unit-tested by make and
# make check; its smoke test runs the daemons as root in network namespaces.
need_pc libcurl libcurl4-openssl-dev
need_pc libcares libc-ares-dev
need_pc ldns libldns-dev
need_pc libnetfilter_queue libnetfilter-queue-dev
need_pc json-glib-1.0 libjson-glib-dev
need_cmd apxs apache2-dev
need_cmd apache2 apache2
need_cmd named bind9
need_cmd nsupdate bind9-dnsutils
need_cmd opentracker opentracker
need_cmd aria2c aria2
need_cmd ip iproute2
need_cmd tc iproute2
need_cmd iptables iptables
# The namespace test probes round trips and rates with small python3 programs.
need_cmd python3 python3
# The DTS test fetches through a handed-over connection with curl.
need_cmd curl curl
# The torrent test compares our info-hashes with mktorrent's.
need_cmd mktorrent mktorrent
if [ "${1:-}" = "--bench" ]; then
	need_cmd c++ g++
	need_pc ns3-core libns3-dev
	# bench/net.sh: flashcoop's flow network against SimGrid's max-min solver.
	need_pc simgrid libsimgrid-dev
	[ -x /usr/bin/time ] || { missing="$missing time"; why="$why\n  time (/usr/bin/time, peak memory)"; }
fi

if [ "${1:-}" = "--fuzz" ]; then
	need_cmd clang clang
	# (Debian's clang brings libFuzzer's runtime with libclang-common-*-dev.)
fi

[ -z "$missing" ] && exit 0

printf "flashcoop needs these Debian packages, which are missing:$why\n" >&2
if ! command -v apt-get >/dev/null 2>&1; then
	echo "apt-get is not available: install them with your package manager." >&2
	exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "Not root and no sudo: install them as root, then run make again." >&2
	exit 1
fi
echo "Installing:$missing" >&2
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
