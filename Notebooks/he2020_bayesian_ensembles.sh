#!/usr/bin/env bash
# He, Lakshminarayanan & Teh (2020), "Bayesian Deep Ensembles via the Neural Tangent Kernel" —
# the one-dimensional toy of its Figure 1.
#
# y = x sin x + N(0, 0.1²) at 20 inputs in [−2, −2/3] ∪ [2/3, 2]; an erf network with two hidden
# layers (W_std 1.5, b_std 0.05) and noise σ² = 0.01. Three Gaussian predictives of the infinitely
# wide network (neural-limits posterior --mode):
#   nngp      the GP posterior with the NNGP prior K;
#   ntkgp     the GP posterior with the NTK prior Θ: what the paper's NTKGP ensembles sample;
#   ensemble  the deep ensemble of standard networks trained by gradient descent on MSE,
#             whose variance is smaller than the NTKGP's (Σ_NTKGP ⪰ Σ_ensemble, the paper's point:
#             standard ensembles are not Bayesian, and the untrainable δ(x) = J_θ₀(x)·θ̃ fixes it).
# Part 1 draws the three at t = ∞ (the paper's figure). Part 2 trains the matching finite ensembles
# — standard networks; networks plus δ(x) (NTKGP); the readout only (NNGP) — 64 members of width
# 512, for 50 and for 400 steps at the default learning rate Nk/λ_max (the largest at which no mode
# oscillates), and compares each with the predictive after the same steps: mean and variance per
# test input with z-scores, a verdict, and NLL / RMSE / 95% coverage / calibration error on the
# held-out x sin x at 201 points of [−5, 5] (summary.md, summary.csv). The toy is hard for finite
# networks: its kernel is nearly odd (b_std = 0.05) while x sin x is even, so fitting it takes
# modes with tiny eigenvalues, which a network of width n follows only once O(‖Θ‖/√n) is small
# against their gaps; early in training the ensembles agree, later width 512 is not enough.
#
# Run from the repository root after `make run`; about four minutes. SMOKE=1 runs a reduced size
# into a temporary folder (the test suite does, with NEURAL_LIMITS naming the binary to use).
set -euo pipefail
B=${NEURAL_LIMITS:-.build/release/neural-limits}
[ -x "$B" ] || make release >/dev/null
out=Data/results/he2020_bayesian_ensembles
members=64 width=512 lengths="50 400"
if [ "${SMOKE:-0}" = 1 ]; then members=4 width=16 lengths="5"; out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
mkdir -p "$out"

# 1. The predictives at t = ∞, each with its mean ± 2 std against x sin x.
for mode in nngp ntkgp ensemble; do
  $B posterior --mode "$mode" --out "$out/${mode}_limit.json" --plot "$out/${mode}_limit.svg"
done

# 2. Finite ensembles against the predictive after the same steps (seed 0).
for steps in $lengths; do
  for mode in nngp ntkgp ensemble; do
    $B posterior --mode "$mode" --simulate --members "$members" --width "$width" --steps "$steps" \
      --seed 0 --quiet --out "$out/${mode}_$steps.json" --plot "$out/${mode}_$steps.svg"
  done
done

# The table: per mode and length, the t = ∞ predictive's metrics, then the predictive after the
# steps and its ensemble, side by side.
columns='mode,steps,learning rate,limit NLL,limit RMSE,limit coverage,NLL,RMSE,coverage,calibration,ensemble NLL,ensemble RMSE,ensemble coverage,ensemble calibration,mean rel. error,variance rel. error,mean z max,variance z max,threshold,verdict'
{
  echo "$columns"
  for steps in $lengths; do for mode in nngp ntkgp ensemble; do
    jq -r --arg mode "$mode" --slurpfile limit "$out/${mode}_limit.json" '
      def r: . * 10000 | round / 10000;
      . as $d | [$mode, .simulation.steps, .simulation.learning_rate, ($limit[0].metrics.theory | .nll, .rmse, .coverage_95),
       (.metrics.theory | .nll, .rmse, .coverage_95, .calibration_error),
       (.metrics.simulation | .nll, .rmse, .coverage_95, .calibration_error),
       (.simulation | .mean_rel_error, .variance_rel_error, .mean_max_abs_z, .variance_max_abs_z, .mean_threshold)]
      | map(if type == "number" then r else . end) + [$d.simulation.verdict] | @csv' "$out/${mode}_$steps.json"
  done; done
} > "$out/summary.csv.tmp"
mv "$out/summary.csv.tmp" "$out/summary.csv"
{
  echo "| ${columns//,/ | } |"
  echo "|$(sed 's/[^,]*/---/g; s/,/|/g' <<< "$columns")|"
  tail -n +2 "$out/summary.csv" | tr -d '"' | sed 's/^/| /; s/,/ | /g; s/$/ |/'
} > "$out/summary.md.tmp"
mv "$out/summary.md.tmp" "$out/summary.md"
cat "$out/summary.md"
