#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Winny model against seed 002 §2-2 at the measurement's own settings
# (scenarios/winny/isp-tap.sweep: 72 inside peers behind a 1 Gbit/s tap,
# 5 hours, 5 replications).  Each number is recomputed from the flow log as
# the seed computed it from its capture (analysis/winny-tap.sql), and the
# mean over the replications is compared with what the seed reports, within
# the tolerance the issue set; the 95% confidence interval is printed beside
# it.  Run by make validate (about a minute on two cores).
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'the measurement, 5 replications' '
	"$FLASHCOOP" sweep -q -j2 "$SRC/scenarios/winny/isp-tap.sweep" -o tap.db &&
	test_sql tap.db "SELECT count(*) FROM run WHERE status = '\''done'\''" 5
'

# checks.txt: run id, metric, value -- one line each.
test_expect_success '  ... recomputed from each run'\''s flow log' '
	for id in $(test_sqlite3 tap.db "SELECT id FROM run ORDER BY id"); do
		test_sqlite3 tap.db "CREATE TEMP TABLE sel AS SELECT $id AS run_id" \
			".read $SRC/analysis/winny-tap.sql" \
			"SELECT $id, name, value FROM winny_check" || return 1
	done >checks.txt &&
	test $(wc -l <checks.txt) -ge 70
'

# summary NAME: mean, 95% CI half-width (Student t, 4 degrees of freedom),
# min and max of NAME over the runs.
summary() {
	awk -F"|" -v n="$1" '$2 == n { x[++k] = $3; s += $3 }
	END { m = s / k; for (i = 1; i <= k; i++) v += (x[i] - m) ^ 2
	      lo = hi = x[1]; for (i = 1; i <= k; i++) { if (x[i] < lo) lo = x[i]; if (x[i] > hi) hi = x[i] }
	      printf "%.4f %.4f %.4f %.4f\n", m, 2.776 * sqrt(v / (k - 1) / k), lo, hi }' checks.txt
}

# within NAME TARGET TOLERANCE: the mean of NAME is within TOLERANCE of TARGET.
within() {
	set -- "$1" "$2" "$3" $(summary "$1")
	echo "$1: mean $4 +- $5 (runs $6..$7), seed $2 +- $3"
	awk -v m="$4" -v t="$2" -v d="$3" "BEGIN { exit !(m >= t - d && m <= t + d) }"
}

test_expect_success 'Fig. 5: 75% of the flows are <= 150 B, each way' '
	within le150_in 0.75 0.03 && within le150_out 0.75 0.03
'
test_expect_success 'Fig. 5: 95.4% are < 64 KB, each way' '
	within lt64k_in 0.954 0.01 && within lt64k_out 0.954 0.01
'
test_expect_success 'Fig. 5: flows over 64 KB carry 99% of the bytes, each way' '
	within bytes_gt64k_in 0.99 0.005 && within bytes_gt64k_out 0.99 0.005
'
test_expect_success 'Fig. 6: more file flows leave the stub network than enter it' '
	set -- $(summary file_flows_out_per_in) &&
	echo "file flows out per file flow in: mean $1 +- $2 (runs $3..$4)" &&
	awk -v m="$1" "BEGIN { exit !(m > 1) }"
'
# A known breakage: the request side of each transfer is a small flow the
# other way, so the file flows' imbalance between the directions (one to
# three fast uploaders among 72 inside peers decide it) reaches the search
# flows, and with some 10^5 flows a way the test sees it (docs/winny.md).
test_expect_failure 'Fig. 6: search flows arrive alike both ways (KS at 1%, most runs)' '
	# The two-sample Kolmogorov-Smirnov statistic over its 1% critical
	# value: below 1 does not reject.
	awk -F"|" "\$2 == \"ks_search_d_over_crit\" { n++; ok += \$3 <= 1; printf \"run %s: D/D_crit %.3f\n\", \$1, \$3 }
		END { printf \"%d of %d runs do not reject\n\", ok, n; exit !(ok * 2 > n) }" checks.txt
'
test_expect_success 'Fig. 7: the top 20% of inside peers upload 90% of the bytes' '
	within top20_upload 0.90 0.05
'
test_expect_success 'Fig. 7: the top 40% of inside peers download 90% of the bytes' '
	within top40_download 0.90 0.05
'
test_expect_success 'Winny is about 10% of the flows and 30% of the bytes at the tap' '
	within winny_share_flows 0.10 0.01 && within winny_share_bytes 0.30 0.03
'
test_expect_success 'each inside peer talks with hundreds of outside peers an hour (>= 133)' '
	set -- $(summary partners_per_peer_hour) &&
	echo "distinct outside peers per inside peer and hour: mean $1, runs $3..$4" &&
	awk -v lo="$3" "BEGIN { exit !(lo >= 133) }"
'

# What was measured, whatever passed: a TAP comment per number.
for n in le150_in le150_out lt64k_in lt64k_out bytes_gt64k_in bytes_gt64k_out \
	file_flows_out_per_in ks_search_d_over_crit top20_upload top40_download \
	winny_share_flows winny_share_bytes active_inside_peers partners_per_peer_hour; do
	[ -s checks.txt ] || break
	set -- $(summary $n)
	echo "# $n: mean $1 +- $2 (runs $3..$4)"
done

test_done
