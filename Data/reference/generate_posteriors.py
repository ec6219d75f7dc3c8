"""Reference predictives from Google's neural-tangents for NeuralLimits' posteriors.

Each case is an architecture string in NeuralLimits' architecture language,
translated by generate_kernels.py (imported, not copied), training inputs and
targets, test inputs, a diagonal noise and a learning rate. For each case the
script stores neural-tangents' kernels (train-train, test-train, test-test,
NNGP and NTK) and the predictive mean and covariance of three modes:

- nngp     the NNGP posterior;
- ntkgp    the GP posterior with the NTK as prior covariance (He et al. 2020);
- ensemble the infinite ensemble trained by gradient descent on MSE (Lee et
           al. 2019), neural-tangents' "ntk" mode,

at t = infinity (`time` null) from `nt.predict.gp_inference` (get "nngp",
"ntkgp", "ntk") and at finite times from
`nt.predict.gradient_descent_mse_ensemble` (get "nngp", "ntk"; "ntkgp" as its
"nngp" mode on a kernel function whose NNGP is the NTK: the ensemble of the
paper's NTKGP networks, whose initial functions have covariance NTK). The
script checks that gradient_descent_mse_ensemble at t = None reproduces
gp_inference, and that a long time approaches t = infinity.

Usage (from the repository root, inside a venv with neural-tangents 0.6.5,
jax/jaxlib 0.4.23, numpy<2, scipy<1.13):

    JAX_PLATFORMS=cpu python Data/reference/generate_posteriors.py

Output: Data/reference/posteriors.json next to this script. Inputs and targets
come from numpy generators seeded from a CRC32 of each case's name.
"""

import collections
import json
import os
import sys
import zlib
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import neural_tangents as nt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_kernels import kernel_fn_for, matrix_json  # noqa: E402

OUTPUT = Path(__file__).resolve().parent / "posteriors.json"
NTKGPKernel = collections.namedtuple("NTKGPKernel", "nngp ntk")

TOY_ARCH = "(dense(w_std=1.5, b_std=0.05) -> erf) * 2 -> dense(w_std=1.5, b_std=0.05)"


# --------------------------------------------------------------------------
# Cases: (name, arch, inputs, noise, learning rate, finite times)
# noise is ("absolute", sigma2) or ("scaled", r): diag_reg with
# diag_reg_absolute_scale True or False (r times the mean of the diagonal).
# --------------------------------------------------------------------------

def toy_inputs(rng):
    """He et al. 2020's 1-D toy: 20 points on [-2, -2/3] and [2/3, 2], y = x sin x + 0.1 noise."""
    x = np.concatenate([rng.uniform(-2, -2 / 3, 10), rng.uniform(2 / 3, 2, 10)])[:, None]
    y = x * np.sin(x) + 0.1 * rng.standard_normal(x.shape)
    return x, y, np.linspace(-4, 4, 9)[:, None]


def gaussian_inputs(n_train, n_test, d, outputs):
    def make(rng):
        x = rng.standard_normal((n_train, d))
        y = np.sin(x @ rng.standard_normal((d, outputs)))
        return x, y, rng.standard_normal((n_test, d))
    return make


CASES = [
    ("toy_erf", TOY_ARCH, toy_inputs, ("absolute", 0.01), 1.0, [1.0, 100.0, 1e4]),
    ("relu_depth3_noiseless", "(dense(w_std=1.5, b_std=0.05) -> relu) * 3 -> dense(w_std=1.5, b_std=0.05)",
     gaussian_inputs(12, 6, 5, 1), ("absolute", 0.0), 2.0, [0.5, 30.0]),
    ("gelu_three_outputs_scaled_noise", "dense(w_std=1.2, b_std=0.1) -> gelu -> dense(w_std=1.0, b_std=0.2)",
     gaussian_inputs(10, 5, 4, 3), ("scaled", 0.05), 0.5, [2.0, 50.0]),
    ("residual_erf_two_outputs",
     "dense(w_std=1.2, b_std=0.2) -> (residual(dense(w_std=1.3, b_std=0.1) -> erf -> dense(w_std=1.1, b_std=0.0),"
     " scale=0.7)) * 2 -> dense(w_std=1.0, b_std=0.1)",
     gaussian_inputs(8, 4, 3, 2), ("absolute", 1e-3), 1.0, [10.0]),
]


def as_ntkgp(kernel_fn):
    """A kernel function whose NNGP (and NTK) is `kernel_fn`'s NTK."""
    def ntkgp_kernel_fn(x1, x2, get, **kwargs):
        ntk = kernel_fn(x1, x2, "ntk", **kwargs)
        return ntk if isinstance(get, str) else NTKGPKernel(ntk, ntk)
    return ntkgp_kernel_fn


def as_list(a):
    return np.asarray(a, dtype=np.float64).tolist()


def predictives(kernel_fn, x_train, y_train, x_test, noise, learning_rate, times):
    diag_reg, absolute = noise[1], noise[0] == "absolute"
    k_dd = kernel_fn(x_train, None, ("nngp", "ntk"))
    k_td = kernel_fn(x_test, x_train, ("nngp", "ntk"))
    k_tt = kernel_fn(x_test, None, ("nngp", "ntk"))

    out = []
    infinite = nt.predict.gp_inference(k_dd, y_train, diag_reg, absolute)(
        get=("nngp", "ntkgp", "ntk"), k_test_train=k_td, k_test_test=k_tt)
    for mode, gaussian in (("nngp", infinite.nngp), ("ntkgp", infinite.ntkgp), ("ensemble", infinite.ntk)):
        out.append({"mode": mode, "time": None, "mean": gaussian.mean, "cov": gaussian.covariance})

    ensemble = nt.predict.gradient_descent_mse_ensemble(
        kernel_fn, x_train, y_train, learning_rate, diag_reg, absolute)
    ntkgp = nt.predict.gradient_descent_mse_ensemble(
        as_ntkgp(kernel_fn), x_train, y_train, learning_rate, diag_reg, absolute)

    # gradient_descent_mse_ensemble at t = None is gp_inference; a long time approaches it.
    at_none = ensemble(None, x_test, ("nngp", "ntk"), compute_cov=True)
    late = ensemble(1e12, x_test, ("nngp", "ntk"), compute_cov=True)
    for g, mode in (("nngp", "nngp"), ("ntk", "ensemble")):
        reference = next(p for p in out if p["mode"] == mode)
        for gaussian, rtol in ((getattr(at_none, g), 1e-12), (getattr(late, g), 1e-6)):
            for key, field in (("mean", "mean"), ("cov", "covariance")):
                value, expected = np.asarray(getattr(gaussian, field)), np.asarray(reference[key])
                scale = np.abs(expected).max()
                assert np.abs(value - expected).max() <= rtol * scale, (mode, key, rtol)

    ts = np.asarray(times)
    finite = ensemble(ts, x_test, ("nngp", "ntk"), compute_cov=True)
    finite_ntkgp = ntkgp(ts, x_test, "nngp", compute_cov=True)
    for k, t in enumerate(times):
        for mode, gaussian in (("nngp", finite.nngp), ("ntkgp", finite_ntkgp), ("ensemble", finite.ntk)):
            out.append({"mode": mode, "time": t, "mean": gaussian.mean[k], "cov": gaussian.covariance[k]})

    kernels = {"train_nngp": k_dd.nngp, "train_ntk": k_dd.ntk, "test_train_nngp": k_td.nngp,
               "test_train_ntk": k_td.ntk, "test_nngp": k_tt.nngp, "test_ntk": k_tt.ntk}
    return kernels, out


def case_json(case):
    fields = [f'"name": {json.dumps(case["name"])}', f'"arch": {json.dumps(case["arch"])}',
              f'"noise": {json.dumps(case["noise"])}', f'"learning_rate": {json.dumps(case["learning_rate"])}']
    for key in ("x_train", "y_train", "x_test"):
        prefix = f'"{key}": '
        fields.append(prefix + matrix_json(as_list(case[key]), 3 + len(prefix)))
    for key, value in case["kernels"].items():
        prefix = f'"{key}": '
        fields.append(prefix + matrix_json(as_list(value), 3 + len(prefix)))
    rows = []
    for p in case["predictives"]:
        head = f'{{"mode": {json.dumps(p["mode"])}, "time": {json.dumps(p["time"])},\n     '
        mean = '"mean": ' + matrix_json(as_list(p["mean"]), 13)
        cov = '"cov": ' + matrix_json(as_list(p["cov"]), 12)
        rows.append("    " + head + mean + ",\n     " + cov + "}")
    fields.append('"predictives": [\n' + ",\n".join(rows) + "]")
    return "  {" + ",\n   ".join(fields) + "}"


def main():
    cases = []
    for name, arch, make_inputs, noise, learning_rate, times in CASES:
        x_train, y_train, x_test = make_inputs(np.random.default_rng(zlib.crc32(name.encode())))
        kernels, out = predictives(kernel_fn_for(arch), x_train, y_train, x_test, noise, learning_rate, times)
        cases.append({"name": name, "arch": arch, "noise": {noise[0]: noise[1]}, "learning_rate": learning_rate,
                      "x_train": x_train, "y_train": y_train, "x_test": x_test, "kernels": kernels,
                      "predictives": out})
    generator = (f"neural-tangents {nt.__version__}, jax {jax.__version__}, float64; "
                 "Data/reference/generate_posteriors.py")
    text = ("{\n" f' "generator": {json.dumps(generator)},\n' ' "cases": [\n'
            + ",\n".join(case_json(case) for case in cases) + "\n ]\n}\n")
    json.loads(text)  # sanity check: valid JSON
    OUTPUT.write_text(text)
    count = sum(len(case["predictives"]) for case in cases)
    print(f"wrote {len(cases)} cases, {count} predictives, {len(text)} bytes to {OUTPUT}")


if __name__ == "__main__":
    main()
