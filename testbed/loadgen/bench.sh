#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# fc-loadgen at scale, on loopback (not run by make check):
#
#   sh testbed/loadgen/bench.sh [RATE [SECONDS [HOLD_MS]]]
#
# RATE visits per second (default 300) for SECONDS (default 20), each a
# page and 4 objects of 2 to 10 kB from a server that holds every reply
# HOLD_MS (default 2000) so that thousands of transfers are under way at
# once.  Prints fc-loadgen's summary: CPU per 1000 requests, the most
# transfers at once, how late visits started.  Processes are stopped by
# PID.  PATIENCE_MS (default 60000) is every visit's patience.
set -eu
LG=$(cd "$(dirname "$0")" && pwd)
LOADGEN=${LOADGEN:-$LG/../../build/testbed/fc-loadgen}
RATE=${1:-300}
SECS=${2:-20}
HOLD=${3:-2000}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/fc-loadgen-bench.XXXXXX")
pids=""
trap 'for p in $pids; do kill -TERM "$p" 2>/dev/null || :; done; rm -rf "$DIR"' EXIT
cd "$DIR"
python3 "$LG/t-servers.py" "$DIR" 0 >/dev/null 2>&1 &
pids="$pids $!"
python3 "$LG/bench-server.py" "$HOLD" >port &
pids="$pids $!"
i=0
while [ ! -s ports ] || [ ! -s port ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "bench.sh: the servers did not start" >&2; exit 2; }
	sleep 0.1
done
read -r DNS _ _ <ports
cat >lg.ini <<EOI
[loadgen]
dns_server = 127.0.0.1:$DNS
port = $(cat port)
parallel = 2
max_connections = 16000
EOI
awk -v rate="$RATE" -v secs="$SECS" -v patience="${PATIENCE_MS:-60000}" 'BEGIN {
	print "visit_id\tstart_ms\tname\tpaths\tpatience_ms\tflags"
	n = rate * secs
	for (i = 0; i < n; i++)
		printf "%d\t%.3f\twww.lg.test\t/o/%d,/o/%d,/o/%d,/o/%d,/o/%d\t%d\t-\n", i,
			i * 1000 / rate, 10000, 2000 + i % 7, 3000 + i % 5, 4000, 5000, patience
}' >plan.tsv
${PERF:-} sh -c "ulimit -n ${NOFILE:-20000}; exec \"\$0\" \"\$@\"" "$LOADGEN" lg.ini plan.tsv res.tsv
awk -F'\t' 'NR > 1 { n[$7]++ } END { for (o in n) printf "%s %d\n", o, n[o] }' res.tsv
awk -F'\t' 'NR > 1 && $8 != "-" { sub(/ \(.*/, "", $8); n[$8]++ }
	END { for (r in n) printf "  %d: %s\n", n[r], r }' res.tsv
awk -F'\t' 'NR > 1 { print ($5 - $4) / 1e6 }' res.tsv | sort -n | awk '{ v[NR] = $1 }
	END { printf "start lateness: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1], v[NR] }'
