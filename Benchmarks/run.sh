#!/usr/bin/env bash
# Side-by-side benchmarks: neural-tangents and NeuralLimits on the same inputs, run one after the
# other from this script (one process tree, same machine state), then a Markdown table of the
# times and ratios. See Benchmarks/README.md.
#
#   Benchmarks/run.sh [kernel|montecarlo|all]      (default: all)
#
# NT_PYTHON names a Python with neural-tangents 0.6.5 (default .venv-nt/bin/python, which
# `make bench` creates); MC_SAMPLES overrides the 64 Monte Carlo samples of both tools.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${NT_PYTHON:-.venv-nt/bin/python}
what=${1:-all}
samples=${MC_SAMPLES:-64}
swift build -c release --product neural-limits-benchmark >&2
bin=.build/release/neural-limits-benchmark
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The inputs both tools see: the nt scripts draw the same arrays from the same generators.
"$py" - "$tmp" <<'PY'
import sys, numpy as np
np.save(f"{sys.argv[1]}/kernel_x.npy", np.random.default_rng(0).standard_normal((4000, 100)))
np.save(f"{sys.argv[1]}/montecarlo_x.npy", np.random.default_rng(1).standard_normal((100, 10)))
PY

export JAX_PLATFORMS=cpu
: > "$tmp/results.jsonl"
if [[ $what == kernel || $what == all ]]; then
  echo "kernel: neural-tangents ..." >&2
  "$py" Benchmarks/nt_kernel_benchmark.py >> "$tmp/results.jsonl"
  echo "kernel: NeuralLimits ..." >&2
  "$bin" kernel --x "$tmp/kernel_x.npy" >> "$tmp/results.jsonl"
fi
if [[ $what == montecarlo || $what == all ]]; then
  echo "montecarlo: neural-tangents ($samples samples; minutes) ..." >&2
  "$py" Benchmarks/nt_montecarlo_benchmark.py --samples "$samples" >> "$tmp/results.jsonl"
  echo "montecarlo: NeuralLimits ..." >&2
  "$bin" montecarlo --x "$tmp/montecarlo_x.npy" --samples "$samples" >> "$tmp/results.jsonl"
fi

"$py" - "$tmp/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print("| workload | neural-tangents (s) | NeuralLimits (s) | speed-up | NeuralLimits rate | checksums (nt / ours) |")
print("|---|---|---|---|---|---|")
for workload in ("kernel", "montecarlo"):
    nt = next((r for r in rows if r["workload"] == workload and r["tool"] == "neural-tangents"), None)
    us = next((r for r in rows if r["workload"] == workload and r["tool"] == "NeuralLimits"), None)
    if not (nt and us):
        continue
    if workload == "kernel":
        rate = (f'{us["entry_layers_per_second"]:.3g} entry-layers/s; scalar arithmetic limit '
                f'{us["scalar_arithmetic_limit_seconds"]:.3f} s (took {us["seconds"] / us["scalar_arithmetic_limit_seconds"]:.1f}× that)')
    else:
        rate = f'{us["gflops"]:.1f} GFLOP/s = {us["gflops"] / us["dgemm_gflops"]:.0%} of OpenBLAS dgemm ({us["dgemm_gflops"]:.1f} GFLOP/s)'
    print(f'| {workload} | {nt["seconds"]:.3f} | {us["seconds"]:.3f} | {nt["seconds"] / us["seconds"]:.1f}× | {rate} | '
          f'{nt.get("checksum", float("nan")):.10g} / {us["checksum"]:.10g} |')
PY
