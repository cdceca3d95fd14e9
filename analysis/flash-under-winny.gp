# The default flash crowd with and without Winny traffic on its ISP links,
# per policy: success ratio, page-time median and 90th percentile of site 0,
# mean and 95% confidence interval over the replications.
# Usage: gnuplot -e "data='FILE.dat'; out='FILE.png'" analysis/flash-under-winny.gp
#        (data from analysis/flash-under-winny.sql, space-separated)
if (out[strlen(out)-3:] eq ".pdf") {
	set terminal pdfcairo size 12in,4in noenhanced font ",9"
} else {
	set terminal pngcairo size 1650,560 noenhanced font ",11"
}
set output out
set datafile separator " "
set multiplot layout 1,3 title "The default flash crowd behind four 100 Mbit/s ISP links, with and without 72 Winny peers behind each (mean, 95% CI)"
set grid ytics
set xrange [0.5:3.5]
set xtics ("none" 1, "redirect" 2, "coop" 3)
set xlabel "policy"
set key bottom left
set title "site 0: pages that succeeded"
set ylabel "success ratio"
set yrange [*:1.01]
plot data using ($1 - 0.08):(strcol(3) eq "false" ? $4 : NaN):5 with yerrorbars pt 7 ps 1.3 lw 2 title "without Winny", \
     data using ($1 + 0.08):(strcol(3) eq "true" ? $4 : NaN):5 with yerrorbars pt 5 ps 1.3 lw 2 title "with Winny"
set title "site 0: page time, median"
set ylabel "seconds"
set yrange [0:*]
set key top right
plot data using ($1 - 0.08):(strcol(3) eq "false" ? $7 : NaN):8 with yerrorbars pt 7 ps 1.3 lw 2 title "without Winny", \
     data using ($1 + 0.08):(strcol(3) eq "true" ? $7 : NaN):8 with yerrorbars pt 5 ps 1.3 lw 2 title "with Winny"
set title "site 0: page time, 90th percentile"
plot data using ($1 - 0.08):(strcol(3) eq "false" ? $10 : NaN):11 with yerrorbars pt 7 ps 1.3 lw 2 title "without Winny", \
     data using ($1 + 0.08):(strcol(3) eq "true" ? $10 : NaN):11 with yerrorbars pt 5 ps 1.3 lw 2 title "with Winny"
unset multiplot
