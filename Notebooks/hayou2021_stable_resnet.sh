#!/usr/bin/env bash
# Hayou, Clerico, He, Deligiannidis, Doucet & Rousseau (2021), "Stable ResNet".
#
# A residual network x_{l+1} = x_l + λ_l·W_l·φ(x_l) keeps a non-degenerate kernel as its depth L
# grows only if Σ_l λ_l² stays bounded. For a ReLU branch with weight scale w, the NNGP diagonal
# obeys q_{l+1} = (1 + λ_l²·w²/2)·q_l, so
#   λ = 1:            q_L = (1 + w²/2)^L·q₀ explodes, and the correlation of two inputs tends to 1;
#   λ = 1/√L:         q_L = (1 + w²/(2L))^L·q₀ → exp(w²/2)·q₀ (the paper's uniform scaling);
#   λ_l = 1/l:        q_L → Π_l (1 + w²/(2l²))·q₀ = sinh(πw/√2)/(πw/√2)·q₀ (a decreasing scaling);
# and in the last two the correlation tends to a limit below 1: the kernel keeps telling inputs
# apart at any depth. Here w = 1.4 (w²/2 = 0.98), two inputs at correlation 0.5 with q₀ = 1.
#
# Two tables (neural-limits table), each with its figures:
#   theory:       the infinite-width NNGP diagonal and correlation for L = 1 … 1000, exact;
#   monte_carlo:  the same against 64 sampled networks of width 256 for L = 1 … 100, with standard
#                 errors, and the verdict of `compare`.
# Results, and how close they come to the closed forms above, are in Data/results/README.md.
#
# Run from the repository root after `make run`; about a minute. SMOKE=1 runs a reduced size into
# a temporary folder (the test suite does, with NEURAL_LIMITS naming the binary to use).
set -euo pipefail
B=${NEURAL_LIMITS:-.build/release/neural-limits}
[ -x "$B" ] || make release >/dev/null
out=Data/results/hayou2021_stable_resnet
depths="[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]" mc_depths="[1, 2, 5, 10, 20, 50, 100]" width=256 samples=64
if [ "${SMOKE:-0}" = 1 ]; then
  depths="[1, 10]" mc_depths="[1, 3]" width=16 samples=4
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

# Two inputs on the sphere of radius √d (q₀ = |x|²/d = 1) at correlation 0.5.
printf '1.7320508075688772,0,0\n0.8660254037844386,1.5,0\n' > "$out/inputs.csv"

# 1. The infinite-width kernel against depth, for each scaling. The first dense layer makes the
#    residual stream Gaussian; the last is a readout (w = 1: it leaves the NNGP as it is).
cat > "$out/theory.yaml" <<EOF
title: Stable ResNet, infinite-width NNGP against depth (w = 1.4, inputs at correlation 0.5)
command: kernel
parameters:
  arch: dense -> (residual(relu -> dense(w_std=1.4), scale={scale})) * {depth} -> dense
  x: inputs.csv
grid:
  scale: ['1', 1/sqrt(L), decreasing]
  depth: $depths
quantities: ['nngp[0,0]', 'nngp.correlation[0,1]']
plots:
  - {file: theory_diagonal.svg, x: depth, y: ['nngp[0,0]'], ylabel: 'NNGP diagonal q_L = K(x, x)',
     title: 'NNGP diagonal against depth: explodes for scale 1, converges for 1/sqrt(L) and decreasing'}
  - {file: theory_diagonal_stable.svg, x: depth, y: ['nngp[0,0]'], only: {scale: [1/sqrt(L), decreasing]}, log_y: false,
     ylabel: 'NNGP diagonal q_L = K(x, x)', title: 'NNGP diagonal against depth, the two stable scalings'}
  - {file: theory_correlation.svg, x: depth, y: ['nngp.correlation[0,1]'], ylabel: 'NNGP correlation of the two inputs',
     title: 'NNGP correlation against depth (0.5 at the input): tends to 1 for scale 1 only'}
EOF
"$B" table --config "$out/theory.yaml" --out "$out" --quiet

# 2. Theory against finite networks of width 256 (64 samples per depth and scaling): the
#    diagonal and the correlation with error bars (a network's own correlation, averaged).
cat > "$out/monte_carlo.yaml" <<EOF
title: Stable ResNet, NNGP theory against $samples sampled networks of width $width
command: compare
seed: 0
parameters:
  arch: dense -> (residual(relu -> dense(w_std=1.4), scale={scale})) * {depth} -> dense
  x: inputs.csv
  width: $width
  samples: $samples
grid:
  scale: ['1', 1/sqrt(L), decreasing]
  depth: $mc_depths
quantities: ['nngp.theory[0,0]', 'nngp.simulation[0,0]', 'nngp.theory_correlation[0,1]', 'nngp.simulation_correlation[0,1]',
             nngp.rel_error, nngp.verdict]
plots:
  - {file: monte_carlo_diagonal.svg, x: depth, y: ['nngp.theory[0,0]', 'nngp.simulation[0,0]'], ylabel: 'NNGP diagonal K(x, x)',
     title: 'NNGP diagonal: theory (lines) and $samples networks of width $width (± standard error)'}
  - {file: monte_carlo_diagonal_stable.svg, x: depth, y: ['nngp.theory[0,0]', 'nngp.simulation[0,0]'],
     only: {scale: [1/sqrt(L), decreasing]}, log_y: false, ylabel: 'NNGP diagonal K(x, x)',
     title: 'NNGP diagonal, the two stable scalings: theory (lines) and $samples networks of width $width (± standard error)'}
  - {file: monte_carlo_correlation.svg, x: depth, y: ['nngp.theory_correlation[0,1]', 'nngp.simulation_correlation[0,1]'],
     ylabel: 'NNGP correlation of the two inputs', log_y: false,
     title: 'NNGP correlation: theory (lines) and $samples networks of width $width (± standard error)'}
EOF
"$B" table --config "$out/monte_carlo.yaml" --out "$out" --quiet

cat "$out/theory.md" "$out/monte_carlo.md"
