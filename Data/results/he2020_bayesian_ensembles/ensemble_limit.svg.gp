set terminal svg size 900,500 dynamic enhanced font 'Helvetica,12' background rgb 'white'
set output 'ensemble_limit.svg'
set title "trained ensemble, t = ∞, σ² = 0.01\n(dense(w_std=1.5, b_std=0.05) -> erf) * 2 -> dense(w_std=1.5, b_std=0.05)" noenhanced
set key below horizontal
set xlabel 'x'
set ylabel 'f(x)'
set grid lc rgb '#dddddd'
plot 'ensemble_limit.svg.dat' index 0 using 1:3:4 with filledcurves fc rgb '#1f77b4' fs transparent solid 0.25 noborder title 'mean ± 2 std', \
     '' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'mean', \
     '' index 0 using 1:5 with lines lw 1.5 dt 2 lc rgb 'black' title 'x sin x', \
     '' index 1 using 1:2 with points pt 7 ps 0.7 lc rgb '#2ca02c' title 'training data'
