#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The layering of the source tree, checked on its #include lines: every
# project header is included by its path from the repository root, so a
# back-edge shows as a path.  The layers, lowest first:
#
#   core/               includes only its own headers (flashcoop/...)
#   sim/                the core's public headers and sim/
#   models/world/       sim/, the core, models/world/
#   models/<traffic>/   also models/world/ and the traffic models it is
#                       allowed to build on (models/web/ on bittorrent/)
#   models/*.c          the catalog and the program's main: anything
#
# A traffic model never reaches into another's private state, so each may
# include only the folders listed for it below.
set -eu
cd "$(dirname "$0")/.."

# FOLDER: the include prefixes its files may use besides system headers.
rules='
core/ flashcoop/ internal.h
sim/ flashcoop/ sim/ version.h
models/world/ flashcoop/ sim/ models/world/
models/mmck/ flashcoop/ sim/ models/mmck/
models/bittorrent/ flashcoop/ sim/ models/world/ models/bittorrent/
models/winny/ flashcoop/ sim/ models/world/ models/winny/
models/web/ flashcoop/ sim/ models/world/ models/bittorrent/ models/web/
'

echo "1..$(printf '%s\n' "$rules" | grep -c .)"
n=0
printf '%s\n' "$rules" | grep . | while read -r folder allowed; do
	n=$((n + 1))
	bad=$(find "$folder" -name '*.[ch]' 2>/dev/null | sort | while read -r f; do
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		sed 's/^\([0-9]*\):.*"\(.*\)".*/\1 \2/' | while read -r line inc; do
			ok=no
			for a in $allowed; do
				case $inc in "$a"*) ok=yes ;; esac
			done
			[ $ok = yes ] || echo "$f:$line includes \"$inc\""
		done
	done)
	if [ -z "$bad" ]; then
		echo "ok $n - $folder includes only: $allowed"
	else
		echo "not ok $n - $folder includes beyond: $allowed"
		printf '%s\n' "$bad" | sed 's/^/# /'
	fi
done
