#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# make testbed-compare: one web scenario on the testbed and in the
# simulator, side by side (docs/testbed.md).  For each policy (none,
# redirect, coop) and for coop with the origin crashing mid-crowd, R
# replications on each platform go into one results database; then a
# table of means with 95% confidence intervals (Student t), each metric
# judged against its stated tolerance, and a figure.
#
#   compare.sh [-r R] [-o OUTDIR] [-b BUILDDIR] [SCENARIO.ini]
#
# Defaults: R = 3, OUTDIR = testbed-compare, scenarios/testbed/small.ini.
# Runs already in the database are kept (a second call goes on where the
# first stopped).  Needs root (the testbed), sqlite3 and gnuplot.
# Exit status: 0 done (agreement or not: the table says), 1 a run failed,
# 2 bad usage or set-up.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
R=3
OUT=testbed-compare
B=$top/build
CRASH_AT=90s

while getopts r:o:b: opt; do
	case $opt in
	r) R=$OPTARG ;;
	o) OUT=$OPTARG ;;
	b) B=$OPTARG ;;
	*) echo "usage: compare.sh [-r R] [-o OUTDIR] [-b BUILDDIR] [SCENARIO.ini]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
SCENARIO=${1:-$top/scenarios/testbed/small.ini}

die() {
	echo "testbed-compare: $*" >&2
	exit 2
}
case $R in
'' | *[!0-9]*) die "-r $R: give a whole number of replications, 2 or more" ;;
esac
[ "$R" -ge 2 ] || die "-r $R: confidence intervals need 2 replications or more"
[ -f "$SCENARIO" ] || die "$SCENARIO: no such scenario"
[ "$(id -u)" -eq 0 ] || die "needs root (the testbed makes network namespaces)"
for p in sqlite3 gnuplot; do
	command -v $p >/dev/null 2>&1 || die "$p is not installed (make deps)"
done
FLASHCOOP=$B/flashcoop
TESTBED=$B/testbed/fc-testbed
[ -x "$FLASHCOOP" ] && [ -x "$TESTBED" ] || die "build first: make all testbed-programs"
mkdir -p "$OUT/runs" || die "$OUT: cannot create"
DB=$OUT/results.db

# done_runs PLATFORM POLICY CRASH R: whether the database has that run done.
done_run() {
	[ -f "$DB" ] || return 1
	n=$(sqlite3 -batch -cmd ".timeout 10000" "$DB" "
		SELECT count(*) FROM run r
		JOIN param a ON a.run_id = r.id AND a.name = 'run.platform' AND a.value = '$1'
		JOIN param b ON b.run_id = r.id AND b.name = 'web.policy' AND b.value = '$2'
		JOIN param c ON c.run_id = r.id AND c.name = 'faults.crash' AND c.value = '$3'
		WHERE r.status = 'done' AND r.replication = $4" 2>/dev/null) || return 1
	[ "${n:-0}" -gt 0 ]
}

# A run's messages without the warnings about keys that have no effect
# under a policy (every run of a case repeats them).
quiet() {
	grep -v ': warning: .* has no effect: ' "$OUT/last.err" >&2 || :
}

cases="none:none redirect:none coop:none coop:origin"
failed=0
for c in $cases; do
	policy=${c%%:*}
	crash=${c#*:}
	sets="--set web.policy=$policy --set faults.crash=$crash"
	[ "$crash" = none ] || sets="$sets --set faults.crash_at=$CRASH_AT"
	r=0
	while [ "$r" -lt "$R" ]; do
		if ! done_run simulator "$policy" "$crash" "$r"; then
			# shellcheck disable=SC2086
			"$FLASHCOOP" run -q $sets -r "$r" -o "$DB" "$SCENARIO" 2>"$OUT/last.err" ||
				{ quiet; echo "testbed-compare: the simulated run $policy/$crash r$r failed" >&2; failed=1; }
		fi
		if ! done_run testbed "$policy" "$crash" "$r"; then
			dir=$OUT/runs/$policy-$crash-r$r
			rm -rf "$dir"
			echo "testbed-compare: testbed $policy, crash $crash, replication $r" >&2
			# shellcheck disable=SC2086
			"$TESTBED" run $sets -r "$r" -d "$dir" -o "$DB" "$SCENARIO" 2>"$OUT/last.err" ||
				{ quiet; echo "testbed-compare: the testbed run $policy/$crash r$r failed (see $dir)" >&2; failed=1; }
			quiet
		fi
		r=$((r + 1))
	done
done

# One row per done run and metric: platform, case, metric, value.
sqlite3 -batch -separator '	' -cmd ".timeout 10000" "$DB" "
WITH runs AS (
  SELECT r.id, a.value AS platform,
         b.value || CASE WHEN c.value = 'none' THEN '' ELSE ' + crash' END AS kase,
         (SELECT num FROM param WHERE run_id = r.id AND name = 'clients.start') AS crowd
  FROM run r
  JOIN param a ON a.run_id = r.id AND a.name = 'run.platform'
  JOIN param b ON b.run_id = r.id AND b.name = 'web.policy'
  JOIN param c ON c.run_id = r.id AND c.name = 'faults.crash'
  WHERE r.status = 'done')
SELECT platform, kase, 'success_ratio', value FROM runs
  JOIN scalar s ON s.run_id = runs.id AND s.entity = 'site.0' AND s.name = 'success_ratio'
UNION ALL
SELECT platform, kase, 'page_p50_s', p50 FROM runs
  JOIN statistic s ON s.run_id = runs.id AND s.entity = 'site.0' AND s.name = 'page_time_s'
UNION ALL
SELECT platform, kase, 'page_p90_s', p90 FROM runs
  JOIN statistic s ON s.run_id = runs.id AND s.entity = 'site.0' AND s.name = 'page_time_s'
UNION ALL
SELECT platform, kase, 'origin_MB', value / 1e6 FROM runs
  JOIN scalar s ON s.run_id = runs.id AND s.entity = 'origin' AND s.name = 'bytes_sent'
UNION ALL
SELECT platform, kase, 'flash_after_s', min(e.t_ns) / 1e9 - crowd FROM runs
  JOIN event_log e ON e.run_id = runs.id AND e.entity = 'server.0' AND e.kind = 'state'
   AND e.detail LIKE '% -> FLASH%'
  GROUP BY runs.id
UNION ALL
SELECT platform, kase, 'rescue_s', value FROM runs
  JOIN scalar s ON s.run_id = runs.id AND s.entity = 'origin' AND s.name = 'time_to_rescue_s'
  WHERE value IS NOT NULL
UNION ALL
SELECT platform, kase, 'service_s', value FROM runs
  JOIN scalar s ON s.run_id = runs.id AND s.entity = 'origin' AND s.name = 'time_to_service_s'
  WHERE value IS NOT NULL;
" >"$OUT/values.tsv" || die "$DB: cannot read the results"
sqlite3 -batch -separator '	' "$DB" "SELECT df, q975 FROM t_quantile" >"$OUT/t.tsv" ||
	die "$DB: no t quantiles"

# The table: mean, 95% half-width and n per platform; the verdict per
# row against the tolerances of docs/testbed.md (absolute or relative,
# each widened by the two intervals).
awk -F'\t' -v out="$OUT" '
FILENAME ~ /t\.tsv$/ { t[$1] = $2; next }
{
	k = $2 SUBSEP $3 SUBSEP $1
	n[k]++; s[k] += $4; ss[k] += $4 * $4
	if (!(($2 SUBSEP $3) in seen)) { seen[$2 SUBSEP $3] = 1; rows[++nr] = $2 SUBSEP $3 }
}
function stat(k,   m, v) {
	m = s[k] / n[k]
	v = n[k] > 1 ? (ss[k] - n[k] * m * m) / (n[k] - 1) : 0
	if (v < 0) v = 0
	mean = m
	hw = n[k] > 1 ? t[n[k] - 1] * sqrt(v / n[k]) : -1
}
BEGIN {
	# metric: absolute tolerance, relative tolerance (either suffices)
	tol_abs["success_ratio"] = 0.10; tol_rel["success_ratio"] = 0
	tol_abs["page_p50_s"] = 0.5;     tol_rel["page_p50_s"] = 0.5
	tol_abs["page_p90_s"] = 2;       tol_rel["page_p90_s"] = 0.5
	tol_abs["origin_MB"] = 0;        tol_rel["origin_MB"] = 0.15
	tol_abs["flash_after_s"] = 5;    tol_rel["flash_after_s"] = 0
	tol_abs["rescue_s"] = 5;         tol_rel["rescue_s"] = 0
	tol_abs["service_s"] = 5;        tol_rel["service_s"] = 0
}
END {
	f = out "/compare.md"
	printf "| case | metric | simulator | testbed | tolerance | verdict |\n" > f
	printf "|---|---|---|---|---|---|\n" >> f
	data = out "/compare.dat"
	printf "" > data
	for (i = 1; i <= nr; i++) {
		split(rows[i], p, SUBSEP)
		ks = rows[i] SUBSEP "simulator"; kt = rows[i] SUBSEP "testbed"
		cell[1] = cell[2] = "-"
		verdict = "-"
		if (n[ks]) { stat(ks); ms = mean; hs = hw; cell[1] = sprintf("%.3g ± %.2g (n=%d)", ms, hs < 0 ? 0 : hs, n[ks]) }
		if (n[kt]) { stat(kt); mt = mean; ht = hw; cell[2] = sprintf("%.3g ± %.2g (n=%d)", mt, ht < 0 ? 0 : ht, n[kt]) }
		allowed = tol_abs[p[2]]
		if (n[ks] && tol_rel[p[2]] * (ms < 0 ? -ms : ms) > allowed)
			allowed = tol_rel[p[2]] * (ms < 0 ? -ms : ms)
		tol = (tol_abs[p[2]] ? sprintf("±%g", tol_abs[p[2]]) : "") \
		      (tol_abs[p[2]] && tol_rel[p[2]] ? " or " : "") \
		      (tol_rel[p[2]] ? sprintf("±%g%%", 100 * tol_rel[p[2]]) : "")
		if (n[ks] && n[kt]) {
			d = mt - ms; if (d < 0) d = -d
			verdict = d <= allowed + (hs > 0 ? hs : 0) + (ht > 0 ? ht : 0) ? "agree" : "DIFFER"
			if (p[2] == "success_ratio")
				printf "\"%s\"\t%g\t%g\t%g\t%g\n", p[1], ms, hs < 0 ? 0 : hs, mt, ht < 0 ? 0 : ht >> data
		}
		printf "| %s | %s | %s | %s | %s | %s |\n", p[1], p[2], cell[1], cell[2], tol, verdict >> f
	}
}' "$OUT/t.tsv" "$OUT/values.tsv" || die "cannot make the table"

gnuplot <<EOF || die "gnuplot failed"
set terminal pngcairo size 900,500 font ",11"
set output "$OUT/compare.png"
set title "$(basename "$SCENARIO" .ini): site 0's success ratio, simulator and testbed (95% CI)"
set style data histograms
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.6 border -1
set yrange [0:1.05]
set ylabel "success ratio"
set key top left
set grid ytics
plot "$OUT/compare.dat" using 2:3:xtic(1) title "simulator", \
     "" using 4:5 title "testbed"
EOF

cat "$OUT/compare.md"
echo "testbed-compare: $OUT/compare.md, $OUT/compare.png, $DB" >&2
exit $failed
