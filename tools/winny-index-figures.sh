#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Draws seed 002's Fig. 10 (the TTLs a survey peer finds before and after
# decoy peers take the uploader's search links) and Fig. 13 (download time
# of a poisoned file against the control node's threads) from runs of the
# key index model (analysis/winny-index.sql, analysis/winny-index.gp).
# Usage: tools/winny-index-figures.sh RESULTS.db [OUT_DIR]
#   draws whichever of the two the database holds runs for:
#   OUT_DIR/winny-control.{png,pdf} from runs with a survey peer
#   (scenarios/winny/control.sweep), OUT_DIR/winny-poisoning.{png,pdf}
#   from runs with downloaders (scenarios/winny/poisoning.sweep).
#   OUT_DIR defaults to figures.
# Needs sqlite3 and gnuplot.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: tools/winny-index-figures.sh RESULTS.db [OUT_DIR]"
db=${1:?$usage}
outdir=${2:-figures}
if [ ! -f "$db" ]; then
	echo "winny-index-figures: $db: no such results database" >&2
	exit 2
fi
if ! sqlite3 "$db" "SELECT count(*) FROM run" >/dev/null 2>&1; then
	echo "winny-index-figures: $db: not a flashcoop results database" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# query: the SQL on stdin, after analysis/winny-index.sql over the done
# runs of the key index model, with columns separated by spaces.
query() {
	{
		echo "CREATE TEMP TABLE sel AS SELECT r.id AS run_id FROM run r JOIN param p
		      ON p.run_id = r.id AND p.name = 'run.model' AND p.value = 'winny-index'
		      WHERE r.status = 'done';"
		echo ".read $here/analysis/winny-index.sql"
		echo ".separator ' '"
		cat
	} | sqlite3 -batch "$db"
}
query >"$tmp/control.runs" <<'EOS'
SELECT min(run_id), leak, control_start_s FROM fig10_ttl GROUP BY leak ORDER BY leak;
EOS
query >"$tmp/fig13.dat" <<'EOS'
SELECT threads, coalesce(time_mean_s, 'NaN'), coalesce(time_min_s, 'NaN'),
       coalesce(time_max_s, 'NaN'), 100 * share, 100 * coalesce(share_ci95, 0), runs, done, tried
FROM fig13_download ORDER BY threads;
EOS
mkdir -p "$outdir"
drew=
# Fig. 10: one panel for the first run of each leak value (two at most).
if [ -s "$tmp/control.runs" ]; then
	n=0
	while read -r run leak start; do
		[ $n -lt 2 ] || break
		n=$((n + 1))
		echo "SELECT t_s, ttl_s FROM fig10_ttl WHERE run_id = $run ORDER BY t_s, ttl_s;" |
			query >"$tmp/fig10-$n.dat"
		echo "$leak $start" >"$tmp/fig10-$n.meta"
	done <"$tmp/control.runs"
	for ext in png pdf; do
		gnuplot -e "dir='$tmp'; panels=$n; out='$outdir/winny-control.$ext'" \
			"$here/analysis/winny-control.gp"
	done
	drew="$drew $outdir/winny-control.png $outdir/winny-control.pdf"
fi
if [ -s "$tmp/fig13.dat" ]; then
	for ext in png pdf; do
		gnuplot -e "dir='$tmp'; out='$outdir/winny-poisoning.$ext'" \
			"$here/analysis/winny-poisoning.gp"
	done
	drew="$drew $outdir/winny-poisoning.png $outdir/winny-poisoning.pdf"
fi
if [ -z "$drew" ]; then
	echo "winny-index-figures: $db: no done run of [run] model = winny-index with a survey peer or downloaders" >&2
	exit 2
fi
echo $drew
