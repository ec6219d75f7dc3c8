set terminal svg size 900,640 dynamic enhanced font 'Helvetica,12' background rgb 'white'
set output 'monte_carlo_diagonal.svg'
set title "NNGP diagonal: theory (lines) and 64 networks of width 256 (± standard error)" noenhanced
set xlabel "depth" noenhanced
set ylabel "NNGP diagonal K(x, x)" noenhanced
set logscale x
set logscale y
set format y '10^{%L}'
set xtics ("1" 1, "2" 2, "5" 5, "10" 10, "20" 20, "50" 50, "100" 100)
set xrange [0.8709635899560807:114.81536214968828]
set yrange [0.06233181563693207:3.0840245059481057e+31]
set grid lc rgb '#dddddd'
set key below horizontal noenhanced title ' '
plot 'monte_carlo_diagonal.svg.dat' index 0 using 1:2 with linespoints lw 2 lc rgb '#1f77b4' pt 5 ps 0.8 notitle, \
     '' index 0 using 1:4 with lines lw 1 dt 2 lc rgb '#1f77b4' notitle, \
     '' index 0 using 1:4:5 with yerrorbars lw 1.5 lc rgb '#1f77b4' pt 8 ps 0.8 notitle, \
     '' index 1 using 1:2 with linespoints lw 2 lc rgb '#d62728' pt 5 ps 0.8 notitle, \
     '' index 1 using 1:4 with lines lw 1 dt 2 lc rgb '#d62728' notitle, \
     '' index 1 using 1:4:5 with yerrorbars lw 1.5 lc rgb '#d62728' pt 8 ps 0.8 notitle, \
     '' index 2 using 1:2 with linespoints lw 2 lc rgb '#2ca02c' pt 5 ps 0.8 notitle, \
     '' index 2 using 1:4 with lines lw 1 dt 2 lc rgb '#2ca02c' notitle, \
     '' index 2 using 1:4:5 with yerrorbars lw 1.5 lc rgb '#2ca02c' pt 8 ps 0.8 notitle, \
     NaN with lines lw 4 lc rgb '#1f77b4' title "scale=1" noenhanced, \
     NaN with lines lw 4 lc rgb '#d62728' title "scale=1/sqrt(L)" noenhanced, \
     NaN with lines lw 4 lc rgb '#2ca02c' title "scale=decreasing" noenhanced, \
     NaN with linespoints lw 2 lc rgb 'black' pt 5 ps 0.8 title "nngp.theory[0,0]" noenhanced, \
     NaN with linespoints lw 1.5 lc rgb 'black' pt 8 ps 0.8 dt 2 title "nngp.simulation[0,0] ± se" noenhanced
