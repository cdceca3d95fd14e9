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
#   testbed/harness/    the testbed's driver: the simulator's layers and
#                       the testbed's parts (and the program's version,
#                       which an imported run records as a simulated one)
#   testbed/<part>/     the real processes' code: the core and its own
#                       folder only, and tests/ for their test programs
#                       (the sidecar may call the DNS and
#                       BitTorrent parts, the module Apache's headers,
#                       which it includes in quotes as Apache does; the
#                       load generator the strict key-file reader of sim/)
#
# A traffic model never reaches into another's private state, so each may
# include only the folders listed for it below.  Includes in <> that name a
# project folder count too, a path with .. is refused, and a folder under
# models/ with no rule here fails: a new traffic model gets its rule.
set -eu
cd "$(dirname "$0")/.."

# FOLDER: the include prefixes its files may use besides system headers.
rules='
core/ flashcoop/ internal.h
sim/ flashcoop/ sim/ version.h
models/world/ flashcoop/ sim/ models/world/
models/mmck/ flashcoop/ sim/ models/mmck/
models/handover/ flashcoop/ sim/ models/handover/
models/bittorrent/ flashcoop/ sim/ models/world/ models/bittorrent/
models/winny/ flashcoop/ sim/ models/world/ models/winny/
models/web/ flashcoop/ sim/ models/world/ models/bittorrent/ models/web/
testbed/harness/ flashcoop/ sim/ models/ testbed/ version.h
testbed/node/ flashcoop/ tests/ testbed/node/ testbed/dns/ testbed/bt/ ap_ apr_ http mod_watchdog.h scoreboard.h
testbed/dns/ flashcoop/ tests/ testbed/dns/
testbed/exec/ flashcoop/ tests/ testbed/exec/ testbed/node/ testbed/dns/
testbed/bt/ flashcoop/ tests/ testbed/bt/
testbed/loadgen/ flashcoop/ tests/ testbed/loadgen/ sim/keyfile.h
testbed/net/ flashcoop/ tests/ testbed/net/
testbed/dts/ flashcoop/ tests/ testbed/dts/
'
# What names a project header when it appears in <>.
project='core/ sim/ models/ tests/ flashcoop/ bench/ testbed/'

# The includes of the C sources under a folder: "file:line path".
includes() {
	find "$1" -type f \( -name '*.[ch]' -o -name '*.inc' -o -name '*.def' \) | sort |
	while read -r f; do
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]' "$f" |
		sed 's/^\([0-9]*\):[^"<]*["<]\([^">]*\)[">].*/\1 \2 &/' |
		while read -r line inc rest; do
			case $rest in
			*'<'*) quoted=no ;;
			*) quoted=yes ;;
			esac
			echo "$f:$line $inc $quoted"
		done
	done
}

folders=$(find models testbed -mindepth 1 -maxdepth 1 -type d | sort | sed 's|$|/|')
unruled=
for d in $folders; do
	printf '%s\n' "$rules" | grep -q "^$d " || unruled="$unruled $d"
done

echo "1..$(( $(printf '%s\n' "$rules" | grep -c .) + 1 ))"
n=0
printf '%s\n' "$rules" | grep . | while read -r folder allowed; do
	n=$((n + 1))
	bad=$(includes "$folder" 2>/dev/null | while read -r where inc quoted; do
		case $inc in
		*..*) echo "$where includes \"$inc\" (a path with ..)"; continue ;;
		esac
		if [ "$quoted" = no ]; then
			ours=no
			for p in $project; do
				case $inc in "$p"*) ours=yes ;; esac
			done
			[ $ours = yes ] || continue
		fi
		ok=no
		for a in $allowed; do
			case $inc in "$a"*) ok=yes ;; esac
		done
		[ $ok = yes ] || echo "$where includes \"$inc\""
	done)
	if [ -z "$bad" ]; then
		echo "ok $n - $folder includes only: $allowed"
	else
		echo "not ok $n - $folder includes beyond: $allowed"
		printf '%s\n' "$bad" | sed 's/^/# /'
	fi
done
n=$(( $(printf '%s\n' "$rules" | grep -c .) + 1 ))
if [ -z "$unruled" ]; then
	echo "ok $n - every folder under models/ and testbed/ has a rule"
else
	echo "not ok $n - folders under models/ or testbed/ with no rule in tests/layering.sh:$unruled"
fi
