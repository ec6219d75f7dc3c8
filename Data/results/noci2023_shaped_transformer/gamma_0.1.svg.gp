set terminal svg size 1000,450 dynamic enhanced font 'Helvetica,12' background rgb 'white'
set output 'gamma_0.1.svg'
set multiplot layout 1,2 title "Shaped Transformer (τ₀ = 1.0, γ attention = 0.1, γ MLP = 0.1, c+ = 0.0, c- = -1.0), 3 tokens, ρ₀ = 0.2, T = 0.3333333333"
set key top left
set xlabel 'ρ¹² at T'
set ylabel 'density'
set xrange [-1:1]
plot 'gamma_0.1.svg.dat' index 0 using 1:2 with steps lw 2 lc rgb '#1f77b4' title 'SDE', '' index 0 using 1:3 with steps lw 2 lc rgb '#d62728' title 'network'
set xlabel 't = depth / width'
set key center right
set ylabel 'mean correlation over pairs'
set autoscale x
set autoscale y
plot 'gamma_0.1.svg.dat' index 1 using 1:2:3 with yerrorlines lw 2 lc rgb '#1f77b4' title 'SDE', '' index 1 using 1:4:5 with yerrorlines lw 2 lc rgb '#d62728' title 'network', '' index 1 using 1:6:7 with yerrorlines lw 2 dt 2 lc rgb '#7f7f7f' title 'unshaped network'
unset multiplot
