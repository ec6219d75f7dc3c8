"""Time the neural-limits CLI as a whole process on the posterior workload, as a user runs it.

Runs `neural-limits posterior --arch ARCH --train-x F --train-y F --test-x F --mode MODE
[--time T] --noise 0.01 --format npy --out DIR` (process start, reading the .npy inputs,
computing the kernels and the predictive mean and covariance, writing DIR/mean.npy and
DIR/cov.npy) for each mode (nngp, ntkgp, ensemble) at t = infinity and at --time: once as a
warm-up, untimed (as neural-tangents' side runs each compiled phase once before timing it), then
--repeats times, and reports the best wall-clock times, beside neural-tangents' kernels +
gp_inference / gradient_descent_mse_ensemble (nt_posterior_benchmark.py) on the same inputs.
With --reference DIR (nt_posterior_benchmark.py's --out) it also reports the largest
difference from neural-tangents' predictive, relative to the largest magnitude of its mean
and of its covariance, so that the times are for equal results.

Usage: python Benchmarks/cli_posterior_benchmark.py --cli .build/release/neural-limits --train-x F --train-y F
           --test-x F --out DIR [--time 100] [--repeats 3] [--reference DIR]
Prints one JSON line to stdout.
"""

import argparse
import json
import subprocess
import time

import numpy as np

ARCH = "(dense(w_std=1.5, b_std=0.05) -> erf) * 2 -> dense(w_std=1.5, b_std=0.05)"
NOISE = 0.01
MODES = ("nngp", "ntkgp", "ensemble")


def relative_difference(ours, theirs):
    """max |ours − theirs| / max |theirs|, after checking the shapes agree."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    return float(np.abs(ours - theirs).max() / np.abs(theirs).max())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True, help="the neural-limits executable")
    parser.add_argument("--train-x", required=True, help="training inputs (.npy), one per row")
    parser.add_argument("--train-y", required=True, help="training targets (.npy), N x 1")
    parser.add_argument("--test-x", required=True, help="test inputs (.npy), one per row")
    parser.add_argument("--out", required=True, help="folder for one subfolder per run's mean.npy and cov.npy")
    parser.add_argument("--time", type=float, default=100.0, help="the finite training time (learning rate 1)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (best is reported)")
    parser.add_argument("--reference", help="neural-tangents' predictives (nt_posterior_benchmark.py --out)")
    args = parser.parse_args()

    row = {"tool": "neural-limits CLI", "workload": "posterior", "time": args.time}
    for mode in MODES:
        for suffix, when in (("", []), ("_t", ["--time", repr(args.time)])):
            out = f"{args.out}/{mode}{suffix}"
            command = [args.cli, "posterior", "--arch", ARCH, "--train-x", args.train_x, "--train-y", args.train_y,
                       "--test-x", args.test_x, "--mode", mode, *when, "--noise", repr(NOISE),
                       "--format", "npy", "--out", out]
            subprocess.run(command, check=True)  # warm-up
            best = float("inf")
            for _ in range(args.repeats):
                start = time.perf_counter()
                subprocess.run(command, check=True)
                best = min(best, time.perf_counter() - start)
            name = f"{mode}_time" if suffix else mode
            mean, cov = np.load(f"{out}/mean.npy"), np.load(f"{out}/cov.npy")
            row[f"{name}_seconds"] = best
            row[f"{name}_checksum"] = float(np.trace(cov))
            if args.reference:
                row[f"{name}_mean_difference"] = relative_difference(
                    mean, np.load(f"{args.reference}/{mode}{suffix}_mean.npy"))
                row[f"{name}_cov_difference"] = relative_difference(
                    cov, np.load(f"{args.reference}/{mode}{suffix}_cov.npy"))
    print(json.dumps(row))


if __name__ == "__main__":
    main()
