set terminal svg size 900,640 dynamic enhanced font 'Helvetica,12' background rgb 'white'
set output 'simplified_blocks_rank.svg'
set title "Effective rank against depth (16 tokens): theory (lines) and the networks mean kernel" noenhanced
set xlabel "depth" noenhanced
set ylabel "effective rank of the token kernel" noenhanced
set logscale x
unset logscale y
set format y '%g'
set xtics ("1" 1, "2" 2, "4" 4, "8" 8, "16" 16, "32" 32)
set xrange [0.9012504626108302:35.50622310617104]
set yrange [0.2501011025817803:16.7487645169801]
set grid lc rgb '#dddddd'
set key below horizontal noenhanced title ' '
plot 'simplified_blocks_rank.svg.dat' index 0 using 1:2 with linespoints lw 2 lc rgb '#1f77b4' pt 5 ps 0.8 notitle, \
     '' index 0 using 1:4 with linespoints lw 2 lc rgb '#1f77b4' pt 7 ps 0.8 notitle, \
     '' index 1 using 1:2 with linespoints lw 2 lc rgb '#d62728' pt 5 ps 0.8 notitle, \
     '' index 1 using 1:4 with linespoints lw 2 lc rgb '#d62728' pt 7 ps 0.8 notitle, \
     '' index 2 using 1:2 with linespoints lw 2 lc rgb '#2ca02c' pt 5 ps 0.8 notitle, \
     '' index 2 using 1:4 with linespoints lw 2 lc rgb '#2ca02c' pt 7 ps 0.8 notitle, \
     '' index 3 using 1:2 with linespoints lw 2 lc rgb '#9467bd' pt 5 ps 0.8 notitle, \
     '' index 3 using 1:4 with linespoints lw 2 lc rgb '#9467bd' pt 7 ps 0.8 notitle, \
     '' index 4 using 1:2 with linespoints lw 2 lc rgb '#ff7f0e' pt 5 ps 0.8 notitle, \
     '' index 4 using 1:4 with linespoints lw 2 lc rgb '#ff7f0e' pt 7 ps 0.8 notitle, \
     NaN with lines lw 4 lc rgb '#1f77b4' title "Pre-LN" noenhanced, \
     NaN with lines lw 4 lc rgb '#d62728' title "Post-LN" noenhanced, \
     NaN with lines lw 4 lc rgb '#2ca02c' title "parallel" noenhanced, \
     NaN with lines lw 4 lc rgb '#9467bd' title "SAS" noenhanced, \
     NaN with lines lw 4 lc rgb '#ff7f0e' title "SAS-P" noenhanced, \
     NaN with linespoints lw 2 lc rgb 'black' pt 5 ps 0.8 title "effective_rank" noenhanced, \
     NaN with linespoints lw 2 lc rgb 'black' pt 7 ps 0.8 title "simulation.effective_rank_of_mean_kernel" noenhanced
