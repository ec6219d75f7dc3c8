set terminal svg size 720,480 dynamic font 'Helvetica,13'
set output 'tat_slopes.svg'
set title 'TAT: leaky ReLU negative slope for C_f(0) = η against depth'
set xlabel 'nonlinear layers L'
set ylabel 'negative slope α'
set logscale x
set yrange [0:1]
set key bottom right
set grid
plot for [eta in "0.5 0.9 0.98"] 'tat_slopes.dat' using ($1 == eta + 0 ? $2 : 1/0):3 with linespoints title 'η = '.eta
