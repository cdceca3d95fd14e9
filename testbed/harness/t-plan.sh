#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The testbed's plan is the simulator's draw: the same visits per site and
# kind as a simulated run of the same scenario counts, and site files of
# the sizes the model drew.
. "$(dirname "$0")/../../tests/test-lib.sh"

TESTBED=${TESTBED:-$(dirname "$FLASHCOOP")/testbed/fc-testbed}

cat >tb.ini <<-\EOF_INI
	[run]
	model = web
	seed = 7
	warmup = 5s
	duration = 40s
	[web]
	cooperators = 3
	policy = coop
	uplink = 10Mbit/s
	latency = 10ms
	[clients]
	baseline = 2
	shock = 20
	start = 10s
	ramp_up = 5s
	sustained = 15s
	ramp_down = 5s
	other_sites = 1
	bittorrent = 30%
	[site]
	pages = 20
EOF_INI

# Visits counted in the window, per group, from plan.tsv: "site0 N BT" and
# "others N BT".
count_plan() {
	awk -F'\t' 'NR > 1 && $6 !~ /warmup/ {
		g = ($3 ~ /^site0\./) ? "site0" : "others"
		n[g]++; if ($6 ~ /bt/) b[g]++ }
	END { printf "site0 %d %d\nothers %d %d\n", n["site0"], b["site0"], n["others"], b["others"] }' "$1"
}

test_expect_success 'the plan draws the visits a simulated run counts' '
	"$FLASHCOOP" run tb.ini -q -o r.db &&
	"$TESTBED" plan tb.ini plan &&
	count_plan plan/plan.tsv >got &&
	for g in site.0 site.others; do
		printf "%s %s %s\n" "$(echo $g | sed "s/site\.0/site0/; s/site\.others/others/")" \
			"$(sqlite3 r.db "SELECT CAST(value AS INTEGER) FROM scalar WHERE entity = '\''$g'\'' AND name = '\''sessions'\''")" \
			"$(sqlite3 r.db "SELECT CAST(value AS INTEGER) FROM scalar WHERE entity = '\''$g'\'' AND name = '\''bt_sessions'\''")"
	done >want &&
	cat got want &&
	test_cmp want got &&
	test "$(awk "{print \$2}" got | head -1)" -gt 100
'

test_expect_success 'the same plan from another replication differs, from the same one not' '
	"$TESTBED" plan tb.ini again &&
	cmp plan/plan.tsv again/plan.tsv &&
	"$TESTBED" plan -r 1 tb.ini other &&
	! cmp -s plan/plan.tsv other/plan.tsv
'

test_expect_success 'site files have the sizes the model drew, every object of every page' '
	test "$(ls plan/sites | tr "\n" " ")" = "0 1 2 3 " &&
	awk -F"\t" "NR > 1 && \$3 ~ /^site0\\./ { n = split(\$4, p, \",\"); for (i = 1; i <= n; i++) print p[i] }" \
		plan/plan.tsv | sort -u >paths &&
	test "$(wc -l <paths)" -gt 5 &&
	while read -r p; do test -s "plan/sites/0${p#/s0}" || { echo "missing $p" >&2; exit 1; }; done <paths &&
	total=$(cat plan/sites/0/o/* | wc -c) &&
	echo "site 0: $total bytes" &&
	test "$total" -gt 20000
'

test_expect_success 'a scenario of another model is refused in one line' '
	printf "[run]\nmodel = mmck\n" >m.ini &&
	test_status 2 "$TESTBED" plan m.ini x &&
	test_stderr_has "the testbed runs only web scenarios" &&
	test_stderr_lines 1
'

test_expect_success 'a typo in a key is refused, naming it' '
	sed "s/^shock/shok/" tb.ini >typo.ini &&
	test_status 2 "$TESTBED" plan typo.ini x &&
	test_stderr_has "shok" &&
	test_stderr_lines 1
'

test_expect_success 'flashcoop testbed plan runs the same driver' '
	"$FLASHCOOP" testbed plan tb.ini viaprog &&
	cmp plan/plan.tsv viaprog/plan.tsv
'

test_done
