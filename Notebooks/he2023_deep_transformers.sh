#!/usr/bin/env bash
# He, Martens, Zhang, Botev, Brock, Smith & Teh (2023), "Deep Transformers without Shortcuts:
# Modifying Self-attention for Faithful Signal Propagation" (ICLR 2023) — rank collapse of
# vanilla (skipless, normalisation-free) transformers at initialisation, and its absence with
# E-SPA, U-SPA and Value-SkipInit (its Figure 1 and §3; shaped attention, Noci et al. 2023, for
# comparison).
#
# Each network is 32 skipless transformer blocks, attention followed by an MLP, on m = 16 tokens
# starting from orthogonal tokens (Σ₀ = I, correlation 0, effective rank 16). The attention at
# initialisation has W_Q = 0 (the setting with an exact infinite-width kernel): vanilla softmax is
# then uniform attention, A = 11ᵀ/m (or row i equal to 1/i under the causal mask), whose kernel map
# Σ ↦ AΣAᵀ sends every correlation to 1 in one layer (uniform) or over a few (causal). E-SPA and
# U-SPA choose A_l = L_l·L_{l−1}⁻¹ so that layer l's kernel is a target, exp(−γ_l|i−j|) or
# (1−ρ_l)I + ρ_l11ᵀ, reaching γ_L, ρ_L at the last block; Value-SkipInit αI + βA and shaped
# attention I + A − C are the identity at initialisation (β = 0; A = C at W_Q = 0).
#
# The MLP sub-block is dense → leaky ReLU (slope 0.9) → dense with the second layer's scale
# √(2/(1 + 0.9²)), which keeps the variance; the paper uses TAT's leaky ReLU, whose slope is chosen
# for the depth — slope 0.9 here is fixed, and its C-map adds about 0.05 to a correlation of 0
# over 32 blocks. The paper's γ_L = 0.005 is for 512 tokens (γ_L·T = 2.56); with m = 16 we keep
# γ_L·m = 2.56, γ_L = 0.16. ρ_L = 0.8 as in the paper. Each block is written as
# residual(block, skip=0), which is the block itself, so that it is one point of the profile.
#
# Quantities after blocks 1, 2, 4, 8, 16, 32: the mean off-diagonal correlation and the effective
# rank of the token kernel, theory (infinite width) and 32 networks of width 128 (± standard
# error); rank_collapse.md/.csv/.json/.tex and rank_collapse_{correlation,rank}.svg. The
# effective rank is reported twice for the networks: the mean of each network's own
# (simulation.effective_rank, lowered by the kernel's fluctuations, which grow with depth/width —
# 128 layers at width 128 here) and that of their mean kernel (the estimate of the theory's, drawn).
#
# Run from the repository root after `make run`; well under a minute. SMOKE=1 runs a reduced size
# into a temporary folder (the test suite does, with NEURAL_LIMITS naming the binary to use).
set -euo pipefail
B=${NEURAL_LIMITS:-.build/release/neural-limits}
[ -x "$B" ] || make release >/dev/null
out=Data/results/he2023_deep_transformers
tokens=16 depth=32 blocks="[1, 2, 4, 8, 16, 32]" width=128 samples=32
if [ "${SMOKE:-0}" = 1 ]; then
  tokens=4 depth=4 blocks="[1, 4]" width=8 samples=4
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

mlp="dense -> leaky_relu(alpha=0.9) -> dense(w_std=1.0512)"
cat > "$out/rank_collapse.yaml" <<EOF
title: Skipless transformers at initialisation, $depth blocks on $tokens tokens from Σ₀ = I — theory and $samples networks of width $width
command: signalprop
seed: 0
parameters:
  arch: (residual({attention} -> $mlp, skip=0)) * $depth
  tokens: $tokens
  simulate: 'true'
  width: $width
  samples: $samples
grid:
  attention: ['attention(q_std=0)', 'attention(q_std=0, causal=true)', 'espa(gamma_final=0.16, causal=true)',
              'uspa(rho_final=0.8, causal=true)', 'value_skipinit(alpha=1, beta=0)', 'shaped_attention(q_std=0, causal=true)']
  block: $blocks
quantities: [mean_correlation, simulation.mean_correlation, effective_rank, simulation.effective_rank,
             simulation.effective_rank_of_mean_kernel]
plots:
  - {file: rank_collapse_correlation.svg, x: block, y: [mean_correlation, simulation.mean_correlation], log_y: false,
     ylabel: mean off-diagonal token correlation,
     labels: {attention: ['vanilla, W_Q = 0', 'vanilla causal, W_Q = 0', 'E-SPA', 'U-SPA', 'Value-SkipInit', 'shaped attention']},
     title: 'Token correlation against depth: theory (lines) and $samples networks of width $width (± se)'}
  - {file: rank_collapse_rank.svg, x: block, y: [effective_rank, simulation.effective_rank_of_mean_kernel], log_y: false,
     ylabel: effective rank of the token kernel,
     labels: {attention: ['vanilla, W_Q = 0', 'vanilla causal, W_Q = 0', 'E-SPA', 'U-SPA', 'Value-SkipInit', 'shaped attention']},
     title: 'Effective rank against depth ($tokens tokens): theory (lines) and $samples networks of width $width (± se)'}
EOF
"$B" table --config "$out/rank_collapse.yaml" --out "$out" --quiet
cat "$out/rank_collapse.md"
