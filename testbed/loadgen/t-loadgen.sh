#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# fc-loadgen end to end, without root: a plan of 52 visits against local
# servers (t-servers.py: a DNS responder and HTTP servers on 127.0.0.1
# and 127.0.0.2).  The results must show the redirects followed (to a
# name on another port, to an IPv4 literal, relative, and a loop cut at
# max_redirects), the TTL honoured (a name whose A record changes mid-run
# is asked again after its TTL, and a name with a long TTL once), the
# next address tried when the first refuses, patience enforced, and every
# visit on connections of its own.  Then: bad input is refused in one
# line, and SIGTERM stops a run with its results written.  The servers
# are stopped by PID, also when a test fails.

LG=$(cd "$(dirname "$0")" && pwd)
# LOADGEN: the program (default: beside $FLASHCOOP), relative to here.
case ${LOADGEN:-} in
/* | '') ;;
*) LOADGEN=$(pwd)/$LOADGEN ;;
esac
. "$LG/../../tests/test-lib.sh"

LOADGEN=${LOADGEN:-$(dirname "$FLASHCOOP")/testbed/fc-loadgen}
export LOADGEN

if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP no python3 for the test's servers"
	exit 0
fi
if [ ! -x "$LOADGEN" ]; then
	echo "Bail out! fc-loadgen is not built ($LOADGEN)"
	exit 1
fi

cleanup() {
	if [ -f "$TRASH/servers.pid" ]; then
		kill -TERM "$(cat "$TRASH/servers.pid")" 2>/dev/null
	fi
	if [ -f "$TRASH/loadgen.pid" ]; then
		kill -TERM "$(cat "$TRASH/loadgen.pid")" 2>/dev/null
	fi
	if [ "${TEST_KEEP:-}" = 1 ]; then
		echo "# kept $TEST_ROOT"
	else
		rm -rf "$TEST_ROOT"
	fi
}
trap cleanup EXIT

# Nanoseconds of CLOCK_REALTIME.
now_ns() {
	date +%s%N
}

# The run starts 1.5 s from now; flip.lg.test changes 2 s after that.
START=$(($(now_ns) + 1500000000))
SWITCH_NS=$((START + 2000000000))
echo "$START" >start
python3 "$LG/t-servers.py" "$TRASH" "$(echo "$SWITCH_NS" | sed 's/\(.........\)$/.\1/')" \
	>servers.out 2>&1 &
echo $! >servers.pid

test_expect_success 'the test servers listen' '
	test_wait_for 10 "test -s ports"
'
read -r DNS P1 P2 <ports || true

cat >lg.ini <<EOF
[loadgen]
dns_server = 127.0.0.1:$DNS
port = $P1
parallel = 2
max_redirects = 5
rotate = false
connect_timeout_ms = 2000
user_agent = fc-loadgen-test
source_address = 127.0.0.1
EOF

# The plan: visit_id start_ms name paths patience_ms flags.
{
	printf 'visit_id\tstart_ms\tname\tpaths\tpatience_ms\tflags\n'
	i=1
	while [ $i -le 20 ]; do
		printf '%d\t%d\twww.lg.test\t/o/1000,/o/2000,/o/3000,/o/500,/o/100\t5000\t-\n' \
			$i $(((i - 1) * 100))
		i=$((i + 1))
	done
	for i in 21 22 23 24 25; do
		printf '%d\t%d\twww.lg.test\t/r/o/1000,/o/10\t5000\t-\n' $i $(((i - 21) * 150 + 20))
	done
	for i in 26 27 28; do
		printf '%d\t%d\twww.lg.test\t/ri/o/100\t5000\t-\n' $i $(((i - 26) * 150 + 40))
	done
	printf '29\t60\twww.lg.test\t/rel/o/100\t5000\t-\n30\t70\twww.lg.test\t/rel/o/200\t5000\t-\n'
	printf '31\t80\twww.lg.test\t/loop\t5000\t-\n32\t90\twww.lg.test\t/loop\t5000\t-\n'
	for i in 33 34 35; do
		printf '%d\t%d\twww.lg.test\t/slow/3000\t1000\t-\n' $i $(((i - 33) * 50 + 110))
	done
	for i in 36 37 38 39 40 41 42 43 44 45; do
		printf '%d\t%d\tflip.lg.test\t/o/50\t5000\t-\n' $i $(((i - 36) * 400 + 5))
	done
	for i in 46 47 48; do
		printf '%d\t%d\tmulti.lg.test\t/o/5\t5000\t-\n' $i $(((i - 46) * 100 + 300))
	done
	printf '49\t310\tnx.lg.test\t/o/5\t5000\t-\n'
	printf '50\t320\twww.lg.test\t/o/5\t5000\tbt\n'
	printf '51\t330\twww.lg.test\t/o/7,/o/8\t5000\twarmup\n'
	printf '52\t340\twww.lg.test\t/o/100,/missing,/slow/300,/o/2,/o/3,/o/4\t5000\t-\n'
} | sort -t "$(printf '\t')" -k2,2n -s >body
{ printf 'visit_id\tstart_ms\tname\tpaths\tpatience_ms\tflags\n'; grep -v '^visit_id' body; } >plan.tsv

test_expect_success 'a plan of 52 visits runs to the end' '
	"$LOADGEN" --start="$(cat start)" lg.ini plan.tsv res.tsv >summary &&
	cat summary &&
	test "$(wc -l <res.tsv)" -eq 53 &&
	test -s res-requests.tsv &&
	grep -q "52 of 52 visits started" summary
'

# field VISIT COLUMN: a column of a visit's line in res.tsv, by name.
field() {
	awk -F'\t' -v id="$1" -v col="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == id { print $(c[col]) }' res.tsv
}
# reqs VISIT: the visit's request lines, "object status server new_conn redirects url".
reqs() {
	awk -F'\t' -v id="$1" '$1 == id { print $2, $10, $4, $12, $13, $3 }' res-requests.tsv
}

test_expect_success 'plain visits: every object, on connections of their own' '
	for i in $(seq 1 20); do
		test "$(field $i outcome)" = ok &&
		test "$(field $i done)" = 5 &&
		test "$(field $i bytes)" = 6600 &&
		test "$(field $i servers)" = 127.0.0.1 || { echo "visit $i: $(grep "^$i	" res.tsv)"; exit 1; }
		# The page opens a connection (no other visit lends one); the
		# objects reuse the two the visit opened.
		test "$(reqs $i | awk "\$1 == 0 { print \$4 }")" = 1
		test "$(reqs $i | awk "{ n += \$4 } END { print n }")" -le 2
		test_expr "$(field $i page_ns) > 0 && $(field $i page_ns) <= $(field $i time_ns)"
	done
'

test_expect_success 'visits started on time' '
	awk -F"\t" "NR > 1 { late = (\$5 - \$4) / 1e6; if (late > m) m = late }
		END { printf \"latest start: %.1f ms\\n\", m; exit !(m < 250) }" res.tsv
'

test_expect_success 'a redirect to a name on another port, the objects from there' '
	for i in 21 22 23 24 25; do
		test "$(field $i outcome)" = ok &&
		test "$(field $i redirects)" = 1 &&
		test "$(field $i servers)" = 127.0.0.1,127.0.0.2 &&
		reqs $i >r$i &&
		grep -q "^0 302 127.0.0.1 1 0 http://www.lg.test:$P1/r/o/1000\$" r$i &&
		grep -q "^0 200 127.0.0.2 1 1 http://s2.lg.test:$P2/o/1000?tok=abc\$" r$i &&
		grep -q "^1 200 127.0.0.2 . 0 http://s2.lg.test:$P2/o/10\$" r$i ||
		{ cat r$i; exit 1; }
	done
'

test_expect_success 'a redirect to an IPv4 literal, and a relative one' '
	for i in 26 27 28; do
		test "$(field $i outcome)" = ok &&
		reqs $i | grep -q "^0 200 127.0.0.2 1 1 http://127.0.0.2:$P2/o/100\$"
	done &&
	test "$(field 29 outcome)" = ok &&
	reqs 29 | grep -q "^0 200 127.0.0.1 . 1 http://www.lg.test:$P1/o/100\$" &&
	test "$(field 30 bytes)" = 200
'

test_expect_success 'a redirect loop stops at max_redirects' '
	for i in 31 32; do
		test "$(field $i outcome)" = failed &&
		test "$(field $i requests)" = 6 &&
		test "$(field $i redirects)" = 5 &&
		field $i reason | grep -q "^redirect: more than 5 redirects"
	done
'

test_expect_success 'patience: a visit not done in time is abandoned' '
	for i in 33 34 35; do
		test "$(field $i outcome)" = abandoned &&
		test_expr "$(field $i time_ns) >= 1000000000 && $(field $i time_ns) < 2500000000" &&
		reqs $i | grep -q "^0 0 127.0.0.1 1 0 "
	done &&
	awk -F"\t" "\$1 == 33 && \$14 == \"cancelled\"" res-requests.tsv | grep -q .
'

test_expect_success 'the TTL is honoured: the changed record is seen after it runs out' '
	switch=$(( $(cat start) + 2000000000 )) &&
	for i in 36 37 38 39 40 41 42 43 44 45; do
		s=$(field $i start_ns) &&
		got=$(field $i servers) &&
		test "$(field $i outcome)" = ok &&
		echo "visit $i at $(( (s - $(cat start)) / 1000000 )) ms: $got" &&
		if [ "$s" -lt "$switch" ]; then test "$got" = 127.0.0.1; fi &&
		if [ "$s" -ge $((switch + 1100000000)) ]; then test "$got" = 127.0.0.2; fi
	done &&
	test "$(field 45 servers)" = 127.0.0.2 &&
	n=$(grep -c " flip.lg.test\$" dns.log) &&
	echo "flip.lg.test asked $n times for 10 visits" &&
	test "$n" -ge 3 && test "$n" -le 6 &&
	test "$(grep -c " www.lg.test\$" dns.log)" = 1
'

test_expect_success 'several addresses: the next one when the first refuses' '
	for i in 46 47 48; do
		test "$(field $i outcome)" = ok &&
		test "$(field $i requests)" = 2 &&
		test "$(field $i servers)" = 127.0.0.1 &&
		reqs $i | head -1 | grep -q "^0 0 - 0 0 " &&
		awk -F"\t" -v id=$i "\$1 == id" res-requests.tsv | head -1 |
			grep -q "127.0.0.3:$P1"
	done
'

test_expect_success 'an unknown name fails the visit; bt visits are left to aria2' '
	test "$(field 49 outcome)" = failed &&
	field 49 reason | grep -q "^dns: nx.lg.test: " &&
	test "$(field 50 outcome)" = bt &&
	test "$(field 50 requests)" = 0 &&
	test "$(field 51 outcome)" = ok &&
	test "$(field 51 flags)" = warmup
'

test_expect_success 'an object answered 404 fails the visit, the objects queued are dropped' '
	test "$(field 52 outcome)" = failed &&
	field 52 reason | grep -q "^http 404 from http://www.lg.test:$P1/missing\$" &&
	test "$(field 52 requests)" = 3 && test "$(field 52 done)" = 1 &&
	test "$(reqs 52 | grep -c " 404 ")" = 1 &&
	awk -F"\t" "\$1 == 52 && \$3 ~ /slow/ { print \$14 }" res-requests.tsv | grep -qx cancelled
'

test_expect_success 'a bad plan line is refused in one line naming file:line' '
	sed "5s/\twww.lg.test\t/\twww lg\t/" plan.tsv >bad.tsv &&
	test_status 2 "$LOADGEN" lg.ini bad.tsv out.tsv &&
	test_stderr_has "bad.tsv:5: name" &&
	test_stderr_lines 1 &&
	test_path_is_missing out.tsv
'

test_expect_success 'a bad config is refused in one line naming file:line' '
	sed "s/^parallel = 2/paralel = 2/" lg.ini >bad.ini &&
	test_status 2 "$LOADGEN" bad.ini plan.tsv out.tsv &&
	test_stderr_has "bad.ini:4: unknown key '\''paralel'\''" &&
	test_stderr_lines 1 &&
	test_status 2 "$LOADGEN" lg.ini plan.tsv &&
	test_stderr_has "no results file" &&
	test_status 2 "$LOADGEN" --start=soon lg.ini plan.tsv out.tsv &&
	test_stderr_has "--start" &&
	test_status 2 "$LOADGEN" lg.ini plan.tsv /nonexistent/dir/out.tsv &&
	test_stderr_has "/nonexistent/dir/out.tsv: cannot create"
'

test_expect_success 'SIGTERM stops the run and writes what was done' '
	{
		printf "visit_id\tstart_ms\tname\tpaths\tpatience_ms\tflags\n"
		printf "1\t0\twww.lg.test\t/o/10\t5000\t-\n"
		printf "2\t0\twww.lg.test\t/slow/20000\t60000\t-\n"
		printf "3\t0\twww.lg.test\t/slow/20000\t60000\t-\n"
		printf "4\t60000\twww.lg.test\t/o/10\t5000\t-\n"
	} >long.tsv &&
	{ "$LOADGEN" lg.ini long.tsv long-res.tsv >long.out 2>&1 & echo $! >"$TRASH/loadgen.pid"; } &&
	# Visit 1 is written when it is done; 2 and 3 are then under way.
	test_wait_for 10 "grep -q \"^1	-	www.lg.test	.*	ok	\" long-res.tsv" &&
	kill -TERM "$(cat "$TRASH/loadgen.pid")" &&
	wait_pid=$(cat "$TRASH/loadgen.pid") &&
	test_wait_for 10 "! kill -0 $wait_pid" &&
	rm -f "$TRASH/loadgen.pid" &&
	cat long.out &&
	grep -q "stopped by a signal" long.out &&
	test "$(awk -F"\t" "\$7 == \"stopped\"" long-res.tsv | wc -l)" = 2 &&
	test "$(awk -F"\t" "\$1 == 4" long-res.tsv | wc -l)" = 0 &&
	awk -F"\t" "\$1 == 1 { print \$7 }" long-res.tsv | grep -qx ok
'

# The run's summary (CPU per 1000 requests among it), as a TAP comment.
[ -f summary ] && sed 's/^/# /' summary
test_done
