set terminal svg size 900,500 dynamic enhanced font 'Helvetica,12' background rgb 'white'
set output 'nngp_50.svg'
set title "NNGP posterior, 50 steps at η = 0.831 against 64 networks of width 512, σ² = 0.01\n(dense(w_std=1.5, b_std=0.05) -> erf) * 2 -> dense(w_std=1.5, b_std=0.05)" noenhanced
set key below horizontal
set xlabel 'x'
set ylabel 'f(x)'
set grid lc rgb '#dddddd'
plot 'nngp_50.svg.dat' index 0 using 1:3:4 with filledcurves fc rgb '#1f77b4' fs transparent solid 0.25 noborder title 'mean ± 2 std', \
     '' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'mean', \
     '' index 0 using 1:5 with lines lw 1.5 dt 2 lc rgb 'black' title 'x sin x', \
     '' index 0 using 1:6 with lines lw 2 lc rgb '#ff7f0e' title 'trained ensemble (64): mean', \
     '' index 0 using 1:7 with lines lw 1.2 dt 3 lc rgb '#ff7f0e' title 'mean ± 2 std', \
     '' index 0 using 1:8 with lines lw 1.2 dt 3 lc rgb '#ff7f0e' notitle, \
     '' index 1 using 1:2 with points pt 7 ps 0.7 lc rgb '#2ca02c' title 'training data'
