"""Time the neural-limits CLI as a whole process on the kernel workload, as a user runs it.

Runs `neural-limits kernel --arch ARCH --x X --format npy --out DIR` (process start, reading
the .npy inputs, computing NNGP + NTK, writing DIR/nngp.npy and DIR/ntk.npy) --repeats times and
reports the best wall-clock time, beside neural-tangents' jitted kernel_fn call alone
(nt_kernel_benchmark.py) on the same inputs.

Usage: python Benchmarks/cli_kernel_benchmark.py --cli .build/release/neural-limits --x kernel_x.npy --out DIR [--repeats 3]
Prints one JSON line to stdout.
"""

import argparse
import json
import subprocess
import time

import numpy as np

ARCH = "(dense(w_std=1.5, b_std=0.05) -> relu) * 10 -> dense(w_std=1.5, b_std=0.05)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True, help="the neural-limits executable")
    parser.add_argument("--x", required=True, help="inputs (.npy), one per row")
    parser.add_argument("--out", required=True, help="folder for nngp.npy and ntk.npy")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (best is reported)")
    args = parser.parse_args()

    command = [args.cli, "kernel", "--arch", ARCH, "--x", args.x, "--format", "npy", "--out", args.out]
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True)
        best = min(best, time.perf_counter() - start)

    print(json.dumps({"tool": "neural-limits CLI", "workload": "kernel", "seconds": best,
                      "checksum": float(np.trace(np.load(f"{args.out}/nngp.npy")))}))


if __name__ == "__main__":
    main()
