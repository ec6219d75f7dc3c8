#!/usr/bin/env bash
# Noci, Li, Li, He, Hofmann, Maddison & Roy (2023), "The Shaped Transformer: Attention Models in the
# Infinite Depth-and-Width Limit" — the setting of its Figure 3.
#
# A Transformer block here is a shaped attention sub-block λ₁X + γ·A·X·W^V/√n, with
# A = I + softmax(XW^Q(XW^K)ᵀ/(nτ)) − 11ᵀ/m and τ = τ₀√(n·n_k), followed by a shaped ReLU ResNet
# sub-block λ₂X + γ·σ_s(XW/√n)·√(c/n)·W' (slopes 1 + c±/√n); λ² + γ² = 1. At depth d and width n
# with d/n → T the token covariance V = XXᵀ/n follows a stochastic differential equation in
# t = depth/width (Corollary 4.3). The paper compares the SDE with finite networks at n = 300,
# d = 100 (T = 1/3), starting from every token correlation ρ₀ = 0.2, with c₊ = 0, c₋ = −1 and
# γ ∈ {1/√d, 0.25, 0.5, 1}: the distribution of a correlation ρ at depth d and its spread
# (the 95th percentile of |ρ|) follow the SDE, and the spread grows with γ.
#
# Not stated in what we could read of the paper, so chosen here and reported: m = 3 tokens,
# τ₀ = 1, 2,000 SDE paths (dt ≈ 0.01) and 2,000 networks, seed 0. Each γ writes its report
# (gamma_<γ>.txt) and figure (gamma_<γ>.svg: the density of ρ¹² at depth d, SDE against
# network, and the mean correlation against depth, with the unshaped Transformer — plain softmax
# attention and ReLU — for contrast, which collapses in rank); summary.md gathers the numbers.
#
# Run from the repository root after `make run`; about two minutes. SMOKE=1 runs a reduced size
# into a temporary folder (the test suite does, with NEURAL_LIMITS naming the binary to use).
set -euo pipefail
B=${NEURAL_LIMITS:-.build/release/neural-limits}
[ -x "$B" ] || make release >/dev/null
out=Data/results/noci2023_shaped_transformer
paths=2000 samples=2000 width=300
if [ "${SMOKE:-0}" = 1 ]; then paths=40 samples=40 width=30; out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
mkdir -p "$out"

summary="$out/summary.md"
{
  echo "| γ | ρ¹² at depth d: KS D | KS p | 95th pct. of \|ρ¹²\| (SDE) | (network) | verdict | unshaped mean ρ at d |"
  echo "|---|---|---|---|---|---|---|"
} > "$summary.tmp"
for gamma in 0.1 0.25 0.5 1; do
  report="$out/gamma_$gamma.txt"
  $B sde --model shaped-transformer --tokens 3 --T 0.3333333333 --rho0 0.2 --c-plus 0 --c-minus -1 \
    --gamma "$gamma" --tau0 1 --paths "$paths" --simulate --width "$width" --samples "$samples" --contrast \
    --seed 0 --quiet --plot "$out/gamma_$gamma.svg" --out "$report"
  # The rho_12 network row ends with the KS statistic and p-value; the percentile line and the
  # verdict are labelled; the last row of the depth profile holds the unshaped network.
  awk -v g="$gamma" '
    /^rho_12 /            { sde = 1; next }
    sde && /network/      { d = $(NF-1); p = $NF; sde = 0 }
    /^95th percentile/    { split($0, a, "SDE "); split(a[2], b, ", network "); q_sde = b[1]; q_net = b[2] }
    /^verdict:/           { verdict = $2 }
    /^[0-9.]+ /           { last = $NF; if ($(NF-1) == "±") last = $(NF-2) }
    END { printf "| %s | %s | %s | %s | %s | %s | %s |\n", g, d, p, q_sde, q_net, verdict, last }
  ' "$report" >> "$summary.tmp"
done
mv "$summary.tmp" "$summary"
cat "$summary"
