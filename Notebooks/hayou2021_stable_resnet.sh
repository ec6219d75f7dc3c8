#!/usr/bin/env bash
# Hayou, Clerico, He, Deligiannidis, Doucet & Rousseau (2021), "Stable ResNet".
#
# A residual network x_{l+1} = x_l + λ_l·W_l·φ(x_l) keeps a non-degenerate kernel as its depth L
# grows only if Σ_l λ_l² stays bounded: with λ = 1 the NNGP diagonal grows like (1 + w²/2)^L and
# the correlation of any two inputs tends to 1; with the uniform scaling λ = 1/√L it converges
# to exp(w²/2)·q₀, and the kernel keeps distinguishing inputs.
#
# Run from the repository root after `make run`. Each command prints a table.
set -euo pipefail
B=.build/release/neural-limits
[ -x "$B" ] || make release >/dev/null

# Two inputs at correlation 0.5, on the unit sphere scaled by √d (so q₀ = 1).
x=$(mktemp --suffix=.csv)
trap 'rm -f "$x"' EXIT
printf '1.7320508075688772,0,0\n0.8660254037844386,1.5,0\n' > "$x"

# 1. Unscaled residual blocks: the diagonal explodes and the inputs become indistinguishable.
for L in 10 50 200; do
  echo "# λ = 1, L = $L"
  $B kernel --arch "dense -> (residual(relu -> dense(w_std=1.4), scale=1)) * $L" --x "$x" --get nngp --format table
done

# 2. Stable ResNet's uniform scaling λ = 1/√L: the diagonal tends to exp(w²/2) = 2.66 and the
#    off-diagonal stays well below it.
for L in 10 50 200; do
  echo "# λ = 1/sqrt(L), L = $L"
  $B kernel --arch "dense -> (residual(relu -> dense(w_std=1.4), scale=1/sqrt(L))) * $L" --x "$x" --get nngp --format table
done

# 3. Theory against simulation at L = 50 and width 256: the finite networks follow the
#    infinite-width kernel, block scaling included.
$B compare --arch "dense -> (residual(relu -> dense(w_std=1.4), scale=1/sqrt(L))) * 50 -> dense" \
  --x "$x" --width 256 --samples 48 --seed 1 --quiet
