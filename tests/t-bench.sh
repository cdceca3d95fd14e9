#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The flow-network benchmark's own checks, so that `make bench` compares
# what it says: bench-net gives the parking-lot times worked out by hand in
# bench/bench-flows.h, its workloads are a function of the seed only (the
# SimGrid side draws the same flows), and the medians of bench/lib.sh.
. "$(dirname "$0")/test-lib.sh"

BENCH_NET=$(dirname "$FLASHCOOP")/bench-net
export BENCH_NET

test_expect_success 'bench-net: the parking lot ends at the hand-computed times' '
	"$BENCH_NET" --shape parking >out &&
	test "$(cat out)" = "shape=parking A=2.500000000 B=1.666666667 C=1.000000000"
'

test_expect_success 'bench-net: a star reaches the same simulated time twice, another with another seed' - <<-\EOT
	sim() { "$BENCH_NET" --flows 50 --changes 2000 --seed "$1" | sed -n 's/.* sim_s=\([^ ]*\).*/\1/p'; }
	a=$(sim 1) && b=$(sim 1) && c=$(sim 2) &&
	test -n "$a" && test "$a" = "$b" && test "$a" != "$c"
EOT

test_expect_success 'bench-net: a swarm counts the changes it was asked for' - <<-\EOT
	"$BENCH_NET" --shape swarm --peers 50 --per-peer 3 --changes 1000 >out &&
	grep -q "^shape=swarm flows=150 peers=50 per_peer=3 changes=1001 " out
EOT

test_expect_success 'bench/lib.sh: medians of odd and even counts, none' - <<-\EOT
	. "$SRC/bench/lib.sh" &&
	test "$(printf "3\n1\n2\n" | median)" = 2 &&
	test "$(printf "10\n1\n2\n4\n" | median)" = 3 &&
	test "$(printf "" | median)" = -
EOT

test_expect_success 'bench/lib.sh: kv finds a key, not its suffix' '
	. "$SRC/bench/lib.sh" &&
	test "$(echo "bb=2 b=3" | kv b)" = 3
'

test_done
