set terminal svg size 900,640 dynamic enhanced font 'Helvetica,12' background rgb 'white'
set output 'compare_depth_width_nngp.svg'
set title "NNGP relative Frobenius error against width, one line per depth" noenhanced
set xlabel "width" noenhanced
set ylabel "relative Frobenius error of the NNGP" noenhanced
set logscale x
set logscale y
set format y '10^{%L}'
set xtics ("16" 16, "32" 32, "64" 64, "128" 128, "256" 256, "512" 512)
set xrange [14.420007401773285:568.099569698737]
set yrange [0.004304284756152882:0.917585128183136]
set grid lc rgb '#dddddd'
set key below horizontal noenhanced title ' '
plot 'compare_depth_width_nngp.svg.dat' index 0 using 1:2 with linespoints lw 2 lc rgb '#1f77b4' pt 5 ps 0.8 title "depth=1" noenhanced, \
     '' index 1 using 1:2 with linespoints lw 2 lc rgb '#d62728' pt 5 ps 0.8 title "depth=4" noenhanced, \
     '' index 2 using 1:2 with linespoints lw 2 lc rgb '#2ca02c' pt 5 ps 0.8 title "depth=16" noenhanced, \
     '' index 3 using 1:2 with linespoints lw 2 lc rgb '#9467bd' pt 5 ps 0.8 title "depth=32" noenhanced
