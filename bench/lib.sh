# SPDX-License-Identifier: GPL-3.0-or-later
#
# Helpers of the bench/*.sh scripts (sourced).  Comparisons are run as
# alternating rounds (A B A B ...) so that a change of machine load hits
# both sides alike, and each ratio is taken within a round and reported as
# the median over the rounds; CPU time (user + system of the child) is shown
# beside wall time, because on a shared machine the wall time also counts
# the other programs' turns on our core.

# bench_time FILE COMMAND...: runs COMMAND, its output going to stdout, and
# writes "wall_s cpu_s" (cpu = user + system of COMMAND and the children it
# waited for) to FILE.  Fails as COMMAND does.
bench_time() {
	_f=$1
	shift
	/usr/bin/time -f "%e %U %S" -o "$_f.raw" "$@" || { rm -f "$_f.raw"; return 1; }
	# /usr/bin/time puts a "Command exited..." line first when it fails;
	# the numbers are on the last line.
	tail -n 1 "$_f.raw" | awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' >"$_f"
	rm -f "$_f.raw"
}

# Prints the median of the numbers on stdin (one per line), or "-" when
# there is none.
median() {
	sort -g | awk '{ v[++n] = $1 } END {
		if (n == 0) print "-";
		else if (n % 2) print v[(n + 1) / 2];
		else printf "%.6g\n", (v[n / 2] + v[n / 2 + 1]) / 2
	}'
}

# key=value: the value of KEY in the line on stdin.
kv() {
	awk -v k="$1" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }'
}

# The load average and the number of cores, to read wall times by.
machine_load() {
	printf "load average %s on %s cores" "$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')" \
		"$(nproc 2>/dev/null || echo '?')"
}
