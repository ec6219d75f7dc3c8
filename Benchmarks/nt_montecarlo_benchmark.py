"""Time neural-tangents' Monte Carlo NNGP+NTK estimate (the NeuralLimits montecarlo workload).

Workload: 100 inputs of dimension 10 drawn with np.random.default_rng(1), the
finite network 3 x (Dense(width, W_std=1.5, b_std=0.05) -> Relu) ->
Dense(readout, W_std=1.5, b_std=0.05), nt.monte_carlo_kernel_fn with
key jax.random.PRNGKey(0) and `samples` networks, NNGP+NTK, x2=None, float64
on the CPU, everything else at neural-tangents' defaults.

monte_carlo_kernel_fn jit-compiles internally and loops over samples in Python,
so the run is timed cold (compilation included) and only once: the defaults
take about four minutes. The estimate is consumed as a generator yielding after
the first sample and after the last, which computes exactly the same samples
and separates the one-off compile + first-sample time from the per-sample cost.

Usage: JAX_PLATFORMS=cpu python Benchmarks/nt_montecarlo_benchmark.py \
           [--samples 64] [--width 512] [--readout 1]
Prints one JSON line to stdout.
"""

import argparse
import json
import os
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import neural_tangents as nt  # noqa: E402
import numpy as np  # noqa: E402
from neural_tangents import stax  # noqa: E402

N, D, DEPTH = 100, 10, 3
W_STD, B_STD = 1.5, 0.05


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=64, help="Monte Carlo samples (networks)")
    parser.add_argument("--width", type=int, default=512, help="hidden layer width")
    parser.add_argument("--readout", type=int, default=1, help="output (readout) width")
    args = parser.parse_args()

    x = np.random.default_rng(1).standard_normal((N, D))
    layers = [stax.Dense(args.width, W_std=W_STD, b_std=B_STD), stax.Relu()] * DEPTH
    init_fn, apply_fn, _ = stax.serial(*layers, stax.Dense(args.readout, W_std=W_STD, b_std=B_STD))
    kernel_fn = nt.monte_carlo_kernel_fn(init_fn, apply_fn, jax.random.PRNGKey(0),
                                         n_samples=sorted({1, args.samples}))

    start = time.perf_counter()
    estimates = kernel_fn(x, None, ("nngp", "ntk"))  # generator: after 1 and `samples` samples
    estimate = jax.block_until_ready(next(estimates))
    first = time.perf_counter() - start
    for estimate in estimates:
        jax.block_until_ready(estimate)
    seconds = time.perf_counter() - start
    nngp, _ = estimate

    print(json.dumps({"tool": "neural-tangents", "workload": "montecarlo", "seconds": seconds,
                      "samples": args.samples, "width": args.width, "n": N, "d": D,
                      "readout": args.readout, "first_sample_seconds": first,
                      "checksum": float(np.trace(np.asarray(nngp)))}))


if __name__ == "__main__":
    main()
