#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Draws seed 002's Figs. 5-7 from the flow log of a Winny run
# (analysis/winny-tap.sql, analysis/winny-tap.gp).
# Usage: tools/winny-figures.sh RESULTS.db [RUN_ID [OUT_PREFIX]]
#   RUN_ID      the run (default: the first done run with a Winny flow log)
#   OUT_PREFIX  where the figures go (default figures/winny-tap): .png and .pdf
# Needs sqlite3 and gnuplot.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: tools/winny-figures.sh RESULTS.db [RUN_ID [OUT_PREFIX]]"
db=${1:?$usage}
run=${2:-}
out=${3:-figures/winny-tap}
if [ ! -f "$db" ]; then
	echo "winny-figures: $db: no such results database" >&2
	exit 2
fi
case $run in
*[!0-9]*) echo "winny-figures: $run: not a run id" >&2; exit 2 ;;
esac
if [ -z "$run" ]; then
	run=$(sqlite3 "$db" "SELECT min(id) FROM run WHERE status = 'done' AND id IN
		(SELECT run_id FROM flow_log WHERE app = 'winny')" 2>/dev/null) || run=
elif [ "$(sqlite3 "$db" "SELECT count(*) FROM flow_log WHERE run_id = $run AND app = 'winny'" 2>/dev/null)" = 0 ]; then
	run=
fi
if [ -z "$run" ]; then
	echo "winny-figures: $db: no done run with a Winny flow log ([run] record must include flow)" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One session: the flows are split once; each figure's data goes to its
# file, thinned to 100 points a decade of size or time (enough for a log
# axis).
{
	echo "CREATE TEMP TABLE sel AS SELECT $run AS run_id;"
	echo ".read $here/analysis/winny-tap.sql"
	echo ".separator ' '"
	for d in out in; do
		echo ".output $tmp/fig5-$d.dat"
		echo "SELECT max(bytes), min(ccdf) FROM fig5_ccdf WHERE dir = '$d'
		      GROUP BY CAST(log10(bytes) * 100 AS INTEGER) ORDER BY 1;"
		for c in search file; do
			echo ".output $tmp/fig6-$c-$d.dat"
			echo "SELECT max(gap_s), max(cdf) FROM fig6_gap WHERE class = '$c' AND dir = '$d'
			      AND gap_s > 0 GROUP BY CAST(log10(gap_s) * 100 AS INTEGER) ORDER BY 1;"
		done
	done
	for w in upload download; do
		echo ".output $tmp/fig7-$w.dat"
		echo "SELECT 0, 0 UNION ALL SELECT * FROM (SELECT share_peers, share_bytes
		      FROM fig7_rank WHERE way = '$w' ORDER BY share_peers);"
	done
} | sqlite3 -batch "$db"
sub=$(sqlite3 "$db" "SELECT scenario || ', run ' || id || ', seed ' || seed || ', replication ' || replication
	FROM run WHERE id = $run")
mkdir -p "$(dirname "$out")"
for ext in png pdf; do
	gnuplot -e "dir='$tmp'; out='$out.$ext'; subtitle='$sub'" "$here/analysis/winny-tap.gp"
done
echo "$out.png $out.pdf"
