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

# One row per done run and metric: platform, case, replication, metric,
# value.
sqlite3 -batch -separator '	' -cmd ".timeout 10000" "$DB" "
WITH runs AS (
  SELECT r.id, r.replication AS rep, a.value AS platform,
         b.value || CASE WHEN c.value = 'none' THEN '' ELSE ' + crash' END AS kase,
         (SELECT num FROM param WHERE run_id = r.id AND name = 'clients.start') AS crowd
  FROM run r
  JOIN param a ON a.run_id = r.id AND a.name = 'run.platform'
  JOIN param b ON b.run_id = r.id AND b.name = 'web.policy'
  JOIN param c ON c.run_id = r.id AND c.name = 'faults.crash'
  WHERE r.status = 'done')
SELECT platform, kase, rep, 'success_ratio', value FROM runs
  JOIN scalar s ON s.run_id = runs.id AND s.entity = 'site.0' AND s.name = 'success_ratio'
UNION ALL
SELECT platform, kase, rep, 'page_p50_s', p50 FROM runs
  JOIN statistic s ON s.run_id = runs.id AND s.entity = 'site.0' AND s.name = 'page_time_s'
UNION ALL
SELECT platform, kase, rep, 'page_p90_s', p90 FROM runs
  JOIN statistic s ON s.run_id = runs.id AND s.entity = 'site.0' AND s.name = 'page_time_s'
UNION ALL
SELECT platform, kase, rep, 'origin_MB', value / 1e6 FROM runs
  JOIN scalar s ON s.run_id = runs.id AND s.entity = 'origin' AND s.name = 'bytes_sent'
UNION ALL
SELECT platform, kase, rep, 'flash_after_s', min(e.t_ns) / 1e9 - crowd FROM runs
  JOIN event_log e ON e.run_id = runs.id AND e.entity = 'server.0' AND e.kind = 'state'
   AND e.detail LIKE '% -> FLASH%'
  GROUP BY runs.id
UNION ALL
SELECT platform, kase, rep, 'rescue_s', value FROM runs
  JOIN scalar s ON s.run_id = runs.id AND s.entity = 'origin' AND s.name = 'time_to_rescue_s'
  WHERE value IS NOT NULL
UNION ALL
SELECT platform, kase, rep, 'service_s', value FROM runs
  JOIN scalar s ON s.run_id = runs.id AND s.entity = 'origin' AND s.name = 'time_to_service_s'
  WHERE value IS NOT NULL;
" >"$OUT/values.tsv" || die "$DB: cannot read the results"
sqlite3 -batch -separator '	' "$DB" "SELECT df, q975 FROM t_quantile" >"$OUT/t.tsv" ||
	die "$DB: no t quantiles"

# The table.  Replication r is the same draw on both platforms (the same
# sites, sizes and visits), so the platforms are compared by the paired
# differences testbed - simulator, whose spread is far smaller than the
# spread between draws.  Per case and metric: each platform's mean and the
# half-width of its 95% interval (Student t), the mean difference and its
# interval, the tolerance (docs/testbed.md; absolute, or relative to the
# simulator's mean, whichever is wider), and the verdict: "agree" when
# the difference's interval lies inside the tolerance, "DIFFER" when it
# lies wholly outside, "undecided" otherwise (more replications decide).
# compare.dat has, per case, each replication's success ratios for the
# figure; compare.cases the cases in that order.
awk -F'\t' -v out="$OUT" '
FILENAME ~ /t\.tsv$/ { t[$1] = $2; next }
{
	key = $2 SUBSEP $4
	if (!(key in seen)) { seen[key] = 1; rows[++nr] = key }
	v[key, $1, $3] = $5; has[key, $1, $3] = 1
	if ($3 + 1 > nrep[key]) nrep[key] = $3 + 1
}
function stats(key, which,   r, n, s, ss, x, m, var) {
	n = 0; s = 0; ss = 0
	for (r = 0; r < nrep[key]; r++) {
		if (which == "diff") {
			if (!has[key, "simulator", r] || !has[key, "testbed", r]) continue
			x = v[key, "testbed", r] - v[key, "simulator", r]
		} else {
			if (!has[key, which, r]) continue
			x = v[key, which, r]
		}
		n++; s += x; ss += x * x
	}
	N = n
	if (!n) return 0
	m = s / n
	var = n > 1 ? (ss - n * m * m) / (n - 1) : 0
	if (var < 0) var = 0
	MEAN = m
	HW = n > 1 ? t[n - 1] * sqrt(var / n) : 0
	return 1
}
function cell(ok) { return ok ? sprintf("%.3g ± %.2g", MEAN, HW) : "-" }
function rank(c) { return c == "none" ? 1 : c == "redirect" ? 2 : c == "coop" ? 3 : 4 }
BEGIN {
	tol_abs["success_ratio"] = 0.10; tol_rel["success_ratio"] = 0
	tol_abs["page_p50_s"] = 0.5;     tol_rel["page_p50_s"] = 0.5
	tol_abs["page_p90_s"] = 2;       tol_rel["page_p90_s"] = 0.5
	tol_abs["origin_MB"] = 0;        tol_rel["origin_MB"] = 0.15
	tol_abs["flash_after_s"] = 5;    tol_rel["flash_after_s"] = 0
	tol_abs["rescue_s"] = 5;         tol_rel["rescue_s"] = 0
	tol_abs["service_s"] = 5;        tol_rel["service_s"] = 0
	order["success_ratio"] = 1; order["page_p50_s"] = 2; order["page_p90_s"] = 3
	order["origin_MB"] = 4; order["flash_after_s"] = 5; order["rescue_s"] = 6
	order["service_s"] = 7
}
END {
	# Rows by metric, then case (none, redirect, coop, coop + crash).
	for (i = 2; i <= nr; i++)
		for (j = i; j > 1; j--) {
			split(rows[j], a, SUBSEP); split(rows[j - 1], b, SUBSEP)
			if (order[a[2]] * 10 + rank(a[1]) >= order[b[2]] * 10 + rank(b[1])) break
			x = rows[j]; rows[j] = rows[j - 1]; rows[j - 1] = x
		}
	f = out "/compare.md"
	printf "| case | metric | simulator | testbed | testbed - simulator (n) | tolerance | verdict |\n" > f
	printf "|---|---|---|---|---|---|---|\n" >> f
	data = out "/compare.dat"
	cases = out "/compare.cases"
	printf "" > data
	printf "" > cases
	for (i = 1; i <= nr; i++) {
		split(rows[i], p, SUBSEP)
		ok = stats(rows[i], "simulator"); cs = cell(ok); ms = MEAN
		okt = stats(rows[i], "testbed"); ct = cell(okt)
		okd = stats(rows[i], "diff"); cd = okd ? sprintf("%+.3g ± %.2g (%d)", MEAN, HW, N) : "-"
		allowed = tol_abs[p[2]]
		if (ok && tol_rel[p[2]] * (ms < 0 ? -ms : ms) > allowed)
			allowed = tol_rel[p[2]] * (ms < 0 ? -ms : ms)
		tol = (tol_abs[p[2]] ? sprintf("±%g", tol_abs[p[2]]) : "") \
		      (tol_abs[p[2]] && tol_rel[p[2]] ? " or " : "") \
		      (tol_rel[p[2]] ? sprintf("±%g%%", 100 * tol_rel[p[2]]) : "")
		verdict = "-"
		if (okd && N > 1) {
			d = MEAN < 0 ? -MEAN : MEAN
			verdict = d + HW <= allowed ? "agree" : d - HW > allowed ? "DIFFER" : "undecided"
		}
		if (p[2] == "success_ratio") {
			for (r = 0; r < nrep[rows[i]]; r++)
				if (has[rows[i], "simulator", r] && has[rows[i], "testbed", r])
					printf "%g\t%g\t%d\n", v[rows[i], "simulator", r],
					       v[rows[i], "testbed", r], r >> data
			printf "\n\n" >> data
			print p[1] >> cases
		}
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", p[1], p[2], cs, ct, cd, tol, verdict >> f
	}
}' "$OUT/t.tsv" "$OUT/values.tsv" || die "cannot make the table"

# The figure: each replication's success ratio on the testbed against the
# simulator's for the same draw, the diagonal and the tolerance band.
plots=""
i=0
while read -r c; do
	plots="$plots, \"$OUT/compare.dat\" index $i using 1:2 with points pt $((i % 4 + 5)) ps 1.6 title \"$c\""
	i=$((i + 1))
done <"$OUT/compare.cases"
gnuplot <<EOF || die "gnuplot failed"
set terminal pngcairo size 760,700 font ",11"
set output "$OUT/compare.png"
set title "$(basename "$SCENARIO" .ini): site 0's success ratio, one point per replication\n(the same draw on both platforms; grey: within the tolerance of 0.1)"
set xlabel "simulator"
set ylabel "testbed"
set xrange [0:1.02]
set yrange [0:1.02]
set size square
set grid
set key bottom right
plot '+' using 1:(\$1 - 0.1):(\$1 + 0.1) with filledcurves fc rgb "#e4e4e4" notitle, \
     x with lines lc rgb "#808080" dt 2 notitle$plots
EOF

cat "$OUT/compare.md"
echo "testbed-compare: $OUT/compare.md, $OUT/compare.png, $DB" >&2
exit $failed
