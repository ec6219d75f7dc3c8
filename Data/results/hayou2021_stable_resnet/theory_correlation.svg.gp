set terminal svg size 900,640 dynamic enhanced font 'Helvetica,12' background rgb 'white'
set output 'theory_correlation.svg'
set title "NNGP correlation against depth (0.5 at the input): tends to 1 for scale 1 only" noenhanced
set xlabel "depth" noenhanced
set ylabel "NNGP correlation of the two inputs" noenhanced
set logscale x
unset logscale y
set format y '%g'
set xtics ("1" 1, "2" 2, "5" 5, "10" 10, "20" 20, "50" 50, "100" 100, "200" 200, "500" 500, "1000" 1000)
set xrange [0.8128305161640993:1230.268770812381]
set yrange [0.5316544350178183:1.0221215915518673]
set grid lc rgb '#dddddd'
set key below horizontal noenhanced title ' '
plot 'theory_correlation.svg.dat' index 0 using 1:2 with linespoints lw 2 lc rgb '#1f77b4' pt 5 ps 0.8 title "scale=1" noenhanced, \
     '' index 1 using 1:2 with linespoints lw 2 lc rgb '#d62728' pt 5 ps 0.8 title "scale=1/sqrt(L)" noenhanced, \
     '' index 2 using 1:2 with linespoints lw 2 lc rgb '#2ca02c' pt 5 ps 0.8 title "scale=decreasing" noenhanced
