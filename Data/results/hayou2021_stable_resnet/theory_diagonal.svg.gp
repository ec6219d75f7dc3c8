set terminal svg size 900,640 dynamic enhanced font 'Helvetica,12' background rgb 'white'
set output 'theory_diagonal.svg'
set title "NNGP diagonal against depth: explodes for scale 1, converges for 1/sqrt(L) and decreasing" noenhanced
set xlabel "depth" noenhanced
set ylabel "NNGP diagonal q_L = K(x, x)" noenhanced
set logscale x
set logscale y
set format y '10^{%L}'
set xtics ("1" 1, "2" 2, "5" 5, "10" 10, "20" 20, "50" 50, "100" 100, "200" 200, "500" 500, "1000" 1000)
set xrange [0.8128305161640993:1230.268770812381]
set yrange [3.007730616914627e-15:1e+308]
set grid lc rgb '#dddddd'
set key below horizontal noenhanced title ' '
plot 'theory_diagonal.svg.dat' index 0 using 1:2 with linespoints lw 2 lc rgb '#1f77b4' pt 5 ps 0.8 title "scale=1" noenhanced, \
     '' index 1 using 1:2 with linespoints lw 2 lc rgb '#d62728' pt 5 ps 0.8 title "scale=1/sqrt(L)" noenhanced, \
     '' index 2 using 1:2 with linespoints lw 2 lc rgb '#2ca02c' pt 5 ps 0.8 title "scale=decreasing" noenhanced
