# Seed 002 Fig. 13 from flashcoop runs (scenarios/winny/poisoning.sweep):
# against the control node's threads (0: no control), the time of the
# downloads that completed within the run (mean, least and largest), and
# the share that completed (mean over the replications, 95% CI).  The seed
# reports: 1 thread about as no control; from 5 threads no download
# completes in 7200 s.
# Usage: gnuplot -e "dir='DATA_DIR'; out='FILE.png'" analysis/winny-poisoning.gp
#        tools/winny-index-figures.sh writes fig13.dat: threads, mean, min,
#        max (s), share (%), its CI (%), runs, done, tried.
if (out[strlen(out)-3:] eq ".pdf") {
	set terminal pdfcairo size 10in,4.2in noenhanced font ",9"
} else {
	set terminal pngcairo size 1400,560 noenhanced font ",11"
}
set output out
set multiplot layout 1,2 title "Index poisoning by file ID (seed 002 Fig. 13)"
set grid
set xlabel "threads of the control node (0: no control)"
set xrange [-0.5:*]
set offsets 0, 0.5, 0, 0
set title "time of the downloads that completed"
set ylabel "download time (s)"
set yrange [0:*]
set key top right
plot dir."/fig13.dat" using 1:2:3:4 with yerrorbars pt 7 ps 1.2 title "flashcoop: mean, least and largest"
set title "downloads completed within the run"
set ylabel "completed (%)"
set yrange [0:130]
set ytics 0, 20, 100
set key top right
plot dir."/fig13.dat" using 1:5:6 with yerrorbars pt 7 ps 1.2 title "flashcoop: mean over replications, 95% CI", \
     "-" using 1:2 with points pt 6 ps 2 lc rgb "black" title "seed: 1 thread as no control; none from 5 threads"
0 100
1 100
5 0
6 0
8 0
e
unset multiplot
