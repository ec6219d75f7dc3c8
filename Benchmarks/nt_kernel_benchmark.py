"""Time neural-tangents' analytic NNGP+NTK kernel (the NeuralLimits kernel workload).

Workload: n inputs of dimension d drawn with np.random.default_rng(0), the
architecture (dense(w_std=1.5,b_std=0.05) -> relu)*10 -> dense(w_std=1.5,b_std=0.05),
kernel_fn(x, None, ('nngp', 'ntk')) under jax.jit in float64 on the CPU.
Compilation is excluded: one warm-up call on the same shapes, then the best of
--repeats timed calls.

Usage: JAX_PLATFORMS=cpu python Benchmarks/nt_kernel_benchmark.py [--n 4000] [--d 100] [--repeats 3]
Prints one JSON line to stdout.
"""

import argparse
import json
import os
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
from neural_tangents import stax  # noqa: E402

DEPTH = 10
W_STD, B_STD = 1.5, 0.05


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="number of inputs")
    parser.add_argument("--d", type=int, default=100, help="input dimension")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (best is reported)")
    args = parser.parse_args()

    x = np.random.default_rng(0).standard_normal((args.n, args.d))
    layers = [stax.Dense(512, W_std=W_STD, b_std=B_STD), stax.Relu()] * DEPTH
    _, _, kernel_fn = stax.serial(*layers, stax.Dense(512, W_std=W_STD, b_std=B_STD))
    kernel = jax.jit(lambda inputs: kernel_fn(inputs, None, ("nngp", "ntk")))

    x = jax.device_put(x)
    jax.block_until_ready(kernel(x))  # compile + warm-up

    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        nngp, ntk = jax.block_until_ready(kernel(x))
        best = min(best, time.perf_counter() - start)

    print(json.dumps({"tool": "neural-tangents", "workload": "kernel", "seconds": best,
                      "n": args.n, "d": args.d, "depth": DEPTH,
                      "checksum": float(np.trace(np.asarray(nngp)))}))


if __name__ == "__main__":
    main()
