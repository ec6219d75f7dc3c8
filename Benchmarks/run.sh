#!/usr/bin/env bash
# Side-by-side benchmarks: neural-tangents and NeuralLimits on the same inputs, run one after the
# other from this script (one process tree, same machine state), then Markdown tables of the
# times and ratios. See Benchmarks/README.md.
#
#   Benchmarks/run.sh [kernel|montecarlo|dgemm|sde|posterior|all]      (default: all)
#
# NT_PYTHON names a Python with neural-tangents 0.6.5 (default .venv-nt/bin/python, which
# `make bench` creates; `sde` has no neural-tangents side, any Python with NumPy will do); MC_SAMPLES
# overrides the 64 Monte Carlo samples of both tools, SDE_SAMPLES the 1000 samples of the SDE
# against the network, POSTERIOR_REPEATS the best-of-3 of the posterior workload (each side).
set -euo pipefail
cd "$(dirname "$0")/.."
py=${NT_PYTHON:-.venv-nt/bin/python}
what=${1:-all}
samples=${MC_SAMPLES:-64}
sde_samples=${SDE_SAMPLES:-1000}
posterior_repeats=${POSTERIOR_REPEATS:-3}
# Both sides as a user gets them: the CLI from `make release` (portable binary plus the one tuned
# for this CPU, chosen at run time), the benchmark built with the same tuning flags.
make -s release >&2
read -r tuned flags <<< "$(make -s tuned-flags)" || true
scratch=.build${tuned:+-$tuned}
# shellcheck disable=SC2086 # the flags are separate words
swift build -c release --product neural-limits-benchmark --scratch-path "$scratch" $flags >&2
bin=$scratch/release/neural-limits-benchmark
cli=.build/release/neural-limits
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The inputs both tools see: the nt scripts draw the same arrays from the same generators.
"$py" - "$tmp" <<'PY'
import sys, numpy as np
np.save(f"{sys.argv[1]}/kernel_x.npy", np.random.default_rng(0).standard_normal((4000, 100)))
np.save(f"{sys.argv[1]}/montecarlo_x.npy", np.random.default_rng(1).standard_normal((100, 10)))
train_x = np.random.default_rng(2).standard_normal((4000, 10))
np.save(f"{sys.argv[1]}/posterior_train_x.npy", train_x)
np.save(f"{sys.argv[1]}/posterior_train_y.npy", np.sin(train_x.sum(axis=1, keepdims=True)))
np.save(f"{sys.argv[1]}/posterior_test_x.npy", np.random.default_rng(3).standard_normal((1000, 10)))
PY

export JAX_PLATFORMS=cpu
: > "$tmp/results.jsonl"
if [[ $what == kernel || $what == all ]]; then
  echo "kernel: neural-tangents ..." >&2
  "$py" Benchmarks/nt_kernel_benchmark.py >> "$tmp/results.jsonl"
  echo "kernel: NeuralLimits ..." >&2
  "$bin" kernel --x "$tmp/kernel_x.npy" >> "$tmp/results.jsonl"
  echo "kernel: neural-limits CLI, whole process ..." >&2
  "$py" Benchmarks/cli_kernel_benchmark.py --cli "$cli" --x "$tmp/kernel_x.npy" --out "$tmp/cli" >> "$tmp/results.jsonl"
fi
if [[ $what == montecarlo || $what == all ]]; then
  echo "montecarlo: neural-tangents ($samples samples; minutes) ..." >&2
  "$py" Benchmarks/nt_montecarlo_benchmark.py --samples "$samples" >> "$tmp/results.jsonl"
  echo "montecarlo: NeuralLimits ..." >&2
  "$bin" montecarlo --x "$tmp/montecarlo_x.npy" --samples "$samples" >> "$tmp/results.jsonl"
fi
if [[ $what == dgemm || $what == all ]]; then
  echo "dgemm: OpenBLAS's own core and the one for this CPU ..." >&2
  for n in 2048 1024; do
    for threads in $(printf '%s\n' 1 "$(nproc)" | sort -nu); do
      # The restart marker (any value) stops the restart: this run keeps OpenBLAS's own detection.
      NEURAL_LIMITS_OPENBLAS_DETECTED_CORE=none "$bin" dgemm --n "$n" --threads "$threads" >> "$tmp/results.jsonl"
      "$bin" dgemm --n "$n" --threads "$threads" >> "$tmp/results.jsonl"
    done
  done
fi
if [[ $what == sde || $what == all ]]; then
  # NeuralLimits alone: neural-tangents has no covariance SDEs.
  echo "sde: cost per step against the number of tokens ..." >&2
  for model in shaped-attention shaped-mlp; do
    "$bin" sde-steps --model "$model" >> "$tmp/results.jsonl"
  done
  echo "sde: against the finite networks, n = d = 256, $sde_samples samples (minutes) ..." >&2
  for model in shaped-mlp shaped-transformer; do
    for tokens in 2 8; do
      "$bin" sde-vs-network --model "$model" --tokens "$tokens" --samples "$sde_samples" >> "$tmp/results.jsonl"
    done
  done
fi
if [[ $what == posterior || $what == all ]]; then
  data=(--train-x "$tmp/posterior_train_x.npy" --train-y "$tmp/posterior_train_y.npy" --test-x "$tmp/posterior_test_x.npy")
  echo "posterior: neural-tangents (compiles first; minutes) ..." >&2
  "$py" Benchmarks/nt_posterior_benchmark.py "${data[@]}" --time 100 --repeats "$posterior_repeats" \
    --out "$tmp/posterior_nt" >> "$tmp/results.jsonl"
  echo "posterior: NeuralLimits ..." >&2
  "$bin" posterior "${data[@]}" --time 100 --repeats "$posterior_repeats" >> "$tmp/results.jsonl"
  echo "posterior: neural-limits CLI, whole process ..." >&2
  "$py" Benchmarks/cli_posterior_benchmark.py --cli "$cli" "${data[@]}" --time 100 --repeats "$posterior_repeats" \
    --out "$tmp/posterior_cli" --reference "$tmp/posterior_nt" >> "$tmp/results.jsonl"
fi

"$py" - "$tmp/results.jsonl" <<'PY'
import json, math, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
def find(workload, tool):
    return next((r for r in rows if r["workload"] == workload and r["tool"] == tool), None)

# (label, neural-tangents row, our row, our rate); the CLI row is set against nt's jitted call alone.
table = []
nt, us, cli = find("kernel", "neural-tangents"), find("kernel", "NeuralLimits"), find("kernel", "neural-limits CLI")
if nt and us:
    entry_layers, limit = us["entry_layers_per_second"] * us["seconds"], us["scalar_arithmetic_limit_seconds"]
    for label, ours in (("kernel, evaluator only", us), ("kernel, CLI end to end", cli)):
        if ours:
            table.append((label, nt, ours, f'{entry_layers / ours["seconds"]:.3g} entry-layers/s; scalar arithmetic '
                                           f'limit {limit:.3f} s (took {ours["seconds"] / limit:.1f}× that)'))
nt, us = find("montecarlo", "neural-tangents"), find("montecarlo", "NeuralLimits")
if nt and us:
    table.append(("montecarlo", nt, us, f'{us["gflops"]:.1f} GFLOP/s = {us["gflops"] / us["dgemm_gflops"]:.0%} of OpenBLAS '
                                        f'dgemm ({us["openblas_core"]}, {us["dgemm_gflops"]:.1f} GFLOP/s)'))
if table:
    print("| workload | neural-tangents (s) | NeuralLimits (s) | speed-up | NeuralLimits rate | checksums (nt / ours) |")
    print("|---|---|---|---|---|---|")
    for label, theirs, ours, rate in table:
        print(f'| {label} | {theirs["seconds"]:.3f} | {ours["seconds"]:.3f} | {theirs["seconds"] / ours["seconds"]:.1f}× | '
              f'{rate} | {theirs["checksum"]:.10g} / {ours["checksum"]:.10g} |')

# dgemm rows come in pairs: OpenBLAS's own detection, then the core for this CPU.
dgemm = [r for r in rows if r["workload"] == "dgemm"]
if dgemm:
    if table:
        print()
    print("| dgemm n³ | threads | OpenBLAS's own core | GFLOP/s | core for this CPU | GFLOP/s | speed-up |")
    print("|---|---|---|---|---|---|---|")
    for own, fit in zip(dgemm[0::2], dgemm[1::2]):
        print(f'| {own["n"]} | {own["threads"]} | {own["openblas_core"]} ({own["core_choice"]}) | {own["gflops"]:.1f} | '
              f'{fit["openblas_core"]} ({fit["core_choice"]}) | {fit["gflops"]:.1f} | {fit["gflops"] / own["gflops"]:.1f}× |')

# SDE cost per step and path against m, one row per model: best–worst of the repeats in µs, then
# the least-squares exponent over all m and the exponent between neighbouring m.
def microseconds(s):
    return f"{s * 1e6:.3g}" if s < 1e-3 else f"{s * 1e6:.0f}"
steps = [r for r in rows if r["workload"] == "sde-steps"]
if steps:
    if table or dgemm:
        print()
    tokens = [row["tokens"] for row in steps[0]["rows"]]
    print(f'| SDE step, per path ({steps[0]["paths"]} paths on {steps[0]["threads"]} threads) | '
          + " | ".join(f"m = {m}" for m in tokens) + " | exponent (fit; between neighbours) |")
    print("|---|" + "---|" * (len(tokens) + 1))
    for r in steps:
        cells = [f'{microseconds(row["seconds_per_step"])}–{microseconds(row["seconds_per_step_worst"])} µs'
                 for row in r["rows"]]
        local = [math.log(b["seconds_per_step"] / a["seconds_per_step"]) / math.log(b["tokens"] / a["tokens"])
                 for a, b in zip(r["rows"], r["rows"][1:])]
        print(f'| {r["model"]} | ' + " | ".join(cells) + f' | {r["exponent"]:.2f} ({", ".join(f"{x:.2f}" for x in local)}) |')

# The SDE against the finite networks it approximates, same samples; speed-up = network / SDE.
versus = [r for r in rows if r["workload"] == "sde-vs-network"]
if versus:
    if table or dgemm or steps:
        print()
    n = versus[0]["width"]
    def sde(r, name):
        stopped = r[f"{name}_stopped_fraction"]
        return f'{r[f"{name}_seconds"]:.3f}' + (f' ({stopped:.1%} of paths stopped)' if stopped else "")
    print(f"| SDE against network, n = d = {n} | m | samples | network (s) | SDE, dt = 0.01 (s) | speed-up | "
          f"SDE, dt = 1/{n} (s) | speed-up | mean ρ¹² at T, SDE / network |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in versus:
        print(f'| {r["model"]} | {r["tokens"]} | {r["samples"]} | {r["network_seconds"]:.3f} | {sde(r, "sde")} | '
              f'{r["network_seconds"] / r["sde_seconds"]:.1f}× | {sde(r, "sde_fine")} | '
              f'{r["network_seconds"] / r["sde_fine_seconds"]:.1f}× | '
              f'{r["rho_12_sde"]:.3f} / {r["rho_12_network"]:.3f} ({r["verdict"]}) |')

# Posterior predictives: the CLI as a whole process against neural-tangents' kernels + inference,
# NeuralLimits' predictive against the LAPACK factorisation it rests on, and both tools' phases.
nt, us, cli = find("posterior", "neural-tangents"), find("posterior", "NeuralLimits"), find("posterior", "neural-limits CLI")
printed = table or dgemm or steps or versus
def when(name):
    return f'{name[:-len("_time")]}, t = {nt["time"]:g}' if name.endswith("_time") else f"{name}, t = ∞"
if nt and cli:
    if printed:
        print()
    printed = True
    print(f'| predictive, N = {nt["n"]}, M = {nt["m"]}, d = {nt["d"]} | neural-tangents: kernels + inference (s) | '
          f'neural-limits CLI, whole process (s) | speed-up | max difference, mean / cov (relative) | '
          f'checksums (nt / CLI) |')
    print("|---|---|---|---|---|---|")
    for mode in ("nngp", "ntkgp", "ensemble"):
        for name in (mode, f"{mode}_time"):
            if name == mode:
                kernels = nt["kernel_nngp_seconds" if mode == "nngp" else "kernel_both_seconds"]
                theirs = f'{kernels:.3f} + {nt[f"{mode}_inference_seconds"]:.3f} = {nt[f"{mode}_seconds"]:.3f}'
            else:
                theirs = f'{nt[f"{name}_seconds"]:.3f} (jitted whole)'
            print(f'| {when(name)} | {theirs} | {cli[f"{name}_seconds"]:.3f} | '
                  f'{nt[f"{name}_seconds"] / cli[f"{name}_seconds"]:.1f}× | '
                  f'{cli[f"{name}_mean_difference"]:.1e} / {cli[f"{name}_cov_difference"]:.1e} | '
                  f'{nt[f"{name}_checksum"]:.10g} / {cli[f"{name}_checksum"]:.10g} |')
if us:
    if printed:
        print()
    printed = True
    lapack = us["lapack_cholesky_seconds"]
    print("| NeuralLimits, from the kernels | predictive at t = ∞ (s) | Cholesky alone (s) | ratio | "
          "LAPACK `dpotrf` alone (s) | ratio | "
          f'eigen-decomposition + predictive at t = {us["time"]:g} (s) | eigen-decomposition alone (s) | ratio | '
          "each further t (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for mode in ("nngp", "ntkgp", "ensemble"):
        cholesky = us["cholesky_nngp_seconds" if mode == "nngp" else "cholesky_ntk_seconds"]
        print(f'| {mode} | {us[f"{mode}_seconds"]:.3f} | {cholesky:.3f} | {us[f"{mode}_seconds"] / cholesky:.2f}× | '
              f'{lapack:.3f} | {us[f"{mode}_seconds"] / lapack:.2f}× | '
              f'{us[f"{mode}_trajectory_seconds"]:.3f} | {us["eigen_seconds"]:.3f} | '
              f'{us[f"{mode}_trajectory_seconds"] / us["eigen_seconds"]:.2f}× | {us[f"{mode}_per_time_seconds"]:.3f} |')
if us:
    # The BLAS-3 steps after the Cholesky at t = ∞ alone, with their operation counts: the floor
    # of each mode's predictive is the Cholesky plus its steps.
    n, m = us["n"], us["m"]
    steps = [("Cholesky of Θ_DD + σ²I (`Cholesky`)", "cholesky_ntk", n ** 3 / 3),
             ("W = Θ_*D L⁻ᵀ (blocked solve)", "whiten", m * n ** 2), ("Θ_** − W·Wᵀ (`dsyrk`)", "syrk", m ** 2 * n),
             ("U = Θ_*D (Θ_DD + σ²I)⁻¹ (two blocked solves)", "solve_rows", 2 * m * n ** 2),
             ("U·K_DD (`dgemm`)", "gemm", 2 * m * n ** 2), ("ensemble covariance (`dsyr2k`)", "syr2k", 2 * m ** 2 * n)]
    print()
    print("| t = ∞ step alone (NTK blocks) | seconds | GFLOP | GFLOP/s |")
    print("|---|---|---|---|")
    for label, key, flops in steps:
        print(f'| {label} | {us[f"{key}_seconds"]:.3f} | {flops / 1e9:.1f} | {flops / 1e9 / us[f"{key}_seconds"]:.1f} |')
    cholesky = us["cholesky_ntk_seconds"]
    for mode, keys in (("nngp, ntkgp", ("whiten", "syrk")), ("ensemble", ("solve_rows", "gemm", "syr2k"))):
        floor = cholesky + sum(us[f"{key}_seconds"] for key in keys)
        print(f"| sum of the steps of {mode} | {floor:.3f} ({floor / cholesky:.2f}× the Cholesky) | | |")
if nt and us:
    print()
    print("| phase | neural-tangents (s) | NeuralLimits (s) | speed-up | checksums (nt / ours) |")
    print("|---|---|---|---|---|")
    phases = [("kernels, NNGP + NTK, three blocks", nt["kernel_both_seconds"], us["kernel_seconds"], None)]
    for mode in ("nngp", "ntkgp", "ensemble"):
        phases.append((f"{mode} inference, t = ∞", nt[f"{mode}_inference_seconds"], us[f"{mode}_seconds"], mode))
    for mode in ("nngp", "ntkgp", "ensemble"):
        phases.append((f'{mode}, t = {nt["time"]:g}, kernels included', nt[f"{mode}_time_seconds"],
                       us["kernel_seconds"] + us[f"{mode}_trajectory_seconds"], f"{mode}_time"))
    for label, theirs, ours, name in phases:
        checksums = f'{nt[f"{name}_checksum"]:.10g} / {us[f"{name}_checksum"]:.10g}' if name else ""
        print(f"| {label} | {theirs:.3f} | {ours:.3f} | {theirs / ours:.1f}× | {checksums} |")
    print(f'\nneural-tangents compiled for {nt["compile_seconds"]:.1f} s (not counted above).')
PY
