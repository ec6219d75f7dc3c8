#!/usr/bin/env bash
# Zhang, Botev & Martens (2022), "Deep Learning without Shortcuts: Shaping the Kernel with
# Tailored Rectifiers" (TAT), with DKS (Martens et al. 2021) as its base.
#
# TAT trains deep plain networks by choosing the leaky ReLU's negative slope α per depth: each
# nonlinear layer is φ̂(x) = √(2/(1 + α²))·leaky_relu(x; α), so that Q(1) = 1, and its C map
#   C(c) = [(1 − α)²(√(1 − c²) − c·arccos c)/π + (1 + α²)c]/(1 + α²)
# composed L times sends c = 0 to C_f(0) = η — the network's output correlation for orthogonal
# inputs, a measure of how nonlinear the whole network is (η = 1: maximally degenerate, η → 0:
# linear). TAT's default is η = 0.9. The deeper the network, the closer to linear each layer must
# be: α → 1 as L grows. A shallow network cannot reach η at all (even ReLU, α = 0, gives less).
#
# Here: α and the output scale for η ∈ {0.5, 0.9, 0.98} and L = 2 … 1000 by `neural-limits shape`
# (GSL's Brent root finder on the closed-form C map), a Markdown + CSV table, a figure of α
# against depth, and the largest difference to DeepMind's dks package on the depths of
# Data/reference/shaping.json. Results, and how close they come, are in Data/results/README.md.
#
# Run from the repository root after `make run`; a few seconds. SMOKE=1 runs a reduced size into
# a temporary folder (the test suite does, with NEURAL_LIMITS naming the binary to use).
set -euo pipefail
B=${NEURAL_LIMITS:-.build/release/neural-limits}
[ -x "$B" ] || make release >/dev/null
out=Data/results/zhang2022_tat_shaping
depths="2 3 5 10 20 30 50 100 200 300 500 1000"
if [ "${SMOKE:-0}" = 1 ]; then
  depths="5 20 100"
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

# 1. The table: one `shape` run per (η, L); "no solution" where even ReLU stays below η.
csv="$out/tat_slopes.csv" md="$out/tat_slopes.md"
echo "eta,depth,negative_slope,output_scale" > "$csv"
for eta in 0.5 0.9 0.98; do
  for L in $depths; do
    if json=$("$B" shape --method tat --depth "$L" --eta "$eta" 2>/dev/null); then
      echo "$json" | jq -r --arg eta "$eta" --arg L "$L" '[$eta, $L, .negative_slope, .output_scale] | @csv' >> "$csv"
    else
      echo "$eta,$L,no solution,no solution" >> "$csv"
    fi
  done
done
sed -i 's/"//g' "$csv"
{
  echo "TAT leaky ReLU (Zhang et al. 2022): negative slope α with C_f(0) = η for a plain network of L nonlinear layers, output scale √(2/(1+α²))."
  echo
  echo "| η | L | negative_slope | output_scale |"
  echo "|---|---|---|---|"
  awk -F, 'NR > 1 { if ($3 == "no solution") printf "| %s | %s | no solution | |\n", $1, $2;
                    else printf "| %s | %s | %.10f | %.10f |\n", $1, $2, $3, $4 }' "$csv"
} > "$md"

# 2. The figure: α against depth, one line per η (log x).
awk -F, 'NR > 1 && $3 != "no solution" { print $1, $2, $3 }' "$csv" > "$out/tat_slopes.dat"
cat > "$out/tat_slopes.gp" <<EOF
set terminal svg size 720,480 dynamic font 'Helvetica,13'
set output 'tat_slopes.svg'
set title 'TAT: leaky ReLU negative slope for C_f(0) = η against depth'
set xlabel 'nonlinear layers L'
set ylabel 'negative slope α'
set logscale x
set yrange [0:1]
set key bottom right
set grid
plot for [eta in "0.5 0.9 0.98"] 'tat_slopes.dat' using (\$1 == eta + 0 ? \$2 : 1/0):3 with linespoints title 'η = '.eta
EOF
(cd "$out" && gnuplot tat_slopes.gp)

# 3. Against dks 0.1.2 (Data/reference/shaping.json): the largest |difference| in α and output scale.
worst=0
while read -r eta L slope scale; do
  json=$("$B" shape --method tat --depth "$L" --eta "$eta")
  worst=$(echo "$json" | jq -r --argjson s "$slope" --argjson o "$scale" --argjson w "$worst" \
    '[$w, ((.negative_slope - $s) | fabs), ((.output_scale - $o) | fabs)] | max')
done < <(jq -r '.tat_leaky_relu[] | select(.negative_slope | type == "number") | "\(.eta) \(.depth) \(.negative_slope) \(.output_scale)"' \
  Data/reference/shaping.json)
echo "largest difference to dks 0.1.2 (negative_slope, output_scale): $worst" | tee "$out/dks_difference.txt"
cat "$md"
