#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Getting results out: flashcoop runs and export (filters, parameters in
# base units, values that read back exactly, CSV and JSON), and every SQL
# example of docs/analysis.md run against the sweep it describes.
. "$(dirname "$0")/test-lib.sh"

cp "$SRC"/tests/data/mmck/m.ini "$SRC"/tests/data/mmck/sw.ini .

test_expect_success 'setup: the sweep of docs/analysis.md, and a run of its own' '
	"$FLASHCOOP" sweep sw.ini -q -j2 -o sw.db &&
	"$FLASHCOOP" run m.ini -q --set run.warmup=2min -o sw.db
'

test_expect_success 'runs lists every run with its sweep and version' '
	test_status 0 "$FLASHCOOP" runs sw.db &&
	test "$(wc -l <"$TEST_ROOT/cmd.out")" -eq 14 &&
	test "$(grep -c " sw " "$TEST_ROOT/cmd.out")" -eq 12 &&
	test_stdout_has "$("$FLASHCOOP" --version | sed "s/^flashcoop //")"
'

test_expect_success '  ... --sweep, --status and --where (any spelling of the value) filter' '
	test_status 0 "$FLASHCOOP" runs sw.db --sweep sw --where mmck.arrival_rate=1.0 &&
	test "$(wc -l <"$TEST_ROOT/cmd.out")" -eq 5 &&
	test_status 0 "$FLASHCOOP" runs sw.db --status done --where run.warmup=120s &&
	test "$(wc -l <"$TEST_ROOT/cmd.out")" -eq 2 &&
	grep -q "^13  *done  *small  *- " "$TEST_ROOT/cmd.out"
'

test_expect_success '  ... an unknown key or status is refused (2) in one line' '
	test_status 2 "$FLASHCOOP" runs sw.db --where mmck.arival_rate=1 &&
	test_stderr_lines 1 &&
	test_stderr_has "did you mean '\''mmck.arrival_rate'\''" &&
	test_status 2 "$FLASHCOOP" runs sw.db --status finished &&
	test_stderr_lines 1
'

test_expect_success 'export: a scalar round-trips exactly, parameters as columns' - <<-\EOT
	"$FLASHCOOP" export sw.db --sweep sw -o s.csv &&
	head -1 s.csv >head &&
	echo "run_id,run_key,replication,mmck.arrival_rate,mmck.capacity,mmck.servers,entity,name,value" >want &&
	test_cmp want head &&
	test "$(grep -c ",station,served," s.csv)" -eq 12 &&
	grep ",station,mean_response_s," s.csv | head -1 >row &&
	id=$(cut -d, -f1 row) && v=$(cut -d, -f9 row) &&
	test_sql sw.db "SELECT value = $v FROM scalar WHERE run_id = $id
	  AND entity = 'station' AND name = 'mean_response_s'" 1 &&
	test_sql sw.db "SELECT printf('%.17g', value) = printf('%.17g', $v) FROM scalar
	  WHERE run_id = $id AND entity = 'station' AND name = 'mean_response_s'" 1
EOT

test_expect_success '  ... a duration is exported in seconds' '
	"$FLASHCOOP" export sw.db --params run.warmup,run.model --where run.warmup=2min >w.csv &&
	head -1 w.csv | grep -q "^run_id,run_key,replication,run.warmup,run.model,entity" &&
	sed -n 2p w.csv | grep -q "^13,[0-9a-f]*,0,120,mmck,station,"
'

test_expect_success '  ... vectors carry t_ns and t_s, statistics their quantiles' - <<-\EOT
	"$FLASHCOOP" export sw.db --kind vector --params none --where run.warmup=2min >v.csv &&
	sed -n 2p v.csv | grep -q "^13,[0-9a-f]*,0,station,in_system,120000000000,120," &&
	test "$(($(wc -l <v.csv) - 1))" -eq "$(test_sqlite3 sw.db "SELECT count(*) FROM vector_data d
	  JOIN vector v ON v.id = d.vector_id WHERE v.run_id = 13")" &&
	"$FLASHCOOP" export sw.db --kind statistic >st.csv &&
	head -1 st.csv | grep -q ",count,mean,sd,min,max,sum,p01,p05,p10,p25,p50,p75,p90,p95,p99$" &&
	test "$(wc -l <st.csv)" -eq 14
EOT

# json_rows FILE: the number of objects in the JSON array of FILE.
json_rows() {
	if command -v jq >/dev/null; then
		jq length "$1"
	else
		python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$1"
	fi
}

test_expect_success '  ... JSON holds the same rows, numbers as numbers' - <<-\EOT
	"$FLASHCOOP" export sw.db --format json -o s.json &&
	test "$(json_rows s.json)" -eq "$(($(wc -l <s.csv) - 1 + $(wc -l <w.csv) - 1))" &&
	grep -q '"name": "served", "value": [0-9]' s.json
EOT

test_expect_success '  ... a bad --kind, --format or --params is refused (2)' '
	test_status 2 "$FLASHCOOP" export sw.db --kind scalars &&
	test_stderr_lines 1 &&
	test_status 2 "$FLASHCOOP" export sw.db --format xml &&
	test_stderr_lines 1 &&
	test_status 2 "$FLASHCOOP" export sw.db --params mmck.nope &&
	test_stderr_lines 1
'

test_expect_success 'every SQL example of docs/analysis.md runs, orders its rows, and gives rows' - <<-\EOT
	awk '/^```sql$/ { n++; f = "ex" n ".sql"; next } /^```$/ { f = "" } f { print > f }' \
		"$SRC"/docs/analysis.md &&
	test "$(ls ex*.sql | wc -l)" -ge 6 &&
	for f in ex*.sql; do
		grep -q "ORDER BY" $f || { echo "$f has no ORDER BY"; exit 1; }
		test_sqlite3 -bail sw.db <$f >$f.out || { cat $f; exit 1; }
		test -s $f.out || { echo "$f gives no rows"; exit 1; }
	done
EOT

test_expect_success '  ... the SQL in the pandas and R examples is one of them' - <<-\EOT
	grep -q "ORDER BY servers, arrival_rate\"\"\", con)" "$SRC"/docs/analysis.md &&
	grep -q "ORDER BY arrival_rate, r.id\")" "$SRC"/docs/analysis.md
EOT

test_done
