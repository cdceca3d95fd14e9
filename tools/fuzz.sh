#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs libFuzzer targets one after the other, each for SECONDS, and fails
# if any of them crashes (a sanitizer report, an abort of a broken
# contract, an input slower than 30 s or a process over 2 GB).
# Usage: tools/fuzz.sh BUILD-DIR SECONDS TARGET[=SEEDS]...
# Each target starts from its seed corpus (SEEDS, default
# tests/fuzz/corpus/TARGET/, only read) and BUILD-DIR/corpus/TARGET/ (what earlier runs found, kept); a
# crashing input is written to BUILD-DIR/crashes/ and named in the output.
# Prints one line per target: executions, corpus size, crashes.
set -u
cd "$(dirname "$0")/.."

dir=$1
seconds=$2
shift 2
failed=0
# The targets' scratch files; an aborted target leaves its folder here.
mkdir -p "$dir/tmp"
TMPDIR=$(cd "$dir/tmp" && pwd)
export TMPDIR
for arg in "$@"; do
	t=${arg%%=*}
	seeds=tests/fuzz/corpus/$t
	[ "$arg" = "$t" ] || seeds=${arg#*=}
	mkdir -p "$dir/corpus/$t" "$dir/crashes"
	log="$dir/fuzz-$t.log"
	"$dir/fuzz-$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$dir/crashes/$t-" \
		"$dir/corpus/$t" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	corpus=$(ls "$dir/corpus/$t" | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz-$t: ${execs:-?} executions in ${seconds}s, $corpus inputs in $dir/corpus/$t, 0 crashes"
	else
		failed=1
		echo "fuzz-$t: FAILED (exit $rc) after ${execs:-?} executions; see $log" >&2
		grep -E 'ERROR|SUMMARY|Test unit written|fuzz:' "$log" | head -n 8 >&2
	fi
done
exit $failed
