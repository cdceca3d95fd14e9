# The default flash crowd under the policies none, redirect and coop, side
# by side: the origin's load and uplink use (top), and the share of pages
# that clients got at the flash-crowd site with the pages per second
# (bottom), over time.
# Usage: gnuplot -e "data='FILE.csv'; out='FILE.png'" analysis/web-timeline.gp
#        (out ending in .pdf gives a PDF)
if (out[strlen(out)-3:] eq ".pdf") {
	set terminal pdfcairo size 11in,5.5in noenhanced font ",9"
} else {
	set terminal pngcairo size 1500,760 noenhanced font ",11"
}
set output out
set datafile separator ","
set datafile missing "NaN"
policies = "none redirect coop"
titles = "'no cooperation' 'HTTP redirect only (Backslash-like)' 'proposed: redirect + DNS + core'"
stats data using 6 nooutput
pages_max = STATS_max * 1.1
set multiplot layout 2,3 title "Flash crowd at the origin (100x baseline, 80 cooperators): origin load and page success"
set grid
set xlabel "time (min)"
set xtics 5
set key top right
do for [i=1:3] {
	p = word(policies, i)
	set title word(titles, i)
	set ylabel "origin load, uplink use"
	set yrange [0:*]
	plot data using ($1/60):(strcol(2) eq p ? $3 : 1/0) with lines lw 2 title "load (node's metric)", \
	     data using ($1/60):(strcol(2) eq p ? $4 : 1/0) with lines lw 1 dt 2 title "uplink use"
}
do for [i=1:3] {
	p = word(policies, i)
	set title ""
	set ylabel "pages got / pages asked"
	set yrange [0:1.05]
	set y2range [0:pages_max]
	set y2label "pages per second"
	set key bottom center
	set y2tics
	set ytics nomirror
	plot data using ($1/60):(strcol(2) eq p ? $5 : 1/0) with lines lw 2 title "success ratio", \
	     data using ($1/60):(strcol(2) eq p ? $6 : 1/0) axes x1y2 with lines lw 1 lc rgb "gray40" title "pages completed per second"
	unset y2tics
	unset y2label
}
unset multiplot
