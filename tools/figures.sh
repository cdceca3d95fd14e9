#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `make figures`: draws the figures from a results database that holds the
# default sweep, as PNG and PDF under figures/, and prints a summary.
# Usage: tools/figures.sh PATH/TO/flashcoop RESULTS.db
set -eu

prog=$1
db=$2

if [ ! -f "$db" ]; then
	echo "figures: $db does not exist; make run creates it" >&2
	exit 2
fi
mkdir -p figures
sqlite3 -csv "$db" <analysis/web-timeline.sql >figures/web-timeline.csv
if [ ! -s figures/web-timeline.csv ]; then
	echo "figures: $db holds no run of the default scenario (make run)" >&2
	exit 2
fi
for ext in png pdf; do
	gnuplot -e "data='figures/web-timeline.csv'; out='figures/web-timeline.$ext'" \
		analysis/web-timeline.gp
done
# Where the coop run had BitTorrent (it has unless [coop] transport = http
# and [clients] bittorrent = 0%): who sent the bytes, and the site's copies.
sqlite3 -csv "$db" <analysis/web-bittorrent.sql >figures/web-bittorrent.csv
bt_figure=
if [ -s figures/web-bittorrent.csv ]; then
	for ext in png pdf; do
		gnuplot -e "data='figures/web-bittorrent.csv'; out='figures/web-bittorrent.$ext'" \
			analysis/web-bittorrent.gp
	done
	bt_figure=", figures/web-bittorrent.png, .pdf"
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
echo
echo "results: $db   figures: figures/web-timeline.png, figures/web-timeline.pdf$bt_figure"
