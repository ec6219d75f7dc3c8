"""DKS and TAT reference values from DeepMind's `dks` package (Martens et al. 2021; Zhang et al. 2022).

For a plain network of `depth` nonlinear layers (dks's "subnetwork maximizing function" of a
chain: `r` applied `depth` times), `dks.base.activation_transform._get_activations_params` gives

- TAT with leaky ReLU, `tat_params={"c_val_0_target": eta}`: `negative_slope` and
  `output_scale = sqrt(2/(1 + negative_slope²))`, for η ∈ {0.5, 0.9, 0.98} and several depths
  (a depth too shallow for η has no solution; dks raises, and the row says "no solution");
- DKS, `dks_params={"c_slope_1_target": zeta}` (local Q slope target 1, the default):
  `input_scale`, `input_shift`, `output_shift`, `output_scale` for tanh, softplus, swish, erf
  and gelu_exact (the library's `gelu` is the exact x·Φ(x)), several ζ and depths.

Usage (from the repository root):

    python3 -m venv .venv-dks && .venv-dks/bin/pip install dks==0.1.2 absl-py numpy scipy autograd
    .venv-dks/bin/python Data/reference/generate_shaping.py

Output: Data/reference/shaping.json next to this script. dks solves its 1-D conditions by
bisection to |f − target| < 1e-8 and its 2-D DKS conditions with scipy's `root(method="hybr")`
on Gauss–Legendre quadrature of order 100000 over [−10, 10], so its values carry about 8 digits.
"""

import json
from pathlib import Path

import numpy as np
from dks.base import activation_transform as at

OUTPUT = Path(__file__).resolve().parent / "shaping.json"


def chain(depth):
    """The subnetwork maximizing function of a plain network of `depth` nonlinear layers."""
    def subnet_max_func(x, r_fn):
        for _ in range(depth):
            x = r_fn(x)
        return x
    return subnet_max_func


def tat_rows():
    rows = []
    for eta in (0.5, 0.9, 0.98):
        for depth in (1, 2, 5, 10, 20, 50, 100, 1000):
            row = {"eta": eta, "depth": depth}
            try:
                p = at._get_activations_params(["leaky_relu"], method="TAT", tat_params={"c_val_0_target": eta},
                                               subnet_max_func=chain(depth))["leaky_relu"]
                row.update({"negative_slope": float(p["negative_slope"]), "output_scale": float(p["output_scale"])})
            except ValueError:
                row["negative_slope"] = "no solution"
            rows.append(row)
            print("TAT", row, flush=True)
    return rows


def dks_rows():
    rows = []
    for name, ours in (("tanh", "tanh"), ("softplus", "softplus"), ("swish", "swish"), ("erf", "erf"),
                       ("gelu_exact", "gelu")):
        for zeta, depth in ((1.5, 20), (1.5, 100), (2.0, 10), (4.0, 50)):
            p = at._get_activations_params([name], method="DKS", dks_params={"c_slope_1_target": zeta},
                                           subnet_max_func=chain(depth))[name]
            row = {"activation": ours, "dks_name": name, "zeta": zeta, "depth": depth}
            row.update({k: float(p[k]) for k in ("input_scale", "input_shift", "output_shift", "output_scale")})
            rows.append(row)
            print("DKS", row, flush=True)
    return rows


def main():
    document = {
        "source": "dks 0.1.2 (github.com/deepmind/dks), dks.base.activation_transform._get_activations_params",
        "network": "a chain of `depth` nonlinear layers: subnet_max_func(x, r) = r applied depth times",
        "tat_leaky_relu": tat_rows(),
        "dks": dks_rows(),
    }
    OUTPUT.write_text(json.dumps(document, indent=1) + "\n")


if __name__ == "__main__":
    main()
