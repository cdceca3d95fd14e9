# Mean response time of an M/M/1 station against its load: simulation
# (points with 95% confidence intervals over the replications) and the
# closed form 1/(mu - lambda) (line).
# Usage: gnuplot -e "data='FILE.csv'; out='FILE.png'" analysis/mmck.gp
set terminal pngcairo size 800,560 noenhanced font ",11"
set output out
set datafile separator ","
set title "M/M/1 station: simulated mean response time against theory"
set xlabel "load (arrival rate / service rate)"
set ylabel "mean response time (s, service rate 1/s)"
set logscale y
set key top left
set grid
plot data using 1:5 with lines lw 2 title "closed form 1/(mu - lambda)", \
     data using 1:2:3 with yerrorbars pt 7 ps 1 title "flashcoop, mean and 95% CI"
