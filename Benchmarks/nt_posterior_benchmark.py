"""Time neural-tangents' GP posterior predictives (the NeuralLimits posterior workload).

Workload: the training inputs, targets and test inputs run.sh saves (4,000 and 1,000
inputs of dimension 10, targets sin(sum x)), He et al.'s toy architecture
(dense(w_std=1.5,b_std=0.05) -> erf)*2 -> dense(w_std=1.5,b_std=0.05) in NTK
parameterisation, noise diag_reg=0.01 with diag_reg_absolute_scale=True, float64 on the
CPU. Three phases, each under jax.jit:

- kernels: kernel_fn(x_train, None), kernel_fn(x_test, x_train), kernel_fn(x_test, None),
  once with get='nngp' (what the nngp mode needs) and once with ('nngp', 'ntk');
- inference at t = infinity: nt.predict.gp_inference(k_train_train, y_train, 0.01, True)
  (get=g, k_test_train=..., k_test_test=...) for g = 'nngp', 'ntkgp', 'ntk' (the trained
  ensemble), mean and covariance, from the kernels already on the device;
- finite time: nt.predict.gradient_descent_mse_ensemble(kernel_fn, x_train, y_train, 1.0,
  0.01, True)(--time, x_test, get, compute_cov=True) for 'nngp' and 'ntk', and for ntkgp the
  same on a kernel function whose NNGP is the NTK (as Data/reference/generate_posteriors.py),
  jitted whole (kernels and eigen-decomposition inside).

Each phase is compiled ahead of time (jax.jit(...).lower(...).compile(), timed as
compile_seconds), called once as a warm-up, then timed as the best of --repeats calls.
A mode's total is the kernels it needs plus its inference. With --out DIR the predictives
are saved as DIR/{mode}[_t]_{mean,cov}.npy for cli_posterior_benchmark.py to check against.

Usage: JAX_PLATFORMS=cpu python Benchmarks/nt_posterior_benchmark.py --train-x F --train-y F --test-x F
           [--time 100] [--repeats 3] [--out DIR]
Prints one JSON line to stdout.
"""

import argparse
import collections
import json
import os
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import neural_tangents as nt  # noqa: E402
import numpy as np  # noqa: E402
from neural_tangents import stax  # noqa: E402

DEPTH = 2
W_STD, B_STD = 1.5, 0.05
NOISE = 0.01
NTKGPKernel = collections.namedtuple("NTKGPKernel", "nngp ntk")
# NeuralLimits' mode names against neural-tangents' `get`.
MODES = (("nngp", "nngp"), ("ntkgp", "ntkgp"), ("ensemble", "ntk"))


def as_ntkgp(kernel_fn):
    """A kernel function whose NNGP (and NTK) is `kernel_fn`'s NTK."""
    def ntkgp_kernel_fn(x1, x2, get, **kwargs):
        ntk = kernel_fn(x1, x2, "ntk", **kwargs)
        return ntk if isinstance(get, str) else NTKGPKernel(ntk, ntk)
    return ntkgp_kernel_fn


def timed(function, *args, repeats):
    """Compile ahead of time, warm up once, then the best of `repeats` calls: (compile s, best s, result)."""
    start = time.perf_counter()
    compiled = jax.jit(function).lower(*args).compile()
    compile_seconds = time.perf_counter() - start
    result = jax.block_until_ready(compiled(*args))  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = jax.block_until_ready(compiled(*args))
        best = min(best, time.perf_counter() - start)
    return compile_seconds, best, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-x", required=True, help="training inputs (.npy), one per row")
    parser.add_argument("--train-y", required=True, help="training targets (.npy), N x 1")
    parser.add_argument("--test-x", required=True, help="test inputs (.npy), one per row")
    parser.add_argument("--time", type=float, default=100.0, help="the finite training time (learning rate 1)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (best is reported)")
    parser.add_argument("--out", help="folder for the predictives (.npy)")
    args = parser.parse_args()

    x_train, y_train, x_test = (jax.device_put(np.load(path)) for path in (args.train_x, args.train_y, args.test_x))
    layers = [stax.Dense(512, W_std=W_STD, b_std=B_STD), stax.Erf()] * DEPTH
    _, _, kernel_fn = stax.serial(*layers, stax.Dense(512, W_std=W_STD, b_std=B_STD))
    row = {"tool": "neural-tangents", "workload": "posterior", "n": x_train.shape[0], "m": x_test.shape[0],
           "d": x_train.shape[1], "time": args.time}
    compile_seconds = 0.0

    def save(name, gaussian):
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            np.save(f"{args.out}/{name}_mean.npy", np.asarray(gaussian.mean))
            np.save(f"{args.out}/{name}_cov.npy", np.asarray(gaussian.covariance))

    # Kernels: train-train, test-train, test-test; NNGP alone, and NNGP + NTK.
    kernels = {}
    for label, get in (("nngp", "nngp"), ("both", ("nngp", "ntk"))):
        def blocks(x1, x2, get=get):
            return kernel_fn(x1, None, get), kernel_fn(x2, x1, get), kernel_fn(x2, None, get)
        seconds_compile, row[f"kernel_{label}_seconds"], kernels[label] = timed(blocks, x_train, x_test,
                                                                                  repeats=args.repeats)
        compile_seconds += seconds_compile

    # t = infinity: gp_inference on the kernels already computed.
    for mode, get in MODES:
        def inference(k_dd, k_td, k_tt, y, get=get):
            return nt.predict.gp_inference(k_dd, y, NOISE, True)(get=get, k_test_train=k_td, k_test_test=k_tt)
        k_dd, k_td, k_tt = kernels["nngp" if mode == "nngp" else "both"]
        seconds_compile, seconds, gaussian = timed(inference, k_dd, k_td, k_tt, y_train, repeats=args.repeats)
        compile_seconds += seconds_compile
        row[f"{mode}_inference_seconds"] = seconds
        row[f"{mode}_seconds"] = seconds + row["kernel_nngp_seconds" if mode == "nngp" else "kernel_both_seconds"]
        row[f"{mode}_checksum"] = float(np.trace(np.asarray(gaussian.covariance)))
        save(mode, gaussian)

    # Finite time: gradient_descent_mse_ensemble, kernels and eigen-decomposition inside.
    for mode, get in MODES:
        function = as_ntkgp(kernel_fn) if mode == "ntkgp" else kernel_fn
        get = "nngp" if mode == "ntkgp" else get

        def trained(x1, y, x2, function=function, get=get):
            predict_fn = nt.predict.gradient_descent_mse_ensemble(function, x1, y, 1.0, NOISE, True)
            return predict_fn(args.time, x2, get, compute_cov=True)
        seconds_compile, seconds, gaussian = timed(trained, x_train, y_train, x_test, repeats=args.repeats)
        compile_seconds += seconds_compile
        row[f"{mode}_time_seconds"] = seconds
        row[f"{mode}_time_checksum"] = float(np.trace(np.asarray(gaussian.covariance)))
        save(f"{mode}_t", gaussian)

    row["compile_seconds"] = compile_seconds
    print(json.dumps(row))


if __name__ == "__main__":
    main()
