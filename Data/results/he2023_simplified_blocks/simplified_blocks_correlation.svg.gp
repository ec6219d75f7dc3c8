set terminal svg size 900,640 dynamic enhanced font 'Helvetica,12' background rgb 'white'
set output 'simplified_blocks_correlation.svg'
set title "Token correlation against depth (blocks): theory (lines) and 32 networks of width 128 (± se)" noenhanced
set xlabel "depth" noenhanced
set ylabel "mean off-diagonal token correlation" noenhanced
set logscale x
unset logscale y
set format y '%g'
set xtics ("1" 1, "2" 2, "4" 4, "8" 8, "16" 16, "32" 32)
set xrange [0.9012504626108302:35.50622310617104]
set yrange [-0.04972480265693303:1.0499836355777912]
set grid lc rgb '#dddddd'
set key below horizontal noenhanced title ' '
plot 'simplified_blocks_correlation.svg.dat' index 0 using 1:2 with linespoints lw 2 lc rgb '#1f77b4' pt 5 ps 0.8 notitle, \
     '' index 0 using 1:4 with lines lw 1 dt 2 lc rgb '#1f77b4' notitle, \
     '' index 0 using 1:4:5 with yerrorbars lw 1.5 lc rgb '#1f77b4' pt 8 ps 0.8 notitle, \
     '' index 1 using 1:2 with linespoints lw 2 lc rgb '#d62728' pt 5 ps 0.8 notitle, \
     '' index 1 using 1:4 with lines lw 1 dt 2 lc rgb '#d62728' notitle, \
     '' index 1 using 1:4:5 with yerrorbars lw 1.5 lc rgb '#d62728' pt 8 ps 0.8 notitle, \
     '' index 2 using 1:2 with linespoints lw 2 lc rgb '#2ca02c' pt 5 ps 0.8 notitle, \
     '' index 2 using 1:4 with lines lw 1 dt 2 lc rgb '#2ca02c' notitle, \
     '' index 2 using 1:4:5 with yerrorbars lw 1.5 lc rgb '#2ca02c' pt 8 ps 0.8 notitle, \
     '' index 3 using 1:2 with linespoints lw 2 lc rgb '#9467bd' pt 5 ps 0.8 notitle, \
     '' index 3 using 1:4 with lines lw 1 dt 2 lc rgb '#9467bd' notitle, \
     '' index 3 using 1:4:5 with yerrorbars lw 1.5 lc rgb '#9467bd' pt 8 ps 0.8 notitle, \
     '' index 4 using 1:2 with linespoints lw 2 lc rgb '#ff7f0e' pt 5 ps 0.8 notitle, \
     '' index 4 using 1:4 with lines lw 1 dt 2 lc rgb '#ff7f0e' notitle, \
     '' index 4 using 1:4:5 with yerrorbars lw 1.5 lc rgb '#ff7f0e' pt 8 ps 0.8 notitle, \
     NaN with lines lw 4 lc rgb '#1f77b4' title "Pre-LN" noenhanced, \
     NaN with lines lw 4 lc rgb '#d62728' title "Post-LN" noenhanced, \
     NaN with lines lw 4 lc rgb '#2ca02c' title "parallel" noenhanced, \
     NaN with lines lw 4 lc rgb '#9467bd' title "SAS" noenhanced, \
     NaN with lines lw 4 lc rgb '#ff7f0e' title "SAS-P" noenhanced, \
     NaN with linespoints lw 2 lc rgb 'black' pt 5 ps 0.8 title "mean_correlation" noenhanced, \
     NaN with linespoints lw 1.5 lc rgb 'black' pt 8 ps 0.8 dt 2 title "simulation.mean_correlation ± se" noenhanced
