#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Draws the flash crowd with and without Winny traffic, per policy, from a
# database of scenarios/winny/flash-under-winny.sweep.
# Usage: tools/flash-under-winny.sh RESULTS.db [OUT_PREFIX]
#   OUT_PREFIX  where the figure goes (default figures/flash-under-winny): .png, .pdf
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
db=${1:?usage: tools/flash-under-winny.sh RESULTS.db [OUT_PREFIX]}
out=${2:-figures/flash-under-winny}
if [ ! -f "$db" ]; then
	echo "flash-under-winny: $db: no such results database" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sqlite3 -separator ' ' "$db" ".read $here/analysis/flash-under-winny.sql" >"$tmp/data" 2>"$tmp/err" || {
	echo "flash-under-winny: $db: $(head -1 "$tmp/err")" >&2
	exit 2
}
if [ ! -s "$tmp/data" ]; then
	echo "flash-under-winny: $db: no done run of scenarios/winny/flash-under-winny.sweep" >&2
	exit 2
fi
mkdir -p "$(dirname "$out")"
for ext in png pdf; do
	gnuplot -e "data='$tmp/data'; out='$out.$ext'" "$here/analysis/flash-under-winny.gp"
done
echo "$out.png $out.pdf"
