#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# flashcoop plot: each kind drawn from a small database (gnuplot's exit
# status, a PNG of the asked size, a PDF), the data it draws, and bad
# arguments refused with one line and exit status 2, the previous figure
# kept.
. "$(dirname "$0")/test-lib.sh"

cp "$SRC"/tests/data/web-small.ini "$SRC"/tests/data/mmck/m.ini "$SRC"/tests/data/mmck/sw.ini .
cat >pol.sweep <<-\EOF_
	[sweep]
	scenario = web-small.ini
	replications = 2
	[vary]
	web.policy = none, coop
EOF_

# png_size FILE: "WIDTH HEIGHT" from the PNG header, or nothing if FILE is
# not a PNG.
png_size() {
	[ "$(od -An -c -j1 -N3 "$1" | tr -d ' ')" = PNG ] || return 1
	od -An -tu1 -j16 -N8 "$1" |
		awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4,
		       $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
}

test_expect_success 'setup: a web sweep (2 policies x 2) and an M/M/c sweep' '
	"$FLASHCOOP" sweep pol.sweep -q -j2 -o web.db &&
	"$FLASHCOOP" sweep sw.ini -q -j2 -o mm.db
'

test_expect_success 'series: the success ratio of the runs, 1000x600 PNG' '
	test_status 0 "$FLASHCOOP" plot series web.db -m site.0.success_ratio -o s.png \
		--script s.gp &&
	test_stdout_has "of 2 runs" &&
	test -s s.png && test "$(png_size s.png)" = "1000 600"
'

test_expect_success '  ... one line per policy, the flash crowd shaded, offered load drawn' '
	grep -q "title .web.policy=none." s.gp &&
	grep -q "title .web.policy=coop." s.gp &&
	grep -q "set object 1 rect from first 1, graph 0 to first 6.5," s.gp &&
	grep -q "offered load (clients/s, right axis)" s.gp
'

test_expect_success '  ... the offered load peaks at baseline x shock (0.4 x 200)' '
	sed -n "/^\$offered << EOD/,/^EOD/p" s.gp | grep -v EOD |
		awk "{ if (\$2 > m) m = \$2 } END { exit !(m == 80) }"
'

test_expect_success '  ... a series without a flash crowd has no shading' '
	"$FLASHCOOP" run m.ini -q -o m1.db &&
	test_status 0 "$FLASHCOOP" plot series m1.db -m station.in_system -o m.png \
		--script m.gp &&
	! grep -q "offered load" m.gp && test "$(png_size m.png)" = "1000 600"
'

test_expect_success 'series as PDF' '
	test_status 0 "$FLASHCOOP" plot series web.db -m server.0.load --run 1 -o s.pdf &&
	test "$(head -c 4 s.pdf)" = "%PDF"
'

test_expect_success 'scalar: response time against load, one line per server count' '
	test_status 0 "$FLASHCOOP" plot scalar mm.db -m station.mean_response_s \
		-x mmck.arrival_rate --by mmck.servers --size 800x500 -o r.png --script r.gp &&
	test_stdout_has "6 points in 2 lines" &&
	test "$(png_size r.png)" = "800 500"
'

test_expect_success '  ... means and 95% intervals are those of point_scalar' - <<-\EOT
	want=$(test_sqlite3 mm.db "SELECT printf('%.6g %.6g', s.mean, s.ci95)
	  FROM point_scalar s JOIN point_param p USING (point_key)
	  JOIN point_param q USING (point_key)
	  WHERE s.entity = 'station' AND s.name = 'mean_response_s'
	  AND p.name = 'mmck.arrival_rate' AND p.value = '1'
	  AND q.name = 'mmck.servers' AND q.value = '2'") &&
	got=$(sed -n '/^\$line1 << EOD/,/^EOD/p' r.gp |
	  awk '$1 == 1 { printf "%.6g %.6g", $2, $3 }') &&
	test "$got" = "$want" &&
	grep -q "over 2 replications" r.gp
EOT

test_expect_success '  ... a choice on the x axis is drawn as categories' '
	test_status 0 "$FLASHCOOP" plot scalar web.db -m site.0.success_ratio \
		-x web.policy -o p.png --script p.gp &&
	grep -q "set xtics (.none. 0, .coop. 1)" p.gp
'

test_expect_success '  ... points that differ in a third parameter are refused, naming it' '
	test_status 2 "$FLASHCOOP" plot scalar mm.db -m station.mean_response_s \
		-x mmck.arrival_rate -o bad.png &&
	test_stderr_lines 1 && test_stderr_has "differ in mmck.capacity" &&
	test_path_is_missing bad.png
'

# A copy of the program that calls itself another version (as in
# t-database.sh): its runs and this program's share a database.
test_expect_success '  ... runs of two program versions are not mixed in one figure (2)' - <<-\EOT
	v=$("$FLASHCOOP" --version | sed 's/^flashcoop //') &&
	case $v in X*) w="Y${v#?}" ;; *) w="X${v#?}" ;; esac &&
	OLD=$v NEW=$w perl -0777 -pe 's/\Q$ENV{OLD}\E/$ENV{NEW}/g' <"$FLASHCOOP" >other &&
	chmod +x other &&
	cp mm.db mix.db &&
	./other run m.ini -q --set mmck.arrival_rate=2 --set mmck.capacity=8 -o mix.db &&
	test_status 2 "$FLASHCOOP" plot scalar mix.db -m station.mean_response_s \
		-x mmck.arrival_rate --by mmck.servers -o mix.png &&
	test_stderr_lines 1 &&
	test_stderr_has "two versions of flashcoop" &&
	test_path_is_missing mix.png &&
	"$FLASHCOOP" run m.ini -q --set mmck.arrival_rate=2 --set mmck.capacity=8 --rerun-stale -o mix.db &&
	test_status 0 "$FLASHCOOP" plot scalar mix.db -m station.mean_response_s \
		-x mmck.arrival_rate --by mmck.servers -o mix.png
EOT

test_expect_success 'cdf: page times per policy, pooled over the replications' '
	test_status 0 "$FLASHCOOP" plot cdf web.db -m site.0.page_time_s -o c.png \
		--script c.gp &&
	test_stdout_has "2 curves from 4 runs" &&
	test "$(png_size c.png)" = "1000 600" &&
	grep -q "web.policy=none (2 runs)" c.gp
'

test_expect_success '  ... each curve rises from 0 to 1' '
	for b in 0 1; do
		sed -n "/^\$cdf$b << EOD/,/^EOD/p" c.gp | grep -v EOD >cdf$b &&
		test "$(head -1 cdf$b | cut -d" " -f2)" = 0 &&
		test "$(tail -1 cdf$b | cut -d" " -f2)" = 1 &&
		sort -g -k2 cdf$b | cmp -s - cdf$b || return 1
	done
'

test_expect_success 'list names what a database holds' '
	test_status 0 "$FLASHCOOP" plot list web.db &&
	test_stdout_has "param web.policy: coop, none" &&
	test_stdout_has "vector site.0.success_ratio" &&
	test_stdout_has "statistic site.0.page_time_s"
'

test_expect_success 'an unknown metric: one line, exit 2, the previous figure kept' '
	cp s.png keep.png &&
	test_status 2 "$FLASHCOOP" plot series web.db -m site.0.succes_ratio -o s.png &&
	test_stderr_lines 1 && test_stderr_has "no time series '\''site.0.succes_ratio'\''" &&
	test_cmp keep.png s.png
'

test_expect_success '  ... it names the nearest metric of the kind' '
	test_stderr_has "did you mean '\''site.0.success_ratio'\''?" &&
	test_status 2 "$FLASHCOOP" plot scalar mm.db -m station.mean_respons_s \
		-x mmck.arrival_rate --by mmck.servers -o bad.png &&
	test_stderr_lines 1 &&
	test_stderr_has "no scalar '\''station.mean_respons_s'\'' in the selected runs; did you mean '\''station.mean_response_s'\''?" &&
	test_status 2 "$FLASHCOOP" plot cdf web.db -m site.0.page_times -o bad.png &&
	test_stderr_lines 1 &&
	test_stderr_has "did you mean '\''site.0.page_time_s'\''?" &&
	test_status 2 "$FLASHCOOP" plot cdf web.db -m site.0.success_ratio -o bad.png &&
	test_stderr_has "no statistic '\''site.0.success_ratio'\''" &&
	test_path_is_missing bad.png
'

test_expect_success 'an empty database: one line, exit 2' '
	test_status 1 "$FLASHCOOP" run m.ini -q -o empty.db --set run.max_events=10 &&
	test_status 2 "$FLASHCOOP" plot cdf empty.db -m station.response_s -o e.png &&
	test_stderr_lines 1 && test_stderr_has "empty.db: no done run to draw"
'

test_expect_success 'a run id that does not exist: one line, exit 2' '
	test_status 2 "$FLASHCOOP" plot series web.db -m site.0.success_ratio --run 99 &&
	test_stderr_lines 1 && test_stderr_has "web.db: no run 99"
'

test_expect_success 'a missing database: one line, exit 2, nothing created' '
	test_status 2 "$FLASHCOOP" plot series nope.db -m site.0.success_ratio &&
	test_stderr_lines 1 && test_stderr_has "nope.db: no such results database" &&
	test_path_is_missing nope.db
'

test_expect_success 'bad arguments: one line each, exit 2' '
	test_status 2 "$FLASHCOOP" plot serie web.db &&
	test_stderr_lines 1 && test_stderr_has "did you mean '\''series'\''" &&
	test_status 2 "$FLASHCOOP" plot series web.db -m site.0.success_ratio -o s.svg &&
	test_stderr_lines 1 && test_stderr_has "ending in .png or .pdf" &&
	test_status 2 "$FLASHCOOP" plot series web.db -m success_ratio &&
	test_stderr_lines 1 && test_stderr_has "expected ENTITY.NAME" &&
	test_status 2 "$FLASHCOOP" plot scalar web.db -m site.0.success_ratio -x web.polcy &&
	test_stderr_lines 1 && test_stderr_has "did you mean '\''web.policy'\''" &&
	test_status 2 "$FLASHCOOP" plot series web.db -m site.0.success_ratio \
		--where web.uplink=fast &&
	test_stderr_lines 1 && test_stderr_has "--where web.uplink: expected a rate" &&
	test_status 2 "$FLASHCOOP" plot series web.db -m site.0.success_ratio --size 5x5 &&
	test_stderr_lines 1 && test_stderr_has "--size"
'

test_expect_success '--where selects runs by value, in any spelling of it' '
	test_status 0 "$FLASHCOOP" plot series web.db -m site.0.success_ratio \
		--where web.policy=coop --where web.uplink=20000kbit/s -o w.png &&
	test_stdout_has "of 1 run"
'

test_expect_success 'make figures draws any database: a web sweep' '
	(cd "$SRC" && sh tools/figures.sh "$FLASHCOOP" "$TRASH/web.db" "$TRASH/figs") >fig.out &&
	for f in site0-success-ratio origin-load site0-page-time-cdf site0-success-by-param; do
		test "$(png_size figs/$f.png)" = "1000 600" &&
		test "$(head -c 4 figs/$f.pdf)" = "%PDF" || return 1
	done
'

test_expect_success '  ... an M/M/c sweep: its response time against the varied load' '
	(cd "$SRC" && sh tools/figures.sh "$FLASHCOOP" "$TRASH/mm.db" "$TRASH/figm") &&
	test "$(png_size figm/station-response-by-param.png)" = "1000 600"
'

test_expect_success '  ... a missing or empty database: it says what it needs, exit 2' '
	test_status 2 sh "$SRC"/tools/figures.sh "$FLASHCOOP" none.db figx &&
	test_stderr_has "none.db does not exist; make run creates default.db" &&
	test_status 2 sh "$SRC"/tools/figures.sh "$FLASHCOOP" empty.db figx &&
	test_stderr_has "empty.db holds no done run"
'

# A stand-in for the program that makes no results: make run's script must
# leave a database it finds as it was.
test_expect_success 'make run deletes no database it finds, and reruns stale runs' '
	printf "#!/bin/sh\necho \"\$*\" >>$TRASH/calls\n[ \"\$1\" = plot ] && echo \"runs 0 done, 0 points\"\nexit 0\n" >fake &&
	chmod +x fake &&
	cp web.db precious.db &&
	(cd "$SRC" && sh tools/run-default.sh "$TRASH/fake" "$TRASH/precious.db" "$TRASH/figr") 2>/dev/null ||
	true &&
	test_cmp web.db precious.db &&
	grep -q "^sweep scenarios/default-policies.sweep --rerun-stale -o $TRASH/precious.db\$" calls
'

test_done
