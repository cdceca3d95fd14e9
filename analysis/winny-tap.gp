# Seed 002 §2-2 from a flashcoop run (scenarios/winny/isp-tap.ini): the
# flow-size CCDF per direction (Fig. 5), the inter-arrival of search and
# file flows per direction (Fig. 6) and the concentration of the inside
# peers' volume (Fig. 7), with the values the seed reports marked.
# Usage: gnuplot -e "dir='DATA_DIR'; out='FILE.png'; subtitle='...'" analysis/winny-tap.gp
#        (out ending in .pdf gives a PDF); tools/winny-figures.sh writes the
#        data files fig5.dat, fig6-*.dat and fig7-*.dat into DATA_DIR.
if (out[strlen(out)-3:] eq ".pdf") {
	set terminal pdfcairo size 13in,4.2in noenhanced font ",9"
} else {
	set terminal pngcairo size 1800,600 noenhanced font ",11"
}
set output out
set datafile separator " "
set multiplot layout 1,3 title "Winny at an ISP's tap (seed 002 Figs. 5-7): ".subtitle
set grid

set title "Fig. 5: flow size, CCDF"
set logscale xy
set xlabel "flow size (bytes)"
set ylabel "P(size > x)"
set format x "1e%L"
set format y "%g"
set xrange [10:1e9]
set yrange [1e-5:1.1]
set key bottom left
plot dir."/fig5-out.dat" using 1:2 with steps lw 2 title "to the Internet", \
     dir."/fig5-in.dat" using 1:2 with steps lw 2 dt 2 title "from the Internet", \
     "-" using 1:2 with points pt 7 ps 1.5 lc rgb "black" title "seed: 25% > 150 B, 4.6% > 64 KB"
150 0.25
65536 0.046
e
unset format x
unset format y

set title "Fig. 6: inter-arrival at the tap, CDF"
set logscale x
unset logscale y
set xlabel "time between flows (s)"
set ylabel "P(gap <= t)"
set xrange [1e-4:1e4]
set yrange [0:1]
set format x "1e%L"
set key bottom right
plot dir."/fig6-search-out.dat" using 1:2 with lines lw 2 title "search flows (< 64 KB), to the Internet", \
     dir."/fig6-search-in.dat" using 1:2 with lines lw 2 dt 2 title "search flows, from the Internet", \
     dir."/fig6-file-out.dat" using 1:2 with lines lw 2 title "file flows (> 64 KB), to the Internet", \
     dir."/fig6-file-in.dat" using 1:2 with lines lw 2 dt 2 title "file flows, from the Internet"
unset format x

set title "Fig. 7: inside peers ranked by volume"
unset logscale x
set xlabel "share of the inside peers, largest first"
set ylabel "share of the bytes"
set xrange [0:1]
set yrange [0:1.02]
set key bottom right
plot dir."/fig7-upload.dat" using 1:2 with steps lw 2 title "upload", \
     dir."/fig7-download.dat" using 1:2 with steps lw 2 dt 2 title "download", \
     "-" using 1:2 with points pt 7 ps 1.5 lc rgb "black" title "seed: 20% upload 90%, 40% download 90%"
0.2 0.9
0.4 0.9
e
unset multiplot
