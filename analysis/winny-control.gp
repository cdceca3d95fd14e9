# Seed 002 Fig. 10 from flashcoop runs (scenarios/winny/control.sweep): the
# largest TTL the survey peer found for each of the uploader's files at each
# query, against time; the dashed line is when the decoys start.  The seed
# reports TTLs of about 1500-1600 before control, then a fall of 1 a second
# to 0 (at 4000 s in its measurement), a few keys still leaking.
# Usage: gnuplot -e "dir='DATA_DIR'; panels=N; out='FILE.png'" analysis/winny-control.gp
#        tools/winny-index-figures.sh writes fig10-N.dat and fig10-N.meta.
if (out[strlen(out)-3:] eq ".pdf") {
	eval sprintf('set terminal pdfcairo size %gin,4.2in noenhanced font ",9"', 6 * panels)
} else {
	eval sprintf('set terminal pngcairo size %d,560 noenhanced font ",11"', 800 * panels)
}
set output out
set multiplot layout 1,panels title "Decoy peers take the uploader's search links (seed 002 Fig. 10)"
set grid
set xlabel "time (s)"
set ylabel "TTL of the keys in query answers (s)"
set yrange [0:1700]
set key top right
$seed << EOD
1000 1500
1000 1600
4000 0
EOD
do for [i=1:panels] {
	leak = real(system("cut -d' ' -f1 ".dir."/fig10-".i.".meta"))
	start = real(system("cut -d' ' -f2 ".dir."/fig10-".i.".meta"))
	set title sprintf("decoys miss %g%% of their tries", 100 * leak)
	set arrow 1 from start, graph 0 to start, graph 1 nohead dt 2 lc rgb "black"
	plot dir."/fig10-".i.".dat" using 1:2 with points pt 7 ps 0.4 title "flashcoop: largest TTL per file and query", \
	     $seed using 1:2 with points pt 6 ps 1.5 lc rgb "black" title "seed: 1500-1600 before, 0 at 4000 s"
}
unset multiplot
