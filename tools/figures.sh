#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make figures`: draws the figures of a results database under figures/,
# as PNG and PDF, with `flashcoop plot`.  Any database: for each kind of
# result it holds, the figures that fit it (time series of the flash-crowd
# site and the origin, page-time distributions, a scalar against the
# parameters the runs vary); for the default job (make run) also the
# side-by-side comparison of the policies (analysis/web-*.gp) and a
# summary table.
# Usage: tools/figures.sh PATH/TO/flashcoop RESULTS.db [FIGURES-DIR]
# (installed: PREFIX/share/flashcoop/tools/figures.sh flashcoop RESULTS.db)
set -eu

prog=$1
db=$2
out=${3:-figures}
# The SQL and gnuplot scripts: ../analysis beside this script, in the source
# tree and in an installation (PREFIX/share/flashcoop) alike.
analysis=$(cd "$(dirname "$0")/../analysis" && pwd)

if [ ! -f "$db" ]; then
	echo "figures: $db does not exist; make run creates default.db, or name a" \
		"results database with RESULTS=FILE" >&2
	exit 2
fi
list=$("$prog" plot list "$db") || exit 2
if printf '%s\n' "$list" | grep -q '^runs 0 done'; then
	echo "figures: $db holds no done run; run a scenario or sweep into it first" >&2
	exit 2
fi
mkdir -p "$out"
has() { printf '%s\n' "$list" | grep -qx "$1"; }
# The parameters the runs vary, in the order plot list gives them.
varied=$(printf '%s\n' "$list" | sed -n 's/^param \([^:]*\):.*/\1/p')
x=$(printf '%s\n' "$varied" | sed -n 1p)
by=$(printf '%s\n' "$varied" | sed -n 2p)
drawn=0
failed=0

# figure NAME KIND ARGS...: draws NAME.png and NAME.pdf; a figure that
# cannot be drawn (too many runs for one figure, say) is reported and
# skipped.
figure() {
	name=$1
	shift
	for ext in png pdf; do
		if ! "$prog" plot "$@" "$db" -q -o "$out/$name.$ext"; then
			echo "figures: $out/$name not drawn (see above)" >&2
			failed=$((failed + 1))
			return 0
		fi
	done
	echo "  $out/$name.png, .pdf"
	drawn=$((drawn + 1))
}

scalar_figure() { # NAME METRIC
	[ -n "$x" ] || return 0
	if [ -n "$by" ]; then
		figure "$1" scalar -m "$2" -x "$x" --by "$by"
	else
		figure "$1" scalar -m "$2" -x "$x"
	fi
}

echo "figures of $db:"
if has "vector site.0.success_ratio"; then
	figure site0-success-ratio series -m site.0.success_ratio
	figure origin-load series -m server.0.load
	has "statistic site.0.page_time_s" && figure site0-page-time-cdf cdf -m site.0.page_time_s
	scalar_figure site0-success-by-param site.0.success_ratio
fi
if has "scalar station.mean_response_s"; then
	scalar_figure station-response-by-param station.mean_response_s
	has "statistic station.response_s" && [ -z "$x" ] &&
		figure station-response-cdf cdf -m station.response_s
fi
if has "scalar swarm.download_time_mean"; then
	has "vector swarm.downloaders" && figure swarm-downloaders series -m swarm.downloaders
	scalar_figure swarm-download-time-by-param swarm.download_time_mean
fi
if has "scalar handover.latency_s"; then
	scalar_figure handover-latency-by-param handover.latency_s
	scalar_figure handover-extra-by-param handover.extra_s
	scalar_figure handover-origin-work-by-param handover.origin_work_s
fi

# The default job: the three policies side by side, and who served the
# flash crowd under coop.
sqlite3 -csv "$db" <"$analysis/web-timeline.sql" >"$out/web-timeline.csv"
if [ -s "$out/web-timeline.csv" ]; then
	for ext in png pdf; do
		gnuplot -e "data='$out/web-timeline.csv'; out='$out/web-timeline.$ext'" \
			"$analysis/web-timeline.gp"
	done
	echo "  $out/web-timeline.png, .pdf"
	drawn=$((drawn + 1))
	sqlite3 -csv "$db" <"$analysis/web-bittorrent.sql" >"$out/web-bittorrent.csv"
	if [ -s "$out/web-bittorrent.csv" ]; then
		for ext in png pdf; do
			gnuplot -e "data='$out/web-bittorrent.csv'; out='$out/web-bittorrent.$ext'" \
				"$analysis/web-bittorrent.gp"
		done
		echo "  $out/web-bittorrent.png, .pdf"
	fi
	echo
	echo "policy     pages asked  success ratio  median page time (s)  p99 (s)  origin bytes (GB)"
	sqlite3 -separator ' ' "$db" "
SELECT printf('%-10s %11d  %13.3f  %20.3f  %7.2f  %17.2f', p.value,
  (SELECT value FROM scalar WHERE run_id = r.id AND entity = 'site.0' AND name = 'sessions'),
  (SELECT value FROM scalar WHERE run_id = r.id AND entity = 'site.0' AND name = 'success_ratio'),
  (SELECT p50 FROM statistic WHERE run_id = r.id AND entity = 'site.0' AND name = 'page_time_s'),
  (SELECT p99 FROM statistic WHERE run_id = r.id AND entity = 'site.0' AND name = 'page_time_s'),
  (SELECT value / 1e9 FROM scalar WHERE run_id = r.id AND entity = 'origin' AND name = 'bytes_sent'))
FROM run r JOIN param p ON p.run_id = r.id AND p.name = 'web.policy'
WHERE r.status = 'done' AND r.scenario = 'default' AND r.replication = 0
ORDER BY r.id"
fi
rm -f "$out/web-timeline.csv" "$out/web-bittorrent.csv"
if [ "$drawn" -eq 0 ]; then
	echo "figures: nothing in $db that these figures draw (web, mmck, swarm or handover" \
		"results); flashcoop plot draws any vector, scalar or statistic" \
		"(flashcoop plot --help)" >&2
	exit 2
fi
echo "results: $db   figures: $out/"
