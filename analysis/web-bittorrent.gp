# The default flash crowd under the proposed policy: who sends the site's
# bytes (left: origin and cooperators over HTTP and BitTorrent, clients over
# BitTorrent), and how many copies of the site exist (right: servers holding
# some of it, clients holding all of it, peers downloading it).
# Usage: gnuplot -e "data='FILE.csv'; out='FILE.png'" analysis/web-bittorrent.gp
#        (out ending in .pdf gives a PDF)
if (out[strlen(out)-3:] eq ".pdf") {
	set terminal pdfcairo size 11in,4in noenhanced font ",9"
} else {
	set terminal pngcairo size 1500,560 noenhanced font ",11"
}
set output out
set datafile separator ","
set datafile missing "NaN"
set multiplot layout 1,2 title "Proposed policy, 30% BitTorrent clients: who serves the flash crowd, and the site's copies"
set grid
set xlabel "time (min)"
set xtics 5
set key top right
set title "bytes sent (Mbit/s)"
set ylabel "Mbit/s"
set logscale y
set yrange [0.1:*]
plot data using ($1/60):2 with lines lw 2 title "origin, HTTP", \
     data using ($1/60):3 with lines lw 1 dt 2 title "origin, BitTorrent", \
     data using ($1/60):4 with lines lw 2 title "cooperators, HTTP", \
     data using ($1/60):5 with lines lw 1 dt 2 title "cooperators, BitTorrent", \
     data using ($1/60):6 with lines lw 2 title "clients, BitTorrent"
unset logscale y
set title "copies of the site"
set ylabel "servers; peers downloading"
set yrange [0:*]
set y2label "clients"
set y2range [0:*]
set y2tics
set ytics nomirror
plot data using ($1/60):7 with steps lw 2 title "servers holding some of it", \
     data using ($1/60):8 axes x1y2 with lines lw 2 title "clients holding all of it", \
     data using ($1/60):10 with lines lw 1 title "peers downloading it (left axis)"
unset multiplot
